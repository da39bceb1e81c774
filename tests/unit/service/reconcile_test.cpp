// Issue 14, reconciliation: a drifted organization (changed by hand after hrmaild's work) gives
// exactly the expected findings, in Spanish for IT and as JSON; nothing is changed; the daily
// run tells the approvers once per set of findings, or keeps one Bitrix report task up to date.
#include "daemon/service/reconcile.hpp"
#include "tests/unit/service/service_fixture.hpp"

#include <boost/asio/detached.hpp>

namespace hrmaild::test {
namespace {

// Zoho's forwards, licences and storage as a test sets them.
struct FakeUsage : service::ReconcileSource {
    service::OrgUsage facts;
    bool down = false;
    int reads = 0;
    service::Awaitable<service::Outcome<service::OrgUsage>> usage() override {
        ++reads;
        if (down)
            co_return service::port_error(core::ErrorKind::retryable, "Zoho is down");
        co_return facts;
    }
};

// Bitrix tasks as tasks.task.list / add / update see them.
struct FakeReportTasks : service::ReportTasks {
    struct Stored {
        std::int64_t id = 0;
        int status = 2;
        service::ReportTaskFields fields;
    };
    std::vector<Stored> tasks;
    std::int64_t next_id = 500;
    int adds = 0, updates = 0, lists = 0;
    bool lose_next_add_answer = false;  // the task is made, the answer never arrives

    service::Awaitable<service::Outcome<std::vector<service::ReportTask>>> with_tag(
        std::string tag) override {
        ++lists;
        std::vector<service::ReportTask> out;
        for (const auto& t : tasks)
            if (t.fields.tag == tag)
                out.push_back({t.id, t.status, t.fields.description});
        co_return out;
    }
    service::Awaitable<service::Outcome<std::int64_t>> add(
        const service::ReportTaskFields& fields) override {
        ++adds;
        tasks.push_back({next_id++, 2, fields});
        if (lose_next_add_answer) {
            lose_next_add_answer = false;
            auto e = service::port_error(core::ErrorKind::retryable, "connection reset");
            e.outcome_unknown = true;
            co_return e;
        }
        co_return tasks.back().id;
    }
    service::Awaitable<service::Outcome<void>> update(
        std::int64_t id, const service::ReportTaskFields& fields) override {
        for (auto& t : tasks)
            if (t.id == id) {
                ++updates;
                t.fields = fields;
                co_return service::Outcome<void>{};
            }
        co_return service::port_error(core::ErrorKind::permanent,
                                      "Action on the task is not allowed");
    }
    [[nodiscard]] const Stored* find(std::int64_t id) const {
        for (const auto& t : tasks)
            if (t.id == id)
                return &t;
        return nullptr;
    }
};

class Reconcile : public ServiceTest {
  protected:
    void SetUp() override {
        ServiceTest::SetUp();
        // The sample org as Zoho's reads show it: no forwards, room in licences and storage.
        usage_.facts.licences =
            service::Usage{static_cast<std::int64_t>(mail_.dir.users.size()), 400};
        usage_.facts.storage_mb = service::Usage{2048, 10240};
        usage_.facts.mailboxes = {{"camilo.luna@tarmexico.com", 1024, 30720}};
        options_.reconcile_source = &usage_;
        make_service();
    }
    boost::json::object reconcile_now() {
        boost::json::object out;
        boost::asio::co_spawn(
            ioc_,
            [&]() -> service::Awaitable<void> {
                out = (co_await service_->reconcile_now()).as_object();
            },
            boost::asio::detached);
        ioc_.run();
        ioc_.restart();
        return out;
    }
    static std::vector<std::string> kinds(const boost::json::object& report) {
        std::vector<std::string> out;
        for (const auto& f : report.at("findings").as_array())
            out.push_back(std::string(f.at("kind").as_string()) + " " +
                          std::string(f.at("address").as_string()));
        return out;
    }
    domain::DirectoryUser* user(const std::string& address) {
        for (auto& u : mail_.dir.users)
            if (u.address == address)
                return &u;
        return nullptr;
    }
    std::int64_t now_ms() {
        return store::to_millis(store::Timestamp(
            std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.wall_now())));
    }
    FakeUsage usage_;
    FakeReportTasks report_tasks_;
};

TEST_F(Reconcile, ADriftedOrganizationGivesExactlyTheExpectedFindings) {
    // hrmaild's own work: a hire, two terminations (deletes scheduled in 30 days).
    add_fixture("01-alta-basica.json", 1);
    add_fixture("04-baja.json", 4);
    add_fixture("12-sin-etiqueta.json", 12);
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    tickets_.comment_as(12, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(1), TicketState::done);
    ASSERT_EQ(state(4), TicketState::done);
    ASSERT_EQ(state(12), TicketState::done);
    auto clean = reconcile_now();
    EXPECT_TRUE(clean.at("findings").as_array().empty()) << boost::json::serialize(clean);
    EXPECT_NE(std::string(clean.at("text").as_string()).find("sin diferencias"), std::string::npos);

    // The drift, made by hand in Zoho 32 days later (without a cycle, so that the deletes
    // due on day 30 have not run): an account nobody asked for, a terminated account enabled
    // again, a disabled account left in a group.
    clock_.advance(std::chrono::days(32));
    domain::DirectoryUser intruder;
    intruder.address = "intruso@tarmexico.com";
    intruder.first_name = "In";
    intruder.last_name = "Truso";
    intruder.role = "member";
    intruder.zuid = "990001";
    intruder.account_id = "990002";
    intruder.created_at_ms = now_ms() - 2 * 86400000LL;
    mail_.dir.users.push_back(intruder);
    user("pedro.gomez@tarmexico.com")->enabled = true;
    user("ana.lopez@tarmexico.com")->enabled = false;  // still in her groups
    ASSERT_TRUE(mail_.dir.is_member("todos@tarmexico.com", "ana.lopez@tarmexico.com"));
    user("mariana.torres@tarmexico.com")->created_at_ms = now_ms() - 86400000LL;  // ours
    // Ana, disabled, still forwards her mail; a forward on an enabled account is no finding.
    usage_.facts.forwards["ana.lopez@tarmexico.com"] = {"ana.personal@gmail.com", ""};
    usage_.facts.forwards["camilo.luna@tarmexico.com"] = {"camilo@gmail.com"};
    // Licences, the organization's storage and one mailbox at 90 % or more; another mailbox
    // just under.
    usage_.facts.licences = service::Usage{370, 400};                           // 92 %
    usage_.facts.storage_mb = service::Usage{9728, 10240};                      // 95 %
    usage_.facts.mailboxes = {{"camilo.luna@tarmexico.com", 29184, 30720},      // 95 %
                              {"mariana.torres@tarmexico.com", 27647, 30720}};  // 89.99 %

    auto applied = mail_.applied;
    auto report = reconcile_now();
    EXPECT_EQ(kinds(report), (std::vector<std::string>{
                                 "created_outside intruso@tarmexico.com",
                                 "disabled_forwarding ana.lopez@tarmexico.com",
                                 "disabled_in_groups ana.lopez@tarmexico.com",
                                 "licences_high ",
                                 "mailbox_storage_high camilo.luna@tarmexico.com",
                                 "past_scheduled_delete juan.perez@tarmexico.com",
                                 "scheduled_delete_changed pedro.gomez@tarmexico.com",
                                 "storage_high ",
                                 "terminated_enabled pedro.gomez@tarmexico.com",
                             }))
        << boost::json::serialize(report);
    EXPECT_EQ(mail_.applied, applied);  // it changes nothing
    const std::string text(report.at("text").as_string());
    EXPECT_NE(text.find("Conciliación de Zoho Mail con hrmaild (01/02/2026): 9 diferencia(s)."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• ana.lopez@tarmexico.com: cuenta desactivada que todavía reenvía su "
                        "correo a ana.personal@gmail.com, un destino que Zoho no nombra."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• Licencias: 370 de 400 en uso (92 %)."), std::string::npos) << text;
    EXPECT_NE(text.find("• Almacenamiento de la organización: 9.5 de 10.0 GB usados (95 %)."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• camilo.luna@tarmexico.com: el buzón usa 28.5 de 30.0 GB (95 %)."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• intruso@tarmexico.com: cuenta creada el 30/01/2026 fuera de hrmaild"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("• pedro.gomez@tarmexico.com: se dio de baja en la tarea #4 y está activa "
                        "de nuevo."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("la cuenta se volvió a activar"), std::string::npos) << text;
    EXPECT_NE(text.find("• juan.perez@tarmexico.com: debía eliminarse el "), std::string::npos)
        << text;
    EXPECT_NE(text.find("Este reporte no cambia nada"), std::string::npos) << text;

    // A rehire: juan's planned account is gone and the address is someone else's now.
    auto* juan = user("juan.perez@tarmexico.com");
    juan->zuid = "990003";
    auto again = kinds(reconcile_now());
    EXPECT_NE(
        std::find(again.begin(), again.end(), "scheduled_delete_changed juan.perez@tarmexico.com"),
        again.end());
}

TEST_F(Reconcile, AFailedReadOfForwardsLicencesAndStorageFailsTheRun) {
    usage_.down = true;
    boost::json::object out;
    std::string error;
    boost::asio::co_spawn(
        ioc_,
        [&]() -> service::Awaitable<void> {
            try {
                co_await service_->reconcile_now();
            } catch (const service::CommandError& e) {
                error = e.code();
            }
        },
        boost::asio::detached);
    ioc_.run();
    ioc_.restart();
    EXPECT_EQ(error, "usage_unavailable");  // not a report that says "no differences"
}

TEST_F(Reconcile, TheScheduledReportIsOneBitrixTaskUpdatedInPlace) {
    options_.reconcile_interval = std::chrono::hours(24);
    options_.report_tasks = &report_tasks_;
    options_.report_responsible = 7;
    options_.report_project = 5;
    make_service();
    run(service_->cycle());  // the first start: the clock starts
    // Someone else's task with the same tag is never taken for the report.
    report_tasks_.tasks.push_back({90, 2, {"Otra", "sin marca", 8, 5, "hrmaild-conciliacion"}});
    domain::DirectoryUser intruder;
    intruder.address = "intruso@tarmexico.com";
    intruder.role = "member";
    intruder.zuid = "990001";
    intruder.created_at_ms = now_ms();
    mail_.dir.users.push_back(intruder);
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    ASSERT_EQ(report_tasks_.adds, 1);
    const auto id = report_tasks_.tasks.back().id;
    const auto* task = report_tasks_.find(id);
    EXPECT_EQ(task->fields.responsible_id, 7);
    EXPECT_EQ(task->fields.project_id, 5);
    EXPECT_EQ(task->fields.tag, "hrmaild-conciliacion");
    EXPECT_EQ(task->fields.title,
              "Conciliación de Zoho Mail con hrmaild (01/01/2026): 1 "
              "diferencia(s)");
    EXPECT_NE(task->fields.description.find("intruso@tarmexico.com: cuenta creada"),
              std::string::npos);
    EXPECT_TRUE(service::has_marker(task->fields.description, "hrmaild:0:reconcile:report"))
        << task->fields.description;
    EXPECT_TRUE(tickets_.notifications.empty());  // the task, not private notifications
    // The console's copy names the task.
    auto latest = service_->last_report();
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->at("task").as_int64(), id);
    EXPECT_EQ(latest->at("findings").as_array().size(), 1u);

    // New findings the next day: the same task, updated.
    user("ana.lopez@tarmexico.com")->enabled = false;
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.adds, 1);
    EXPECT_EQ(report_tasks_.updates, 1);
    EXPECT_NE(report_tasks_.find(id)->fields.title.find("2 diferencia(s)"), std::string::npos);
    // The same findings: nothing is written.
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.updates, 1);
    // Drift resolved: the task says so (it listed findings that are gone).
    user("ana.lopez@tarmexico.com")->enabled = true;
    mail_.dir.users.pop_back();
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.updates, 2);
    EXPECT_NE(report_tasks_.find(id)->fields.description.find("sin diferencias"),
              std::string::npos);
    EXPECT_EQ(report_tasks_.adds, 1);
}

TEST_F(Reconcile, AReportTaskWhoseAnswerWasLostIsFoundByItsMarkerNotMadeTwice) {
    options_.reconcile_interval = std::chrono::hours(24);
    options_.report_tasks = &report_tasks_;
    options_.report_responsible = 7;
    make_service();
    run(service_->cycle());
    domain::DirectoryUser intruder;
    intruder.address = "intruso@tarmexico.com";
    intruder.role = "member";
    intruder.zuid = "990001";
    intruder.created_at_ms = now_ms();
    mail_.dir.users.push_back(intruder);
    // tasks.task.add lands but its answer is lost (as a kill right after it would leave it).
    report_tasks_.lose_next_add_answer = true;
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    ASSERT_EQ(report_tasks_.tasks.size(), 1u);
    // A restart, a day later: the task is found by its tag and marker and updated, not added.
    restart();
    options_.reconcile_interval = std::chrono::hours(24);
    clock_.advance(std::chrono::hours(24));
    make_service();
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.adds, 1);
    EXPECT_EQ(report_tasks_.tasks.size(), 1u);
    EXPECT_EQ(report_tasks_.updates, 1);
    EXPECT_GE(report_tasks_.lists, 2);
    // Deleted by a person: the next report makes a new one (found nowhere by its marker).
    report_tasks_.tasks.clear();
    user("ana.lopez@tarmexico.com")->enabled = false;
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.adds, 2);
    EXPECT_EQ(report_tasks_.tasks.size(), 1u);
    // IT completed it: left alone; the next new findings go to a new task.
    report_tasks_.tasks.front().status = 5;
    user("pedro.gomez@tarmexico.com")->enabled = false;
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    EXPECT_EQ(report_tasks_.adds, 3);
    EXPECT_EQ(report_tasks_.tasks.size(), 2u);
}

TEST_F(Reconcile, TheDailyRunTellsTheApproversOncePerSetOfFindings) {
    options_.reconcile_interval = std::chrono::hours(24);
    make_service();
    run(service_->cycle());  // the first start: no report, the clock starts
    EXPECT_TRUE(tickets_.notifications.empty());
    domain::DirectoryUser intruder;
    intruder.address = "intruso@tarmexico.com";
    intruder.role = "member";
    intruder.zuid = "990001";
    intruder.created_at_ms = now_ms();
    mail_.dir.users.push_back(intruder);
    run(service_->cycle());
    EXPECT_TRUE(tickets_.notifications.empty());  // not a day yet
    clock_.advance(std::chrono::hours(24));
    run(service_->cycle());
    ASSERT_EQ(tickets_.notifications.size(), 2u);  // approvers 7 and 8
    EXPECT_EQ(tickets_.notifications[0].first, 7);
    EXPECT_NE(tickets_.notifications[0].second.find("intruso@tarmexico.com: cuenta creada"),
              std::string::npos);
    clock_.advance(std::chrono::hours(24));
    restart();
    options_.reconcile_interval = std::chrono::hours(24);
    make_service();
    run(service_->cycle());
    EXPECT_EQ(tickets_.notifications.size(), 2u);  // the same findings: not sent again
}

}  // namespace
}  // namespace hrmaild::test
