#pragma once
/// The policy every plan passes before anything runs: approval or refusal, with reasons.
#include "daemon/domain/directory.hpp"
#include "daemon/domain/plan.hpp"

#include <cstdint>
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
    /// Accounts with one of these roles are protected like `protected_accounts`.
    std::vector<std::string> protect_roles{"admin", "super_admin"};
    /// Bitrix user ids whose tasks may run without approval (with `requester_departments`;
    /// both empty: every requester). The service decides membership and passes the answer to
    /// `evaluate_policy`.
    std::vector<std::int64_t> requesters;
    /// Bitrix department ids (with their sub-departments) whose members may request.
    std::vector<std::int64_t> requester_departments;
};

/// What the policy says about one plan.
struct PolicyDecision {
    bool approval_required = false;
    bool refused = false;              ///< never runs, whoever approves
    std::vector<std::string> reasons;  ///< for the task comment and the approver (catalog language)
};

/// Whether a Bitrix user may request automatic changes: listed in `rules.requesters`, or a
/// member of a department in `rules.requester_departments` (`departments_members` holds the
/// members of those departments, as the service read them). True when neither list is set.
bool requester_allowed(const PolicyRules& rules, std::int64_t user_id,
                       const std::vector<std::int64_t>& departments_members);

/// Decides approval and refusal. Each step is judged on the account it resolves to (by its
/// bound id, else by the typed address, aliases included): that account's primary address,
/// every alias and its role.
/// - the workflow asks for approval (`workflow_requires_approval`);
/// - the requester may not request automatic changes (`requester_allowed` false);
/// - an operation in `always_approve`;
/// - an address outside `allowed_domains` anywhere in the plan;
/// - more destructive operations than `max_destructive_per_plan`;
/// - a new user with the same first and last names as an existing one (the existing address is
///   named in the reason);
/// - an account is protected when its primary address or any alias is in `protected_accounts`
///   or its role is in `protect_roles`; any change to it (or to a protected group, or a
///   protected member's group membership) needs approval; disabling or deleting it (or
///   deleting a protected group) is refused outright.
PolicyDecision evaluate_policy(const Plan& plan, const PolicyRules& rules,
                               const DirectorySnapshot& directory, bool workflow_requires_approval,
                               bool requester_allowed, const NameKey& name_key = {});

}  // namespace hrmaild::domain
