#include "daemon/bitrix/client.hpp"
#include "daemon/log/log.hpp"
#include "tests/unit/bitrix/fake_portal.hpp"

#include <gtest/gtest.h>

namespace hrmaild::bitrix::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using BitrixClientTest = ClientFixture;

TEST_F(BitrixClientTest, WebhookRequestShape) {
    portal.handler = [](const net::HttpRequest&) { return FakePortal::ok(3141); };
    auto id = run(client->add_comment(42, "Cuenta creada"));
    ASSERT_TRUE(id) << id.error().describe();
    EXPECT_EQ(*id, 3141);
    ASSERT_EQ(portal.requests.size(), 1u);
    const auto& r = portal.requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, std::string("https://portal.example.com/rest/1/") + kSecret +
                         "/task.commentitem.add.json");
    EXPECT_EQ(r.content_type, "application/json");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].name, "Accept");
    EXPECT_EQ(r.headers[0].value, "application/json");
    // Positional method: TASKID first, then FIELDS, nothing else.
    EXPECT_EQ(r.body, R"({"TASKID":42,"FIELDS":{"POST_MESSAGE":"Cuenta creada"}})");
    EXPECT_EQ(r.log_url, "https://portal.example.com/rest/1/<redacted>/task.commentitem.add.json");
}

TEST_F(BitrixClientTest, RedactorHidesTheWebhookSecret) {
    auto redact = BitrixClient::redactor(webhook_settings().bitrix);
    EXPECT_EQ(redact(std::string("https://p.example/rest/1/") + kSecret + "/user.current.json"),
              "https://p.example/rest/1/<redacted>/user.current.json");
    // Even a secret other than the configured one (a typo in the file) is hidden.
    EXPECT_EQ(redact("https://p.example/rest/7/other-secret/batch.json?x=1"),
              "https://p.example/rest/7/<redacted>/batch.json?<redacted>");
    EXPECT_EQ(redact("https://p.example/rest/tasks.task.get?auth=tok"),
              "https://p.example/rest/tasks.task.get?<redacted>");
}

TEST_F(BitrixClientTest, QueryLimitStormIsRetriedWithBackoff) {
    int failures = 3;
    portal.handler = [&](const net::HttpRequest&) {
        if (failures-- > 0)
            return FakePortal::error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
        return FakePortal::ok(json::object{{"ID", "1"}, {"NAME", "Integración"}});
    };
    auto start = clock.now();
    auto user = run(client->current_user());
    ASSERT_TRUE(user) << user.error().describe();
    EXPECT_EQ(user->id, 1);
    EXPECT_EQ(portal.requests.size(), 4u);
    EXPECT_EQ(client->stats().throttled, 3u);
    // Backoff 1 s + 2 s + 4 s on the virtual clock (no jitter); the drained bucket adds its own
    // waits on top, never less.
    EXPECT_GE(clock.now() - start, 7s);
}

TEST_F(BitrixClientTest, RetriesEndAfterMaxAttempts) {
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::error(500, "INTERNAL_SERVER_ERROR", "Internal error");
    };
    log::CaptureSink sink;
    auto r = run(client->current_user());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, core::ErrorKind::retryable);
    EXPECT_EQ(portal.requests.size(), 4u);  // retry.max_attempts
    EXPECT_TRUE(sink.has_event("HTTP_CALL_GAVE_UP"));
}

TEST_F(BitrixClientTest, PermanentAndAuthErrorsAreNotRetried) {
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::error(400, "1048582", "Action on the task is not allowed");
    };
    auto r = run(client->complete_task(5));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, core::ErrorKind::permanent);
    EXPECT_EQ(r.error().message, "tasks.task.complete: Action on the task is not allowed");
    EXPECT_EQ(portal.requests.size(), 1u);

    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::error(401, "INVALID_CREDENTIALS", "Invalid request credentials");
    };
    log::CaptureSink sink;
    auto a = run(client->current_user());
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().kind, core::ErrorKind::auth);
    EXPECT_NE(a.error().message.find("bitrix.webhook_secret_file"), std::string::npos);
    EXPECT_EQ(portal.requests.size(), 2u);
    EXPECT_TRUE(sink.has_event("BITRIX_AUTH_REFUSED"));
}

TEST_F(BitrixClientTest, SecretNeverReachesLogsOrErrors) {
    // A transport whose error message quotes the raw URL, as a careless layer might.
    portal.handler = [](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        net::CallError e = net::retryable_error("connect failed calling " + r.url);
        e.phase = net::Phase::connect;
        return e;
    };
    log::CaptureSink sink;
    auto r = run(client->call("tasks.task.list", {}));
    ASSERT_FALSE(r);
    EXPECT_EQ(portal.requests.size(), 4u);
    EXPECT_TRUE(sink.has_event("HTTP_CALL_RETRY"));
    EXPECT_EQ(sink.text().find(kSecret), std::string::npos) << sink.text();
    EXPECT_EQ(r.error().describe().find(kSecret), std::string::npos);
    EXPECT_NE(r.error().message.find("<redacted>"), std::string::npos);

    // An error body echoing the secret back is scrubbed too.
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::error(401, "NO_AUTH_FOUND",
                                 std::string("Wrong authorization data ") + kSecret);
    };
    auto a = run(client->call("user.current", {}));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().describe().find(kSecret), std::string::npos);
    EXPECT_EQ(sink.text().find(kSecret), std::string::npos) << sink.text();
}

TEST_F(BitrixClientTest, HtmlAnswerIsRetried) {
    int n = 0;
    portal.handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        if (n++ == 0) {
            net::HttpResponse r;
            r.status = 502;
            r.headers.push_back({"Content-Type", "text/html"});
            r.body = "<html><h1>Bad Gateway</h1></html>";
            return r;
        }
        return FakePortal::ok(json::object{{"ID", "1"}});
    };
    log::CaptureSink sink;
    auto r = run(client->current_user());
    ASSERT_TRUE(r);
    EXPECT_EQ(portal.requests.size(), 2u);
    EXPECT_TRUE(sink.has_event("BITRIX_NOT_JSON"));
}

TEST_F(BitrixClientTest, OperatingLimitPausesOnlyThatMethod) {
    const auto reset_at = clock.wall_now() + 120s;
    const auto reset_unix =
        std::chrono::duration_cast<std::chrono::seconds>(reset_at.time_since_epoch()).count();
    bool blocked = true;
    portal.handler = [&](const net::HttpRequest& r) {
        auto m = FakePortal::method_of(r);
        if (m == "tasks.task.list" && blocked) {
            blocked = false;
            json::object o{{"error", "OPERATION_TIME_LIMIT"},
                           {"error_description", "Method is blocked due to operation time limit."},
                           {"time", json::object{{"operating_reset_at", reset_unix}}}};
            return FakePortal::json(429, o);
        }
        if (m == "user.current")
            return FakePortal::ok(json::object{{"ID", "1"}});
        return FakePortal::ok(json::object{{"tasks", json::array{}}});
    };
    log::CaptureSink sink;
    auto start = clock.now();
    auto page = run(client->list_tasks({}));
    ASSERT_TRUE(page) << page.error().describe();
    EXPECT_EQ(portal.count("tasks.task.list"), 2u);
    EXPECT_GE(clock.wall_now(), reset_at);  // waited until the reset, not a 1 s backoff
    EXPECT_TRUE(sink.has_event("BITRIX_METHOD_PAUSED"));

    // A fresh pause: other methods go through at once, the paused one is held client-side.
    blocked = true;
    auto second_reset = clock.wall_now() + 300s;
    const auto second_unix =
        std::chrono::duration_cast<std::chrono::seconds>(second_reset.time_since_epoch()).count();
    portal.handler = [&](const net::HttpRequest& r) {
        auto m = FakePortal::method_of(r);
        if (m == "tasks.task.list") {
            json::object o{{"error", "OPERATION_TIME_LIMIT"},
                           {"time", json::object{{"operating_reset_at", second_unix}}}};
            return FakePortal::json(429, o);
        }
        return FakePortal::ok(json::object{{"ID", "1"}});
    };
    ClientSettings s = webhook_settings();
    s.retry.max_attempts = 1;
    make_client(s);
    portal.requests.clear();
    auto failed = run(client->list_tasks({}));
    ASSERT_FALSE(failed);
    ASSERT_TRUE(client->paused_until("tasks.task.list").has_value());
    auto before = clock.now();
    auto user = run(client->current_user());
    ASSERT_TRUE(user);
    EXPECT_EQ(clock.now(), before);  // no wait for another method
    auto held = run(client->list_tasks({}));
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().service_code, "OPERATION_TIME_LIMIT");
    EXPECT_EQ(portal.count("tasks.task.list"), 1u);  // the second call never left
    EXPECT_EQ(client->stats().paused_calls, 1u);
    (void)start;
}

TEST_F(BitrixClientTest, ClientSideBudgetSpacesRequests) {
    ClientSettings s = webhook_settings();
    s.bitrix.rate_burst = 2;
    s.bitrix.rate_per_second = 1;
    make_client(s);
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::ok(json::object{{"ID", "1"}});
    };
    auto start = clock.now();
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(run(client->current_user()));
    // Two from the burst, then one a second.
    EXPECT_GE(clock.now() - start, 3s);
    EXPECT_LT(clock.now() - start, 4s);
}

TEST_F(BitrixClientTest, BatchChunksAtFiftyAndMapsResultsBack) {
    portal.handler = [](const net::HttpRequest& r) {
        auto body = FakePortal::body_of(r);
        EXPECT_EQ(body.at("halt"), 0);
        json::object result, errors, totals, nexts;
        for (const auto& kv : body.at("cmd").as_object()) {
            std::string cmd(kv.value().as_string());
            std::string name(kv.key());
            if (name == "c7") {
                errors[name] =
                    json::object{{"error", "ERROR_CORE"}, {"error_description", "no such task"}};
                continue;
            }
            if (name == "c60") {
                errors[name] =
                    json::object{{"error", "insufficient_scope"}, {"error_description", ""}};
                continue;
            }
            result[name] = cmd;  // echo the command
            totals[name] = 73;
            if (name == "c0")
                nexts[name] = 50;
        }
        json::object inner{
            {"result", result},
            {"result_error", errors.empty() ? json::value(json::array{}) : json::value(errors)},
            {"result_total", totals},
            {"result_next", nexts.empty() ? json::value(json::array{}) : json::value(nexts)},
            {"result_time", json::array{}}};
        return FakePortal::ok(inner);
    };
    Batch batch;
    for (int i = 0; i < 120; ++i) {
        json::object p;
        p["taskId"] = i;
        p["select"] = json::array{"ID"};
        batch.add("tasks.task.get", std::move(p));
    }
    auto results = run(client->run(batch));
    ASSERT_EQ(results.size(), 120u);
    ASSERT_EQ(portal.requests.size(), 3u);
    EXPECT_EQ(FakePortal::body_of(portal.requests[0]).at("cmd").as_object().size(), 50u);
    EXPECT_EQ(FakePortal::body_of(portal.requests[1]).at("cmd").as_object().size(), 50u);
    EXPECT_EQ(FakePortal::body_of(portal.requests[2]).at("cmd").as_object().size(), 20u);
    EXPECT_EQ(FakePortal::method_of(portal.requests[0]), "batch");
    ASSERT_TRUE(results[0]);
    EXPECT_EQ(results[0]->result, json::value("tasks.task.get?taskId=0&select%5B0%5D=ID"));
    EXPECT_EQ(results[0]->total, 73);
    EXPECT_EQ(results[0]->next, 50);
    EXPECT_FALSE(results[1]->next.has_value());
    ASSERT_TRUE(results[119]);
    EXPECT_EQ(results[119]->result, json::value("tasks.task.get?taskId=119&select%5B0%5D=ID"));
    ASSERT_FALSE(results[7]);
    EXPECT_EQ(results[7].error().kind, core::ErrorKind::permanent);
    EXPECT_EQ(results[7].error().message, "tasks.task.get: no such task");
    ASSERT_FALSE(results[60]);
    EXPECT_EQ(results[60].error().kind, core::ErrorKind::auth);
    EXPECT_TRUE(results[8]);
}

TEST_F(BitrixClientTest, FailedBatchRequestFailsItsCommandsOnly) {
    int n = 0;
    portal.handler = [&](const net::HttpRequest& r) {
        if (n++ == 1)
            return FakePortal::error(400, "ERROR_BATCH_LENGTH_EXCEEDED", "too long");
        json::object result;
        for (const auto& kv : cmds(r))
            result[kv.key()] = 1;
        return FakePortal::ok(json::object{{"result", result}, {"result_error", json::array{}}});
    };
    Batch batch;
    for (int i = 0; i < 101; ++i)
        batch.add("user.current");
    auto results = run(client->run(batch));
    ASSERT_EQ(portal.requests.size(), 3u);
    EXPECT_TRUE(results[0]);
    EXPECT_FALSE(results[50]);
    EXPECT_FALSE(results[99]);
    EXPECT_TRUE(results[100]);
}

}  // namespace
}  // namespace hrmaild::bitrix::test
