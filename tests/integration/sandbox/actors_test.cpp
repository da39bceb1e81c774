// What the issue-9 end-to-end tests need from the sandbox, over real HTTP: aliases and roles in
// org.json, task STATUS and CREATED_DATE in seeds and through the API, comment authors, the
// clock, and Zoho users re-created, re-enabled or given an alias through the control API.
#include "tests/integration/sandbox/fixture.hpp"

#include "tests/support/temp_dir.hpp"

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

using Actors = SandboxTest;

constexpr const char* kWebhook = "/rest/1/sandbox-webhook-secret/";

json::object bitrix_task(const json::object& st, long long id) {
    for (const auto& t : st.at("bitrix").at("tasks").as_array())
        if (t.at("id") == json::value(std::to_string(id)))
            return t.as_object();
    ADD_FAILURE() << "no task " << id;
    return {};
}

json::object zoho_user(const json::object& st, const std::string& address) {
    for (const auto& u : st.at("zoho").at("users").as_array())
        if (u.at("primaryEmailAddress") == json::value(address))
            return u.as_object();
    return {};
}

HttpResult rest(unsigned short port, const std::string& method, const json::object& params) {
    return http_request(port, "POST", std::string(kWebhook) + method, json::serialize(params),
                        {{"Content-Type", "application/json"}});
}

// --- org.json: aliases and roles ---------------------------------------------------------------

TEST_F(Actors, TheSampleOrgHasPostmasterAsAnAliasOfTheSuperAdmin) {
    auto r = api("GET", org_path() + "/accounts/postmaster@tarmexico.com");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    const auto& u = body.at("data");
    EXPECT_EQ(u.at("primaryEmailAddress"), json::value("admin@tarmexico.com"));
    EXPECT_EQ(u.at("role"), json::value("super_admin"));
    bool alias = false;
    for (const auto& a : u.at("emailAddress").as_array())
        alias = alias || (a.at("mailId") == json::value("postmaster@tarmexico.com") &&
                          a.at("isAlias") == json::value(true));
    EXPECT_TRUE(alias);
    auto admin = api("GET", org_path() + "/accounts/camilo.luna@tarmexico.com");
    EXPECT_EQ(admin.json().at("data").at("role"), json::value("admin"));
    // The alias is taken: nobody can be created at it.
    auto taken = api("POST", org_path() + "/accounts",
                     json::object{{"primaryEmailAddress", "postmaster@tarmexico.com"},
                                  {"password", "Vx9#qLm2!Tz7"}});
    EXPECT_EQ(error_code(taken), "EMAIL_ALREADY_EXISTS");
}

TEST_F(Actors, SeedsWithBadRolesAliasesStatusesOrDatesAreRefusedByName) {
    struct Case {
        const char* seed;
        const char* expect;
    };
    const Case cases[] = {
        {R"({"org":{"users":[{"primaryEmailAddress":"a@x.mx","role":"root"}]}})",
         "users[0]: role must be member, admin or super_admin"},
        {R"({"org":{"users":[{"primaryEmailAddress":"a@x.mx","aliases":["b"]}]}})",
         "users[0]: aliases[0] must be an address"},
        {R"({"org":{"users":[{"primaryEmailAddress":"a@x.mx"},
                             {"primaryEmailAddress":"b@x.mx","aliases":["a@x.mx"]}]}})",
         "users[1] (b@x.mx) alias: a@x.mx is already taken by users[0]"},
        {R"({"org":{"users":[{"primaryEmailAddress":"a@x.mx","enabled":"no"}]}})",
         "users[0]: enabled must be true or false"},
        {R"({"requests":[{"TITLE":"t","STATUS":"9"}]})", "requests[0]: STATUS must be"},
        {R"({"requests":[{"TITLE":"t","STATUS":"x"}]})", "requests[0]: STATUS must be"},
        {R"({"requests":[{"TITLE":"t","CREATED_DATE":"ayer"}]})",
         "requests[0]: CREATED_DATE must be a date"},
        {R"({"requests":[{"TITLE":"t","CREATED_DATE":"2026-01-05T09:00:00-06:00",
                          "CHANGED_DATE":"2026-01-04T09:00:00-06:00"}]})",
         "requests[0]: CHANGED_DATE is before CREATED_DATE"},
    };
    for (const auto& c : cases) {
        auto r = control("POST", "seed", json::parse(c.seed));
        EXPECT_EQ(r.status, 400) << c.seed;
        EXPECT_NE(r.body.find(c.expect), std::string::npos) << r.body;
    }
    // Nothing was loaded: the sample seed is still there.
    EXPECT_EQ(state().at("bitrix").at("tasks").as_array().size(), 14u);

    hrmaild::test::TempDir dir;
    dir.write("requests/01-x.json", R"({"TITLE":"t","STATUS":0})");
    auto r = control("POST", "seed", json::object{{"dir", dir.path().string()}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("requests/01-x.json: STATUS must be"), std::string::npos) << r.body;
}

// --- task STATUS and CREATED_DATE --------------------------------------------------------------

TEST_F(Actors, SeededStatusAndCreatedDateAreWhatTheApiShows) {
    auto r = control("POST", "seed", json::parse(R"({"append":true,"requests":[
            {"TITLE":"Vieja y cerrada","GROUP_ID":42,"STATUS":5,
             "CREATED_DATE":"2026-01-05T09:00:00-06:00"},
            {"TITLE":"Vieja y abierta","GROUP_ID":42,"STATUS":"3",
             "CREATED_DATE":"2026-01-05T09:00:00-06:00","CHANGED_DATE":"2026-02-01T12:00:00-06:00"},
            {"TITLE":"Aplazada","GROUP_ID":42,"STATUS":6}]})"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto list = http_request(port(), "GET",
                             std::string(kWebhook) +
                                 "tasks.task.list?filter[>ID]=14&order[ID]=asc&select[]=ID&"
                                 "select[]=STATUS&select[]=CREATED_DATE&select[]=CHANGED_DATE&"
                                 "select[]=CLOSED_DATE");
    ASSERT_EQ(list.status, 200) << list.body;
    const auto listed = list.json();
    const auto& tasks = listed.at("result").at("tasks").as_array();
    ASSERT_EQ(tasks.size(), 3u);
    EXPECT_EQ(tasks[0].at("status"), json::value("5"));
    EXPECT_EQ(tasks[0].at("createdDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(tasks[0].at("changedDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(tasks[0].at("closedDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(tasks[1].at("status"), json::value("3"));
    EXPECT_EQ(tasks[1].at("createdDate"), json::value("2026-01-05T09:00:00-06:00"));
    EXPECT_EQ(tasks[1].at("changedDate"), json::value("2026-02-01T12:00:00-06:00"));
    EXPECT_TRUE(tasks[1].at("closedDate").is_null());
    EXPECT_EQ(tasks[2].at("status"), json::value("6"));
    // A filter on CREATED_DATE sees the seeded date.
    auto old = http_request(
        port(), "GET",
        std::string(kWebhook) + "tasks.task.list?filter[<CREATED_DATE]=2026-02-01&select[]=ID");
    EXPECT_EQ(old.json().at("result").at("tasks").as_array().size(), 2u) << old.body;
}

TEST_F(Actors, StatusThroughTheControlApiIsATaskUpdateByTheNamedUser) {
    ASSERT_EQ(control("POST", "clock", json::object{{"advance_seconds", 60}}).status, 200);
    auto r = control("POST", "bitrix/tasks/4/status", json::object{{"status", 6}, {"user_id", 12}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("task").at("status"), json::value("6"));
    auto t = bitrix_task(state(), 4);
    EXPECT_EQ(t.at("status"), json::value("6"));
    EXPECT_EQ(t.at("changedBy"), json::value("12"));
    EXPECT_EQ(t.at("statusChangedBy"), json::value("12"));
    EXPECT_NE(t.at("changedDate"), t.at("createdDate"));  // the update moved CHANGED_DATE
    // Control calls are not REST traffic.
    EXPECT_EQ(state().at("requests").at("bitrix"), 0);

    // Back to pending, then completed: the closed date follows.
    ASSERT_EQ(control("POST", "bitrix/tasks/4/status", json::object{{"status", 2}}).status, 200);
    ASSERT_EQ(control("POST", "bitrix/tasks/4/status", json::object{{"status", 5}}).status, 200);
    EXPECT_FALSE(bitrix_task(state(), 4).at("closedDate").is_null());

    EXPECT_EQ(control("POST", "bitrix/tasks/4/status", json::object{{"status", 8}}).status, 400);
    EXPECT_EQ(
        control("POST", "bitrix/tasks/4/status", json::object{{"status", 5}, {"user_id", 999}})
            .status,
        400);
    auto missing = control("POST", "bitrix/tasks/999/status", json::object{{"status", 5}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.json().at("error"), json::value("0"));  // as tasks.task.update answers
    EXPECT_EQ(control("GET", "bitrix/tasks/4/status").status, 405);
}

TEST_F(Actors, StatusThroughRestUpdateCompleteAndDefer) {
    auto u = rest(port(), "tasks.task.update",
                  json::object{{"taskId", 1}, {"fields", json::object{{"STATUS", 5}}}});
    ASSERT_EQ(u.status, 200) << u.body;
    EXPECT_EQ(u.json().at("result").at("task").at("status"), json::value("5"));
    auto d = rest(port(), "tasks.task.defer", json::object{{"taskId", 2}});
    EXPECT_EQ(d.json().at("result").at("task").at("status"), json::value("6"));
    auto c = rest(port(), "tasks.task.complete", json::object{{"taskId", 3}});
    EXPECT_EQ(c.json().at("result").at("task").at("status"), json::value("5"));
    auto add = rest(port(), "tasks.task.add",
                    json::object{{"fields", json::object{{"TITLE", "Ya cerrada"}, {"STATUS", 5}}}});
    ASSERT_EQ(add.status, 200) << add.body;
    EXPECT_EQ(add.json().at("result").at("task").at("status"), json::value("5"));
}

// --- comment authors ---------------------------------------------------------------------------

TEST_F(Actors, CommentsCarryTheAuthorTheCallerNames) {
    // The control API, as approver 7.
    auto r = control("POST", "bitrix/tasks/4/comments",
                     json::object{{"author_id", 7}, {"text", "/aprobar"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("author_id"), json::value(7));
    // REST with AUTHOR_ID, and REST without it (the daemon's own comments): the webhook user.
    auto named =
        rest(port(), "task.commentitem.add",
             json::object{
                 {"TASKID", 4},
                 {"FIELDS", json::object{{"POST_MESSAGE", "/rechazar no"}, {"AUTHOR_ID", 13}}}});
    ASSERT_EQ(named.status, 200) << named.body;
    auto own = rest(
        port(), "task.commentitem.add",
        json::object{{"TASKID", 4}, {"FIELDS", json::object{{"POST_MESSAGE", "Plan [hrmaild]"}}}});
    ASSERT_EQ(own.status, 200) << own.body;
    auto list = rest(port(), "task.commentitem.getlist",
                     json::object{{"TASKID", 4}, {"ORDER", json::object{{"ID", "asc"}}}});
    const auto listed = list.json();
    const auto& items = listed.at("result").as_array();
    ASSERT_EQ(items.size(), 3u) << list.body;
    EXPECT_EQ(items[0].at("AUTHOR_ID"), json::value("7"));
    EXPECT_EQ(items[0].at("POST_MESSAGE"), json::value("/aprobar"));
    EXPECT_EQ(items[0].at("ID"), json::value(std::to_string(r.json().at("id").as_int64())));
    EXPECT_EQ(items[1].at("AUTHOR_ID"), json::value("13"));
    EXPECT_EQ(items[2].at("AUTHOR_ID"), json::value("1"));

    // A new-card task: the comment lands in the chat with the same author.
    ASSERT_EQ(control("POST", "seed",
                      json::parse(R"({"append":true,"requests":[{"TITLE":"Chat","CHAT":true}]})"))
                  .status,
              200);
    ASSERT_EQ(control("POST", "bitrix/tasks/15/comments",
                      json::object{{"author_id", 8}, {"text", "/aprobar"}})
                  .status,
              200);
    const auto msgs = bitrix_task(state(), 15).at("chat_messages").as_array();
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs.back().at("author_id"), json::value(8));

    EXPECT_EQ(
        control("POST", "bitrix/tasks/4/comments", json::object{{"author_id", 999}, {"text", "x"}})
            .status,
        400);
    EXPECT_EQ(control("POST", "bitrix/tasks/4/comments", json::object{{"author_id", 7}}).status,
              400);
}

TEST_F(Actors, AnyRestMethodAsANamedUser) {
    // The creator (12) completes task 1; the answer is the REST envelope.
    auto r = control("POST", "bitrix/call",
                     json::object{{"user_id", 12},
                                  {"method", "tasks.task.complete"},
                                  {"params", json::object{{"taskId", 1}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("result").at("task").at("status"), json::value("5"));
    EXPECT_EQ(bitrix_task(state(), 1).at("statusChangedBy"), json::value("12"));
    auto unknown = control("POST", "bitrix/call", json::object{{"method", "tasks.task.nada"}});
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json().at("error"), json::value("ERROR_METHOD_NOT_FOUND"));
}

// --- the clock ---------------------------------------------------------------------------------

TEST_F(Actors, MovingTheClockThirtyDaysMovesEveryDateTheEmulatorsWrite) {
    auto before = control("GET", "clock").json().at("unix_ms").as_int64();
    auto moved = control("POST", "clock", json::object{{"advance_seconds", 30 * 86400}});
    ASSERT_EQ(moved.status, 200);
    EXPECT_GE(moved.json().at("unix_ms").as_int64() - before, 30LL * 86400 * 1000);
    EXPECT_EQ(moved.json().at("offset_seconds"), 30 * 86400);
    // A comment written now is dated 30 days after the seeded tasks were created.
    ASSERT_EQ(control("POST", "bitrix/tasks/2/comments", json::object{{"text", "x"}}).status, 200);
    auto list = rest(port(), "tasks.task.get",
                     json::object{{"taskId", 2}, {"select", json::array{"ID", "CREATED_DATE"}}});
    std::string created(list.json().at("result").at("task").at("createdDate").as_string());
    auto comments = rest(port(), "task.commentitem.getlist", json::object{{"TASKID", 2}});
    std::string posted(comments.json().at("result").at(0).at("POST_DATE").as_string());
    EXPECT_GT(posted.substr(0, 10), created.substr(0, 10)) << created << " " << posted;
}

// --- Zoho users: rehire, re-enable, aliases ----------------------------------------------------

TEST_F(Actors, ARehireReCreatesTheAddressAsANewAccount) {
    long long old_zuid = zuid_of("juan.perez@tarmexico.com");
    ASSERT_NE(old_zuid, 0);
    // Without replace, the address is taken.
    auto taken = control("POST", "zoho/users",
                         json::object{{"primaryEmailAddress", "juan.perez@tarmexico.com"}});
    EXPECT_EQ(taken.status, 409);
    EXPECT_NE(taken.body.find("replace"), std::string::npos) << taken.body;

    auto r = control("POST", "zoho/users",
                     json::object{{"primaryEmailAddress", "Juan.Perez@tarmexico.com"},
                                  {"firstName", "Juan"},
                                  {"lastName", "Pérez Otro"},
                                  {"replace", true}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("replaced"), json::value(old_zuid));
    long long new_zuid = r.json().at("user").at("zuid").as_int64();
    EXPECT_NE(new_zuid, old_zuid);
    EXPECT_EQ(zuid_of("juan.perez@tarmexico.com"), new_zuid);
    auto st = state();
    EXPECT_EQ(zoho_user(st, "juan.perez@tarmexico.com").at("lastName"), json::value("Pérez Otro"));
    EXPECT_EQ(st.at("zoho").at("users").as_array().size(), 8u);
    // The old account's memberships went with it.
    for (const auto& g : st.at("zoho").at("groups").as_array())
        for (const auto& m : g.at("mailGroupMemberList").as_array())
            EXPECT_NE(m.at("memberEmailId"), json::value("juan.perez@tarmexico.com"));
    // By its old zuid, nobody.
    EXPECT_EQ(api("GET", org_path() + "/accounts/" + std::to_string(old_zuid)).status, 404);
}

TEST_F(Actors, ADisabledUserIsReEnabledThroughTheControlApi) {
    long long zuid = zuid_of("pedro.gomez@tarmexico.com");
    auto d = api("PUT", org_path() + "/accounts/" + std::to_string(zuid),
                 json::object{{"mode", "disableUser"}, {"zuid", zuid}});
    ASSERT_EQ(d.status, 200) << d.body;
    EXPECT_EQ(zoho_user(state(), "pedro.gomez@tarmexico.com").at("status"), json::value(false));
    auto r =
        control("POST", "zoho/users/pedro.gomez@tarmexico.com", json::object{{"enabled", true}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("user").at("zuid"), json::value(zuid));  // the same account
    EXPECT_EQ(zoho_user(state(), "pedro.gomez@tarmexico.com").at("status"), json::value(true));
    // By zuid too, and a role change.
    ASSERT_EQ(control("POST", "zoho/users/" + std::to_string(zuid), json::object{{"role", "admin"}})
                  .status,
              200);
    EXPECT_EQ(zoho_user(state(), "pedro.gomez@tarmexico.com").at("role"), json::value("admin"));
    EXPECT_EQ(
        control("POST", "zoho/users/nadie@tarmexico.com", json::object{{"enabled", true}}).status,
        404);
    EXPECT_EQ(control("POST", "zoho/users/" + std::to_string(zuid), json::object{{"x", 1}}).status,
              400);
}

TEST_F(Actors, AnAliasIsAddedAndRemovedThroughTheControlApi) {
    // The address of someone who left becomes a manager's alias.
    ASSERT_EQ(control("DELETE", "zoho/users/luis.martinez@tarmexico.com").status, 200);
    auto r = control("POST", "zoho/users/jorge.ramirez@tarmexico.com",
                     json::object{{"addAliases", json::array{"luis.martinez@tarmexico.com"}}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto by_alias = api("GET", org_path() + "/accounts/luis.martinez@tarmexico.com");
    ASSERT_EQ(by_alias.status, 200);
    EXPECT_EQ(by_alias.json().at("data").at("primaryEmailAddress"),
              json::value("jorge.ramirez@tarmexico.com"));
    // Taken addresses are refused, and nothing changes.
    auto taken = control("POST", "zoho/users/jorge.ramirez@tarmexico.com",
                         json::object{{"addAliases", json::array{"ventas@tarmexico.com",
                                                                 "postmaster@tarmexico.com"}}});
    EXPECT_EQ(taken.status, 409);
    EXPECT_NE(taken.body.find("an alias of admin@tarmexico.com"), std::string::npos) << taken.body;
    EXPECT_EQ(api("GET", org_path() + "/accounts/ventas@tarmexico.com").status, 404);
    EXPECT_EQ(control("POST", "zoho/users/jorge.ramirez@tarmexico.com",
                      json::object{{"addAliases", json::array{"x@otro.com"}}})
                  .status,
              400);
    ASSERT_EQ(control("POST", "zoho/users/jorge.ramirez@tarmexico.com",
                      json::object{{"removeAliases", json::array{"luis.martinez@tarmexico.com"}}})
                  .status,
              200);
    EXPECT_EQ(api("GET", org_path() + "/accounts/luis.martinez@tarmexico.com").status, 404);
    // A new user with roles and aliases from the start.
    auto add = control("POST", "zoho/users",
                       json::object{{"primaryEmailAddress", "ti@tarmexico.com"},
                                    {"role", "admin"},
                                    {"aliases", json::array{"soporte@tarmexico.com"}}});
    ASSERT_EQ(add.status, 201) << add.body;
    EXPECT_EQ(
        api("GET", org_path() + "/accounts/soporte@tarmexico.com").json().at("data").at("role"),
        json::value("admin"));
}

}  // namespace
}  // namespace hrmaild::sandbox::test
