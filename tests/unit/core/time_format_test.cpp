// UTC formatting and ISO 8601 reading (daemon/core/time_format.hpp).
#include "daemon/core/time_format.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace hrmaild::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2025-11-28T10:00:00Z plus 42 ms.
const system_clock::time_point kInstant{seconds{1764324000} + milliseconds{42}};

TEST(CoreTimeFormat, EveryStyle) {
    EXPECT_EQ(format_utc(kInstant), "2025-11-28T10:00:00Z");
    EXPECT_EQ(format_utc(kInstant, UtcStyle::iso_offset), "2025-11-28T10:00:00+00:00");
    EXPECT_EQ(format_utc(kInstant, UtcStyle::iso_millis_z), "2025-11-28T10:00:00.042Z");
    EXPECT_EQ(format_utc(kInstant, UtcStyle::readable), "2025-11-28 10:00:00Z");
    EXPECT_EQ(format_utc_seconds(0, UtcStyle::iso_offset), "1970-01-01T00:00:00+00:00");
    EXPECT_EQ(format_utc_seconds(1764324000), "2025-11-28T10:00:00Z");
}

TEST(CoreTimeFormat, UtcWhateverTheLocalZone) {
    // fmt 9 would format a system_clock time point in local time; the result must not move.
    const char* old = std::getenv("TZ");
    std::string saved = old ? old : "";
    setenv("TZ", "America/Mexico_City", 1);
    tzset();
    EXPECT_EQ(format_utc(kInstant), "2025-11-28T10:00:00Z");
    if (old)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
}

TEST(CoreTimeFormat, ParsesWhatBitrixSends) {
    EXPECT_EQ(parse_iso("2025-11-28T10:00:00+00:00"), 1764324000);
    EXPECT_EQ(parse_iso("2025-11-28T04:00:00-06:00"), 1764324000);
    EXPECT_EQ(parse_iso("2025-11-28T10:00:00Z"), 1764324000);
    EXPECT_EQ(parse_iso("2025-11-28T10:00:00.123+00:00"), 1764324000);
    EXPECT_EQ(parse_iso("2025-11-28T10:00:00"), 1764324000);
    EXPECT_FALSE(parse_iso("2025-11-28"));
    EXPECT_FALSE(parse_iso("yesterday at noon!!"));
    // What format_utc writes, parse_iso reads back.
    EXPECT_EQ(parse_iso(format_utc_seconds(1764324000, UtcStyle::iso_offset)), 1764324000);
}

}  // namespace
}  // namespace hrmaild::core
