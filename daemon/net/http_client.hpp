#pragma once
/// The one way the daemon talks HTTP to the outside world (STYLE.md point 3): HTTP/1.1 over
/// Boost.Beast, a coroutine per call with a deadline per phase and one overall, keep-alive
/// reuse per (scheme, host, port), a response size cap, TLS that always verifies, plain http
/// only to loopback, and an optional CONNECT proxy. Transport failures come back as values.
#include "daemon/core/clock.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/settings.hpp"
#include "daemon/net/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::net {

/// One header line.
struct HttpHeader {
    std::string name;
    std::string value;
};

/// An outbound request.
struct HttpRequest {
    std::string method = "GET";       ///< any verb; DELETE may carry a body (Zoho needs it)
    std::string url;                  ///< absolute http(s) URL, as sent (may hold a secret)
    std::vector<HttpHeader> headers;  ///< extra headers (Host, User-Agent and
                                      ///< Content-Length are set by the client)
    std::string body;
    std::string content_type;  ///< sent when not empty
    /// How the URL appears in logs and error messages. Empty: the client's redactor
    /// (default `log_form`: no query string, no user info).
    std::string log_url;
    /// A write a journaled step waits for: `HttpClient::stop()` lets it finish (within its
    /// deadlines) instead of cutting it, so its outcome is known and journaled.
    bool finish_on_stop = false;
};

/// A response of any status; HTTP-level failures are the caller's to classify.
struct HttpResponse {
    int status = 0;
    std::vector<HttpHeader> headers;
    std::string body;

    /// The first header of that name (case-insensitive), if present.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// What the service clients depend on, so their tests can hand them a fake.
class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    /// Performs one request. An error means no (complete) HTTP response arrived.
    virtual boost::asio::awaitable<Outcome<HttpResponse>> send(HttpRequest request) = 0;
};

/// Tuning that does not live in the config file.
struct HttpClientOptions {
    /// Turns a URL into its log form; empty: `log_form`. The Bitrix client installs one that
    /// also hides the webhook secret in the path.
    UrlRedactor redact;
    /// Idle keep-alive connections kept per (scheme, host, port).
    std::size_t max_idle_per_host = 4;
    /// An idle connection older than this is closed instead of reused (servers drop idle
    /// keep-alive connections after a minute or so; reuse would then cost a failed write).
    Duration max_idle_age = std::chrono::seconds(30);
    /// Where `https_proxy`/`no_proxy` are read from; empty: the process environment.
    EnvLookup env;
};

/// Counters for tests and `status`.
struct HttpClientStats {
    std::size_t requests = 0;            ///< calls to `send`
    std::size_t connections_opened = 0;  ///< TCP connections made (to the proxy, if any)
    std::size_t connections_reused = 0;  ///< requests served on a pooled connection
};

/// Makes `tls` trust the system's certificate authorities (issue 11): from OpenSSL's hashed
/// certificate folder (`SSL_CERT_DIR`, else the default: /etc/ssl/certs on Debian), where a
/// handshake reads only the root it needs, instead of the whole bundle file parsed at start
/// (about 140 certificates: tens of milliseconds and over 1 MiB before READY). A bundle named
/// by `SSL_CERT_FILE` is still loaded; without any hashed folder the default bundle file is.
boost::system::error_code use_system_trust(boost::asio::ssl::context& tls, const EnvLookup& env);

/// The Beast-based client. Lives on one io_context thread (STYLE.md point 10).
class HttpClient final : public HttpTransport {
  public:
    /// Builds the TLS context (system trust store plus `settings.ca_file`) and reads the proxy
    /// settings. Throws std::runtime_error on an unreadable CA file or an invalid proxy URL
    /// (start-up errors).
    HttpClient(boost::asio::any_io_executor executor, HttpSettings settings,
               HttpClientOptions options = {});
    ~HttpClient() override;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    boost::asio::awaitable<Outcome<HttpResponse>> send(HttpRequest request) override;

    /// The log form of a request's URL (its `log_url`, else the redactor's output).
    [[nodiscard]] std::string log_url(const HttpRequest& request) const;
    /// Counters since construction.
    [[nodiscard]] const HttpClientStats& stats() const { return stats_; }
    /// Idle pooled connections right now, over all hosts.
    [[nodiscard]] std::size_t idle_connections() const;
    /// Closes every idle connection (on shutdown or reload).
    void close_idle();
    /// Shutdown (issue 10 item 4): cuts every exchange in flight except `finish_on_stop`
    /// ones (they end with a retryable error at once), closes idle connections, and refuses
    /// every later request before sending it (`not_executed`).
    void stop();
    /// The effective proxy settings (from config or the environment).
    [[nodiscard]] const ProxySettings& proxy() const { return proxy_; }

  private:
    struct Connection;
    /// A new connection to `ep` (through the proxy when it applies): resolve, TCP, the
    /// CONNECT tunnel, TLS, each under its own limit and the overall deadline.
    boost::asio::awaitable<Outcome<std::unique_ptr<Connection>>> connect(
        const Endpoint& ep, TimePoint deadline, const std::string& log_url);
    std::unique_ptr<Connection> take_idle(const std::string& key);
    void put_idle(std::unique_ptr<Connection> conn);

    boost::asio::any_io_executor executor_;
    HttpSettings settings_;
    HttpClientOptions options_;
    boost::asio::ssl::context tls_;
    ProxySettings proxy_;
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
    HttpClientStats stats_;
    bool stopped_ = false;
    std::vector<Connection*> cuttable_;  ///< exchanges in flight that `stop()` may cut
};

}  // namespace hrmaild::net
