#include "daemon/store/sqlite_store.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <type_traits>

#include "daemon/log/log.hpp"
#include "daemon/store/detail/audit_chain.hpp"
#include "daemon/store/detail/lock_file.hpp"
#include "daemon/store/detail/sqlite.hpp"
#include "daemon/store/migrations.hpp"

namespace hrmaild::store {

using detail::fail;

namespace {

// Column lists shared by the SELECTs and the row readers below (same order).
constexpr std::string_view kTicketCols =
    "task_id, workflow, state, changed_date, parse_errors, created_at, updated_at";
constexpr std::string_view kPlanCols =
    "id, task_id, plan_hash, plan_text, approval_required, reasons, is_current, created_at, "
    "messages, requester, decision, dry_run";
constexpr std::string_view kApprovalCols =
    "a.id, a.task_id, a.plan_id, a.plan_hash, a.approver, a.channel, a.decision, a.reason, "
    "a.decided_at";
constexpr std::string_view kStepCols =
    "task_id, plan_hash, step_index, op, state, error_class, result, attempts, started_at, "
    "finished_at, kind";
constexpr std::string_view kAnswerCols =
    "id, task_id, kind, marker, body, state, attempts, last_error, created_at, updated_at";
constexpr std::string_view kScheduleCols =
    "id, task_id, plan_hash, step_index, op, due_at, state, cancelled_by, cancel_reason, "
    "created_at, updated_at";
constexpr std::string_view kAuditCols = "seq, at, actor, action, task_id, detail, prev_hash, hash";

std::string sql(std::string_view head, std::string_view cols, std::string_view tail) {
    return fmt::format("{}{}{}", head, cols, tail);
}

template <typename T>
T parse_or_fail(std::optional<T> value, std::string_view what, std::string_view text) {
    if (!value)
        fail(StoreErrc::not_a_database, fmt::format("unknown {} '{}' in the database", what, text),
             "the file was changed outside hrmaild; restore a backup");
    return *value;
}

TicketRecord read_ticket(const detail::Query& q) {
    TicketRecord t;
    t.task_id = q.int_at(0);
    t.workflow = q.text_at(1);
    const auto state = q.text_at(2);
    t.state = parse_or_fail(parse_ticket_state(state), "ticket state", state);
    t.changed_date = q.text_at(3);
    t.parse_errors = q.text_at(4);
    t.created_at = from_millis(q.int_at(5));
    t.updated_at = from_millis(q.int_at(6));
    return t;
}

PlanRecord read_plan(const detail::Query& q) {
    PlanRecord p;
    p.id = q.int_at(0);
    p.task_id = q.int_at(1);
    p.plan_hash = q.text_at(2);
    p.plan_text = q.text_at(3);
    p.approval_required = q.int_at(4) != 0;
    p.reasons = q.text_at(5);
    p.current = q.int_at(6) != 0;
    p.created_at = from_millis(q.int_at(7));
    p.messages = q.text_at(8);
    p.requester = q.int_at(9);
    const auto decision = q.text_at(10);
    p.decision = parse_or_fail(parse_plan_decision(decision), "plan decision", decision);
    p.dry_run = q.int_at(11) != 0;
    return p;
}

ApprovalRecord read_approval(const detail::Query& q) {
    ApprovalRecord a;
    a.id = q.int_at(0);
    a.task_id = q.int_at(1);
    a.plan_id = q.int_at(2);
    a.plan_hash = q.text_at(3);
    a.approver = q.text_at(4);
    const auto channel = q.text_at(5);
    a.channel = parse_or_fail(parse_approval_channel(channel), "approval channel", channel);
    const auto decision = q.text_at(6);
    a.decision = parse_or_fail(parse_decision(decision), "decision", decision);
    a.reason = q.text_at(7);
    a.decided_at = from_millis(q.int_at(8));
    return a;
}

StepRecord read_step(const detail::Query& q) {
    StepRecord s;
    s.key.task_id = q.int_at(0);
    s.key.plan_hash = q.text_at(1);
    s.key.step_index = static_cast<int>(q.int_at(2));
    s.op = q.text_at(3);
    const auto state = q.text_at(4);
    s.state = parse_or_fail(parse_step_state(state), "step state", state);
    s.error_class = q.text_at(5);
    s.result = q.text_at(6);
    s.attempts = static_cast<int>(q.int_at(7));
    s.started_at = from_millis(q.int_at(8));
    if (const auto f = q.opt_int_at(9))
        s.finished_at = from_millis(*f);
    const auto kind = q.text_at(10);
    s.key.kind = parse_or_fail(parse_step_kind(kind), "journal kind", kind);
    return s;
}

AnswerRecord read_answer(const detail::Query& q) {
    AnswerRecord a;
    a.id = q.int_at(0);
    a.task_id = q.int_at(1);
    const auto kind = q.text_at(2);
    a.kind = parse_or_fail(parse_answer_kind(kind), "answer kind", kind);
    a.marker = q.text_at(3);
    a.body = q.text_at(4);
    const auto state = q.text_at(5);
    a.state = parse_or_fail(parse_answer_state(state), "answer state", state);
    a.attempts = static_cast<int>(q.int_at(6));
    a.last_error = q.text_at(7);
    a.created_at = from_millis(q.int_at(8));
    a.updated_at = from_millis(q.int_at(9));
    return a;
}

ScheduledStep read_scheduled(const detail::Query& q) {
    ScheduledStep s;
    s.id = q.int_at(0);
    s.key.task_id = q.int_at(1);
    s.key.plan_hash = q.text_at(2);
    s.key.step_index = static_cast<int>(q.int_at(3));
    s.op = q.text_at(4);
    s.due_at = from_millis(q.int_at(5));
    const auto state = q.text_at(6);
    s.state = parse_or_fail(parse_schedule_state(state), "schedule state", state);
    s.cancelled_by = q.text_at(7);
    s.cancel_reason = q.text_at(8);
    s.created_at = from_millis(q.int_at(9));
    s.updated_at = from_millis(q.int_at(10));
    return s;
}

AuditRecord read_audit(const detail::Query& q) {
    AuditRecord a;
    a.seq = q.int_at(0);
    a.at = from_millis(q.int_at(1));
    a.actor = q.text_at(2);
    a.action = q.text_at(3);
    a.task_id = q.opt_int_at(4);
    a.detail = q.text_at(5);
    a.prev_hash = q.text_at(6);
    a.hash = q.text_at(7);
    return a;
}

/// The first characters of a plan hash, enough for a person to compare two in a message.
std::string short_hash(std::string_view hash) {
    return std::string(hash.substr(0, 12));
}

std::string step_name(const StepKey& key) {
    return fmt::format("{} {} of plan {} of ticket {}", to_string(key.kind), key.step_index,
                       short_hash(key.plan_hash), key.task_id);
}

void validate_key(const StepKey& key) {
    if (key.task_id <= 0 || key.plan_hash.empty() || key.step_index < 0)
        fail(StoreErrc::invalid_argument,
             fmt::format("invalid step key (task {}, plan '{}', step {})", key.task_id,
                         key.plan_hash, key.step_index),
             "a step is named by a positive task id, a plan hash and an index from 0");
}

std::string allowed_from(TicketState from) {
    std::string out;
    for (int i = 0; i <= static_cast<int>(TicketState::cancelled); ++i) {
        const auto to = static_cast<TicketState>(i);
        if (can_transition(from, to))
            out += (out.empty() ? "" : ", ") + std::string(to_string(to));
    }
    return out;
}

}  // namespace

// ---- opening ---------------------------------------------------------------------------

std::filesystem::path SqliteStore::lock_path_for(const std::filesystem::path& db_path) {
    auto p = db_path;
    p += ".lock";
    return p;
}

SqliteStore::SqliteStore(SqliteOptions options, std::unique_ptr<detail::LockFile> lock,
                         std::unique_ptr<detail::Connection> db)
    : options_(std::move(options)), lock_(std::move(lock)), db_(std::move(db)) {}

// The connection closes before the lock is released, so the next daemon never sees a
// half-closed file.
SqliteStore::~SqliteStore() {
    db_.reset();
    lock_.reset();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options) {
    using R = Result<std::unique_ptr<SqliteStore>>;
    if (options.path.empty())
        return R(boost::system::in_place_error,
                 StoreError{StoreErrc::invalid_argument, "state database path is empty",
                            "set state.path in the configuration", 0});
    std::unique_ptr<detail::LockFile> lock;
    if (!options.read_only) {
        auto taken = detail::LockFile::acquire(lock_path_for(options.path), options.path);
        if (!taken)
            return R(boost::system::in_place_error, taken.error());
        lock = std::move(*taken);
    }
    try {
        std::error_code ec;
        const bool existed = std::filesystem::exists(options.path, ec);
        auto db = std::make_unique<detail::Connection>(options.path, options.read_only,
                                                       options.busy_timeout);
        // The file holds names and addresses of staff: readable by the daemon's user only.
        // (SQLite gives the -wal and -shm files the same mode.)
        if (!existed && !options.read_only)
            ::chmod(options.path.c_str(), S_IRUSR | S_IWUSR);
        std::unique_ptr<SqliteStore> store(
            new SqliteStore(std::move(options), std::move(lock), std::move(db)));
        store->prepare_connection();
        const int from = store->migrate();
        const int now_at = store->schema_version().value();
        log::info("STORE_OPENED",
                  {{"path", store->path().string()},
                   {"schema_version", now_at},
                   {"migrated_from", from},
                   {"mode", store->options_.read_only ? "read-only" : "read-write"}});
        return R(boost::system::in_place_value, std::move(store));
    } catch (const detail::Failure& f) {
        return R(boost::system::in_place_error, f.error());
    } catch (const StoreException& e) {
        return R(boost::system::in_place_error, e.error());
    }
}

void SqliteStore::prepare_connection() {
    db_->exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
    if (options_.read_only)
        return;
    // WAL lets readers (hrmaild status, inspection) run beside the writing daemon.
    std::string mode;
    {
        auto q = db_->query("PRAGMA journal_mode = WAL");
        if (q.next())
            mode = q.text_at(0);
    }
    if (mode != "wal")
        fail(StoreErrc::cannot_open,
             fmt::format("state database {}: cannot switch to WAL mode (journal_mode is '{}')",
                         options_.path.string(), mode),
             "WAL needs a local file system with shared memory (not NFS); put state.path on a "
             "local disk");
    // FULL: a journal write is on disk before the remote call it guards.
    db_->exec("PRAGMA synchronous = FULL", "setting synchronous=FULL");
}

int SqliteStore::migrate() {
    const auto& file = options_.path;
    bool has_version_table = false;
    int other_tables = 0;
    {
        auto q = db_->query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        while (q.next()) {
            if (q.text_at(0) == "schema_version")
                has_version_table = true;
            else
                ++other_tables;
        }
    }
    if (!has_version_table) {
        if (other_tables > 0)
            fail(StoreErrc::not_a_database,
                 fmt::format("{} is an SQLite database but not an hrmaild state database (it has "
                             "{} tables and no schema_version table)",
                             file.string(), other_tables),
                 "check state.path: hrmaild keeps its state in a file of its own");
        if (options_.read_only)
            fail(StoreErrc::schema_too_old,
                 fmt::format("state database {} has no hrmaild schema yet", file.string()),
                 "start the daemon once (hrmaild run) to create it");
        // A database being created holds nothing yet: its steps are committed without a sync
        // of their own (WAL with synchronous=NORMAL stays consistent; it only may lose the
        // newest commits on a power failure, and a lost step is applied again on the next
        // start), the last one with FULL, whose sync makes every earlier frame durable too.
        // Five syncs fewer before READY (issue 11); an existing database migrates one durable
        // step at a time.
        db_->exec("PRAGMA synchronous = NORMAL", "setting synchronous=NORMAL for a new database");
        db_->exec(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT",
            "creating the schema_version table");
    }
    const bool creating = !has_version_table;
    const int current = schema_version().value();
    const int latest = latest_schema_version();
    if (current > latest)
        fail(StoreErrc::schema_too_new,
             fmt::format("state database {} has schema version {}, but this hrmaild ({}) knows "
                         "versions up to {}",
                         file.string(), current, HRMAILD_VERSION, latest),
             "the file was written by a newer hrmaild: run that version again, or restore the "
             "backup taken before the upgrade; an older binary never downgrades a database");
    if (options_.read_only) {
        if (current < latest)
            fail(StoreErrc::schema_too_old,
                 fmt::format("state database {} is at schema version {}; this hrmaild needs {}",
                             file.string(), current, latest),
                 "start the daemon (hrmaild run migrates on start), then retry");
        return current;
    }
    const int target = std::min(options_.migrate_to.value_or(latest), latest);
    for (const auto& m : migrations()) {
        if (m.version <= current || m.version > target)
            continue;
        if (creating && m.version == target)
            db_->exec("PRAGMA synchronous = FULL", "setting synchronous=FULL");
        // A step that rebuilds a table (to change a CHECK constraint) asks for foreign keys to
        // be off around its transaction (SQLite's documented procedure); the check below still
        // runs before the commit, and foreign keys are on again afterwards.
        const bool fk_off = m.sql.starts_with("-- hrmaild: foreign_keys off");
        if (fk_off)
            db_->exec("PRAGMA foreign_keys = OFF", "disabling foreign keys for a table rebuild");
        struct FkBack {
            detail::Connection& db;
            bool on;
            ~FkBack() {
                if (on)
                    db.exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
            }
        } fk_back{*db_, fk_off};
        detail::Transaction tx(*db_);
        db_->exec(m.sql, fmt::format("applying schema step {}", m.name));
        {
            auto check = db_->query("PRAGMA foreign_key_check");
            if (check.next())
                fail(StoreErrc::io,
                     fmt::format("state database {}: schema step {} leaves rows that break a "
                                 "foreign key (table {})",
                                 file.string(), m.name, check.text_at(0)),
                     "the step is faulty; the database was left at the previous version");
        }
        db_->query(
               "INSERT INTO schema_version (version, name, applied_at) VALUES (:version, "
               ":name, :applied_at)")
            .bind_int(":version", m.version)
            .bind_text(":name", m.name)
            .bind_int(":applied_at", to_millis(now()))
            .run();
        tx.commit();
        log::info("STORE_MIGRATION_APPLIED",
                  {{"path", file.string()}, {"version", m.version}, {"name", m.name}});
    }
    if (creating)
        db_->exec("PRAGMA synchronous = FULL", "setting synchronous=FULL");
    return current;
}

Timestamp SqliteStore::now() const {
    if (options_.clock)
        return options_.clock();
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

template <typename F>
auto SqliteStore::guarded(std::string_view operation, F&& body) -> Result<decltype(body())> {
    using T = decltype(body());
    try {
        if constexpr (std::is_void_v<T>) {
            body();
            return {};
        } else {
            return Result<T>(boost::system::in_place_value, body());
        }
    } catch (const detail::Failure& f) {
        const auto& e = f.error();
        // Refusals (not found, invalid transition ...) are answers for the caller to act on;
        // SQLite failures are problems an operator must see.
        if (e.sqlite_code != 0)
            log::error("STORE_SQLITE_FAILED", {{"operation", operation},
                                               {"code", to_string(e.code)},
                                               {"reason", e.message},
                                               {"hint", e.hint}});
        return Result<T>(boost::system::in_place_error, e);
    }
}

Result<SqliteSettings> SqliteStore::settings() {
    return guarded("settings", [&] {
        SqliteSettings out;
        auto read = [&](std::string_view pragma) {
            auto q = db_->query(pragma);
            return q.next() ? q.text_at(0) : std::string();
        };
        out.journal_mode = read("PRAGMA journal_mode");
        out.synchronous = std::stoi(read("PRAGMA synchronous"));
        out.foreign_keys = read("PRAGMA foreign_keys") == "1";
        out.busy_timeout_ms = std::stoi(read("PRAGMA busy_timeout"));
        return out;
    });
}

Result<int> SqliteStore::schema_version() {
    return guarded("schema_version", [&] {
        auto q = db_->query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
        q.next();
        return static_cast<int>(q.int_at(0));
    });
}

// ---- helpers ---------------------------------------------------------------------------

std::optional<TicketRecord> SqliteStore::load_ticket(TaskId task_id) {
    static const std::string s =
        sql("SELECT ", kTicketCols, " FROM tickets WHERE task_id = :task_id");
    auto q = db_->query(s);
    q.bind_int(":task_id", task_id);
    if (!q.next())
        return std::nullopt;
    return read_ticket(q);
}

TicketRecord SqliteStore::require_ticket(TaskId task_id) {
    auto t = load_ticket(task_id);
    if (!t)
        fail(StoreErrc::not_found, fmt::format("ticket {} is not in the state store", task_id),
             "the daemon records a task when it first reads it; check the task id");
    return *t;
}

std::optional<PlanRecord> SqliteStore::load_current_plan(TaskId task_id) {
    static const std::string s =
        sql("SELECT ", kPlanCols, " FROM plans WHERE task_id = :task_id AND is_current = 1");
    auto q = db_->query(s);
    q.bind_int(":task_id", task_id);
    if (!q.next())
        return std::nullopt;
    return read_plan(q);
}

std::optional<StepRecord> SqliteStore::load_step(const StepKey& key) {
    static const std::string s =
        sql("SELECT ", kStepCols,
            " FROM step_journal WHERE task_id = :task_id AND plan_hash = :plan_hash AND "
            "kind = :kind AND step_index = :step_index");
    auto q = db_->query(s);
    q.bind_int(":task_id", key.task_id)
        .bind_text(":plan_hash", key.plan_hash)
        .bind_text(":kind", to_string(key.kind))
        .bind_int(":step_index", key.step_index);
    if (!q.next())
        return std::nullopt;
    return read_step(q);
}

ScheduledStep SqliteStore::require_scheduled(std::int64_t id) {
    static const std::string s =
        sql("SELECT ", kScheduleCols, " FROM scheduled_steps WHERE id = :id");
    auto q = db_->query(s);
    q.bind_int(":id", id);
    if (!q.next())
        fail(StoreErrc::not_found, fmt::format("scheduled step {} does not exist", id),
             "list them with hrmaild queue show <task>");
    return read_scheduled(q);
}

AuditRecord SqliteStore::append_audit_in_tx(const NewAudit& record) {
    AuditRecord a;
    a.prev_hash = std::string(detail::kAuditGenesis);
    {
        auto q = db_->query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
        if (q.next()) {
            a.seq = q.int_at(0);
            a.prev_hash = q.text_at(1);
        }
    }
    a.seq += 1;
    a.at = now();
    a.actor = record.actor;
    a.action = record.action;
    a.task_id = record.task_id;
    a.detail = record.detail;
    a.hash = detail::audit_hash(a.prev_hash, a.seq, to_millis(a.at), a.actor, a.action, a.task_id,
                                a.detail);
    db_->query(
           "INSERT INTO audit (seq, at, actor, action, task_id, detail, prev_hash, hash) VALUES "
           "(:seq, :at, :actor, :action, :task_id, :detail, :prev_hash, :hash)")
        .bind_int(":seq", a.seq)
        .bind_int(":at", to_millis(a.at))
        .bind_text(":actor", a.actor)
        .bind_text(":action", a.action)
        .bind_opt_int(":task_id", a.task_id)
        .bind_text(":detail", a.detail)
        .bind_text(":prev_hash", a.prev_hash)
        .bind_text(":hash", a.hash)
        .run();
    return a;
}

// ---- tickets ---------------------------------------------------------------------------

Result<TicketRecord> SqliteStore::upsert_ticket(TaskId task_id, std::string_view workflow,
                                                std::string_view changed_date) {
    return guarded("upsert_ticket", [&] {
        if (task_id <= 0)
            fail(StoreErrc::invalid_argument, fmt::format("task id {} is not valid", task_id),
                 "Bitrix24 task ids are positive integers");
        detail::Transaction tx(*db_);
        const auto existing = load_ticket(task_id);
        const auto t = to_millis(now());
        if (!existing) {
            db_->query(
                   "INSERT INTO tickets (task_id, workflow, state, changed_date, parse_errors, "
                   "created_at, updated_at) VALUES (:task_id, :workflow, 'new', "
                   ":changed_date, '', :now, :now)")
                .bind_int(":task_id", task_id)
                .bind_text(":workflow", workflow)
                .bind_text(":changed_date", changed_date)
                .bind_int(":now", t)
                .run();
            append_audit_in_tx(
                {"daemon", "ticket.created", task_id,
                 fmt::format("workflow={} changed_date={}", workflow, changed_date)});
        } else if (existing->changed_date != changed_date ||
                   (!workflow.empty() && existing->workflow != workflow)) {
            db_->query(
                   "UPDATE tickets SET workflow = CASE WHEN :workflow <> '' THEN :workflow "
                   "ELSE workflow END, changed_date = :changed_date, updated_at = :now "
                   "WHERE task_id = :task_id")
                .bind_int(":task_id", task_id)
                .bind_text(":workflow", workflow)
                .bind_text(":changed_date", changed_date)
                .bind_int(":now", t)
                .run();
        } else {
            return *existing;  // nothing changed: no write, no fsync
        }
        auto rec = require_ticket(task_id);
        tx.commit();
        return rec;
    });
}

Result<std::optional<TicketRecord>> SqliteStore::get_ticket(TaskId task_id) {
    return guarded("get_ticket", [&] { return load_ticket(task_id); });
}

Result<std::vector<TicketRecord>> SqliteStore::list_tickets(std::vector<TicketState> states,
                                                            int limit) {
    return guarded("list_tickets", [&] {
        std::string wanted = ",";
        for (auto s : states)
            wanted += std::string(to_string(s)) + ",";
        static const std::string s =
            sql("SELECT ", kTicketCols,
                " FROM tickets WHERE (:any = 1 OR instr(:states, ',' || state || ',') > 0) "
                "ORDER BY updated_at, task_id LIMIT :limit");
        auto q = db_->query(s);
        q.bind_bool(":any", states.empty()).bind_text(":states", wanted).bind_int(":limit", limit);
        std::vector<TicketRecord> out;
        while (q.next())
            out.push_back(read_ticket(q));
        return out;
    });
}

Result<std::vector<TaskId>> SqliteStore::settled_within(std::chrono::milliseconds window,
                                                        int limit) {
    return guarded("settled_within", [&] {
        const Timestamp since = now() - window;
        // One range of the (state, updated_at) index per state.
        auto q = db_->query(
            "SELECT task_id FROM tickets WHERE state IN ('done', 'rejected', 'failed') AND "
            "updated_at >= :since ORDER BY updated_at DESC, task_id DESC LIMIT :limit");
        q.bind_int(":since", to_millis(since)).bind_int(":limit", limit);
        std::vector<TaskId> out;
        while (q.next())
            out.push_back(q.int_at(0));
        return out;
    });
}

Result<std::vector<StateCount>> SqliteStore::count_tickets() {
    return guarded("count_tickets", [&] {
        auto q = db_->query(
            "SELECT state, COUNT(*), MIN(updated_at) FROM tickets GROUP BY state ORDER BY state");
        std::vector<StateCount> out;
        while (q.next()) {
            const auto state = q.text_at(0);
            out.push_back({parse_or_fail(parse_ticket_state(state), "ticket state", state),
                           q.int_at(1), from_millis(q.int_at(2))});
        }
        return out;
    });
}

Result<std::vector<TicketActivity>> SqliteStore::ticket_activity(Timestamp since, int limit) {
    return guarded("ticket_activity", [&] {
        // The milestones come from the audit trail ("<from> -> done" or "-> done: why"), since
        // updated_at also moves when a finished task is edited.
        static const std::string s = std::string(
            "SELECT t.task_id, t.workflow, t.state, t.created_at, "
            "(SELECT MAX(a.at) FROM audit a WHERE a.task_id = t.task_id AND "
            " a.action = 'ticket.state' AND (a.detail LIKE '% -> done' OR "
            " a.detail LIKE '% -> done: %')), "
            "(SELECT MAX(a.at) FROM audit a WHERE a.task_id = t.task_id AND "
            " a.action = 'ticket.state' AND (a.detail LIKE '% -> failed' OR "
            " a.detail LIKE '% -> failed: %')) "
            "FROM tickets t WHERE t.created_at >= :since OR t.updated_at >= :since "
            "ORDER BY t.created_at, t.task_id LIMIT :limit");
        auto q = db_->query(s);
        q.bind_int(":since", to_millis(since)).bind_int(":limit", limit);
        std::vector<TicketActivity> out;
        while (q.next()) {
            TicketActivity a;
            a.task_id = q.int_at(0);
            a.workflow = q.text_at(1);
            const auto state = q.text_at(2);
            a.state = parse_or_fail(parse_ticket_state(state), "ticket state", state);
            a.created_at = from_millis(q.int_at(3));
            if (!q.is_null(4))
                a.done_at = from_millis(q.int_at(4));
            if (!q.is_null(5))
                a.failed_at = from_millis(q.int_at(5));
            out.push_back(std::move(a));
        }
        return out;
    });
}

Result<TicketRecord> SqliteStore::transition_ticket(const TicketTransition& change) {
    return guarded("transition_ticket", [&] {
        if (change.actor.empty())
            fail(StoreErrc::invalid_argument, "a state change needs an actor",
                 "pass `daemon` or the approver's name");
        detail::Transaction tx(*db_);
        const auto ticket = require_ticket(change.task_id);
        const auto from = ticket.state;
        const auto to = change.to;
        if (!can_transition(from, to)) {
            const std::string hint =
                is_terminal(from)
                    ? fmt::format("nothing leaves {} except an explicit `hrmaild queue retry {}`",
                                  to_string(from), change.task_id)
                    : fmt::format("from {} a ticket may go to: {}", to_string(from),
                                  allowed_from(from));
            fail(StoreErrc::invalid_transition,
                 fmt::format("ticket {} cannot go from {} to {}", change.task_id, to_string(from),
                             to_string(to)),
                 hint);
        }
        const bool needs_plan = to == TicketState::planned ||
                                to == TicketState::awaiting_approval ||
                                to == TicketState::approved || to == TicketState::executing;
        if (needs_plan) {
            const auto plan = load_current_plan(change.task_id);
            if (!plan)
                fail(StoreErrc::invalid_transition,
                     fmt::format("ticket {} cannot go to {}: it has no current plan",
                                 change.task_id, to_string(to)),
                     "record the plan first (record_plan)");
            // What runs is exactly what was approved: a plan that needs approval is approved
            // only through record_approval, which binds the decision to the plan.
            if (to == TicketState::approved && plan->approval_required)
                fail(StoreErrc::invalid_transition,
                     fmt::format("ticket {}: plan {} needs an approval; it cannot be approved by "
                                 "a state change",
                                 change.task_id, short_hash(plan->plan_hash)),
                     "record the approver's decision (hrmaild queue approve)");
        }
        db_->query(
               "UPDATE tickets SET state = :state, parse_errors = :errors, updated_at = :now "
               "WHERE task_id = :task_id")
            .bind_text(":state", to_string(to))
            .bind_text(":errors", to == TicketState::invalid ? change.parse_errors : "")
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", change.task_id)
            .run();
        if (to == TicketState::superseded || to == TicketState::cancelled)
            db_->query(
                   "UPDATE plans SET is_current = 0 WHERE task_id = :task_id AND is_current = 1")
                .bind_int(":task_id", change.task_id)
                .run();
        append_audit_in_tx({change.actor, "ticket.state", change.task_id,
                            fmt::format("{} -> {}{}{}", to_string(from), to_string(to),
                                        change.reason.empty() ? "" : ": ", change.reason)});
        owe_answers_in_tx(change.task_id, change.answers);
        auto rec = require_ticket(change.task_id);
        tx.commit();
        return rec;
    });
}

Result<TicketRecord> SqliteStore::retry_ticket(TaskId task_id, std::string_view actor,
                                               std::string_view reason) {
    return guarded("retry_ticket", [&] {
        if (actor.empty())
            fail(StoreErrc::invalid_argument, "a retry needs an actor",
                 "pass the name of the person asking for it");
        detail::Transaction tx(*db_);
        const auto ticket = require_ticket(task_id);
        if (!can_retry(ticket.state))
            fail(
                StoreErrc::invalid_transition,
                fmt::format("ticket {} is {}; only done, rejected, failed or cancelled tickets are "
                            "retried",
                            task_id, to_string(ticket.state)),
                "wait for it to finish, or cancel it");
        db_->query(
               "UPDATE tickets SET state = 'new', parse_errors = '', updated_at = :now "
               "WHERE task_id = :task_id")
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", task_id)
            .run();
        db_->query("UPDATE plans SET is_current = 0 WHERE task_id = :task_id AND is_current = 1")
            .bind_int(":task_id", task_id)
            .run();
        append_audit_in_tx({std::string(actor), "ticket.retry", task_id,
                            fmt::format("{} -> new{}{}", to_string(ticket.state),
                                        reason.empty() ? "" : ": ", reason)});
        auto rec = require_ticket(task_id);
        tx.commit();
        return rec;
    });
}

// ---- plans -----------------------------------------------------------------------------

Result<PlanRecord> SqliteStore::record_plan(const NewPlan& plan) {
    return guarded("record_plan", [&] {
        if (plan.plan_hash.empty() || plan.plan_text.empty())
            fail(StoreErrc::invalid_argument,
                 fmt::format("plan for ticket {} has no hash or no text", plan.task_id),
                 "the planner must pass the canonical plan text and its hash");
        detail::Transaction tx(*db_);
        const auto ticket = require_ticket(plan.task_id);
        const auto current = load_current_plan(plan.task_id);
        if (current && current->plan_hash == plan.plan_hash)
            return *current;  // same plan again (e.g. re-planned after a restart)
        const bool may_replan =
            ticket.state == TicketState::new_ || ticket.state == TicketState::invalid ||
            ticket.state == TicketState::superseded || ticket.state == TicketState::cancelled;
        if (!may_replan)
            fail(StoreErrc::invalid_transition,
                 fmt::format("ticket {} is {}: a different plan cannot replace its current one",
                             plan.task_id, to_string(ticket.state)),
                 "move the ticket to superseded first, so approvals of the old plan stop "
                 "counting");
        db_->query("UPDATE plans SET is_current = 0 WHERE task_id = :task_id AND is_current = 1")
            .bind_int(":task_id", plan.task_id)
            .run();
        PlanRecord rec;
        {
            static const std::string s =
                sql("INSERT INTO plans (task_id, plan_hash, plan_text, approval_required, "
                    "reasons, is_current, created_at, messages, requester, decision, dry_run) "
                    "VALUES (:task_id, :plan_hash, :plan_text, :approval_required, :reasons, 1, "
                    ":now, :messages, :requester, :decision, :dry_run) RETURNING ",
                    kPlanCols, "");
            auto q = db_->query(s);
            q.bind_int(":task_id", plan.task_id)
                .bind_text(":plan_hash", plan.plan_hash)
                .bind_text(":plan_text", plan.plan_text)
                .bind_bool(":approval_required", plan.approval_required)
                .bind_text(":reasons", plan.reasons)
                .bind_int(":now", to_millis(now()))
                .bind_text(":messages", plan.messages)
                .bind_int(":requester", plan.requester)
                .bind_text(":decision", to_string(plan.decision))
                .bind_bool(":dry_run", plan.dry_run);
            q.next();
            rec = read_plan(q);
            q.run();
        }
        append_audit_in_tx(
            {"daemon", "plan.recorded", plan.task_id,
             fmt::format("plan={} decision={} requester={}{}{}{}", plan.plan_hash,
                         to_string(plan.decision), plan.requester, plan.dry_run ? " dry_run" : "",
                         plan.reasons.empty() ? "" : " reasons=", plan.reasons)});
        tx.commit();
        return rec;
    });
}

Result<std::optional<PlanRecord>> SqliteStore::current_plan(TaskId task_id) {
    return guarded("current_plan", [&] { return load_current_plan(task_id); });
}

Result<std::vector<PlanRecord>> SqliteStore::plans_for(TaskId task_id) {
    return guarded("plans_for", [&] {
        static const std::string s =
            sql("SELECT ", kPlanCols, " FROM plans WHERE task_id = :task_id ORDER BY id");
        auto q = db_->query(s);
        q.bind_int(":task_id", task_id);
        std::vector<PlanRecord> out;
        while (q.next())
            out.push_back(read_plan(q));
        return out;
    });
}

// ---- approvals -------------------------------------------------------------------------

Result<ApprovalRecord> SqliteStore::record_approval(const NewApproval& approval) {
    return guarded("record_approval", [&] {
        if (approval.approver.empty())
            fail(StoreErrc::invalid_argument,
                 fmt::format("approval of ticket {} names no approver", approval.task_id),
                 "every decision records who made it");
        if (approval.decision == Decision::reject && approval.reason.empty())
            fail(StoreErrc::invalid_argument,
                 fmt::format("rejection of ticket {} has no reason", approval.task_id),
                 "a rejection needs a reason (/rechazar <motivo>, --reason)");
        detail::Transaction tx(*db_);
        const auto ticket = require_ticket(approval.task_id);
        const auto plan = load_current_plan(approval.task_id);
        if (!plan || plan->plan_hash != approval.plan_hash)
            fail(StoreErrc::stale_plan,
                 fmt::format("the decision on ticket {} names plan {}, but its current plan is {}",
                             approval.task_id, short_hash(approval.plan_hash),
                             plan ? short_hash(plan->plan_hash) : std::string("none")),
                 "the task changed since that plan was shown; review the current plan "
                 "(hrmaild queue show) and decide on it");
        if (ticket.state != TicketState::awaiting_approval)
            fail(StoreErrc::invalid_transition,
                 fmt::format("ticket {} is {}, not awaiting_approval", approval.task_id,
                             to_string(ticket.state)),
                 "only a waiting ticket takes a decision");
        // The person who filed the task never decides on it, whatever the channel.
        if (plan->requester != 0 && approval.approver == fmt::format("bitrix:{}", plan->requester))
            fail(StoreErrc::invalid_argument,
                 fmt::format("ticket {}: bitrix user {} filed the task and cannot decide on it",
                             approval.task_id, plan->requester),
                 "another approver must decide");
        ApprovalRecord rec;
        {
            static const std::string s =
                "INSERT INTO approvals (task_id, plan_id, plan_hash, approver, channel, decision, "
                "reason, decided_at) VALUES (:task_id, :plan_id, :plan_hash, :approver, "
                ":channel, :decision, :reason, :now) RETURNING id, task_id, plan_id, plan_hash, "
                "approver, channel, decision, reason, decided_at";
            auto q = db_->query(s);
            q.bind_int(":task_id", approval.task_id)
                .bind_int(":plan_id", plan->id)
                .bind_text(":plan_hash", plan->plan_hash)
                .bind_text(":approver", approval.approver)
                .bind_text(":channel", to_string(approval.channel))
                .bind_text(":decision", to_string(approval.decision))
                .bind_text(":reason", approval.reason)
                .bind_int(":now", to_millis(now()));
            q.next();
            rec = read_approval(q);
            q.run();
        }
        const auto to =
            approval.decision == Decision::approve ? TicketState::approved : TicketState::rejected;
        db_->query("UPDATE tickets SET state = :state, updated_at = :now WHERE task_id = :task_id")
            .bind_text(":state", to_string(to))
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", approval.task_id)
            .run();
        append_audit_in_tx(
            {approval.approver, "approval.recorded", approval.task_id,
             fmt::format("{} plan={} via={} awaiting_approval -> {}{}{}",
                         to_string(approval.decision), plan->plan_hash, to_string(approval.channel),
                         to_string(to), approval.reason.empty() ? "" : ": ", approval.reason)});
        owe_answers_in_tx(approval.task_id, approval.answers);
        tx.commit();
        return rec;
    });
}

Result<std::optional<ApprovalRecord>> SqliteStore::current_approval(TaskId task_id) {
    return guarded("current_approval", [&]() -> std::optional<ApprovalRecord> {
        static const std::string s =
            sql("SELECT ", kApprovalCols,
                " FROM approvals a JOIN plans p ON p.id = a.plan_id WHERE a.task_id = :task_id "
                "AND p.is_current = 1 ORDER BY a.id DESC LIMIT 1");
        auto q = db_->query(s);
        q.bind_int(":task_id", task_id);
        if (!q.next())
            return std::nullopt;
        return read_approval(q);
    });
}

Result<std::vector<ApprovalRecord>> SqliteStore::approvals_for(TaskId task_id) {
    return guarded("approvals_for", [&] {
        static const std::string s = sql(
            "SELECT ", kApprovalCols, " FROM approvals a WHERE a.task_id = :task_id ORDER BY a.id");
        auto q = db_->query(s);
        q.bind_int(":task_id", task_id);
        std::vector<ApprovalRecord> out;
        while (q.next())
            out.push_back(read_approval(q));
        return out;
    });
}

// ---- step journal ----------------------------------------------------------------------

Result<StepRecord> SqliteStore::journal_started(const StepKey& key, std::string_view op) {
    return guarded("journal_started", [&] {
        validate_key(key);
        if (op.empty())
            fail(StoreErrc::invalid_argument, step_name(key) + " has no operation name");
        detail::Transaction tx(*db_);
        require_ticket(key.task_id);
        const auto existing = load_step(key);
        const auto t = to_millis(now());
        if (!existing) {
            db_->query(
                   "INSERT INTO step_journal (task_id, plan_hash, kind, step_index, op, state, "
                   "attempts, started_at) VALUES (:task_id, :plan_hash, :kind, :step_index, :op, "
                   "'started', 1, :now)")
                .bind_int(":task_id", key.task_id)
                .bind_text(":plan_hash", key.plan_hash)
                .bind_text(":kind", to_string(key.kind))
                .bind_int(":step_index", key.step_index)
                .bind_text(":op", op)
                .bind_int(":now", t)
                .run();
        } else {
            if (existing->state == StepState::succeeded)
                fail(StoreErrc::step_state,
                     fmt::format("{} ({}) already succeeded", step_name(key), existing->op),
                     "its effect happened; do not call the remote service again");
            if (existing->op != op)
                fail(
                    StoreErrc::invalid_argument,
                    fmt::format("{} was journaled as {}, not {}", step_name(key), existing->op, op),
                    "the same plan hash must always describe the same steps");
            db_->query(
                   "UPDATE step_journal SET state = 'started', attempts = attempts + 1, "
                   "error_class = '', result = '', started_at = :now, finished_at = NULL "
                   "WHERE task_id = :task_id AND plan_hash = :plan_hash AND "
                   "kind = :kind AND step_index = :step_index")
                .bind_int(":task_id", key.task_id)
                .bind_text(":plan_hash", key.plan_hash)
                .bind_text(":kind", to_string(key.kind))
                .bind_int(":step_index", key.step_index)
                .bind_int(":now", t)
                .run();
        }
        auto rec = *load_step(key);
        tx.commit();  // durable (synchronous=FULL) before the caller's remote call
        return rec;
    });
}

Result<StepRecord> SqliteStore::journal_succeeded(const StepKey& key, std::string_view result) {
    return guarded("journal_succeeded", [&] {
        validate_key(key);
        detail::Transaction tx(*db_);
        const auto existing = load_step(key);
        if (!existing || existing->state != StepState::started)
            fail(StoreErrc::step_state,
                 fmt::format("{} is {}, not started", step_name(key),
                             existing ? to_string(existing->state) : "not journaled"),
                 "write journal_started before the remote call");
        db_->query(
               "UPDATE step_journal SET state = 'succeeded', result = :result, "
               "error_class = '', finished_at = :now WHERE task_id = :task_id AND "
               "plan_hash = :plan_hash AND kind = :kind AND step_index = :step_index")
            .bind_text(":kind", to_string(key.kind))
            .bind_text(":result", result)
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", key.task_id)
            .bind_text(":plan_hash", key.plan_hash)
            .bind_int(":step_index", key.step_index)
            .run();
        auto rec = *load_step(key);
        tx.commit();
        return rec;
    });
}

Result<StepRecord> SqliteStore::journal_failed(const StepKey& key, std::string_view error_class,
                                               std::string_view message) {
    return guarded("journal_failed", [&] {
        validate_key(key);
        if (error_class.empty())
            fail(StoreErrc::invalid_argument, step_name(key) + " failed without an error class",
                 "pass retryable, permanent, conflict or auth");
        detail::Transaction tx(*db_);
        const auto existing = load_step(key);
        if (!existing || existing->state != StepState::started)
            fail(StoreErrc::step_state,
                 fmt::format("{} is {}, not started", step_name(key),
                             existing ? to_string(existing->state) : "not journaled"),
                 "write journal_started before the remote call");
        db_->query(
               "UPDATE step_journal SET state = 'failed', error_class = :error_class, "
               "result = :message, finished_at = :now WHERE task_id = :task_id AND "
               "plan_hash = :plan_hash AND kind = :kind AND step_index = :step_index")
            .bind_text(":kind", to_string(key.kind))
            .bind_text(":error_class", error_class)
            .bind_text(":message", message)
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", key.task_id)
            .bind_text(":plan_hash", key.plan_hash)
            .bind_int(":step_index", key.step_index)
            .run();
        auto rec = *load_step(key);
        tx.commit();
        return rec;
    });
}

Result<std::optional<StepRecord>> SqliteStore::journal_step(const StepKey& key) {
    return guarded("journal_step", [&] { return load_step(key); });
}

Result<std::vector<StepRecord>> SqliteStore::journal_for(TaskId task_id,
                                                         std::string_view plan_hash) {
    return guarded("journal_for", [&] {
        static const std::string s =
            sql("SELECT ", kStepCols,
                " FROM step_journal WHERE task_id = :task_id AND plan_hash = :plan_hash ORDER BY "
                "kind = 'step' DESC, kind, step_index");
        auto q = db_->query(s);
        q.bind_int(":task_id", task_id).bind_text(":plan_hash", plan_hash);
        std::vector<StepRecord> out;
        while (q.next())
            out.push_back(read_step(q));
        return out;
    });
}

Result<std::vector<StepRecord>> SqliteStore::started_steps() {
    return guarded("started_steps", [&] {
        static const std::string s =
            sql("SELECT ", kStepCols,
                " FROM step_journal WHERE state = 'started' ORDER BY started_at, task_id, "
                "step_index");
        auto q = db_->query(s);
        std::vector<StepRecord> out;
        while (q.next())
            out.push_back(read_step(q));
        return out;
    });
}

// ---- scheduled steps -------------------------------------------------------------------

Result<ScheduledStep> SqliteStore::schedule_step(const NewScheduledStep& step) {
    return guarded("schedule_step", [&] {
        validate_key(step.key);
        if (step.op.empty())
            fail(StoreErrc::invalid_argument, step_name(step.key) + " has no operation name");
        detail::Transaction tx(*db_);
        require_ticket(step.key.task_id);
        static const std::string find =
            sql("SELECT ", kScheduleCols,
                " FROM scheduled_steps WHERE task_id = :task_id AND plan_hash = :plan_hash AND "
                "step_index = :step_index");
        {
            auto q = db_->query(find);
            q.bind_int(":task_id", step.key.task_id)
                .bind_text(":plan_hash", step.key.plan_hash)
                .bind_int(":step_index", step.key.step_index);
            if (q.next())
                return read_scheduled(q);  // already scheduled: keep the first due time
        }
        ScheduledStep rec;
        {
            static const std::string s =
                sql("INSERT INTO scheduled_steps (task_id, plan_hash, step_index, op, due_at, "
                    "state, created_at, updated_at) VALUES (:task_id, :plan_hash, :step_index, "
                    ":op, :due_at, 'pending', :now, :now) RETURNING ",
                    kScheduleCols, "");
            auto q = db_->query(s);
            q.bind_int(":task_id", step.key.task_id)
                .bind_text(":plan_hash", step.key.plan_hash)
                .bind_int(":step_index", step.key.step_index)
                .bind_text(":op", step.op)
                .bind_int(":due_at", to_millis(step.due_at))
                .bind_int(":now", to_millis(now()));
            q.next();
            rec = read_scheduled(q);
            q.run();
        }
        append_audit_in_tx({"daemon", "schedule.added", step.key.task_id,
                            fmt::format("id={} {} ({}) due_ms={}", rec.id, step_name(step.key),
                                        step.op, to_millis(step.due_at))});
        tx.commit();
        return rec;
    });
}

Result<std::vector<ScheduledStep>> SqliteStore::due_steps(Timestamp at) {
    return guarded("due_steps", [&] {
        static const std::string s =
            sql("SELECT ", kScheduleCols,
                " FROM scheduled_steps WHERE state = 'pending' AND due_at <= :now ORDER BY "
                "due_at, id");
        auto q = db_->query(s);
        q.bind_int(":now", to_millis(at));
        std::vector<ScheduledStep> out;
        while (q.next())
            out.push_back(read_scheduled(q));
        return out;
    });
}

Result<std::optional<Timestamp>> SqliteStore::next_due() {
    return guarded("next_due", [&]() -> std::optional<Timestamp> {
        auto q = db_->query("SELECT MIN(due_at) FROM scheduled_steps WHERE state = 'pending'");
        if (!q.next() || q.is_null(0))
            return std::nullopt;
        return from_millis(q.int_at(0));
    });
}

Result<std::vector<ScheduledStep>> SqliteStore::scheduled_steps(std::optional<TaskId> task_id) {
    return guarded("scheduled_steps", [&] {
        static const std::string s =
            sql("SELECT ", kScheduleCols,
                " FROM scheduled_steps WHERE (:task_id IS NULL OR task_id = :task_id) ORDER BY "
                "due_at, id");
        auto q = db_->query(s);
        q.bind_opt_int(":task_id", task_id);
        std::vector<ScheduledStep> out;
        while (q.next())
            out.push_back(read_scheduled(q));
        return out;
    });
}

Result<ScheduledStep> SqliteStore::complete_scheduled(std::int64_t id) {
    return guarded("complete_scheduled", [&] {
        detail::Transaction tx(*db_);
        const auto existing = require_scheduled(id);
        if (existing.state != ScheduleState::pending)
            fail(StoreErrc::step_state,
                 fmt::format("scheduled step {} is {}, not pending", id, to_string(existing.state)),
                 "a cancelled step must not run");
        db_->query("UPDATE scheduled_steps SET state = 'done', updated_at = :now WHERE id = :id")
            .bind_int(":now", to_millis(now()))
            .bind_int(":id", id)
            .run();
        auto rec = require_scheduled(id);
        tx.commit();
        return rec;
    });
}

Result<ScheduledStep> SqliteStore::cancel_scheduled(std::int64_t id, std::string_view actor,
                                                    std::string_view reason) {
    return guarded("cancel_scheduled", [&] {
        if (actor.empty())
            fail(StoreErrc::invalid_argument, "a cancellation needs an actor");
        detail::Transaction tx(*db_);
        const auto existing = require_scheduled(id);
        if (existing.state != ScheduleState::pending)
            fail(StoreErrc::step_state,
                 fmt::format("scheduled step {} is {}, not pending", id, to_string(existing.state)),
                 "only a pending step can be cancelled");
        db_->query(
               "UPDATE scheduled_steps SET state = 'cancelled', cancelled_by = :actor, "
               "cancel_reason = :reason, updated_at = :now WHERE id = :id")
            .bind_text(":actor", actor)
            .bind_text(":reason", reason)
            .bind_int(":now", to_millis(now()))
            .bind_int(":id", id)
            .run();
        append_audit_in_tx({std::string(actor), "schedule.cancelled", existing.key.task_id,
                            fmt::format("id={} {} ({}){}{}", id, step_name(existing.key),
                                        existing.op, reason.empty() ? "" : ": ", reason)});
        auto rec = require_scheduled(id);
        tx.commit();
        return rec;
    });
}

Result<int> SqliteStore::cancel_scheduled_for(TaskId task_id, std::string_view actor,
                                              std::string_view reason) {
    return guarded("cancel_scheduled_for", [&] {
        if (actor.empty())
            fail(StoreErrc::invalid_argument, "a cancellation needs an actor");
        detail::Transaction tx(*db_);
        require_ticket(task_id);
        db_->query(
               "UPDATE scheduled_steps SET state = 'cancelled', cancelled_by = :actor, "
               "cancel_reason = :reason, updated_at = :now WHERE task_id = :task_id AND "
               "state = 'pending'")
            .bind_text(":actor", actor)
            .bind_text(":reason", reason)
            .bind_int(":now", to_millis(now()))
            .bind_int(":task_id", task_id)
            .run();
        const int n = db_->changes();
        if (n > 0)
            append_audit_in_tx(
                {std::string(actor), "schedule.cancelled", task_id,
                 fmt::format("{} pending step(s){}{}", n, reason.empty() ? "" : ": ", reason)});
        tx.commit();
        return n;
    });
}

// ---- comments --------------------------------------------------------------------------

// ---- answers owed ------------------------------------------------------------------------

void SqliteStore::owe_answers_in_tx(TaskId task_id, const std::vector<NewAnswer>& answers) {
    for (const auto& a : answers) {
        if (a.kind == AnswerKind::comment && a.marker.empty())
            fail(StoreErrc::invalid_argument,
                 fmt::format("a comment owed on ticket {} has no marker", task_id),
                 "every comment carries a marker so that a re-post can be detected");
        db_->query(
               "INSERT INTO answers (task_id, kind, marker, body, state, attempts, created_at, "
               "updated_at) VALUES (:task_id, :kind, :marker, :body, 'pending', 0, :now, :now) "
               "ON CONFLICT (task_id, kind, marker) DO NOTHING")
            .bind_int(":task_id", task_id)
            .bind_text(":kind", to_string(a.kind))
            .bind_text(":marker", a.marker)
            .bind_text(":body", a.body)
            .bind_int(":now", to_millis(now()))
            .run();
        append_audit_in_tx(
            {"daemon", "answer.owed", task_id, fmt::format("{} {}", to_string(a.kind), a.marker)});
    }
}

Result<void> SqliteStore::owe_answers(TaskId task_id, const std::vector<NewAnswer>& answers) {
    return guarded("owe_answers", [&] {
        detail::Transaction tx(*db_);
        require_ticket(task_id);
        owe_answers_in_tx(task_id, answers);
        tx.commit();
    });
}

Result<std::vector<AnswerRecord>> SqliteStore::pending_answers(std::optional<TaskId> task_id) {
    return guarded("pending_answers", [&] {
        static const std::string all =
            sql("SELECT ", kAnswerCols, " FROM answers WHERE state = 'pending' ORDER BY id");
        static const std::string one = sql("SELECT ", kAnswerCols,
                                           " FROM answers WHERE state = 'pending' AND task_id = "
                                           ":task_id ORDER BY id");
        auto q = db_->query(task_id ? one : all);
        if (task_id)
            q.bind_int(":task_id", *task_id);
        std::vector<AnswerRecord> out;
        while (q.next())
            out.push_back(read_answer(q));
        return out;
    });
}

Result<std::vector<AnswerRecord>> SqliteStore::answers_for(TaskId task_id) {
    return guarded("answers_for", [&] {
        static const std::string s =
            sql("SELECT ", kAnswerCols, " FROM answers WHERE task_id = :task_id ORDER BY id");
        auto q = db_->query(s);
        q.bind_int(":task_id", task_id);
        std::vector<AnswerRecord> out;
        while (q.next())
            out.push_back(read_answer(q));
        return out;
    });
}

Result<void> SqliteStore::settle_answer(std::int64_t id, AnswerState state,
                                        std::string_view error) {
    return guarded("settle_answer", [&] {
        detail::Transaction tx(*db_);
        std::optional<AnswerRecord> rec;
        {
            static const std::string s =
                sql("SELECT ", kAnswerCols, " FROM answers WHERE id = :id");
            auto q = db_->query(s);
            q.bind_int(":id", id);
            if (q.next())
                rec = read_answer(q);
        }
        if (!rec)
            fail(StoreErrc::not_found, fmt::format("answer {} does not exist", id));
        if (rec->state != AnswerState::pending)
            fail(StoreErrc::step_state, fmt::format("answer {} of ticket {} is already {}", id,
                                                    rec->task_id, to_string(rec->state)));
        db_->query(
               "UPDATE answers SET state = :state, attempts = attempts + 1, last_error = :error, "
               "updated_at = :now WHERE id = :id")
            .bind_text(":state", to_string(state))
            .bind_text(":error", error)
            .bind_int(":now", to_millis(now()))
            .bind_int(":id", id)
            .run();
        if (state != AnswerState::pending)
            append_audit_in_tx({"daemon", "answer." + std::string(to_string(state)), rec->task_id,
                                fmt::format("{} {}{}{}", to_string(rec->kind), rec->marker,
                                            error.empty() ? "" : ": ", error)});
        tx.commit();
    });
}

// ---- approval commands read -------------------------------------------------------------

Result<bool> SqliteStore::record_command(const CommandRecord& command) {
    return guarded("record_command", [&] {
        detail::Transaction tx(*db_);
        require_ticket(command.task_id);
        auto q = db_->query(
            "INSERT INTO commands (task_id, comment_id, author, verb, outcome, read_at) VALUES "
            "(:task_id, :comment_id, :author, :verb, :outcome, :now) ON CONFLICT DO NOTHING "
            "RETURNING comment_id");
        q.bind_int(":task_id", command.task_id)
            .bind_int(":comment_id", command.comment_id)
            .bind_int(":author", command.author)
            .bind_text(":verb", command.verb)
            .bind_text(":outcome", command.outcome)
            .bind_int(":now", to_millis(now()));
        const bool inserted = q.next();
        q.run();
        if (inserted)
            append_audit_in_tx({fmt::format("bitrix:{}", command.author), "command.read",
                                command.task_id,
                                fmt::format("comment {} {}: {}", command.comment_id, command.verb,
                                            command.outcome)});
        tx.commit();
        return inserted;
    });
}

Result<bool> SqliteStore::command_seen(TaskId task_id, std::int64_t comment_id) {
    return guarded("command_seen", [&] {
        auto q = db_->query(
            "SELECT 1 FROM commands WHERE task_id = :task_id AND comment_id = :comment_id");
        q.bind_int(":task_id", task_id).bind_int(":comment_id", comment_id);
        return q.next();
    });
}

Result<bool> SqliteStore::record_comment(TaskId task_id, std::string_view marker,
                                         std::string_view remote_comment_id) {
    return guarded("record_comment", [&] {
        if (marker.empty())
            fail(StoreErrc::invalid_argument,
                 fmt::format("comment on ticket {} has no marker", task_id),
                 "every comment the daemon posts carries a marker");
        detail::Transaction tx(*db_);
        require_ticket(task_id);
        db_->query(
               "INSERT INTO comments (task_id, marker, remote_comment_id, posted_at) VALUES "
               "(:task_id, :marker, :remote_id, :now) ON CONFLICT (task_id, marker) DO "
               "NOTHING")
            .bind_int(":task_id", task_id)
            .bind_text(":marker", marker)
            .bind_text(":remote_id", remote_comment_id)
            .bind_int(":now", to_millis(now()))
            .run();
        const bool inserted = db_->changes() == 1;
        tx.commit();
        return inserted;
    });
}

Result<std::optional<CommentRecord>> SqliteStore::find_comment(TaskId task_id,
                                                               std::string_view marker) {
    return guarded("find_comment", [&]() -> std::optional<CommentRecord> {
        auto q = db_->query(
            "SELECT task_id, marker, remote_comment_id, posted_at FROM comments WHERE task_id = "
            ":task_id AND marker = :marker");
        q.bind_int(":task_id", task_id).bind_text(":marker", marker);
        if (!q.next())
            return std::nullopt;
        return CommentRecord{q.int_at(0), q.text_at(1), q.text_at(2), from_millis(q.int_at(3))};
    });
}

// ---- watermarks ------------------------------------------------------------------------

Result<std::optional<std::string>> SqliteStore::get_watermark(std::string_view key) {
    return guarded("get_watermark", [&]() -> std::optional<std::string> {
        auto q = db_->query("SELECT value FROM watermarks WHERE key = :key");
        q.bind_text(":key", key);
        if (!q.next())
            return std::nullopt;
        return q.text_at(0);
    });
}

Result<void> SqliteStore::set_watermark(std::string_view key, std::string_view value) {
    return guarded("set_watermark", [&] {
        if (key.empty())
            fail(StoreErrc::invalid_argument, "a watermark needs a key");
        detail::Transaction tx(*db_);
        db_->query(
               "INSERT INTO watermarks (key, value, updated_at) VALUES (:key, :value, :now) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = "
               "excluded.updated_at")
            .bind_text(":key", key)
            .bind_text(":value", value)
            .bind_int(":now", to_millis(now()))
            .run();
        tx.commit();
    });
}

// ---- audit -----------------------------------------------------------------------------

Result<AuditRecord> SqliteStore::append_audit(const NewAudit& record) {
    return guarded("append_audit", [&] {
        if (record.actor.empty() || record.action.empty())
            fail(StoreErrc::invalid_argument, "an audit record needs an actor and an action");
        detail::Transaction tx(*db_);
        auto rec = append_audit_in_tx(record);
        tx.commit();
        return rec;
    });
}

Result<std::vector<AuditRecord>> SqliteStore::audit_trail(std::optional<TaskId> task_id,
                                                          int limit) {
    return guarded("audit_trail", [&] {
        static const std::string s =
            sql("SELECT ", kAuditCols,
                " FROM (SELECT * FROM audit WHERE (:task_id IS NULL OR task_id = :task_id) ORDER "
                "BY seq DESC LIMIT :limit) ORDER BY seq");
        auto q = db_->query(s);
        q.bind_opt_int(":task_id", task_id).bind_int(":limit", limit);
        std::vector<AuditRecord> out;
        while (q.next())
            out.push_back(read_audit(q));
        return out;
    });
}

Result<AuditVerification> SqliteStore::verify_audit() {
    return guarded("verify_audit", [&] {
        AuditVerification v;
        static const std::string s = sql("SELECT ", kAuditCols, " FROM audit ORDER BY seq");
        auto q = db_->query(s);
        std::string prev(detail::kAuditGenesis);
        std::int64_t expected_seq = 1;
        while (q.next()) {
            const auto a = read_audit(q);
            ++v.records_checked;
            std::string problem;
            if (a.seq != expected_seq)
                problem = fmt::format("records {} to {} are missing", expected_seq, a.seq - 1);
            else if (a.prev_hash != prev)
                problem = "its prev_hash does not match the previous record's hash";
            else if (a.hash != detail::audit_hash(a.prev_hash, a.seq, to_millis(a.at), a.actor,
                                                  a.action, a.task_id, a.detail))
                problem = "its content does not match its hash (the record was changed)";
            if (!problem.empty()) {
                v.ok = false;
                v.first_broken_seq = a.seq;
                v.problem = problem;
                break;
            }
            prev = a.hash;
            expected_seq = a.seq + 1;
        }
        if (!v.ok)
            log::error("STORE_AUDIT_BROKEN", {{"path", options_.path.string()},
                                              {"seq", *v.first_broken_seq},
                                              {"problem", v.problem}});
        return v;
    });
}

// ---- the dashboard's data (schema step 5) ------------------------------------------------

namespace {

bool is_day(std::string_view day) {
    if (day.size() != 10 || day[4] != '-' || day[7] != '-')
        return false;
    for (std::size_t i = 0; i < day.size(); ++i)
        if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
            return false;
    return true;
}

}  // namespace

Result<std::optional<DashboardSnapshot>> SqliteStore::dashboard_snapshot() {
    return guarded("dashboard_snapshot", [&]() -> std::optional<DashboardSnapshot> {
        auto q = db_->query("SELECT facts, refreshed_at FROM dashboard_snapshot WHERE id = 1");
        if (!q.next())
            return std::nullopt;
        return DashboardSnapshot{q.text_at(0), from_millis(q.int_at(1))};
    });
}

Result<std::vector<DashboardDay>> SqliteStore::dashboard_days(std::string_view from_day) {
    return guarded("dashboard_days", [&] {
        auto q = db_->query(
            "SELECT day, mail_in, mail_out, fetched_at FROM dashboard_days WHERE day >= :from "
            "ORDER BY day");
        q.bind_text(":from", from_day);
        std::vector<DashboardDay> out;
        while (q.next())
            out.push_back({q.text_at(0), q.int_at(1), q.int_at(2), from_millis(q.int_at(3))});
        return out;
    });
}

Result<std::vector<DashboardSignIn>> SqliteStore::dashboard_sign_ins() {
    return guarded("dashboard_sign_ins", [&] {
        auto q = db_->query("SELECT address, last_at FROM dashboard_sign_ins ORDER BY address");
        std::vector<DashboardSignIn> out;
        while (q.next())
            out.push_back({q.text_at(0), from_millis(q.int_at(1))});
        return out;
    });
}

Result<void> SqliteStore::record_dashboard(const DashboardRefresh& refresh) {
    return guarded("record_dashboard", [&] {
        for (const auto& d : refresh.days) {
            if (!is_day(d.day))
                fail(StoreErrc::invalid_argument,
                     fmt::format("dashboard day '{}' is not YYYY-MM-DD", d.day));
            if (d.mail_in < 0 || d.mail_out < 0)
                fail(StoreErrc::invalid_argument,
                     fmt::format("dashboard day {} has a negative mail count", d.day));
        }
        if (!refresh.keep_from.empty() && !is_day(refresh.keep_from))
            fail(StoreErrc::invalid_argument,
                 fmt::format("dashboard keep_from '{}' is not YYYY-MM-DD", refresh.keep_from));
        for (const auto& s : refresh.sign_ins)
            if (s.address.empty())
                fail(StoreErrc::invalid_argument, "a dashboard sign-in needs an address");
        detail::Transaction tx(*db_);
        db_->query(
               "INSERT INTO dashboard_snapshot (id, facts, refreshed_at) VALUES (1, :facts, :at) "
               "ON CONFLICT (id) DO UPDATE SET facts = excluded.facts, "
               "refreshed_at = excluded.refreshed_at")
            .bind_text(":facts", refresh.snapshot.facts)
            .bind_int(":at", to_millis(refresh.snapshot.refreshed_at))
            .run();
        for (const auto& d : refresh.days)
            db_->query(
                   "INSERT INTO dashboard_days (day, mail_in, mail_out, fetched_at) VALUES "
                   "(:day, :in, :out, :at) ON CONFLICT (day) DO UPDATE SET mail_in = "
                   "excluded.mail_in, mail_out = excluded.mail_out, fetched_at = "
                   "excluded.fetched_at")
                .bind_text(":day", d.day)
                .bind_int(":in", d.mail_in)
                .bind_int(":out", d.mail_out)
                .bind_int(":at", to_millis(d.fetched_at))
                .run();
        for (const auto& s : refresh.sign_ins)
            db_->query(
                   "INSERT INTO dashboard_sign_ins (address, last_at) VALUES (:address, :at) "
                   "ON CONFLICT (address) DO UPDATE SET last_at = MAX(last_at, excluded.last_at)")
                .bind_text(":address", s.address)
                .bind_int(":at", to_millis(s.last_at))
                .run();
        if (!refresh.keep_from.empty())
            db_->query("DELETE FROM dashboard_days WHERE day < :keep")
                .bind_text(":keep", refresh.keep_from)
                .run();
        tx.commit();
    });
}

}  // namespace hrmaild::store
