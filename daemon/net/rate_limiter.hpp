#pragma once
/// Client-side request budgets, so the daemon stays under Bitrix24's leaky bucket (burst 50,
/// 2/s: a token bucket) and Zoho's per-minute budget (a sliding window) instead of tripping
/// them. Waits run on the injected clock.
#include "daemon/core/clock.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <string>

namespace hrmaild::net {

/// The share of an upstream's budget the daemon may use when `reserve_percent` of it is kept
/// for people's own use of the same credentials (clamped to 0..90 %): 10 → 0.9.
double usable_share(int reserve_percent);

/// A token bucket, or (`per_minute`) a sliding window. Callers that find it empty reserve the
/// next tokens in order (FIFO) and sleep until theirs is due, so concurrent callers cannot
/// starve each other.
class RateLimiter {
  public:
    /// `burst` tokens at most, `per_second` added each second; `per_second <= 0` disables the
    /// limit. Starts full.
    RateLimiter(core::Clock& clock, std::string name, double burst, double per_second);

    /// A budget of `per_minute` requests a minute, as Zoho and the sandbox count it (a sliding
    /// 60 s window): the times of the last `per_minute` grants are kept, and a request goes
    /// when fewer than `per_minute` were granted in the last 61 s (a second's margin for clock
    /// skew with the server's window). So the whole budget may be spent at once and, when
    /// saturated, it is spent at exactly `per_minute` a 61 s: a token bucket that never exceeds
    /// the window must keep its burst small and its rate below the budget.
    static RateLimiter per_minute(core::Clock& clock, std::string name, int per_minute);

    /// Takes one token, waiting on the clock until it is due. Returns how long it waited.
    boost::asio::awaitable<core::Duration> acquire();
    /// Takes one token if one is available now, without waiting.
    bool try_acquire();
    /// Empties the bucket, e.g. when the server said "too many requests" anyway: our model of
    /// its bucket was wrong, so start from zero.
    void drain();
    /// Tokens available now (negative while callers are queued); for a window, the grants
    /// left in it now.
    [[nodiscard]] double available();
    /// How long a new caller would wait now.
    [[nodiscard]] core::Duration wait_time();
    /// The upstream this budget is for (for logs).
    [[nodiscard]] const std::string& name() const { return name_; }

  private:
    void refill();
    /// Window mode: when the next grant may go (now or later), dropping grants that left it.
    core::TimePoint window_due();

    core::Clock& clock_;
    std::string name_;
    double burst_;
    double per_second_;
    double tokens_;
    core::TimePoint last_;
    // Window mode (per_minute): at most `window_limit_` grants in any `window_`, their times
    // in order (future ones are reservations of callers still asleep).
    std::size_t window_limit_ = 0;
    core::Duration window_{};
    std::deque<core::TimePoint> grants_;
};

}  // namespace hrmaild::net
