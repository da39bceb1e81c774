#include "tests/sandbox/php_params.hpp"

#include <cstdio>

namespace hrmaild::sandbox::php {

namespace json = boost::json;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Splits `a[b][]` into {"a", "b", ""}. Like PHP, an unbalanced bracket ends the key path and
// the rest of the name is dropped; a name without brackets is a single segment.
std::vector<std::string> split_key(const std::string& name) {
    std::vector<std::string> parts;
    auto open = name.find('[');
    if (open == std::string::npos || open == 0) {
        parts.push_back(name);
        return parts;
    }
    if (name.find(']', open) == std::string::npos) {
        // PHP turns an unclosed first bracket into `_` and keeps one plain key: `a[b` → `a_b`.
        std::string flat = name;
        flat[open] = '_';
        parts.push_back(flat);
        return parts;
    }
    parts.push_back(name.substr(0, open));
    std::size_t pos = open;
    while (pos < name.size() && name[pos] == '[') {
        auto close = name.find(']', pos + 1);
        if (close == std::string::npos) {
            break;
        }
        parts.push_back(name.substr(pos + 1, close - pos - 1));
        pos = close + 1;
    }
    return parts;
}

// The next free integer key of a PHP array kept as a JSON object.
std::string next_index(const json::object& o) {
    long long next = 0;
    for (const auto& kv : o) {
        long long k = 0;
        if (to_int(json::value(kv.key()), k) && k >= next) {
            next = k + 1;
        }
    }
    return std::to_string(next);
}

void assign(json::value& slot, const std::vector<std::string>& path, std::size_t at,
            const std::string& value) {
    if (at == path.size()) {
        slot = json::string(value);
        return;
    }
    const std::string& key = path[at];
    if (key.empty()) {
        if (slot.is_object()) {
            auto& o = slot.as_object();
            auto idx = next_index(o);
            assign(o[idx], path, at + 1, value);
            return;
        }
        if (!slot.is_array()) {
            slot = json::array();
        }
        auto& a = slot.as_array();
        a.emplace_back(nullptr);
        assign(a.back(), path, at + 1, value);
        return;
    }
    if (slot.is_array()) {
        // A named key into a list: PHP has one array type, so turn the list into a map.
        json::object o;
        auto& a = slot.as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            o[std::to_string(i)] = a[i];
        }
        slot = std::move(o);
    }
    if (!slot.is_object()) {
        slot = json::object();
    }
    assign(slot.as_object()[key], path, at + 1, value);
}

void build(const std::string& prefix, const json::value& v, std::string& out) {
    auto append = [&](const std::string& key, const std::string& val) {
        if (!out.empty()) {
            out += '&';
        }
        out += url_encode(key);
        out += '=';
        out += url_encode(val);
    };
    switch (v.kind()) {
        case json::kind::null:
            return;
        case json::kind::bool_:
            append(prefix, v.get_bool() ? "1" : "0");
            return;
        case json::kind::object:
            for (const auto& kv : v.get_object()) {
                build(prefix + "[" + std::string(kv.key()) + "]", kv.value(), out);
            }
            return;
        case json::kind::array: {
            const auto& a = v.get_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                build(prefix + "[" + std::to_string(i) + "]", a[i], out);
            }
            return;
        }
        default:
            append(prefix, to_string(v));
    }
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += (c == '+' && plus_is_space) ? ' ' : c;
    }
    return out;
}

std::string url_encode(std::string_view text) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

void parse_str(std::string_view query, boost::json::object& into) {
    std::size_t pos = 0;
    while (pos <= query.size()) {
        auto amp = query.find('&', pos);
        auto pair = query.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
        pos = amp == std::string_view::npos ? query.size() + 1 : amp + 1;
        if (pair.empty()) {
            continue;
        }
        auto eq = pair.find('=');
        std::string name = percent_decode(pair.substr(0, eq));
        std::string value =
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        if (name.empty()) {
            continue;
        }
        auto path = split_key(name);
        if (path.front().empty()) {
            continue;
        }
        auto& slot = into[path.front()];
        if (path.size() == 1) {
            slot = json::string(value);
        } else {
            assign(slot, path, 1, value);
        }
    }
}

std::string http_build_query(const boost::json::object& params) {
    std::string out;
    for (const auto& kv : params) {
        build(std::string(kv.key()), kv.value(), out);
    }
    return out;
}

std::vector<boost::json::value> list_values(const boost::json::value& v) {
    std::vector<json::value> out;
    if (v.is_array()) {
        for (const auto& e : v.get_array()) {
            out.push_back(e);
        }
    } else if (v.is_object()) {
        for (const auto& kv : v.get_object()) {
            out.push_back(kv.value());
        }
    } else if (!v.is_null()) {
        out.push_back(v);
    }
    return out;
}

std::string to_string(const boost::json::value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return std::string(v.get_string());
        case json::kind::int64:
            return std::to_string(v.get_int64());
        case json::kind::uint64:
            return std::to_string(v.get_uint64());
        case json::kind::double_: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.15g", v.get_double());
            return buf;
        }
        case json::kind::bool_:
            return v.get_bool() ? "1" : "";
        default:
            return {};
    }
}

bool to_int(const boost::json::value& v, long long& out) {
    if (v.is_int64()) {
        out = v.get_int64();
        return true;
    }
    if (v.is_uint64()) {
        out = static_cast<long long>(v.get_uint64());
        return true;
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (d == static_cast<double>(static_cast<long long>(d))) {
            out = static_cast<long long>(d);
            return true;
        }
        return false;
    }
    if (!v.is_string()) {
        return false;
    }
    const auto& s = v.get_string();
    std::size_t i = 0;
    bool negative = false;
    if (!s.empty() && s[0] == '-') {
        negative = true;
        i = 1;
    }
    if (i >= s.size() || s.size() - i > 18) {
        return false;
    }
    long long n = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        n = n * 10 + (s[i] - '0');
    }
    out = negative ? -n : n;
    return true;
}

boost::json::value php_array(const std::vector<std::pair<std::string, boost::json::value>>& items) {
    if (items.empty()) {
        return json::array();
    }
    bool sequential = true;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].first != std::to_string(i)) {
            sequential = false;
            break;
        }
    }
    if (sequential) {
        json::array a;
        for (const auto& kv : items) {
            a.push_back(kv.second);
        }
        return a;
    }
    json::object o;
    for (const auto& kv : items) {
        o[kv.first] = kv.second;
    }
    return o;
}

}  // namespace hrmaild::sandbox::php
