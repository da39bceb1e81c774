#include "daemon/store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>
#include <type_traits>

#include "daemon/core/secret.hpp"
#include "daemon/log/log.hpp"
#include "tests/unit/store/store_test_support.hpp"

namespace hrmaild::store::test {
namespace {

using namespace std::chrono_literals;
using S = TicketState;

constexpr TaskId kTask = 1042;
const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

class SqliteStoreTest : public StoreTest {
  protected:
    void SetUp() override {
        store_ = open_ok();
        ASSERT_TRUE(store_);
    }

    /// A ticket moved to `planned` with one plan.
    void plan_ticket(TaskId id, const std::string& hash, bool approval_required) {
        ASSERT_TRUE(store_->upsert_ticket(id, "baja", "2026-03-01T09:00:00+01:00"));
        ASSERT_TRUE(store_->record_plan({id, hash, "1. disable_user x@tarmexico.com\n",
                                         approval_required, approval_required ? "baja" : ""}));
        ASSERT_TRUE(store_->transition_ticket({id, S::planned, "daemon", "", ""}));
    }

    std::unique_ptr<SqliteStore> store_;
};

// ---- tickets and persistence -----------------------------------------------------------

TEST_F(SqliteStoreTest, TicketIsCreatedNewAndRefreshedWithoutLosingItsState) {
    auto t = store_->upsert_ticket(kTask, "alta", "2026-03-01T09:00:00+01:00").value();
    EXPECT_EQ(t.task_id, kTask);
    EXPECT_EQ(t.state, S::new_);
    EXPECT_EQ(t.workflow, "alta");
    EXPECT_EQ(t.created_at, clock_.now());

    ASSERT_TRUE(store_->transition_ticket({kTask, S::invalid, "daemon", "", "Falta: Apellido"}));
    clock_.advance(5s);
    t = store_->upsert_ticket(kTask, "", "2026-03-01T10:00:00+01:00").value();
    EXPECT_EQ(t.state, S::invalid);  // a refresh never changes the state
    EXPECT_EQ(t.workflow, "alta");   // an empty workflow keeps the known one
    EXPECT_EQ(t.changed_date, "2026-03-01T10:00:00+01:00");
    EXPECT_EQ(t.parse_errors, "Falta: Apellido");
    EXPECT_EQ(t.updated_at, clock_.now());

    EXPECT_FALSE(store_->get_ticket(999).value().has_value());
    EXPECT_FALSE(store_->upsert_ticket(0, "alta", "x"));
}

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->journal_started({kTask, kHashA, 0}, "create_user"));
    ASSERT_TRUE(store_->journal_succeeded({kTask, kHashA, 0}, "zuid=555"));
    ASSERT_TRUE(store_->set_watermark("bitrix.changed_date", "2026-03-01T09:00:00+01:00"));
    ASSERT_TRUE(store_->record_comment(kTask, "hrmaild:1042:done", "77"));
    store_.reset();

    store_ = open_ok();
    ASSERT_TRUE(store_);
    auto t = store_->get_ticket(kTask).value();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->state, S::planned);
    auto plan = store_->current_plan(kTask).value();
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->plan_hash, kHashA);
    EXPECT_EQ(plan->plan_text, "1. disable_user x@tarmexico.com\n");
    auto step = store_->journal_step({kTask, kHashA, 0}).value();
    ASSERT_TRUE(step);
    EXPECT_EQ(step->state, StepState::succeeded);
    EXPECT_EQ(step->result, "zuid=555");
    EXPECT_EQ(store_->get_watermark("bitrix.changed_date").value(), "2026-03-01T09:00:00+01:00");
    EXPECT_TRUE(store_->find_comment(kTask, "hrmaild:1042:done").value().has_value());
    EXPECT_TRUE(store_->verify_audit().value().ok);
}

TEST_F(SqliteStoreTest, DatabaseFileIsPrivateToTheDaemonUser) {
    struct stat st {};
    ASSERT_EQ(::stat(db_path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(SqliteStoreTest, ConnectionIsDurableWithWalAndForeignKeys) {
    auto s = store_->settings().value();
    EXPECT_EQ(s.journal_mode, "wal");
    EXPECT_EQ(s.synchronous, 2);  // FULL: a journal write is on disk before the remote call
    EXPECT_TRUE(s.foreign_keys);
    EXPECT_EQ(s.busy_timeout_ms, 2000);  // from SqliteOptions (state.busy_timeout)
}

TEST_F(SqliteStoreTest, ListTicketsFiltersByState) {
    ASSERT_TRUE(store_->upsert_ticket(1, "alta", "a"));
    clock_.advance(1s);
    ASSERT_TRUE(store_->upsert_ticket(2, "alta", "a"));
    ASSERT_TRUE(store_->transition_ticket({2, S::invalid, "daemon", "", "x"}));
    clock_.advance(1s);
    ASSERT_TRUE(store_->upsert_ticket(3, "alta", "a"));
    EXPECT_EQ(store_->list_tickets().value().size(), 3U);
    auto fresh = store_->list_tickets({S::new_}).value();
    ASSERT_EQ(fresh.size(), 2U);
    EXPECT_EQ(fresh[0].task_id, 1);
    EXPECT_EQ(fresh[1].task_id, 3);
    auto some = store_->list_tickets({S::invalid, S::done}).value();
    ASSERT_EQ(some.size(), 1U);
    EXPECT_EQ(some[0].task_id, 2);
    EXPECT_EQ(store_->list_tickets({}, 1).value().size(), 1U);
}

// Issue 11: the poll leaves out the tasks of tickets settled within its overlap.
TEST_F(SqliteStoreTest, SettledWithinListsFinishedTicketsChangedLatelyNewestFirst) {
    plan_ticket(1, kHashA, false);
    ASSERT_TRUE(store_->transition_ticket({1, S::approved, "daemon", "policy: auto", ""}));
    ASSERT_TRUE(store_->transition_ticket({1, S::executing, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({1, S::done, "daemon", "", ""}));
    clock_.advance(10s);
    ASSERT_TRUE(store_->upsert_ticket(2, "alta", "a"));
    ASSERT_TRUE(store_->transition_ticket({2, S::invalid, "daemon", "", "x"}));  // may change
    plan_ticket(3, kHashB, false);
    ASSERT_TRUE(store_->transition_ticket({3, S::approved, "daemon", "policy: auto", ""}));
    ASSERT_TRUE(store_->transition_ticket({3, S::executing, "daemon", "", ""}));
    clock_.advance(10s);
    ASSERT_TRUE(store_->transition_ticket({3, S::failed, "daemon", "", "zoho said no"}));
    plan_ticket(4, kHashA, true);  // waiting for an approver
    auto all = store_->settled_within(20s, 10);
    ASSERT_TRUE(all) << all.error().describe();
    EXPECT_EQ(*all, (std::vector<TaskId>{3, 1}));
    EXPECT_EQ(store_->settled_within(15s, 10).value(), (std::vector<TaskId>{3}));
    EXPECT_EQ(store_->settled_within(20s, 1).value(), (std::vector<TaskId>{3}));
    clock_.advance(30s);
    EXPECT_TRUE(store_->settled_within(20s, 10).value().empty());
}

// ---- transitions -----------------------------------------------------------------------

TEST_F(SqliteStoreTest, CountTicketsCountsPerStateWithTheOldestUpdate) {
    plan_ticket(1, kHashA, false);
    clock_.advance(5s);
    plan_ticket(2, kHashB, true);
    ASSERT_TRUE(store_->upsert_ticket(3, "alta", "2026-03-01T09:00:00+01:00"));
    auto counts = store_->count_tickets();
    ASSERT_TRUE(counts) << counts.error().describe();
    ASSERT_EQ(counts->size(), 2u);
    std::map<S, StateCount> by;
    for (const auto& c : *counts)
        by[c.state] = c;
    EXPECT_EQ(by[S::planned].tickets, 2);
    EXPECT_EQ(by[S::new_].tickets, 1);
    auto first = store_->get_ticket(1).value();
    ASSERT_TRUE(first);
    EXPECT_EQ(by[S::planned].oldest_update, first->updated_at);
}

TEST_F(SqliteStoreTest, RoutinePlanRunsToDone) {
    plan_ticket(kTask, kHashA, false);
    EXPECT_TRUE(store_->transition_ticket({kTask, S::approved, "daemon", "policy: auto", ""}));
    EXPECT_TRUE(store_->transition_ticket({kTask, S::executing, "daemon", "", ""}));
    auto t = store_->transition_ticket({kTask, S::done, "daemon", "", ""}).value();
    EXPECT_EQ(t.state, S::done);
}

TEST_F(SqliteStoreTest, TicketActivityReadsMilestonesFromTheAuditTrail) {
    ASSERT_TRUE(store_->upsert_ticket(7, "alta", "2026-03-01T09:00:00+01:00"));  // before since
    clock_.advance(1h);
    const Timestamp since = clock_.now();
    plan_ticket(1, kHashA, false);
    const Timestamp created = clock_.now();
    ASSERT_TRUE(store_->transition_ticket({1, S::approved, "daemon", "policy: auto", ""}));
    ASSERT_TRUE(store_->transition_ticket({1, S::executing, "daemon", "", ""}));
    clock_.advance(10min);
    ASSERT_TRUE(store_->transition_ticket({1, S::done, "daemon", "all steps: ok", ""}));
    const Timestamp done = clock_.now();
    clock_.advance(1h);
    // HR edits the finished task: updated_at moves, the milestone does not.
    ASSERT_TRUE(store_->upsert_ticket(1, "", "2026-03-02T09:00:00+01:00"));
    plan_ticket(2, kHashB, false);
    ASSERT_TRUE(store_->transition_ticket({2, S::approved, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({2, S::executing, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({2, S::failed, "daemon", "zoho: conflict", ""}));
    const Timestamp failed = clock_.now();

    auto all = store_->ticket_activity(since);
    ASSERT_TRUE(all) << all.error().describe();
    ASSERT_EQ(all->size(), 2u) << "ticket 7 was last touched before `since`";
    const auto& one = (*all)[0];
    EXPECT_EQ(one.task_id, 1);
    EXPECT_EQ(one.workflow, "baja");
    EXPECT_EQ(one.state, S::done);
    EXPECT_EQ(one.created_at, created);
    ASSERT_TRUE(one.done_at);
    EXPECT_EQ(*one.done_at, done);
    EXPECT_FALSE(one.failed_at);
    const auto& two = (*all)[1];
    EXPECT_EQ(two.task_id, 2);
    EXPECT_FALSE(two.done_at);
    ASSERT_TRUE(two.failed_at);
    EXPECT_EQ(*two.failed_at, failed);

    auto limited = store_->ticket_activity(since, 1);
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->size(), 1u);
    auto later = store_->ticket_activity(clock_.now() + 1ms);
    ASSERT_TRUE(later);
    EXPECT_TRUE(later->empty());
}

TEST_F(SqliteStoreTest, RefusedTransitionSaysWhatIsAllowed) {
    ASSERT_TRUE(store_->upsert_ticket(kTask, "alta", "a"));
    auto r = store_->transition_ticket({kTask, S::executing, "daemon", "", ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::invalid_transition);
    EXPECT_NE(r.error().message.find("from new to executing"), std::string::npos);
    EXPECT_NE(r.error().hint.find("planned"), std::string::npos) << r.error().hint;
    EXPECT_EQ(store_->get_ticket(kTask).value()->state, S::new_);  // unchanged

    // Planning needs a plan recorded first.
    r = store_->transition_ticket({kTask, S::planned, "daemon", "", ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::invalid_transition);
    EXPECT_NE(r.error().message.find("no current plan"), std::string::npos);
}

TEST_F(SqliteStoreTest, NothingLeavesDoneExceptRetry) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->transition_ticket({kTask, S::approved, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({kTask, S::executing, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({kTask, S::done, "daemon", "", ""}));
    for (auto to : {S::executing, S::planned, S::failed, S::new_}) {
        auto r = store_->transition_ticket({kTask, to, "daemon", "", ""});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, StoreErrc::invalid_transition);
        EXPECT_NE(r.error().hint.find("hrmaild queue retry 1042"), std::string::npos)
            << r.error().hint;
    }
    auto t = store_->retry_ticket(kTask, "cli:ana", "HR asked again").value();
    EXPECT_EQ(t.state, S::new_);
    EXPECT_FALSE(store_->current_plan(kTask).value().has_value());  // planned again from scratch
    auto trail = store_->audit_trail(kTask).value();
    ASSERT_FALSE(trail.empty());
    EXPECT_EQ(trail.back().action, "ticket.retry");
    EXPECT_EQ(trail.back().actor, "cli:ana");

    // Retry is only for finished tickets.
    auto again = store_->retry_ticket(kTask, "cli:ana", "");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, StoreErrc::invalid_transition);
}

TEST_F(SqliteStoreTest, PlanNeedingApprovalIsNotApprovedByAStateChange) {
    plan_ticket(kTask, kHashA, true);
    auto r = store_->transition_ticket({kTask, S::approved, "daemon", "", ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::invalid_transition);
    EXPECT_NE(r.error().hint.find("queue approve"), std::string::npos);
}

// ---- approvals -------------------------------------------------------------------------

TEST_F(SqliteStoreTest, ApprovalBindsTheCurrentPlanAndMovesTheTicket) {
    plan_ticket(kTask, kHashA, true);
    ASSERT_TRUE(store_->transition_ticket({kTask, S::awaiting_approval, "daemon", "", ""}));
    auto a = store_
                 ->record_approval(
                     {kTask, kHashA, "bitrix:7", ApprovalChannel::comment, Decision::approve, ""})
                 .value();
    EXPECT_EQ(a.plan_hash, kHashA);
    EXPECT_EQ(a.approver, "bitrix:7");
    EXPECT_EQ(a.decided_at, clock_.now());
    EXPECT_EQ(store_->get_ticket(kTask).value()->state, S::approved);
    auto cur = store_->current_approval(kTask).value();
    ASSERT_TRUE(cur);
    EXPECT_EQ(cur->id, a.id);
    EXPECT_EQ(cur->channel, ApprovalChannel::comment);
}

TEST_F(SqliteStoreTest, ApprovalOfASupersededPlanNoLongerCounts) {
    plan_ticket(kTask, kHashA, true);
    ASSERT_TRUE(store_->transition_ticket({kTask, S::awaiting_approval, "daemon", "", ""}));
    ASSERT_TRUE(store_->record_approval(
        {kTask, kHashA, "bitrix:7", ApprovalChannel::comment, Decision::approve, ""}));
    // The task changes after approval: superseded, planned again.
    ASSERT_TRUE(store_->transition_ticket({kTask, S::superseded, "daemon", "task changed", ""}));
    EXPECT_FALSE(store_->current_plan(kTask).value().has_value());
    EXPECT_FALSE(store_->current_approval(kTask).value().has_value());
    ASSERT_TRUE(store_->record_plan({kTask, kHashB, "1. delete_user x@\n", true, "baja"}));
    ASSERT_TRUE(store_->transition_ticket({kTask, S::planned, "daemon", "", ""}));
    ASSERT_TRUE(store_->transition_ticket({kTask, S::awaiting_approval, "daemon", "", ""}));
    EXPECT_FALSE(store_->current_approval(kTask).value().has_value());

    // An approval naming the old plan is refused.
    auto stale = store_->record_approval(
        {kTask, kHashA, "cli:ana", ApprovalChannel::cli, Decision::approve, ""});
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, StoreErrc::stale_plan);
    EXPECT_NE(stale.error().hint.find("queue show"), std::string::npos);
    EXPECT_EQ(store_->get_ticket(kTask).value()->state, S::awaiting_approval);

    auto fresh = store_->record_approval(
        {kTask, kHashB, "cli:ana", ApprovalChannel::cli, Decision::approve, ""});
    ASSERT_TRUE(fresh);
    EXPECT_EQ(store_->approvals_for(kTask).value().size(), 2U);
    EXPECT_EQ(store_->plans_for(kTask).value().size(), 2U);
}

TEST_F(SqliteStoreTest, SamePlanAgainIsIdempotentButADifferentOneNeedsSupersede) {
    plan_ticket(kTask, kHashA, true);
    auto same = store_->record_plan({kTask, kHashA, "1. disable_user x@tarmexico.com\n", true, ""});
    ASSERT_TRUE(same);
    EXPECT_EQ(store_->plans_for(kTask).value().size(), 1U);
    auto other = store_->record_plan({kTask, kHashB, "other", true, ""});
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, StoreErrc::invalid_transition);
    EXPECT_NE(other.error().hint.find("superseded"), std::string::npos);
}

TEST_F(SqliteStoreTest, RejectionNeedsAReasonAndEndsTheTicket) {
    plan_ticket(kTask, kHashA, true);
    ASSERT_TRUE(store_->transition_ticket({kTask, S::awaiting_approval, "daemon", "", ""}));
    auto no_reason = store_->record_approval(
        {kTask, kHashA, "bitrix:8", ApprovalChannel::comment, Decision::reject, ""});
    ASSERT_FALSE(no_reason);
    EXPECT_EQ(no_reason.error().code, StoreErrc::invalid_argument);
    auto r = store_->record_approval(
        {kTask, kHashA, "bitrix:8", ApprovalChannel::comment, Decision::reject, "no corresponde"});
    ASSERT_TRUE(r);
    EXPECT_EQ(store_->get_ticket(kTask).value()->state, S::rejected);
    // A second decision on a finished ticket is refused.
    auto late = store_->record_approval(
        {kTask, kHashA, "bitrix:7", ApprovalChannel::comment, Decision::approve, ""});
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, StoreErrc::invalid_transition);
}

// ---- step journal ----------------------------------------------------------------------

TEST_F(SqliteStoreTest, JournalStartedThenSucceeded) {
    plan_ticket(kTask, kHashA, false);
    const StepKey key{kTask, kHashA, 0};
    auto s = store_->journal_started(key, "create_user").value();
    EXPECT_EQ(s.state, StepState::started);
    EXPECT_EQ(s.attempts, 1);
    EXPECT_FALSE(s.finished_at.has_value());
    clock_.advance(2s);
    s = store_->journal_succeeded(key, "zuid=123 email=mariana.torres@tarmexico.com").value();
    EXPECT_EQ(s.state, StepState::succeeded);
    EXPECT_EQ(s.finished_at, clock_.now());
    EXPECT_EQ(s.result, "zuid=123 email=mariana.torres@tarmexico.com");

    // Its effect happened: it is never started again.
    auto again = store_->journal_started(key, "create_user");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, StoreErrc::step_state);
    EXPECT_NE(again.error().hint.find("do not call"), std::string::npos);
    // Finishing twice is refused too.
    EXPECT_FALSE(store_->journal_succeeded(key, "x"));
    // Finishing a step never started is refused.
    auto unstarted = store_->journal_succeeded({kTask, kHashA, 1}, "x");
    ASSERT_FALSE(unstarted);
    EXPECT_EQ(unstarted.error().code, StoreErrc::step_state);
}

TEST_F(SqliteStoreTest, FailedStepMayStartAgainCountingAttempts) {
    plan_ticket(kTask, kHashA, false);
    const StepKey key{kTask, kHashA, 1};
    ASSERT_TRUE(store_->journal_started(key, "add_group_member"));
    auto f = store_->journal_failed(key, "retryable", "HTTP 503").value();
    EXPECT_EQ(f.state, StepState::failed);
    EXPECT_EQ(f.error_class, "retryable");
    EXPECT_EQ(f.result, "HTTP 503");
    auto s = store_->journal_started(key, "add_group_member").value();
    EXPECT_EQ(s.attempts, 2);
    EXPECT_EQ(s.error_class, "");
    // Same key, other operation: a planner bug, refused.
    EXPECT_FALSE(store_->journal_started(key, "remove_group_member"));
    EXPECT_FALSE(store_->journal_started({kTask, kHashA, 2}, ""));
    EXPECT_FALSE(store_->journal_started({kTask + 1, kHashA, 2}, "x"));  // unknown ticket
}

TEST_F(SqliteStoreTest, SameStepOfAnotherTicketIsItsOwnEntry) {
    plan_ticket(1, kHashA, false);
    plan_ticket(2, kHashA, false);  // two identical password resets
    ASSERT_TRUE(store_->journal_started({1, kHashA, 0}, "reset_password"));
    ASSERT_TRUE(store_->journal_succeeded({1, kHashA, 0}, "ok"));
    EXPECT_TRUE(store_->journal_started({2, kHashA, 0}, "reset_password"));
}

TEST_F(SqliteStoreTest, StartedStepsAreFoundAfterACrash) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->journal_started({kTask, kHashA, 0}, "create_user"));
    ASSERT_TRUE(store_->journal_succeeded({kTask, kHashA, 0}, "zuid=1"));
    store_.reset();

    // A child process writes `started` and dies before the remote call returns.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto s = open_at(db_path_);
        const bool ok = s && (*s)->journal_started({kTask, kHashA, 1}, "add_group_member");
        ::_exit(ok ? 0 : 1);  // no destructor, no clean close
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);

    store_ = open_ok();
    ASSERT_TRUE(store_);
    auto started = store_->started_steps().value();
    ASSERT_EQ(started.size(), 1U);
    EXPECT_EQ(started[0].key.step_index, 1);
    EXPECT_EQ(started[0].op, "add_group_member");
    auto journal = store_->journal_for(kTask, kHashA).value();
    ASSERT_EQ(journal.size(), 2U);
    EXPECT_EQ(journal[0].state, StepState::succeeded);
    EXPECT_EQ(journal[1].state, StepState::started);
    // Settled by the probe: succeeded.
    ASSERT_TRUE(store_->journal_succeeded({kTask, kHashA, 1}, "probe: member present"));
    EXPECT_TRUE(store_->started_steps().value().empty());
}

// ---- scheduled steps -------------------------------------------------------------------

TEST_F(SqliteStoreTest, ScheduledStepsComeDueAndCanBeCancelled) {
    plan_ticket(kTask, kHashA, false);
    const auto t0 = clock_.now();
    auto del = store_->schedule_step({{kTask, kHashA, 3}, "delete_user", t0 + 30min}).value();
    auto other = store_->schedule_step({{kTask, kHashA, 4}, "delete_group", t0 + 2h}).value();
    EXPECT_EQ(del.state, ScheduleState::pending);
    // Scheduling the same step again keeps the first row.
    auto dup = store_->schedule_step({{kTask, kHashA, 3}, "delete_user", t0 + 5h}).value();
    EXPECT_EQ(dup.id, del.id);
    EXPECT_EQ(dup.due_at, t0 + 30min);

    EXPECT_TRUE(store_->due_steps(t0).value().empty());
    EXPECT_EQ(store_->next_due().value(), t0 + 30min);
    auto due = store_->due_steps(t0 + 1h).value();
    ASSERT_EQ(due.size(), 1U);
    EXPECT_EQ(due[0].id, del.id);

    // Survives a restart.
    store_.reset();
    store_ = open_ok();
    ASSERT_TRUE(store_);
    EXPECT_EQ(store_->due_steps(t0 + 3h).value().size(), 2U);

    auto c = store_->cancel_scheduled(del.id, "bitrix:7", "/cancelar").value();
    EXPECT_EQ(c.state, ScheduleState::cancelled);
    EXPECT_EQ(c.cancelled_by, "bitrix:7");
    due = store_->due_steps(t0 + 3h).value();
    ASSERT_EQ(due.size(), 1U);
    EXPECT_EQ(due[0].id, other.id);
    EXPECT_EQ(store_->next_due().value(), t0 + 2h);

    EXPECT_EQ(store_->complete_scheduled(other.id).value().state, ScheduleState::done);
    EXPECT_TRUE(store_->due_steps(t0 + 3h).value().empty());
    EXPECT_FALSE(store_->next_due().value().has_value());
    // A cancelled step cannot complete; a done one cannot be cancelled.
    EXPECT_EQ(store_->complete_scheduled(del.id).error().code, StoreErrc::step_state);
    EXPECT_EQ(store_->cancel_scheduled(other.id, "x", "").error().code, StoreErrc::step_state);
    EXPECT_EQ(store_->cancel_scheduled(9999, "x", "").error().code, StoreErrc::not_found);
    EXPECT_EQ(store_->scheduled_steps(kTask).value().size(), 2U);
}

TEST_F(SqliteStoreTest, CancelAllPendingStepsOfATicket) {
    plan_ticket(kTask, kHashA, false);
    const auto t0 = clock_.now();
    ASSERT_TRUE(store_->schedule_step({{kTask, kHashA, 3}, "delete_user", t0 + 1h}));
    ASSERT_TRUE(store_->schedule_step({{kTask, kHashA, 4}, "delete_group", t0 + 1h}));
    EXPECT_EQ(store_->cancel_scheduled_for(kTask, "cli:ana", "rehired").value(), 2);
    EXPECT_EQ(store_->cancel_scheduled_for(kTask, "cli:ana", "again").value(), 0);
    EXPECT_TRUE(store_->due_steps(t0 + 2h).value().empty());
}

// ---- comments and watermarks -----------------------------------------------------------

TEST_F(SqliteStoreTest, CommentMarkersAreUnique) {
    ASSERT_TRUE(store_->upsert_ticket(kTask, "alta", "a"));
    EXPECT_TRUE(store_->record_comment(kTask, "hrmaild:1042:plan", "501").value());
    EXPECT_FALSE(store_->record_comment(kTask, "hrmaild:1042:plan", "502").value());
    auto c = store_->find_comment(kTask, "hrmaild:1042:plan").value();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->remote_comment_id, "501");  // the first one stays
    EXPECT_TRUE(store_->record_comment(kTask, "hrmaild:1042:done", "503").value());
    EXPECT_FALSE(store_->find_comment(kTask, "hrmaild:1042:failed").value().has_value());
    EXPECT_FALSE(store_->record_comment(kTask, "", "1"));
}

TEST_F(SqliteStoreTest, WatermarksAreKeyValue) {
    EXPECT_FALSE(store_->get_watermark("bitrix.changed_date").value().has_value());
    ASSERT_TRUE(store_->set_watermark("bitrix.changed_date", "2026-03-01T09:00:00+01:00"));
    ASSERT_TRUE(store_->set_watermark("bitrix.last_id", "1042"));
    ASSERT_TRUE(store_->set_watermark("bitrix.changed_date", "2026-03-01T09:05:00+01:00"));
    EXPECT_EQ(store_->get_watermark("bitrix.changed_date").value(), "2026-03-01T09:05:00+01:00");
    EXPECT_EQ(store_->get_watermark("bitrix.last_id").value(), "1042");
    EXPECT_FALSE(store_->set_watermark("", "x"));
}

// ---- audit trail -----------------------------------------------------------------------

TEST_F(SqliteStoreTest, AuditRecordsChainAndVerify) {
    plan_ticket(kTask, kHashA, true);
    ASSERT_TRUE(store_->append_audit({"cli:ana", "note", kTask, "looked at it"}));
    ASSERT_TRUE(store_->append_audit({"daemon", "daemon.started", std::nullopt, "v0.1.0"}));
    auto trail = store_->audit_trail(std::nullopt).value();
    ASSERT_GE(trail.size(), 5U);
    EXPECT_EQ(trail[0].seq, 1);
    EXPECT_EQ(trail[0].prev_hash, std::string(64, '0'));
    for (std::size_t i = 1; i < trail.size(); ++i) {
        EXPECT_EQ(trail[i].seq, trail[i - 1].seq + 1);
        EXPECT_EQ(trail[i].prev_hash, trail[i - 1].hash);
    }
    EXPECT_FALSE(trail.back().task_id.has_value());
    EXPECT_EQ(store_->audit_trail(kTask).value().size(), trail.size() - 1);
    EXPECT_EQ(store_->audit_trail(std::nullopt, 2).value().front().seq,
              trail[trail.size() - 2].seq);
    auto v = store_->verify_audit().value();
    EXPECT_TRUE(v.ok);
    EXPECT_EQ(v.records_checked, static_cast<std::int64_t>(trail.size()));
}

TEST_F(SqliteStoreTest, TamperedAuditRowIsFound) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->append_audit({"cli:ana", "note", kTask, "first"}));
    ASSERT_TRUE(store_->append_audit({"cli:ana", "note", kTask, "second"}));
    const auto n = store_->audit_trail(std::nullopt).value().size();
    ASSERT_GE(n, 4U);
    RawDb raw(db_path_);
    // The triggers stop a plain UPDATE or DELETE ...
    EXPECT_NE(raw.exec("UPDATE audit SET actor = 'mallory' WHERE seq = 2"), "");
    EXPECT_NE(raw.exec("DELETE FROM audit WHERE seq = 2"), "");
    EXPECT_TRUE(store_->verify_audit().value().ok);
    // ... and when someone drops them, the chain shows the changed row.
    ASSERT_EQ(raw.exec("DROP TRIGGER audit_no_update"), "");
    ASSERT_EQ(raw.exec("UPDATE audit SET actor = 'mallory' WHERE seq = 2"), "");
    hrmaild::log::CaptureSink logs;
    auto v = store_->verify_audit().value();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_broken_seq, 2);
    EXPECT_NE(v.problem.find("content"), std::string::npos) << v.problem;
    EXPECT_TRUE(logs.has_event("STORE_AUDIT_BROKEN"));
}

TEST_F(SqliteStoreTest, RecomputedHashStillBreaksTheNextLink) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->append_audit({"cli:ana", "note", kTask, "x"}));
    RawDb raw(db_path_);
    ASSERT_EQ(raw.exec("DROP TRIGGER audit_no_update"), "");
    // A forger rewrites row 1 with a fresh (wrong-content) hash: row 2's link breaks.
    ASSERT_EQ(raw.exec("UPDATE audit SET hash = '" + std::string(64, 'f') + "' WHERE seq = 1"), "");
    auto v = store_->verify_audit().value();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_broken_seq, 1);  // its own content no longer matches
}

TEST_F(SqliteStoreTest, DeletedAuditRowIsFound) {
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->append_audit({"cli:ana", "note", kTask, "x"}));
    RawDb raw(db_path_);
    ASSERT_EQ(raw.exec("DROP TRIGGER audit_no_delete"), "");
    ASSERT_EQ(raw.exec("DELETE FROM audit WHERE seq = 2"), "");
    auto v = store_->verify_audit().value();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_broken_seq, 3);
    EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

// ---- concurrency -----------------------------------------------------------------------

TEST_F(SqliteStoreTest, ReaderRunsWhileTheWriterWrites) {
    plan_ticket(kTask, kHashA, false);
    auto reader_r = open_at(db_path_, nullptr, {}, /*read_only=*/true, 200ms);
    ASSERT_TRUE(reader_r) << reader_r.error().describe();
    auto reader = std::move(*reader_r);

    // A writer holding the write lock does not block readers in WAL mode.
    {
        RawDb raw(db_path_);
        ASSERT_EQ(
            raw.exec("BEGIN IMMEDIATE; INSERT INTO watermarks VALUES ('k', 'uncommitted', 0)"), "");
        auto t = reader->get_ticket(kTask);
        ASSERT_TRUE(t) << t.error().describe();
        EXPECT_EQ(t.value()->state, S::planned);
        EXPECT_FALSE(reader->get_watermark("k").value().has_value());  // not committed
        ASSERT_EQ(raw.exec("ROLLBACK"), "");
    }

    constexpr int kSteps = 200;
    std::atomic<bool> writer_done{false};
    std::atomic<int> reads{0};
    std::string reader_error;
    std::thread reader_thread([&] {
        std::size_t last = 0;
        while (!writer_done.load()) {
            auto j = reader->journal_for(kTask, kHashA);
            if (!j) {
                reader_error = j.error().describe();
                return;
            }
            if (j.value().size() < last) {
                reader_error = "journal shrank";
                return;
            }
            last = j.value().size();
            ++reads;
        }
    });
    for (int i = 0; i < kSteps; ++i) {
        ASSERT_TRUE(store_->journal_started({kTask, kHashA, i}, "add_group_member"));
        ASSERT_TRUE(store_->journal_succeeded({kTask, kHashA, i}, "ok"));
    }
    writer_done = true;
    reader_thread.join();
    EXPECT_EQ(reader_error, "");
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(reader->journal_for(kTask, kHashA).value().size(), static_cast<std::size_t>(kSteps));
    // The reader cannot write.
    auto w = reader->set_watermark("k", "v");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, StoreErrc::cannot_open);
}

TEST_F(SqliteStoreTest, WriteBlockedPastTheBusyTimeoutSaysWhy) {
    store_.reset();
    auto r = open_at(db_path_, &clock_, {}, false, 100ms);
    ASSERT_TRUE(r);
    store_ = std::move(*r);
    RawDb raw(db_path_);
    ASSERT_EQ(raw.exec("BEGIN IMMEDIATE"), "");
    auto w = store_->set_watermark("k", "v");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, StoreErrc::busy);
    EXPECT_NE(w.error().hint.find("state.busy_timeout"), std::string::npos) << w.error().hint;
    ASSERT_EQ(raw.exec("ROLLBACK"), "");
    EXPECT_TRUE(store_->set_watermark("k", "v"));
}

// ---- secrets ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, NoColumnCanHoldASecret) {
    RawDb raw(db_path_);
    const auto hits = raw.scalar(
        "SELECT group_concat(m.name || '.' || p.name) FROM sqlite_master m, "
        "pragma_table_info(m.name) p WHERE m.type = 'table' AND (p.name LIKE '%password%' OR "
        "p.name LIKE '%token%' OR p.name LIKE '%secret%' OR p.name LIKE '%credential%')");
    EXPECT_EQ(hits, "");
    // And the API cannot be handed a Secret: it does not convert to any text parameter.
    static_assert(!std::is_convertible_v<const hrmaild::Secret&, std::string_view>);
    static_assert(!std::is_convertible_v<const hrmaild::Secret&, std::string>);
}

TEST_F(SqliteStoreTest, WouldBeSecretNeverReachesTheFile) {
    // The generated password exists only as a Secret in the caller; everything the daemon
    // journals about the step goes through the store. A visible marker written the same way
    // proves the scan reads the bytes where rows land.
    const hrmaild::Secret password("Canary-Pw-7c1e9f2b!");
    const std::string visible = "visible-marker-5d3a";
    plan_ticket(kTask, kHashA, false);
    ASSERT_TRUE(store_->journal_started({kTask, kHashA, 0}, "create_user"));
    ASSERT_TRUE(store_->journal_succeeded({kTask, kHashA, 0},
                                          fmt::format("zuid=9 {} password={}", visible, password)));
    ASSERT_TRUE(store_->append_audit({"daemon", "step", kTask, fmt::format("pw {}", password)}));

    auto scan = [&](const std::string& needle) {
        std::string bytes;
        for (const char* suffix : {"", "-wal"}) {
            auto p = db_path_;
            p += suffix;
            if (std::filesystem::exists(p))
                bytes += hrmaild::test::read_file(p);
        }
        return bytes.find(needle) != std::string::npos;
    };
    EXPECT_TRUE(scan(visible));             // the scan sees written rows
    EXPECT_TRUE(scan("<redacted>"));        // formatting a Secret gives the placeholder
    EXPECT_FALSE(scan(password.reveal()));  // ... and never the bytes
    store_.reset();                         // checkpoint into the main file
    EXPECT_TRUE(scan(visible));
    EXPECT_FALSE(scan(password.reveal()));
}

}  // namespace
}  // namespace hrmaild::store::test
