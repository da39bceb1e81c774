#include "tests/sandbox/zoho_emulator.hpp"

#include "tests/sandbox/zoho_org.hpp"

#include <utility>

namespace hrmaild::sandbox {
namespace zoho_detail {

using std::chrono::seconds;

Response Org::api(const Request& req) {
    // Split the path into decoded segments; a trailing slash is tolerated.
    std::vector<std::string> seg;
    {
        std::string path = req.path();
        std::size_t start = 1;
        while (start <= path.size()) {
            auto slash = path.find('/', start);
            std::string s =
                path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            if (!s.empty())
                seg.push_back(util::percent_decode(s, false));
            if (slash == std::string::npos)
                break;
            start = slash + 1;
        }
    }
    const std::string& m = req.method;
    if (seg.size() < 2 || seg[0] != "api" || seg[1] != "organization")
        return fail(404, "URL_RULE_MISMATCH", "No URL rule matches " + m + " " + req.path());

    // Route → required scope, before authentication (an unknown URL never authenticates).
    std::string resource;
    Op op = Op::read;
    if (m == "GET")
        op = Op::read;
    else if (m == "POST")
        op = Op::create;
    else if (m == "PUT")
        op = Op::update;
    else if (m == "DELETE")
        op = Op::del;
    std::string sub = seg.size() >= 4 ? seg[3] : std::string();
    bool known = false;
    if (seg.size() <= 3) {
        known = m == "GET";
        resource = "partner.organization";
    } else if (sub == "storage" && seg.size() <= 5) {
        known = m == "GET";
        resource = "organization.subscriptions";
    } else if (sub == "smtplogs" && seg.size() == 4) {
        // A read sent as a POST with a JSON body (reference section 4).
        known = m == "POST";
        resource = "partner.organization";
        op = Op::read;
    } else if (sub == "accounts" && seg.size() == 6 && seg[4] == "reports" &&
               seg[5] == "loginHistory") {
        known = m == "GET";
        resource = "organization.accounts";
    } else if (sub == "accounts" && seg.size() == 4) {
        known = m == "GET" || m == "POST" || m == "PUT" || m == "DELETE";
        resource = "organization.accounts";
    } else if (sub == "accounts" && seg.size() == 5) {
        known = m == "GET" || m == "PUT";
        resource = "organization.accounts";
    } else if (sub == "groups" && seg.size() == 4) {
        known = m == "GET" || m == "POST" || m == "DELETE";
        resource = "organization.groups";
    } else if (sub == "groups" && seg.size() == 5) {
        known = m == "GET" || m == "PUT" || m == "DELETE";
        resource = "organization.groups";
    }
    if (!known)
        return fail(404, "URL_RULE_MISMATCH", "No URL rule matches " + m + " " + req.path());

    // Authentication: header, token, budget, scope (reference 2 and 10).
    std::string auth = req.header("authorization");
    if (auth.empty()) {
        ++auth_failures;
        return fail(400, "INVALID_TICKET", "Invalid ticket");
    }
    const std::string scheme = "zoho-oauthtoken ";
    if (util::lower(auth.substr(0, scheme.size())) != scheme) {
        ++auth_failures;
        return fail(401, "INVALID_OAUTHTOKEN");
    }
    std::string token = auth.substr(scheme.size());
    auto now = clock.now();
    auto tok = tokens.find(token);
    if (tok == tokens.end() || tok->second.expires <= now) {
        if (tok != tokens.end())
            tokens.erase(tok);
        ++auth_failures;
        return fail(401, "INVALID_OAUTHTOKEN");
    }
    auto& calls = tok->second.calls;
    while (!calls.empty() && calls.front() <= now - seconds(60))
        calls.pop_front();
    if (options.requests_per_minute > 0 &&
        static_cast<int>(calls.size()) >= options.requests_per_minute) {
        ++throttled;
        return throttle();
    }
    calls.push_back(now);
    ++tok->second.total_calls;
    if (!has_scope(resource, op)) {
        ++auth_failures;
        Response r = Response::json(
            401, json::object{{"errorCode", "INVALID_OAUTHSCOPE"}, {"status", "401"}});
        return r;
    }
    if (!has_org)
        return fail(404, "URL_RULE_MISMATCH", "No organization is seeded");

    // Organization.
    if (seg.size() == 2)
        return ok(200, org_json());
    auto z = parse_int(seg[2]);
    if (!z)
        return fail(400, "PATTERN_NOT_MATCHED", "zoid does not match its pattern");
    if (*z != zoid)
        return fail(404, "ORGANIZATION_NOT_FOUND", "No organization with this zoid");
    if (seg.size() == 3)
        return ok(200, org_json());

    if (sub == "storage")
        return storage(req, seg);

    // Bodies: JSON objects for every write.
    json::object body;
    if (m == "POST" || m == "PUT" || (m == "DELETE" && !req.body.empty())) {
        boost::system::error_code ec;
        json::value v = json::parse(req.body, ec);
        if (ec || !v.is_object())
            return fail(400, "JSON_PARSE_ERROR", "The body is not a JSON object");
        body = std::move(v.as_object());
    }
    if (sub == "smtplogs")
        return smtp_logs(body);
    if (sub == "accounts" && seg.size() == 6)
        return login_history(req);
    if (sub == "accounts") {
        if (seg.size() == 4) {
            if (m == "GET")
                return list_users(req);
            if (m == "POST")
                return add_user(body);
            if (m == "PUT")
                return change_role(body);
            return delete_users(body);
        }
        if (m == "GET")
            return get_user(seg[4]);
        return update_user(seg[4], body);
    }
    if (seg.size() == 4) {
        if (m == "GET")
            return list_groups(req);
        if (m == "POST")
            return create_group(body);
        return delete_groups(body, std::nullopt);
    }
    auto g = parse_int(seg[4]);
    if (!g)
        return fail(400, "PATTERN_NOT_MATCHED", "zgid does not match its pattern");
    if (m == "GET") {
        Group* group = group_by_id(*g);
        if (group == nullptr)
            return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
        return ok(200, group_json(*group));
    }
    if (m == "DELETE")
        return delete_groups(body, *g);
    return update_group(*g, body);
}

std::optional<std::pair<std::size_t, std::size_t>> Org::paging(const Request& req,
                                                               std::size_t default_start,
                                                               std::size_t default_limit,
                                                               bool& given, std::string& bad) {
    std::size_t start = default_start, limit = default_limit;
    given = false;
    for (auto& [k, v] : util::parse_form(req.query())) {
        if (k != "start" && k != "limit")
            continue;
        auto n = parse_int(v);
        if (!n) {
            bad = k;
            return std::nullopt;
        }
        given = true;
        (k == "start" ? start : limit) = static_cast<std::size_t>(*n);
    }
    return std::pair(start, limit);
}

Response Org::storage(const Request& req, const std::vector<std::string>& seg) {
    if (seg.size() == 5) {
        auto id = parse_int(seg[4]);
        if (!id)
            return fail(400, "PATTERN_NOT_MATCHED", "zuid does not match its pattern");
        User* u = user_by_id(*id);
        if (u == nullptr)
            return fail(404, "USER_NOT_FOUND", "No user with this id");
        return ok(200, storage_json(*u));
    }
    bool given = false;
    std::string bad;
    auto page = paging(req, 0, 1000000, given, bad);
    if (!page)
        return fail(400, "PATTERN_NOT_MATCHED", bad + " does not match its pattern");
    json::array list;
    for (std::size_t i = page->first; i < users.size() && list.size() < page->second; ++i)
        list.push_back(storage_json(users[i]));
    json::object data;
    data["userList"] = std::move(list);
    data["orgPlans"] =
        json::array{json::object{{"planType", "mailPremium"},
                                 {"totalCount", license_count},
                                 {"allotedCount", static_cast<std::int64_t>(users.size())}}};
    data["addons"] = json::array{};
    return ok(200, std::move(data));
}

}  // namespace zoho_detail

namespace json = boost::json;

struct ZohoEmulator::Impl : zoho_detail::Org {
    using Org::Org;
};

ZohoEmulator::ZohoEmulator(Clock& clock) : impl_(std::make_unique<Impl>(clock)) {}
ZohoEmulator::~ZohoEmulator() = default;

void ZohoEmulator::configure(const ZohoOptions& options) {
    impl_->options = options;
}
ZohoOptions ZohoEmulator::options() const {
    return impl_->options;
}
json::object ZohoEmulator::options_json() const {
    return impl_->options_json();
}
bool ZohoEmulator::configure_json(const json::object& patch, std::string& error) {
    return impl_->configure_json(patch, error);
}
void ZohoEmulator::seed(const json::value& org) {
    impl_->seed(org);
}
void ZohoEmulator::reset() {
    impl_->clear();
}

Response ZohoEmulator::handle(const Request& request) {
    std::string path = request.path();
    if (path == "/oauth/v2/token" || path == "/oauth/v2/token/") {
        if (request.method != "POST")
            return Response::json(200, json::object{{"error", "invalid_request"}});
        return impl_->token_endpoint(request);
    }
    if (path == "/oauth/v2/token/revoke") {
        return impl_->revoke_endpoint(request);
    }
    if (path.rfind("/oauth/", 0) == 0)
        return Response::json(404, json::object{{"error", "invalid_request"}});
    return impl_->api(request);
}

json::value ZohoEmulator::state() const {
    return impl_->state();
}
Response ZohoEmulator::throttle_response() const {
    return impl_->throttle();
}
Response ZohoEmulator::mint_denied_response() const {
    return impl_->mint_denied();
}
Response ZohoEmulator::control_add_user(const json::object& spec) {
    return impl_->control_add_user(spec);
}

Response ZohoEmulator::control_update_user(const std::string& key, const json::object& patch) {
    return impl_->control_update_user(key, patch);
}

Response ZohoEmulator::control_delete_user(const std::string& key) {
    return impl_->control_delete_user(key);
}

json::value ZohoEmulator::reports_json(int days) const {
    return impl_->reports_json(days);
}

long long ZohoEmulator::tokens_minted() const {
    return impl_->minted_total;
}

}  // namespace hrmaild::sandbox
