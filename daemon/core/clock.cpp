#include "daemon/core/clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace hrmaild::core {

namespace asio = boost::asio;
using boost::system::error_code;

asio::awaitable<error_code> Clock::sleep_until(TimePoint t) {
    co_return co_await sleep_for(t - now());
}

asio::awaitable<error_code> Clock::sleep_until(WallTime t) {
    co_return co_await sleep_for(std::chrono::duration_cast<Duration>(t - wall_now()));
}

TimePoint SystemClock::now() const {
    return std::chrono::steady_clock::now();
}

WallTime SystemClock::wall_now() const {
    return std::chrono::system_clock::now();
}

asio::awaitable<error_code> SystemClock::sleep_for(Duration d) {
    if (stopped_)
        co_return asio::error::operation_aborted;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::max(d, Duration::zero()));
    auto it = sleeping_.insert(sleeping_.end(), &timer);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    sleeping_.erase(it);
    if (stopped_)
        ec = asio::error::operation_aborted;
    co_return ec;
}

void SystemClock::stop() {
    stopped_ = true;
    for (auto* timer : sleeping_)
        timer->cancel();
}

/// A sleeper: a timer that never expires on its own; `advance` cancels it once its virtual
/// deadline is reached and marks it `fired`, which tells a wake-up from a real cancellation.
struct ManualClock::Waiter {
    TimePoint deadline;
    asio::steady_timer timer;
    bool fired = false;
};

ManualClock::ManualClock(WallTime wall_start) : wall_start_(wall_start) {}

ManualClock::~ManualClock() {
    *alive_ = false;
    for (auto& w : waiters_)
        w->timer.cancel();
}

WallTime ManualClock::default_wall_start() {
    // 2026-01-01T00:00:00Z: fixed so that tests that print dates are reproducible.
    return WallTime{std::chrono::seconds{1767225600}};
}

WallTime ManualClock::wall_now() const {
    return wall_start_ + std::chrono::duration_cast<WallTime::duration>(now_ - TimePoint{});
}

asio::awaitable<error_code> ManualClock::sleep_for(Duration d) {
    auto executor = co_await asio::this_coro::executor;
    if (d <= Duration::zero()) {
        // Still yield, so a loop of zero waits cannot starve the io_context.
        co_await asio::post(executor, asio::use_awaitable);
        co_return error_code{};
    }
    auto waiter = std::make_shared<Waiter>(Waiter{now_ + d, asio::steady_timer(executor), false});
    waiter->timer.expires_at(asio::steady_timer::time_point::max());
    waiters_.push_back(waiter);
    auto alive = alive_;  // the clock may be gone when we resume (destroyed mid-sleep)
    auto [ec] = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*alive)
        co_return asio::error::operation_aborted;
    waiters_.remove(waiter);
    if (waiter->fired)
        co_return error_code{};
    co_return ec ? ec : error_code(asio::error::operation_aborted);
}

void ManualClock::wake_due() {
    // Wake in deadline order: the handlers are queued in the order we cancel.
    std::vector<std::shared_ptr<Waiter>> due;
    for (auto& w : waiters_)
        if (!w->fired && w->deadline <= now_)
            due.push_back(w);
    std::stable_sort(due.begin(), due.end(),
                     [](const auto& a, const auto& b) { return a->deadline < b->deadline; });
    for (auto& w : due) {
        w->fired = true;
        w->timer.cancel();
    }
}

void ManualClock::advance(Duration d) {
    now_ += std::max(d, Duration::zero());
    wake_due();
}

bool ManualClock::advance_to_next() {
    const std::shared_ptr<Waiter>* next = nullptr;
    for (auto& w : waiters_)
        if (!w->fired && (!next || w->deadline < (*next)->deadline))
            next = &w;
    if (!next)
        return false;
    now_ = std::max(now_, (*next)->deadline);
    wake_due();
    return true;
}

bool ManualClock::run_until(asio::io_context& ioc, const std::function<bool()>& done,
                            std::size_t max_steps) {
    for (std::size_t step = 0; step < max_steps; ++step) {
        if (ioc.stopped())
            ioc.restart();
        ioc.poll();
        if (done())
            return true;
        if (ioc.stopped())
            ioc.restart();
        if (ioc.poll() > 0)
            continue;
        if (done())
            return true;
        if (!advance_to_next())
            return false;
    }
    return done();
}

}  // namespace hrmaild::core
