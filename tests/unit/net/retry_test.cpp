#include "daemon/net/retry.hpp"

#include "daemon/log/log.hpp"
#include "daemon/net/classify.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <deque>

namespace hrmaild::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

net::RetrySettings cfg(int attempts, std::chrono::milliseconds base,
                       std::chrono::milliseconds cap) {
    net::RetrySettings c;
    c.max_attempts = attempts;
    c.base_delay = base;
    c.max_delay = cap;
    return c;
}

TEST(Backoff, DoublesUpToTheCapWithoutJitter) {
    RetryPolicy p(cfg(20, 1000ms, 15min), Jitter::none);
    std::vector<Duration> got;
    for (int a = 1; a <= 12; ++a)
        got.push_back(p.backoff(a));
    std::vector<Duration> want = {1s, 2s, 4s, 8s, 16s, 32s, 64s, 128s, 256s, 512s, 15min, 15min};
    EXPECT_EQ(got, want);
    EXPECT_EQ(p.backoff(1000), 15min);  // no overflow far out
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheExponentialAndSpreads) {
    RetryPolicy p(cfg(20, 1000ms, 60s), Jitter::full, 42);
    for (int a = 1; a <= 10; ++a) {
        Duration bound = std::min<Duration>(Duration(1s) * (1LL << (a - 1)), 60s);
        Duration lo = bound, hi = Duration::zero();
        for (int i = 0; i < 200; ++i) {
            auto d = p.backoff(a);
            ASSERT_GE(d, Duration::zero());
            ASSERT_LE(d, bound);
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        // 200 uniform draws cover most of the range: not a constant in disguise.
        EXPECT_LT(lo, bound / 4) << a;
        EXPECT_GT(hi, bound * 3 / 4) << a;
    }
}

TEST(Backoff, DecorrelatedJitterStaysBetweenBaseAndThreeTimesPrevious) {
    RetryPolicy p(cfg(100, 500ms, 30s), Jitter::decorrelated, 7);
    Duration prev = 500ms;
    for (int a = 1; a <= 60; ++a) {
        auto d = p.backoff(a);
        EXPECT_GE(d, Duration(500ms));
        EXPECT_LE(d, std::min<Duration>(30s, prev * 3));
        prev = d;
    }
}

TEST(RetryAfter, SecondsAndHttpDates) {
    WallTime now{std::chrono::seconds{784111777}};  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parse_retry_after("120", now), Duration(120s));
    EXPECT_EQ(parse_retry_after(" 0 ", now), Duration(0s));
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Duration(30s));
    EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:51:37 GMT", now), Duration(120s));
    EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:47 1994", now), Duration(10s));
    EXPECT_EQ(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now), Duration::zero());
    EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("", now), std::nullopt);
    EXPECT_EQ(parse_http_date("Tue, 29 Feb 2028 23:59:60 GMT").has_value(), true);
}

// A date that does not exist is no date: the hint is ignored (the backoff applies), not read
// as a day of the next month (31 Feb 2029 was 3 March before).
TEST(RetryAfter, AnImpossibleDateIsRefused) {
    EXPECT_EQ(parse_http_date("Sat, 31 Feb 2029 10:00:00 GMT"), std::nullopt);
    EXPECT_EQ(parse_http_date("Thu, 29 Feb 2029 10:00:00 GMT"), std::nullopt);
    EXPECT_EQ(parse_http_date("Sunday, 31-Apr-29 10:00:00 GMT"), std::nullopt);
    EXPECT_EQ(parse_http_date("Thu Feb 30 10:00:00 2029"), std::nullopt);
    const auto leap = parse_http_date("Thu, 29 Feb 2028 10:00:00 GMT");
    ASSERT_TRUE(leap.has_value());
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(leap->time_since_epoch()).count(),
              1835431200);  // date -u -d 2028-02-29T10:00:00Z +%s
}

TEST(NextDelay, OnlyRetryableErrorsAndOnlyWithinMaxAttempts) {
    RetryPolicy p(cfg(3, 1000ms, 60s), Jitter::none);
    WallTime now{};
    EXPECT_EQ(p.next_delay(1, permanent_error("x", 400), now), std::nullopt);
    CallError auth;
    auth.kind = ErrorKind::auth;
    EXPECT_EQ(p.next_delay(1, auth, now), std::nullopt);
    EXPECT_EQ(p.next_delay(1, retryable_error("x", 503), now), Duration(1s));
    EXPECT_EQ(p.next_delay(2, retryable_error("x", 503), now), Duration(2s));
    EXPECT_EQ(p.next_delay(3, retryable_error("x", 503), now), std::nullopt);
}

TEST(NextDelay, ServerHintsWinOverShorterBackoffEvenPastTheCap) {
    RetryPolicy p(cfg(5, 1000ms, 10s), Jitter::none);
    WallTime now{std::chrono::seconds{1'760'000'000}};
    CallError e = retryable_error("throttled", 429);
    e.retry_after = 120s;
    EXPECT_EQ(p.next_delay(1, e, now), Duration(120s));
    CallError reset = retryable_error("OPERATION_TIME_LIMIT", 429);
    reset.not_before = now + 600s;
    EXPECT_EQ(p.next_delay(1, reset, now), Duration(600s));
    CallError past = retryable_error("x", 503);
    past.not_before = now - 5s;
    EXPECT_EQ(p.next_delay(2, past, now), Duration(2s));
    CallError absurd = retryable_error("x", 503);
    absurd.retry_after = std::chrono::hours(24 * 365);
    EXPECT_EQ(p.next_delay(1, absurd, now), RetryPolicy::max_hint);
}

/// A fake upstream answering from a script of statuses.
struct Script {
    std::deque<int> statuses;
    int calls = 0;
    std::vector<Duration> called_at;
    core::ManualClock* clock = nullptr;
    std::optional<std::string> retry_after;

    asio::awaitable<Outcome<HttpResponse>> call() {
        ++calls;
        called_at.push_back(clock->elapsed());
        HttpResponse r;
        r.status = statuses.empty() ? 200 : statuses.front();
        if (!statuses.empty())
            statuses.pop_front();
        if (retry_after)
            r.headers.push_back({"Retry-After", *retry_after});
        co_return require_success(std::move(r), clock->wall_now());
    }
};

Outcome<HttpResponse> run_with_retry(core::ManualClock& clock, RetryPolicy& policy,
                                     Script& script) {
    asio::io_context ioc;
    std::optional<Outcome<HttpResponse>> result;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            result =
                co_await with_retry(clock, policy, [&] { return script.call(); }, {"test", "op"});
        },
        asio::detached);
    EXPECT_TRUE(clock.run_until(ioc, [&] { return result.has_value(); }));
    return result ? *result : Outcome<HttpResponse>(permanent_error("did not finish"));
}

TEST(WithRetry, TwoServiceUnavailableThenSuccessMakesThreeCalls) {
    log::CaptureSink capture;
    core::ManualClock clock;
    RetryPolicy policy(cfg(8, 1000ms, 15min), Jitter::none);
    Script script{{503, 503, 200}, 0, {}, &clock, {}};
    auto result = run_with_retry(clock, policy, script);
    ASSERT_TRUE(result.has_value()) << result.error().describe();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(script.calls, 3);
    EXPECT_EQ(script.called_at, (std::vector<Duration>{0s, 1s, 3s}));
    int retries = 0;
    for (const auto& line : capture.lines())
        if (line.find("HTTP_CALL_RETRY") != std::string::npos)
            ++retries;
    EXPECT_EQ(retries, 2);
    EXPECT_NE(capture.text().find("status=503"), std::string::npos);
}

TEST(WithRetry, PermanentErrorIsNotRetried) {
    core::ManualClock clock;
    RetryPolicy policy(cfg(8, 1000ms, 15min), Jitter::none);
    Script script{{404, 200}, 0, {}, &clock, {}};
    auto result = run_with_retry(clock, policy, script);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().http_status, 404);
    EXPECT_EQ(result.error().kind, ErrorKind::permanent);
    EXPECT_EQ(script.calls, 1);
}

TEST(WithRetry, GivesUpAfterMaxAttemptsAndSaysSo) {
    log::CaptureSink capture;
    core::ManualClock clock;
    RetryPolicy policy(cfg(4, 1000ms, 15min), Jitter::none);
    Script script{{503, 503, 503, 503, 503, 503}, 0, {}, &clock, {}};
    auto result = run_with_retry(clock, policy, script);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(script.calls, 4);
    EXPECT_EQ(clock.elapsed(), 7s);  // 1 + 2 + 4
    EXPECT_TRUE(capture.has_event("HTTP_CALL_GAVE_UP"));
}

TEST(WithRetry, HonoursRetryAfterFromTheServer) {
    core::ManualClock clock;
    RetryPolicy policy(cfg(8, 1000ms, 15min), Jitter::none);
    Script script{{429, 200}, 0, {}, &clock, std::string("120")};
    auto result = run_with_retry(clock, policy, script);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(script.called_at, (std::vector<Duration>{0s, 120s}));
}

TEST(WithRetry, CancellationStopsRetryingAndReturnsTheLastError) {
    asio::io_context ioc;
    core::ManualClock clock;
    RetryPolicy policy(cfg(8, 1000ms, 15min), Jitter::none);
    Script script{std::deque<int>(8, 503), 0, {}, &clock, {}};
    asio::cancellation_signal signal;
    std::optional<Outcome<HttpResponse>> result;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<Outcome<HttpResponse>> {
            co_return co_await with_retry(clock, policy, [&] { return script.call(); });
        },
        asio::bind_cancellation_slot(signal.slot(),
                                     [&](std::exception_ptr e, Outcome<HttpResponse> r) {
                                         ASSERT_FALSE(e);
                                         result.emplace(std::move(r));
                                     }));
    ioc.poll();
    ASSERT_EQ(script.calls, 1);
    ASSERT_EQ(clock.sleepers(), 1u);  // waiting 1 s before attempt 2
    signal.emit(asio::cancellation_type::terminal);
    ioc.poll();
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(result->has_value());
    EXPECT_EQ(result->error().http_status, 503);
    EXPECT_EQ(script.calls, 1);
    clock.advance(1h);
    ioc.poll();
    EXPECT_EQ(script.calls, 1);
}

TEST(WithRetry, CancellationDuringACallMakesNoFurtherAttempt) {
    asio::io_context ioc;
    core::ManualClock clock;
    RetryPolicy policy(cfg(8, 1000ms, 15min), Jitter::none);
    int calls = 0;
    auto slow_call = [&]() -> asio::awaitable<Outcome<int>> {
        ++calls;
        auto ec = co_await clock.sleep_for(10s);  // a call in flight; cancelled below
        co_return retryable_error(ec ? "cancelled" : "timeout");
    };
    asio::cancellation_signal signal;
    std::optional<Outcome<int>> result;
    std::exception_ptr thrown;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<Outcome<int>> {
            co_return co_await with_retry(clock, policy, slow_call);
        },
        asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, Outcome<int> r) {
            thrown = e;
            result.emplace(std::move(r));
        }));
    ioc.poll();
    ASSERT_EQ(calls, 1);
    signal.emit(asio::cancellation_type::terminal);
    ioc.poll();
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(thrown);  // a value, not an exception
    ASSERT_FALSE(result->has_value());
    EXPECT_EQ(result->error().message, "cancelled");
    EXPECT_EQ(clock.sleepers(), 0u);
    EXPECT_EQ(calls, 1);
}

TEST(WithRetry, AnHourOfBackoffRunsInMilliseconds) {
    core::ManualClock clock;
    RetryPolicy policy(cfg(12, 1000ms, 15min), Jitter::none);
    Script script{std::deque<int>(11, 503), 0, {}, &clock, {}};
    auto real_start = std::chrono::steady_clock::now();
    auto result = run_with_retry(clock, policy, script);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(script.calls, 12);
    // 1+2+...+512 s = 1023 s, then 15 min: over 30 min of virtual time
    EXPECT_EQ(clock.elapsed(), 1023s + 15min);
    EXPECT_LT(std::chrono::steady_clock::now() - real_start, 2s);
}

}  // namespace
}  // namespace hrmaild::net
