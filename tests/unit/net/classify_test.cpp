#include "daemon/net/classify.hpp"

#include <gtest/gtest.h>

namespace hrmaild::net {
namespace {
using namespace std::chrono_literals;

TEST(ErrorFromResponse, CarriesStatusCodeAndRetryAfter) {
    HttpResponse r;
    r.status = 503;
    r.headers.push_back({"retry-after", "30"});
    auto e = error_from_response(r, ErrorKind::retryable, "QUERY_LIMIT_EXCEEDED", "Too many",
                                 WallTime{});
    EXPECT_EQ(e.http_status, 503);
    EXPECT_EQ(e.service_code, "QUERY_LIMIT_EXCEEDED");
    EXPECT_EQ(e.retry_after, Duration(30s));
    EXPECT_EQ(e.kind, ErrorKind::retryable);
}

TEST(RequireSuccess, PassesSuccessAndClassifiesFailures) {
    HttpResponse ok;
    ok.status = 201;
    EXPECT_TRUE(require_success(ok, WallTime{}).has_value());
    HttpResponse conflict;
    conflict.status = 409;
    auto c = require_success(conflict, WallTime{});
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().kind, ErrorKind::conflict);
    Outcome<HttpResponse> transport = retryable_error("reset");
    auto t = require_success(transport, WallTime{});
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().message, "reset");
}

}  // namespace
}  // namespace hrmaild::net
