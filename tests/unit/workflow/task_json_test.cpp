// workflow::task_from_json: the fixtures' task shape, in particular STATUS and CREATED_DATE
// (issue 9: only open tasks are processed, so a task file must say whether it is open).
#include "daemon/workflow/engine.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hrmaild::workflow
