// task.commentitem.add/getlist: positional binding, filters, errors, and new-card tasks.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {

TEST_F(BitrixTest, CommentAddReturnsAnIntIdAndGetlistShowsIt) {
    auto a = call("task.commentitem.add",
                  {{"TASKID", 1}, {"FIELDS", {{"POST_MESSAGE", "[B]Hola[/B]"}}}});
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_TRUE(a.result().is_int64());
    auto b =
        form("task.commentitem.add", "TASKID=1&FIELDS[POST_MESSAGE]=Segundo&FIELDS[AUTHOR_ID]=7");
    ASSERT_EQ(b.status, 200) << b.body;
    auto l = call("task.commentitem.getlist", {{"TASKID", 1}});
    ASSERT_EQ(l.status, 200) << l.body;
    const auto& items = l.result().as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_FALSE(l.body.as_object().contains("total"));
    // Default order: ID descending.
    EXPECT_EQ(items[0].at("ID"), json::value(std::to_string(b.result().as_int64())));
    EXPECT_EQ(items[0].at("AUTHOR_ID"), json::value("7"));
    EXPECT_EQ(items[0].at("AUTHOR_NAME"), json::value("Camilo Luna"));
    EXPECT_EQ(items[0].at("AUTHOR_EMAIL"), json::value("camilo.luna@tarmexico.com"));
    EXPECT_EQ(items[1].at("POST_MESSAGE"), json::value("[B]Hola[/B]"));
    EXPECT_EQ(items[1].at("AUTHOR_ID"), json::value("1"));
    EXPECT_EQ(std::string(items[1].at("POST_DATE").as_string()).substr(19), "-06:00");
    EXPECT_TRUE(items[1].at("POST_MESSAGE_HTML").is_null());
    EXPECT_EQ(task(1).at("commentsCount"), json::value("2"));
}

TEST_F(BitrixTest, CommentsDoNotMoveChangedDate) {
    auto before = task(1).at("changedDate");
    clock.advance(std::chrono::minutes(2));
    call("task.commentitem.add", {{"TASKID", 1}, {"FIELDS", {{"POST_MESSAGE", "x"}}}});
    EXPECT_EQ(task(1).at("changedDate"), before);
    EXPECT_NE(task(1).at("activityDate"), before);
}

TEST_F(BitrixTest, GetlistOrderAndFilter) {
    for (int author : {7, 8, 7}) {
        clock.advance(std::chrono::seconds(10));
        ASSERT_EQ(call("task.commentitem.add",
                       {{"TASKID", 2},
                        {"FIELDS",
                         {{"POST_MESSAGE", "m" + std::to_string(author)}, {"AUTHOR_ID", author}}}})
                      .status,
                  200);
    }
    auto l = call("task.commentitem.getlist",
                  {{"TASKID", 2}, {"ORDER", {{"ID", "asc"}}}, {"FILTER", {{"AUTHOR_ID", 7}}}});
    ASSERT_EQ(l.status, 200) << l.body;
    ASSERT_EQ(l.result().as_array().size(), 2u);
    long long first = std::stoll(str(l.result().at(0).at("ID")));
    auto g =
        call("task.commentitem.getlist",
             {{"TASKID", 2}, {"ORDER", {{"POST_DATE", "desc"}}}, {"FILTER", {{">ID", first}}}});
    ASSERT_EQ(g.result().as_array().size(), 2u);
    EXPECT_EQ(g.result().at(1).at("AUTHOR_ID"), json::value("8"));
    // Empty ORDER as a JSON list, which is what PHP sends for an empty array.
    auto e = call("task.commentitem.getlist",
                  {{"TASKID", 2}, {"ORDER", json::array()}, {"FILTER", {{"AUTHOR_ID", 8}}}});
    EXPECT_EQ(e.result().as_array().size(), 1u);
}

struct PositionalCase {
    const char* name;
    const char* method;
    const char* http;  // "json" or "form"
    const char* body;
    int status;
    const char* error;
    const char* description_part;
};

class BitrixPositional : public BitrixTest, public ::testing::WithParamInterface<PositionalCase> {};

TEST_P(BitrixPositional, BindsByPosition) {
    const auto& c = GetParam();
    auto a = std::string(c.http) == "json" ? call(c.method, json::parse(c.body).as_object())
                                           : form(c.method, c.body);
    EXPECT_EQ(a.status, c.status) << c.name << " " << a.body;
    EXPECT_EQ(a.error(), c.error) << c.name;
    EXPECT_NE(a.description().find(c.description_part), std::string::npos)
        << c.name << ": " << a.description();
}

INSTANTIATE_TEST_SUITE_P(
    Binding, BitrixPositional,
    ::testing::Values(
        PositionalCase{"names_ignored", "task.commentitem.add", "json",
                       R"({"a":1,"b":{"POST_MESSAGE":"x"}})", 200, "", ""},
        PositionalCase{"swapped", "task.commentitem.add", "json",
                       R"({"FIELDS":{"POST_MESSAGE":"x"},"TASKID":1})", 400, "ERROR_CORE",
                       "expected to be of type \"integer\""},
        PositionalCase{"extra_first", "task.commentitem.add", "form",
                       "request_id=7f&TASKID=1&FIELDS[POST_MESSAGE]=x", 400, "ERROR_CORE",
                       "expected to be of type \"integer\""},
        PositionalCase{"too_many", "task.commentitem.add", "json",
                       R"({"TASKID":1,"FIELDS":{"POST_MESSAGE":"x"},"X":1})", 400, "ERROR_CORE",
                       "Too many arguments"},
        PositionalCase{"fields_scalar", "task.commentitem.add", "json",
                       R"({"TASKID":1,"FIELDS":"x"})", 400, "ERROR_CORE",
                       "expected to be of type \"array\""},
        PositionalCase{
            "no_fields", "task.commentitem.add", "json", R"({"TASKID":1})", 400, "ERROR_CORE",
            "Param #1 (arFields) expected by method ctaskcommentitem::add(), but not given"},
        PositionalCase{"empty_text", "task.commentitem.add", "json",
                       R"({"TASKID":1,"FIELDS":{"POST_MESSAGE":"  "}})", 400, "ERROR_CORE",
                       "Comment text not specified"},
        PositionalCase{"unknown_field_key", "task.commentitem.add", "json",
                       R"({"TASKID":1,"FIELDS":{"POST_MESSAGE":"x","TITLE":"y"}})", 400,
                       "ERROR_CORE", "must not contain key \"TITLE\""},
        PositionalCase{"missing_task", "task.commentitem.add", "json",
                       R"({"TASKID":999,"FIELDS":{"POST_MESSAGE":"x"}})", 400, "ERROR_CORE",
                       "Insufficient permissions to add a comment"},
        PositionalCase{"getlist_bad_order_key", "task.commentitem.getlist", "json",
                       R"({"TASKID":1,"ORDER":{"TITLE":"asc"}})", 400, "ERROR_CORE",
                       "Param #1 (arOrder)"},
        PositionalCase{"getlist_bad_filter_key", "task.commentitem.getlist", "json",
                       R"({"TASKID":1,"ORDER":{},"FILTER":{"POST_MESSAGE":"x"}})", 400,
                       "ERROR_CORE", "must not contain key"},
        PositionalCase{"getlist_filter_first", "task.commentitem.getlist", "json",
                       R"({"FILTER":{"ID":1},"TASKID":1})", 400, "ERROR_CORE",
                       "expected to be of type \"integer\""},
        PositionalCase{"getlist_bad_filter_prefix", "task.commentitem.getlist", "json",
                       R"({"TASKID":1,"ORDER":{},"FILTER":{"%POST_DATE":"2026"}})", 400,
                       "ERROR_CORE", "must not contain key \"%POST_DATE\""},
        PositionalCase{"getlist_missing_task", "task.commentitem.getlist", "json",
                       R"({"TASKID":999})", 400, "ERROR_CORE",
                       "8/TE/ACTION_FAILED_TO_BE_PROCESSED"},
        PositionalCase{"getlist_no_args", "task.commentitem.getlist", "json", "{}", 400,
                       "ERROR_CORE", "Param #0 (taskId) expected by method"},
        PositionalCase{"getlist_form_ok", "task.commentitem.getlist", "form",
                       "TASKID=1&ORDER[ID]=asc&FILTER[>ID]=0", 200, "", ""}),
    [](const auto& tp) { return std::string(tp.param.name); });

class BitrixNewCard : public BitrixTest {
  protected:
    void SetUp() override {
        BitrixTest::SetUp();
        seed_more({json::parse(R"({"TITLE":"Alta en tarjeta nueva","CREATED_BY":12,
            "RESPONSIBLE_ID":1,"GROUP_ID":42,"TAGS":["alta"],"CHAT":true,"expect":"x"})")});
    }
    long long chat() { return task(15).at("chatId").as_int64(); }
};

TEST_F(BitrixNewCard, TaskHasAChatIdAndGetlistFails) {
    EXPECT_GT(chat(), 0);
    auto sel = call("tasks.task.get", {{"taskId", 15}, {"select", json::array{"CHAT_ID"}}});
    EXPECT_EQ(sel.result().at("task").at("chatId"), json::value(chat()));
    auto l = call("task.commentitem.getlist", {{"TASKID", 15}});
    EXPECT_EQ(l.status, 400);
    EXPECT_EQ(l.error(), "ERROR_CORE");
}

TEST_F(BitrixNewCard, CommentsBecomeChatMessages) {
    auto a =
        call("task.commentitem.add",
             {{"TASKID", 15}, {"FIELDS", {{"POST_MESSAGE", "Comentario"}, {"AUTHOR_ID", 12}}}});
    ASSERT_EQ(a.status, 200) << a.body;
    auto b = call("im.message.add",
                  {{"DIALOG_ID", "chat" + std::to_string(chat())}, {"MESSAGE", "Desde im"}});
    ASSERT_EQ(b.status, 200) << b.body;
    auto m = call("im.dialog.messages.get", {{"DIALOG_ID", "chat" + std::to_string(chat())}});
    ASSERT_EQ(m.status, 200) << m.body;
    EXPECT_EQ(m.result().at("chat_id"), json::value(chat()));
    const auto& msgs = m.result().at("messages").as_array();
    ASSERT_EQ(msgs.size(), 3u);  // newest first; the oldest is the system "task created"
    EXPECT_EQ(msgs[0].at("text"), json::value("Desde im"));
    EXPECT_EQ(msgs[0].at("author_id"), json::value(1));
    EXPECT_EQ(msgs[0].at("id"), b.result());
    EXPECT_EQ(msgs[1].at("text"), json::value("Comentario"));
    EXPECT_EQ(msgs[1].at("author_id"), json::value(12));
    EXPECT_EQ(msgs[1].at("id"), a.result());
    EXPECT_EQ(msgs[2].at("author_id"), json::value(0));
    std::set<long long> user_ids;
    for (const auto& u : m.result().at("users").as_array()) {
        user_ids.insert(u.at("id").as_int64());
        EXPECT_TRUE(u.at("departments").is_array());
    }
    EXPECT_EQ(user_ids, (std::set<long long>{1, 12}));
    auto s = bitrix.state().at("tasks").at(14);
    EXPECT_EQ(s.at("chat_messages").as_array().size(), 3u);
    EXPECT_TRUE(s.at("comments").as_array().empty());
}

TEST_F(BitrixNewCard, MessagesPageWithLastIdFirstIdAndLimit) {
    std::vector<long long> ids;
    for (int i = 0; i < 60; ++i) {
        auto a = call("im.message.add", {{"DIALOG_ID", "chat" + std::to_string(chat())},
                                         {"MESSAGE", std::to_string(i)}});
        ids.push_back(a.result().as_int64());
    }
    auto dialog = "chat" + std::to_string(chat());
    auto d = call("im.dialog.messages.get", {{"DIALOG_ID", dialog}});
    EXPECT_EQ(d.result().at("messages").as_array().size(), 20u);  // default limit
    auto big = call("im.dialog.messages.get", {{"DIALOG_ID", dialog}, {"LIMIT", 200}});
    EXPECT_EQ(big.result().at("messages").as_array().size(), 50u);  // capped
    auto older =
        call("im.dialog.messages.get", {{"DIALOG_ID", dialog}, {"LAST_ID", ids[10]}, {"LIMIT", 5}});
    const auto& o = older.result().at("messages").as_array();
    ASSERT_EQ(o.size(), 5u);
    EXPECT_EQ(o[0].at("id"), json::value(ids[9]));
    EXPECT_EQ(o[4].at("id"), json::value(ids[5]));
    auto newer = call("im.dialog.messages.get",
                      {{"DIALOG_ID", dialog}, {"FIRST_ID", ids[55]}, {"LIMIT", 50}});
    const auto& n = newer.result().at("messages").as_array();
    ASSERT_EQ(n.size(), 4u);
    EXPECT_EQ(n[0].at("id"), json::value(ids[56]));
}

TEST_F(BitrixNewCard, ChatNeedsMembership) {
    auto token = bitrix.issue_oauth_token(20);  // Jorge: not a member of task 15
    auto a = send(
        "GET",
        "/rest/im.dialog.messages.get?DIALOG_ID=chat" + std::to_string(chat()) + "&auth=" + token,
        "", "");
    EXPECT_EQ(a.status, 400);
    EXPECT_EQ(a.error(), "ACCESS_ERROR");
    auto unknown = call("im.dialog.messages.get", {{"DIALOG_ID", "chat99999"}});
    EXPECT_EQ(unknown.error(), "ACCESS_ERROR");
}

TEST_F(BitrixNewCard, RestV3ChatMessageSend) {
    const std::string url = "/rest/api/1/sandbox-webhook-secret/tasks.task.chat.message.send";
    auto a =
        send("POST", url, R"({"fields":{"taskId":15,"text":"Por REST 3"}})", "application/json");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.result(), json::parse(R"({"result":true})"));
    auto m = call("im.dialog.messages.get", {{"DIALOG_ID", "chat" + std::to_string(chat())}});
    EXPECT_EQ(m.result().at("messages").at(0).at("text"), json::value("Por REST 3"));
    auto form_body =
        send("POST", url, "fields[taskId]=15&fields[text]=x", "application/x-www-form-urlencoded");
    EXPECT_EQ(form_body.status, 400);
    EXPECT_EQ(form_body.body.at("error").at("code"),
              json::value("BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION"));
    auto invalid = send("POST", url, R"({"fields":{"text":""}})", "application/json");
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(invalid.body.at("error").at("validation").as_array().size(), 2u);
    auto classic = send("POST", url, R"({"fields":{"taskId":1,"text":"x"}})", "application/json");
    EXPECT_EQ(classic.status, 403);
    auto token = bitrix.issue_oauth_token(12);
    auto app = send("POST", "/rest/api/tasks.task.chat.message.send",
                    R"({"auth":")" + token + R"(","fields":{"taskId":15,"text":"y"}})",
                    "application/json");
    EXPECT_EQ(app.status, 200) << app.body;
    auto unknown =
        send("POST", "/rest/api/1/sandbox-webhook-secret/tasks.task.get", "{}", "application/json");
    EXPECT_EQ(unknown.status, 404);
}

TEST_F(BitrixTest, NewCardSwitchMakesEveryNewTaskAChat) {
    auto o = bitrix.options();
    o.new_card_default = true;
    bitrix.configure(o);
    auto a = call("tasks.task.add", {{"fields", {{"TITLE", "x"}}}});
    EXPECT_TRUE(a.result().at("task").as_object().contains("chatId"));
    EXPECT_FALSE(task(1).contains("chatId"));
}

}  // namespace
}  // namespace hrmaild::sandbox::test
