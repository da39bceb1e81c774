// Seeding from org.json, the control API's user operations, the state dump and options.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

User Org::user_from_spec(const json::object& o) {
    auto str = [&](const char* k, std::string dflt) {
        auto f = o.find(k);
        return f != o.end() && f->value().is_string() ? std::string(f->value().get_string()) : dflt;
    };
    User u;
    u.email = util::lower(str("primaryEmailAddress", ""));
    u.zuid = next_zuid;
    next_zuid += 2;
    u.account_id = next_account_id;
    next_account_id += 2;
    if (auto f = o.find("zuid"); f != o.end())
        u.zuid = as_id(f->value()).value_or(u.zuid);
    if (auto f = o.find("accountId"); f != o.end())
        u.account_id = as_id(f->value()).value_or(u.account_id);
    u.first_name = str("firstName", "");
    u.last_name = str("lastName", "");
    u.display_name =
        str("displayName", u.last_name.empty() ? u.first_name : u.first_name + " " + u.last_name);
    u.role = str("role", "member");
    u.created_ms = now_ms();
    u.password_hash = hash_password(util::random_hex(12));
    if (auto f = o.find("enabled"); f != o.end())
        u.account_enabled = as_bool(f->value()).value_or(true);
    if (!u.account_enabled)
        u.disabled_ms = 0;  // seeded disabled: no sign-ins at all
    if (auto f = o.find("mailEnabled"); f != o.end())
        u.mail_enabled = as_bool(f->value()).value_or(true);
    if (auto f = o.find("mailForward"); f != o.end() && f->value().is_array())
        u.mail_forward = f->value().get_array();
    if (auto f = o.find("aliases"); f != o.end() && f->value().is_array()) {
        for (const auto& a : f->value().as_array()) {
            if (a.is_string()) {
                u.aliases.push_back(Alias{util::lower(std::string(a.get_string())), next_alias_id});
                next_alias_id += 2;
            }
        }
    }
    return u;
}

Response Org::control_error(int status, const std::string& message) {
    return Response::json(status, json::object{{"error", message}});
}

User* Org::control_user(const std::string& key) {
    if (auto id = parse_int(key))
        return user_by_id(*id);
    return user_by_email(key);
}

std::string Org::holder(const std::string& address) {
    if (Group* g = group_by_email(address))
        return "the group " + g->email;
    if (User* u = user_by_email(address))
        return u->email == util::lower(address) ? "the user " + u->email
                                                : "an alias of " + u->email;
    return "nobody";
}

std::optional<std::string> Org::address_problem(const std::string& address) {
    if (!valid_email(address))
        return "not an address Zoho takes: " + address;
    if (!domain_verified(address))
        return "the domain of " + address + " is not one of the organization's domains";
    return std::nullopt;
}

Response Org::control_add_user(const json::object& spec) {
    if (!has_org)
        return control_error(409, "no organization is seeded");
    for (const auto& kv : spec) {
        static const std::set<std::string> keys = {"primaryEmailAddress",
                                                   "firstName",
                                                   "lastName",
                                                   "displayName",
                                                   "role",
                                                   "aliases",
                                                   "enabled",
                                                   "mailEnabled",
                                                   "mailForward",
                                                   "replace"};
        if (keys.count(std::string(kv.key())) == 0)
            return control_error(400, "unknown key: " + std::string(kv.key()));
    }
    if (auto problem = org_user_problem(spec))
        return control_error(400, *problem);
    bool replace = false;
    if (auto it = spec.find("replace"); it != spec.end()) {
        if (!it->value().is_bool())
            return control_error(400, "replace must be true or false");
        replace = it->value().get_bool();
    }
    std::string address = util::lower(std::string(spec.at("primaryEmailAddress").get_string()));
    if (auto problem = address_problem(address))
        return control_error(400, *problem);
    User* old = user_by_email(address);
    bool replacing = replace && old != nullptr && old->email == address;
    if (!replacing && address_taken(address))
        return control_error(409, address + " is already taken by " + holder(address) +
                                      (old != nullptr && old->email == address
                                           ? " (give \"replace\": true to re-create it)"
                                           : ""));
    std::set<std::string> seen{address};
    if (const auto* aliases = spec.if_contains("aliases")) {
        for (const auto& a : aliases->get_array()) {
            std::string alias = util::lower(std::string(a.get_string()));
            if (auto problem = address_problem(alias))
                return control_error(400, *problem);
            bool own = replacing && std::any_of(old->aliases.begin(), old->aliases.end(),
                                                [&](const Alias& x) { return x.address == alias; });
            if (!seen.insert(alias).second || (address_taken(alias) && !own))
                return control_error(409, alias + " is already taken by " + holder(alias));
        }
    }
    json::value replaced = nullptr;
    if (replacing) {
        replaced = old->zuid;
        remove_from_groups(old->email);
        std::int64_t gone = old->zuid;
        std::erase_if(users, [&](const User& u) { return u.zuid == gone; });
    }
    users.push_back(user_from_spec(spec));
    return Response::json(201,
                          json::object{{"user", user_json(users.back())}, {"replaced", replaced}});
}

Response Org::control_update_user(const std::string& key, const json::object& patch) {
    User* u = control_user(key);
    if (u == nullptr)
        return control_error(404, "no user " + key);
    static const std::set<std::string> keys = {
        "enabled",     "mailEnabled", "role",       "firstName",     "lastName",
        "displayName", "mailForward", "addAliases", "removeAliases", "usedStorage"};
    for (const auto& kv : patch) {
        if (keys.count(std::string(kv.key())) == 0)
            return control_error(400, "unknown key: " + std::string(kv.key()));
    }
    // Everything is checked before anything changes.
    json::object as_spec = patch;
    as_spec["primaryEmailAddress"] = u->email;
    as_spec.erase("addAliases");
    as_spec.erase("removeAliases");
    if (auto problem = org_user_problem(as_spec))
        return control_error(400, *problem);
    auto address_list = [&](const char* name,
                            std::vector<std::string>& out) -> std::optional<Response> {
        auto it = patch.find(name);
        if (it == patch.end())
            return std::nullopt;
        if (!it->value().is_array())
            return control_error(400, std::string(name) + " must be a list of addresses");
        for (const auto& a : it->value().as_array()) {
            if (!a.is_string())
                return control_error(400, std::string(name) + " must be a list of addresses");
            out.push_back(util::lower(std::string(a.get_string())));
        }
        return std::nullopt;
    };
    std::vector<std::string> add, remove;
    if (auto e = address_list("addAliases", add))
        return *e;
    if (auto e = address_list("removeAliases", remove))
        return *e;
    std::set<std::string> seen;
    for (const auto& a : add) {
        if (auto problem = address_problem(a))
            return control_error(400, *problem);
        if (!seen.insert(a).second || address_taken(a))
            return control_error(409, a + " is already taken by " + holder(a));
    }
    for (const auto& a : remove) {
        if (std::none_of(u->aliases.begin(), u->aliases.end(),
                         [&](const Alias& x) { return x.address == a; }))
            return control_error(400, a + " is not an alias of " + u->email);
    }
    if (auto it = patch.find("enabled"); it != patch.end()) {
        const bool enabled = it->value().get_bool();
        if (!enabled && u->account_enabled)
            u->disabled_ms = now_ms();
        if (enabled)
            u->disabled_ms = -1;
        u->account_enabled = enabled;
    }
    if (auto it = patch.find("mailEnabled"); it != patch.end())
        u->mail_enabled = it->value().get_bool();
    if (auto it = patch.find("mailForward"); it != patch.end())
        u->mail_forward = it->value().get_array();
    if (auto it = patch.find("usedStorage"); it != patch.end())
        u->used_storage_mb = it->value().to_number<std::int64_t>();
    if (auto it = patch.find("role"); it != patch.end())
        u->role = std::string(it->value().get_string());
    if (auto it = patch.find("firstName"); it != patch.end())
        u->first_name = std::string(it->value().get_string());
    if (auto it = patch.find("lastName"); it != patch.end())
        u->last_name = std::string(it->value().get_string());
    if (auto it = patch.find("displayName"); it != patch.end())
        u->display_name = std::string(it->value().get_string());
    for (const auto& a : remove)
        std::erase_if(u->aliases, [&](const Alias& x) { return x.address == a; });
    for (const auto& a : add) {
        u->aliases.push_back(Alias{a, next_alias_id});
        next_alias_id += 2;
    }
    return Response::json(200, json::object{{"user", user_json(*u)}});
}

Response Org::control_delete_user(const std::string& key) {
    User* u = control_user(key);
    if (u == nullptr)
        return control_error(404, "no user " + key);
    std::int64_t zuid = u->zuid;
    remove_from_groups(u->email);
    std::erase_if(users, [&](const User& x) { return x.zuid == zuid; });
    return Response::json(200, json::object{{"ok", true}, {"zuid", zuid}});
}

void Org::seed(const json::value& org_value) {
    clear();
    if (!org_value.is_object())
        return;
    const auto& org = org_value.as_object();
    has_org = true;
    org_created_ms = now_ms();
    if (auto it = org.find("zoid"); it != org.end())
        zoid = as_id(it->value()).value_or(60012345678);
    else
        zoid = 60012345678;
    if (auto it = org.find("orgName"); it != org.end() && it->value().is_string())
        org_name = std::string(it->value().get_string());
    if (auto it = org.find("domains"); it != org.end() && it->value().is_array()) {
        for (const auto& d : it->value().as_array()) {
            if (d.is_string())
                domains.push_back(util::lower(std::string(d.get_string())));
        }
    }
    if (auto it = org.find("primaryDomainName"); it != org.end() && it->value().is_string())
        primary_domain = util::lower(std::string(it->value().get_string()));
    if (primary_domain.empty() && !domains.empty())
        primary_domain = domains.front();
    if (!primary_domain.empty() &&
        std::find(domains.begin(), domains.end(), primary_domain) == domains.end())
        domains.push_back(primary_domain);
    traffic_anchor_ms = org_created_ms - org_created_ms % (std::int64_t{86400} * 1000);
    traffic_seed = 1;
    if (auto it = org.find("traffic_seed"); it != org.end())
        traffic_seed = static_cast<std::uint64_t>(as_id(it->value()).value_or(1));
    license_count = 400;
    if (auto it = org.find("licenseCount"); it != org.end())
        license_count = as_id(it->value()).value_or(400);
    if (auto it = org.find("protected_accounts"); it != org.end() && it->value().is_array()) {
        for (const auto& a : it->value().as_array()) {
            if (a.is_string())
                protected_accounts.push_back(std::string(a.get_string()));
        }
    }
    if (auto it = org.find("oauth"); it != org.end() && it->value().is_object()) {
        const auto& o = it->value().as_object();
        std::string id = o.contains("client_id") && o.at("client_id").is_string()
                             ? std::string(o.at("client_id").get_string())
                             : std::string();
        std::string secret = o.contains("client_secret") && o.at("client_secret").is_string()
                                 ? std::string(o.at("client_secret").get_string())
                                 : std::string();
        if (!id.empty()) {
            clients[id] = Client{secret};
            if (auto rt = o.find("refresh_token"); rt != o.end() && rt->value().is_string())
                grants[std::string(rt->value().get_string())] = Grant{id, {}, 0, 0};
            if (auto rts = o.find("refresh_tokens"); rts != o.end() && rts->value().is_array()) {
                for (const auto& t : rts->value().as_array()) {
                    if (t.is_string())
                        grants[std::string(t.get_string())] = Grant{id, {}, 0, 0};
                }
            }
        }
        if (auto sc = o.find("scopes"); sc != o.end() && sc->value().is_array()) {
            options.scopes.clear();
            for (const auto& s : sc->value().as_array()) {
                if (s.is_string())
                    options.scopes.push_back(std::string(s.get_string()));
            }
        }
    }
    if (auto it = org.find("users"); it != org.end() && it->value().is_array()) {
        for (const auto& v : it->value().as_array()) {
            if (!v.is_object())
                continue;
            const auto& o = v.as_object();
            const auto* email = o.if_contains("primaryEmailAddress");
            if (email == nullptr || !email->is_string() || email->get_string().empty())
                continue;
            User u = user_from_spec(o);
            u.created_ms = org_created_ms;
            u.history = true;
            if (auto f = o.find("usedStorage"); f != o.end())
                u.used_storage_mb = as_id(f->value());
            if (auto f = o.find("dormant"); f != o.end())
                u.dormant = as_bool(f->value()).value_or(false);
            // An organization older than the seed (reconciliation looks at recent accounts).
            if (const auto* c = o.if_contains("accountCreationTime"); c && c->is_int64())
                u.created_ms = c->get_int64();
            users.push_back(std::move(u));
        }
    }
    if (auto it = org.find("groups"); it != org.end() && it->value().is_array()) {
        for (const auto& v : it->value().as_array()) {
            if (!v.is_object())
                continue;
            const auto& o = v.as_object();
            Group g;
            if (auto f = o.find("emailId"); f != o.end() && f->value().is_string())
                g.email = util::lower(std::string(f->value().get_string()));
            if (g.email.empty())
                continue;
            g.zgid = next_zgid;
            next_zgid += 2;
            g.mailbox_id = next_mailbox_id;
            next_mailbox_id += 2;
            if (auto f = o.find("zgid"); f != o.end())
                g.zgid = as_id(f->value()).value_or(g.zgid);
            if (auto f = o.find("name"); f != o.end() && f->value().is_string())
                g.name = std::string(f->value().get_string());
            if (auto f = o.find("groupDescription"); f != o.end() && f->value().is_string())
                g.description = std::string(f->value().get_string());
            if (auto f = o.find("accessType"); f != o.end() && f->value().is_string())
                g.access_type = std::string(f->value().get_string());
            g.created_ms = org_created_ms;
            for (const char* key : {"members", "mailGroupMemberList"}) {
                auto f = o.find(key);
                if (f == o.end() || !f->value().is_array())
                    continue;
                for (const auto& m : f->value().as_array()) {
                    if (m.is_string()) {
                        g.members.push_back(Member{util::lower(std::string(m.get_string()))});
                    } else if (m.is_object() && m.as_object().contains("memberEmailId")) {
                        Member mm{util::lower(
                            std::string(m.as_object().at("memberEmailId").as_string()))};
                        if (auto r = m.as_object().find("role");
                            r != m.as_object().end() && r->value().is_string())
                            mm.role = std::string(r->value().get_string());
                        g.members.push_back(std::move(mm));
                    }
                }
            }
            groups.push_back(std::move(g));
        }
    }
}

json::value Org::state() const {
    json::object s;
    if (!has_org)
        s["organization"] = nullptr;
    else
        s["organization"] = org_json();
    json::array us;
    for (const auto& u : users) {
        json::object o = user_json(u);
        o["passwordSet"] = !u.password_hash.empty();
        o["oneTimePassword"] = u.one_time_password;
        us.push_back(std::move(o));
    }
    s["users"] = std::move(us);
    json::array gs;
    for (const auto& g : groups)
        gs.push_back(const_cast<Org*>(this)->group_json(g));
    s["groups"] = std::move(gs);
    auto now = clock.now();
    json::array rts;
    for (const auto& [rt, g] : grants) {
        long long recent = 0;
        for (auto t : g.mints) {
            if (t > now - seconds(options.mint_window_seconds))
                ++recent;
        }
        rts.push_back(json::object{{"client_id", g.client_id},
                                   {"token_prefix", rt.substr(0, 8)},
                                   {"minted", g.minted},
                                   {"refused", g.refused},
                                   {"mints_in_window", recent}});
    }
    json::array ats;
    for (const auto& [t, a] : tokens) {
        long long recent = 0;
        for (auto c : a.calls) {
            if (c > now - seconds(60))
                ++recent;
        }
        ats.push_back(json::object{{"token_prefix", t.substr(0, 9)},
                                   {"expires_at", util::iso8601_utc(a.expires)},
                                   {"expired", a.expires <= now},
                                   {"calls", a.total_calls},
                                   {"calls_last_minute", recent}});
    }
    s["oauth"] =
        json::object{{"tokens_minted", minted_total},    {"mint_refused", mint_refused_total},
                     {"auth_failures", auth_failures},   {"throttled", throttled},
                     {"refresh_tokens", std::move(rts)}, {"access_tokens", std::move(ats)}};
    return s;
}

json::object Org::options_json() const {
    json::array scopes;
    for (const auto& sc : options.scopes)
        scopes.push_back(json::value(sc));
    return json::object{{"token_lifetime_seconds", options.token_lifetime_seconds},
                        {"requests_per_minute", options.requests_per_minute},
                        {"throttle_mode", options.throttle_as_400 ? "400" : "429"},
                        {"mint_limit", options.mint_limit},
                        {"mint_window_seconds", options.mint_window_seconds},
                        {"mint_denied_status", options.mint_denied_status},
                        {"license_count", license_count},
                        {"scopes", std::move(scopes)}};
}

bool Org::configure_json(const json::object& patch, std::string& error) {
    ZohoOptions next = options;
    std::optional<long long> licences;
    for (const auto& kv : patch) {
        auto key = kv.key();
        const auto& v = kv.value();
        auto int_of = [&](int& out) {
            if (!v.is_int64() || v.get_int64() < 0 || v.get_int64() > 100000000) {
                error = "zoho." + std::string(key) + " must be a non-negative integer";
                return false;
            }
            out = static_cast<int>(v.get_int64());
            return true;
        };
        if (key == "token_lifetime_seconds") {
            if (!int_of(next.token_lifetime_seconds))
                return false;
        } else if (key == "requests_per_minute") {
            if (!int_of(next.requests_per_minute))
                return false;
        } else if (key == "mint_limit") {
            if (!int_of(next.mint_limit))
                return false;
        } else if (key == "mint_window_seconds") {
            if (!int_of(next.mint_window_seconds))
                return false;
        } else if (key == "mint_denied_status") {
            if (!int_of(next.mint_denied_status))
                return false;
        } else if (key == "license_count") {
            int n = 0;
            if (!int_of(n))
                return false;
            licences = n;
        } else if (key == "throttle_mode") {
            std::string mode = v.is_string()  ? std::string(v.get_string())
                               : v.is_int64() ? std::to_string(v.get_int64())
                                              : std::string();
            if (mode != "429" && mode != "400") {
                error = "zoho.throttle_mode must be \"429\" or \"400\"";
                return false;
            }
            next.throttle_as_400 = mode == "400";
        } else if (key == "scopes") {
            if (!v.is_array()) {
                error = "zoho.scopes must be an array of strings";
                return false;
            }
            next.scopes.clear();
            for (const auto& s : v.as_array()) {
                if (!s.is_string()) {
                    error = "zoho.scopes must be an array of strings";
                    return false;
                }
                next.scopes.push_back(std::string(s.get_string()));
            }
        } else {
            error = "unknown key zoho." + std::string(key);
            return false;
        }
    }
    options = next;
    if (licences)
        license_count = *licences;
    return true;
}

}  // namespace hrmaild::sandbox::zoho_detail
