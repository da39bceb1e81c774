// Issue 10 item 2: the access token shared through the state folder's token file. Two token
// managers stand for two processes (the daemon and a CLI command); a fake transport counts
// what reaches Zoho's token endpoint.
#include "daemon/zoho/token_file.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/token_manager.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/zoho/fake_zoho.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace hrmaild::zoho::test {
namespace {
using namespace std::chrono_literals;

struct SharedTokenFixture : ::testing::Test {
    TokenSettings settings(const std::string& refresh = "1000.refresh.token") {
        TokenSettings s;
        s.accounts_url = "https://accounts.zoho.eu";
        s.client_id = "1000.CLIENT";
        s.client_secret = Secret("client-secret");
        s.refresh_token = Secret(refresh);
        s.token_file = dir.path() / "state" / TokenFile::file_name;
        return s;
    }
    net::Outcome<Secret> get(TokenManager& m) { return run(ioc, clock, m.access_token()); }

    hrmaild::test::TempDir dir;
    asio::io_context ioc;
    core::ManualClock clock;
    FakeTransport http{clock};
};

TEST_F(SharedTokenFixture, ASecondProcessAdoptsTheTokenInsteadOfMinting) {
    TokenManager daemon(http, clock, settings());
    TokenManager cli(http, clock, settings());
    auto a = get(daemon);
    ASSERT_TRUE(a) << a.error().describe();
    auto b = get(cli);
    ASSERT_TRUE(b) << b.error().describe();
    EXPECT_EQ(a->reveal(), b->reveal());
    EXPECT_EQ(http.token_requests().size(), 1u);
    EXPECT_EQ(cli.stats().adopted, 1u);

    struct stat st {};
    ASSERT_EQ(::stat(settings().token_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    auto lock = settings().token_file.string() + ".lock";
    ASSERT_EQ(::stat(lock.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0);
}

TEST_F(SharedTokenFixture, ATokenCloseToExpiryIsNotAdopted) {
    TokenManager daemon(http, clock, settings());
    ASSERT_TRUE(get(daemon));
    clock.advance(3600s - 300s);  // inside the refresh margin
    TokenManager cli(http, clock, settings());
    auto t = get(cli);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->reveal(), "tok-2");
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(SharedTokenFixture, ARefusedTokenIsMintedAgainOnceAndReplacedInTheFile) {
    TokenManager daemon(http, clock, settings());
    TokenManager cli(http, clock, settings());
    auto first = get(daemon);
    ASSERT_TRUE(first);
    daemon.invalidate(*first);  // Zoho answered 401 INVALID_OAUTHTOKEN
    auto second = get(daemon);
    ASSERT_TRUE(second);
    EXPECT_NE(second->reveal(), first->reveal());
    // The other process takes the new token from the file, not the refused one.
    auto other = get(cli);
    ASSERT_TRUE(other);
    EXPECT_EQ(other->reveal(), second->reveal());
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(SharedTokenFixture, AFileWrittenForOtherCredentialsIsIgnored) {
    TokenManager a(http, clock, settings("1000.refresh.token"));
    ASSERT_TRUE(get(a));
    TokenManager b(http, clock, settings("1000.another.refresh.token"));
    auto t = get(b);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->reveal(), "tok-2");
    EXPECT_EQ(http.token_requests().size(), 2u);
}

TEST_F(SharedTokenFixture, ABlockZohoAnnouncedIsSharedAndNotAskedAgain) {
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return answer(400, json::object{{"error_description",
                                         "You have made too many requests continuously. Please "
                                         "try again after some time."},
                                        {"error", "Access Denied"},
                                        {"status", "failure"}});
    };
    TokenManager daemon(http, clock, settings());
    std::optional<core::WallTime> seen;
    daemon.on_block_change([&](std::optional<core::WallTime> until) { seen = until; });
    auto t = get(daemon);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().service_code, codes::mint_limit);
    EXPECT_NE(t.error().message.find("clears at"), std::string::npos) << t.error().message;
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, clock.wall_now() + 15min);
    ASSERT_TRUE(daemon.blocked_until());

    TokenManager cli(http, clock, settings());
    auto c = get(cli);
    ASSERT_FALSE(c);
    EXPECT_TRUE(c.error().not_executed);
    EXPECT_EQ(http.token_requests().size(), 1u) << "the block in the file keeps others away";
    EXPECT_EQ(cli.blocked_until(), daemon.blocked_until());

    clock.advance(15min);
    http.token_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return token_answer("after-the-block");
    };
    auto later = get(cli);
    ASSERT_TRUE(later) << later.error().describe();
    EXPECT_EQ(later->reveal(), "after-the-block");
}

TEST_F(SharedTokenFixture, TheMintLimitCountsMintsOfEveryProcess) {
    // Ten processes in a row, each invalidating its token at once (a restart loop whose token
    // is refused): the eleventh mint is not attempted.
    std::vector<std::unique_ptr<TokenManager>> processes;
    for (int i = 0; i < 11; ++i) {
        processes.push_back(std::make_unique<TokenManager>(http, clock, settings()));
        auto t = get(*processes.back());
        if (i < 10) {
            ASSERT_TRUE(t) << i << ": " << t.error().describe();
            processes.back()->invalidate(*t);  // also drops it from the file
        } else {
            ASSERT_FALSE(t);
            EXPECT_EQ(t.error().service_code, codes::mint_limit);
        }
    }
    EXPECT_EQ(http.token_requests().size(), 10u);
}

}  // namespace
}  // namespace hrmaild::zoho::test
