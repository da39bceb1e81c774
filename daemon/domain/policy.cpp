#include "daemon/domain/policy.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"

#include <algorithm>

namespace hrmaild::domain {
namespace {

using messages::Msg;
using messages::render;
using namespace fmt::literals;

bool contains(const std::vector<std::string>& list, std::string_view item) {
    auto key = core::ascii_lower(item);
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& s) { return core::ascii_lower(s) == key; });
}

void add_reason(PolicyDecision& d, std::string reason) {
    if (std::find(d.reasons.begin(), d.reasons.end(), reason) == d.reasons.end())
        d.reasons.push_back(std::move(reason));
}

// A refusal reason goes before every approval reason: it is what HR and IT must read first.
// The first `refusals` reasons are the refusals.
void add_refusal(PolicyDecision& d, std::size_t& refusals, std::string reason) {
    if (std::find(d.reasons.begin(), d.reasons.end(), reason) != d.reasons.end())
        return;
    d.reasons.insert(d.reasons.begin() + static_cast<std::ptrdiff_t>(refusals), std::move(reason));
    ++refusals;
}

// Why an account is protected ("La cuenta admin@x (postmaster@x es uno de sus alias)"), or
// empty when it is not.
std::string protection(const PolicyRules& rules, const DirectoryUser* user,
                       const std::string& typed) {
    if (user == nullptr)
        return contains(rules.protected_accounts, typed)
                   ? render(Msg::pol_account, "address"_a = typed)
                   : std::string();
    std::string who = render(Msg::pol_account, "address"_a = user->address);
    if (!typed.empty() && core::ascii_lower(typed) != core::ascii_lower(user->address))
        who += render(Msg::pol_alias_typed, "typed"_a = typed);
    if (contains(rules.protected_accounts, user->address) ||
        contains(rules.protected_accounts, typed))
        return who;
    for (const auto& a : user->aliases)
        if (contains(rules.protected_accounts, a))
            return who + render(Msg::pol_protected_alias, "alias"_a = a);
    if (!user->role.empty() && contains(rules.protect_roles, user->role))
        return who + render(Msg::pol_protected_role, "role"_a = user->role);
    return {};
}

void judge_protection(PolicyDecision& d, std::size_t& refusals, const std::string& who,
                      bool removes) {
    if (who.empty())
        return;
    if (removes) {
        d.refused = true;
        add_refusal(d, refusals, render(Msg::pol_refused, "who"_a = who));
    } else {
        d.approval_required = true;
        add_reason(d, render(Msg::pol_protected_change, "who"_a = who));
    }
}

}  // namespace

bool requester_allowed(const PolicyRules& rules, std::int64_t user_id,
                       const std::vector<std::int64_t>& departments_members) {
    if (rules.requesters.empty() && rules.requester_departments.empty())
        return true;
    auto in = [&](const std::vector<std::int64_t>& v) {
        return std::find(v.begin(), v.end(), user_id) != v.end();
    };
    return user_id != 0 && (in(rules.requesters) || in(departments_members));
}

PolicyDecision evaluate_policy(const Plan& plan, const PolicyRules& rules,
                               const DirectorySnapshot& directory, bool workflow_requires_approval,
                               bool requester_allowed, const NameKey& name_key) {
    PolicyDecision d;
    std::size_t refusals = 0;
    auto key = [&](std::string_view s) { return name_key ? name_key(s) : default_name_key(s); };
    if (workflow_requires_approval) {
        d.approval_required = true;
        add_reason(d, render(Msg::pol_workflow_always, "workflow"_a = plan.workflow));
    }
    if (!requester_allowed) {
        d.approval_required = true;
        add_reason(d, std::string(messages::text(Msg::pol_requester)));
    }
    int destructive = 0;
    for (const auto& op : plan.steps) {
        if (is_destructive(op.kind))
            ++destructive;
        if (contains(rules.always_approve, op_name(op.kind))) {
            d.approval_required = true;
            add_reason(d, render(Msg::pol_always_approve, "operation"_a = op_label(op.kind)));
        }
        for (const auto& a : op.addresses()) {
            auto domain = address_domain(a);
            if (!contains(rules.allowed_domains, domain)) {
                d.approval_required = true;
                add_reason(d, render(Msg::pol_outside_domains, "address"_a = a,
                                     "allowed"_a = fmt::join(rules.allowed_domains, ", ")));
            }
        }
        // The account or group the operation changes, as the directory resolves it.
        const bool removes = destructive_class(op.kind) == Destructive::removal;
        if (!creates_target(op.kind)) {
            if (target_kind(op.kind) == TargetKind::user) {
                judge_protection(d, refusals,
                                 protection(rules, target_user(directory, op), op.text("email")),
                                 removes);
            } else {
                const auto* g = target_group(directory, op);
                const auto address = g != nullptr ? g->address : op.text("group");
                if (contains(rules.protected_accounts, address) ||
                    contains(rules.protected_accounts, op.text("group")))
                    judge_protection(d, refusals, render(Msg::pol_account, "address"_a = address),
                                     removes);
            }
        }
        // A protected account's group memberships are a change to it.
        if (auto member = op.text("member"); !member.empty())
            judge_protection(d, refusals, protection(rules, directory.find_user(member), member),
                             false);
        if (op.kind == OpKind::create_user) {
            auto first = key(op.text("first_name"));
            auto last = key(op.text("last_name"));
            for (const auto& u : directory.users) {
                if (key(u.first_name) == first && key(u.last_name) == last) {
                    d.approval_required = true;
                    add_reason(d, render(Msg::pol_same_name, "first_name"_a = u.first_name,
                                         "last_name"_a = u.last_name, "address"_a = u.address));
                }
            }
        }
    }
    if (destructive > rules.max_destructive_per_plan) {
        d.approval_required = true;
        add_reason(d, render(Msg::pol_too_destructive, "count"_a = destructive,
                             "max"_a = rules.max_destructive_per_plan));
    }
    return d;
}

}  // namespace hrmaild::domain
