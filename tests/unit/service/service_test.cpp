// The service's state machine over in-memory ports, a real SQLite store and the shipped
// workflows: routine work, approvals and their forgeries, superseded plans, crashes between a
// remote effect and its journal write, and secrets kept out of the store.
#include "daemon/workflow/plan_json.hpp"
#include "tests/unit/service/service_fixture.hpp"

#include <fmt/format.h>

namespace hrmaild::test {
namespace {

TEST_F(ServiceTest, RoutineHireRunsAndAnswers) {
    add_fixture("01-alta-basica.json", 1);
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 1);
    ASSERT_TRUE(mail_.dir.find_group("operaciones@tarmexico.com"));
    EXPECT_TRUE(mail_.dir.is_member("operaciones@tarmexico.com", "mariana.torres@tarmexico.com"));
    EXPECT_TRUE(tickets_.completed.count(1));
    // The password went privately to the requester (user 12) and nowhere else.
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_EQ(tickets_.notifications[0].first, 12);
    EXPECT_NE(tickets_.notifications[0].second.find("Canary-Pass-1-xQ7!"), std::string::npos);
    auto comments = tickets_.daemon_comments(1);
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_NE(comments[0].find("mariana.torres@tarmexico.com"), std::string::npos);
    EXPECT_EQ(comments[0].find("Canary-Pass"), std::string::npos);
    // What the service reported is what happened (the daemon's metrics come from this).
    EXPECT_EQ(observer_.states[TicketState::done], 1);
    EXPECT_EQ(observer_.steps["create_user/succeeded"], 1);
    EXPECT_EQ(observer_.events[service::Event::comment_posted], 1);
    EXPECT_EQ(observer_.events[service::Event::notification_sent], 1);
    // A second cycle changes nothing and posts nothing.
    auto applied = mail_.applied;
    EXPECT_EQ(std::count(applied.begin(), applied.end(), "create_user"), 1);
    run(service_->cycle());
    EXPECT_EQ(tickets_.daemon_comments(1).size(), 1u);
    EXPECT_EQ(mail_.applied, applied);
}

TEST_F(ServiceTest, TerminationWaitsForAnApproverAndIgnoresForgeries) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_TRUE(mail_.applied.empty());
    ASSERT_EQ(tickets_.daemon_comments(4).size(), 1u);

    log::CaptureSink sink;
    tickets_.comment_as(4, 20, "/aprobar");  // staff, not an approver
    tickets_.comment_as(4, 12, "/aprobar");  // the requester
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_TRUE(sink.has_event("APPROVAL_IGNORED"));

    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    auto* pedro = mail_.dir.find_user("pedro.gomez@tarmexico.com");
    ASSERT_TRUE(pedro);  // disabled now, deleted later
    EXPECT_FALSE(pedro->enabled);
    EXPECT_FALSE(mail_.dir.is_member("operaciones@tarmexico.com", "pedro.gomez@tarmexico.com"));
    auto scheduled = store_->scheduled_steps(4);
    ASSERT_TRUE(scheduled);
    ASSERT_EQ(scheduled->size(), 1u);
    EXPECT_EQ((*scheduled)[0].op, "delete_user");
    auto approvals = store_->approvals_for(4);
    ASSERT_TRUE(approvals);
    ASSERT_EQ(approvals->size(), 1u);
    EXPECT_EQ((*approvals)[0].approver, "bitrix:7");

    // The retention period passes: the delete runs once.
    clock_.advance(std::chrono::days(31));
    run(service_->cycle());
    EXPECT_EQ(users_named("pedro.gomez@tarmexico.com"), 0);
    run(service_->cycle());
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "delete_user"), 1);
}

TEST_F(ServiceTest, RequesterWhoIsAnApproverCannotApproveTheirOwnTask) {
    add_fixture("10-grupo-baja.json", 10);
    tickets_.tasks[10].created_by = 8;
    run(service_->cycle());
    ASSERT_EQ(state(10), TicketState::awaiting_approval);
    tickets_.comment_as(10, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(10), TicketState::awaiting_approval);
    tickets_.comment_as(10, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(10), TicketState::done);
    EXPECT_FALSE(mail_.dir.find_group("comercial@tarmexico.com"));
}

// Issue 15: approvers and requesters by department share one cache, so a department that is
// both is read from Bitrix once per cache period, and again once the period is over.
TEST_F(ServiceTest, ADepartmentOfApproversAndRequestersIsReadOncePerCachePeriod) {
    options_.requester_departments = {2};
    make_service();
    add_fixture("10-grupo-baja.json", 10);
    tickets_.tasks[10].created_by = 8;  // in department 2: an allowed requester
    run(service_->cycle());
    ASSERT_EQ(state(10), TicketState::awaiting_approval);
    tickets_.comment_as(10, 7, "/aprobar");  // 7 approves through the department
    run(service_->cycle());
    EXPECT_EQ(state(10), TicketState::done);
    EXPECT_EQ(tickets_.department_reads[2], 1);
    clock_.advance(std::chrono::seconds(601));  // past approver_cache (600 s)
    add_fixture("04-baja.json", 4);
    tickets_.tasks[4].created_by = 8;
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(tickets_.department_reads[2], 2);
}

TEST_F(ServiceTest, ApprovalOfAChangedPlanDoesNotCount) {
    add_fixture("14-dominio-externo.json", 14);
    run(service_->cycle());
    ASSERT_EQ(state(14), TicketState::awaiting_approval);
    auto first = store_->current_plan(14);
    ASSERT_TRUE(first && *first);
    // HR edits the task after the plan was shown; an approval typed before the new plan
    // comment must not approve the new plan.
    tickets_.comment_as(14, 7, "/aprobar");
    tickets_.edit_description(
        14,
        "[B]Acción:[/B] Actualizar miembros\n[B]Correo del grupo:[/B] "
        "mantenimiento@tarmexico.com\n[B]Agregar:[/B] otro@proveedor-externo.com");
    run(service_->poll());  // the change is read before the approval
    auto second = store_->current_plan(14);
    ASSERT_TRUE(second && *second);
    EXPECT_NE((*first)->plan_hash, (*second)->plan_hash);
    EXPECT_EQ(state(14), TicketState::awaiting_approval);
    run(service_->cycle());
    EXPECT_EQ(state(14), TicketState::awaiting_approval);
    EXPECT_TRUE(mail_.applied.empty());
    tickets_.comment_as(14, 8, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(14), TicketState::done);
    EXPECT_TRUE(mail_.dir.is_member("mantenimiento@tarmexico.com", "otro@proveedor-externo.com"));
    EXPECT_FALSE(
        mail_.dir.is_member("mantenimiento@tarmexico.com", "soporte@proveedor-externo.com"));
}

TEST_F(ServiceTest, RejectionNeedsAReasonAndDefersTheTask) {
    add_fixture("12-sin-etiqueta.json", 12);
    run(service_->cycle());
    ASSERT_EQ(state(12), TicketState::awaiting_approval);
    tickets_.comment_as(12, 7, "/rechazar");
    run(service_->cycle());
    EXPECT_EQ(state(12), TicketState::awaiting_approval);
    tickets_.comment_as(12, 7, "/rechazar Juan sigue activo en nómina");
    run(service_->cycle());
    EXPECT_EQ(state(12), TicketState::rejected);
    EXPECT_TRUE(tickets_.deferred.count(12));
    EXPECT_TRUE(mail_.applied.empty());
    auto comments = tickets_.daemon_comments(12);
    EXPECT_NE(comments.back().find("Juan sigue activo en nómina"), std::string::npos);
}

TEST_F(ServiceTest, ProtectedAccountIsRefusedAndItIsTold) {
    add_fixture("13-cuenta-protegida.json", 13);
    run(service_->cycle());
    EXPECT_EQ(state(13), TicketState::rejected);
    EXPECT_TRUE(mail_.applied.empty());
    EXPECT_EQ(tickets_.notifications.size(), 2u);  // approvers 7 and 8
    tickets_.comment_as(13, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(13), TicketState::rejected);
    EXPECT_TRUE(mail_.applied.empty());
}

TEST_F(ServiceTest, InvalidTaskIsAnsweredOnceAndReparsedWhenEdited) {
    add_fixture("11-incompleta.json", 11);
    run(service_->cycle());
    EXPECT_EQ(state(11), TicketState::invalid);
    ASSERT_EQ(tickets_.daemon_comments(11).size(), 1u);
    run(service_->cycle());
    EXPECT_EQ(tickets_.daemon_comments(11).size(), 1u);
    tickets_.edit_description(11,
                              "[B]Nombre(s):[/B] Ricardo\n[B]Apellido paterno:[/B] Salas\n"
                              "[B]Departamento:[/B] Operaciones");
    run(service_->cycle());
    EXPECT_EQ(state(11), TicketState::done);
    EXPECT_EQ(users_named("ricardo.salas@tarmexico.com"), 1);
}

TEST_F(ServiceTest, CrashAfterCreateBeforeJournalLeavesExactlyOneAccount) {
    add_fixture("01-alta-basica.json", 1);
    mail_.crash_after_next_apply = true;  // Zoho made the account; we die before journaling
    EXPECT_TRUE(run(service_->cycle()));
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 1);
    EXPECT_EQ(state(1), TicketState::executing);
    EXPECT_TRUE(tickets_.notifications.empty());  // the password died with the process

    restart();
    log::CaptureSink sink;
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 1);
    EXPECT_TRUE(sink.has_event("STEP_PROBED"));
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "create_user"), 1);
    // A fresh password was set and delivered, since the first one was never seen by anyone.
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_NE(tickets_.notifications[0].second.find("Canary-Pass-2-xQ7!"), std::string::npos);
    EXPECT_EQ(mail_.passwords["mariana.torres@tarmexico.com"], "Canary-Pass-2-xQ7!");
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "reset_password"), 1);
}

TEST_F(ServiceTest, AHireIsOneCallWithItsMembershipsJournaledStepByStep) {
    mail_.fusing = true;
    add_fixture("01-alta-basica.json", 1);
    log::CaptureSink sink;
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    // create_user carried both memberships (department group and todos@)
    EXPECT_EQ(mail_.fused_calls, (std::vector<std::size_t>{2}));
    EXPECT_TRUE(sink.has_event("STEP_FUSED"));
    for (const auto& g : mail_.dir.groups) {
        if (g.address == "operaciones@tarmexico.com" || g.address == "todos@tarmexico.com") {
            EXPECT_EQ(
                std::count(g.members.begin(), g.members.end(), "mariana.torres@tarmexico.com"), 1)
                << g.address;
        }
    }
    // the memberships were not added again on their own
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "add_group_member"), 2);
}

TEST_F(ServiceTest, CrashAfterAFusedCallProbesEveryFoldedStep) {
    mail_.fusing = true;
    add_fixture("01-alta-basica.json", 1);
    mail_.crash_after_next_apply = true;  // the account and its groups made; nothing journaled
    EXPECT_TRUE(run(service_->cycle()));
    EXPECT_EQ(state(1), TicketState::executing);
    restart();
    log::CaptureSink sink;
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 1);
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "create_user"), 1);
    // each membership was found by its own probe, not added twice
    EXPECT_EQ(std::count(mail_.applied.begin(), mail_.applied.end(), "add_group_member"), 2);
    const auto lines = sink.lines();
    EXPECT_EQ(std::count_if(
                  lines.begin(), lines.end(),
                  [](const std::string& l) { return l.find("STEP_PROBED") != std::string::npos; }),
              3);
}

TEST_F(ServiceTest, ATerminationIsOneDisableCallYetItsPlanListsEveryStep) {
    mail_.fusing = true;
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    // What IT approves still lists each group removal on its own.
    const auto plan = tickets_.daemon_comments(4).at(0);
    EXPECT_NE(plan.find("operaciones@tarmexico.com"), std::string::npos) << plan;
    EXPECT_NE(plan.find("todos@tarmexico.com"), std::string::npos) << plan;
    const auto hash = plan_hash(4);
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::done);
    EXPECT_EQ(plan_hash(4), hash);
    // The disable (remove_groups) carried the removals before it: one call.
    EXPECT_EQ(mail_.fused_calls, (std::vector<std::size_t>{2}));
    EXPECT_EQ(applied_count("disable_user"), 1);
    EXPECT_FALSE(mail_.dir.is_member("operaciones@tarmexico.com", "pedro.gomez@tarmexico.com"));
    // Every step of the plan has its own journal entry, the folded ones naming their call.
    auto steps = workflow::plan_from_text((*store_->current_plan(4))->plan_text).steps;
    int folded = 0;
    for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
        if (steps[static_cast<std::size_t>(i)].after_days > 0)
            continue;  // the delete, scheduled
        auto rec = store_->journal_step({4, hash, i, store::StepKind::step});
        ASSERT_TRUE(rec && *rec) << "step " << i;
        EXPECT_EQ((*rec)->state, store::StepState::succeeded) << "step " << i;
        if ((*rec)->result.starts_with("in one call with step "))
            ++folded;
    }
    EXPECT_EQ(folded, 2);
}

// Issue 11: with events first, the echo of the daemon's own answers (its done comment, the
// completion) on a ticket that ended starts no pass; a task that may still need one does.
TEST_F(ServiceTest, OnlyEventsAboutTicketsThatMayChangeNeedAPass) {
    EXPECT_TRUE(service_->event_matters(1));  // unknown: a new task
    add_fixture("01-alta-basica.json", 1);
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(1), TicketState::done);
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    EXPECT_FALSE(service_->event_matters(1));
    EXPECT_TRUE(service_->event_matters(4));  // a command may have come
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::done);
    EXPECT_TRUE(service_->event_matters(4));  // its delete is scheduled: /cancelar still counts
}

// Issue 11: after a burst, the poll overlap read every finished task again (three list pages
// per poll after 100 hires). The poll now names the settled tickets so the source leaves them
// out; a ticket that may still change (waiting, invalid, a pending scheduled step) is read.
TEST_F(ServiceTest, APollLeavesTheTicketsSettledWithinItsOverlapOut) {
    add_fixture("01-alta-basica.json", 1);
    add_fixture("02-alta-acentos.json", 2);
    add_fixture("04-baja.json", 4);
    add_fixture("11-incompleta.json", 11);
    run(service_->cycle());
    ASSERT_EQ(state(1), TicketState::done);
    ASSERT_EQ(state(2), TicketState::done);
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    ASSERT_EQ(state(11), TicketState::invalid);
    const auto polls = tickets_.polls.size();
    run(service_->cycle());
    ASSERT_EQ(tickets_.polls.size(), polls + 1);
    ASSERT_TRUE(tickets_.asked_since.back().has_value());
    auto settled = tickets_.settled_asked.back();
    std::sort(settled.begin(), settled.end());
    EXPECT_EQ(settled, (std::vector<std::int64_t>{1, 2}));
    // The termination is approved and done, but its delete is scheduled: /cancelar still
    // counts, so its task is still read.
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::done);
    run(service_->cycle());
    settled = tickets_.settled_asked.back();
    std::sort(settled.begin(), settled.end());
    EXPECT_EQ(settled, (std::vector<std::int64_t>{1, 2}));
}

// Issue 11: an approved plan's task is read again before it runs, and the approved plans of
// one pass are read together (one request), not with a read each.
TEST_F(ServiceTest, ApprovedPlansOfOnePassReadTheirTasksAgainInOneRequest) {
    add_fixture("04-baja.json", 4);
    add_fixture("10-grupo-baja.json", 10);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    ASSERT_EQ(state(10), TicketState::awaiting_approval);
    tickets_.comment_as(4, 7, "/aprobar");
    tickets_.comment_as(10, 8, "/aprobar");
    tickets_.task_reads = 0;
    tickets_.read_batches.clear();
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_EQ(state(10), TicketState::done);
    EXPECT_EQ(tickets_.read_batches, (std::vector<std::vector<std::int64_t>>{{4, 10}}));
    EXPECT_EQ(tickets_.task_reads, 0);
}

// The shared read sees what a read of its own saw: a task closed after the approval was read
// is withdrawn, not run.
TEST_F(ServiceTest, ATaskClosedBeforeItsApprovedPlanRunsIsWithdrawnFromTheSharedRead) {
    add_fixture("04-baja.json", 4);
    add_fixture("10-grupo-baja.json", 10);
    run(service_->cycle());
    tickets_.comment_as(4, 7, "/aprobar");
    tickets_.comment_as(10, 8, "/aprobar");
    // HR closes task 4 right after the poll read it (its approval included).
    tickets_.after_poll = [&] { tickets_.set_status(4, 5); };
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::cancelled);
    EXPECT_EQ(state(10), TicketState::done);
    EXPECT_EQ(applied_count("disable_user"), 0);
    EXPECT_EQ(tickets_.read_batches.size(), 1u);
}

TEST_F(ServiceTest, AnAddressTakenAfterTheDirectoryWasReadEndsAsTheSameConflict) {
    // The directory is no longer read again before every create (issue 11): an address made
    // by someone else meanwhile is refused by Zoho, and HR reads the same as when the check
    // finds it.
    mail_.taken_outside.insert("mariana.torres@tarmexico.com");
    add_fixture("01-alta-basica.json", 1);
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::failed);
    EXPECT_EQ(users_named("mariana.torres@tarmexico.com"), 0);
    const auto comments = tickets_.daemon_comments(1);
    ASSERT_FALSE(comments.empty());
    EXPECT_NE(comments.back().find("ya existe una cuenta o un alias con la dirección "
                                   "mariana.torres@tarmexico.com"),
              std::string::npos)
        << comments.back();
}

TEST_F(ServiceTest, AFusedCallRefusedBeforeItsEffectIsFusedAgainOnTheRetry) {
    // A 503 (or 429) means Zoho did nothing: the retry is still one call with its riders,
    // not the create followed by each membership on its own.
    mail_.fusing = true;
    mail_.fail_next_retryable = 1;
    add_fixture("01-alta-basica.json", 1);
    run(service_->cycle());
    ASSERT_EQ(state(1), TicketState::executing);
    clock_.advance(std::chrono::minutes(5));
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(mail_.fused_calls, (std::vector<std::size_t>{2, 2}));
    EXPECT_EQ(applied_count("create_user"), 1);
    EXPECT_EQ(applied_count("add_group_member"), 2);
}

TEST_F(ServiceTest, CommentIsNotPostedTwiceAcrossARestart) {
    add_fixture("05-cambio-nombre.json", 5);
    tickets_.crash_after_next_comment = true;  // posted; we die before recording it
    EXPECT_TRUE(run(service_->cycle()));
    ASSERT_EQ(tickets_.daemon_comments(5).size(), 1u);
    restart();
    run(service_->cycle());
    EXPECT_EQ(state(5), TicketState::done);
    EXPECT_EQ(tickets_.daemon_comments(5).size(), 1u);
}

TEST_F(ServiceTest, RetryableFailureKeepsTheTicketAndRunsLater) {
    add_fixture("06-cambio-departamento.json", 6);
    mail_.fail_next_retryable = 1;
    log::CaptureSink sink;
    run(service_->cycle());
    EXPECT_EQ(state(6), TicketState::executing);
    EXPECT_TRUE(sink.has_event("TICKET_BACKOFF"));
    run(service_->cycle());  // too early: backing off
    EXPECT_EQ(state(6), TicketState::executing);
    clock_.advance(std::chrono::minutes(2));
    run(service_->cycle());
    EXPECT_EQ(state(6), TicketState::done);
    EXPECT_TRUE(mail_.dir.is_member("operaciones@tarmexico.com", "luis.martinez@tarmexico.com"));
    EXPECT_FALSE(mail_.dir.is_member("mantenimiento@tarmexico.com", "luis.martinez@tarmexico.com"));
    EXPECT_TRUE(mail_.dir.is_member("todos@tarmexico.com", "luis.martinez@tarmexico.com"));
}

TEST_F(ServiceTest, DryRunCommentsButNeverMutates) {
    make_service(/*dry_run=*/true);
    add_fixture("01-alta-basica.json", 1);
    run(service_->cycle());
    EXPECT_TRUE(mail_.applied.empty());
    ASSERT_EQ(tickets_.daemon_comments(1).size(), 1u);
    EXPECT_NE(tickets_.daemon_comments(1)[0].find("Simulación"), std::string::npos);
}

TEST_F(ServiceTest, CliApprovalBindsTheCurrentPlan) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    bool refused = false;
    auto stale = [&]() -> service::Awaitable<void> {
        try {
            co_await service_->queue_approve(4, "camilo", std::string(64, 'd'));
        } catch (const service::CommandError& e) {
            refused = e.code() == "stale_plan";
        }
    };
    run(stale());
    EXPECT_TRUE(refused);
    // A short prefix is not enough: a guessed or mistyped one must not approve anything.
    bool short_refused = false;
    auto too_short = [&]() -> service::Awaitable<void> {
        try {
            co_await service_->queue_approve(4, "camilo", plan_hash(4).substr(0, 4));
        } catch (const service::CommandError& e) {
            short_refused = e.code() == "plan_hash_required";
        }
    };
    run(too_short());
    EXPECT_TRUE(short_refused);
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    const auto prefix = plan_hash(4).substr(0, 12);
    run([&]() -> service::Awaitable<void> {
        co_await service_->queue_approve(4, "camilo", prefix);
    }());
    EXPECT_EQ(state(4), TicketState::done);
    auto approvals = store_->approvals_for(4);
    ASSERT_TRUE(approvals && approvals->size() == 1);
    EXPECT_EQ((*approvals)[0].approver, "cli:camilo");
    EXPECT_EQ((*approvals)[0].channel, store::ApprovalChannel::cli);
}

// The web console decides through the same command as the CLI, under the rules of comment
// commands: only approvers (ids or the department subtree), never the requester.
TEST_F(ServiceTest, WebDecisionsFollowTheCommentRules) {
    tickets_.departments[2] = {1, 7, 8, 12};  // the HR requester (12) is in the IT subtree too
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    const auto hash = plan_hash(4);
    auto refused_with = [&](std::int64_t user) {
        std::string code;
        run([&]() -> service::Awaitable<void> {
            try {
                co_await service_->queue_approve(4, fmt::format("bitrix:{}", user), hash, user);
            } catch (const service::CommandError& e) {
                code = e.code();
            }
        }());
        return code;
    };
    EXPECT_EQ(refused_with(20), "not_an_approver");           // Operaciones, not IT
    EXPECT_EQ(refused_with(12), "requester_cannot_approve");  // filed the task
    std::string reject_code;
    run([&]() -> service::Awaitable<void> {
        try {
            co_await service_->queue_reject(4, "bitrix:12", "no", 12);
        } catch (const service::CommandError& e) {
            reject_code = e.code();
        }
    }());
    EXPECT_EQ(reject_code, "requester_cannot_approve");
    EXPECT_EQ(state(4), TicketState::awaiting_approval);
    bool approver = false;
    run([&]() -> service::Awaitable<void> { approver = co_await service_->is_approver(8); }());
    EXPECT_TRUE(approver);
    run([&]() -> service::Awaitable<void> {
        co_await service_->queue_approve(4, "bitrix:7", hash, 7);
    }());
    EXPECT_EQ(state(4), TicketState::done);
    auto approvals = store_->approvals_for(4);
    ASSERT_TRUE(approvals && approvals->size() == 1);
    EXPECT_EQ((*approvals)[0].approver, "bitrix:7");
    EXPECT_EQ((*approvals)[0].channel, store::ApprovalChannel::web);
    EXPECT_FALSE(service_->known_title(4).empty());
}

TEST_F(ServiceTest, ATaskThatCouldNotBePlannedIsReadAgainEvenIfItNeverChanges) {
    make_service(false, std::chrono::seconds(0));
    add_fixture("05-cambio-nombre.json", 5);
    run(service_->poll());
    EXPECT_EQ(state(5), TicketState::done);
    // Zoho is down while task 6 is read; task 7, changed later, is handled in the same poll.
    add_fixture("06-cambio-departamento.json", 6);
    add_fixture("07-contrasena.json", 7);
    mail_.fail_next_snapshots = 1;
    run(service_->poll());
    EXPECT_FALSE(store_->get_ticket(6).value());
    // (a ticket that made a password is done once its notification lands, with its answers)
    run(service_->settle_answers());
    EXPECT_EQ(state(7), TicketState::done);
    // The watermark did not move past task 6: the next poll reads it again.
    run(service_->poll());
    EXPECT_EQ(state(6), TicketState::done);
}

TEST_F(ServiceTest, NoSecretReachesTheStateStore) {
    add_fixture("01-alta-basica.json", 1);
    add_fixture("07-contrasena.json", 7);
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(state(7), TicketState::done);
    EXPECT_EQ(passwords_made_, 2);
    store_.reset();
    service_.reset();
    for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
        auto bytes = read_file(f.path());
        EXPECT_EQ(bytes.find("Canary-Pass"), std::string::npos) << f.path();
    }
    for (const auto& [task, list] : tickets_.comment_log)
        for (const auto& c : list)
            EXPECT_EQ(c.text.find("Canary-Pass"), std::string::npos);
}

// ---- batched answers and polls (issue 11) ---------------------------------------------------

using Kind = service::TicketWrite::Kind;

std::size_t pending_answers(store::StateStore& store) {
    auto p = store.pending_answers(std::nullopt);
    EXPECT_TRUE(p);
    return p ? p->size() : 0;
}

TEST_F(ServiceTest, AnswersOfTicketsDoneInOneCycleShareOneBatch) {
    add_fixture("01-alta-basica.json", 1);
    add_fixture("05-cambio-nombre.json", 5);
    add_fixture("06-cambio-departamento.json", 6);
    run(service_->cycle());
    for (auto id : {1, 5, 6}) {
        EXPECT_EQ(state(id), TicketState::done) << id;
        EXPECT_EQ(tickets_.daemon_comments(id).size(), 1u) << id;
        EXPECT_TRUE(tickets_.completed.count(id)) << id;
    }
    // One batch: the hire's private password notification first, then each task's comment
    // and its completion (the batch stops at a failure, so nothing lands before what it
    // follows).
    ASSERT_EQ(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(tickets_.write_batches[0],
              (std::vector<Kind>{Kind::notify, Kind::comment, Kind::complete, Kind::comment,
                                 Kind::complete, Kind::comment, Kind::complete}));
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_EQ(tickets_.notifications[0].first, 12);
    EXPECT_EQ(pending_answers(*store_), 0u);
    run(service_->cycle());
    EXPECT_EQ(tickets_.write_batches.size(), 1u);  // nothing owed, nothing sent
}

TEST_F(ServiceTest, ALostBatchAnswerLandsEachAnswerOnce) {
    add_fixture("05-cambio-nombre.json", 5);
    add_fixture("06-cambio-departamento.json", 6);
    tickets_.lose_next_batch_answer = true;  // the batch ran; its answer never came back
    run(service_->cycle());
    run(service_->cycle());
    ASSERT_GE(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(tickets_.write_batches[0].size(), 4u);
    for (auto id : {5, 6}) {
        EXPECT_EQ(state(id), TicketState::done) << id;
        // Settled by the marker among our comments and by the task's status: never re-sent.
        EXPECT_EQ(tickets_.daemon_comments(id).size(), 1u) << id;
        EXPECT_TRUE(tickets_.completed.count(id)) << id;
    }
    EXPECT_EQ(tickets_.complete_calls, 2);
    EXPECT_EQ(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(pending_answers(*store_), 0u);
}

TEST_F(ServiceTest, ACrashAfterABatchRanPostsNoCommentTwiceAfterRestart) {
    add_fixture("05-cambio-nombre.json", 5);
    add_fixture("06-cambio-departamento.json", 6);
    tickets_.crash_after_next_batch = true;
    EXPECT_TRUE(run(service_->cycle()));
    ASSERT_EQ(tickets_.write_batches.size(), 1u);
    restart();
    run(service_->cycle());
    for (auto id : {5, 6}) {
        EXPECT_EQ(state(id), TicketState::done) << id;
        EXPECT_EQ(tickets_.daemon_comments(id).size(), 1u) << id;
        EXPECT_TRUE(tickets_.completed.count(id)) << id;
    }
    EXPECT_EQ(pending_answers(*store_), 0u);
}

TEST_F(ServiceTest, AFailedCommentHoldsBackTheRestOfItsBatch) {
    add_fixture("05-cambio-nombre.json", 5);
    add_fixture("06-cambio-departamento.json", 6);
    tickets_.fail_next_comments = 1;  // the first comment of the batch is refused for now
    run(service_->cycle());
    // The first batch stopped at the failed comment: no task was completed before its comment.
    ASSERT_EQ(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(tickets_.complete_calls, 0);
    EXPECT_TRUE(tickets_.completed.empty());
    // The next pass sent everything again, and each landed once.
    run(service_->cycle());
    ASSERT_GE(tickets_.write_batches.size(), 2u);
    EXPECT_EQ(tickets_.complete_calls, 2);
    for (auto id : {5, 6}) {
        EXPECT_EQ(tickets_.daemon_comments(id).size(), 1u) << id;
        EXPECT_TRUE(tickets_.completed.count(id)) << id;
    }
    EXPECT_EQ(pending_answers(*store_), 0u);
}

TEST_F(ServiceTest, AnIdlePollReadsTheCommentsOfWaitingTasksInTheSameRequest) {
    add_fixture("04-baja.json", 4);
    run(service_->cycle());
    ASSERT_EQ(state(4), TicketState::awaiting_approval);
    const auto reads = tickets_.comment_reads;
    const auto polls = tickets_.polls.size();
    run(service_->cycle());  // idle
    ASSERT_EQ(tickets_.polls.size(), polls + 1);
    EXPECT_EQ(tickets_.polls.back(), (std::vector<std::int64_t>{4}));
    EXPECT_EQ(tickets_.comment_reads, reads);  // no second request for the comments
    // An approval is read from the poll's comments.
    tickets_.comment_as(4, 7, "/aprobar");
    run(service_->cycle());
    EXPECT_EQ(state(4), TicketState::done);
    EXPECT_EQ(tickets_.comment_reads, reads);
}

TEST_F(ServiceTest, ALostBatchAnswerOfAHireIsSettledByItsDoneComment) {
    add_fixture("01-alta-basica.json", 1);
    tickets_.lose_next_batch_answer = true;  // notification, comment, completion all ran
    run(service_->cycle());
    run(service_->cycle());
    ASSERT_EQ(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(tickets_.write_batches[0],
              (std::vector<Kind>{Kind::notify, Kind::comment, Kind::complete}));
    // The done comment followed the notification in a batch that stops at a failure: finding
    // it proves the password arrived. Nothing is sent twice and no other password is made.
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_EQ(tickets_.daemon_comments(1).size(), 1u);
    EXPECT_TRUE(tickets_.completed.count(1));
    EXPECT_EQ(passwords_made_, 1);
    EXPECT_EQ(applied_count("reset_password"), 0);
    EXPECT_EQ(pending_answers(*store_), 0u);
}

TEST_F(ServiceTest, ACrashAfterAHireBatchRanDeliversNothingTwiceAfterRestart) {
    add_fixture("01-alta-basica.json", 1);
    tickets_.crash_after_next_batch = true;
    EXPECT_TRUE(run(service_->cycle()));
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    restart();
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_EQ(tickets_.daemon_comments(1).size(), 1u);
    EXPECT_EQ(passwords_made_, 1);
    EXPECT_EQ(applied_count("reset_password"), 0);
    EXPECT_EQ(pending_answers(*store_), 0u);
}

TEST_F(ServiceTest, AFailedNotificationHoldsBackTheDoneCommentAndIsTriedAgain) {
    add_fixture("01-alta-basica.json", 1);
    tickets_.fail_next_notifications = 1;  // retryable
    run(service_->cycle());
    ASSERT_EQ(tickets_.write_batches.size(), 1u);
    EXPECT_EQ(tickets_.write_batches[0],
              (std::vector<Kind>{Kind::notify, Kind::comment, Kind::complete}));
    EXPECT_EQ(state(1), TicketState::executing);
    EXPECT_TRUE(tickets_.daemon_comments(1).empty()) << "no done comment before the password";
    EXPECT_FALSE(tickets_.completed.count(1));
    clock_.advance(std::chrono::minutes(2));
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_NE(tickets_.notifications[0].second.find("Canary-Pass-1-xQ7!"), std::string::npos)
        << "the same password, held in memory";
    EXPECT_EQ(tickets_.daemon_comments(1).size(), 1u);
    EXPECT_TRUE(tickets_.completed.count(1));
}

// ---- tickets in flight together (issue 11) --------------------------------------------------

TEST_F(ServiceTest, TicketsRunTogetherButTheSameMailboxNeverInterleaves) {
    mail_.yield_in_apply = true;                    // each Zoho call takes a turn of the event loop
    add_fixture("01-alta-basica.json", 1);          // mariana.torres: create, two groups
    add_fixture("06-cambio-departamento.json", 6);  // luis.martinez → Operaciones
    add_fixture("06-cambio-departamento.json", 16);  // luis.martinez again, filed with it...
    {
        auto& t = tickets_.tasks[16];
        auto at = t.description.find("Operaciones");
        ASSERT_NE(at, std::string::npos);
        t.description.replace(at, std::string("Operaciones").size(), "Comercial");  // → Comercial
    }
    run(service_->cycle());
    for (auto id : {1, 6, 16})
        EXPECT_EQ(state(id), TicketState::done) << id;
    // Luis's two tickets ran one after the other, in the order they were filed...
    std::vector<std::string> luis;
    for (const auto& d : mail_.applied_detail)
        if (d.find("luis.martinez") != std::string::npos)
            luis.push_back(d);
    EXPECT_EQ(luis,
              (std::vector<std::string>{
                  "remove_group_member mantenimiento@tarmexico.com luis.martinez@tarmexico.com",
                  "add_group_member operaciones@tarmexico.com luis.martinez@tarmexico.com",
                  "remove_group_member mantenimiento@tarmexico.com luis.martinez@tarmexico.com",
                  "add_group_member comercial@tarmexico.com luis.martinez@tarmexico.com"}));
    EXPECT_TRUE(mail_.dir.is_member("comercial@tarmexico.com", "luis.martinez@tarmexico.com"));
    // ...while the hire of someone else ran alongside them (its calls between theirs).
    auto pos = [&](const std::string& needle) {
        return std::find_if(
                   mail_.applied_detail.begin(), mail_.applied_detail.end(),
                   [&](const std::string& d) { return d.find(needle) != std::string::npos; }) -
               mail_.applied_detail.begin();
    };
    const auto hire_last = pos("todos@tarmexico.com mariana.torres");
    const auto luis_first = pos("luis.martinez");
    EXPECT_LT(luis_first, hire_last) << "the hire and the department change interleave";
}

TEST_F(ServiceTest, APasswordIsDeliveredWhileASlowTicketOfTheSamePassStillRuns) {
    // Until its notification lands, a new account's password lives only in this process: a
    // crash loses it (and spends the one recovery reset). It must not wait for the end of the
    // pass, which a slow ticket beside it (a Zoho call stuck in retries, a throttle) stretches.
    options_.password_hold = std::chrono::milliseconds(0);
    make_service();
    mail_.yield_in_apply = true;
    add_fixture("01-alta-basica.json", 1);          // mariana.torres: a password to deliver
    add_fixture("06-cambio-departamento.json", 6);  // luis.martinez: its first call is slow
    mail_.stall_address = "luis.martinez@tarmexico.com";
    mail_.stall_turns = 500;
    std::optional<std::size_t> delivered_before_slow_call;
    mail_.on_stalled_apply = [&] {
        if (!delivered_before_slow_call)
            delivered_before_slow_call = tickets_.notifications.size();
    };
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(state(6), TicketState::done);
    ASSERT_TRUE(delivered_before_slow_call.has_value()) << "the slow call never ran";
    EXPECT_EQ(*delivered_before_slow_call, 1u)
        << "the hire's password waited in memory for the slow ticket";
    EXPECT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_EQ(passwords_made_, 1);
}

TEST_F(ServiceTest, ARecoveredPasswordGoesOutAtOnceWithoutWaitingForOthers) {
    // The one reset that replaces a first password lost with a process is sent as soon as it
    // is made: a restart is when a second crash is likeliest, and losing this one too fails
    // the ticket. (A first delivery may wait password_hold for company; this one never does.)
    options_.password_hold = std::chrono::hours(1);
    make_service();
    add_fixture("01-alta-basica.json", 1);
    mail_.crash_after_next_apply = true;  // the account made; the password dies with us
    EXPECT_TRUE(run(service_->cycle()));
    ASSERT_TRUE(tickets_.notifications.empty());
    add_fixture("06-cambio-departamento.json", 6);
    mail_.yield_in_apply = true;
    mail_.stall_address = "luis.martinez@tarmexico.com";
    mail_.stall_turns = 500;
    std::optional<std::size_t> delivered_before_slow_call;
    mail_.on_stalled_apply = [&] {
        if (!delivered_before_slow_call)
            delivered_before_slow_call = tickets_.notifications.size();
    };
    restart();
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(state(6), TicketState::done);
    ASSERT_TRUE(delivered_before_slow_call.has_value()) << "the slow call never ran";
    EXPECT_EQ(*delivered_before_slow_call, 1u) << "the recovered password waited for company";
    ASSERT_EQ(tickets_.notifications.size(), 1u);
    EXPECT_NE(tickets_.notifications[0].second.find("Canary-Pass-2-xQ7!"), std::string::npos);
}

TEST_F(ServiceTest, OneTicketInFlightRunsThemOneAfterTheOther) {
    options_.max_in_flight = 1;
    make_service();
    mail_.yield_in_apply = true;
    add_fixture("01-alta-basica.json", 1);
    add_fixture("06-cambio-departamento.json", 6);
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(state(6), TicketState::done);
    std::size_t last_hire = 0, first_luis = mail_.applied_detail.size();
    for (std::size_t i = 0; i < mail_.applied_detail.size(); ++i) {
        if (mail_.applied_detail[i].find("mariana.torres") != std::string::npos)
            last_hire = i;
        if (mail_.applied_detail[i].find("luis.martinez") != std::string::npos)
            first_luis = std::min(first_luis, i);
    }
    EXPECT_LT(last_hire, first_luis);
}

}  // namespace
}  // namespace hrmaild::test
