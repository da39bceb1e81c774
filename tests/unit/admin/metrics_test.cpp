// The metrics the daemon updates, in the Prometheus text format.
#include "daemon/admin/metrics.hpp"

#include <gtest/gtest.h>

namespace hrmaild::admin {
namespace {

TEST(Metrics, SerializesEveryFamilyWithLabels) {
    Metrics m;
    m.ticket_reached("done").Increment();
    m.ticket_reached("done").Increment();
    m.step("create_user", "succeeded").Increment();
    m.remote_call("zoho", "retryable").Increment(3);
    m.queue_depth().Set(4);
    m.poll_duration().Observe(0.2);
    m.up().Set(1);
    auto text = m.serialize();
    for (const char* want : {
             "# TYPE hrmaild_tickets_total counter",
             "hrmaild_tickets_total{state=\"done\"} 2",
             "hrmaild_steps_total{op=\"create_user\",result=\"succeeded\"} 1",
             "hrmaild_remote_calls_total{result=\"retryable\",service=\"zoho\"} 3",
             "# TYPE hrmaild_queue_depth gauge",
             "hrmaild_queue_depth 4",
             "# TYPE hrmaild_poll_duration_seconds histogram",
             "hrmaild_poll_duration_seconds_bucket{le=\"0.25\"} 1",
             "hrmaild_poll_duration_seconds_count 1",
             "hrmaild_up 1",
         })
        EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
}

}  // namespace
}  // namespace hrmaild::admin
