#include "tests/support/net_test_server.hpp"

#include "daemon/core/text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <sys/socket.h>
#include <future>
#include <optional>
#include <set>
#include <stdexcept>

namespace hrmaild::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct NetTestServer::Impl {
    std::unique_ptr<asio::ssl::context> tls;
    std::unique_ptr<asio::io_context> ioc = std::make_unique<asio::io_context>();
    std::optional<tcp::acceptor> acceptor_storage{std::in_place, *ioc};
    tcp::acceptor& acceptor = *acceptor_storage;
    Handler handler;
    Mode mode = Mode::http;
    NetTestServer* owner = nullptr;
    mutable std::mutex mutex;
    std::vector<ServerRequest> requests;
    std::vector<std::string> sni;
    std::set<beast::tcp_stream*> open;               // server thread only
    std::vector<std::unique_ptr<tcp::socket>> held;  // accept_only sockets, server thread only
    std::thread thread;

    asio::awaitable<void> accept_loop() {
        for (std::size_t id = 1;; ++id) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                co_return;
            owner->connections_.fetch_add(1);
            if (mode == Mode::accept_only) {
                held.push_back(std::make_unique<tcp::socket>(std::move(socket)));
                continue;
            }
            asio::co_spawn(*ioc, session(std::move(socket), id), asio::detached);
        }
    }

    asio::awaitable<void> session(tcp::socket socket, std::size_t id) {
        if (tls) {
            beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
            auto& lowest = beast::get_lowest_layer(stream);
            open.insert(&lowest);
            lowest.expires_after(std::chrono::seconds(10));
            auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
            lowest.expires_never();
            {
                const char* name =
                    SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
                std::lock_guard lock(mutex);
                sni.push_back(name ? name : "");
            }
            if (!ec)
                co_await serve(stream, lowest, id);
            open.erase(&lowest);
        } else {
            beast::tcp_stream stream(std::move(socket));
            open.insert(&stream);
            co_await serve(stream, stream, id);
            open.erase(&stream);
        }
    }

    template <typename Stream>
    asio::awaitable<void> serve(Stream& stream, beast::tcp_stream& lowest, std::size_t id) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(256 * 1024 * 1024);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (ec)
                co_return;
            auto req = parser.release();
            ServerRequest sr;
            sr.method = std::string(req.method_string());
            sr.target = std::string(req.target());
            for (const auto& f : req) {
                // A repeated header is joined with ", " (RFC 9110), so tests can see doubles.
                auto& slot = sr.headers[core::ascii_lower(f.name_string())];
                slot += (slot.empty() ? "" : ", ") + std::string(f.value());
            }
            sr.body = req.body();
            sr.connection = id;
            {
                std::lock_guard lock(mutex);
                requests.push_back(sr);
            }
            ServerReply reply = handler(sr);
            if (reply.delay.count() > 0 || reply.hang) {
                asio::steady_timer timer(*ioc);
                if (reply.hang)
                    timer.expires_at(asio::steady_timer::time_point::max());
                else
                    timer.expires_after(reply.delay);
                co_await timer.async_wait(use_tuple);
                if (reply.hang)
                    co_return;
            }
            if (reply.drop) {
                beast::error_code ignored;
                lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
                lowest.close();
                co_return;
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
            res.set(http::field::server, "hrmaild-net-test");
            if (!reply.content_type.empty())
                res.set(http::field::content_type, reply.content_type);
            for (const auto& [k, v] : reply.headers)
                res.set(k, v);
            res.body() = reply.body;
            res.keep_alive(reply.keep_alive && req.keep_alive());
            if (reply.chunked)
                res.chunked(true);
            else
                res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
            if (wec || !res.keep_alive()) {
                beast::error_code ignored;
                lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
                lowest.close();
                co_return;
            }
        }
    }
};

NetTestServer::NetTestServer(Handler handler, std::optional<ServerTls> tls, Mode mode)
    : impl_(std::make_unique<Impl>()), tls_(tls.has_value()) {
    impl_->handler = std::move(handler);
    impl_->mode = mode;
    impl_->owner = this;
    if (tls) {
        impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->cert_chain.string());
        impl_->tls->use_private_key_file(tls->key.string(), asio::ssl::context::pem);
    }
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(*impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc->run(); });
}

NetTestServer::~NetTestServer() {
    asio::post(*impl_->ioc, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->ioc->stop();
    impl_->thread.join();
    impl_->held.clear();
    impl_->acceptor_storage.reset();  // before the io_context its service lives in
    impl_->ioc.reset();  // destroys suspended sessions while the rest of Impl still exists
}

std::string NetTestServer::url(const std::string& path, const std::string& host) const {
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_) + path;
}

std::size_t NetTestServer::request_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests.size();
}

std::vector<std::string> NetTestServer::sni_names() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->sni;
}

std::vector<ServerRequest> NetTestServer::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

void NetTestServer::close_all_connections() {
    std::promise<void> done;
    asio::post(*impl_->ioc, [&] {
        for (auto* s : impl_->open) {
            beast::error_code ignored;
            s->socket().shutdown(tcp::socket::shutdown_both, ignored);
            s->socket().close(ignored);
        }
        impl_->held.clear();
        done.set_value();
    });
    done.get_future().wait();
}

FullBacklogListener::FullBacklogListener() {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen(0);
    port_ = acceptor_.local_endpoint().port();
    ep.port(port_);
    // Never accepted: a few half-open connections fill the queue of a backlog-0 listener.
    for (int i = 0; i < 4; ++i) {
        fillers_.emplace_back(ioc_);
        auto& s = fillers_.back();
        s.open(tcp::v4());
        s.non_blocking(true);
        // Raw connect: asio's synchronous connect would wait for completion, which never
        // comes once the queue is full.
        auto addr = ep.data();
        [[maybe_unused]] int rc =
            ::connect(s.native_handle(), addr, static_cast<socklen_t>(ep.size()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

FullBacklogListener::~FullBacklogListener() {
    beast::error_code ignored;
    for (auto& s : fillers_)
        s.close(ignored);
    acceptor_.close(ignored);
}

}  // namespace hrmaild::test
