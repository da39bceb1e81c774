#include "daemon/zoho/zoho_client.hpp"

#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/json.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <set>

namespace hrmaild::zoho {
namespace asio = boost::asio;
namespace json = boost::json;
using net::Outcome;

namespace {

constexpr std::string_view kScopeOrg = "ZohoMail.partner.organization.READ";
constexpr std::string_view kScopeStorage = "ZohoMail.organization.subscriptions.READ";

std::string_view login_mode_name(LoginMode mode) {
    switch (mode) {
        case LoginMode::login:
            return "loginActivity";
        case LoginMode::failed_login:
            return "failedLoginActivity";
        case LoginMode::protocol_login:
            return "protocolLoginActivity";
        case LoginMode::failed_protocol_login:
            return "failedProtocolLoginActivity";
    }
    return "loginActivity";
}

std::string accounts_scope(std::string_view op) {
    return fmt::format("ZohoMail.organization.accounts.{}", op);
}
std::string groups_scope(std::string_view op) {
    return fmt::format("ZohoMail.organization.groups.{}", op);
}

std::string strip_slash(std::string url) {
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

net::CallError bad_response(std::string_view what) {
    net::CallError e = net::permanent_error(fmt::format("Zoho: unexpected answer: {}", what));
    e.service_code = codes::bad_response;
    return e;
}

json::array string_array(const std::vector<std::string>& items) {
    json::array a;
    for (const auto& s : items)
        a.emplace_back(s);
    return a;
}

Outcome<void> as_void(const Outcome<json::value>& r) {
    if (!r)
        return r.error();
    return {};
}

/// A removal whose target is already gone did what it was asked (a re-sent DELETE, or a
/// step settled after a crash): success, logged.
Outcome<void> gone_is_done(const Outcome<json::value>& r, std::string_view operation) {
    if (!r && is_not_found(r.error())) {
        log::info("ZOHO_ALREADY_GONE",
                  {{"operation", operation}, {"code", r.error().service_code}});
        return {};
    }
    return as_void(r);
}

}  // namespace

std::string encode_segment(std::string_view segment) {
    // The unreserved characters and the path characters Zoho's examples leave as they are.
    static constexpr auto kKeep =
        boost::urls::unreserved_chars + boost::urls::grammar::lut_chars("@!$'*=:");
    return boost::urls::encode(segment, kKeep);
}

// ------------------------------------------------------------------ parsing

User parse_user(const json::object& o) {
    User u;
    u.zuid = id_field(o, "zuid").value_or(0);
    u.account_id = id_field(o, "accountId").value_or(0);
    u.primary_address = core::ascii_lower(string_field(o, "primaryEmailAddress"));
    u.first_name = string_field(o, "firstName");
    u.last_name = string_field(o, "lastName");
    u.display_name = string_field(o, "displayName");
    u.role = string_field(o, "role", "member");
    u.account_enabled = bool_field(o, "status").value_or(true);
    const std::string mailbox = core::ascii_lower(string_field(o, "mailboxStatus", "enabled"));
    u.mailbox_enabled = mailbox == "enabled" || mailbox == "active";
    u.incoming_blocked = bool_field(o, "incomingBlocked").value_or(false);
    u.used_storage_mb = int_field(o, "usedStorage").value_or(0);
    u.created_ms = int_field(o, "accountCreationTime").value_or(0);
    u.last_login_ms = int_field(o, "lastLogin").value_or(-1);
    if (const json::array* forwards = array_field(o, "mailForward")) {
        for (const auto& f : *forwards) {
            std::string to;
            if (f.is_string()) {
                to = std::string(f.get_string());
            } else if (f.is_object()) {
                for (const auto& kv : f.get_object())
                    if (kv.value().is_string() &&
                        kv.value().get_string().find('@') != json::string::npos) {
                        to = std::string(kv.value().get_string());
                        break;
                    }
            }
            u.forwards.push_back(core::ascii_lower(to));
        }
    }
    if (const json::array* addresses = array_field(o, "emailAddress")) {
        for (const auto& a : *addresses) {
            if (!a.is_object())
                continue;
            const auto& ao = a.get_object();
            std::string mail = core::ascii_lower(string_field(ao, "mailId"));
            if (mail.empty())
                continue;
            const bool alias = bool_field(ao, "isAlias").value_or(false);
            const bool primary = bool_field(ao, "isPrimary").value_or(false);
            if (u.primary_address.empty() && primary)
                u.primary_address = mail;
            if (alias && mail != u.primary_address)
                u.aliases.push_back(mail);
        }
    }
    return u;
}

Group parse_group(const json::object& o) {
    Group g;
    g.zgid = id_field(o, "zgid").value_or(0);
    g.address = core::ascii_lower(string_field(o, "emailId"));
    g.name = string_field(o, "name");
    g.description = string_field(o, "groupDescription");
    g.access_type = string_field(o, "accessType");
    g.member_count = int_field(o, "groupMemberCount").value_or(0);
    if (const json::array* members = array_field(o, "mailGroupMemberList")) {
        g.members_listed = true;
        for (const auto& m : *members) {
            if (!m.is_object())
                continue;
            const auto& mo = m.get_object();
            GroupMember gm;
            gm.address = core::ascii_lower(string_field(mo, "memberEmailId"));
            gm.role = string_field(mo, "role", "member");
            gm.status = string_field(mo, "status");
            gm.zuid = id_field(mo, "zuid");
            if (!gm.address.empty())
                g.members.push_back(std::move(gm));
        }
        if (g.member_count == 0)
            g.member_count = static_cast<std::int64_t>(g.members.size());
    }
    return g;
}

Organization parse_organization(const json::object& o) {
    Organization org;
    org.zoid = id_field(o, "zoid").value_or(0);
    org.name = string_field(o, "orgName");
    org.primary_domain = string_field(o, "primaryDomainName");
    if (const json::array* domains = array_field(o, "domains")) {
        for (const auto& d : *domains) {
            if (d.is_string())
                org.domains.emplace_back(d.get_string());
            // Some page versions list domain objects.
            else if (d.is_object())
                org.domains.push_back(string_field(d.get_object(), "domainName"));
        }
    }
    org.super_admin = string_field(o, "superAdmin");
    org.base_plan = string_field(o, "basePlan");
    org.users_count = int_field(o, "usersCount").value_or(0);
    org.group_count = int_field(o, "groupCount").value_or(0);
    org.mailbox_count = int_field(o, "mailboxCount").value_or(0);
    org.license_count = int_field(o, "licenseCount").value_or(0);
    return org;
}

// ------------------------------------------------------------------ construction

ZohoClient::ZohoClient(net::HttpTransport& http, core::Clock& clock, TokenManager& tokens,
                       std::string api_url, std::int64_t zoid, int requests_per_minute,
                       net::RetrySettings retry, ClientOptions options)
    : http_(http)
    , clock_(clock)
    , tokens_(tokens)
    , api_url_(strip_slash(std::move(api_url)))
    , zoid_(zoid)
    , options_(options)
    , limiter_(net::RateLimiter::per_minute(clock, "zoho", requests_per_minute))
    , retry_(retry, options.jitter, options.seed)
    , rng_(options.seed != 0 ? options.seed : std::random_device{}()) {}

ZohoClient::ZohoClient(net::HttpTransport& http, core::Clock& clock, TokenManager& tokens,
                       const config::ZohoConfig& zoho, const net::RetrySettings& retry,
                       ClientOptions options)
    : ZohoClient(http, clock, tokens, zoho.api_url, zoho.zoid,
                 // The reserve is left for people's own use of the same client.
                 std::max(1, static_cast<int>(zoho.requests_per_minute *
                                              net::usable_share(zoho.rate_reserve_percent))),
                 retry, options) {}

core::Duration ZohoClient::throttle_delay(int n) {
    core::Duration d = options_.throttle_base;
    for (int i = 1; i < n && d < options_.throttle_cap; ++i)
        d *= 2;
    d = std::min(d, options_.throttle_cap);
    const auto quarter = std::chrono::duration_cast<std::chrono::milliseconds>(d / 4).count();
    if (quarter > 0) {
        std::uniform_int_distribution<long long> extra(0, quarter);
        d += std::chrono::milliseconds(extra(rng_));
    }
    return d;
}

// ------------------------------------------------------------------ the call pipeline

asio::awaitable<Outcome<json::value>> ZohoClient::call(std::string method, std::string path,
                                                       std::optional<json::value> body,
                                                       std::string scope, std::string operation) {
    Spec spec{std::move(method), std::move(path), std::move(body), std::move(scope),
              std::move(operation)};
    co_return co_await net::with_retry(
        clock_, retry_, [this, &spec] { return attempt(spec); },
        net::RetryLabel{"zoho", spec.operation, idempotency_of(spec.method, spec.operation)});
}

net::Idempotency ZohoClient::idempotency_of(std::string_view method, std::string_view operation) {
    // The SMTP-log report is a read sent as a POST (reference section 4).
    if (operation == "reports.smtpLogs")
        return net::Idempotency::idempotent;
    // A PUT that sets a state (enabled, role, a name, settings) lands on the same state when
    // sent twice; resetPassword (signs sessions out again), alias and member changes (a
    // second add fails "already exists") and every POST and DELETE do not.
    static constexpr std::string_view state_setters[] = {
        "accounts.disableUser",    "accounts.enableUser",
        "accounts.changeRole",     "accounts.displaynameemailupdate",
        "groups.updateGroupName",  "groups.updateMailGroupAdvOptions",
        "groups.changeMemberRole",
    };
    if (core::iequals(method, "GET"))
        return net::Idempotency::idempotent;
    if (core::iequals(method, "PUT"))
        for (auto op : state_setters)
            if (op == operation)
                return net::Idempotency::idempotent;
    return net::Idempotency::not_idempotent;
}

asio::awaitable<Outcome<net::HttpResponse>> ZohoClient::send_once(const Spec& spec,
                                                                  const Secret& token) {
    net::HttpRequest req;
    req.method = spec.method;
    req.url = api_url_ + spec.path;
    req.headers.push_back({"Authorization", "Zoho-oauthtoken " + token.reveal()});
    req.headers.push_back({"Accept", "application/json"});
    // A mutation belongs to a journaled step: a shutdown lets it finish so its outcome is known.
    req.finish_on_stop = !core::iequals(spec.method, "GET");
    if (spec.body) {
        req.content_type = "application/json";
        req.body = json::serialize(*spec.body);
    }
    ++stats_.requests;
    co_return co_await http_.send(std::move(req));
}

asio::awaitable<Outcome<json::value>> ZohoClient::attempt(Spec& spec) {
    for (int pass = 0;; ++pass) {
        co_await limiter_.acquire();
        auto token = co_await tokens_.access_token();
        if (!token) {
            auto e = token.error();
            e.not_executed = true;  // the API request itself was never sent
            co_return e;
        }
        auto sent = co_await send_once(spec, *token);
        if (!sent)
            co_return sent.error();
        net::HttpResponse resp = std::move(*sent);
        log::debug(
            "ZOHO_CALL",
            {{"operation", spec.operation}, {"method", spec.method}, {"status", resp.status}});
        if (net::is_success(resp.status) && !is_throttle_response(resp)) {
            if (resp.body.empty())
                co_return json::value(nullptr);
            auto v = parse_json(resp.body);
            if (!v) {
                // A write that Zoho accepted is done even if its answer is garbled.
                if (spec.method != "GET")
                    co_return json::value(nullptr);
                co_return bad_response(
                    fmt::format("{} answered HTTP {} with a body that is not JSON", spec.operation,
                                resp.status));
            }
            std::optional<std::int64_t> envelope_code;
            if (v->is_object()) {
                if (const json::object* st = object_field(v->get_object(), "status"))
                    envelope_code = int_field(*st, "code");
            }
            if (!envelope_code || *envelope_code < 400 || *envelope_code >= 600) {
                if (v->is_object()) {
                    if (auto it = v->get_object().find("data"); it != v->get_object().end())
                        co_return it->value();
                }
                co_return json::value(nullptr);
            }
            // The envelope repeats the status; a failure it reports wins over the 2xx.
            resp.status = static_cast<int>(*envelope_code);
        }
        net::CallError err = classify_api_error(resp, spec.scope, clock_.wall_now());
        if (is_token_rejected(err) && pass == 0) {
            // Expired or revoked: one refresh (shared with every caller hit at the same time)
            // and one more try.
            tokens_.invalidate(*token);
            ++stats_.token_retries;
            continue;
        }
        if (is_throttle(err)) {
            // Zoho's security layer refuses the call before the API runs it.
            err.not_executed = true;
            ++stats_.throttled;
            ++spec.throttles;
            // Our model of Zoho's budget was wrong: start the bucket from empty.
            limiter_.drain();
            const core::Duration wait = throttle_delay(spec.throttles);
            if (!err.retry_after || *err.retry_after < wait)
                err.retry_after = wait;
            log::warn(
                "ZOHO_THROTTLED",
                {{"operation", spec.operation},
                 {"status", resp.status},
                 {"throttles", spec.throttles},
                 {"wait_s",
                  std::chrono::duration_cast<std::chrono::seconds>(*err.retry_after).count()}});
        } else if (core::iequals(err.service_code, codes::invalid_oauthscope)) {
            log::error("ZOHO_SCOPE_MISSING",
                       {{"operation", spec.operation}, {"scope", spec.scope}});
        } else if (core::iequals(err.service_code, codes::extra_key_found)) {
            log::error("ZOHO_REQUEST_REJECTED",
                       {{"operation", spec.operation}, {"error", err.describe()}});
        }
        co_return err;
    }
}

// ------------------------------------------------------------------ organization

asio::awaitable<Outcome<std::int64_t>> ZohoClient::discover_zoid() {
    auto data = co_await call("GET", "/api/organization", std::nullopt, std::string(kScopeOrg),
                              "organization.discover");
    if (!data)
        co_return data.error();
    if (!data->is_object())
        co_return bad_response("organization without data");
    auto z = id_field(data->get_object(), "zoid");
    if (!z || *z <= 0)
        co_return bad_response("organization without zoid");
    zoid_ = *z;
    log::info("ZOHO_ZOID_DISCOVERED", {{"zoid", *z}});
    co_return *z;
}

asio::awaitable<Outcome<std::int64_t>> ZohoClient::zoid() {
    if (zoid_ != 0)
        co_return zoid_;
    co_return co_await zoid_flight_.run([this] { return discover_zoid(); });
}

asio::awaitable<Outcome<std::string>> ZohoClient::org_path() {
    auto z = co_await zoid();
    if (!z)
        co_return z.error();
    co_return "/api/organization/" + std::to_string(*z);
}

asio::awaitable<Outcome<Organization>> ZohoClient::organization() {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto data = co_await call("GET", *base, std::nullopt, std::string(kScopeOrg), "organization");
    if (!data)
        co_return data.error();
    if (!data->is_object())
        co_return bad_response("organization without data");
    co_return parse_organization(data->get_object());
}

asio::awaitable<Outcome<Storage>> ZohoClient::storage() {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto data = co_await call("GET", *base + "/storage", std::nullopt, std::string(kScopeStorage),
                              "storage");
    if (!data)
        co_return data.error();
    if (!data->is_object())
        co_return bad_response("storage without data");
    const json::object& o = data->get_object();
    Storage s;
    if (const json::array* list = array_field(o, "userList")) {
        for (const auto& row : *list) {
            if (!row.is_object())
                continue;
            const auto& r = row.get_object();
            UserStorage us;
            us.zuid = id_field(r, "zuid").value_or(0);
            us.used_mb = int_field(r, "usedStorage").value_or(0);
            us.total_gb = int_field(r, "totalStorage").value_or(0);
            us.mailbox = bool_field(r, "mailBox").value_or(true);
            s.used_mb += us.used_mb;
            s.total_mb += us.total_gb * 1024;
            s.users.push_back(us);
        }
    }
    if (const json::array* plans = array_field(o, "orgPlans")) {
        for (const auto& p : *plans) {
            if (!p.is_object())
                continue;
            s.licenses_total += int_field(p.get_object(), "totalCount").value_or(0);
            s.licenses_used += int_field(p.get_object(), "allotedCount").value_or(0);
        }
    }
    co_return s;
}

asio::awaitable<Outcome<OrgSummary>> ZohoClient::summary() {
    auto org = co_await organization();
    if (!org)
        co_return org.error();
    auto st = co_await storage();
    if (!st)
        co_return st.error();
    auto users = co_await list_all_users();
    if (!users)
        co_return users.error();
    OrgSummary s;
    s.organization = *org;
    s.users = static_cast<std::int64_t>(users->size());
    s.active_users = std::count_if(users->begin(), users->end(), [](const User& u) {
        return u.account_enabled && u.mailbox_enabled;
    });
    s.licenses = org->license_count != 0 ? org->license_count : st->licenses_total;
    s.groups = org->group_count;
    s.storage_used_mb = st->used_mb;
    s.storage_total_mb = st->total_mb;
    co_return s;
}

// ------------------------------------------------------------------ reports

asio::awaitable<Outcome<std::vector<SmtpLogEntry>>> ZohoClient::smtp_logs(std::int64_t from_ms,
                                                                          std::int64_t to_ms,
                                                                          std::size_t max_entries) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    std::vector<SmtpLogEntry> out;
    std::string page_key;
    std::set<std::string> keys_seen;
    for (;;) {
        json::object body;
        body["fromDateTime"] = from_ms;
        body["toDateTime"] = to_ms;
        body["limit"] = std::clamp(options_.smtp_log_page_size, 1, 500);
        body["isNext"] = !page_key.empty();
        if (!page_key.empty())
            body["pageKey"] = page_key;
        auto data = co_await call("POST", *base + "/smtplogs", json::value(std::move(body)),
                                  std::string(kScopeOrg), "reports.smtpLogs");
        if (!data)
            co_return data.error();
        if (!data->is_object())
            co_return bad_response("SMTP logs without data");
        const json::object& o = data->get_object();
        if (const json::array* rows = array_field(o, "response")) {
            for (const auto& row : *rows) {
                if (!row.is_object())
                    continue;
                const auto& r = row.get_object();
                SmtpLogEntry e;
                e.message_id = string_field(r, "messageId");
                e.from = core::ascii_lower(string_field(r, "fromAddr"));
                e.to = core::ascii_lower(string_field(r, "toAddr"));
                e.time_ms = int_field(r, "time").value_or(0);
                e.status = string_field(r, "status");
                out.push_back(std::move(e));
            }
        }
        if (out.size() > max_entries)
            co_return net::permanent_error(fmt::format(
                "Zoho: the SMTP logs hold more than {} lines between {} and {}; ask for a "
                "shorter period",
                max_entries, from_ms, to_ms));
        const bool more = bool_field(o, "hnxt").value_or(false);
        std::string next = string_field(o, "pagekey");
        if (!more || next.empty())
            break;
        // A server that repeated a page key would page forever: stop on no news.
        if (!keys_seen.insert(next).second)
            co_return bad_response("SMTP logs repeated a page key");
        page_key = std::move(next);
    }
    co_return out;
}

asio::awaitable<Outcome<std::vector<LoginRecord>>> ZohoClient::login_history(
    std::int64_t from_ms, std::int64_t to_ms, LoginMode mode, std::size_t max_records) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    std::vector<LoginRecord> out;
    std::string scroll_id;
    std::set<std::string> ids_seen;
    for (;;) {
        std::string path = fmt::format(
            "{}/accounts/reports/loginHistory?mode={}&accessType=all&fromTime={}&toTime={}"
            "&batchSize={}",
            *base, login_mode_name(mode), from_ms, to_ms, std::max(1, options_.login_batch_size));
        if (!scroll_id.empty())
            path += "&scrollId=" + encode_segment(scroll_id);
        auto data = co_await call("GET", std::move(path), std::nullopt, accounts_scope("READ"),
                                  "reports.loginHistory");
        if (!data)
            co_return data.error();
        if (!data->is_object())
            co_return bad_response("login history without data");
        const json::object& o = data->get_object();
        if (const json::array* rows = array_field(o, "records")) {
            for (const auto& row : *rows) {
                if (!row.is_object())
                    continue;
                const auto& r = row.get_object();
                LoginRecord l;
                l.zuid = id_field(r, "zuid").value_or(0);
                l.address = core::ascii_lower(string_field(r, "emailAddress"));
                l.display_name = string_field(r, "displayName");
                l.time_ms = int_field(r, "loginTime").value_or(0);
                l.access_type = string_field(r, "accessType");
                l.ip_address = string_field(r, "ipAddress");
                out.push_back(std::move(l));
            }
        }
        if (out.size() > max_records)
            co_return net::permanent_error(fmt::format(
                "Zoho: the login history holds more than {} records between {} and {}; ask for "
                "a shorter period",
                max_records, from_ms, to_ms));
        const bool more = bool_field(o, "hasMore").value_or(false);
        std::string next = string_field(o, "scrollId");
        if (!more || next.empty())
            break;
        if (!ids_seen.insert(next).second)
            co_return bad_response("login history repeated a scroll id");
        scroll_id = std::move(next);
    }
    co_return out;
}

// ------------------------------------------------------------------ users

asio::awaitable<Outcome<User>> ZohoClient::add_user(NewUser user) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    json::object body;
    body["primaryEmailAddress"] = user.primary_address;
    body["password"] = user.password.reveal();
    if (!user.first_name.empty())
        body["firstName"] = user.first_name;
    if (!user.last_name.empty())
        body["lastName"] = user.last_name;
    if (!user.display_name.empty())
        body["displayName"] = user.display_name;
    body["role"] = user.role.empty() ? std::string("member") : user.role;
    body["oneTimePassword"] = user.one_time_password;
    if (!user.groups.empty())
        body["groupMailList"] = string_array(user.groups);
    auto data = co_await call("POST", *base + "/accounts", json::value(std::move(body)),
                              accounts_scope("CREATE"), "accounts.add");
    if (!data)
        co_return data.error();
    if (data->is_object() && id_field(data->get_object(), "zuid"))
        co_return parse_user(data->get_object());
    // The success body is not documented (open question 1): read the account back.
    co_return co_await get_user(user.primary_address);
}

asio::awaitable<Outcome<std::vector<User>>> ZohoClient::list_users(int start, int limit) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto data =
        co_await call("GET", fmt::format("{}/accounts?start={}&limit={}", *base, start, limit),
                      std::nullopt, accounts_scope("READ"), "accounts.list");
    if (!data)
        co_return data.error();
    std::vector<User> users;
    if (data->is_null())
        co_return users;
    if (!data->is_array())
        co_return bad_response("user list is not an array");
    for (const auto& row : data->get_array())
        if (row.is_object())
            users.push_back(parse_user(row.get_object()));
    co_return users;
}

asio::awaitable<Outcome<std::vector<User>>> ZohoClient::list_all_users() {
    std::vector<User> all;
    const int limit = std::max(1, options_.user_page_size);
    std::set<std::int64_t> seen;
    for (int start = 0;; start += limit) {
        auto page = co_await list_users(start, limit);
        if (!page)
            co_return page.error();
        const auto n = page->size();
        std::size_t added = 0;
        for (auto& u : *page) {
            // A server that ignored `start` would repeat a page forever: stop on no news.
            if (u.zuid != 0 && !seen.insert(u.zuid).second)
                continue;
            all.push_back(std::move(u));
            ++added;
        }
        if (n < static_cast<std::size_t>(limit) || added == 0)
            break;
    }
    co_return all;
}

asio::awaitable<Outcome<User>> ZohoClient::get_user(std::string address) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto data = co_await call("GET", *base + "/accounts/" + encode_segment(address), std::nullopt,
                              accounts_scope("READ"), "accounts.get");
    if (!data)
        co_return data.error();
    if (!data->is_object())
        co_return bad_response("user without data");
    co_return parse_user(data->get_object());
}

asio::awaitable<Outcome<User>> ZohoClient::get_user_by_id(std::int64_t id) {
    // The same route takes a zuid or an address; digits need no encoding.
    co_return co_await get_user(std::to_string(id));
}

asio::awaitable<Outcome<std::optional<User>>> ZohoClient::find_user(std::string address) {
    auto u = co_await get_user(std::move(address));
    if (u)
        co_return std::optional<User>(std::move(*u));
    if (is_not_found(u.error()))
        co_return std::optional<User>();
    co_return u.error();
}

asio::awaitable<Outcome<void>> ZohoClient::update_user(UserRef user, json::object body,
                                                       std::string operation) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    // accountId in the path, zuid in the body (reference 5.5: otherwise "zuid is null").
    body["zuid"] = user.zuid;
    auto r =
        co_await call("PUT", *base + "/accounts/" + std::to_string(user.account_id),
                      json::value(std::move(body)), accounts_scope("UPDATE"), std::move(operation));
    co_return as_void(r);
}

asio::awaitable<Outcome<void>> ZohoClient::reset_password(UserRef user, Secret password,
                                                          bool one_time_password,
                                                          bool sign_out_sessions) {
    json::object body;
    body["mode"] = "resetPassword";
    body["password"] = password.reveal();
    body["oneTimePassword"] = one_time_password;
    body["resetAuthToken"] = sign_out_sessions;
    co_return co_await update_user(user, std::move(body), "accounts.resetPassword");
}

asio::awaitable<Outcome<void>> ZohoClient::disable_user(UserRef user, DisableOptions options) {
    json::object body;
    body["mode"] = "disableUser";
    body["blockIncoming"] = options.block_incoming;
    body["removeMailforward"] = options.remove_mail_forward;
    body["removeGroupMembership"] = options.remove_group_membership;
    body["removeAlias"] = options.remove_alias;
    co_return co_await update_user(user, std::move(body), "accounts.disableUser");
}

asio::awaitable<Outcome<void>> ZohoClient::enable_user(UserRef user, bool unblock_incoming) {
    json::object body;
    body["mode"] = "enableUser";
    body["unblockIncoming"] = unblock_incoming;
    co_return co_await update_user(user, std::move(body), "accounts.enableUser");
}

asio::awaitable<Outcome<RoleResults>> ZohoClient::change_role(std::vector<std::int64_t> zuids,
                                                              std::string role) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    json::object body;
    body["mode"] = "changeRole";
    json::array list;
    // The official sample sends the zuids as strings.
    for (auto z : zuids)
        list.emplace_back(std::to_string(z));
    body["userList"] = std::move(list);
    body["role"] = role;
    auto data = co_await call("PUT", *base + "/accounts", json::value(std::move(body)),
                              accounts_scope("UPDATE"), "accounts.changeRole");
    if (!data)
        co_return data.error();
    RoleResults results;
    if (data->is_array()) {
        for (const auto& row : data->get_array()) {
            if (!row.is_object())
                continue;
            for (const auto& kv : row.get_object()) {
                auto id = parse_decimal_id(kv.key());
                bool done = kv.value().is_bool()
                                ? kv.value().get_bool()
                                : bool_field(row.get_object(), kv.key()).value_or(false);
                if (id)
                    results.emplace_back(*id, done);
            }
        }
    }
    co_return results;
}

asio::awaitable<Outcome<void>> ZohoClient::add_aliases(UserRef user,
                                                       std::vector<std::string> aliases) {
    json::object body;
    body["mode"] = "addEmailAlias";
    body["emailAlias"] = string_array(aliases);
    co_return co_await update_user(user, std::move(body), "accounts.addEmailAlias");
}

asio::awaitable<Outcome<void>> ZohoClient::delete_aliases(UserRef user,
                                                          std::vector<std::string> aliases) {
    auto body_for = [](const std::vector<std::string>& list) {
        return json::object{{"mode", "deleteEmailAlias"}, {"emailAlias", string_array(list)}};
    };
    auto r = co_await update_user(user, body_for(aliases), "accounts.deleteEmailAlias");
    if (r || r.error().http_status < 400 || r.error().http_status >= 500 ||
        r.error().kind != core::ErrorKind::permanent)
        co_return r;
    // Zoho refuses the removal of an address that is not (or no longer) an alias; Zoho gives
    // no code of its own for it, so a probe settles it: the aliases that are gone are done.
    auto probe = co_await get_user(std::to_string(user.zuid));
    if (!probe)
        co_return r;
    std::vector<std::string> remaining;
    for (const auto& a : aliases)
        if (std::find(probe->aliases.begin(), probe->aliases.end(), core::ascii_lower(a)) !=
            probe->aliases.end())
            remaining.push_back(a);
    log::info("ZOHO_ALREADY_GONE", {{"operation", "accounts.deleteEmailAlias"},
                                    {"requested", aliases.size()},
                                    {"remaining", remaining.size()}});
    if (remaining.empty())
        co_return Outcome<void>();
    if (remaining.size() == aliases.size())
        co_return r;  // the refusal was about something else
    co_return co_await update_user(user, body_for(remaining), "accounts.deleteEmailAlias");
}

asio::awaitable<Outcome<void>> ZohoClient::update_display_name(UserRef user,
                                                               std::string display_name,
                                                               std::string email_address) {
    json::object body;
    body["mode"] = "displaynameemailupdate";
    body["displayName"] = display_name;
    body["emailAddress"] = email_address;
    co_return co_await update_user(user, std::move(body), "accounts.displaynameemailupdate");
}

asio::awaitable<Outcome<void>> ZohoClient::delete_users(std::vector<std::int64_t> zuids) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    json::array list;
    for (auto z : zuids)
        list.emplace_back(z);
    json::object body{{"accountList", std::move(list)}};
    auto r = co_await call("DELETE", *base + "/accounts", json::value(std::move(body)),
                           accounts_scope("DELETE"), "accounts.delete");
    co_return gone_is_done(r, "accounts.delete");
}

asio::awaitable<Outcome<void>> ZohoClient::delete_users_by_address(
    std::vector<std::string> addresses) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    json::object body{{"emailList", string_array(addresses)}};
    auto r = co_await call("DELETE", *base + "/accounts", json::value(std::move(body)),
                           accounts_scope("DELETE"), "accounts.delete");
    co_return gone_is_done(r, "accounts.delete");
}

// ------------------------------------------------------------------ groups

asio::awaitable<Outcome<Group>> ZohoClient::create_group(NewGroup group) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    json::object body;
    body["emailId"] = group.address;
    body["name"] = group.name;
    if (!group.description.empty())
        body["groupDescription"] = group.description;
    if (!group.access_type.empty())
        body["accessType"] = group.access_type;
    json::array members;
    for (const auto& m : group.members)
        members.push_back(json::object{{"memberEmailId", m.address},
                                       {"role", m.role.empty() ? std::string("member") : m.role}});
    body["mailGroupMemberList"] = std::move(members);
    auto data = co_await call("POST", *base + "/groups", json::value(std::move(body)),
                              groups_scope("CREATE"), "groups.create");
    if (!data)
        co_return data.error();
    if (data->is_object() && id_field(data->get_object(), "zgid"))
        co_return parse_group(data->get_object());
    // Whether create returns the zgid is undocumented (open question 1): look it up.
    auto found = co_await find_group(group.address);
    if (!found)
        co_return found.error();
    if (!*found)
        co_return bad_response("created group not found in the group list");
    co_return std::move(**found);
}

asio::awaitable<Outcome<std::vector<Group>>> ZohoClient::list_groups() {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    std::vector<Group> all;
    std::int64_t count = -1;
    std::set<std::int64_t> seen;
    for (int page = 0;; ++page) {
        // The first request is the documented one (no parameters); further pages use the old
        // page's 1-based start and limit, only when the count says groups are missing.
        std::string path = *base + "/groups";
        if (page > 0)
            path += fmt::format("?start={}&limit={}", all.size() + 1, options_.group_page_size);
        auto data = co_await call("GET", path, std::nullopt, groups_scope("READ"), "groups.list");
        if (!data)
            co_return data.error();
        if (data->is_null())
            break;
        const json::array* list = nullptr;
        if (data->is_object()) {
            list = array_field(data->get_object(), "groups");
            if (auto c = int_field(data->get_object(), "count"))
                count = *c;
        } else if (data->is_array()) {
            list = &data->get_array();
        }
        if (list == nullptr)
            co_return bad_response("group list without groups");
        std::size_t added = 0;
        for (const auto& row : *list) {
            if (!row.is_object())
                continue;
            Group g = parse_group(row.get_object());
            if (!seen.insert(g.zgid).second)
                continue;
            all.push_back(std::move(g));
            ++added;
        }
        if (added == 0 || count < 0 || static_cast<std::int64_t>(all.size()) >= count)
            break;
    }
    co_return all;
}

asio::awaitable<Outcome<Group>> ZohoClient::get_group(std::int64_t zgid) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto data = co_await call("GET", *base + "/groups/" + std::to_string(zgid), std::nullopt,
                              groups_scope("READ"), "groups.get");
    if (!data)
        co_return data.error();
    if (!data->is_object())
        co_return bad_response("group without data");
    co_return parse_group(data->get_object());
}

asio::awaitable<Outcome<std::optional<Group>>> ZohoClient::find_group(std::string address) {
    auto groups = co_await list_groups();
    if (!groups)
        co_return groups.error();
    const std::string want = core::ascii_lower(address);
    for (auto& g : *groups)
        if (g.address == want)
            co_return std::optional<Group>(std::move(g));
    co_return std::optional<Group>();
}

asio::awaitable<Outcome<void>> ZohoClient::update_group(std::int64_t zgid, json::object body,
                                                        std::string operation) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto r =
        co_await call("PUT", *base + "/groups/" + std::to_string(zgid),
                      json::value(std::move(body)), groups_scope("UPDATE"), std::move(operation));
    co_return as_void(r);
}

asio::awaitable<Outcome<void>> ZohoClient::add_members(std::int64_t zgid,
                                                       std::vector<GroupMember> members) {
    auto body_for = [](const std::vector<GroupMember>& list) {
        json::array a;
        for (const auto& m : list)
            a.push_back(json::object{{"memberEmailId", m.address},
                                     {"role", m.role.empty() ? std::string("member") : m.role}});
        return json::object{{"mode", "addMailGroupMember"}, {"mailGroupMemberList", std::move(a)}};
    };
    auto r = co_await update_group(zgid, body_for(members), "groups.addMailGroupMember");
    if (r || !core::iequals(r.error().service_code, codes::member_already_exists))
        co_return r;

    // Section 10: "member already in the group" is success once a probe shows every member in.
    // When only some are in, add the rest once.
    auto group = co_await get_group(zgid);
    if (!group)
        co_return group.error();
    std::vector<GroupMember> missing;
    for (const auto& m : members) {
        const std::string want = core::ascii_lower(m.address);
        const bool present = std::any_of(group->members.begin(), group->members.end(),
                                         [&](const GroupMember& g) { return g.address == want; });
        if (!present)
            missing.push_back(m);
    }
    log::info("ZOHO_MEMBER_ALREADY_PRESENT",
              {{"zgid", zgid}, {"requested", members.size()}, {"missing", missing.size()}});
    if (missing.empty())
        co_return Outcome<void>();
    if (missing.size() == members.size())
        co_return r;  // Zoho's claim is not borne out
    co_return co_await update_group(zgid, body_for(missing), "groups.addMailGroupMember");
}

asio::awaitable<Outcome<void>> ZohoClient::remove_members(std::int64_t zgid,
                                                          std::vector<std::string> addresses) {
    auto body_for = [](const std::vector<std::string>& list) {
        json::array a;
        for (const auto& m : list)
            a.push_back(json::object{{"memberEmailId", m}});
        return json::object{{"mode", "deleteMailGroupMember"},
                            {"mailGroupMemberList", std::move(a)}};
    };
    auto r = co_await update_group(zgid, body_for(addresses), "groups.deleteMailGroupMember");
    if (r || !core::iequals(r.error().service_code, codes::member_not_found))
        co_return r;
    // A member already gone is done; Zoho refuses the whole list for one such address, so the
    // ones still in are removed once more after a probe of the member list.
    auto group = co_await get_group(zgid);
    if (!group)
        co_return group.error();
    std::vector<std::string> remaining;
    for (const auto& m : addresses) {
        const std::string want = core::ascii_lower(m);
        if (std::any_of(group->members.begin(), group->members.end(),
                        [&](const GroupMember& g) { return g.address == want; }))
            remaining.push_back(m);
    }
    log::info("ZOHO_ALREADY_GONE", {{"operation", "groups.deleteMailGroupMember"},
                                    {"requested", addresses.size()},
                                    {"remaining", remaining.size()}});
    if (remaining.empty())
        co_return Outcome<void>();
    if (remaining.size() == addresses.size())
        co_return r;  // Zoho's claim is not borne out
    co_return co_await update_group(zgid, body_for(remaining), "groups.deleteMailGroupMember");
}

asio::awaitable<Outcome<void>> ZohoClient::change_member_roles(std::int64_t zgid,
                                                               std::vector<GroupMember> members) {
    json::array a;
    for (const auto& m : members)
        a.push_back(json::object{{"memberEmailId", m.address}, {"role", m.role}});
    json::object body{{"mode", "changeMemberRole"}, {"mailGroupMemberList", std::move(a)}};
    co_return co_await update_group(zgid, std::move(body), "groups.changeMemberRole");
}

asio::awaitable<Outcome<void>> ZohoClient::rename_group(std::int64_t zgid, std::string name) {
    json::object body{{"mode", "updateGroupName"}, {"name", name}};
    co_return co_await update_group(zgid, std::move(body), "groups.updateGroupName");
}

asio::awaitable<Outcome<void>> ZohoClient::update_group_settings(std::int64_t zgid,
                                                                 GroupSettings settings) {
    json::object body{{"mode", "updateMailGroupAdvOptions"},
                      {"accessType", settings.access_type},
                      {"groupAdminSettings", std::move(settings.admin_settings)}};
    co_return co_await update_group(zgid, std::move(body), "groups.updateMailGroupAdvOptions");
}

asio::awaitable<Outcome<void>> ZohoClient::delete_group(std::int64_t zgid) {
    auto base = co_await org_path();
    if (!base)
        co_return base.error();
    auto r = co_await call("DELETE", *base + "/groups/" + std::to_string(zgid), std::nullopt,
                           groups_scope("DELETE"), "groups.delete");
    co_return gone_is_done(r, "groups.delete");
}

}  // namespace hrmaild::zoho
