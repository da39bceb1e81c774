#pragma once
/// The daemon's durable state behind a narrow port (STYLE.md point 4), so that a PostgreSQL
/// backend can sit beside the SQLite one later.
///
/// Every operation returns a `Result`: an error is a value carrying a kind, a message that
/// names the object, and a hint saying what to do (STYLE.md point 5). Every write runs in
/// one transaction that is durable when the call returns: a `journal_started` is on disk
/// before the caller makes the remote call.
///
/// No operation takes a secret (there is no `hrmaild::Secret` overload and no column for
/// one): plan texts, results and audit details must be written without secret values.
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/records.hpp"

namespace hrmaild::store {

/// What kind of problem a store call met.
enum class StoreErrc {
    cannot_open,         ///< the file or its folder cannot be opened or created
    not_a_database,      ///< the file is not an SQLite database (or is damaged)
    locked,              ///< another process holds the database (one daemon per file)
    schema_too_new,      ///< written by a newer hrmaild; this binary refuses it
    schema_too_old,      ///< read-only open of a database not migrated yet
    busy,                ///< the busy timeout passed while another connection wrote
    io,                  ///< disk full, I/O error, other SQLite failure
    not_found,           ///< the ticket, plan, step or scheduled step does not exist
    invalid_transition,  ///< the state change is not allowed (DESIGN.md)
    stale_plan,          ///< the approval names a plan that is not the current one
    step_state,          ///< the journal step is not in the state the call needs
    invalid_argument,    ///< a required value is missing or malformed
};

/// The stored name of an error kind (`locked`, `schema_too_new`, ...).
std::string_view to_string(StoreErrc code);

/// A store failure: what happened, and what a person can do about it.
struct StoreError {
    StoreErrc code = StoreErrc::io;
    std::string message;  ///< what failed, naming the file / ticket / step
    std::string hint;     ///< the suggested fix; may be empty
    int sqlite_code = 0;  ///< the extended SQLite result code, when there is one

    /// `message` followed by `hint`, for logs and exceptions.
    [[nodiscard]] std::string describe() const;
};

/// Thrown by `Result::value()` on an error (start-up code may prefer exceptions).
class StoreException : public std::runtime_error {
  public:
    /// Wraps the error; `what()` is `error.describe()`.
    explicit StoreException(StoreError error);
    /// The error carried.
    [[nodiscard]] const StoreError& error() const noexcept { return error_; }

  private:
    StoreError error_;
};

/// Lets `boost::system::result<T, StoreError>::value()` throw a `StoreException`.
[[noreturn]] void throw_exception_from_error(const StoreError& error,
                                             const boost::source_location& loc);

/// A value or a StoreError.
template <typename T>
using Result = boost::system::result<T, StoreError>;

/// The durable state of the daemon. One instance is used from one thread (the daemon's
/// io_context thread); it is not thread-safe.
class StateStore {
  public:
    virtual ~StateStore() = default;
    StateStore() = default;
    StateStore(const StateStore&) = delete;
    StateStore& operator=(const StateStore&) = delete;

    /// The schema version the open database is at.
    virtual Result<int> schema_version() = 0;

    // ---- tickets ------------------------------------------------------------------------
    /// Inserts a ticket in state `new`, or refreshes `workflow` (when not empty) and
    /// `changed_date` of an existing one without touching its state.
    virtual Result<TicketRecord> upsert_ticket(TaskId task_id, std::string_view workflow,
                                               std::string_view changed_date) = 0;
    /// The ticket, or nullopt when unknown.
    virtual Result<std::optional<TicketRecord>> get_ticket(TaskId task_id) = 0;
    /// Tickets in any of `states` (all when empty), oldest update first, at most `limit`.
    virtual Result<std::vector<TicketRecord>> list_tickets(std::vector<TicketState> states = {},
                                                           int limit = 1000) = 0;
    /// The tickets in `done`, `rejected` or `failed` whose record changed within the last
    /// `window` (by the store's clock, the one its times are written with), newest first, at
    /// most `limit` (the poll leaves them out of its overlap, issue 11).
    virtual Result<std::vector<TaskId>> settled_within(std::chrono::milliseconds window,
                                                       int limit) = 0;
    /// Tickets per state (states with none are left out), counted by the database.
    virtual Result<std::vector<StateCount>> count_tickets() = 0;
    /// Tickets first seen, or changed, at or after `since` with their milestones (for the
    /// dashboard), oldest first, at most `limit`.
    virtual Result<std::vector<TicketActivity>> ticket_activity(Timestamp since,
                                                                int limit = 10000) = 0;
    /// Applies a state change allowed by `can_transition` and appends an audit record, in
    /// one transaction. Moving to `superseded` retires the current plan (its approvals stop
    /// counting). Fails with `invalid_transition` otherwise.
    virtual Result<TicketRecord> transition_ticket(const TicketTransition& change) = 0;
    /// The explicit `hrmaild queue retry`: moves a `done`, `rejected` or `failed` ticket back
    /// to `new` and retires its current plan (it is planned, and approved if needed, again;
    /// steps the journal shows succeeded are not run again).
    virtual Result<TicketRecord> retry_ticket(TaskId task_id, std::string_view actor,
                                              std::string_view reason) = 0;

    // ---- plans --------------------------------------------------------------------------
    /// Records a plan and makes it the ticket's current one. When the current plan already
    /// has this hash, returns it unchanged (its approvals keep counting).
    virtual Result<PlanRecord> record_plan(const NewPlan& plan) = 0;
    /// The ticket's current plan, or nullopt.
    virtual Result<std::optional<PlanRecord>> current_plan(TaskId task_id) = 0;
    /// Every plan of a ticket, oldest first.
    virtual Result<std::vector<PlanRecord>> plans_for(TaskId task_id) = 0;

    // ---- approvals ----------------------------------------------------------------------
    /// Records a decision on the ticket's current plan and, in the same transaction, moves
    /// the ticket from `awaiting_approval` to `approved` or `rejected` (with an audit record).
    /// Fails with `stale_plan` when `plan_hash` is not the current plan's hash, with
    /// `invalid_transition` when the ticket is not awaiting approval, and with
    /// `invalid_argument` for a rejection without a reason or an empty approver.
    virtual Result<ApprovalRecord> record_approval(const NewApproval& approval) = 0;
    /// The latest decision bound to the ticket's current plan, or nullopt.
    virtual Result<std::optional<ApprovalRecord>> current_approval(TaskId task_id) = 0;
    /// Every decision on a ticket, oldest first.
    virtual Result<std::vector<ApprovalRecord>> approvals_for(TaskId task_id) = 0;

    // ---- step journal -------------------------------------------------------------------
    /// Writes `started` durably (call before the remote call). A step seen before in
    /// `started` or `failed` is started again (attempts + 1); a `succeeded` one is refused
    /// with `step_state`, since its effect already happened.
    virtual Result<StepRecord> journal_started(const StepKey& key, std::string_view op) = 0;
    /// Writes `succeeded` with the result; the step must be `started`.
    virtual Result<StepRecord> journal_succeeded(const StepKey& key, std::string_view result) = 0;
    /// Writes `failed` with the error class and message; the step must be `started`.
    virtual Result<StepRecord> journal_failed(const StepKey& key, std::string_view error_class,
                                              std::string_view message) = 0;
    /// One journal row, or nullopt.
    virtual Result<std::optional<StepRecord>> journal_step(const StepKey& key) = 0;
    /// The journal of one plan of a ticket, by step index.
    virtual Result<std::vector<StepRecord>> journal_for(TaskId task_id,
                                                        std::string_view plan_hash) = 0;
    /// Every step left `started` (after a crash: each needs a probe before anything else).
    virtual Result<std::vector<StepRecord>> started_steps() = 0;

    // ---- scheduled steps ----------------------------------------------------------------
    /// Schedules a step; scheduling the same step again returns the existing row.
    virtual Result<ScheduledStep> schedule_step(const NewScheduledStep& step) = 0;
    /// Pending steps due at or before `now`, earliest first.
    virtual Result<std::vector<ScheduledStep>> due_steps(Timestamp now) = 0;
    /// When the earliest pending step is due, or nullopt (so the daemon can sleep until then).
    virtual Result<std::optional<Timestamp>> next_due() = 0;
    /// Scheduled steps of a ticket (all tickets when `task_id` is nullopt), earliest first.
    virtual Result<std::vector<ScheduledStep>> scheduled_steps(std::optional<TaskId> task_id) = 0;
    /// Marks a pending scheduled step done (after its journaled run succeeded).
    virtual Result<ScheduledStep> complete_scheduled(std::int64_t id) = 0;
    /// Cancels a pending scheduled step, with an audit record.
    virtual Result<ScheduledStep> cancel_scheduled(std::int64_t id, std::string_view actor,
                                                   std::string_view reason) = 0;
    /// Cancels every pending scheduled step of a ticket; returns how many.
    virtual Result<int> cancel_scheduled_for(TaskId task_id, std::string_view actor,
                                             std::string_view reason) = 0;

    // ---- posted comments ----------------------------------------------------------------
    /// Remembers a posted comment. Returns false (and changes nothing) when this marker is
    /// already recorded for the ticket.
    virtual Result<bool> record_comment(TaskId task_id, std::string_view marker,
                                        std::string_view remote_comment_id) = 0;
    /// The comment posted with this marker, or nullopt.
    virtual Result<std::optional<CommentRecord>> find_comment(TaskId task_id,
                                                              std::string_view marker) = 0;

    // ---- answers owed on tasks (the outbox) -------------------------------------------
    /// Owes answers on a task without a state change (a hint, a scheduled step's result).
    /// An answer whose (kind, marker) is already owed or given is not added again.
    virtual Result<void> owe_answers(TaskId task_id, const std::vector<NewAnswer>& answers) = 0;
    /// Answers not yet given (of one ticket when given), oldest first.
    virtual Result<std::vector<AnswerRecord>> pending_answers(std::optional<TaskId> task_id) = 0;
    /// Every answer of a ticket, oldest first (for `queue show`).
    virtual Result<std::vector<AnswerRecord>> answers_for(TaskId task_id) = 0;
    /// Marks an answer given (`done`) or given up (`dropped`, with why); or, with `pending`,
    /// counts a failed attempt and keeps the error.
    virtual Result<void> settle_answer(std::int64_t id, AnswerState state,
                                       std::string_view error) = 0;

    // ---- approval commands read ---------------------------------------------------------
    /// Remembers a command comment. Returns false (and changes nothing) when this comment of
    /// this task was already read.
    virtual Result<bool> record_command(const CommandRecord& command) = 0;
    /// Whether this comment of this task was already read as a command.
    virtual Result<bool> command_seen(TaskId task_id, std::int64_t comment_id) = 0;

    // ---- poll watermarks ----------------------------------------------------------------
    /// The value stored under `key`, or nullopt.
    virtual Result<std::optional<std::string>> get_watermark(std::string_view key) = 0;
    /// Stores `value` under `key` (replacing it).
    virtual Result<void> set_watermark(std::string_view key, std::string_view value) = 0;

    // ---- audit trail --------------------------------------------------------------------
    /// Appends a record chained to the previous one.
    virtual Result<AuditRecord> append_audit(const NewAudit& record) = 0;
    /// Audit records (of one ticket when given), oldest first, at most `limit` of the latest.
    virtual Result<std::vector<AuditRecord>> audit_trail(std::optional<TaskId> task_id,
                                                         int limit = 1000) = 0;
    /// Walks the whole chain and reports the first record whose link or content is broken.
    virtual Result<AuditVerification> verify_audit() = 0;
};

}  // namespace hrmaild::store
