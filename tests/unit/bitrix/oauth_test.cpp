#include "daemon/bitrix/client.hpp"
#include "daemon/bitrix/token_store.hpp"
#include "daemon/log/log.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bitrix/fake_portal.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>

#include <sys/stat.h>

namespace hrmaild::bitrix::test {
namespace {

namespace json = boost::json;

class BitrixOAuthTest : public ClientFixture {
  protected:
    void SetUp() override {
        dir.write("refresh-token", "first-refresh-token\n");
        make_client(settings());
        portal.handler = [this](const net::HttpRequest& r) { return answer(r); };
    }
    ClientSettings settings() {
        ClientSettings s = webhook_settings();
        s.bitrix.auth = "oauth";
        s.bitrix.webhook_secret.reset();
        s.bitrix.oauth_client_id = "local.app.1";
        s.bitrix.oauth_client_secret = config::SecretFile{"/x", Secret("client-secret-abc")};
        s.bitrix.oauth_refresh_token =
            config::SecretFile{dir.path() / "refresh-token", Secret("first-refresh-token")};
        s.bitrix.oauth_server_url = "https://oauth.example.com";
        s.state_dir = dir.path() / "state";
        return s;
    }
    net::Outcome<net::HttpResponse> answer(const net::HttpRequest& r) {
        if (r.url.find("/oauth/token/") != std::string::npos) {
            ++refreshes;
            json::object o{{"access_token", "access-" + std::to_string(refreshes)},
                           {"refresh_token", "refresh-" + std::to_string(refreshes)},
                           {"expires_in", 3600},
                           {"client_endpoint", "https://portal.example.com/rest/"}};
            return FakePortal::json(200, o);
        }
        auto body = FakePortal::body_of(r);
        std::string auth(body.at("auth").as_string());
        if (auth != current)
            return FakePortal::error(401, "expired_token",
                                     "The access token provided has expired.");
        return FakePortal::ok(json::object{{"ID", "1"}});
    }

    hrmaild::test::TempDir dir;
    int refreshes = 0;
    std::string current = "access-1";
};

TEST_F(BitrixOAuthTest, FirstCallRefreshesThenUsesTheToken) {
    log::CaptureSink sink;
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    ASSERT_EQ(portal.requests.size(), 2u);
    const auto& refresh = portal.requests[0];
    EXPECT_EQ(refresh.method, "GET");
    EXPECT_EQ(
        refresh.url,
        "https://oauth.example.com/oauth/token/?grant_type=refresh_token&client_id=local.app.1"
        "&client_secret=client-secret-abc&refresh_token=first-refresh-token");
    EXPECT_EQ(refresh.log_url, "https://oauth.example.com/oauth/token/?<redacted>");
    EXPECT_EQ(portal.requests[1].url, "https://portal.example.com/rest/user.current");
    EXPECT_EQ(portal.requests[1].body, R"({"auth":"access-1"})");
    EXPECT_EQ(portal.requests[1].method, "POST");
    EXPECT_TRUE(sink.has_event("BITRIX_TOKEN_REFRESHED"));
    for (const char* secret : {"first-refresh-token", "refresh-1", "access-1", "client-secret-abc"})
        EXPECT_EQ(sink.text().find(secret), std::string::npos) << secret;

    // The new refresh token is kept, mode 0600, and read back by the next client.
    TokenStore store(dir.path() / "state");
    struct stat st {};
    ASSERT_EQ(::stat(store.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto saved = store.load();
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->refresh_token.reveal(), "refresh-1");
    EXPECT_EQ(saved->access_token.reveal(), "access-1");
    EXPECT_FALSE(std::filesystem::exists(store.path().string() + ".tmp"));

    make_client(settings());
    portal.requests.clear();
    ASSERT_TRUE(run(client->current_user()));
    EXPECT_EQ(portal.requests.size(), 1u);  // the saved access token still works
    EXPECT_EQ(refreshes, 1);
}

TEST_F(BitrixOAuthTest, ExpiredTokenRefreshesOnceAndRepeats) {
    ASSERT_TRUE(run(client->current_user()));
    current = "access-2";  // the portal expires access-1
    portal.requests.clear();
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    ASSERT_EQ(portal.requests.size(), 3u);
    EXPECT_EQ(FakePortal::body_of(portal.requests[0]).at("auth"), "access-1");
    EXPECT_NE(portal.requests[1].url.find("refresh_token=refresh-1"), std::string::npos);
    EXPECT_EQ(FakePortal::body_of(portal.requests[2]).at("auth"), "access-2");
    EXPECT_EQ(TokenStore(dir.path() / "state").load()->refresh_token.reveal(), "refresh-2");
}

TEST_F(BitrixOAuthTest, TwentyConcurrentCallersShareOneRefresh) {
    ASSERT_TRUE(run(client->current_user()));
    current = "access-2";
    portal.requests.clear();
    int done = 0, ok = 0;
    for (int i = 0; i < 20; ++i)
        boost::asio::co_spawn(ioc, client->current_user(),
                              [&](std::exception_ptr e, net::Outcome<User> r) {
                                  ++done;
                                  if (!e && r)
                                      ++ok;
                              });
    ASSERT_TRUE(clock.run_until(ioc, [&] { return done == 20; }));
    EXPECT_EQ(ok, 20);
    EXPECT_EQ(refreshes, 2);  // the first one, plus one for all twenty
    EXPECT_EQ(client->stats().token_refreshes, 2u);
    EXPECT_EQ(portal.count("user.current"), 40u);  // each: one refused, one repeated
}

TEST_F(BitrixOAuthTest, TokenGoesAfterPositionalArguments) {
    portal.handler = [this](const net::HttpRequest& r) {
        if (FakePortal::method_of(r) == "task.commentitem.add")
            return FakePortal::ok(5);
        return answer(r);
    };
    auto id = run(client->add_comment(9, "hola"));
    ASSERT_TRUE(id) << id.error().describe();
    ASSERT_EQ(portal.requests.size(), 2u);
    EXPECT_EQ(portal.requests[1].url, "https://portal.example.com/rest/task.commentitem.add");
    EXPECT_EQ(portal.requests[1].body,
              R"({"TASKID":9,"FIELDS":{"POST_MESSAGE":"hola"},"auth":"access-1"})");
}

TEST_F(BitrixOAuthTest, RefusedRefreshIsFatalAndNamesTheKey) {
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::error(400, "invalid_grant", "Invalid refresh token");
    };
    log::CaptureSink sink;
    auto r = run(client->current_user());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, core::ErrorKind::auth);
    EXPECT_NE(r.error().message.find("bitrix.oauth_refresh_token_file"), std::string::npos);
    EXPECT_EQ(portal.requests.size(), 1u);
    EXPECT_TRUE(sink.has_event("BITRIX_TOKEN_REFRESH_FAILED"));
    EXPECT_EQ(sink.text().find("first-refresh-token"), std::string::npos);
}

TEST(BitrixTokenStore, AtomicReplaceKeepsMode0600) {
    hrmaild::test::TempDir dir;
    TokenStore store(dir.path());
    EXPECT_FALSE(store.load().has_value());
    ASSERT_TRUE(store.save({Secret("r1"), Secret("a1"), 100}));
    ASSERT_TRUE(store.save({Secret("r2"), Secret("a2"), 200}));
    auto t = store.load();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->refresh_token.reveal(), "r2");
    EXPECT_EQ(t->expires, 200);
    struct stat st {};
    ASSERT_EQ(::stat(store.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    dir.write("bitrix-oauth.json", "not json");
    std::string why;
    EXPECT_FALSE(store.load(&why).has_value());
    EXPECT_NE(why.find("not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace hrmaild::bitrix::test
