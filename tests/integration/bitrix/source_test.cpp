// The TicketSource adapter (app::BitrixTicketSource) against the sandbox's Bitrix24 emulator
// over real HTTP on 127.0.0.1: one test per port method, each checking the emulator's own
// record (read in-process or through the control API, never through the client under test).
#include "daemon/app/bitrix_source.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/bitrix/client.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/domain/task.hpp"
#include "daemon/net/http_client.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <set>

namespace hrmaild::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::int64_t kProject = 42;
constexpr std::int64_t kDaemonUser = 1;

class BitrixSourceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string error;
        auto seed = sandbox::load_seed_dir(test::source_dir() / "tests/fixtures/tickets", error);
        ASSERT_TRUE(seed) << error;
        fixture_tasks_ = static_cast<int>(seed->requests.size());
        sb_.seed(*seed);
        auto http_settings = default_http_settings();
        http_settings.total_timeout = 3s;
        http_settings.read_timeout = 3s;
        bitrix::ClientSettings s;
        s.bitrix.portal_url = sb_.base_url();
        s.bitrix.auth = "webhook";
        s.bitrix.webhook_user_id = kDaemonUser;
        s.bitrix.webhook_secret =
            config::SecretFile{"secrets/bitrix-webhook", Secret("sandbox-webhook-secret")};
        s.bitrix.rate_burst = 50;
        s.bitrix.rate_per_second = 2;
        s.retry = {3, 1000ms, 10000ms, {}};
        s.jitter = net::Jitter::none;
        s.state_dir = dir_.path();
        net::HttpClientOptions options;
        options.redact = bitrix::BitrixClient::redactor(s.bitrix);
        options.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
        http_ = std::make_unique<net::HttpClient>(ioc_.get_executor(), http_settings, options);
        client_ = std::make_unique<bitrix::BitrixClient>(ioc_.get_executor(), *http_, clock_,
                                                         std::move(s));
        source_ = std::make_unique<BitrixTicketSource>(*client_, kProject);
    }

    /// Runs a coroutine over real sockets; when only virtual sleeps are pending, jumps both
    /// clocks to the next deadline.
    template <typename T>
    T run(asio::awaitable<T> aw) {
        std::optional<T> result;
        std::exception_ptr failure;
        asio::co_spawn(ioc_, std::move(aw), [&](std::exception_ptr e, T v) {
            if (e)
                failure = e;
            else
                result.emplace(std::move(v));
        });
        const auto give_up = std::chrono::steady_clock::now() + 60s;
        while (!result && !failure) {
            if (ioc_.stopped())
                ioc_.restart();
            const std::size_t n = ioc_.run_one_for(5ms);
            if (result || failure)
                break;
            if (n == 0 && clock_.sleepers() > 0) {
                const auto before = clock_.now();
                clock_.advance_to_next();
                const auto jumped =
                    std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - before);
                sb_.call([jumped](sandbox::Sandbox& s) { s.clock().advance(jumped); });
            }
            if (std::chrono::steady_clock::now() > give_up)
                throw std::runtime_error("test call hung");
        }
        if (failure)
            std::rethrow_exception(failure);
        return std::move(*result);
    }

    /// An id as the emulator's state dump writes it: Bitrix's string ("12") or a number.
    static std::int64_t id_of(const json::value& v) {
        return v.is_string() ? std::stoll(std::string(v.get_string()))
                             : v.to_number<std::int64_t>();
    }
    /// The emulator's record of a task, as its state dump shows it (the REST shape: string
    /// ids, comments with `ID`, `AUTHOR_ID`, `POST_MESSAGE`).
    json::object sandbox_task(std::int64_t id) {
        auto st = sb_.call([](sandbox::Sandbox& s) { return s.bitrix().state(); });
        for (const auto& t : st.at("tasks").as_array())
            if (id_of(t.at("id")) == id)
                return t.as_object();
        throw std::runtime_error("no task " + std::to_string(id) + " in the sandbox");
    }
    json::array sandbox_notifications() {
        auto st = sb_.call([](sandbox::Sandbox& s) { return s.bitrix().state(); });
        return st.at("notifications").as_array();
    }
    /// A control API call, in-process (not through the client under test); its HTTP status.
    int control_post(const std::string& path, const json::object& body) {
        return sb_.call([&](sandbox::Sandbox& s) {
            sandbox::Request r;
            r.method = "POST";
            r.target = path;
            r.headers["content-type"] = "application/json";
            r.body = json::serialize(body);
            return s.handle(r).status;
        });
    }
    /// Adds a comment as someone else would.
    void comment_as(std::int64_t task_id, std::int64_t author, const std::string& text) {
        ASSERT_EQ(control_post("/_sandbox/bitrix/tasks/" + std::to_string(task_id) + "/comments",
                               json::object{{"author_id", author}, {"text", text}}),
                  200)
            << "comment on task " << task_id;
    }
    std::int64_t sandbox_now_s() {
        return sb_.call([](sandbox::Sandbox& s) {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       s.clock().now().time_since_epoch())
                .count();
        });
    }

    test::TempDir dir_;
    sandbox::BackgroundSandbox sb_;
    asio::io_context ioc_;
    core::ManualClock clock_{std::chrono::system_clock::now()};
    std::unique_ptr<net::HttpClient> http_;
    std::unique_ptr<bitrix::BitrixClient> client_;
    std::unique_ptr<BitrixTicketSource> source_;
    int fixture_tasks_ = 0;
};

TEST_F(BitrixSourceTest, ChangedTasksReadsTheProjectAndOnlyWhatChangedSince) {
    auto all = run(source_->changed_tasks(std::nullopt));
    ASSERT_TRUE(all) << all.error().describe();
    EXPECT_EQ(all->size(), static_cast<std::size_t>(fixture_tasks_));
    for (const auto& t : *all)
        EXPECT_EQ(t.group_id, kProject) << "task " << t.id;

    // An hour later HR edits one task: a read since half an hour ago finds only that one.
    const auto half_hour_later = sandbox_now_s() + 1800;
    sb_.call([](sandbox::Sandbox& s) { s.clock().advance(1h); });
    ASSERT_EQ(control_post("/_sandbox/bitrix/tasks/2/status",
                           json::object{{"status", 3}, {"user_id", 12}}),
              200);
    auto changed =
        run(source_->changed_tasks(core::WallTime(std::chrono::seconds(half_hour_later))));
    ASSERT_TRUE(changed) << changed.error().describe();
    ASSERT_EQ(changed->size(), 1u);
    EXPECT_EQ(changed->front().id, 2);
    EXPECT_EQ(changed->front().status, domain::task_status::in_progress);
}

TEST_F(BitrixSourceTest, TaskReadsOneTaskAndAnswersNothingForAMissingOne) {
    auto t = run(source_->task(1));
    ASSERT_TRUE(t) << t.error().describe();
    ASSERT_TRUE(t->has_value());
    EXPECT_EQ((*t)->id, 1);
    EXPECT_EQ((*t)->title, std::string(sandbox_task(1).at("title").as_string()));
    EXPECT_EQ((*t)->created_by, 12);

    auto missing = run(source_->task(987654));
    ASSERT_TRUE(missing) << missing.error().describe();
    EXPECT_FALSE(missing->has_value());
}

// Issue 11: the tasks of a pass's approved plans are read again together: one request, whatever
// their status, and a missing one is answered as such.
TEST_F(BitrixSourceTest, ReadTasksReadsSeveralInOneRequest) {
    ASSERT_EQ(control_post("/_sandbox/bitrix/tasks/2/status",
                           json::object{{"status", 5}, {"user_id", 12}}),
              200);
    const auto before = client_->stats().requests;
    auto read = run(source_->read_tasks({1, 2, 987654}));
    ASSERT_TRUE(read) << read.error().describe();
    EXPECT_EQ(client_->stats().requests, before + 1);
    ASSERT_EQ(read->size(), 3u);
    ASSERT_TRUE(read->at(1).has_value());
    EXPECT_EQ(read->at(1)->title, std::string(sandbox_task(1).at("title").as_string()));
    ASSERT_TRUE(read->at(2).has_value());
    EXPECT_FALSE(read->at(2)->is_open());
    EXPECT_FALSE(read->at(987654).has_value());
}

TEST_F(BitrixSourceTest, CommentsOfSeveralTasksComeBackPerTask) {
    comment_as(1, 7, "/aprobar");
    comment_as(2, 8, "/rechazar falta el puesto");
    comment_as(2, 12, "corregido");
    auto comments = run(source_->comments({1, 2, 3}));
    ASSERT_TRUE(comments) << comments.error().describe();
    ASSERT_EQ(comments->at(1).size(), 1u);
    EXPECT_EQ(comments->at(1)[0].author_id, 7);
    EXPECT_EQ(comments->at(1)[0].text, "/aprobar");
    const auto& two = comments->at(2);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].author_id, 8);
    EXPECT_EQ(two[1].text, "corregido");
    EXPECT_LT(two[0].id, two[1].id);
    EXPECT_TRUE(comments->count(3) == 0 || comments->at(3).empty());
}

TEST_F(BitrixSourceTest, PostCommentAddsItAsTheDaemonUser) {
    auto id = run(source_->post_comment(3, "Plan listo [hrmaild]"));
    ASSERT_TRUE(id) << id.error().describe();
    const auto task = sandbox_task(3);  // held: `comments` refers into it
    const auto& comments = task.at("comments").as_array();
    ASSERT_EQ(comments.size(), 1u);
    const auto& c = comments[0].as_object();
    EXPECT_EQ(std::to_string(id_of(c.at("ID"))), *id);
    EXPECT_EQ(id_of(c.at("AUTHOR_ID")), kDaemonUser);
    EXPECT_EQ(c.at("POST_MESSAGE").as_string(), "Plan listo [hrmaild]");
}

TEST_F(BitrixSourceTest, CompleteTaskClosesIt) {
    auto before = run(source_->task(1));
    ASSERT_TRUE(before && before->has_value());
    ASSERT_TRUE((*before)->is_open());
    auto r = run(source_->complete_task(1));
    ASSERT_TRUE(r) << r.error().describe();
    auto after = run(source_->task(1));
    ASSERT_TRUE(after && after->has_value());
    EXPECT_EQ((*after)->status, domain::task_status::completed);
    EXPECT_FALSE((*after)->is_open());
}

TEST_F(BitrixSourceTest, DeferTaskDefersIt) {
    auto r = run(source_->defer_task(2));
    ASSERT_TRUE(r) << r.error().describe();
    auto after = run(source_->task(2));
    ASSERT_TRUE(after && after->has_value());
    EXPECT_EQ((*after)->status, domain::task_status::deferred);
    auto other = run(source_->task(1));
    ASSERT_TRUE(other && other->has_value());
    EXPECT_NE((*other)->status, domain::task_status::deferred) << "only the named task";
}

TEST_F(BitrixSourceTest, NotifyPrivateReachesOnlyThatUser) {
    const auto before = sandbox_notifications().size();
    auto r = run(source_->notify_private(12, Secret("Contraseña temporal: Xy7-prueba")));
    ASSERT_TRUE(r) << r.error().describe();
    auto after = sandbox_notifications();
    ASSERT_EQ(after.size(), before + 1);
    const auto& n = after.back().as_object();
    EXPECT_EQ(id_of(n.at("user_id")), 12);
    EXPECT_NE(std::string(n.at("message").as_string()).find("Xy7-prueba"), std::string::npos);
}

TEST_F(BitrixSourceTest, DepartmentMembersIncludeSubDepartments) {
    auto it = run(source_->department_members(2));
    ASSERT_TRUE(it) << it.error().describe();
    EXPECT_EQ(std::set<std::int64_t>(it->begin(), it->end()), (std::set<std::int64_t>{1, 7, 8}));
    auto company = run(source_->department_members(1));
    ASSERT_TRUE(company) << company.error().describe();
    EXPECT_EQ(company->size(), 6u) << "the company and every department under it";
}

TEST_F(BitrixSourceTest, SendWritesGoesInOneBatchAndStopsAtTheFirstFailure) {
    using Kind = service::TicketWrite::Kind;
    const auto before = client_->stats().requests;
    const auto notes_before = sandbox_notifications().size();
    std::vector<service::TicketWrite> writes{
        {Kind::comment, 1, Secret("Listo [hrmaild]")},
        {Kind::complete, 1, Secret()},
        {Kind::notify, 12, Secret("Contraseña temporal: Zz9-prueba")},
        {Kind::comment, 987654, Secret("a task that does not exist")},
        {Kind::complete, 2, Secret()},
    };
    auto results = run(source_->send_writes(writes));
    EXPECT_EQ(client_->stats().requests, before + 1) << "one batch request";
    ASSERT_EQ(results.size(), writes.size());
    ASSERT_TRUE(results[0]) << results[0].error().describe();
    const auto task = sandbox_task(1);
    const auto& comments = task.at("comments").as_array();
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(std::to_string(id_of(comments[0].at("ID"))), *results[0]);
    EXPECT_EQ(comments[0].at("POST_MESSAGE").as_string(), "Listo [hrmaild]");
    EXPECT_EQ(id_of(comments[0].at("AUTHOR_ID")), kDaemonUser);
    ASSERT_TRUE(results[1]) << results[1].error().describe();
    ASSERT_TRUE(results[2]) << results[2].error().describe();
    EXPECT_EQ(sandbox_notifications().size(), notes_before + 1);
    // The comment on a missing task fails; the batch stops there (halt=1): task 2 stays open,
    // and its completion is answered as not run (retryable, provably not executed).
    ASSERT_FALSE(results[3]);
    EXPECT_FALSE(results[3].error().outcome_unknown);
    ASSERT_FALSE(results[4]);
    EXPECT_TRUE(results[4].error().retryable());
    EXPECT_FALSE(results[4].error().outcome_unknown);
    auto one = run(source_->task(1));
    ASSERT_TRUE(one && one->has_value());
    EXPECT_EQ((*one)->status, domain::task_status::completed);
    auto two = run(source_->task(2));
    ASSERT_TRUE(two && two->has_value());
    EXPECT_TRUE((*two)->is_open());
}

TEST_F(BitrixSourceTest, PollReadsChangedTasksAndCommentsInOneRequest) {
    comment_as(1, 7, "/aprobar");
    comment_as(2, 8, "hola");
    comment_as(2, 12, "corregido");
    const auto before = client_->stats().requests;
    auto read = run(source_->poll(std::nullopt, {1, 2, 3}));
    ASSERT_TRUE(read) << read.error().describe();
    EXPECT_EQ(client_->stats().requests, before + 1) << "tasks and comments in one batch";
    EXPECT_EQ(read->tasks.size(), static_cast<std::size_t>(fixture_tasks_));
    ASSERT_EQ(read->comments.at(1).size(), 1u);
    EXPECT_EQ(read->comments.at(1)[0].text, "/aprobar");
    EXPECT_EQ(read->comments.at(1)[0].author_id, 7);
    ASSERT_EQ(read->comments.at(2).size(), 2u);
    EXPECT_EQ(read->comments.at(2)[1].text, "corregido");
    EXPECT_TRUE(read->comments.at(3).empty());
    // The same as the two reads made apart.
    auto tasks = run(source_->changed_tasks(std::nullopt));
    ASSERT_TRUE(tasks);
    ASSERT_EQ(tasks->size(), read->tasks.size());
    for (std::size_t i = 0; i < tasks->size(); ++i)
        EXPECT_EQ((*tasks)[i].id, read->tasks[i].id);
}

// Issue 11: the tasks of settled tickets are left out by the filter (`!ID`), in the same one
// request; without `since` (the first poll) every task is read.
TEST_F(BitrixSourceTest, PollLeavesTheSettledTasksOutInTheSameRequest) {
    comment_as(3, 7, "/aprobar");
    const core::WallTime since{std::chrono::seconds(946684800)};  // 2000-01-01: every task
    const auto before = client_->stats().requests;
    auto read = run(source_->poll(since, {3}, {1, 2}));
    ASSERT_TRUE(read) << read.error().describe();
    EXPECT_EQ(client_->stats().requests, before + 1) << "tasks and comments in one batch";
    std::set<std::int64_t> ids;
    for (const auto& t : read->tasks)
        ids.insert(t.id);
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(fixture_tasks_ - 2));
    EXPECT_FALSE(ids.count(1));
    EXPECT_FALSE(ids.count(2));
    EXPECT_TRUE(ids.count(3));
    ASSERT_EQ(read->comments.at(3).size(), 1u);
    EXPECT_EQ(read->comments.at(3)[0].text, "/aprobar");
    // Without comments to read, the plain walk leaves them out too.
    auto alone = run(source_->poll(since, {}, {1}));
    ASSERT_TRUE(alone);
    EXPECT_EQ(alone->tasks.size(), static_cast<std::size_t>(fixture_tasks_ - 1));
    // The first poll (no watermark) reads every task.
    auto first = run(source_->poll(std::nullopt, {}, {1, 2}));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->tasks.size(), static_cast<std::size_t>(fixture_tasks_));
}

}  // namespace
}  // namespace hrmaild::app
