#pragma once
/// One retry policy for every remote call (issue 4): only `retryable` errors are retried,
/// with exponential backoff, jitter and a cap; a server's `Retry-After` and an absolute "not
/// before" time (Bitrix `operating_reset_at`) are honoured; attempts are bounded. All waits
/// run on the injected clock.
#include "daemon/core/clock.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hrmaild::net {

/// How a backoff delay is randomised (so that many clients do not retry in lockstep).
enum class Jitter {
    none,          ///< base * 2^(n-1), capped (tests and predictable tools)
    full,          ///< uniform in [0, min(cap, base * 2^(n-1))]
    decorrelated,  ///< min(cap, uniform in [base, 3 * previous delay])
};

/// Retry-After: delta seconds or an HTTP date (IMF-fixdate, RFC 850 or asctime), relative to
/// `now`; a date in the past gives zero. Nullopt when unparsable.
std::optional<Duration> parse_retry_after(std::string_view value, WallTime now);
/// An HTTP date as a calendar instant; nullopt when unparsable.
std::optional<WallTime> parse_http_date(std::string_view value);

/// Backoff arithmetic and the retry decision.
class RetryPolicy {
  public:
    /// From `retry.max_attempts`, `retry.base_delay`, `retry.max_delay`; `seed` fixes the
    /// jitter for tests (0: random).
    explicit RetryPolicy(RetrySettings config, Jitter jitter = Jitter::full,
                         std::uint64_t seed = 0);

    /// The backoff before attempt `attempt + 1`, after `attempt` (1-based) failures; ignores
    /// server hints. Successive calls feed the decorrelated jitter.
    Duration backoff(int attempt);
    /// The wait before the next attempt after `attempt` failures ending with `error`, or
    /// nullopt when the call must not be retried (not retryable, or attempts used up).
    /// A server hint (Retry-After, not-before) wins over a shorter backoff, and is honoured
    /// even beyond `max_delay` up to `max_hint`.
    std::optional<Duration> next_delay(int attempt, const CallError& error, WallTime now);

    /// Attempts in all, the first included.
    [[nodiscard]] int max_attempts() const { return config_.max_attempts; }
    [[nodiscard]] Duration base_delay() const { return config_.base_delay; }
    [[nodiscard]] Duration max_delay() const { return config_.max_delay; }
    [[nodiscard]] Jitter jitter() const { return jitter_; }
    /// A wait longer than this is not made (`retry.give_up_beyond`); zero: no bound.
    [[nodiscard]] Duration give_up_beyond() const { return config_.give_up_beyond; }
    /// The longest server-requested wait honoured (a day): a larger hint is clamped.
    static constexpr Duration max_hint = std::chrono::hours(24);

  private:
    RetrySettings config_;
    Jitter jitter_;
    std::mt19937_64 rng_;
    Duration previous_{};
};

/// Whether sending a request twice has the same effect as sending it once.
enum class Idempotency {
    idempotent,      ///< reads, and writes that set a full state: re-sent on any retryable error
    not_idempotent,  ///< creates, adds, deletes, notifications, password resets: re-sent only
                     ///< when the failed attempt provably had no effect (`not_executed`)
};

/// What `with_retry` logs alongside its event ids (never a URL with a secret), and whether
/// the call may be re-sent blindly.
struct RetryLabel {
    std::string_view upstream;   ///< e.g. "bitrix", "zoho"
    std::string_view operation;  ///< e.g. "tasks.task.list"
    Idempotency idempotency = Idempotency::idempotent;
};

/// Sees every attempt of every call made through `with_retry` (for metrics): its label, and the
/// error, or null when it succeeded.
using CallObserver = std::function<void(const RetryLabel& label, const CallError* error)>;

/// Installs the process's call observer (the daemon's metrics); an empty one removes it.
void set_call_observer(CallObserver observer);

namespace detail {
void observe_attempt(const RetryLabel& label, const CallError* error);
template <typename T>
struct OutcomeValue;
template <typename T>
struct OutcomeValue<boost::asio::awaitable<Outcome<T>>> {
    using type = T;
};
void log_retry(const RetryLabel& label, int attempt, Duration delay, const CallError& error);
void log_gave_up(const RetryLabel& label, int attempts, const CallError& error);
void log_not_resent(const RetryLabel& label, int attempt, const CallError& error);
std::string beyond_bound_note(Duration delay, WallTime now);
}  // namespace detail

/// Calls `call()` (returning `awaitable<Outcome<T>>`) until it succeeds, fails with a
/// non-retryable error, or `policy.max_attempts()` attempts have been made; sleeps on
/// `clock` between attempts. Logs `HTTP_CALL_RETRY` before each wait and
/// `HTTP_CALL_GAVE_UP` when the attempts run out. A cancelled coroutine (shutdown) or a
/// stopped clock gets the last result back without further attempts.
///
/// A `not_idempotent` call is never re-sent after a failure that may have reached the
/// service (a read timeout, a reset after the request was written, a 5xx): the error comes
/// back at once with `outcome_unknown` set and `HTTP_CALL_NOT_RESENT` logged, and the caller
/// settles it (a probe, a marker check). Only errors marked `not_executed` are retried.
template <typename F>
auto with_retry(Clock& clock, RetryPolicy& policy, F&& call, RetryLabel label = {})
    -> boost::asio::awaitable<
        Outcome<typename detail::OutcomeValue<std::invoke_result_t<F&>>::type>> {
    for (int attempt = 1;; ++attempt) {
        auto result = co_await call();
        if (result.has_value()) {
            detail::observe_attempt(label, nullptr);
            co_return result;
        }
        const CallError& error = result.error();
        detail::observe_attempt(label, &error);
        // Shutting down: do not wait for a next attempt (and do not make one).
        auto state = co_await boost::asio::this_coro::cancellation_state;
        if (state.cancelled() != boost::asio::cancellation_type::none)
            co_return result;
        if (label.idempotency == Idempotency::not_idempotent && error.retryable() &&
            !error.not_executed) {
            detail::log_not_resent(label, attempt, error);
            auto unsettled = error;
            unsettled.outcome_unknown = true;
            co_return unsettled;
        }
        auto delay = policy.next_delay(attempt, error, clock.wall_now());
        if (!delay) {
            if (error.retryable())
                detail::log_gave_up(label, attempt, error);
            co_return result;
        }
        if (policy.give_up_beyond() > Duration::zero() && *delay > policy.give_up_beyond()) {
            // A command with a deadline: say what it would have waited for, and stop now.
            auto bounded = error;
            bounded.message += detail::beyond_bound_note(*delay, clock.wall_now());
            co_return bounded;
        }
        detail::log_retry(label, attempt, *delay, error);
        if (auto ec = co_await clock.sleep_for(*delay); ec)
            co_return result;  // cancelled
    }
}

}  // namespace hrmaild::net
