#pragma once
/// The store's own record types: plain strings, integers and small enums, so the store does
/// not depend on the workflow engine's domain types (the daemon maps between the two).
///
/// No record has a field for a password, token or any other secret, and no store operation
/// accepts `hrmaild::Secret`: secrets never reach the database (DESIGN.md, policy).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::store {

/// A point in time as the store keeps it (UTC milliseconds since the epoch in the file).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// A Bitrix24 task id: the ticket's key.
using TaskId = std::int64_t;

/// The stored life of a ticket (DESIGN.md, "Ticket states").
enum class TicketState {
    new_,               ///< seen, not parsed yet (stored as `new`)
    invalid,            ///< parse or validation errors; re-read when the task changes
    planned,            ///< a frozen plan exists
    awaiting_approval,  ///< the plan waits for an approver
    approved,           ///< may run
    executing,          ///< steps are being journaled and run
    done,               ///< every step succeeded (terminal)
    rejected,           ///< an approver or the policy said no (terminal)
    failed,             ///< a permanent error, escalated to IT (terminal)
    superseded,         ///< the task changed after planning; will be planned again
    cancelled,          ///< HR closed or deferred the task before execution began
};

/// The stored name of a state (`new`, `awaiting_approval`, ...).
std::string_view to_string(TicketState state);
/// Parses a stored state name; nullopt when unknown.
std::optional<TicketState> parse_ticket_state(std::string_view name);

/// Whether a ticket may go from `from` to `to` in normal processing. Nothing leaves `done`,
/// `rejected` or `failed` here: only `can_retry` (the explicit `hrmaild queue retry`) does.
bool can_transition(TicketState from, TicketState to);
/// Whether an explicit retry may move a ticket out of `from` (to `new`, to be parsed and
/// planned again).
bool can_retry(TicketState from);
/// Whether the state is one of the terminal ones (`done`, `rejected`, `failed`).
bool is_terminal(TicketState state);

/// One ticket: the daemon's view of one Bitrix24 task.
struct TicketRecord {
    TaskId task_id = 0;
    std::string workflow;  ///< the matched workflow's name; empty until one matched
    TicketState state = TicketState::new_;
    std::string changed_date;  ///< the task's CHANGED_DATE when last read, as Bitrix gave it
    std::string parse_errors;  ///< the last parse errors (state `invalid`), else empty
    Timestamp created_at{};
    Timestamp updated_at{};
};

/// What an answer owed on a task is.
enum class AnswerKind { comment, complete, defer, tell_it };
std::string_view to_string(AnswerKind kind);
std::optional<AnswerKind> parse_answer_kind(std::string_view name);

/// Where an owed answer stands.
enum class AnswerState { pending, done, dropped };
std::string_view to_string(AnswerState state);
std::optional<AnswerState> parse_answer_state(std::string_view name);

/// An answer to give on a task (a comment, completing or deferring it, telling IT). Written
/// with the state change that owes it and settled until it lands. Never holds a secret.
struct NewAnswer {
    AnswerKind kind = AnswerKind::comment;
    std::string marker;  ///< comments: the marker (unique per task and kind)
    std::string body;    ///< comments and IT notes: the text
};

/// One owed answer.
struct AnswerRecord {
    std::int64_t id = 0;
    TaskId task_id = 0;
    AnswerKind kind = AnswerKind::comment;
    std::string marker;
    std::string body;
    AnswerState state = AnswerState::pending;
    int attempts = 0;
    std::string last_error;
    Timestamp created_at{};
    Timestamp updated_at{};
};

/// How many tickets are in one state, and the oldest `updated_at` among them.
struct StateCount {
    TicketState state = TicketState::new_;
    std::int64_t tickets = 0;
    Timestamp oldest_update{};
};

/// One ticket's milestones, for the dashboard's figures of the daemon's own work: when it was
/// first seen and when it last entered `done` or `failed` (read from the audit trail).
struct TicketActivity {
    TaskId task_id = 0;
    std::string workflow;  ///< empty when no workflow matched
    TicketState state = TicketState::new_;
    Timestamp created_at{};
    std::optional<Timestamp> done_at;    ///< the last move to `done`, if any
    std::optional<Timestamp> failed_at;  ///< the last move to `failed`, if any
};

/// A ticket state change, applied with its audit record in one transaction.
struct TicketTransition {
    TaskId task_id = 0;
    TicketState to = TicketState::new_;
    std::string actor;                 ///< who moved it: `daemon`, an approver's name, ...
    std::string reason;                ///< why, for the audit trail (may be empty)
    std::string parse_errors;          ///< kept when `to` is `invalid`; cleared otherwise
    std::vector<NewAnswer> answers{};  ///< owed because of this change, written atomically with it
};

/// What the policy decided for a plan.
enum class PlanDecision { automatic, approval, refused };
/// Stored names (`auto`, `approval`, `refused`).
std::string_view to_string(PlanDecision decision);
std::optional<PlanDecision> parse_plan_decision(std::string_view name);

/// One frozen plan of a ticket. A ticket may have several over time; at most one is current.
struct PlanRecord {
    std::int64_t id = 0;
    TaskId task_id = 0;
    std::string plan_hash;  ///< hex digest of the canonical plan text (computed by the planner)
    std::string plan_text;  ///< canonical plan text; never holds a secret value
    bool approval_required = false;
    std::string reasons;  ///< why approval is required (policy reasons), free text
    bool current = false;
    Timestamp created_at{};
    std::string messages;        ///< the messages rendered when the plan was made (JSON)
    std::int64_t requester = 0;  ///< CREATED_BY at plan time (never an approver of it)
    PlanDecision decision = PlanDecision::automatic;
    bool dry_run = false;  ///< made under dry-run: never executed
};

/// A plan to record for a ticket.
struct NewPlan {
    TaskId task_id = 0;
    std::string plan_hash;
    std::string plan_text;
    bool approval_required = false;
    std::string reasons;
    std::string messages{};
    std::int64_t requester = 0;
    PlanDecision decision = PlanDecision::automatic;
    bool dry_run = false;
};

/// How an approval reached the daemon.
enum class ApprovalChannel { comment, cli, web };
/// What the approver decided.
enum class Decision { approve, reject };

/// Stored names of channels and decisions.
std::string_view to_string(ApprovalChannel channel);
std::string_view to_string(Decision decision);
std::optional<ApprovalChannel> parse_approval_channel(std::string_view name);
std::optional<Decision> parse_decision(std::string_view name);

/// One decision on one plan (bound to the plan row and its hash).
struct ApprovalRecord {
    std::int64_t id = 0;
    TaskId task_id = 0;
    std::int64_t plan_id = 0;
    std::string plan_hash;
    std::string approver;  ///< Bitrix user id (`bitrix:7`) or token name (`cli:ana`), as mapped
    ApprovalChannel channel = ApprovalChannel::comment;
    Decision decision = Decision::approve;
    std::string reason;  ///< required for a rejection
    Timestamp decided_at{};
};

/// A decision to record: must name the ticket's current plan hash.
struct NewApproval {
    TaskId task_id = 0;
    std::string plan_hash;
    std::string approver;
    ApprovalChannel channel = ApprovalChannel::comment;
    Decision decision = Decision::approve;
    std::string reason;
    std::vector<NewAnswer> answers{};  ///< owed because of the decision (a rejection's comment)
};

/// Where a journaled step stands.
enum class StepState { started, succeeded, failed };
std::string_view to_string(StepState state);
std::optional<StepState> parse_step_state(std::string_view name);

/// What a journal entry guards: a plan step, the private delivery of its password, the one
/// reset allowed to re-deliver a lost password, or an answer on the task.
enum class StepKind { step, notify, reset, comment, complete, defer, tell_it };
std::string_view to_string(StepKind kind);
std::optional<StepKind> parse_step_kind(std::string_view name);

/// Identifies one step of one plan of one ticket (the journal's key). For `comment`, the
/// plan_hash field holds the comment's marker.
struct StepKey {
    TaskId task_id = 0;
    std::string plan_hash;
    int step_index = 0;
    StepKind kind = StepKind::step;
};

/// One row of the step journal.
struct StepRecord {
    StepKey key;
    std::string op;  ///< operation name (`create_user`, `post_comment`, ...)
    StepState state = StepState::started;
    std::string error_class;  ///< on failure: retryable, permanent, conflict, auth
    std::string result;       ///< on success: the result (ids, addresses); on failure: message
    int attempts = 0;         ///< how many times `started` was written
    Timestamp started_at{};
    std::optional<Timestamp> finished_at;
};

/// Where a scheduled step stands.
enum class ScheduleState { pending, done, cancelled };
std::string_view to_string(ScheduleState state);
std::optional<ScheduleState> parse_schedule_state(std::string_view name);

/// A step to run later (e.g. the delete after the retention period); survives restarts.
struct ScheduledStep {
    std::int64_t id = 0;
    StepKey key;
    std::string op;
    Timestamp due_at{};
    ScheduleState state = ScheduleState::pending;
    std::string cancelled_by;
    std::string cancel_reason;
    Timestamp created_at{};
    Timestamp updated_at{};
};

/// A step to schedule.
struct NewScheduledStep {
    StepKey key;
    std::string op;
    Timestamp due_at{};
};

/// A comment the daemon posted on a task, found again by its marker.
struct CommentRecord {
    TaskId task_id = 0;
    std::string marker;             ///< the short marker carried in the comment text
    std::string remote_comment_id;  ///< Bitrix's comment id
    Timestamp posted_at{};
};

/// An approval command read from a task comment (kept so a restart never applies it twice).
struct CommandRecord {
    TaskId task_id = 0;
    std::int64_t comment_id = 0;
    std::int64_t author = 0;
    std::string verb;     ///< approve, reject, cancel, malformed
    std::string outcome;  ///< what the daemon did with it (recorded, ignored: why)
    Timestamp read_at{};
};

/// One record of the append-only, hash-chained audit trail.
struct AuditRecord {
    std::int64_t seq = 0;  ///< 1, 2, 3 ... with no gaps
    Timestamp at{};
    std::string actor;
    std::string action;  ///< e.g. `ticket.state`, `plan.recorded`, `approval.recorded`
    std::optional<TaskId> task_id;
    std::string detail;
    std::string prev_hash;  ///< hex SHA-256 of the previous record (64 zeros for the first)
    std::string hash;       ///< hex SHA-256 of prev_hash and this record's content
};

/// An audit record to append.
struct NewAudit {
    std::string actor;
    std::string action;
    std::optional<TaskId> task_id;
    std::string detail;
};

/// What `verify_audit` found.
struct AuditVerification {
    bool ok = true;
    std::int64_t records_checked = 0;
    std::optional<std::int64_t> first_broken_seq;  ///< the first record whose link is broken
    std::string problem;                           ///< what is wrong with it
};

/// Converts between `Timestamp` and the stored integer.
inline std::int64_t to_millis(Timestamp t) {
    return t.time_since_epoch().count();
}
inline Timestamp from_millis(std::int64_t ms) {
    return Timestamp(std::chrono::milliseconds(ms));
}

}  // namespace hrmaild::store
