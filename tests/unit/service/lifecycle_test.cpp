// Issue 14, effective dates: a dated termination waits until the end of its day and a dated
// hire until a few days before the start, in the organization's time zone, across restarts
// and clock moves (core::ManualClock, which starts at 2026-01-01T00:00:00Z), with date edits,
// cancellation and a crash when the time comes.
#include "tests/unit/service/service_fixture.hpp"

#include <boost/asio/detached.hpp>

namespace hrmaild::test {
namespace {

using namespace std::chrono_literals;

core::WallTime utc(int y, int mo, int d, int h, int mi) {
    return core::WallTime(
        std::chrono::seconds(core::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60));
}

class Lifecycle : public ServiceTest {
  protected:
    // The task of 04-baja.json (pedro.gomez, approval required) with another date line.
    void termination(std::int64_t id, const std::string& date_line) {
        add_fixture("04-baja.json", id);
        tickets_.tasks[id].description = "[B]Correo:[/B] pedro.gomez@tarmexico.com\n" + date_line;
    }
    // The task of 01-alta-basica.json (routine) with another start date.
    void hire(std::int64_t id, const std::string& date) {
        add_fixture("01-alta-basica.json", id);
        auto& d = tickets_.tasks[id].description;
        auto at = d.find("01/12/2025");
        ASSERT_NE(at, std::string::npos);
        d.replace(at, 10, date);
    }
    // Moves the clock to `t` (never back).
    void move_to(core::WallTime t) {
        ASSERT_GE(t, clock_.wall_now());
        clock_.advance(std::chrono::duration_cast<core::Duration>(t - clock_.wall_now()));
    }
    bool enabled(const std::string& address) {
        const auto* u = mail_.dir.find_user(address);
        return u != nullptr && u->enabled;
    }
    long applied(const std::string& op) {
        return std::count(mail_.applied.begin(), mail_.applied.end(), op);
    }
    std::size_t comments_with(std::int64_t id, const std::string& text) {
        std::size_t n = 0;
        for (const auto& c : tickets_.daemon_comments(id))
            n += c.find(text) != std::string::npos ? 1 : 0;
        return n;
    }
    std::string plan_field(std::int64_t id, const char* key) {
        auto p = store_->current_plan(id);
        EXPECT_TRUE(p && *p);
        auto v = boost::json::parse((*p)->plan_text).as_object().if_contains(key);
        return v == nullptr ? "" : boost::json::serialize(*v);
    }
};

TEST_F(Lifecycle, TerminationRunsAtTheEndOfItsDayAcrossRestarts) {
    termination(4, "[B]Fecha de baja:[/B] 15/01/2026");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    // The plan comment says when: 23:59 in Mexico City (UTC-6 in January) is 05:59Z the 16th.
    EXPECT_EQ(comments_with(4, "Se ejecutará el 15/01/2026 23:59 (America/Mexico_City), no antes"),
              1u);
    EXPECT_EQ(plan_field(4, "not_before"),
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 utc(2026, 1, 16, 5, 59).time_since_epoch())
                                 .count()));

    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::approved);
    EXPECT_TRUE(enabled("pedro.gomez@tarmexico.com"));
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "Solicitud aprobada y programada: se ejecutará el 15/01/2026 23:59"),
              1u);

    // Days pass and the daemon restarts: it still waits, and says it only once.
    move_to(utc(2026, 1, 10, 12, 0));
    run(service_->cycle());
    restart();
    run(service_->cycle());
    move_to(utc(2026, 1, 16, 5, 58));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::approved);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "Solicitud aprobada y programada"), 1u);

    // The day ends in Mexico City: the disable runs, once, and the delete counts from now.
    move_to(utc(2026, 1, 16, 5, 59));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_FALSE(enabled("pedro.gomez@tarmexico.com"));
    run(service_->cycle());
    EXPECT_EQ(applied("disable_user"), 1);
    auto scheduled = store_->scheduled_steps(4);
    ASSERT_TRUE(scheduled);
    ASSERT_EQ(scheduled->size(), 1u);
    EXPECT_EQ((*scheduled)[0].due_at, utc(2026, 1, 16, 5, 59) + std::chrono::days(30));
    EXPECT_TRUE(tickets_.completed.count(4));
}

TEST_F(Lifecycle, NoDateOrAPastDateRunsAtApproval) {
    termination(4, "[B]Fecha de baja:[/B] 20/12/2025");
    termination(5, "");
    tickets_.tasks[5].description = "[B]Correo:[/B] juan.perez@tarmexico.com";
    run(service_->cycle());
    EXPECT_EQ(comments_with(4,
                            "La fecha efectiva (20/12/2025 23:59 (America/Mexico_City)) ya "
                            "pasó: se ejecutará en cuanto se apruebe."),
              1u);
    EXPECT_EQ(plan_field(5, "not_before"), "");  // undated: hashed as before
    tickets_.comment_as(4, 7, "/aprobar");
    tickets_.comment_as(5, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_FALSE(enabled("pedro.gomez@tarmexico.com"));
    EXPECT_FALSE(enabled("juan.perez@tarmexico.com"));
}

// The forms HR writes are read, in the task as well as in the parser's own tests; an impossible
// or ambiguous date is a comment that says what is wrong, and nothing is planned.
TEST_F(Lifecycle, DatesHrWritesAreReadAndBadOnesAreExplainedInTheTask) {
    termination(4, "[B]Fecha de baja:[/B] 1º de Abril de 2031");
    termination(5, "[B]Fecha de baja:[/B] 31/02/2031");
    termination(6, "[B]Fecha de baja:[/B] 04/05/31");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_EQ(comments_with(4, "01/04/2031 23:59 (America/Mexico_City)"), 1u);
    EXPECT_EQ(state(5), TicketState::invalid);
    EXPECT_EQ(comments_with(5,
                            "«Fecha de baja»: «31/02/2031» no es una fecha que exista (el mes "
                            "2/2031 tiene 28 días)."),
              1u);
    EXPECT_EQ(state(6), TicketState::invalid);
    EXPECT_EQ(comments_with(6,
                            "«Fecha de baja»: «04/05/31» es ambigua: escriba el año con cuatro "
                            "cifras (dd/mm/aaaa)."),
              1u);
    EXPECT_EQ(applied("disable_user"), 0);
}

TEST_F(Lifecycle, EndOfDayNearMidnightUtc) {
    // 18:00 in Mexico City is exactly 00:00 UTC of the next day.
    config_.policy.end_of_day = "18:00";
    auto wf = workflow::load_workflows(config_);
    ASSERT_TRUE(wf.set) << wf.diagnostics.to_string();
    workflows_ = std::make_shared<const workflow::WorkflowSet>(std::move(*wf.set));
    make_service();
    termination(4, "[B]Fecha de baja:[/B] 31/01/2026");
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(comments_with(4, "se ejecutará el 31/01/2026 18:00 (America/Mexico_City)"), 1u);
    move_to(utc(2026, 1, 31, 23, 59));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::approved);
    move_to(utc(2026, 2, 1, 0, 0));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
}

TEST_F(Lifecycle, HrChangingTheDateNeedsANewApproval) {
    termination(4, "[B]Fecha de baja:[/B] 15/01/2026");
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::approved);
    auto first = plan_field(4, "not_before");

    // HR moves the last day to the 31st: a new plan, and the old approval does not count.
    tickets_.edit_description(4,
                              "[B]Correo:[/B] pedro.gomez@tarmexico.com\n[B]Fecha de baja:[/B] "
                              "31 de enero de 2026");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_NE(plan_field(4, "not_before"), first);
    EXPECT_EQ(comments_with(4, "Se ejecutará el 31/01/2026 23:59"), 1u);
    move_to(utc(2026, 1, 16, 6, 0));  // the old date passes: nothing runs
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
    tickets_.comment_as(4, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::approved);
    EXPECT_EQ(comments_with(4, "Solicitud aprobada y programada: se ejecutará el 31/01/2026"), 1u);
    move_to(utc(2026, 2, 1, 6, 0));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_EQ(applied("disable_user"), 1);
}

TEST_F(Lifecycle, ApproverCancelsInTheTaskAndItCancelsFromTheCli) {
    termination(4, "[B]Fecha de baja:[/B] 15/01/2026");
    hire(1, "20/01/2026");
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::approved);
    ASSERT_EQ(state(1), TicketState::approved);

    tickets_.comment_as(4, 20, "/cancelar");  // not an approver: ignored
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::approved);
    tickets_.comment_as(4, 8, "/cancelar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);
    EXPECT_EQ(comments_with(4, "Se canceló la solicitud programada para el 15/01/2026 23:59"), 1u);
    // The task is deferred: a later change to it does not plan it again behind IT's back.
    EXPECT_TRUE(tickets_.deferred.count(4));
    tickets_.edit_description(4, tickets_.tasks[4].description);
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);

    bool done = false;
    boost::asio::co_spawn(
        ioc_,
        [&]() -> service::Awaitable<void> {
            auto r = co_await service_->queue_cancel(1, "camilo");
            EXPECT_EQ(boost::json::serialize(r), R"({"id":1,"state":"cancelled"})");
            done = true;
        },
        boost::asio::detached);
    ioc_.run();
    ioc_.restart();
    ASSERT_TRUE(done);
    EXPECT_EQ(state(1), TicketState::cancelled);

    move_to(utc(2026, 2, 1, 0, 0));
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_TRUE(enabled("pedro.gomez@tarmexico.com"));
    EXPECT_FALSE(mail_.dir.find_user("mariana.torres@tarmexico.com"));
}

TEST_F(Lifecycle, HireIsCreatedDaysBeforeTheStartAndThePasswordDeliveredThen) {
    hire(1, "20/01/2026");  // created on the 17th at 00:00 in Mexico City: 06:00Z
    hire(2, "02/01/2026");  // the 17 December 2025 is past: at once
    tickets_.tasks[2].description.replace(tickets_.tasks[2].description.find("Mariana"), 7, "Rosa");
    run(service_->cycle());
    EXPECT_EQ(state(2), TicketState::done);
    ASSERT_EQ(state(1), TicketState::approved);
    EXPECT_FALSE(mail_.dir.find_user("mariana.torres@tarmexico.com"));
    EXPECT_EQ(tickets_.notifications.size(), 1u);  // rosa's only
    EXPECT_EQ(comments_with(1, "se ejecutará el 17/01/2026 00:00 (America/Mexico_City)"), 1u);

    move_to(utc(2026, 1, 17, 5, 59));
    run(service_->cycle());
    EXPECT_FALSE(mail_.dir.find_user("mariana.torres@tarmexico.com"));
    move_to(utc(2026, 1, 17, 6, 0));
    mail_.crash_after_next_apply = true;  // Zoho made the account; we die before journaling
    EXPECT_TRUE(run(service_->cycle()));
    restart();
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 1);
    EXPECT_EQ(applied("create_user"), 2);  // rosa's and mariana's, each once (then probed)
    EXPECT_TRUE(mail_.dir.is_member("operaciones@tarmexico.com", "mariana.torres@tarmexico.com"));
    ASSERT_EQ(tickets_.notifications.size(), 2u);  // mariana's password: delivered now
    EXPECT_EQ(tickets_.notifications[1].first, 12);
}

TEST_F(Lifecycle, PolicyIsCheckedAgainWhenTheDateComes) {
    termination(4, "[B]Fecha de baja:[/B] 15/01/2026");
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::approved);
    // Meanwhile the account became an administrator: protected, whoever approved.
    for (auto& u : mail_.dir.users)
        if (u.address == "pedro.gomez@tarmexico.com")
            u.role = "admin";
    move_to(utc(2026, 1, 16, 6, 0));
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::failed);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "la política ya no lo permite"), 1u);
}

}  // namespace
}  // namespace hrmaild::test
