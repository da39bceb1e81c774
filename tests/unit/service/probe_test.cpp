#include "daemon/service/ports.hpp"

#include <gtest/gtest.h>

namespace hrmaild::service {
namespace {

domain::DirectorySnapshot directory() {
    domain::DirectorySnapshot d;
    d.users.push_back(
        {"juan.perez@x.com", {"jp@x.com"}, "Juan", "Pérez", "Juan Pérez", "member", true});
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
    EXPECT_EQ(probe_snapshot(d, same).state, ProbeState::done);  // case and accents do not count
    auto exact = op(K::create_user, {{"email", std::string("juan.perez@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Pérez")}});
    EXPECT_EQ(probe_snapshot(d, exact).state, ProbeState::done);
    auto other = op(K::create_user, {{"email", std::string("juan.perez@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Salinas")}});
    EXPECT_EQ(probe_snapshot(d, other).state, ProbeState::conflict);
    auto alias = op(K::create_user, {{"email", std::string("jp@x.com")},
                                     {"first_name", std::string("Juan")},
                                     {"last_name", std::string("Pérez")}});
    EXPECT_EQ(probe_snapshot(d, alias).state, ProbeState::conflict);
    auto fresh = op(K::create_user, {{"email", std::string("new@x.com")}});
    EXPECT_EQ(probe_snapshot(d, fresh).state, ProbeState::not_done);
    auto group_address = op(K::create_user, {{"email", std::string("ops@x.com")}});
    EXPECT_EQ(probe_snapshot(d, group_address).state, ProbeState::conflict);
}

TEST(Probe, DisableAndDeleteTreatGoneAsDone) {
    using K = domain::OpKind;
    auto d = directory();
    EXPECT_EQ(
        probe_snapshot(d, op(K::disable_user, {{"email", std::string("juan.perez@x.com")}})).state,
        ProbeState::not_done);
    EXPECT_EQ(probe_snapshot(d, op(K::disable_user, {{"email", std::string("old@x.com")}})).state,
              ProbeState::done);
    EXPECT_EQ(probe_snapshot(d, op(K::disable_user, {{"email", std::string("gone@x.com")}})).state,
              ProbeState::done);
    EXPECT_EQ(probe_snapshot(d, op(K::delete_user, {{"email", std::string("gone@x.com")}})).state,
              ProbeState::done);
    EXPECT_EQ(probe_snapshot(d, op(K::delete_user, {{"email", std::string("old@x.com")}})).state,
              ProbeState::not_done);
}

TEST(Probe, GroupMembership) {
    using K = domain::OpKind;
    auto d = directory();
    auto add = op(K::add_group_member, {{"group", std::string("ops@x.com")},
                                        {"member", std::string("juan.perez@x.com")}});
    EXPECT_EQ(probe_snapshot(d, add).state, ProbeState::done);
    auto add2 = op(K::add_group_member,
                   {{"group", std::string("ops@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, add2).state, ProbeState::not_done);
    auto remove = op(K::remove_group_member,
                     {{"group", std::string("ops@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, remove).state, ProbeState::done);
    auto missing = op(K::add_group_member,
                      {{"group", std::string("nope@x.com")}, {"member", std::string("ana@x.com")}});
    EXPECT_EQ(probe_snapshot(d, missing).state, ProbeState::conflict);
    auto create =
        op(K::create_group, {{"group", std::string("ops@x.com")}, {"name", std::string("Otra")}});
    EXPECT_EQ(probe_snapshot(d, create).state, ProbeState::conflict);
    auto create_same = op(K::create_group, {{"group", std::string("ops@x.com")},
                                            {"name", std::string("operaciones")}});
    EXPECT_EQ(probe_snapshot(d, create_same).state, ProbeState::done);
}

}  // namespace
}  // namespace hrmaild::service
