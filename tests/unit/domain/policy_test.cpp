#include "daemon/domain/policy.hpp"

#include "daemon/core/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hrmaild::domain {
namespace {

PolicyRules rules() {
    PolicyRules r;
    r.allowed_domains = {"tarmexico.com"};
    r.protected_accounts = {"admin@tarmexico.com"};
    r.always_approve = {"disable_user", "delete_user", "delete_group", "change_role"};
    r.max_destructive_per_plan = 3;
    return r;
}

DirectorySnapshot directory() {
    DirectorySnapshot d;
    d.users.push_back({"juan.perez@tarmexico.com", {}, "Juan", "Pérez", "", "member", true});
    d.users.push_back({"admin@tarmexico.com", {}, "Admin", "Correo", "", "super_admin", true});
    return d;
}

Operation op(OpKind k, std::vector<std::pair<std::string, Value>> params) {
    return {k, std::move(params), 0};
}

Plan plan_of(std::vector<Operation> steps) {
    Plan p;
    p.workflow = "w";
    p.steps = std::move(steps);
    return p;
}

bool mentions(const PolicyDecision& d, std::string_view text) {
    return std::any_of(d.reasons.begin(), d.reasons.end(),
                       [&](const std::string& r) { return r.find(text) != std::string::npos; });
}

struct PolicyCase {
    const char* name;
    std::vector<Operation> steps;
    bool workflow_requires;
    bool approval;
    bool refused;
    const char* reason_mentions;
};

class PolicyTable : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyTable, Decides) {
    const auto& c = GetParam();
    auto d = evaluate_policy(plan_of(c.steps), rules(), directory(), c.workflow_requires, true);
    EXPECT_EQ(d.approval_required, c.approval) << c.name;
    EXPECT_EQ(d.refused, c.refused) << c.name;
    if (c.reason_mentions[0] != '\0') {
        EXPECT_TRUE(mentions(d, c.reason_mentions)) << c.name;
    }
    if (!c.approval && !c.refused) {
        EXPECT_TRUE(d.reasons.empty()) << c.name;
    }
}

const std::string kEmail = "email";

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicyTable,
    ::testing::Values(
        PolicyCase{"routine add",
                   {op(OpKind::add_group_member, {{"group", std::string("g@tarmexico.com")},
                                                  {"member", std::string("a@tarmexico.com")}})},
                   false,
                   false,
                   false,
                   ""},
        PolicyCase{"workflow asks",
                   {op(OpKind::reset_password, {{"email", std::string("a@tarmexico.com")}})},
                   true,
                   true,
                   false,
                   "siempre requiere"},
        PolicyCase{"always approve disable",
                   {op(OpKind::disable_user, {{"email", std::string("a@tarmexico.com")}})},
                   false,
                   true,
                   false,
                   "desactivar una cuenta"},
        PolicyCase{"always approve role",
                   {op(OpKind::change_role, {{"email", std::string("a@tarmexico.com")},
                                             {"role", std::string("admin")}})},
                   false,
                   true,
                   false,
                   "cambiar el rol"},
        PolicyCase{"outside member",
                   {op(OpKind::add_group_member, {{"group", std::string("g@tarmexico.com")},
                                                  {"member", std::string("x@proveedor.com")}})},
                   false,
                   true,
                   false,
                   "x@proveedor.com"},
        PolicyCase{"outside in group create",
                   {op(OpKind::create_group,
                       {{"group", std::string("g@tarmexico.com")},
                        {"name", std::string("G")},
                        {"members", std::vector<std::string>{"a@tarmexico.com", "y@otro.mx"}}})},
                   false,
                   true,
                   false,
                   "y@otro.mx"},
        PolicyCase{"protected disable refused",
                   {op(OpKind::disable_user, {{"email", std::string("admin@tarmexico.com")}})},
                   false,
                   true,
                   true,
                   "protegida"},
        PolicyCase{"protected delete refused even case",
                   {op(OpKind::delete_user, {{"email", std::string("ADMIN@tarmexico.com")}})},
                   false,
                   true,
                   true,
                   "protegida"},
        PolicyCase{"protected reset needs approval",
                   {op(OpKind::reset_password, {{"email", std::string("admin@tarmexico.com")}})},
                   false,
                   true,
                   false,
                   "protegida"},
        PolicyCase{
            "protected member removal needs approval",
            {op(OpKind::remove_group_member, {{"group", std::string("g@tarmexico.com")},
                                              {"member", std::string("admin@tarmexico.com")}})},
            false,
            true,
            false,
            "protegida"},
        PolicyCase{"same names",
                   {op(OpKind::create_user, {{"email", std::string("juan.perez2@tarmexico.com")},
                                             {"first_name", std::string("JUAN")},
                                             {"last_name", std::string(" Pérez ")}})},
                   false,
                   true,
                   false,
                   "juan.perez@tarmexico.com"},
        PolicyCase{
            "different names",
            {op(OpKind::create_user, {{"email", std::string("juan.perez.salinas@tarmexico.com")},
                                      {"first_name", std::string("Juan")},
                                      {"last_name", std::string("Pérez Salinas")}})},
            false,
            false,
            false,
            ""},
        PolicyCase{"destructive cap",
                   {op(OpKind::remove_group_member, {{"group", std::string("a@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}}),
                    op(OpKind::remove_group_member, {{"group", std::string("b@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}}),
                    op(OpKind::remove_group_member, {{"group", std::string("c@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}}),
                    op(OpKind::remove_group_member, {{"group", std::string("d@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}})},
                   false,
                   true,
                   false,
                   "4 operaciones destructivas"},
        PolicyCase{"at the cap",
                   {op(OpKind::remove_group_member, {{"group", std::string("a@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}}),
                    op(OpKind::remove_group_member, {{"group", std::string("b@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}}),
                    op(OpKind::remove_group_member, {{"group", std::string("c@tarmexico.com")},
                                                     {"member", std::string("m@tarmexico.com")}})},
                   false,
                   false,
                   false,
                   ""}),
    [](const auto& param_info) {
        std::string n = param_info.param.name;
        std::replace(n.begin(), n.end(), ' ', '_');
        return n;
    });

TEST(Policy, RefusalReasonComesFirst) {
    auto d = evaluate_policy(
        plan_of({op(OpKind::disable_user, {{"email", std::string("admin@tarmexico.com")}})}),
        rules(), directory(), true, true);
    ASSERT_FALSE(d.reasons.empty());
    EXPECT_NE(d.reasons.front().find("protegida"), std::string::npos);
}

TEST(Policy, NameKeyDecidesWhatCountsAsTheSameName) {
    auto p = plan_of({op(OpKind::create_user, {{"email", std::string("j@tarmexico.com")},
                                               {"first_name", std::string("Juan")},
                                               {"last_name", std::string("Perez")}})});
    // The default key sees "Perez" and "Pérez" as different; an accent-blind key does not.
    EXPECT_FALSE(evaluate_policy(p, rules(), directory(), false, true).approval_required);
    auto blind = [](std::string_view s) {
        std::string out(s);
        auto pos = out.find("\xC3\xA9");
        if (pos != std::string::npos)
            out.replace(pos, 2, "e");
        return core::ascii_lower(out);
    };
    EXPECT_TRUE(evaluate_policy(p, rules(), directory(), false, true, blind).approval_required);
}

// Issue 9 finding 2: the Zoho call acts on whoever owns an address, so policy judges the owner.
DirectorySnapshot with_alias() {
    auto d = directory();
    d.users[1].zuid = "18014398509481985";
    d.users[1].account_id = "2560636000000008003";
    d.users[1].aliases = {"postmaster@tarmexico.com"};
    d.users.push_back({"ti.soporte@tarmexico.com", {}, "Soporte", "TI", "", "admin", true});
    return d;
}

PolicyRules open_rules() {
    auto r = rules();
    r.always_approve.clear();  // so that only protection speaks
    return r;
}

TEST(Policy, PasswordResetOfAnAliasOfAProtectedAccountNeedsApproval) {
    auto d = evaluate_policy(
        plan_of({op(OpKind::reset_password, {{"email", std::string("postmaster@tarmexico.com")}})}),
        open_rules(), with_alias(), false, true);
    EXPECT_TRUE(d.approval_required);
    EXPECT_FALSE(d.refused);
    EXPECT_TRUE(mentions(d, "admin@tarmexico.com (postmaster@tarmexico.com es uno de sus alias)"));
}

TEST(Policy, DisablingOrDeletingAnAliasOfAProtectedAccountIsRefused) {
    for (auto kind : {OpKind::disable_user, OpKind::delete_user}) {
        auto d = evaluate_policy(
            plan_of({op(kind, {{"email", std::string("POSTMASTER@tarmexico.com")}})}), open_rules(),
            with_alias(), false, true);
        EXPECT_TRUE(d.refused) << op_name(kind);
        EXPECT_TRUE(mentions(d, "ningún flujo")) << op_name(kind);
    }
}

TEST(Policy, AProtectedAliasProtectsTheWholeAccount) {
    auto r = open_rules();
    r.protected_accounts = {"postmaster@tarmexico.com"};
    r.protect_roles.clear();
    auto d = evaluate_policy(
        plan_of({op(OpKind::disable_user, {{"email", std::string("admin@tarmexico.com")}})}), r,
        with_alias(), false, true);
    EXPECT_TRUE(d.refused);
    EXPECT_TRUE(mentions(d, "alias protegido postmaster@tarmexico.com"));
}

TEST(Policy, BoundStepsAreJudgedOnTheAccountAtTheirId) {
    // The typed address no longer resolves, but the bound id is the super admin's account.
    auto step = op(OpKind::disable_user, {{"email", std::string("gone@tarmexico.com")}});
    step.target = {"admin@tarmexico.com", "18014398509481985", "2560636000000008003", "", ""};
    auto d = evaluate_policy(plan_of({step}), open_rules(), with_alias(), false, true);
    EXPECT_TRUE(d.refused);
}

TEST(Policy, AdminAndSuperAdminRolesAreProtectedUnlessConfiguredOtherwise) {
    auto r = open_rules();
    r.protected_accounts.clear();
    auto reset =
        plan_of({op(OpKind::reset_password, {{"email", std::string("ti.soporte@tarmexico.com")}})});
    auto d = evaluate_policy(reset, r, with_alias(), false, true);
    EXPECT_TRUE(d.approval_required);
    EXPECT_TRUE(mentions(d, "con el rol admin"));
    auto disable =
        plan_of({op(OpKind::disable_user, {{"email", std::string("admin@tarmexico.com")}})});
    EXPECT_TRUE(evaluate_policy(disable, r, with_alias(), false, true).refused);  // super_admin
    r.protect_roles = {"super_admin"};
    EXPECT_FALSE(evaluate_policy(reset, r, with_alias(), false, true).approval_required);
    r.protect_roles.clear();
    EXPECT_FALSE(evaluate_policy(disable, r, with_alias(), false, true).refused);
}

TEST(Policy, ARequesterNotAllowedNeedsApproval) {
    auto p = plan_of({op(OpKind::add_group_member, {{"group", std::string("g@tarmexico.com")},
                                                    {"member", std::string("a@tarmexico.com")}})});
    EXPECT_FALSE(evaluate_policy(p, rules(), directory(), false, true).approval_required);
    auto d = evaluate_policy(p, rules(), directory(), false, false);
    EXPECT_TRUE(d.approval_required);
    EXPECT_FALSE(d.refused);
    EXPECT_TRUE(mentions(d, "policy.requesters"));
}

TEST(Policy, RequesterAllowedByIdOrDepartment) {
    PolicyRules r;
    EXPECT_TRUE(requester_allowed(r, 12, {}));  // nothing configured: anyone
    r.requesters = {12};
    r.requester_departments = {5};
    EXPECT_TRUE(requester_allowed(r, 12, {}));
    EXPECT_FALSE(requester_allowed(r, 13, {}));
    EXPECT_TRUE(requester_allowed(r, 13, {13, 14}));  // a member of department 5
    EXPECT_FALSE(requester_allowed(r, 0, {0}));       // unknown requester
}

}  // namespace
}  // namespace hrmaild::domain
