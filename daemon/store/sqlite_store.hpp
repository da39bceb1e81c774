#pragma once
/// The embedded StateStore: one SQLite file in WAL mode, created and migrated on open, with
/// one daemon per file (an flock on `<file>.lock`).
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/store/dashboard_store.hpp"
#include "daemon/store/state_store.hpp"

namespace hrmaild::store {

namespace detail {
class Connection;
class LockFile;
}  // namespace detail

/// How to open the SQLite store.
struct SqliteOptions {
    /// The database file (config `state.path`); `<path>.lock`, `-wal` and `-shm` sit beside it.
    std::filesystem::path path;
    /// How long a statement waits on another connection's lock (config `state.busy_timeout`).
    std::chrono::milliseconds busy_timeout{5000};
    /// Read-only: no lock, no migration, no writes (for inspection beside a running daemon).
    /// The database must already be at this binary's schema version.
    bool read_only = false;
    /// Where created/updated times come from (STYLE.md point 11); the system clock if empty.
    std::function<Timestamp()> clock;
    /// Tests only: stop migrating at this version instead of the latest.
    std::optional<int> migrate_to;
};

/// What the connection actually runs with, read back from SQLite (for `hrmaild status` and
/// the tests that pin the durability settings).
struct SqliteSettings {
    std::string journal_mode;  ///< `wal`
    int synchronous = 0;       ///< 2 = FULL
    bool foreign_keys = false;
    int busy_timeout_ms = 0;
};

/// StateStore on SQLite (WAL, synchronous=FULL, foreign keys on, busy timeout); also the
/// dashboard's DashboardStore, in the same file.
class SqliteStore final : public StateStore, public DashboardStore {
  public:
    /// Takes the lock, opens (creating) the file, refuses a newer schema, applies pending
    /// migrations, and logs STORE_OPENED. Errors say what to do (StoreError::hint).
    static Result<std::unique_ptr<SqliteStore>> open(SqliteOptions options);
    /// The path of the lock file that guards `db_path`.
    static std::filesystem::path lock_path_for(const std::filesystem::path& db_path);

    ~SqliteStore() override;

    /// The database file.
    [[nodiscard]] const std::filesystem::path& path() const { return options_.path; }

    /// The settings in force on this connection.
    Result<SqliteSettings> settings();

    Result<int> schema_version() override;

    Result<TicketRecord> upsert_ticket(TaskId task_id, std::string_view workflow,
                                       std::string_view changed_date) override;
    Result<std::optional<TicketRecord>> get_ticket(TaskId task_id) override;
    Result<std::vector<TicketRecord>> list_tickets(std::vector<TicketState> states = {},
                                                   int limit = 1000) override;
    Result<std::vector<TaskId>> settled_within(std::chrono::milliseconds window,
                                               int limit) override;
    Result<std::vector<StateCount>> count_tickets() override;
    Result<std::vector<TicketActivity>> ticket_activity(Timestamp since,
                                                        int limit = 10000) override;
    Result<TicketRecord> transition_ticket(const TicketTransition& change) override;
    Result<TicketRecord> retry_ticket(TaskId task_id, std::string_view actor,
                                      std::string_view reason) override;

    Result<PlanRecord> record_plan(const NewPlan& plan) override;
    Result<std::optional<PlanRecord>> current_plan(TaskId task_id) override;
    Result<std::vector<PlanRecord>> plans_for(TaskId task_id) override;

    Result<ApprovalRecord> record_approval(const NewApproval& approval) override;
    Result<std::optional<ApprovalRecord>> current_approval(TaskId task_id) override;
    Result<std::vector<ApprovalRecord>> approvals_for(TaskId task_id) override;

    Result<StepRecord> journal_started(const StepKey& key, std::string_view op) override;
    Result<StepRecord> journal_succeeded(const StepKey& key, std::string_view result) override;
    Result<StepRecord> journal_failed(const StepKey& key, std::string_view error_class,
                                      std::string_view message) override;
    Result<std::optional<StepRecord>> journal_step(const StepKey& key) override;
    Result<std::vector<StepRecord>> journal_for(TaskId task_id,
                                                std::string_view plan_hash) override;
    Result<std::vector<StepRecord>> started_steps() override;

    Result<ScheduledStep> schedule_step(const NewScheduledStep& step) override;
    Result<std::vector<ScheduledStep>> due_steps(Timestamp now) override;
    Result<std::optional<Timestamp>> next_due() override;
    Result<std::vector<ScheduledStep>> scheduled_steps(std::optional<TaskId> task_id) override;
    Result<ScheduledStep> complete_scheduled(std::int64_t id) override;
    Result<ScheduledStep> cancel_scheduled(std::int64_t id, std::string_view actor,
                                           std::string_view reason) override;
    Result<int> cancel_scheduled_for(TaskId task_id, std::string_view actor,
                                     std::string_view reason) override;

    Result<bool> record_comment(TaskId task_id, std::string_view marker,
                                std::string_view remote_comment_id) override;
    Result<std::optional<CommentRecord>> find_comment(TaskId task_id,
                                                      std::string_view marker) override;

    Result<void> owe_answers(TaskId task_id, const std::vector<NewAnswer>& answers) override;
    Result<std::vector<AnswerRecord>> pending_answers(std::optional<TaskId> task_id) override;
    Result<std::vector<AnswerRecord>> answers_for(TaskId task_id) override;
    Result<void> settle_answer(std::int64_t id, AnswerState state, std::string_view error) override;
    Result<bool> record_command(const CommandRecord& command) override;
    Result<bool> command_seen(TaskId task_id, std::int64_t comment_id) override;

    Result<std::optional<std::string>> get_watermark(std::string_view key) override;
    Result<void> set_watermark(std::string_view key, std::string_view value) override;

    Result<AuditRecord> append_audit(const NewAudit& record) override;
    Result<std::vector<AuditRecord>> audit_trail(std::optional<TaskId> task_id,
                                                 int limit = 1000) override;
    Result<AuditVerification> verify_audit() override;

    Result<std::optional<DashboardSnapshot>> dashboard_snapshot() override;
    Result<std::vector<DashboardDay>> dashboard_days(std::string_view from_day) override;
    Result<std::vector<DashboardSignIn>> dashboard_sign_ins() override;
    Result<void> record_dashboard(const DashboardRefresh& refresh) override;

  private:
    SqliteStore(SqliteOptions options, std::unique_ptr<detail::LockFile> lock,
                std::unique_ptr<detail::Connection> db);

    void prepare_connection();
    int migrate();
    [[nodiscard]] Timestamp now() const;

    TicketRecord require_ticket(TaskId task_id);
    std::optional<TicketRecord> load_ticket(TaskId task_id);
    std::optional<PlanRecord> load_current_plan(TaskId task_id);
    std::optional<StepRecord> load_step(const StepKey& key);
    ScheduledStep require_scheduled(std::int64_t id);
    AuditRecord append_audit_in_tx(const NewAudit& record);
    void owe_answers_in_tx(TaskId task_id, const std::vector<NewAnswer>& answers);

    template <typename F>
    auto guarded(std::string_view operation, F&& body) -> Result<decltype(body())>;

    SqliteOptions options_;
    std::unique_ptr<detail::LockFile> lock_;
    std::unique_ptr<detail::Connection> db_;
};

}  // namespace hrmaild::store
