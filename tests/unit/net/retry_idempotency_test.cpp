// Issue 9 finding 9 and issue 10 items 3-4 in `with_retry`: a non-idempotent call is re-sent
// only after a failure that provably had no effect; a wait beyond a command's bound is not
// made; a stopped clock ends every wait at once.
#include "daemon/net/retry.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <deque>

namespace hrmaild::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Script {
    std::deque<CallError> failures;  // then success
    int calls = 0;
    asio::awaitable<Outcome<int>> operator()() {
        ++calls;
        if (failures.empty())
            co_return 7;
        auto e = failures.front();
        failures.pop_front();
        co_return e;
    }
};

CallError read_timeout() {
    CallError e = retryable_error("read timed out");
    e.phase = Phase::read;
    e.timed_out = true;
    return e;
}

CallError refused_connect() {
    CallError e = retryable_error("connection refused");
    e.phase = Phase::connect;
    e.not_executed = true;
    return e;
}

Outcome<int> drive(Script& s, RetryLabel label, net::RetrySettings rc = {5, 1000ms, 60000ms}) {
    asio::io_context ioc;
    core::ManualClock clock;
    RetryPolicy policy(rc, Jitter::none);
    std::optional<Outcome<int>> out;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            out = co_await with_retry(
                clock, policy, [&] { return s(); }, label);
        },
        asio::detached);
    EXPECT_TRUE(clock.run_until(ioc, [&] { return out.has_value(); }));
    return *out;
}

TEST(Idempotency, AReadIsRetriedAfterAReadTimeout) {
    Script s{{read_timeout(), read_timeout()}};
    auto r = drive(s, {"zoho", "accounts.list", Idempotency::idempotent});
    ASSERT_TRUE(r);
    EXPECT_EQ(s.calls, 3);
}

TEST(Idempotency, AWriteIsNotResentAfterAReadTimeoutOrA5xx) {
    Script s{{read_timeout()}};
    auto r = drive(s, {"bitrix", "task.commentitem.add", Idempotency::not_idempotent});
    ASSERT_FALSE(r);
    EXPECT_EQ(s.calls, 1);
    EXPECT_TRUE(r.error().outcome_unknown);

    Script t{{retryable_error("Zoho answered HTTP 502", 502)}};
    r = drive(t, {"zoho", "accounts.add", Idempotency::not_idempotent});
    ASSERT_FALSE(r);
    EXPECT_EQ(t.calls, 1);
}

TEST(Idempotency, AWriteThatNeverLeftIsSentAgain) {
    CallError throttled = retryable_error("QUERY_LIMIT_EXCEEDED", 503);
    throttled.not_executed = true;
    Script s{{refused_connect(), throttled}};
    auto r = drive(s, {"bitrix", "task.commentitem.add", Idempotency::not_idempotent});
    ASSERT_TRUE(r);
    EXPECT_EQ(s.calls, 3);
}

TEST(Bound, AWaitBeyondTheBoundIsNotMade) {
    CallError blocked = retryable_error("minting blocked");
    blocked.retry_after = 15min;
    blocked.not_executed = true;
    Script s{{blocked}};
    net::RetrySettings rc{5, 1000ms, 60000ms};
    rc.give_up_beyond = 30000ms;
    auto r = drive(s, {"zoho", "accounts.list"}, rc);
    ASSERT_FALSE(r);
    EXPECT_EQ(s.calls, 1);
    EXPECT_NE(r.error().message.find("would have to wait 900 s"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("past the --timeout bound"), std::string::npos);
    // Short waits within the bound are still made.
    Script t{{refused_connect()}};
    EXPECT_TRUE(drive(t, {"zoho", "accounts.list"}, rc));
    EXPECT_EQ(t.calls, 2);
}

TEST(Stop, AStoppedSystemClockEndsEverySleepAtOnce) {
    asio::io_context ioc;
    core::SystemClock clock;
    std::optional<boost::system::error_code> first, later;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            first = co_await clock.sleep_for(1h);
            later = co_await clock.sleep_for(1h);
        },
        asio::detached);
    ioc.poll();
    EXPECT_FALSE(first);
    clock.stop();
    ioc.run_for(5s);  // a watchdog: both sleeps end at once after stop()
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, asio::error::operation_aborted);
    ASSERT_TRUE(later);
    EXPECT_EQ(*later, asio::error::operation_aborted);
}

}  // namespace
}  // namespace hrmaild::net
