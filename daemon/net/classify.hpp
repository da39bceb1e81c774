#pragma once
/// Turning an HTTP answer into a `CallError`, for the service clients. They look up their
/// own code tables first (Bitrix: the `error` field, case-insensitively, never the status
/// alone; Zoho: `data.errorCode`, section 10 of the reference) and use these helpers to fill
/// the status and the server's timing hints.
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"

#include <string>

namespace hrmaild::net {

/// A `CallError` of `kind` for an HTTP answer: status, service code, message, and
/// `retry_after` from a `Retry-After` header (seconds or HTTP date, relative to `now`).
CallError error_from_response(const HttpResponse& response, ErrorKind kind,
                              std::string service_code, std::string message, WallTime now);

/// The answer as-is when its status is 2xx, else a `CallError` whose kind comes from the
/// status alone (`kind_for_status`). For upstreams without their own error codes; transport
/// errors pass through unchanged.
Outcome<HttpResponse> require_success(Outcome<HttpResponse> outcome, WallTime now);

}  // namespace hrmaild::net
