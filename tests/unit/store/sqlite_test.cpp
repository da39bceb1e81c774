#include "daemon/store/detail/sqlite.hpp"

#include <gtest/gtest.h>

namespace hrmaild::store::detail {
namespace {

const std::filesystem::path kFile = "/var/lib/hrmaild/hrmaild.db";

TEST(SqliteError, MessageNamesFileActionAndCode) {
    auto e = sqlite_error(SQLITE_IOERR_FSYNC, "disk I/O error", kFile, "committing");
    EXPECT_EQ(e.code, StoreErrc::io);
    EXPECT_EQ(e.sqlite_code, SQLITE_IOERR_FSYNC);
    EXPECT_NE(e.message.find(kFile.string()), std::string::npos);
    EXPECT_NE(e.message.find("committing"), std::string::npos);
    EXPECT_NE(e.message.find("disk I/O error"), std::string::npos);
    EXPECT_NE(e.hint.find("journalctl -k"), std::string::npos);
}

TEST(SqliteError, HintsSuggestTheFix) {
    auto cant = sqlite_error(SQLITE_CANTOPEN, "unable to open database file", kFile, "opening");
    EXPECT_EQ(cant.code, StoreErrc::cannot_open);
    EXPECT_NE(cant.hint.find("/var/lib/hrmaild"), std::string::npos) << cant.hint;
    EXPECT_NE(cant.hint.find("StateDirectory=hrmaild"), std::string::npos);

    auto ro = sqlite_error(SQLITE_READONLY, "attempt to write a readonly database", kFile, "x");
    EXPECT_EQ(ro.code, StoreErrc::cannot_open);
    EXPECT_NE(ro.hint.find("chown"), std::string::npos);

    auto full = sqlite_error(SQLITE_FULL, "database or disk is full", kFile, "x");
    EXPECT_EQ(full.code, StoreErrc::io);
    EXPECT_NE(full.hint.find("free space"), std::string::npos);

    auto busy = sqlite_error(SQLITE_BUSY, "database is locked", kFile, "x");
    EXPECT_EQ(busy.code, StoreErrc::busy);
    EXPECT_NE(busy.hint.find("state.busy_timeout"), std::string::npos);

    auto notdb = sqlite_error(SQLITE_NOTADB, "file is not a database", kFile, "x");
    EXPECT_EQ(notdb.code, StoreErrc::not_a_database);
    EXPECT_NE(notdb.hint.find("backup"), std::string::npos);
}

TEST(SqliteQuery, UnknownNamedParameterIsAProgrammingError) {
    Connection c(":memory:", false, std::chrono::milliseconds(100));
    c.exec("CREATE TABLE t (a INTEGER)", "test");
    auto q = c.query("INSERT INTO t (a) VALUES (:a)");
    EXPECT_THROW(q.bind_int(":b", 1), std::logic_error);
    q.bind_int(":a", 1).run();
    EXPECT_EQ(c.changes(), 1);
}

TEST(SqliteTransaction, RolledBackUnlessCommitted) {
    Connection c(":memory:", false, std::chrono::milliseconds(100));
    c.exec("CREATE TABLE t (a INTEGER)", "test");
    {
        Transaction tx(c);
        c.query("INSERT INTO t (a) VALUES (:a)").bind_int(":a", 1).run();
    }
    {
        Transaction tx(c);
        c.query("INSERT INTO t (a) VALUES (:a)").bind_int(":a", 2).run();
        tx.commit();
    }
    auto q = c.query("SELECT group_concat(a) FROM t");
    ASSERT_TRUE(q.next());
    EXPECT_EQ(q.text_at(0), "2");
}

}  // namespace
}  // namespace hrmaild::store::detail
