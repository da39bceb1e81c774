#include "daemon/domain/operation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hrmaild::domain {
namespace {

TEST(Operation, EveryNameRoundTrips) {
    for (auto name : op_names()) {
        auto kind = parse_op(name);
        ASSERT_TRUE(kind.has_value()) << name;
        EXPECT_EQ(op_name(*kind), name);
    }
    // One name per kind, in kind order, none twice (the list is made from HRMAILD_OPERATIONS,
    // so adding an operation needs no count here).
    const auto names = op_names();
    ASSERT_EQ(names.size(), std::size(kAllOps));
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(kAllOps[i]), i);
        EXPECT_EQ(names[i], kOpNames[i]);
        EXPECT_EQ(std::count(names.begin(), names.end(), names[i]), 1) << names[i];
    }
    EXPECT_FALSE(parse_op("create_usr").has_value());
}

TEST(Operation, DestructiveKinds) {
    EXPECT_TRUE(is_destructive(OpKind::disable_user));
    EXPECT_TRUE(is_destructive(OpKind::delete_user));
    EXPECT_TRUE(is_destructive(OpKind::delete_group));
    EXPECT_TRUE(is_destructive(OpKind::remove_group_member));
    EXPECT_FALSE(is_destructive(OpKind::create_user));
    EXPECT_FALSE(is_destructive(OpKind::add_group_member));
}

TEST(Operation, AccessorsAndAddresses) {
    Operation op{OpKind::create_group,
                 {{"group", std::string("g@x.com")},
                  {"name", std::string("G")},
                  {"members", std::vector<std::string>{"a@x.com", "b@y.com"}}},
                 0};
    EXPECT_EQ(op.text("group"), "g@x.com");
    EXPECT_EQ(op.text("missing"), "");
    EXPECT_EQ(op.list("members").size(), 2u);
    EXPECT_EQ(op.addresses(), (std::vector<std::string>{"g@x.com", "a@x.com", "b@y.com"}));
    Operation d{
        OpKind::disable_user, {{"email", std::string("u@x.com")}, {"block_incoming", true}}, 0};
    EXPECT_TRUE(d.flag("block_incoming"));
    EXPECT_FALSE(d.flag("remove_groups"));
}

}  // namespace
}  // namespace hrmaild::domain
