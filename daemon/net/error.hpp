#pragma once
/// Errors as values at the edge (STYLE.md point 5): every remote call returns
/// `Outcome<T>` = `boost::system::result<T, CallError>`, and a `CallError` says what the
/// caller may do about it (its `ErrorKind`) next to the HTTP status and the service's code.
#include "daemon/core/clock.hpp"
#include "daemon/core/error.hpp"
#include "daemon/core/text.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <fmt/format.h>

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hrmaild::net {

// net speaks the shared vocabulary of core/ (clock, time types, error kinds) unqualified.
using core::Clock;
using core::Duration;
using core::ErrorKind;
using core::TimePoint;
using core::WallTime;

/// Where in a call a transport failure happened (`none` for an HTTP-level error).
enum class Phase { none, url, resolve, connect, proxy, tls, write, read };

/// Lower-case name, for logs and messages (`core::to_string` names an `ErrorKind`).
std::string_view to_string(Phase phase);

/// A failed remote call.
struct CallError {
    ErrorKind kind = ErrorKind::permanent;
    int http_status = 0;       ///< 0 when no HTTP answer arrived
    std::string service_code;  ///< Bitrix `error`, Zoho `errorCode`; empty for transport errors
    std::string message;       ///< for people; never holds a secret (URLs in their log form)
    std::optional<Duration> retry_after;  ///< the server asked to wait this long (Retry-After)
    std::optional<WallTime> not_before;   ///< do not call again before this (Bitrix
                                          ///< `operating_reset_at`)
    Phase phase = Phase::none;            ///< where a transport failure happened
    bool timed_out = false;               ///< a deadline (phase or overall) ran out
    /// The request provably had no effect: it never left (phases url..tls, a call held back
    /// client-side) or the service refused it unexecuted (a throttle answer its reference
    /// documents as "not executed"). Only then may a non-idempotent write be sent again.
    bool not_executed = false;
    /// Set by `with_retry` when it declined to re-send a non-idempotent write that may have
    /// taken effect: the caller must settle it (probe, marker check) before calling again.
    bool outcome_unknown = false;

    /// Whether `with_retry` may try again.
    [[nodiscard]] bool retryable() const { return kind == ErrorKind::retryable; }
    /// One line: `retryable http 503 QUERY_LIMIT_EXCEEDED: Too many requests`.
    [[nodiscard]] std::string describe() const;
};

/// The result of a remote call: a value, or a `CallError`.
template <typename T>
using Outcome = boost::system::result<T, CallError>;

/// Thrown by `Outcome::value()` on an error (a programming error: check `has_value()` first).
class CallFailed : public std::runtime_error {
  public:
    /// Wraps the error.
    explicit CallFailed(CallError error)
        : std::runtime_error(error.describe()), error_(std::move(error)) {}
    /// The error that was not handled.
    [[nodiscard]] const CallError& error() const { return error_; }

  private:
    CallError error_;
};

/// Found by ADL from `boost::system::result<T, CallError>::value()`.
[[noreturn]] void throw_exception_from_error(const CallError& error,
                                             const boost::source_location& loc);

/// Shorthand constructors.
CallError retryable_error(std::string message, int http_status = 0);
CallError permanent_error(std::string message, int http_status = 0);

/// The kind an HTTP status implies when the service's code says nothing more:
/// 408/425/429/5xx (except 501, 505) → retryable; 401/407 → auth; 409/412 → conflict;
/// other 4xx → permanent. Clients branch on their service code first (Bitrix: never on the
/// status alone).
ErrorKind kind_for_status(int status);

/// Whether a status is a success (2xx).
inline bool is_success(int status) {
    return status >= 200 && status < 300;
}

/// One row of a service's error-code table.
struct CodeRule {
    std::string_view code;  ///< compared case-insensitively
    ErrorKind kind;
};

/// The kind a service code maps to in `table`, if it is listed.
std::optional<ErrorKind> lookup_code(std::initializer_list<CodeRule> table, std::string_view code);
/// The same over any range of rules (e.g. a static array).
template <typename Range>
std::optional<ErrorKind> lookup_code_in(const Range& table, std::string_view code) {
    for (const CodeRule& rule : table)
        if (core::iequals(rule.code, code))
            return rule.kind;
    return std::nullopt;
}

}  // namespace hrmaild::net

/// fmt prints a CallError as its one-line description.
template <>
struct fmt::formatter<hrmaild::net::CallError> : fmt::formatter<std::string_view> {
    template <typename Ctx>
    auto format(const hrmaild::net::CallError& e, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(e.describe(), ctx);
    }
};
