#include "tests/sandbox/zoho_emulator.hpp"

#include "tests/sandbox/seed.hpp"

#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>

namespace hrmaild::sandbox {
namespace json = boost::json;
using std::chrono::seconds;
using time_point = Clock::time_point;

namespace {

// Ids above 2^53: odd values this large have no exact double, so a client that parses ids
// through double gets them wrong and a test notices.
constexpr std::int64_t first_zuid = 18014398509481985;          // 2^54 + 1
constexpr std::int64_t first_account_id = 2560636000000008003;  // like the official samples
constexpr std::int64_t first_zgid = 6917529027641081857;        // 0x6000...01
constexpr std::int64_t first_mailbox_id = 1152921504606846977;  // 2^60 + 1
constexpr std::int64_t first_alias_id = 4611686018427387905;    // 2^62 + 1

// ---------------------------------------------------------------- responses

std::string description_for(int status) {
    switch (status) {
        case 200:
            return "success";
        case 201:
            return "success";
        case 400:
            return "Invalid Input";
        case 401:
            return "Invalid Access";
        case 403:
            return "Access Denied";
        case 404:
            return "Not Found";
        case 429:
            return "Too Many Requests";
        default:
            return "Internal Error";
    }
}

Response ok(int status, std::optional<json::value> data = std::nullopt) {
    json::object body;
    body["status"] = json::object{{"code", status}, {"description", "success"}};
    if (data)
        body["data"] = std::move(*data);
    return Response::json(status, body);
}

Response fail(int status, std::string_view code, std::string_view more_info = {}) {
    json::object data{{"errorCode", code}};
    if (!more_info.empty())
        data["moreInfo"] = more_info;
    json::object body;
    body["status"] = json::object{{"code", status}, {"description", description_for(status)}};
    body["data"] = std::move(data);
    return Response::json(status, body);
}

// The token endpoint answers errors with HTTP 200 and a flat body (reference 1.3).
Response oauth_error(std::string_view error) {
    return Response::json(200, json::object{{"error", error}});
}

// ---------------------------------------------------------------- parsing helpers

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 19 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    if (!all_digits(s))
        return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (v > (INT64_MAX - (c - '0')) / 10)
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// Ids arrive as numbers or as strings (reference 2, "Accept both").
std::optional<std::int64_t> as_id(const json::value& v) {
    if (v.is_int64())
        return v.get_int64() >= 0 ? std::optional(v.get_int64()) : std::nullopt;
    if (v.is_uint64())
        return v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)
                   ? std::optional(static_cast<std::int64_t>(v.get_uint64()))
                   : std::nullopt;
    if (v.is_string())
        return parse_int(std::string_view(v.get_string()));
    return std::nullopt;
}

// Booleans arrive as JSON booleans or as "true"/"false" (the official samples send strings).
std::optional<bool> as_bool(const json::value& v) {
    if (v.is_bool())
        return v.get_bool();
    if (v.is_string()) {
        auto s = util::lower(std::string_view(v.get_string()));
        if (s == "true")
            return true;
        if (s == "false")
            return false;
    }
    return std::nullopt;
}

std::optional<std::string> as_string(const json::value& v) {
    if (v.is_string())
        return std::string(v.get_string());
    return std::nullopt;
}

std::string local_part(const std::string& email) {
    return email.substr(0, email.find('@'));
}

std::string domain_of(const std::string& email) {
    auto at = email.find('@');
    return at == std::string::npos ? std::string() : email.substr(at + 1);
}

// A deliberately plain address check: ASCII only, one '@', sane local part and domain labels.
bool valid_email(const std::string& email) {
    auto at = email.find('@');
    if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos)
        return false;
    std::string local = email.substr(0, at);
    std::string domain = email.substr(at + 1);
    if (local.size() > 64 || domain.size() > 253 || domain.find('.') == std::string::npos)
        return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
        return false;
    for (char c : local) {
        bool okc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-' || c == '+' || c == '\'';
        if (!okc)
            return false;
    }
    std::size_t start = 0;
    while (start <= domain.size()) {
        auto dot = domain.find('.', start);
        std::string label =
            domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label) {
            bool okc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-';
            if (!okc)
                return false;
        }
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return true;
}

// Zoho Accounts' default policy (reference section 7), with the older page's character
// classes: 8-250 characters; upper, lower, digit and special; no "aaa" or "abc"/"123" run;
// no part of the address or name of three letters or more; not a well-known breached password.
std::optional<std::string> password_problem(const std::string& password, const std::string& email,
                                            const std::string& first, const std::string& last) {
    if (password.size() < 8 || password.size() > 250)
        return "length must be 8 to 250 characters";
    bool upper = false, lowerc = false, digit = false, special = false;
    for (char c : password) {
        if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= 'a' && c <= 'z')
            lowerc = true;
        else if (c >= '0' && c <= '9')
            digit = true;
        else
            special = true;
    }
    if (!upper || !lowerc || !digit || !special)
        return "needs upper and lower case letters, a digit and a special character";
    std::string low = util::lower(password);
    for (std::size_t i = 0; i + 2 < low.size(); ++i) {
        char a = low[i], b = low[i + 1], c = low[i + 2];
        if (a == b && b == c)
            return "no character may repeat three times in a row";
        bool alnum = ((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'));
        if (alnum && b == a + 1 && c == b + 1 && ((a >= 'a' && c <= 'z') || (a >= '0' && c <= '9')))
            return "no ascending run of three letters or digits";
    }
    std::vector<std::string> parts;
    auto split_into = [&parts](const std::string& s) {
        std::string cur;
        for (char c : util::lower(s) + ".") {
            if (c == '.' || c == '_' || c == '-' || c == ' ' || c == '+') {
                if (cur.size() >= 3)
                    parts.push_back(cur);
                cur.clear();
            } else {
                cur.push_back(c);
            }
        }
    };
    split_into(local_part(email));
    split_into(first);
    split_into(last);
    for (const auto& part : parts) {
        if (low.find(part) != std::string::npos)
            return "must not contain parts of the address or the name";
    }
    static const std::set<std::string> breached = {"password1!", "p@ssw0rd", "p@ssw0rd1",
                                                   "welcome1!",  "qwerty1!", "passw0rd!",
                                                   "admin123!",  "letmein1!"};
    if (breached.count(low) != 0)
        return "appears in breach lists";
    return std::nullopt;
}

// Checks a JSON object's keys against the keys a mode accepts.
std::optional<std::string> extra_key(const json::object& o,
                                     const std::vector<std::string_view>& allowed) {
    for (const auto& kv : o) {
        if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
            return std::string(kv.key());
    }
    return std::nullopt;
}

Response extra_key_response(const std::string& key) {
    return fail(404, "EXTRA_KEY_FOUND_IN_JSON", "Extra key found in JSON: " + key);
}

// ---------------------------------------------------------------- model

struct Alias {
    std::string address;
    std::int64_t id = 0;
};

struct User {
    std::int64_t zuid = 0;
    std::int64_t account_id = 0;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string display_name;
    std::string role = "member";
    bool account_enabled = true;  // the whole Zoho account (disableUser / enableUser)
    bool mail_enabled = true;     // the mail account only (disableMailAccount / ...)
    bool incoming_blocked = false;
    std::vector<Alias> aliases;
    json::array send_mail_details;
    json::array mail_forward;
    std::string password_hash;  // salted SHA-256; never shown
    bool one_time_password = false;
    std::int64_t last_password_reset_ms = -1;
    std::int64_t created_ms = 0;
    std::int64_t user_expiry = -1;
    std::string country = "mx";
    std::string language = "es";
    std::string time_zone = "America/Mexico_City";
    json::object extra;  // employeeId, department, designation, ...
};

struct Member {
    std::string email;
    std::string role = "member";
    std::string status = "active";
    std::string post_approval = "accept";
    std::string ack_status = "accepted";
};

struct Group {
    std::int64_t zgid = 0;
    std::int64_t mailbox_id = 0;
    std::string email;
    std::string name;
    std::string description;
    std::string access_type = "Public";
    bool streams_enabled = false;
    std::vector<Member> members;
    json::object admin_settings;
    json::object general_settings;
    json::object text_settings;
    std::int64_t created_ms = 0;
};

struct Grant {  // one refresh token
    std::string client_id;
    std::deque<time_point> mints;
    long long minted = 0;
    long long refused = 0;
};

struct AccessToken {
    std::string refresh_token;
    time_point expires;
    std::deque<time_point> calls;  // API calls in the last minute (rate budget)
    long long total_calls = 0;
};

struct Client {
    std::string secret;
};

enum class Op { read, create, update, del };

}  // namespace

struct ZohoEmulator::Impl {
    Clock& clock;
    ZohoOptions options;

    bool has_org = false;
    std::int64_t zoid = 0;
    std::string org_name;
    std::string primary_domain;
    std::vector<std::string> domains;
    long long license_count = 0;
    std::int64_t org_created_ms = 0;
    std::vector<std::string> protected_accounts;

    std::map<std::string, Client> clients;
    std::map<std::string, Grant> grants;        // refresh token → grant
    std::map<std::string, AccessToken> tokens;  // access token → token
    long long minted_total = 0;
    long long mint_refused_total = 0;
    long long auth_failures = 0;
    long long throttled = 0;

    std::vector<User> users;
    std::vector<Group> groups;
    std::int64_t next_zuid = first_zuid;
    std::int64_t next_account_id = first_account_id;
    std::int64_t next_zgid = first_zgid;
    std::int64_t next_mailbox_id = first_mailbox_id;
    std::int64_t next_alias_id = first_alias_id;
    std::string password_salt = util::random_hex(16);

    explicit Impl(Clock& c) : clock(c) {}

    std::int64_t now_ms() const { return util::unix_ms(clock.now()); }

    void clear() {
        has_org = false;
        zoid = 0;
        org_name.clear();
        primary_domain.clear();
        domains.clear();
        license_count = 0;
        protected_accounts.clear();
        clients.clear();
        grants.clear();
        tokens.clear();
        minted_total = mint_refused_total = auth_failures = throttled = 0;
        users.clear();
        groups.clear();
        next_zuid = first_zuid;
        next_account_id = first_account_id;
        next_zgid = first_zgid;
        next_mailbox_id = first_mailbox_id;
        next_alias_id = first_alias_id;
    }

    // ------------------------------------------------------------ lookups

    User* user_by_id(std::int64_t id) {
        for (auto& u : users) {
            if (u.zuid == id || u.account_id == id)
                return &u;
        }
        return nullptr;
    }
    User* user_by_zuid(std::int64_t id) {
        for (auto& u : users) {
            if (u.zuid == id)
                return &u;
        }
        return nullptr;
    }
    User* user_by_email(const std::string& email) {
        auto e = util::lower(email);
        for (auto& u : users) {
            if (u.email == e)
                return &u;
        }
        for (auto& u : users) {
            for (const auto& a : u.aliases) {
                if (a.address == e)
                    return &u;
            }
        }
        return nullptr;
    }
    Group* group_by_id(std::int64_t id) {
        for (auto& g : groups) {
            if (g.zgid == id)
                return &g;
        }
        return nullptr;
    }
    Group* group_by_email(const std::string& email) {
        auto e = util::lower(email);
        for (auto& g : groups) {
            if (g.email == e)
                return &g;
        }
        return nullptr;
    }
    // Whether an address is taken by a user (primary or alias) or a group.
    bool address_taken(const std::string& email) {
        return user_by_email(email) != nullptr || group_by_email(email) != nullptr;
    }
    bool domain_verified(const std::string& email) {
        auto d = util::lower(domain_of(email));
        return std::find(domains.begin(), domains.end(), d) != domains.end();
    }
    void remove_from_groups(const std::string& email) {
        for (auto& g : groups) {
            std::erase_if(g.members, [&](const Member& m) { return m.email == email; });
        }
    }

    std::string hash_password(const std::string& password) const {
        return util::sha256_hex(password_salt + password);
    }

    // ------------------------------------------------------------ JSON shapes

    json::object user_json(const User& u) const {
        json::object o;
        o["zuid"] = u.zuid;
        o["accountId"] = std::to_string(u.account_id);
        o["primaryEmailAddress"] = u.email;
        o["mailboxAddress"] = u.email;
        o["incomingUserName"] = u.email;
        o["firstName"] = u.first_name;
        o["lastName"] = u.last_name;
        o["displayName"] = u.display_name;
        o["accountDisplayName"] = u.display_name;
        o["accountName"] = local_part(u.email);
        o["role"] = u.role;
        o["isCustomAdmin"] = false;
        o["iamUserRole"] = u.role;
        o["mailboxStatus"] = u.mail_enabled ? "enabled" : "disabled";
        o["status"] = u.account_enabled;
        o["enabled"] = u.mail_enabled;
        o["iamStatus"] = u.account_enabled ? "active" : "disabled";
        json::array addresses;
        addresses.push_back(json::object{
            {"mailId", u.email}, {"isPrimary", true}, {"isAlias", false}, {"isConfirmed", true}});
        for (const auto& a : u.aliases) {
            addresses.push_back(json::object{{"mailId", a.address},
                                             {"isPrimary", false},
                                             {"isAlias", true},
                                             {"isConfirmed", true}});
        }
        o["emailAddress"] = std::move(addresses);
        o["usedStorage"] = 0;
        o["planStorage"] = 30;
        o["allowedStorage"] = 30;
        o["basicStorage"] = "mailPremium";
        o["extraStorage"] = json::object{};
        o["lastLogin"] = -1;
        o["lastPasswordReset"] = u.last_password_reset_ms;
        o["accountCreationTime"] = u.created_ms;
        o["mailboxCreationTime"] = u.created_ms;
        o["userExpiry"] = u.user_expiry;
        o["tfaEnabled"] = false;
        o["imapAccessEnabled"] = true;
        o["popAccessEnabled"] = false;
        o["activeSyncEnabled"] = true;
        o["incomingBlocked"] = u.incoming_blocked;
        o["outgoingBlocked"] = false;
        o["webBlocked"] = !u.account_enabled;
        o["popBlocked"] = false;
        o["imapBlocked"] = false;
        o["mxStatus"] = true;
        o["spamcheckEnabled"] = true;
        o["country"] = u.country;
        o["language"] = u.language;
        o["timeZone"] = u.time_zone;
        o["gender"] = "";
        o["mobileNumber"] = "";
        o["phoneNumer"] = "";
        o["address"] = json::object{};
        o["policyId"] = json::object{{"1", "Default"}};
        o["sendMailDetails"] = u.send_mail_details;
        o["mailForward"] = u.mail_forward;
        o["type"] = "ZOHO_ACCOUNT";
        o["sequence"] = 1;
        o["URI"] = "/api/organization/" + std::to_string(zoid) + "/accounts/" +
                   std::to_string(u.account_id);
        for (const auto& kv : u.extra)
            o[kv.key()] = kv.value();
        return o;
    }

    json::object member_json(const Member& m) {
        json::object o;
        o["memberEmailId"] = m.email;
        User* u = user_by_email(m.email);
        if (u != nullptr) {
            o["zuid"] = u->zuid;
            o["firstName"] = u->first_name;
            o["lastName"] = u->last_name;
            o["displayName"] = u->display_name;
        }
        o["role"] = m.role;
        o["status"] = m.status;
        o["postApproval"] = m.post_approval;
        o["ackStatus"] = m.ack_status;
        o["sendAsRight"] = false;
        o["memberType"] = u != nullptr ? "orgUser" : "externalUser";
        o["deliveryOption"] = "default";
        o["failureCount"] = 0;
        return o;
    }

    json::object group_json(const Group& g) {
        json::object o;
        o["zgid"] = g.zgid;
        o["emailId"] = g.email;
        o["name"] = g.name;
        o["groupDescription"] = g.description;
        o["accessType"] = g.access_type;
        o["groupMemberCount"] = static_cast<std::int64_t>(g.members.size());
        o["mailboxId"] = g.mailbox_id;
        o["policyName"] = "Default";
        o["pendingInvitation"] = 0;
        o["accountCreationTime"] = g.created_ms;
        o["iamGroupExist"] = true;
        o["streamsEnabled"] = g.streams_enabled;
        o["isModerator"] = false;
        o["isLogoExist"] = false;
        o["blockDetails"] = json::array{};
        o["URI"] =
            "/api/organization/" + std::to_string(zoid) + "/groups/" + std::to_string(g.zgid);
        json::object admin{{"mailboxId", g.mailbox_id},
                           {"accessType", g.access_type},
                           {"holdOrBounce", "hold"},
                           {"adminNotify", false},
                           {"authorNotify", false},
                           {"isNotToCc", false},
                           {"spamApproval", false},
                           {"mailboxSendRights", false},
                           {"spamMarkPermission", false},
                           {"postApprovedNotify", false},
                           {"suppressMailOnMemAdd", false},
                           {"moderationApprovalOption", "APPROVE"},
                           {"moderationTTL", 0}};
        for (const auto& kv : g.admin_settings)
            admin[kv.key()] = kv.value();
        o["groupAdminSettings"] = std::move(admin);
        if (!g.general_settings.empty())
            o["groupGeneralSettingVO"] = g.general_settings;
        if (!g.text_settings.empty())
            o["grpTxtSettings"] = g.text_settings;
        json::array members;
        for (const auto& m : g.members)
            members.push_back(member_json(m));
        o["mailGroupMemberList"] = std::move(members);
        return o;
    }

    json::object org_json() const {
        std::string super_admin, super_admin_name;
        for (const auto& u : users) {
            if (u.role == "super_admin") {
                super_admin = u.email;
                super_admin_name = u.display_name;
                break;
            }
        }
        json::array doms;
        for (const auto& d : domains)
            doms.push_back(json::value(d));
        json::object o;
        o["zoid"] = zoid;
        o["orgName"] = org_name;
        o["superAdmin"] = super_admin;
        o["superAdminFullName"] = super_admin_name;
        o["superAdminLoginName"] = super_admin;
        o["basePlan"] = "Mail Premium";
        o["planType"] = "paid";
        o["paymentPeriod"] = "yearly";
        o["expiryTime"] = org_created_ms + std::int64_t{365} * 24 * 3600 * 1000;
        o["orgCreationTime"] = org_created_ms;
        o["usersCount"] = static_cast<std::int64_t>(users.size());
        o["groupCount"] = static_cast<std::int64_t>(groups.size());
        o["mailboxCount"] = static_cast<std::int64_t>(std::count_if(
            users.begin(), users.end(), [](const User& u) { return u.mail_enabled; }));
        o["licenseCount"] = license_count;
        o["sharedGroupCount"] = 0;
        o["partnerOrgCount"] = 0;
        o["domains"] = std::move(doms);
        o["primaryDomainName"] = primary_domain;
        o["isMailHostingEnabled"] = true;
        o["isDomainMarkingExist"] = false;
        o["spamVO"] = json::object{{"spamProcessType", "moderate"}};
        o["orgPolicyDetails"] = json::object{{"1", "Default"}};
        o["zaid"] = zoid + 1;
        o["encryptedZoid"] = util::sha256_hex(std::to_string(zoid)).substr(0, 24);
        o["URI"] = "/api/organization/" + std::to_string(zoid);
        o["orgImageUrl"] = "";
        o["isEmailConfirmed"] = true;
        o["isOfferAvailable"] = false;
        return o;
    }

    json::object storage_json(const User& u) const {
        return json::object{{"zuid", u.zuid},
                            {"totalStorage", 30},
                            {"usedStorage", 0},
                            {"mailBox", u.mail_enabled},
                            {"basicStorage", "mailPremium"},
                            {"extraStorage", json::object{}}};
    }

    // ------------------------------------------------------------ OAuth

    Response mint_denied() const {
        Response r = Response::json(
            options.mint_denied_status,
            json::object{{"error_description",
                          "You have made too many requests continuously. Please try again "
                          "after some time."},
                         {"error", "Access Denied"},
                         {"status", "failure"}});
        return r;
    }

    Response token_endpoint(const Request& req) {
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
        tokens[token] =
            AccessToken{grant->first, now + seconds(options.token_lifetime_seconds), {}, 0};
        json::object body{{"access_token", token},
                          {"api_domain", "https://www.zohoapis.com"},
                          {"token_type", "Bearer"},
                          {"expires_in", options.token_lifetime_seconds}};
        return Response::json(200, body);
    }

    Response revoke_endpoint(const Request& req) {
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

    bool has_scope(const std::string& resource, Op op) const {
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

    // ------------------------------------------------------------ API dispatch

    Response api(const Request& req) {
        // Split the path into decoded segments; a trailing slash is tolerated.
        std::vector<std::string> seg;
        {
            std::string path = req.path();
            std::size_t start = 1;
            while (start <= path.size()) {
                auto slash = path.find('/', start);
                std::string s = path.substr(
                    start, slash == std::string::npos ? std::string::npos : slash - start);
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

    Response throttle() const {
        int status = options.throttle_as_400 ? 400 : 429;
        return fail(status, "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED",
                    "Too many requests. Please try again after some time.");
    }

    static std::optional<std::pair<std::size_t, std::size_t>> paging(const Request& req,
                                                                     std::size_t default_start,
                                                                     std::size_t default_limit,
                                                                     bool& given,
                                                                     std::string& bad) {
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

    Response storage(const Request& req, const std::vector<std::string>& seg) {
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

    // ------------------------------------------------------------ users

    Response list_users(const Request& req) {
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

    Response get_user(const std::string& key) {
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

    // Validates an address a user or alias is about to take.
    std::optional<Response> check_new_address(const std::string& email) {
        if (!valid_email(email))
            return fail(400, "INVALID_EMAIL_ADDRESS", "Invalid email address: " + email);
        if (!domain_verified(email))
            return fail(400, "DOMAIN_NOT_VERIFIED",
                        "The domain " + domain_of(email) + " is not verified in this organization");
        if (address_taken(email))
            return fail(400, "EMAIL_ALREADY_EXISTS", "The address already exists: " + email);
        return std::nullopt;
    }

    Response add_user(const json::object& body) {
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
        for (const char* k :
             {"employeeId", "department", "designation", "mobileNumber", "extension"}) {
            if (auto it = body.find(k); it != body.end())
                u.extra[k] = it->value();
        }
        for (Group* g : join)
            g->members.push_back(Member{address});
        users.push_back(std::move(u));
        return ok(201, user_json(users.back()));
    }

    Response change_role(const json::object& body) {
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

    Response delete_users(const json::object& body) {
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

    Response update_user(const std::string& key, const json::object& body) {
        auto id = parse_int(key);
        if (!id)
            return fail(400, "PATTERN_NOT_MATCHED", "accountId does not match its pattern");
        auto mode_it = body.find("mode");
        std::string mode =
            mode_it == body.end() ? std::string() : as_string(mode_it->value()).value_or("");
        User* u = user_by_id(*id);
        // The body's zuid, when given, must name the same user as the path.
        std::optional<std::int64_t> body_zuid;
        if (auto z = body.find("zuid"); z != body.end()) {
            body_zuid = as_id(z->value());
            if (!body_zuid)
                return fail(400, "PATTERN_NOT_MATCHED", "zuid does not match its pattern");
        }
        auto check = [&](const std::vector<std::string_view>& keys) {
            return extra_key(body, keys);
        };
        auto flag = [&](const char* k, bool& out) -> bool {
            auto it = body.find(k);
            if (it == body.end())
                return true;
            auto b = as_bool(it->value());
            if (!b)
                return false;
            out = *b;
            return true;
        };
        auto need_user = [&]() -> std::optional<Response> {
            if (u == nullptr)
                return fail(404, "USER_NOT_FOUND", "No user with this id");
            if (body_zuid && *body_zuid != u->zuid)
                return fail(404, "USER_NOT_FOUND", "zuid does not belong to this account");
            return std::nullopt;
        };

        if (mode == "resetPassword") {
            if (auto k = check({"mode", "zuid", "password", "oneTimePassword", "resetAuthToken",
                                "resetAuthtoken"}))
                return extra_key_response(*k);
            if (!body_zuid)
                return fail(400, "INVALID_INPUT", "zuid is null");
            if (auto e = need_user())
                return *e;
            auto p = body.find("password");
            auto password = p == body.end() ? std::nullopt : as_string(p->value());
            if (!password || password->empty())
                return fail(400, "INVALID_INPUT", "password is required");
            if (auto problem = password_problem(*password, u->email, u->first_name, u->last_name))
                return fail(400, "PASSWORD_POLICY_VIOLATION", *problem);
            bool otp = true;
            if (!flag("oneTimePassword", otp))
                return fail(400, "INVALID_INPUT", "oneTimePassword must be a boolean");
            u->password_hash = hash_password(*password);
            u->one_time_password = otp;
            u->last_password_reset_ms = now_ms();
            return ok(200);
        }
        if (mode == "disableUser") {
            if (auto k = check({"mode", "zuid", "blockIncoming", "removeMailforward",
                                "removeGroupMembership", "removeAlias"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            bool block = false, forward = false, membership = false, alias = false;
            if (!flag("blockIncoming", block) || !flag("removeMailforward", forward) ||
                !flag("removeGroupMembership", membership) || !flag("removeAlias", alias))
                return fail(400, "INVALID_INPUT", "flags must be booleans");
            if (u->role == "super_admin")
                return fail(400, "INVALID_INPUT", "The super admin cannot be disabled");
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
        if (mode == "enableUser") {
            if (auto k = check({"mode", "zuid", "unblockIncoming"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            bool unblock = false;
            if (!flag("unblockIncoming", unblock))
                return fail(400, "INVALID_INPUT", "unblockIncoming must be a boolean");
            u->account_enabled = true;
            if (unblock)
                u->incoming_blocked = false;
            return ok(200);
        }
        if (mode == "disableMailAccount" || mode == "enableMailAccount") {
            if (auto k = check({"mode", "zuid"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            u->mail_enabled = mode == "enableMailAccount";
            return ok(200);
        }
        if (mode == "addEmailAlias" || mode == "deleteEmailAlias") {
            if (auto k = check({"mode", "zuid", "emailAlias"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            auto it = body.find("emailAlias");
            if (it == body.end() || !it->value().is_array() || it->value().as_array().empty())
                return fail(400, "INVALID_INPUT", "emailAlias must be a non-empty array");
            std::vector<std::string> list;
            for (const auto& v : it->value().as_array()) {
                auto s = as_string(v);
                if (!s)
                    return fail(400, "INVALID_EMAIL_ADDRESS", "emailAlias holds a non-string");
                list.push_back(util::lower(*s));
            }
            if (mode == "addEmailAlias") {
                for (std::size_t i = 0; i < list.size(); ++i) {
                    if (auto problem = check_new_address(list[i]))
                        return *problem;
                    if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i),
                                  list[i]) != list.begin() + static_cast<std::ptrdiff_t>(i))
                        return fail(400, "EMAIL_ALREADY_EXISTS", "Listed twice: " + list[i]);
                }
                json::array result;
                for (const auto& a : list) {
                    u->aliases.push_back(Alias{a, next_alias_id});
                    result.push_back(json::object{{a, std::to_string(next_alias_id)}});
                    next_alias_id += 2;
                }
                return ok(200, std::move(result));
            }
            for (const auto& a : list) {
                if (std::none_of(u->aliases.begin(), u->aliases.end(),
                                 [&](const Alias& x) { return x.address == a; }))
                    return fail(400, "INVALID_INPUT", "Not an alias of this user: " + a);
            }
            for (const auto& a : list)
                std::erase_if(u->aliases, [&](const Alias& x) { return x.address == a; });
            return ok(200);
        }
        if (mode == "displaynameemailupdate") {
            if (auto k = check({"mode", "zuid", "displayName", "emailAddress"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            auto dn = body.find("displayName");
            auto display = dn == body.end() ? std::nullopt : as_string(dn->value());
            if (!display || display->empty())
                return fail(400, "INVALID_INPUT", "displayName is required");
            std::string address = u->email;
            if (auto ea = body.find("emailAddress"); ea != body.end()) {
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
        if (mode == "addsendmaildetails") {
            if (auto k = check({"mode", "zuid", "sendMailDetails"}))
                return extra_key_response(*k);
            if (auto e = need_user())
                return *e;
            auto it = body.find("sendMailDetails");
            if (it == body.end() || !it->value().is_object())
                return fail(400, "INVALID_INPUT", "sendMailDetails must be an object");
            const auto& d = it->value().as_object();
            auto from = d.find("fromAddress");
            if (from == d.end() || !from->value().is_string() ||
                !valid_email(std::string(from->value().get_string())))
                return fail(400, "INVALID_EMAIL_ADDRESS", "sendMailDetails.fromAddress is invalid");
            u->send_mail_details.push_back(d);
            return ok(200);
        }
        return fail(400, "URL_RULE_MISMATCH", "Unknown mode: " + mode);
    }

    // ------------------------------------------------------------ groups

    Response list_groups(const Request& req) {
        bool given = false;
        std::string bad;
        auto page = paging(req, 1, 25, given, bad);
        if (!page)
            return fail(400, "PATTERN_NOT_MATCHED", bad + " does not match its pattern");
        std::size_t start = 0, limit = groups.size();
        if (given) {  // the old page's 1-based start with a limit of at most 25
            start = page->first == 0 ? 0 : page->first - 1;
            limit = std::min<std::size_t>(page->second, 25);
        }
        json::array list;
        for (std::size_t i = start; i < groups.size() && list.size() < limit; ++i)
            list.push_back(group_json(groups[i]));
        return ok(200, json::object{{"count", static_cast<std::int64_t>(groups.size())},
                                    {"groups", std::move(list)}});
    }

    // Parses a mailGroupMemberList with the keys a mode accepts.
    std::optional<Response> member_list(const json::object& body,
                                        const std::vector<std::string_view>& keys,
                                        std::vector<json::object>& out) {
        auto it = body.find("mailGroupMemberList");
        if (it == body.end() || !it->value().is_array())
            return fail(400, "INVALID_INPUT", "mailGroupMemberList is required");
        for (const auto& v : it->value().as_array()) {
            if (!v.is_object())
                return fail(400, "INVALID_INPUT", "mailGroupMemberList holds a non-object");
            const auto& o = v.as_object();
            if (auto k = extra_key(o, keys))
                return extra_key_response(*k);
            auto e = o.find("memberEmailId");
            if (e == o.end() || !e->value().is_string())
                return fail(400, "INVALID_INPUT", "memberEmailId is required");
            if (!valid_email(std::string(e->value().get_string())))
                return fail(400, "INVALID_EMAIL_ADDRESS",
                            "Invalid member address: " + std::string(e->value().get_string()));
            out.push_back(o);
        }
        return std::nullopt;
    }

    static std::string member_email(const json::object& o) {
        return util::lower(std::string(o.at("memberEmailId").get_string()));
    }

    static std::optional<std::string> member_role(const json::object& o, bool& bad) {
        bad = false;
        auto it = o.find("role");
        if (it == o.end())
            return std::nullopt;
        auto r = as_string(it->value());
        if (!r || (*r != "member" && *r != "moderator")) {
            bad = true;
            return std::nullopt;
        }
        return r;
    }

    Response create_group(const json::object& body) {
        if (auto k = extra_key(body, {"emailId", "name", "groupDescription", "accessType",
                                      "streamsEnabled", "mailGroupMemberList"}))
            return extra_key_response(*k);
        auto s = [&](const char* k) -> std::optional<std::string> {
            auto it = body.find(k);
            return it == body.end() ? std::nullopt : as_string(it->value());
        };
        auto email = s("emailId");
        if (!email || email->empty())
            return fail(400, "INVALID_INPUT", "emailId is required");
        auto name = s("name");
        if (!name || name->empty())
            return fail(400, "INVALID_INPUT", "name is required");
        std::string address = util::lower(*email);
        if (auto problem = check_new_address(address))
            return *problem;
        std::string access = s("accessType").value_or("Public");
        if (access != "Public" && access != "Organization" && access != "Group" &&
            access != "Moderated")
            return fail(400, "INVALID_INPUT",
                        "accessType must be Public, Organization, Group or Moderated");
        std::vector<json::object> members;
        if (auto e = member_list(body, {"memberEmailId", "role", "zuid"}, members))
            return *e;
        Group g;
        g.zgid = next_zgid;
        next_zgid += 2;
        g.mailbox_id = next_mailbox_id;
        next_mailbox_id += 2;
        g.email = address;
        g.name = *name;
        g.description = s("groupDescription").value_or("");
        g.access_type = access;
        if (auto it = body.find("streamsEnabled"); it != body.end())
            g.streams_enabled = as_bool(it->value()).value_or(false);
        g.created_ms = now_ms();
        for (const auto& o : members) {
            bool bad = false;
            auto role = member_role(o, bad);
            if (bad)
                return fail(400, "INVALID_INPUT", "role must be member or moderator");
            std::string e = member_email(o);
            if (std::any_of(g.members.begin(), g.members.end(),
                            [&](const Member& m) { return m.email == e; }))
                return fail(400, "MEMBER_ALREADY_EXISTS", "Listed twice: " + e);
            Member m{e};
            if (role)
                m.role = *role;
            g.members.push_back(std::move(m));
        }
        groups.push_back(std::move(g));
        return ok(201, group_json(groups.back()));
    }

    Response delete_groups(const json::object& body, std::optional<std::int64_t> path_id) {
        std::vector<std::int64_t> ids;
        if (path_id) {
            if (!body.empty())
                return extra_key_response(std::string(body.begin()->key()));
            ids.push_back(*path_id);
        } else {
            if (auto k = extra_key(body, {"groupList"}))
                return extra_key_response(*k);
            auto it = body.find("groupList");
            if (it == body.end() || !it->value().is_array() || it->value().as_array().empty())
                return fail(400, "INVALID_INPUT", "groupList is required");
            for (const auto& v : it->value().as_array()) {
                auto id = as_id(v);
                if (!id)
                    return fail(400, "PATTERN_NOT_MATCHED", "zgid does not match its pattern");
                ids.push_back(*id);
            }
        }
        for (auto id : ids) {
            if (group_by_id(id) == nullptr)
                return fail(404, "GROUP_NOT_FOUND", "No group with zgid " + std::to_string(id));
        }
        std::erase_if(groups, [&](const Group& g) {
            return std::find(ids.begin(), ids.end(), g.zgid) != ids.end();
        });
        return ok(200);
    }

    Response update_group(std::int64_t zgid, const json::object& body) {
        auto mode_it = body.find("mode");
        std::string mode =
            mode_it == body.end() ? std::string() : as_string(mode_it->value()).value_or("");
        Group* g = group_by_id(zgid);
        static const std::set<std::string> modes = {
            "addMailGroupMember",        "deleteMailGroupMember",    "changeMemberRole",
            "updateMemberStatus",        "updateGroupMemberDetails", "updateGroupName",
            "updateMailGroupAdvOptions", "updateMailGroupOption",    "updateMailGroupOptions"};
        if (modes.count(mode) == 0)
            return fail(400, "URL_RULE_MISMATCH", "Unknown mode: " + mode);
        auto find_member = [&](const std::string& e) -> Member* {
            for (auto& m : g->members) {
                if (m.email == e)
                    return &m;
            }
            return nullptr;
        };

        if (mode == "updateGroupName") {
            if (auto k = extra_key(body, {"mode", "name"}))
                return extra_key_response(*k);
            if (g == nullptr)
                return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
            auto it = body.find("name");
            auto name = it == body.end() ? std::nullopt : as_string(it->value());
            if (!name || name->empty())
                return fail(400, "INVALID_INPUT", "name is required");
            g->name = *name;
            return ok(200);
        }
        if (mode == "updateMailGroupAdvOptions") {
            if (auto k = extra_key(body, {"mode", "accessType", "groupAdminSettings"}))
                return extra_key_response(*k);
            if (g == nullptr)
                return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
            auto at = body.find("accessType");
            auto access = at == body.end() ? std::nullopt : as_string(at->value());
            if (!access || (*access != "Public" && *access != "Organization" &&
                            *access != "Group" && *access != "Moderated"))
                return fail(400, "INVALID_INPUT", "accessType is required");
            auto st = body.find("groupAdminSettings");
            if (st == body.end() || !st->value().is_object())
                return fail(400, "INVALID_INPUT", "groupAdminSettings is required");
            const auto& settings = st->value().as_object();
            if (auto k = extra_key(
                    settings, {"mailboxId", "holdOrBounce", "adminNotify", "authorNotify",
                               "isNotToCc", "spamApproval", "mailboxSendRights",
                               "spamMarkPermission", "postApprovedNotify", "suppressMailOnMemAdd"}))
                return extra_key_response(*k);
            g->access_type = *access;
            for (const auto& kv : settings) {
                if (kv.key() != "mailboxId")
                    g->admin_settings[kv.key()] = kv.value();
            }
            return ok(200);
        }
        if (mode == "updateMailGroupOption" || mode == "updateMailGroupOptions") {
            if (auto k = extra_key(body, {"mode", "groupGeneralSettingVO", "grpTxtSettings"}))
                return extra_key_response(*k);
            if (g == nullptr)
                return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
            auto gs = body.find("groupGeneralSettingVO");
            if (gs == body.end() || !gs->value().is_object())
                return fail(400, "INVALID_INPUT", "groupGeneralSettingVO is required");
            const auto& general = gs->value().as_object();
            if (auto k = extra_key(general, {"mailboxId", "subjectPrefix", "replyTo",
                                             "bounceThreshold", "notifSubscription"}))
                return extra_key_response(*k);
            if (auto bt = general.find("bounceThreshold"); bt != general.end()) {
                auto n = as_id(bt->value());
                if (!n || *n < 1 || *n > 100)
                    return fail(400, "INVALID_INPUT", "bounceThreshold must be 1 to 100");
            }
            for (const auto& kv : general)
                g->general_settings[kv.key()] = kv.value();
            if (auto ts = body.find("grpTxtSettings"); ts != body.end()) {
                if (!ts->value().is_object())
                    return fail(400, "INVALID_INPUT", "grpTxtSettings must be an object");
                for (const auto& kv : ts->value().as_object())
                    g->text_settings[kv.key()] = kv.value();
            }
            return ok(200);
        }

        // Member modes.
        std::vector<std::string_view> member_keys;
        if (mode == "addMailGroupMember")
            member_keys = {"memberEmailId", "role", "zuid"};
        else if (mode == "deleteMailGroupMember")
            member_keys = {"memberEmailId", "zuid"};
        else if (mode == "changeMemberRole")
            member_keys = {"memberEmailId", "role"};
        else if (mode == "updateMemberStatus")
            member_keys = {"memberEmailId", "status"};
        else
            member_keys = {"memberEmailId", "role", "status", "ackStatus", "postApproval"};
        if (auto k = extra_key(body, {"mode", "mailGroupMemberList"}))
            return extra_key_response(*k);
        if (g == nullptr)
            return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
        std::vector<json::object> list;
        if (auto e = member_list(body, member_keys, list))
            return *e;
        static const std::set<std::string> statuses = {"unconfirmed", "active",      "deactive",
                                                       "deleted",     "unsupported", "confirmed"};
        // Validate everything first: a refused call changes nothing.
        for (const auto& o : list) {
            std::string e = member_email(o);
            bool bad = false;
            auto role = member_role(o, bad);
            if (bad)
                return fail(400, "INVALID_INPUT", "role must be member or moderator");
            if (mode == "addMailGroupMember") {
                if (find_member(e) != nullptr)
                    return fail(400, "MEMBER_ALREADY_EXISTS", "Already a member: " + e);
                continue;
            }
            if (find_member(e) == nullptr)
                return fail(404, "MEMBER_NOT_FOUND", "Not a member: " + e);
            if ((mode == "changeMemberRole" || mode == "updateGroupMemberDetails") && !role)
                return fail(400, "INVALID_INPUT", "role is required");
            if (mode == "updateMemberStatus" || mode == "updateGroupMemberDetails") {
                auto st = o.find("status");
                if (st == o.end() && mode == "updateMemberStatus")
                    return fail(400, "INVALID_INPUT", "status is required");
                if (st != o.end()) {
                    auto s = as_string(st->value());
                    if (!s || statuses.count(*s) == 0)
                        return fail(400, "INVALID_INPUT", "unknown member status");
                }
            }
        }
        if (mode == "addMailGroupMember") {
            for (std::size_t i = 0; i < list.size(); ++i) {
                for (std::size_t j = 0; j < i; ++j) {
                    if (member_email(list[i]) == member_email(list[j]))
                        return fail(400, "MEMBER_ALREADY_EXISTS",
                                    "Listed twice: " + member_email(list[i]));
                }
            }
        }
        for (const auto& o : list) {
            std::string e = member_email(o);
            bool bad = false;
            auto role = member_role(o, bad);
            if (mode == "addMailGroupMember") {
                Member m{e};
                if (role)
                    m.role = *role;
                g->members.push_back(std::move(m));
            } else if (mode == "deleteMailGroupMember") {
                std::erase_if(g->members, [&](const Member& m) { return m.email == e; });
            } else {
                Member* m = find_member(e);
                if (role)
                    m->role = *role;
                if (auto st = o.find("status"); st != o.end())
                    m->status = std::string(st->value().get_string());
                if (auto a = o.find("ackStatus"); a != o.end() && a->value().is_string())
                    m->ack_status = std::string(a->value().get_string());
                if (auto p = o.find("postApproval"); p != o.end() && p->value().is_string())
                    m->post_approval = std::string(p->value().get_string());
            }
        }
        return ok(200);
    }

    // ------------------------------------------------------------ seeding and control

    // A user from an org.json user object (checked by org_user_problem, or skipped fields
    // keep their defaults); the next ids unless it names zuid or accountId.
    User user_from_spec(const json::object& o) {
        auto str = [&](const char* k, std::string dflt) {
            auto f = o.find(k);
            return f != o.end() && f->value().is_string() ? std::string(f->value().get_string())
                                                          : dflt;
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
        u.display_name = str("displayName",
                             u.last_name.empty() ? u.first_name : u.first_name + " " + u.last_name);
        u.role = str("role", "member");
        u.created_ms = now_ms();
        u.password_hash = hash_password(util::random_hex(12));
        if (auto f = o.find("enabled"); f != o.end())
            u.account_enabled = as_bool(f->value()).value_or(true);
        if (auto f = o.find("mailEnabled"); f != o.end())
            u.mail_enabled = as_bool(f->value()).value_or(true);
        if (auto f = o.find("aliases"); f != o.end() && f->value().is_array()) {
            for (const auto& a : f->value().as_array()) {
                if (a.is_string()) {
                    u.aliases.push_back(
                        Alias{util::lower(std::string(a.get_string())), next_alias_id});
                    next_alias_id += 2;
                }
            }
        }
        return u;
    }

    static Response control_error(int status, const std::string& message) {
        return Response::json(status, json::object{{"error", message}});
    }

    // The user a control path names: zuid, accountId, address or alias.
    User* control_user(const std::string& key) {
        if (auto id = parse_int(key))
            return user_by_id(*id);
        return user_by_email(key);
    }

    // Who holds an address, for a control error ("admin@x (alias)", "group todos@x").
    std::string holder(const std::string& address) {
        if (Group* g = group_by_email(address))
            return "the group " + g->email;
        if (User* u = user_by_email(address))
            return u->email == util::lower(address) ? "the user " + u->email
                                                    : "an alias of " + u->email;
        return "nobody";
    }

    // An address a control call wants to give someone: valid, in one of the org's domains.
    std::optional<std::string> address_problem(const std::string& address) {
        if (!valid_email(address))
            return "not an address Zoho takes: " + address;
        if (!domain_verified(address))
            return "the domain of " + address + " is not one of the organization's domains";
        return std::nullopt;
    }

    Response control_add_user(const json::object& spec) {
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
                bool own =
                    replacing && std::any_of(old->aliases.begin(), old->aliases.end(),
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
        return Response::json(
            201, json::object{{"user", user_json(users.back())}, {"replaced", replaced}});
    }

    Response control_update_user(const std::string& key, const json::object& patch) {
        User* u = control_user(key);
        if (u == nullptr)
            return control_error(404, "no user " + key);
        static const std::set<std::string> keys = {"enabled",    "mailEnabled",  "role",
                                                   "firstName",  "lastName",     "displayName",
                                                   "addAliases", "removeAliases"};
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
        if (auto it = patch.find("enabled"); it != patch.end())
            u->account_enabled = it->value().get_bool();
        if (auto it = patch.find("mailEnabled"); it != patch.end())
            u->mail_enabled = it->value().get_bool();
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

    Response control_delete_user(const std::string& key) {
        User* u = control_user(key);
        if (u == nullptr)
            return control_error(404, "no user " + key);
        std::int64_t zuid = u->zuid;
        remove_from_groups(u->email);
        std::erase_if(users, [&](const User& x) { return x.zuid == zuid; });
        return Response::json(200, json::object{{"ok", true}, {"zuid", zuid}});
    }

    void seed(const json::value& org_value) {
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
                if (auto rts = o.find("refresh_tokens");
                    rts != o.end() && rts->value().is_array()) {
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

    json::value state() const {
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
            gs.push_back(const_cast<Impl*>(this)->group_json(g));
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

    json::object options_json() const {
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

    bool configure_json(const json::object& patch, std::string& error) {
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

long long ZohoEmulator::tokens_minted() const {
    return impl_->minted_total;
}

}  // namespace hrmaild::sandbox
