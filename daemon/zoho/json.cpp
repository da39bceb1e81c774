#include "daemon/zoho/json.hpp"

#include "daemon/core/text.hpp"

#include <boost/json/parse.hpp>

#include <limits>

namespace hrmaild::zoho {
namespace json = boost::json;

std::optional<json::value> parse_json(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec)
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_decimal_id(std::string_view s) {
    if (s.empty() || s.size() > 19)
        return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const int d = c - '0';
        if (v > (std::numeric_limits<std::int64_t>::max() - d) / 10)
            return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::optional<std::int64_t> read_id(const json::value& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(v.get_uint64());
    }
    if (v.is_string())
        return parse_decimal_id(std::string_view(v.get_string()));
    return std::nullopt;
}

std::optional<std::int64_t> id_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end())
        return std::nullopt;
    return read_id(it->value());
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end())
        return std::nullopt;
    const json::value& v = it->value();
    if (v.is_string() && !v.get_string().empty() && v.get_string().front() == '-') {
        auto abs = parse_decimal_id(std::string_view(v.get_string()).substr(1));
        if (!abs)
            return std::nullopt;
        return -*abs;
    }
    return read_id(v);
}

std::string string_field(const json::object& o, std::string_view key, std::string fallback) {
    auto it = o.find(key);
    if (it == o.end())
        return fallback;
    const json::value& v = it->value();
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_int64())
        return std::to_string(v.get_int64());
    if (v.is_uint64())
        return std::to_string(v.get_uint64());
    return fallback;
}

std::optional<bool> bool_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end())
        return std::nullopt;
    const json::value& v = it->value();
    if (v.is_bool())
        return v.get_bool();
    if (v.is_string()) {
        std::string s = core::ascii_lower(std::string_view(v.get_string()));
        if (s == "true")
            return true;
        if (s == "false")
            return false;
    }
    return std::nullopt;
}

const json::object* object_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_object())
        return nullptr;
    return &it->value().get_object();
}

const json::array* array_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_array())
        return nullptr;
    return &it->value().get_array();
}

}  // namespace hrmaild::zoho
