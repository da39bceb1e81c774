#include "daemon/net/rate_limiter.hpp"

#include "daemon/log/log.hpp"

#include <algorithm>
#include <cmath>

namespace hrmaild::net {

double usable_share(int reserve_percent) {
    return (100.0 - std::clamp(reserve_percent, 0, 90)) / 100.0;
}

RateLimiter::RateLimiter(core::Clock& clock, std::string name, double burst, double per_second)
    : clock_(clock)
    , name_(std::move(name))
    , burst_(std::max(1.0, burst))
    , per_second_(per_second)
    , tokens_(burst_)
    , last_(clock.now()) {}

RateLimiter RateLimiter::per_minute(core::Clock& clock, std::string name, int per_minute) {
    const int limit = std::max(1, per_minute);
    RateLimiter r(clock, std::move(name), limit, limit / 61.0);
    r.window_limit_ = static_cast<std::size_t>(limit);
    // 61 s: a second's margin for clock skew with the server's 60 s window.
    r.window_ = std::chrono::seconds(61);
    return r;
}

core::TimePoint RateLimiter::window_due() {
    const auto now = clock_.now();
    // A grant older than the window constrains nothing from now on.
    while (!grants_.empty() && grants_.front() + window_ <= now)
        grants_.pop_front();
    if (grants_.size() < window_limit_)
        return grants_.empty() ? now : std::max(now, grants_.back());
    // The grant `window_limit_` back must leave the window first (grants are in order).
    return std::max(now, grants_[grants_.size() - window_limit_] + window_);
}

void RateLimiter::refill() {
    auto now = clock_.now();
    if (now <= last_)
        return;
    double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * per_second_);
    last_ = now;
}

double RateLimiter::available() {
    if (window_limit_ > 0) {
        (void)window_due();
        return static_cast<double>(window_limit_) - static_cast<double>(grants_.size());
    }
    refill();
    return tokens_;
}

core::Duration RateLimiter::wait_time() {
    if (per_second_ <= 0)
        return core::Duration::zero();
    if (window_limit_ > 0)
        return window_due() - clock_.now();
    refill();
    if (tokens_ >= 1.0)
        return core::Duration::zero();
    double seconds = (1.0 - tokens_) / per_second_;
    return std::chrono::ceil<core::Duration>(std::chrono::duration<double>(seconds));
}

bool RateLimiter::try_acquire() {
    if (per_second_ <= 0)
        return true;
    if (window_limit_ > 0) {
        const auto due = window_due();
        if (due > clock_.now())
            return false;
        grants_.push_back(due);
        return true;
    }
    refill();
    if (tokens_ < 1.0)
        return false;
    tokens_ -= 1.0;
    return true;
}

void RateLimiter::drain() {
    if (window_limit_ > 0) {
        // As if the window were full, its grants spread evenly up to now: the next request
        // waits one even share of the window, and the ones after it go at the window's pace.
        const auto now = clock_.now();
        const auto step = window_ / static_cast<std::int64_t>(window_limit_);
        std::deque<core::TimePoint> full;
        for (std::size_t i = window_limit_; i-- > 0;)
            full.push_back(now - window_ + step * static_cast<std::int64_t>(window_limit_ - i));
        // Reservations already handed out stay (their callers are asleep until then).
        for (auto t : grants_)
            if (t > now)
                full.push_back(t);
        grants_ = std::move(full);
        return;
    }
    refill();
    tokens_ = std::min(tokens_, 0.0);
}

boost::asio::awaitable<core::Duration> RateLimiter::acquire() {
    if (per_second_ <= 0)
        co_return core::Duration::zero();
    auto wait = wait_time();
    // Reserve now (the balance may go negative): the next caller queues behind us.
    if (window_limit_ > 0)
        grants_.push_back(clock_.now() + wait);
    else
        tokens_ -= 1.0;
    if (wait <= core::Duration::zero())
        co_return core::Duration::zero();
    log::debug("RATE_LIMIT_WAIT",
               {{"upstream", name_},
                {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()}});
    auto start = clock_.now();
    if (auto ec = co_await clock_.sleep_for(wait); ec) {
        // Cancelled: give the reservation back (a window keeps it: harmless, it expires).
        if (window_limit_ == 0)
            tokens_ += 1.0;
        co_return clock_.now() - start;
    }
    co_return clock_.now() - start;
}

}  // namespace hrmaild::net
