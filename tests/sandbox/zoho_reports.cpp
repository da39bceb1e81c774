// The report endpoints: SMTP logs (mail traffic) and the login history, generated from the
// organization's users, the day and a seed, so that the same seed shows the same figures
// (docs/sandbox.md, "Reports").
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

namespace {

constexpr std::int64_t kDayMs = std::int64_t{86400} * 1000;
constexpr std::int64_t kHourMs = std::int64_t{3600} * 1000;
constexpr std::int64_t kHistoryDays = 60;  // seeded users have this much history
constexpr int kMaxPage = 500;

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// A draw that depends only on the seed, the address, the day and what it is for.
std::uint64_t draw(std::uint64_t seed, std::string_view who, std::int64_t day, std::uint64_t what) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a of the address
    for (char c : who) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return mix(h ^ mix(seed * 31 + static_cast<std::uint64_t>(day + 1000000) * 1000003ULL + what));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool weekend(std::int64_t day) {
    return ((day % 7) + 7) % 7 >= 5;
}

constexpr std::array<std::string_view, 4> kPartners = {"proveedor.example", "cliente.example",
                                                       "aeropuerto.example", "banco.example"};

std::string external_address(std::uint64_t d) {
    return "contacto" + std::to_string(d % 9 + 1) + "@" +
           std::string(kPartners[(d / 9) % kPartners.size()]);
}

std::string hex16(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4)
        s[static_cast<std::size_t>(i)] = digits[v & 15];
    return s;
}

/// When a user's generated activity starts: 60 days before the seed for seeded users, else
/// the creation of the account.
std::int64_t activity_start(const User& u, std::int64_t anchor) {
    return u.history ? anchor - kHistoryDays * kDayMs : u.created_ms;
}

/// A page or scroll key: the offset and a fingerprint of the query it belongs to.
std::string page_key(std::size_t offset, const std::string& query) {
    return std::to_string(offset) + "-" + util::sha256_hex(query).substr(0, 12);
}

std::optional<std::size_t> read_page_key(const std::string& key, const std::string& query) {
    auto dash = key.find('-');
    if (dash == std::string::npos || key.substr(dash + 1) != util::sha256_hex(query).substr(0, 12))
        return std::nullopt;
    auto n = parse_int(key.substr(0, dash));
    if (!n)
        return std::nullopt;
    return static_cast<std::size_t>(*n);
}

}  // namespace

std::int64_t Org::used_storage_mb(const User& u) const {
    if (u.used_storage_mb)
        return *u.used_storage_mb;
    if (!u.history)
        return 0;  // a new mailbox
    return 150 + static_cast<std::int64_t>(draw(traffic_seed, u.email, 0, 5) % 4000);
}

std::vector<json::object> Org::smtp_lines(std::int64_t from_ms, std::int64_t to_ms) const {
    std::vector<json::object> out;
    const std::int64_t now = now_ms();
    to_ms = std::min(to_ms, now);
    if (!has_org || from_ms > to_ms || users.empty())
        return out;
    const std::int64_t first =
        std::max(floor_div(from_ms - traffic_anchor_ms, kDayMs), -kHistoryDays);
    const std::int64_t last = floor_div(to_ms - traffic_anchor_ms, kDayMs);
    for (std::int64_t day = first; day <= last; ++day) {
        const std::int64_t day_start = traffic_anchor_ms + day * kDayMs;
        for (const auto& u : users) {
            if (!u.mail_enabled)
                continue;
            const std::int64_t start = activity_start(u, traffic_anchor_ms);
            auto line = [&](std::uint64_t d, const std::string& from, const std::string& to) {
                const std::int64_t t =
                    day_start + 8 * kHourMs +
                    static_cast<std::int64_t>(d % static_cast<std::uint64_t>(10 * kHourMs));
                if (t < start || t < from_ms || t > to_ms)
                    return;
                out.push_back(json::object{{"messageId", "<" + hex16(d) + "@mail.sandbox>"},
                                           {"fromAddr", from},
                                           {"toAddr", to},
                                           {"time", t},
                                           {"status", "delivered"}});
            };
            const int divisor = weekend(day) ? 3 : 1;
            // Sent: to a colleague or to an outside contact.
            const int sent = static_cast<int>(draw(traffic_seed, u.email, day, 1) % 6) / divisor;
            for (int i = 0; i < sent; ++i) {
                const std::uint64_t d = draw(traffic_seed, u.email, day, 100 + i);
                std::string to;
                if (d % 3 != 0 && users.size() > 1) {
                    const auto& peer = users[(d / 3) % users.size()];
                    if (peer.email != u.email)
                        to = peer.email;
                }
                if (to.empty())
                    to = external_address(d / 7);
                line(d, u.email, to);
            }
            // Received from outside.
            const int received =
                static_cast<int>(draw(traffic_seed, u.email, day, 2) % 7) / divisor;
            for (int i = 0; i < received; ++i) {
                const std::uint64_t d = draw(traffic_seed, u.email, day, 300 + i);
                line(d, external_address(d / 5), u.email);
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
        return a.at("time").as_int64() < b.at("time").as_int64();
    });
    return out;
}

std::vector<json::object> Org::login_lines(std::int64_t from_ms, std::int64_t to_ms) const {
    std::vector<json::object> out;
    const std::int64_t now = now_ms();
    to_ms = std::min(to_ms, now);
    if (!has_org || from_ms > to_ms)
        return out;
    const std::int64_t first =
        std::max(floor_div(from_ms - traffic_anchor_ms, kDayMs), -kHistoryDays);
    const std::int64_t last = floor_div(to_ms - traffic_anchor_ms, kDayMs);
    for (std::int64_t day = first; day <= last; ++day) {
        const std::int64_t day_start = traffic_anchor_ms + day * kDayMs;
        for (const auto& u : users) {
            if (u.dormant)
                continue;
            // Three habits: nearly every working day, most days, now and then.
            static constexpr std::array<std::uint64_t, 3> chance = {9, 7, 2};
            const std::uint64_t habit = draw(traffic_seed, u.email, 0, 3) % 3;
            const std::uint64_t d = draw(traffic_seed, u.email, day, 4);
            if (d % 10 >= chance[habit] || (weekend(day) && d % 3 != 0))
                continue;
            const std::int64_t t =
                day_start + 7 * kHourMs +
                static_cast<std::int64_t>((d / 10) % static_cast<std::uint64_t>(11 * kHourMs));
            if (t < activity_start(u, traffic_anchor_ms) || t < from_ms || t > to_ms ||
                (!u.account_enabled && t >= u.disabled_ms))
                continue;
            const bool mobile = (d / 7) % 4 == 0;
            out.push_back(json::object{{"zuid", u.zuid},
                                       {"emailAddress", u.email},
                                       {"displayName", u.display_name},
                                       {"loginTime", t},
                                       {"accessType", mobile ? "mobile" : "web"},
                                       {"ipAddress", "201.141." + std::to_string((d / 11) % 200) +
                                                         "." + std::to_string((d / 13) % 250 + 1)},
                                       {"browser", mobile ? "Zoho Mail (Android)" : "Firefox"}});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
        return a.at("loginTime").as_int64() < b.at("loginTime").as_int64();
    });
    return out;
}

std::int64_t Org::last_login_ms(const User& u) const {
    if (!has_org)
        return -1;
    if (u.dormant && u.history)
        return traffic_anchor_ms -
               (45 + static_cast<std::int64_t>(draw(traffic_seed, u.email, 0, 6) % 30)) * kDayMs;
    const std::int64_t now = now_ms();
    // Scan back a day at a time (bounded by the history) for the latest sign-in.
    for (std::int64_t day = floor_div(now - traffic_anchor_ms, kDayMs); day >= -kHistoryDays;
         --day) {
        const std::int64_t day_start = traffic_anchor_ms + day * kDayMs;
        if (day_start + kDayMs <= activity_start(u, traffic_anchor_ms))
            break;
        std::int64_t latest = -1;
        for (const auto& line : login_lines(day_start, day_start + kDayMs - 1)) {
            if (line.at("zuid").as_int64() == u.zuid)
                latest = std::max(latest, line.at("loginTime").as_int64());
        }
        if (latest >= 0)
            return latest;
    }
    return -1;
}

Response Org::smtp_logs(const json::object& body) {
    if (auto k = extra_key(body, {"fromDateTime", "toDateTime", "searchCriteria", "searchKey",
                                  "limit", "isNext", "pageKey"}))
        return extra_key_response(*k);
    auto time_of = [&](const char* key) -> std::optional<std::int64_t> {
        auto it = body.find(key);
        return it == body.end() ? std::nullopt : as_id(it->value());
    };
    auto from = time_of("fromDateTime");
    auto to = time_of("toDateTime");
    if (!from || !to)
        return fail(400, "INVALID_INPUT",
                    std::string(!from ? "fromDateTime" : "toDateTime") +
                        " is required: milliseconds since the epoch");
    if (*from > *to)
        return fail(400, "INVALID_INPUT", "fromDateTime is after toDateTime");
    std::int64_t limit = 10;
    if (auto it = body.find("limit"); it != body.end()) {
        auto n = as_id(it->value());
        if (!n || *n < 1 || *n > kMaxPage)
            return fail(400, "INVALID_INPUT", "limit must be 1 to 500");
        limit = *n;
    }
    std::string criteria, key;
    if (auto it = body.find("searchCriteria"); it != body.end()) {
        criteria = as_string(it->value()).value_or("");
        if (criteria != "messageId" && criteria != "fromAddr" && criteria != "toAddr")
            return fail(400, "INVALID_INPUT",
                        "searchCriteria must be messageId, fromAddr or toAddr");
        auto k = body.find("searchKey");
        key = k == body.end() ? std::string() : as_string(k->value()).value_or("");
        if (key.empty())
            return fail(400, "INVALID_INPUT", "searchKey is required with searchCriteria");
    }
    bool next = false;
    if (auto it = body.find("isNext"); it != body.end()) {
        auto b = as_bool(it->value());
        if (!b)
            return fail(400, "INVALID_INPUT", "isNext must be true or false");
        next = *b;
    }
    const std::string query =
        std::to_string(*from) + "|" + std::to_string(*to) + "|" + criteria + "|" + util::lower(key);
    std::size_t offset = 0;
    if (next) {
        auto it = body.find("pageKey");
        auto pk = it == body.end() ? std::nullopt : as_string(it->value());
        auto o = pk ? read_page_key(*pk, query) : std::nullopt;
        if (!o)
            return fail(400, "INVALID_INPUT", "pageKey is not one this query gave");
        offset = *o;
    }
    std::vector<json::object> lines = smtp_lines(*from, *to);
    if (!criteria.empty()) {
        const std::string wanted = criteria == "messageId" ? key : util::lower(key);
        std::erase_if(lines, [&](const json::object& l) {
            std::string v(l.at(criteria).as_string());
            return (criteria == "messageId" ? v : util::lower(v)) != wanted;
        });
    }
    json::array page;
    const std::size_t end = std::min(lines.size(), offset + static_cast<std::size_t>(limit));
    for (std::size_t i = offset; i < end; ++i)
        page.push_back(std::move(lines[i]));
    const bool more = end < lines.size();
    return ok(200, json::object{{"hnxt", more},
                                {"pagekey", more ? page_key(end, query) : std::string()},
                                {"response", std::move(page)}});
}

Response Org::login_history(const Request& req) {
    std::map<std::string, std::string> q;
    for (auto& [k, v] : util::parse_form(req.query()))
        q[k] = v;
    static const std::set<std::string> modes = {"loginActivity", "failedLoginActivity",
                                                "protocolLoginActivity",
                                                "failedProtocolLoginActivity"};
    if (modes.count(q["mode"]) == 0)
        return fail(400, "INVALID_INPUT",
                    "mode must be loginActivity, failedLoginActivity, protocolLoginActivity or "
                    "failedProtocolLoginActivity");
    std::string access = q.count("accessType") != 0 ? q["accessType"] : "all";
    if (access != "all" && access != "web" && access != "mobile")
        return fail(400, "INVALID_INPUT", "accessType must be all, web or mobile");
    auto from = parse_int(q["fromTime"]);
    auto to = parse_int(q["toTime"]);
    if (!from || !to)
        return fail(400, "INVALID_INPUT",
                    std::string(!from ? "fromTime" : "toTime") +
                        " is required: milliseconds since the epoch");
    if (*from > *to)
        return fail(400, "INVALID_INPUT", "fromTime is after toTime");
    std::int64_t batch = 100;
    if (q.count("batchSize") != 0) {
        auto n = parse_int(q["batchSize"]);
        if (!n || *n < 1 || *n > kMaxPage)
            return fail(400, "INVALID_INPUT", "batchSize must be 1 to 500");
        batch = *n;
    }
    const std::string query =
        q["mode"] + "|" + access + "|" + std::to_string(*from) + "|" + std::to_string(*to);
    std::size_t offset = 0;
    if (q.count("scrollId") != 0 && !q["scrollId"].empty()) {
        auto o = read_page_key(q["scrollId"], query);
        if (!o)
            return fail(400, "INVALID_INPUT", "scrollId is not one this query gave");
        offset = *o;
    }
    // Only successful web and mobile sign-ins are generated; the other modes are empty.
    std::vector<json::object> lines;
    if (q["mode"] == "loginActivity")
        lines = login_lines(*from, *to);
    if (access != "all")
        std::erase_if(
            lines, [&](const json::object& l) { return l.at("accessType").as_string() != access; });
    json::array records;
    const std::size_t end = std::min(lines.size(), offset + static_cast<std::size_t>(batch));
    for (std::size_t i = offset; i < end; ++i)
        records.push_back(std::move(lines[i]));
    const bool more = end < lines.size();
    return ok(200, json::object{{"records", std::move(records)},
                                {"hasMore", more},
                                {"scrollId", more ? page_key(end, query) : std::string()}});
}

json::value Org::reports_json(int days) const {
    const std::int64_t now = now_ms();
    const std::int64_t today = now - ((now % kDayMs) + kDayMs) % kDayMs;
    const std::int64_t from = today - static_cast<std::int64_t>(days - 1) * kDayMs;
    std::vector<std::int64_t> in(static_cast<std::size_t>(days)),
        out(static_cast<std::size_t>(days));
    auto ours = [&](const json::value& address) {
        std::string a(address.as_string());
        auto at = a.find('@');
        std::string d = at == std::string::npos ? std::string() : a.substr(at + 1);
        return std::find(domains.begin(), domains.end(), d) != domains.end();
    };
    for (const auto& l : smtp_lines(from, now)) {
        const auto i = static_cast<std::size_t>((l.at("time").as_int64() - from) / kDayMs);
        if (ours(l.at("toAddr")))
            ++in[i];
        if (ours(l.at("fromAddr")))
            ++out[i];
    }
    json::array per_day;
    for (int i = 0; i < days; ++i) {
        const auto t =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(from + i * kDayMs));
        per_day.push_back(json::object{{"date", util::iso8601_utc(t).substr(0, 10)},
                                       {"in", in[static_cast<std::size_t>(i)]},
                                       {"out", out[static_cast<std::size_t>(i)]}});
    }
    std::map<std::int64_t, std::int64_t> logins;
    for (const auto& l : login_lines(from, now))
        ++logins[l.at("zuid").as_int64()];
    json::array us;
    for (const auto& u : users)
        us.push_back(json::object{{"address", u.email},
                                  {"lastLogin", last_login_ms(u)},
                                  {"loginsInPeriod", logins[u.zuid]},
                                  {"usedStorage", used_storage_mb(u)}});
    return json::object{
        {"now", now}, {"from", from}, {"days", std::move(per_day)}, {"users", std::move(us)}};
}

}  // namespace hrmaild::sandbox::zoho_detail
