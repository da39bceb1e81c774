#pragma once
/// Shared bits of the store tests: opening a store on a TempDir file with a test clock, and
/// a raw SQLite connection for poking at the file behind the store's back.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/store/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace hrmaild::store::test {

/// A clock the test moves by hand (STYLE.md point 11).
struct TestClock {
    std::atomic<std::int64_t> ms{1'700'000'000'000};
    Timestamp now() const { return from_millis(ms.load()); }
    void advance(std::chrono::milliseconds d) { ms += d.count(); }
};

/// Opens (or fails to open) the store at `path`.
inline Result<std::unique_ptr<SqliteStore>> open_at(
    const std::filesystem::path& path, TestClock* clock = nullptr,
    std::optional<int> migrate_to = {}, bool read_only = false,
    std::chrono::milliseconds busy = std::chrono::milliseconds(2000)) {
    SqliteOptions o;
    o.path = path;
    o.busy_timeout = busy;
    o.read_only = read_only;
    o.migrate_to = migrate_to;
    if (clock != nullptr)
        o.clock = [clock] { return clock->now(); };
    return SqliteStore::open(std::move(o));
}

/// A plain SQLite connection to the same file (no store rules, no lock).
class RawDb {
  public:
    explicit RawDb(const std::filesystem::path& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
            throw std::runtime_error("raw open failed");
        sqlite3_busy_timeout(db_, 2000);
    }
    ~RawDb() { sqlite3_close_v2(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    /// Runs SQL; returns the SQLite error message, empty on success.
    std::string exec(const std::string& sql) {
        char* err = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
        std::string msg = rc == SQLITE_OK ? "" : (err != nullptr ? err : "error");
        sqlite3_free(err);
        return msg;
    }
    /// The first column of the first row as text ("" when none).
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            return "<prepare failed: " + std::string(sqlite3_errmsg(db_)) + ">";
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr)
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return out;
    }

  private:
    sqlite3* db_ = nullptr;
};

/// A TempDir with a database path in it and a test clock.
class StoreTest : public ::testing::Test {
  protected:
    hrmaild::test::TempDir dir_;
    std::filesystem::path db_path_ = dir_.path() / "state.db";
    TestClock clock_;

    std::unique_ptr<SqliteStore> open_ok(std::optional<int> migrate_to = {}) {
        auto r = open_at(db_path_, &clock_, migrate_to);
        if (!r)
            ADD_FAILURE() << "open failed: " << r.error().describe();
        return r ? std::move(*r) : nullptr;
    }
};

}  // namespace hrmaild::store::test
