#include "daemon/console/web.hpp"

#include <boost/url/parse.hpp>

#include <fmt/format.h>

namespace hrmaild::console {

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto end = header.find(';');
        auto part = header.substr(0, end);
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            continue;
        auto key = part.substr(0, eq);
        while (!key.empty() && key.back() == ' ')
            key.remove_suffix(1);
        if (key == name) {
            auto value = part.substr(eq + 1);
            while (!value.empty() && value.back() == ' ')
                value.remove_suffix(1);
            return std::string(value);
        }
    }
    return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
    std::string out =
        fmt::format("{}={}; Path=/consola; HttpOnly; SameSite={}", name, value, o.same_site);
    if (o.secure)
        out += "; Secure";
    if (o.max_age_s)
        out += fmt::format("; Max-Age={}", *o.max_age_s);
    return out;
}

std::vector<std::pair<std::string, std::string>> security_headers() {
    return {{"Content-Security-Policy",
             "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
            {"X-Frame-Options", "DENY"},
            {"Referrer-Policy", "no-referrer"}};
}

std::optional<Target> parse_target(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed)
        return std::nullopt;
    Target t;
    for (auto seg : parsed->segments())
        t.segments.emplace_back(seg);
    for (auto param : parsed->params())
        t.query.emplace(param.key, param.value);  // emplace keeps the first
    return t;
}

}  // namespace hrmaild::console
