#include "tests/integration/sandbox/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>
#include <sys/time.h>

namespace hrmaild::sandbox::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

void set_timeouts(tcp::socket& socket) {
    timeval tv{};
    tv.tv_sec = 15;
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

http::request<http::string_body> make_request(
    unsigned short port, const std::string& method, const std::string& target,
    const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::user_agent, "hrmaild-sandbox-test");
    bool has_type = false;
    for (const auto& [k, v] : headers) {
        req.set(k, v);
        if (beast::iequals(k, "content-type"))
            has_type = true;
    }
    if (!body.empty() && !has_type)
        req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    return req;
}

HttpResult to_result(http::response<http::string_body>& res) {
    HttpResult r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
    }
    return r;
}

}  // namespace

boost::json::value HttpResult::json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    return ec ? boost::json::value() : v;
}

HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
    HttpResult result;
    try {
        asio::io_context io;
        tcp::socket socket(io);
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        set_timeouts(socket);
        auto req = make_request(port, method, target, body, headers);
        http::write(socket, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(socket, buffer, parser);
        result = to_result(parser.get());
        boost::system::error_code ec;
        socket.shutdown(tcp::socket::shutdown_both, ec);
    } catch (const std::exception& e) {
        result.status = 0;
        result.error = e.what();
    }
    return result;
}

HttpResult https_request(unsigned short port, const std::string& ca_file, const std::string& method,
                         const std::string& target, const std::string& body) {
    HttpResult result;
    try {
        asio::io_context io;
        ssl::context ctx(ssl::context::tls_client);
        ctx.load_verify_file(ca_file);
        ctx.set_verify_mode(ssl::verify_peer);
        ssl::stream<tcp::socket> stream(io, ctx);
        stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        set_timeouts(stream.next_layer());
        stream.handshake(ssl::stream_base::client);
        auto req = make_request(port, method, target, body, {});
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        result = to_result(res);
        boost::system::error_code ec;
        stream.shutdown(ec);
    } catch (const std::exception& e) {
        result.status = 0;
        result.error = e.what();
    }
    return result;
}

std::vector<HttpResult> http_keep_alive(unsigned short port,
                                        const std::vector<std::string>& get_targets) {
    std::vector<HttpResult> out;
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    set_timeouts(socket);
    beast::flat_buffer buffer;
    for (const auto& target : get_targets) {
        try {
            auto req = make_request(port, "GET", target, {}, {});
            req.keep_alive(true);
            http::write(socket, req);
            http::response<http::string_body> res;
            http::read(socket, buffer, res);
            out.push_back(to_result(res));
        } catch (const std::exception& e) {
            HttpResult r;
            r.error = e.what();
            out.push_back(r);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> zoho_auth(const std::string& token) {
    return {{"Authorization", "Zoho-oauthtoken " + token}};
}

}  // namespace hrmaild::sandbox::test
