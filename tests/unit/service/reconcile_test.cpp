// Issue 14, reconciliation: a drifted organization (changed by hand after hrmaild's work) gives
// exactly the expected findings, in Spanish for IT and as JSON; nothing is changed; the daily
// run tells the approvers once per set of findings.
#include "tests/unit/service/service_fixture.hpp"

#include <boost/asio/detached.hpp>

namespace hrmaild::test {
namespace {

class Reconcile : public ServiceTest {
  protected:
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

    auto applied = mail_.applied;
    auto report = reconcile_now();
    EXPECT_EQ(kinds(report), (std::vector<std::string>{
                                 "created_outside intruso@tarmexico.com",
                                 "disabled_in_groups ana.lopez@tarmexico.com",
                                 "past_scheduled_delete juan.perez@tarmexico.com",
                                 "scheduled_delete_changed pedro.gomez@tarmexico.com",
                                 "terminated_enabled pedro.gomez@tarmexico.com",
                             }))
        << boost::json::serialize(report);
    EXPECT_EQ(mail_.applied, applied);  // it changes nothing
    const std::string text(report.at("text").as_string());
    EXPECT_NE(text.find("Conciliación de Zoho Mail con hrmaild (01/02/2026): 5 diferencia(s)."),
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
