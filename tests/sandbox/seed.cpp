#include "tests/sandbox/seed.hpp"

#include "tests/sandbox/bitrix_dates.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

namespace hrmaild::sandbox {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::optional<json::value> read_json(const fs::path& file, std::string& error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = file.string() + ": cannot be read";
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value v = json::parse(ss.str(), ec);
    if (ec) {
        error = file.string() + ": not valid JSON: " + ec.message();
        return std::nullopt;
    }
    return v;
}

bool is_address(std::string_view s) {
    auto at = s.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
           s.find('@', at + 1) == std::string_view::npos &&
           s.find_first_of(" \t\r\n") == std::string_view::npos;
}

std::string quoted(const json::value& v) {
    return json::serialize(v);
}

}  // namespace

std::optional<std::string> org_user_problem(const json::object& u) {
    const auto* email = u.if_contains("primaryEmailAddress");
    if (email == nullptr || !email->is_string() || !is_address(email->get_string()))
        return std::string("primaryEmailAddress must be an address, not ") +
               (email == nullptr ? std::string("missing") : quoted(*email));
    if (const auto* role = u.if_contains("role")) {
        if (!role->is_string() ||
            (role->get_string() != "member" && role->get_string() != "admin" &&
             role->get_string() != "super_admin"))
            return "role must be member, admin or super_admin, not " + quoted(*role);
    }
    for (const char* key : {"firstName", "lastName", "displayName"}) {
        if (const auto* v = u.if_contains(key); v != nullptr && !v->is_string())
            return std::string(key) + " must be a string, not " + quoted(*v);
    }
    if (const auto* v = u.if_contains("usedStorage");
        v != nullptr && !((v->is_int64() && v->get_int64() >= 0) || v->is_uint64()))
        return "usedStorage must be a whole number of MB, not " + quoted(*v);
    for (const char* key : {"enabled", "mailEnabled", "dormant"}) {
        if (const auto* v = u.if_contains(key); v != nullptr && !v->is_bool())
            return std::string(key) + " must be true or false, not " + quoted(*v);
    }
    // The reference lists mailForward[] on the user without its element shape: entries are
    // kept as given, an address or an object.
    if (const auto* fw = u.if_contains("mailForward")) {
        if (!fw->is_array())
            return "mailForward must be a list of forwards, not " + quoted(*fw);
        for (std::size_t i = 0; i < fw->get_array().size(); ++i) {
            const auto& f = fw->get_array()[i];
            if (!(f.is_string() && is_address(f.get_string())) && !f.is_object())
                return "mailForward[" + std::to_string(i) +
                       "] must be an address or an object, not " + quoted(f);
        }
    }
    if (const auto* aliases = u.if_contains("aliases")) {
        if (!aliases->is_array())
            return "aliases must be a list of addresses, not " + quoted(*aliases);
        for (std::size_t i = 0; i < aliases->get_array().size(); ++i) {
            const auto& a = aliases->get_array()[i];
            if (!a.is_string() || !is_address(a.get_string()))
                return "aliases[" + std::to_string(i) + "] must be an address, not " + quoted(a);
        }
    }
    return std::nullopt;
}

bool validate_seed(const SeedData& seed, std::string& error) {
    const std::string org_name =
        seed.source == "inline" ? std::string("org") : seed.source + "/org.json";
    if (seed.org.is_object()) {
        std::map<std::string, std::string> taken;  // lower-cased address -> who holds it
        auto take = [&](std::string address, const std::string& who) {
            for (auto& c : address)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto [it, fresh] = taken.emplace(address, who);
            if (!fresh)
                error =
                    org_name + ": " + who + ": " + address + " is already taken by " + it->second;
            return fresh;
        };
        const auto& org = seed.org.get_object();
        if (const auto* users = org.if_contains("users"); users && users->is_array()) {
            for (std::size_t i = 0; i < users->get_array().size(); ++i) {
                const auto& v = users->get_array()[i];
                std::string where = "users[" + std::to_string(i) + "]";
                if (!v.is_object()) {
                    error = org_name + ": " + where + " must be an object";
                    return false;
                }
                if (auto problem = org_user_problem(v.get_object())) {
                    error = org_name + ": " + where + ": " + *problem;
                    return false;
                }
                std::string primary(v.get_object().at("primaryEmailAddress").get_string());
                if (!take(primary, where + " (" + primary + ")"))
                    return false;
                if (const auto* aliases = v.get_object().if_contains("aliases")) {
                    for (const auto& a : aliases->get_array())
                        if (!take(std::string(a.get_string()), where + " (" + primary + ") alias"))
                            return false;
                }
            }
        }
        if (const auto* groups = org.if_contains("groups"); groups && groups->is_array()) {
            for (std::size_t i = 0; i < groups->get_array().size(); ++i) {
                const auto& g = groups->get_array()[i];
                const auto* email = g.is_object() ? g.get_object().if_contains("emailId") : nullptr;
                if (email != nullptr && email->is_string() &&
                    !take(std::string(email->get_string()), "groups[" + std::to_string(i) + "]"))
                    return false;
            }
        }
    }
    for (std::size_t i = 0; i < seed.requests.size(); ++i) {
        const std::string where = i < seed.request_files.size()
                                      ? seed.source + "/requests/" + seed.request_files[i]
                                      : "requests[" + std::to_string(i) + "]";
        const auto& r = seed.requests[i].get_object();
        if (const auto* st = r.if_contains("STATUS")) {
            long long n = 0;
            bool numeric = false;
            if (st->is_int64()) {
                n = st->get_int64();
                numeric = true;
            } else if (st->is_string() && !st->get_string().empty() &&
                       st->get_string().size() < 3) {
                std::string_view text = st->get_string();
                numeric = std::all_of(text.begin(), text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
                n = numeric ? std::stoll(std::string(text)) : 0;
            }
            if (!numeric || n < 1 || n > 7) {
                error = where +
                        ": STATUS must be a task status from 1 to 7 (1 new, 2 pending, "
                        "3 in progress, 4 supposedly completed, 5 completed, 6 deferred, "
                        "7 declined), not " +
                        quoted(*st);
                return false;
            }
        }
        std::optional<std::chrono::system_clock::time_point> created, changed;
        for (const char* key : {"CREATED_DATE", "CHANGED_DATE"}) {
            const auto* d = r.if_contains(key);
            if (d == nullptr)
                continue;
            std::chrono::system_clock::time_point t;
            if (!d->is_string() || !bitrix_dates::parse(d->get_string(), t)) {
                error = where + ": " + key +
                        " must be a date such as 2026-01-05T09:00:00-06:00, not " + quoted(*d);
                return false;
            }
            (std::string_view(key) == "CREATED_DATE" ? created : changed) = t;
        }
        if (created && changed && *changed < *created) {
            error = where + ": CHANGED_DATE is before CREATED_DATE";
            return false;
        }
    }
    return true;
}

std::optional<SeedData> load_seed_dir(const fs::path& dir, std::string& error) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        error = dir.string() + ": not a folder";
        return std::nullopt;
    }
    SeedData seed;
    seed.source = dir.string();
    bool any = false;
    if (fs::exists(dir / "portal.json", ec)) {
        auto v = read_json(dir / "portal.json", error);
        if (!v)
            return std::nullopt;
        seed.portal = std::move(*v);
        any = true;
    }
    if (fs::exists(dir / "org.json", ec)) {
        auto v = read_json(dir / "org.json", error);
        if (!v)
            return std::nullopt;
        seed.org = std::move(*v);
        any = true;
    }
    fs::path requests = dir / "requests";
    if (fs::is_directory(requests, ec)) {
        any = true;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(requests, ec)) {
            if (entry.is_regular_file() && entry.path().extension() == ".json")
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
        for (const auto& f : files) {
            auto v = read_json(f, error);
            if (!v)
                return std::nullopt;
            if (!v->is_object()) {
                error = f.string() + ": a request must be a JSON object";
                return std::nullopt;
            }
            seed.requests.push_back(std::move(*v));
            seed.request_files.push_back(f.filename().string());
        }
    }
    if (!any) {
        error = dir.string() + ": holds none of portal.json, org.json, requests/";
        return std::nullopt;
    }
    if (!validate_seed(seed, error))
        return std::nullopt;
    return seed;
}

std::optional<SeedData> seed_from_json(const json::object& body, std::string& error) {
    if (auto it = body.find("dir"); it != body.end()) {
        if (!it->value().is_string()) {
            error = "dir must be a string";
            return std::nullopt;
        }
        return load_seed_dir(fs::path(std::string(it->value().get_string())), error);
    }
    SeedData seed;
    seed.source = "inline";
    bool any = false;
    for (const auto& kv : body) {
        if (kv.key() == "portal") {
            if (!kv.value().is_object()) {
                error = "portal must be an object";
                return std::nullopt;
            }
            seed.portal = kv.value();
            any = true;
        } else if (kv.key() == "org") {
            if (!kv.value().is_object()) {
                error = "org must be an object";
                return std::nullopt;
            }
            seed.org = kv.value();
            any = true;
        } else if (kv.key() == "requests") {
            if (!kv.value().is_array()) {
                error = "requests must be an array of objects";
                return std::nullopt;
            }
            for (const auto& r : kv.value().as_array()) {
                if (!r.is_object()) {
                    error = "requests must be an array of objects";
                    return std::nullopt;
                }
                seed.requests.push_back(r);
            }
            any = true;
        } else if (kv.key() != "append") {
            error = "unknown key: " + std::string(kv.key());
            return std::nullopt;
        }
    }
    if (!any) {
        error = "give dir, or one of portal, org, requests";
        return std::nullopt;
    }
    if (!validate_seed(seed, error))
        return std::nullopt;
    return seed;
}

}  // namespace hrmaild::sandbox
