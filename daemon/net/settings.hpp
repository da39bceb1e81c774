#pragma once
/// The HTTP stack's own settings: `net` reads no configuration file (no yaml-cpp, no
/// `config::` types below the clients). The composition root (daemon/app/net_settings.hpp)
/// translates the config file's `http.*` and `retry.*` keys into these.
#include <chrono>
#include <cstdint>
#include <string>

namespace hrmaild::net {

/// Limits and endpoints of the HTTP client (`HttpClient`). Every timeout must be set (a zero
/// one times the phase out at once); `config::default_http_config()` holds the documented
/// defaults.
struct HttpSettings {
    std::chrono::milliseconds resolve_timeout{};  ///< name lookup
    std::chrono::milliseconds connect_timeout{};  ///< TCP connect, and the proxy's CONNECT
    std::chrono::milliseconds tls_timeout{};      ///< TLS handshake
    std::chrono::milliseconds write_timeout{};    ///< sending the request
    std::chrono::milliseconds read_timeout{};     ///< reading the whole response
    std::chrono::milliseconds total_timeout{};    ///< the whole call, every phase together
    std::int64_t max_response_bytes = 0;          ///< a bigger body is a permanent error
    std::string proxy;       ///< empty: take `https_proxy` / `no_proxy` from the environment
    std::string ca_file;     ///< empty: the system trust store only
    std::string user_agent;  ///< empty: no User-Agent header
};

/// The retry policy for retryable remote errors (`RetryPolicy`).
struct RetrySettings {
    int max_attempts = 0;                    ///< attempts in all, the first included (min 1)
    std::chrono::milliseconds base_delay{};  ///< the first backoff
    std::chrono::milliseconds max_delay{};   ///< the backoff's cap
    /// A wait longer than this (a server hint included) is not made; the error comes back at
    /// once (a CLI command's `--timeout`). Zero: no bound (the daemon).
    std::chrono::milliseconds give_up_beyond{};
};

}  // namespace hrmaild::net
