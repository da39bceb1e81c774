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
    // A burst of a sixth, the rest spread over 61 s (a second's margin for clock skew with the
    // server's window): no 60 s window holds more than the budget.
    const int burst = std::max(1, per_minute / 6);
    return RateLimiter(clock, std::move(name), burst, std::max(1, per_minute - burst) / 61.0);
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
    refill();
    return tokens_;
}

core::Duration RateLimiter::wait_time() {
    if (per_second_ <= 0)
        return core::Duration::zero();
    refill();
    if (tokens_ >= 1.0)
        return core::Duration::zero();
    double seconds = (1.0 - tokens_) / per_second_;
    return std::chrono::ceil<core::Duration>(std::chrono::duration<double>(seconds));
}

bool RateLimiter::try_acquire() {
    if (per_second_ <= 0)
        return true;
    refill();
    if (tokens_ < 1.0)
        return false;
    tokens_ -= 1.0;
    return true;
}

void RateLimiter::drain() {
    refill();
    tokens_ = std::min(tokens_, 0.0);
}

boost::asio::awaitable<core::Duration> RateLimiter::acquire() {
    if (per_second_ <= 0)
        co_return core::Duration::zero();
    auto wait = wait_time();
    // Reserve now (the balance may go negative): the next caller queues behind us.
    tokens_ -= 1.0;
    if (wait <= core::Duration::zero())
        co_return core::Duration::zero();
    log::debug("RATE_LIMIT_WAIT",
               {{"upstream", name_},
                {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()}});
    auto start = clock_.now();
    if (auto ec = co_await clock_.sleep_for(wait); ec) {
        tokens_ += 1.0;  // cancelled: give the reservation back
        co_return clock_.now() - start;
    }
    co_return clock_.now() - start;
}

}  // namespace hrmaild::net
