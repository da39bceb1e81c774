#pragma once
/// Thin RAII wrappers over the SQLite C API, used by SqliteStore only.
///
/// Failures throw `detail::Failure` carrying a StoreError whose hint suggests the fix (the
/// style of PowerDNS's ssqlite3.cc); SqliteStore turns it into a value at its public edge.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/store/state_store.hpp"

namespace hrmaild::store::detail {

/// Internal carrier of a StoreError through the layers of one store call.
class Failure : public std::exception {
  public:
    /// Wraps the error.
    explicit Failure(StoreError error) : error_(std::move(error)) {}
    /// The error's message.
    [[nodiscard]] const char* what() const noexcept override { return error_.message.c_str(); }
    /// The error carried.
    [[nodiscard]] const StoreError& error() const noexcept { return error_; }

  private:
    StoreError error_;
};

/// Throws a Failure of the given kind.
[[noreturn]] void fail(StoreErrc code, std::string message, std::string hint = {});

/// Builds the StoreError for an SQLite result code: the message names the file and what was
/// being done, the hint says what usually fixes it.
StoreError sqlite_error(int rc, std::string_view errmsg, const std::filesystem::path& file,
                        std::string_view doing);

class Connection;

/// One prepared statement in use; resets itself (releasing its read snapshot) when it ends.
class Query {
  public:
    Query(Connection& connection, sqlite3_stmt* stmt, std::string_view sql);
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    /// Binds a named parameter (`:task_id`). An unknown name is a programming error.
    Query& bind_int(std::string_view name, std::int64_t value);
    Query& bind_text(std::string_view name, std::string_view value);
    Query& bind_bool(std::string_view name, bool value);
    Query& bind_null(std::string_view name);
    Query& bind_opt_int(std::string_view name, std::optional<std::int64_t> value);

    /// Advances to the next row; false when there are no more.
    bool next();
    /// Runs a statement that returns no rows.
    void run();

    /// Column readers for the current row (0-based index).
    [[nodiscard]] std::int64_t int_at(int column) const;
    [[nodiscard]] std::string text_at(int column) const;
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::optional<std::int64_t> opt_int_at(int column) const;

  private:
    int index_of(std::string_view name) const;

    Connection& connection_;
    sqlite3_stmt* stmt_;
    std::string_view sql_;
};

/// One SQLite connection with a cache of prepared statements.
class Connection {
  public:
    /// Opens (creating it when `read_only` is false) the file; throws Failure.
    Connection(const std::filesystem::path& file, bool read_only,
               std::chrono::milliseconds busy_timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs one or more statements without results (pragmas, migrations, BEGIN/COMMIT).
    void exec(std::string_view sql, std::string_view doing);
    /// A cached prepared statement, ready to bind.
    Query query(std::string_view sql);
    /// Rows changed by the last statement.
    [[nodiscard]] int changes() const;
    /// Throws the Failure for the last error of this connection.
    [[noreturn]] void raise(int rc, std::string_view doing) const;

    [[nodiscard]] sqlite3* handle() const { return db_; }
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

  private:
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

/// A write transaction (BEGIN IMMEDIATE: the write lock is taken up front, so two writers
/// never deadlock on a lock upgrade); rolled back unless committed.
class Transaction {
  public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    /// Commits; with synchronous=FULL the change is on disk when this returns.
    void commit();

  private:
    Connection& connection_;
    bool done_ = false;
};

}  // namespace hrmaild::store::detail
