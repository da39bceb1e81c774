// The dashboard's durable data (schema step 5): days replaced and trimmed, sign-ins merged to
// the latest, one snapshot, bad input refused by name, and all of it still there after the
// file is opened again. A version-4 database gains the tables on open, keeping its rows.
#include "daemon/store/dashboard_store.hpp"

#include <gtest/gtest.h>

#include "tests/unit/store/store_test_support.hpp"

namespace hrmaild::store::test {
namespace {

using DashboardStoreTest = StoreTest;

Timestamp ms(std::int64_t v) {
    return from_millis(v);
}

DashboardRefresh refresh_of(std::vector<DashboardDay> days, std::vector<DashboardSignIn> signs,
                            std::string facts, std::int64_t at, std::string keep_from = "") {
    DashboardRefresh r;
    r.snapshot = {std::move(facts), ms(at)};
    r.days = std::move(days);
    r.sign_ins = std::move(signs);
    r.keep_from = std::move(keep_from);
    return r;
}

TEST_F(DashboardStoreTest, NothingStoredBeforeTheFirstRefresh) {
    auto store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_FALSE(store->dashboard_snapshot().value());
    EXPECT_TRUE(store->dashboard_days("0000-00-00").value().empty());
    EXPECT_TRUE(store->dashboard_sign_ins().value().empty());
}

TEST_F(DashboardStoreTest, RefreshesReplaceDaysMergeSignInsAndSurviveAReopen) {
    {
        auto store = open_ok();
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->record_dashboard(refresh_of(
            {{"2026-11-29", 40, 31, ms(1000)}, {"2026-11-30", 7, 5, ms(1000)}},
            {{"ana@tarmexico.com", ms(500)}, {"luis@tarmexico.com", ms(900)}}, "{\"v\":1}", 1000)));
        // A later refresh reads today again: its count replaces the earlier one; Ana's older
        // sign-in does not replace her later one, Luis's later one does.
        ASSERT_TRUE(store->record_dashboard(
            refresh_of({{"2026-11-30", 9, 6, ms(2000)}},
                       {{"ana@tarmexico.com", ms(400)}, {"luis@tarmexico.com", ms(1900)}},
                       "{\"v\":2}", 2000)));
    }
    auto store = open_ok();
    ASSERT_TRUE(store);
    auto snap = store->dashboard_snapshot().value();
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->facts, "{\"v\":2}");
    EXPECT_EQ(snap->refreshed_at, ms(2000));
    auto days = store->dashboard_days("2026-11-01").value();
    ASSERT_EQ(days.size(), 2u);
    EXPECT_EQ(days[0].day, "2026-11-29");
    EXPECT_EQ(days[0].mail_in, 40);
    EXPECT_EQ(days[0].fetched_at, ms(1000));
    EXPECT_EQ(days[1].day, "2026-11-30");
    EXPECT_EQ(days[1].mail_in, 9);
    EXPECT_EQ(days[1].mail_out, 6);
    EXPECT_EQ(days[1].fetched_at, ms(2000));
    EXPECT_EQ(store->dashboard_days("2026-11-30").value().size(), 1u) << "from the given day on";
    auto signs = store->dashboard_sign_ins().value();
    ASSERT_EQ(signs.size(), 2u);
    EXPECT_EQ(signs[0].address, "ana@tarmexico.com");
    EXPECT_EQ(signs[0].last_at, ms(500));
    EXPECT_EQ(signs[1].last_at, ms(1900));
}

TEST_F(DashboardStoreTest, DaysThatLeftThePeriodAreDeleted) {
    auto store = open_ok();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->record_dashboard(
        refresh_of({{"2026-10-31", 1, 1, ms(1)}, {"2026-11-01", 2, 2, ms(1)}}, {}, "{}", 1)));
    ASSERT_TRUE(store->record_dashboard(refresh_of({}, {}, "{}", 2, "2026-11-01")));
    auto days = store->dashboard_days("0000-00-00").value();
    ASSERT_EQ(days.size(), 1u);
    EXPECT_EQ(days[0].day, "2026-11-01");
}

TEST_F(DashboardStoreTest, BadInputIsRefusedByNameAndNothingIsWritten) {
    auto store = open_ok();
    ASSERT_TRUE(store);
    auto bad_day = store->record_dashboard(
        refresh_of({{"2026-11-30", 1, 1, ms(1)}, {"30/11/2026", 1, 1, ms(1)}}, {}, "{}", 1));
    ASSERT_FALSE(bad_day);
    EXPECT_EQ(bad_day.error().code, StoreErrc::invalid_argument);
    EXPECT_NE(bad_day.error().message.find("'30/11/2026'"), std::string::npos)
        << bad_day.error().message;
    auto negative =
        store->record_dashboard(refresh_of({{"2026-11-30", -1, 0, ms(1)}}, {}, "{}", 1));
    ASSERT_FALSE(negative);
    EXPECT_NE(negative.error().message.find("2026-11-30"), std::string::npos);
    auto no_address = store->record_dashboard(refresh_of({}, {{"", ms(1)}}, "{}", 1));
    ASSERT_FALSE(no_address);
    EXPECT_EQ(no_address.error().code, StoreErrc::invalid_argument);
    EXPECT_FALSE(store->dashboard_snapshot().value()) << "a refused refresh writes nothing";
    EXPECT_TRUE(store->dashboard_days("0000-00-00").value().empty());
}

TEST_F(DashboardStoreTest, StepFiveAddsTheTablesToAVersionFourDatabase) {
    { ASSERT_TRUE(open_ok(4)); }
    {
        RawDb raw(db_path_);
        EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name='dashboard_days'"),
                  "0");
        ASSERT_EQ(raw.exec("INSERT INTO watermarks (key, value, updated_at) VALUES "
                           "('bitrix.changed_date', '2026-01-01T00:00:00+00:00', 1)"),
                  "");
    }
    auto store = open_ok();
    ASSERT_TRUE(store);
    EXPECT_GE(store->schema_version().value(), 5);
    EXPECT_TRUE(store->get_watermark("bitrix.changed_date").value());
    EXPECT_TRUE(store->record_dashboard(refresh_of({{"2026-11-30", 1, 2, ms(3)}}, {}, "{}", 3)));
    // The table's own checks hold even for a writer that skips the store's.
    RawDb raw(db_path_);
    EXPECT_NE(raw.exec("INSERT INTO dashboard_days (day, mail_in, mail_out, fetched_at) VALUES "
                       "('ayer', 1, 1, 1)"),
              "");
    EXPECT_NE(raw.exec("INSERT INTO dashboard_snapshot (id, facts, refreshed_at) VALUES "
                       "(2, '{}', 1)"),
              "")
        << "one snapshot row";
}

}  // namespace
}  // namespace hrmaild::store::test
