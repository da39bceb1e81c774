// BoundedMap and BoundedSet: never more than the capacity, least recently used out first.
#include "daemon/core/bounded.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace hrmaild {
namespace {

TEST(BoundedMap, KeepsAtMostTheCapacityForgettingTheOldestFirst) {
    BoundedMap<int, std::string> m(3);
    for (int i = 1; i <= 10; ++i)
        m[i] = "v" + std::to_string(i);
    EXPECT_EQ(m.size(), 3u);
    EXPECT_EQ(m.evicted(), 7u);
    EXPECT_FALSE(m.contains(7));
    for (int i = 8; i <= 10; ++i) {
        ASSERT_NE(m.find(i), m.end()) << i;
        EXPECT_EQ(m.find(i)->second, "v" + std::to_string(i));
    }
}

TEST(BoundedMap, AUseKeepsAnEntry) {
    BoundedMap<int, int> m(2);
    m[1] = 10;
    m[2] = 20;
    ASSERT_NE(m.find(1), m.end());  // 1 is now the most recently used
    m[3] = 30;                      // so 2 goes
    EXPECT_TRUE(m.contains(1));
    EXPECT_FALSE(m.contains(2));
    EXPECT_TRUE(m.contains(3));
    m[1] = 11;  // assigning is a use too, and does not grow the map
    m[4] = 40;
    EXPECT_EQ(m.size(), 2u);
    EXPECT_TRUE(m.contains(1));
    EXPECT_EQ(m.find(1)->second, 11);
    EXPECT_FALSE(m.contains(3));
}

TEST(BoundedMap, EraseAndClearFreeRoom) {
    BoundedMap<int, int> m(2);
    m[1] = 1;
    m[2] = 2;
    EXPECT_EQ(m.erase(1), 1u);
    EXPECT_EQ(m.erase(1), 0u);
    m[3] = 3;
    EXPECT_EQ(m.evicted(), 0u);
    EXPECT_TRUE(m.contains(2) && m.contains(3));
    m.clear();
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(m.find(2), m.end());
    auto [it, added] = m.insert_or_assign(5, 50);
    EXPECT_TRUE(added);
    EXPECT_EQ(it->second, 50);
    EXPECT_FALSE(m.insert_or_assign(5, 51).second);
    EXPECT_EQ(m.find(5)->second, 51);
}

TEST(BoundedMap, AZeroCapacityIsRefused) {
    EXPECT_THROW((BoundedMap<int, int>(0)), std::invalid_argument);
}

TEST(BoundedSet, KeepsAtMostTheCapacity) {
    BoundedSet<std::pair<int, std::string>> s(2);
    EXPECT_TRUE(s.insert({1, "a"}).second);
    EXPECT_FALSE(s.insert({1, "a"}).second);
    EXPECT_TRUE(s.insert({1, "b"}).second);
    EXPECT_TRUE(s.insert({2, "a"}).second);
    EXPECT_EQ(s.size(), 2u);
    EXPECT_EQ(s.count({1, "a"}), 0u);
    EXPECT_EQ(s.count({2, "a"}), 1u);
    EXPECT_EQ(s.evicted(), 1u);
    EXPECT_EQ(s.erase({2, "a"}), 1u);
    EXPECT_EQ(s.size(), 1u);
    s.clear();
    EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace hrmaild
