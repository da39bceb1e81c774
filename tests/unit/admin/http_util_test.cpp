// Form decoding, path parameters and listen addresses of the admin server.
#include "daemon/admin/http_util.hpp"

#include <gtest/gtest.h>

namespace hrmaild::admin {
namespace {

TEST(HttpUtil, PercentDecode) {
    EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
    EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
    EXPECT_EQ(percent_decode("%5B%5d", false), "[]");
    EXPECT_EQ(percent_decode("", true), "");
    EXPECT_FALSE(percent_decode("%", true));
    EXPECT_FALSE(percent_decode("%2", true));
    EXPECT_FALSE(percent_decode("%zz", true));
}

TEST(HttpUtil, ParsesTheBitrixEventBody) {
    // The example body of the reference (section 9), brackets escaped as Bitrix sends them.
    auto form = parse_form(
        "event=ONTASKUPDATE&event_handler_id=9&data%5BFIELDS_BEFORE%5D%5BID%5D=42&"
        "data%5BFIELDS_AFTER%5D%5BID%5D=42&data[IS_ACCESSIBLE_BEFORE]=undefined&ts=1760000000&"
        "auth%5Bdomain%5D=x.bitrix24.com&auth%5Bapplication_token%5D=s3cr%2Bt+x&&flag");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->at("event"), "ONTASKUPDATE");
    EXPECT_EQ(form->at("data[FIELDS_AFTER][ID]"), "42");
    EXPECT_EQ(form->at("data[IS_ACCESSIBLE_BEFORE]"), "undefined");
    EXPECT_EQ(form->at("auth[application_token]"), "s3cr+t x");
    EXPECT_EQ(form->at("flag"), "");
    EXPECT_FALSE(parse_form("a=%G1"));
}

TEST(HttpUtil, RepeatedNameKeepsTheFirstValue) {
    auto form = parse_form("event=ONTASKADD&event=ONTASKDELETE");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->at("event"), "ONTASKADD");
}

TEST(HttpUtil, PositiveIds) {
    EXPECT_EQ(parse_positive_id("1"), 1);
    EXPECT_EQ(parse_positive_id("9223372036854775807"), INT64_MAX);
    for (const char* bad : {"", "0", "007", "-1", "+1", "1.0", "1e3", "abc", " 1", "1 ",
                            "9223372036854775808", "99999999999999999999"})
        EXPECT_FALSE(parse_positive_id(bad)) << bad;
}

TEST(HttpUtil, HostPort) {
    auto a = parse_host_port("127.0.0.1:8791");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 8791);
    auto b = parse_host_port("[::1]:0");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->port, 0);
    EXPECT_EQ(parse_host_port("localhost:80")->host, "localhost");
    for (const char* bad : {"127.0.0.1", ":80", "127.0.0.1:", "::1:80", "h:65536", "h:x"})
        EXPECT_FALSE(parse_host_port(bad)) << bad;
}

}  // namespace
}  // namespace hrmaild::admin
