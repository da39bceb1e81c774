#include "tests/sandbox/bitrix_dates.hpp"

#include <gtest/gtest.h>

namespace hrmaild::sandbox::bitrix_dates {
namespace {

using namespace std::chrono;

system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int mi, int s) {
    return system_clock::time_point(sys_days(year(y) / month(m) / day(d)) + hours(h) + minutes(mi) +
                                    seconds(s));
}

TEST(BitrixDates, FormatsInPortalOffset) {
    EXPECT_EQ(format_iso(utc(2026, 11, 28, 16, 5, 9)), "2026-11-28T10:05:09-06:00");
    EXPECT_EQ(format_iso(utc(2026, 1, 1, 3, 0, 0)), "2025-12-31T21:00:00-06:00");
}

struct DateCase {
    const char* text;
    bool ok;
    int h;  // expected UTC hour on 2026-11-28 (when ok)
    int mi;
};

class BitrixDatesParse : public ::testing::TestWithParam<DateCase> {};

TEST_P(BitrixDatesParse, ReadsWhatStrtotimeWould) {
    system_clock::time_point t;
    bool ok = parse(GetParam().text, t);
    ASSERT_EQ(ok, GetParam().ok) << GetParam().text;
    if (ok) {
        EXPECT_EQ(t, utc(2026, 11, 28, GetParam().h, GetParam().mi, 0)) << GetParam().text;
    }
}

INSTANTIATE_TEST_SUITE_P(Formats, BitrixDatesParse,
                         ::testing::Values(DateCase{"2026-11-28T10:00:00-06:00", true, 16, 0},
                                           DateCase{"2026-11-28T16:00:00Z", true, 16, 0},
                                           DateCase{"2026-11-28T16:00:00+00:00", true, 16, 0},
                                           DateCase{"2026-11-28T18:30:00+0230", true, 16, 0},
                                           DateCase{"2026-11-28T10:00:00.250-06:00", true, 16, 0},
                                           DateCase{"2026-11-28 10:00:00", true, 16, 0},
                                           DateCase{"2026-11-28T10:00", true, 16, 0},
                                           DateCase{"28.11.2026 10:00:00", true, 16, 0},
                                           DateCase{"2026-11-28", true, 6, 0},
                                           DateCase{"yesterday", false, 0, 0},
                                           DateCase{"2026-13-01", false, 0, 0},
                                           DateCase{"2026-11-28T10:00:00 junk", false, 0, 0}));

}  // namespace
}  // namespace hrmaild::sandbox::bitrix_dates
