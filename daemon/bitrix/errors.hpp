#pragma once
/// Bitrix24 answers to values (reference sections 2, 3 and 12): the envelope of a success, and
/// for a failure a `net::CallError` whose kind comes from the `error` code (compared
/// case-insensitively), never from the HTTP status alone.
#include "daemon/bitrix/types.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::bitrix {

/// How the client authenticates; decides which config keys an auth error names.
enum class AuthMode { webhook, oauth };

/// The kind an `error` code maps to, if it is one the client knows.
std::optional<core::ErrorKind> kind_for_code(std::string_view code);

/// Whether the code means "the access token expired; refresh and repeat" (OAuth).
bool is_expired_token(std::string_view code);
/// Whether the code is a throttle of the portal-wide leaky bucket.
bool is_query_limit(std::string_view code);
/// Whether the code is the per-method operating-time limit.
bool is_operating_limit(std::string_view code);

/// The error for one `error`/`error_description` pair. `status` is the HTTP status (0 for a
/// batch command), `time` the envelope's `time` block (for `operating_reset_at`), `method` the
/// method called. Auth errors name the config keys to check.
net::CallError make_error(std::string_view method, int status, std::string_view code,
                          std::string_view description, const boost::json::value& time,
                          AuthMode mode);

/// Decodes one HTTP answer. A JSON body with `error` is an error whatever the status; a body
/// that is not JSON (an HTML error page) is a retryable error; a JSON body without `result`
/// is permanent.
net::Outcome<Reply> decode_response(std::string_view method, const net::HttpResponse& response,
                                    AuthMode mode);

}  // namespace hrmaild::bitrix
