// The HTTP client against a scripted Beast server on 127.0.0.1: what goes over the wire,
// keep-alive reuse, deadlines, the size cap, the loopback-only rule for plain http, and
// URL redaction in logs.
#include "daemon/net/http_client.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/classify.hpp"
#include "daemon/net/retry.hpp"
#include "tests/integration/net/http_settings.hpp"
#include "tests/support/net_test_server.hpp"
#include "tests/support/run_coro.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>

namespace hrmaild::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::NetTestServer;
using test::ServerReply;
using test::ServerRequest;

net::HttpSettings fast_config() {
    auto c = test::http_settings();
    c.resolve_timeout = 2s;
    c.connect_timeout = 2s;
    c.tls_timeout = 2s;
    c.write_timeout = 2s;
    c.read_timeout = 2s;
    c.total_timeout = 5s;
    return c;
}

HttpClientOptions no_env() {
    HttpClientOptions o;
    o.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    return o;
}

struct Fixture : ::testing::Test {
    asio::io_context ioc;

    Outcome<HttpResponse> call(HttpClient& client, HttpRequest req) {
        return test::run_coro(ioc, client.send(std::move(req)));
    }
    static HttpRequest get(std::string url) {
        HttpRequest r;
        r.url = std::move(url);
        return r;
    }
};

using HttpClientTest = Fixture;

TEST_F(HttpClientTest, PlainGetOnLoopbackReturnsStatusHeadersAndBody) {
    NetTestServer server([](const ServerRequest& r) {
        auto reply = ServerReply::ok(R"({"path":")" + r.target + "\"}");
        reply.status = 201;
        reply.headers.push_back({"X-Trace", "abc"});
        return reply;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto res = call(client, get(server.url("/api/organization?x=1")));
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(res->body, R"({"path":"/api/organization?x=1"})");
    EXPECT_EQ(res->header("x-trace"), "abc");
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].header("user-agent"), "hrmaild");
    EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(HttpClientTest, LocalhostNameIsLoopbackToo) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto res = call(client, get(server.url("/", "localhost")));
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    EXPECT_EQ(res->status, 200);
}

TEST_F(HttpClientTest, TenSequentialCallsShareOneKeepAliveConnection) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    for (int i = 0; i < 10; ++i) {
        auto res = call(client, get(server.url("/n/" + std::to_string(i))));
        ASSERT_TRUE(res.has_value()) << res.error().describe();
    }
    EXPECT_EQ(server.connections(), 1u);
    EXPECT_EQ(server.request_count(), 10u);
    EXPECT_EQ(client.stats().connections_opened, 1u);
    EXPECT_EQ(client.stats().connections_reused, 9u);
    for (const auto& r : server.requests())
        EXPECT_EQ(r.connection, 1u);
}

TEST_F(HttpClientTest, ConnectionCloseFromServerIsNotReused) {
    NetTestServer server([](const ServerRequest&) {
        auto r = ServerReply::ok("{}");
        r.keep_alive = false;
        return r;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(call(client, get(server.url("/"))).has_value());
    EXPECT_EQ(server.connections(), 3u);
    EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, PooledConnectionClosedByServerIsReplacedTransparently) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    ASSERT_TRUE(call(client, get(server.url("/a"))).has_value());
    ASSERT_EQ(client.idle_connections(), 1u);
    server.close_all_connections();
    std::this_thread::sleep_for(50ms);  // let the FIN arrive
    auto res = call(client, get(server.url("/b")));
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    EXPECT_EQ(server.connections(), 2u);
    EXPECT_EQ(server.request_count(), 2u);  // the dead connection never delivered /b
}

TEST_F(HttpClientTest, PostLostOnAReusedConnectionIsNotSentAgainBehindTheCallersBack) {
    std::atomic<int> n{0};
    NetTestServer server([&](const ServerRequest&) {
        ServerReply r = ServerReply::ok("{}");
        r.drop = n++ == 1;  // the second request arrives, then the server dies on it
        return r;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    HttpRequest post;
    post.method = "POST";
    post.url = server.url("/create");
    post.body = "{}";
    ASSERT_TRUE(call(client, post).has_value());
    auto lost = call(client, post);
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(lost.error().kind, ErrorKind::retryable);
    EXPECT_EQ(lost.error().phase, Phase::read);  // it may have been acted upon: probe first
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(HttpClientTest, DeleteCarriesItsBody) {
    NetTestServer server(
        [](const ServerRequest&) { return ServerReply::ok(R"({"status":{"code":200}})"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    HttpRequest req;
    req.method = "DELETE";
    req.url = server.url("/api/organization/1/accounts");
    req.body = R"({"accountList":["2560636000000008002"]})";
    req.content_type = "application/json";
    req.headers.push_back({"Authorization", "Zoho-oauthtoken x"});
    auto res = call(client, req);
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "DELETE");
    EXPECT_EQ(seen[0].body, R"({"accountList":["2560636000000008002"]})");
    EXPECT_EQ(seen[0].header("content-type"), "application/json");
    EXPECT_EQ(seen[0].header("content-length"), std::to_string(req.body.size()));
    EXPECT_EQ(seen[0].header("authorization"), "Zoho-oauthtoken x");
}

TEST_F(HttpClientTest, ResponseLargerThanTheCapIsAClearError) {
    NetTestServer server([](const ServerRequest& r) {
        return ServerReply::ok(std::string(r.target == "/big" ? 4096 : 1024, 'x'));
    });
    auto cfg = fast_config();
    cfg.max_response_bytes = 1024;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto fits = call(client, get(server.url("/fits")));
    ASSERT_TRUE(fits.has_value()) << fits.error().describe();
    EXPECT_EQ(fits->body.size(), 1024u);
    auto big = call(client, get(server.url("/big")));
    ASSERT_FALSE(big.has_value());
    EXPECT_EQ(big.error().kind, ErrorKind::permanent);
    EXPECT_EQ(big.error().phase, Phase::read);
    EXPECT_NE(big.error().message.find("max_response_bytes"), std::string::npos);
    EXPECT_NE(big.error().message.find("1024"), std::string::npos);
}

TEST_F(HttpClientTest, ChunkedAnswersAreReadAndCappedToo) {
    NetTestServer server([](const ServerRequest& r) {
        auto reply = ServerReply::ok(std::string(r.target == "/big" ? 5000 : 1000, 'c'));
        reply.chunked = true;
        return reply;
    });
    auto cfg = fast_config();
    cfg.max_response_bytes = 2048;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto small = call(client, get(server.url("/small")));
    ASSERT_TRUE(small.has_value()) << small.error().describe();
    EXPECT_EQ(small->body, std::string(1000, 'c'));
    EXPECT_EQ(small->header("transfer-encoding"), "chunked");
    auto again = call(client, get(server.url("/small")));  // keep-alive after a chunked body
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(server.connections(), 1u);
    auto big = call(client, get(server.url("/big")));
    ASSERT_FALSE(big.has_value());
    EXPECT_NE(big.error().message.find("max_response_bytes"), std::string::npos);
}

TEST_F(HttpClientTest, HugeHeaderBlockIsRefused) {
    NetTestServer server([](const ServerRequest&) {
        auto r = ServerReply::ok("{}");
        for (int i = 0; i < 100; ++i)
            r.headers.push_back({"X-Pad-" + std::to_string(i), std::string(1000, 'p')});
        return r;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto res = call(client, get(server.url("/")));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().kind, ErrorKind::permanent);
    EXPECT_NE(res.error().message.find("headers"), std::string::npos) << res.error().message;
}

TEST_F(HttpClientTest, ServerThatNeverAnswersHitsTheReadDeadline) {
    NetTestServer server([](const ServerRequest&) {
        ServerReply r;
        r.hang = true;
        return r;
    });
    auto cfg = fast_config();
    cfg.read_timeout = 300ms;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, get(server.url("/slow")));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().kind, ErrorKind::retryable);
    EXPECT_EQ(res.error().phase, Phase::read);
    EXPECT_TRUE(res.error().timed_out);
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);                    // the phase deadline, well before the 5 s overall one
    EXPECT_EQ(server.request_count(), 1u);  // it was written; only the answer never came
}

TEST_F(HttpClientTest, OverallDeadlineCutsAcrossPhases) {
    NetTestServer server([](const ServerRequest&) {
        ServerReply r;
        r.delay = 3s;
        return r;
    });
    auto cfg = fast_config();
    cfg.read_timeout = 10s;
    cfg.total_timeout = 400ms;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, get(server.url("/slow")));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res.has_value());
    EXPECT_TRUE(res.error().timed_out);
    EXPECT_NE(res.error().message.find("overall deadline"), std::string::npos);
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 3s);  // the overall deadline, well before the 10 s read one
}

TEST_F(HttpClientTest, TlsHandshakeDeadlineWhenTheServerStaysSilent) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok(""); }, std::nullopt,
                         NetTestServer::Mode::accept_only);
    auto cfg = fast_config();
    cfg.tls_timeout = 300ms;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::tls);
    EXPECT_TRUE(res.error().timed_out);
    EXPECT_EQ(res.error().kind, ErrorKind::retryable);
    EXPECT_LT(took, 3s);  // the phase deadline, well before the 5 s overall one
}

TEST_F(HttpClientTest, WriteDeadlineWhenTheServerStopsReading) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok(""); }, std::nullopt,
                         NetTestServer::Mode::accept_only);
    auto cfg = fast_config();
    cfg.write_timeout = 300ms;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    HttpRequest big = get(server.url("/upload"));
    big.method = "POST";
    big.body.assign(64 * 1024 * 1024, 'x');  // far more than the socket buffers hold
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, std::move(big));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::write);
    EXPECT_TRUE(res.error().timed_out);
    EXPECT_EQ(res.error().kind, ErrorKind::retryable);
    EXPECT_LT(took, 3s);  // the phase deadline, well before the 5 s overall one
}

TEST_F(HttpClientTest, ConnectDeadlineWhenTheListenQueueIsFull) {
    test::FullBacklogListener blackhole;
    auto cfg = fast_config();
    cfg.connect_timeout = 300ms;
    HttpClient client(ioc.get_executor(), cfg, no_env());
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, get("http://127.0.0.1:" + std::to_string(blackhole.port()) + "/"));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::connect);
    EXPECT_TRUE(res.error().timed_out);
    EXPECT_EQ(res.error().kind, ErrorKind::retryable);
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);  // the phase deadline, well before the 5 s overall one
}

TEST_F(HttpClientTest, PlainHttpToANonLoopbackHostIsRefusedWithoutConnecting) {
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    for (std::string url : {"http://example.com/api", "http://10.0.0.1:8080/x",
                            "http://localhost.example.com/", "http://[2001:db8::1]/"}) {
        auto res = call(client, get(url));
        ASSERT_FALSE(res.has_value()) << url;
        EXPECT_EQ(res.error().kind, ErrorKind::permanent);
        EXPECT_EQ(res.error().phase, Phase::url);
        EXPECT_NE(res.error().message.find("refusing plain http"), std::string::npos);
        EXPECT_NE(res.error().message.find(log_form(url)), std::string::npos)
            << res.error().message;
    }
    EXPECT_EQ(client.stats().connections_opened, 0u);
}

TEST_F(HttpClientTest, RefusedConnectionIsRetryable) {
    std::uint16_t port;
    {
        NetTestServer gone([](const ServerRequest&) { return ServerReply::ok(""); });
        port = gone.port();
    }
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto res = call(client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().kind, ErrorKind::retryable);
    EXPECT_EQ(res.error().phase, Phase::connect);
    EXPECT_FALSE(res.error().timed_out);
}

TEST_F(HttpClientTest, ConcurrentCallsEachGetAConnectionAndThePoolKeepsAFew) {
    NetTestServer server([](const ServerRequest&) {
        auto r = ServerReply::ok("{}");
        r.delay = 100ms;  // keep them in flight together
        return r;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    int done = 0, ok = 0;
    for (int i = 0; i < 6; ++i)
        asio::co_spawn(ioc, client.send(get(server.url("/c"))),
                       [&](std::exception_ptr, Outcome<HttpResponse> r) {
                           ++done;
                           ok += r.has_value() ? 1 : 0;
                       });
    auto until = std::chrono::steady_clock::now() + 5s;
    while (done < 6 && std::chrono::steady_clock::now() < until)
        ioc.run_one_for(100ms);
    ASSERT_EQ(done, 6);
    EXPECT_EQ(ok, 6);
    EXPECT_EQ(server.connections(), 6u);
    EXPECT_EQ(client.idle_connections(), 4u);  // max_idle_per_host
    ASSERT_TRUE(call(client, get(server.url("/again"))).has_value());
    EXPECT_EQ(server.connections(), 6u);  // served from the pool
}

TEST_F(HttpClientTest, UnknownHostFailsInTheResolvePhase) {
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto start = std::chrono::steady_clock::now();
    auto res = call(client, get("https://no-such-host.invalid/x"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::resolve);
    EXPECT_EQ(client.stats().connections_opened, 0u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // resolve_timeout is 2 s
}

TEST_F(HttpClientTest, HeaderInjectionIsRefusedBeforeSending) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    HttpRequest bad = get(server.url("/"));
    bad.headers.push_back({"X-Name", "Ana\r\nX-Admin: 1"});
    auto res = call(client, bad);
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().kind, ErrorKind::permanent);
    HttpRequest bad_method = get(server.url("/"));
    bad_method.method = "GET / HTTP/1.1\r\n";
    EXPECT_FALSE(call(client, bad_method).has_value());
    EXPECT_EQ(server.connections(), 0u);
}

TEST_F(HttpClientTest, CallerHeadersReplaceDefaultsInsteadOfDoubling) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    HttpRequest req = get(server.url("/"));
    req.headers.push_back({"User-Agent", "custom/1"});
    req.headers.push_back({"Accept", "application/json"});
    ASSERT_TRUE(call(client, req).has_value());
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].header("user-agent"), "custom/1");
    EXPECT_EQ(seen[0].header("accept"), "application/json");
}

TEST_F(HttpClientTest, CancellingACallEndsItPromptly) {
    NetTestServer server([](const ServerRequest&) {
        ServerReply r;
        r.hang = true;
        return r;
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());  // read deadline 2 s
    asio::cancellation_signal signal;
    std::optional<Outcome<HttpResponse>> result;
    asio::co_spawn(ioc, client.send(get(server.url("/hang"))),
                   asio::bind_cancellation_slot(signal.slot(),
                                                [&](std::exception_ptr, Outcome<HttpResponse> r) {
                                                    result.emplace(std::move(r));
                                                }));
    auto start = std::chrono::steady_clock::now();
    while (server.request_count() == 0 && std::chrono::steady_clock::now() - start < 3s)
        ioc.run_one_for(10ms);
    ASSERT_EQ(server.request_count(), 1u);
    signal.emit(asio::cancellation_type::terminal);
    while (!result && std::chrono::steady_clock::now() - start < 5s)
        ioc.run_one_for(10ms);
    ASSERT_TRUE(result.has_value());
    ASSERT_FALSE(result->has_value());
    EXPECT_FALSE(result->error().timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);  // not the 2 s read deadline
}

TEST_F(HttpClientTest, InvalidUrlIsPermanent) {
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    auto res = call(client, get("not a url"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::url);
    EXPECT_EQ(res.error().kind, ErrorKind::permanent);
}

TEST_F(HttpClientTest, WebhookSecretNeverReachesLogsOrErrors) {
    const Secret secret("s3cr3tW3bh00k");
    std::atomic<int> n{0};
    NetTestServer server([&](const ServerRequest&) {
        int i = n++;
        if (i == 0)
            return ServerReply::status_only(503, R"({"error":"QUERY_LIMIT_EXCEEDED"})");
        if (i == 1) {
            ServerReply r;
            r.drop = true;
            return r;
        }
        return ServerReply::ok(R"({"result":true})");
    });
    HttpClientOptions opts = no_env();
    opts.redact = [secret](std::string_view url) { return redact(log_form(url), secret); };
    HttpClient client(ioc.get_executor(), fast_config(), opts);
    const std::string url =
        server.url("/rest/1/" + secret.reveal() + "/tasks.task.list?auth=" + secret.reveal());

    log::CaptureSink capture;
    core::SystemClock clock;
    net::RetrySettings rc;
    rc.max_attempts = 5;
    rc.base_delay = 1ms;
    rc.max_delay = 5ms;
    RetryPolicy policy(rc, Jitter::none);
    std::vector<std::string> messages;
    auto res = test::run_coro(ioc, with_retry(clock, policy,
                                              [&]() -> asio::awaitable<Outcome<HttpResponse>> {
                                                  HttpRequest req;
                                                  req.method = "POST";
                                                  req.url = url;
                                                  auto r = require_success(
                                                      co_await client.send(req), clock.wall_now());
                                                  if (!r)
                                                      messages.push_back(r.error().describe());
                                                  co_return r;
                                              },
                                              {"bitrix", "tasks.task.list"}));
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    EXPECT_EQ(server.request_count(), 3u);
    ASSERT_EQ(messages.size(), 2u);
    const auto text = capture.text();
    EXPECT_TRUE(capture.has_event("HTTP_CALL"));
    EXPECT_TRUE(capture.has_event("HTTP_CALL_FAILED"));
    EXPECT_TRUE(capture.has_event("HTTP_CALL_RETRY"));
    EXPECT_EQ(text.find(secret.reveal()), std::string::npos) << text;
    EXPECT_NE(text.find("/rest/1/<redacted>/tasks.task.list"), std::string::npos) << text;
    for (const auto& m : messages)
        EXPECT_EQ(m.find(secret.reveal()), std::string::npos) << m;
}

TEST_F(HttpClientTest, DefaultLogFormHidesQueryStrings) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    log::CaptureSink capture;
    auto res =
        call(client, get(server.url("/oauth/v2/token?refresh_token=R3FR35H&client_secret=CS")));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(capture.text().find("R3FR35H"), std::string::npos);
    EXPECT_EQ(capture.text().find("client_secret=CS"), std::string::npos);
    EXPECT_NE(capture.text().find("/oauth/v2/token?<redacted>"), std::string::npos)
        << capture.text();
}

TEST_F(HttpClientTest, WithRetryOnServiceUnavailableTwiceMakesThreeRequests) {
    std::atomic<int> n{0};
    NetTestServer server([&](const ServerRequest&) {
        return n++ < 2 ? ServerReply::status_only(503) : ServerReply::ok(R"({"ok":1})");
    });
    HttpClient client(ioc.get_executor(), fast_config(), no_env());
    core::SystemClock clock;
    net::RetrySettings rc;
    rc.max_attempts = 4;
    rc.base_delay = 1ms;
    rc.max_delay = 10ms;
    RetryPolicy policy(rc);
    auto res = test::run_coro(
        ioc, with_retry(clock, policy, [&]() -> asio::awaitable<Outcome<HttpResponse>> {
            co_return require_success(co_await client.send(get(server.url("/x"))),
                                      clock.wall_now());
        }));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->body, R"({"ok":1})");
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(server.connections(), 1u);  // 503 answers keep the connection alive
}

}  // namespace
}  // namespace hrmaild::net
