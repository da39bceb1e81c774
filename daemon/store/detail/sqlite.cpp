#include "daemon/store/detail/sqlite.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace hrmaild::store::detail {

void fail(StoreErrc code, std::string message, std::string hint) {
    throw Failure(StoreError{code, std::move(message), std::move(hint), 0});
}

StoreError sqlite_error(int rc, std::string_view errmsg, const std::filesystem::path& file,
                        std::string_view doing) {
    StoreError e;
    e.sqlite_code = rc;
    e.message =
        fmt::format("state database {}: {}: {} (SQLite code {})", file.string(), doing, errmsg, rc);
    const auto folder = file.has_parent_path() ? file.parent_path().string() : std::string(".");
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            e.code = StoreErrc::busy;
            e.hint =
                "another connection held the write lock longer than state.busy_timeout; look for "
                "a second process using the file (fuser " +
                file.string() + "), or raise state.busy_timeout";
            break;
        case SQLITE_CANTOPEN:
            e.code = StoreErrc::cannot_open;
            e.hint = fmt::format(
                "often caused by the folder {} missing or not writable by the hrmaild user "
                "(SQLite also creates {}-wal and {}-shm there); create it (systemd: "
                "StateDirectory=hrmaild) or set state.path",
                folder, file.filename().string(), file.filename().string());
            break;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            e.code = StoreErrc::cannot_open;
            e.hint = fmt::format(
                "hrmaild needs write access to {}, to its -wal and -shm files and to the folder "
                "{}; fix the owner or mode (chown hrmaild:hrmaild)",
                file.string(), folder);
            break;
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            e.code = StoreErrc::not_a_database;
            e.hint =
                "the file is not an hrmaild state database or is damaged; check state.path, or "
                "restore the latest backup (keep the damaged file for inspection)";
            break;
        case SQLITE_FULL:
            e.code = StoreErrc::io;
            e.hint = "the disk holding " + folder + " is full; free space and restart hrmaild";
            break;
        case SQLITE_IOERR:
            e.code = StoreErrc::io;
            e.hint =
                "the disk reported an I/O error; check the kernel log (journalctl -k) and "
                "the file system holding " +
                folder;
            break;
        case SQLITE_CONSTRAINT:
            e.code = StoreErrc::invalid_argument;
            e.hint =
                "a value broke a rule of the schema (docs/store.md); this is a bug in the "
                "caller, please report it with the message";
            break;
        default:
            e.code = StoreErrc::io;
            e.hint = "unexpected SQLite failure; please report it with the message";
            break;
    }
    return e;
}

// ---- Query -----------------------------------------------------------------------------

Query::Query(Connection& connection, sqlite3_stmt* stmt, std::string_view sql)
    : connection_(connection), stmt_(stmt), sql_(sql) {}

Query::~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Query::index_of(std::string_view name) const {
    const std::string n(name);
    const int idx = sqlite3_bind_parameter_index(stmt_, n.c_str());
    if (idx == 0)
        throw std::logic_error(fmt::format("store: no parameter {} in SQL: {}", name, sql_));
    return idx;
}

Query& Query::bind_int(std::string_view name, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index_of(name), value);
    return *this;
}

Query& Query::bind_text(std::string_view name, std::string_view value) {
    sqlite3_bind_text64(stmt_, index_of(name), value.data(), value.size(), SQLITE_TRANSIENT,
                        SQLITE_UTF8);
    return *this;
}

Query& Query::bind_bool(std::string_view name, bool value) {
    return bind_int(name, value ? 1 : 0);
}

Query& Query::bind_null(std::string_view name) {
    sqlite3_bind_null(stmt_, index_of(name));
    return *this;
}

Query& Query::bind_opt_int(std::string_view name, std::optional<std::int64_t> value) {
    return value ? bind_int(name, *value) : bind_null(name);
}

bool Query::next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    connection_.raise(rc, "running a statement");
}

void Query::run() {
    while (next()) {
    }
}

std::int64_t Query::int_at(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Query::text_at(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr)
        return {};
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return std::string(reinterpret_cast<const char*>(p), n);
}

bool Query::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Query::opt_int_at(int column) const {
    if (is_null(column))
        return std::nullopt;
    return int_at(column);
}

// ---- Connection ------------------------------------------------------------------------

Connection::Connection(const std::filesystem::path& file, bool read_only,
                       std::chrono::milliseconds busy_timeout)
    : file_(file) {
    const int flags =
        read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_NOFOLLOW, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        const int ext = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Failure(sqlite_error(ext, msg, file_, "opening"));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
}

Connection::~Connection() {
    for (auto& [sql, stmt] : cache_)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void Connection::raise(int rc, std::string_view doing) const {
    const int ext = sqlite3_extended_errcode(db_);
    throw Failure(sqlite_error(ext != 0 ? ext : rc, sqlite3_errmsg(db_), file_, doing));
}

void Connection::exec(std::string_view sql, std::string_view doing) {
    const std::string s(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        const std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        const int ext = sqlite3_extended_errcode(db_);
        throw Failure(sqlite_error(ext != 0 ? ext : rc, msg, file_, doing));
    }
}

Query Connection::query(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK)
            raise(rc, "preparing a statement");
        it = cache_.emplace(std::string(sql), stmt).first;
    }
    return Query(*this, it->second, it->first);
}

int Connection::changes() const {
    return sqlite3_changes(db_);
}

// ---- Transaction -----------------------------------------------------------------------

Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.exec("BEGIN IMMEDIATE", "starting a write transaction");
}

Transaction::~Transaction() {
    if (!done_)
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    connection_.exec("COMMIT", "committing");
    done_ = true;
}

}  // namespace hrmaild::store::detail
