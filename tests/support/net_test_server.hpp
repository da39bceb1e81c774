#pragma once
/// A scripted HTTP/1.1 test server for client tests (plain or TLS), on 127.0.0.1:0, running
/// its own io_context on its own thread. It counts connections and records every request,
/// so tests can assert on what went over the wire (keep-alive reuse, bodies, headers).
///
/// Shared by the net, bitrix and zoho client tests: link the `hrmaild_test_net` target.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hrmaild::test {

/// One request as the test server saw it.
struct ServerRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< names lower-cased; repeats joined by ", "
    std::string body;
    std::size_t connection = 0;  ///< which accepted connection (1-based) carried it

    /// A header value (name lower-case), or empty.
    [[nodiscard]] std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// What the server does with one request.
struct ServerReply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    bool keep_alive = true;              ///< false: `Connection: close`, then close
    std::chrono::milliseconds delay{0};  ///< wait before answering
    bool hang = false;                   ///< never answer (the connection stays open)
    bool drop = false;                   ///< close the socket without answering
    bool chunked = false;                ///< send the body with chunked transfer coding

    /// A 200 answer with a body.
    static ServerReply ok(std::string body) {
        ServerReply r;
        r.body = std::move(body);
        return r;
    }
    /// An answer of any status.
    static ServerReply status_only(int status, std::string body = {}) {
        ServerReply r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
};

/// TLS files for the server: a certificate chain and its key (PEM).
struct ServerTls {
    std::filesystem::path cert_chain;
    std::filesystem::path key;
};

/// The server. Stops and joins its thread on destruction.
class NetTestServer {
  public:
    using Handler = std::function<ServerReply(const ServerRequest&)>;

    /// How connections are treated before HTTP starts.
    enum class Mode {
        http,         ///< normal: TLS handshake if configured, then HTTP
        accept_only,  ///< accept and hold the socket; never read or write (handshake and
                      ///< read deadlines fire on the client)
    };

    /// Starts serving on 127.0.0.1 with an ephemeral port.
    explicit NetTestServer(Handler handler, std::optional<ServerTls> tls = std::nullopt,
                           Mode mode = Mode::http);
    ~NetTestServer();
    NetTestServer(const NetTestServer&) = delete;
    NetTestServer& operator=(const NetTestServer&) = delete;

    /// The bound port.
    [[nodiscard]] std::uint16_t port() const { return port_; }
    /// `http(s)://<host>:<port><path>`; host defaults to 127.0.0.1.
    [[nodiscard]] std::string url(const std::string& path,
                                  const std::string& host = "127.0.0.1") const;
    /// Accepted TCP connections so far.
    [[nodiscard]] std::size_t connections() const { return connections_.load(); }
    /// Requests handled so far.
    [[nodiscard]] std::size_t request_count() const;
    /// Copies of every request handled so far.
    [[nodiscard]] std::vector<ServerRequest> requests() const;
    /// The SNI host name of every TLS handshake, in order ("" when none was sent).
    [[nodiscard]] std::vector<std::string> sni_names() const;
    /// Closes every connection the server holds open (idle keep-alive ones included).
    void close_all_connections();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> connections_{0};
    bool tls_ = false;
};

/// A port on 127.0.0.1 whose listen queue is full, so new connections are never completed
/// (the kernel drops their SYNs): the client's connect deadline fires. Linux behaviour.
class FullBacklogListener {
  public:
    FullBacklogListener();
    ~FullBacklogListener();
    FullBacklogListener(const FullBacklogListener&) = delete;
    FullBacklogListener& operator=(const FullBacklogListener&) = delete;
    /// The bound port.
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_{ioc_};
    std::vector<boost::asio::ip::tcp::socket> fillers_;
    std::uint16_t port_ = 0;
};

}  // namespace hrmaild::test
