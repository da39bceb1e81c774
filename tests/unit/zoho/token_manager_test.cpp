#include "daemon/zoho/token_manager.hpp"
#include "daemon/log/log.hpp"
#include "daemon/zoho/errors.hpp"
#include "tests/unit/zoho/fake_zoho.hpp"

#include <gtest/gtest.h>
#include <boost/asio/detached.hpp>

namespace hrmaild::zoho::test {
namespace {
using namespace std::chrono_literals;

TokenSettings settings() {
    TokenSettings s;
    s.accounts_url = "https://accounts.zoho.eu/";
    s.client_id = "1000.CLIENT";
    s.client_secret = Secret("client secret&=");
    s.refresh_token = Secret("1000.refresh.token");
    s.refresh_token_file = "/etc/hrmaild/zoho-refresh-token";
    s.client_secret_file = "/etc/hrmaild/zoho-client-secret";
    s.refresh_margin = 300s;
    return s;
}

struct TokenFixture : ::testing::Test {
    asio::io_context ioc;
    core::ManualClock clock;
    FakeTransport http{clock};
    TokenManager tokens{http, clock, settings()};

    net::Outcome<Secret> get() { return run(ioc, clock, tokens.access_token()); }
};

TEST_F(TokenFixture, RefreshSendsTheRefreshTokenGrantAsAFormBody) {
    auto t = get();
    ASSERT_TRUE(t.has_value()) << t.error().describe();
    EXPECT_EQ(t->reveal(), "tok-1");
    ASSERT_EQ(http.requests.size(), 1u);
    const auto& r = http.requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "https://accounts.zoho.eu/oauth/v2/token");
    EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
    EXPECT_EQ(r.body,
              "grant_type=refresh_token&client_id=1000.CLIENT&client_secret=client%20secret%26%3D"
              "&refresh_token=1000.refresh.token");
    EXPECT_EQ(r.url.find('?'), std::string::npos) << "secrets must not travel in the URL";
}

TEST_F(TokenFixture, TokenIsCachedUntilTheMarginBeforeExpiry) {
    ASSERT_TRUE(get().has_value());
    ASSERT_TRUE(get().has_value());
    EXPECT_EQ(http.token_requests().size(), 1u);
    clock.advance(3600s - 300s - 1s);
    EXPECT_EQ(get()->reveal(), "tok-1");
    EXPECT_EQ(http.token_requests().size(), 1u);
    clock.advance(1s);
    EXPECT_EQ(get()->reveal(), "tok-2");
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(TokenFixture, ShortLifetimeCapsTheMarginAtHalf) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return token_answer("short", 120);  // shorter than the 300 s margin
    };
    ASSERT_TRUE(get().has_value());
    clock.advance(59s);
    ASSERT_TRUE(get().has_value());
    EXPECT_EQ(http.token_requests().size(), 1u);
    clock.advance(1s);
    ASSERT_TRUE(get().has_value());
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(TokenFixture, OlderAnswersWithMillisecondsAreUnderstood) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(200, json::object{{"access_token", "old-style"},
                                        {"expires_in_sec", 3600},
                                        {"expires_in", 3600000}});
    };
    ASSERT_TRUE(get().has_value());
    ASSERT_TRUE(tokens.expires_at().has_value());
    EXPECT_EQ(*tokens.expires_at() - clock.now(), 3600s);
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return token_answer("ms-only", 3600000);
    };
    tokens.invalidate(Secret("old-style"));
    ASSERT_TRUE(get().has_value());
    EXPECT_EQ(*tokens.expires_at() - clock.now(), 3600s);
}

TEST_F(TokenFixture, TwentyConcurrentCallersShareOneRefresh) {
    http.token_delay = 2s;
    int done = 0;
    std::vector<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto t = co_await tokens.access_token();
                if (t)
                    seen.push_back(t->reveal());
                ++done;
            },
            asio::detached);
    }
    ASSERT_TRUE(clock.run_until(ioc, [&] { return done == 20; }));
    EXPECT_EQ(http.token_requests().size(), 1u);
    ASSERT_EQ(seen.size(), 20u);
    for (const auto& s : seen)
        EXPECT_EQ(s, "tok-1");
    EXPECT_EQ(tokens.stats().joined, 19u);
}

TEST_F(TokenFixture, InvalidCodeInAn200BodyIsFatalAndNamesTheFile) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(200, json::object{{"error", "invalid_code"}});
    };
    auto t = get();
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().kind, core::ErrorKind::auth);
    EXPECT_EQ(t.error().service_code, "invalid_code");
    EXPECT_NE(t.error().message.find("zoho.refresh_token_file"), std::string::npos);
    EXPECT_NE(t.error().message.find("/etc/hrmaild/zoho-refresh-token"), std::string::npos);
    // The same credentials would be refused again: no more requests.
    auto again = get();
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(http.token_requests().size(), 1u);
    tokens.reset_credentials(Secret("s"), Secret("new"));
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return token_answer("fresh");
    };
    EXPECT_EQ(get()->reveal(), "fresh");
}

TEST_F(TokenFixture, InvalidClientSecretNamesTheSecretFile) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(200, json::object{{"error", "invalid_client_secret"}});
    };
    auto t = get();
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().kind, core::ErrorKind::auth);
    EXPECT_NE(t.error().message.find("zoho.client_secret_file"), std::string::npos);
}

TEST_F(TokenFixture, AccessDeniedIsRetryableWithALongWaitAndNoHammering) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(400, json::object{{"error_description",
                                         "You have made too many requests continuously. Please "
                                         "try again after some time."},
                                        {"error", "Access Denied"},
                                        {"status", "failure"}});
    };
    auto t = get();
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().kind, core::ErrorKind::retryable);
    ASSERT_TRUE(t.error().retry_after.has_value());
    EXPECT_EQ(*t.error().retry_after, 15min);
    clock.advance(10min);
    auto again = get();
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(*again.error().retry_after, 5min);
    EXPECT_EQ(http.token_requests().size(), 1u);
    clock.advance(5min);
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return token_answer("after-block");
    };
    EXPECT_EQ(get()->reveal(), "after-block");
}

TEST_F(TokenFixture, MintLimitIsKeptClientSide) {
    for (int i = 1; i <= 10; ++i) {
        auto t = get();
        ASSERT_TRUE(t.has_value());
        tokens.invalidate(*t);
        clock.advance(10s);
    }
    auto t = get();
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().kind, core::ErrorKind::retryable);
    EXPECT_EQ(t.error().service_code, codes::mint_limit);
    ASSERT_TRUE(t.error().retry_after.has_value());
    // The first mint was 100 s ago: its slot frees 500 s from now.
    EXPECT_EQ(*t.error().retry_after, 500s);
    EXPECT_EQ(http.token_requests().size(), 10u);
    clock.advance(500s);
    EXPECT_TRUE(get().has_value());
    EXPECT_EQ(http.token_requests().size(), 11u);
}

TEST_F(TokenFixture, InvalidateIgnoresAnOlderToken) {
    auto first = get();
    ASSERT_TRUE(first.has_value());
    tokens.invalidate(*first);
    auto second = get();
    ASSERT_TRUE(second.has_value());
    tokens.invalidate(*first);  // a late 401 for the old token
    EXPECT_EQ(get()->reveal(), second->reveal());
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(TokenFixture, TransportFailureIsRetryableAndNotCached) {
    int calls = 0;
    http.token_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        if (++calls == 1)
            return net::retryable_error("connection refused");
        return token_answer("second");
    };
    auto t = get();
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().kind, core::ErrorKind::retryable);
    EXPECT_EQ(get()->reveal(), "second");
}

TEST_F(TokenFixture, SecretsNeverReachTheLog) {
    log::CaptureSink sink;
    ASSERT_TRUE(get().has_value());
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(200, json::object{{"error", "invalid_code"}});
    };
    tokens.invalidate(Secret("tok-1"));
    ASSERT_FALSE(get().has_value());
    EXPECT_TRUE(sink.has_event("ZOHO_TOKEN_REFRESHED"));
    EXPECT_TRUE(sink.has_event("ZOHO_TOKEN_REFRESH_FAILED"));
    const std::string text = sink.text();
    EXPECT_EQ(text.find("tok-1"), std::string::npos);
    EXPECT_EQ(text.find("1000.refresh.token"), std::string::npos);
    EXPECT_EQ(text.find("client secret"), std::string::npos);
}

}  // namespace
}  // namespace hrmaild::zoho::test

namespace hrmaild::zoho::test {
namespace {

TEST(TokenSettingsFromConfig, TakesTheZohoKeysAndFileNames) {
    config::ZohoConfig z;
    z.accounts_url = "https://accounts.zoho.eu";
    z.client_id = "1000.ID";
    z.client_secret = config::SecretFile{"/run/credentials/secret", Secret("s3")};
    z.refresh_token = config::SecretFile{"/run/credentials/refresh", Secret("r3")};
    z.token_refresh_margin = std::chrono::seconds(120);
    auto s = TokenSettings::from_config(z);
    EXPECT_EQ(s.accounts_url, "https://accounts.zoho.eu");
    EXPECT_EQ(s.client_id, "1000.ID");
    EXPECT_EQ(s.client_secret.reveal(), "s3");
    EXPECT_EQ(s.refresh_token.reveal(), "r3");
    EXPECT_EQ(s.refresh_token_file, "/run/credentials/refresh");
    EXPECT_EQ(s.client_secret_file, "/run/credentials/secret");
    EXPECT_EQ(s.refresh_margin, std::chrono::seconds(120));
    EXPECT_EQ(s.mint_limit, 10);
}

}  // namespace
}  // namespace hrmaild::zoho::test
