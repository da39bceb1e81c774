#include "daemon/console/bitrix_sign_in.hpp"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <fmt/format.h>

namespace hrmaild::console {

namespace json = boost::json;

namespace {

std::string encode(std::string_view s) {
    return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string trim_slash(std::string s) {
    while (!s.empty() && s.back() == '/')
        s.pop_back();
    return s;
}

/// A JSON integer or a string of digits (Bitrix sends ids as strings).
std::optional<std::int64_t> as_id(const json::value& v) {
    if (v.is_int64())
        return v.as_int64();
    if (v.is_uint64())
        return static_cast<std::int64_t>(v.as_uint64());
    if (v.is_string()) {
        std::int64_t n = 0;
        const auto& s = v.as_string();
        if (s.empty() || s.size() > 18)
            return std::nullopt;
        for (char c : s) {
            if (c < '0' || c > '9')
                return std::nullopt;
            n = n * 10 + (c - '0');
        }
        return n;
    }
    return std::nullopt;
}

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

BitrixSignIn::BitrixSignIn(net::HttpTransport& http, SignInSettings settings)
    : http_(http), settings_(std::move(settings)) {
    settings_.portal_url = trim_slash(settings_.portal_url);
    settings_.oauth_server_url = trim_slash(settings_.oauth_server_url);
}

std::string BitrixSignIn::authorize_url(std::string_view state) const {
    return fmt::format("{}/oauth/authorize/?client_id={}&state={}", settings_.portal_url,
                       encode(settings_.client_id), encode(state));
}

std::variant<PortalUser, SignInError> parse_user_current(std::string_view body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return SignInError{"user.current: the answer is not a JSON object"};
    const auto* result = v.as_object().if_contains("result");
    if (!result || !result->is_object())
        return SignInError{"user.current: the answer has no result object"};
    const auto& r = result->as_object();
    PortalUser u;
    const auto* id = r.if_contains("ID");
    auto parsed = id ? as_id(*id) : std::nullopt;
    if (!parsed || *parsed <= 0)
        return SignInError{"user.current: result.ID is missing or not a positive id"};
    u.id = *parsed;
    u.name = text_of(r, "NAME");
    auto last = text_of(r, "LAST_NAME");
    if (!last.empty())
        u.name += (u.name.empty() ? "" : " ") + last;
    if (const auto* d = r.if_contains("UF_DEPARTMENT"); d && d->is_array())
        for (const auto& x : d->as_array())
            if (auto dep = as_id(x))
                u.departments.push_back(*dep);
    return u;
}

boost::asio::awaitable<std::variant<PortalUser, SignInError>> BitrixSignIn::sign_in(
    std::string code) {
    // 1. The code for an access token (form POST: the secret stays out of every URL).
    net::HttpRequest exchange;
    exchange.method = "POST";
    exchange.url = settings_.oauth_server_url + "/oauth/token/";
    exchange.content_type = "application/x-www-form-urlencoded";
    exchange.body = fmt::format(
        "grant_type=authorization_code&client_id={}&client_secret={}&code={}",
        encode(settings_.client_id), encode(settings_.client_secret.reveal()), encode(code));
    auto answer = co_await http_.send(std::move(exchange));
    if (!answer)
        co_return SignInError{"token exchange: " + answer.error().describe()};
    boost::system::error_code ec;
    auto token_json = json::parse(answer->body, ec);
    if (ec || !token_json.is_object())
        co_return SignInError{
            fmt::format("token exchange: HTTP {} without a JSON object", answer->status)};
    const auto& t = token_json.as_object();
    if (answer->status != 200 || !t.contains("access_token")) {
        auto error = text_of(t, "error");
        co_return SignInError{fmt::format("token exchange: HTTP {} {}", answer->status,
                                          error.empty() ? "without access_token" : error)};
    }
    Secret access(text_of(t, "access_token"));

    // 2. Who it is. The token goes in the form body, never in the URL.
    net::HttpRequest who;
    who.method = "POST";
    who.url = settings_.portal_url + "/rest/user.current";
    who.content_type = "application/x-www-form-urlencoded";
    who.body = "auth=" + encode(access.reveal());
    auto user = co_await http_.send(std::move(who));
    if (!user)
        co_return SignInError{"user.current: " + user.error().describe()};
    if (user->status != 200)
        co_return SignInError{fmt::format("user.current: HTTP {}", user->status)};
    co_return parse_user_current(user->body);
}

}  // namespace hrmaild::console
