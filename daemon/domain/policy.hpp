#pragma once
/// The policy every plan passes before anything runs: approval or refusal, with reasons.
#include "daemon/domain/directory.hpp"
#include "daemon/domain/plan.hpp"

#include <functional>
#include <string>
#include <vector>

namespace hrmaild::domain {

/// The policy rules (config `policy.*`), independent of how they were configured.
struct PolicyRules {
    std::vector<std::string> allowed_domains;
    std::vector<std::string> protected_accounts;
    std::vector<std::string> always_approve;  ///< operation names
    int max_destructive_per_plan = 10;
};

/// What the policy says about one plan.
struct PolicyDecision {
    bool approval_required = false;
    bool refused = false;              ///< never runs, whoever approves
    std::vector<std::string> reasons;  ///< Spanish, for the task comment and the approver
};

/// Compares person names; the default folds ASCII case and spaces only. The workflow module
/// passes one that also ignores accents.
using NameKey = std::function<std::string(std::string_view)>;

/// Decides approval and refusal:
/// - the workflow asks for approval (`workflow_requires_approval`);
/// - an operation in `always_approve`;
/// - an address outside `allowed_domains` anywhere in the plan;
/// - more destructive operations than `max_destructive_per_plan`;
/// - a new user with the same first and last names as an existing one (the existing address is
///   named in the reason);
/// - any change to a protected account needs approval; disabling or deleting one (or deleting a
///   protected group) is refused outright.
PolicyDecision evaluate_policy(const Plan& plan, const PolicyRules& rules,
                               const DirectorySnapshot& directory, bool workflow_requires_approval,
                               const NameKey& name_key = {});

}  // namespace hrmaild::domain
