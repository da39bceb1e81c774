// End to end, the safety rules of issue 9 with the real binaries: aliases of protected accounts,
// closed and deferred tasks, a first start over old tasks, quoted and conditional approvals,
// a plan edited A→B→A, a rehire before the scheduled delete, an undeliverable password and
// two people with the same name. Every absence asserted here ("nothing was reset") is checked
// only after the daemon is shown to have looked: a later task reached its state, a hint was
// posted after the comment in question, or the scheduled step left `pending`.
#include "daemon/log/log.hpp"
#include "tests/e2e/e2e_fixture.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <regex>

namespace hrmaild::test {
namespace {

// States a ticket rests in until someone acts (no cycle moves it on by itself).
bool resting(const std::string& s) {
    return s == "awaiting_approval" || s == "rejected" || s == "done" || s == "failed" ||
           s == "invalid" || s == "cancelled";
}

class Safety : public EndToEnd {
  protected:
    // Each wait is bounded well inside the test watchdog (90 s a test process): a run takes a
    // second or two, so this is generous even on a loaded machine. Every wait is asserted, so
    // a test stops at its first time-out.
    static constexpr std::chrono::seconds kLimit{30};

    bool wait_for(const std::map<std::int64_t, std::string>& want,
                  std::chrono::seconds limit = kLimit) {
        return EndToEnd::wait_for(want, limit);
    }

    void SetUp() override {
        EndToEnd::SetUp();
        // The read-only store opens below log at info each time; keep the output readable.
        log::Options o;
        o.level = log::Level::warn;
        log::setup(o);
    }

    void TearDown() override {
        // On failure, or always with HRMAILD_E2E_SHOW_LOG set (to study a passing run).
        if (HasFailure() || std::getenv("HRMAILD_E2E_SHOW_LOG") != nullptr) {
            auto log = read_file(dir_.path() / "daemon.log");
            std::cerr << "--- daemon.log (last 6000 characters) ---\n"
                      << (log.size() > 6000 ? log.substr(log.size() - 6000) : log) << "\n";
        }
    }

    // A task as HR files it in the project (CREATED_BY 12 unless told otherwise).
    static json::object request(const std::string& title, const std::string& tag,
                                const std::string& description, int created_by = 12) {
        json::array tags;
        if (!tag.empty())
            tags.emplace_back(tag);
        return json::object{{"TITLE", title},      {"TAGS", tags},   {"CREATED_BY", created_by},
                            {"RESPONSIBLE_ID", 1}, {"GROUP_ID", 42}, {"DESCRIPTION", description}};
    }
    static json::object password_reset(const std::string& address) {
        return request("Restablecer contraseña", "contrasena", "[B]Correo:[/B] " + address);
    }
    static json::object termination(const std::string& address) {
        return request("Baja de colaborador", "baja",
                       "[B]Correo:[/B] " + address + "\n[B]Fecha de baja:[/B] 30/11/2025");
    }
    static json::object add_member(const std::string& group, const std::string& member) {
        return request("Actualizar lista " + group, "grupo",
                       "[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] " + group +
                           "\n[B]Agregar:[/B] " + member);
    }
    static json::object hire(const std::string& first, const std::string& last,
                             const std::string& department) {
        return request("Alta de correo - " + first + " " + last, "alta",
                       "[B]Nombre(s):[/B] " + first + "\n[B]Apellido paterno:[/B] " + last +
                           "\n[B]Departamento:[/B] " + department);
    }

    // Replaces the sample requests with these (task ids 1, 2, ... in this order).
    void seed_requests(const std::vector<json::object>& requests) {
        for (const auto& f : fs::directory_iterator(seed_ / "requests"))
            fs::remove(f.path());
        int n = 0;
        for (const auto& r : requests) {
            char name[32];
            std::snprintf(name, sizeof name, "requests/%02d-safety.json", ++n);
            dir_.write((fs::path("seed") / name).string(), json::serialize(r));
        }
    }

    // Files a task while the daemon runs, as user `as` (HR by default); returns its id.
    int add_task(json::object fields, int as = 12) {
        json::object params;
        params["fields"] = std::move(fields);
        json::object call{{"method", "tasks.task.add"}, {"user_id", as}};
        call["params"] = std::move(params);
        auto r = control("POST", "bitrix/call", json::serialize(call));
        const auto* id = r.as_object().if_contains("result");
        if (!id) {
            ADD_FAILURE() << "tasks.task.add failed: " << json::serialize(r);
            return -1;
        }
        return std::stoi(std::string(id->at("task").at("id").as_string()));
    }
    // HR edits a task's description.
    void edit_description(int task, const std::string& description) {
        json::object fields{{"DESCRIPTION", description}};
        json::object params{{"taskId", task}};
        params["fields"] = std::move(fields);
        json::object call{{"method", "tasks.task.update"}, {"user_id", 12}};
        call["params"] = std::move(params);
        auto r = control("POST", "bitrix/call", json::serialize(call));
        EXPECT_TRUE(r.as_object().contains("result")) << json::serialize(r);
    }
    // A comment written by a person (through the sandbox's control route, not the daemon's).
    void say(int task, int author, const std::string& text) {
        auto r = control("POST", "bitrix/tasks/" + std::to_string(task) + "/comments",
                         json::serialize(json::object{{"author_id", author}, {"text", text}}));
        EXPECT_TRUE(r.as_object().contains("id")) << json::serialize(r);
    }
    void set_status(int task, int status) {
        auto r = control("POST", "bitrix/tasks/" + std::to_string(task) + "/status",
                         json::serialize(json::object{{"status", status}, {"user_id", 12}}));
        EXPECT_TRUE(r.as_object().contains("task")) << json::serialize(r);
    }

    // Polls `done` every 200 ms for up to `limit`; on time-out records `what` as a failure.
    static bool wait_until(const std::function<bool()>& done, const std::string& what,
                           std::chrono::seconds limit = kLimit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done())
                return true;
            std::this_thread::sleep_for(200ms);
        }
        if (done())
            return true;
        ADD_FAILURE() << "timed out after " << limit.count() << " s waiting for " << what;
        return false;
    }
    bool wait_resting(std::initializer_list<int> ids, std::chrono::seconds limit = kLimit) {
        std::vector<int> want(ids);
        bool ok = wait_until(
            [&] {
                auto t = tickets();
                return std::all_of(want.begin(), want.end(),
                                   [&](int id) { return resting(t[id]); });
            },
            "tickets to settle", limit);
        if (!ok)
            for (auto [id, st] : tickets())
                ADD_FAILURE() << "task " << id << " is '" << st << "'";
        return ok;
    }

    // The comments of a task with their authors, oldest first.
    struct Comment {
        int author = 0;
        std::string text;
    };
    std::vector<Comment> comments_of(int id) {
        std::vector<Comment> out;
        auto st = state();
        const auto& t = task(st, id);
        if (const auto* c = t.if_contains("comments"))
            for (const auto& x : c->as_array())
                out.push_back({std::stoi(std::string(x.at("AUTHOR_ID").as_string())),
                               std::string(x.at("POST_MESSAGE").as_string())});
        return out;
    }
    // The daemon's comments on a task containing `needle`.
    int daemon_comments_with(int task, const std::string& needle) {
        int n = 0;
        for (const auto& c : comments_of(task))
            if (c.author == 1 && c.text.find(needle) != std::string::npos)
                ++n;
        return n;
    }
    // The plan codes the daemon posted on a task: (code, version), oldest first.
    std::vector<std::pair<std::string, int>> plan_codes(int task) {
        std::vector<std::pair<std::string, int>> out;
        static const std::regex code("Código del plan: ([0-9a-f]{12}) \\(versión ([0-9]+)\\)");
        for (const auto& c : comments_of(task)) {
            std::smatch m;
            if (c.author == 1 && std::regex_search(c.text, m, code))
                out.emplace_back(m[1], std::stoi(m[2]));
        }
        return out;
    }

    struct Notification {
        int user = 0;
        std::string text;
    };
    static std::vector<Notification> notifications(const json::object& st) {
        std::vector<Notification> out;
        for (const auto& n : st.at("bitrix").at("notifications").as_array())
            out.push_back(
                {n.at("user_id").to_number<int>(), std::string(n.at("message").as_string())});
        return out;
    }
    // Private notifications to the requester (user 12, where passwords go) mentioning `needle`;
    // the notes to IT (users 7 and 8) may name any address.
    static int to_requester_about(const json::object& st, const std::string& needle) {
        int n = 0;
        for (const auto& x : notifications(st))
            if (x.user == 12 && x.text.find(needle) != std::string::npos)
                ++n;
        return n;
    }
    static int route_count(const json::object& st, const std::string& route) {
        const auto& routes = st.at("requests").at("by_route").as_object();
        const auto* n = routes.if_contains(route);
        return n ? n->to_number<int>() : 0;
    }
    static std::int64_t last_reset(const json::object& st, const std::string& address) {
        const auto* u = user(st, address);
        return u ? u->at("lastPasswordReset").to_number<std::int64_t>() : -2;
    }
    static std::string zuid(const json::object& st, const std::string& address) {
        const auto* u = user(st, address);
        return u ? json::serialize(u->at("zuid")) : std::string();
    }

    int log_count(const std::string& needle) {
        auto log = read_file(dir_.path() / "daemon.log");
        int n = 0;
        for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
            ++n;
        return n;
    }

    std::vector<store::ScheduledStep> schedule() {
        store::SqliteOptions o;
        o.path = dir_.path() / "state/hrmaild.db";
        o.read_only = true;
        auto s = store::SqliteStore::open(o);
        if (!s)
            return {};
        auto list = (*s)->scheduled_steps(std::nullopt);
        return list ? *list : std::vector<store::ScheduledStep>{};
    }

    // Runs SQL on the stopped daemon's store (the daemon holds a lock while it runs).
    void store_sql(const std::string& sql) {
        ASSERT_FALSE(daemon_) << "the daemon must be stopped";
        sqlite3* db = nullptr;
        auto path = dir_.path() / "state/hrmaild.db";
        ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
        std::string msg = err ? err : "";
        sqlite3_free(err);
        int changed = sqlite3_changes(db);
        sqlite3_close_v2(db);
        ASSERT_EQ(rc, SQLITE_OK) << msg;
        ASSERT_GT(changed, 0) << sql << " changed nothing";
    }
};

// postmaster@ is an alias of the super admin admin@ (protected in the config): resetting it
// is never automatic, so the admin's password never reaches the requester, and terminating
// it is refused like terminating admin@ itself.
TEST_F(Safety, AliasesOfAProtectedAccountAreProtected) {
    seed_requests({password_reset("postmaster@tarmexico.com"),
                   termination("postmaster@tarmexico.com"),
                   password_reset("luis.martinez@tarmexico.com")});
    start_sandbox(seed_);
    const auto before = last_reset(state(), "admin@tarmexico.com");
    start_daemon();
    // Task 3, a routine reset, shows the daemon planned and ran what it was given.
    ASSERT_TRUE(wait_for({{3, "done"}}));
    ASSERT_TRUE(wait_resting({1, 2}));
    auto t = tickets();
    EXPECT_TRUE(t[1] == "awaiting_approval" || t[1] == "rejected")
        << "a password reset of postmaster@ (alias of the super admin) ended '" << t[1]
        << "' without anyone approving it";
    EXPECT_EQ(t[2], "rejected") << "terminating an alias of a protected account is refused";
    if (t[2] == "rejected") {
        ASSERT_TRUE(wait_until([&] { return status(state(), 2) == "6"; }, "task 2 deferred"));
        EXPECT_EQ(daemon_comments_with(2, "protegida"), 1);
    }
    // The plan names the account the alias belongs to (its comment lands after the state).
    ASSERT_TRUE(
        wait_until([&] { return daemon_comments_with(1, "hrmaild:1:") > 0; }, "task 1's comment"));
    EXPECT_GE(daemon_comments_with(1, "admin@tarmexico.com"), 1)
        << "the plan for postmaster@ must say whose address it is";

    auto st = state();
    const auto* admin = user(st, "admin@tarmexico.com");
    ASSERT_TRUE(admin);
    EXPECT_EQ(last_reset(st, "admin@tarmexico.com"), before) << "the admin's password was reset";
    EXPECT_TRUE(admin->at("status").as_bool()) << "the super admin was disabled";
    // The requester (user 12) got luis's password and nothing about the admin.
    EXPECT_EQ(to_requester_about(st, "postmaster@"), 0);
    EXPECT_EQ(to_requester_about(st, "admin@"), 0);
    EXPECT_EQ(to_requester_about(st, "luis.martinez@tarmexico.com"), 1);
}

// HR closes (5) or defers (6) a task to take it back: a task already closed is never taken
// in, and one closed while waiting for approval is withdrawn with one comment; an approval
// written afterwards does nothing.
TEST_F(Safety, ClosedAndDeferredTasksNeverRun) {
    auto closed = password_reset("luis.martinez@tarmexico.com");
    closed["STATUS"] = 5;
    auto deferred = request("Cambio de datos - Ana López", "cambio",
                            "[B]Correo:[/B] ana.lopez@tarmexico.com\n[B]Nuevo nombre para "
                            "mostrar:[/B] Ana López Ruiz");
    deferred["STATUS"] = 6;
    seed_requests({closed, deferred, termination("pedro.gomez@tarmexico.com"),
                   add_member("mantenimiento@tarmexico.com", "soporte@proveedor-externo.com"),
                   password_reset("jorge.ramirez@tarmexico.com")});
    start_sandbox(seed_);
    start_daemon();
    // Task 5 was read in the same poll as the closed ones and ran.
    ASSERT_TRUE(wait_for({{3, "awaiting_approval"}, {4, "awaiting_approval"}, {5, "done"}}));
    auto t = tickets();
    EXPECT_EQ(t.count(1), 0u) << "a completed task was taken in: " << t[1];
    EXPECT_EQ(t.count(2), 0u) << "a deferred task was taken in: " << t[2];
    auto st = state();
    EXPECT_EQ(last_reset(st, "luis.martinez@tarmexico.com"), -1);
    EXPECT_EQ(user(st, "ana.lopez@tarmexico.com")->at("displayName").as_string(), "Ana López");
    EXPECT_TRUE(comments(st, 1).empty());
    EXPECT_TRUE(comments(st, 2).empty());
    EXPECT_EQ(to_requester_about(st, "luis.martinez@"), 0);

    // HR completes 3 and defers 4 while they wait for approval.
    set_status(3, 5);
    set_status(4, 6);
    ASSERT_TRUE(wait_for({{3, "cancelled"}, {4, "cancelled"}}));
    // Approvals after the withdrawal, then a new task to show the daemon kept reading.
    say(3, 7, "/aprobar");
    say(4, 8, "/aprobar");
    int later = add_task(password_reset("laura.mendez@tarmexico.com"));
    ASSERT_TRUE(wait_for({{later, "done"}}));
    ASSERT_TRUE(wait_until(
        [&] {
            return daemon_comments_with(3, "se retiró") + daemon_comments_with(4, "se retiró") >= 2;
        },
        "the withdrawal comments"));

    t = tickets();
    EXPECT_EQ(t[3], "cancelled");
    EXPECT_EQ(t[4], "cancelled");
    st = state();
    const auto* pedro = user(st, "pedro.gomez@tarmexico.com");
    ASSERT_TRUE(pedro);
    EXPECT_TRUE(pedro->at("status").as_bool()) << "a withdrawn termination ran";
    EXPECT_TRUE(members(st, "operaciones@tarmexico.com").count("pedro.gomez@tarmexico.com"));
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("soporte@proveedor-externo.com"))
        << "a withdrawn group change ran";
    EXPECT_EQ(daemon_comments_with(3, "se retiró"), 1);
    EXPECT_EQ(daemon_comments_with(4, "se retiró"), 1);
    // The daemon left HR's decision alone.
    EXPECT_EQ(status(st, 3), "5");
    EXPECT_EQ(status(st, 4), "6");
}

// The first start over a project with history: open tasks filed before it wait for approval
// with the reason stated, closed ones are ignored, and only tasks filed afterwards run alone.
TEST_F(Safety, AFirstStartNeverRunsOldTasksByItself) {
    const std::string old = "2025-01-06T09:00:00-06:00";
    auto reset = password_reset("luis.martinez@tarmexico.com");
    reset["CREATED_DATE"] = old;
    auto closed = request("Cambio de datos - Ana López", "cambio",
                          "[B]Correo:[/B] ana.lopez@tarmexico.com\n[B]Nuevo nombre para "
                          "mostrar:[/B] Ana López Ruiz");
    closed["CREATED_DATE"] = old;
    closed["STATUS"] = 5;
    auto group = add_member("operaciones@tarmexico.com", "ana.lopez@tarmexico.com");
    group["CREATED_DATE"] = old;
    seed_requests({reset, closed, group});
    since_.clear();  // no --since: the daemon's own first start sets the horizon
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"}, {3, "awaiting_approval"}}));
    ASSERT_TRUE(wait_until([&] { return log_count("INTAKE_FIRST_START") == 1; },
                           "INTAKE_FIRST_START in the log"));
    auto log = read_file(dir_.path() / "daemon.log");
    EXPECT_NE(log.find("queued_for_approval=2"), std::string::npos);
    EXPECT_NE(log.find("closed_skipped=1"), std::string::npos);
    EXPECT_EQ(tickets().count(2), 0u);
    // The plan comments land after the state change.
    ASSERT_TRUE(wait_until(
        [&] {
            return daemon_comments_with(1, "Código del plan") > 0 &&
                   daemon_comments_with(3, "Código del plan") > 0;
        },
        "the plan comments"));
    for (int id : {1, 3})
        EXPECT_EQ(daemon_comments_with(id, "antes de que hrmaild empezara"), 1) << "task " << id;

    // A task filed after the start runs by itself.
    int fresh = add_task(password_reset("jorge.ramirez@tarmexico.com"));
    ASSERT_TRUE(wait_for({{fresh, "done"}}));
    auto st = state();
    EXPECT_EQ(last_reset(st, "luis.martinez@tarmexico.com"), -1);
    EXPECT_NE(last_reset(st, "jorge.ramirez@tarmexico.com"), -1);
    EXPECT_FALSE(members(st, "operaciones@tarmexico.com").count("ana.lopez@tarmexico.com"));
    EXPECT_EQ(user(st, "ana.lopez@tarmexico.com")->at("displayName").as_string(), "Ana López");
    EXPECT_TRUE(comments(st, 2).empty());
    EXPECT_EQ(tickets()[1], "awaiting_approval");

    // An old task still runs once IT approves it.
    say(1, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{1, "done"}}));
    EXPECT_NE(last_reset(state(), "luis.martinez@tarmexico.com"), -1);
}

// An approver quoting someone's /aprobar (BB-code quote, code block, Bitrix's dashed quote
// block) does not approve, nor does "/aprobar" with a condition after it, which gets a hint.
TEST_F(Safety, QuotedOrConditionalApprovalsDoNotApprove) {
    seed_requests({add_member("mantenimiento@tarmexico.com", "soporte1@proveedor-externo.com"),
                   add_member("mantenimiento@tarmexico.com", "soporte2@proveedor-externo.com"),
                   add_member("mantenimiento@tarmexico.com", "soporte3@proveedor-externo.com"),
                   add_member("mantenimiento@tarmexico.com", "soporte4@proveedor-externo.com")});
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"},
                          {2, "awaiting_approval"},
                          {3, "awaiting_approval"},
                          {4, "awaiting_approval"}}));
    for (int id = 1; id <= 4; ++id)
        ASSERT_TRUE(wait_until([&] { return plan_codes(id).size() == 1; }, "the plan comment"));

    say(1, 7, "[QUOTE]Laura Méndez escribió:\n/aprobar[/QUOTE]\nLo reviso con RH antes.");
    say(2, 7, "[CODE]/aprobar[/CODE]\nAsí se aprueba, para la próxima.");
    say(3, 7,
        "------------------------------------------------------\n"
        "Laura Méndez [30.11.2026 10:00]\n/aprobar\n"
        "------------------------------------------------------\n¿Quién pidió esto?");
    // Written last: once its hint is posted, the comments above have been read too.
    say(4, 8, "/aprobar cuando RH confirme");
    ASSERT_TRUE(wait_until(
        [&] {
            return daemon_comments_with(4, "No se tomó como aprobación") > 0 ||
                   tickets()[4] != "awaiting_approval";
        },
        "the hint on task 4"));
    auto t = tickets();
    EXPECT_EQ(t[1], "awaiting_approval") << "a [QUOTE]d /aprobar approved";
    EXPECT_EQ(t[2], "awaiting_approval") << "a [CODE] /aprobar approved";
    EXPECT_EQ(t[3], "awaiting_approval") << "a dashed-quote /aprobar approved";
    EXPECT_EQ(t[4], "awaiting_approval") << "'/aprobar cuando RH confirme' approved";
    EXPECT_EQ(daemon_comments_with(4, "No se tomó como aprobación"), 1);
    auto st = state();
    for (int i = 1; i <= 4; ++i)
        EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com")
                         .count("soporte" + std::to_string(i) + "@proveedor-externo.com"))
            << "task " << i << " ran";

    // /aprobar alone (the first line outside quotes) approves each, also under a quote.
    for (int id = 1; id <= 3; ++id)
        say(id, 7, "/aprobar");
    say(4, 7, "[QUOTE]/aprobar cuando RH confirme[/QUOTE]\n/aprobar\nRH ya confirmó.");
    ASSERT_TRUE(wait_for({{1, "done"}, {2, "done"}, {3, "done"}, {4, "done"}}));
    st = state();
    for (int i = 1; i <= 4; ++i)
        EXPECT_TRUE(members(st, "mantenimiento@tarmexico.com")
                        .count("soporte" + std::to_string(i) + "@proveedor-externo.com"));
}

// HR edits a waiting task from plan A to B and back to A. The return gets its own plan
// comment (same code as A, a new version), and an /aprobar written under B's comment, before
// that one, approves nothing.
TEST_F(Safety, ReturningToAnEarlierPlanNeedsAFreshApproval) {
    const std::string a =
        "[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] "
        "mantenimiento@tarmexico.com\n[B]Agregar:[/B] soporte@proveedor-externo.com";
    const std::string b =
        "[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] "
        "mantenimiento@tarmexico.com\n[B]Agregar:[/B] otro@proveedor-externo.com";
    auto task = request("Proveedor de mantenimiento", "grupo", a);
    seed_requests({task});
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"}}));
    ASSERT_TRUE(wait_until([&] { return plan_codes(1).size() == 1; }, "plan A's comment"));
    edit_description(1, b);
    ASSERT_TRUE(wait_until([&] { return plan_codes(1).size() == 2; }, "plan B's comment"));

    // While the daemon is down an approver approves what they see (B) and HR goes back to A.
    EXPECT_EQ(stop_daemon(), 0);
    say(1, 7, "/aprobar");
    edit_description(1, a);
    start_daemon();
    ASSERT_TRUE(wait_until([&] { return plan_codes(1).size() == 3; }, "plan A's second comment"));
    // Written after A's new comment: once its hint is posted, the daemon has read the comments
    // under the newest plan.
    say(1, 8, "/aprobar si ya lo vio RH");
    ASSERT_TRUE(wait_until(
        [&] {
            return daemon_comments_with(1, "No se tomó como aprobación") > 0 ||
                   tickets()[1] != "awaiting_approval";
        },
        "the hint"));
    EXPECT_EQ(tickets()[1], "awaiting_approval") << "an approval given under plan B ran plan A";
    auto codes = plan_codes(1);
    ASSERT_EQ(codes.size(), 3u);
    EXPECT_EQ(codes[2].first, codes[0].first) << "A again has A's code";
    EXPECT_NE(codes[1].first, codes[0].first);
    EXPECT_LT(codes[0].second, codes[1].second);
    EXPECT_LT(codes[1].second, codes[2].second) << "the return to A is a new version";
    auto st = state();
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("soporte@proveedor-externo.com"));
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("otro@proveedor-externo.com"));

    say(1, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{1, "done"}}));
    st = state();
    EXPECT_TRUE(members(st, "mantenimiento@tarmexico.com").count("soporte@proveedor-externo.com"));
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("otro@proveedor-externo.com"));
}

// Two terminations are approved and their deletes scheduled. Before the deletes are due one
// person is rehired at the same address (a new account) and the other's account is enabled
// again. When the deletes come due (the daemon's clock is its own: the steps' due time is
// moved into the past while it is stopped), neither account is deleted and the tasks say so.
TEST_F(Safety, AScheduledDeleteSparesARehiredOrReenabledAccount) {
    seed_requests(
        {termination("pedro.gomez@tarmexico.com"), termination("juan.perez@tarmexico.com")});
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"}, {2, "awaiting_approval"}}));
    say(1, 7, "/aprobar");
    say(2, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{1, "done"}, {2, "done"}}));
    auto st = state();
    ASSERT_FALSE(user(st, "pedro.gomez@tarmexico.com")->at("status").as_bool());
    ASSERT_FALSE(user(st, "juan.perez@tarmexico.com")->at("status").as_bool());
    const auto old_pedro = zuid(st, "pedro.gomez@tarmexico.com");
    const auto old_juan = zuid(st, "juan.perez@tarmexico.com");
    auto pending = schedule();
    ASSERT_EQ(pending.size(), 2u);
    for (const auto& s : pending)
        ASSERT_EQ(s.state, store::ScheduleState::pending);
    // The answers of the terminations have landed (the task is completed after its comment).
    ASSERT_TRUE(wait_until([&] { return status(state(), 1) == "5" && status(state(), 2) == "5"; },
                           "the terminations' answers"));
    const std::map<int, std::size_t> answered{{1, comments_of(1).size()},
                                              {2, comments_of(2).size()}};
    const auto notes_before = notifications(state()).size();
    EXPECT_EQ(stop_daemon(), 0);

    // 30 days and a minute later in the sandbox; the rehire and the return.
    control("POST", "clock", R"({"advance_seconds":2592060})");
    auto rehired = control("POST", "zoho/users",
                           R"({"primaryEmailAddress":"pedro.gomez@tarmexico.com",)"
                           R"("firstName":"Pedro","lastName":"Gómez","replace":true})");
    ASSERT_TRUE(rehired.as_object().contains("user")) << json::serialize(rehired);
    auto back = control("POST", "zoho/users/juan.perez@tarmexico.com", R"({"enabled":true})");
    ASSERT_TRUE(back.as_object().contains("user")) << json::serialize(back);
    st = state();
    const auto new_pedro = zuid(st, "pedro.gomez@tarmexico.com");
    ASSERT_NE(new_pedro, old_pedro);
    ASSERT_EQ(zuid(st, "juan.perez@tarmexico.com"), old_juan);
    store_sql("UPDATE scheduled_steps SET due_at = created_at WHERE state = 'pending'");

    start_daemon();
    ASSERT_TRUE(wait_until(
        [&] {
            auto s = schedule();
            return !s.empty() && std::none_of(s.begin(), s.end(), [](const auto& x) {
                return x.state == store::ScheduleState::pending;
            });
        },
        "the scheduled deletes to be handled"));
    // Their answers: one comment each about the scheduled step.
    ASSERT_TRUE(wait_until(
        [&] {
            return comments_of(1).size() > answered.at(1) && comments_of(2).size() > answered.at(2);
        },
        "the scheduled steps' comments"));

    st = state();
    EXPECT_EQ(zuid(st, "pedro.gomez@tarmexico.com"), new_pedro)
        << "the rehired account was deleted";
    EXPECT_EQ(zuid(st, "juan.perez@tarmexico.com"), old_juan)
        << "the re-enabled account was deleted";
    EXPECT_EQ(route_count(st, "DELETE /api/organization/{zoid}/accounts"), 0);
    const std::map<int, std::string> address{{1, "pedro.gomez@tarmexico.com"},
                                             {2, "juan.perez@tarmexico.com"}};
    for (int id : {1, 2}) {
        auto now = comments_of(id);
        ASSERT_EQ(now.size(), answered.at(id) + 1) << "task " << id << ": one new comment";
        const auto& said = now.back();
        EXPECT_EQ(said.author, 1);
        EXPECT_EQ(said.text.find("completado"), std::string::npos)
            << "the answer reads as if " << address.at(id)
            << " had been deleted, but a live account holds the address: " << said.text;
        EXPECT_NE(said.text.find(address.at(id)), std::string::npos)
            << "the comment names the account: " << said.text;
    }
    // IT is told about both (private notes to the approvers, after the restart; they land
    // after the comments).
    std::set<std::string> told;
    wait_until(
        [&] {
            told.clear();
            auto notes = notifications(state());
            for (auto i = notes_before; i < notes.size(); ++i)
                if (notes[i].user == 7 || notes[i].user == 8)
                    for (const char* task : {"#1", "#2"})
                        if (notes[i].text.find(task) != std::string::npos)
                            told.insert(task);
            return told.size() == 2;
        },
        "notes to IT about both tasks");
    EXPECT_EQ(told, (std::set<std::string>{"#1", "#2"}));
}

// The only private delivery of a reset password fails for good (the portal answers `false`,
// as for a user who cannot receive it): the ticket fails with a note for IT, the approvers
// are told, and the password is not reset again.
TEST_F(Safety, AnUndeliverablePasswordFailsTheTicketWithOneReset) {
    seed_requests({password_reset("luis.martinez@tarmexico.com")});
    start_sandbox(seed_);
    // The private notification goes first in the batch that also carries the done comment and
    // the completion (issue 11): the portal refuses it there, so the batch stops (halt=1).
    auto f =
        control("POST", "faults",
                R"({"route":"/rest/*batch*","kind":"status","count":1,"status":200,)"
                R"("body":{"result":{"result":[],"result_error":{"c0":{"error":"USER_ID_EMPTY",)"
                R"("error_description":"the notification was refused"}},"result_total":[],)"
                R"("result_next":[],"result_time":[]}}})");
    ASSERT_TRUE(f.as_object().contains("ids")) << json::serialize(f);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "failed"}}));
    // A later task that touches no account, to show the daemon kept cycling.
    int later = add_task(add_member("comercial@tarmexico.com", "jorge.ramirez@tarmexico.com"));
    ASSERT_TRUE(wait_for({{later, "done"}}));
    ASSERT_TRUE(wait_until([&] { return daemon_comments_with(1, "Detalle para TI") > 0; },
                           "the failure comment"));
    ASSERT_TRUE(wait_until(
        [&] {
            int n = 0;
            for (const auto& x : notifications(state()))
                n += (x.user == 7 || x.user == 8) ? 1 : 0;
            return n >= 2;
        },
        "the notes to the approvers"));

    EXPECT_EQ(tickets()[1], "failed");
    auto st = state();
    EXPECT_NE(last_reset(st, "luis.martinez@tarmexico.com"), -1);
    EXPECT_EQ(route_count(st, "PUT /api/organization/{zoid}/accounts/{id}"), 1)
        << "the password was reset more than once";
    EXPECT_EQ(daemon_comments_with(1, "Detalle para TI"), 1);
    std::set<int> told;
    for (const auto& n : notifications(st)) {
        EXPECT_NE(n.user, 12) << "a password reached the requester after the failure";
        if (n.text.find("#1") != std::string::npos)
            told.insert(n.user);
    }
    EXPECT_EQ(told, (std::set<int>{7, 8}));
}

// Two people with the same name: a hire for "Laura Méndez" when laura.mendez@ exists, and a
// hire for "Rosa Díaz" just after IT made rosa.diaz@ for another Rosa Díaz in the console
// (the daemon's directory cache does not know it yet). Neither existing account is adopted:
// its password is not reset, it gets no new groups, and no password about it is sent.
TEST_F(Safety, AHireNeverAdoptsAnAccountOfTheSameName) {
    seed_requests({hire("Laura", "Méndez", "Comercial")});
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_resting({1}));  // the directory is loaded and cached by now
    EXPECT_NE(tickets()[1], "done") << "a hire for an existing name ran without approval";

    auto made = control("POST", "zoho/users",
                        R"({"primaryEmailAddress":"rosa.diaz@tarmexico.com",)"
                        R"("firstName":"Rosa","lastName":"Díaz"})");
    ASSERT_TRUE(made.as_object().contains("user")) << json::serialize(made);
    const auto rosa = zuid(state(), "rosa.diaz@tarmexico.com");
    int hire_id = add_task(hire("Rosa", "Díaz", "Comercial"));
    ASSERT_TRUE(wait_resting({1, hire_id}));
    // Its answer has landed (every resting state is answered with a comment).
    ASSERT_TRUE(wait_until(
        [&] { return daemon_comments_with(hire_id, "hrmaild:" + std::to_string(hire_id)) > 0; },
        "the answer on the hire"));

    auto st = state();
    for (const char* address : {"laura.mendez@tarmexico.com", "rosa.diaz@tarmexico.com"}) {
        EXPECT_EQ(last_reset(st, address), -1) << address << "'s password was reset";
        EXPECT_EQ(to_requester_about(st, address), 0)
            << "a password for " << address << " was sent";
        EXPECT_FALSE(members(st, "comercial@tarmexico.com").count(address)) << address;
    }
    EXPECT_FALSE(members(st, "todos@tarmexico.com").count("rosa.diaz@tarmexico.com"));
    EXPECT_EQ(zuid(st, "rosa.diaz@tarmexico.com"), rosa);
    EXPECT_EQ(route_count(st, "PUT /api/organization/{zoid}/accounts/{id}"), 0)
        << "some account's password was reset";
    EXPECT_EQ(daemon_comments_with(hire_id, "se creó la cuenta rosa.diaz@tarmexico.com"), 0)
        << "the existing rosa.diaz@ was reported as the new account";
}

}  // namespace
}  // namespace hrmaild::test
