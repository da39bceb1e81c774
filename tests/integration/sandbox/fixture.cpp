#include "tests/integration/sandbox/fixture.hpp"

#include "tests/support/temp_dir.hpp"

namespace hrmaild::sandbox::test {
namespace json = boost::json;

void SandboxTest::SetUp() {
    sandbox_ = std::make_unique<BackgroundSandbox>();
    std::string error;
    auto seed = load_seed_dir(hrmaild::test::source_dir() / "tests/fixtures/tickets", error);
    ASSERT_TRUE(seed) << error;
    sandbox_->seed(*seed);
}

HttpResult SandboxTest::mint(const std::string& refresh_token) {
    return http_request(port(), "POST", "/oauth/v2/token",
                        "grant_type=refresh_token&client_id=1000.SANDBOXCLIENT"
                        "&client_secret=sandbox-client-secret&refresh_token=" +
                            refresh_token,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::string SandboxTest::token() {
    auto r = mint();
    auto v = r.json();
    EXPECT_EQ(r.status, 200);
    if (!v.is_object() || !v.as_object().contains("access_token")) {
        ADD_FAILURE() << "no access token: " << r.body;
        return {};
    }
    return std::string(v.as_object().at("access_token").as_string());
}

HttpResult SandboxTest::api(const std::string& method, const std::string& target,
                            const json::value& body) {
    return api_raw(method, target, body.is_null() ? std::string() : json::serialize(body));
}

HttpResult SandboxTest::api_raw(const std::string& method, const std::string& target,
                                const std::string& body) {
    if (token_.empty())
        token_ = token();
    return http_request(port(), method, target, body, zoho_auth(token_));
}

HttpResult SandboxTest::control(const std::string& method, const std::string& what,
                                const json::value& body) {
    return http_request(port(), method, "/_sandbox/" + what,
                        body.is_null() ? std::string() : json::serialize(body));
}

json::object SandboxTest::state() {
    auto r = control("GET", "state");
    EXPECT_EQ(r.status, 200);
    auto v = r.json();
    return v.is_object() ? v.as_object() : json::object{};
}

long long SandboxTest::zuid_of(const std::string& email) {
    auto r = api("GET", org_path() + "/accounts/" + email);
    EXPECT_EQ(r.status, 200) << r.body;
    auto v = r.json();
    if (!v.is_object() || !v.as_object().contains("data"))
        return 0;
    return v.at("data").at("zuid").as_int64();
}

std::string SandboxTest::account_id_of(const std::string& email) {
    auto r = api("GET", org_path() + "/accounts/" + email);
    auto v = r.json();
    if (!v.is_object() || !v.as_object().contains("data"))
        return {};
    return std::string(v.at("data").at("accountId").as_string());
}

std::string error_code(const HttpResult& r) {
    auto v = r.json();
    if (!v.is_object())
        return {};
    const auto& o = v.as_object();
    if (auto d = o.find("data"); d != o.end() && d->value().is_object()) {
        if (auto e = d->value().as_object().find("errorCode"); e != d->value().as_object().end())
            return std::string(e->value().as_string());
    }
    if (auto e = o.find("errorCode"); e != o.end() && e->value().is_string())
        return std::string(e->value().as_string());
    return {};
}

}  // namespace hrmaild::sandbox::test
