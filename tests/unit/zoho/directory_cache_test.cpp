#include "daemon/zoho/directory_cache.hpp"
#include "tests/unit/zoho/fake_zoho.hpp"

#include <gtest/gtest.h>
#include <boost/asio/detached.hpp>

#include <charconv>

namespace hrmaild::zoho::test {
namespace {
using namespace std::chrono_literals;

const std::string kOrg = "/api/organization/777";

/// A fake organization of `users` users (paged like Zoho) and `groups` groups.
struct FakeOrg {
    int users = 0;
    int groups = 0;
    bool list_members = true;  ///< whether the group list carries the member lists

    static std::string address(int i) { return "user" + std::to_string(i) + "@tarmexico.com"; }

    json::object user(int i) const {
        json::array addresses{json::object{{"mailId", address(i)}, {"isPrimary", true}}};
        if (i % 10 == 0)
            addresses.push_back(json::object{
                {"mailId", "alias" + std::to_string(i) + "@tarmexico.com"}, {"isAlias", true}});
        return json::object{
            {"zuid", std::int64_t{18014398509481985} + 2 * i},
            {"accountId", std::to_string(std::int64_t{2560636000000008003} + 2 * i)},
            {"primaryEmailAddress", address(i)},
            {"firstName", "U"},
            {"lastName", std::to_string(i)},
            {"role", "member"},
            {"status", i != 3},
            {"mailboxStatus", "enabled"},
            {"emailAddress", addresses}};
    }
    json::object group(int g, bool with_members) const {
        json::object o{{"zgid", std::int64_t{6917529027641081857} + g},
                       {"emailId", "group" + std::to_string(g) + "@tarmexico.com"},
                       {"name", "Group " + std::to_string(g)}};
        if (with_members) {
            json::array members;
            for (int i = g; i < users; i += 7)
                members.push_back(json::object{{"memberEmailId", address(i)}});
            o["mailGroupMemberList"] = members;
        }
        return o;
    }

    static int query_int(const std::string& target, const std::string& key) {
        auto p = target.find(key + "=");
        if (p == std::string::npos)
            return -1;
        int v = 0;
        std::from_chars(target.data() + p + key.size() + 1, target.data() + target.size(), v);
        return v;
    }

    net::Outcome<net::HttpResponse> handle(const net::HttpRequest& r) const {
        const auto t = target_of(r);
        if (t.rfind(kOrg + "/accounts?", 0) == 0) {
            const int start = query_int(t, "start"), limit = query_int(t, "limit");
            json::array page;
            for (int i = start; i < users && i < start + limit; ++i)
                page.push_back(user(i));
            return ok(200, json::value(page));
        }
        if (t == kOrg + "/groups") {
            json::array list;
            for (int g = 0; g < groups; ++g)
                list.push_back(group(g, list_members));
            return ok(200, json::value(json::object{{"count", groups}, {"groups", list}}));
        }
        if (t.rfind(kOrg + "/groups/", 0) == 0) {
            const auto id = std::stoll(t.substr(kOrg.size() + 8));
            return ok(200, json::value(group(static_cast<int>(id - 6917529027641081857), true)));
        }
        return fail(404, "URL_RULE_MISMATCH");
    }
};

struct CacheFixture : ::testing::Test {
    asio::io_context ioc;
    core::ManualClock clock;
    FakeTransport http{clock};
    FakeOrg org;
    TokenManager tokens{http, clock, [] {
                            TokenSettings s;
                            s.accounts_url = "https://accounts.zoho.com";
                            return s;
                        }()};
    std::unique_ptr<ZohoClient> client;
    std::unique_ptr<DirectoryCache> cache;

    void make(int page_size) {
        ClientOptions o;
        o.user_page_size = page_size;
        o.seed = 3;
        net::RetrySettings retry{3, 1000ms, 60000ms};
        client = std::make_unique<ZohoClient>(http, clock, tokens, "https://mail.zoho.com", 777,
                                              10000, retry, o);
        cache = std::make_unique<DirectoryCache>(*client, clock, 15min);
        http.api_handler = [this](const net::HttpRequest& r) { return org.handle(r); };
    }
    std::shared_ptr<const domain::DirectorySnapshot> snapshot() {
        auto s = run(ioc, clock, cache->snapshot());
        EXPECT_TRUE(s.has_value());
        return s ? *s : nullptr;
    }
};

TEST_F(CacheFixture, AFullLoadCostsOneRequestPerPageAndOneForTheGroups) {
    org.users = 450;
    org.groups = 12;
    make(200);
    auto snap = snapshot();
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->users.size(), 450u);
    EXPECT_EQ(snap->groups.size(), 12u);
    // ceil(450 / 200) = 3 user pages, 1 group list.
    EXPECT_EQ(http.api_requests().size(), 4u);
    EXPECT_EQ(http.token_requests().size(), 1u);

    // Lookups cost nothing.
    const auto before = http.requests.size();
    for (int i = 0; i < 450; ++i)
        EXPECT_TRUE(snap->address_taken(FakeOrg::address(i)));
    EXPECT_TRUE(snap->address_taken("ALIAS40@tarmexico.com"));
    EXPECT_TRUE(snap->address_taken("group5@tarmexico.com"));
    EXPECT_FALSE(snap->address_taken("nueva.persona@tarmexico.com"));
    EXPECT_TRUE(snap->is_member("group2@tarmexico.com", FakeOrg::address(9)));
    EXPECT_FALSE(snap->is_member("group2@tarmexico.com", FakeOrg::address(10)));
    ASSERT_NE(snap->find_user(FakeOrg::address(3)), nullptr);
    EXPECT_FALSE(snap->find_user(FakeOrg::address(3))->enabled);
    EXPECT_EQ(snap->find_user("alias40@tarmexico.com")->address, FakeOrg::address(40));
    auto again = snapshot();
    EXPECT_EQ(again.get(), snap.get());
    EXPECT_EQ(http.requests.size(), before);
}

TEST_F(CacheFixture, AnExactMultipleOfThePageCostsOneEmptyPage) {
    org.users = 400;
    make(200);
    ASSERT_TRUE(snapshot());
    EXPECT_EQ(http.api_requests().size(), 3u + 1u);
}

TEST_F(CacheFixture, GroupsListedWithoutMembersAreReadOneByOne) {
    org.users = 30;
    org.groups = 3;
    org.list_members = false;
    make(200);
    auto snap = snapshot();
    ASSERT_TRUE(snap);
    EXPECT_EQ(http.api_requests().size(), 1u + 1u + 3u);
    EXPECT_EQ(cache->stats().group_fetches, 3u);
    EXPECT_TRUE(snap->is_member("group1@tarmexico.com", FakeOrg::address(8)));
}

TEST_F(CacheFixture, ReloadsOnScheduleAndAfterInvalidate) {
    org.users = 5;
    org.groups = 1;
    make(200);
    ASSERT_TRUE(snapshot());
    EXPECT_EQ(cache->stats().loads, 1u);
    clock.advance(14min);
    ASSERT_TRUE(snapshot());
    EXPECT_EQ(cache->stats().loads, 1u);
    clock.advance(1min);
    ASSERT_TRUE(snapshot());
    EXPECT_EQ(cache->stats().loads, 2u);

    org.users = 6;  // the daemon created a user
    cache->invalidate();
    EXPECT_TRUE(cache->stale());
    EXPECT_EQ(cache->current()->users.size(), 5u) << "the old snapshot stays readable";
    auto snap = snapshot();
    EXPECT_EQ(snap->users.size(), 6u);
    EXPECT_EQ(cache->stats().loads, 3u);
}

TEST_F(CacheFixture, ConcurrentCallersShareOneLoad) {
    org.users = 10;
    org.groups = 2;
    make(200);
    http.api_delay = 1s;
    int done = 0;
    for (int i = 0; i < 8; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto s = co_await cache->snapshot();
                if (s && (*s)->users.size() == 10)
                    ++done;
            },
            asio::detached);
    }
    ASSERT_TRUE(clock.run_until(ioc, [&] { return done == 8; }));
    EXPECT_EQ(cache->stats().loads, 1u);
    EXPECT_EQ(http.api_requests().size(), 2u);
}

TEST_F(CacheFixture, AChangeDuringALoadLeavesTheSnapshotStale) {
    org.users = 4;
    make(200);
    http.api_delay = 1s;
    bool finished = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            (void)co_await cache->snapshot();
            finished = true;
        },
        asio::detached);
    ioc.poll();
    ASSERT_TRUE(clock.run_until(ioc, [&] { return http.api_requests().size() == 1; }));
    cache->invalidate();  // the daemon changed something while the load was reading
    ASSERT_TRUE(clock.run_until(ioc, [&] { return finished; }));
    EXPECT_TRUE(cache->stale()) << "what was read may predate the change";
    ASSERT_TRUE(snapshot());
    EXPECT_EQ(cache->stats().loads, 2u);
    EXPECT_FALSE(cache->stale());
}

TEST_F(CacheFixture, RunRefreshesOnTheSchedule) {
    org.users = 3;
    make(200);
    asio::co_spawn(ioc, cache->run(), asio::detached);
    ASSERT_TRUE(clock.run_until(ioc, [&] { return cache->stats().loads == 1; }));
    ASSERT_TRUE(clock.run_until(ioc, [&] { return cache->stats().loads == 3; }));
    EXPECT_GE(clock.elapsed(), 30min);
    EXPECT_LT(clock.elapsed(), 31min);
    ioc.stop();
}

TEST_F(CacheFixture, AFailedLoadIsAnErrorAndKeepsTheOldSnapshot) {
    org.users = 3;
    make(200);
    ASSERT_TRUE(snapshot());
    cache->invalidate();
    http.api_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return fail(401, "INVALID_OAUTHSCOPE");
    };
    auto s = run(ioc, clock, cache->snapshot());
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(cache->stats().failed_loads, 1u);
    ASSERT_TRUE(cache->current());
    EXPECT_EQ(cache->current()->users.size(), 3u);
}

}  // namespace
}  // namespace hrmaild::zoho::test
