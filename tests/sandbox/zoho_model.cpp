// The model: parsing helpers, the address and password checks, and lookups.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

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

std::optional<std::string> extra_key(const json::object& o,
                                     const std::vector<std::string_view>& allowed) {
    for (const auto& kv : o) {
        if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
            return std::string(kv.key());
    }
    return std::nullopt;
}

void Org::clear() {
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

User* Org::user_by_id(std::int64_t id) {
    for (auto& u : users) {
        if (u.zuid == id || u.account_id == id)
            return &u;
    }
    return nullptr;
}

User* Org::user_by_zuid(std::int64_t id) {
    for (auto& u : users) {
        if (u.zuid == id)
            return &u;
    }
    return nullptr;
}

User* Org::user_by_email(const std::string& email) {
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

Group* Org::group_by_id(std::int64_t id) {
    for (auto& g : groups) {
        if (g.zgid == id)
            return &g;
    }
    return nullptr;
}

Group* Org::group_by_email(const std::string& email) {
    auto e = util::lower(email);
    for (auto& g : groups) {
        if (g.email == e)
            return &g;
    }
    return nullptr;
}

bool Org::address_taken(const std::string& email) {
    return user_by_email(email) != nullptr || group_by_email(email) != nullptr;
}

bool Org::domain_verified(const std::string& email) {
    auto d = util::lower(domain_of(email));
    return std::find(domains.begin(), domains.end(), d) != domains.end();
}

void Org::remove_from_groups(const std::string& email) {
    for (auto& g : groups) {
        std::erase_if(g.members, [&](const Member& m) { return m.email == email; });
    }
}

std::string Org::hash_password(const std::string& password) const {
    return util::sha256_hex(password_salt + password);
}

}  // namespace hrmaild::sandbox::zoho_detail
