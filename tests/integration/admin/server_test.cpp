// The admin server over real loopback sockets: raw HTTP in, status codes and JSON out.
#include "daemon/log/log.hpp"
#include "tests/integration/admin/server_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <stdexcept>

namespace hrmaild::admin::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kCamilo = "tok-camilo-0123456789";
const std::string kDiana = "tok-diana-9876543210";
const std::string kAppToken = "app-token-CANARY-5f2e";

config::AdminConfig admin_config(std::string listen = "127.0.0.1:0") {
    config::AdminConfig c;
    c.listen = std::move(listen);
    c.tokens.push_back({"camilo", {"/secrets/admin-camilo", Secret(kCamilo)}});
    c.tokens.push_back({"diana", {"/secrets/admin-diana", Secret(kDiana)}});
    c.max_body_bytes = 1024;
    return c;
}

ServerLimits fast_limits() {
    ServerLimits l;
    l.read_timeout = 300ms;
    l.handler_timeout = 300ms;
    l.write_timeout = 1s;
    l.shutdown_grace = 500ms;
    return l;
}

/// One HTTP/1.1 request that closes the connection after the answer.
std::string request(const std::string& method, const std::string& target,
                    const std::string& token = "", const std::string& body = "",
                    const std::string& extra = "") {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty())
        r += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST")
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += extra;
    return r + "\r\n" + body;
}

class AdminServerTest : public ::testing::Test {
  protected:
    AdminServerTest() : fx(admin_config(), Secret(kAppToken), fast_limits()) {}

    RawResponse send(const std::string& raw) {
        auto r = http_exchange(fx.port(), raw);
        if (!r)
            throw std::runtime_error("no response");
        return *r;
    }
    json::value body_of(const RawResponse& r) { return json::parse(r.body); }
    std::string error_of(const RawResponse& r) {
        return std::string(body_of(r).at("error").as_string());
    }

    log::CaptureSink capture;  // before the fixture: it sees the server's start-up too
    ServerFixture fx;
};

TEST_F(AdminServerTest, HealthzFollowsTheSettableState) {
    auto r = send(request("GET", "/healthz"));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(body_of(r).at("status"), "starting");
    fx.on_io([&] { fx.server().set_health(Health::ready); });
    r = send(request("GET", "/healthz"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body_of(r), json::parse(R"({"status":"ok"})"));
    EXPECT_EQ(r.headers["content-type"], "application/json");
    fx.on_io([&] { fx.server().set_health(Health::stopping); });
    EXPECT_EQ(send(request("GET", "/healthz")).status, 503);
    EXPECT_TRUE(capture.has_event("ADMIN_LISTENING"));
}

TEST_F(AdminServerTest, ApiNeedsAKnownBearerToken) {
    auto r = send(request("GET", "/api/v1/queue"));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error_of(r), "unauthorized");
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer realm=\"hrmaild\"");

    const std::string wrong = "tok-camilo-0123456788";  // same length, one byte off
    r = send(request("GET", "/api/v1/queue", wrong));
    EXPECT_EQ(r.status, 401);
    r = send(request("GET", "/api/v1/queue", "", "", "Authorization: Basic " + kCamilo + "\r\n"));
    EXPECT_EQ(r.status, 401);
    r = send(request("POST", "/api/v1/queue/5/approve", kCamilo.substr(0, 10), "{}"));
    EXPECT_EQ(r.status, 401);

    EXPECT_TRUE(capture.has_event("ADMIN_AUTH_FAILED"));
    EXPECT_EQ(capture.text().find(wrong), std::string::npos) << "a presented token was logged";
    EXPECT_EQ(capture.text().find(kCamilo), std::string::npos);
}

TEST_F(AdminServerTest, ThePrincipalIsTheTokensName) {
    auto r = send(request("GET", "/api/v1/queue?state=awaiting_approval", kDiana));
    ASSERT_EQ(r.status, 200) << r.body;
    auto b = body_of(r);
    EXPECT_EQ(b.at("name"), "queue.list");
    EXPECT_EQ(b.at("principal"), "diana");
    EXPECT_EQ(b.at("via"), "api");
    EXPECT_EQ(b.at("args"), json::parse(R"({"state":"awaiting_approval"})"));

    r = send(request("POST", "/api/v1/queue/42/approve", kCamilo, R"({"plan_hash":"ab12"})",
                     "X-Hrmaild-Via: cli\r\nContent-Type: application/json\r\n"));
    ASSERT_EQ(r.status, 200) << r.body;
    b = body_of(r);
    EXPECT_EQ(b.at("name"), "queue.approve");
    EXPECT_EQ(b.at("principal"), "camilo");
    EXPECT_EQ(b.at("via"), "cli");
    EXPECT_EQ(b.at("args"), json::parse(R"({"plan_hash":"ab12","id":42})"));
    EXPECT_TRUE(capture.has_event("ADMIN_COMMAND"));
}

TEST_F(AdminServerTest, EveryRouteReachesItsCommand) {
    struct Case {
        const char* method;
        const char* target;
        const char* body;
        const char* command;
    };
    const Case cases[] = {
        {"GET", "/api/v1/queue", "", "queue.list"},
        {"GET", "/api/v1/queue/7", "", "queue.show"},
        {"POST", "/api/v1/queue/7/approve", "", "queue.approve"},
        {"POST", "/api/v1/queue/7/reject", R"({"reason":"duplicada"})", "queue.reject"},
        {"POST", "/api/v1/queue/7/retry", "", "queue.retry"},
        {"GET", "/api/v1/status", "", "status"},
        {"POST", "/api/v1/reload", "", "reload"},
        {"GET", "/api/v1/version", "", "version"},
    };
    for (const auto& c : cases) {
        auto r = send(request(c.method, c.target, kCamilo, c.body));
        EXPECT_EQ(r.status, 200) << c.target << " " << r.body;
        if (r.status == 200) {
            EXPECT_EQ(body_of(r).at("name"), c.command) << c.target;
        }
    }
    auto r = send(request("GET", "/api/v1/commands", kCamilo));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(body_of(r).at("commands").as_array().size(), standard_command_names().size());
}

TEST_F(AdminServerTest, WrongMethodIs405WithAllow) {
    auto r = send(request("DELETE", "/api/v1/queue", kCamilo));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers["allow"], "GET");
    EXPECT_EQ(error_of(r), "method_not_allowed");
    r = send(request("GET", "/api/v1/queue/5/approve", kCamilo));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers["allow"], "POST");
    r = send(request("POST", "/healthz"));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers["allow"], "GET");
    r = send(request("GET", "/events/bitrix"));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers["allow"], "POST");
}

TEST_F(AdminServerTest, BadIdsAndBodiesAre400) {
    for (const char* id : {"abc", "0", "-1", "007", "1.5", "99999999999999999999", "%2D1"}) {
        auto r = send(request("GET", std::string("/api/v1/queue/") + id, kCamilo));
        EXPECT_EQ(r.status, 400) << id;
        EXPECT_EQ(error_of(r), "bad_id") << id;
    }
    auto r = send(request("POST", "/api/v1/queue/5/reject", kCamilo, "{}"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_of(r), "missing_argument");
    r = send(request("POST", "/api/v1/queue/5/reject", kCamilo, R"({"reason":"  "})"));
    EXPECT_EQ(error_of(r), "bad_argument");
    r = send(request("POST", "/api/v1/queue/5/approve", kCamilo, "[1,2]"));
    EXPECT_EQ(error_of(r), "bad_body");
    r = send(request("POST", "/api/v1/queue/5/approve", kCamilo, "{not json"));
    EXPECT_EQ(error_of(r), "bad_body");
    r = send(request("POST", "/api/v1/queue/5/approve", kCamilo, R"({"id":6})"));
    EXPECT_EQ(error_of(r), "bad_body");
    r = send(request("POST", "/api/v1/queue/5/approve", kCamilo, R"({"force":true})"));
    EXPECT_EQ(error_of(r), "unknown_argument");
    r = send(request("GET", "/api/v1/queue?state=done&x=1", kCamilo));
    EXPECT_EQ(error_of(r), "bad_parameter");
    r = send(request("GET", "/api/v1/status?verbose=1", kCamilo));
    EXPECT_EQ(error_of(r), "bad_parameter");
}

TEST_F(AdminServerTest, UnknownPathsAre404) {
    for (const char* target : {"/", "/api", "/api/v1", "/api/v2/queue", "/api/v1/queue/5/delete",
                               "/api/v1/queue/5/approve/x", "/api/v1/queue/", "/metrics/x"}) {
        auto r = send(request("GET", target, kCamilo));
        EXPECT_EQ(r.status, 404) << target;
        EXPECT_EQ(error_of(r), "not_found") << target;
    }
}

TEST(AdminServerRegistry, UnregisteredCommandIs404) {
    CommandRegistry none;
    Metrics metrics;
    boost::asio::io_context io;
    AdminServer server(io.get_executor(), admin_config(), std::nullopt, none, metrics,
                       fast_limits());
    server.start();
    auto port = server.local_port();
    std::thread t([&] { io.run_for(3s); });
    auto r = http_exchange(port, request("GET", "/api/v1/version", kCamilo));
    boost::asio::post(io, [&] { server.stop(); });
    t.join();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(json::parse(r->body).at("error"), "unknown_command");
}

TEST_F(AdminServerTest, LargeBodyIs413) {
    std::string big(4096, 'x');
    auto r = send(request("POST", "/api/v1/queue/5/reject", kCamilo, big));
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(error_of(r), "body_too_large");
    // Announced but not sent: refused from the header alone.
    r = send("POST /api/v1/queue/5/reject HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kCamilo +
             "\r\nContent-Length: 50000000\r\n\r\n{");
    EXPECT_EQ(r.status, 413);
}

TEST_F(AdminServerTest, HugeHeadersAre431) {
    auto r =
        send(request("GET", "/healthz", "", "", "X-Junk: " + std::string(20000, 'j') + "\r\n"));
    EXPECT_EQ(r.status, 431);
}

TEST_F(AdminServerTest, SlowClientIsCutOffByTheReadTimeLimit) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), fx.port()});
    timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string head =
        "POST /api/v1/queue/5/approve HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kCamilo +
        "\r\nContent-Length: 10\r\n\r\n";
    boost::asio::write(s, boost::asio::buffer(head));
    auto started = std::chrono::steady_clock::now();
    char c = 0;
    boost::system::error_code ec;
    auto n = s.read_some(boost::asio::buffer(&c, 1), ec);
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(n, 0u);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
        << ec.message();
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 3s);
    for (int i = 0; i < 100 && !capture.has_event("ADMIN_READ_TIMEOUT"); ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(capture.has_event("ADMIN_READ_TIMEOUT"));
}

TEST_F(AdminServerTest, SlowCommandGets504AndFinishesOnItsOwn) {
    auto started = std::chrono::steady_clock::now();
    auto r = send(request("POST", "/api/v1/queue/5/cancel", kCamilo));
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(error_of(r), "timeout");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
    EXPECT_TRUE(capture.has_event("ADMIN_COMMAND_TIMEOUT"));
}

TEST_F(AdminServerTest, MetricsInTextFormatWithoutToken) {
    fx.on_io([&] {
        fx.metrics().queue_depth().Set(3);
        fx.metrics().up().Set(1);
    });
    send(request("GET", "/api/v1/queue"));  // a 401 to count
    auto r = send(request("GET", "/metrics"));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.body.find("# TYPE hrmaild_queue_depth gauge\nhrmaild_queue_depth 3"),
              std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find("hrmaild_up 1"), std::string::npos);
    EXPECT_NE(r.body.find("hrmaild_admin_requests_total{status=\"401\"} 1"), std::string::npos)
        << r.body;
}

std::string event_body(const std::string& event, const std::string& token,
                       const std::string& fields) {
    return "event=" + event + "&event_handler_id=9&" + fields +
           "&ts=1760000000&auth%5Bdomain%5D=x.bitrix24.com&auth%5Bmember_id%5D=abc" +
           (token.empty() ? "" : "&auth%5Bapplication_token%5D=" + token);
}

std::string form_post(const std::string& body) {
    return request("POST", "/events/bitrix", "", body,
                   "Content-Type: application/x-www-form-urlencoded\r\n");
}

TEST_F(AdminServerTest, BitrixEventsReachTheCallback) {
    auto r = send(
        form_post(event_body("ONTASKCOMMENTADD", kAppToken,
                             "data%5BFIELDS_BEFORE%5D=undefined&data%5BFIELDS_AFTER%5D%5BID%5D=901&"
                             "data%5BFIELDS_AFTER%5D%5BTASK_ID%5D=42")));
    EXPECT_EQ(r.status, 200) << r.body;
    r = send(form_post(
        event_body("ONTASKUPDATE", kAppToken,
                   "data%5BFIELDS_BEFORE%5D%5BID%5D=43&data%5BFIELDS_AFTER%5D%5BID%5D=43")));
    EXPECT_EQ(r.status, 200);
    r = send(form_post(
        event_body("ONTASKDELETE", kAppToken,
                   "data%5BFIELDS_BEFORE%5D%5BID%5D=44&data%5BFIELDS_AFTER%5D=undefined")));
    EXPECT_EQ(r.status, 200);
    r = send(form_post(event_body("ONUSERADD", kAppToken, "data%5BID%5D=5")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body_of(r).at("status"), "ignored");
    r = send(form_post(event_body("ONTASKADD", kAppToken, "data%5BFIELDS_AFTER%5D%5BID%5D=x")));
    EXPECT_EQ(r.status, 400);

    fx.on_io([] { return 0; });  // the callbacks were posted before this
    auto events = fx.events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0], (std::pair<std::string, std::int64_t>{"ONTASKCOMMENTADD", 42}));
    EXPECT_EQ(events[1], (std::pair<std::string, std::int64_t>{"ONTASKUPDATE", 43}));
    EXPECT_EQ(events[2], (std::pair<std::string, std::int64_t>{"ONTASKDELETE", 44}));
    EXPECT_TRUE(capture.has_event("ADMIN_EVENT_RECEIVED"));
    EXPECT_EQ(capture.text().find(kAppToken), std::string::npos);
}

TEST_F(AdminServerTest, BitrixEventsWithAWrongTokenAre403AndNotLogged) {
    const std::string wrong = "app-token-CANARY-5f2f";
    auto r =
        send(form_post(event_body("ONTASKUPDATE", wrong, "data%5BFIELDS_AFTER%5D%5BID%5D=43")));
    EXPECT_EQ(r.status, 403);
    r = send(form_post(event_body("ONTASKUPDATE", "", "data%5BFIELDS_AFTER%5D%5BID%5D=43")));
    EXPECT_EQ(r.status, 403);
    // A bearer token is not the application token.
    r = send(request("POST", "/events/bitrix", kCamilo,
                     event_body("ONTASKUPDATE", kCamilo, "data%5BFIELDS_AFTER%5D%5BID%5D=43")));
    EXPECT_EQ(r.status, 403);
    fx.on_io([] { return 0; });
    EXPECT_TRUE(fx.events().empty());
    EXPECT_TRUE(capture.has_event("ADMIN_EVENT_REJECTED"));
    auto text = capture.text();
    EXPECT_EQ(text.find(wrong), std::string::npos) << "the presented token was logged";
    EXPECT_EQ(text.find(kAppToken), std::string::npos);
    EXPECT_EQ(text.find(kCamilo), std::string::npos);
}

TEST(AdminServerEvents, WithoutAConfiguredTokenEveryEventIs403) {
    ServerFixture fx(admin_config(), std::nullopt, fast_limits());
    auto r = http_exchange(fx.port(), form_post(event_body("ONTASKUPDATE", "anything",
                                                           "data%5BFIELDS_AFTER%5D%5BID%5D=43")));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
    fx.on_io([] { return 0; });
    EXPECT_TRUE(fx.events().empty());
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), fx.port()});
    std::string two = "GET /api/v1/version HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      kCamilo +
                      "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::asio::write(s, boost::asio::buffer(two));
    std::string all;
    boost::system::error_code ec;
    boost::asio::read(s, boost::asio::dynamic_buffer(all), ec);
    EXPECT_EQ(ec, boost::asio::error::eof);
    EXPECT_NE(all.find("HTTP/1.1 200 OK"), std::string::npos);
    EXPECT_NE(all.find("HTTP/1.1 503"), std::string::npos);
}

TEST_F(AdminServerTest, StopClosesTheListenerAndIdleConnections) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket idle(io);
    idle.connect({boost::asio::ip::make_address("127.0.0.1"), fx.port()});
    for (int i = 0; i < 100 && fx.on_io([&] { return fx.server().connection_count(); }) == 0; ++i)
        std::this_thread::sleep_for(5ms);
    ASSERT_EQ(fx.on_io([&] { return fx.server().connection_count(); }), 1u);
    fx.on_io([&] { fx.server().stop(); });
    EXPECT_EQ(fx.on_io([&] { return fx.server().health(); }), Health::stopping);
    timeval tv{2, 0};
    ::setsockopt(idle.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c = 0;
    boost::system::error_code ec;
    EXPECT_EQ(idle.read_some(boost::asio::buffer(&c, 1), ec), 0u);
    EXPECT_TRUE(ec) << "the idle connection is still open";
    EXPECT_FALSE(http_exchange(fx.port(), request("GET", "/healthz"))) << "still accepting";
    EXPECT_TRUE(capture.has_event("ADMIN_STOPPING"));
}

/// Starts `queue.cancel` (a 2 s command) on a raw connection and returns the socket.
boost::asio::ip::tcp::socket start_slow_command(boost::asio::io_context& io, std::uint16_t port) {
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string r = "POST /api/v1/queue/5/cancel HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    kCamilo + "\r\nContent-Length: 0\r\n\r\n";
    boost::asio::write(s, boost::asio::buffer(r));
    return s;
}

TEST(AdminServerStop, BusyConnectionGetsItsAnswerWithConnectionClose) {
    auto limits = fast_limits();  // handler limit 300 ms < grace 500 ms
    ServerFixture fx(admin_config(), std::nullopt, limits);
    boost::asio::io_context io;
    auto s = start_slow_command(io, fx.port());
    std::this_thread::sleep_for(100ms);
    fx.on_io([&] { fx.server().stop(); });
    std::string all;
    boost::system::error_code ec;
    boost::asio::read(s, boost::asio::dynamic_buffer(all), ec);
    EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
    EXPECT_EQ(all.rfind("HTTP/1.1 504", 0), 0u) << all;
    EXPECT_NE(all.find("Connection: close"), std::string::npos) << all;
}

TEST(AdminServerStop, BusyConnectionIsClosedAfterTheGracePeriod) {
    auto limits = fast_limits();
    limits.handler_timeout = 5s;
    limits.shutdown_grace = 200ms;
    ServerFixture fx(admin_config(), std::nullopt, limits);
    boost::asio::io_context io;
    auto s = start_slow_command(io, fx.port());
    std::this_thread::sleep_for(100ms);
    auto stopped = std::chrono::steady_clock::now();
    fx.on_io([&] { fx.server().stop(); });
    std::string all;
    boost::system::error_code ec;
    boost::asio::read(s, boost::asio::dynamic_buffer(all), ec);
    auto waited = std::chrono::steady_clock::now() - stopped;
    EXPECT_TRUE(ec) << "no error";
    EXPECT_TRUE(all.empty()) << all;
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 1500ms);
    // The session ends right after closing the socket, well before the command does (2 s).
    for (int i = 0; i < 100 && fx.on_io([&] { return fx.server().connection_count(); }) > 0; ++i)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(fx.on_io([&] { return fx.server().connection_count(); }), 0u);
    EXPECT_LT(std::chrono::steady_clock::now() - stopped, 1500ms);
}

TEST(AdminServerListen, RefusesANonLoopbackAddress) {
    CommandRegistry none;
    Metrics metrics;
    boost::asio::io_context io;
    for (const char* listen : {"0.0.0.0:0", "192.0.2.1:0", "nonsense", "127.0.0.1:99999"}) {
        AdminServer server(io.get_executor(), admin_config(listen), std::nullopt, none, metrics);
        try {
            server.start();
            ADD_FAILURE() << listen << " was accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("admin.listen"), std::string::npos) << e.what();
        }
    }
    auto wildcard = admin_config("0.0.0.0:0");
    wildcard.allow_non_loopback = true;
    AdminServer open(io.get_executor(), wildcard, std::nullopt, none, metrics);
    EXPECT_NO_THROW(open.start());
    EXPECT_NE(open.local_port(), 0);
    AdminServer named(io.get_executor(), admin_config("localhost:0"), std::nullopt, none, metrics);
    EXPECT_NO_THROW(named.start());
    EXPECT_TRUE(named.local_endpoint().address().is_loopback());
}

}  // namespace
}  // namespace hrmaild::admin::test
