// Issue 9 finding 9: the HTTP layer never re-sends a non-idempotent write whose answer was
// lost, and still retries reads. The Bitrix and Zoho clients run against the in-process
// sandbox over real HTTP; the sandbox's fault injection drops answers after the call took
// effect (`apply: after`), and its state tells how often each write really happened.
#include "daemon/bitrix/client.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/token_manager.hpp"
#include "daemon/zoho/zoho_client.hpp"
#include "tests/integration/net/http_settings.hpp"
#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace hrmaild {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::int64_t kZoid = 60012345678;

class NoResend : public ::testing::Test {
  public:
    void SetUp() override {
        std::string error;
        auto seed = sandbox::load_seed_dir(test::source_dir() / "tests/fixtures/tickets", error);
        ASSERT_TRUE(seed) << error;
        sb.seed(*seed);
        auto hc = test::http_settings();
        hc.total_timeout = 3s;
        hc.read_timeout = 3s;
        net::HttpClientOptions ho;
        ho.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
        http = std::make_unique<net::HttpClient>(ioc.get_executor(), hc, ho);

        bitrix::ClientSettings bs;
        bs.bitrix.portal_url = sb.base_url();
        bs.bitrix.auth = "webhook";
        bs.bitrix.webhook_user_id = 1;
        bs.bitrix.webhook_secret =
            config::SecretFile{"secrets/bitrix-webhook", Secret("sandbox-webhook-secret")};
        bs.bitrix.rate_burst = 50;
        bs.bitrix.rate_per_second = 50;
        bs.retry = {5, 10ms, 50ms};
        bs.jitter = net::Jitter::none;
        bs.state_dir = dir.path();
        bitrix = std::make_unique<bitrix::BitrixClient>(ioc.get_executor(), *http, clock, bs);

        zoho::TokenSettings ts;
        ts.accounts_url = sb.base_url();
        ts.client_id = "1000.SANDBOXCLIENT";
        ts.client_secret = Secret("sandbox-client-secret");
        ts.refresh_token = Secret("1000.sandbox-refresh-token");
        tokens = std::make_unique<zoho::TokenManager>(*http, clock, ts);
        zoho::ClientOptions zo;
        zo.jitter = net::Jitter::none;
        zo.throttle_base = 10ms;
        zo.throttle_cap = 50ms;
        zoho = std::make_unique<zoho::ZohoClient>(*http, clock, *tokens, sb.base_url(), kZoid, 600,
                                                  net::RetrySettings{5, 10ms, 50ms}, zo);
    }

    template <typename T>
    T run(asio::awaitable<T> aw) {
        hrmaild::test::RunOptions o;
        o.limit = 30s;  // every call here is bounded by the 3 s HTTP deadline
        return hrmaild::test::run_coro(ioc, std::move(aw), o);
    }

    void fault(json::object spec) {
        std::string error;
        auto id = sb.call([&](sandbox::Sandbox& s) { return s.faults().add(spec, error); });
        ASSERT_TRUE(id) << error;
    }

    std::int64_t route_count(const std::string& key) {
        auto state = sb.call([](sandbox::Sandbox& s) { return s.state(); });
        const auto& routes = state.at("requests").at("by_route").as_object();
        auto it = routes.find(key);
        return it == routes.end() ? 0 : it->value().to_number<std::int64_t>();
    }

    std::int64_t first_task() {
        auto tasks = run(bitrix->walk_tasks({}));
        EXPECT_TRUE(tasks && !tasks->empty());
        return tasks->front().task.id;
    }

    sandbox::BackgroundSandbox sb;
    test::TempDir dir;
    asio::io_context ioc;
    core::SystemClock clock;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<bitrix::BitrixClient> bitrix;
    std::unique_ptr<zoho::TokenManager> tokens;
    std::unique_ptr<zoho::ZohoClient> zoho;
};

int comments_with(bitrix::BitrixClient& client, NoResend& t, std::int64_t task,
                  const std::string& text) {
    auto list = t.run(client.comments({task, 0, 0}));
    EXPECT_TRUE(list) << (list ? "" : list.error().describe());
    int n = 0;
    if (list)
        for (const auto& c : *list)
            n += c.text == text ? 1 : 0;
    return n;
}

TEST_F(NoResend, ACommentWhoseAnswerIsLostIsSentOnce) {
    const auto task = first_task();
    fault({{"route", "/rest/*task.commentitem.add*"}, {"kind", "drop"}, {"apply", "after"}});
    const std::string text = "Comentario de prueba 9-1";
    auto added = run(bitrix->add_comment(task, text));
    ASSERT_FALSE(added);
    EXPECT_TRUE(added.error().outcome_unknown) << added.error().describe();
    EXPECT_FALSE(added.error().not_executed);
    EXPECT_EQ(route_count("POST /rest/task.commentitem.add"), 1);
    EXPECT_EQ(comments_with(*bitrix, *this, task, text), 1);
}

TEST_F(NoResend, ACommentRefusedByTheLeakyBucketIsSentAgain) {
    // 503 QUERY_LIMIT_EXCEEDED means "not executed" (reference section 3): a write may go again.
    const auto task = first_task();
    fault({{"route", "/rest/*task.commentitem.add*"}, {"kind", "throttle"}});
    const std::string text = "Comentario de prueba 9-2";
    auto added = run(bitrix->add_comment(task, text));
    ASSERT_TRUE(added) << added.error().describe();
    EXPECT_EQ(route_count("POST /rest/task.commentitem.add"), 2);
    EXPECT_EQ(comments_with(*bitrix, *this, task, text), 1);
}

TEST_F(NoResend, ANotificationAnswered500IsNotSentAgain) {
    fault({{"route", "/rest/*im.notify.personal.add*"},
           {"kind", "status"},
           {"status", 500},
           {"apply", "after"},
           {"body", json::object{{"error", "INTERNAL_SERVER_ERROR"}}}});
    auto sent = run(bitrix->notify_personal(7, "Aviso privado de prueba"));
    ASSERT_FALSE(sent);
    EXPECT_TRUE(sent.error().outcome_unknown);
    EXPECT_EQ(route_count("POST /rest/im.notify.personal.add"), 1);
}

TEST_F(NoResend, BitrixReadsAreStillRetried) {
    const auto task = first_task();
    fault({{"route", "/rest/*tasks.task.get*"}, {"kind", "drop"}, {"apply", "after"}});
    auto got = run(bitrix->get_task(task));
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(route_count("POST /rest/tasks.task.get"), 2);
}

TEST_F(NoResend, ACreatedUserWhoseAnswerIsLostIsPostedOnce) {
    fault({{"route", "/api/organization/*/accounts"},
           {"method", "POST"},
           {"kind", "drop"},
           {"apply", "after"}});
    zoho::NewUser u;
    u.primary_address = "rosa.diaz@tarmexico.com";
    u.password = Secret("Xq7!vR2#mK9@pL4$");
    u.first_name = "Rosa";
    u.last_name = "Díaz";
    auto made = run(zoho->add_user(u));
    ASSERT_FALSE(made);
    EXPECT_TRUE(made.error().outcome_unknown) << made.error().describe();
    EXPECT_EQ(route_count("POST /api/organization/{zoid}/accounts"), 1);
    // It took effect once: a probe finds exactly this account.
    auto found = run(zoho->find_user("rosa.diaz@tarmexico.com"));
    ASSERT_TRUE(found) << found.error().describe();
    EXPECT_TRUE(found->has_value());
}

TEST_F(NoResend, AThrottledCreateIsPostedAgain) {
    fault({{"route", "/api/organization/*/accounts"}, {"method", "POST"}, {"kind", "throttle"}});
    zoho::NewUser u;
    u.primary_address = "rosa.diaz@tarmexico.com";
    u.password = Secret("Xq7!vR2#mK9@pL4$");
    u.first_name = "Rosa";
    u.last_name = "Díaz";
    auto made = run(zoho->add_user(u));
    ASSERT_TRUE(made) << made.error().describe();
    EXPECT_EQ(route_count("POST /api/organization/{zoid}/accounts"), 2);
}

TEST_F(NoResend, ZohoReadsAreStillRetried) {
    fault({{"route", "/api/organization/*/accounts/*"},
           {"method", "GET"},
           {"kind", "drop"},
           {"apply", "after"}});
    auto u = run(zoho->get_user("laura.mendez@tarmexico.com"));
    ASSERT_TRUE(u) << u.error().describe();
    EXPECT_EQ(route_count("GET /api/organization/{zoid}/accounts/{id}"), 2);
}

TEST_F(NoResend, ADeleteWhoseAnswerIsLostIsNotSentAgainAndAGoneUserIsDone) {
    auto u = run(zoho->get_user("ana.lopez@tarmexico.com"));
    ASSERT_TRUE(u) << u.error().describe();
    fault({{"route", "/api/organization/*/accounts"},
           {"method", "DELETE"},
           {"kind", "drop"},
           {"apply", "after"}});
    auto first = run(zoho->delete_users({u->zuid}));
    ASSERT_FALSE(first);
    EXPECT_TRUE(first.error().outcome_unknown);
    EXPECT_EQ(route_count("DELETE /api/organization/{zoid}/accounts"), 1);
    // The service settles it by asking again: the user is gone, which is success.
    auto again = run(zoho->delete_users({u->zuid}));
    EXPECT_TRUE(again) << again.error().describe();
}

TEST_F(NoResend, RemovingAMemberOrAliasThatIsGoneIsDone) {
    auto groups = run(zoho->list_groups());
    ASSERT_TRUE(groups) << groups.error().describe();
    std::int64_t ops = 0;
    for (const auto& g : *groups)
        if (g.address == "operaciones@tarmexico.com")
            ops = g.zgid;
    ASSERT_NE(ops, 0);
    auto removed = run(zoho->remove_members(ops, {"laura.mendez@tarmexico.com"}));  // not a member
    EXPECT_TRUE(removed) << removed.error().describe();
    // One gone, one present: the present one is removed.
    removed =
        run(zoho->remove_members(ops, {"laura.mendez@tarmexico.com", "juan.perez@tarmexico.com"}));
    EXPECT_TRUE(removed) << removed.error().describe();
    auto g = run(zoho->get_group(ops));
    ASSERT_TRUE(g);
    for (const auto& m : g->members)
        EXPECT_NE(m.address, "juan.perez@tarmexico.com");

    auto u = run(zoho->get_user("jorge.ramirez@tarmexico.com"));
    ASSERT_TRUE(u);
    auto gone = run(zoho->delete_aliases(u->ref(), {"nunca.existio@tarmexico.com"}));
    EXPECT_TRUE(gone) << gone.error().describe();
    auto group_gone = run(zoho->delete_group(999999));
    EXPECT_TRUE(group_gone) << group_gone.error().describe();
}

}  // namespace
}  // namespace hrmaild
