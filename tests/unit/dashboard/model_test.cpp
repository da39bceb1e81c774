#include "daemon/dashboard/model.hpp"

#include "daemon/core/time_format.hpp"

#include <gtest/gtest.h>

namespace hrmaild::dashboard {
namespace {

using namespace std::chrono_literals;
using store::TicketState;

core::WallTime at(const char* iso) {
    return core::WallTime(std::chrono::seconds(*core::parse_iso(iso)));
}

store::Timestamp ts(const char* iso) {
    return store::Timestamp(std::chrono::seconds(*core::parse_iso(iso)));
}

const core::WallTime kNow = at("2026-11-30T10:00:00Z");

TEST(DashboardDays, TheLastDaysEndWithTodayInUtc) {
    EXPECT_EQ(last_days(kNow, 3),
              (std::vector<std::string>{"2026-11-28", "2026-11-29", "2026-11-30"}));
    EXPECT_EQ(last_days(at("2026-03-01T00:00:00Z"), 2),
              (std::vector<std::string>{"2026-02-28", "2026-03-01"}));
    EXPECT_EQ(day_of(at("2026-11-30T23:59:59Z")), "2026-11-30");
    EXPECT_EQ(start_of_day(kNow), at("2026-11-30T00:00:00Z"));
}

TEST(DashboardTraffic, InIsToTheOrgOutIsFromItColleaguesCountTwiceOutsidersNever) {
    const std::vector<std::string> domains{"tarmexico.com"};
    TrafficTally tally;
    tally_traffic(tally,
                  {{at("2026-11-29T09:00:00Z"), "x@cliente.example", "ana@tarmexico.com"},
                   {at("2026-11-29T10:00:00Z"), "ana@tarmexico.com", "x@cliente.example"},
                   {at("2026-11-29T11:00:00Z"), "ana@tarmexico.com", "luis@tarmexico.com"},
                   {at("2026-11-29T12:00:00Z"), "x@cliente.example", "y@banco.example"},
                   {at("2026-11-30T08:00:00Z"), "x@cliente.example", "luis@tarmexico.com"},
                   {at("2026-11-30T08:30:00Z"), "evil@tarmexico.com.example", "z@b.example"}},
                  domains);
    ASSERT_EQ(tally.size(), 2u);
    EXPECT_EQ(tally["2026-11-29"].in, 2);
    EXPECT_EQ(tally["2026-11-29"].out, 2);
    EXPECT_EQ(tally["2026-11-30"].in, 1);
    EXPECT_EQ(tally["2026-11-30"].out, 0) << "a look-alike domain is not ours";
}

TEST(DashboardOrg, ActiveUsersLargestMailboxesTrafficAndGroups) {
    OrgFacts f;
    f.name = "TAR";
    f.domains = {"tarmexico.com"};
    for (int i = 0; i < 12; ++i) {
        MailUser u;
        u.address = "u" + std::to_string(i) + "@tarmexico.com";
        u.display_name = "U" + std::to_string(i);
        u.used_mb = 100 * i;
        f.users.push_back(u);
    }
    f.users[0].last_login = at("2026-11-30T09:00:00Z");  // today
    f.users[1].last_login = at("2026-10-01T09:00:00Z");  // before the period
    f.users[2].last_login = at("2026-11-20T09:00:00Z");
    f.users[2].enabled = false;                          // disabled: never active
    f.users[3].last_login = at("2026-10-31T23:59:59Z");  // one second before the period
    f.licences_total = 400;
    f.licences_used = 12;
    f.storage_total_mb = 12 * 30 * 1024;
    f.storage_used_mb = 6600;
    f.groups = {{"Zeta", "zeta@tarmexico.com", 2}, {"Alfa", "alfa@tarmexico.com", 5}};
    std::map<std::string, core::WallTime> signs{{"u1@tarmexico.com", at("2026-11-02T08:00:00Z")},
                                                {"u0@tarmexico.com", at("2026-11-01T08:00:00Z")}};
    TrafficTally tally{{"2026-11-29", {"2026-11-29", 4, 3}}, {"2026-10-01", {"2026-10-01", 9, 9}}};

    OrgModel m = build_org(f, tally, signs, kNow, 30);
    EXPECT_EQ(m.users, 12);
    EXPECT_EQ(m.active_users, 2) << "u0 (list) and u1 (history); not the disabled u2 or u3";
    ASSERT_EQ(m.by_last_login.size(), 12u);
    EXPECT_EQ(m.by_last_login[0].address, "u0@tarmexico.com");
    EXPECT_EQ(*m.by_last_login[0].last_login, at("2026-11-30T09:00:00Z"))
        << "the later of lastLogin and the history";
    EXPECT_EQ(m.by_last_login[1].address, "u2@tarmexico.com");
    EXPECT_FALSE(m.by_last_login[1].active);
    EXPECT_EQ(m.by_last_login[2].address, "u1@tarmexico.com");
    EXPECT_TRUE(m.by_last_login[2].active);
    EXPECT_EQ(m.by_last_login[3].address, "u3@tarmexico.com");
    EXPECT_FALSE(m.by_last_login[3].active);
    EXPECT_FALSE(m.by_last_login.back().last_login) << "never signed in: last";

    ASSERT_EQ(m.largest.size(), 10u);
    EXPECT_EQ(m.largest.front().address, "u11@tarmexico.com");
    EXPECT_EQ(m.largest.front().used_mb, 1100);
    EXPECT_EQ(m.largest.back().address, "u2@tarmexico.com");

    EXPECT_EQ(m.licences.used, 12);
    EXPECT_EQ(m.licences.total, 400);
    EXPECT_DOUBLE_EQ(m.licences.fraction(), 0.03);
    EXPECT_EQ(m.storage_mb.used, 6600);

    ASSERT_EQ(m.traffic.size(), 30u);
    EXPECT_EQ(m.traffic.front().day, "2026-11-01");
    EXPECT_EQ(m.traffic.back().day, "2026-11-30");
    EXPECT_EQ(m.traffic[28].in, 4);
    EXPECT_EQ(m.traffic[28].out, 3);
    EXPECT_EQ(m.traffic[29].in, 0) << "a day without lines is a zero, not a gap";

    ASSERT_EQ(m.groups.size(), 2u);
    EXPECT_EQ(m.groups[0].name, "Alfa");
}

TEST(DashboardRatio, FractionIsClampedAndSafeOnZero) {
    EXPECT_DOUBLE_EQ((Ratio{5, 0}).fraction(), 0.0);
    EXPECT_DOUBLE_EQ((Ratio{50, 40}).fraction(), 1.0);
    EXPECT_DOUBLE_EQ((Ratio{10, 40}).fraction(), 0.25);
}

TEST(DashboardPercentile, NearestRank) {
    std::vector<std::chrono::milliseconds> v;
    for (int i = 10; i >= 1; --i)
        v.push_back(std::chrono::milliseconds(i));
    EXPECT_EQ(percentile(v, 50), std::chrono::milliseconds(5));
    EXPECT_EQ(percentile(v, 90), std::chrono::milliseconds(9));
    EXPECT_EQ(percentile(v, 100), std::chrono::milliseconds(10));
    EXPECT_EQ(percentile({std::chrono::milliseconds(7)}, 90), std::chrono::milliseconds(7));
    EXPECT_FALSE(percentile({}, 50));
}

TEST(DashboardWork, TicketsPerDayTimeToDoneFailuresAndTheOldestWait) {
    std::vector<store::TicketActivity> tickets;
    auto add = [&](store::TaskId id, std::string wf, const char* created,
                   std::optional<const char*> done, std::optional<const char*> failed,
                   TicketState state) {
        store::TicketActivity a;
        a.task_id = id;
        a.workflow = std::move(wf);
        a.state = state;
        a.created_at = ts(created);
        if (done)
            a.done_at = ts(*done);
        if (failed)
            a.failed_at = ts(*failed);
        tickets.push_back(a);
    };
    add(1, "alta", "2026-11-29T09:00:00Z", "2026-11-29T09:10:00Z", {}, TicketState::done);
    add(2, "alta", "2026-11-29T11:00:00Z", "2026-11-29T12:00:00Z", {}, TicketState::done);
    add(3, "baja", "2026-11-30T08:00:00Z", {}, "2026-11-30T08:05:00Z", TicketState::failed);
    add(4, "baja", "2026-10-15T08:00:00Z", "2026-11-02T08:00:00Z", {}, TicketState::done);
    add(5, "", "2026-11-30T09:00:00Z", {}, {}, TicketState::invalid);
    add(6, "alta", "2026-10-01T08:00:00Z", {}, "2026-10-02T08:00:00Z", TicketState::failed);
    std::vector<store::StateCount> states{
        {TicketState::awaiting_approval, 2, ts("2026-11-28T10:00:00Z")},
        {TicketState::done, 3, ts("2026-11-02T08:00:00Z")}};

    WorkModel w = build_work(tickets, states, kNow, 30);
    EXPECT_EQ(w.workflows, (std::vector<std::string>{"", "alta", "baja"}));
    EXPECT_EQ(w.tickets, 4) << "tickets 4 and 6 were first seen before the period";
    ASSERT_EQ(w.tickets_per_day.size(), 30u);
    EXPECT_EQ(w.tickets_per_day[28].day, "2026-11-29");
    EXPECT_EQ(w.tickets_per_day[28].counts, (std::vector<std::int64_t>{0, 2, 0}));
    EXPECT_EQ(w.tickets_per_day[29].counts, (std::vector<std::int64_t>{1, 0, 1}));
    EXPECT_EQ(w.done, 3) << "ticket 4 reached done within the period";
    EXPECT_EQ(w.done_p50, std::chrono::milliseconds(std::chrono::hours(1)));
    EXPECT_EQ(w.done_p90, std::chrono::milliseconds(std::chrono::hours(18 * 24)));
    EXPECT_EQ(w.failures, 1) << "ticket 6 failed before the period";
    EXPECT_EQ(w.waiting_approval, 2);
    EXPECT_EQ(w.oldest_waiting, std::chrono::milliseconds(std::chrono::hours(48)));
}

TEST(DashboardWork, NothingToShowIsZerosNotGaps) {
    WorkModel w = build_work({}, {}, kNow, 7);
    EXPECT_TRUE(w.workflows.empty());
    EXPECT_EQ(w.tickets_per_day.size(), 7u);
    EXPECT_FALSE(w.done_p50);
    EXPECT_FALSE(w.oldest_waiting);
    EXPECT_EQ(w.waiting_approval, 0);
}

}  // namespace
}  // namespace hrmaild::dashboard
