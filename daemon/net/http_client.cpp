#include "daemon/net/http_client.hpp"

#include "daemon/log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace hrmaild::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// Generous for any API answer; a bigger header block is a broken or hostile server.
constexpr std::uint32_t max_header_bytes = 64 * 1024;
using Steady = std::chrono::steady_clock;

long long ms(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

/// The time a phase may take: its own limit, or what is left of the overall deadline.
Duration budget(config::Millis phase_limit, TimePoint deadline) {
    auto left = deadline - Steady::now();
    return std::min<Duration>(phase_limit, left);
}

CallError transport_error(Phase phase, const error_code& ec, const std::string& log_url,
                          bool timed_out) {
    CallError e;
    e.kind = ErrorKind::retryable;
    e.phase = phase;
    e.timed_out = timed_out;
    e.message = timed_out ? fmt::format("{} timed out calling {}", to_string(phase), log_url)
                          : fmt::format("{} failed calling {}: {}", to_string(phase), log_url,
                                        ec.message());
    return e;
}

CallError overall_timeout(Phase phase, const std::string& log_url, Duration total) {
    CallError e = transport_error(phase, {}, log_url, true);
    e.message = fmt::format("overall deadline of {} ms ran out before {} calling {}", ms(total),
                            to_string(phase), log_url);
    return e;
}

bool is_timeout(const error_code& ec) {
    return ec == beast::error::timeout;
}

/// A reused connection that the server had already closed: the request never reached it,
/// so sending again on a fresh connection is safe.
bool is_stale(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

/// Methods that may be sent again when a pooled connection turns out dead after the request
/// went out: the server may have acted on it, so only requests without side effects qualify.
bool safe_to_resend(http::verb v) {
    return v == http::verb::get || v == http::verb::head || v == http::verb::options;
}

}  // namespace

struct HttpClient::Connection {
    std::string key;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    TimePoint idle_since{};

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    /// Whether an idle connection still looks usable: no EOF and no unexpected bytes (a TLS
    /// close_notify included) are waiting. Catches servers that closed an idle keep-alive
    /// connection, before a request is risked on it.
    bool looks_alive() {
        auto& socket = lowest().socket();
        if (!socket.is_open())
            return false;
        char byte = 0;
        auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n >= 0)
            return false;  // 0: closed by the peer; >0: data nobody asked for
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
};

/// What one request/response exchange on a connection produced.
struct HttpClient::Attempt {
    error_code ec;
    Phase phase = Phase::none;
    std::size_t bytes_read = 0;
    bool keep_alive = false;
    std::optional<http::response<http::string_body>> response;
};

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto& h : headers)
        if (core::iequals(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

config::HttpConfig default_http_config() {
    return config::default_http_config();  // the schema's table, not a second one
}

HttpClient::HttpClient(asio::any_io_executor executor, config::HttpConfig config,
                       HttpClientOptions options)
    : executor_(std::move(executor))
    , config_(std::move(config))
    , options_(std::move(options))
    , tls_(asio::ssl::context::tls_client) {
    if (!options_.redact)
        options_.redact = [](std::string_view url) { return log_form(url); };
    if (!options_.env)
        options_.env = process_env;
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls_.set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    tls_.set_default_verify_paths(ec);
    if (ec)
        throw std::runtime_error("cannot load the system trust store: " + ec.message());
    if (!config_.ca_file.empty()) {
        tls_.load_verify_file(config_.ca_file, ec);
        if (ec)
            throw std::runtime_error("http.ca_file: cannot load CA certificates from " +
                                     config_.ca_file + ": " + ec.message());
    }
    std::string why;
    auto proxy = proxy_settings(config_.proxy, options_.env, &why);
    if (!proxy)
        throw std::runtime_error(
            (config_.proxy.empty() ? std::string("https_proxy: ") : std::string("http.proxy: ")) +
            why);
    proxy_ = std::move(*proxy);
}

HttpClient::~HttpClient() = default;

std::string HttpClient::log_url(const HttpRequest& request) const {
    return request.log_url.empty() ? options_.redact(request.url) : request.log_url;
}

std::size_t HttpClient::idle_connections() const {
    std::size_t n = 0;
    for (const auto& [key, list] : idle_)
        n += list.size();
    return n;
}

void HttpClient::close_idle() {
    idle_.clear();
}

void HttpClient::stop() {
    stopped_ = true;
    for (Connection* c : cuttable_) {
        boost::system::error_code ignored;
        c->lowest().socket().cancel(ignored);
    }
    close_idle();
}

std::unique_ptr<HttpClient::Connection> HttpClient::take_idle(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end())
        return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
        auto conn = std::move(list.back());
        list.pop_back();
        if (Steady::now() - conn->idle_since <= options_.max_idle_age && conn->looks_alive())
            return conn;
    }
    return nullptr;
}

void HttpClient::put_idle(std::unique_ptr<Connection> conn) {
    auto& list = idle_[conn->key];
    if (list.size() >= options_.max_idle_per_host)
        list.erase(list.begin());
    conn->idle_since = Steady::now();
    list.push_back(std::move(conn));
}

asio::awaitable<Outcome<std::unique_ptr<HttpClient::Connection>>> HttpClient::connect(
    const Endpoint& ep, TimePoint deadline, const std::string& log_url) {
    const bool via_proxy = ep.tls && proxy_.applies_to(ep.host);
    const std::string dial_host = via_proxy ? proxy_.host : ep.host;
    const std::uint16_t dial_port = via_proxy ? proxy_.port : ep.port;
    const Duration total = config_.total_timeout;

    // Resolve: address literals need no lookup; names go through the resolver, raced
    // against a timer (the resolver has no deadline of its own).
    std::vector<tcp::endpoint> addresses;
    error_code ec;
    auto literal = asio::ip::make_address(dial_host, ec);
    if (!ec) {
        addresses.emplace_back(literal, dial_port);
    } else {
        auto limit = budget(config_.resolve_timeout, deadline);
        if (limit <= Duration::zero())
            co_return overall_timeout(Phase::resolve, log_url, total);
        // The lookup runs on asio's resolver thread and cannot be interrupted; on timeout we
        // stop waiting for it and let it finish into the shared state on its own.
        struct Lookup {
            tcp::resolver resolver;
            asio::steady_timer wake;
            bool finished = false;
            error_code ec;
            tcp::resolver::results_type results;
        };
        auto lookup = std::make_shared<Lookup>(
            Lookup{tcp::resolver(executor_), asio::steady_timer(executor_), false, {}, {}});
        lookup->wake.expires_after(limit);
        lookup->resolver.async_resolve(
            dial_host, std::to_string(dial_port),
            [lookup](const error_code& e, tcp::resolver::results_type r) {
                lookup->finished = true;
                lookup->ec = e;
                lookup->results = std::move(r);
                lookup->wake.cancel();
            });
        auto [wec] = co_await lookup->wake.async_wait(use_tuple);
        if (!lookup->finished) {
            lookup->resolver.cancel();
            if (wec == asio::error::operation_aborted)  // the caller cancelled us
                co_return transport_error(Phase::resolve, wec, log_url, false);
            co_return transport_error(Phase::resolve, {}, log_url, true);
        }
        if (lookup->ec) {
            auto e = transport_error(Phase::resolve, lookup->ec, log_url, false);
            if (lookup->ec == asio::error::host_not_found)
                e.kind = ErrorKind::permanent;
            co_return e;
        }
        const auto& results = lookup->results;
        for (const auto& r : results)
            addresses.push_back(r.endpoint());
    }

    auto conn = std::make_unique<Connection>();
    conn->key = ep.pool_key();
    auto tcp_stream = std::make_unique<beast::tcp_stream>(executor_);
    {
        auto limit = budget(config_.connect_timeout, deadline);
        if (limit <= Duration::zero())
            co_return overall_timeout(Phase::connect, log_url, total);
        tcp_stream->expires_after(limit);
        auto [cec, endpoint] = co_await tcp_stream->async_connect(addresses, use_tuple);
        if (cec)
            co_return transport_error(Phase::connect, cec, log_url, is_timeout(cec));
        ++stats_.connections_opened;
        tcp_stream->socket().set_option(tcp::no_delay(true));
    }

    if (via_proxy) {
        // CONNECT tunnel: the proxy sees only host:port; TLS runs end to end through it.
        auto limit = budget(config_.connect_timeout, deadline);
        if (limit <= Duration::zero())
            co_return overall_timeout(Phase::proxy, log_url, total);
        tcp_stream->expires_after(limit);
        http::request<http::empty_body> req{http::verb::connect, ep.authority(), 11};
        req.set(http::field::host, ep.authority());
        if (!config_.user_agent.empty())
            req.set(http::field::user_agent, config_.user_agent);
        if (!proxy_.authorization.empty())
            req.set(http::field::proxy_authorization, proxy_.authorization.reveal());
        auto [wec, wn] = co_await http::async_write(*tcp_stream, req, use_tuple);
        if (wec)
            co_return transport_error(Phase::proxy, wec, log_url, is_timeout(wec));
        http::response_parser<http::empty_body> parser;
        parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
        auto [rec, rn] =
            co_await http::async_read_header(*tcp_stream, conn->buffer, parser, use_tuple);
        if (rec)
            co_return transport_error(Phase::proxy, rec, log_url, is_timeout(rec));
        auto status = parser.get().result_int();
        if (status / 100 != 2) {
            CallError e;
            e.kind = status == 407 ? ErrorKind::auth
                                   : (status >= 500 ? ErrorKind::retryable : ErrorKind::permanent);
            e.phase = Phase::proxy;
            e.message = fmt::format("proxy {}:{} refused CONNECT for {}: HTTP {}", proxy_.host,
                                    proxy_.port, log_url, status);
            co_return e;
        }
        if (conn->buffer.size() != 0) {
            CallError e =
                permanent_error(fmt::format("proxy {}:{} sent data after its CONNECT answer for {}",
                                            proxy_.host, proxy_.port, log_url));
            e.phase = Phase::proxy;
            co_return e;
        }
    }

    if (!ep.tls) {
        conn->plain = std::move(tcp_stream);
        co_return std::move(conn);
    }

    conn->tls =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*tcp_stream), tls_);
    SSL* ssl = conn->tls->native_handle();
    // SNI carries names only (RFC 6066); the certificate is checked against the name or the
    // address by OpenSSL itself, so a mismatch shows up as X509_V_ERR_HOSTNAME_MISMATCH.
    if (!ep.host_is_ip) {
        // The SSL_set_tlsext_host_name macro hides a C cast; call what it expands to.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(ep.host.c_str()));
        SSL_set1_host(ssl, ep.host.c_str());
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ep.host.c_str());
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    auto limit = budget(config_.tls_timeout, deadline);
    if (limit <= Duration::zero())
        co_return overall_timeout(Phase::tls, log_url, total);
    conn->lowest().expires_after(limit);
    auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) {
        auto e = transport_error(Phase::tls, hec, log_url, is_timeout(hec));
        long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
            // A certificate problem does not heal by retrying.
            e.kind = ErrorKind::permanent;
            e.message = fmt::format("TLS certificate of {} rejected: {}", ep.authority(),
                                    X509_verify_cert_error_string(verify));
        }
        co_return e;
    }
    co_return std::move(conn);
}

namespace {

template <typename Stream>
asio::awaitable<void> exchange(Stream& stream, beast::tcp_stream& lowest,
                               beast::flat_buffer& buffer,
                               http::request<http::string_body>& request,
                               const config::HttpConfig& cfg, TimePoint deadline,
                               std::optional<http::response<http::string_body>>& out,
                               error_code& ec, Phase& phase, std::size_t& bytes_read) {
    phase = Phase::write;
    auto limit = budget(cfg.write_timeout, deadline);
    if (limit <= Duration::zero()) {
        ec = beast::error::timeout;
        co_return;
    }
    lowest.expires_after(limit);
    auto [wec, wn] = co_await http::async_write(stream, request, use_tuple);
    if (wec) {
        ec = wec;
        co_return;
    }
    phase = Phase::read;
    limit = budget(cfg.read_timeout, deadline);
    if (limit <= Duration::zero()) {
        ec = beast::error::timeout;
        co_return;
    }
    lowest.expires_after(limit);
    http::response_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(static_cast<std::uint64_t>(cfg.max_response_bytes));
    if (request.method() == http::verb::head)
        parser.skip(true);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    bytes_read = rn;
    lowest.expires_never();
    if (rec) {
        ec = rec;
        co_return;
    }
    out.emplace(parser.release());
}

}  // namespace

asio::awaitable<Outcome<HttpResponse>> HttpClient::send(HttpRequest request) {
    ++stats_.requests;
    const auto started = Steady::now();
    const TimePoint deadline = started + config_.total_timeout;
    const std::string url_for_log = log_url(request);

    if (stopped_) {
        CallError e =
            retryable_error(fmt::format("not sent: shutting down (request to {})", url_for_log));
        e.phase = Phase::url;
        e.not_executed = true;
        co_return e;
    }
    const bool cuttable = !request.finish_on_stop;
    std::string why;
    auto ep = parse_endpoint(request.url, &why);
    if (!ep) {
        CallError e = permanent_error(fmt::format("invalid URL {}: {}", url_for_log, why));
        e.phase = Phase::url;
        e.not_executed = true;
        co_return e;
    }
    if (!ep->tls && !is_loopback_host(ep->host)) {
        CallError e = permanent_error(fmt::format(
            "refusing plain http to {}: only https is allowed, except to loopback hosts "
            "(127.0.0.0/8, ::1, localhost)",
            url_for_log));
        e.phase = Phase::url;
        e.not_executed = true;
        co_return e;
    }

    // Values can come from tickets; a CR or LF in them would let a caller forge headers.
    auto is_token = [](std::string_view t) {
        return !t.empty() && std::all_of(t.begin(), t.end(), [](unsigned char c) {
            return c > 32 && c < 127 &&
                   std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) ==
                       std::string_view::npos;
        });
    };
    auto clean_value = [](std::string_view v) {
        return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
    };
    bool headers_ok = is_token(request.method) && clean_value(request.content_type);
    for (const auto& h : request.headers)
        headers_ok = headers_ok && is_token(h.name) && clean_value(h.value);
    if (!headers_ok) {
        CallError e = permanent_error(
            fmt::format("invalid method or header for {}: names must be tokens, values must not "
                        "contain CR, LF or NUL",
                        url_for_log));
        e.phase = Phase::url;
        e.not_executed = true;
        co_return e;
    }

    http::request<http::string_body> req;
    if (auto verb = http::string_to_verb(request.method); verb != http::verb::unknown)
        req.method(verb);
    else
        req.method_string(request.method);
    req.target(ep->target);
    req.version(11);
    bool default_port = ep->port == (ep->tls ? 443 : 80);
    req.set(http::field::host,
            default_port
                ? (ep->host_is_ip && ep->host.find(':') != std::string::npos ? "[" + ep->host + "]"
                                                                             : ep->host)
                : ep->authority());
    if (!config_.user_agent.empty())
        req.set(http::field::user_agent, config_.user_agent);
    for (const auto& h : request.headers)
        req.set(h.name, h.value);  // replaces a default (User-Agent) instead of doubling it
    if (!request.content_type.empty())
        req.set(http::field::content_type, request.content_type);
    req.body() = std::move(request.body);
    req.keep_alive(true);
    // Always a Content-Length (also 0, also on DELETE): some servers refuse a body-less
    // POST or PUT without one, and a DELETE body must be framed.
    req.content_length(req.body().size());

    for (int round = 0;; ++round) {
        if (stopped_ && cuttable) {
            CallError e = retryable_error(
                fmt::format("not sent: shutting down (request to {})", url_for_log));
            e.phase = Phase::url;
            e.not_executed = true;
            co_return e;
        }
        auto conn = take_idle(ep->pool_key());
        const bool reused = conn != nullptr;
        if (!conn) {
            auto made = co_await connect(*ep, deadline, url_for_log);
            if (!made) {
                auto e = made.error();
                e.not_executed = true;  // no byte of the request left

                log::debug("HTTP_CALL_FAILED", {{"method", request.method},
                                                {"url", url_for_log},
                                                {"phase", to_string(e.phase)},
                                                {"timeout", e.timed_out},
                                                {"reason", e.message}});
                co_return e;
            }
            conn = std::move(*made);
        } else {
            ++stats_.connections_reused;
        }

        error_code ec;
        Phase phase = Phase::none;
        std::size_t bytes_read = 0;
        std::optional<http::response<http::string_body>> response;
        conn->buffer.clear();
        Connection* const tracked = conn.get();
        if (cuttable)
            cuttable_.push_back(tracked);
        if (conn->tls)
            co_await exchange(*conn->tls, conn->lowest(), conn->buffer, req, config_, deadline,
                              response, ec, phase, bytes_read);
        else
            co_await exchange(*conn->plain, conn->lowest(), conn->buffer, req, config_, deadline,
                              response, ec, phase, bytes_read);
        if (cuttable)
            std::erase(cuttable_, tracked);

        if (ec) {
            if (reused && round == 0 && bytes_read == 0 && is_stale(ec) &&
                (phase == Phase::write || safe_to_resend(req.method()))) {
                log::debug("HTTP_STALE_CONNECTION",
                           {{"url", url_for_log}, {"phase", to_string(phase)}});
                continue;  // the pooled connection was dead; this request never arrived
            }
            CallError e;
            if (ec == http::error::body_limit) {
                e = permanent_error(
                    fmt::format("response from {} exceeds http.max_response_bytes ({} bytes)",
                                url_for_log, config_.max_response_bytes));
                e.phase = Phase::read;
            } else if (ec == http::error::header_limit) {
                e = permanent_error(fmt::format("response headers from {} exceed {} bytes",
                                                url_for_log, max_header_bytes));
                e.phase = Phase::read;
            } else if (is_timeout(ec) && Steady::now() >= deadline) {
                e = overall_timeout(phase, url_for_log, config_.total_timeout);
            } else {
                e = transport_error(phase, ec, url_for_log, is_timeout(ec));
            }
            log::debug("HTTP_CALL_FAILED", {{"method", request.method},
                                            {"url", url_for_log},
                                            {"phase", to_string(e.phase)},
                                            {"timeout", e.timed_out},
                                            {"reason", e.message}});
            co_return e;
        }

        HttpResponse out;
        out.status = static_cast<int>(response->result_int());
        for (const auto& field : *response)
            out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
        out.body = std::move(response->body());
        const bool keep =
            response->keep_alive() && !response->need_eof() && conn->buffer.size() == 0;
        if (keep)
            put_idle(std::move(conn));
        log::debug("HTTP_CALL", {{"method", request.method},
                                 {"url", url_for_log},
                                 {"status", out.status},
                                 {"ms", ms(Steady::now() - started)},
                                 {"reused", reused}});
        co_return out;
    }
}

}  // namespace hrmaild::net
