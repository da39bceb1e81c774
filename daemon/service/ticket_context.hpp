#pragma once
/// What one execution of a ticket's plan needs to know: shared by the executor
/// (executor.cpp) and the finisher (finisher.cpp). Internal to the service.
#include "daemon/service/planning.hpp"
#include "daemon/service/service.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

namespace hrmaild::service {

/// What one execution of a ticket's plan needs to know.
struct Service::TicketContext {
    std::int64_t task_id = 0;
    std::int64_t plan_id = 0;
    std::string plan_hash;
    std::string workflow;
    std::int64_t requester = 0;
    std::optional<domain::Task> task;
    PlanMessages messages;
    /// Private password notifications wait for the ticket's answers, to share their batch
    /// (finisher.cpp); false for scheduled steps, which deliver at once.
    bool defer_delivery = false;
    std::vector<Delivery> deferred;
    /// One of `deferred` is a recovery: a password set again because the first died with a
    /// process. It goes out at once, without waiting for others to share its batch: a restart
    /// is when a second crash is likeliest, and its loss would fail the ticket.
    bool recovery = false;
    /// The plan's steps, for folding later steps into one call (null: no folding).
    const std::vector<domain::Operation>* steps = nullptr;

    [[nodiscard]] std::string ref() const { return fmt::format("{}-{}", plan_id, plan_hash); }
};

}  // namespace hrmaild::service
