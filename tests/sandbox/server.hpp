#pragma once
/// The sandbox's HTTP(S) server: Boost.Beast on C++20 coroutines, one io_context thread.
///
/// Every request goes to `Sandbox::handle` (routing by prefix: `/rest/` Bitrix24, `/api/` and
/// `/oauth/v2/` Zoho, `/_sandbox/` control). Keep-alive, a body size limit, an idle timeout,
/// optional TLS. After each call the Bitrix events it raised are POSTed once to the event URL.
#include "tests/sandbox/sandbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>

namespace hrmaild::sandbox {

/// Where and how the server listens.
struct ServerOptions {
    std::string host = "127.0.0.1";            ///< address to bind
    unsigned short port = 0;                   ///< 0 picks a free port
    std::string tls_cert;                      ///< PEM certificate chain; empty: plain HTTP
    std::string tls_key;                       ///< PEM private key
    std::size_t body_limit = 8 * 1024 * 1024;  ///< larger bodies get 413
    std::chrono::seconds idle_timeout{120};    ///< keep-alive connection idle limit
    std::chrono::seconds event_timeout{5};     ///< per outgoing event delivery
};

/// Splits `host:port` (or `[v6]:port`); false when malformed.
bool parse_listen(const std::string& text, std::string& host, unsigned short& port);

/// Writes `content` to `file` atomically (a temp file in the same folder, then rename).
bool write_file_atomic(const std::filesystem::path& file, const std::string& content,
                       std::string& error);

/// The HTTP server.
class Server {
  public:
    /// The server runs on `io` and calls `sandbox` from that thread only.
    Server(boost::asio::io_context& io, Sandbox& sandbox, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds, listens and starts accepting; throws std::runtime_error on failure (bad
    /// address, port in use, unreadable certificate).
    void start();
    /// Stops accepting (open connections end with the io_context).
    void stop();

    /// The bound port (after start).
    [[nodiscard]] unsigned short port() const;
    /// Whether connections are TLS.
    [[nodiscard]] bool tls() const;
    /// `http://127.0.0.1:PORT` (https with TLS).
    [[nodiscard]] std::string base_url() const;
    /// The ready file's JSON: bitrix_webhook_url, zoho_api_url, zoho_accounts_url, control_url.
    [[nodiscard]] boost::json::object endpoints() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

/// A sandbox with its server on a background thread: what in-process tests use.
class BackgroundSandbox {
  public:
    /// Starts listening (127.0.0.1:0 by default) and serving; throws like Server::start.
    explicit BackgroundSandbox(ServerOptions options = {});
    /// Stops the server and joins the thread.
    ~BackgroundSandbox();
    BackgroundSandbox(const BackgroundSandbox&) = delete;
    BackgroundSandbox& operator=(const BackgroundSandbox&) = delete;

    /// Runs `f(sandbox)` on the server thread and returns its result (the only safe way to
    /// touch the sandbox directly while it serves).
    template <typename F>
    auto call(F&& f) -> std::invoke_result_t<F, Sandbox&> {
        using R = std::invoke_result_t<F, Sandbox&>;
        std::promise<R> promise;
        auto future = promise.get_future();
        post([&]() {
            try {
                if constexpr (std::is_void_v<R>) {
                    f(sandbox_);
                    promise.set_value();
                } else {
                    promise.set_value(f(sandbox_));
                }
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        });
        return future.get();
    }
    /// Loads seed data on the server thread (see Sandbox::load_seed).
    void seed(const SeedData& seed, bool append = false);

    /// The bound port.
    [[nodiscard]] unsigned short port() const { return server_->port(); }
    /// `http://127.0.0.1:PORT`.
    [[nodiscard]] std::string base_url() const { return server_->base_url(); }
    /// The ready file's JSON.
    [[nodiscard]] boost::json::object endpoints() const;

  private:
    void post(std::function<void()> fn);

    boost::asio::io_context io_;
    Sandbox sandbox_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

}  // namespace hrmaild::sandbox
