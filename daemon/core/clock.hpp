#pragma once
/// The injected clock (STYLE.md point 11): every wait that is policy rather than I/O (rate
/// budgets, retry backoff, token expiry, polling) reads time and sleeps through a `Clock`, so
/// tests can swap in a `ManualClock` and run an hour of backoff in milliseconds.
///
/// Socket deadlines (connect, TLS, read...) deliberately stay on real time: they bound real
/// I/O, which a virtual clock cannot speed up.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace hrmaild::core {

/// The unit of every policy duration.
using Duration = std::chrono::steady_clock::duration;
/// A monotonic instant, for measuring waits.
using TimePoint = std::chrono::steady_clock::time_point;
/// A calendar instant, for server-given absolute times (Retry-After dates, Bitrix
/// `operating_reset_at`, OAuth `expires`).
using WallTime = std::chrono::system_clock::time_point;

/// A calendar instant from Unix seconds (Bitrix `operating_reset_at`, OAuth `expires`).
inline WallTime from_unix_seconds(double seconds) {
    return WallTime{
        std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(seconds))};
}

/// A source of time and of waits, real or virtual.
class Clock {
  public:
    virtual ~Clock() = default;
    /// Monotonic now.
    [[nodiscard]] virtual TimePoint now() const = 0;
    /// Calendar now (moves together with `now()` on a virtual clock).
    [[nodiscard]] virtual WallTime wall_now() const = 0;
    /// Suspends the calling coroutine for `d` of this clock's time. Returns
    /// `operation_aborted` when the wait was cancelled (per-operation cancellation of the
    /// awaiting coroutine), success otherwise. A zero or negative `d` still yields once.
    virtual boost::asio::awaitable<boost::system::error_code> sleep_for(Duration d) = 0;
    /// Suspends until the monotonic instant `t`.
    boost::asio::awaitable<boost::system::error_code> sleep_until(TimePoint t);
    /// Suspends until the calendar instant `t` (converted through the current offset).
    boost::asio::awaitable<boost::system::error_code> sleep_until(WallTime t);
};

/// Real time: `std::chrono::steady_clock` and `system_clock`, waits on asio timers.
class SystemClock final : public Clock {
  public:
    [[nodiscard]] TimePoint now() const override;
    [[nodiscard]] WallTime wall_now() const override;
    /// Sleeps on a real timer; after `stop()`, returns `operation_aborted` at once.
    boost::asio::awaitable<boost::system::error_code> sleep_for(Duration d) override;

    /// Shutdown (issue 10 item 4): wakes every sleeper with `operation_aborted` and makes
    /// every later sleep end at once the same way, so retry backoffs, budget waits and the
    /// directory refresh loop give up instead of holding the stop. Call on the clock's thread.
    void stop();
    /// Whether `stop()` was called.
    [[nodiscard]] bool stopped() const { return stopped_; }

  private:
    bool stopped_ = false;
    std::list<boost::asio::steady_timer*> sleeping_;
};

/// Virtual time for tests: time stands still until the test calls `advance`, and every
/// sleeper whose deadline has been reached then wakes, in deadline order.
///
/// Single-threaded like the daemon's core: call it only from the io_context's thread.
class ManualClock final : public Clock {
  public:
    /// Starts at a fixed calendar time (2026-01-01T00:00:00Z) unless told otherwise.
    explicit ManualClock(WallTime wall_start = default_wall_start());
    ~ManualClock() override;
    ManualClock(const ManualClock&) = delete;
    ManualClock& operator=(const ManualClock&) = delete;

    [[nodiscard]] TimePoint now() const override { return now_; }
    [[nodiscard]] WallTime wall_now() const override;
    boost::asio::awaitable<boost::system::error_code> sleep_for(Duration d) override;

    /// Moves time forward by `d` and wakes every sleeper that is due. Wake-ups run when the
    /// io_context next runs handlers (e.g. `ioc.poll()`).
    void advance(Duration d);
    /// Moves time to the earliest pending deadline and wakes its sleepers; false when
    /// nobody sleeps.
    bool advance_to_next();
    /// How many coroutines are sleeping on this clock.
    [[nodiscard]] std::size_t sleepers() const { return waiters_.size(); }
    /// How much virtual time has passed since construction.
    [[nodiscard]] Duration elapsed() const { return now_ - TimePoint{}; }

    /// Drives `ioc` until `done()` holds: runs every ready handler, and whenever nothing is
    /// ready but someone sleeps on this clock, jumps to the next deadline. Returns false if
    /// it stopped because nothing was ready and nobody slept (a hang) or `max_steps` ran out.
    /// Meant for tests whose only waits are on this clock (no real sockets).
    bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
                   std::size_t max_steps = 1000000);

    /// The calendar start used by default.
    static WallTime default_wall_start();

  private:
    struct Waiter;
    void wake_due();

    TimePoint now_{};
    WallTime wall_start_;
    std::list<std::shared_ptr<Waiter>> waiters_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace hrmaild::core
