// The Bitrix client against the sandbox's Bitrix24 emulator, in-process over real HTTP on
// 127.0.0.1: every method, pagination, batching, the new task card, and faults injected through
// the control API, asserting on what went over the wire (the sandbox's request counters).
//
// Time: the client waits on a ManualClock; whenever the test jumps it forward, the sandbox's
// clock jumps by the same amount, so backoff, leaky-bucket drain and the operating-time reset
// all happen in virtual time.
#include "daemon/app/bitrix_source.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/app/reconcile_ports.hpp"
#include "daemon/bitrix/client.hpp"
#include "daemon/bitrix/token_store.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/service/marker.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <exception>
#include <map>
#include <optional>

namespace hrmaild::bitrix {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kWebhookSecret = "sandbox-webhook-secret";

/// 120 extra tasks in the HR project; every `chat_every`-th one is a new-card task.
std::vector<json::value> extra_tasks(int n, int chat_every = 0) {
    std::vector<json::value> out;
    for (int i = 0; i < n; ++i) {
        json::object t{{"TITLE", "Solicitud " + std::to_string(i)},
                       {"TAGS", json::array{"alta"}},
                       {"CREATED_BY", 12},
                       {"RESPONSIBLE_ID", 1},
                       {"GROUP_ID", 42},
                       {"DESCRIPTION", "[B]Nombre:[/B] Persona " + std::to_string(i)}};
        if (chat_every > 0 && i % chat_every == 0)
            t["CHAT"] = true;
        out.push_back(t);
    }
    return out;
}

class BitrixSandboxTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string error;
        auto seed = sandbox::load_seed_dir(test::source_dir() / "tests/fixtures/tickets", error);
        ASSERT_TRUE(seed) << error;
        fixture_tasks = static_cast<int>(seed->requests.size());
        for (auto& t : extra_tasks(120, 3))
            seed->requests.push_back(t);
        sb.seed(*seed);
        http_config = app::default_http_settings();
        http_config.total_timeout = 2s;
        http_config.read_timeout = 2s;
        make_client(settings());
    }

    ClientSettings settings() {
        ClientSettings s;
        s.bitrix.portal_url = sb.base_url();
        s.bitrix.auth = "webhook";
        s.bitrix.webhook_user_id = 1;
        s.bitrix.webhook_secret =
            config::SecretFile{"secrets/bitrix-webhook", Secret(kWebhookSecret)};
        s.bitrix.rate_burst = 50;
        s.bitrix.rate_per_second = 2;
        s.retry.max_attempts = 5;
        s.retry.base_delay = 1s;
        s.retry.max_delay = 60s;
        s.jitter = net::Jitter::none;
        s.state_dir = dir.path();
        return s;
    }

    void make_client(ClientSettings s) {
        client.reset();
        http.reset();
        net::HttpClientOptions options;
        options.redact = BitrixClient::redactor(s.bitrix);
        http = std::make_unique<net::HttpClient>(ioc.get_executor(), http_config, options);
        client = std::make_unique<BitrixClient>(ioc.get_executor(), *http, clock, std::move(s));
    }

    /// Runs a coroutine over real sockets; when nothing but virtual sleeps is pending, jumps
    /// both clocks to the next deadline.
    template <typename T>
    T run(asio::awaitable<T> aw) {
        hrmaild::test::RunOptions o;
        o.limit = 60s;
        o.when_idle = hrmaild::test::jump_clock(clock, [this](std::chrono::milliseconds jumped) {
            sb.call([jumped](sandbox::Sandbox& s) { s.clock().advance(jumped); });
        });
        return hrmaild::test::run_coro(ioc, std::move(aw), o);
    }

    /// A control API call over HTTP (not through the client under test).
    json::value control(std::string method, std::string path, json::value body = nullptr) {
        net::HttpRequest r;
        r.method = std::move(method);
        r.url = sb.base_url() + path;
        if (!body.is_null()) {
            r.body = json::serialize(body);
            r.content_type = "application/json";
        }
        auto response = run(http->send(std::move(r)));
        if (!response)
            throw std::runtime_error(response.error().describe());
        EXPECT_EQ(response->status, 200) << path << ": " << response->body;
        return json::parse(response->body);
    }
    /// The captured lines of the client and the HTTP layer, without the sandbox's own (it runs
    /// in this process and logs request paths verbatim, webhook secret included).
    std::string client_lines(const log::CaptureSink& sink) {
        std::string out;
        for (const auto& line : sink.lines())
            if (line.find("SANDBOX_") == std::string::npos)
                out += line + "\n";
        return out;
    }

    /// Requests the sandbox has seen under /rest/.
    std::int64_t bitrix_requests() {
        return control("GET", "/_sandbox/state")
            .at("requests")
            .at("bitrix")
            .to_number<std::int64_t>();
    }
    std::int64_t route_count(const std::string& key) {
        auto state = control("GET", "/_sandbox/state");
        const auto& routes = state.at("requests").at("by_route").as_object();
        auto it = routes.find(key);
        return it == routes.end() ? 0 : it->value().to_number<std::int64_t>();
    }

    hrmaild::test::TempDir dir;
    sandbox::BackgroundSandbox sb;
    asio::io_context ioc;
    core::ManualClock clock{std::chrono::system_clock::now()};
    net::HttpSettings http_config;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<BitrixClient> client;
    int fixture_tasks = 0;
};

TEST_F(BitrixSandboxTest, UsersAndDepartments) {
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    EXPECT_EQ(me->id, 1);
    EXPECT_EQ(me->email, "hrmaild@tarmexico.com");

    auto users = run(client->users({7, 8, 12, 99999}));
    ASSERT_TRUE(users) << users.error().describe();
    ASSERT_EQ(users->size(), 3u);
    EXPECT_EQ((*users)[0].full_name(), "Camilo Luna");
    EXPECT_EQ((*users)[2].departments, (std::vector<std::int64_t>{3}));

    auto deps = run(client->departments());
    ASSERT_TRUE(deps) << deps.error().describe();
    EXPECT_EQ(deps->size(), 6u);
    DepartmentTree tree(*deps);
    EXPECT_TRUE(tree.contains((*users)[0], 2));   // Camilo is in IT
    EXPECT_FALSE(tree.contains((*users)[2], 2));  // Laura is in HR
    EXPECT_TRUE(tree.contains((*users)[2], 1));   // ... which is under the company
}

TEST_F(BitrixSandboxTest, DepartmentMembersIncludeSubDepartments) {
    auto it = run(client->department_members(2));
    ASSERT_TRUE(it) << it.error().describe();
    std::vector<std::int64_t> ids;
    for (const auto& u : *it)
        ids.push_back(u.id);
    EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 7, 8}));
    auto all = run(client->department_members(1));  // the company: everybody
    ASSERT_TRUE(all) << all.error().describe();
    EXPECT_EQ(all->size(), 6u);
    auto hr = run(client->find_users(json::object{{"UF_DEPARTMENT", 3}}));
    ASSERT_TRUE(hr) << hr.error().describe();
    EXPECT_EQ(hr->size(), 2u);
}

TEST_F(BitrixSandboxTest, TaskReadAndTransitions) {
    auto t = run(client->get_task(1));
    ASSERT_TRUE(t) << t.error().describe();
    ASSERT_TRUE(t->has_value());
    const auto& task = (*t)->task;
    EXPECT_EQ(task.title, "Alta de correo - Mariana Torres Ibarra");
    EXPECT_EQ(task.tags, (std::vector<std::string>{"alta"}));
    EXPECT_EQ(task.created_by, 12);
    EXPECT_EQ(task.group_id, 42);
    EXPECT_NE(task.description.find("[B]Nombre(s):[/B] Mariana"), std::string::npos);
    EXPECT_FALSE(task.changed_date.empty());
    EXPECT_EQ((*t)->status(), TaskStatus::pending);

    auto missing = run(client->get_task(99999));
    ASSERT_TRUE(missing) << missing.error().describe();
    EXPECT_FALSE(missing->has_value());

    json::object fields;
    fields["TAGS"] = json::array{"alta", "procesada"};
    auto updated = run(client->update_task(1, fields));
    ASSERT_TRUE(updated) << updated.error().describe();
    EXPECT_EQ(updated->task.tags, (std::vector<std::string>{"alta", "procesada"}));

    auto started = run(client->start_task(1));
    ASSERT_TRUE(started) << started.error().describe();
    EXPECT_EQ(started->status(), TaskStatus::in_progress);
    auto completed = run(client->complete_task(1));
    ASSERT_TRUE(completed) << completed.error().describe();
    EXPECT_TRUE(completed->status() == TaskStatus::completed ||
                completed->status() == TaskStatus::awaiting_control);
    auto deferred = run(client->defer_task(2));
    ASSERT_TRUE(deferred) << deferred.error().describe();
    EXPECT_EQ(deferred->status(), TaskStatus::deferred);
}

// Issue 14: the reconciliation's report task through the real client and the sandbox portal:
// tasks.task.add with its tag, found again by tasks.task.list filtered on TAG, updated in place.
TEST_F(BitrixSandboxTest, TheReportTaskIsAddedFoundByItsTagAndUpdated) {
    app::BitrixReportTasks tasks(*client);
    const std::string tag(service::kReportTag);
    auto none = run(tasks.with_tag(tag));
    ASSERT_TRUE(none) << none.error().describe();
    EXPECT_TRUE(none->empty());

    service::ReportTaskFields f;
    f.title = "Conciliación de Zoho Mail con hrmaild (02/01/2026): 1 diferencia(s)";
    f.description = service::with_marker("• intruso@tarmexico.com: cuenta creada el 02/01/2026",
                                         service::report_marker());
    f.responsible_id = 7;
    f.project_id = 0;
    f.tag = tag;
    auto id = run(tasks.add(f));
    ASSERT_TRUE(id) << id.error().describe();
    auto found = run(tasks.with_tag(tag));
    ASSERT_TRUE(found) << found.error().describe();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().id, *id);
    EXPECT_EQ(found->front().status, 2);
    EXPECT_TRUE(service::has_marker(found->front().description, service::report_marker()))
        << found->front().description;

    f.title = "Conciliación de Zoho Mail con hrmaild (03/01/2026): 2 diferencia(s)";
    f.description = service::with_marker("• otra", service::report_marker());
    auto updated = run(tasks.update(*id, f));
    ASSERT_TRUE(updated) << updated.error().describe();
    auto t = run(client->get_task(*id));
    ASSERT_TRUE(t && t->has_value());
    EXPECT_EQ((*t)->task.title, f.title);
    EXPECT_EQ((*t)->task.responsible_id, 7);
    EXPECT_EQ((*t)->task.tags, (std::vector<std::string>{tag}));
    EXPECT_NE((*t)->task.description.find("• otra"), std::string::npos);
    // A task that is gone: a permanent error (the service then looks for it by its marker).
    auto gone = run(tasks.update(99999, f));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().kind, core::ErrorKind::permanent);
}

TEST_F(BitrixSandboxTest, FastWalkOverMoreThanOneHundredTasks) {
    auto before = bitrix_requests();
    json::object filter;
    filter["GROUP_ID"] = 42;
    auto tasks = run(client->walk_tasks(filter));
    ASSERT_TRUE(tasks) << tasks.error().describe();
    EXPECT_GE(tasks->size(), 120u);
    for (std::size_t i = 1; i < tasks->size(); ++i)
        ASSERT_LT((*tasks)[i - 1].task.id, (*tasks)[i].task.id);
    // ceil(n / 50) pages, plus one empty page when n is a multiple of 50.
    auto pages = static_cast<std::int64_t>(tasks->size() / 50 + 1);
    EXPECT_EQ(bitrix_requests() - before, pages);

    auto page = run(client->list_tasks({json::object{{"GROUP_ID", 42}}, {}, {}, std::nullopt}));
    ASSERT_TRUE(page) << page.error().describe();
    EXPECT_EQ(page->tasks.size(), 50u);
    EXPECT_EQ(page->total, static_cast<std::int64_t>(tasks->size()));
    EXPECT_EQ(page->next, 50);
}

TEST_F(BitrixSandboxTest, ChangedSinceFindsOnlyEditedTasks) {
    auto all = run(client->tasks_changed_since(42, clock.wall_now() - 1h));
    ASSERT_TRUE(all) << all.error().describe();
    EXPECT_GE(all->size(), 120u);
    // Move both clocks an hour on, change one task, and ask for what changed since then.
    clock.advance(1h);
    sb.call([](sandbox::Sandbox& s) { s.clock().advance(1h); });
    auto mark = clock.wall_now() - 1min;
    ASSERT_TRUE(run(client->add_comment(5, "ping")));
    json::object fields;
    fields["TITLE"] = "Cambio";
    ASSERT_TRUE(run(client->update_task(7, fields)));
    auto changed = run(client->tasks_changed_since(42, mark));
    ASSERT_TRUE(changed) << changed.error().describe();
    ASSERT_GE(changed->size(), 1u);
    bool saw7 = false;
    for (const auto& t : *changed)
        saw7 = saw7 || t.task.id == 7;
    EXPECT_TRUE(saw7);
    EXPECT_LE(changed->size(), 2u);
}

TEST_F(BitrixSandboxTest, ClassicCommentsAddAndRead) {
    auto first = run(client->add_comment(3, "Primer comentario"));
    ASSERT_TRUE(first) << first.error().describe();
    auto second = run(client->add_comment(3, "/aprobar", 7));
    ASSERT_TRUE(second) << second.error().describe();
    auto all = run(client->comments({3, 0, 0}));
    ASSERT_TRUE(all) << all.error().describe();
    ASSERT_GE(all->size(), 2u);
    EXPECT_EQ(all->back().id, *second);
    EXPECT_EQ(all->back().author_id, 7);
    EXPECT_EQ(all->back().text, "/aprobar");
    auto newer = run(client->comments({3, 0, *first}));
    ASSERT_TRUE(newer) << newer.error().describe();
    ASSERT_EQ(newer->size(), 1u);
    EXPECT_EQ(newer->front().id, *second);
}

TEST_F(BitrixSandboxTest, NewCardCommentsGoThroughTheChat) {
    // Task fixture_tasks+1 is the first extra task, a new-card one.
    const std::int64_t id = fixture_tasks + 1;
    auto t = run(client->get_task(id));
    ASSERT_TRUE(t && t->has_value());
    ASSERT_TRUE((*t)->new_card());
    const auto chat = (*t)->chat_id;
    for (int i = 0; i < 60; ++i)
        ASSERT_TRUE(run(client->add_comment(id, "c" + std::to_string(i))));
    auto before = route_count("POST /rest/im.dialog.messages.get");
    auto all = run(client->comments({id, chat, 0}));
    ASSERT_TRUE(all) << all.error().describe();
    EXPECT_EQ(all->size(), 61u);  // "Task created" plus 60
    EXPECT_EQ(all->front().author_id, 0);
    EXPECT_EQ(all->back().text, "c59");
    for (std::size_t i = 1; i < all->size(); ++i)
        ASSERT_LT((*all)[i - 1].id, (*all)[i].id);
    auto after = route_count("POST /rest/im.dialog.messages.get");
    EXPECT_EQ(after - before, 2);  // 50 + 11

    // Without knowing the chat: getlist is refused, the client finds the chat by itself.
    auto found = run(client->comments({id, 0, (*all)[59].id}));
    ASSERT_TRUE(found) << found.error().describe();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().text, "c59");
}

TEST_F(BitrixSandboxTest, CommentsOfOneHundredTwentyTasksInThreeRequests) {
    std::vector<CommentCursor> cursors;
    for (int i = 0; i < 120; ++i) {
        std::int64_t id = fixture_tasks + 1 + i;
        cursors.push_back({id, 0, 0});
    }
    // Chat ids for the new-card ones, as the poller would know them from the task list.
    auto tasks = run(client->walk_tasks(json::object{{">=ID", fixture_tasks + 1}}));
    ASSERT_TRUE(tasks) << tasks.error().describe();
    ASSERT_EQ(tasks->size(), 120u);
    for (int i = 0; i < 120; ++i)
        cursors[static_cast<std::size_t>(i)].chat_id =
            (*tasks)[static_cast<std::size_t>(i)].chat_id;
    ASSERT_TRUE(run(client->add_comment(fixture_tasks + 2, "hola")));

    auto before = bitrix_requests();
    auto all = run(client->comments_many(cursors));
    EXPECT_EQ(bitrix_requests() - before, 3);
    ASSERT_EQ(all.size(), 120u);
    for (const auto& r : all)
        ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(all[0]->size(), 1u);  // the chat's "Task created"
    ASSERT_EQ(all[1]->size(), 1u);
    EXPECT_EQ(all[1]->front().text, "hola");
}

TEST_F(BitrixSandboxTest, OneFailingCommandDoesNotFailTheBatch) {
    ASSERT_TRUE(run(client->add_comment(4, "uno")));
    std::vector<CommentCursor> cursors{{4, 0, 0}, {99999, 0, 0}, {5, 0, 0}};
    auto before = bitrix_requests();
    auto all = run(client->comments_many(cursors));
    ASSERT_EQ(all.size(), 3u);
    ASSERT_TRUE(all[0]) << all[0].error().describe();
    EXPECT_EQ(all[0]->back().text, "uno");
    ASSERT_FALSE(all[1]);
    EXPECT_EQ(all[1].error().kind, core::ErrorKind::permanent);
    EXPECT_TRUE(all[2]) << all[2].error().describe();
    // One batch, then one tasks.task.get to look for a chat behind the refused task.
    EXPECT_EQ(bitrix_requests() - before, 2);
}

TEST_F(BitrixSandboxTest, NotificationsAreDelivered) {
    auto p = run(client->notify_personal(12, "Contraseña temporal enviada"));
    ASSERT_TRUE(p) << p.error().describe();
    EXPECT_GT(*p, 0);
    auto s = run(client->notify_system(12, "Aviso"));
    ASSERT_TRUE(s) << s.error().describe();
    auto state = control("GET", "/_sandbox/state");
    EXPECT_NE(json::serialize(state.at("bitrix")).find("Contraseña temporal enviada"),
              std::string::npos);
}

TEST_F(BitrixSandboxTest, QueryLimitStormIsRidden) {
    control("POST", "/_sandbox/faults",
            json::object{{"route", "/rest/*"}, {"kind", "throttle"}, {"count", 3}});
    auto before = bitrix_requests();
    auto start = clock.now();
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    EXPECT_EQ(bitrix_requests() - before, 4);
    EXPECT_EQ(client->stats().throttled, 3u);
    EXPECT_GE(clock.now() - start, 7s);  // 1 + 2 + 4 s of backoff
}

TEST_F(BitrixSandboxTest, DroppedConnectionsAreRetried) {
    control("POST", "/_sandbox/faults",
            json::object{{"route", "/rest/*"}, {"kind", "drop"}, {"count", 2}});
    auto before = bitrix_requests();
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    EXPECT_EQ(bitrix_requests() - before, 3);
}

TEST_F(BitrixSandboxTest, SlowAnswerPastTheDeadlineIsRetried) {
    http_config.total_timeout = 1000ms;
    http_config.read_timeout = 1000ms;
    make_client(settings());
    control("POST", "/_sandbox/faults",
            json::object{
                {"route", "/rest/*"}, {"kind", "latency"}, {"latency_ms", 2500}, {"count", 1}});
    log::CaptureSink sink;
    auto before = bitrix_requests();
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    EXPECT_EQ(bitrix_requests() - before, 2);
    EXPECT_TRUE(sink.has_event("HTTP_CALL_RETRY"));
}

TEST_F(BitrixSandboxTest, ClientBudgetKeepsUnderAShrunkenBucket) {
    control(
        "POST", "/_sandbox/config",
        json::object{{"bitrix", json::object{{"bucket_burst", 5}, {"bucket_drain_per_sec", 1}}}});
    auto s = settings();
    s.bitrix.rate_burst = 5;
    s.bitrix.rate_per_second = 1;
    make_client(s);
    auto start = clock.now();
    for (int i = 0; i < 12; ++i)
        ASSERT_TRUE(run(client->current_user()));
    EXPECT_EQ(client->stats().throttled, 0u);
    EXPECT_GE(clock.now() - start, 6s);  // 5 at once, then one a second
}

TEST_F(BitrixSandboxTest, TooGenerousBudgetIsThrottledAndRecovers) {
    control(
        "POST", "/_sandbox/config",
        json::object{{"bitrix", json::object{{"bucket_burst", 5}, {"bucket_drain_per_sec", 1}}}});
    for (int i = 0; i < 12; ++i)
        ASSERT_TRUE(run(client->current_user()));
    EXPECT_GT(client->stats().throttled, 0u);
}

TEST_F(BitrixSandboxTest, OperatingLimitPausesTheMethodUntilReset) {
    control("POST", "/_sandbox/config",
            json::object{{"bitrix", json::object{{"operating_limit", true},
                                                 {"operating_cost_seconds", 500}}}});
    auto s = settings();
    s.retry.max_attempts = 3;
    make_client(s);
    ASSERT_TRUE(run(client->list_tasks({})));  // bills 500 s > 480 s
    auto start = clock.now();
    auto me = run(client->current_user());  // another method is not paused
    ASSERT_TRUE(me);
    EXPECT_LT(clock.now() - start, 2s);
    log::CaptureSink sink;
    auto again = run(client->list_tasks({}));  // 429, pause until reset, then through
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_GE(clock.now() - start, 590s);
    EXPECT_TRUE(sink.has_event("BITRIX_METHOD_PAUSED"));
    EXPECT_EQ(route_count("POST /rest/tasks.task.list"), 3);
}

TEST_F(BitrixSandboxTest, WrongSecretIsFatalAndNeverLogged) {
    auto s = settings();
    const std::string wrong = "wrong-secret-7c1f";
    s.bitrix.webhook_secret = config::SecretFile{"secrets/bitrix-webhook", Secret(wrong)};
    make_client(s);
    log::CaptureSink sink;
    auto before = bitrix_requests();
    auto me = run(client->current_user());
    ASSERT_FALSE(me);
    EXPECT_EQ(me.error().kind, core::ErrorKind::auth);
    EXPECT_EQ(me.error().http_status, 401);
    EXPECT_NE(me.error().message.find("bitrix.webhook_secret_file"), std::string::npos);
    EXPECT_EQ(bitrix_requests() - before, 1);  // never retried
    EXPECT_TRUE(sink.has_event("BITRIX_AUTH_REFUSED"));
    EXPECT_EQ(client_lines(sink).find(wrong), std::string::npos);
    EXPECT_EQ(me.error().describe().find(wrong), std::string::npos);
}

TEST_F(BitrixSandboxTest, SecretStaysOutOfLogsOnTransportFailures) {
    control("POST", "/_sandbox/faults",
            json::object{{"route", "/rest/*"}, {"kind", "drop"}, {"count", 10}});
    log::setup({log::Level::debug, log::Format::text, false});
    log::CaptureSink sink;
    auto me = run(client->current_user());
    log::setup({log::Level::info, log::Format::text, false});
    ASSERT_FALSE(me);
    EXPECT_EQ(me.error().kind, core::ErrorKind::retryable);
    EXPECT_TRUE(sink.has_event("HTTP_CALL_GAVE_UP"));
    EXPECT_EQ(client_lines(sink).find(kWebhookSecret), std::string::npos) << client_lines(sink);
    EXPECT_EQ(me.error().describe().find(kWebhookSecret), std::string::npos);
}

/// Sends `/oauth/token/` to the Bitrix emulator's OAuth server in-process (the sandbox serves
/// `/oauth/` for Zoho over HTTP) and everything else over real HTTP.
class OAuthBridge final : public net::HttpTransport {
  public:
    OAuthBridge(net::HttpTransport& http, sandbox::BackgroundSandbox& sb) : http_(http), sb_(sb) {}
    asio::awaitable<net::Outcome<net::HttpResponse>> send(net::HttpRequest r) override {
        auto at = r.url.find("/oauth/token/");
        if (at == std::string::npos)
            co_return co_await http_.send(std::move(r));
        sandbox::Request req;
        req.method = r.method;
        req.target = r.url.substr(at);
        req.body = r.body;
        auto answer = sb_.call([&](sandbox::Sandbox& s) { return s.bitrix().handle_oauth(req); });
        net::HttpResponse out;
        out.status = answer.status;
        out.headers.push_back({"Content-Type", answer.content_type});
        out.body = answer.body;
        co_return out;
    }

  private:
    net::HttpTransport& http_;
    sandbox::BackgroundSandbox& sb_;
};

TEST_F(BitrixSandboxTest, OAuthRefreshesOnceForTwentyCallersAndKeepsTheNewToken) {
    sb.call([](sandbox::Sandbox& s) {
        auto o = s.bitrix().options();
        o.oauth_access_lifetime_seconds = 60;
        s.bitrix().configure(o);
    });
    auto s = settings();
    s.bitrix.auth = "oauth";
    s.bitrix.webhook_secret.reset();
    s.bitrix.oauth_client_id = "local.sandbox";
    s.bitrix.oauth_client_secret = config::SecretFile{"secrets/c", Secret("sandbox-client-secret")};
    s.bitrix.oauth_refresh_token = config::SecretFile{"secrets/r", Secret("sandbox-refresh-token")};
    s.bitrix.oauth_server_url = "https://oauth.bitrix.info";
    OAuthBridge bridge(*http, sb);
    client = std::make_unique<BitrixClient>(ioc.get_executor(), bridge, clock, s);
    auto refreshes = [&] {
        return control("GET", "/_sandbox/state")
            .at("bitrix")
            .at("oauth")
            .at("refreshes")
            .to_number<std::int64_t>();
    };
    log::CaptureSink sink;
    auto me = run(client->current_user());
    ASSERT_TRUE(me) << me.error().describe();
    EXPECT_EQ(me->id, 1);
    EXPECT_EQ(refreshes(), 1);
    TokenStore store(dir.path());
    auto first = store.load();
    ASSERT_TRUE(first);
    EXPECT_NE(first->refresh_token.reveal(), "sandbox-refresh-token");

    // The access token expires on the sandbox clock; twenty callers share one refresh.
    clock.advance(61s);
    sb.call([](sandbox::Sandbox& sx) { sx.clock().advance(61s); });
    int done = 0, ok = 0;
    for (int i = 0; i < 20; ++i)
        asio::co_spawn(ioc, client->current_user(),
                       [&](std::exception_ptr e, net::Outcome<User> r) {
                           ++done;
                           if (!e && r)
                               ++ok;
                       });
    auto give_up = std::chrono::steady_clock::now() + 30s;
    while (done < 20 && std::chrono::steady_clock::now() < give_up) {
        if (ioc.stopped())
            ioc.restart();
        ioc.run_one_for(5ms);
    }
    EXPECT_EQ(ok, 20);
    EXPECT_EQ(refreshes(), 2);
    EXPECT_EQ(client->stats().token_refreshes, 2u);
    auto second = store.load();
    ASSERT_TRUE(second);
    EXPECT_NE(second->refresh_token.reveal(), first->refresh_token.reveal());

    // A new client (a restart) goes on from the saved pair; the first refresh token is spent.
    client = std::make_unique<BitrixClient>(ioc.get_executor(), bridge, clock, s);
    ASSERT_TRUE(run(client->current_user()));
    EXPECT_EQ(refreshes(), 2);
    // Positional methods still bind in order with `auth` in the query string.
    auto comment = run(client->add_comment(3, "por OAuth"));
    ASSERT_TRUE(comment) << comment.error().describe();
    auto read = run(client->comments({3, 0, 0}));
    ASSERT_TRUE(read) << read.error().describe();
    ASSERT_FALSE(read->empty());
    EXPECT_EQ(read->back().text, "por OAuth");
    for (const auto* secret : {second->refresh_token.reveal().c_str(),
                               second->access_token.reveal().c_str(), "sandbox-client-secret"})
        EXPECT_EQ(client_lines(sink).find(secret), std::string::npos) << secret;
}

}  // namespace
}  // namespace hrmaild::bitrix

namespace hrmaild::bitrix {
namespace {

// Issue 9: the task's real STATUS and CREATED_DATE, and comment authors, from the sandbox
// through the client and through the TicketSource adapter the service uses. Closed tasks are
// returned (the service needs to see a completed or deferred task to withdraw its plan).
class BitrixStatusTest : public BitrixSandboxTest {
  protected:
    void SetUp() override {
        BitrixSandboxTest::SetUp();
        auto r = control("POST", "/_sandbox/seed", json::parse(R"({"append":true,"requests":[
            {"TITLE":"Cerrada","GROUP_ID":42,"CREATED_BY":12,"STATUS":5,
             "CREATED_DATE":"2026-01-05T09:00:00-06:00"},
            {"TITLE":"Aplazada","GROUP_ID":42,"CREATED_BY":12,"STATUS":6,
             "CREATED_DATE":"2026-01-06T09:00:00-06:00"},
            {"TITLE":"En curso","GROUP_ID":42,"CREATED_BY":12,"STATUS":3,
             "CREATED_DATE":"2026-01-07T09:00:00-06:00"},
            {"TITLE":"Por revisar","GROUP_ID":42,"CREATED_BY":12,"STATUS":4}]})"));
        closed = fixture_tasks + 120 + 1;
        deferred = closed + 1;
        in_progress = closed + 2;
        awaiting = closed + 3;
    }

    std::int64_t closed = 0, deferred = 0, in_progress = 0, awaiting = 0;
};

TEST_F(BitrixStatusTest, TheClientDecodesStatusAndCreatedDate) {
    auto t = run(client->get_task(closed));
    ASSERT_TRUE(t && t->has_value());
    EXPECT_EQ((*t)->task.status, domain::task_status::completed);
    EXPECT_FALSE((*t)->task.is_open());
    EXPECT_EQ((*t)->task.created_date, "2026-01-05T09:00:00-06:00");
    EXPECT_EQ((*t)->closed_date, "2026-01-05T09:00:00-06:00");

    auto all = run(client->walk_tasks(json::object{{"GROUP_ID", 42}}));
    ASSERT_TRUE(all) << all.error().describe();
    std::map<std::int64_t, const domain::Task*> by_id;
    for (const auto& bt : *all)
        by_id[bt.task.id] = &bt.task;
    ASSERT_TRUE(by_id.count(deferred) && by_id.count(in_progress) && by_id.count(awaiting));
    EXPECT_EQ(by_id[deferred]->status, domain::task_status::deferred);
    EXPECT_EQ(by_id[deferred]->created_date, "2026-01-06T09:00:00-06:00");
    EXPECT_EQ(by_id[in_progress]->status, domain::task_status::in_progress);
    EXPECT_TRUE(by_id[in_progress]->is_open());
    EXPECT_EQ(by_id[awaiting]->status, domain::task_status::supposedly_completed);
    EXPECT_FALSE(by_id[awaiting]->is_open());
    EXPECT_EQ(by_id[1]->status, domain::task_status::pending);  // a sample without STATUS
    EXPECT_FALSE(by_id[1]->created_date.empty());
}

TEST_F(BitrixStatusTest, TheTicketSourceReturnsClosedTasksWithTheirStatus) {
    app::BitrixTicketSource source(*client, 42);
    auto all = run(source.changed_tasks(std::nullopt));
    ASSERT_TRUE(all) << all.error().describe();
    std::map<std::int64_t, domain::Task> by_id;
    for (const auto& t : *all)
        by_id[t.id] = t;
    ASSERT_EQ(by_id.size(), static_cast<std::size_t>(fixture_tasks + 120 + 4))
        << "every task of the project, the closed ones too";
    EXPECT_EQ(by_id.at(closed).status, domain::task_status::completed);
    EXPECT_EQ(by_id.at(closed).created_date, "2026-01-05T09:00:00-06:00");
    EXPECT_EQ(by_id.at(deferred).status, domain::task_status::deferred);

    // HR completes an open task: the adapter reads it closed.
    control("POST", "/_sandbox/bitrix/tasks/" + std::to_string(in_progress) + "/status",
            json::object{{"status", 5}, {"user_id", 12}});
    auto one = run(source.task(in_progress));
    ASSERT_TRUE(one && one->has_value());
    EXPECT_EQ((*one)->status, domain::task_status::completed);
    EXPECT_EQ((*one)->created_date, "2026-01-07T09:00:00-06:00");
}

TEST_F(BitrixStatusTest, CommentAuthorsReachTheTicketSource) {
    app::BitrixTicketSource source(*client, 42);
    // An approver (7) through the control API, then the daemon's own comment.
    control("POST", "/_sandbox/bitrix/tasks/4/comments",
            json::object{{"author_id", 7}, {"text", "/aprobar"}});
    auto own = run(source.post_comment(4, "Plan [hrmaild]"));
    ASSERT_TRUE(own) << own.error().describe();
    // And on a new-card task (the first extra task), through the chat.
    const std::int64_t chat_task = fixture_tasks + 1;
    ASSERT_TRUE(run(source.task(chat_task)));  // the adapter learns the chat
    control("POST", "/_sandbox/bitrix/tasks/" + std::to_string(chat_task) + "/comments",
            json::object{{"author_id", 8}, {"text", "/aprobar"}});

    auto comments = run(source.comments({4, chat_task}));
    ASSERT_TRUE(comments) << comments.error().describe();
    const auto& classic = comments->at(4);
    ASSERT_EQ(classic.size(), 2u);
    EXPECT_EQ(classic[0].author_id, 7);
    EXPECT_EQ(classic[0].text, "/aprobar");
    EXPECT_EQ(classic[1].author_id, 1);  // the webhook user
    EXPECT_EQ(std::to_string(classic[1].id), *own);
    const auto& chat = comments->at(chat_task);
    ASSERT_FALSE(chat.empty());
    EXPECT_EQ(chat.back().author_id, 8);
    EXPECT_EQ(chat.back().text, "/aprobar");
}

TEST_F(BitrixStatusTest, TheTicketSourceRemembersABoundedNumberOfChats) {
    app::BitrixTicketSource source(*client, 42, /*chat_id_limit=*/2);
    // Extra tasks 0, 3, 6 (ids fixture_tasks + 1, + 4, + 7) are new-card tasks.
    const std::int64_t chats[] = {fixture_tasks + 1, fixture_tasks + 4, fixture_tasks + 7};
    for (auto id : chats) {
        auto t = run(source.task(id));
        ASSERT_TRUE(t && t->has_value());
    }
    EXPECT_EQ(source.chat_ids_size(), 2u) << "the oldest chat is forgotten";
    // The chats still remembered are read through the chat.
    control("POST", "/_sandbox/bitrix/tasks/" + std::to_string(chats[2]) + "/comments",
            json::object{{"author_id", 8}, {"text", "/aprobar"}});
    auto comments = run(source.comments({chats[2]}));
    ASSERT_TRUE(comments) << comments.error().describe();
    ASSERT_FALSE(comments->at(chats[2]).empty());
    EXPECT_EQ(comments->at(chats[2]).back().text, "/aprobar");
    // Reading the whole project again keeps the bound.
    ASSERT_TRUE(run(source.changed_tasks(std::nullopt)));
    EXPECT_EQ(source.chat_ids_size(), 2u);
}

}  // namespace
}  // namespace hrmaild::bitrix
