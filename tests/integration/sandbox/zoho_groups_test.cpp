// Zoho Mail groups over raw HTTP: create, list, get, every PUT mode, delete by path and by list.
#include "tests/integration/sandbox/fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

class ZohoGroups : public SandboxTest {
  protected:
    std::string groups() { return org_path() + "/groups"; }

    long long zgid_of(const std::string& email) {
        auto list = api("GET", groups()).json().at("data").at("groups").as_array();
        for (const auto& g : list) {
            if (g.at("emailId") == json::value(email))
                return g.at("zgid").as_int64();
        }
        ADD_FAILURE() << "no group " << email;
        return 0;
    }

    json::array members(long long zgid) {
        return api("GET", groups() + "/" + std::to_string(zgid))
            .json()
            .at("data")
            .at("mailGroupMemberList")
            .as_array();
    }

    HttpResult put(long long zgid, json::object body) {
        return api("PUT", groups() + "/" + std::to_string(zgid), body);
    }
};

json::object member(const std::string& email, const std::string& role = "member") {
    return json::object{{"memberEmailId", email}, {"role", role}};
}

TEST_F(ZohoGroups, ListIsCountAndGroups) {
    auto r = api("GET", groups());
    ASSERT_EQ(r.status, 200);
    auto d = r.json().at("data").as_object();
    EXPECT_EQ(d.at("count"), 4);
    ASSERT_EQ(d.at("groups").as_array().size(), 4u);
    const auto& g = d.at("groups").at(0).as_object();
    EXPECT_EQ(g.at("emailId"), "operaciones@tarmexico.com");
    EXPECT_GT(g.at("zgid").as_int64(), 1LL << 53);
    EXPECT_EQ(g.at("groupMemberCount"), 3);
    auto page = api("GET", groups() + "?start=2&limit=2").json().at("data");
    EXPECT_EQ(page.at("count"), 4);
    ASSERT_EQ(page.at("groups").as_array().size(), 2u);
    EXPECT_EQ(page.at("groups").at(0).at("emailId"), "mantenimiento@tarmexico.com");
}

TEST_F(ZohoGroups, CreateReturns201WithTheGroupObject) {
    auto r = api("POST", groups(),
                 json::object{{"emailId", "mantenimiento.qro@tarmexico.com"},
                              {"name", "Mantenimiento QRO"},
                              {"groupDescription", "Técnicos de QRO"},
                              {"accessType", "Organization"},
                              {"mailGroupMemberList",
                               json::array{member("luis.martinez@tarmexico.com", "moderator"),
                                           member("proveedor@externo.com")}}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto g = r.json().at("data").as_object();
    for (const char* k : {"zgid", "emailId", "name", "accessType", "groupMemberCount", "mailboxId",
                          "accountCreationTime", "streamsEnabled", "groupAdminSettings",
                          "mailGroupMemberList", "URI"})
        EXPECT_TRUE(g.contains(k)) << k;
    EXPECT_TRUE(g.at("zgid").is_int64());
    EXPECT_EQ(g.at("groupMemberCount"), 2);
    const auto& m0 = g.at("mailGroupMemberList").at(0).as_object();
    EXPECT_EQ(m0.at("role"), "moderator");
    EXPECT_EQ(m0.at("memberType"), "orgUser");
    EXPECT_TRUE(m0.at("zuid").is_int64());
    EXPECT_EQ(g.at("mailGroupMemberList").at(1).at("memberType"), "externalUser");
    auto get = api("GET", groups() + "/" + std::to_string(g.at("zgid").as_int64()));
    EXPECT_EQ(get.json().at("data"), g);
    EXPECT_EQ(api("GET", org_path()).json().at("data").at("groupCount"), 5);
}

TEST_F(ZohoGroups, CreateRefusals) {
    auto body = [](const std::string& email) {
        return json::object{
            {"emailId", email},
            {"name", "X"},
            {"mailGroupMemberList", json::array{member("ana.lopez@tarmexico.com")}}};
    };
    EXPECT_EQ(error_code(api("POST", groups(), body("comercial@tarmexico.com"))),
              "EMAIL_ALREADY_EXISTS");
    EXPECT_EQ(error_code(api("POST", groups(), body("ana.lopez@tarmexico.com"))),
              "EMAIL_ALREADY_EXISTS");
    EXPECT_EQ(error_code(api("POST", groups(), body("grupo@otro.com"))), "DOMAIN_NOT_VERIFIED");
    EXPECT_EQ(error_code(api("POST", groups(), body("grupo sin@tarmexico.com"))),
              "INVALID_EMAIL_ADDRESS");
    auto wrong_keys = body("nuevo@tarmexico.com");
    wrong_keys["groupName"] = "zoh Go client style";
    auto r = api("POST", groups(), wrong_keys);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(error_code(r), "EXTRA_KEY_FOUND_IN_JSON");
    auto no_members = json::object{{"emailId", "nuevo@tarmexico.com"}, {"name", "N"}};
    EXPECT_EQ(api("POST", groups(), no_members).status, 400);
}

TEST_F(ZohoGroups, GetUnknownOrMalformed) {
    auto missing = api("GET", groups() + "/99999");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(error_code(missing), "GROUP_NOT_FOUND");
    auto bad = api("GET", groups() + "/operaciones");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_code(bad), "PATTERN_NOT_MATCHED");
    auto put =
        api("PUT", groups() + "/99999",
            json::object{{"mode", "addMailGroupMember"},
                         {"mailGroupMemberList", json::array{member("ana.lopez@tarmexico.com")}}});
    EXPECT_EQ(error_code(put), "GROUP_NOT_FOUND");
}

TEST_F(ZohoGroups, AddMemberThenMemberAlreadyExists) {
    long long zgid = zgid_of("comercial@tarmexico.com");
    auto add = put(zgid, json::object{{"mode", "addMailGroupMember"},
                                      {"mailGroupMemberList",
                                       json::array{member("laura.mendez@tarmexico.com")}}});
    ASSERT_EQ(add.status, 200) << add.body;
    EXPECT_FALSE(add.json().as_object().contains("data"));
    EXPECT_EQ(members(zgid).size(), 2u);
    auto again = put(zgid, json::object{{"mode", "addMailGroupMember"},
                                        {"mailGroupMemberList",
                                         json::array{member("jorge.ramirez@tarmexico.com"),
                                                     member("laura.mendez@tarmexico.com")}}});
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(error_code(again), "MEMBER_ALREADY_EXISTS");
    EXPECT_EQ(members(zgid).size(), 2u);  // a refused call changes nothing
    auto extra =
        put(zgid, json::object{{"mode", "addMailGroupMember"},
                               {"mailGroupMemberList",
                                json::array{json::object{{"memberEmailId", "x.y@tarmexico.com"},
                                                         {"status", "active"}}}}});
    EXPECT_EQ(error_code(extra), "EXTRA_KEY_FOUND_IN_JSON");
}

TEST_F(ZohoGroups, MemberRoleStatusDetailsAndDelete) {
    long long zgid = zgid_of("operaciones@tarmexico.com");
    ASSERT_EQ(
        put(zgid, json::object{{"mode", "changeMemberRole"},
                               {"mailGroupMemberList",
                                json::array{member("jorge.ramirez@tarmexico.com", "moderator")}}})
            .status,
        200);
    EXPECT_EQ(members(zgid).at(0).at("role"), "moderator");
    ASSERT_EQ(
        put(zgid,
            json::object{{"mode", "updateMemberStatus"},
                         {"mailGroupMemberList",
                          json::array{json::object{{"memberEmailId", "juan.perez@tarmexico.com"},
                                                   {"status", "deactive"}}}}})
            .status,
        200);
    EXPECT_EQ(members(zgid).at(1).at("status"), "deactive");
    ASSERT_EQ(
        put(zgid,
            json::object{{"mode", "updateGroupMemberDetails"},
                         {"mailGroupMemberList",
                          json::array{json::object{{"memberEmailId", "pedro.gomez@tarmexico.com"},
                                                   {"role", "moderator"},
                                                   {"postApproval", "hold"}}}}})
            .status,
        200);
    EXPECT_EQ(members(zgid).at(2).at("postApproval"), "hold");
    auto not_member =
        put(zgid,
            json::object{{"mode", "changeMemberRole"},
                         {"mailGroupMemberList", json::array{member("ana.lopez@tarmexico.com")}}});
    EXPECT_EQ(not_member.status, 404);
    auto del = put(
        zgid,
        json::object{{"mode", "deleteMailGroupMember"},
                     {"mailGroupMemberList",
                      json::array{json::object{{"memberEmailId", "juan.perez@tarmexico.com"}}}}});
    ASSERT_EQ(del.status, 200);
    EXPECT_EQ(members(zgid).size(), 2u);
    auto role_in_delete = put(
        zgid,
        json::object{{"mode", "deleteMailGroupMember"},
                     {"mailGroupMemberList", json::array{member("pedro.gomez@tarmexico.com")}}});
    EXPECT_EQ(error_code(role_in_delete), "EXTRA_KEY_FOUND_IN_JSON");
}

TEST_F(ZohoGroups, NameAndOptions) {
    long long zgid = zgid_of("comercial@tarmexico.com");
    ASSERT_EQ(put(zgid, json::object{{"mode", "updateGroupName"}, {"name", "Ventas"}}).status, 200);
    auto g = api("GET", groups() + "/" + std::to_string(zgid)).json().at("data");
    EXPECT_EQ(g.at("name"), "Ventas");
    auto adv =
        put(zgid, json::object{{"mode", "updateMailGroupAdvOptions"},
                               {"accessType", "Moderated"},
                               {"groupAdminSettings",
                                json::object{{"holdOrBounce", "reject"}, {"adminNotify", true}}}});
    ASSERT_EQ(adv.status, 200) << adv.body;
    g = api("GET", groups() + "/" + std::to_string(zgid)).json().at("data");
    EXPECT_EQ(g.at("accessType"), "Moderated");
    EXPECT_EQ(g.at("groupAdminSettings").at("holdOrBounce"), "reject");
    auto opt = put(
        zgid, json::object{{"mode", "updateMailGroupOption"},
                           {"groupGeneralSettingVO", json::object{{"mailboxId", g.at("mailboxId")},
                                                                  {"subjectPrefix", "[ventas]"},
                                                                  {"bounceThreshold", 10}}}});
    ASSERT_EQ(opt.status, 200) << opt.body;
    g = api("GET", groups() + "/" + std::to_string(zgid)).json().at("data");
    EXPECT_EQ(g.at("groupGeneralSettingVO").at("subjectPrefix"), "[ventas]");
    EXPECT_EQ(
        put(zgid, json::object{{"mode", "updateMailGroupOption"},
                               {"groupGeneralSettingVO", json::object{{"bounceThreshold", 500}}}})
            .status,
        400);
    EXPECT_EQ(error_code(put(zgid, json::object{{"mode", "updateMailGroup"}, {"name", "x"}})),
              "URL_RULE_MISMATCH");
    EXPECT_EQ(
        error_code(put(zgid, json::object{{"mode", "updateGroupName"}, {"groupDescription", "x"}})),
        "EXTRA_KEY_FOUND_IN_JSON");
}

TEST_F(ZohoGroups, DeleteByPathAndByGroupList) {
    long long a = zgid_of("comercial@tarmexico.com");
    long long b = zgid_of("mantenimiento@tarmexico.com");
    long long c = zgid_of("todos@tarmexico.com");
    auto r = api("DELETE", groups() + "/" + std::to_string(a));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(api("GET", groups() + "/" + std::to_string(a)).status, 404);
    auto missing = api("DELETE", groups(), json::object{{"groupList", json::array{b, a}}});
    EXPECT_EQ(error_code(missing), "GROUP_NOT_FOUND");
    auto list =
        api("DELETE", groups(), json::object{{"groupList", json::array{b, std::to_string(c)}}});
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(api("GET", groups()).json().at("data").at("count"), 1);
}

}  // namespace
}  // namespace hrmaild::sandbox::test
