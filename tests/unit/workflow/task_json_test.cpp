// workflow::task_from_json: the fixtures' task shape, in particular STATUS and CREATED_DATE
// (issue 9: only open tasks are processed, so a task file must say whether it is open).
#include "daemon/workflow/engine.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

namespace hrmaild::workflow {
namespace {

TEST(TaskFromJson, StatusAndCreatedDateAreRead) {
    std::string err;
    auto t = task_from_json(
        R"({"ID":7,"TITLE":"Baja","STATUS":"5","CREATED_DATE":"2026-01-05T09:00:00-06:00"})", err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(t->status, domain::task_status::completed);
    EXPECT_FALSE(t->is_open());
    EXPECT_EQ(t->created_date, "2026-01-05T09:00:00-06:00");

    t = task_from_json(R"({"TITLE":"Alta","STATUS":3})", err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(t->status, domain::task_status::in_progress);
    EXPECT_TRUE(t->is_open());
    EXPECT_EQ(t->created_date, "");
}

TEST(TaskFromJson, AFileWithoutStatusIsPendingAsThePortalCreatesIt) {
    std::string err;
    auto t = task_from_json(R"({"TITLE":"Alta de correo"})", err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(t->status, domain::task_status::pending);
    EXPECT_TRUE(t->is_open());
}

TEST(TaskFromJson, TheTasksTaskGetShapeAndTheLegacyShape) {
    std::string err;
    auto t = task_from_json(
        R"({"task":{"id":"3","title":"x","status":"6","subStatus":"-1",
            "createdDate":"2026-02-01T10:00:00+00:00"}})",
        err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(t->status, domain::task_status::deferred);
    EXPECT_EQ(t->created_date, "2026-02-01T10:00:00+00:00");
    // Legacy UPPER_CASE: REAL_STATUS is the status, STATUS a meta-status (-1 overdue).
    t = task_from_json(R"({"TITLE":"x","REAL_STATUS":"2","STATUS":"-1"})", err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(t->status, domain::task_status::pending);
}

TEST(TaskFromJson, ABadStatusIsRefusedByName) {
    for (const char* bad : {R"("9")", "0", R"("-1")", R"("abc")", R"("")", "true", "[]"}) {
        std::string err;
        auto t = task_from_json(std::string(R"({"TITLE":"x","STATUS":)") + bad + "}", err);
        EXPECT_FALSE(t) << bad;
        EXPECT_NE(err.find("STATUS"), std::string::npos) << err;
    }
}

// The daemon serves its snapshot to `hrmaild plan` in org.json's shape: nothing is lost on the
// way (ids above 2^53, aliases, roles, disabled accounts, creation times, members).
TEST(DirectoryJson, RoundTripsEverythingPlanningReads) {
    domain::DirectorySnapshot d;
    domain::DirectoryUser u;
    u.address = "admin@tarmexico.com";
    u.first_name = "Administrador";
    u.last_name = "Correo";
    u.display_name = "Administrador Correo";
    u.role = "super_admin";
    u.aliases = {"postmaster@tarmexico.com"};
    u.zuid = "18014398509481985";
    u.account_id = "2560636000000008003";
    u.created_at_ms = 1767225600123;
    u.enabled = false;
    d.users.push_back(u);
    domain::DirectoryGroup g;
    g.address = "todos@tarmexico.com";
    g.name = "Todo el personal";
    g.members = {"admin@tarmexico.com"};
    g.zgid = "6917529027641081863";
    d.groups.push_back(g);
    std::string error;
    auto back = directory_from_json(boost::json::serialize(directory_to_json(d)), error);
    ASSERT_TRUE(back) << error;
    ASSERT_EQ(back->users.size(), 1u);
    const auto& b = back->users[0];
    EXPECT_EQ(b.address, u.address);
    EXPECT_EQ(b.first_name, u.first_name);
    EXPECT_EQ(b.last_name, u.last_name);
    EXPECT_EQ(b.display_name, u.display_name);
    EXPECT_EQ(b.role, u.role);
    EXPECT_EQ(b.aliases, u.aliases);
    EXPECT_EQ(b.zuid, u.zuid);
    EXPECT_EQ(b.account_id, u.account_id);
    EXPECT_EQ(b.created_at_ms, u.created_at_ms);
    EXPECT_EQ(b.enabled, u.enabled);
    ASSERT_EQ(back->groups.size(), 1u);
    EXPECT_EQ(back->groups[0].address, g.address);
    EXPECT_EQ(back->groups[0].name, g.name);
    EXPECT_EQ(back->groups[0].members, g.members);
    EXPECT_EQ(back->groups[0].zgid, g.zgid);
}

}  // namespace
}  // namespace hrmaild::workflow
