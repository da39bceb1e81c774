#include "daemon/net/classify.hpp"

#include "daemon/net/retry.hpp"

#include <fmt/format.h>

namespace hrmaild::net {

CallError error_from_response(const HttpResponse& response, ErrorKind kind,
                              std::string service_code, std::string message, WallTime now) {
    CallError e;
    e.kind = kind;
    e.http_status = response.status;
    e.service_code = std::move(service_code);
    e.message = std::move(message);
    if (auto ra = response.header("Retry-After"))
        e.retry_after = parse_retry_after(*ra, now);
    return e;
}

Outcome<HttpResponse> require_success(Outcome<HttpResponse> outcome, WallTime now) {
    if (!outcome || is_success(outcome->status))
        return outcome;
    const auto& r = *outcome;
    return error_from_response(r, kind_for_status(r.status), {}, fmt::format("HTTP {}", r.status),
                               now);
}

}  // namespace hrmaild::net
