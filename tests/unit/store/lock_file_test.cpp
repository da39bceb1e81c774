#include "daemon/store/detail/lock_file.hpp"
#include "daemon/store/migrations.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/unit/store/store_test_support.hpp"

namespace hrmaild::store::test {
namespace {

using OneDaemonPerDatabase = StoreTest;

TEST_F(OneDaemonPerDatabase, SecondOpenInTheSameProcessIsRefusedNamingThePid) {
    auto first = open_ok();
    ASSERT_TRUE(first);
    auto second = open_at(db_path_, &clock_);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, StoreErrc::locked);
    EXPECT_NE(second.error().message.find("pid " + std::to_string(::getpid())), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find(db_path_.string()), std::string::npos);
    EXPECT_NE(second.error().hint.find("stop the other one"), std::string::npos);

    // The lock ends with the store: the next open works.
    first.reset();
    auto third = open_at(db_path_, &clock_);
    EXPECT_TRUE(third) << (third ? "" : third.error().describe());
}

TEST_F(OneDaemonPerDatabase, AnotherProcessHoldingTheDatabaseIsNamed) {
    int to_parent[2];
    int to_child[2];
    ASSERT_EQ(::pipe(to_parent), 0);
    ASSERT_EQ(::pipe(to_child), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(to_parent[0]);
        ::close(to_child[1]);
        auto store = open_at(db_path_);
        const char ok = store ? 'y' : 'n';
        [[maybe_unused]] auto w = ::write(to_parent[1], &ok, 1);
        char c;
        [[maybe_unused]] auto r = ::read(to_child[0], &c, 1);  // until the parent says stop
        ::_exit(0);  // the kernel releases the lock, however the process ends
    }
    ::close(to_parent[1]);
    ::close(to_child[0]);
    char ok = 0;
    ASSERT_EQ(::read(to_parent[0], &ok, 1), 1);
    ASSERT_EQ(ok, 'y');

    auto second = open_at(db_path_, &clock_);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, StoreErrc::locked);
    EXPECT_NE(second.error().message.find("pid " + std::to_string(child)), std::string::npos)
        << second.error().message;

    ::close(to_child[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    auto third = open_at(db_path_, &clock_);
    EXPECT_TRUE(third) << (third ? "" : third.error().describe());
}

TEST_F(OneDaemonPerDatabase, ReadOnlyOpenNeedsNoLock) {
    auto writer = open_ok();
    ASSERT_TRUE(writer);
    auto reader = open_at(db_path_, &clock_, {}, /*read_only=*/true);
    ASSERT_TRUE(reader) << reader.error().describe();
    EXPECT_EQ((*reader)->schema_version().value(), latest_schema_version());
}

TEST(LockFile, UnwritableFolderIsExplained) {
    auto r =
        detail::LockFile::acquire("/proc/hrmaild-no/state.db.lock", "/proc/hrmaild-no/state.db");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrc::cannot_open);
    EXPECT_NE(r.error().hint.find("/proc/hrmaild-no"), std::string::npos) << r.error().hint;
}

}  // namespace
}  // namespace hrmaild::store::test
