// HTTPS through a CONNECT proxy of our own: from config, from the environment, no_proxy,
// proxy authentication, and plain loopback http never proxied.
#include "daemon/net/http_client.hpp"
#include "tests/integration/net/http_settings.hpp"
#include "tests/support/net_connect_proxy.hpp"
#include "tests/support/net_test_pki.hpp"
#include "tests/support/net_test_server.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <map>

namespace hrmaild::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::ConnectProxy;
using test::NetTestServer;
using test::ServerReply;
using test::ServerRequest;

class ProxyTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        pki_ = new test::TestPki(test::make_test_pki(dir_->path()));
    }
    static void TearDownTestSuite() {
        delete pki_;
        delete dir_;
    }
    net::HttpSettings config(std::string proxy = {}) const {
        auto c = test::http_settings();
        c.total_timeout = 8s;
        c.ca_file = pki_->ca_cert.string();
        c.proxy = std::move(proxy);
        return c;
    }
    static HttpClientOptions env(std::map<std::string, std::string> vars) {
        HttpClientOptions o;
        o.env = [vars](const char* name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end())
                return std::nullopt;
            return it->second;
        };
        return o;
    }
    Outcome<HttpResponse> get(HttpClient& client, const std::string& url) {
        HttpRequest r;
        r.url = url;
        return test::run_coro(ioc_, client.send(r));
    }

    static test::TempDir* dir_;
    static test::TestPki* pki_;
    asio::io_context ioc_;
};
test::TempDir* ProxyTest::dir_ = nullptr;
test::TestPki* ProxyTest::pki_ = nullptr;

TEST_F(ProxyTest, HttpsGoesThroughConnectFromConfigAndTheTunnelIsReused) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); },
                         test::ServerTls{pki_->server_cert, pki_->server_key});
    ConnectProxy proxy;
    HttpClient client(ioc_.get_executor(), config(proxy.url()), env({}));
    for (int i = 0; i < 3; ++i) {
        auto res = get(client, server.url("/via-proxy", "localhost"));
        ASSERT_TRUE(res.has_value()) << res.error().describe();
    }
    auto targets = proxy.targets();
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_EQ(targets[0], "localhost:" + std::to_string(server.port()));
    EXPECT_EQ(proxy.other_requests(), 0u);
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(server.sni_names(), std::vector<std::string>{"localhost"});  // TLS end to end
}

TEST_F(ProxyTest, EnvironmentProxyAndNoProxyBypass) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); },
                         test::ServerTls{pki_->server_cert, pki_->server_key});
    ConnectProxy proxy;
    {
        HttpClient client(ioc_.get_executor(), config(), env({{"https_proxy", proxy.url()}}));
        ASSERT_TRUE(get(client, server.url("/", "localhost")).has_value());
        EXPECT_EQ(proxy.targets().size(), 1u);
    }
    {
        HttpClient client(
            ioc_.get_executor(), config(),
            env({{"HTTPS_PROXY", proxy.url()}, {"NO_PROXY", "example.org,localhost"}}));
        auto res = get(client, server.url("/", "localhost"));
        ASSERT_TRUE(res.has_value()) << res.error().describe();
        EXPECT_EQ(proxy.targets().size(), 1u);  // unchanged: went direct
    }
}

TEST_F(ProxyTest, ProxyAuthentication) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); },
                         test::ServerTls{pki_->server_cert, pki_->server_key});
    ConnectProxy proxy("Basic dTpw");  // u:p
    {
        HttpClient client(ioc_.get_executor(), config(proxy.url()), env({}));
        auto res = get(client, server.url("/", "localhost"));
        ASSERT_FALSE(res.has_value());
        EXPECT_EQ(res.error().phase, Phase::proxy);
        EXPECT_EQ(res.error().kind, ErrorKind::auth);
        EXPECT_NE(res.error().message.find("407"), std::string::npos);
    }
    {
        auto url = "http://u:p@127.0.0.1:" + std::to_string(proxy.port());
        HttpClient client(ioc_.get_executor(), config(url), env({}));
        auto res = get(client, server.url("/", "localhost"));
        ASSERT_TRUE(res.has_value()) << res.error().describe();
        EXPECT_EQ(server.request_count(), 1u);
    }
}

TEST_F(ProxyTest, PlainLoopbackHttpIsNeverProxied) {
    NetTestServer server([](const ServerRequest&) { return ServerReply::ok("{}"); });
    ConnectProxy proxy;
    HttpClient client(ioc_.get_executor(), config(proxy.url()), env({}));
    ASSERT_TRUE(get(client, server.url("/")).has_value());
    EXPECT_TRUE(proxy.targets().empty());
    EXPECT_EQ(proxy.other_requests(), 0u);
}

TEST_F(ProxyTest, InvalidProxyUrlFailsAtStartUp) {
    EXPECT_THROW(HttpClient(ioc_.get_executor(), config("https://proxy:443"), env({})),
                 std::runtime_error);
}

}  // namespace
}  // namespace hrmaild::net
