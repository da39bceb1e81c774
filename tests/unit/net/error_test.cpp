#include "daemon/net/error.hpp"

#include <gtest/gtest.h>

namespace hrmaild::net {
namespace {

TEST(KindForStatus, ThrottlesAndServerErrorsAreRetryable) {
    for (int s : {408, 425, 429, 500, 502, 503, 504})
        EXPECT_EQ(kind_for_status(s), ErrorKind::retryable) << s;
}

TEST(KindForStatus, AuthConflictAndPermanent) {
    EXPECT_EQ(kind_for_status(401), ErrorKind::auth);
    EXPECT_EQ(kind_for_status(407), ErrorKind::auth);
    EXPECT_EQ(kind_for_status(409), ErrorKind::conflict);
    EXPECT_EQ(kind_for_status(412), ErrorKind::conflict);
    for (int s : {400, 403, 404, 405, 410, 422, 501, 505})
        EXPECT_EQ(kind_for_status(s), ErrorKind::permanent) << s;
}

TEST(LookupCode, IsCaseInsensitiveAndMissesUnknownCodes) {
    auto table = {CodeRule{"QUERY_LIMIT_EXCEEDED", ErrorKind::retryable},
                  CodeRule{"expired_token", ErrorKind::auth}};
    EXPECT_EQ(lookup_code(table, "query_limit_exceeded"), ErrorKind::retryable);
    EXPECT_EQ(lookup_code(table, "EXPIRED_TOKEN"), ErrorKind::auth);
    EXPECT_EQ(lookup_code(table, "ERROR_CORE"), std::nullopt);
}

TEST(CallError, DescribeNamesKindStatusCodeAndPhase) {
    CallError e = retryable_error("Too many requests", 503);
    e.service_code = "QUERY_LIMIT_EXCEEDED";
    EXPECT_EQ(e.describe(), "retryable http 503 QUERY_LIMIT_EXCEEDED: Too many requests");
    CallError t = retryable_error("read timed out");
    t.phase = Phase::read;
    t.timed_out = true;
    EXPECT_EQ(t.describe(), "retryable (read timeout): read timed out");
    EXPECT_EQ(fmt::format("{}", t), t.describe());
}

TEST(Outcome, ValueOnAnErrorThrowsCallFailedWithTheError) {
    Outcome<int> o = permanent_error("nope", 404);
    ASSERT_FALSE(o.has_value());
    try {
        (void)o.value();
        FAIL() << "value() did not throw";
    } catch (const CallFailed& f) {
        EXPECT_EQ(f.error().http_status, 404);
        EXPECT_EQ(f.error().kind, ErrorKind::permanent);
    }
    Outcome<int> ok = 7;
    EXPECT_EQ(ok.value(), 7);
}

}  // namespace
}  // namespace hrmaild::net
