// Zoho Accounts token endpoint, the API's authentication and throttle answers, organization
// details and storage, over raw HTTP.
#include "tests/integration/sandbox/fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

using ZohoAuth = SandboxTest;

TEST_F(ZohoAuth, RefreshGrantInFormBodyOrQueryGivesABearerTokenForAnHour) {
    auto form = mint();
    ASSERT_EQ(form.status, 200);
    auto v = form.json().as_object();
    EXPECT_TRUE(v.at("access_token").as_string().starts_with("1000."));
    EXPECT_EQ(v.at("token_type"), "Bearer");
    EXPECT_EQ(v.at("expires_in"), 3600);
    EXPECT_FALSE(v.contains("refresh_token"));

    auto query =
        http_request(port(), "POST",
                     "/oauth/v2/token?grant_type=refresh_token&client_id=1000.SANDBOXCLIENT"
                     "&client_secret=sandbox-client-secret"
                     "&refresh_token=1000.sandbox-refresh-token");
    ASSERT_EQ(query.status, 200);
    EXPECT_TRUE(query.json().as_object().contains("access_token"));
    EXPECT_NE(query.json().at("access_token"), v.at("access_token"));
}

TEST_F(ZohoAuth, TokenEndpointErrorsArriveWithHttp200) {
    auto call = [&](const std::string& params) {
        return http_request(port(), "POST", "/oauth/v2/token?" + params);
    };
    auto bad_client = call(
        "grant_type=refresh_token&client_id=nope&client_secret=x&refresh_token=1000.sandbox-"
        "refresh-token");
    EXPECT_EQ(bad_client.status, 200);
    EXPECT_EQ(bad_client.json().at("error"), "invalid_client");
    auto bad_secret = call(
        "grant_type=refresh_token&client_id=1000.SANDBOXCLIENT&client_secret=wrong"
        "&refresh_token=1000.sandbox-refresh-token");
    EXPECT_EQ(bad_secret.status, 200);
    EXPECT_EQ(bad_secret.json().at("error"), "invalid_client_secret");
    auto bad_refresh = mint("1000.not-a-token");
    EXPECT_EQ(bad_refresh.status, 200);
    EXPECT_EQ(bad_refresh.json().at("error"), "invalid_code");
    EXPECT_EQ(state().at("zoho").at("oauth").at("tokens_minted"), 0);
}

TEST_F(ZohoAuth, TenMintsPerTenMinutesThenAccessDeniedUntilTheWindowMoves) {
    for (int i = 0; i < 10; ++i) {
        auto r = mint();
        ASSERT_TRUE(r.json().as_object().contains("access_token")) << "mint " << i << r.body;
    }
    auto denied = mint();
    EXPECT_EQ(denied.status, 400);
    EXPECT_EQ(denied.json().at("error"), "Access Denied");
    EXPECT_EQ(denied.json().at("status"), "failure");
    EXPECT_TRUE(
        denied.json().at("error_description").as_string().starts_with("You have made too many"));

    auto st = state();
    EXPECT_EQ(st.at("zoho").at("oauth").at("tokens_minted"), 10);
    EXPECT_EQ(st.at("zoho").at("oauth").at("mint_refused"), 1);
    EXPECT_EQ(st.at("requests").at("by_route").at("POST /oauth/v2/token"), 11);

    control("POST", "clock", json::object{{"advance_seconds", 601}});
    EXPECT_TRUE(mint().json().as_object().contains("access_token"));
}

TEST_F(ZohoAuth, MintRefusalStatusIsConfigurable) {
    ASSERT_EQ(control("POST", "config",
                      json::object{
                          {"zoho", json::object{{"mint_limit", 1}, {"mint_denied_status", 200}}}})
                  .status,
              200);
    EXPECT_TRUE(mint().json().as_object().contains("access_token"));
    auto denied = mint();
    EXPECT_EQ(denied.status, 200);
    EXPECT_EQ(denied.json().at("error"), "Access Denied");
}

TEST_F(ZohoAuth, AccessTokenExpiresOnTheSandboxClock) {
    std::string t = token();
    auto first = http_request(port(), "GET", org_path(), {}, zoho_auth(t));
    EXPECT_EQ(first.status, 200);
    control("POST", "clock", json::object{{"advance_seconds", 3599}});
    EXPECT_EQ(http_request(port(), "GET", org_path(), {}, zoho_auth(t)).status, 200);
    control("POST", "clock", json::object{{"advance_seconds", 2}});
    auto expired = http_request(port(), "GET", org_path(), {}, zoho_auth(t));
    EXPECT_EQ(expired.status, 401);
    EXPECT_EQ(error_code(expired), "INVALID_OAUTHTOKEN");
    EXPECT_EQ(expired.json().at("status").at("description"), "Invalid Access");
    EXPECT_FALSE(expired.json().at("data").as_object().contains("moreInfo"));
}

TEST_F(ZohoAuth, TokenLifetimeIsConfigurable) {
    control("POST", "config", json::object{{"zoho", json::object{{"token_lifetime_seconds", 60}}}});
    auto r = mint();
    EXPECT_EQ(r.json().at("expires_in"), 60);
    std::string t(r.json().at("access_token").as_string());
    control("POST", "clock", json::object{{"advance_seconds", 61}});
    EXPECT_EQ(error_code(http_request(port(), "GET", org_path(), {}, zoho_auth(t))),
              "INVALID_OAUTHTOKEN");
}

TEST_F(ZohoAuth, AuthenticationErrors) {
    auto none = http_request(port(), "GET", org_path() + "/accounts");
    EXPECT_EQ(none.status, 400);
    EXPECT_EQ(error_code(none), "INVALID_TICKET");
    EXPECT_EQ(none.json().at("data").at("moreInfo"), "Invalid ticket");
    EXPECT_EQ(none.json().at("status").at("description"), "Invalid Input");

    std::string t = token();
    auto bearer = http_request(port(), "GET", org_path() + "/accounts", {},
                               {{"Authorization", "Bearer " + t}});
    EXPECT_EQ(bearer.status, 401);
    EXPECT_EQ(error_code(bearer), "INVALID_OAUTHTOKEN");
    auto garbage = http_request(port(), "GET", org_path() + "/accounts", {}, zoho_auth("1000.x.y"));
    EXPECT_EQ(garbage.status, 401);
    EXPECT_EQ(error_code(garbage), "INVALID_OAUTHTOKEN");
}

TEST_F(ZohoAuth, MissingScopeAnswersTheFlatInvalidOauthscopeBody) {
    control("POST", "config",
            json::object{
                {"zoho",
                 json::object{{"scopes", json::array{"ZohoMail.organization.accounts.READ"}}}}});
    std::string t = token();
    EXPECT_EQ(http_request(port(), "GET", org_path() + "/accounts", {}, zoho_auth(t)).status, 200);
    auto create = http_request(
        port(), "POST", org_path() + "/accounts",
        R"({"primaryEmailAddress":"x.y@tarmexico.com","password":"Qw#9rTz!8kLm"})", zoho_auth(t));
    EXPECT_EQ(create.status, 401);
    EXPECT_EQ(create.json().at("errorCode"), "INVALID_OAUTHSCOPE");
    EXPECT_EQ(create.json().at("status"), "401");
    auto groups = http_request(port(), "GET", org_path() + "/groups", {}, zoho_auth(t));
    EXPECT_EQ(groups.status, 401);
    EXPECT_EQ(error_code(groups), "INVALID_OAUTHSCOPE");
    auto org = http_request(port(), "GET", org_path(), {}, zoho_auth(t));
    EXPECT_EQ(error_code(org), "INVALID_OAUTHSCOPE");
}

TEST_F(ZohoAuth, PerTokenBudgetThrottlesWith429ByDefault) {
    control("POST", "config", json::object{{"zoho", json::object{{"requests_per_minute", 3}}}});
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(api("GET", org_path()).status, 200) << i;
    auto throttled = api("GET", org_path());
    EXPECT_EQ(throttled.status, 429);
    EXPECT_EQ(error_code(throttled), "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED");
    EXPECT_EQ(throttled.headers.count("retry-after"), 0u);
    // Another token has its own budget.
    EXPECT_EQ(http_request(port(), "GET", org_path(), {}, zoho_auth(token())).status, 200);
    control("POST", "clock", json::object{{"advance_seconds", 61}});
    EXPECT_EQ(api("GET", org_path()).status, 200);
    EXPECT_EQ(state().at("zoho").at("oauth").at("throttled"), 1);
}

TEST_F(ZohoAuth, ThrottleModeSwitchAnswers400WithTheSameCode) {
    control(
        "POST", "config",
        json::object{{"zoho", json::object{{"requests_per_minute", 1}, {"throttle_mode", "400"}}}});
    EXPECT_EQ(api("GET", org_path()).status, 200);
    auto throttled = api("GET", org_path());
    EXPECT_EQ(throttled.status, 400);
    EXPECT_EQ(error_code(throttled), "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED");
}

TEST_F(ZohoAuth, OrganizationDetailsWithAndWithoutZoid) {
    auto bare = api("GET", "/api/organization");
    ASSERT_EQ(bare.status, 200);
    auto with = api("GET", org_path());
    ASSERT_EQ(with.status, 200);
    EXPECT_EQ(bare.json().at("data"), with.json().at("data"));
    auto d = with.json().at("data").as_object();
    EXPECT_EQ(d.at("zoid"), seeded_zoid);
    EXPECT_EQ(d.at("orgName"), "TAR Aerolíneas");
    EXPECT_EQ(d.at("usersCount"), 8);
    EXPECT_EQ(d.at("groupCount"), 4);
    EXPECT_EQ(d.at("licenseCount"), 400);
    EXPECT_EQ(d.at("mailboxCount"), 8);
    EXPECT_EQ(d.at("superAdmin"), "admin@tarmexico.com");
    EXPECT_EQ(d.at("primaryDomainName"), "tarmexico.com");
    EXPECT_EQ(d.at("domains"), (json::array{"tarmexico.com"}));
    for (const char* k : {"basePlan", "planType", "expiryTime", "orgCreationTime",
                          "sharedGroupCount", "partnerOrgCount", "isMailHostingEnabled", "spamVO",
                          "orgPolicyDetails", "zaid", "encryptedZoid", "URI", "superAdminFullName"})
        EXPECT_TRUE(d.contains(k)) << k;

    auto wrong = api("GET", "/api/organization/123");
    EXPECT_EQ(wrong.status, 404);
    auto bad = api("GET", "/api/organization/abc/accounts");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_code(bad), "PATTERN_NOT_MATCHED");
}

TEST_F(ZohoAuth, StorageForTheOrgAndOneUser) {
    auto all = api("GET", org_path() + "/storage");
    ASSERT_EQ(all.status, 200);
    auto list = all.json().at("data").at("userList").as_array();
    ASSERT_EQ(list.size(), 8u);
    for (const char* k :
         {"zuid", "totalStorage", "usedStorage", "mailBox", "basicStorage", "extraStorage"})
        EXPECT_TRUE(list[0].as_object().contains(k)) << k;
    EXPECT_EQ(all.json().at("data").at("orgPlans").at(0).at("totalCount"), 400);
    auto page = api("GET", org_path() + "/storage?start=6&limit=5");
    EXPECT_EQ(page.json().at("data").at("userList").as_array().size(), 2u);

    long long zuid = list[1].at("zuid").as_int64();
    auto one = api("GET", org_path() + "/storage/" + std::to_string(zuid));
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.json().at("data").at("zuid"), zuid);
    auto missing = api("GET", org_path() + "/storage/12345");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(error_code(missing), "USER_NOT_FOUND");
}

TEST_F(ZohoAuth, UnknownRoutesAndMethodsMismatchTheUrlRules) {
    auto unknown = api("GET", org_path() + "/mailboxes");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(error_code(unknown), "URL_RULE_MISMATCH");
    auto method = api("PATCH", org_path() + "/accounts");
    EXPECT_EQ(error_code(method), "URL_RULE_MISMATCH");
    auto other = api("GET", "/api/accounts");
    EXPECT_EQ(error_code(other), "URL_RULE_MISMATCH");
    // An unknown URL is refused before authentication.
    EXPECT_EQ(error_code(http_request(port(), "GET", org_path() + "/mailboxes")),
              "URL_RULE_MISMATCH");
}

TEST_F(ZohoAuth, MalformedJsonBodyIsRefused) {
    auto r = api_raw("POST", org_path() + "/accounts", "{not json");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_code(r), "JSON_PARSE_ERROR");
}

}  // namespace
}  // namespace hrmaild::sandbox::test
