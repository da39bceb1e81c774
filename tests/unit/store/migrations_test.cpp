#include "daemon/store/migrations.hpp"

#include <gtest/gtest.h>

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
    for (const char* table : {"tickets", "plans", "approvals", "step_journal", "scheduled_steps",
                              "comments", "watermarks", "audit"})
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
