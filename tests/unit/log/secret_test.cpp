#include "daemon/core/secret.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

namespace hrmaild {
namespace {

TEST(Secret, EveryPrintedFormIsRedacted) {
    Secret s("hunter2-canary");
    EXPECT_EQ(fmt::format("{}", s), "<redacted>");
    EXPECT_EQ(fmt::format("{:>12}", s), "  <redacted>");
    std::ostringstream os;
    os << s;
    EXPECT_EQ(os.str(), "<redacted>");
    EXPECT_EQ(s.reveal(), "hunter2-canary");
}

TEST(Secret, ConstantTimeEquals) {
    Secret s("abc");
    EXPECT_TRUE(s.equals("abc"));
    EXPECT_FALSE(s.equals("abd"));
    EXPECT_FALSE(s.equals("ab"));
    EXPECT_FALSE(Secret().equals("x"));
}

TEST(Secret, MovedFromIsEmpty) {
    Secret a("value");
    Secret b(std::move(a));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(b.reveal(), "value");
}

}  // namespace
}  // namespace hrmaild
