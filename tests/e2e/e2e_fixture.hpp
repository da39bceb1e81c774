#pragma once
// The fixture shared by the end-to-end tests: the real hrmaild binary against the real
// hrmaild-sandbox binary over loopback HTTP, seeded from tests/fixtures/tickets with canary
// secrets, each in its own temporary folder.
#include "daemon/store/sqlite_store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sandbox_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hrmaild::test {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

inline const std::string kDaemon = HRMAILD_BIN;
inline const std::string kSandbox = HRMAILD_SANDBOX_BIN;

// Canary secrets: each must never be seen outside the files that hold it.
inline const std::vector<std::string> kCanaries = {
    "canary-webhook-7f3a91", "canary-apptoken-19c2e4", "canary-client-secret-55d1",
    "1000.canary-refresh-99b7", "canary-admin-token-42aa"};

class EndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        seed_ = dir_.path() / "seed";
        fs::create_directories(seed_ / "requests");
        auto fixtures = source_dir() / "tests/fixtures/tickets";
        for (const auto& f : fs::directory_iterator(fixtures / "requests"))
            fs::copy_file(f.path(), seed_ / "requests" / f.path().filename());
        auto portal = json::parse(read_file(fixtures / "portal.json")).as_object();
        portal["webhook"].as_object()["secret"] = kCanaries[0];
        portal["outgoing_application_token"] = kCanaries[1];
        dir_.write("seed/portal.json", json::serialize(portal));
        auto org = json::parse(read_file(fixtures / "org.json")).as_object();
        org["oauth"].as_object()["client_secret"] = kCanaries[2];
        org["oauth"].as_object()["refresh_token"] = kCanaries[3];
        dir_.write("seed/org.json", json::serialize(org));
        dir_.write("secrets/webhook", kCanaries[0]);
        dir_.write("secrets/apptoken", kCanaries[1]);
        dir_.write("secrets/client", kCanaries[2]);
        dir_.write("secrets/refresh", kCanaries[3]);
        dir_.write("secrets/admin", kCanaries[4]);
    }

    void start_sandbox(const fs::path& seed) {
        sandbox_ = std::make_unique<SandboxProcess>(kSandbox, seed, dir_.path());
        ASSERT_TRUE(sandbox_->ready()) << sandbox_->log();
        base_ = sandbox_->base_url();
        // Generous limits: the test checks behaviour, not the services' budgets.
        control(
            "POST", "config",
            R"({"bitrix":{"bucket_burst":1000,"bucket_drain_per_sec":100},"zoho":{"requests_per_minute":0}})");
        write_config();
    }

    void write_config() {
        DaemonConfig c;
        c.base_url = base_;
        c.application_token_file = "secrets/apptoken";
        c.approver_department = 2;
        c.protected_accounts = "[admin@tarmexico.com, camilo.luna@tarmexico.com]";
        c.log_level = "debug";
        c.retry = "  base_delay: 100ms\n  max_delay: 1s\n";
        config_ = dir_.write("hrmaild.yaml", c.yaml());
    }

    void start_daemon(std::map<std::string, std::string> env = {}) {
        std::vector<std::string> argv{kDaemon,           "run", "--config", config_.string(),
                                      "--poll-interval", "0.3", "--drain",  "5"};
        if (!since_.empty())
            argv.insert(argv.end(), {"--since", since_});
        daemon_ =
            std::make_unique<BackgroundProcess>(argv, (dir_.path() / "daemon.log").string(), env);
    }

    int stop_daemon() {
        int code = daemon_->stop(SIGTERM, 15s);
        daemon_.reset();
        return code;
    }

    std::string http(const std::string& method, const std::string& url,
                     const std::string& body = {}) {
        return curl(method, url, body);
    }
    json::value control(const std::string& method, const std::string& what,
                        const std::string& body = {}) {
        return sandbox_->control(method, what, body);
    }
    json::value rest(const std::string& method, const std::string& body) {
        return json::parse(
            http("POST", base_ + "/rest/1/" + kCanaries[0] + "/" + method + ".json", body));
    }
    void comment_as(int task, int author, const std::string& text) {
        json::object fields{{"POST_MESSAGE", text}, {"AUTHOR_ID", author}};
        rest("task.commentitem.add",
             json::serialize(json::object{{"TASKID", task}, {"FIELDS", fields}}));
    }

    // Ticket states as the daemon stored them (read-only beside the running daemon).
    std::map<std::int64_t, std::string> tickets() {
        store::SqliteOptions o;
        o.path = dir_.path() / "state/hrmaild.db";
        o.read_only = true;
        std::map<std::int64_t, std::string> out;
        auto s = store::SqliteStore::open(o);
        if (!s)
            return out;
        if (auto list = (*s)->list_tickets({}, 10000))
            for (const auto& t : *list)
                out[t.task_id] = std::string(store::to_string(t.state));
        return out;
    }

    // Waits until every ticket in `want` has its state (others are not looked at).
    bool wait_for(const std::map<std::int64_t, std::string>& want,
                  std::chrono::seconds limit = 90s) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            auto t = tickets();
            bool all = true;
            for (const auto& [id, st] : want)
                if (t[id] != st)
                    all = false;
            if (all)
                return true;
            std::this_thread::sleep_for(200ms);
        }
        auto t = tickets();
        for (const auto& [id, st] : want)
            ADD_FAILURE() << "task " << id << " is '" << t[id] << "', expected '" << st << "'";
        return false;
    }

    json::object state() { return control("GET", "state").as_object(); }

    static const json::object* user(const json::object& st, const std::string& address) {
        for (const auto& u : st.at("zoho").at("users").as_array())
            if (u.at("primaryEmailAddress").as_string() == address)
                return &u.as_object();
        return nullptr;
    }
    static int users_with(const json::object& st, const std::string& address) {
        int n = 0;
        for (const auto& u : st.at("zoho").at("users").as_array())
            if (u.at("primaryEmailAddress").as_string() == address)
                ++n;
        return n;
    }
    static std::set<std::string> members(const json::object& st, const std::string& group) {
        std::set<std::string> out;
        for (const auto& g : st.at("zoho").at("groups").as_array()) {
            if (g.at("emailId").as_string() != group)
                continue;
            for (const auto& m : g.at("mailGroupMemberList").as_array())
                out.insert(std::string(m.at("memberEmailId").as_string()));
            out.insert("<exists>");
        }
        return out;
    }
    static const json::object& task(const json::object& st, int id) {
        for (const auto& t : st.at("bitrix").at("tasks").as_array())
            if (t.at("id").as_string() == std::to_string(id))
                return t.as_object();
        throw std::runtime_error("no task " + std::to_string(id));
    }
    static std::vector<std::string> comments(const json::object& st, int id) {
        std::vector<std::string> out;
        const auto& t = task(st, id);
        if (const auto* c = t.if_contains("comments"))
            for (const auto& x : c->as_array())
                out.emplace_back(x.at("POST_MESSAGE").as_string());
        return out;
    }
    static std::string status(const json::object& st, int id) {
        const auto& s = task(st, id).at("status");
        return s.is_string() ? std::string(s.as_string()) : std::to_string(s.to_number<int>());
    }

    TempDir dir_;
    // The samples were filed just before the daemon's first start: treat them as new (a first
    // start otherwise queues every earlier task for approval; tested in safety_e2e_test.cpp).
    // Empty: no --since, the daemon sets its own horizon.
    std::string since_ = "2000-01-01T00:00:00+00:00";
    fs::path seed_, config_;
    std::string base_;
    std::unique_ptr<SandboxProcess> sandbox_;
    std::unique_ptr<BackgroundProcess> daemon_;
};

}  // namespace hrmaild::test
