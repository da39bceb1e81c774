#include "daemon/net/error.hpp"

#include <fmt/format.h>

namespace hrmaild::net {

std::string_view to_string(Phase phase) {
    switch (phase) {
        case Phase::none:
            return "none";
        case Phase::url:
            return "url";
        case Phase::resolve:
            return "resolve";
        case Phase::connect:
            return "connect";
        case Phase::proxy:
            return "proxy";
        case Phase::tls:
            return "tls";
        case Phase::write:
            return "write";
        case Phase::read:
            return "read";
    }
    return "unknown";
}

std::string CallError::describe() const {
    std::string out(to_string(kind));
    if (http_status != 0)
        out += fmt::format(" http {}", http_status);
    if (!service_code.empty())
        out += fmt::format(" {}", service_code);
    if (phase != Phase::none)
        out += fmt::format(" ({}{})", to_string(phase), timed_out ? " timeout" : "");
    if (!message.empty())
        out += fmt::format(": {}", message);
    return out;
}

void throw_exception_from_error(const CallError& error, const boost::source_location&) {
    throw CallFailed(error);
}

CallError retryable_error(std::string message, int http_status) {
    CallError e;
    e.kind = ErrorKind::retryable;
    e.http_status = http_status;
    e.message = std::move(message);
    return e;
}

CallError permanent_error(std::string message, int http_status) {
    CallError e;
    e.kind = ErrorKind::permanent;
    e.http_status = http_status;
    e.message = std::move(message);
    return e;
}

ErrorKind kind_for_status(int status) {
    switch (status) {
        case 408:  // request timeout
        case 425:  // too early
        case 429:  // throttled
            return ErrorKind::retryable;
        case 401:
        case 407:
            return ErrorKind::auth;
        case 409:
        case 412:
            return ErrorKind::conflict;
        case 501:  // not implemented: retrying will not implement it
        case 505:
            return ErrorKind::permanent;
        default:
            break;
    }
    if (status >= 500 && status < 600)
        return ErrorKind::retryable;
    return ErrorKind::permanent;
}

std::optional<ErrorKind> lookup_code(std::initializer_list<CodeRule> table, std::string_view code) {
    return lookup_code_in(table, code);
}

}  // namespace hrmaild::net
