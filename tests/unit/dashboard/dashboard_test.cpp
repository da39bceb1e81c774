// The cached, kept fetch: a fake Zoho source that counts and records what it is asked, a
// ManualClock and a real SQLite state store in a temporary folder, opened again to restart.
#include "daemon/dashboard/dashboard.hpp"

#include "daemon/core/time_format.hpp"
#include "daemon/store/sqlite_store.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace hrmaild::dashboard {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

core::WallTime at(const char* iso) {
    return core::WallTime(std::chrono::seconds(*core::parse_iso(iso)));
}

class FakeSource final : public OrgSource {
  public:
    asio::awaitable<SourceResult<OrgFacts>> facts() override {
        ++facts_calls;
        if (fail)
            co_return SourceError{"Zoho: throttled"};
        co_return org;
    }
    asio::awaitable<SourceResult<std::vector<MailLine>>> mail(core::WallTime from,
                                                              core::WallTime to) override {
        asked.emplace_back(from, to);
        std::vector<MailLine> out;
        for (const auto& l : lines)
            if (l.at >= from && l.at <= to)
                out.push_back(l);
        co_return out;
    }
    asio::awaitable<SourceResult<std::vector<SignIn>>> sign_ins(core::WallTime from,
                                                                core::WallTime to) override {
        std::vector<SignIn> out;
        for (const auto& s : signs)
            if (s.at >= from && s.at <= to)
                out.push_back(s);
        co_return out;
    }

    OrgFacts org;
    std::vector<MailLine> lines;
    std::vector<SignIn> signs;
    bool fail = false;
    int facts_calls = 0;
    std::vector<std::pair<core::WallTime, core::WallTime>> asked;
};

class DashboardCache : public ::testing::Test {
  protected:
    void SetUp() override {
        open_store();
        source_.org.name = "TAR";
        source_.org.domains = {"tarmexico.com"};
        source_.org.users = {{"ana@tarmexico.com", "Ana", true, std::nullopt, 300}};
        source_.org.licences_total = 400;
        source_.org.licences_used = 1;
        source_.lines = {{at("2026-11-20T09:00:00Z"), "x@cliente.example", "ana@tarmexico.com"},
                         {at("2026-11-30T08:00:00Z"), "ana@tarmexico.com", "x@cliente.example"}};
        source_.signs = {{"ana@tarmexico.com", at("2026-11-30T08:30:00Z")}};
        dashboard_ = std::make_unique<Dashboard>(source_, *store_, *store_, clock_,
                                                 Settings{std::chrono::seconds(300), 30});
    }

    void open_store() {
        store::SqliteOptions o;
        o.path = dir_.path() / "state.db";
        o.clock = [this] {
            return std::chrono::floor<std::chrono::milliseconds>(clock_.wall_now());
        };
        auto s = store::SqliteStore::open(std::move(o));
        ASSERT_TRUE(s) << s.error().describe();
        store_ = std::move(*s);
    }

    /// A new process: the dashboard and the store closed, the same file opened again.
    void restart(int days = 30) {
        dashboard_.reset();
        store_.reset();
        open_store();
        dashboard_ = std::make_unique<Dashboard>(source_, *store_, *store_, clock_,
                                                 Settings{std::chrono::seconds(300), days});
    }

    Model model() {
        hrmaild::test::RunOptions o;
        o.io_grace = 0ms;
        return hrmaild::test::run_coro(ioc_, dashboard_->model(), o);
    }

    hrmaild::test::TempDir dir_;
    core::ManualClock clock_{at("2026-11-30T10:00:00Z")};
    asio::io_context ioc_;
    std::unique_ptr<store::SqliteStore> store_;
    FakeSource source_;
    std::unique_ptr<Dashboard> dashboard_;
};

TEST_F(DashboardCache, PageViewsWithinTheMaxAgeDoNotAskZohoAgain) {
    Model first = model();
    ASSERT_TRUE(first.org);
    EXPECT_EQ(source_.facts_calls, 1);
    ASSERT_EQ(source_.asked.size(), 1u);
    EXPECT_EQ(source_.asked[0].first, at("2026-11-01T00:00:00Z")) << "the whole period at first";
    EXPECT_EQ(source_.asked[0].second, at("2026-11-30T10:00:00Z"));
    EXPECT_EQ(first.org->traffic[19].in, 1);
    EXPECT_EQ(first.org->traffic[29].out, 1);
    EXPECT_EQ(first.org->active_users, 1);
    EXPECT_EQ(first.org_refreshed_at, at("2026-11-30T10:00:00Z"));

    clock_.advance(299s);
    Model second = model();
    EXPECT_EQ(source_.facts_calls, 1) << "served from the cache";
    EXPECT_EQ(second.org_refreshed_at, at("2026-11-30T10:00:00Z"));
    EXPECT_EQ(second.built_at, at("2026-11-30T10:04:59Z"));
    EXPECT_EQ(dashboard_->refreshes(), 1);

    clock_.advance(1s);
    model();
    EXPECT_EQ(source_.facts_calls, 2) << "max_age reached";
}

TEST_F(DashboardCache, LaterRefreshesReadOnlySinceThePreviousRefreshDayAndCountOnce) {
    model();
    clock_.advance(10min);
    source_.lines.push_back({at("2026-11-30T10:05:00Z"), "x@cliente.example", "ana@tarmexico.com"});
    Model m = model();
    ASSERT_EQ(source_.asked.size(), 2u);
    EXPECT_EQ(source_.asked[1].first, at("2026-11-30T00:00:00Z"))
        << "complete days are kept, today is read again";
    ASSERT_TRUE(m.org);
    EXPECT_EQ(m.org->traffic[29].out, 1) << "today's earlier line is not counted twice";
    EXPECT_EQ(m.org->traffic[29].in, 1);
    EXPECT_EQ(m.org->traffic[19].in, 1) << "an earlier day kept from the first refresh";

    // A day later the period moves on: a day that left it is dropped.
    clock_.advance(std::chrono::hours(24 * 20));
    Model later = model();
    ASSERT_TRUE(later.org);
    std::int64_t in = 0;
    for (const auto& d : later.org->traffic)
        in += d.in;
    EXPECT_EQ(in, 1) << "2026-11-20 left the period; 2026-11-30's line is still in it";
}

TEST_F(DashboardCache, AFailedRefreshKeepsTheLastFiguresAndWaitsTheMaxAge) {
    model();
    clock_.advance(301s);
    source_.fail = true;
    Model m = model();
    EXPECT_EQ(source_.facts_calls, 2);
    ASSERT_TRUE(m.org) << "the previous figures stay";
    EXPECT_EQ(m.org_refreshed_at, at("2026-11-30T10:00:00Z")) << "with their age";
    EXPECT_EQ(m.org_error, "Zoho: throttled");
    clock_.advance(60s);
    model();
    EXPECT_EQ(source_.facts_calls, 2) << "a failing Zoho is not asked on every view";
    source_.fail = false;
    clock_.advance(300s);
    Model ok = model();
    EXPECT_EQ(ok.org_error, "");
    EXPECT_EQ(source_.facts_calls, 3);
}

TEST_F(DashboardCache, BeforeTheFirstSuccessThereIsNoOrgButTheWorkIsShown) {
    source_.fail = true;
    ASSERT_TRUE(store_->upsert_ticket(5, "baja", "2026-11-30T09:00:00+00:00"));
    ASSERT_TRUE(
        store_->record_plan({5, std::string(64, 'a'), "1. disable_user x\n", true, "baja"}));
    ASSERT_TRUE(store_->transition_ticket({5, store::TicketState::planned, "daemon", "", ""}));
    ASSERT_TRUE(
        store_->transition_ticket({5, store::TicketState::awaiting_approval, "daemon", "", ""}));
    clock_.advance(2h);
    Model m = model();
    EXPECT_FALSE(m.org);
    EXPECT_FALSE(m.org_refreshed_at);
    EXPECT_EQ(m.org_error, "Zoho: throttled");
    ASSERT_TRUE(m.work) << m.work_error;
    EXPECT_EQ(m.work->tickets, 1);
    EXPECT_EQ(m.work->workflows, (std::vector<std::string>{"baja"}));
    EXPECT_EQ(m.work->waiting_approval, 1);
    EXPECT_EQ(m.work->oldest_waiting, std::chrono::milliseconds(2h));
}

TEST_F(DashboardCache, ARestartShowsTheStoredDaysAndTheirTimeWithoutAskingZohoAgain) {
    Model first = model();
    ASSERT_TRUE(first.org);
    ASSERT_EQ(source_.asked.size(), 1u);
    restart();
    clock_.advance(60s);
    Model after = model();
    EXPECT_EQ(source_.facts_calls, 1) << "the stored figures are younger than max_age";
    EXPECT_EQ(source_.asked.size(), 1u);
    ASSERT_TRUE(after.org);
    EXPECT_EQ(after.org_refreshed_at, at("2026-11-30T10:00:00Z")) << "shown with their time";
    EXPECT_EQ(after.org->name, "TAR");
    EXPECT_EQ(after.org->licences.total, 400);
    EXPECT_EQ(after.org->traffic[19].in, 1);
    EXPECT_EQ(after.org->traffic[29].out, 1);
    EXPECT_EQ(after.org->active_users, 1) << "Ana's sign-in came from the login history, kept";

    // Past max_age, only today is read again: the 29 complete days stay as stored.
    clock_.advance(300s);
    Model later = model();
    EXPECT_EQ(source_.facts_calls, 2);
    ASSERT_EQ(source_.asked.size(), 2u);
    EXPECT_EQ(source_.asked[1].first, at("2026-11-30T00:00:00Z"));
    EXPECT_EQ(source_.asked[1].second, at("2026-11-30T10:06:00Z"));
    ASSERT_TRUE(later.org);
    EXPECT_EQ(later.org->traffic[19].in, 1) << "a stored day not read again is still counted";
    EXPECT_EQ(later.org->traffic[29].out, 1) << "today counted once";
}

TEST_F(DashboardCache, ThePreviousDayIsReadOnceMoreAfterMidnightForLateLines) {
    model();
    // A line of 23:59 that the SMTP logs show only after midnight.
    source_.lines.push_back({at("2026-11-30T23:59:00Z"), "x@cliente.example", "ana@tarmexico.com"});
    clock_.advance(14h + 10min);  // 2026-12-01T00:10:00Z
    Model m = model();
    ASSERT_EQ(source_.asked.size(), 2u);
    EXPECT_EQ(source_.asked[1].first, at("2026-11-30T00:00:00Z"));
    EXPECT_EQ(source_.asked[1].second, at("2026-12-01T00:10:00Z"));
    ASSERT_TRUE(m.org);
    EXPECT_EQ(m.org->traffic[28].day, "2026-11-30");
    EXPECT_EQ(m.org->traffic[28].in, 1) << "the late line is counted";
    EXPECT_EQ(m.org->traffic[28].out, 1);

    // Read after it ended, 2026-11-30 is complete: not asked again, not even after a restart.
    restart();
    clock_.advance(10min);
    Model next = model();
    ASSERT_EQ(source_.asked.size(), 3u);
    EXPECT_EQ(source_.asked[2].first, at("2026-12-01T00:00:00Z"));
    ASSERT_TRUE(next.org);
    EXPECT_EQ(next.org->traffic[28].in, 1);
}

TEST_F(DashboardCache, DaysAlreadyStoredAreNotReadAgainWhenThePeriodGrows) {
    model();
    restart(40);  // dashboard.days raised: ten earlier days were never read
    clock_.advance(301s);
    Model m = model();
    ASSERT_EQ(source_.asked.size(), 3u) << "two runs: the ten new days, then today";
    EXPECT_EQ(source_.asked[1].first, at("2026-10-22T00:00:00Z"));
    EXPECT_EQ(source_.asked[1].second, at("2026-11-01T00:00:00Z") - 1ms);
    EXPECT_EQ(source_.asked[2].first, at("2026-11-30T00:00:00Z"));
    ASSERT_TRUE(m.org);
    ASSERT_EQ(m.org->traffic.size(), 40u);
    EXPECT_EQ(m.org->traffic[29].in, 1) << "2026-11-20 kept from the store";
}

TEST_F(DashboardCache, UnreadableStoredFiguresAreReadFromZohoAgain) {
    model();
    ASSERT_TRUE(store_->record_dashboard({{"{\"v\":99}", store::Timestamp{}}, {}, {}, ""}));
    restart();
    Model m = model();
    EXPECT_EQ(source_.facts_calls, 2);
    ASSERT_TRUE(m.org);
    EXPECT_EQ(m.org->name, "TAR");
}

TEST(DashboardFacts, RoundTripThroughTheStoredDocument) {
    OrgFacts f;
    f.name = "TAR \"Aerolíneas\"";
    f.domains = {"tarmexico.com", "tar.mx"};
    f.users = {{"ana@tarmexico.com", "Ana", true, at("2026-11-30T08:30:00.250Z"), 300},
               {"luis@tarmexico.com", "Luis", false, std::nullopt, 0}};
    f.groups = {{"Pilotos", "pilotos@tarmexico.com", 4}};
    f.licences_total = 400;
    f.licences_used = 2;
    f.storage_total_mb = 8 * 30 * 1024;
    f.storage_used_mb = 300;
    auto back = facts_from_json(facts_to_json(f));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, f.name);
    EXPECT_EQ(back->domains, f.domains);
    ASSERT_EQ(back->users.size(), 2u);
    EXPECT_EQ(back->users[0].last_login, f.users[0].last_login);
    EXPECT_EQ(back->users[0].used_mb, 300);
    EXPECT_FALSE(back->users[1].enabled);
    EXPECT_FALSE(back->users[1].last_login);
    ASSERT_EQ(back->groups.size(), 1u);
    EXPECT_EQ(back->groups[0].members, 4);
    EXPECT_EQ(back->storage_total_mb, f.storage_total_mb);
    EXPECT_FALSE(facts_from_json("not json"));
    EXPECT_FALSE(facts_from_json("{\"v\":1}")) << "keys missing";
    EXPECT_FALSE(facts_from_json("{\"v\":2,\"name\":\"x\"}")) << "another version";
}

}  // namespace
}  // namespace hrmaild::dashboard
