#include "tests/support/net_connect_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <mutex>
#include <optional>
#include <thread>

namespace hrmaild::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

struct ConnectProxy::Impl {
    std::unique_ptr<asio::io_context> ioc = std::make_unique<asio::io_context>();
    std::optional<tcp::acceptor> acceptor_storage{std::in_place, *ioc};
    tcp::acceptor& acceptor = *acceptor_storage;
    std::string required_authorization;
    mutable std::mutex mutex;
    std::vector<std::string> targets;
    std::size_t other = 0;
    std::uint16_t port = 0;
    std::thread thread;

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                co_return;
            asio::co_spawn(*ioc, tunnel(std::make_shared<tcp::socket>(std::move(socket))),
                           asio::detached);
        }
    }

    static asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from,
                                      std::shared_ptr<tcp::socket> to) {
        std::array<char, 16384> buf{};
        for (;;) {
            auto [ec, n] = co_await from->async_read_some(asio::buffer(buf), use_tuple);
            if (ec)
                break;
            auto [wec, wn] =
                co_await asio::async_write(*to, asio::buffer(buf.data(), n), use_tuple);
            if (wec)
                break;
        }
        beast::error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<void> reply(tcp::socket& client, http::status status) {
        http::response<http::empty_body> res{status, 11};
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(client, res, use_tuple);
        beast::error_code ignored;
        client.shutdown(tcp::socket::shutdown_both, ignored);
    }

    asio::awaitable<void> tunnel(std::shared_ptr<tcp::socket> client) {
        beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        auto [ec, n] = co_await http::async_read_header(*client, buffer, parser, use_tuple);
        if (ec)
            co_return;
        auto& req = parser.get();
        if (req.method() != http::verb::connect) {
            {
                std::lock_guard lock(mutex);
                ++other;
            }
            co_await reply(*client, http::status::method_not_allowed);
            co_return;
        }
        std::string target(req.target());
        {
            std::lock_guard lock(mutex);
            targets.push_back(target);
        }
        if (!required_authorization.empty() &&
            req[http::field::proxy_authorization] != required_authorization) {
            co_await reply(*client, http::status::proxy_authentication_required);
            co_return;
        }
        auto colon = target.rfind(':');
        std::string host = target.substr(0, colon);
        if (host.size() > 2 && host.front() == '[')
            host = host.substr(1, host.size() - 2);
        std::string service = colon == std::string::npos ? "443" : target.substr(colon + 1);
        tcp::resolver resolver(*ioc);
        auto [rec, results] = co_await resolver.async_resolve(host, service, use_tuple);
        auto upstream = std::make_shared<tcp::socket>(*ioc);
        if (!rec) {
            auto [cec, ep] = co_await asio::async_connect(*upstream, results, use_tuple);
            rec = cec;
        }
        if (rec) {
            co_await reply(*client, http::status::bad_gateway);
            co_return;
        }
        const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
        co_await asio::async_write(*client, asio::buffer(ok, sizeof ok - 1), use_tuple);
        if (buffer.size() > 0)
            co_await asio::async_write(*upstream, buffer.data(), use_tuple);
        asio::co_spawn(*ioc, pump(client, upstream), asio::detached);
        asio::co_spawn(*ioc, pump(upstream, client), asio::detached);
    }
};

ConnectProxy::ConnectProxy(std::string required_authorization) : impl_(std::make_unique<Impl>()) {
    impl_->required_authorization = std::move(required_authorization);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(*impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc->run(); });
}

ConnectProxy::~ConnectProxy() {
    asio::post(*impl_->ioc, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->ioc->stop();
    impl_->thread.join();
    impl_->acceptor_storage.reset();  // before the io_context its service lives in
    impl_->ioc.reset();
}

std::uint16_t ConnectProxy::port() const {
    return impl_->port;
}

std::string ConnectProxy::url() const {
    return "http://127.0.0.1:" + std::to_string(port());
}

std::vector<std::string> ConnectProxy::targets() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->targets;
}

std::size_t ConnectProxy::other_requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->other;
}

}  // namespace hrmaild::test
