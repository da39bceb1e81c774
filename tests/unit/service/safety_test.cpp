// The safety rules of issue 9 on the service's state machine (fakes and a real SQLite store):
// only open tasks, a first start that never runs the past, approvals bound to the newest plan
// comment and never by the requester, at most one password reset, answers that always land,
// no ticket left without a way forward, dry-run plans that never run later, and waiting plans
// re-validated when the directory changes.
#include "tests/unit/service/service_fixture.hpp"

namespace hrmaild::test {
namespace {

class SafetyTest : public ServiceTest {
  protected:
    /// The daemon's comments on a task that carry `needle`.
    int comments_with(std::int64_t id, std::string_view needle) {
        int n = 0;
        for (const auto& c : tickets_.daemon_comments(id))
            if (c.find(needle) != std::string::npos)
                ++n;
        return n;
    }
};

// Finding 1: a task HR completed (or deferred) is never planned or run.
TEST_F(SafetyTest, ClosedTasksAreNeverTakenIn) {
    add_fixture("07-contrasena.json", 7);
    tickets_.set_status(7, 5);  // completed before hrmaild ever saw it
    add_fixture("09-grupo-miembros.json", 9);
    tickets_.set_status(9, 6);  // deferred
    run(service_->cycle());
    EXPECT_FALSE(store_->get_ticket(7).value());
    EXPECT_FALSE(store_->get_ticket(9).value());
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_TRUE(tickets_.notifications.empty());
    EXPECT_EQ(observer_.events[service::Event::closed_skipped], 2);
}

// Finding 1: completing or deferring a waiting task withdraws its plan, with one comment; an
// approval typed afterwards runs nothing.
TEST_F(SafetyTest, ClosingAWaitingTaskCancelsItsPlan) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.set_status(4, 6);
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);
    EXPECT_EQ(comments_with(4, "se retiró"), 1);
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "se retiró"), 1);
    EXPECT_FALSE(tickets_.completed.count(4));

    // HR reopens it: a fresh plan, shown again, approved again.
    tickets_.set_status(4, 2);
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.comment_as(4, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_EQ(applied_count("disable_user"), 1);
}

// Hostile corpus (issue 13): a waiting task moved out of the HR project is no HR request any
// more. The poll no longer sees it, but an approval typed afterwards still arrives: the task is
// read again before an approved plan runs, and the plan is withdrawn instead. Moved back, it is
// planned again.
TEST_F(SafetyTest, AWaitingTaskMovedOutOfTheProjectNeverRuns) {
    tickets_.project = 42;
    options_.project_id = 42;
    make_service();
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.move_to(4, 43);
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "salió del proyecto"), 1);
    EXPECT_FALSE(tickets_.completed.count(4));

    tickets_.move_to(4, 42);
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.comment_as(4, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
}

// Hostile corpus (issue 13): the creator becomes the approver between the poll and the reading
// of comments, and that approver approves at once. The approval was checked against the
// requester recorded with the plan; the task is read again before the plan runs, so the new
// creator makes a new plan version that the old approval does not cover.
TEST_F(SafetyTest, ACreatorChangedJustBeforeTheApprovalMakesANewPlan) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    const auto first = plan_hash(4);
    tickets_.after_poll = [this] {
        tickets_.set_creator(4, 7);
        tickets_.comment_as(4, 7, "/aprobar");
    };
    run(service_->cycle());
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_NE(plan_hash(4), first);
    EXPECT_TRUE(mail_.applied.empty());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval) << "the creator approved their own task";
    EXPECT_TRUE(mail_.applied.empty());
}

// Hostile corpus (issue 13): an approver files a task, then makes HR its creator: whoever was the
// requester of any plan of the task never approves it.
TEST_F(SafetyTest, AFormerRequesterCannotApprove) {
    add_fixture("04-baja.json", 4);
    tickets_.set_creator(4, 7);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.set_creator(4, 12);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    ASSERT_EQ(store_->plans_for(4).value().size(), 2u);
    run(service_->cycle());  // the new plan's comment lands
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval) << "the task's first requester approved it";
    EXPECT_TRUE(mail_.applied.empty());
    tickets_.comment_as(4, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
}

// Finding 1: a plan already executing finishes once; its answer says the task was closed.
TEST_F(SafetyTest, ATaskClosedWhileExecutingFinishesOnceAndSaysSo) {
    add_fixture("06-cambio-departamento.json", 6);
    mail_.fail_next_retryable = 1;
    run(service_->cycle());
    ASSERT_EQ(state(6), TicketState::executing);
    tickets_.set_status(6, 5);
    run(service_->cycle());  // reads the close while backing off
    clock_.advance(std::chrono::minutes(2));
    run(service_->cycle());
    EXPECT_EQ(state(6), TicketState::done);
    EXPECT_EQ(comments_with(6, "la tarea se cerró mientras"), 1);
    EXPECT_EQ(tickets_.complete_calls, 0);  // HR closed it already
}

// Finding 1: with an empty store, an open task filed before the first start waits for an
// approver with the reason; one filed after it runs as usual.
TEST_F(SafetyTest, AFirstStartNeverRunsThePast) {
    std::string error;
    auto old = workflow::task_from_json(
        read_file(source_dir() / "tests/fixtures/tickets/requests/07-contrasena.json"), error);
    ASSERT_TRUE(old);
    old->id = 70;
    old->created_date = "2025-06-01T09:00:00-06:00";  // before the first start (2026-01-01)
    tickets_.add_task(*old);
    add_fixture("05-cambio-nombre.json", 5);  // created 2026-11-28: after it
    log::CaptureSink sink;
    run(service_->cycle());
    EXPECT_EQ(state(70), TicketState::awaiting_approval);
    EXPECT_EQ(applied_count("reset_password"), 0);
    EXPECT_EQ(comments_with(70, "antes de que hrmaild empezara"), 1);
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_TRUE(sink.has_event("INTAKE_FIRST_START"));
    auto plan = store_->current_plan(70);
    ASSERT_TRUE(plan && *plan);
    EXPECT_NE((*plan)->reasons.find("antes de que hrmaild"), std::string::npos);
    // A restart keeps the horizon: the old task is still not automatic.
    restart();
    run(service_->cycle());
    EXPECT_EQ(state(70), TicketState::awaiting_approval);
}

// `--since` moves the horizon back: tasks filed after it are routine.
TEST_F(SafetyTest, SinceChoosesTheHorizon) {
    options_.since = "2025-01-01T00:00:00+00:00";
    make_service();
    std::string error;
    auto old = workflow::task_from_json(
        read_file(source_dir() / "tests/fixtures/tickets/requests/07-contrasena.json"), error);
    ASSERT_TRUE(old);
    old->id = 70;
    old->created_date = "2025-06-01T09:00:00-06:00";
    tickets_.add_task(*old);
    run(service_->cycle());
    EXPECT_EQ(state(70), TicketState::done);
}

// Finding 4: A → B → A posts a new plan comment each time, and an approval written under B's
// comment does not approve the return to A.
TEST_F(SafetyTest, EditBackToAnEarlierPlanShowsItAgainBeforeItCanBeApproved) {
    add_fixture("14-dominio-externo.json", 14);
    const auto a_text = tickets_.tasks[14].description;
    run(service_->cycle());
    ASSERT_EQ(state(14), TicketState::awaiting_approval);
    const auto plan_a = plan_hash(14);
    tickets_.edit_description(
        14,
        "[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] "
        "mantenimiento@tarmexico.com\n[B]Agregar:[/B] otro@proveedor-externo.com");
    run(service_->cycle());
    ASSERT_NE(plan_hash(14), plan_a);
    tickets_.comment_as(14, 7, "/aprobar");  // under B's comment
    tickets_.edit_description(14, a_text);   // back to A before the approval is read
    run(service_->poll());
    EXPECT_EQ(plan_hash(14), plan_a);
    run(service_->cycle());
    EXPECT_EQ(state(14), TicketState::awaiting_approval);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(14, "Código del plan"), 3);
    // The newest comment shows A's code; an approval after it runs A.
    EXPECT_NE(tickets_.daemon_comments(14).back().find(plan_a.substr(0, 12)), std::string::npos);
    tickets_.comment_as(14, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(14), TicketState::done);
    EXPECT_TRUE(
        mail_.dir.is_member("mantenimiento@tarmexico.com", "soporte@proveedor-externo.com"));
    EXPECT_FALSE(mail_.dir.is_member("mantenimiento@tarmexico.com", "otro@proveedor-externo.com"));
}

// Finding 5: `/aprobar` with anything after it is not an approval, and the approver is told.
TEST_F(SafetyTest, AConditionalApprovalIsNotAnApproval) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar cuando RH confirme");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(comments_with(4, "No se tomó como aprobación"), 1);
}

// Finding 6: the requester recorded with the plan cannot approve, even when the task cannot
// be read any more; an unknown requester fails closed.
TEST_F(SafetyTest, TheRequesterCheckFailsClosed) {
    add_fixture("10-grupo-baja.json", 10);
    tickets_.tasks[10].created_by = 8;
    run(service_->cycle());
    ASSERT_EQ(state(10), TicketState::awaiting_approval);
    restart();                 // nothing of the task is remembered in memory
    tickets_.tasks.erase(10);  // and Bitrix cannot show it now
    tickets_.comment_as(10, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(10), TicketState::awaiting_approval);

    add_fixture("04-baja.json", 4);
    tickets_.tasks[4].created_by = 0;  // the requester is unknown
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_TRUE(mail_.applied.empty());
}

// Finding 14: a command comment is read once, also across a restart.
TEST_F(SafetyTest, ACommandIsNeverAppliedTwiceAcrossARestart) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    tickets_.comment_as(4, 20, "/aprobar");  // not an approver: ignored, and remembered
    log::CaptureSink first;
    run(service_->cycle());
    EXPECT_TRUE(first.has_event("APPROVAL_IGNORED"));
    restart();
    log::CaptureSink second;
    run(service_->cycle());
    EXPECT_FALSE(second.has_event("APPROVAL_IGNORED"));
    auto comments = tickets_.comment_log[4];
    EXPECT_TRUE(store_->command_seen(4, comments.back().id).value());
}

// Finding 7: a password that cannot be delivered ends the ticket failed, with IT told; there is
// never a second reset.
TEST_F(SafetyTest, AnUndeliverablePasswordFailsTheTicketAfterOneReset) {
    add_fixture("07-contrasena.json", 7);
    tickets_.fail_next_notifications = 1;
    tickets_.notification_failure = core::ErrorKind::permanent;
    run(service_->cycle());
    EXPECT_EQ(state(7), TicketState::failed);
    for (int i = 0; i < 3; ++i) {
        clock_.advance(std::chrono::hours(2));
        run(service_->cycle());
    }
    EXPECT_EQ(applied_count("reset_password"), 1);
    EXPECT_EQ(comments_with(7, "Detalle para TI"), 1);
    // Both approvers were told (the failed delivery to the requester is not among them).
    EXPECT_EQ(tickets_.notifications.size(), 2u);
    for (const auto& [user, text] : tickets_.notifications)
        EXPECT_EQ(text.find("Canary-Pass"), std::string::npos);
}

// Finding 7: a delivery that keeps failing retryably re-sends the SAME password, a bounded
// number of times, then fails; Zoho is asked for one reset only.
TEST_F(SafetyTest, RetryableDeliveryFailuresNeverMakeNewPasswords) {
    add_fixture("07-contrasena.json", 7);
    tickets_.fail_next_notifications = 100;
    for (int i = 0; i < 12; ++i) {
        run(service_->cycle());
        clock_.advance(std::chrono::hours(2));
    }
    EXPECT_EQ(state(7), TicketState::failed);
    EXPECT_EQ(applied_count("reset_password"), 1);
    EXPECT_EQ(passwords_made_, 1);
}

// Finding 7 (restart): the password of a reset died with the process; it is not reset again.
TEST_F(SafetyTest, AResetWhosePasswordDiedIsNotRepeated) {
    add_fixture("07-contrasena.json", 7);
    tickets_.fail_next_notifications = 1;  // retryable; the password is held in memory...
    run(service_->cycle());
    ASSERT_EQ(state(7), TicketState::executing);
    restart();  // ...and dies with the process
    clock_.advance(std::chrono::hours(2));
    run(service_->cycle());
    EXPECT_EQ(state(7), TicketState::failed);
    EXPECT_EQ(applied_count("reset_password"), 1);
    EXPECT_EQ(comments_with(7, "no se restablece dos veces"), 1);
}

// Finding 8: an account that already exists at the planned address and was not made by an
// earlier attempt of ours is not adopted, and no password is set on it.
TEST_F(SafetyTest, AStrangerAtThePlannedAddressIsNotAdopted) {
    add_fixture("01-alta-basica.json", 1);
    tickets_.tasks[1].created_by = 99;  // not a listed requester: waits for approval
    options_.requester_ids = {12};
    make_service();
    run(service_->cycle());
    ASSERT_EQ(state(1), TicketState::awaiting_approval);
    // IT makes the account in the console meanwhile; the waiting plan is not re-validated yet
    // because the directory the daemon holds is the one it planned on.
    tickets_.comment_as(1, 7, "/aprobar");
    domain::DirectoryUser stranger;
    stranger.address = "mariana.torres@tarmexico.com";
    stranger.first_name = "Mariana";
    stranger.last_name = "Torres Ibarra";
    mail_.dir.users.push_back(stranger);
    run(service_->read_approvals());
    run(service_->execute_ready());
    EXPECT_EQ(state(1), TicketState::failed);
    EXPECT_EQ(applied_count("create_user"), 0);
    EXPECT_EQ(applied_count("reset_password"), 0);
    EXPECT_TRUE(
        tickets_.notifications.empty() ||
        std::none_of(tickets_.notifications.begin(), tickets_.notifications.end(),
                     [](const auto& n) { return n.second.find("Canary") != n.second.npos; }));
}

// Who may request: a task from someone outside policy.requesters is never automatic, and its
// password is never delivered to them.
TEST_F(SafetyTest, ARequesterOutsideTheListWaitsAndGetsNoPassword) {
    options_.requester_ids = {12};
    make_service();
    add_fixture("07-contrasena.json", 7);
    tickets_.tasks[7].created_by = 30;
    run(service_->cycle());
    EXPECT_EQ(state(7), TicketState::awaiting_approval);
    EXPECT_EQ(applied_count("reset_password"), 0);
    tickets_.comment_as(7, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(7), TicketState::failed);
    EXPECT_EQ(applied_count("reset_password"), 0);  // refused before touching the account
    for (const auto& n : tickets_.notifications)
        EXPECT_NE(n.first, 30);
}

// Finding 10: an answer that could not be posted is posted later, once; the task is completed
// only after it.
TEST_F(SafetyTest, AnAnswerThatFailedIsPostedLaterOnce) {
    add_fixture("05-cambio-nombre.json", 5);
    tickets_.fail_next_comments = 2;
    run(service_->cycle());
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_TRUE(tickets_.daemon_comments(5).empty());
    EXPECT_EQ(tickets_.complete_calls, 0);
    run(service_->cycle());
    EXPECT_EQ(tickets_.daemon_comments(5).size(), 1u);
    EXPECT_EQ(tickets_.complete_calls, 1);
    run(service_->cycle());
    EXPECT_EQ(tickets_.daemon_comments(5).size(), 1u);
    EXPECT_EQ(tickets_.complete_calls, 1);
}

// Finding 10: a crash right after the state change, before the answer, loses nothing.
TEST_F(SafetyTest, ACrashAfterTheStateChangeStillAnswersOnce) {
    add_fixture("05-cambio-nombre.json", 5);
    tickets_.crash_before_next_comment = true;
    EXPECT_TRUE(run(service_->cycle()));
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_TRUE(tickets_.daemon_comments(5).empty());
    restart();
    run(service_->cycle());
    EXPECT_EQ(tickets_.daemon_comments(5).size(), 1u);
    EXPECT_EQ(tickets_.complete_calls, 1);
    EXPECT_EQ(applied_count("update_display_name"), 1);
}

// Finding 10: a crash between recording a plan and deciding on it leaves `planned`; the next
// pass moves it on.
TEST_F(SafetyTest, APlannedTicketIsPickedUpAfterACrash) {
    add_fixture("04-baja.json", 4);
    // What the crashed process left: a plan recorded, the ticket planned, nothing posted.
    auto task = tickets_.tasks[4];
    auto a = service::assess(*workflows_, task, mail_.dir);
    ASSERT_EQ(a.kind, service::Assessment::Kind::planned);
    ASSERT_TRUE(store_->upsert_ticket(4, a.workflow, task.changed_date));
    store::NewPlan np;
    np.task_id = 4;
    np.plan_hash = a.plan_hash;
    np.plan_text = a.plan_text;
    np.approval_required = true;
    np.decision = store::PlanDecision::approval;
    np.messages = service::messages_to_json(a.messages);
    np.requester = 12;
    ASSERT_TRUE(store_->record_plan(np));
    store::TicketTransition t;
    t.task_id = 4;
    t.to = TicketState::planned;
    t.actor = "daemon";
    ASSERT_TRUE(store_->transition_ticket(t));
    // The task itself does not change again.
    make_service();
    run(service_->execute_ready());
    run(service_->settle_answers());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_EQ(comments_with(4, "Código del plan"), 1);
}

// Finding 14: a plan made under dry-run never runs when dry-run is switched off; a fresh plan
// needs an approval.
TEST_F(SafetyTest, ADryRunPlanNeverRunsLater) {
    make_service(/*dry_run=*/true);
    add_fixture("05-cambio-nombre.json", 5);
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
    make_service(/*dry_run=*/false);
    run(service_->cycle());
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(state(5), TicketState::awaiting_approval);
    EXPECT_EQ(comments_with(5, "modo de prueba (policy.dry_run); uno nuevo"), 1);
    tickets_.comment_as(5, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_EQ(applied_count("update_display_name"), 1);
}

// Finding 13: a waiting plan whose group was deleted meanwhile is withdrawn with the true
// reason, on the next pass, not when a poll happens to read the task again.
TEST_F(SafetyTest, AWaitingPlanIsRevalidatedWhenTheDirectoryChanges) {
    options_.requester_ids = {12};
    make_service();
    add_fixture("09-grupo-miembros.json", 9);
    tickets_.tasks[9].created_by = 30;  // waits for approval
    run(service_->cycle());
    ASSERT_EQ(state(9), TicketState::awaiting_approval);
    std::erase_if(mail_.dir.groups,
                  [](const auto& g) { return g.address == "operaciones@tarmexico.com"; });
    run(service_->cycle());
    EXPECT_EQ(state(9), TicketState::invalid);
    auto last = tickets_.daemon_comments(9).back();
    EXPECT_NE(last.find("Zoho Mail cambió"), std::string::npos) << last;
    EXPECT_NE(last.find("operaciones@tarmexico.com"), std::string::npos) << last;
    EXPECT_EQ(last.find("Corrija"), std::string::npos) << last;
    tickets_.comment_as(9, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
}

// The plan comment's marker is found only in the daemon's own comments.
TEST_F(SafetyTest, AQuotedPlanMarkerDoesNotOpenTheApproval) {
    options_.requester_ids = {12};
    make_service();
    add_fixture("07-contrasena.json", 7);
    tickets_.tasks[7].created_by = 30;
    tickets_.fail_next_comments = 2;  // the plan comment is not posted this pass
    run(service_->cycle());
    ASSERT_EQ(state(7), TicketState::awaiting_approval);
    auto plan = store_->current_plan(7).value();
    ASSERT_TRUE(plan);
    // Someone pastes the marker the plan comment will carry, then approves under it.
    auto marker = service::make_marker(7, "plan", fmt::format("{}-{}", plan->id, plan->plan_hash));
    tickets_.comment_as(7, 30, service::with_marker("copia", marker));
    tickets_.comment_as(7, 7, "/aprobar");
    run(service_->read_approvals());
    EXPECT_EQ(state(7), TicketState::awaiting_approval);
}

// Finding 3: a scheduled delete never touches an account that took the address after the
// planned one was removed (a rehire); it fails safe and IT is told.
TEST_F(SafetyTest, AScheduledDeleteSparesARehire) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::done);
    // Pedro's account goes away meanwhile; Pedro is hired again at the same address.
    std::erase_if(mail_.dir.users,
                  [](const auto& u) { return u.address == "pedro.gomez@tarmexico.com"; });
    domain::DirectoryUser again;
    again.address = "pedro.gomez@tarmexico.com";
    again.first_name = "Pedro";
    again.last_name = "Gómez";
    again.zuid = "424242";
    again.account_id = "535353";
    mail_.dir.users.push_back(again);
    const auto told_before = tickets_.notifications.size();
    clock_.advance(std::chrono::days(31));
    run(service_->cycle());
    EXPECT_EQ(users_named("pedro.gomez@tarmexico.com"), 1);
    EXPECT_EQ(applied_count("delete_user"), 0);
    EXPECT_EQ(comments_with(4, "recontratación"), 1);
    EXPECT_EQ(tickets_.notifications.size(), told_before + 2);  // approvers 7 and 8
    auto scheduled = store_->scheduled_steps(4).value();
    ASSERT_EQ(scheduled.size(), 1u);
    EXPECT_EQ(scheduled[0].state, store::ScheduleState::done);
}

}  // namespace
}  // namespace hrmaild::test
