// The report endpoints of the Zoho emulator over raw HTTP: SMTP logs (paging by pagekey),
// the login history (paging by scrollId), storage per mailbox, and the control view that
// counts them the way the dashboard does.
#include "tests/integration/sandbox/fixture.hpp"

#include <chrono>
#include <map>
#include <set>

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

constexpr long long kDayMs = 86400000LL;

class ZohoReports : public SandboxTest {
  protected:
    long long now_ms() {
        auto r = control("GET", "clock");
        return r.json().at("unix_ms").to_number<long long>();
    }

    /// Every SMTP log line in [from, to], page by page; the number of pages in `pages`.
    std::vector<json::object> all_smtp_lines(long long from, long long to, int limit, int& pages) {
        std::vector<json::object> out;
        std::string key;
        pages = 0;
        for (;;) {
            json::object body{{"fromDateTime", from},
                              {"toDateTime", to},
                              {"limit", limit},
                              {"isNext", !key.empty()}};
            if (!key.empty())
                body["pageKey"] = key;
            auto r = api("POST", org_path() + "/smtplogs", body);
            EXPECT_EQ(r.status, 200) << r.body;
            if (r.status != 200)
                break;
            ++pages;
            const json::value body_json = r.json();
            const auto& data = body_json.at("data").as_object();
            for (const auto& l : data.at("response").as_array())
                out.push_back(l.as_object());
            if (!data.at("hnxt").as_bool())
                break;
            key = std::string(data.at("pagekey").as_string());
            if (pages > 100)
                break;
        }
        return out;
    }
};

TEST_F(ZohoReports, SmtpLogsPageThroughThirtyDaysOfSeededTrafficInTimeOrder) {
    const long long now = now_ms();
    int pages = 0;
    auto lines = all_smtp_lines(now - 30 * kDayMs, now, 200, pages);
    ASSERT_GT(lines.size(), 200u) << "thirty days of eight mailboxes";
    EXPECT_GE(pages, 2);
    std::set<std::string> ids;
    long long last = 0;
    for (const auto& l : lines) {
        const long long t = l.at("time").as_int64();
        EXPECT_GE(t, now - 30 * kDayMs);
        EXPECT_LE(t, now);
        EXPECT_GE(t, last) << "oldest first";
        last = t;
        EXPECT_EQ(l.at("status"), "delivered");
        std::string from(l.at("fromAddr").as_string()), to(l.at("toAddr").as_string());
        EXPECT_TRUE(from.ends_with("@tarmexico.com") || to.ends_with("@tarmexico.com")) << from;
        ids.insert(std::string(l.at("messageId").as_string()) + to);
    }
    EXPECT_EQ(ids.size(), lines.size()) << "no line twice across pages";

    // The same query again gives the same lines: the traffic is generated, not random.
    int again_pages = 0;
    auto again = all_smtp_lines(now - 30 * kDayMs, now, 500, again_pages);
    ASSERT_EQ(again.size(), lines.size());
    EXPECT_EQ(again.front(), lines.front());
    EXPECT_EQ(again.back(), lines.back());
    EXPECT_LT(again_pages, pages);
}

TEST_F(ZohoReports, SmtpLogsCheckTheirInputAndSearchByAddress) {
    const long long now = now_ms();
    auto missing = api("POST", org_path() + "/smtplogs", json::object{{"toDateTime", now}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(error_code(missing), "INVALID_INPUT");
    EXPECT_NE(missing.body.find("fromDateTime"), std::string::npos);
    auto big = api("POST", org_path() + "/smtplogs",
                   json::object{{"fromDateTime", 0}, {"toDateTime", now}, {"limit", 501}});
    EXPECT_EQ(big.status, 400);
    auto extra = api("POST", org_path() + "/smtplogs",
                     json::object{{"fromDateTime", 0}, {"toDateTime", now}, {"color", "red"}});
    EXPECT_EQ(extra.status, 404);
    EXPECT_EQ(error_code(extra), "EXTRA_KEY_FOUND_IN_JSON");
    auto forged = api("POST", org_path() + "/smtplogs",
                      json::object{{"fromDateTime", 0},
                                   {"toDateTime", now},
                                   {"isNext", true},
                                   {"pageKey", "10-000000000000"}});
    EXPECT_EQ(forged.status, 400);
    auto get = api("GET", org_path() + "/smtplogs");
    EXPECT_EQ(get.status, 404);
    EXPECT_EQ(error_code(get), "URL_RULE_MISMATCH");

    auto laura = api("POST", org_path() + "/smtplogs",
                     json::object{{"fromDateTime", now - 30 * kDayMs},
                                  {"toDateTime", now},
                                  {"limit", 500},
                                  {"searchCriteria", "toAddr"},
                                  {"searchKey", "Laura.Mendez@tarmexico.com"}});
    ASSERT_EQ(laura.status, 200) << laura.body;
    const json::value laura_json = laura.json();
    const auto& rows = laura_json.at("data").at("response").as_array();
    ASSERT_FALSE(rows.empty());
    for (const auto& l : rows)
        EXPECT_EQ(l.at("toAddr"), "laura.mendez@tarmexico.com");
}

TEST_F(ZohoReports, SmtpLogsNeedThePartnerOrganizationScope) {
    control(
        "POST", "config",
        json::object{
            {"zoho", json::object{{"scopes", json::array{"ZohoMail.organization.accounts.ALL"}}}}});
    auto r =
        api("POST", org_path() + "/smtplogs", json::object{{"fromDateTime", 0}, {"toDateTime", 1}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json().at("errorCode"), "INVALID_OAUTHSCOPE");
}

TEST_F(ZohoReports, LoginHistoryScrollsAndAgreesWithLastLogin) {
    const long long now = now_ms();
    const std::string base = org_path() + "/accounts/reports/loginHistory?mode=loginActivity" +
                             "&fromTime=" + std::to_string(now - 30 * kDayMs) +
                             "&toTime=" + std::to_string(now) + "&batchSize=20";
    std::map<std::string, std::int64_t> latest;
    std::string scroll;
    int batches = 0;
    for (;;) {
        auto r = api("GET", base + (scroll.empty() ? "" : "&scrollId=" + scroll));
        ASSERT_EQ(r.status, 200) << r.body;
        ++batches;
        const json::value body_json = r.json();
        const auto& data = body_json.at("data").as_object();
        for (const auto& rec : data.at("records").as_array()) {
            std::string who(rec.at("emailAddress").as_string());
            latest[who] = std::max(latest[who], rec.at("loginTime").as_int64());
            EXPECT_TRUE(rec.at("accessType") == "web" || rec.at("accessType") == "mobile");
        }
        if (!data.at("hasMore").as_bool())
            break;
        scroll = std::string(data.at("scrollId").as_string());
        ASSERT_LT(batches, 100);
    }
    EXPECT_GE(batches, 2);
    EXPECT_EQ(latest.count("luis.martinez@tarmexico.com"), 0u) << "seeded dormant";
    EXPECT_GE(latest.size(), 5u);
    // lastLogin in the user list is the latest sign-in of the history.
    auto users = api("GET", org_path() + "/accounts?limit=50");
    ASSERT_EQ(users.status, 200);
    const json::value users_json = users.json();
    for (const auto& u : users_json.at("data").as_array()) {
        std::string who(u.at("primaryEmailAddress").as_string());
        const long long last = u.at("lastLogin").as_int64();
        if (latest.count(who) != 0)
            EXPECT_EQ(last, latest[who]) << who;
        else
            EXPECT_LT(last, now - 30 * kDayMs) << who << " signed in within the period";
    }

    auto bad = api("GET", org_path() +
                              "/accounts/reports/loginHistory?mode=everything&fromTime=0"
                              "&toTime=1");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("mode"), std::string::npos);
    auto failed = api("GET", org_path() +
                                 "/accounts/reports/loginHistory?mode=failedLoginActivity"
                                 "&fromTime=0&toTime=" +
                                 std::to_string(now));
    ASSERT_EQ(failed.status, 200);
    EXPECT_TRUE(failed.json().at("data").at("records").as_array().empty());
}

TEST_F(ZohoReports, DisablingAnAccountKeepsItsPastSignIns) {
    auto last_login = [&] {
        auto r = api("GET", org_path() + "/accounts/jorge.ramirez@tarmexico.com");
        EXPECT_EQ(r.status, 200) << r.body;
        const json::value v = r.json();
        return v.at("data").at("lastLogin").as_int64();
    };
    const long long before = last_login();
    ASSERT_GT(before, 0);
    auto off = api(
        "PUT", org_path() + "/accounts/" + account_id_of("jorge.ramirez@tarmexico.com"),
        json::object{{"mode", "disableUser"}, {"zuid", zuid_of("jorge.ramirez@tarmexico.com")}});
    ASSERT_EQ(off.status, 200) << off.body;
    EXPECT_EQ(last_login(), before) << "a disabled account's history stays";
    control("POST", "clock", json::object{{"advance_seconds", 3 * 86400}});
    token_.clear();  // the access token expired with the clock
    EXPECT_EQ(last_login(), before) << "and it signs in no more";
}

TEST_F(ZohoReports, StorageShowsEachMailboxSeededUse) {
    auto r = api("GET", org_path() + "/storage");
    ASSERT_EQ(r.status, 200);
    std::map<long long, long long> used;
    const json::value storage_json = r.json();
    for (const auto& row : storage_json.at("data").at("userList").as_array())
        used[row.at("zuid").to_number<long long>()] = row.at("usedStorage").as_int64();
    EXPECT_EQ(used[zuid_of("laura.mendez@tarmexico.com")], 5120);
    EXPECT_EQ(used[zuid_of("luis.martinez@tarmexico.com")], 12);
}

TEST_F(ZohoReports, ControlReportCountsInAndOutPerDayLikeTheLines) {
    auto r = control("GET", "zoho/reports?days=30");
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value rep_json = r.json();
    const auto& rep = rep_json.as_object();
    const auto& days = rep.at("days").as_array();
    ASSERT_EQ(days.size(), 30u);
    const long long from = rep.at("from").as_int64();
    const long long now = rep.at("now").as_int64();
    EXPECT_EQ(from % kDayMs, 0) << "days start at 00:00 UTC";
    int pages = 0;
    auto lines = all_smtp_lines(from, now, 500, pages);
    long long in = 0, out = 0;
    for (const auto& l : lines) {
        in += std::string(l.at("toAddr").as_string()).ends_with("@tarmexico.com");
        out += std::string(l.at("fromAddr").as_string()).ends_with("@tarmexico.com");
    }
    long long in_sum = 0, out_sum = 0;
    for (const auto& d : days) {
        in_sum += d.at("in").as_int64();
        out_sum += d.at("out").as_int64();
    }
    EXPECT_EQ(in_sum, in);
    EXPECT_EQ(out_sum, out);
    EXPECT_GT(in_sum, 0);
    EXPECT_GT(out_sum, 0);
    EXPECT_EQ(control("GET", "zoho/reports?days=0").status, 400);
}

}  // namespace
}  // namespace hrmaild::sandbox::test
