#include "daemon/store/records.hpp"

#include <array>
#include <utility>

namespace hrmaild::store {

namespace {

template <typename E, std::size_t N>
std::optional<E> parse_name(const std::array<std::pair<E, std::string_view>, N>& names,
                            std::string_view name) {
    for (const auto& [value, text] : names)
        if (text == name)
            return value;
    return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [v, text] : names)
        if (v == value)
            return text;
    return "?";
}

using S = TicketState;
constexpr std::array<std::pair<S, std::string_view>, 10> kTicketStates{{
    {S::new_, "new"},
    {S::invalid, "invalid"},
    {S::planned, "planned"},
    {S::awaiting_approval, "awaiting_approval"},
    {S::approved, "approved"},
    {S::executing, "executing"},
    {S::done, "done"},
    {S::rejected, "rejected"},
    {S::failed, "failed"},
    {S::superseded, "superseded"},
}};

constexpr std::array<std::pair<ApprovalChannel, std::string_view>, 3> kChannels{{
    {ApprovalChannel::comment, "comment"},
    {ApprovalChannel::cli, "cli"},
    {ApprovalChannel::web, "web"},
}};

constexpr std::array<std::pair<Decision, std::string_view>, 2> kDecisions{{
    {Decision::approve, "approve"},
    {Decision::reject, "reject"},
}};

constexpr std::array<std::pair<StepState, std::string_view>, 3> kStepStates{{
    {StepState::started, "started"},
    {StepState::succeeded, "succeeded"},
    {StepState::failed, "failed"},
}};

constexpr std::array<std::pair<ScheduleState, std::string_view>, 3> kScheduleStates{{
    {ScheduleState::pending, "pending"},
    {ScheduleState::done, "done"},
    {ScheduleState::cancelled, "cancelled"},
}};

}  // namespace

std::string_view to_string(TicketState state) {
    return name_of(kTicketStates, state);
}
std::optional<TicketState> parse_ticket_state(std::string_view name) {
    return parse_name(kTicketStates, name);
}

std::string_view to_string(ApprovalChannel channel) {
    return name_of(kChannels, channel);
}
std::string_view to_string(Decision decision) {
    return name_of(kDecisions, decision);
}
std::optional<ApprovalChannel> parse_approval_channel(std::string_view name) {
    return parse_name(kChannels, name);
}
std::optional<Decision> parse_decision(std::string_view name) {
    return parse_name(kDecisions, name);
}

std::string_view to_string(StepState state) {
    return name_of(kStepStates, state);
}
std::optional<StepState> parse_step_state(std::string_view name) {
    return parse_name(kStepStates, name);
}

std::string_view to_string(ScheduleState state) {
    return name_of(kScheduleStates, state);
}
std::optional<ScheduleState> parse_schedule_state(std::string_view name) {
    return parse_name(kScheduleStates, name);
}

bool is_terminal(TicketState state) {
    return state == S::done || state == S::rejected || state == S::failed;
}

bool can_transition(TicketState from, TicketState to) {
    // The table follows DESIGN.md: the main line new → planned → awaiting_approval →
    // approved → executing → done, side exits rejected / failed / superseded, and re-parsing
    // of invalid and superseded tickets. A permanent error may fail a ticket anywhere before
    // it ends; a refusal (approver or policy) can only come before execution starts.
    switch (from) {
        case S::new_:
            return to == S::invalid || to == S::planned || to == S::rejected || to == S::failed;
        case S::invalid:
            // Re-parsed after the task changed: still invalid (new errors) or now planned.
            return to == S::invalid || to == S::planned || to == S::rejected || to == S::failed;
        case S::planned:
            return to == S::awaiting_approval || to == S::approved || to == S::superseded ||
                   to == S::rejected || to == S::failed;
        case S::awaiting_approval:
            return to == S::approved || to == S::rejected || to == S::superseded || to == S::failed;
        case S::approved:
            return to == S::executing || to == S::superseded || to == S::failed;
        case S::executing:
            // Too late to supersede or reject: steps may already have had effects.
            return to == S::done || to == S::failed;
        case S::superseded:
            return to == S::planned || to == S::invalid || to == S::rejected || to == S::failed;
        case S::done:
        case S::rejected:
        case S::failed:
            return false;  // only an explicit retry (can_retry)
    }
    return false;
}

bool can_retry(TicketState from) {
    return is_terminal(from);
}

}  // namespace hrmaild::store
