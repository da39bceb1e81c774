#include "daemon/config/config.hpp"

#include <gtest/gtest.h>

namespace hrmaild::config {
namespace {

struct DurationCase {
    const char* text;
    std::optional<std::int64_t> ms;
};

class DurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationTest, Parses) {
    auto d = parse_duration(GetParam().text);
    if (GetParam().ms) {
        ASSERT_TRUE(d.has_value()) << GetParam().text;
        EXPECT_EQ(d->count(), *GetParam().ms) << GetParam().text;
    } else {
        EXPECT_FALSE(d.has_value()) << GetParam().text;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Units, DurationTest,
    ::testing::Values(DurationCase{"250ms", 250}, DurationCase{"30s", 30'000},
                      DurationCase{"30", 30'000}, DurationCase{"5m", 300'000},
                      DurationCase{"2h", 7'200'000}, DurationCase{"1d", 86'400'000},
                      DurationCase{"0s", 0}, DurationCase{"", std::nullopt},
                      DurationCase{"s", std::nullopt}, DurationCase{"5 m", std::nullopt},
                      DurationCase{"-5s", std::nullopt}, DurationCase{"1w", std::nullopt},
                      DurationCase{"1.5s", std::nullopt},
                      DurationCase{"99999999999999999d", std::nullopt}));

}  // namespace
}  // namespace hrmaild::config
