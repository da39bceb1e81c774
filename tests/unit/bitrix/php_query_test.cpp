#include "daemon/bitrix/php_query.hpp"
#include "daemon/bitrix/batch.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace hrmaild::bitrix {
namespace {

namespace json = boost::json;

TEST(BitrixPhpQuery, BracketsArePercentEncoded) {
    json::object p;
    p["filter"] = json::object{{">ID", 3}, {"GROUP_ID", "42"}};
    p["select"] = json::array{"ID", "TITLE"};
    p["start"] = -1;
    EXPECT_EQ(http_build_query(p),
              "filter%5B%3EID%5D=3&filter%5BGROUP_ID%5D=42&select%5B0%5D=ID&select%5B1%5D=TITLE&"
              "start=-1");
}

TEST(BitrixPhpQuery, ValuesAreEncodedAndNullsSkipped) {
    json::object p;
    p["MESSAGE"] = "Hola José & co=1";
    p["flag"] = true;
    p["off"] = false;
    p["nothing"] = nullptr;
    p["empty"] = json::array{};
    p["nested"] = json::object{{"a", json::object{{"b", "c"}}}};
    EXPECT_EQ(http_build_query(p),
              "MESSAGE=Hola%20Jos%C3%A9%20%26%20co%3D1&flag=1&off=0&nested%5Ba%5D%5Bb%5D=c");
}

// The wire bytes of every key and value: each byte but A-Z a-z 0-9 - _ . ~ as %XX with
// upper-case hex digits, whatever library does the work.
TEST(BitrixPhpQuery, EveryByteOutsideTheUnreservedSetIsEscaped) {
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
                                (b >= '0' && b <= '9') || c == '-' || c == '_' || c == '.' ||
                                c == '~';
        const std::string expected =
            unreserved ? std::string(1, c) : fmt::format("%{:02X}", static_cast<unsigned>(b));
        EXPECT_EQ(percent_encode(std::string_view(&c, 1)), expected) << "byte " << b;
    }
}

TEST(BitrixPhpQuery, PositionalOrderIsKept) {
    json::object p;
    p["TASKID"] = 5;
    p["ORDER"] = json::object{{"ID", "asc"}};
    p["FILTER"] = json::object{{">ID", 10}};
    EXPECT_EQ(batch_command("task.commentitem.getlist", p),
              "task.commentitem.getlist?TASKID=5&ORDER%5BID%5D=asc&FILTER%5B%3EID%5D=10");
    EXPECT_EQ(batch_command("user.current", {}), "user.current");
}

TEST(BitrixBatch, BodyNamesCommandsByIndex) {
    Batch b;
    EXPECT_EQ(b.add("user.current"), 0u);
    EXPECT_EQ(b.add("tasks.task.get", json::object{{"taskId", 7}}), 1u);
    auto body = b.body(0, 2);
    EXPECT_EQ(json::serialize(body),
              R"({"halt":0,"cmd":{"c0":"user.current","c1":"tasks.task.get?taskId=7"}})");
}

}  // namespace
}  // namespace hrmaild::bitrix
