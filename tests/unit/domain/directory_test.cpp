#include "daemon/domain/directory.hpp"

#include <gtest/gtest.h>

namespace hrmaild::domain {
namespace {

DirectorySnapshot dir() {
    DirectorySnapshot d;
    d.users.push_back(
        {"juan.perez@x.com", {"jp@x.com"}, "Juan", "Pérez", "Juan Pérez", "member", true});
    d.groups.push_back({"ops@x.com", "Ops", {"juan.perez@x.com"}});
    d.groups.push_back({"all@x.com", "All", {"Juan.Perez@x.com", "b@x.com"}});
    return d;
}

TEST(Directory, FindsUsersByPrimaryOrAliasIgnoringCase) {
    auto d = dir();
    ASSERT_NE(d.find_user("JUAN.PEREZ@x.com"), nullptr);
    ASSERT_NE(d.find_user("jp@x.com"), nullptr);
    EXPECT_EQ(d.find_user("jp@x.com")->address, "juan.perez@x.com");
    EXPECT_EQ(d.find_user("nobody@x.com"), nullptr);
}

TEST(Directory, AddressTakenCoversUsersAliasesAndGroups) {
    auto d = dir();
    EXPECT_TRUE(d.address_taken("juan.perez@x.com"));
    EXPECT_TRUE(d.address_taken("jp@x.com"));
    EXPECT_TRUE(d.address_taken("ops@x.com"));
    EXPECT_FALSE(d.address_taken("juan.perez.salinas@x.com"));
}

TEST(Directory, MembershipAndGroupsOf) {
    auto d = dir();
    EXPECT_TRUE(d.is_member("ops@x.com", "juan.perez@x.com"));
    EXPECT_FALSE(d.is_member("ops@x.com", "b@x.com"));
    EXPECT_FALSE(d.is_member("missing@x.com", "b@x.com"));
    EXPECT_EQ(d.groups_of("juan.perez@x.com"),
              (std::vector<std::string>{"ops@x.com", "all@x.com"}));
    EXPECT_TRUE(d.groups_of("nobody@x.com").empty());
}

}  // namespace
}  // namespace hrmaild::domain
