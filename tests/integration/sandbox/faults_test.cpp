// Fault injection over raw HTTP: each kind, counts, seeded percentages, method filters,
// apply before/after, the fault log, removal.
#include "tests/integration/sandbox/fixture.hpp"

#include <chrono>

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

using Faults = SandboxTest;

TEST_F(Faults, StatusForTheNextNCallsThenNormalAndLogged) {
    auto add = control("POST", "faults",
                       json::object{{"route", "/oauth/v2/token"},
                                    {"kind", "status"},
                                    {"count", 2},
                                    {"status", 503},
                                    {"body", "<html>busy</html>"},
                                    {"content_type", "text/html"}});
    ASSERT_EQ(add.status, 200) << add.body;
    std::string id(add.json().at("ids").at(0).as_string());
    for (int i = 0; i < 2; ++i) {
        auto r = mint();
        EXPECT_EQ(r.status, 503);
        EXPECT_EQ(r.body, "<html>busy</html>");
        EXPECT_EQ(r.headers["content-type"], "text/html");
    }
    EXPECT_EQ(mint().status, 200);
    auto st = state();
    EXPECT_EQ(st.at("zoho").at("oauth").at("tokens_minted"), 1);  // faulted calls never minted
    const auto& f = st.at("faults").at("active").at(0).as_object();
    EXPECT_EQ(f.at("id"), json::value(id));
    EXPECT_EQ(f.at("remaining"), 0);
    EXPECT_EQ(f.at("applied"), 2);
    EXPECT_EQ(f.at("active"), false);
    auto log = control("GET", "log").json().at("entries").as_array();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].at("fault"), json::value(id));
    EXPECT_EQ(log[0].at("kind"), "status");
    EXPECT_EQ(log[0].at("status"), 503);
    EXPECT_EQ(log[0].at("path"), "/oauth/v2/token");
    EXPECT_EQ(log[1].at("seq"), 2);
}

TEST_F(Faults, LatencyDelaysTheAnswer) {
    token_ = token();
    control(
        "POST", "faults",
        json::object{{"route", "/api/*"}, {"kind", "latency"}, {"latency_ms", 400}, {"count", 1}});
    auto start = std::chrono::steady_clock::now();
    auto r = api("GET", org_path());
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, 200);
    EXPECT_GE(elapsed, std::chrono::milliseconds(390));
    start = std::chrono::steady_clock::now();
    api("GET", org_path());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(390));
    EXPECT_EQ(control("GET", "log").json().at("entries").at(0).at("latency_ms"), 400);
}

TEST_F(Faults, DropBeforeHandlingLosesTheCallDropAfterKeepsItsEffect) {
    token_ = token();
    control("POST", "faults",
            json::object{
                {"route", "/api/organization/*/accounts"}, {"method", "POST"}, {"kind", "drop"}});
    json::object body{{"primaryEmailAddress", "nuevo.uno@tarmexico.com"},
                      {"password", "Vx9#qLm2!Tz7"}};
    auto dropped = api("POST", org_path() + "/accounts", body);
    EXPECT_EQ(dropped.status, 0);
    EXPECT_FALSE(dropped.error.empty());
    EXPECT_EQ(api("GET", org_path() + "/accounts/nuevo.uno@tarmexico.com").status, 404);

    control("POST", "faults",
            json::object{{"route", "/api/organization/*/accounts"},
                         {"method", "POST"},
                         {"kind", "drop"},
                         {"apply", "after"}});
    auto doubtful = api("POST", org_path() + "/accounts", body);
    EXPECT_EQ(doubtful.status, 0);
    EXPECT_EQ(api("GET", org_path() + "/accounts/nuevo.uno@tarmexico.com").status, 200);
    auto log = control("GET", "log").json().at("entries").as_array();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].at("apply"), "after");
    EXPECT_FALSE(log[1].as_object().contains("status"));
}

TEST_F(Faults, ThrottleAnswersEachServiceInItsOwnWay) {
    token_ = token();
    control("POST", "faults",
            json::array{json::object{{"route", "/api/*"}, {"kind", "throttle"}},
                        json::object{{"route", "/rest/*"}, {"kind", "throttle"}},
                        json::object{{"route", "/oauth/*"}, {"kind", "throttle"}}});
    auto zoho = api("GET", org_path());
    EXPECT_EQ(zoho.status, 429);
    EXPECT_EQ(error_code(zoho), "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED");
    auto bitrix = http_request(port(), "GET", "/rest/1/sandbox-webhook-secret/tasks.task.list");
    EXPECT_EQ(bitrix.status, 503);
    EXPECT_EQ(bitrix.json().at("error"), "QUERY_LIMIT_EXCEEDED");
    auto accounts = mint();
    EXPECT_EQ(accounts.json().at("error"), "Access Denied");
    // The 400 switch applies to injected throttles too.
    control("POST", "config", json::object{{"zoho", json::object{{"throttle_mode", "400"}}}});
    control("POST", "faults", json::object{{"route", "/api/*"}, {"kind", "throttle"}});
    EXPECT_EQ(api("GET", org_path()).status, 400);
}

TEST_F(Faults, SeededPercentageIsReproducible) {
    token_ = token();
    auto run = [&]() {
        control("DELETE", "faults");
        control("POST", "faults",
                json::object{{"route", "/api/*"},
                             {"kind", "status"},
                             {"status", 500},
                             {"percent", 30},
                             {"seed", 42}});
        std::string pattern;
        for (int i = 0; i < 40; ++i)
            pattern += api("GET", org_path()).status == 500 ? 'x' : '.';
        return pattern;
    };
    control("POST", "config", json::object{{"zoho", json::object{{"requests_per_minute", 0}}}});
    std::string first = run();
    std::string second = run();
    EXPECT_EQ(first, second);
    auto hits = std::count(first.begin(), first.end(), 'x');
    EXPECT_GT(hits, 3);
    EXPECT_LT(hits, 25);
}

TEST_F(Faults, MethodFilterDeleteOneAndDeleteAll) {
    token_ = token();
    auto add = control("POST", "faults",
                       json::object{{"route", "/api/*"},
                                    {"method", "post"},
                                    {"kind", "status"},
                                    {"status", 500},
                                    {"count", 5}});
    std::string id(add.json().at("ids").at(0).as_string());
    EXPECT_EQ(api("GET", org_path()).status, 200);  // GET does not match
    EXPECT_EQ(control("GET", "faults").json().at("faults").at(0).at("matched"), 0);
    EXPECT_EQ(control("DELETE", "faults/" + id).status, 200);
    EXPECT_EQ(control("DELETE", "faults/" + id).status, 404);
    control("POST", "faults",
            json::object{{"route", "*"}, {"kind", "status"}, {"status", 502}, {"percent", 100}});
    EXPECT_EQ(api("GET", org_path()).status, 502);
    EXPECT_EQ(api("GET", org_path()).status, 502);   // percentage without count never runs out
    EXPECT_EQ(control("GET", "state").status, 200);  // the control API is never faulted
    EXPECT_EQ(control("DELETE", "faults").status, 200);
    EXPECT_EQ(api("GET", org_path()).status, 200);
}

TEST_F(Faults, BadFaultSpecsAreRefused) {
    EXPECT_EQ(control("POST", "faults", json::object{{"kind", "status"}}).status, 400);
    EXPECT_EQ(control("POST", "faults", json::object{{"route", "/api/*"}}).status, 400);
    EXPECT_EQ(
        control("POST", "faults", json::object{{"route", "/api/*"}, {"kind", "explode"}}).status,
        400);
    EXPECT_EQ(control("POST", "faults",
                      json::object{{"route", "/api/*"}, {"kind", "status"}, {"percent", 140}})
                  .status,
              400);
    EXPECT_EQ(control("POST", "faults",
                      json::object{{"route", "/api/*"}, {"kind", "status"}, {"count", 0}})
                  .status,
              400);
    EXPECT_EQ(control("POST", "faults",
                      json::object{{"route", "/api/*"}, {"kind", "status"}, {"color", "red"}})
                  .status,
              400);
    EXPECT_TRUE(control("GET", "faults").json().at("faults").as_array().empty());
}

}  // namespace
}  // namespace hrmaild::sandbox::test
