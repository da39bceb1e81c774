// Issue 14: the instant a workflow's `not_before` names, in the organization's zone (the days
// Mexico's daylight-saving rules changed, a DST change elsewhere, days_before across months),
// the date formats HR writes, and the loader's checks of the block.
#include "daemon/workflow/effective.hpp"

#include "daemon/core/zone.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"

#include <gtest/gtest.h>

namespace hrmaild::workflow {
namespace {

std::int64_t utc_ms(int y, int mo, int d, int h, int mi) {
    return (core::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000;
}

core::TimeZone zone(const char* name) {
    std::string error;
    auto z = core::TimeZone::load(name, error);
    EXPECT_TRUE(z) << error;
    return *z;
}

std::int64_t at(const core::TimeZone& z, std::string_view date, int days, std::string_view time) {
    std::string error;
    auto r = effective_instant(z, date, days, time, error);
    EXPECT_TRUE(r) << error;
    return r ? r->unix_ms : -1;
}

TEST(Effective, EndOfDayInMexicoCityFollowsTheRulesOfThatDay) {
    auto mx = zone("America/Mexico_City");
    // Daylight-saving time in April 2022 (UTC-5), abolished from late October 2022 (UTC-6).
    EXPECT_EQ(at(mx, "15/04/2022", 0, "23:59"), utc_ms(2022, 4, 16, 4, 59));
    EXPECT_EQ(at(mx, "15/04/2023", 0, "23:59"), utc_ms(2023, 4, 16, 5, 59));
    // 30 October 2022, the day of the last change (02:00 CDT became 01:00 CST).
    EXPECT_EQ(at(mx, "30 de octubre de 2022", 0, "23:59"), utc_ms(2022, 10, 31, 5, 59));
    EXPECT_EQ(at(mx, "2022-10-29", 0, "23:59"), utc_ms(2022, 10, 30, 4, 59));
    std::string error;
    auto r = effective_instant(mx, "15/04/2023", 0, "23:59", error);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->local, "15/04/2023 23:59 (America/Mexico_City)");
}

TEST(Effective, DaysBeforeCountLocalDaysAcrossMonthsAndDstChanges) {
    auto mx = zone("America/Mexico_City");
    EXPECT_EQ(at(mx, "02/03/2026", 3, "00:00"), utc_ms(2026, 2, 27, 6, 0));
    EXPECT_EQ(at(mx, "01/01/2027", 3, ""), utc_ms(2026, 12, 29, 6, 0));  // default 00:00
    // New York springs forward on 8 March 2026: three days before the 10th is the 7th (EST),
    // while the 10th itself is EDT.
    auto ny = zone("America/New_York");
    EXPECT_EQ(at(ny, "10/03/2026", 3, "00:00"), utc_ms(2026, 3, 7, 5, 0));
    EXPECT_EQ(at(ny, "10/03/2026", 0, "00:00"), utc_ms(2026, 3, 10, 4, 0));
}

TEST(Effective, ImpossibleDatesAndTimesAreClearErrors) {
    auto mx = zone("America/Mexico_City");
    std::string error;
    EXPECT_FALSE(effective_instant(mx, "31/02/2026", 0, "23:59", error));
    EXPECT_NE(error.find("La fecha «31/02/2026» no es válida"), std::string::npos) << error;
    EXPECT_FALSE(effective_instant(mx, "12/31/2026", 0, "23:59", error));  // US order
    EXPECT_NE(error.find("«12/31/2026»"), std::string::npos) << error;
    EXPECT_FALSE(effective_instant(mx, "15/01/2026", 0, "24:00", error));
    EXPECT_NE(error.find("La hora «24:00»"), std::string::npos) << error;
}

const char* kDated = R"(name: dated
match: { tag: baja }
fields:
  correo: { label: Correo, type: address, required: true }
  fecha: { label: Fecha, type: date }
not_before:
  date: "{{ fecha }}"
  time: "{{ policy.end_of_day }}"
steps:
  - reset_password: { email: "{{ correo }}", password: generate }
messages:
  done: "Hecho"
  invalid: "{{ errors }}"
)";

config::PolicyConfig policy() {
    config::PolicyConfig p;
    p.allowed_domains = {"x.com"};
    p.max_destructive_per_plan = 10;
    return p;
}

TEST(Effective, ThePlanCarriesTheInstantInItsHash) {
    auto r = load_workflow_texts({{"dated.yaml", kDated}}, YAML::Load("{}"), policy());
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    domain::DirectorySnapshot dir;
    domain::DirectoryUser u;
    u.address = "ana@x.com";
    u.first_name = "Ana";
    u.last_name = "Ruiz";
    u.role = "member";
    u.zuid = "1";
    u.account_id = "2";
    dir.users.push_back(u);
    domain::Task t;
    t.id = 9;
    t.created_by = 12;
    t.tags = {"baja"};
    t.description = "Correo: ana@x.com\nFecha: 15/04/2023";
    auto a = evaluate(*r.set, t, dir);
    ASSERT_TRUE(a.plan) << (a.errors.empty() ? "" : a.errors.front());
    EXPECT_EQ(a.plan->not_before_ms, utc_ms(2023, 4, 16, 5, 59));
    t.description = "Correo: ana@x.com\nFecha: 16/04/2023";
    auto b = evaluate(*r.set, t, dir);
    ASSERT_TRUE(b.plan);
    EXPECT_NE(a.plan_hash, b.plan_hash);
    t.description = "Correo: ana@x.com";
    auto c = evaluate(*r.set, t, dir);
    ASSERT_TRUE(c.plan);
    EXPECT_EQ(c.plan->not_before_ms, 0);
    EXPECT_EQ(to_json(c).if_contains("not_before"), nullptr);
    EXPECT_EQ(to_json(a).at("not_before_local").as_string(),
              "15/04/2023 23:59 (America/Mexico_City)");
}

TEST(Effective, LoaderChecksTheBlock) {
    auto text = std::string(kDated);
    auto bad = text.replace(text.find("  time:"), 7, "  tiem:");
    auto r = load_workflow_texts({{"dated.yaml", bad}}, YAML::Load("{}"), policy());
    EXPECT_FALSE(r.set);
    EXPECT_NE(r.diagnostics.to_string().find("dated.yaml:8:3: not_before.tiem: unknown key"),
              std::string::npos)
        << r.diagnostics.to_string();
    auto nodate = std::string(kDated);
    nodate.replace(nodate.find("  date: \"{{ fecha }}\"\n"), 22, "");
    r = load_workflow_texts({{"dated.yaml", nodate}}, YAML::Load("{}"), policy());
    EXPECT_FALSE(r.set);
    EXPECT_NE(r.diagnostics.to_string().find("not_before: must be a map with date"),
              std::string::npos)
        << r.diagnostics.to_string();
}

}  // namespace
}  // namespace hrmaild::workflow
