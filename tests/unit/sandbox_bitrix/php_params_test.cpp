#include "tests/sandbox/php_params.hpp"

#include <gtest/gtest.h>

namespace hrmaild::sandbox::php {
namespace {

namespace json = boost::json;

struct ParseCase {
    const char* query;
    const char* expected;  // JSON
};

class ParseStr : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseStr, NestsBracketsLikePhp) {
    json::object o;
    parse_str(GetParam().query, o);
    EXPECT_EQ(json::value(o), json::parse(GetParam().expected)) << GetParam().query;
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, ParseStr,
    ::testing::Values(
        ParseCase{"a=1&b=x+y", R"({"a":"1","b":"x y"})"},
        ParseCase{"fields[TITLE]=Alta&fields[TAGS][]=alta&fields[TAGS][]=rh",
                  R"({"fields":{"TITLE":"Alta","TAGS":["alta","rh"]}})"},
        ParseCase{"fields%5BTITLE%5D=Alta%20de%20correo",
                  R"({"fields":{"TITLE":"Alta de correo"}})"},
        ParseCase{"filter[>ID]=3", R"({"filter":{">ID":"3"}})"},
        ParseCase{"filter%5B%3EID%5D=3", R"({"filter":{">ID":"3"}})"},
        ParseCase{"filter%5B%3E%3DCHANGED_DATE%5D=2026-11-28T10%3A00%3A00-06%3A00",
                  R"({"filter":{">=CHANGED_DATE":"2026-11-28T10:00:00-06:00"}})"},
        ParseCase{"select[]=ID&select[]=TITLE", R"({"select":["ID","TITLE"]})"},
        ParseCase{"select[0]=ID&select[1]=TITLE", R"({"select":{"0":"ID","1":"TITLE"}})"},
        ParseCase{"fields[PHONE][0][VALUE]=1", R"({"fields":{"PHONE":{"0":{"VALUE":"1"}}}})"},
        ParseCase{"a=1&a=2", R"({"a":"2"})"}, ParseCase{"flag&x=", R"({"flag":"","x":""})"},
        ParseCase{"&&a=%C3%B3", "{\"a\":\"\xC3\xB3\"}"}, ParseCase{"a[b=1", R"({"a_b":"1"})"},
        ParseCase{"filter[<=ID]=6", R"({"filter_<":"ID]=6"})"}));

TEST(PhpParams, ListValuesReadsListsAndMaps) {
    EXPECT_EQ(list_values(json::parse(R"(["a","b"])")).size(), 2u);
    EXPECT_EQ(list_values(json::parse(R"({"0":"a","1":"b","x":"c"})")).size(), 3u);
    EXPECT_EQ(list_values(json::value("a")).size(), 1u);
    EXPECT_TRUE(list_values(json::value()).empty());
}

TEST(PhpParams, ToIntAcceptsDigitsOnly) {
    long long n = 0;
    EXPECT_TRUE(to_int(json::value("42"), n));
    EXPECT_EQ(n, 42);
    EXPECT_TRUE(to_int(json::value(-1), n));
    EXPECT_EQ(n, -1);
    EXPECT_FALSE(to_int(json::value("4a"), n));
    EXPECT_FALSE(to_int(json::value(""), n));
    EXPECT_FALSE(to_int(json::value(1.5), n));
    EXPECT_FALSE(to_int(json::parse("{}"), n));
}

TEST(PhpParams, HttpBuildQueryEncodesBracketsAndRoundTrips) {
    auto params =
        json::parse(
            R"({"taskId":5,"fields":{"TITLE":"a&b c","TAGS":["x","y"]},"ok":true,"n":null})")
            .as_object();
    auto q = http_build_query(params);
    EXPECT_EQ(
        q,
        "taskId=5&fields%5BTITLE%5D=a%26b+c&fields%5BTAGS%5D%5B0%5D=x&fields%5BTAGS%5D%5B1%5D=y"
        "&ok=1");
    json::object back;
    parse_str(q, back);
    EXPECT_EQ(back.at("fields").at("TITLE"), json::value("a&b c"));
    EXPECT_EQ(back.at("ok"), json::value("1"));
}

TEST(PhpParams, PhpArrayFollowsJsonEncode) {
    EXPECT_EQ(php_array({}), json::array());
    EXPECT_EQ(php_array({{"0", 1}, {"1", 2}}), json::parse("[1,2]"));
    EXPECT_EQ(php_array({{"35", 1}}), json::parse(R"({"35":1})"));
    EXPECT_EQ(php_array({{"1", 1}, {"0", 2}}), json::parse(R"({"1":1,"0":2})"));
}

}  // namespace
}  // namespace hrmaild::sandbox::php
