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

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
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
Duration budget(std::chrono::milliseconds phase_limit, TimePoint deadline) {
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

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto& h : headers)
        if (core::iequals(h.name, name))
            return std::string_view(h.value);
    return std::nullopt;
}

namespace {

// Whether one of the folders (':'-separated) holds a certificate under its hash name
// ("1a2b3c4d.0"), as `openssl rehash` (Debian's update-ca-certificates) leaves them.
bool hashed_folder(const std::string& folders) {
    std::size_t from = 0;
    while (from <= folders.size()) {
        auto to = folders.find(':', from);
        if (to == std::string::npos)
            to = folders.size();
        std::error_code ec;
        for (std::filesystem::directory_iterator it(folders.substr(from, to - from), ec), end;
             !ec && it != end; it.increment(ec)) {
            const auto name = it->path().filename().string();
            if (name.size() >= 10 && name[8] == '.' &&
                std::all_of(name.begin(), name.begin() + 8,
                            [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
                return true;
        }
        from = to + 1;
    }
    return false;
}

}  // namespace

error_code use_system_trust(asio::ssl::context& tls, const EnvLookup& env) {
    const auto lookup = env ? env : EnvLookup(process_env);
    const auto file = lookup(X509_get_default_cert_file_env());
    const auto dir = lookup(X509_get_default_cert_dir_env());
    const std::string folders = dir ? *dir : std::string(X509_get_default_cert_dir());
    error_code ec;
    if (!hashed_folder(folders)) {
        tls.set_default_verify_paths(ec);  // no hashed folder: the bundle file, parsed now
        return ec;
    }
    if (SSL_CTX_load_verify_locations(tls.native_handle(), nullptr, folders.c_str()) != 1)
        return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    if (file && !file->empty())
        tls.load_verify_file(*file, ec);  // a bundle the environment names, as before
    return ec;
}

HttpClient::HttpClient(asio::any_io_executor executor, HttpSettings settings,
                       HttpClientOptions options)
    : executor_(std::move(executor))
    , settings_(std::move(settings))
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
    error_code ec = use_system_trust(tls_, options_.env);
    if (ec)
        throw std::runtime_error("cannot load the system trust store: " + ec.message());
    if (!settings_.ca_file.empty()) {
        tls_.load_verify_file(settings_.ca_file, ec);
        if (ec)
            throw std::runtime_error("http.ca_file: cannot load CA certificates from " +
                                     settings_.ca_file + ": " + ec.message());
    }
    std::string why;
    auto proxy = proxy_settings(settings_.proxy, options_.env, &why);
    if (!proxy)
        throw std::runtime_error(
            (settings_.proxy.empty() ? std::string("https_proxy: ") : std::string("http.proxy: ")) +
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

namespace {

/// A request that was refused before anything left the process.
CallError refused(CallError e) {
    e.phase = Phase::url;
    e.not_executed = true;
    return e;
}

CallError shutting_down(const std::string& log_url) {
    return refused(
        retryable_error(fmt::format("not sent: shutting down (request to {})", log_url)));
}

/// Values can come from tickets; a CR or LF in them would let a caller forge headers.
bool headers_are_clean(const HttpRequest& request) {
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
    bool ok = is_token(request.method) && clean_value(request.content_type);
    for (const auto& h : request.headers)
        ok = ok && is_token(h.name) && clean_value(h.value);
    return ok;
}

/// Where a request goes, or why it may not be sent: an unparsable URL, plain http to a host
/// that is not loopback, a method or header that could smuggle another header.
Outcome<Endpoint> checked_endpoint(const HttpRequest& request, const std::string& log_url) {
    std::string why;
    auto ep = parse_endpoint(request.url, &why);
    if (!ep)
        return refused(permanent_error(fmt::format("invalid URL {}: {}", log_url, why)));
    if (!ep->tls && !is_loopback_host(ep->host))
        return refused(permanent_error(fmt::format(
            "refusing plain http to {}: only https is allowed, except to loopback hosts "
            "(127.0.0.0/8, ::1, localhost)",
            log_url)));
    if (!headers_are_clean(request))
        return refused(permanent_error(
            fmt::format("invalid method or header for {}: names must be tokens, values must not "
                        "contain CR, LF or NUL",
                        log_url)));
    return std::move(*ep);
}

/// The request on the wire: method, target, Host, the default User-Agent, the caller's
/// headers and body, keep-alive.
http::request<http::string_body> build_request(HttpRequest& request, const Endpoint& ep,
                                               const std::string& user_agent) {
    http::request<http::string_body> req;
    if (auto verb = http::string_to_verb(request.method); verb != http::verb::unknown)
        req.method(verb);
    else
        req.method_string(request.method);
    req.target(ep.target);
    req.version(11);
    bool default_port = ep.port == (ep.tls ? 443 : 80);
    req.set(http::field::host,
            default_port
                ? (ep.host_is_ip && ep.host.find(':') != std::string::npos ? "[" + ep.host + "]"
                                                                           : ep.host)
                : ep.authority());
    if (!user_agent.empty())
        req.set(http::field::user_agent, user_agent);
    for (const auto& h : request.headers)
        req.set(h.name, h.value);  // replaces a default (User-Agent) instead of doubling it
    if (!request.content_type.empty())
        req.set(http::field::content_type, request.content_type);
    req.body() = std::move(request.body);
    req.keep_alive(true);
    // Always a Content-Length (also 0, also on DELETE): some servers refuse a body-less
    // POST or PUT without one, and a DELETE body must be framed.
    req.content_length(req.body().size());
    return req;
}

/// The addresses to dial: an address literal as it is; a name through the resolver, raced
/// against a timer (the resolver has no deadline of its own).
asio::awaitable<Outcome<std::vector<tcp::endpoint>>> resolve(
    asio::any_io_executor executor, const std::string& host, std::uint16_t port,
    const HttpSettings& settings, TimePoint deadline, const std::string& log_url) {
    std::vector<tcp::endpoint> addresses;
    error_code ec;
    auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
        addresses.emplace_back(literal, port);
        co_return addresses;
    }
    auto limit = budget(settings.resolve_timeout, deadline);
    if (limit <= Duration::zero())
        co_return overall_timeout(Phase::resolve, log_url, settings.total_timeout);
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
        Lookup{tcp::resolver(executor), asio::steady_timer(executor), false, {}, {}});
    lookup->wake.expires_after(limit);
    lookup->resolver.async_resolve(host, std::to_string(port),
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
    for (const auto& r : lookup->results)
        addresses.push_back(r.endpoint());
    co_return addresses;
}

/// A TCP connection to the first of `addresses` that answers, Nagle off.
asio::awaitable<Outcome<std::unique_ptr<beast::tcp_stream>>> open_tcp(
    asio::any_io_executor executor, const std::vector<tcp::endpoint>& addresses,
    const HttpSettings& settings, TimePoint deadline, const std::string& log_url) {
    auto stream = std::make_unique<beast::tcp_stream>(executor);
    auto limit = budget(settings.connect_timeout, deadline);
    if (limit <= Duration::zero())
        co_return overall_timeout(Phase::connect, log_url, settings.total_timeout);
    stream->expires_after(limit);
    auto [ec, endpoint] = co_await stream->async_connect(addresses, use_tuple);
    if (ec)
        co_return transport_error(Phase::connect, ec, log_url, is_timeout(ec));
    stream->socket().set_option(tcp::no_delay(true));
    co_return std::move(stream);
}

/// A CONNECT tunnel through the proxy to `ep`: the proxy sees only host:port; TLS then runs
/// end to end through it. The proxy's answer must be 2xx and nothing may follow it.
asio::awaitable<Outcome<void>> open_tunnel(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                           const Endpoint& ep, const ProxySettings& proxy,
                                           const HttpSettings& settings, TimePoint deadline,
                                           const std::string& log_url) {
    auto limit = budget(settings.connect_timeout, deadline);
    if (limit <= Duration::zero())
        co_return overall_timeout(Phase::proxy, log_url, settings.total_timeout);
    stream.expires_after(limit);
    http::request<http::empty_body> req{http::verb::connect, ep.authority(), 11};
    req.set(http::field::host, ep.authority());
    if (!settings.user_agent.empty())
        req.set(http::field::user_agent, settings.user_agent);
    if (!proxy.authorization.empty())
        req.set(http::field::proxy_authorization, proxy.authorization.reveal());
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec)
        co_return transport_error(Phase::proxy, wec, log_url, is_timeout(wec));
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
    auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (rec)
        co_return transport_error(Phase::proxy, rec, log_url, is_timeout(rec));
    auto status = parser.get().result_int();
    if (status / 100 != 2) {
        CallError e;
        e.kind = status == 407 ? ErrorKind::auth
                               : (status >= 500 ? ErrorKind::retryable : ErrorKind::permanent);
        e.phase = Phase::proxy;
        e.message = fmt::format("proxy {}:{} refused CONNECT for {}: HTTP {}", proxy.host,
                                proxy.port, log_url, status);
        co_return e;
    }
    if (buffer.size() != 0) {
        CallError e =
            permanent_error(fmt::format("proxy {}:{} sent data after its CONNECT answer for {}",
                                        proxy.host, proxy.port, log_url));
        e.phase = Phase::proxy;
        co_return e;
    }
    co_return Outcome<void>();
}

/// The TLS handshake, verifying the certificate against the host name or address. A
/// certificate problem is permanent: it does not heal by retrying.
asio::awaitable<Outcome<void>> handshake(beast::ssl_stream<beast::tcp_stream>& stream,
                                         const Endpoint& ep, const HttpSettings& settings,
                                         TimePoint deadline, const std::string& log_url) {
    SSL* ssl = stream.native_handle();
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
    auto limit = budget(settings.tls_timeout, deadline);
    if (limit <= Duration::zero())
        co_return overall_timeout(Phase::tls, log_url, settings.total_timeout);
    beast::get_lowest_layer(stream).expires_after(limit);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (ec) {
        auto e = transport_error(Phase::tls, ec, log_url, is_timeout(ec));
        long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
            e.kind = ErrorKind::permanent;
            e.message = fmt::format("TLS certificate of {} rejected: {}", ep.authority(),
                                    X509_verify_cert_error_string(verify));
        }
        co_return e;
    }
    co_return Outcome<void>();
}

/// What one request/response exchange on a connection produced.
struct Exchange {
    error_code ec;
    Phase phase = Phase::none;  ///< where `ec` happened
    std::size_t bytes_read = 0;
    std::optional<http::response<http::string_body>> response;
};

/// Writes the request and reads the response, each phase under its own limit.
template <typename Stream>
asio::awaitable<Exchange> exchange(Stream& stream, beast::tcp_stream& lowest,
                                   beast::flat_buffer& buffer,
                                   http::request<http::string_body>& request,
                                   const HttpSettings& settings, TimePoint deadline) {
    Exchange x;
    x.phase = Phase::write;
    auto limit = budget(settings.write_timeout, deadline);
    if (limit <= Duration::zero()) {
        x.ec = beast::error::timeout;
        co_return x;
    }
    lowest.expires_after(limit);
    auto [wec, wn] = co_await http::async_write(stream, request, use_tuple);
    if (wec) {
        x.ec = wec;
        co_return x;
    }
    x.phase = Phase::read;
    limit = budget(settings.read_timeout, deadline);
    if (limit <= Duration::zero()) {
        x.ec = beast::error::timeout;
        co_return x;
    }
    lowest.expires_after(limit);
    http::response_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(static_cast<std::uint64_t>(settings.max_response_bytes));
    if (request.method() == http::verb::head)
        parser.skip(true);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    x.bytes_read = rn;
    lowest.expires_never();
    if (rec) {
        x.ec = rec;
        co_return x;
    }
    x.response.emplace(parser.release());
    co_return x;
}

/// The error of a failed exchange, named by what ran out or broke.
CallError exchange_error(const Exchange& x, const std::string& log_url,
                         const HttpSettings& settings, TimePoint deadline) {
    CallError e;
    if (x.ec == http::error::body_limit) {
        e = permanent_error(
            fmt::format("response from {} exceeds http.max_response_bytes ({} bytes)", log_url,
                        settings.max_response_bytes));
        e.phase = Phase::read;
    } else if (x.ec == http::error::header_limit) {
        e = permanent_error(
            fmt::format("response headers from {} exceed {} bytes", log_url, max_header_bytes));
        e.phase = Phase::read;
    } else if (is_timeout(x.ec) && Steady::now() >= deadline) {
        e = overall_timeout(x.phase, log_url, settings.total_timeout);
    } else {
        e = transport_error(x.phase, x.ec, log_url, is_timeout(x.ec));
    }
    return e;
}

void log_failure(const HttpRequest& request, const std::string& log_url, const CallError& e) {
    log::debug("HTTP_CALL_FAILED", {{"method", request.method},
                                    {"url", log_url},
                                    {"phase", to_string(e.phase)},
                                    {"timeout", e.timed_out},
                                    {"reason", e.message}});
}

HttpResponse to_response(http::response<http::string_body>& response) {
    HttpResponse out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response)
        out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    out.body = std::move(response.body());
    return out;
}

}  // namespace

asio::awaitable<Outcome<std::unique_ptr<HttpClient::Connection>>> HttpClient::connect(
    const Endpoint& ep, TimePoint deadline, const std::string& log_url) {
    const bool via_proxy = ep.tls && proxy_.applies_to(ep.host);
    auto addresses =
        co_await resolve(executor_, via_proxy ? proxy_.host : ep.host,
                         via_proxy ? proxy_.port : ep.port, settings_, deadline, log_url);
    if (!addresses)
        co_return addresses.error();
    auto stream = co_await open_tcp(executor_, *addresses, settings_, deadline, log_url);
    if (!stream)
        co_return stream.error();
    ++stats_.connections_opened;

    auto conn = std::make_unique<Connection>();
    conn->key = ep.pool_key();
    if (via_proxy) {
        auto tunnel =
            co_await open_tunnel(**stream, conn->buffer, ep, proxy_, settings_, deadline, log_url);
        if (!tunnel)
            co_return tunnel.error();
    }
    if (!ep.tls) {
        conn->plain = std::move(*stream);
        co_return std::move(conn);
    }
    conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(**stream), tls_);
    auto secured = co_await handshake(*conn->tls, ep, settings_, deadline, log_url);
    if (!secured)
        co_return secured.error();
    co_return std::move(conn);
}

asio::awaitable<Outcome<HttpResponse>> HttpClient::send(HttpRequest request) {
    ++stats_.requests;
    const auto started = Steady::now();
    const TimePoint deadline = started + settings_.total_timeout;
    const std::string url_for_log = log_url(request);
    const bool cuttable = !request.finish_on_stop;
    if (stopped_)
        co_return shutting_down(url_for_log);
    auto ep = checked_endpoint(request, url_for_log);
    if (!ep)
        co_return ep.error();
    auto req = build_request(request, *ep, settings_.user_agent);

    for (int round = 0;; ++round) {
        if (stopped_ && cuttable)
            co_return shutting_down(url_for_log);
        auto conn = take_idle(ep->pool_key());
        const bool reused = conn != nullptr;
        if (reused) {
            ++stats_.connections_reused;
        } else {
            auto made = co_await connect(*ep, deadline, url_for_log);
            if (!made) {
                auto e = made.error();
                e.not_executed = true;  // no byte of the request left
                log_failure(request, url_for_log, e);
                co_return e;
            }
            conn = std::move(*made);
        }

        conn->buffer.clear();
        Connection* const tracked = conn.get();
        if (cuttable)
            cuttable_.push_back(tracked);
        // Two statements, not `cond ? co_await a : co_await b`: GCC 12 miscompiles co_await
        // in a conditional expression (the result was read from a destroyed frame).
        Exchange x;
        if (conn->tls)
            x = co_await exchange(*conn->tls, conn->lowest(), conn->buffer, req, settings_,
                                  deadline);
        else
            x = co_await exchange(*conn->plain, conn->lowest(), conn->buffer, req, settings_,
                                  deadline);
        if (cuttable)
            std::erase(cuttable_, tracked);

        if (x.ec) {
            if (reused && round == 0 && x.bytes_read == 0 && is_stale(x.ec) &&
                (x.phase == Phase::write || safe_to_resend(req.method()))) {
                log::debug("HTTP_STALE_CONNECTION",
                           {{"url", url_for_log}, {"phase", to_string(x.phase)}});
                continue;  // the pooled connection was dead; this request never arrived
            }
            auto e = exchange_error(x, url_for_log, settings_, deadline);
            log_failure(request, url_for_log, e);
            co_return e;
        }

        HttpResponse out = to_response(*x.response);
        if (x.response->keep_alive() && !x.response->need_eof() && conn->buffer.size() == 0)
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
