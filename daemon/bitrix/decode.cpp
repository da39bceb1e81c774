#include "daemon/bitrix/decode.hpp"

#include "daemon/core/text.hpp"
#include "daemon/net/error.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace hrmaild::bitrix {

namespace json = boost::json;

namespace {

bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char to_upper(char c) {
    return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}
}  // namespace

std::optional<std::int64_t> to_int(const json::value& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64()) {
        auto u = v.get_uint64();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (std::trunc(d) != d || std::abs(d) > 9.0e15)
            return std::nullopt;
        return static_cast<std::int64_t>(d);
    }
    if (v.is_string()) {
        std::string_view s = v.get_string();
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
            s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
            s.remove_suffix(1);
        if (!s.empty() && s.front() == '+')
            s.remove_prefix(1);
        std::int64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size())
            return std::nullopt;
        return out;
    }
    return std::nullopt;
}

std::int64_t to_int_or(const json::value& v, std::int64_t fallback) {
    return to_int(v).value_or(fallback);
}

std::string to_text(const json::value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return std::string(v.get_string());
        case json::kind::int64:
            return std::to_string(v.get_int64());
        case json::kind::uint64:
            return std::to_string(v.get_uint64());
        case json::kind::double_: {
            double d = v.get_double();
            if (std::trunc(d) == d && std::abs(d) < 9.0e15)
                return std::to_string(static_cast<std::int64_t>(d));
            return json::serialize(v);
        }
        case json::kind::bool_:
            return v.get_bool() ? "Y" : "N";
        case json::kind::null:
            return {};
        case json::kind::array:
        case json::kind::object:
            return is_empty(v) ? std::string() : json::serialize(v);
    }
    return {};
}

std::optional<bool> to_bool(const json::value& v) {
    if (v.is_bool())
        return v.get_bool();
    if (auto n = to_int(v); n && (*n == 0 || *n == 1))
        return *n == 1;
    if (v.is_string()) {
        std::string_view s = v.get_string();
        if (core::iequals(s, "Y") || core::iequals(s, "true") || core::iequals(s, "yes"))
            return true;
        if (core::iequals(s, "N") || core::iequals(s, "false") || core::iequals(s, "no") ||
            s.empty())
            return false;
    }
    return std::nullopt;
}

bool is_empty(const json::value& v) {
    if (v.is_null())
        return true;
    if (v.is_string())
        return v.get_string().empty();
    if (v.is_array())
        return v.get_array().empty();
    if (v.is_object())
        return v.get_object().empty();
    return false;
}

std::vector<json::value> list_values(const json::value& v) {
    std::vector<json::value> out;
    if (v.is_array()) {
        for (const auto& e : v.get_array())
            out.push_back(e);
    } else if (v.is_object()) {
        for (const auto& kv : v.get_object())
            out.push_back(kv.value());
    } else if (!is_empty(v)) {
        out.push_back(v);
    }
    return out;
}

std::vector<std::int64_t> int_list(const json::value& v) {
    std::vector<std::int64_t> out;
    for (const auto& e : list_values(v))
        if (auto n = to_int(e))
            out.push_back(*n);
    return out;
}

const json::value* field(const json::value& obj, std::initializer_list<std::string_view> keys) {
    if (!obj.is_object())
        return nullptr;
    const auto& o = obj.get_object();
    for (auto k : keys)
        if (auto it = o.find(k); it != o.end())
            return &it->value();
    for (auto k : keys)
        for (const auto& kv : o)
            if (core::iequals(kv.key(), k))
                return &kv.value();
    return nullptr;
}

std::string field_text(const json::value& obj, std::initializer_list<std::string_view> keys) {
    const auto* v = field(obj, keys);
    return v ? to_text(*v) : std::string();
}

std::int64_t field_int(const json::value& obj, std::initializer_list<std::string_view> keys,
                       std::int64_t fallback) {
    const auto* v = field(obj, keys);
    return v ? to_int_or(*v, fallback) : fallback;
}

std::vector<std::string> decode_tags(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& e : list_values(v)) {
        if (e.is_object()) {
            auto title = field_text(e, {"title", "TITLE", "name", "NAME"});
            if (!title.empty())
                out.push_back(std::move(title));
        } else {
            auto name = to_text(e);
            if (!name.empty())
                out.push_back(std::move(name));
        }
    }
    return out;
}

std::string uf_to_camel(std::string_view uf_name) {
    std::string out;
    bool upper_next = false;
    bool first = true;
    // The first segment ("UF") is all lower case; each later segment starts upper case.
    for (char c : uf_name) {
        if (c == '_') {
            upper_next = !first || !out.empty();
            first = false;
            continue;
        }
        out.push_back(upper_next ? to_upper(c) : core::ascii_lower(c));
        upper_next = false;
    }
    return out;
}

std::optional<std::string> camel_to_uf(std::string_view key) {
    if (key.size() < 3 || key[0] != 'u' || key[1] != 'f' || !is_upper(key[2]))
        return std::nullopt;
    std::string out = "UF";
    char prev = 'f';
    for (std::size_t i = 2; i < key.size(); ++i) {
        char c = key[i];
        bool boundary = is_upper(c) || (is_digit(c) && !is_digit(prev));
        if (boundary)
            out.push_back('_');
        out.push_back(to_upper(c));
        prev = c;
    }
    return out;
}

bool is_uf_key(std::string_view key) {
    if (key.size() > 3 && (key.substr(0, 3) == "UF_" || key.substr(0, 3) == "uf_"))
        return true;
    return camel_to_uf(key).has_value();
}

std::string strip_html(std::string_view text, std::size_t max) {
    std::string out;
    bool space = false;
    auto put = [&](char c) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = !out.empty();
            return;
        }
        if (space)
            out.push_back(' ');
        space = false;
        out.push_back(c);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '<') {
            auto end = text.find('>', i);
            if (end != std::string_view::npos) {
                put(' ');
                i = end;
                continue;
            }
        }
        if (c == '&') {
            static constexpr std::pair<std::string_view, char> entities[] = {
                {"&lt;", '<'},   {"&gt;", '>'},    {"&amp;", '&'}, {"&quot;", '"'},
                {"&#39;", '\''}, {"&apos;", '\''}, {"&nbsp;", ' '}};
            bool done = false;
            for (auto [name, ch] : entities) {
                if (text.substr(i, name.size()) == name) {
                    put(ch);
                    i += name.size() - 1;
                    done = true;
                    break;
                }
            }
            if (done)
                continue;
        }
        put(c);
    }
    if (out.size() > max) {
        out.resize(max);
        out += "...";
    }
    return out;
}

}  // namespace hrmaild::bitrix
