// End to end: the real hrmaild binary against the real hrmaild-sandbox binary over loopback
// HTTP, seeded with the sample requests, with canary secrets. Every sample must reach the
// state and the Zoho effect its `expect` says; approval forgeries must fail; answers are never
// posted twice across a restart; a kill between a remote effect and its journal write leaves
// exactly one account; and no secret or generated password appears in the logs, the state
// files or any task comment.
#include "tests/e2e/e2e_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace hrmaild::test {
namespace {

// The sum of a metric's samples whose labels contain every `label="value"` pair given.
double metric_sum(const std::string& text, const std::string& name,
                  const std::vector<std::string>& labels = {}) {
    double sum = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0)
            continue;
        const auto rest = line.substr(name.size());
        if (!rest.empty() && rest[0] != '{' && rest[0] != ' ')
            continue;  // another metric with this prefix
        bool all = true;
        for (const auto& l : labels)
            all = all && rest.find(l) != std::string::npos;
        if (all)
            sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
}

// Issue 10: /metrics tells what happened. The samples run; then the daemon's counters are
// compared with what the sandbox saw and what the store holds.
TEST_F(EndToEnd, MetricsTellWhatHappened) {
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "done"},
                          {2, "done"},
                          {3, "done"},
                          {4, "awaiting_approval"},
                          {11, "invalid"},
                          {13, "rejected"},
                          {14, "awaiting_approval"}}));
    // The admin port, from the daemon's READY line.
    std::string port;
    for (int i = 0; i < 100 && port.empty(); ++i) {
        std::smatch m;
        auto log = read_file(dir_.path() / "daemon.log");
        if (std::regex_search(log, m, std::regex("DAEMON_READY admin=127\\.0\\.0\\.1:(\\d+)")))
            port = m[1];
        else
            std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(port.empty());
    const auto url = "http://127.0.0.1:" + port + "/metrics";
    // The daemon keeps polling: read the sandbox between two identical scrapes, so that no
    // call was in flight while it was read.
    std::string before, after;
    json::object st;
    bool quiet = false;
    for (int i = 0; i < 50 && !quiet; ++i) {
        before = http("GET", url);
        st = state();
        after = http("GET", url);
        quiet = metric_sum(before, "hrmaild_upstream_requests_total") ==
                metric_sum(after, "hrmaild_upstream_requests_total");
    }
    ASSERT_TRUE(quiet) << "the daemon never paused between two scrapes";
    const auto& req = st.at("requests").as_object();
    // Every request the sandbox received from the daemon was counted, per upstream.
    EXPECT_EQ(metric_sum(after, "hrmaild_upstream_requests_total", {"upstream=\"zoho\""}),
              req.at("zoho_api").to_number<double>());
    EXPECT_EQ(metric_sum(after, "hrmaild_upstream_requests_total", {"upstream=\"bitrix\""}),
              req.at("bitrix").to_number<double>());
    EXPECT_EQ(metric_sum(after, "hrmaild_remote_calls_total"),
              metric_sum(after, "hrmaild_upstream_requests_total"));
    EXPECT_EQ(metric_sum(after, "hrmaild_zoho_token_mints_total"),
              req.at("tokens_minted").to_number<double>());
    // Tickets: the state changes and the states now agree with the store.
    auto t = tickets();
    auto in_state = [&](const std::string& s) {
        return static_cast<double>(
            std::count_if(t.begin(), t.end(), [&](const auto& kv) { return kv.second == s; }));
    };
    for (const std::string s : {"done", "awaiting_approval", "invalid", "rejected"}) {
        EXPECT_EQ(metric_sum(after, "hrmaild_tickets_total", {"state=\"" + s + "\""}), in_state(s))
            << s;
        EXPECT_EQ(metric_sum(after, "hrmaild_tickets", {"state=\"" + s + "\""}), in_state(s)) << s;
    }
    EXPECT_EQ(metric_sum(after, "hrmaild_queue_depth"), in_state("awaiting_approval"));
    EXPECT_GT(metric_sum(after, "hrmaild_oldest_awaiting_approval_seconds"), 0.0);
    // Comments: what the daemon counted is what is on the tasks.
    double ours = 0;
    for (const auto& task : st.at("bitrix").at("tasks").as_array())
        if (const auto* c = task.as_object().if_contains("comments"))
            for (const auto& x : c->as_array())
                if (std::string(x.at("POST_MESSAGE").as_string()).find("ref hrmaild:") !=
                    std::string::npos)
                    ++ours;
    EXPECT_EQ(metric_sum(after, "hrmaild_service_events_total", {"event=\"comment_posted\""}),
              ours);
    // Steps: the hires made exactly the accounts now in Zoho beyond the seeded eight.
    const double users = static_cast<double>(st.at("zoho").at("users").as_array().size());
    EXPECT_EQ(
        metric_sum(after, "hrmaild_steps_total", {"op=\"create_user\"", "result=\"succeeded\""}),
        users - 8);
    EXPECT_EQ(metric_sum(after, "hrmaild_up"), 1.0);
    EXPECT_EQ(stop_daemon(), 0);
}

TEST_F(EndToEnd, EverySampleReachesItsExpectedOutcome) {
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "done"},
                          {2, "done"},
                          {3, "done"},
                          {4, "awaiting_approval"},
                          {5, "done"},
                          {6, "done"},
                          {7, "done"},
                          {8, "done"},
                          {9, "done"},
                          {10, "awaiting_approval"},
                          {11, "invalid"},
                          {12, "awaiting_approval"},
                          {13, "rejected"},
                          {14, "awaiting_approval"}}))
        << read_file(dir_.path() / "daemon.log").substr(0, 4000);

    // 08 before anything else deletes its group (the approver's own task below does).
    auto early = state();
    EXPECT_EQ(members(early, "mantenimiento-qro@tarmexico.com"),
              (std::set<std::string>{"<exists>", "luis.martinez@tarmexico.com",
                                     "jorge.ramirez@tarmexico.com"}));

    // Forgeries: a staff member, and an approver on a task they filed themselves.
    comment_as(4, 20, "/aprobar");
    comment_as(4, 12, "/aprobar");
    auto added = rest(
        "tasks.task.add",
        R"({"fields":{"TITLE":"Eliminar grupo mantenimiento-qro","TAGS":["grupo"],"CREATED_BY":8,"RESPONSIBLE_ID":1,"GROUP_ID":42,"DESCRIPTION":"[B]Acción:[/B] Eliminar grupo\n[B]Correo del grupo:[/B] mantenimiento-qro@tarmexico.com"}})");
    int own = std::stoi(std::string(added.at("result").at("task").at("id").as_string()));
    ASSERT_TRUE(wait_for({{own, "awaiting_approval"}}));
    comment_as(own, 8, "/aprobar");

    // An approval written for a plan that then changes: stop the daemon, approve 14, let HR
    // edit the task, start again. The approval predates the new plan and must not count.
    EXPECT_EQ(stop_daemon(), 0);
    comment_as(14, 7, "/aprobar");
    rest(
        "tasks.task.update",
        R"({"taskId":14,"fields":{"DESCRIPTION":"[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] mantenimiento@tarmexico.com\n[B]Agregar:[/B] otro@proveedor-externo.com"}})");
    start_daemon();
    std::this_thread::sleep_for(3s);
    auto t = tickets();
    EXPECT_EQ(t[4], "awaiting_approval");
    EXPECT_EQ(t[own], "awaiting_approval");
    EXPECT_EQ(t[14], "awaiting_approval");
    auto log = read_file(dir_.path() / "daemon.log");
    EXPECT_NE(log.find("APPROVAL_IGNORED"), std::string::npos);
    EXPECT_NE(log.find("PLAN_SUPERSEDED task=14"), std::string::npos);

    for (int id : {4, 10, 12, 14, own})
        comment_as(id, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{4, "done"}, {10, "done"}, {12, "done"}, {14, "done"}, {own, "done"}}));
    EXPECT_EQ(stop_daemon(), 0);

    auto st = state();
    // 01: routine hire.
    const auto* mariana = user(st, "mariana.torres@tarmexico.com");
    ASSERT_TRUE(mariana);
    EXPECT_EQ(mariana->at("firstName").as_string(), "Mariana");
    EXPECT_EQ(mariana->at("lastName").as_string(), "Torres Ibarra");
    EXPECT_TRUE(members(st, "operaciones@tarmexico.com").count("mariana.torres@tarmexico.com"));
    EXPECT_EQ(status(st, 1), "5");
    // 02: accents and particles.
    const auto* maria = user(st, "maria.nunez@tarmexico.com");
    ASSERT_TRUE(maria);
    EXPECT_EQ(maria->at("displayName").as_string(), "María José Núñez de la Peña");
    EXPECT_TRUE(members(st, "mantenimiento@tarmexico.com").count("maria.nunez@tarmexico.com"));
    // 03: the taken address is never touched; another one is made.
    EXPECT_EQ(users_with(st, "juan.perez@tarmexico.com"), 1);
    ASSERT_TRUE(user(st, "juan.perez.salinas@tarmexico.com"));
    EXPECT_EQ(user(st, "juan.perez@tarmexico.com")->at("lastName").as_string(), "Pérez");
    // 04: disabled, blocked, out of its groups at once; deleted later.
    const auto* pedro = user(st, "pedro.gomez@tarmexico.com");
    ASSERT_TRUE(pedro);
    EXPECT_FALSE(pedro->at("status").as_bool());
    EXPECT_TRUE(pedro->at("incomingBlocked").as_bool());
    EXPECT_FALSE(members(st, "operaciones@tarmexico.com").count("pedro.gomez@tarmexico.com"));
    EXPECT_FALSE(members(st, "todos@tarmexico.com").count("pedro.gomez@tarmexico.com"));
    // 05: display name.
    EXPECT_EQ(user(st, "ana.lopez@tarmexico.com")->at("displayName").as_string(), "Ana López Ruiz");
    // 06: group move.
    EXPECT_TRUE(members(st, "operaciones@tarmexico.com").count("luis.martinez@tarmexico.com"));
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("luis.martinez@tarmexico.com"));
    EXPECT_TRUE(members(st, "todos@tarmexico.com").count("luis.martinez@tarmexico.com"));
    // 09, 10 and the approver's own task (deleting 08's group): groups.
    EXPECT_TRUE(members(st, "operaciones@tarmexico.com").count("ana.lopez@tarmexico.com"));
    EXPECT_FALSE(members(st, "operaciones@tarmexico.com").count("juan.perez@tarmexico.com"));
    EXPECT_TRUE(members(st, "comercial@tarmexico.com").empty());
    EXPECT_TRUE(members(st, "mantenimiento-qro@tarmexico.com").empty());
    // 11: invalid, answered in Spanish, nothing made.
    EXPECT_FALSE(user(st, "ricardo@tarmexico.com"));
    auto c11 = comments(st, 11);
    ASSERT_FALSE(c11.empty());
    EXPECT_NE(c11.back().find("Apellido"), std::string::npos);
    // 12: termination by title alone.
    EXPECT_FALSE(user(st, "juan.perez@tarmexico.com")->at("status").as_bool());
    // 13: protected, refused, deferred.
    EXPECT_TRUE(user(st, "admin@tarmexico.com")->at("status").as_bool());
    EXPECT_EQ(status(st, 13), "6");
    // 14: the outside address of the plan that was approved, not of the first one.
    EXPECT_TRUE(members(st, "mantenimiento@tarmexico.com").count("otro@proveedor-externo.com"));
    EXPECT_FALSE(members(st, "mantenimiento@tarmexico.com").count("soporte@proveedor-externo.com"));

    // Every answer exactly once, across the restart.
    for (int id = 1; id <= 14; ++id) {
        std::map<std::string, int> markers;
        for (const auto& c : comments(st, id)) {
            std::smatch m;
            if (std::regex_search(c, m, std::regex("hrmaild:[0-9]+:[a-z-]+:[0-9a-f]+")))
                ++markers[m.str()];
        }
        for (const auto& [marker, n] : markers)
            EXPECT_EQ(n, 1) << marker;
        EXPECT_FALSE(markers.empty()) << "task " << id << " got no answer";
    }

    // Secrets: the canaries and every generated password stay out of logs, state and comments.
    std::vector<std::string> secrets = kCanaries;
    for (const auto& n : st.at("bitrix").at("notifications").as_array()) {
        std::string text(n.at("message").as_string());
        std::smatch m;
        if (std::regex_search(text, m, std::regex(":\\n(\\S{12,})\\n")))
            secrets.push_back(m[1]);
    }
    EXPECT_GE(secrets.size(), kCanaries.size() + 4) << "expected 4 delivered passwords";
    std::string everything = read_file(dir_.path() / "daemon.log");
    for (const auto& f : fs::directory_iterator(dir_.path() / "state"))
        everything += read_file(f.path());
    for (int id = 1; id <= 14; ++id)
        for (const auto& c : comments(st, id))
            everything += c;
    for (const auto& s : secrets)
        EXPECT_EQ(everything.find(s), std::string::npos) << "a secret leaked";
}

TEST_F(EndToEnd, StatusReportsTheSeededOrganizationAndFailsWhenUnreachable) {
    start_sandbox(seed_);
    auto r = run_process({kDaemon, "status", "--json", "--config", config_.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto s = json::parse(r.out).as_object();
    EXPECT_TRUE(s["bitrix"].at("ok").as_bool());
    EXPECT_EQ(s["bitrix"].at("user").at("id").as_int64(), 1);
    const auto& z = s["zoho"].as_object();
    EXPECT_TRUE(z.at("ok").as_bool());
    EXPECT_EQ(z.at("users").as_int64(), 8);
    EXPECT_EQ(z.at("licenses").as_int64(), 400);
    EXPECT_EQ(z.at("groups").as_int64(), 4);
    EXPECT_EQ(z.at("zoid").as_int64(), 60012345678);
    for (const auto& c : kCanaries)
        EXPECT_EQ((r.out + r.err).find(c), std::string::npos);
    sandbox_->stop(SIGTERM, 10s);
    r = run_process({kDaemon, "status", "--json", "--config", config_.string()});
    EXPECT_EQ(r.exit_code, 1);
    s = json::parse(r.out).as_object();
    EXPECT_FALSE(s["bitrix"].at("ok").as_bool());
    EXPECT_NE(std::string(s["zoho"].at("error").as_string()).find("Connection refused"),
              std::string::npos);
}

TEST_F(EndToEnd, PlanReadsTheDirectoryAndTasksFromTheServices) {
    start_sandbox(seed_);
    auto plan = [&](std::vector<std::string> args) {
        std::vector<std::string> argv{kDaemon, "plan", "--json", "--config", config_.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = run_process(argv);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out).as_object();
    };
    auto file = [&](const char* name) {
        return std::vector<std::string>{"--file", (seed_ / "requests" / name).string()};
    };
    auto p01 = plan(file("01-alta-basica.json"));
    EXPECT_EQ(p01["steps"].as_array()[0].at("params").at("email").as_string(),
              "mariana.torres@tarmexico.com");
    EXPECT_FALSE(p01["approval_required"].as_bool());
    auto p03 = plan(file("03-alta-colision.json"));
    EXPECT_EQ(json::serialize(p03["steps"]).find("\"juan.perez@tarmexico.com\""),
              std::string::npos);
    EXPECT_TRUE(plan(file("04-baja.json"))["approval_required"].as_bool());
    auto p11 = plan(file("11-incompleta.json"));
    ASSERT_FALSE(p11["errors"].as_array().empty());
    EXPECT_NE(std::string(p11["errors"].as_array()[0].as_string()).find("Apellido"),
              std::string::npos);
    EXPECT_TRUE(plan(file("13-cuenta-protegida.json"))["refused"].as_bool());
    // The same request read from the portal by id plans the same (the plan hash binds it).
    auto by_id = plan({"--task", "2"});
    auto by_file = plan(file("02-alta-acentos.json"));
    EXPECT_EQ(by_id["steps"], by_file["steps"]);
    // Planning changed nothing in Zoho.
    auto routes = state().at("requests").at("by_route").as_object();
    for (const auto& [route, n] : routes)
        EXPECT_FALSE(route.starts_with("POST /api") || route.starts_with("PUT /api") ||
                     route.starts_with("DELETE /api"))
            << route;
}

// A unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
  public:
    explicit NotifySocket(const fs::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    ~NotifySocket() { ::close(fd_); }
    // Every message received within `wait`, joined.
    std::string read(std::chrono::milliseconds wait) {
        std::string out;
        auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            char buf[4096];
            auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0)
                out.append(buf, static_cast<std::size_t>(n)).push_back('\n');
            else
                std::this_thread::sleep_for(20ms);
        }
        return out;
    }

  private:
    fs::path path_;
    int fd_ = -1;
};

TEST_F(EndToEnd, NotifiesSystemdReloadsAndKeepsTheOldWorkflowsOnABadReload) {
    start_sandbox(seed_);
    NotifySocket notify(dir_.path() / "notify.sock");
    start_daemon({{"NOTIFY_SOCKET", (dir_.path() / "notify.sock").string()}});
    auto first = notify.read(5s);
    EXPECT_NE(first.find("READY=1"), std::string::npos) << first;
    ASSERT_TRUE(wait_for({{1, "done"}}));

    // A broken workflow folder: the reload is refused, the daemon keeps working.
    auto cfg = read_file(config_);
    auto broken = dir_.path() / "broken-workflows";
    fs::create_directories(broken);
    dir_.write("broken-workflows/x.yaml",
               "name: x\nmatch: {tag: x}\nsteps:\n  - explode_user: {}\n");
    dir_.write("hrmaild.yaml",
               std::regex_replace(cfg, std::regex("dir: .*workflows"), "dir: " + broken.string()));
    ::kill(daemon_->pid(), SIGHUP);
    auto reload = notify.read(2s);
    EXPECT_NE(reload.find("RELOADING=1"), std::string::npos) << reload;
    auto log = read_file(dir_.path() / "daemon.log");
    EXPECT_NE(log.find("RELOAD_FAILED"), std::string::npos);
    EXPECT_NE(log.find("explode_user"), std::string::npos) << "the problem is named";
    EXPECT_TRUE(daemon_->running());
    // Still planning with the old workflows.
    auto added = rest(
        "tasks.task.add",
        R"({"fields":{"TITLE":"Alta Rosa Díaz","TAGS":["alta"],"CREATED_BY":12,"RESPONSIBLE_ID":1,"GROUP_ID":42,"DESCRIPTION":"[B]Nombre(s):[/B] Rosa\n[B]Apellido paterno:[/B] Díaz\n[B]Departamento:[/B] Comercial"}})");
    // (After the samples: its id is not pinned, so that adding a sample moves nothing.)
    int rosa = std::stoi(std::string(added.at("result").at("task").at("id").as_string()));
    ASSERT_TRUE(wait_for({{rosa, "done"}}));
    EXPECT_TRUE(user(state(), "rosa.diaz@tarmexico.com"));

    // A good config again: the reload succeeds.
    dir_.write("hrmaild.yaml", cfg);
    ::kill(daemon_->pid(), SIGHUP);
    notify.read(1s);
    EXPECT_NE(read_file(dir_.path() / "daemon.log").find("RELOAD_DONE"), std::string::npos);

    ::kill(daemon_->pid(), SIGTERM);
    auto stopping = notify.read(1s);
    EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
    EXPECT_EQ(daemon_->wait(15s), 0);
    daemon_.reset();
}

// Issue 14: the dated samples. The termination (15, 31 January 2031) waits for IT, then for its
// date; HR moving the date to a past day makes a new plan that runs once approved. The hire
// (16, 3 February 2031) is approved at once and waits; an approver cancels it in the task.
TEST_F(EndToEnd, DatedSamplesWaitForTheirDates) {
    // Only the dated samples (tests/fixtures/tickets/dated), as tasks 1 and 2.
    for (const auto& f : fs::directory_iterator(seed_ / "requests"))
        fs::remove(f.path());
    for (const auto& f : fs::directory_iterator(source_dir() / "tests/fixtures/tickets/dated"))
        fs::copy_file(f.path(), seed_ / "requests" / f.path().filename());
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"}, {2, "approved"}}))
        << read_file(dir_.path() / "daemon.log").substr(0, 4000);
    auto has = [&](int id, const std::string& text) {
        for (const auto& c : comments(state(), id))
            if (c.find(text) != std::string::npos)
                return true;
        return false;
    };
    auto has_eventually = [&](int id, const std::string& text) {
        for (int i = 0; i < 300 && !has(id, text); ++i)
            std::this_thread::sleep_for(100ms);
        return has(id, text);
    };
    // (An approval is read only after the plan comment: wait for it before approving.)
    ASSERT_TRUE(
        has_eventually(1, "Se ejecutará el 31/01/2031 23:59 (America/Mexico_City), no antes"));
    EXPECT_TRUE(has_eventually(
        2,
        "Solicitud aprobada y programada: se ejecutará el 31/01/2031 00:00 (America/Mexico_City)"));

    comment_as(1, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{1, "approved"}}));
    EXPECT_TRUE(
        has_eventually(1, "Solicitud aprobada y programada: se ejecutará el 31/01/2031 23:59"));
    comment_as(2, 8, "/cancelar");
    ASSERT_TRUE(wait_for({{2, "cancelled"}}));
    EXPECT_TRUE(has_eventually(2, "Se canceló la solicitud programada para el 31/01/2031 00:00"));
    auto st = state();
    EXPECT_TRUE(user(st, "laura.mendez@tarmexico.com")->at("status").as_bool());
    EXPECT_FALSE(user(st, "sofia.herrera@tarmexico.com"));

    // HR brings the last day forward to a day already past: a new plan, approved again, runs.
    rest(
        "tasks.task.update",
        R"({"taskId":1,"fields":{"DESCRIPTION":"[B]Correo:[/B] laura.mendez@tarmexico.com\n[B]Fecha de baja:[/B] 02/01/2025"}})");
    ASSERT_TRUE(wait_for({{1, "awaiting_approval"}}));
    EXPECT_TRUE(
        has_eventually(1, "La fecha efectiva (02/01/2025 23:59 (America/Mexico_City)) ya pasó"));
    comment_as(1, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{1, "done"}}));
    EXPECT_EQ(stop_daemon(), 0);
    st = state();
    EXPECT_FALSE(user(st, "laura.mendez@tarmexico.com")->at("status").as_bool());
    EXPECT_FALSE(user(st, "sofia.herrera@tarmexico.com"));
}

// Issue 14, reconciliation through the real binary: hrmaild's own work (a hire, a termination),
// then Zoho drifted by hand in the sandbox; `hrmaild reconcile --json` lists exactly the drift.
TEST_F(EndToEnd, ReconcileListsExactlyTheDrift) {
    for (const auto& f : fs::directory_iterator(seed_ / "requests"))
        if (f.path().filename() != "01-alta-basica.json" && f.path().filename() != "04-baja.json")
            fs::remove(f.path());
    start_sandbox(seed_);
    start_daemon();
    ASSERT_TRUE(wait_for({{1, "done"}, {2, "awaiting_approval"}}));
    // An approval counts only after the plan comment, which lands just after the state change.
    auto plan_shown = [&] {
        for (const auto& c : comments(state(), 2))
            if (c.find("Código del plan") != std::string::npos)
                return true;
        return false;
    };
    for (int i = 0; i < 300 && !plan_shown(); ++i)
        std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(plan_shown());
    comment_as(2, 7, "/aprobar");
    ASSERT_TRUE(wait_for({{2, "done"}}));
    std::string port;
    for (int i = 0; i < 100 && port.empty(); ++i) {
        std::smatch m;
        auto log = read_file(dir_.path() / "daemon.log");
        if (std::regex_search(log, m, std::regex("DAEMON_READY admin=127\\.0\\.0\\.1:(\\d+)")))
            port = m[1];
        else
            std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(port.empty());
    DaemonConfig c;
    c.base_url = base_;
    c.admin_listen = "127.0.0.1:" + port;
    auto cli_config = dir_.write("cli.yaml", c.yaml());
    auto reconcile = [&] {
        auto r = run_process({kDaemon, "reconcile", "--config", cli_config.string(), "--json"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out).as_object();
    };
    auto kinds = [](const json::object& report) {
        std::vector<std::string> out;
        for (const auto& f : report.at("findings").as_array())
            out.push_back(std::string(f.at("kind").as_string()) + " " +
                          std::string(f.at("address").as_string()));
        return out;
    };
    EXPECT_TRUE(kinds(reconcile()).empty());

    // By hand in Zoho: an account nobody asked for, the terminated account enabled again, an
    // account disabled with its mail still forwarded, a mailbox at 94 % and every licence used
    // (ten accounts now, ten licences).
    control(
        "POST", "zoho/users",
        R"({"primaryEmailAddress":"intruso@tarmexico.com","firstName":"In","lastName":"Truso"})");
    control("POST", "zoho/users/pedro.gomez@tarmexico.com", R"({"enabled":true})");
    control("POST", "zoho/users/camilo.luna@tarmexico.com",
            R"({"enabled":false,"mailForward":["camilo.personal@gmail.com"]})");
    control("POST", "zoho/users/luis.martinez@tarmexico.com", R"({"usedStorage":29000})");
    control("POST", "config", R"({"zoho":{"license_count":10}})");
    auto report = reconcile();
    EXPECT_EQ(kinds(report), (std::vector<std::string>{
                                 "created_outside intruso@tarmexico.com",
                                 "disabled_forwarding camilo.luna@tarmexico.com", "licences_high ",
                                 "mailbox_storage_high luis.martinez@tarmexico.com",
                                 "scheduled_delete_changed pedro.gomez@tarmexico.com",
                                 "terminated_enabled pedro.gomez@tarmexico.com"}))
        << json::serialize(report);
    const std::string text(report.at("text").as_string());
    EXPECT_NE(text.find("6 diferencia(s)"), std::string::npos) << text;
    EXPECT_NE(text.find("• camilo.luna@tarmexico.com: cuenta desactivada que todavía reenvía su "
                        "correo a camilo.personal@gmail.com."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• Licencias: 10 de 10 en uso (100 %)."), std::string::npos) << text;
    EXPECT_NE(text.find("• luis.martinez@tarmexico.com: el buzón usa 28.3 de 30.0 GB (94 %)."),
              std::string::npos)
        << text;
    // The text form, as IT reads it.
    auto plain = run_process({kDaemon, "reconcile", "--config", cli_config.string()});
    EXPECT_EQ(plain.exit_code, 0) << plain.err;
    std::cout << "--- hrmaild reconcile, as IT reads it ---\n" << plain.out;
    // Plain text, a finding a line (not a JSON string with its quotes and \n escapes).
    EXPECT_TRUE(plain.out.starts_with("Conciliación de Zoho Mail con hrmaild (")) << plain.out;
    EXPECT_NE(plain.out.find("\n• intruso@tarmexico.com: "), std::string::npos) << plain.out;
    EXPECT_NE(plain.out.find("pedro.gomez@tarmexico.com: se dio de baja en la tarea #2 y está "
                             "activa de nuevo."),
              std::string::npos)
        << plain.out;
    // Nothing was changed.
    EXPECT_TRUE(user(state(), "pedro.gomez@tarmexico.com")->at("status").as_bool());
    EXPECT_EQ(stop_daemon(), 0);
}

TEST_F(EndToEnd, KillBetweenCreateAndJournalLeavesExactlyOneAccount) {
#if !HRMAILD_TEST_HOOKS
    GTEST_SKIP()
        << "the crash hook needs a build with HRMAILD_TEST_HOOKS (release builds have none)";
#endif
    // Only the routine hire.
    for (const auto& f : fs::directory_iterator(seed_ / "requests"))
        if (f.path().filename() != "01-alta-basica.json")
            fs::remove(f.path());
    start_sandbox(seed_);
    start_daemon({{"HRMAILD_TEST_CRASH_AFTER_APPLY", "create_user"}});
    EXPECT_EQ(daemon_->wait(60s), 86) << read_file(dir_.path() / "daemon.log");
    daemon_.reset();
    auto before = state();
    EXPECT_EQ(users_with(before, "mariana.torres@tarmexico.com"), 1);
    EXPECT_EQ(tickets()[1], "executing");

    start_daemon();
    ASSERT_TRUE(wait_for({{1, "done"}}));
    EXPECT_EQ(stop_daemon(), 0);
    auto st = state();
    EXPECT_EQ(users_with(st, "mariana.torres@tarmexico.com"), 1);
    auto routes = st.at("requests").at("by_route").as_object();
    EXPECT_EQ(routes.at("POST /api/organization/{zoid}/accounts").to_number<int>(), 1)
        << "the account must be created once";
    // The memberships rode on the create (groupMailList, issue 11), so the crash came after
    // them too: on restart each of the three steps is probed on its own and none is repeated.
    const std::string mariana = "mariana.torres@tarmexico.com";
    EXPECT_EQ(members(before, "operaciones@tarmexico.com").count(mariana), 1u);
    EXPECT_EQ(members(before, "todos@tarmexico.com").count(mariana), 1u);
    EXPECT_EQ(members(st, "operaciones@tarmexico.com").count(mariana), 1u);
    EXPECT_EQ(members(st, "todos@tarmexico.com").count(mariana), 1u);
    for (const auto& [route, n] : routes)
        EXPECT_FALSE(std::string_view(route).starts_with("PUT /api/organization/{zoid}/groups"))
            << route << " " << n.to_number<int>() << ": no membership call after the create";
    const auto log = read_file(dir_.path() / "daemon.log");
    std::size_t probed = 0;
    for (auto at = log.find("STEP_PROBED"); at != std::string::npos;
         at = log.find("STEP_PROBED", at + 1))
        ++probed;
    EXPECT_EQ(probed, 3u) << log;
    // The first password died with the process; a new one was set and delivered once.
    int delivered = 0;
    for (const auto& n : st.at("bitrix").at("notifications").as_array())
        if (n.at("user_id").to_number<int>() == 12)
            ++delivered;
    EXPECT_EQ(delivered, 1);
    EXPECT_EQ(comments(st, 1).size(), 1u);
}

}  // namespace
}  // namespace hrmaild::test
