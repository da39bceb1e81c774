// Zoho Mail users over raw HTTP: add (with every documented refusal), list, get, every PUT
// mode, delete; ids above 2^53.
#include "tests/integration/sandbox/fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

using ZohoUsers = SandboxTest;

constexpr const char* good_password = "Vx9#qLm2!Tz7";

json::object new_user(const std::string& email, const std::string& password = good_password) {
    return json::object{{"primaryEmailAddress", email},    {"password", password},
                        {"firstName", "Mariana"},          {"lastName", "Torres Ibarra"},
                        {"displayName", "Mariana Torres"}, {"role", "member"},
                        {"oneTimePassword", true}};
}

std::string accounts() {
    return org_path() + "/accounts";
}

TEST_F(ZohoUsers, ListIsAnArrayPagedByStartAndLimit) {
    auto all = api("GET", accounts());
    ASSERT_EQ(all.status, 200);
    ASSERT_TRUE(all.json().at("data").is_array());
    EXPECT_EQ(all.json().at("data").as_array().size(), 8u);  // default limit 10
    EXPECT_EQ(all.json().at("data").at(0).at("primaryEmailAddress"), "admin@tarmexico.com");
    EXPECT_EQ(api("GET", accounts() + "?start=0&limit=3").json().at("data").as_array().size(), 3u);
    auto tail = api("GET", accounts() + "?start=6&limit=3").json().at("data").as_array();
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(tail[1].at("primaryEmailAddress"), "luis.martinez@tarmexico.com");
    EXPECT_TRUE(api("GET", accounts() + "?start=8&limit=3").json().at("data").as_array().empty());
    auto bad = api("GET", accounts() + "?start=x");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_code(bad), "PATTERN_NOT_MATCHED");
}

TEST_F(ZohoUsers, IdsAboveTwoToThe53AreExactAndAccountIdIsAString) {
    auto r = api("GET", accounts() + "/laura.mendez@tarmexico.com");
    ASSERT_EQ(r.status, 200);
    auto d = r.json().at("data").as_object();
    ASSERT_TRUE(d.at("zuid").is_int64());
    long long zuid = d.at("zuid").as_int64();
    EXPECT_GT(zuid, 1LL << 53);
    // Not representable as a double: a client going through double would change it.
    EXPECT_NE(static_cast<long long>(static_cast<double>(zuid)), zuid);
    EXPECT_NE(r.body.find("\"zuid\":" + std::to_string(zuid)), std::string::npos);
    ASSERT_TRUE(d.at("accountId").is_string());
    std::string account(d.at("accountId").as_string());
    EXPECT_GT(std::stoll(account), 1LL << 53);

    auto by_zuid = api("GET", accounts() + "/" + std::to_string(zuid));
    auto by_account = api("GET", accounts() + "/" + account);
    auto by_encoded = api("GET", accounts() + "/laura.mendez%40tarmexico.com");
    EXPECT_EQ(by_zuid.json().at("data"), d);
    EXPECT_EQ(by_account.json().at("data"), d);
    EXPECT_EQ(by_encoded.json().at("data"), d);
}

TEST_F(ZohoUsers, GetUnknownOrMalformed) {
    auto missing = api("GET", accounts() + "/123456789");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(error_code(missing), "USER_NOT_FOUND");
    auto missing_mail = api("GET", accounts() + "/nadie@tarmexico.com");
    EXPECT_EQ(error_code(missing_mail), "USER_NOT_FOUND");
    auto bad = api("GET", accounts() + "/not-a-number");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_code(bad), "PATTERN_NOT_MATCHED");
    auto put = api("PUT", accounts() + "/123456789", json::object{{"mode", "enableMailAccount"}});
    EXPECT_EQ(put.status, 404);
    EXPECT_EQ(error_code(put), "USER_NOT_FOUND");
}

TEST_F(ZohoUsers, AddReturns201WithTheFullObjectAndJoinsGroups) {
    auto body = new_user("mariana.torres@tarmexico.com");
    body["groupMailList"] = json::array{"operaciones@tarmexico.com"};
    auto r = api("POST", accounts(), body);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("status").at("code"), 201);
    auto d = r.json().at("data").as_object();
    for (const char* k : {"zuid",
                          "accountId",
                          "primaryEmailAddress",
                          "mailboxAddress",
                          "incomingUserName",
                          "firstName",
                          "lastName",
                          "displayName",
                          "role",
                          "mailboxStatus",
                          "status",
                          "enabled",
                          "emailAddress",
                          "usedStorage",
                          "planStorage",
                          "lastLogin",
                          "lastPasswordReset",
                          "accountCreationTime",
                          "incomingBlocked",
                          "outgoingBlocked",
                          "country",
                          "language",
                          "timeZone",
                          "policyId",
                          "sendMailDetails",
                          "mailForward",
                          "type",
                          "URI",
                          "iamUserRole",
                          "tfaEnabled"})
        EXPECT_TRUE(d.contains(k)) << k;
    EXPECT_EQ(d.at("primaryEmailAddress"), "mariana.torres@tarmexico.com");
    EXPECT_EQ(d.at("lastName"), "Torres Ibarra");
    EXPECT_EQ(d.at("displayName"), "Mariana Torres");
    EXPECT_EQ(d.at("mailboxStatus"), "enabled");
    EXPECT_FALSE(d.contains("password"));

    auto org = api("GET", org_path()).json();
    EXPECT_EQ(org.at("data").at("usersCount"), 9);
    auto st = state();
    bool member = false;
    for (const auto& g : st.at("zoho").at("groups").as_array()) {
        if (g.at("emailId") != "operaciones@tarmexico.com")
            continue;
        for (const auto& m : g.at("mailGroupMemberList").as_array())
            member = member || m.at("memberEmailId") == "mariana.torres@tarmexico.com";
    }
    EXPECT_TRUE(member);
}

TEST_F(ZohoUsers, PasswordNeverReachesTheStateDump) {
    ASSERT_EQ(api("POST", accounts(), new_user("mariana.torres@tarmexico.com")).status, 201);
    auto raw = control("GET", "state");
    EXPECT_EQ(raw.body.find(good_password), std::string::npos);
    EXPECT_EQ(raw.body.find("sandbox-client-secret"), std::string::npos);
    EXPECT_EQ(raw.body.find(token_), std::string::npos);
    auto st = state();
    for (const auto& u : st.at("zoho").at("users").as_array()) {
        if (u.at("primaryEmailAddress") == "mariana.torres@tarmexico.com") {
            EXPECT_EQ(u.at("passwordSet"), true);
            EXPECT_EQ(u.at("oneTimePassword"), true);
        }
    }
}

TEST_F(ZohoUsers, AddRefusals) {
    ASSERT_EQ(api("POST", accounts(), new_user("mariana.torres@tarmexico.com")).status, 201);
    auto dup = api("POST", accounts(), new_user("Mariana.Torres@tarmexico.com"));
    EXPECT_EQ(dup.status, 400);
    EXPECT_EQ(error_code(dup), "EMAIL_ALREADY_EXISTS");
    auto group_address = api("POST", accounts(), new_user("operaciones@tarmexico.com"));
    EXPECT_EQ(error_code(group_address), "EMAIL_ALREADY_EXISTS");
    auto domain = api("POST", accounts(), new_user("mariana@otro.com"));
    EXPECT_EQ(domain.status, 400);
    EXPECT_EQ(error_code(domain), "DOMAIN_NOT_VERIFIED");
    auto invalid = api("POST", accounts(), new_user("maría.núñez@tarmexico.com"));
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(error_code(invalid), "INVALID_EMAIL_ADDRESS");
    EXPECT_EQ(error_code(api("POST", accounts(), new_user("a..b@tarmexico.com"))),
              "INVALID_EMAIL_ADDRESS");
    for (const char* weak : {"Sh0rt!", "alllowercase1!", "NoSpecial123x", "Xy#1mariana9Q",
                             "Qz#abc9Rtw", "Qz#1119Rtw!", "P@ssw0rd"}) {
        auto r = api("POST", accounts(), new_user("otra.persona@tarmexico.com", weak));
        EXPECT_EQ(r.status, 400) << weak;
        EXPECT_EQ(error_code(r), "PASSWORD_POLICY_VIOLATION") << weak;
    }
    auto extra = api("POST", accounts(), [] {
        auto b = new_user("otra.persona@tarmexico.com");
        b["nickname"] = "x";
        return b;
    }());
    EXPECT_EQ(extra.status, 404);
    EXPECT_EQ(error_code(extra), "EXTRA_KEY_FOUND_IN_JSON");
    auto missing =
        api("POST", accounts(), json::object{{"primaryEmailAddress", "a.b@tarmexico.com"}});
    EXPECT_EQ(missing.status, 400);
    auto no_group = api("POST", accounts(), [] {
        auto b = new_user("otra.persona@tarmexico.com");
        b["groupMailList"] = json::array{"nada@tarmexico.com"};
        return b;
    }());
    EXPECT_EQ(error_code(no_group), "GROUP_NOT_FOUND");
    EXPECT_EQ(api("GET", org_path()).json().at("data").at("usersCount"), 9);
}

TEST_F(ZohoUsers, LicenceLimit) {
    control("POST", "config", json::object{{"zoho", json::object{{"license_count", 9}}}});
    EXPECT_EQ(api("POST", accounts(), new_user("uno.nuevo@tarmexico.com")).status, 201);
    auto r = api("POST", accounts(), new_user("dos.nuevo@tarmexico.com"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_code(r), "LICENSE_LIMIT_EXCEEDED");
}

TEST_F(ZohoUsers, ChangeRoleOnTheCollectionUrl) {
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    auto r = api("PUT", accounts(),
                 json::object{{"mode", "changeRole"},
                              {"userList", json::array{std::to_string(zuid), 42}},
                              {"role", "admin"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto data = r.json().at("data").as_array();
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].at(std::to_string(zuid)), true);
    EXPECT_EQ(data[1].at("42"), false);
    EXPECT_EQ(api("GET", accounts() + "/ana.lopez@tarmexico.com").json().at("data").at("role"),
              "admin");
    api("PUT", accounts(),
        json::object{{"mode", "changeRole"}, {"userList", json::array{zuid}}, {"role", "user"}});
    EXPECT_EQ(api("GET", accounts() + "/ana.lopez@tarmexico.com").json().at("data").at("role"),
              "member");
    auto extra =
        api("PUT", accounts(),
            json::object{
                {"mode", "changeRole"}, {"userList", json::array{zuid}}, {"newRole", "admin"}});
    EXPECT_EQ(error_code(extra), "EXTRA_KEY_FOUND_IN_JSON");
}

TEST_F(ZohoUsers, ResetPassword) {
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    std::string account = account_id_of("ana.lopez@tarmexico.com");
    auto no_zuid = api("PUT", accounts() + "/" + account,
                       json::object{{"mode", "resetPassword"}, {"password", good_password}});
    EXPECT_EQ(no_zuid.status, 400);
    EXPECT_EQ(no_zuid.json().at("data").at("moreInfo"), "zuid is null");
    auto weak =
        api("PUT", accounts() + "/" + account,
            json::object{{"mode", "resetPassword"}, {"zuid", zuid}, {"password", "Ana12345!x"}});
    EXPECT_EQ(error_code(weak), "PASSWORD_POLICY_VIOLATION");
    auto r = api("PUT", accounts() + "/" + account,
                 json::object{{"mode", "resetPassword"},
                              {"zuid", zuid},
                              {"password", good_password},
                              {"oneTimePassword", true},
                              {"resetAuthtoken", true}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json().as_object().contains("data"));
    auto user = api("GET", accounts() + "/" + account).json().at("data");
    EXPECT_GT(user.at("lastPasswordReset").as_int64(), 0);
    // The path may hold the zuid too.
    EXPECT_EQ(api("PUT", accounts() + "/" + std::to_string(zuid),
                  json::object{{"mode", "resetPassword"},
                               {"zuid", std::to_string(zuid)},
                               {"password", "Hg7$wPz!2cVn"}})
                  .status,
              200);
    auto mismatch = api("PUT", accounts() + "/" + account,
                        json::object{{"mode", "resetPassword"},
                                     {"zuid", zuid_of("luis.martinez@tarmexico.com")},
                                     {"password", good_password}});
    EXPECT_EQ(error_code(mismatch), "USER_NOT_FOUND");
}

TEST_F(ZohoUsers, DisableUserRemovesMembershipsAndBlocksIncomingThenEnableUser) {
    long long zuid = zuid_of("juan.perez@tarmexico.com");
    std::string account = account_id_of("juan.perez@tarmexico.com");
    auto r = api("PUT", accounts() + "/" + account,
                 json::object{{"mode", "disableUser"},
                              {"zuid", zuid},
                              {"blockIncoming", "true"},
                              {"removeMailforward", "true"},
                              {"removeGroupMembership", "true"},
                              {"removeAlias", "false"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto user = api("GET", accounts() + "/" + account).json().at("data");
    EXPECT_EQ(user.at("status"), false);
    EXPECT_EQ(user.at("incomingBlocked"), true);
    auto st = state();
    for (const auto& g : st.at("zoho").at("groups").as_array()) {
        for (const auto& m : g.at("mailGroupMemberList").as_array())
            EXPECT_NE(m.at("memberEmailId"), "juan.perez@tarmexico.com") << g.at("emailId");
    }
    auto groups = api("GET", org_path() + "/groups").json().at("data").at("groups").as_array();
    for (const auto& g : groups) {
        if (g.at("emailId") == "operaciones@tarmexico.com") {
            EXPECT_EQ(g.at("groupMemberCount"), 2);
        }
    }
    auto bad_flag =
        api("PUT", accounts() + "/" + account,
            json::object{{"mode", "disableUser"}, {"zuid", zuid}, {"blockIncoming", "maybe"}});
    EXPECT_EQ(bad_flag.status, 400);
    auto enable =
        api("PUT", accounts() + "/" + account,
            json::object{{"mode", "enableUser"}, {"zuid", zuid}, {"unblockIncoming", true}});
    ASSERT_EQ(enable.status, 200);
    user = api("GET", accounts() + "/" + account).json().at("data");
    EXPECT_EQ(user.at("status"), true);
    EXPECT_EQ(user.at("incomingBlocked"), false);
}

TEST_F(ZohoUsers, DisableAndEnableMailAccount) {
    long long zuid = zuid_of("pedro.gomez@tarmexico.com");
    std::string account = account_id_of("pedro.gomez@tarmexico.com");
    ASSERT_EQ(api("PUT", accounts() + "/" + account,
                  json::object{{"mode", "disableMailAccount"}, {"zuid", zuid}})
                  .status,
              200);
    auto user = api("GET", accounts() + "/" + account).json().at("data");
    EXPECT_EQ(user.at("mailboxStatus"), "disabled");
    EXPECT_EQ(user.at("status"), true);
    EXPECT_EQ(api("GET", org_path()).json().at("data").at("mailboxCount"), 7);
    ASSERT_EQ(api("PUT", accounts() + "/" + account,
                  json::object{{"mode", "enableMailAccount"}, {"zuid", zuid}})
                  .status,
              200);
    EXPECT_EQ(api("GET", accounts() + "/" + account).json().at("data").at("mailboxStatus"),
              "enabled");
}

TEST_F(ZohoUsers, EmailAliases) {
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    auto r = api("PUT", accounts() + "/" + std::to_string(zuid),
                 json::object{{"mode", "addEmailAlias"},
                              {"zuid", zuid},
                              {"emailAlias", json::array{"ventas@tarmexico.com"}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json().at("data").at(0).at("ventas@tarmexico.com").is_string());
    auto by_alias = api("GET", accounts() + "/ventas@tarmexico.com");
    EXPECT_EQ(by_alias.json().at("data").at("zuid"), zuid);
    EXPECT_EQ(by_alias.json().at("data").at("emailAddress").as_array().size(), 2u);
    EXPECT_EQ(error_code(api("POST", accounts(), new_user("ventas@tarmexico.com"))),
              "EMAIL_ALREADY_EXISTS");
    EXPECT_EQ(error_code(api("PUT", accounts() + "/" + std::to_string(zuid),
                             json::object{{"mode", "addEmailAlias"},
                                          {"emailAlias", json::array{"x@otro.com"}}})),
              "DOMAIN_NOT_VERIFIED");
    ASSERT_EQ(api("PUT", accounts() + "/" + std::to_string(zuid),
                  json::object{{"mode", "deleteEmailAlias"},
                               {"emailAlias", json::array{"ventas@tarmexico.com"}}})
                  .status,
              200);
    EXPECT_EQ(api("GET", accounts() + "/ventas@tarmexico.com").status, 404);
}

TEST_F(ZohoUsers, DisplayNameAndSendMailDetails) {
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    std::string account = account_id_of("ana.lopez@tarmexico.com");
    auto r = api("PUT", accounts() + "/" + account,
                 json::object{{"mode", "displaynameemailupdate"},
                              {"zuid", zuid},
                              {"displayName", "Ana L. López"},
                              {"emailAddress", "ana.lopez@tarmexico.com"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto user = api("GET", accounts() + "/" + account).json().at("data");
    EXPECT_EQ(user.at("displayName"), "Ana L. López");
    EXPECT_EQ(user.at("sendMailDetails").at(0).at("displayName"), "Ana L. López");
    auto add = api("PUT", accounts() + "/" + account,
                   json::object{{"mode", "addsendmaildetails"},
                                {"zuid", zuid},
                                {"sendMailDetails", json::object{{"fromAddress", "ana@externo.com"},
                                                                 {"displayName", "Ana"}}}});
    ASSERT_EQ(add.status, 200) << add.body;
    EXPECT_EQ(api("GET", accounts() + "/" + account)
                  .json()
                  .at("data")
                  .at("sendMailDetails")
                  .as_array()
                  .size(),
              2u);
}

TEST_F(ZohoUsers, UnknownModesAndExtraKeysPerMode) {
    std::string account = account_id_of("ana.lopez@tarmexico.com");
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    auto unknown = api("PUT", accounts() + "/" + account,
                       json::object{{"mode", "renameUser"}, {"zuid", zuid}});
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(error_code(unknown), "URL_RULE_MISMATCH");
    // blockIncoming belongs to disableUser, not to enableUser.
    auto extra = api("PUT", accounts() + "/" + account,
                     json::object{{"mode", "enableUser"}, {"zuid", zuid}, {"blockIncoming", true}});
    EXPECT_EQ(extra.status, 404);
    EXPECT_EQ(error_code(extra), "EXTRA_KEY_FOUND_IN_JSON");
}

TEST_F(ZohoUsers, DeleteByAccountListOrEmailList) {
    long long zuid = zuid_of("ana.lopez@tarmexico.com");
    auto missing = api("DELETE", accounts(), json::object{{"accountList", json::array{zuid, 77}}});
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(error_code(missing), "USER_NOT_FOUND");
    EXPECT_EQ(api("GET", accounts() + "/ana.lopez@tarmexico.com").status, 200);  // nothing deleted
    auto r =
        api("DELETE", accounts(), json::object{{"accountList", json::array{std::to_string(zuid)}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json().as_object().contains("data"));
    EXPECT_EQ(api("GET", accounts() + "/ana.lopez@tarmexico.com").status, 404);
    auto by_mail = api("DELETE", accounts(),
                       json::object{{"emailList", json::array{"luis.martinez@tarmexico.com"}}});
    ASSERT_EQ(by_mail.status, 200);
    EXPECT_EQ(api("GET", org_path()).json().at("data").at("usersCount"), 6);
    auto mant = api("GET", org_path() + "/groups").json().at("data").at("groups").at(1);
    EXPECT_EQ(mant.at("emailId"), "mantenimiento@tarmexico.com");
    EXPECT_EQ(mant.at("groupMemberCount"), 0);
    EXPECT_EQ(api("DELETE", accounts(), json::object{}).status, 400);
    EXPECT_EQ(error_code(api("DELETE", accounts(), json::object{{"zuidList", json::array{1}}})),
              "EXTRA_KEY_FOUND_IN_JSON");
}

}  // namespace
}  // namespace hrmaild::sandbox::test
