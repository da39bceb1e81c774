// Routes, authentication, the envelope and the request encodings of the Bitrix24 emulator.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {

TEST_F(BitrixTest, WebhookPathComesFromPortalJson) {
    EXPECT_EQ(bitrix.webhook_path(), "/rest/1/sandbox-webhook-secret/");
}

struct RouteCase {
    const char* target;
    int status;
    const char* error;  // empty: success
};

class BitrixRoutes : public BitrixTest, public ::testing::WithParamInterface<RouteCase> {};

TEST_P(BitrixRoutes, AnswersEachRoute) {
    auto a = send("GET", GetParam().target, "", "");
    EXPECT_EQ(a.status, GetParam().status) << GetParam().target;
    EXPECT_EQ(a.error(), GetParam().error) << GetParam().target;
    if (std::string(GetParam().error).empty()) {
        EXPECT_TRUE(a.result().is_object()) << GetParam().target;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, BitrixRoutes,
    ::testing::Values(
        RouteCase{"/rest/1/sandbox-webhook-secret/user.current", 200, ""},
        RouteCase{"/rest/1/sandbox-webhook-secret/user.current.json", 200, ""},
        RouteCase{"/rest/1/sandbox-webhook-secret/user.current/", 200, ""},
        RouteCase{"/rest/1/sandbox-webhook-secret/USER.Current.json/", 200, ""},
        RouteCase{"/rest/1/sandbox-webhook-secret/tasks.task.get?taskId=1", 200, ""},
        RouteCase{"/rest/1/sandbox-webhook-secret/Tasks.Task.Get?taskId=1", 200, ""},
        RouteCase{"/rest/1/wrong-secret/user.current", 401, "INVALID_CREDENTIALS"},
        RouteCase{"/rest/7/sandbox-webhook-secret/user.current", 401, "INVALID_CREDENTIALS"},
        RouteCase{"/rest/x/sandbox-webhook-secret/user.current", 401, "INVALID_CREDENTIALS"},
        RouteCase{"/rest/1/sandbox-webhook-secret/tasks.task.nothing", 404,
                  "ERROR_METHOD_NOT_FOUND"},
        RouteCase{"/rest/sandbox-webhook-secret/user.current", 404, "ERROR_METHOD_NOT_FOUND"},
        RouteCase{"/rest/user.current", 401, "NO_AUTH_FOUND"},
        RouteCase{"/rest/user.current?auth=bogus", 401, "invalid_token"}));

TEST_F(BitrixTest, WrongSecretSwitchAnswersNoAuthFound) {
    auto o = bitrix.options();
    o.wrong_secret_no_auth_found = true;
    bitrix.configure(o);
    auto a = send("GET", "/rest/1/nope/user.current", "", "");
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.error(), "NO_AUTH_FOUND");
    EXPECT_EQ(a.description(), "Wrong authorization data");
}

TEST_F(BitrixTest, WrongSecretWinsOverUnknownMethod) {
    auto a = send("GET", "/rest/1/nope/no.such.method", "", "");
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.error(), "INVALID_CREDENTIALS");
    EXPECT_EQ(a.description(), "Invalid request credentials");
}

TEST_F(BitrixTest, OAuthTokenActsAsItsUserUntilItExpires) {
    auto token = bitrix.issue_oauth_token(7, std::chrono::seconds(3600));
    auto a = send("GET", "/rest/user.current?auth=" + token, "", "");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.result().at("ID"), json::value("7"));
    // The token may also travel in the body, as CRest sends it.
    auto b = send("POST", "/rest/user.current.json", "auth=" + token,
                  "application/x-www-form-urlencoded");
    EXPECT_EQ(b.status, 200);
    clock.advance(std::chrono::seconds(3601));
    auto c = send("GET", "/rest/user.current?auth=" + token, "", "");
    EXPECT_EQ(c.status, 401);
    EXPECT_EQ(c.error(), "expired_token");
}

TEST_F(BitrixTest, EnvelopeCarriesTheTimeBlock) {
    auto a = get("user.current");
    ASSERT_EQ(a.status, 200);
    const auto& t = a.body.at("time").as_object();
    for (const char* k : {"start", "finish", "duration", "processing"}) {
        EXPECT_TRUE(t.at(k).is_double()) << k;
    }
    EXPECT_GE(t.at("finish").as_double(), t.at("start").as_double());
    EXPECT_NEAR(t.at("start").as_double(), clock.unix_seconds(), 5.0);
    EXPECT_TRUE(t.at("operating").is_number());
    EXPECT_TRUE(t.at("operating_reset_at").is_int64());
    for (const char* k : {"date_start", "date_finish"}) {
        std::string d(t.at(k).as_string());
        ASSERT_EQ(d.size(), 25u) << d;
        EXPECT_EQ(d.substr(19), "-06:00") << d;
        EXPECT_EQ(d[10], 'T');
    }
    EXPECT_FALSE(a.body.as_object().contains("total"));
    EXPECT_FALSE(a.body.as_object().contains("next"));
}

// The same tasks.task.list call in every encoding a client may use gives the same tasks.
struct EncodingCase {
    const char* name;
    const char* http_method;
    const char* query;
    const char* body;
    const char* content_type;
};

class BitrixEncodings : public BitrixTest, public ::testing::WithParamInterface<EncodingCase> {};

TEST_P(BitrixEncodings, AllGiveTheSameFilteredList) {
    const auto& c = GetParam();
    std::string target = bitrix.webhook_path() + "tasks.task.list";
    if (std::string(c.query).size() > 0) {
        target += std::string("?") + c.query;
    }
    auto a = send(c.http_method, target, c.body, c.content_type);
    ASSERT_EQ(a.status, 200) << c.name << " " << a.body;
    const auto& list = a.result().at("tasks").as_array();
    std::vector<std::string> ids;
    for (const auto& t : list) {
        ids.push_back(str(t.at("id")));
        EXPECT_TRUE(t.as_object().contains("title")) << c.name;
        EXPECT_FALSE(t.as_object().contains("description")) << c.name;  // select honoured
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"4", "5", "6"})) << c.name;
    EXPECT_EQ(a.body.at("total"), json::value(3)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Forms, BitrixEncodings,
    ::testing::Values(
        EncodingCase{"query-raw", "GET",
                     "filter[>ID]=3&filter[<ID]=7&order[ID]=asc&select[]=ID&select[]=TITLE", "",
                     ""},
        EncodingCase{"query-encoded", "GET",
                     "filter%5B%3EID%5D=3&filter%5B%3C%3DID%5D=6&order%5BID%5D=asc&select%5B%5D="
                     "ID&select%5B%5D=TITLE",
                     "", ""},
        EncodingCase{"form", "POST", "",
                     "filter%5B%3EID%5D=3&filter%5B%3C%3DID%5D=6&order%5BID%5D=asc&select%5B0%5D="
                     "ID&select%5B1%5D=TITLE",
                     "application/x-www-form-urlencoded"},
        EncodingCase{
            "json", "POST", "",
            R"({"filter":{">ID":3,"<=ID":"6"},"order":{"ID":"asc"},"select":["ID","TITLE"]})",
            "application/json"},
        EncodingCase{
            "json-no-content-type", "POST", "",
            R"({"filter":{">ID":3,"<=ID":6},"order":{"ID":"asc"},"select":["ID","TITLE"]})", ""},
        EncodingCase{"mixed-query-and-json", "POST", "order[ID]=asc&select[]=ID&select[]=TITLE",
                     R"({"filter":{">ID":3,"<=ID":6}})", "application/json; charset=utf-8"},
        EncodingCase{"mixed-query-and-form", "POST", "filter[>ID]=3&filter[<ID]=7",
                     "order[ID]=asc&select[]=ID&select[]=TITLE",
                     "application/x-www-form-urlencoded"}),
    [](const auto& tp) {
        std::string n = tp.param.name;
        std::replace(n.begin(), n.end(), '-', '_');
        return n;
    });

TEST_F(BitrixTest, FloatsAreWrittenAsPhpDoes) {
    auto o = bitrix.options();
    o.operating_limit = true;
    o.operating_cost_seconds = 2;
    bitrix.configure(o);
    Request req;
    req.method = "GET";
    req.target = bitrix.webhook_path() + "user.current";
    bitrix.handle(req);
    auto r = bitrix.handle(req);
    // `"start":1795861628.028878`, never Boost's `1.795861628028878E9`; `operating` is the
    // method's sum over 10 minutes (two calls billed 2 s each), written `4.0`.
    auto pos = r.body.find("\"start\":");
    ASSERT_NE(pos, std::string::npos);
    auto end = r.body.find(',', pos);
    std::string start = r.body.substr(pos + 8, end - pos - 8);
    EXPECT_EQ(start.find_first_of("eE"), std::string::npos) << start;
    EXPECT_NE(start.find('.'), std::string::npos) << start;
    EXPECT_NE(r.body.find("\"operating\":4.0"), std::string::npos) << r.body;
    EXPECT_NEAR(json::parse(r.body).at("time").at("start").as_double(), clock.unix_seconds(), 5.0);
}

TEST_F(BitrixTest, BodyWinsOverQueryForTheSameKey) {
    auto a = send("POST", bitrix.webhook_path() + "tasks.task.get?taskId=1", R"({"taskId":2})",
                  "application/json");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.result().at("task").at("id"), json::value("2"));
}

TEST_F(BitrixTest, StateCountsCallsPerMethod) {
    get("user.current");
    get("USER.CURRENT.json");
    call("tasks.task.list");
    auto s = bitrix.state();
    EXPECT_EQ(s.at("calls").at("user.current"), json::value(2));
    EXPECT_EQ(s.at("calls").at("tasks.task.list"), json::value(1));
    EXPECT_EQ(s.at("requests_total"), json::value(3));
}

TEST_F(BitrixTest, ResetForgetsEverything) {
    bitrix.reset();
    auto s = bitrix.state();
    EXPECT_TRUE(s.at("tasks").as_array().empty());
    EXPECT_TRUE(s.at("users").as_array().empty());
    auto a = call("tasks.task.get", {{"taskId", 1}});
    EXPECT_EQ(a.result(), json::array());
}

TEST_F(BitrixTest, OAuthRefreshRotatesTheRefreshToken) {
    auto oauth = [this](BitrixEmulator& b, const std::string& query) {
        Request req;
        req.method = "GET";
        req.target = "/oauth/token/?" + query;
        return parse(b.handle_oauth(req));
    };
    auto o = bitrix.options();
    o.oauth_access_lifetime_seconds = 600;
    bitrix.configure(o);
    const std::string app =
        "grant_type=refresh_token&client_id=local.sandbox&client_secret=sandbox-client-secret";
    auto a = oauth(bitrix, app + "&refresh_token=sandbox-refresh-token");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto& r = a.body.as_object();
    EXPECT_EQ(r.at("expires_in"), json::value(600));
    EXPECT_EQ(r.at("client_endpoint"), json::value("https://tarmexico.bitrix24.com/rest/"));
    EXPECT_EQ(r.at("user_id"), json::value(1));
    std::string access(r.at("access_token").as_string());
    std::string refresh(r.at("refresh_token").as_string());
    EXPECT_NE(refresh, "sandbox-refresh-token");
    // The old refresh token is spent.
    auto again = oauth(bitrix, app + "&refresh_token=sandbox-refresh-token");
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(again.error(), "invalid_grant");
    // The access token works on /rest/{method} until it expires.
    EXPECT_EQ(send("GET", "/rest/tasks.task.get?taskId=1&auth=" + access, "", "").status, 200);
    clock.advance(std::chrono::seconds(601));
    auto expired = send("GET", "/rest/tasks.task.get?taskId=1&auth=" + access, "", "");
    EXPECT_EQ(expired.status, 401);
    EXPECT_EQ(expired.error(), "expired_token");
    // A POSTed form refresh with the new token works, once.
    Request post;
    post.method = "POST";
    post.target = "/oauth/token/";
    post.body = app + "&refresh_token=" + refresh;
    post.headers["content-type"] = "application/x-www-form-urlencoded";
    auto b = parse(bitrix.handle_oauth(post));
    ASSERT_EQ(b.status, 200) << b.body;
    EXPECT_EQ(bitrix.state().at("oauth").at("refreshes"), json::value(2));
    auto wrong = oauth(
        bitrix, "grant_type=refresh_token&client_id=local.sandbox&client_secret=x&refresh_token=" +
                    std::string(b.body.at("refresh_token").as_string()));
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.error(), "invalid_client");
}

// Reference section 13: the portal's sign-in for a local application and the code grant.
TEST_F(BitrixTest, AuthorizeGivesASingleUseCodeBoundToTheUserAndTheApp) {
    auto get = [&](const std::string& target) {
        Request req;
        req.method = "GET";
        req.target = target;
        return bitrix.handle_authorize(req);
    };
    // No handler URL registered yet.
    EXPECT_EQ(get("/oauth/authorize/?client_id=local.sandbox&state=s").status, 400);
    bitrix.set_oauth_handler_url("http://127.0.0.1:9/consola/oauth");
    EXPECT_EQ(get("/oauth/authorize/?client_id=local.other&state=s").status, 400);
    auto page = get("/oauth/authorize/?client_id=local.sandbox&state=s%3C1");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Entrar como Camilo Luna (7)"), std::string::npos);
    EXPECT_NE(page.body.find("value=\"s&lt;1\""), std::string::npos);  // the state, escaped
    EXPECT_EQ(get("/oauth/authorize/?client_id=local.sandbox&state=s&user_id=999").status, 400);
    auto chosen = get("/oauth/authorize/?client_id=local.sandbox&state=s%261&user_id=7");
    ASSERT_EQ(chosen.status, 302);
    std::string location;
    for (const auto& [k, v] : chosen.headers)
        if (k == "Location")
            location = v;
    ASSERT_TRUE(location.starts_with("http://127.0.0.1:9/consola/oauth?code=")) << location;
    EXPECT_NE(location.find("&state=s%261&"), std::string::npos) << location;
    EXPECT_NE(location.find("&member_id="), std::string::npos);
    auto code = location.substr(location.find("code=") + 5, 32);

    auto exchange = [&](const std::string& form) {
        Request req;
        req.method = "POST";
        req.target = "/oauth/token/";
        req.body = form;
        req.headers["content-type"] = "application/x-www-form-urlencoded";
        return parse(bitrix.handle_oauth(req));
    };
    const std::string app =
        "grant_type=authorization_code&client_id=local.sandbox&client_secret=sandbox-client-secret";
    auto wrong_client = exchange(
        "grant_type=authorization_code&client_id=local.sandbox&client_secret=x&code=" + code);
    EXPECT_EQ(wrong_client.status, 401);
    auto token = exchange(app + "&code=" + code);
    ASSERT_EQ(token.status, 200) << token.body;
    EXPECT_EQ(token.body.at("user_id"), json::value(7));
    std::string access(token.body.at("access_token").as_string());
    // user.current with that token is the chosen user.
    auto me =
        send("POST", "/rest/user.current", "auth=" + access, "application/x-www-form-urlencoded");
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(me.body.at("result").at("ID"), json::value("7"));
    // Single use.
    auto again = exchange(app + "&code=" + code);
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(again.error(), "invalid_grant");
    // Valid about 30 s.
    auto late = get("/oauth/authorize/?client_id=local.sandbox&state=s&user_id=12");
    std::string late_location;
    for (const auto& [k, v] : late.headers)
        if (k == "Location")
            late_location = v;
    auto late_code = late_location.substr(late_location.find("code=") + 5, 32);
    clock.advance(std::chrono::seconds(31));
    auto expired = exchange(app + "&code=" + late_code);
    EXPECT_EQ(expired.status, 400);
    EXPECT_EQ(expired.error(), "invalid_grant");
}

}  // namespace
}  // namespace hrmaild::sandbox::test
