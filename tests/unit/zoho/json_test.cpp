#include "daemon/zoho/json.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/zoho_client.hpp"
#include "tests/unit/zoho/fake_zoho.hpp"

#include <gtest/gtest.h>

namespace hrmaild::zoho::test {
namespace {

TEST(ZohoJson, IdsReadAsInt64FromNumbersAndStrings) {
    auto v =
        parse_json(R"({"a":2560636000000008002,"b":"2560636000000008003","c":9223372036854775807,
                            "d":9223372036854775808,"e":2.5e18,"f":"12x","g":-1})");
    ASSERT_TRUE(v && v->is_object());
    const auto& o = v->get_object();
    EXPECT_EQ(id_field(o, "a"), 2560636000000008002);
    EXPECT_EQ(id_field(o, "b"), 2560636000000008003);
    EXPECT_EQ(id_field(o, "c"), INT64_MAX);
    EXPECT_EQ(id_field(o, "d"), std::nullopt);
    EXPECT_EQ(id_field(o, "e"), std::nullopt);
    EXPECT_EQ(id_field(o, "f"), std::nullopt);
    EXPECT_EQ(int_field(o, "g"), -1);
    EXPECT_EQ(id_field(o, "missing"), std::nullopt);
}

TEST(ZohoJson, BooleansAcceptTheSamplesStrings) {
    auto v = parse_json(R"({"a":true,"b":"true","c":"FALSE","d":1})");
    const auto& o = v->get_object();
    EXPECT_EQ(bool_field(o, "a"), true);
    EXPECT_EQ(bool_field(o, "b"), true);
    EXPECT_EQ(bool_field(o, "c"), false);
    EXPECT_EQ(bool_field(o, "d"), std::nullopt);
}

TEST(ZohoErrors, FlatScopeBodyIsRead) {
    auto r = answer(401, json::object{{"msg", "Error while processing!"},
                                      {"errorCode", "INVALID_OAUTHSCOPE"},
                                      {"authFail", "true"},
                                      {"status", "401"}});
    auto e = classify_api_error(r, "ZohoMail.organization.groups.UPDATE", {});
    EXPECT_EQ(e.kind, core::ErrorKind::permanent);
    EXPECT_EQ(e.service_code, "INVALID_OAUTHSCOPE");
    EXPECT_NE(e.message.find("ZohoMail.organization.groups.UPDATE"), std::string::npos);
}

TEST(ZohoErrors, StatusFamiliesDecideUnknownCodes) {
    EXPECT_EQ(classify_api_error(fail(502, "WHATEVER"), "", {}).kind, core::ErrorKind::retryable);
    EXPECT_EQ(classify_api_error(fail(400, "INVALID_INPUT"), "", {}).kind,
              core::ErrorKind::permanent);
    EXPECT_EQ(classify_api_error(fail(400, "INVALID_TICKET"), "", {}).kind, core::ErrorKind::auth);
    auto t = fail(429, "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED");
    t.headers.push_back({"Retry-After", "120"});
    auto e = classify_api_error(t, "", {});
    EXPECT_EQ(e.kind, core::ErrorKind::retryable);
    EXPECT_TRUE(is_throttle(e));
    EXPECT_EQ(e.retry_after, std::chrono::seconds(120));
}

TEST(ZohoJson, EncodeSegmentKeepsAddressesReadable) {
    EXPECT_EQ(encode_segment("ana.lopez@tarmexico.com"), "ana.lopez@tarmexico.com");
    EXPECT_EQ(encode_segment("a+b/c d"), "a%2Bb%2Fc%20d");
    // The sub-delimiters that could end or split a segment stay escaped.
    EXPECT_EQ(encode_segment("!$'*=:&(),;?#[]%"), "!$'*=:%26%28%29%2C%3B%3F%23%5B%5D%25");
    EXPECT_EQ(encode_segment("jos\xC3\xA9"), "jos%C3%A9");
}

}  // namespace
}  // namespace hrmaild::zoho::test
