#include "daemon/admin/server.hpp"

#include "daemon/admin/http_util.hpp"
#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

namespace hrmaild::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// What a route answers before it becomes an HTTP response.
struct Reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<http::field, std::string>> headers;
    /// Headers added by name, repeatable (a web application's Set-Cookie lines).
    std::vector<std::pair<std::string, std::string>> added_headers{};
};

/// A request target without its query: what logs show (a query may hold an OAuth code).
std::string path_only(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

Reply json_reply(int status, const json::value& body) {
    return {status, json::serialize(body), "application/json", {}, {}};
}

Reply error_reply(int status, std::string_view code, std::string_view message) {
    return json_reply(status, json::object{{"error", code}, {"message", message}});
}

/// The resources the server knows; each maps to one handler.
enum class Route {
    healthz,
    metrics,
    queue_list,
    queue_show,
    queue_action,
    status,
    reload,
    version,
    commands,
    directory,
    reconcile,
    events
};

struct Match {
    Route route;
    http::verb method;
    std::string id;      // queue_show, queue_action: the raw path parameter
    std::string action;  // queue_action: approve | reject | retry | cancel
};

std::optional<Match> match_route(const std::vector<std::string>& s) {
    auto is = [&](std::initializer_list<std::string_view> want) {
        return s.size() == want.size() && std::equal(want.begin(), want.end(), s.begin());
    };
    if (is({"healthz"}))
        return Match{Route::healthz, http::verb::get, {}, {}};
    if (is({"metrics"}))
        return Match{Route::metrics, http::verb::get, {}, {}};
    if (is({"events", "bitrix"}))
        return Match{Route::events, http::verb::post, {}, {}};
    if (s.size() < 3 || s[0] != "api" || s[1] != "v1")
        return std::nullopt;
    if (s.size() == 3) {
        if (s[2] == "queue")
            return Match{Route::queue_list, http::verb::get, {}, {}};
        if (s[2] == "status")
            return Match{Route::status, http::verb::get, {}, {}};
        if (s[2] == "reload")
            return Match{Route::reload, http::verb::post, {}, {}};
        if (s[2] == "version")
            return Match{Route::version, http::verb::get, {}, {}};
        if (s[2] == "commands")
            return Match{Route::commands, http::verb::get, {}, {}};
        if (s[2] == "directory")
            return Match{Route::directory, http::verb::get, {}, {}};
        if (s[2] == "reconcile")
            return Match{Route::reconcile, http::verb::get, {}, {}};
        return std::nullopt;
    }
    if (s[2] != "queue")
        return std::nullopt;
    if (s.size() == 4)
        return Match{Route::queue_show, http::verb::get, s[3], {}};
    static constexpr std::array<std::string_view, 4> actions{"approve", "reject", "retry",
                                                             "cancel"};
    if (s.size() == 5 && std::find(actions.begin(), actions.end(), s[4]) != actions.end())
        return Match{Route::queue_action, http::verb::post, s[3], s[4]};
    return std::nullopt;
}

std::string upper(std::string s) {
    for (auto& c : s)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return s;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && core::iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view health_name(Health h) {
    switch (h) {
        case Health::starting:
            return "starting";
        case Health::ready:
            return "ok";
        case Health::stopping:
            return "stopping";
    }
    return "?";
}

/// The field of a task event that names the task.
std::optional<std::string_view> task_id_field(std::string_view event) {
    if (event == "ONTASKADD" || event == "ONTASKUPDATE")
        return "data[FIELDS_AFTER][ID]";
    if (event == "ONTASKDELETE")
        return "data[FIELDS_BEFORE][ID]";
    if (event == "ONTASKCOMMENTADD" || event == "ONTASKCOMMENTUPDATE")
        return "data[FIELDS_AFTER][TASK_ID]";
    return std::nullopt;
}

/// The answer to a request that could not be read (`ec` is the parser's error, not an end
/// of stream or a time-out).
Reply unreadable_reply(const boost::system::error_code& ec, std::int64_t max_body_bytes) {
    if (ec == http::error::body_limit)
        return error_reply(
            413, "body_too_large",
            fmt::format("the request body exceeds admin.max_body_bytes ({})", max_body_bytes));
    if (ec == http::error::header_limit)
        return error_reply(431, "headers_too_large", "the request head is too large");
    return error_reply(400, "bad_request", "malformed HTTP request");
}

/// A reply as the HTTP response sent.
Response make_response(Reply reply, unsigned version, bool keep_alive) {
    Response res{static_cast<http::status>(reply.status), version};
    res.set(http::field::server, "hrmaild");
    res.set(http::field::content_type, reply.content_type);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    for (auto& [field, value] : reply.headers)
        res.set(field, value);
    for (auto& [name, value] : reply.added_headers)
        res.insert(name, value);
    res.body() = std::move(reply.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

/// The command a routed request runs (none for the routes answered without one).
std::optional<std::string> command_name(const Match& match) {
    switch (match.route) {
        case Route::queue_list:
            return "queue.list";
        case Route::queue_show:
            return "queue.show";
        case Route::queue_action:
            return "queue." + match.action;
        case Route::status:
            return "status";
        case Route::reload:
            return "reload";
        case Route::version:
            return "version";
        case Route::directory:
            return "directory";
        case Route::reconcile:
            return "reconcile";
        default:
            return std::nullopt;
    }
}

/// A request's route and its query arguments.
struct Routed {
    Match match;
    json::object args;
};

}  // namespace

struct AdminServer::Impl : std::enable_shared_from_this<AdminServer::Impl> {
    /// One open connection, so `stop()` can reach it.
    struct Connection {
        beast::tcp_stream* stream = nullptr;
        bool busy = false;
    };

    Impl(asio::any_io_executor ex, config::AdminConfig cfg, std::optional<Secret> app_token,
         CommandRegistry& cmds, Metrics& m, ServerLimits lim)
        : executor(std::move(ex))
        , config(std::move(cfg))
        , application_token(std::move(app_token))
        , commands(cmds)
        , metrics(m)
        , limits(lim)
        , acceptor(executor)
        , grace_timer(executor) {
        if (config.max_body_bytes <= 0)
            config.max_body_bytes = 65536;
    }

    asio::any_io_executor executor;
    config::AdminConfig config;
    std::optional<Secret> application_token;
    CommandRegistry& commands;
    Metrics& metrics;
    ServerLimits limits;
    tcp::acceptor acceptor;
    asio::steady_timer grace_timer;
    Health health = Health::starting;
    TaskEventCallback task_event;
    std::map<std::string, WebHandler, std::less<>> web;  ///< first path segment → application
    bool stopping = false;
    std::uint64_t next_connection = 0;
    std::map<std::uint64_t, Connection> connections;
    /// Timers of requests waiting for a command's answer, so the end of the shutdown grace
    /// period can release them (the commands themselves go on).
    std::uint64_t next_wait = 0;
    std::map<std::uint64_t, asio::steady_timer*> command_waits;

    void start();
    void stop();
    asio::awaitable<void> accept_loop();
    /// Unregisters a connection when its session ends, whichever way.
    struct Registration {
        Impl* impl;
        std::uint64_t id;
        Registration(Impl* i, std::uint64_t c) : impl(i), id(c) {}
        Registration(const Registration&) = delete;
        Registration& operator=(const Registration&) = delete;
        ~Registration() {
            impl->connections.erase(id);
            // The last connection gone: nothing left for the grace period to wait for.
            if (impl->stopping && impl->connections.empty())
                impl->grace_timer.cancel();
        }
    };
    /// How a failed read ends: the connection closes (`close`: gracefully; `abandon`: the
    /// stream is closed already), or `reply` goes back first.
    struct ReadFailure {
        enum class Next { close, abandon, answer } next = Next::close;
        Reply reply;
    };
    /// A reply and how to send it.
    struct Answer {
        Reply reply;
        unsigned version = 11;
        bool keep_alive = false;
    };

    /// One connection: read a request, answer it, again while it is kept alive.
    asio::awaitable<void> session(tcp::socket socket);
    asio::awaitable<std::string> answer_bytes(std::string bytes, asio::ip::address peer);
    /// What a read error means for the connection (logged when answered).
    ReadFailure read_failure(const boost::system::error_code& ec,
                             const http::request_parser<http::string_body>& parser,
                             const tcp::endpoint& peer) const;
    /// `handle`, timed and logged.
    asio::awaitable<Answer> serve(const Request& req, const tcp::endpoint& peer);
    /// Sends the answer; whether to keep the connection, or nothing when the write failed.
    asio::awaitable<std::optional<bool>> write_answer(beast::tcp_stream& stream, Answer answer,
                                                      const tcp::endpoint& peer);
    /// Half-closes, drains what the client still sends when `linger` (bounded), closes.
    asio::awaitable<void> close_gracefully(beast::tcp_stream& stream, bool linger,
                                           Connection& connection);
    /// One request: route, the routes without a token, authentication, the command.
    asio::awaitable<Reply> handle(const Request& req, const tcp::endpoint& peer);
    /// The route and query arguments of a request, or the error answer.
    std::variant<Reply, Routed> route(const Request& req) const;
    /// The answer of a route that needs no token (health, metrics, events), if it is one.
    std::optional<Reply> open_route(const Match& match, const Request& req,
                                    const tcp::endpoint& peer);
    /// For the ticket routes: the path's id (and the action's body) into `args`; the error
    /// answer when they are bad.
    std::optional<Reply> ticket_arguments(const Match& match, const Request& req,
                                          json::object& args) const;
    /// `GET /v1/commands`.
    Reply command_list() const;
    asio::awaitable<Reply> call_command(CommandRequest request);
    std::optional<std::string> authenticate(const Request& req) const;
    Reply unauthorized(const Request& req, const tcp::endpoint& peer) const;
    Reply handle_event(const Request& req, const tcp::endpoint& peer);
    /// The mounted web application for this request, if its first path segment names one.
    const WebHandler* web_handler(const Request& req) const;
    asio::awaitable<Reply> handle_web(const WebHandler& handler, const Request& req,
                                      const tcp::endpoint& peer);
};

void AdminServer::Impl::start() {
    auto hp = parse_host_port(config.listen);
    if (!hp)
        throw std::runtime_error(fmt::format("admin.listen: '{}' is not host:port", config.listen));
    boost::system::error_code ec;
    std::string host = hp->host == "localhost" ? "127.0.0.1" : hp->host;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        // A host name: resolve it once at start-up.
        tcp::resolver resolver(executor);
        auto results = resolver.resolve(host, std::to_string(hp->port), ec);
        if (ec || results.empty())
            throw std::runtime_error(
                fmt::format("admin.listen: cannot resolve '{}': {}", hp->host, ec.message()));
        address = results.begin()->endpoint().address();
    }
    if (!address.is_loopback() && !config.allow_non_loopback)
        throw std::runtime_error(fmt::format(
            "admin.listen: '{}' is not a loopback address; set admin.allow_non_loopback: true "
            "to listen there",
            hp->host));
    tcp::endpoint endpoint(address, hp->port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        throw std::runtime_error(
            fmt::format("admin.listen: cannot listen on {}: {}", config.listen, ec.message()));
    }
    auto local = acceptor.local_endpoint();
    log::info("ADMIN_LISTENING", {{"address", local.address().to_string()},
                                  {"port", local.port()},
                                  {"tokens", config.tokens.size()},
                                  {"events", application_token.has_value()}});
    if (config.tokens.empty())
        log::warn("ADMIN_NO_TOKENS", {{"hint", "add admin.tokens to use the API and the CLI"}});
    if (!address.is_loopback())
        log::warn("ADMIN_NOT_LOOPBACK", {{"address", local.address().to_string()}});
    asio::co_spawn(
        executor, [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
}

void AdminServer::Impl::stop() {
    if (stopping)
        return;
    stopping = true;
    health = Health::stopping;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::size_t busy = 0;
    for (auto& [id, c] : connections) {
        if (c.busy)
            ++busy;
        else
            c.stream->socket().close(ignored);
    }
    log::info("ADMIN_STOPPING", {{"busy_connections", busy}});
    if (busy == 0)
        return;
    grace_timer.expires_after(limits.shutdown_grace);
    grace_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec)
            return;
        boost::system::error_code ignored2;
        for (auto& [id, c] : self->connections)
            c.stream->socket().close(ignored2);
        for (auto& [id, timer] : self->command_waits)
            timer->cancel();
    });
}

asio::awaitable<void> AdminServer::Impl::accept_loop() {
    auto self = shared_from_this();
    asio::steady_timer backoff(executor);
    while (acceptor.is_open()) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open())
                break;
            // Usually out of file descriptors: pause instead of spinning.
            log::warn("ADMIN_ACCEPT_FAILED", {{"reason", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        if (connections.size() >= limits.max_connections) {
            log::warn("ADMIN_TOO_MANY_CONNECTIONS", {{"limit", limits.max_connections}});
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> AdminServer::Impl::session(tcp::socket socket) {
    auto self = shared_from_this();
    boost::system::error_code ec;
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    beast::tcp_stream stream(std::move(socket));
    const std::uint64_t id = next_connection++;
    connections[id] = Connection{&stream, false};
    Registration registration{this, id};

    beast::flat_buffer buffer;
    bool linger = false;  // the client may still be sending: drain before closing
    while (!stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.body_limit(static_cast<std::uint64_t>(config.max_body_bytes));
        connections[id].busy = false;
        stream.expires_after(limits.read_timeout);
        auto [read_ec, n] = co_await http::async_read(stream, buffer, parser, nothrow);
        connections[id].busy = true;

        Answer answer;
        if (read_ec) {
            auto failed = read_failure(read_ec, parser, peer);
            if (failed.next == ReadFailure::Next::close)
                break;
            if (failed.next == ReadFailure::Next::abandon)
                co_return;
            answer.reply = std::move(failed.reply);
            linger = true;
        } else {
            answer = co_await serve(parser.get(), peer);
        }
        metrics.admin_request(answer.reply.status).Increment();
        auto keep_alive = co_await write_answer(stream, std::move(answer), peer);
        if (!keep_alive)
            co_return;  // the write failed: nothing left to say on this connection
        if (!*keep_alive)
            break;
    }
    co_await close_gracefully(stream, linger, connections[id]);
}

AdminServer::Impl::ReadFailure AdminServer::Impl::read_failure(
    const boost::system::error_code& ec, const http::request_parser<http::string_body>& parser,
    const tcp::endpoint& peer) const {
    ReadFailure out;
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
        out.next = ReadFailure::Next::close;
        return out;
    }
    if (ec == beast::error::timeout) {
        // The stream is closed by now; a partial request means a slow or stuck client.
        if (parser.got_some())
            log::warn("ADMIN_READ_TIMEOUT", {{"peer", peer.address().to_string()},
                                             {"limit_ms", limits.read_timeout.count()}});
        out.next = ReadFailure::Next::abandon;
        return out;
    }
    if (!parser.got_some() && ec != http::error::body_limit && ec != http::error::header_limit) {
        out.next = ReadFailure::Next::close;
        return out;
    }
    out.reply = unreadable_reply(ec, config.max_body_bytes);
    out.next = ReadFailure::Next::answer;
    log::info("ADMIN_BAD_REQUEST", {{"peer", peer.address().to_string()},
                                    {"status", out.reply.status},
                                    {"reason", ec.message()}});
    return out;
}

asio::awaitable<AdminServer::Impl::Answer> AdminServer::Impl::serve(const Request& req,
                                                                    const tcp::endpoint& peer) {
    Answer answer;
    answer.version = req.version();
    answer.keep_alive = req.keep_alive();
    auto started = std::chrono::steady_clock::now();
    answer.reply = co_await handle(req, peer);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    log::debug("ADMIN_REQUEST", {{"method", std::string(req.method_string())},
                                 {"path", path_only(req.target())},
                                 {"status", answer.reply.status},
                                 {"ms", ms}});
    co_return answer;
}

asio::awaitable<std::optional<bool>> AdminServer::Impl::write_answer(beast::tcp_stream& stream,
                                                                     Answer answer,
                                                                     const tcp::endpoint& peer) {
    Response res =
        make_response(std::move(answer.reply), answer.version, answer.keep_alive && !stopping);
    stream.expires_after(limits.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, res, nothrow);
    if (write_ec) {
        if (write_ec == beast::error::timeout)
            log::warn("ADMIN_WRITE_TIMEOUT", {{"peer", peer.address().to_string()},
                                              {"limit_ms", limits.write_timeout.count()}});
        co_return std::nullopt;
    }
    co_return res.keep_alive();
}

asio::awaitable<void> AdminServer::Impl::close_gracefully(beast::tcp_stream& stream, bool linger,
                                                          Connection& connection) {
    // Half-close, then read what the client still sends (bounded), so an answer like 413
    // is not destroyed by a reset when unread request bytes are left behind.
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (linger && stream.socket().is_open()) {
        connection.busy = false;
        std::array<char, 4096> sink{};
        std::size_t drained = 0;
        stream.expires_after(std::chrono::seconds(1));
        while (drained < 1024 * 1024) {
            auto [drain_ec, got] = co_await stream.async_read_some(asio::buffer(sink), nothrow);
            if (drain_ec)
                break;
            drained += got;
        }
    }
    stream.socket().close(ec);
}

asio::awaitable<std::string> AdminServer::Impl::answer_bytes(std::string bytes,
                                                             asio::ip::address peer) {
    auto self = shared_from_this();
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(static_cast<std::uint64_t>(config.max_body_bytes));
    parser.eager(true);
    boost::system::error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done() && used < bytes.size()) {
        std::size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        if (n == 0 && !ec)
            break;
        used += n;
    }
    if (ec == http::error::need_more)
        ec = {};
    if (!ec && !parser.got_some())
        co_return std::string();  // a connection closed without a request gets no answer
    if (!ec && !parser.is_done())
        parser.put_eof(ec);  // what the peer closing its side does
    Reply reply;
    unsigned version = 11;
    bool keep_alive = false;
    if (ec || !parser.is_done()) {
        reply = unreadable_reply(ec ? ec : http::error::partial_message, config.max_body_bytes);
    } else {
        const Request& req = parser.get();
        version = req.version();
        keep_alive = req.keep_alive();
        reply = co_await handle(req, tcp::endpoint(peer, 0));
    }
    metrics.admin_request(reply.status).Increment();
    Response res = make_response(std::move(reply), version, keep_alive && !stopping);
    std::ostringstream out;
    out << res;
    co_return out.str();
}

std::optional<std::string> AdminServer::Impl::authenticate(const Request& req) const {
    auto it = req.find(http::field::authorization);
    if (it == req.end())
        return std::nullopt;
    std::string_view value = it->value();
    if (!iequals_prefix(value, "bearer "))
        return std::nullopt;
    std::string_view token = value.substr(7);
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ')
        token.remove_suffix(1);
    if (token.empty())
        return std::nullopt;
    // Compare against every token, without stopping at a match, so timing says nothing
    // about which (or whether one) matched.
    std::optional<std::string> who;
    for (const auto& t : config.tokens) {
        bool match = !t.token.value.empty() && t.token.value.equals(token);
        if (match && !who)
            who = t.name;
    }
    return who;
}

Reply AdminServer::Impl::unauthorized(const Request& req, const tcp::endpoint& peer) const {
    log::warn("ADMIN_AUTH_FAILED",
              {{"peer", peer.address().to_string()},
               {"path", path_only(req.target())},
               {"reason",
                req.find(http::field::authorization) == req.end() ? "no token" : "unknown token"}});
    Reply r = error_reply(401, "unauthorized", "a valid bearer token is required");
    r.headers.emplace_back(http::field::www_authenticate, "Bearer realm=\"hrmaild\"");
    return r;
}

const WebHandler* AdminServer::Impl::web_handler(const Request& req) const {
    if (web.empty())
        return nullptr;
    std::string_view target = req.target();
    if (target.empty() || target.front() != '/')
        return nullptr;
    target.remove_prefix(1);
    auto end = target.find_first_of("/?");
    auto it = web.find(target.substr(0, end));
    return it == web.end() ? nullptr : &it->second;
}

asio::awaitable<Reply> AdminServer::Impl::handle_web(const WebHandler& handler, const Request& req,
                                                     const tcp::endpoint& peer) {
    WebRequest w;
    w.method = std::string(req.method_string());
    w.target = std::string(req.target());
    auto header = [&](http::field f) {
        auto it = req.find(f);
        return it == req.end() ? std::string() : std::string(it->value());
    };
    w.cookie = header(http::field::cookie);
    w.content_type = header(http::field::content_type);
    w.origin = header(http::field::origin);
    w.body = req.body();
    w.peer = peer.address().to_string();
    WebReply out;
    try {
        out = co_await handler(std::move(w));
    } catch (const std::exception& e) {
        // The target may hold an OAuth code or state: only the path is logged.
        log::error("ADMIN_WEB_FAILED", {{"path", path_only(req.target())}, {"reason", e.what()}});
        co_return Reply{500, "Error interno.", "text/plain; charset=utf-8", {}, {}};
    }
    Reply r{out.status, std::move(out.body), std::move(out.content_type), {}, {}};
    r.added_headers = std::move(out.headers);
    co_return r;
}

asio::awaitable<Reply> AdminServer::Impl::handle(const Request& req, const tcp::endpoint& peer) {
    if (const auto* app = web_handler(req))
        co_return co_await handle_web(*app, req, peer);
    auto routed = route(req);
    if (auto* refused = std::get_if<Reply>(&routed))
        co_return std::move(*refused);
    auto& [match, args] = std::get<Routed>(routed);
    if (auto open = open_route(match, req, peer))
        co_return std::move(*open);

    auto principal = authenticate(req);
    if (!principal)
        co_return unauthorized(req, peer);
    if (match.route == Route::commands)
        co_return command_list();
    auto name = command_name(match);
    if (!name)
        co_return error_reply(404, "not_found", "no such resource");
    if (auto refused = ticket_arguments(match, req, args))
        co_return std::move(*refused);

    CommandRequest cmd;
    cmd.principal = *principal;
    auto via = req.find("X-Hrmaild-Via");
    cmd.via = via != req.end() && via->value() == "cli" ? "cli" : "api";
    cmd.name = std::move(*name);
    cmd.args = std::move(args);
    co_return co_await call_command(std::move(cmd));
}

std::variant<Reply, Routed> AdminServer::Impl::route(const Request& req) const {
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed)
        return error_reply(400, "bad_request", "malformed request target");
    const auto& url = *parsed;
    std::vector<std::string> segments;
    for (auto seg : url.segments())
        segments.push_back(std::string(seg));
    bool empty_segment = std::any_of(segments.begin(), segments.end(),
                                     [](const std::string& s) { return s.empty(); });
    auto match = empty_segment ? std::nullopt : match_route(segments);
    if (!match)
        return error_reply(404, "not_found", "no such resource");
    if (req.method() != match->method) {
        Reply r = error_reply(405, "method_not_allowed",
                              fmt::format("use {}", http::to_string(match->method)));
        r.headers.emplace_back(http::field::allow, std::string(http::to_string(match->method)));
        return r;
    }

    // Query parameters: only the queue list takes one (state).
    Routed routed{*match, {}};
    for (auto param : url.params()) {
        if (match->route != Route::queue_list || param.key != "state" ||
            routed.args.contains("state"))
            return error_reply(400, "bad_parameter",
                               fmt::format("unexpected query parameter '{}'", param.key));
        routed.args["state"] = param.value;
    }
    return routed;
}

std::optional<Reply> AdminServer::Impl::open_route(const Match& match, const Request& req,
                                                   const tcp::endpoint& peer) {
    switch (match.route) {
        case Route::healthz:
            return json_reply(health == Health::ready ? 200 : 503,
                              json::object{{"status", health_name(health)}});
        case Route::metrics:
            // Scrapers on the same host need no token; anyone else does.
            if (!peer.address().is_loopback() && !authenticate(req))
                return unauthorized(req, peer);
            return Reply{200, metrics.serialize(), std::string(Metrics::content_type), {}, {}};
        case Route::events:
            return handle_event(req, peer);
        default:
            return std::nullopt;
    }
}

std::optional<Reply> AdminServer::Impl::ticket_arguments(const Match& match, const Request& req,
                                                         json::object& args) const {
    if (match.route != Route::queue_show && match.route != Route::queue_action)
        return std::nullopt;
    auto id = parse_positive_id(match.id);
    if (!id)
        return error_reply(400, "bad_id", "the ticket id must be a positive integer");
    if (match.route == Route::queue_action && !req.body().empty()) {
        boost::system::error_code ec;
        auto body = json::parse(req.body(), ec);
        if (ec || !body.is_object())
            return error_reply(400, "bad_body", "the body must be a JSON object");
        args = std::move(body.as_object());
        if (auto* given = args.if_contains("id");
            given && !(given->is_int64() && given->as_int64() == *id))
            return error_reply(400, "bad_body", "the body's id differs from the path's");
    }
    args["id"] = *id;
    return std::nullopt;
}

Reply AdminServer::Impl::command_list() const {
    json::array list;
    for (const auto& info : commands.list()) {
        json::array arg_list;
        for (const auto& a : info.args)
            arg_list.push_back({{"name", a.name}, {"required", a.required}, {"help", a.help}});
        list.push_back({{"name", info.name}, {"help", info.help}, {"args", arg_list}});
    }
    return json_reply(200, json::object{{"commands", list}});
}

asio::awaitable<Reply> AdminServer::Impl::call_command(CommandRequest request) {
    // The command runs as its own coroutine so that a time-out answers the client without
    // interrupting it.
    struct Outcome {
        explicit Outcome(asio::any_io_executor ex) : timer(std::move(ex)) {}
        std::optional<CommandResult> result;
        asio::steady_timer timer;
    };
    auto outcome = std::make_shared<Outcome>(executor);
    outcome->timer.expires_after(limits.handler_timeout);
    std::string name = request.name;
    std::string principal = request.principal;
    asio::co_spawn(executor, commands.run(std::move(request)),
                   [outcome](std::exception_ptr e, CommandResult r) {
                       if (e)
                           r = error_result(500, "internal", "the command failed");
                       outcome->result = std::move(r);
                       outcome->timer.cancel();
                   });
    bool abandoned = false;  // released by the end of the shutdown grace period
    if (!outcome->result) {
        const std::uint64_t wait_id = next_wait++;
        command_waits[wait_id] = &outcome->timer;
        auto [wait_ec] = co_await outcome->timer.async_wait(nothrow);
        command_waits.erase(wait_id);
        abandoned = wait_ec == asio::error::operation_aborted;
    }
    if (!outcome->result && abandoned) {
        log::warn("ADMIN_COMMAND_TIMEOUT", {{"command", name},
                                            {"principal", principal},
                                            {"limit_ms", limits.shutdown_grace.count()},
                                            {"phase", "shutdown"}});
        co_return error_reply(503, "stopping", "the daemon is stopping; the command may complete");
    }
    if (!outcome->result) {
        log::warn("ADMIN_COMMAND_TIMEOUT", {{"command", name},
                                            {"principal", principal},
                                            {"limit_ms", limits.handler_timeout.count()},
                                            {"phase", "handler"}});
        co_return error_reply(504, "timeout",
                              "the command did not answer in time; it may still complete");
    }
    log::info("ADMIN_COMMAND",
              {{"command", name}, {"principal", principal}, {"status", outcome->result->status}});
    co_return json_reply(outcome->result->status, outcome->result->body.is_null()
                                                      ? json::value(json::object{})
                                                      : outcome->result->body);
}

Reply AdminServer::Impl::handle_event(const Request& req, const tcp::endpoint& peer) {
    auto form = parse_form(req.body());
    if (!form)
        return error_reply(400, "bad_body", "the body is not form-encoded");
    std::string event;
    if (auto it = form->find("event"); it != form->end())
        event = upper(it->second);
    // The sender proves itself with the token shown when the outgoing webhook was created.
    auto token = form->find("auth[application_token]");
    bool ok = application_token.has_value() && !application_token->empty() &&
              token != form->end() && application_token->equals(token->second);
    if (!ok) {
        log::warn("ADMIN_EVENT_REJECTED",
                  {{"peer", peer.address().to_string()},
                   {"event", event},
                   {"reason", !application_token     ? "bitrix.application_token_file is not set"
                              : token == form->end() ? "no application token"
                                                     : "wrong application token"}});
        return error_reply(403, "forbidden", "unknown sender");
    }
    auto field = task_id_field(event);
    if (!field) {
        log::debug("ADMIN_EVENT_IGNORED", {{"event", event}});
        return json_reply(200, json::object{{"status", "ignored"}});
    }
    std::optional<std::int64_t> task_id;
    if (auto it = form->find(std::string(*field)); it != form->end())
        task_id = parse_positive_id(it->second);
    if (!task_id) {
        log::warn("ADMIN_EVENT_BAD", {{"event", event}, {"missing", *field}});
        return error_reply(400, "bad_event",
                           fmt::format("{} needs a task id in {}", event, *field));
    }
    log::info("ADMIN_EVENT_RECEIVED", {{"event", event}, {"task_id", *task_id}});
    if (task_event) {
        // After the answer is on its way: Bitrix throttles slow receivers.
        asio::post(executor, [cb = task_event, event, id = *task_id] {
            try {
                cb(event, id);
            } catch (const std::exception& e) {
                log::error("ADMIN_EVENT_CALLBACK_FAILED",
                           {{"event", event}, {"task_id", id}, {"reason", e.what()}});
            }
        });
    }
    return json_reply(200, json::object{{"status", "ok"}});
}

AdminServer::AdminServer(asio::any_io_executor executor, config::AdminConfig config,
                         std::optional<Secret> application_token, CommandRegistry& commands,
                         Metrics& metrics, ServerLimits limits)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config),
                                   std::move(application_token), commands, metrics, limits)) {}

AdminServer::~AdminServer() {
    boost::system::error_code ignored;
    impl_->stopping = true;
    impl_->acceptor.close(ignored);
    impl_->grace_timer.cancel();
    for (auto& [id, c] : impl_->connections)
        c.stream->socket().close(ignored);
}

void AdminServer::start() {
    impl_->start();
}

std::uint16_t AdminServer::local_port() const {
    return local_endpoint().port();
}

tcp::endpoint AdminServer::local_endpoint() const {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? tcp::endpoint{} : ep;
}

void AdminServer::set_health(Health health) {
    impl_->health = health;
}

Health AdminServer::health() const {
    return impl_->health;
}

void AdminServer::on_task_event(TaskEventCallback callback) {
    impl_->task_event = std::move(callback);
}

void AdminServer::mount_web(std::string segment, WebHandler handler) {
    impl_->web[std::move(segment)] = std::move(handler);
}

void AdminServer::stop() {
    impl_->stop();
}

std::size_t AdminServer::connection_count() const {
    return impl_->connections.size();
}

asio::awaitable<std::string> AdminServer::answer_bytes(std::string bytes, asio::ip::address peer) {
    co_return co_await impl_->answer_bytes(std::move(bytes), peer);
}

}  // namespace hrmaild::admin
