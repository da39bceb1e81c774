#include "daemon/core/clock.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <vector>

namespace hrmaild::core {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using boost::system::error_code;

TEST(ManualClock, SleepCompletesOnlyWhenTimeIsAdvancedFarEnough) {
    asio::io_context ioc;
    ManualClock clock;
    bool woke = false;
    error_code result = asio::error::would_block;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            result = co_await clock.sleep_for(1h);
            woke = true;
        },
        asio::detached);
    ioc.poll();
    EXPECT_FALSE(woke);
    EXPECT_EQ(clock.sleepers(), 1u);
    clock.advance(59min);
    ioc.poll();
    EXPECT_FALSE(woke);
    clock.advance(1min);
    ioc.poll();
    EXPECT_TRUE(woke);
    EXPECT_FALSE(result);
    EXPECT_EQ(clock.sleepers(), 0u);
}

TEST(ManualClock, SleepUntilCalendarAndMonotonicInstants) {
    asio::io_context ioc;
    ManualClock clock;
    std::vector<Duration> woke;
    const auto reset_at = clock.wall_now() + 600s;  // e.g. Bitrix operating_reset_at
    const auto mono = clock.now() + 90s;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await clock.sleep_until(mono);
            woke.push_back(clock.elapsed());
            co_await clock.sleep_until(reset_at);
            woke.push_back(clock.elapsed());
            co_await clock.sleep_until(reset_at - 1h);  // already past: returns at once
            woke.push_back(clock.elapsed());
        },
        asio::detached);
    ASSERT_TRUE(clock.run_until(ioc, [&] { return woke.size() == 3; }));
    EXPECT_EQ(woke, (std::vector<Duration>{90s, 600s, 600s}));
}

TEST(ManualClock, WallTimeMovesWithVirtualTime) {
    ManualClock clock;
    auto wall0 = clock.wall_now();
    auto mono0 = clock.now();
    EXPECT_EQ(wall0, ManualClock::default_wall_start());
    clock.advance(90s);
    EXPECT_EQ(clock.wall_now() - wall0, 90s);
    EXPECT_EQ(clock.now() - mono0, 90s);
}

TEST(ManualClock, SleepersWakeInDeadlineOrder) {
    asio::io_context ioc;
    ManualClock clock;
    std::vector<int> order;
    for (int seconds : {30, 10, 20}) {
        asio::co_spawn(
            ioc,
            [&, seconds]() -> asio::awaitable<void> {
                co_await clock.sleep_for(std::chrono::seconds(seconds));
                order.push_back(seconds);
            },
            asio::detached);
    }
    ioc.poll();
    clock.advance(1h);
    ioc.poll();
    EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST(ManualClock, RunUntilJumpsAnHourOfVirtualTimeQuickly) {
    asio::io_context ioc;
    ManualClock clock;
    int rounds = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 60; ++i) {
                co_await clock.sleep_for(1min);
                ++rounds;
            }
        },
        asio::detached);
    auto real_start = std::chrono::steady_clock::now();
    ASSERT_TRUE(clock.run_until(ioc, [&] { return rounds == 60; }));
    EXPECT_EQ(clock.elapsed(), 1h);
    EXPECT_LT(std::chrono::steady_clock::now() - real_start, 2s);
}

TEST(ManualClock, RunUntilReportsAHangInsteadOfSpinning) {
    asio::io_context ioc;
    ManualClock clock;
    EXPECT_FALSE(clock.run_until(ioc, [] { return false; }));
}

TEST(ManualClock, CancelledSleepReportsAbortedAndLeavesNoSleeper) {
    asio::io_context ioc;
    ManualClock clock;
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { result = co_await clock.sleep_for(10s); },
        asio::bind_cancellation_slot(signal.slot(), asio::detached));
    ioc.poll();
    ASSERT_EQ(clock.sleepers(), 1u);
    signal.emit(asio::cancellation_type::terminal);
    ioc.poll();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, asio::error::operation_aborted);
    EXPECT_EQ(clock.sleepers(), 0u);
}

TEST(ManualClock, DestroyedClockAbortsItsSleepersSafely) {
    asio::io_context ioc;
    std::optional<error_code> result;
    {
        ManualClock clock;
        asio::co_spawn(
            ioc, [&]() -> asio::awaitable<void> { result = co_await clock.sleep_for(1h); },
            asio::detached);
        ioc.poll();
        ASSERT_EQ(clock.sleepers(), 1u);
    }
    ioc.poll();  // resumes after the clock is gone: must not touch it
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, asio::error::operation_aborted);
}

TEST(ManualClock, ZeroSleepYieldsWithoutTime) {
    asio::io_context ioc;
    ManualClock clock;
    bool done = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await clock.sleep_for(0s);
            done = true;
        },
        asio::detached);
    ioc.poll();
    EXPECT_TRUE(done);
    EXPECT_EQ(clock.elapsed(), Duration::zero());
}

TEST(FromUnixSeconds, KeepsFractionsAndMatchesTheCalendar) {
    EXPECT_EQ(from_unix_seconds(1767225600), ManualClock::default_wall_start());
    EXPECT_EQ(from_unix_seconds(1760000600.5) - from_unix_seconds(1760000600), 500ms);
}

TEST(SystemClock, SleepTakesRealTime) {
    asio::io_context ioc;
    SystemClock clock;
    auto start = clock.now();
    Duration slept{};
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await clock.sleep_for(30ms);
            slept = clock.now() - start;
        },
        asio::detached);
    ioc.run_for(5s);
    EXPECT_GE(slept, 30ms);
    EXPECT_LT(slept, 3s);
}

}  // namespace
}  // namespace hrmaild::core
