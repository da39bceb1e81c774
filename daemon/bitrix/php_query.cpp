#include "daemon/bitrix/php_query.hpp"

#include "daemon/bitrix/decode.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace hrmaild::bitrix {

namespace json = boost::json;

namespace {

void append(std::string& out, const std::string& key, const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return;
        case json::kind::object:
            for (const auto& kv : v.get_object())
                append(out, key + "[" + std::string(kv.key()) + "]", kv.value());
            return;
        case json::kind::array: {
            std::size_t i = 0;
            for (const auto& e : v.get_array())
                append(out, key + "[" + std::to_string(i++) + "]", e);
            return;
        }
        case json::kind::bool_:
            if (!out.empty())
                out += '&';
            out += percent_encode(key) + "=" + (v.get_bool() ? "1" : "0");
            return;
        default:
            if (!out.empty())
                out += '&';
            out += percent_encode(key) + "=" + percent_encode(to_text(v));
            return;
    }
}

}  // namespace

std::string percent_encode(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string http_build_query(const json::object& params) {
    std::string out;
    for (const auto& kv : params)
        append(out, std::string(kv.key()), kv.value());
    return out;
}

std::string batch_command(std::string_view method, const json::object& params) {
    std::string query = http_build_query(params);
    if (query.empty())
        return std::string(method);
    return std::string(method) + "?" + query;
}

}  // namespace hrmaild::bitrix
