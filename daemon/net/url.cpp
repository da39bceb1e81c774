#include "daemon/net/url.hpp"

#include "daemon/core/text.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>

namespace hrmaild::net {
namespace {

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

}  // namespace

std::string Endpoint::authority() const {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::pool_key() const {
    return (tls ? "https://" : "http://") + authority();
}

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* why) {
    auto fail = [&](std::string reason) -> std::optional<Endpoint> {
        if (why)
            *why = std::move(reason);
        return std::nullopt;
    };
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return fail("not an absolute URL");
    const auto& u = *parsed;
    Endpoint ep;
    auto scheme = core::ascii_lower(u.scheme());
    if (scheme == "https")
        ep.tls = true;
    else if (scheme == "http")
        ep.tls = false;
    else
        return fail("scheme must be http or https");
    if (!u.has_authority() || u.encoded_host().empty())
        return fail("no host");
    auto type = u.host_type();
    if (type == boost::urls::host_type::ipvfuture)
        return fail("unsupported host form");
    ep.host_is_ip = type == boost::urls::host_type::ipv4 || type == boost::urls::host_type::ipv6;
    ep.host = core::ascii_lower(u.host_address());
    if (u.has_port()) {
        if (u.port().empty())
            return fail("empty port");
        auto p = u.port_number();
        if (p == 0)
            return fail("invalid port");
        ep.port = p;
    } else {
        ep.port = ep.tls ? 443 : 80;
    }
    std::string path(u.encoded_path());
    if (path.empty())
        path = "/";
    ep.target = path;
    if (u.has_query())
        ep.target += "?" + std::string(u.encoded_query());
    return ep;
}

bool is_loopback_host(std::string_view host) {
    auto h = core::ascii_lower(host);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    if (h == "localhost" || h.ends_with(".localhost"))
        return true;
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(h, ec);
    if (ec)
        return false;
    if (addr.is_v4())
        return addr.to_v4().to_bytes()[0] == 127;
    auto v6 = addr.to_v6();
    if (v6.is_loopback())
        return true;
    return v6.is_v4_mapped() && v6.to_bytes()[12] == 127;
}

std::string log_form(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return "<unparsable url>";
    const auto& u = *parsed;
    std::string out = std::string(u.scheme()) + "://" + std::string(u.encoded_host());
    if (u.has_port())
        out += ":" + std::string(u.port());
    out += std::string(u.encoded_path());
    if (u.has_query())
        out += "?<redacted>";
    return out;
}

std::string redact(std::string_view text, const Secret& secret) {
    std::string out(text);
    const auto& s = secret.reveal();
    if (s.empty())
        return out;
    for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
        out.replace(pos, s.size(), Secret::redacted);
        pos += Secret::redacted.size();
    }
    return out;
}

bool no_proxy_matches(std::string_view entry_in, std::string_view host_in) {
    auto entry = core::ascii_lower(trim(entry_in));
    auto host = core::ascii_lower(host_in);
    if (entry.empty())
        return false;
    if (entry == "*")
        return true;
    // Drop a port; keep IPv6 literals (several colons) whole.
    if (auto colon = entry.rfind(':');
        colon != std::string::npos && entry.find(':') == colon && entry.front() != '[')
        entry = entry.substr(0, colon);
    if (entry.size() >= 2 && entry.front() == '[' && entry.back() == ']')
        entry = entry.substr(1, entry.size() - 2);
    if (entry.front() == '.')
        entry = entry.substr(1);
    if (host == entry)
        return true;
    return host.size() > entry.size() && host.ends_with(entry) &&
           host[host.size() - entry.size() - 1] == '.';
}

bool ProxySettings::applies_to(std::string_view target_host) const {
    if (!enabled())
        return false;
    return std::none_of(no_proxy.begin(), no_proxy.end(),
                        [&](const std::string& e) { return no_proxy_matches(e, target_host); });
}

std::optional<std::string> process_env(const char* name) {
    if (const char* v = std::getenv(name))
        return std::string(v);
    return std::nullopt;
}

std::optional<ProxySettings> proxy_settings(std::string_view configured, const EnvLookup& env,
                                            std::string* why) {
    ProxySettings out;
    auto pick = [&](const char* a, const char* b) -> std::string {
        if (auto v = env(a); v && !v->empty())
            return *v;
        if (auto v = env(b); v && !v->empty())
            return *v;
        return {};
    };
    std::string url =
        configured.empty() ? pick("https_proxy", "HTTPS_PROXY") : std::string(configured);
    std::string no_proxy = pick("no_proxy", "NO_PROXY");
    std::string_view rest = no_proxy;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto item = trim(rest.substr(0, comma));
        if (!item.empty())
            out.no_proxy.push_back(core::ascii_lower(item));
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    if (url.empty())
        return out;
    // curl accepts a bare host:port; so do we.
    if (url.find("://") == std::string::npos)
        url = "http://" + url;
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || parsed->encoded_host().empty()) {
        if (why)
            *why = "the proxy is not a URL of the form http://host:port";
        return std::nullopt;
    }
    if (core::ascii_lower(parsed->scheme()) != "http") {
        if (why)
            *why = "only http:// proxies (CONNECT) are supported";
        return std::nullopt;
    }
    out.host = core::ascii_lower(parsed->host_address());
    out.port = parsed->has_port() ? parsed->port_number() : 80;
    if (out.port == 0) {
        if (why)
            *why = "the proxy port is invalid";
        return std::nullopt;
    }
    if (parsed->has_userinfo())
        out.authorization = Secret(
            "Basic " + base64(std::string(parsed->user()) + ":" + std::string(parsed->password())));
    return out;
}

}  // namespace hrmaild::net
