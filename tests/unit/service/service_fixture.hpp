#pragma once
/// The service test fixture: the shipped workflows and sandbox config, the sample org in a
/// FakeMail, a FakeTickets portal, a real SQLite store in a temporary folder and a manual
/// clock. Shared by the service's test files.
#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/store/sqlite_store.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/service/fakes.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace hrmaild::test {

using service::Service;
using store::TicketState;

class ServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto loaded = config::load_config(source_dir() / "config/sandbox.yaml");
        ASSERT_TRUE(loaded.config) << loaded.diagnostics.to_string();
        config_ = *loaded.config;
        auto wf = workflow::load_workflows(config_);
        ASSERT_TRUE(wf.set) << wf.diagnostics.to_string();
        workflows_ = std::make_shared<const workflow::WorkflowSet>(std::move(*wf.set));
        std::string error;
        auto dir = workflow::directory_from_json(
            read_file(source_dir() / "tests/fixtures/tickets/org.json"), error);
        ASSERT_TRUE(dir) << error;
        mail_.dir = *dir;
        tickets_.departments[2] = {1, 7, 8};
        open_store();
        make_service();
    }

    void open_store() {
        service_.reset();
        store_.reset();
        store::SqliteOptions o;
        o.path = dir_.path() / "state.db";
        auto s = store::SqliteStore::open(o);
        ASSERT_TRUE(s) << s.error().describe();
        store_ = std::move(*s);
    }

    void make_service(bool dry_run = false,
                      std::chrono::seconds overlap = std::chrono::seconds(120)) {
        service::ServiceOptions o = options_;
        o.poll_overlap = overlap;
        o.approvers = {7, 8};
        o.approver_department = 2;
        o.daemon_user_id = 1;
        o.dry_run = dry_run;
        o.observer = &observer_;
        o.generate_password = [this](const domain::Operation&) {
            return Secret("Canary-Pass-" + std::to_string(++passwords_made_) + "-xQ7!");
        };
        service_ = std::make_unique<Service>(clock_, *store_, tickets_, mail_, workflows_, o);
    }

    // Runs a coroutine to completion; a SimulatedCrash (the process "dies") is reported.
    bool run(service::Awaitable<void> a) {
        bool crashed = false;
        std::exception_ptr failure;
        boost::asio::co_spawn(ioc_, std::move(a), [&](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const SimulatedCrash&) {
                crashed = true;
            } catch (...) {
                failure = std::current_exception();
            }
        });
        ioc_.run();
        ioc_.restart();
        if (failure)
            std::rethrow_exception(failure);
        return crashed;
    }

    // Simulates a restart: a new store connection and a new service, same files.
    void restart() {
        open_store();
        make_service();
    }

    void add_fixture(const std::string& name, std::int64_t id) {
        std::string error;
        auto t = workflow::task_from_json(
            read_file(source_dir() / "tests/fixtures/tickets/requests" / name), error);
        ASSERT_TRUE(t) << error;
        t->id = id;
        tickets_.add_task(*t);
    }

    TicketState state(std::int64_t id) {
        auto t = store_->get_ticket(id);
        EXPECT_TRUE(t && *t);
        return t && *t ? (*t)->state : TicketState::new_;
    }

    int users_named(const std::string& address) {
        return static_cast<int>(std::count_if(mail_.dir.users.begin(), mail_.dir.users.end(),
                                              [&](const auto& u) { return u.address == address; }));
    }

    /// The state of a ticket, or `new_` when the store has none.
    TicketState state_or_new(std::int64_t id) {
        auto t = store_->get_ticket(id);
        return t && *t ? (*t)->state : TicketState::new_;
    }

    /// How many times Zoho was asked for `op`.
    long applied_count(const std::string& op) {
        return std::count(mail_.applied.begin(), mail_.applied.end(), op);
    }

    /// The current plan's hash.
    std::string plan_hash(std::int64_t id) {
        auto p = store_->current_plan(id);
        return p && *p ? (*p)->plan_hash : std::string();
    }

    service::ServiceOptions options_;  ///< the base a test may change before make_service()
    CountingObserver observer_;        ///< what the service reported
    TempDir dir_;
    config::Config config_;
    std::shared_ptr<const workflow::WorkflowSet> workflows_;
    std::unique_ptr<store::SqliteStore> store_;
    core::ManualClock clock_;
    FakeTickets tickets_;
    FakeMail mail_;
    std::unique_ptr<Service> service_;
    boost::asio::io_context ioc_;
    int passwords_made_ = 0;
};

}  // namespace hrmaild::test
