#include "daemon/store/records.hpp"

#include <gtest/gtest.h>

namespace hrmaild::store {
namespace {

using S = TicketState;

std::vector<S> all_states() {
    std::vector<S> out;
    for (int i = 0; i <= static_cast<int>(S::cancelled); ++i)
        out.push_back(static_cast<S>(i));
    return out;
}

TEST(TicketStates, NamesRoundTrip) {
    for (auto s : all_states()) {
        const auto name = to_string(s);
        ASSERT_NE(name, "?");
        EXPECT_EQ(parse_ticket_state(name), s) << name;
    }
    EXPECT_EQ(to_string(S::new_), "new");
    EXPECT_EQ(to_string(S::awaiting_approval), "awaiting_approval");
    EXPECT_FALSE(parse_ticket_state("NEW").has_value());
    EXPECT_FALSE(parse_ticket_state("").has_value());
}

TEST(TicketStates, MainLineIsAllowed) {
    EXPECT_TRUE(can_transition(S::new_, S::planned));
    EXPECT_TRUE(can_transition(S::planned, S::awaiting_approval));
    EXPECT_TRUE(can_transition(S::awaiting_approval, S::approved));
    EXPECT_TRUE(can_transition(S::approved, S::executing));
    EXPECT_TRUE(can_transition(S::executing, S::done));
    // Routine plans skip the approval queue.
    EXPECT_TRUE(can_transition(S::planned, S::approved));
}

TEST(TicketStates, SideExitsAndReparsing) {
    EXPECT_TRUE(can_transition(S::new_, S::invalid));
    EXPECT_TRUE(can_transition(S::invalid, S::invalid));  // re-parsed, still invalid
    EXPECT_TRUE(can_transition(S::invalid, S::planned));
    EXPECT_TRUE(can_transition(S::awaiting_approval, S::rejected));
    EXPECT_TRUE(can_transition(S::awaiting_approval, S::superseded));
    EXPECT_TRUE(can_transition(S::approved, S::superseded));
    EXPECT_TRUE(can_transition(S::superseded, S::planned));
    EXPECT_TRUE(can_transition(S::executing, S::failed));
}

TEST(TicketStates, RefusedTransitions) {
    EXPECT_FALSE(can_transition(S::new_, S::executing));
    EXPECT_FALSE(can_transition(S::new_, S::approved));
    EXPECT_FALSE(can_transition(S::planned, S::executing));  // never without approval state
    EXPECT_FALSE(can_transition(S::awaiting_approval, S::executing));
    EXPECT_FALSE(can_transition(S::executing, S::superseded));  // effects may have happened
    EXPECT_FALSE(can_transition(S::executing, S::rejected));
    EXPECT_FALSE(can_transition(S::superseded, S::approved));  // old approvals do not count
    EXPECT_FALSE(can_transition(S::new_, S::new_));
}

TEST(TicketStates, NothingLeavesTerminalStatesExceptRetry) {
    for (auto from : {S::done, S::rejected, S::failed}) {
        EXPECT_TRUE(is_terminal(from));
        EXPECT_TRUE(can_retry(from));
        for (auto to : all_states())
            EXPECT_FALSE(can_transition(from, to)) << to_string(from) << " -> " << to_string(to);
    }
    for (auto s : all_states()) {
        if (!is_terminal(s) && s != S::cancelled) {
            EXPECT_FALSE(can_retry(s)) << to_string(s);
        }
    }
}

// Issue 9: HR closing a task withdraws a plan that has not started; nothing that may have had
// an effect is cancelled, and a reopened task is planned afresh.
TEST(TicketStates, OnlyPlansThatHaveNotStartedAreCancelled) {
    for (auto from :
         {S::new_, S::invalid, S::planned, S::awaiting_approval, S::approved, S::superseded})
        EXPECT_TRUE(can_transition(from, S::cancelled)) << to_string(from);
    for (auto from : {S::executing, S::done, S::rejected, S::failed})
        EXPECT_FALSE(can_transition(from, S::cancelled)) << to_string(from);
    EXPECT_TRUE(can_transition(S::cancelled, S::planned));
    EXPECT_TRUE(can_transition(S::cancelled, S::invalid));
    EXPECT_FALSE(can_transition(S::cancelled, S::approved));
    EXPECT_FALSE(can_transition(S::cancelled, S::executing));
    EXPECT_FALSE(is_terminal(S::cancelled));
    EXPECT_TRUE(can_retry(S::cancelled));
    EXPECT_EQ(parse_ticket_state("cancelled"), S::cancelled);
}

TEST(RecordNames, ChannelsDecisionsStepAndScheduleStates) {
    EXPECT_EQ(parse_approval_channel("comment"), ApprovalChannel::comment);
    EXPECT_EQ(parse_approval_channel("web"), ApprovalChannel::web);
    EXPECT_EQ(to_string(ApprovalChannel::cli), "cli");
    EXPECT_FALSE(parse_approval_channel("mail").has_value());
    EXPECT_EQ(parse_decision("reject"), Decision::reject);
    EXPECT_EQ(to_string(Decision::approve), "approve");
    EXPECT_EQ(parse_step_state("succeeded"), StepState::succeeded);
    EXPECT_EQ(to_string(StepState::started), "started");
    EXPECT_EQ(parse_schedule_state("cancelled"), ScheduleState::cancelled);
    EXPECT_EQ(to_string(ScheduleState::pending), "pending");
}

TEST(RecordTimes, MillisRoundTrip) {
    const auto t = from_millis(1'700'000'123'456);
    EXPECT_EQ(to_millis(t), 1'700'000'123'456);
}

}  // namespace
}  // namespace hrmaild::store
