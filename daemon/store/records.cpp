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
constexpr std::array<std::pair<S, std::string_view>, 11> kTicketStates{{
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
    {S::cancelled, "cancelled"},
}};

constexpr std::array<std::pair<PlanDecision, std::string_view>, 3> kPlanDecisions{{
    {PlanDecision::automatic, "auto"},
    {PlanDecision::approval, "approval"},
    {PlanDecision::refused, "refused"},
}};

constexpr std::array<std::pair<StepKind, std::string_view>, 7> kStepKinds{{
    {StepKind::step, "step"},
    {StepKind::notify, "notify"},
    {StepKind::reset, "reset"},
    {StepKind::comment, "comment"},
    {StepKind::complete, "complete"},
    {StepKind::defer, "defer"},
    {StepKind::tell_it, "tell_it"},
}};

constexpr std::array<std::pair<AnswerKind, std::string_view>, 4> kAnswerKinds{{
    {AnswerKind::comment, "comment"},
    {AnswerKind::complete, "complete"},
    {AnswerKind::defer, "defer"},
    {AnswerKind::tell_it, "tell_it"},
}};

constexpr std::array<std::pair<AnswerState, std::string_view>, 3> kAnswerStates{{
    {AnswerState::pending, "pending"},
    {AnswerState::done, "done"},
    {AnswerState::dropped, "dropped"},
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

std::string_view to_string(PlanDecision decision) {
    return name_of(kPlanDecisions, decision);
}
std::optional<PlanDecision> parse_plan_decision(std::string_view name) {
    return parse_name(kPlanDecisions, name);
}
std::string_view to_string(StepKind kind) {
    return name_of(kStepKinds, kind);
}
std::optional<StepKind> parse_step_kind(std::string_view name) {
    return parse_name(kStepKinds, name);
}
std::string_view to_string(AnswerKind kind) {
    return name_of(kAnswerKinds, kind);
}
std::optional<AnswerKind> parse_answer_kind(std::string_view name) {
    return parse_name(kAnswerKinds, name);
}
std::string_view to_string(AnswerState state) {
    return name_of(kAnswerStates, state);
}
std::optional<AnswerState> parse_answer_state(std::string_view name) {
    return parse_name(kAnswerStates, name);
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
            return to == S::invalid || to == S::planned || to == S::rejected || to == S::failed ||
                   to == S::cancelled;
        case S::invalid:
            // Re-parsed after the task changed: still invalid (new errors) or now planned.
            return to == S::invalid || to == S::planned || to == S::rejected || to == S::failed ||
                   to == S::cancelled;
        case S::planned:
            return to == S::awaiting_approval || to == S::approved || to == S::superseded ||
                   to == S::rejected || to == S::failed || to == S::cancelled;
        case S::awaiting_approval:
            return to == S::approved || to == S::rejected || to == S::superseded ||
                   to == S::failed || to == S::cancelled;
        case S::approved:
            // Cancelled: HR closed the task before the first step started.
            return to == S::executing || to == S::superseded || to == S::failed ||
                   to == S::cancelled;
        case S::executing:
            // Too late to supersede or reject: steps may already have had effects.
            return to == S::done || to == S::failed;
        case S::superseded:
            return to == S::planned || to == S::invalid || to == S::rejected || to == S::failed ||
                   to == S::cancelled;
        case S::cancelled:
            // HR reopened the task: it is read and planned afresh (a new plan, new approvals).
            return to == S::planned || to == S::invalid;
        case S::done:
        case S::rejected:
        case S::failed:
            return false;  // only an explicit retry (can_retry)
    }
    return false;
}

bool can_retry(TicketState from) {
    return is_terminal(from) || from == S::cancelled;
}

}  // namespace hrmaild::store
