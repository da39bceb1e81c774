#include "tests/sandbox/server.hpp"

#include "daemon/log/log.hpp"
#include "tests/sandbox/util.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>

#include <fstream>
#include <optional>
#include <stdexcept>

namespace hrmaild::sandbox {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds write_timeout{30};
constexpr std::chrono::seconds handshake_timeout{30};
}  // namespace

bool parse_listen(const std::string& text, std::string& host, unsigned short& port) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 >= text.size())
        return false;
    host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        return false;
    std::string p = text.substr(colon + 1);
    unsigned long value = 0;
    for (char c : p) {
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535)
            return false;
    }
    port = static_cast<unsigned short>(value);
    return true;
}

bool write_file_atomic(const std::filesystem::path& file, const std::string& content,
                       std::string& error) {
    std::filesystem::path tmp = file;
    tmp += ".tmp." + util::random_hex(4);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            error = tmp.string() + ": cannot be written";
            return false;
        }
        out << content;
        out.flush();
        if (!out) {
            error = tmp.string() + ": write failed";
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        error = file.string() + ": rename failed";
        return false;
    }
    return true;
}

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    asio::io_context& io;
    Sandbox& sandbox;
    ServerOptions options;
    tcp::acceptor acceptor;
    std::optional<ssl::context> tls_context;
    unsigned short bound_port = 0;

    Impl(asio::io_context& i, Sandbox& s, ServerOptions o)
        : io(i), sandbox(s), options(std::move(o)), acceptor(i) {}

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(nothrow);
            if (!acceptor.is_open() || ec == asio::error::operation_aborted)
                co_return;
            if (ec)
                continue;
            if (tls_context)
                asio::co_spawn(io, self->tls_session(std::move(socket)), asio::detached);
            else
                asio::co_spawn(io, self->plain_session(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> plain_session(tcp::socket socket) {
        auto self = shared_from_this();
        beast::tcp_stream stream(std::move(socket));
        bool open = co_await serve(stream);
        if (open) {
            beast::error_code ec;
            stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }

    asio::awaitable<void> tls_session(tcp::socket socket) {
        auto self = shared_from_this();
        ssl::stream<beast::tcp_stream> stream(std::move(socket), *tls_context);
        beast::get_lowest_layer(stream).expires_after(handshake_timeout);
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, nothrow);
        if (ec)
            co_return;
        bool open = co_await serve(stream);
        if (open) {
            beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
            co_await stream.async_shutdown(nothrow);
        }
    }

    template <typename Stream>
    asio::awaitable<void> write_error(Stream& stream, http::status status, std::string text) {
        http::response<http::string_body> res{status, 11};
        res.set(http::field::server, "hrmaild-sandbox");
        res.set(http::field::content_type, "application/json; charset=utf-8");
        res.keep_alive(false);
        res.body() = json::serialize(json::object{{"error", text}});
        res.prepare_payload();
        beast::get_lowest_layer(stream).expires_after(write_timeout);
        co_await http::async_write(stream, res, nothrow);
    }

    // Serves requests on one connection; false when the socket was dropped on purpose.
    template <typename Stream>
    asio::awaitable<bool> serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(options.body_limit);
            beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
            auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, nothrow);
            boost::system::error_code ec = hec;
            if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
                // curl and PHP clients wait for this before sending a large body.
                http::response<http::empty_body> cont{http::status::continue_,
                                                      parser.get().version()};
                co_await http::async_write(stream, cont, nothrow);
            }
            if (!ec && !parser.is_done()) {
                auto [bec, bn] = co_await http::async_read(stream, buffer, parser, nothrow);
                ec = bec;
            }
            if (ec == http::error::end_of_stream)
                co_return true;
            if (ec == http::error::body_limit) {
                co_await write_error(stream, http::status::payload_too_large, "PAYLOAD_TOO_LARGE");
                co_return true;
            }
            if (ec) {
                if (ec.category() == http::make_error_code(http::error::bad_target).category())
                    co_await write_error(stream, http::status::bad_request, "BAD_REQUEST");
                co_return true;
            }
            auto& req = parser.get();
            Request request;
            request.method = std::string(req.method_string());
            request.target = std::string(req.target());
            for (const auto& field : req)
                request.headers[util::lower(field.name_string())] = std::string(field.value());
            request.body = std::move(req.body());

            Response response = sandbox.handle(request);
            auto events = sandbox.take_outgoing_events();

            if (response.delay.count() > 0) {
                asio::steady_timer timer(io, response.delay);
                co_await timer.async_wait(nothrow);
            }
            if (response.drop_connection) {
                beast::error_code ignored;
                beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both,
                                                                  ignored);
                beast::get_lowest_layer(stream).socket().close(ignored);
                for (auto& e : events)
                    asio::co_spawn(io, shared_from_this()->deliver(std::move(e)), asio::detached);
                co_return false;
            }
            http::response<http::string_body> res;
            res.version(req.version());
            res.result(static_cast<unsigned>(response.status));
            res.set(http::field::server, "hrmaild-sandbox");
            res.set(http::field::content_type, response.content_type);
            for (const auto& [name, value] : response.headers)
                res.set(name, value);
            res.keep_alive(req.keep_alive());
            res.body() = std::move(response.body);
            res.prepare_payload();
            beast::get_lowest_layer(stream).expires_after(write_timeout);
            auto [wec, wn] = co_await http::async_write(stream, res, nothrow);
            for (auto& e : events)
                asio::co_spawn(io, shared_from_this()->deliver(std::move(e)), asio::detached);
            if (wec)
                co_return false;
            if (!res.keep_alive())
                co_return true;
        }
    }

    // POSTs one Bitrix event, once (Bitrix24 does not retry either).
    asio::awaitable<void> deliver(OutgoingEvent event) {
        auto self = shared_from_this();
        auto fail = [&](const std::string& why) {
            sandbox.note_event_delivery(false, why);
            log::warn("SANDBOX_EVENT_FAILED", {{"url", event.url}, {"reason", why}});
        };
        auto url = boost::urls::parse_uri(event.url);
        if (!url || url->scheme() != "http") {
            fail("only http:// event URLs are supported");
            co_return;
        }
        std::string host(url->host());
        std::string port = url->has_port() ? std::string(url->port()) : std::string("80");
        std::string target(url->encoded_path());
        if (target.empty())
            target = "/";
        if (url->has_query())
            target += "?" + std::string(url->encoded_query());
        tcp::resolver resolver(io);
        auto [rec, results] = co_await resolver.async_resolve(host, port, nothrow);
        if (rec) {
            fail("resolve: " + rec.message());
            co_return;
        }
        beast::tcp_stream stream(io);
        stream.expires_after(options.event_timeout);
        auto [cec, ep] = co_await stream.async_connect(results, nothrow);
        if (cec) {
            fail("connect: " + cec.message());
            co_return;
        }
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, url->has_port() ? host + ":" + port : host);
        req.set(http::field::user_agent, "Bitrix24 Webhook Engine");
        req.set(http::field::content_type, "application/x-www-form-urlencoded");
        req.body() = std::move(event.body);
        req.prepare_payload();
        stream.expires_after(options.event_timeout);
        auto [wec, wn] = co_await http::async_write(stream, req, nothrow);
        if (wec) {
            fail("write: " + wec.message());
            co_return;
        }
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        auto [rdec, rn] = co_await http::async_read(stream, buffer, res, nothrow);
        if (rdec) {
            fail("read: " + rdec.message());
            co_return;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        sandbox.note_event_delivery(true, {});
        log::debug("SANDBOX_EVENT_DELIVERED", {{"url", event.url}, {"status", res.result_int()}});
    }
};

Server::Server(asio::io_context& io, Sandbox& sandbox, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, sandbox, std::move(options))) {}

Server::~Server() {
    stop();
}

void Server::start() {
    auto& o = impl_->options;
    if (!o.tls_cert.empty() || !o.tls_key.empty()) {
        if (o.tls_cert.empty() || o.tls_key.empty())
            throw std::runtime_error("TLS needs both --tls-cert and --tls-key");
        try {
            impl_->tls_context.emplace(ssl::context::tls_server);
            impl_->tls_context->set_options(ssl::context::default_workarounds |
                                            ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            impl_->tls_context->use_certificate_chain_file(o.tls_cert);
            impl_->tls_context->use_private_key_file(o.tls_key, ssl::context::pem);
        } catch (const boost::system::system_error& e) {
            impl_->tls_context.reset();
            throw std::runtime_error("cannot load the TLS certificate or key: " +
                                     std::string(e.what()));
        }
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(o.host, ec);
    if (ec)
        throw std::runtime_error("bad listen address: " + o.host);
    tcp::endpoint endpoint(address, o.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor.close();
        throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                 ": " + ec.message());
    }
    impl_->bound_port = acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    log::info("SANDBOX_LISTENING", {{"url", base_url()}, {"tls", tls()}});
}

void Server::stop() {
    if (impl_->acceptor.is_open()) {
        boost::system::error_code ec;
        impl_->acceptor.close(ec);
    }
}

unsigned short Server::port() const {
    return impl_->bound_port;
}
bool Server::tls() const {
    return impl_->tls_context.has_value();
}

std::string Server::base_url() const {
    std::string host = impl_->options.host;
    if (host.find(':') != std::string::npos)
        host = "[" + host + "]";
    return std::string(tls() ? "https://" : "http://") + host + ":" + std::to_string(port());
}

json::object Server::endpoints() const {
    std::string base = base_url();
    std::string webhook = impl_->sandbox.bitrix().webhook_path();
    if (webhook.empty())
        webhook = "/rest/1/sandbox-webhook-secret/";
    return json::object{{"bitrix_webhook_url", base + webhook},
                        {"zoho_api_url", base},
                        {"zoho_accounts_url", base},
                        {"control_url", base + "/_sandbox/"}};
}

BackgroundSandbox::BackgroundSandbox(ServerOptions options)
    : server_(std::make_unique<Server>(io_, sandbox_, std::move(options))) {
    server_->start();
    thread_ = std::thread([this]() {
        auto guard = asio::make_work_guard(io_);
        io_.run();
    });
}

BackgroundSandbox::~BackgroundSandbox() {
    asio::post(io_, [this]() { server_->stop(); });
    io_.stop();
    if (thread_.joinable())
        thread_.join();
}

void BackgroundSandbox::post(std::function<void()> fn) {
    asio::post(io_, std::move(fn));
}

void BackgroundSandbox::seed(const SeedData& seed, bool append) {
    call([&](Sandbox& s) { s.load_seed(seed, append); });
}

json::object BackgroundSandbox::endpoints() const {
    return const_cast<BackgroundSandbox*>(this)->call(
        [this](Sandbox&) { return server_->endpoints(); });
}

}  // namespace hrmaild::sandbox
