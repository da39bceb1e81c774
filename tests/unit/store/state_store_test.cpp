#include "daemon/store/state_store.hpp"

#include <gtest/gtest.h>

namespace hrmaild::store {
namespace {

TEST(StoreError, DescribeJoinsMessageAndHint) {
    StoreError e{StoreErrc::locked, "database x is in use by pid 7", "stop it first", 0};
    EXPECT_EQ(e.describe(), "database x is in use by pid 7; hint: stop it first");
    e.hint.clear();
    EXPECT_EQ(e.describe(), "database x is in use by pid 7");
}

TEST(StoreError, ValueOnAnErrorThrowsTheStoreError) {
    Result<int> r(boost::system::in_place_error,
                  StoreError{StoreErrc::not_found, "ticket 5 is not in the state store", "", 0});
    try {
        (void)r.value();
        FAIL() << "value() did not throw";
    } catch (const StoreException& e) {
        EXPECT_EQ(e.error().code, StoreErrc::not_found);
        EXPECT_STREQ(e.what(), "ticket 5 is not in the state store");
    }
}

TEST(StoreError, KindsHaveStableNames) {
    EXPECT_EQ(to_string(StoreErrc::schema_too_new), "schema_too_new");
    EXPECT_EQ(to_string(StoreErrc::locked), "locked");
    EXPECT_EQ(to_string(StoreErrc::stale_plan), "stale_plan");
    EXPECT_EQ(to_string(StoreErrc::invalid_argument), "invalid_argument");
}

}  // namespace
}  // namespace hrmaild::store
