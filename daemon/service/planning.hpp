#pragma once
/// The workflow engine as the service uses it: one call from a task and a directory to a
/// decision (left alone, invalid, refused, or a plan with its policy), with every message HR
/// may later read already rendered (DESIGN.md: a plan is frozen when it is made).
#include "daemon/domain/directory.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/domain/policy.hpp"
#include "daemon/domain/task.hpp"
#include "daemon/workflow/workflow.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::service {

/// The messages of one plan, rendered when it was made.
struct PlanMessages {
    std::string done;
    std::string approval;
    std::string refused;
    std::string rejected;
    std::string failed;
};

/// What the workflows say about one task.
struct Assessment {
    enum class Kind { unclaimed, invalid, planned };
    Kind kind = Kind::unclaimed;
    std::string workflow;              ///< the claiming workflow (empty when unclaimed)
    std::vector<std::string> tied;     ///< workflows that tied (unclaimed because ambiguous)
    std::vector<std::string> errors;   ///< invalid: every problem, in the catalog language
    std::string invalid_message;       ///< invalid: the comment for HR
    std::optional<domain::Plan> plan;  ///< planned
    std::string plan_text;             ///< canonical text (what the hash covers)
    std::string plan_hash;
    domain::PolicyDecision decision;
    PlanMessages messages;
};

/// Assesses a task against the loaded workflows. `approval_reasons` are rules the service adds
/// (when the task was filed, a dry-run plan before it): each makes a plan that is not refused
/// wait for approval, and is listed with the policy's own reasons in the messages.
/// `requester_allowed`: whether the task's creator is in `policy.requesters` (the policy then
/// says why not).
Assessment assess(const workflow::WorkflowSet& set, const domain::Task& task,
                  const domain::DirectorySnapshot& directory,
                  const std::vector<std::string>& approval_reasons = {},
                  bool requester_allowed = true);

/// The messages as one JSON object, and back (kept with the plan in the store).
std::string messages_to_json(const PlanMessages& m);
PlanMessages messages_from_json(std::string_view text);

}  // namespace hrmaild::service
