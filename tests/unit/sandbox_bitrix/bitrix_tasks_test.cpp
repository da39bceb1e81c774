// tasks.task.*: the shapes, filters, order, pagination, updates and the status machine.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

#include "tests/sandbox/bitrix_dates.hpp"

namespace hrmaild::sandbox::test {
namespace {

std::vector<std::string> ids_of(const Answer& a) {
    std::vector<std::string> ids;
    for (const auto& t : a.result().at("tasks").as_array()) {
        ids.push_back(php::to_string(t.at("id")));
    }
    return ids;
}

TEST_F(BitrixTest, SeededTaskHasThePortalShape) {
    auto t = task(1);
    EXPECT_EQ(t.at("id"), json::value("1"));
    EXPECT_EQ(t.at("title"), json::value("Alta de correo - Mariana Torres Ibarra"));
    EXPECT_EQ(t.at("status"), json::value("2"));
    EXPECT_EQ(t.at("createdBy"), json::value("12"));
    EXPECT_EQ(t.at("responsibleId"), json::value("1"));
    EXPECT_EQ(t.at("groupId"), json::value("42"));
    EXPECT_EQ(t.at("createdDate"), t.at("changedDate"));
    EXPECT_EQ(std::string(t.at("changedDate").as_string()).substr(19), "-06:00");
    EXPECT_EQ(t.at("auditors"), json::array());
    EXPECT_EQ(t.at("auditorsData"), json::array());  // PHP's empty map
    EXPECT_EQ(t.at("creator").at("name"), json::value("Laura Méndez"));
    EXPECT_EQ(t.at("group").at("id"), json::value("42"));
    EXPECT_FALSE(t.contains("chatId"));  // a classic-card task
    const auto& tags = t.at("tags").as_object();
    ASSERT_EQ(tags.size(), 1u);
    const auto& tag = tags.begin()->value().as_object();
    EXPECT_EQ(tag.at("title"), json::value("alta"));
    EXPECT_TRUE(tag.at("id").is_int64());
    EXPECT_EQ(std::string(tags.begin()->key()), std::to_string(tag.at("id").as_int64()));
    const auto& action = t.at("action").as_object();
    EXPECT_EQ(action.at("start"), json::value(true));
    EXPECT_EQ(action.at("complete"), json::value(true));
    EXPECT_EQ(action.at("approve"), json::value(false));
}

TEST_F(BitrixTest, GetErrors) {
    auto missing = call("tasks.task.get", {{"taskId", 999}});
    EXPECT_EQ(missing.status, 200);
    EXPECT_EQ(missing.result(), json::array());
    auto wrong = call("tasks.task.get", {{"taskId", "abc"}});
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.error(), "0");
    EXPECT_EQ(wrong.description(), "wrong task id");
    auto none = call("tasks.task.get");
    EXPECT_EQ(none.status, 400);
    EXPECT_EQ(none.error(), "100");
    EXPECT_EQ(none.description(), "Could not find value for parameter {taskId}");
}

TEST_F(BitrixTest, GetSelectNarrowsTheTask) {
    auto a = call("tasks.task.get", {{"taskId", 1}, {"select", json::array{"TITLE", "TAGS"}}});
    const auto& t = a.result().at("task").as_object();
    EXPECT_TRUE(t.contains("id"));
    EXPECT_TRUE(t.contains("title"));
    EXPECT_TRUE(t.contains("tags"));
    EXPECT_FALSE(t.contains("description"));
    EXPECT_TRUE(t.contains("action"));
}

TEST_F(BitrixTest, UfFieldsAreCamelCaseStringsAndEmptyArrays) {
    seed_more({json::parse(R"({"TITLE":"Con campos","CREATED_BY":12,"RESPONSIBLE_ID":1,
        "UF_AUTO_4998":42,"UF_CRM_TASK":["D_1","C_2"]})")});
    auto t = task(15);
    EXPECT_EQ(t.at("ufAuto4998"), json::value("42"));
    EXPECT_EQ(t.at("ufCrmTask"), json::parse(R"(["D_1","C_2"])"));
    auto other = task(1);
    EXPECT_EQ(other.at("ufAuto4998"), json::array());
    auto list = call("tasks.task.list", {{"filter", {{"ID", 15}}}});
    const auto& row = list.result().at("tasks").at(0).as_object();
    EXPECT_FALSE(row.contains("ufAuto4998"));  // UF fields only when named
    EXPECT_FALSE(row.contains("tags"));        // tags only with TAGS
    auto named = call("tasks.task.list", {{"filter", {{"ID", 15}}},
                                          {"select", json::array{"ID", "UF_AUTO_4998", "TAGS"}}});
    const auto& row2 = named.result().at("tasks").at(0).as_object();
    EXPECT_EQ(row2.at("ufAuto4998"), json::value("42"));
    EXPECT_EQ(row2.at("tags"), json::array());
    EXPECT_EQ(row2.size(), 3u);
}

struct FilterCase {
    const char* name;
    const char* filter;  // JSON
    std::vector<std::string> ids;
};

class BitrixListFilter : public BitrixTest, public ::testing::WithParamInterface<FilterCase> {};

TEST_P(BitrixListFilter, SelectsTheRightTasks) {
    json::object params{{"filter", json::parse(GetParam().filter)}, {"order", {{"ID", "asc"}}}};
    auto a = call("tasks.task.list", params);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(ids_of(a), GetParam().ids) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Filters, BitrixListFilter,
    ::testing::Values(
        FilterCase{"id", R"({"ID":3})", {"3"}},
        FilterCase{"id_in", R"({"ID":[2,"5",9]})", {"2", "5", "9"}},
        FilterCase{"gt_id", R"({">ID":12})", {"13", "14"}},
        FilterCase{"not_id", R"({"!ID":[1,2,3,4,5,6,7,8,9,10,11]})", {"12", "13", "14"}},
        FilterCase{"group", R"({"GROUP_ID":42,">ID":12})", {"13", "14"}},
        FilterCase{"other_group", R"({"GROUP_ID":7})", {}},
        FilterCase{"tag", R"({"TAG":"baja"})", {"4", "13"}},
        FilterCase{"tag_in", R"({"TAG":["grupo","contrasena"],"<ID":9})", {"7", "8"}},
        FilterCase{"status", R"({"REAL_STATUS":2,"<ID":3})", {"1", "2"}},
        FilterCase{"status_none", R"({"REAL_STATUS":[3,5]})", {}},
        FilterCase{"created_by", R"({"CREATED_BY":13})", {"2", "5", "8", "10", "13"}},
        FilterCase{"responsible", R"({"RESPONSIBLE_ID":"1",">ID":13})", {"14"}},
        FilterCase{"title_like", R"({"TITLE":"alta DE correo%","<ID":4})", {"1", "3"}},
        FilterCase{"title_contains", R"({"%TITLE":"MARIANA"})", {"1"}},
        FilterCase{"changed_far_past",
                   R"({">=CHANGED_DATE":"2020-01-01T00:00:00+00:00","<ID":3})",
                   {"1", "2"}},
        FilterCase{"changed_future", R"({">=CHANGED_DATE":"2099-01-01T00:00:00-06:00"})", {}},
        FilterCase{"unknown_key_ignored", R"({"NO_SUCH_FIELD":1,"ID":1})", {"1"}}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixTest, SeededTagsFilterAgainstFixtures) {
    // The tag filter must agree with the seeded requests' TAGS.
    auto a =
        call("tasks.task.list", {{"filter", {{"TAG", "alta"}}}, {"select", json::array{"TAGS"}}});
    ASSERT_EQ(a.status, 200);
    for (const auto& t : a.result().at("tasks").as_array()) {
        bool has = false;
        for (const auto& kv : t.at("tags").as_object()) {
            has = has || kv.value().at("title") == json::value("alta");
        }
        EXPECT_TRUE(has) << t;
    }
    EXPECT_FALSE(a.result().at("tasks").as_array().empty());
}

// `2026-11-28T04:32:15-06:00` → `2026-11-28T10:32:15Z`: the same instant, another offset.
std::string as_utc(const std::string& portal_date) {
    std::chrono::system_clock::time_point t;
    EXPECT_TRUE(bitrix_dates::parse(portal_date, t));
    auto s = bitrix_dates::format_iso(t + std::chrono::hours(6));
    return s.substr(0, 19) + "Z";
}

TEST_F(BitrixTest, ChangedDateMovesAndFiltersWithAnyOffset) {
    auto seeded = std::string(task(3).at("changedDate").as_string());
    clock.advance(std::chrono::minutes(30));
    auto a = call("tasks.task.update", {{"taskId", 3}, {"fields", {{"TITLE", "Nuevo"}}}});
    ASSERT_EQ(a.status, 200);
    auto moved = std::string(task(3).at("changedDate").as_string());
    EXPECT_NE(moved, seeded);
    EXPECT_EQ(std::string(task(3).at("createdDate").as_string()), seeded);
    for (const auto& since : {moved, as_utc(moved)}) {
        auto l = call("tasks.task.list", {{"filter", {{">=CHANGED_DATE", since}}}});
        EXPECT_EQ(ids_of(l), std::vector<std::string>{"3"}) << since;
    }
    auto l = call("tasks.task.list", {{"filter", {{">CHANGED_DATE", seeded}}}});
    EXPECT_EQ(ids_of(l), std::vector<std::string>{"3"});
}

TEST_F(BitrixTest, DefaultOrderIsIdDescendingAndOrderKeysAreChecked) {
    auto a = call("tasks.task.list", {{"filter", {{">ID", 11}}}});
    EXPECT_EQ(ids_of(a), (std::vector<std::string>{"14", "13", "12"}));
    auto b = call("tasks.task.list",
                  {{"filter", {{">ID", 11}}}, {"order", {{"created_by", "desc"}, {"id", "asc"}}}});
    EXPECT_EQ(ids_of(b), (std::vector<std::string>{"13", "12", "14"}));
    auto c = call("tasks.task.list", {{"order", {{"NO_SUCH_KEY", "asc"}}}});
    EXPECT_EQ(c.status, 400);
    EXPECT_EQ(c.error(), "0");
    EXPECT_EQ(c.description(), "Invalid sorting key");
}

class BitrixPaging : public BitrixTest {
  protected:
    void SetUp() override {
        BitrixTest::SetUp();
        std::vector<json::value> more;
        for (int i = 0; i < 109; ++i) {
            more.push_back(json::object{{"TITLE", "Extra " + std::to_string(i)},
                                        {"CREATED_BY", 12},
                                        {"RESPONSIBLE_ID", 1},
                                        {"GROUP_ID", 42},
                                        {"TAGS", json::array{"extra"}}});
        }
        bitrix.reset();
        seed_fixtures(more);  // 14 + 109 = 123 tasks
    }
};

TEST_F(BitrixPaging, StartNextTotalWalk) {
    std::vector<std::string> seen;
    json::value start = 0;
    int pages = 0;
    while (true) {
        auto a =
            call("tasks.task.list",
                 {{"order", {{"ID", "asc"}}}, {"start", start}, {"select", json::array{"ID"}}});
        ASSERT_EQ(a.status, 200);
        EXPECT_EQ(a.body.at("total"), json::value(123));
        auto ids = ids_of(a);
        seen.insert(seen.end(), ids.begin(), ids.end());
        ++pages;
        const auto* next = a.body.as_object().if_contains("next");
        if (next == nullptr) {
            EXPECT_EQ(ids.size(), 23u);
            break;
        }
        EXPECT_EQ(ids.size(), 50u);
        EXPECT_EQ(*next, json::value(pages * 50));
        start = *next;
    }
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(seen.size(), 123u);
    EXPECT_EQ(seen.front(), "1");
    EXPECT_EQ(seen.back(), "123");
}

TEST_F(BitrixPaging, FastWalkWithStartMinusOne) {
    long long last = 0;
    std::size_t total = 0;
    int pages = 0;
    while (true) {
        auto a = form("tasks.task.list", "order[ID]=asc&filter[>ID]=" + std::to_string(last) +
                                             "&start=-1&select[]=ID");
        ASSERT_EQ(a.status, 200);
        EXPECT_FALSE(a.body.as_object().contains("total"));
        EXPECT_FALSE(a.body.as_object().contains("next"));
        auto ids = ids_of(a);
        ++pages;
        total += ids.size();
        if (ids.size() < 50) {
            break;
        }
        last = std::stoll(ids.back());
    }
    EXPECT_EQ(total, 123u);
    EXPECT_EQ(pages, 3);
}

TEST_F(BitrixTest, AddCreatesAPendingTask) {
    clock.advance(std::chrono::minutes(5));
    auto a =
        form("tasks.task.add",
             "fields[TITLE]=Nueva&fields[RESPONSIBLE_ID]=7&fields[CREATED_BY]=12&fields[TAGS][]"
             "=alta&fields[TAGS][]=urgente&fields[UF_AUTO_1]=x");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto& t = a.result().at("task").as_object();
    EXPECT_EQ(t.at("id"), json::value("15"));
    EXPECT_EQ(t.at("status"), json::value("2"));
    EXPECT_EQ(t.at("responsibleId"), json::value("7"));
    EXPECT_EQ(t.at("tags").as_object().size(), 2u);
    EXPECT_EQ(t.at("ufAuto1"), json::value("x"));
    // The same tag title keeps its id across tasks.
    auto first = task(1).at("tags").as_object();
    bool same = false;
    for (const auto& kv : t.at("tags").as_object()) {
        same = same || first.contains(kv.key());
    }
    EXPECT_TRUE(same);
}

TEST_F(BitrixTest, AddWithAStatusKeepsIt) {
    auto a = call("tasks.task.add", {{"fields", {{"TITLE", "Cerrada"}, {"STATUS", "6"}}}});
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.result().at("task").at("status"), json::value("6"));
    EXPECT_EQ(task(15).at("status"), json::value("6"));
}

TEST_F(BitrixTest, SeededRequestKeepsStatusAndDates) {
    seed_more({json::parse(R"({"TITLE":"Vieja","STATUS":5,
        "CREATED_DATE":"2026-01-05T09:00:00-06:00"})"),
               json::parse(R"({"TITLE":"Editada","STATUS":"2",
        "CREATED_DATE":"2026-01-05T09:00:00-06:00","CHANGED_DATE":"2026-01-06T10:30:00Z"})"),
               json::parse(R"({"TITLE":"Sin fechas"})")});
    auto old = task(15);
    EXPECT_EQ(old.at("status"), json::value("5"));
    EXPECT_EQ(old.at("createdDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(old.at("changedDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(old.at("closedDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(old.at("statusChangedDate"), json::value("2026-01-05T09:00:00-06:00"));
    auto edited = task(16);
    EXPECT_EQ(edited.at("status"), json::value("2"));
    EXPECT_EQ(edited.at("createdDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(edited.at("changedDate"), json::value("2026-01-06T04:30:00-06:00"));
    EXPECT_TRUE(edited.at("closedDate").is_null());
    auto plain = task(17);
    EXPECT_EQ(plain.at("status"), json::value("2"));
    EXPECT_NE(plain.at("createdDate"), json::value("2026-01-05T09:00:00-06:00"));
}

struct AddErrorCase {
    const char* name;
    const char* params;
    const char* error;
};

class BitrixAddErrors : public BitrixTest, public ::testing::WithParamInterface<AddErrorCase> {};

TEST_P(BitrixAddErrors, Refuses) {
    auto a = call("tasks.task.add", json::parse(GetParam().params).as_object());
    EXPECT_EQ(a.status, 400) << GetParam().name;
    EXPECT_EQ(a.error(), GetParam().error) << GetParam().name;
    EXPECT_EQ(bitrix.state().at("tasks").as_array().size(), 14u);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BitrixAddErrors,
    ::testing::Values(
        AddErrorCase{"no_fields", R"({})", "100"},
        AddErrorCase{"no_title", R"({"fields":{"RESPONSIBLE_ID":1}})", "ERROR_CORE"},
        AddErrorCase{"unknown_responsible", R"({"fields":{"TITLE":"x","RESPONSIBLE_ID":999}})",
                     "ERROR_CORE"},
        AddErrorCase{"unknown_group", R"({"fields":{"TITLE":"x","GROUP_ID":5}})", "ERROR_CORE"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixTest, UpdateReplacesTagsAndReturnsTheTask) {
    auto a = call(
        "tasks.task.update",
        {{"taskId", "1"},
         {"fields", {{"TAGS", json::array{"baja", "revisar"}}, {"DESCRIPTION", "nuevo texto"}}}});
    ASSERT_EQ(a.status, 200) << a.body;
    std::vector<std::string> titles;
    for (const auto& kv : a.result().at("task").at("tags").as_object()) {
        titles.push_back(php::to_string(kv.value().at("title")));
    }
    EXPECT_EQ(titles, (std::vector<std::string>{"baja", "revisar"}));
    EXPECT_EQ(task(1).at("description"), json::value("nuevo texto"));
    auto cleared =
        call("tasks.task.update", {{"taskId", 1}, {"fields", {{"TAGS", json::array()}}}});
    EXPECT_EQ(cleared.result().at("task").at("tags"), json::array());
}

struct UpdateErrorCase {
    const char* name;
    const char* params;
    const char* error;
    const char* description;
};

class BitrixUpdateErrors : public BitrixTest,
                           public ::testing::WithParamInterface<UpdateErrorCase> {};

TEST_P(BitrixUpdateErrors, Refuses) {
    auto before = task(1);
    auto a = call("tasks.task.update", json::parse(GetParam().params).as_object());
    EXPECT_EQ(a.status, 400) << GetParam().name;
    EXPECT_EQ(a.error(), GetParam().error) << GetParam().name;
    if (std::string(GetParam().description).size() > 0) {
        EXPECT_EQ(a.description(), GetParam().description) << GetParam().name;
    }
    EXPECT_EQ(task(1).at("title"), before.at("title"));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BitrixUpdateErrors,
    ::testing::Values(UpdateErrorCase{"no_fields", R"({"taskId":1})", "100",
                                      "Could not find value for parameter {fields}"},
                      UpdateErrorCase{"no_task_id", R"({"fields":{"TITLE":"x"}})", "100", ""},
                      UpdateErrorCase{"missing_task", R"({"taskId":999,"fields":{"TITLE":"x"}})",
                                      "0", "Action on the task is not allowed"},
                      UpdateErrorCase{"bad_status",
                                      R"({"taskId":1,"fields":{"TITLE":"x","STATUS":9}})",
                                      "ERROR_CORE", ""},
                      UpdateErrorCase{"bad_responsible",
                                      R"({"taskId":1,"fields":{"TITLE":"x","RESPONSIBLE_ID":999}})",
                                      "ERROR_CORE", ""}),
    [](const auto& tp) { return std::string(tp.param.name); });

struct TransitionCase {
    const char* name;
    std::vector<std::string> steps;  // methods in order; the last one is checked
    bool task_control;
    bool allowed;
    const char* status;  // after the last step when allowed
};

class BitrixTransitions : public BitrixTest,
                          public ::testing::WithParamInterface<TransitionCase> {};

TEST_P(BitrixTransitions, FollowTheStateMachine) {
    const auto& c = GetParam();
    if (c.task_control) {
        ASSERT_EQ(
            call("tasks.task.update", {{"taskId", 1}, {"fields", {{"TASK_CONTROL", "Y"}}}}).status,
            200);
    }
    for (std::size_t i = 0; i + 1 < c.steps.size(); ++i) {
        ASSERT_EQ(call(c.steps[i], {{"taskId", 1}}).status, 200) << c.name << " " << c.steps[i];
    }
    auto before = std::string(task(1).at("changedDate").as_string());
    clock.advance(std::chrono::seconds(61));
    auto a = call(c.steps.back(), {{"taskId", 1}});
    if (c.allowed) {
        ASSERT_EQ(a.status, 200) << c.name << " " << a.body;
        EXPECT_EQ(a.result().at("task").at("status"), json::value(c.status)) << c.name;
        EXPECT_NE(std::string(task(1).at("changedDate").as_string()), before) << c.name;
    } else {
        EXPECT_EQ(a.status, 400) << c.name;
        EXPECT_EQ(a.error(), "1048582") << c.name;
        EXPECT_EQ(a.description(), "Action on the task is not allowed") << c.name;
        EXPECT_EQ(std::string(task(1).at("changedDate").as_string()), before) << c.name;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Machine, BitrixTransitions,
    ::testing::Values(
        TransitionCase{"start", {"tasks.task.start"}, false, true, "3"},
        TransitionCase{"start_twice", {"tasks.task.start", "tasks.task.start"}, false, false, ""},
        TransitionCase{"complete", {"tasks.task.complete"}, false, true, "5"},
        TransitionCase{
            "complete_after_start", {"tasks.task.start", "tasks.task.complete"}, false, true, "5"},
        TransitionCase{
            "complete_twice", {"tasks.task.complete", "tasks.task.complete"}, false, false, ""},
        TransitionCase{"complete_under_control", {"tasks.task.complete"}, true, true, "4"},
        TransitionCase{"approve", {"tasks.task.complete", "tasks.task.approve"}, true, true, "5"},
        TransitionCase{
            "disapprove", {"tasks.task.complete", "tasks.task.disapprove"}, true, true, "2"},
        TransitionCase{"approve_pending", {"tasks.task.approve"}, false, false, ""},
        TransitionCase{"defer", {"tasks.task.defer"}, false, true, "6"},
        TransitionCase{
            "defer_completed", {"tasks.task.complete", "tasks.task.defer"}, false, false, ""},
        TransitionCase{
            "renew_deferred", {"tasks.task.defer", "tasks.task.renew"}, false, true, "2"},
        TransitionCase{
            "renew_completed", {"tasks.task.complete", "tasks.task.renew"}, false, true, "2"},
        TransitionCase{"renew_pending", {"tasks.task.renew"}, false, false, ""},
        TransitionCase{"pause", {"tasks.task.start", "tasks.task.pause"}, false, true, "2"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixTest, TransitionOnMissingTaskIsNotAllowed) {
    for (const char* m : {"tasks.task.start", "tasks.task.complete", "tasks.task.defer",
                          "tasks.task.renew", "tasks.task.approve", "tasks.task.disapprove"}) {
        auto a = call(m, {{"taskId", 999}});
        EXPECT_EQ(a.status, 400) << m;
        EXPECT_EQ(a.description(), "Action on the task is not allowed") << m;
        EXPECT_EQ(call(m).error(), "100") << m;
    }
}

TEST_F(BitrixTest, ApproveNeedsTheCreatorOrAnAdmin) {
    call("tasks.task.update", {{"taskId", 1}, {"fields", {{"TASK_CONTROL", "Y"}}}});
    auto as_responsible = bitrix.issue_oauth_token(7);
    ASSERT_EQ(
        call("tasks.task.update", {{"taskId", 1}, {"fields", {{"RESPONSIBLE_ID", 7}}}}).status,
        200);
    auto done = send("POST", "/rest/tasks.task.complete",
                     R"({"taskId":1,"auth":")" + as_responsible + "\"}", "application/json");
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(done.result().at("task").at("status"), json::value("4"));
    auto approve = send("POST", "/rest/tasks.task.approve",
                        R"({"taskId":1,"auth":")" + as_responsible + "\"}", "application/json");
    EXPECT_EQ(approve.status, 400);
    auto creator = bitrix.issue_oauth_token(12);
    auto ok = send("GET", "/rest/tasks.task.approve?taskId=1&auth=" + creator, "", "");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(task(1).at("status"), json::value("5"));
    EXPECT_TRUE(task(1).at("closedDate").is_string());
}

TEST_F(BitrixTest, DeadlineAuditorsAndSelectStar) {
    auto a =
        call("tasks.task.update",
             {{"taskId", 2},
              {"fields",
               {{"DEADLINE", "2026-12-01T18:00:00+00:00"}, {"AUDITORS", json::array{7, "8"}}}}});
    ASSERT_EQ(a.status, 200) << a.body;
    auto t = task(2);
    EXPECT_EQ(t.at("deadline"), json::value("2026-12-01T12:00:00-06:00"));
    EXPECT_EQ(t.at("auditors"), json::parse(R"(["7","8"])"));
    EXPECT_EQ(t.at("auditorsData").at("7").at("name"), json::value("Camilo Luna"));
    auto l = call("tasks.task.list", {{"filter", {{"AUDITOR", 8}, {"<DEADLINE", "2026-12-02"}}},
                                      {"select", json::array{"*"}}});
    ASSERT_EQ(l.result().at("tasks").as_array().size(), 1u);
    const auto& row = l.result().at("tasks").at(0).as_object();
    EXPECT_EQ(row.at("id"), json::value("2"));
    EXPECT_TRUE(row.contains("description"));
    EXPECT_FALSE(row.contains("tags"));  // `*` is every non-UF field, without TAGS
    // An empty JSON list is an empty field set, as in PHP.
    EXPECT_EQ(call("tasks.task.update", {{"taskId", 2}, {"fields", json::array()}}).status, 200);
}

TEST_F(BitrixTest, StartBeyondTheEndGivesAnEmptyPage) {
    auto a = call("tasks.task.list", {{"start", 100}});
    EXPECT_EQ(a.result().at("tasks"), json::array());
    EXPECT_EQ(a.body.at("total"), json::value(14));
    EXPECT_FALSE(a.body.as_object().contains("next"));
}

TEST_F(BitrixTest, StateShape) {
    call("task.commentitem.add", {{"TASKID", 1}, {"FIELDS", {{"POST_MESSAGE", "x"}}}});
    auto s = bitrix.state().as_object();
    for (const char* k :
         {"portal", "webhook", "event_target", "users", "departments", "projects", "approvers",
          "tasks", "notifications", "im_messages", "options", "bucket", "calls", "batch_calls",
          "oauth", "requests_total", "rejected", "events"}) {
        EXPECT_TRUE(s.contains(k)) << k;
    }
    EXPECT_EQ(s.at("portal"), json::value("tarmexico.bitrix24.com"));
    EXPECT_EQ(s.at("approvers"), json::parse("[7,8]"));
    EXPECT_EQ(s.at("webhook").at("path"), json::value("/rest/1/sandbox-webhook-secret/"));
    const auto& t = s.at("tasks").at(0).as_object();
    EXPECT_EQ(t.at("id"), json::value("1"));
    EXPECT_TRUE(t.contains("tags"));
    EXPECT_EQ(t.at("comments").as_array().size(), 1u);
    EXPECT_EQ(t.at("comments").at(0).at("POST_MESSAGE"), json::value("x"));
    EXPECT_EQ(t.at("chat_messages"), json::array());
    EXPECT_EQ(s.at("bucket").at("burst"), json::value(1000000));
}

TEST_F(BitrixTest, SeedingARequestWithUnknownPeopleStillLoadsIt) {
    seed_more({json::parse(R"({"TITLE":"Sin dueño","CREATED_BY":999,"RESPONSIBLE_ID":998,
        "GROUP_ID":5,"TAGS":["alta"]})")});
    auto t = task(15);
    EXPECT_EQ(t.at("title"), json::value("Sin dueño"));
    EXPECT_EQ(t.at("status"), json::value("2"));
    EXPECT_EQ(t.at("createdBy"), json::value("999"));
}

}  // namespace
}  // namespace hrmaild::sandbox::test
