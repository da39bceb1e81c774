#pragma once
/// URL handling for outbound calls: where to connect, whether plain http is allowed, what a
/// URL looks like in a log line, and whether a proxy applies.
#include "daemon/core/secret.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::net {

/// Where one request goes, taken apart.
struct Endpoint {
    bool tls = true;          ///< https (else plain http)
    std::string host;         ///< host name or address literal, without IPv6 brackets
    std::uint16_t port = 0;   ///< explicit or the scheme's default
    std::string target;       ///< request target: encoded path (at least "/") and ?query
    bool host_is_ip = false;  ///< an address literal (no SNI is sent for those)

    /// `host:port` as written in `Host` and CONNECT lines (IPv6 in brackets).
    [[nodiscard]] std::string authority() const;
    /// The key under which connections to this endpoint are pooled.
    [[nodiscard]] std::string pool_key() const;
};

/// Parses an absolute http(s) URL; nullopt with `why` filled when it is not one.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* why = nullptr);

/// Whether a host is loopback: `localhost` (and `*.localhost`), 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

/// The default log form of a URL: scheme, host, port and path; user info is dropped and a
/// query string shows as `?<redacted>` (OAuth refreshes carry secrets in the query). Path
/// secrets (Bitrix webhooks) need a redactor on top, see `redact`.
std::string log_form(std::string_view url);

/// `text` with every occurrence of the secret replaced by `<redacted>`.
std::string redact(std::string_view text, const Secret& secret);

/// Turns a URL into its log form; the HTTP client calls it for every URL it logs or puts in
/// an error message.
using UrlRedactor = std::function<std::string(std::string_view url)>;

/// An HTTP proxy that tunnels https through CONNECT.
struct ProxySettings {
    std::string host;  ///< empty: no proxy
    std::uint16_t port = 0;
    Secret authorization;               ///< `Basic ...` from user info in the proxy URL, if any
    std::vector<std::string> no_proxy;  ///< host patterns that go direct (lower case)

    /// Whether a proxy is configured at all.
    [[nodiscard]] bool enabled() const { return !host.empty(); }
    /// Whether a request to `host` goes through the proxy (`no_proxy` honoured).
    [[nodiscard]] bool applies_to(std::string_view host) const;
};

/// Reads the environment variable `name` (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
/// The process environment.
std::optional<std::string> process_env(const char* name);

/// Proxy settings from `http.proxy` when set, else from `https_proxy`/`HTTPS_PROXY`;
/// `no_proxy`/`NO_PROXY` always applies. Nullopt with `why` when the proxy URL is invalid.
std::optional<ProxySettings> proxy_settings(std::string_view configured, const EnvLookup& env,
                                            std::string* why = nullptr);

/// Whether `host` matches one `no_proxy` entry: `*`, an exact host, `.example.com` or
/// `example.com` (the domain and its subdomains); an entry's `:port` is ignored.
bool no_proxy_matches(std::string_view entry, std::string_view host);

}  // namespace hrmaild::net
