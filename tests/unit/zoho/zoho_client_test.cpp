#include "daemon/zoho/zoho_client.hpp"
#include "daemon/log/log.hpp"
#include "daemon/zoho/errors.hpp"
#include "tests/unit/zoho/fake_zoho.hpp"

#include <gtest/gtest.h>

namespace hrmaild::zoho::test {
namespace {
using namespace std::chrono_literals;

constexpr std::int64_t kZoid = 60012345678;
constexpr std::int64_t kZuid = 2560636000000008002;     // above 2^53, no exact double
constexpr std::int64_t kAccount = 2560636000000008003;  // above 2^53, no exact double
constexpr std::int64_t kZgid = 6917529027641081857;

net::RetrySettings retry_config() {
    net::RetrySettings r;
    r.max_attempts = 6;
    r.base_delay = 1000ms;
    r.max_delay = 15min;
    return r;
}

TokenSettings token_settings() {
    TokenSettings s;
    s.accounts_url = "https://accounts.zoho.eu";
    s.client_id = "1000.CLIENT";
    s.client_secret = Secret("secret");
    s.refresh_token = Secret("refresh");
    return s;
}

json::object user_json(std::int64_t zuid = kZuid, std::string email = "ana.lopez@tarmexico.com") {
    return json::object{
        {"zuid", zuid},
        {"accountId", std::to_string(kAccount)},
        {"primaryEmailAddress", email},
        {"firstName", "Ana"},
        {"lastName", "López"},
        {"displayName", "Ana López"},
        {"role", "member"},
        {"status", true},
        {"mailboxStatus", "enabled"},
        {"emailAddress",
         json::array{
             json::object{{"mailId", email}, {"isPrimary", true}, {"isAlias", false}},
             json::object{
                 {"mailId", "ALOPEZ@tarmexico.com"}, {"isPrimary", false}, {"isAlias", true}}}}};
}

struct ClientFixture : ::testing::Test {
    asio::io_context ioc;
    core::ManualClock clock;
    FakeTransport http{clock};
    TokenManager tokens{http, clock, token_settings()};
    ClientOptions options = [] {
        ClientOptions o;
        o.jitter = net::Jitter::none;
        o.seed = 7;
        return o;
    }();
    std::unique_ptr<ZohoClient> client = make(kZoid, 10000);

    std::unique_ptr<ZohoClient> make(std::int64_t zoid, int per_minute) {
        return std::make_unique<ZohoClient>(http, clock, tokens, "https://mail.zoho.eu/", zoid,
                                            per_minute, retry_config(), options);
    }
    template <typename T>
    T go(asio::awaitable<T> aw) {
        return run(ioc, clock, std::move(aw));
    }
    /// The only API request so far.
    net::HttpRequest only_request() {
        auto api = http.api_requests();
        EXPECT_EQ(api.size(), 1u);
        return api.empty() ? net::HttpRequest{} : api.front();
    }
    void answer_api(net::HttpResponse r) {
        http.api_handler = [r](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
            return r;
        };
    }
};

const std::string kOrg = "/api/organization/60012345678";

// ---------------------------------------------------------------- request shapes

TEST_F(ClientFixture, EveryCallCarriesTheZohoOauthtokenHeader) {
    answer_api(ok(200, json::value(json::array{})));
    ASSERT_TRUE(go(client->list_users(0, 50)).has_value());
    auto r = only_request();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.url, "https://mail.zoho.eu" + kOrg + "/accounts?start=0&limit=50");
    EXPECT_EQ(header_of(r, "Authorization"), "Zoho-oauthtoken tok-1");
    EXPECT_TRUE(r.body.empty());
}

TEST_F(ClientFixture, AddUserSendsEveryFieldTheWorkflowsNeed) {
    answer_api(ok(201, json::value(user_json())));
    NewUser u;
    u.primary_address = "ana.lopez@tarmexico.com";
    u.password = Secret("Xy7#kP2!qR9$mW4@");
    u.first_name = "Ana";
    u.last_name = "López";
    u.display_name = "Ana López";
    u.role = "member";
    u.one_time_password = true;
    u.groups = {"operaciones@tarmexico.com"};
    auto created = go(client->add_user(u));
    ASSERT_TRUE(created.has_value()) << created.error().describe();
    EXPECT_EQ(created->zuid, kZuid);
    EXPECT_EQ(created->account_id, kAccount);
    auto r = only_request();
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(target_of(r), kOrg + "/accounts");
    EXPECT_EQ(r.content_type, "application/json");
    json::value expected =
        json::object{{"primaryEmailAddress", "ana.lopez@tarmexico.com"},
                     {"password", "Xy7#kP2!qR9$mW4@"},
                     {"firstName", "Ana"},
                     {"lastName", "López"},
                     {"displayName", "Ana López"},
                     {"role", "member"},
                     {"oneTimePassword", true},
                     {"groupMailList", json::array{"operaciones@tarmexico.com"}}};
    EXPECT_EQ(body_of(r), expected);
}

TEST_F(ClientFixture, AddUserWithoutDataReadsTheAccountBack) {
    int n = 0;
    http.api_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return ++n == 1 ? ok(201) : ok(200, json::value(user_json()));
    };
    NewUser u;
    u.primary_address = "ana.lopez@tarmexico.com";
    u.password = Secret("x");
    auto created = go(client->add_user(u));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(created->zuid, kZuid);
    auto api = http.api_requests();
    ASSERT_EQ(api.size(), 2u);
    EXPECT_EQ(target_of(api[1]), kOrg + "/accounts/ana.lopez@tarmexico.com");
}

TEST_F(ClientFixture, IdsAboveTwoToTheFiftyThirdSurviveBothDirections) {
    // A number and a string spelling, as Zoho mixes them.
    json::object u = user_json();
    u["zuid"] = std::to_string(kZuid);
    u["accountId"] = kAccount;
    answer_api(ok(200, json::value(u)));
    auto got = go(client->get_user("ana.lopez@tarmexico.com"));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->zuid, kZuid);
    EXPECT_EQ(got->account_id, kAccount);
    EXPECT_EQ(got->aliases, std::vector<std::string>{"alopez@tarmexico.com"});

    answer_api(ok(200));
    ASSERT_TRUE(go(client->reset_password(got->ref(), Secret("pw"))).has_value());
    auto r = http.api_requests().back();
    // The path holds accountId, the body the zuid, both digit for digit.
    EXPECT_EQ(target_of(r), kOrg + "/accounts/2560636000000008003");
    EXPECT_NE(r.body.find("\"zuid\":2560636000000008002"), std::string::npos) << r.body;
}

TEST_F(ClientFixture, ParseUserRejectsIdsThatWentThroughADouble) {
    json::object u = user_json();
    u["zuid"] = 2.560636000000008e18;
    EXPECT_EQ(parse_user(u).zuid, 0) << "a double id must not be guessed";
}

// Issue 14: `mailForward[]` has no documented element shape; each entry counts as a forward,
// and its address is read from a string or an object's address-like value.
TEST_F(ClientFixture, ParseUserReadsEveryForward) {
    json::object u = user_json();
    EXPECT_TRUE(parse_user(u).forwards.empty());
    u["mailForward"] = json::array{"Ana@Gmail.com", json::object{{"mailForwardTo", "a@x.mx"}},
                                   json::object{{"status", true}}};
    EXPECT_EQ(parse_user(u).forwards, (std::vector<std::string>{"ana@gmail.com", "a@x.mx", ""}));
}

TEST_F(ClientFixture, UserModesSendTheDocumentedBodies) {
    answer_api(ok(200));
    const UserRef ref{kZuid, kAccount};
    const std::string path = kOrg + "/accounts/2560636000000008003";
    struct Case {
        std::function<asio::awaitable<net::Outcome<void>>()> call;
        json::value body;
    };
    std::vector<Case> cases;
    cases.push_back(
        {[&] { return client->reset_password(ref, Secret("New#Pass42word"), true, false); },
         json::object{{"mode", "resetPassword"},
                      {"password", "New#Pass42word"},
                      {"oneTimePassword", true},
                      {"resetAuthToken", false},
                      {"zuid", kZuid}}});
    cases.push_back({[&] {
                         return client->disable_user(ref, DisableOptions{true, true, true, false});
                     },
                     json::object{{"mode", "disableUser"},
                                  {"blockIncoming", true},
                                  {"removeMailforward", true},
                                  {"removeGroupMembership", true},
                                  {"removeAlias", false},
                                  {"zuid", kZuid}}});
    cases.push_back(
        {[&] { return client->enable_user(ref, true); },
         json::object{{"mode", "enableUser"}, {"unblockIncoming", true}, {"zuid", kZuid}}});
    cases.push_back({[&] { return client->add_aliases(ref, {"a.lopez@tarmexico.com"}); },
                     json::object{{"mode", "addEmailAlias"},
                                  {"emailAlias", json::array{"a.lopez@tarmexico.com"}},
                                  {"zuid", kZuid}}});
    cases.push_back({[&] { return client->delete_aliases(ref, {"a.lopez@tarmexico.com"}); },
                     json::object{{"mode", "deleteEmailAlias"},
                                  {"emailAlias", json::array{"a.lopez@tarmexico.com"}},
                                  {"zuid", kZuid}}});
    cases.push_back(
        {[&] { return client->update_display_name(ref, "Ana L.", "ana.lopez@tarmexico.com"); },
         json::object{{"mode", "displaynameemailupdate"},
                      {"displayName", "Ana L."},
                      {"emailAddress", "ana.lopez@tarmexico.com"},
                      {"zuid", kZuid}}});
    for (std::size_t i = 0; i < cases.size(); ++i) {
        auto r = go(cases[i].call());
        ASSERT_TRUE(r.has_value()) << i;
        const auto sent = http.api_requests().back();
        EXPECT_EQ(sent.method, "PUT") << i;
        EXPECT_EQ(target_of(sent), path) << i;
        EXPECT_EQ(body_of(sent), cases[i].body) << i << ": " << sent.body;
    }
}

TEST_F(ClientFixture, ChangeRoleUsesTheCollectionUrlAndReadsPerUserResults) {
    answer_api(ok(200, json::value(json::array{json::object{{"2560636000000008002", true}},
                                               json::object{{"18014398509481985", false}}})));
    auto r = go(client->change_role({kZuid, 18014398509481985}, "admin"));
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0], (std::pair<std::int64_t, bool>{kZuid, true}));
    EXPECT_EQ((*r)[1], (std::pair<std::int64_t, bool>{18014398509481985, false}));
    auto sent = only_request();
    EXPECT_EQ(sent.method, "PUT");
    EXPECT_EQ(target_of(sent), kOrg + "/accounts");
    EXPECT_EQ(body_of(sent),
              (json::value(json::object{
                  {"mode", "changeRole"},
                  {"userList", json::array{"2560636000000008002", "18014398509481985"}},
                  {"role", "admin"}})));
}

TEST_F(ClientFixture, DeleteSendsAJsonBodyOnDelete) {
    answer_api(ok(200));
    ASSERT_TRUE(go(client->delete_users({kZuid})).has_value());
    ASSERT_TRUE(go(client->delete_users_by_address({"ana.lopez@tarmexico.com"})).has_value());
    auto api = http.api_requests();
    ASSERT_EQ(api.size(), 2u);
    EXPECT_EQ(api[0].method, "DELETE");
    EXPECT_EQ(target_of(api[0]), kOrg + "/accounts");
    EXPECT_EQ(api[0].body, "{\"accountList\":[2560636000000008002]}");
    EXPECT_EQ(body_of(api[1]),
              (json::value(json::object{{"emailList", json::array{"ana.lopez@tarmexico.com"}}})));
}

TEST_F(ClientFixture, GroupCallsSendTheDocumentedBodies) {
    json::object group{{"zgid", kZgid},
                       {"emailId", "Ventas@tarmexico.com"},
                       {"name", "Ventas"},
                       {"mailGroupMemberList",
                        json::array{json::object{{"memberEmailId", "ana.lopez@tarmexico.com"},
                                                 {"role", "moderator"}}}}};
    answer_api(ok(201, json::value(group)));
    NewGroup g;
    g.address = "ventas@tarmexico.com";
    g.name = "Ventas";
    g.description = "Equipo de ventas";
    g.access_type = "Organization";
    g.members = {{"ana.lopez@tarmexico.com", "moderator", {}, {}}};
    auto created = go(client->create_group(g));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(created->zgid, kZgid);
    EXPECT_EQ(created->address, "ventas@tarmexico.com");
    ASSERT_EQ(created->members.size(), 1u);
    EXPECT_EQ(created->members[0].role, "moderator");
    auto sent = only_request();
    EXPECT_EQ(sent.method, "POST");
    EXPECT_EQ(target_of(sent), kOrg + "/groups");
    EXPECT_EQ(body_of(sent),
              (json::value(json::object{
                  {"emailId", "ventas@tarmexico.com"},
                  {"name", "Ventas"},
                  {"groupDescription", "Equipo de ventas"},
                  {"accessType", "Organization"},
                  {"mailGroupMemberList",
                   json::array{json::object{{"memberEmailId", "ana.lopez@tarmexico.com"},
                                            {"role", "moderator"}}}}})));

    answer_api(ok(200));
    const std::string path = kOrg + "/groups/6917529027641081857";
    struct Case {
        std::function<asio::awaitable<net::Outcome<void>>()> call;
        std::string method;
        json::value body;
    };
    std::vector<Case> cases;
    cases.push_back(
        {[&] {
             return client->add_members(kZgid, {{"luis@tarmexico.com", "member", {}, {}}});
         },
         "PUT",
         json::object{{"mode", "addMailGroupMember"},
                      {"mailGroupMemberList",
                       json::array{json::object{{"memberEmailId", "luis@tarmexico.com"},
                                                {"role", "member"}}}}}});
    cases.push_back(
        {[&] { return client->remove_members(kZgid, {"luis@tarmexico.com"}); }, "PUT",
         json::object{{"mode", "deleteMailGroupMember"},
                      {"mailGroupMemberList",
                       json::array{json::object{{"memberEmailId", "luis@tarmexico.com"}}}}}});
    cases.push_back({[&] {
                         return client->change_member_roles(
                             kZgid, {{"luis@tarmexico.com", "moderator", {}, {}}});
                     },
                     "PUT",
                     json::object{{"mode", "changeMemberRole"},
                                  {"mailGroupMemberList",
                                   json::array{json::object{{"memberEmailId", "luis@tarmexico.com"},
                                                            {"role", "moderator"}}}}}});
    cases.push_back({[&] { return client->rename_group(kZgid, "Ventas MX"); }, "PUT",
                     json::object{{"mode", "updateGroupName"}, {"name", "Ventas MX"}}});
    cases.push_back(
        {[&] {
             return client->update_group_settings(
                 kZgid, GroupSettings{"Organization", json::object{{"holdOrBounce", "reject"}}});
         },
         "PUT",
         json::object{{"mode", "updateMailGroupAdvOptions"},
                      {"accessType", "Organization"},
                      {"groupAdminSettings", json::object{{"holdOrBounce", "reject"}}}}});
    cases.push_back({[&] { return client->delete_group(kZgid); }, "DELETE", nullptr});
    for (std::size_t i = 0; i < cases.size(); ++i) {
        auto r = go(cases[i].call());
        ASSERT_TRUE(r.has_value()) << i;
        const auto s = http.api_requests().back();
        EXPECT_EQ(s.method, cases[i].method) << i;
        EXPECT_EQ(target_of(s), path) << i;
        EXPECT_EQ(body_of(s), cases[i].body) << i << ": " << s.body;
    }
}

TEST_F(ClientFixture, GroupListPagesOnlyWhenTheCountSaysMore) {
    auto group = [](std::int64_t id) {
        return json::object{{"zgid", id},
                            {"emailId", "g" + std::to_string(id) + "@tarmexico.com"},
                            {"name", "G"},
                            {"mailGroupMemberList", json::array{}}};
    };
    http.api_handler = [&](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        const auto t = target_of(r);
        json::array page;
        if (t == kOrg + "/groups") {
            for (int i = 1; i <= 25; ++i)
                page.push_back(group(i));
        } else if (t == kOrg + "/groups?start=26&limit=25") {
            for (int i = 26; i <= 30; ++i)
                page.push_back(group(i));
        } else {
            return fail(404, "URL_RULE_MISMATCH");
        }
        return ok(200, json::value(json::object{{"count", 30}, {"groups", page}}));
    };
    auto groups = go(client->list_groups());
    ASSERT_TRUE(groups.has_value()) << groups.error().describe();
    EXPECT_EQ(groups->size(), 30u);
    EXPECT_EQ(http.api_requests().size(), 2u);
}

TEST_F(ClientFixture, UserPagingStopsWhenTheServerIgnoresStart) {
    options.user_page_size = 2;
    client = make(kZoid, 10000);
    answer_api(ok(200, json::value(json::array{user_json(1, "a@tarmexico.com"),
                                               user_json(2, "b@tarmexico.com")})));
    auto all = go(client->list_all_users());
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->size(), 2u);
    auto api = http.api_requests();
    ASSERT_EQ(api.size(), 2u);
    EXPECT_EQ(target_of(api[1]), kOrg + "/accounts?start=2&limit=2");
}

TEST_F(ClientFixture, ZoidIsDiscoveredOnceWhenNotConfigured) {
    client = make(0, 10000);
    http.api_handler = [&](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        if (target_of(r) == "/api/organization")
            return ok(200, json::value(json::object{{"zoid", kZoid}, {"orgName", "TAR"}}));
        return ok(200, json::value(json::array{}));
    };
    ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    auto api = http.api_requests();
    ASSERT_EQ(api.size(), 3u);
    EXPECT_EQ(target_of(api[0]), "/api/organization");
    EXPECT_EQ(target_of(api[1]), kOrg + "/accounts?start=0&limit=10");
    EXPECT_EQ(go(client->zoid()).value(), kZoid);
}

TEST_F(ClientFixture, SummaryReadsTheDashboardNumbers) {
    http.api_handler = [&](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        const auto t = target_of(r);
        if (t == kOrg)
            return ok(200, json::value(json::object{{"zoid", kZoid},
                                                    {"orgName", "TAR"},
                                                    {"usersCount", 2},
                                                    {"groupCount", 3},
                                                    {"licenseCount", 400}}));
        if (t == kOrg + "/storage")
            return ok(
                200,
                json::value(json::object{
                    {"userList",
                     json::array{
                         json::object{{"zuid", kZuid}, {"usedStorage", 1389}, {"totalStorage", 65}},
                         json::object{{"zuid", 5}, {"usedStorage", 11}, {"totalStorage", 5}}}}}));
        json::object disabled = user_json(5, "x@tarmexico.com");
        disabled["status"] = false;
        return ok(200, json::value(json::array{user_json(), disabled}));
    };
    auto s = go(client->summary());
    ASSERT_TRUE(s.has_value()) << s.error().describe();
    EXPECT_EQ(s->users, 2);
    EXPECT_EQ(s->active_users, 1);
    EXPECT_EQ(s->licenses, 400);
    EXPECT_EQ(s->groups, 3);
    EXPECT_EQ(s->storage_used_mb, 1400);
    EXPECT_EQ(s->storage_total_mb, 70 * 1024);
    EXPECT_EQ(s->organization.name, "TAR");
}

// ---------------------------------------------------------------- error mapping

TEST_F(ClientFixture, ErrorCodesMapToKindsWithoutRetrying) {
    struct Case {
        int status;
        std::string code;
        core::ErrorKind kind;
    };
    const std::vector<Case> cases = {
        {400, "EMAIL_ALREADY_EXISTS", core::ErrorKind::conflict},
        {400, "PASSWORD_POLICY_VIOLATION", core::ErrorKind::permanent},
        {400, "LICENSE_LIMIT_EXCEEDED", core::ErrorKind::permanent},
        {400, "DOMAIN_NOT_VERIFIED", core::ErrorKind::permanent},
        {400, "INVALID_EMAIL_ADDRESS", core::ErrorKind::permanent},
        {404, "EXTRA_KEY_FOUND_IN_JSON", core::ErrorKind::permanent},
        {404, "USER_NOT_FOUND", core::ErrorKind::permanent},
    };
    for (const auto& c : cases) {
        http.requests.clear();
        answer_api(fail(c.status, c.code, "details"));
        NewUser u;
        u.primary_address = "a@tarmexico.com";
        u.password = Secret("p");
        auto r = go(client->add_user(u));
        ASSERT_FALSE(r.has_value()) << c.code;
        EXPECT_EQ(r.error().kind, c.kind) << c.code;
        EXPECT_EQ(r.error().service_code, c.code);
        EXPECT_EQ(r.error().http_status, c.status);
        EXPECT_EQ(http.api_requests().size(), 1u) << c.code << " must not be retried";
    }
}

TEST_F(ClientFixture, AFailureInTheEnvelopeOfA200IsAFailure) {
    auto r200 = fail(400, "EMAIL_ALREADY_EXISTS");
    r200.status = 200;
    answer_api(r200);
    NewUser u;
    u.primary_address = "a@tarmexico.com";
    u.password = Secret("p");
    auto r = go(client->add_user(u));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, core::ErrorKind::conflict);
    EXPECT_EQ(r.error().http_status, 400);
}

TEST_F(ClientFixture, NotFoundIsAMarkerAndFindUserProbes) {
    answer_api(fail(404, "USER_NOT_FOUND"));
    auto g = go(client->get_user("nadie@tarmexico.com"));
    ASSERT_FALSE(g.has_value());
    EXPECT_TRUE(is_not_found(g.error()));
    auto f = go(client->find_user("nadie@tarmexico.com"));
    ASSERT_TRUE(f.has_value());
    EXPECT_FALSE(f->has_value());
    answer_api(fail(404, "GROUP_NOT_FOUND"));
    auto gr = go(client->get_group(kZgid));
    ASSERT_FALSE(gr.has_value());
    EXPECT_TRUE(is_not_found(gr.error()));
}

TEST_F(ClientFixture, MemberAlreadyExistsIsSettledByAProbe) {
    json::object group{{"zgid", kZgid},
                       {"emailId", "ventas@tarmexico.com"},
                       {"mailGroupMemberList",
                        json::array{json::object{{"memberEmailId", "luis@tarmexico.com"}}}}};
    http.api_handler = [&](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        if (r.method == "GET")
            return ok(200, json::value(group));
        return fail(400, "MEMBER_ALREADY_EXISTS");
    };
    auto r = go(client->add_members(kZgid, {{"LUIS@tarmexico.com", "member", {}, {}}}));
    EXPECT_TRUE(r.has_value());
    auto api = http.api_requests();
    ASSERT_EQ(api.size(), 2u);
    EXPECT_EQ(api[1].method, "GET");

    // The probe does not show the member: a conflict, reported as such.
    auto c = go(client->add_members(kZgid, {{"otro@tarmexico.com", "member", {}, {}}}));
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().kind, core::ErrorKind::conflict);
}

TEST_F(ClientFixture, ExpiredTokenRefreshesOnceAndRetriesOnce) {
    int n = 0;
    http.api_handler = [&](const net::HttpRequest& r) -> net::Outcome<net::HttpResponse> {
        ++n;
        if (header_of(r, "Authorization") == "Zoho-oauthtoken tok-1")
            return fail(401, "INVALID_OAUTHTOKEN");
        return ok(200, json::value(json::array{}));
    };
    auto r = go(client->list_users(0, 10));
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(http.token_requests().size(), 2u);
    EXPECT_EQ(n, 2);

    // A token refused twice: auth error after exactly one refresh and one retry.
    http.requests.clear();
    http.api_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        return fail(401, "INVALID_OAUTHTOKEN");
    };
    auto bad = go(client->list_users(0, 10));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().kind, core::ErrorKind::auth);
    EXPECT_EQ(http.api_requests().size(), 2u);
    EXPECT_EQ(http.token_requests().size(), 1u);
}

TEST_F(ClientFixture, MissingScopeIsPermanentNamesTheScopeAndDoesNotRefresh) {
    log::CaptureSink sink;
    answer_api(answer(401, json::object{{"errorCode", "INVALID_OAUTHSCOPE"}, {"status", "401"}}));
    auto r = go(client->storage());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, core::ErrorKind::permanent);
    EXPECT_NE(r.error().message.find("ZohoMail.organization.subscriptions.READ"),
              std::string::npos);
    EXPECT_EQ(http.token_requests().size(), 1u);
    EXPECT_EQ(http.api_requests().size(), 1u);
    EXPECT_TRUE(sink.has_event("ZOHO_SCOPE_MISSING"));
}

TEST_F(ClientFixture, ThrottleBacksOffSixtySecondsDoubling) {
    for (bool as_400 : {false, true}) {
        http.requests.clear();
        std::vector<core::Duration> at;
        const auto start = clock.now();
        http.api_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
            at.push_back(clock.now() - start);
            if (at.size() <= 2)
                return fail(as_400 ? 400 : 429, "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED");
            return ok(200, json::value(json::array{}));
        };
        auto r = go(client->list_users(0, 10));
        ASSERT_TRUE(r.has_value()) << r.error().describe();
        ASSERT_EQ(at.size(), 3u);
        const auto first_wait = at[1] - at[0];
        const auto second_wait = at[2] - at[1];
        EXPECT_GE(first_wait, 60s);
        EXPECT_LE(first_wait, 75s + 1s);
        EXPECT_GE(second_wait, 120s);
        EXPECT_LE(second_wait, 150s + 1s);
    }
}

TEST_F(ClientFixture, ThrottleDelayIsCappedAtFifteenMinutes) {
    for (int n = 1; n <= 12; ++n) {
        auto d = client->throttle_delay(n);
        EXPECT_GE(d, std::min<core::Duration>(60s * (1 << std::min(n - 1, 10)), 15min));
        EXPECT_LE(d, 15min + 225s);
    }
    EXPECT_GE(client->throttle_delay(9), 15min);
}

TEST_F(ClientFixture, A400WithThrottleInTheBodyIsAThrottle) {
    int n = 0;
    http.api_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        if (++n == 1)
            return answer(400, json::object{{"message", "Request throttled, try later"}});
        return ok(200, json::value(json::array{}));
    };
    ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    EXPECT_EQ(client->stats().throttled, 1u);
    EXPECT_GE(clock.elapsed(), 60s);
}

TEST_F(ClientFixture, ServerErrorsAndTransportFailuresAreRetried) {
    int n = 0;
    http.api_handler = [&](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
        ++n;
        if (n == 1)
            return answer(503, json::object{});
        if (n == 2)
            return net::retryable_error("connection reset");
        return ok(200, json::value(json::array{}));
    };
    ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    EXPECT_EQ(n, 3);
}

TEST_F(ClientFixture, RetriesStopAtMaxAttempts) {
    answer_api(answer(500, json::object{}));
    auto r = go(client->list_users(0, 10));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, core::ErrorKind::retryable);
    EXPECT_EQ(http.api_requests().size(), 6u);
}

TEST_F(ClientFixture, EveryCallTakesFromTheClientSideBudget) {
    client = make(kZoid, 25);  // 25 calls in any window of about a minute (a sliding window)
    answer_api(ok(200, json::value(json::array{})));
    for (int i = 0; i < 25; ++i)
        ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    EXPECT_LT(clock.elapsed(), 1s) << "the whole budget is usable at once";
    // The 26th waits until the first grant leaves the window.
    ASSERT_TRUE(go(client->list_users(0, 10)).has_value());
    EXPECT_GE(clock.elapsed(), 60s);
    EXPECT_LE(clock.elapsed(), 62s);
}

}  // namespace
}  // namespace hrmaild::zoho::test
