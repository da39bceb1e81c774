#include "daemon/store/migrations.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <tuple>
#include <vector>

#include <regex>

#include "daemon/log/log.hpp"
#include "tests/unit/store/store_test_support.hpp"

namespace hrmaild::store::test {
namespace {

TEST(Migrations, NumberedFromOneWithoutGaps) {
    const auto all = migrations();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(latest_schema_version(), static_cast<int>(all.size()));
    const std::regex name_re(R"(^(\d{4})_[a-z0-9_]+\.sql$)");
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].version, static_cast<int>(i) + 1);
        std::cmatch m;
        ASSERT_TRUE(std::regex_match(all[i].name.begin(), all[i].name.end(), m, name_re))
            << all[i].name;
        EXPECT_EQ(std::stoi(m[1].str()), all[i].version) << all[i].name;
        EXPECT_NE(all[i].sql.find("CREATE"), std::string_view::npos) << all[i].name;
    }
}

TEST(Migrations, EmbeddedTextMatchesTheFilesInTheTree) {
    // The binary carries the SQL; this catches a build that missed a changed file.
    for (const auto& m : migrations()) {
        const auto file = hrmaild::test::source_dir() / "daemon/store/migrations" / m.name;
        EXPECT_EQ(hrmaild::test::read_file(file), m.sql) << file;
    }
}

using MigrationOnOpen = StoreTest;

/// While alive, the default SQLite VFS is a shim over the real one that counts the syncs
/// (xSync: fsync/fdatasync of the database, its journal or WAL, and their folder).
class SyncCounter {
  public:
    SyncCounter() {
        base_ = sqlite3_vfs_find(nullptr);
        vfs_ = *base_;
        vfs_.zName = "hrmaild-sync-counter";
        vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
        vfs_.xOpen = [](sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
            auto* file = reinterpret_cast<File*>(f);
            real(f)->pMethods = nullptr;
            const int rc = self->base_->xOpen(self->base_, name, real(f), flags, out);
            // (SQLite closes a file whose open failed if it has methods: so must we)
            file->base.pMethods = real(f)->pMethods != nullptr ? &methods : nullptr;
            return rc;
        };
        self = this;
        sqlite3_vfs_register(&vfs_, 1);
    }
    ~SyncCounter() {
        sqlite3_vfs_unregister(&vfs_);
        sqlite3_vfs_register(base_, 1);
        self = nullptr;
    }
    SyncCounter(const SyncCounter&) = delete;
    SyncCounter& operator=(const SyncCounter&) = delete;
    [[nodiscard]] int syncs() const { return syncs_; }

  private:
    struct File {
        sqlite3_file base;
    };
    static sqlite3_file* real(sqlite3_file* f) {
        return reinterpret_cast<sqlite3_file*>(reinterpret_cast<File*>(f) + 1);
    }
    static const sqlite3_io_methods* m(sqlite3_file* f) { return real(f)->pMethods; }
    static inline SyncCounter* self = nullptr;
    sqlite3_vfs* base_ = nullptr;
    sqlite3_vfs vfs_{};
    int syncs_ = 0;
    static inline const sqlite3_io_methods methods{
        3,
        [](sqlite3_file* f) { return m(f)->xClose(real(f)); },
        [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
            return m(f)->xRead(real(f), b, n, o);
        },
        [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
            return m(f)->xWrite(real(f), b, n, o);
        },
        [](sqlite3_file* f, sqlite3_int64 n) { return m(f)->xTruncate(real(f), n); },
        [](sqlite3_file* f, int flags) {
            ++self->syncs_;
            return m(f)->xSync(real(f), flags);
        },
        [](sqlite3_file* f, sqlite3_int64* n) { return m(f)->xFileSize(real(f), n); },
        [](sqlite3_file* f, int l) { return m(f)->xLock(real(f), l); },
        [](sqlite3_file* f, int l) { return m(f)->xUnlock(real(f), l); },
        [](sqlite3_file* f, int* r) { return m(f)->xCheckReservedLock(real(f), r); },
        [](sqlite3_file* f, int op, void* a) { return m(f)->xFileControl(real(f), op, a); },
        [](sqlite3_file* f) { return m(f)->xSectorSize(real(f)); },
        [](sqlite3_file* f) { return m(f)->xDeviceCharacteristics(real(f)); },
        [](sqlite3_file* f, int r, int sz, int e, void volatile** p) {
            return m(f)->xShmMap(real(f), r, sz, e, p);
        },
        [](sqlite3_file* f, int o, int n, int fl) { return m(f)->xShmLock(real(f), o, n, fl); },
        [](sqlite3_file* f) { m(f)->xShmBarrier(real(f)); },
        [](sqlite3_file* f, int d) { return m(f)->xShmUnmap(real(f), d); },
        [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
            return m(f)->xFetch(real(f), o, n, p);
        },
        [](sqlite3_file* f, sqlite3_int64 o, void* p) { return m(f)->xUnfetch(real(f), o, p); },
    };
};

TEST_F(MigrationOnOpen, ANewDatabaseIsMadeDurableOnceNotOnceAStep) {
    // Creating the database is what the daemon does before READY on a first start (issue 11):
    // its schema steps are committed unsynced and made durable by the last one.
    SyncCounter counter;
    auto store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->schema_version().value(), latest_schema_version());
    // (switching a new file to WAL costs a rollback-journal commit; then one synced commit)
    EXPECT_LE(counter.syncs(), 5) << "syncs while creating the database";
    // and the daemon then runs fully durable
    EXPECT_EQ(store->settings().value().synchronous, 2);
    // an existing database at the latest version: opening it syncs nothing
    store.reset();
    const int before = counter.syncs();
    store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_EQ(counter.syncs(), before);
}

TEST_F(MigrationOnOpen, EmptyFileIsMigratedToTheLatestVersion) {
    hrmaild::log::CaptureSink logs;
    auto store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->schema_version().value(), latest_schema_version());
    EXPECT_TRUE(logs.has_event("STORE_MIGRATION_APPLIED"));
    EXPECT_TRUE(logs.has_event("STORE_OPENED"));
    store.reset();

    RawDb raw(db_path_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_version"),
              std::to_string(latest_schema_version()));
    for (const char* table :
         {"tickets", "plans", "approvals", "step_journal", "scheduled_steps", "comments",
          "watermarks", "audit", "dashboard_days", "dashboard_sign_ins", "dashboard_snapshot"})
        EXPECT_EQ(raw.scalar(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type='table' "
                                         "AND name='") +
                             table + "'"),
                  "1")
            << table;
    EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
}

TEST_F(MigrationOnOpen, OlderDatabaseIsMigratedOnOpenKeepingItsRows) {
    {
        auto store = open_ok(1);
        ASSERT_TRUE(store);
        EXPECT_EQ(store->schema_version().value(), 1);
    }
    {
        // A version-1 database with a row written by the version-1 daemon.
        RawDb raw(db_path_);
        EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_version"), "1");
        EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name='step_journal'"), "0");
        ASSERT_EQ(raw.exec("INSERT INTO tickets (task_id, workflow, state, created_at, "
                           "updated_at) VALUES (7, 'alta', 'new', 1, 1)"),
                  "");
    }
    hrmaild::log::CaptureSink logs;
    auto store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->schema_version().value(), latest_schema_version());
    EXPECT_TRUE(logs.has_event("STORE_MIGRATION_APPLIED"));
    auto t = store->get_ticket(7).value();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->workflow, "alta");
    EXPECT_TRUE(store->journal_started({7, "h", 0}, "create_user"));
}

// Step 4 rebuilds tickets and the journal (new CHECK constraints) and moves what step 3 kept
// elsewhere: the journal's index offsets become kinds, plan messages leave the watermarks.
TEST_F(MigrationOnOpen, StepFourKeepsTheJournalAndMovesPlanMessages) {
    { ASSERT_TRUE(open_ok(3)); }
    {
        RawDb raw(db_path_);
        const std::string h(64, 'c');
        for (const auto* sql :
             {"INSERT INTO tickets (task_id, workflow, state, created_at, updated_at) VALUES "
              "(7, 'alta', 'executing', 1, 1)",
              "INSERT INTO watermarks (key, value, updated_at) VALUES "
              "('bitrix.changed_date', '2026-01-01T00:00:00+00:00', 1)"}) {
            ASSERT_EQ(raw.exec(sql), "");
        }
        ASSERT_EQ(raw.exec("INSERT INTO plans (task_id, plan_hash, plan_text, approval_required, "
                           "created_at) VALUES (7, '" +
                           h + "', '{}', 1, 1)"),
                  "");
        ASSERT_EQ(raw.exec("INSERT INTO watermarks (key, value, updated_at) VALUES "
                           "('messages/7/" +
                           h + "', '{\"done\":\"Listo\"}', 1)"),
                  "");
        for (const auto& [index, hash, op] : std::vector<std::tuple<int, std::string, std::string>>{
                 {0, h, "create_user"},
                 {1000, h, "notify_password"},
                 {2000, h, "reset_password"},
                 {0, "comment:hrmaild:7:done:" + h, "post_comment"}})
            ASSERT_EQ(
                raw.exec("INSERT INTO step_journal (task_id, plan_hash, step_index, op, "
                         "state, started_at) VALUES (7, '" +
                         hash + "', " + std::to_string(index) + ", '" + op + "', 'succeeded', 1)"),
                "");
    }
    auto store = open_ok();
    ASSERT_TRUE(store);
    const std::string h(64, 'c');
    auto notify = store->journal_step({7, h, 0, StepKind::notify}).value();
    ASSERT_TRUE(notify);
    EXPECT_EQ(notify->op, "notify_password");
    auto reset = store->journal_step({7, h, 0, StepKind::reset}).value();
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->op, "reset_password");
    EXPECT_TRUE(store->journal_step({7, h, 0, StepKind::step}).value());
    EXPECT_TRUE(store->journal_step({7, "hrmaild:7:done:" + h, 0, StepKind::comment}).value());
    auto plan = store->current_plan(7).value();
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->messages, "{\"done\":\"Listo\"}");
    EXPECT_EQ(plan->decision, PlanDecision::approval);
    EXPECT_FALSE(store->get_watermark("messages/7/" + h).value());
    EXPECT_TRUE(store->get_watermark("bitrix.changed_date").value());
    // The rebuilt tickets table takes the new state, and foreign keys hold again.
    EXPECT_TRUE(store->transition_ticket({7, TicketState::failed, "daemon", "", "", {}}));
    RawDb raw(db_path_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM pragma_foreign_key_check"), "0");
}

TEST_F(MigrationOnOpen, NewerSchemaIsRefusedWithAClearMessage) {
    open_ok().reset();
    {
        RawDb raw(db_path_);
        ASSERT_EQ(raw.exec("INSERT INTO schema_version (version, name, applied_at) VALUES "
                           "(999, '0999_future.sql', 0)"),
                  "");
    }
    auto r = open_at(db_path_, &clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::schema_too_new);
    EXPECT_NE(r.error().message.find("schema version 999"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("up to " + std::to_string(latest_schema_version())),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(db_path_.string()), std::string::npos);
    EXPECT_NE(r.error().hint.find("newer hrmaild"), std::string::npos) << r.error().hint;
    // Refusing must not have touched the file.
    RawDb raw(db_path_);
    EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_version"), "999");
}

TEST_F(MigrationOnOpen, ReadOnlyOpenRefusesAnUnmigratedDatabase) {
    open_ok(1).reset();
    auto r = open_at(db_path_, &clock_, {}, /*read_only=*/true);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::schema_too_old);
    EXPECT_NE(r.error().hint.find("hrmaild run"), std::string::npos) << r.error().hint;
}

TEST_F(MigrationOnOpen, ForeignSqliteFileIsRefused) {
    {
        RawDb raw(db_path_);
        ASSERT_EQ(raw.exec("CREATE TABLE customers (id INTEGER)"), "");
    }
    auto r = open_at(db_path_, &clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::not_a_database);
    EXPECT_NE(r.error().message.find("not an hrmaild state database"), std::string::npos);
    EXPECT_NE(r.error().hint.find("state.path"), std::string::npos);
}

TEST_F(MigrationOnOpen, GarbageFileIsRefusedWithAHint) {
    dir_.write("state.db", std::string(4096, 'x'));
    auto r = open_at(db_path_, &clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::not_a_database) << r.error().describe();
    EXPECT_NE(r.error().hint.find("state.path"), std::string::npos) << r.error().hint;
}

TEST_F(MigrationOnOpen, MissingFolderNamesTheFolder) {
    auto r = open_at(dir_.path() / "no" / "such" / "state.db", &clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::cannot_open);
    EXPECT_NE(r.error().hint.find((dir_.path() / "no" / "such").string()), std::string::npos)
        << r.error().hint;
    EXPECT_NE(r.error().hint.find("StateDirectory"), std::string::npos);
}

}  // namespace
}  // namespace hrmaild::store::test
