// The ports speak the service's terms (issue 15): a poll asks the TicketSource for the tasks
// changed since a time point (the watermark minus the overlap), not an ISO string that one side
// formats and the other parses back; a port error is a kind, a message and "may have taken
// effect", with the client's own account kept for logs only.
#include "tests/unit/service/service_fixture.hpp"

namespace hrmaild::test {
namespace {

TEST_F(ServiceTest, PollAsksForEveryTaskFirstThenSinceTheWatermarkMinusTheOverlap) {
    add_fixture("01-alta-basica.json", 1);  // changed at 2026-11-28T10:01:00-06:00
    run(service_->cycle());
    ASSERT_FALSE(tickets_.asked_since.empty());
    EXPECT_FALSE(tickets_.asked_since.front().has_value()) << "the first poll reads every task";

    run(service_->cycle());
    ASSERT_TRUE(tickets_.asked_since.back().has_value());
    // 10:01:00-06:00 is 16:01:00Z; the poll reaches back by the 120 s overlap.
    EXPECT_EQ(core::format_utc(*tickets_.asked_since.back()), "2026-11-28T15:59:00Z");
}

TEST_F(ServiceTest, PollOverlapIsTheConfiguredOne) {
    make_service(false, std::chrono::seconds(3600));
    add_fixture("01-alta-basica.json", 1);
    run(service_->cycle());
    run(service_->cycle());
    ASSERT_TRUE(tickets_.asked_since.back().has_value());
    EXPECT_EQ(core::format_utc(*tickets_.asked_since.back()), "2026-11-28T15:01:00Z");
}

TEST(PortErrorTest, DescribesItselfWithTheClientsAccountWhenThereIsOne) {
    auto e = service::port_error(core::ErrorKind::retryable, "Zoho is down");
    EXPECT_TRUE(e.retryable());
    EXPECT_FALSE(e.outcome_unknown);
    EXPECT_EQ(e.describe(), "retryable: Zoho is down");
    e.detail = "retryable http 503 (read timeout): Zoho is down";
    EXPECT_EQ(e.describe(), "retryable http 503 (read timeout): Zoho is down");
    EXPECT_FALSE(service::port_error(core::ErrorKind::conflict, "exists").retryable());
}

TEST(PortErrorTest, ValueOfAFailedOutcomeThrows) {
    service::Outcome<int> failed = service::port_error(core::ErrorKind::permanent, "no");
    EXPECT_THROW((void)failed.value(), std::logic_error);
}

}  // namespace
}  // namespace hrmaild::test
