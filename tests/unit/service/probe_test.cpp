#include "daemon/service/planning.hpp"
#include "daemon/service/ports.hpp"
#include "daemon/workflow/plan_json.hpp"

#include <gtest/gtest.h>

namespace hrmaild::service {
namespace {

// When the step's call started (ms since the epoch); the accounts below were created after.
constexpr std::int64_t kStarted = 1'700'000'000'000;

domain::DirectorySnapshot directory() {
    domain::DirectorySnapshot d;
    d.users.push_back({"juan.perez@x.com",
                       {"jp@x.com"},
                       "Juan",
                       "Pérez",
                       "Juan Pérez",
                       "member",
                       true,
                       "101",
                       "201",
                       kStarted + 1500});
    d.users.push_back({"old@x.com", {}, "Old", "User", "Old User", "member", false});
    d.groups.push_back({"ops@x.com", "Operaciones", {"juan.perez@x.com"}});
    return d;
}

domain::Operation op(domain::OpKind k, std::vector<std::pair<std::string, domain::Value>> p) {
    domain::Operation o;
    o.kind = k;
    o.params = std::move(p);
    return o;
}

TEST(Probe, CreateUserDoneOnlyWhenTheNamesMatch) {
    using K = domain::OpKind;
    auto d = directory();
    auto same = op(K::create_user, {{"email", std::string("juan.perez@x.com")},
                                    {"first_name", std::string("juan")},
                                    {"last_name", std::string("PÉREZ")}});
    EXPECT_EQ(probe_snapshot(d, same, kStarted).state,
              ProbeState::done);  // case and accents do not count
    auto exact = op(K::create_user, {{"email", std::string("juan.perez@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Pérez")}});
    EXPECT_EQ(probe_snapshot(d, exact, kStarted).state, ProbeState::done);
    auto other = op(K::create_user, {{"email", std::string("juan.perez@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Salinas")}});
    EXPECT_EQ(probe_snapshot(d, other, kStarted).state, ProbeState::conflict);
    auto alias = op(K::create_user, {{"email", std::string("jp@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Pérez")}});
    EXPECT_EQ(probe_snapshot(d, alias, kStarted).state, ProbeState::conflict);
    auto fresh = op(K::create_user, {{"email", std::string("new@x.com")}});
    EXPECT_EQ(probe_snapshot(d, fresh, kStarted).state, ProbeState::not_done);
    auto group_address = op(K::create_user, {{"email", std::string("ops@x.com")}});
    EXPECT_EQ(probe_snapshot(d, group_address, kStarted).state, ProbeState::conflict);
}

TEST(Probe, DisableAndDeleteTreatGoneAsDone) {
    using K = domain::OpKind;
    auto d = directory();
    EXPECT_EQ(probe_snapshot(d, op(K::disable_user, {{"email", std::string("juan.perez@x.com")}}),
                             kStarted)
                  .state,
              ProbeState::not_done);
    EXPECT_EQ(
        probe_snapshot(d, op(K::disable_user, {{"email", std::string("old@x.com")}}), kStarted)
            .state,
        ProbeState::done);
    EXPECT_EQ(
        probe_snapshot(d, op(K::disable_user, {{"email", std::string("gone@x.com")}}), kStarted)
            .state,
        ProbeState::done);
    EXPECT_EQ(
        probe_snapshot(d, op(K::delete_user, {{"email", std::string("gone@x.com")}}), kStarted)
            .state,
        ProbeState::done);
    EXPECT_EQ(probe_snapshot(d, op(K::delete_user, {{"email", std::string("old@x.com")}}), kStarted)
                  .state,
              ProbeState::not_done);
}

TEST(Probe, GroupMembership) {
    using K = domain::OpKind;
    auto d = directory();
    auto add = op(K::add_group_member, {{"group", std::string("ops@x.com")},
                                        {"member", std::string("juan.perez@x.com")}});
    EXPECT_EQ(probe_snapshot(d, add, kStarted).state, ProbeState::done);
    auto add2 = op(K::add_group_member,
                   {{"group", std::string("ops@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, add2, kStarted).state, ProbeState::not_done);
    auto remove = op(K::remove_group_member,
                     {{"group", std::string("ops@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, remove, kStarted).state, ProbeState::done);
    auto missing = op(K::add_group_member,
                      {{"group", std::string("nope@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, missing, kStarted).state, ProbeState::conflict);
    auto create =
        op(K::create_group, {{"group", std::string("ops@x.com")}, {"name", std::string("Otra")}});
    EXPECT_EQ(probe_snapshot(d, create, kStarted).state, ProbeState::conflict);
    auto create_same = op(K::create_group, {{"group", std::string("ops@x.com")},
                                            {"name", std::string("operaciones")}});
    EXPECT_EQ(probe_snapshot(d, create_same, kStarted).state, ProbeState::done);
}

domain::Operation create_juan() {
    return op(domain::OpKind::create_user, {{"email", std::string("juan.perez@x.com")},
                                            {"first_name", std::string("Juan")},
                                            {"last_name", std::string("Pérez")},
                                            {"display_name", std::string("Juan Pérez")}});
}

// Finding 8: a same-name account made before our call started is someone else's.
TEST(Probe, CreateUserDoesNotAdoptAnAccountCreatedBeforeTheStepStarted) {
    auto d = directory();
    auto done = probe_snapshot(d, create_juan(), kStarted);
    EXPECT_EQ(done.state, ProbeState::done);
    EXPECT_EQ(done.found.zuid, "101");  // a reset after it is bound to this account
    EXPECT_EQ(done.found.account_id, "201");
    auto later = probe_snapshot(d, create_juan(), kStarted + 2000);
    EXPECT_EQ(later.state, ProbeState::conflict);
    EXPECT_NE(later.detail.find("before this step started"), std::string::npos) << later.detail;
    EXPECT_TRUE(later.found.empty());
}

TEST(Probe, CreateUserWithoutACreationTimeIsAConflict) {
    auto d = directory();
    d.users[0].created_at_ms = 0;  // Zoho gave none
    EXPECT_EQ(probe_snapshot(d, create_juan(), kStarted).state, ProbeState::conflict);
}

TEST(Probe, CreateUserMustMatchTheDisplayNameTheStepSet) {
    auto d = directory();
    d.users[0].display_name = "J. Pérez (Ventas)";
    EXPECT_EQ(probe_snapshot(d, create_juan(), kStarted).state, ProbeState::conflict);
}

TEST(Probe, BoundStepsFollowTheIdNotTheAddress) {
    using K = domain::OpKind;
    auto d = directory();
    auto disable = op(K::disable_user, {{"email", std::string("juan.perez@x.com")}});
    disable.target = {"juan.perez@x.com", "999", "998", "", ""};  // an account since deleted
    // A rehire now holds the address under another id: the planned account is gone.
    EXPECT_EQ(probe_snapshot(d, disable, kStarted).state, ProbeState::done);
    auto reset = op(K::reset_password, {{"email", std::string("jp@x.com")}});
    reset.target = {"juan.perez@x.com", "101", "201", "", ""};
    EXPECT_EQ(probe_snapshot(d, reset, kStarted).state, ProbeState::not_done);
    d.users[0].address = "otro@x.com";  // the id now names another address
    auto changed = probe_snapshot(d, reset, kStarted);
    EXPECT_EQ(changed.state, ProbeState::conflict);
    EXPECT_NE(changed.detail.find("target changed"), std::string::npos) << changed.detail;
}

TEST(PlanSteps, TheBoundTargetRoundTripsThroughThePlanText) {
    domain::Plan plan;
    plan.workflow = "baja";
    auto step = op(domain::OpKind::remove_group_member,
                   {{"group", std::string("ops@x.com")}, {"member", std::string("jp@x.com")}});
    step.target = {"ops@x.com", "", "", "6917529027641081857", "18014398509481985"};
    plan.steps.push_back(step);
    auto steps = workflow::plan_from_text(workflow::canonical_text(plan)).steps;
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].target, step.target);
    EXPECT_EQ(workflow::canonical_step(steps[0]), workflow::canonical_step(step));
}

}  // namespace
}  // namespace hrmaild::service
