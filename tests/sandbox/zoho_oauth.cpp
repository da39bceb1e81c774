// Zoho Accounts: the token and revoke endpoints, and scopes.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

Response Org::mint_denied() const {
    Response r = Response::json(
        options.mint_denied_status,
        json::object{{"error_description",
                      "You have made too many requests continuously. Please try again "
                      "after some time."},
                     {"error", "Access Denied"},
                     {"status", "failure"}});
    return r;
}

Response Org::token_endpoint(const Request& req) {
    std::map<std::string, std::string> params;
    for (auto& [k, v] : util::parse_form(req.query()))
        params[k] = v;
    auto ct = util::lower(req.header("content-type"));
    if (!req.body.empty() && ct.find("json") == std::string::npos) {
        for (auto& [k, v] : util::parse_form(req.body))
            params[k] = v;
    }
    auto get = [&](const char* k) {
        auto it = params.find(k);
        return it == params.end() ? std::string() : it->second;
    };
    std::string grant_type = get("grant_type");
    if (grant_type != "refresh_token" && grant_type != "authorization_code")
        return oauth_error("unsupported_grant_type");
    auto client = clients.find(get("client_id"));
    if (client == clients.end())
        return oauth_error("invalid_client");
    if (client->second.secret != get("client_secret"))
        return oauth_error("invalid_client_secret");
    if (grant_type == "authorization_code")
        return oauth_error("invalid_code");  // the sandbox issues no grant codes
    auto grant = grants.find(get("refresh_token"));
    if (grant == grants.end() || grant->second.client_id != client->first)
        return oauth_error("invalid_code");
    auto now = clock.now();
    auto& mints = grant->second.mints;
    while (!mints.empty() && mints.front() <= now - seconds(options.mint_window_seconds))
        mints.pop_front();
    if (options.mint_limit > 0 && static_cast<int>(mints.size()) >= options.mint_limit) {
        ++grant->second.refused;
        ++mint_refused_total;
        return mint_denied();
    }
    mints.push_back(now);
    ++grant->second.minted;
    ++minted_total;
    std::string token = "1000." + util::random_hex(16) + "." + util::random_hex(16);
    tokens[token] = AccessToken{grant->first, now + seconds(options.token_lifetime_seconds), {}, 0};
    json::object body{{"access_token", token},
                      {"api_domain", "https://www.zohoapis.com"},
                      {"token_type", "Bearer"},
                      {"expires_in", options.token_lifetime_seconds}};
    return Response::json(200, body);
}

Response Org::revoke_endpoint(const Request& req) {
    std::string token;
    for (auto& [k, v] : util::parse_form(req.query())) {
        if (k == "token")
            token = v;
    }
    for (auto& [k, v] : util::parse_form(req.body)) {
        if (k == "token")
            token = v;
    }
    if (grants.erase(token) > 0) {
        std::erase_if(tokens, [&](const auto& kv) { return kv.second.refresh_token == token; });
    } else {
        tokens.erase(token);
    }
    return Response::json(200, json::object{{"status", "success"}});
}

bool Org::has_scope(const std::string& resource, Op op) const {
    std::string want_op;
    switch (op) {
        case Op::read:
            want_op = "read";
            break;
        case Op::create:
            want_op = "create";
            break;
        case Op::update:
            want_op = "update";
            break;
        case Op::del:
            want_op = "delete";
            break;
    }
    std::string base = util::lower("ZohoMail." + resource + ".");
    for (const auto& s : options.scopes) {
        auto l = util::lower(s);
        if (l == base + "all" || l == base + want_op)
            return true;
    }
    return false;
}

}  // namespace hrmaild::sandbox::zoho_detail
