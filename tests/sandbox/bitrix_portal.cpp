#include "tests/sandbox/bitrix_portal.hpp"

#include "tests/sandbox/bitrix_dates.hpp"
#include "tests/sandbox/php_params.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace hrmaild::sandbox::bitrix_detail {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

// `responsibleId` → `RESPONSIBLE_ID`; names already in capitals stay as they are.
std::string to_upper_snake(std::string_view s) {
    bool has_lower = std::any_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!has_lower || s.find('_') != std::string_view::npos) {
        return upper(s);
    }
    std::string out;
    for (char c : s) {
        if (c >= 'A' && c <= 'Z' && !out.empty()) {
            out += '_';
        }
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

// `UF_AUTO_4998` → `ufAuto4998`, `UF_CRM_TASK` → `ufCrmTask`.
std::string uf_camel(std::string_view name) {
    std::string out;
    bool first = true;
    std::size_t pos = 0;
    while (pos <= name.size()) {
        auto us = name.find('_', pos);
        auto part = name.substr(pos, us == std::string_view::npos ? us : us - pos);
        pos = us == std::string_view::npos ? name.size() + 1 : us + 1;
        if (part.empty()) {
            continue;
        }
        std::string p = lower(part);
        if (!first) {
            p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
        }
        out += p;
        first = false;
    }
    return out;
}

bool icontains(std::string_view hay, std::string_view needle) {
    return lower(hay).find(lower(needle)) != std::string::npos;
}

// SQL LIKE with `%` wildcards, case-insensitive (ASCII), as Bitrix filters strings.
bool like(std::string_view text, std::string_view pattern) {
    std::string t = lower(text);
    std::string p = lower(pattern);
    std::size_t ti = 0;
    std::size_t pi = 0;
    std::size_t star = std::string::npos;
    std::size_t mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '%') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && p[pi] == t[ti]) {
            ++pi;
            ++ti;
        } else if (star != std::string::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%') {
        ++pi;
    }
    return pi == p.size();
}

bool truthy(const json::value& v) {
    if (v.is_bool()) {
        return v.get_bool();
    }
    if (v.is_int64()) {
        return v.get_int64() != 0;
    }
    if (v.is_string()) {
        auto s = lower(v.get_string());
        return s == "y" || s == "1" || s == "true";
    }
    return false;
}

FilterKey split_filter_key(std::string_view key) {
    static const char* ops[] = {
        "!><", "><", "!=%", "!%", "!=", "!@", "<=", ">=", "=%", "!", "<", ">", "=", "%", "@"};
    for (const char* op : ops) {
        std::string_view o(op);
        if (key.substr(0, o.size()) == o) {
            return {std::string(o), to_upper_snake(key.substr(o.size()))};
        }
    }
    return {"", to_upper_snake(key)};
}

bool negated(const std::string& op) {
    return !op.empty() && op[0] == '!';
}

// Any of the filter values matches; `!` negates the whole test (NOT IN).
bool match_any(const json::value& wanted, const std::string& op,
               const std::function<bool(const json::value&)>& one) {
    auto values = php::list_values(wanted);
    bool any = false;
    for (const auto& v : values) {
        if (one(v)) {
            any = true;
            break;
        }
    }
    return negated(op) ? !any : any;
}

bool match_number(long long actual, const json::value& wanted, const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        long long w = 0;
        if (!php::to_int(v, w)) {
            return false;
        }
        return compare(actual, w, op);
    });
}

bool match_date(const std::optional<time_point>& actual, const json::value& wanted,
                const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        std::string s = php::to_string(v);
        if (!actual) {
            return s.empty();
        }
        time_point w;
        if (!bitrix_dates::parse(s, w)) {
            return false;
        }
        return compare(std::chrono::floor<std::chrono::seconds>(*actual),
                       std::chrono::floor<std::chrono::seconds>(w), op);
    });
}

bool match_string(const std::string& actual, const json::value& wanted, const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        std::string w = php::to_string(v);
        std::string o = negated(op) ? op.substr(1) : op;
        if (o == "%" || o == "=%") {
            return o == "%" ? icontains(actual, w) : like(actual, w);
        }
        if (o == "<" || o == "<=" || o == ">" || o == ">=") {
            return compare(actual, w, op);
        }
        return like(actual, w);
    });
}

// Serialises like PHP's json_encode: floats in plain decimal (`1760000000.12`, `0.0`), not
// Boost's exponent form (`1.76E9`); everything else as Boost.JSON writes it.
void php_serialize(const json::value& v, std::string& out) {
    switch (v.kind()) {
        case json::kind::double_: {
            double d = v.get_double();
            char buf[64];
            for (int precision = 1; precision <= 17; ++precision) {
                std::snprintf(buf, sizeof buf, "%.*g", precision, d);
                if (std::strtod(buf, nullptr) == d) {
                    break;
                }
            }
            std::string text(buf);
            if (text.find_first_of(".eEn") == std::string::npos) {
                text += ".0";
            }
            out += text;
            return;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) {
                    out += ',';
                }
                first = false;
                out += json::serialize(json::string(kv.key()));
                out += ':';
                php_serialize(kv.value(), out);
            }
            out += '}';
            return;
        }
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) {
                    out += ',';
                }
                first = false;
                php_serialize(e, out);
            }
            out += ']';
            return;
        }
        default:
            out += json::serialize(v);
    }
}

Response php_json(int status, const json::value& v) {
    Response r;
    r.status = status;
    php_serialize(v, r.body);
    return r;
}

json::object error_body(const std::string& code, const std::string& description) {
    return json::object{{"error", code}, {"error_description", description}};
}

}  // namespace hrmaild::sandbox::bitrix_detail
