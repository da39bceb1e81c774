// The control API under /_sandbox/: state, counters, reset, seed, clock, config.
#include "tests/integration/sandbox/fixture.hpp"

#include "tests/support/temp_dir.hpp"

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

using Control = SandboxTest;

TEST_F(Control, StateHoldsEverythingAndCountsWhatWentOverTheWire) {
    token();  // a second mint happens in the first api() call
    api("GET", org_path() + "/accounts");
    api("GET", org_path() + "/accounts");
    api("GET", org_path() + "/groups");
    http_request(port(), "GET", "/rest/1/sandbox-webhook-secret/tasks.task.list.json");
    auto st = state();
    for (const char* k : {"bitrix", "zoho", "faults", "clock", "requests", "events", "config"})
        EXPECT_TRUE(st.contains(k)) << k;
    const auto& req = st.at("requests").as_object();
    EXPECT_EQ(req.at("total"), 6);  // 2 mints, 3 API calls, 1 Bitrix call; control not counted
    EXPECT_EQ(req.at("zoho_oauth"), 2);
    EXPECT_EQ(req.at("zoho_api"), 3);
    EXPECT_EQ(req.at("bitrix"), 1);
    EXPECT_EQ(req.at("tokens_minted"), 2);
    EXPECT_EQ(req.at("by_route").at("GET /api/organization/{zoid}/accounts"), 2);
    EXPECT_EQ(req.at("by_route").at("GET /rest/tasks.task.list"), 1);
    EXPECT_EQ(st.at("zoho").at("users").as_array().size(), 8u);
    EXPECT_EQ(st.at("zoho").at("oauth").at("access_tokens").as_array().size(), 2u);
    EXPECT_TRUE(st.at("bitrix").is_object());
    EXPECT_EQ(st.at("config").at("zoho").at("requests_per_minute"), 30);
}

TEST_F(Control, ResetReturnsToTheSeedOrToNothing) {
    ASSERT_EQ(api("DELETE", org_path() + "/accounts",
                  json::object{{"emailList", json::array{"ana.lopez@tarmexico.com"}}})
                  .status,
              200);
    control("POST", "clock", json::object{{"advance_seconds", 100}});
    auto r = control("POST", "reset");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json().at("seeded"), true);
    auto st = state();
    EXPECT_EQ(st.at("zoho").at("users").as_array().size(), 8u);
    EXPECT_EQ(st.at("requests").at("total"), 0);
    EXPECT_EQ(st.at("clock").at("offset_seconds"), 0);
    EXPECT_EQ(st.at("zoho").at("oauth").at("tokens_minted"), 0);
    // Tokens do not survive a reset.
    EXPECT_EQ(error_code(http_request(port(), "GET", org_path(), {}, zoho_auth(token_))),
              "INVALID_OAUTHTOKEN");

    ASSERT_EQ(control("POST", "reset", json::object{{"empty", true}}).status, 200);
    st = state();
    EXPECT_TRUE(st.at("zoho").at("users").as_array().empty());
    EXPECT_TRUE(st.at("zoho").at("organization").is_null());
}

TEST_F(Control, SeedInlineFromAFolderOrAppended) {
    json::object org{
        {"zoid", 777},
        {"orgName", "Otra"},
        {"domains", json::array{"otra.mx"}},
        {"licenseCount", 5},
        {"oauth", json::object{{"client_id", "c"}, {"client_secret", "s"}, {"refresh_token", "r"}}},
        {"users", json::array{json::object{{"primaryEmailAddress", "jefa@otra.mx"},
                                           {"role", "super_admin"}}}}};
    auto r = control("POST", "seed", json::object{{"org", org}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto mint = http_request(
        port(), "POST",
        "/oauth/v2/token?grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r");
    std::string t(mint.json().at("access_token").as_string());
    auto list = http_request(port(), "GET", "/api/organization/777/accounts", {}, zoho_auth(t));
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json().at("data").as_array().size(), 1u);

    hrmaild::test::TempDir dir;
    dir.write("org.json", json::serialize(org));
    ASSERT_EQ(
        control("POST", "seed",
                json::object{
                    {"dir", (hrmaild::test::source_dir() / "tests/fixtures/tickets").string()}})
            .status,
        200);
    EXPECT_EQ(state().at("zoho").at("users").as_array().size(), 8u);
    auto bad = control("POST", "seed", json::object{{"dir", (dir.path() / "nothing").string()}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_TRUE(bad.json().as_object().contains("error"));
    std::filesystem::create_directories(dir.path() / "broken");
    dir.write("broken/org.json", "{");
    auto broken = control("POST", "seed", json::object{{"dir", (dir.path() / "broken").string()}});
    EXPECT_EQ(broken.status, 400);
    EXPECT_NE(std::string(broken.json().at("error").as_string()).find("org.json"),
              std::string::npos);
    EXPECT_EQ(control("POST", "seed", json::object{{"bogus", 1}}).status, 400);
}

TEST_F(Control, ClockMovesForwardAndBack) {
    auto before = control("GET", "clock").json().at("unix_ms").as_int64();
    auto moved = control("POST", "clock", json::object{{"advance_seconds", 3600}});
    ASSERT_EQ(moved.status, 200);
    EXPECT_NEAR(static_cast<double>(moved.json().at("unix_ms").as_int64() - before), 3600000, 5000);
    EXPECT_EQ(moved.json().at("offset_seconds"), 3600);
    EXPECT_EQ(control("POST", "clock", json::object{{"reset", true}}).json().at("offset_seconds"),
              0);
    control("POST", "clock", json::object{{"advance_seconds", -1.5}});
    EXPECT_EQ(control("GET", "clock").json().at("offset_seconds"), -2);
    EXPECT_EQ(control("POST", "clock", json::object{{"advance", 1}}).status, 400);
}

TEST_F(Control, ConfigReadsAndValidates) {
    auto get = control("GET", "config");
    ASSERT_EQ(get.status, 200);
    EXPECT_EQ(get.json().at("zoho").at("token_lifetime_seconds"), 3600);
    EXPECT_EQ(get.json().at("zoho").at("throttle_mode"), "429");
    EXPECT_EQ(get.json().at("bitrix").at("bucket_burst"), 50);
    auto set = control("POST", "config",
                       json::object{{"bitrix", json::object{{"bucket_burst", 5},
                                                            {"event_url", "http://127.0.0.1:9/x"}}},
                                    {"zoho", json::object{{"throttle_mode", "400"}}}});
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(set.json().at("bitrix").at("bucket_burst"), 5);
    EXPECT_EQ(set.json().at("bitrix").at("event_url"), "http://127.0.0.1:9/x");
    EXPECT_EQ(set.json().at("zoho").at("throttle_mode"), "400");
    EXPECT_EQ(control("POST", "config", json::object{{"zoho", json::object{{"bogus", 1}}}}).status,
              400);
    EXPECT_EQ(
        control("POST", "config", json::object{{"zoho", json::object{{"throttle_mode", "418"}}}})
            .status,
        400);
    EXPECT_EQ(control("POST", "config", json::object{{"other", json::object{}}}).status, 400);
}

TEST_F(Control, UnknownRoutesAndWrongMethods) {
    EXPECT_EQ(control("GET", "nothing").status, 404);
    EXPECT_EQ(control("POST", "state").status, 405);
    EXPECT_EQ(control("GET", "reset").status, 405);
    EXPECT_EQ(http_request(port(), "GET", "/elsewhere").status, 404);
}

}  // namespace
}  // namespace hrmaild::sandbox::test
