#pragma once
/// The admin HTTP server (STYLE.md point 9): the JSON API over the command registry, the
/// Bitrix24 outgoing-event receiver, /healthz and /metrics. Boost.Beast on C++20 coroutines,
/// on the daemon's one io_context thread. Strict by default: loopback only, a bearer token on
/// every API call, a body size limit, read/handler/write time limits, 405 with `Allow` for a
/// wrong method, checked path parameters. Routes and answers: docs/admin-api.md.
#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/config/config.hpp"
#include "daemon/core/secret.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::admin {

/// What GET /healthz reports: 200 only while `ready`.
enum class Health { starting, ready, stopping };

/// Time and size limits that do not live in the config file.
struct ServerLimits {
    /// A whole request, headers and body, must arrive within this (also the idle wait for
    /// the next request on a kept-alive connection). Stops slow clients holding a connection.
    std::chrono::milliseconds read_timeout{10'000};
    /// A command's answer. Past it the client gets 504 `timeout`; the command is not
    /// interrupted (a half-done approval is worse than a late one) and finishes on its own.
    std::chrono::milliseconds handler_timeout{30'000};
    /// Writing one response.
    std::chrono::milliseconds write_timeout{10'000};
    /// How long `stop()` lets connections that are mid-request finish before closing them.
    std::chrono::milliseconds shutdown_grace{2'000};
    /// Largest request head (request line and headers); larger → 431.
    std::size_t max_header_bytes = 16 * 1024;
    /// Open connections at most; more are closed at once (logged).
    std::size_t max_connections = 64;
};

/// Called for each accepted Bitrix24 task event (ONTASKADD, ONTASKUPDATE, ONTASKDELETE,
/// ONTASKCOMMENTADD, ONTASKCOMMENTUPDATE) with the event name and the task id, so the daemon
/// reads that task at once instead of at the next poll. Runs on the io_context thread after
/// the request was answered; it should only schedule work.
using TaskEventCallback = std::function<void(std::string event, std::int64_t task_id)>;

/// A request for a mounted web application (the IT console), as the admin server read it.
struct WebRequest {
    std::string method;        ///< GET, POST, ...
    std::string target;        ///< path and query, as sent
    std::string cookie;        ///< the Cookie header, or empty
    std::string content_type;  ///< the Content-Type header, or empty
    std::string origin;        ///< the Origin header, or empty
    std::string body;
    std::string peer;  ///< the client's address (the proxy's, behind one)
};

/// What a mounted web application answers. The server adds `Server`, `Cache-Control:
/// no-store` and `X-Content-Type-Options: nosniff` as on every answer.
struct WebReply {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< e.g. Set-Cookie, Location
};

/// A web application served under one first path segment (`/consola/...`); runs on the
/// io_context thread. An exception answers 500 (logged as ADMIN_WEB_FAILED).
using WebHandler = std::function<boost::asio::awaitable<WebReply>(WebRequest)>;

/// The admin server. Construct, register commands in the registry, `start()`, run the
/// io_context; `stop()` on shutdown and keep running the io_context until it returns.
/// All members must be called on the io_context thread.
class AdminServer {
  public:
    /// `commands` and `metrics` must outlive every connection (keep them until the
    /// io_context has stopped). `application_token` is `bitrix.application_token`; without
    /// it every event is refused (403).
    AdminServer(boost::asio::any_io_executor executor, config::AdminConfig config,
                std::optional<Secret> application_token, CommandRegistry& commands,
                Metrics& metrics, ServerLimits limits = {});
    /// Closes the listener and connections at once (prefer `stop()` and a drained io_context).
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    /// Binds `admin.listen` and starts accepting. Throws std::runtime_error naming
    /// `admin.listen` when the address is invalid, not loopback (without
    /// `allow_non_loopback`) or cannot be bound (start-up error, STYLE.md point 2).
    void start();
    /// The bound port (useful with port 0 in tests); 0 before `start()`.
    [[nodiscard]] std::uint16_t local_port() const;
    /// The bound address and port.
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

    /// Sets what /healthz reports (starting at construction).
    void set_health(Health health);
    /// What /healthz reports.
    [[nodiscard]] Health health() const;

    /// Sets the Bitrix24 task-event callback (replacing any earlier one).
    void on_task_event(TaskEventCallback callback);

    /// Serves every request whose first path segment is `segment` (e.g. `consola`) with
    /// `handler`, before the API routes and without the bearer token (the application does its
    /// own authentication). Call before `start()`.
    void mount_web(std::string segment, WebHandler handler);

    /// Stops accepting, closes idle connections now, lets busy ones send their answer (with
    /// `Connection: close`) and closes what is left after `shutdown_grace`. Reports /healthz
    /// `stopping`. Idempotent.
    void stop();
    /// Open connections right now (tests, status).
    [[nodiscard]] std::size_t connection_count() const;

    /// Answers one request given as raw bytes, without a socket: parsed with the limits a
    /// connection has, routed and answered as a request from `peer` would be, and returned
    /// as the HTTP response bytes (the fuzz target tests/fuzz/admin_request_fuzz.cpp). Bytes
    /// that hold no request at all get no answer (""), as a connection closed at once.
    boost::asio::awaitable<std::string> answer_bytes(std::string bytes,
                                                     boost::asio::ip::address peer);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace hrmaild::admin
