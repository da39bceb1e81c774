// `queue.show` (what `hrmaild queue show` prints): a scheduled step says when it runs in the
// organization's zone, as the plan comment does (issue 14).
#include "daemon/admin/queue_json.hpp"
#include "daemon/store/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace hrmaild::admin {
namespace {

TEST(QueueShow, ScheduledStepsSayWhenTheyRunInTheZone) {
    test::TempDir dir;
    store::SqliteOptions o;
    o.path = dir.path() / "state.db";
    auto opened = store::SqliteStore::open(o);
    ASSERT_TRUE(opened) << opened.error().describe();
    auto& s = **opened;
    const std::string hash(64, 'a');
    ASSERT_TRUE(s.upsert_ticket(4, "baja", "2026-03-01T09:00:00+01:00"));
    ASSERT_TRUE(s.record_plan({4, hash, "1. delete_user x@tarmexico.com\n", true, "baja"}));
    store::NewScheduledStep step;
    step.key = {4, hash, 0, store::StepKind::step};
    step.op = "delete_user";
    // 31/01/2031 23:59 in Mexico City (UTC-6) is 01/02/2031 05:59 UTC.
    const auto due_s = core::days_from_civil(2031, 2, 1) * 86400 + 5 * 3600 + 59 * 60;
    step.due_at = store::Timestamp(std::chrono::seconds(due_s));
    ASSERT_TRUE(s.schedule_step(step));

    std::string error;
    auto zone = core::TimeZone::load("America/Mexico_City", error);
    ASSERT_TRUE(zone) << error;
    auto shown = queue_show_json(s, 4, &*zone);
    ASSERT_TRUE(shown);
    const auto& scheduled = shown->at("scheduled").as_array();
    ASSERT_EQ(scheduled.size(), 1u);
    EXPECT_EQ(scheduled[0].at("due_local").as_string(), "31/01/2031 23:59 (America/Mexico_City)");
    EXPECT_EQ(scheduled[0].at("due_at").as_int64(), due_s * 1000);
    // Without a zone (no policy.timezone known): the instant only.
    auto bare = queue_show_json(s, 4);
    EXPECT_FALSE(bare->at("scheduled").as_array()[0].as_object().contains("due_local"));
}

}  // namespace
}  // namespace hrmaild::admin
