// /api/organization/{zoid}/accounts: list, get, add, role, delete and the account modes.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

Response Org::list_users(const Request& req) {
    bool given = false;
    std::string bad;
    auto page = paging(req, 0, 10, given, bad);
    if (!page)
        return fail(400, "PATTERN_NOT_MATCHED", bad + " does not match its pattern");
    json::array list;
    for (std::size_t i = page->first; i < users.size() && list.size() < page->second; ++i)
        list.push_back(user_json(users[i]));
    return ok(200, std::move(list));
}

Response Org::get_user(const std::string& key) {
    User* u = nullptr;
    if (key.find('@') != std::string::npos) {
        u = user_by_email(key);
    } else {
        auto id = parse_int(key);
        if (!id)
            return fail(400, "PATTERN_NOT_MATCHED", "accountId does not match its pattern");
        u = user_by_id(*id);
    }
    if (u == nullptr)
        return fail(404, "USER_NOT_FOUND", "No user with this id or address");
    return ok(200, user_json(*u));
}

std::optional<Response> Org::check_new_address(const std::string& email) {
    if (!valid_email(email))
        return fail(400, "INVALID_EMAIL_ADDRESS", "Invalid email address: " + email);
    if (!domain_verified(email))
        return fail(400, "DOMAIN_NOT_VERIFIED",
                    "The domain " + domain_of(email) + " is not verified in this organization");
    if (address_taken(email))
        return fail(400, "EMAIL_ALREADY_EXISTS", "The address already exists: " + email);
    return std::nullopt;
}

Response Org::add_user(const json::object& body) {
    if (auto k = extra_key(body, {"primaryEmailAddress", "password", "firstName", "lastName",
                                  "displayName", "userExpiry", "role", "country", "language",
                                  "timeZone", "oneTimePassword", "groupMailList", "employeeId",
                                  "department", "designation", "mobileNumber", "extension"}))
        return extra_key_response(*k);
    auto str = [&](const char* k) -> std::optional<std::string> {
        auto it = body.find(k);
        if (it == body.end())
            return std::nullopt;
        return as_string(it->value());
    };
    auto email = str("primaryEmailAddress");
    if (!email || email->empty())
        return fail(400, "INVALID_INPUT", "primaryEmailAddress is required");
    auto password = str("password");
    if (!password || password->empty())
        return fail(400, "INVALID_INPUT", "password is required");
    std::string address = util::lower(*email);
    if (auto problem = check_new_address(address))
        return *problem;
    std::string role = str("role").value_or("member");
    if (role != "member" && role != "admin" && role != "super_admin")
        return fail(400, "INVALID_INPUT", "role must be member, admin or super_admin");
    std::string first = str("firstName").value_or("");
    std::string last = str("lastName").value_or("");
    if (auto problem = password_problem(*password, address, first, last))
        return fail(400, "PASSWORD_POLICY_VIOLATION", *problem);
    if (static_cast<long long>(users.size()) >= license_count)
        return fail(400, "LICENSE_LIMIT_EXCEEDED",
                    "All " + std::to_string(license_count) + " licences are in use");
    std::vector<Group*> join;
    if (auto it = body.find("groupMailList"); it != body.end()) {
        if (!it->value().is_array())
            return fail(400, "INVALID_INPUT", "groupMailList must be an array");
        for (const auto& g : it->value().as_array()) {
            auto ge = as_string(g);
            Group* group = ge ? group_by_email(*ge) : nullptr;
            if (group == nullptr)
                return fail(404, "GROUP_NOT_FOUND",
                            "No group with this address: " + ge.value_or("?"));
            join.push_back(group);
        }
    }
    User u;
    u.zuid = next_zuid;
    next_zuid += 2;
    u.account_id = next_account_id;
    next_account_id += 2;
    u.email = address;
    u.first_name = first;
    u.last_name = last;
    u.display_name = str("displayName")
                         .value_or(first.empty() ? local_part(address)
                                                 : (last.empty() ? first : first + " " + last));
    u.role = role;
    u.password_hash = hash_password(*password);
    if (auto it = body.find("oneTimePassword"); it != body.end())
        u.one_time_password = as_bool(it->value()).value_or(false);
    u.created_ms = now_ms();
    if (auto it = body.find("userExpiry"); it != body.end() && it->value().is_int64())
        u.user_expiry = it->value().get_int64();
    if (auto c = str("country"))
        u.country = *c;
    if (auto l = str("language"))
        u.language = *l;
    if (auto t = str("timeZone"))
        u.time_zone = *t;
    for (const char* k : {"employeeId", "department", "designation", "mobileNumber", "extension"}) {
        if (auto it = body.find(k); it != body.end())
            u.extra[k] = it->value();
    }
    for (Group* g : join)
        g->members.push_back(Member{address});
    users.push_back(std::move(u));
    return ok(201, user_json(users.back()));
}

Response Org::change_role(const json::object& body) {
    auto mode = body.find("mode");
    if (mode == body.end() || !mode->value().is_string() ||
        mode->value().get_string() != "changeRole")
        return fail(400, "URL_RULE_MISMATCH", "The collection URL takes mode changeRole only");
    if (auto k = extra_key(body, {"mode", "userList", "role", "zuid"}))
        return extra_key_response(*k);
    auto role_it = body.find("role");
    auto role = role_it == body.end() ? std::nullopt : as_string(role_it->value());
    if (!role)
        return fail(400, "INVALID_INPUT", "role is required");
    std::string r = *role == "user" ? std::string("member") : *role;
    if (r != "member" && r != "admin")
        return fail(400, "INVALID_INPUT", "role must be member (user) or admin");
    json::array ids;
    if (auto it = body.find("userList"); it != body.end() && it->value().is_array())
        ids = it->value().as_array();
    else if (auto z = body.find("zuid"); z != body.end())
        ids.push_back(z->value());
    else
        return fail(400, "INVALID_INPUT", "userList is required");
    json::array result;
    for (const auto& v : ids) {
        auto id = as_id(v);
        User* u = id ? user_by_zuid(*id) : nullptr;
        bool done = u != nullptr && u->role != "super_admin";
        if (done)
            u->role = r;
        std::string key = id ? std::to_string(*id) : json::serialize(v);
        result.push_back(json::object{{key, done}});
    }
    return ok(200, std::move(result));
}

Response Org::delete_users(const json::object& body) {
    if (auto k = extra_key(body, {"accountList", "emailList"}))
        return extra_key_response(*k);
    std::vector<User*> doomed;
    auto acc = body.find("accountList");
    auto em = body.find("emailList");
    if ((acc == body.end() || !acc->value().is_array()) &&
        (em == body.end() || !em->value().is_array()))
        return fail(400, "INVALID_INPUT", "accountList or emailList is required");
    if (acc != body.end() && acc->value().is_array()) {
        for (const auto& v : acc->value().as_array()) {
            auto id = as_id(v);
            User* u = id ? user_by_zuid(*id) : nullptr;
            if (u == nullptr)
                return fail(404, "USER_NOT_FOUND", "No user with zuid " + json::serialize(v));
            doomed.push_back(u);
        }
    }
    if (em != body.end() && em->value().is_array()) {
        for (const auto& v : em->value().as_array()) {
            auto e = as_string(v);
            User* u = e ? user_by_email(*e) : nullptr;
            if (u == nullptr || u->email != util::lower(*e))
                return fail(404, "USER_NOT_FOUND", "No user with address " + e.value_or("?"));
            doomed.push_back(u);
        }
    }
    for (User* u : doomed) {
        if (u->role == "super_admin")
            return fail(400, "INVALID_INPUT", "The super admin cannot be deleted");
    }
    std::set<std::int64_t> gone;
    for (User* u : doomed) {
        gone.insert(u->zuid);
        remove_from_groups(u->email);
    }
    std::erase_if(users, [&](const User& u) { return gone.count(u.zuid) != 0; });
    return ok(200);
}

namespace {

/// A boolean field into `out` when present (it keeps its value otherwise); false when the
/// field is there but no boolean.
bool read_flag(const json::object& body, const char* key, bool& out) {
    auto it = body.find(key);
    if (it == body.end())
        return true;
    auto b = as_bool(it->value());
    if (!b)
        return false;
    out = *b;
    return true;
}

}  // namespace

std::optional<Response> Org::UserUpdate::missing() const {
    if (user == nullptr)
        return fail(404, "USER_NOT_FOUND", "No user with this id");
    if (zuid && *zuid != user->zuid)
        return fail(404, "USER_NOT_FOUND", "zuid does not belong to this account");
    return std::nullopt;
}

Response Org::update_user(const std::string& key, const json::object& body) {
    auto id = parse_int(key);
    if (!id)
        return fail(400, "PATTERN_NOT_MATCHED", "accountId does not match its pattern");
    auto mode_it = body.find("mode");
    std::string mode =
        mode_it == body.end() ? std::string() : as_string(mode_it->value()).value_or("");
    UserUpdate up{user_by_id(*id), std::nullopt, body, mode};
    // The body's zuid, when given, must name the same user as the path.
    if (auto z = body.find("zuid"); z != body.end()) {
        up.zuid = as_id(z->value());
        if (!up.zuid)
            return fail(400, "PATTERN_NOT_MATCHED", "zuid does not match its pattern");
    }
    if (mode == "resetPassword")
        return reset_password(up);
    if (mode == "disableUser")
        return disable_user(up);
    if (mode == "enableUser")
        return enable_user(up);
    if (mode == "disableMailAccount" || mode == "enableMailAccount")
        return set_mail_account(up);
    if (mode == "addEmailAlias" || mode == "deleteEmailAlias")
        return change_aliases(up);
    if (mode == "displaynameemailupdate")
        return update_display_name(up);
    if (mode == "addsendmaildetails")
        return add_send_mail_details(up);
    return fail(400, "URL_RULE_MISMATCH", "Unknown mode: " + mode);
}

Response Org::reset_password(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "password", "oneTimePassword",
                                     "resetAuthToken", "resetAuthtoken"}))
        return extra_key_response(*k);
    if (!up.zuid)
        return fail(400, "INVALID_INPUT", "zuid is null");
    if (auto e = up.missing())
        return *e;
    User* u = up.user;
    auto p = up.body.find("password");
    auto password = p == up.body.end() ? std::nullopt : as_string(p->value());
    if (!password || password->empty())
        return fail(400, "INVALID_INPUT", "password is required");
    if (auto problem = password_problem(*password, u->email, u->first_name, u->last_name))
        return fail(400, "PASSWORD_POLICY_VIOLATION", *problem);
    bool otp = true;
    if (!read_flag(up.body, "oneTimePassword", otp))
        return fail(400, "INVALID_INPUT", "oneTimePassword must be a boolean");
    u->password_hash = hash_password(*password);
    u->one_time_password = otp;
    u->last_password_reset_ms = now_ms();
    return ok(200);
}

Response Org::disable_user(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "blockIncoming", "removeMailforward",
                                     "removeGroupMembership", "removeAlias"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    User* u = up.user;
    bool block = false, forward = false, membership = false, alias = false;
    if (!read_flag(up.body, "blockIncoming", block) ||
        !read_flag(up.body, "removeMailforward", forward) ||
        !read_flag(up.body, "removeGroupMembership", membership) ||
        !read_flag(up.body, "removeAlias", alias))
        return fail(400, "INVALID_INPUT", "flags must be booleans");
    if (u->role == "super_admin")
        return fail(400, "INVALID_INPUT", "The super admin cannot be disabled");
    if (u->account_enabled)
        u->disabled_ms = now_ms();
    u->account_enabled = false;
    if (block)
        u->incoming_blocked = true;
    if (forward)
        u->mail_forward = json::array{};
    if (membership)
        remove_from_groups(u->email);
    if (alias)
        u->aliases.clear();
    return ok(200);
}

Response Org::enable_user(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "unblockIncoming"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    bool unblock = false;
    if (!read_flag(up.body, "unblockIncoming", unblock))
        return fail(400, "INVALID_INPUT", "unblockIncoming must be a boolean");
    up.user->account_enabled = true;
    up.user->disabled_ms = -1;
    if (unblock)
        up.user->incoming_blocked = false;
    return ok(200);
}

Response Org::set_mail_account(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    up.user->mail_enabled = up.mode == "enableMailAccount";
    return ok(200);
}

Response Org::change_aliases(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "emailAlias"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    auto it = up.body.find("emailAlias");
    if (it == up.body.end() || !it->value().is_array() || it->value().as_array().empty())
        return fail(400, "INVALID_INPUT", "emailAlias must be a non-empty array");
    std::vector<std::string> list;
    for (const auto& v : it->value().as_array()) {
        auto s = as_string(v);
        if (!s)
            return fail(400, "INVALID_EMAIL_ADDRESS", "emailAlias holds a non-string");
        list.push_back(util::lower(*s));
    }
    return up.mode == "addEmailAlias" ? add_aliases(*up.user, list)
                                      : delete_aliases(*up.user, list);
}

Response Org::add_aliases(User& u, const std::vector<std::string>& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (auto problem = check_new_address(list[i]))
            return *problem;
        if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i), list[i]) !=
            list.begin() + static_cast<std::ptrdiff_t>(i))
            return fail(400, "EMAIL_ALREADY_EXISTS", "Listed twice: " + list[i]);
    }
    json::array result;
    for (const auto& a : list) {
        u.aliases.push_back(Alias{a, next_alias_id});
        result.push_back(json::object{{a, std::to_string(next_alias_id)}});
        next_alias_id += 2;
    }
    return ok(200, std::move(result));
}

Response Org::delete_aliases(User& u, const std::vector<std::string>& list) {
    for (const auto& a : list) {
        if (std::none_of(u.aliases.begin(), u.aliases.end(),
                         [&](const Alias& x) { return x.address == a; }))
            return fail(400, "INVALID_INPUT", "Not an alias of this user: " + a);
    }
    for (const auto& a : list)
        std::erase_if(u.aliases, [&](const Alias& x) { return x.address == a; });
    return ok(200);
}

Response Org::update_display_name(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "displayName", "emailAddress"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    User* u = up.user;
    auto dn = up.body.find("displayName");
    auto display = dn == up.body.end() ? std::nullopt : as_string(dn->value());
    if (!display || display->empty())
        return fail(400, "INVALID_INPUT", "displayName is required");
    std::string address = u->email;
    if (auto ea = up.body.find("emailAddress"); ea != up.body.end()) {
        auto s = as_string(ea->value());
        if (!s)
            return fail(400, "INVALID_EMAIL_ADDRESS", "emailAddress must be a string");
        address = util::lower(*s);
        bool own = address == u->email ||
                   std::any_of(u->aliases.begin(), u->aliases.end(),
                               [&](const Alias& a) { return a.address == address; });
        if (!own)
            return fail(400, "INVALID_INPUT", "emailAddress is not one of the user's");
    }
    u->display_name = *display;
    bool found = false;
    for (auto& d : u->send_mail_details) {
        auto& o = d.as_object();
        if (o.contains("fromAddress") && o["fromAddress"] == json::value(address)) {
            o["displayName"] = *display;
            found = true;
        }
    }
    if (!found) {
        u->send_mail_details.push_back(
            json::object{{"fromAddress", address}, {"displayName", *display}});
    }
    return ok(200);
}

Response Org::add_send_mail_details(const UserUpdate& up) {
    if (auto k = extra_key(up.body, {"mode", "zuid", "sendMailDetails"}))
        return extra_key_response(*k);
    if (auto e = up.missing())
        return *e;
    auto it = up.body.find("sendMailDetails");
    if (it == up.body.end() || !it->value().is_object())
        return fail(400, "INVALID_INPUT", "sendMailDetails must be an object");
    const auto& d = it->value().as_object();
    auto from = d.find("fromAddress");
    if (from == d.end() || !from->value().is_string() ||
        !valid_email(std::string(from->value().get_string())))
        return fail(400, "INVALID_EMAIL_ADDRESS", "sendMailDetails.fromAddress is invalid");
    up.user->send_mail_details.push_back(d);
    return ok(200);
}

}  // namespace hrmaild::sandbox::zoho_detail
