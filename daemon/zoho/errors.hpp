#pragma once
/// Zoho Mail's errors as `net::CallError` values (reference sections 2, 3 and 10): the kind
/// comes from the `errorCode` first and the HTTP status family second, never from one exact
/// description string.
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"

#include <string_view>

namespace hrmaild::zoho {

/// The `errorCode` values the client branches on.
namespace codes {
inline constexpr std::string_view invalid_oauthtoken = "INVALID_OAUTHTOKEN";
inline constexpr std::string_view invalid_oauthscope = "INVALID_OAUTHSCOPE";
inline constexpr std::string_view invalid_ticket = "INVALID_TICKET";
inline constexpr std::string_view email_already_exists = "EMAIL_ALREADY_EXISTS";
inline constexpr std::string_view member_already_exists = "MEMBER_ALREADY_EXISTS";
inline constexpr std::string_view user_not_found = "USER_NOT_FOUND";
inline constexpr std::string_view group_not_found = "GROUP_NOT_FOUND";
inline constexpr std::string_view member_not_found = "MEMBER_NOT_FOUND";
inline constexpr std::string_view password_policy_violation = "PASSWORD_POLICY_VIOLATION";
inline constexpr std::string_view license_limit_exceeded = "LICENSE_LIMIT_EXCEEDED";
inline constexpr std::string_view domain_not_verified = "DOMAIN_NOT_VERIFIED";
inline constexpr std::string_view invalid_email_address = "INVALID_EMAIL_ADDRESS";
inline constexpr std::string_view extra_key_found = "EXTRA_KEY_FOUND_IN_JSON";
inline constexpr std::string_view throttled = "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED";
/// Client-side codes (never sent by Zoho).
inline constexpr std::string_view mint_limit = "CLIENT_MINT_LIMIT";
inline constexpr std::string_view bad_response = "CLIENT_BAD_RESPONSE";
}  // namespace codes

/// The CallError for a Zoho Mail API answer that is not a success: `errorCode` read from
/// `data.errorCode` or the flat top-level form (INVALID_OAUTHSCOPE). `required_scope` names
/// the scope the call needs, for the INVALID_OAUTHSCOPE message.
/// `now` (the injected clock's calendar time) anchors a Retry-After date.
net::CallError classify_api_error(const net::HttpResponse& response,
                                  std::string_view required_scope, core::WallTime now);

/// Whether the answer is Zoho's throttle: 429, or any status whose body says
/// URL_ROLLING_THROTTLES_LIMIT_EXCEEDED or contains THROTTLE (reference section 3).
bool is_throttle_response(const net::HttpResponse& response);

/// Whether a call failed because the user or group does not exist (USER_NOT_FOUND,
/// GROUP_NOT_FOUND): callers probe and may treat a delete or a disable as already done.
bool is_not_found(const net::CallError& error);
/// Whether the error is a Zoho throttle (retryable).
bool is_throttle(const net::CallError& error);
/// Whether the error says the access token expired or is invalid.
bool is_token_rejected(const net::CallError& error);

}  // namespace hrmaild::zoho
