#include "daemon/bitrix/decode.hpp"
#include "daemon/bitrix/errors.hpp"
#include "daemon/bitrix/types.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace hrmaild::bitrix {
namespace {

namespace json = boost::json;

TEST(BitrixDecode, IntegersFromStringsAndNumbers) {
    EXPECT_EQ(to_int(json::value("8017")), 8017);
    EXPECT_EQ(to_int(json::value(8017)), 8017);
    EXPECT_EQ(to_int(json::value(12.0)), 12);
    EXPECT_EQ(to_int(json::value("-3")), -3);
    EXPECT_FALSE(to_int(json::value("")).has_value());
    EXPECT_FALSE(to_int(json::value("12a")).has_value());
    EXPECT_FALSE(to_int(json::parse("[]")).has_value());
    EXPECT_FALSE(to_int(json::value(nullptr)).has_value());
    EXPECT_FALSE(to_int(json::value(1.5)).has_value());
}

TEST(BitrixDecode, BooleansInEveryPhpSpelling) {
    EXPECT_EQ(to_bool(json::value(true)), true);
    EXPECT_EQ(to_bool(json::value("Y")), true);
    EXPECT_EQ(to_bool(json::value("N")), false);
    EXPECT_EQ(to_bool(json::value("1")), true);
    EXPECT_EQ(to_bool(json::value(0)), false);
    EXPECT_FALSE(to_bool(json::value("maybe")).has_value());
}

TEST(BitrixDecode, EmptyMapsAsEmptyArrays) {
    EXPECT_TRUE(is_empty(json::parse("[]")));
    EXPECT_TRUE(is_empty(json::parse("{}")));
    EXPECT_TRUE(is_empty(json::value("")));
    EXPECT_FALSE(is_empty(json::value(0)));
    EXPECT_EQ(list_values(json::parse(R"({"a":1,"b":2})")).size(), 2u);
    EXPECT_EQ(int_list(json::parse(R"(["5", 6, "x"])")), (std::vector<std::int64_t>{5, 6}));
}

TEST(BitrixDecode, TagsAsMapOrList) {
    EXPECT_EQ(decode_tags(
                  json::parse(R"({"35":{"id":35,"title":"alta"},"36":{"id":"36","title":"vpn"}})")),
              (std::vector<std::string>{"alta", "vpn"}));
    EXPECT_EQ(decode_tags(json::parse(R"(["baja","urgente"])")),
              (std::vector<std::string>{"baja", "urgente"}));
    EXPECT_TRUE(decode_tags(json::parse("[]")).empty());
}

TEST(BitrixDecode, CustomFieldNamesBothWays) {
    EXPECT_EQ(uf_to_camel("UF_AUTO_4998"), "ufAuto4998");
    EXPECT_EQ(uf_to_camel("UF_CRM_TASK"), "ufCrmTask");
    EXPECT_EQ(camel_to_uf("ufAuto4998"), "UF_AUTO_4998");
    EXPECT_EQ(camel_to_uf("ufCrmTask"), "UF_CRM_TASK");
    EXPECT_EQ(camel_to_uf("ufAuto499889542776"), "UF_AUTO_499889542776");
    EXPECT_FALSE(camel_to_uf("uFoo").has_value());
    EXPECT_FALSE(camel_to_uf("userId").has_value());
}

TEST(BitrixDecode, StripsHtmlFromDescriptions) {
    EXPECT_EQ(strip_html("Wrong<br>value &lt;x&gt;"), "Wrong value <x>");
    EXPECT_EQ(strip_html("  a\n\n b "), "a b");
    EXPECT_EQ(strip_html(std::string(400, 'x'), 10), "xxxxxxxxxx...");
}

TEST(BitrixDecode, CamelCaseTaskFromTasksTaskList) {
    auto v = json::parse(R"({
        "id":"42","title":"Alta de correo","description":"[B]Nombre:[/B] Ana",
        "status":"2","subStatus":"-1","responsibleId":"1","createdBy":"12","groupId":"42",
        "changedDate":"2026-11-28T04:02:15-06:00","createdDate":"2026-11-27T10:00:00-06:00",
        "closedDate":null,"chatId":77,"auditors":["7","8"],"accomplices":[],
        "creator":{"id":"12","name":"Laura Méndez","link":"/u/12/"},
        "tags":{"35":{"id":35,"title":"alta"}},
        "ufAuto4998":"QRO","ufCrmTask":[],"ufMulti":["a","b"],"group":[]})");
    auto t = decode_task(v);
    EXPECT_EQ(t.task.id, 42);
    EXPECT_EQ(t.task.title, "Alta de correo");
    EXPECT_EQ(t.task.description, "[B]Nombre:[/B] Ana");
    EXPECT_EQ(t.status(), TaskStatus::pending);
    EXPECT_EQ(t.task.status, domain::task_status::pending);
    EXPECT_TRUE(t.task.is_open());
    EXPECT_EQ(t.task.created_date, "2026-11-27T10:00:00-06:00");
    EXPECT_EQ(t.task.responsible_id, 1);
    EXPECT_EQ(t.task.created_by, 12);
    EXPECT_EQ(t.task.created_by_name, "Laura Méndez");
    EXPECT_EQ(t.task.group_id, 42);
    EXPECT_EQ(t.task.changed_date, "2026-11-28T04:02:15-06:00");
    EXPECT_EQ(t.chat_id, 77);
    EXPECT_TRUE(t.new_card());
    EXPECT_EQ(t.auditors, (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(t.task.tags, (std::vector<std::string>{"alta"}));
    EXPECT_EQ(t.task.uf.at("UF_AUTO_4998"), "QRO");
    EXPECT_EQ(t.task.uf.at("UF_CRM_TASK"), "");
    EXPECT_EQ(t.task.uf.at("UF_MULTI"), "a, b");
    EXPECT_EQ(t.closed_date, "");
}

TEST(BitrixDecode, SelectedCustomFieldKeepsItsExactName) {
    auto v = json::parse(R"({"id":1,"ufCrmTask2":"x"})");
    EXPECT_EQ(decode_task(v).task.uf.count("UF_CRM_TASK_2"), 1u);  // the guess
    EXPECT_EQ(decode_task(v, {"UF_CRM_TASK2"}).task.uf.at("UF_CRM_TASK2"), "x");
}

TEST(BitrixDecode, UpperCaseTaskFromLegacyMethods) {
    auto v = json::parse(R"({"ID":"9","TITLE":"Baja","REAL_STATUS":"5","STATUS":"-1",
        "RESPONSIBLE_ID":"7","CREATED_BY":13,"GROUP_ID":"0","TAGS":["baja"],"UF_X":"1"})");
    auto t = decode_task(v);
    EXPECT_EQ(t.task.id, 9);
    EXPECT_EQ(t.status(), TaskStatus::completed);
    EXPECT_EQ(t.task.status, domain::task_status::completed);
    EXPECT_FALSE(t.task.is_open());
    EXPECT_EQ(t.task.created_by, 13);
    EXPECT_EQ(t.task.tags, (std::vector<std::string>{"baja"}));
    EXPECT_EQ(t.task.uf.at("UF_X"), "1");
    EXPECT_FALSE(t.new_card());
}

// STATUS and CREATED_DATE in both shapes the portal uses: camelCase from tasks.task.* (status as
// a string or an int; subStatus is the meta-status and never the real one) and UPPER_CASE from
// the legacy methods (REAL_STATUS wins over the meta STATUS).
TEST(BitrixDecode, StatusAndCreatedDateInBothShapes) {
    struct Case {
        const char* json;
        int status;
        bool open;
    };
    const Case cases[] = {
        {R"({"id":"1","status":"1","subStatus":"-2"})", 1, true},
        {R"({"id":"1","status":"2","subStatus":"-1"})", 2, true},
        {R"({"id":"1","status":3})", 3, true},
        {R"({"id":"1","status":"4"})", 4, false},
        {R"({"id":"1","status":"5"})", 5, false},
        {R"({"id":"1","status":"6"})", 6, false},
        {R"({"id":"1","status":"7"})", 7, false},
        {R"({"id":"1","subStatus":"-1"})", 0, false},  // no real status: unknown, not open
        {R"({"id":"1","status":"9"})", 0, false},      // out of range
        {R"({"id":"1","status":"-2"})", 0, false},     // a meta-status is no status
        {R"({"id":"1","status":""})", 0, false},
        {R"({"ID":"1","REAL_STATUS":"6","STATUS":"-1"})", 6, false},
        {R"({"ID":"1","STATUS":"3"})", 3, true},
        {R"({"ID":"1","STATUS":"-3"})", 0, false},
    };
    for (const auto& c : cases) {
        auto t = decode_task(json::parse(c.json));
        EXPECT_EQ(t.task.status, c.status) << c.json;
        EXPECT_EQ(static_cast<int>(t.status()), c.status) << c.json;
        EXPECT_EQ(t.task.is_open(), c.open) << c.json;
    }
    EXPECT_EQ(decode_task(json::parse(R"({"id":1,"createdDate":"2026-01-05T09:00:00-06:00"})"))
                  .task.created_date,
              "2026-01-05T09:00:00-06:00");
    EXPECT_EQ(decode_task(json::parse(R"({"ID":1,"CREATED_DATE":"2026-01-05T09:00:00+00:00"})"))
                  .task.created_date,
              "2026-01-05T09:00:00+00:00");
    EXPECT_EQ(decode_task(json::parse(R"({"id":1})")).task.created_date, "");
}

TEST(BitrixDecode, CommentsFromBothCards) {
    auto classic = decode_comment_item(json::parse(
        R"({"ID":"3155","AUTHOR_ID":"503","AUTHOR_NAME":"Ann Lee","POST_DATE":"2025-07-15T14:30:00+02:00","POST_MESSAGE":"/aprobar","ATTACHED_OBJECTS":{}})"));
    EXPECT_EQ(classic.id, 3155);
    EXPECT_EQ(classic.author_id, 503);
    EXPECT_EQ(classic.date, "2025-07-15T14:30:00+02:00");
    EXPECT_EQ(classic.text, "/aprobar");
    auto chat = decode_chat_message(json::parse(
        R"({"id":88,"chat_id":5,"author_id":0,"date":"2026-01-01T00:00:00+00:00","text":"Task started","unread":false})"));
    EXPECT_EQ(chat.id, 88);
    EXPECT_EQ(chat.author_id, 0);
    EXPECT_EQ(chat.text, "Task started");
}

TEST(BitrixDecode, UsersAndDepartments) {
    auto u = decode_user(json::parse(
        R"({"ID":"12","ACTIVE":"N","NAME":"Laura","LAST_NAME":"Méndez","EMAIL":"l@x.com","UF_DEPARTMENT":[3,"5"],"USER_TYPE":"employee"})"));
    EXPECT_EQ(u.id, 12);
    EXPECT_FALSE(u.active);
    EXPECT_EQ(u.full_name(), "Laura Méndez");
    EXPECT_EQ(u.departments, (std::vector<std::int64_t>{3, 5}));
    auto d = decode_department(json::parse(R"({"ID":"2","NAME":"TI","SORT":500,"PARENT":"1"})"));
    EXPECT_EQ(d.id, 2);
    EXPECT_EQ(d.parent, 1);
    EXPECT_EQ(d.head, 0);
}

net::HttpResponse response(int status, std::string body, std::string type = "application/json") {
    net::HttpResponse r;
    r.status = status;
    r.headers.push_back({"Content-Type", std::move(type)});
    r.body = std::move(body);
    return r;
}

struct CodeCase {
    int status;
    const char* code;
    core::ErrorKind kind;
};

TEST(BitrixErrors, KindFollowsTheCodeNotTheStatus) {
    const CodeCase cases[] = {
        {503, "QUERY_LIMIT_EXCEEDED", core::ErrorKind::retryable},
        {503, "OVERLOAD_LIMIT", core::ErrorKind::retryable},
        {429, "OPERATION_TIME_LIMIT", core::ErrorKind::retryable},
        {401, "expired_token", core::ErrorKind::auth},
        {401, "NO_AUTH_FOUND", core::ErrorKind::auth},
        {401, "INVALID_CREDENTIALS", core::ErrorKind::auth},
        {403, "INVALID_CREDENTIALS", core::ErrorKind::auth},
        {401, "insufficient_scope", core::ErrorKind::auth},
        {403, "ACCESS_DENIED", core::ErrorKind::auth},
        {403, "user_access_error", core::ErrorKind::auth},
        {403, "wrong_auth_type", core::ErrorKind::auth},  // case-insensitive
        {404, "ERROR_METHOD_NOT_FOUND", core::ErrorKind::permanent},
        {400, "0", core::ErrorKind::permanent},
        {400, "100", core::ErrorKind::permanent},
        {400, "1048582", core::ErrorKind::permanent},
        {400, "ERROR_CORE", core::ErrorKind::permanent},
        {500, "INTERNAL_SERVER_ERROR", core::ErrorKind::retryable},
        {200, "ERROR_CORE", core::ErrorKind::permanent},  // an error even with 200
    };
    for (const auto& c : cases) {
        json::object o{{"error", c.code}, {"error_description", "x"}};
        auto r = decode_response("m", response(c.status, json::serialize(o)), AuthMode::webhook);
        ASSERT_FALSE(r.has_value()) << c.code;
        EXPECT_EQ(r.error().kind, c.kind) << c.code << " " << c.status;
        EXPECT_EQ(r.error().service_code, c.code);
        EXPECT_EQ(r.error().http_status, c.status);
    }
}

TEST(BitrixErrors, AuthErrorsNameTheConfigKey) {
    auto r = decode_response(
        "user.current",
        response(
            401,
            R"({"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"})"),
        AuthMode::webhook);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("bitrix.webhook_secret_file"), std::string::npos);
    auto o = decode_response("user.current", response(401, R"({"error":"NO_AUTH_FOUND"})"),
                             AuthMode::oauth);
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message.find("bitrix.oauth_refresh_token_file"), std::string::npos);
}

TEST(BitrixErrors, HtmlDescriptionIsCleaned) {
    auto r = decode_response(
        "tasks.task.update",
        response(400,
                 R"({"error":"ERROR_CORE","error_description":"Unknown user\u003Cbr\u003Eid 99"})"),
        AuthMode::webhook);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "tasks.task.update: Unknown user id 99");
}

TEST(BitrixErrors, HtmlBodyIsRetryable) {
    auto r = decode_response(
        "batch", response(200, "<html><body>502 Bad Gateway</body></html>", "text/html"),
        AuthMode::webhook);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, core::ErrorKind::retryable);
    EXPECT_NE(r.error().message.find("instead of JSON"), std::string::npos);
    EXPECT_NE(r.error().message.find("text/html"), std::string::npos);
}

TEST(BitrixErrors, RenamedPortalIsReportedNotFollowed) {
    auto r = response(302, "<html>moved</html>", "text/html");
    r.headers.push_back(
        {"Location", "https://nuevo.bitrix24.com/rest/1/secret-xyz/user.current.json"});
    auto out = decode_response("user.current", r, AuthMode::webhook);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, core::ErrorKind::permanent);
    EXPECT_EQ(out.error().service_code, "PORTAL_MOVED");
    EXPECT_NE(out.error().message.find("https://nuevo.bitrix24.com"), std::string::npos);
    EXPECT_NE(out.error().message.find("bitrix.portal_url"), std::string::npos);
    EXPECT_EQ(out.error().message.find("secret-xyz"), std::string::npos);
}

TEST(BitrixErrors, OperatingLimitCarriesTheResetTime) {
    auto r = decode_response(
        "tasks.task.list",
        response(
            429,
            R"({"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked due to operation time limit.","time":{"operating_reset_at":1760000600,"operating":481.2}})"),
        AuthMode::webhook);
    ASSERT_FALSE(r);
    ASSERT_TRUE(r.error().not_before.has_value());
    EXPECT_EQ(
        std::chrono::duration_cast<std::chrono::seconds>(r.error().not_before->time_since_epoch())
            .count(),
        1760000600);
}

// Found by the fuzz target bitrix_decode (UBSan: float-cast-overflow): a reset time beyond what
// the clock can hold was converted to nanoseconds as is, an undefined conversion that gave a
// date in 1677 on x86. Such a time is now ignored, as an absent one.
TEST(BitrixErrors, OperatingResetBeyondTheClocksRangeIsIgnored) {
    for (const char* at : {"184467440737095516151760000600", "1e300", "9300000000"}) {
        auto r = decode_response(
            "tasks.task.list",
            response(429, std::string(
                              R"({"error":"OPERATION_TIME_LIMIT","time":{"operating_reset_at":)") +
                              at + "}}"),
            AuthMode::webhook);
        ASSERT_FALSE(r) << at;
        EXPECT_EQ(r.error().service_code, "OPERATION_TIME_LIMIT") << at;
        EXPECT_FALSE(r.error().not_before.has_value()) << at;
    }
}

TEST(BitrixErrors, EnvelopeWithTotalAndNext) {
    auto r = decode_response("tasks.task.list",
                             response(200, R"({"result":{"tasks":[]},"total":"137","next":50})"),
                             AuthMode::webhook);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->total, 137);
    EXPECT_EQ(r->next, 50);
    auto none = decode_response("x", response(200, R"({"time":{}})"), AuthMode::webhook);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind, core::ErrorKind::permanent);
}

}  // namespace
}  // namespace hrmaild::bitrix
