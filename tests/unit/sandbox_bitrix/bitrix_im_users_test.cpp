// Notifications, private messages, user.get, user.current and department.get.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {

TEST_F(BitrixTest, NotificationsAreKeptInState) {
    auto p = call("im.notify.personal.add",
                  {{"USER_ID", 12}, {"MESSAGE", "  Contraseña temporal: Xy7#pQ  "}, {"TAG", "t1"}});
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_TRUE(p.result().is_int64());
    auto s = form("im.notify.system.add", "USER_ID=13&MESSAGE=Aviso&MESSAGE_OUT=Aviso+correo");
    ASSERT_EQ(s.status, 200) << s.body;
    auto st = bitrix.state().at("notifications").as_array();
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[0].at("type"), json::value("personal"));
    EXPECT_EQ(st[0].at("user_id"), json::value(12));
    EXPECT_EQ(st[0].at("from_user_id"), json::value(1));
    EXPECT_EQ(st[0].at("message"), json::value("Contraseña temporal: Xy7#pQ"));  // trimmed
    EXPECT_EQ(st[0].at("tag"), json::value("t1"));
    EXPECT_EQ(st[1].at("type"), json::value("system"));
    EXPECT_EQ(st[1].at("message_out"), json::value("Aviso correo"));
}

struct ImErrorCase {
    const char* name;
    const char* method;
    const char* params;
    const char* error;  // empty: 200 with result false
};

class BitrixImErrors : public BitrixTest, public ::testing::WithParamInterface<ImErrorCase> {};

TEST_P(BitrixImErrors, Refuses) {
    auto a = call(GetParam().method, json::parse(GetParam().params).as_object());
    if (std::string(GetParam().error).empty()) {
        EXPECT_EQ(a.status, 200) << GetParam().name;
        EXPECT_EQ(a.result(), json::value(false)) << GetParam().name;
    } else {
        EXPECT_EQ(a.status, 400) << GetParam().name;
        EXPECT_EQ(a.error(), GetParam().error) << GetParam().name;
    }
    EXPECT_TRUE(bitrix.state().at("notifications").as_array().empty());
    EXPECT_TRUE(bitrix.state().at("im_messages").as_array().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BitrixImErrors,
    ::testing::Values(ImErrorCase{"personal_no_user", "im.notify.personal.add",
                                  R"({"MESSAGE":"x"})", "USER_ID_EMPTY"},
                      ImErrorCase{"personal_no_message", "im.notify.personal.add",
                                  R"({"USER_ID":12,"MESSAGE":" "})", "MESSAGE_EMPTY"},
                      ImErrorCase{"system_no_message", "im.notify.system.add", R"({"USER_ID":12})",
                                  "MESSAGE_EMPTY"},
                      ImErrorCase{"personal_unknown_user", "im.notify.personal.add",
                                  R"({"USER_ID":999,"MESSAGE":"x"})", ""},
                      ImErrorCase{"message_no_dialog", "im.message.add", R"({"MESSAGE":"x"})",
                                  "DIALOG_ID_EMPTY"},
                      ImErrorCase{"message_empty", "im.message.add",
                                  R"({"DIALOG_ID":"12","MESSAGE":""})", "MESSAGE_EMPTY"},
                      ImErrorCase{"message_unknown_user", "im.message.add",
                                  R"({"DIALOG_ID":"999","MESSAGE":"x"})", "USER_NOT_FOUND"},
                      ImErrorCase{"message_unknown_chat", "im.message.add",
                                  R"({"DIALOG_ID":"chat999","MESSAGE":"x"})", "CHAT_ID"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixTest, PrivateMessagesAreKeptAndReadable) {
    auto a = call("im.message.add", {{"DIALOG_ID", "12"}, {"MESSAGE", "Tu contraseña: abc"}});
    ASSERT_EQ(a.status, 200) << a.body;
    auto ims = bitrix.state().at("im_messages").as_array();
    ASSERT_EQ(ims.size(), 1u);
    EXPECT_EQ(ims[0].at("dialog_id"), json::value("12"));
    EXPECT_EQ(ims[0].at("from_user_id"), json::value(1));
    EXPECT_EQ(ims[0].at("message"), json::value("Tu contraseña: abc"));
    auto d = call("im.dialog.messages.get", {{"DIALOG_ID", "12"}});
    ASSERT_EQ(d.status, 200) << d.body;
    ASSERT_EQ(d.result().at("messages").as_array().size(), 1u);
    EXPECT_EQ(d.result().at("messages").at(0).at("id"), a.result());
}

TEST_F(BitrixTest, UserGetShapeAndPaging) {
    auto a = call("user.get");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.body.at("total"), json::value(6));
    const auto& u = a.result().at(0).as_object();
    EXPECT_EQ(u.at("ID"), json::value("1"));
    EXPECT_EQ(u.at("ACTIVE"), json::value(true));
    EXPECT_EQ(u.at("UF_DEPARTMENT"), json::parse("[2]"));
    EXPECT_EQ(u.at("USER_TYPE"), json::value("employee"));
}

struct UserFilterCase {
    const char* name;
    bool json_body;
    const char* params;
    std::vector<std::string> ids;
};

class BitrixUserFilter : public BitrixTest, public ::testing::WithParamInterface<UserFilterCase> {};

TEST_P(BitrixUserFilter, Filters) {
    const auto& c = GetParam();
    auto a = c.json_body ? call("user.get", json::parse(c.params).as_object())
                         : get("user.get", c.params);
    ASSERT_EQ(a.status, 200) << a.body;
    std::vector<std::string> ids;
    for (const auto& u : a.result().as_array()) {
        ids.push_back(str(u.at("ID")));
    }
    EXPECT_EQ(ids, c.ids) << c.name;
    EXPECT_EQ(a.body.at("total"), json::value(static_cast<long long>(c.ids.size())));
}

INSTANTIATE_TEST_SUITE_P(
    Filters, BitrixUserFilter,
    ::testing::Values(
        UserFilterCase{"filter_id", true, R"({"FILTER":{"ID":7}})", {"7"}},
        UserFilterCase{"top_level_id", true, R"({"ID":"8"})", {"8"}},
        UserFilterCase{"department", true, R"({"FILTER":{"UF_DEPARTMENT":3}})", {"12", "13"}},
        UserFilterCase{"top_level_department", false, "UF_DEPARTMENT=2", {"1", "7", "8"}},
        UserFilterCase{"email", false, "FILTER[EMAIL]=jorge.ramirez%40tarmexico.com", {"20"}},
        UserFilterCase{"email_case", true, R"({"EMAIL":"Jorge.Ramirez@TARMEXICO.com"})", {"20"}},
        UserFilterCase{"active", true, R"({"FILTER":{"ACTIVE":true},"ID":[7,12]})", {"7", "12"}},
        UserFilterCase{"inactive", false, "ACTIVE=N", {}},
        UserFilterCase{"search", true, R"({"FILTER":{"NAME_SEARCH":"diana"}})", {"8"}},
        UserFilterCase{
            "sort_desc", true, R"({"sort":"ID","order":"DESC","UF_DEPARTMENT":3})", {"13", "12"}}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixTest, UserCurrentIsTheWebhookOwner) {
    auto a = get("user.current");
    EXPECT_EQ(a.result().at("ID"), json::value("1"));
    EXPECT_EQ(a.result().at("EMAIL"), json::value("hrmaild@tarmexico.com"));
}

TEST_F(BitrixTest, DepartmentGet) {
    auto all = call("department.get");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(all.body.at("total"), json::value(6));
    const auto& root = all.result().at(0).as_object();
    EXPECT_EQ(root.at("ID"), json::value("1"));
    EXPECT_FALSE(root.contains("PARENT"));
    EXPECT_FALSE(root.contains("UF_HEAD"));
    EXPECT_TRUE(root.at("SORT").is_int64());
    auto children = get("department.get", "PARENT=1");
    EXPECT_EQ(children.result().as_array().size(), 5u);
    EXPECT_EQ(children.result().at(0).at("PARENT"), json::value("1"));
    auto one = call("department.get", {{"ID", "2"}});
    ASSERT_EQ(one.result().as_array().size(), 1u);
    EXPECT_EQ(one.result().at(0).at("NAME"), json::value("Dirección de Tecnología de Información"));
}

}  // namespace
}  // namespace hrmaild::sandbox::test
