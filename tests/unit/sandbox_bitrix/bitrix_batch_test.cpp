// batch: commands, references between them, halt, the cap and the nested-batch refusal.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {

TEST_F(BitrixTest, BatchRunsCommandsAndResolvesReferences) {
    json::object cmd;
    cmd["t"] =
        "tasks.task.list?" +
        php::http_build_query(
            json::parse(R"({"filter":{"TAG":"baja"},"order":{"ID":"asc"},"select":["ID","TITLE"]})")
                .as_object());
    cmd["g"] = "tasks.task.get?taskId=$result[t][tasks][0][id]";
    cmd["c"] = "task.commentitem.add?" +
               php::http_build_query(json::parse(R"({"TASKID":"$result[g][task][id]",
                   "FIELDS":{"POST_MESSAGE":"Sobre $result[g][task][title]"}})")
                                         .as_object());
    cmd["u"] = "user.get?ID=$result[g][task][createdBy]";
    auto a = call("batch", {{"halt", 0}, {"cmd", cmd}});
    ASSERT_EQ(a.status, 200) << a.body;
    const auto& r = a.result().as_object();
    EXPECT_EQ(r.at("result").at("t").at("tasks").as_array().size(), 2u);
    EXPECT_EQ(r.at("result").at("g").at("task").at("id"), json::value("4"));
    EXPECT_TRUE(r.at("result").at("c").is_int64());
    EXPECT_EQ(r.at("result").at("u").at(0).at("ID"), json::value("12"));
    EXPECT_EQ(r.at("result_error"), json::array());
    EXPECT_EQ(r.at("result_total").at("t"), json::value(2));
    EXPECT_EQ(r.at("result_total").at("u"), json::value(1));
    EXPECT_EQ(r.at("result_next"), json::array());
    EXPECT_TRUE(r.at("result_time").at("g").at("start").is_double());
    EXPECT_TRUE(a.body.at("time").is_object());
    auto comments = call("task.commentitem.getlist", {{"TASKID", 4}});
    ASSERT_EQ(comments.result().as_array().size(), 1u);
    EXPECT_EQ(comments.result().at(0).at("POST_MESSAGE"),
              json::value("Sobre Baja de colaborador - Pedro Gómez"));
    auto s = bitrix.state();
    EXPECT_EQ(s.at("calls").at("batch"), json::value(1));
    EXPECT_FALSE(s.at("calls").as_object().contains("tasks.task.get"));
    EXPECT_EQ(s.at("batch_calls").at("tasks.task.get"), json::value(1));
}

TEST_F(BitrixTest, BatchInAFormBodyIsDoublyEncoded) {
    // cmd[x]=<urlencoded "method?query">: the inner query is itself percent-encoded.
    std::string inner = "tasks.task.get?" +
                        php::http_build_query({{"taskId", 2}, {"select", json::array{"TITLE"}}});
    std::string body = "halt=1&cmd%5Bx%5D=" + php::url_encode(inner) +
                       "&cmd%5By%5D=" + php::url_encode("user.current");
    auto a = form("batch", body);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.result().at("result").at("x").at("task").at("title"),
              json::value("ALTA: María José Núñez de la Peña"));
    EXPECT_EQ(a.result().at("result").at("y").at("ID"), json::value("1"));
}

TEST_F(BitrixTest, BatchCollectsErrorsAndHaltStops) {
    json::object cmd{{"a", "tasks.task.update?taskId=999&fields[TITLE]=x"},
                     {"b", "user.current"},
                     {"c", "no.such.method"}};
    auto a = call("batch", {{"cmd", cmd}});
    ASSERT_EQ(a.status, 200);
    const auto& r = a.result().as_object();
    EXPECT_EQ(r.at("result_error").at("a").at("error"), json::value("0"));
    EXPECT_EQ(r.at("result_error").at("a").at("error_description"),
              json::value("Action on the task is not allowed"));
    EXPECT_EQ(r.at("result_error").at("c").at("error"), json::value("ERROR_METHOD_NOT_FOUND"));
    EXPECT_TRUE(r.at("result").as_object().contains("b"));
    auto h = call("batch", {{"halt", 1}, {"cmd", cmd}});
    const auto& hr = h.result().as_object();
    EXPECT_EQ(hr.at("result"), json::array());  // stopped before b
    EXPECT_EQ(hr.at("result_error").as_object().size(), 1u);
}

TEST_F(BitrixTest, BatchListOfCommandsGivesLists) {
    auto a = call("batch", {{"cmd", json::array{"user.current", "tasks.task.get?taskId=1"}}});
    ASSERT_EQ(a.status, 200);
    const auto& res = a.result().at("result");
    ASSERT_TRUE(res.is_array());  // PHP encodes keys 0..n-1 as a list
    EXPECT_EQ(res.at(1).at("task").at("id"), json::value("1"));
}

TEST_F(BitrixTest, BatchCapAndNestedBatchFailPerCommand) {
    json::object cmd;
    for (int i = 0; i < 52; ++i) {
        cmd["c" + std::to_string(i)] = "user.current";
    }
    cmd["n"] = "BATCH?cmd[z]=user.current";
    auto a = call("batch", {{"cmd", cmd}});
    ASSERT_EQ(a.status, 200);  // batch itself always answers 200
    const auto& r = a.result().as_object();
    EXPECT_EQ(r.at("result").as_object().size(), 50u);
    EXPECT_EQ(r.at("result_error").at("c50").at("error"),
              json::value("ERROR_BATCH_LENGTH_EXCEEDED"));
    EXPECT_EQ(r.at("result_error").at("c51").at("error_description"),
              json::value("Max batch length exceeded"));
    EXPECT_EQ(r.at("result_error").at("n").at("error"), json::value("ERROR_BATCH_LENGTH_EXCEEDED"));
    EXPECT_EQ(bitrix.state().at("batch_calls").at("user.current"), json::value(50));
    auto nested =
        call("batch",
             {{"halt", "1"}, {"cmd", {{"y", "batch?cmd[z]=user.current"}, {"x", "user.current"}}}});
    ASSERT_EQ(nested.status, 200);
    EXPECT_EQ(nested.result().at("result_error").at("y").at("error"),
              json::value("ERROR_BATCH_METHOD_NOT_ALLOWED"));
    EXPECT_EQ(nested.result().at("result"), json::array());  // halted before x
}

TEST_F(BitrixTest, BatchPagesWithNextReference) {
    std::vector<json::value> more;
    for (int i = 0; i < 40; ++i) {
        more.push_back(json::object{{"TITLE", "x" + std::to_string(i)}, {"CREATED_BY", 12}});
    }
    seed_more(more);
    auto a = call("batch", {{"cmd",
                             {{"p0", "tasks.task.list?order[ID]=asc&select[]=ID"},
                              {"p1", "tasks.task.list?order[ID]=asc&select[]=ID&start=$next[p0]"},
                              {"t", "tasks.task.get?taskId=$total[p0]"}}}});
    const auto& r = a.result().as_object();
    EXPECT_EQ(r.at("result_next").at("p0"), json::value(50));
    EXPECT_EQ(r.at("result_total").at("p1"), json::value(54));
    EXPECT_EQ(r.at("result").at("p1").at("tasks").as_array().size(), 4u);
    EXPECT_EQ(r.at("result").at("p1").at("tasks").at(0).at("id"), json::value("51"));
    EXPECT_EQ(r.at("result").at("t").at("task").at("id"), json::value("54"));
}

struct ReferenceCase {
    const char* name;
    const char* value;     // the value of `fields[TITLE]` in the second command
    const char* expected;  // the title the task gets
};

class BitrixBatchReferences : public BitrixTest,
                              public ::testing::WithParamInterface<ReferenceCase> {};

TEST_P(BitrixBatchReferences, ResolveLikePhp) {
    json::object fields{{"fields", {{"TITLE", GetParam().value}}}};
    json::object cmd{{"g", "tasks.task.get?taskId=2"},
                     {"u", "tasks.task.update?taskId=1&" + php::http_build_query(fields)}};
    auto a = call("batch", {{"cmd", cmd}});
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(task(1).at("title"), json::value(GetParam().expected)) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Refs, BitrixBatchReferences,
    ::testing::Values(
        ReferenceCase{"whole", "$result[g][task][createdBy]", "13"},
        ReferenceCase{"embedded", "de $result[g][task][createdBy] y", "de 13 y"},
        ReferenceCase{"two", "$result[g][task][id] $result[g][task][status] x", "2 2 x"},
        ReferenceCase{"upper_case", "$RESULT[g][task][id] z", "2 z"},
        ReferenceCase{"missing_key_left_as_written", "a $result[g][task][nope] b",
                      "a $result[g][task][nope] b"},
        ReferenceCase{"unknown_command", "a $result[zz][id] b", "a $result[zz][id] b"},
        ReferenceCase{"not_a_reference", "cuesta $5", "cuesta $5"},
        ReferenceCase{"time_block_is_not_text", "t=$time[g]", "t=$time[g]"}),
    [](const auto& tp) { return std::string(tp.param.name); });

}  // namespace
}  // namespace hrmaild::sandbox::test
