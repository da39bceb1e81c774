#pragma once
/// The running daemon's logic (DESIGN.md, "The flow of one request"), in four parts:
/// - intake (intake.cpp): the poll, open/closed tasks, the first-start horizon, planning and
///   policy, re-validation of waiting plans when the directory changes;
/// - approvals (approvals.cpp): commands in comments, and the queue commands of the CLI/API;
/// - executor (executor.cpp): journaled steps with probes, passwords, scheduled steps;
/// - reporter (reporter.cpp): the answers owed on tasks (comments, completing, deferring,
///   telling IT), written with the state change that owes them and settled until they land.
///
/// Single-threaded (STYLE.md point 10): every method runs on the daemon's io_context thread.
/// It talks to Bitrix24 and Zoho Mail only through the two ports, and to SQLite only through
/// the StateStore, so tests drive it with fakes, with the sandbox, or both.
#include "daemon/core/bounded.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/service/observer.hpp"
#include "daemon/service/planning.hpp"
#include "daemon/service/ports.hpp"
#include "daemon/store/state_store.hpp"
#include "daemon/workflow/workflow.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::service {

class ReconcileSource;  // reconcile.hpp
class ReportTasks;      // reconcile.hpp

/// Behaviour the configuration decides.
struct ServiceOptions {
    std::vector<std::int64_t> approvers;           ///< Bitrix user ids
    std::int64_t approver_department = 0;          ///< 0: none
    std::string password_recipient = "requester";  ///< `requester` or a Bitrix user id
    std::int64_t daemon_user_id = 0;               ///< the webhook user: its comments are ours
    /// The project HR files requests in (`bitrix.project_id`): a task found in another one was
    /// moved out and is no request any more. 0: not checked.
    std::int64_t project_id = 0;
    /// Who may file requests that run without approval (`policy.requesters`): Bitrix user ids
    /// and departments (with their sub-departments). Both empty: anyone in the project.
    std::vector<std::int64_t> requester_ids;
    std::vector<std::int64_t> requester_departments;
    bool dry_run = false;  ///< plan and comment, never mutate Zoho
    std::chrono::seconds poll_overlap{120};
    /// Tasks created before this time (ISO 8601; `hrmaild run --since`) are never automatic.
    /// Empty: the time of the first start, remembered in the store.
    std::string since;
    /// First wait before a ticket whose step failed retryably runs again (doubles, capped).
    std::chrono::seconds retry_base{60};
    std::chrono::seconds retry_cap{3600};
    /// How many times a private password delivery is tried before the ticket fails.
    int delivery_attempts = 5;
    /// How long the approvers found by department are reused before asking Bitrix again.
    std::chrono::seconds approver_cache{600};
    /// Makes a password that satisfies the organization's policy for this operation.
    std::function<Secret(const domain::Operation&)> generate_password;
    /// Receives what the service counts (metrics); null: nobody listens. Must outlive the
    /// service.
    Observer* observer = nullptr;
    /// How often Zoho is reconciled with the store (`reconcile.interval`, 24 h by default in
    /// the config); 0: only on demand. The first run is one interval after the first start.
    std::chrono::seconds reconcile_interval{0};
    /// Accounts created this many days back need a hire ticket (`reconcile.recent_days`).
    int reconcile_recent_days = 7;
    /// Forwards, licences and storage for the reconciliation; null: not looked at. Must
    /// outlive the service.
    ReconcileSource* reconcile_source = nullptr;
    /// Where a scheduled report goes: one Bitrix task, updated in place (found again by its
    /// tag and marker); null: privately to the approvers. Must outlive the service.
    ReportTasks* report_tasks = nullptr;
    std::int64_t report_responsible = 0;  ///< `reconcile.report_responsible`
    std::int64_t report_project = 0;      ///< `reconcile.report_project`
    /// Entries each in-memory cache keeps at most (the task cache, tasks known to be
    /// nobody's, ticket backoff); the least recently used is forgotten first, which costs a
    /// re-read, never a wrong answer.
    std::size_t cache_limit = 4096;
    /// How many approved tickets run at once in a pass (`executor.max_in_flight`); tickets
    /// touching the same mailbox (or a group as a whole) still run one after the other, in
    /// the order they were filed.
    std::size_t max_in_flight = 8;
    /// How long a password made in a pass may wait in memory for its private notification to
    /// share a batch with other tickets' (finisher.cpp). Until it is delivered, a crash loses
    /// it and the one recovery reset is spent; waiting for the whole pass (seconds to minutes
    /// with a Zoho throttle) made that window as long as the pass. 0: sent as soon as the
    /// ticket is done (each batch then carries what finished while the previous one was out).
    std::chrono::milliseconds password_hold{2000};
};

/// How full the service's bounded caches are (tests and the soak).
struct CacheSizes {
    std::size_t tasks = 0;      ///< the last read of each task
    std::size_t unclaimed = 0;  ///< (task, fingerprint) pairs no workflow claims
    std::size_t backoff = 0;    ///< tickets backing off after a retryable failure
};

/// A plan's effective date (`not_before`), as the service reads it from the plan text.
struct EffectiveDate {
    std::int64_t unix_ms = 0;  ///< 0: none (runs when approved)
    std::string local;         ///< `15/12/2026 23:59 (America/Mexico_City)`
};

/// A command refused by the service (unknown ticket, wrong state, missing reason...).
class CommandError : public std::runtime_error {
  public:
    CommandError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    /// HTTP-like status: 400 bad input, 404 unknown, 409 wrong state.
    [[nodiscard]] int status() const { return status_; }
    /// Machine-readable code (`not_found`, `stale_plan`, `reason_required`...).
    [[nodiscard]] const std::string& code() const { return code_; }

  private:
    int status_;
    std::string code_;
};

/// The daemon's service layer.
class Service {
  public:
    /// The ports and the store must outlive the service.
    Service(core::Clock& clock, store::StateStore& store, TicketSource& tickets,
            MailDirectory& mail, std::shared_ptr<const workflow::WorkflowSet> workflows,
            ServiceOptions options);

    /// Swaps the workflows (SIGHUP reload); tickets in flight keep their frozen plans.
    void set_workflows(std::shared_ptr<const workflow::WorkflowSet> workflows);
    /// How many entries the bounded caches hold now.
    [[nodiscard]] CacheSizes cache_sizes() const {
        return {tasks_.size(), unclaimed_seen_.size(), backoff_.size()};
    }

    /// One full pass: poll, answers owed, approvals, plans left half-way, ready plans, due
    /// scheduled steps, answers owed again, and the reconciliation when it is due.
    Awaitable<void> cycle();
    /// Reads the tasks changed since the watermark (with the overlap) and handles each.
    Awaitable<void> poll();
    /// Handles one task now (from a poll or an incoming event); false when it could not be
    /// handled now and must be read again (the Zoho directory was unavailable).
    Awaitable<bool> handle_task(const domain::Task& task);
    /// Whether an incoming event about a task may need a pass: false only for a task whose
    /// ticket ended (done, rejected, failed) and listens for nothing (no pending scheduled
    /// step), where a pass would change nothing (the echo of the daemon's own answers, mostly).
    /// Polling still reads such a task.
    [[nodiscard]] bool event_matters(std::int64_t task_id);
    /// The tickets settled (done, rejected, failed, no pending scheduled step) within the poll
    /// overlap and a minute of clock difference: a poll reading their tasks again would only
    /// log that the change is ignored, so it leaves them out (issue 11: after a burst of 100
    /// hires the overlap read them all again, three list pages per poll). Newest first, at
    /// most as many as the source's filter carries.
    std::vector<std::int64_t> settled_tasks();
    /// Reads the task again and handles it (an incoming event carries only the id).
    Awaitable<void> refresh_task(std::int64_t task_id);
    /// Reads approver commands on every waiting ticket (batched).
    Awaitable<void> read_approvals();
    /// Runs every approved or executing ticket (executing ones after a restart: their
    /// `started` steps are probed before anything is called again), and moves on tickets a
    /// crash left in `planned`.
    Awaitable<void> execute_ready();
    /// Runs scheduled steps that are due.
    Awaitable<void> run_due();
    /// Gives every answer owed on tasks (comments, completing, deferring, telling IT).
    Awaitable<void> settle_answers();
    /// Plans waiting for approval are assessed again when the directory changed since they
    /// were made (a group deleted meanwhile), with the true reason in the answer.
    Awaitable<void> revalidate_waiting();

    // ---- commands (CLI, admin API and web console) ----------------------------------
    // `web_user`: the Bitrix user signed in to the web console who decides (0: a named admin
    // token, CLI or API). A web decision follows the rules of a comment command: only an
    // approver (403 `not_an_approver`), never a requester of the task's plans (403
    // `requester_cannot_approve`, also when the requester is unknown); it is recorded as
    // `bitrix:<id>` on the `web` channel.
    /// `queue.approve`: binds the current plan; `plan_hash` is the full hash or a unique
    /// prefix of at least 12 characters.
    Awaitable<boost::json::value> queue_approve(std::int64_t task_id, std::string principal,
                                                std::string plan_hash, std::int64_t web_user = 0);
    /// `queue.reject`: needs a reason; answers HR and defers the task.
    Awaitable<boost::json::value> queue_reject(std::int64_t task_id, std::string principal,
                                               std::string reason, std::int64_t web_user = 0);
    /// `queue.retry`: the explicit way out of done, rejected and failed.
    Awaitable<boost::json::value> queue_retry(std::int64_t task_id, std::string principal);
    /// `reconcile`: compares Zoho with the store now and returns the report (JSON with its
    /// text); changes nothing. CommandError 503 when the directory cannot be read.
    Awaitable<boost::json::value> reconcile_now();
    /// Runs `reconcile_now` when `reconcile_interval` has passed since the last run (stored),
    /// and sends IT approvers the report privately when its findings changed.
    Awaitable<void> reconcile_if_due();
    /// The last report a run made (JSON as `reconcile_now` gives it, with `task`: the report
    /// task's id when there is one), for the console; nullopt before the first.
    [[nodiscard]] std::optional<boost::json::object> last_report() const;
    /// `queue.cancel`: cancels the ticket's pending scheduled steps, or a plan waiting for
    /// its effective date.
    Awaitable<boost::json::value> queue_cancel(std::int64_t task_id, std::string principal,
                                               std::int64_t web_user = 0);
    /// Whether a Bitrix user approves by the rule comment commands follow (`approvers`, or a
    /// member of `approver_department` and its sub-departments, read through the cache).
    Awaitable<bool> is_approver(std::int64_t user_id);
    /// The title of a task as the service last read it; empty when it is not in the cache.
    [[nodiscard]] std::string known_title(std::int64_t task_id) const;

  private:
    enum class StepOutcome { ok, retry_later, failed };
    enum class Landing { landed, later, refused };
    struct TicketContext;
    /// A private password notification held until the ticket's answers go with it.
    struct Delivery {
        int index = 0;               ///< the step that made the password
        std::int64_t recipient = 0;  ///< Bitrix user
        domain::Operation op;        ///< that step
        Secret text;                 ///< the notification, password included
    };
    /// A ticket whose steps all succeeded, waiting for its notifications and answers to be
    /// sent in one batch (shared with the other tickets finishing in the same pass).
    struct Finishing {
        std::shared_ptr<TicketContext> ctx;
        std::vector<store::NewAnswer> answers;  ///< owed with `done`: the comment, completing
    };
    /// What one write of a finishing batch stands for.
    struct FinishSlot {
        std::size_t ticket = 0;  ///< index among the tickets of the pass
        bool notify = false;     ///< a notification (else an answer)
        std::size_t item = 0;    ///< index in the ticket's deliveries or answers
    };

    // intake
    /// A task closed, deferred or (`left_project`) moved out of the project: never taken in;
    /// a waiting plan is withdrawn.
    Awaitable<bool> handle_closed(const domain::Task& task,
                                  const std::optional<store::TicketRecord>& existing,
                                  bool left_project = false);
    Awaitable<void> plan_ticket(const domain::Task& task, const store::TicketRecord& ticket,
                                Assessment a, const domain::DirectorySnapshot& directory,
                                bool directory_changed);
    Awaitable<void> advance_planned(std::int64_t task_id);
    Awaitable<bool> requester_allowed(std::int64_t user_id);
    std::optional<std::int64_t> horizon_ms();

    // approvals
    /// Tasks whose comments are read every cycle: those awaiting approval, and done ones with
    /// a pending scheduled step (they still listen for /cancelar).
    std::vector<std::int64_t> listening_tasks();
    /// The tasks with a pending scheduled step (a done ticket's step still listens for
    /// /cancelar): of every task, or only of `task_id`.
    std::set<std::int64_t> pending_step_tasks(std::optional<std::int64_t> task_id = std::nullopt);
    Awaitable<std::set<std::int64_t>> approver_ids();
    /// The members of a department and its sub-departments: from the cache while it is
    /// younger than `approver_cache`, else read from Bitrix (and cached when the read works).
    /// On a failed read the error; `last_members` still has what an earlier read found.
    Awaitable<Outcome<std::vector<std::int64_t>>> department_members(std::int64_t department);
    /// What the last good read of a department found (empty if none).
    const std::vector<std::int64_t>& last_members(std::int64_t department) const;
    /// The current plan of a ticket awaiting approval, or a CommandError (404, 409).
    store::PlanRecord waiting_plan(std::int64_t task_id);
    Awaitable<void> read_commands(std::int64_t id, std::vector<TaskComment> list,
                                  const std::set<std::int64_t>& approvers);
    /// For a web decision: refuses (CommandError 403) a non-approver or a requester.
    Awaitable<void> check_web_decider(std::int64_t task_id, const store::PlanRecord& plan,
                                      std::int64_t web_user);
    void reject_ticket(std::int64_t task_id, const store::PlanRecord& plan,
                       store::NewApproval approval, const std::string& who);

    // executor
    Awaitable<void> run_ticket(std::int64_t task_id);
    /// Runs the tickets, up to `max_in_flight` at once on the event loop (in_flight.cpp): a
    /// ticket starts only when no ticket before it in `ids` that shares a key with it is
    /// still unfinished. An exception of one (a store failure) stops new starts and is
    /// rethrown once the running ones end.
    Awaitable<void> run_in_flight(std::vector<std::int64_t> ids);
    Awaitable<StepOutcome> run_step(TicketContext& ctx, int index, const domain::Operation& op,
                                    std::string& failure);
    Awaitable<StepOutcome> settle_password(TicketContext& ctx, int index,
                                           const domain::Operation& op, std::string& failure);
    Awaitable<StepOutcome> deliver_password(TicketContext& ctx, int index,
                                            const domain::Operation& op, const Secret& password,
                                            std::string& failure);
    Awaitable<std::int64_t> password_recipient(const TicketContext& ctx);
    void fail_ticket(TicketContext& ctx, const std::string& failure);

    // finisher (finisher.cpp)
    /// Whether a ticket's notifications and answers are waiting to be sent.
    [[nodiscard]] bool finishing(std::int64_t task_id) const;
    /// How many writes a finishing ticket sends: its notifications, then its done comment and
    /// completion (halt=1: the comment lands only after the notifications).
    [[nodiscard]] std::size_t finishing_size(const Finishing& f) const;
    /// Journals them `started` and appends them to `writes`, each with its slot.
    void finishing_writes(Finishing& f, std::size_t index, std::vector<TicketWrite>& writes,
                          std::vector<FinishSlot>& slots);
    /// Sends a ticket's held notifications one by one (its plan failed after making them).
    Awaitable<void> deliver_deferred_now(TicketContext& ctx);
    /// One ticket's share of a finishing batch: done when its notifications landed (the
    /// answers' results journaled for the reporter), else tried again or failed; true when the
    /// ticket was settled (done or failed).
    Awaitable<bool> settle_finished(
        Finishing& f, std::vector<std::pair<FinishSlot, Outcome<std::string>>>& results);
    /// Whether our comment with `marker`, journaled as sent at or after `sent_at` (a
    /// notification's start; nullopt: any), is on the task (read now if not known): sent after
    /// a notification in a halting batch, it proves the notification arrived.
    Awaitable<bool> delivery_proven(std::int64_t task_id, const std::string& marker,
                                    std::optional<store::Timestamp> sent_at);
    void backoff(std::int64_t task_id);

    // lifecycle (lifecycle.cpp): effective dates
    EffectiveDate effective_date(const store::PlanRecord& plan);
    /// The plan comment's line saying when a dated plan runs (empty for an undated one).
    std::string when_line(const store::PlanRecord& plan);
    /// An approved plan whose date is still ahead: true (it waits), and HR is told once when it
    /// will run.
    bool waits_for_date(const store::TicketRecord& ticket, const store::PlanRecord& plan);
    /// Tickets approved and waiting for their date (they listen for /cancelar).
    std::vector<std::int64_t> waiting_for_date();
    /// Cancels an approved plan still waiting for its date (comment to HR); false if none.
    bool cancel_waiting(std::int64_t task_id, const std::string& who);
    /// Steps that waited (a date, a retention period) checked against the directory as it is
    /// now: a rehire on the bound account's address, or a policy that refuses them now. The
    /// reason (for HR and IT), or nullopt when they may run.
    std::optional<std::string> recheck_steps(const std::string& workflow_name, std::int64_t task_id,
                                             const std::vector<domain::Operation>& ops,
                                             const domain::DirectorySnapshot& fresh);

    // reporter
    Awaitable<Landing> post_comment(std::int64_t task_id, const std::string& marker,
                                    const std::string& text);
    Awaitable<bool> settle_answer(const store::AnswerRecord& answer);
    /// One round of `settle_answers`; true when an answer landed or was settled for good.
    Awaitable<bool> settle_round();
    std::vector<store::NewAnswer> tell_it(std::int64_t task_id, const std::string& text);

    store::Timestamp now() const;
    store::TicketRecord transition(std::int64_t task_id, store::TicketState to,
                                   const std::string& actor, const std::string& reason,
                                   std::vector<store::NewAnswer> answers = {},
                                   const std::string& parse_errors = {});
    Awaitable<std::optional<domain::Task>> load_task(std::int64_t task_id);
    // The report as one Bitrix task (reconcile.cpp); whether it landed.
    Awaitable<bool> send_report_task(const boost::json::object& report);

    core::Clock& clock_;
    store::StateStore& store_;
    TicketSource& tickets_;
    MailDirectory& mail_;
    std::shared_ptr<const workflow::WorkflowSet> workflows_;
    ServiceOptions options_;
    Observer quiet_;
    Observer& observer_;      // options_.observer, or quiet_
    int closed_skipped_ = 0;  // for the first start's log line
    int past_queued_ = 0;
    // Bounded (options_.cache_limit each): a forgotten entry is read or computed again.
    BoundedSet<std::pair<std::int64_t, std::string>> unclaimed_seen_{
        options_.cache_limit};  // (task, fingerprint)
    BoundedMap<std::int64_t, domain::Task> tasks_{
        options_.cache_limit};  // the last read of each task, by id
    // Tickets whose last step failed retryably (the client's own retries spent): not run
    // again before this time, backing off per consecutive failure.
    BoundedMap<std::int64_t, std::pair<store::Timestamp, int>> backoff_{options_.cache_limit};
    // Passwords made by this process and not delivered yet (a delivery that failed
    // retryably is tried again with the same password). Memory only, never stored.
    std::map<std::pair<std::int64_t, int>, std::pair<Secret, int>> undelivered_;
    std::set<std::int64_t> closed_meanwhile_;  // executing tickets whose task HR closed
    std::vector<Finishing> finishing_;         // done but for their notifications (finisher)
    // When finishing_ last went from empty to not empty (run_in_flight sends it by
    // options_.password_hold after that).
    std::optional<std::chrono::steady_clock::time_point> finishing_since_;
    void hold_finishing(Finishing f);
    // Members of Bitrix departments (approvers and requesters alike), by department, with
    // when they were read: one cache, reused for `approver_cache`.
    struct DepartmentMembers {
        std::vector<std::int64_t> members;
        store::Timestamp read_at;
    };
    std::map<std::int64_t, DepartmentMembers> departments_;
    std::string directory_fingerprint_;  // of the snapshot waiting plans were last checked on
    // The tasks of approved plans, read again together at the start of a pass (one request
    // for the pass, not one per ticket), each used once by run_ticket before its plan runs.
    std::map<std::int64_t, std::optional<domain::Task>> reread_;
    // Comments of listening tasks read by this cycle's poll (same request), used once by
    // read_approvals.
    std::map<std::int64_t, std::vector<TaskComment>> prefetched_comments_;
    bool in_cycle_ = false;  // poll() called by cycle(): read_approvals follows in the cycle
    // Within a cycle's poll: routine plans are left approved for execute_ready, which runs
    // them together; a poll on its own runs each at once.
    bool defer_runs_ = false;
    bool settling_ = false;  // settle_answers is running (it is never entered twice)
    // (task, plan hash) of dated plans whose "scheduled" comment this process owed already
    // (forgotten: owed again, which the answer's marker makes a no-op).
    BoundedSet<std::pair<std::int64_t, std::string>> announced_{options_.cache_limit};
};

}  // namespace hrmaild::service
