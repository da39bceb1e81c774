#include "daemon/core/zone.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hrmaild::core {
namespace {

std::int64_t utc(int y, int mo, int d, int h, int mi) {
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

TimeZone zone(const char* name) {
    std::string error;
    auto z = TimeZone::load(name, error);
    EXPECT_TRUE(z) << error;
    return *z;
}

// A TZif v2 file with no transitions: only the footer rule says anything.
std::string footer_only(const std::string& footer, std::int32_t std_offset) {
    auto header = [](std::string& out) {
        out += "TZif2";
        out += std::string(15, '\0');
        auto count = [&](std::uint32_t v) {
            for (int s = 24; s >= 0; s -= 8)
                out += static_cast<char>((v >> s) & 0xff);
        };
        for (std::uint32_t v : {0U, 0U, 0U, 0U, 1U, 4U})  // isut isstd leap time type chars
            count(v);
    };
    auto ttinfo = [&](std::string& out) {
        auto o = static_cast<std::uint32_t>(std_offset);
        for (int s = 24; s >= 0; s -= 8)
            out += static_cast<char>((o >> s) & 0xff);
        out += '\0';
        out += '\0';
        out += std::string("XXX\0", 4);
    };
    std::string b;
    header(b);
    ttinfo(b);
    header(b);
    ttinfo(b);
    b += "\n" + footer + "\n";
    return b;
}

TEST(ZoneTest, MexicoCityEndOfDayFollowsTheRulesOfEachYear) {
    auto mx = zone("America/Mexico_City");
    // April 2022: daylight-saving time (UTC-5); April 2023: abolished (UTC-6). ICU 72's own
    // rules (tzdata 2022e) get 2023 wrong, which is why the system database is read.
    EXPECT_EQ(mx.to_utc({2022, 4, 15, 23, 59}), utc(2022, 4, 16, 4, 59));
    EXPECT_EQ(mx.to_utc({2023, 4, 15, 23, 59}), utc(2023, 4, 16, 5, 59));
    EXPECT_EQ(mx.to_utc({2026, 7, 1, 23, 59}), utc(2026, 7, 2, 5, 59));
    // The day the last change happened (30 Oct 2022, 02:00 CDT → 01:00 CST): its end is CST.
    EXPECT_EQ(mx.to_utc({2022, 10, 30, 23, 59}), utc(2022, 10, 31, 5, 59));
    // A time repeated that night is its first occurrence (still CDT).
    EXPECT_EQ(mx.to_utc({2022, 10, 30, 1, 30}), utc(2022, 10, 30, 6, 30));
    // A time skipped on 3 Apr 2022 (02:00 → 03:00) lands just after the gap.
    EXPECT_EQ(mx.to_utc({2022, 4, 3, 2, 30}), utc(2022, 4, 3, 8, 30));
    auto back = mx.to_local(utc(2022, 4, 3, 8, 30));
    EXPECT_EQ(format_local(back), "03/04/2022 03:30");
}

TEST(ZoneTest, LocalDateIsNotTheUtcDateNearMidnight) {
    auto mx = zone("America/Mexico_City");
    // 23:59 in Mexico City is the next day in UTC; 18:00 is exactly midnight UTC.
    auto t = mx.to_utc({2026, 12, 15, 18, 0});
    EXPECT_EQ(t, utc(2026, 12, 16, 0, 0));
    EXPECT_EQ(format_local(mx.to_local(t)), "15/12/2026 18:00");
    EXPECT_EQ(format_local(mx.to_local(t - 60)), "15/12/2026 17:59");
    auto tokyo = zone("Asia/Tokyo");  // east of UTC: the local day starts the day before in UTC
    EXPECT_EQ(tokyo.to_utc({2026, 12, 16, 0, 0}), utc(2026, 12, 15, 15, 0));
}

TEST(ZoneTest, RuleAfterTheLastTransitionIsFollowed) {
    auto ny = zone("America/New_York");
    // Past the file's explicit transitions: the footer rule (M3.2.0, M11.1.0) decides.
    EXPECT_EQ(ny.offset_at(utc(2090, 7, 1, 12, 0)), -4 * 3600);
    EXPECT_EQ(ny.offset_at(utc(2090, 1, 15, 12, 0)), -5 * 3600);
    std::string error;
    auto z = TimeZone::parse("Test/Rule", footer_only("EST5EDT,M3.2.0,M11.1.0", -18000), error);
    ASSERT_TRUE(z) << error;
    // 2026: DST from 8 March 07:00Z to 1 November 06:00Z.
    EXPECT_EQ(z->offset_at(utc(2026, 3, 8, 6, 59)), -5 * 3600);
    EXPECT_EQ(z->offset_at(utc(2026, 3, 8, 7, 0)), -4 * 3600);
    EXPECT_EQ(z->offset_at(utc(2026, 11, 1, 5, 59)), -4 * 3600);
    EXPECT_EQ(z->offset_at(utc(2026, 11, 1, 6, 0)), -5 * 3600);
    // Southern hemisphere (DST across the new year) and a quoted, fixed name.
    auto south = TimeZone::parse("Test/South",
                                 footer_only("<-04>4<-03>,M9.1.6/24,M4.1.6/24", -14400), error);
    ASSERT_TRUE(south) << error;
    EXPECT_EQ(south->offset_at(utc(2026, 1, 15, 12, 0)), -3 * 3600);
    EXPECT_EQ(south->offset_at(utc(2026, 6, 15, 12, 0)), -4 * 3600);
    auto fixed = TimeZone::parse("Test/Fixed", footer_only("<+0530>-5:30", 19800), error);
    ASSERT_TRUE(fixed) << error;
    EXPECT_EQ(fixed->offset_at(utc(2026, 6, 15, 12, 0)), 5 * 3600 + 1800);
}

// Issue 14: the system's New York file lists transitions only up to 2037; 2045 is decided by
// the TZif footer's POSIX rule alone (Howard Hinnant's date 3.0.1 ignores it: upstream #563).
TEST(ZoneTest, FooterRuleDecides2045) {
    auto ny = zone("America/New_York");
    EXPECT_EQ(ny.offset_at(utc(2045, 7, 15, 12, 0)), -4 * 3600);
    EXPECT_EQ(ny.offset_at(utc(2045, 1, 15, 12, 0)), -5 * 3600);
    // The changes of 2045: second Sunday of March (12th), first Sunday of November (5th).
    EXPECT_EQ(ny.offset_at(utc(2045, 3, 12, 6, 59)), -5 * 3600);
    EXPECT_EQ(ny.offset_at(utc(2045, 3, 12, 7, 0)), -4 * 3600);
    EXPECT_EQ(ny.offset_at(utc(2045, 11, 5, 5, 59)), -4 * 3600);
    EXPECT_EQ(ny.offset_at(utc(2045, 11, 5, 6, 0)), -5 * 3600);
    // End of a summer day and of a winter day, both the next day in UTC.
    EXPECT_EQ(ny.to_utc({2045, 7, 15, 23, 59}), utc(2045, 7, 16, 3, 59));
    EXPECT_EQ(ny.to_utc({2045, 1, 15, 23, 59}), utc(2045, 1, 16, 4, 59));
    EXPECT_EQ(format_local(ny.to_local(utc(2045, 7, 16, 3, 59))), "15/07/2045 23:59");
    EXPECT_EQ(format_local(ny.to_local(utc(2045, 7, 16, 4, 0))), "16/07/2045 00:00");
    EXPECT_EQ(format_in_zone(ny, utc(2045, 7, 16, 3, 59)), "15/07/2045 23:59 (America/New_York)");
    // Mexico City has no daylight-saving time any more: UTC-6 all year in 2045.
    auto mx = zone("America/Mexico_City");
    EXPECT_EQ(mx.to_utc({2045, 7, 15, 23, 59}), utc(2045, 7, 16, 5, 59));
    EXPECT_EQ(mx.to_utc({2045, 1, 15, 23, 59}), utc(2045, 1, 16, 5, 59));
}

// The day Mexico's rules last changed (30 Oct 2022) and the first spring without DST (2 Apr
// 2023, when the old rules would have moved the clocks): the end of each day is right.
TEST(ZoneTest, EndOfDayAcrossMexicosRuleChange) {
    auto mx = zone("America/Mexico_City");
    EXPECT_EQ(mx.to_utc({2022, 10, 29, 23, 59}), utc(2022, 10, 30, 4, 59));  // CDT, UTC-5
    EXPECT_EQ(mx.to_utc({2022, 10, 30, 23, 59}), utc(2022, 10, 31, 5, 59));  // CST, UTC-6
    EXPECT_EQ(mx.to_utc({2023, 4, 2, 23, 59}), utc(2023, 4, 3, 5, 59));      // no DST: UTC-6
    EXPECT_EQ(mx.to_utc({2023, 4, 2, 2, 30}), utc(2023, 4, 2, 8, 30));       // not a gap
    EXPECT_EQ(format_local(mx.to_local(utc(2023, 4, 3, 5, 59))), "02/04/2023 23:59");
    EXPECT_EQ(format_local(mx.to_local(utc(2023, 4, 3, 6, 0))), "03/04/2023 00:00");
}

TEST(ZoneTest, BadNamesAndFilesSayWhatIsWrong) {
    std::string error;
    EXPECT_FALSE(TimeZone::load("America/Ciudad_Gotica", error));
    EXPECT_NE(error.find("unknown time zone 'America/Ciudad_Gotica'"), std::string::npos) << error;
    EXPECT_FALSE(TimeZone::load("../../etc/passwd", error));
    EXPECT_NE(error.find("is not a time zone name"), std::string::npos) << error;
    EXPECT_FALSE(TimeZone::parse("X", "hello", error));
    EXPECT_NE(error.find("not a TZif file"), std::string::npos) << error;
    EXPECT_FALSE(TimeZone::parse("X", footer_only("EST5EDT,M13.2.0,M11.1.0", -18000), error));
    EXPECT_NE(error.find("unreadable rule"), std::string::npos) << error;
}

TEST(ZoneTest, HoursAndMinutes) {
    EXPECT_EQ(parse_hh_mm("23:59"), 23 * 60 + 59);
    EXPECT_EQ(parse_hh_mm("00:00"), 0);
    EXPECT_FALSE(parse_hh_mm("24:00"));
    EXPECT_FALSE(parse_hh_mm("7:30"));
    EXPECT_FALSE(parse_hh_mm("07:60"));
    EXPECT_FALSE(parse_hh_mm("ab:cd"));
}

}  // namespace
}  // namespace hrmaild::core
