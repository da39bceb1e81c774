#include "daemon/net/url.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hrmaild::net {
namespace {

TEST(ParseEndpoint, HttpsDefaultsAndTarget) {
    auto ep = parse_endpoint("https://Portal.Bitrix24.com/rest/1/abc/tasks.task.list?x=1");
    ASSERT_TRUE(ep);
    EXPECT_TRUE(ep->tls);
    EXPECT_EQ(ep->host, "portal.bitrix24.com");
    EXPECT_EQ(ep->port, 443);
    EXPECT_EQ(ep->target, "/rest/1/abc/tasks.task.list?x=1");
    EXPECT_FALSE(ep->host_is_ip);
    EXPECT_EQ(ep->pool_key(), "https://portal.bitrix24.com:443");
}

TEST(ParseEndpoint, PlainWithPortIpv6AndEmptyPath) {
    auto ep = parse_endpoint("http://[::1]:8080");
    ASSERT_TRUE(ep);
    EXPECT_FALSE(ep->tls);
    EXPECT_EQ(ep->host, "::1");
    EXPECT_EQ(ep->port, 8080);
    EXPECT_EQ(ep->target, "/");
    EXPECT_TRUE(ep->host_is_ip);
    EXPECT_EQ(ep->authority(), "[::1]:8080");
}

TEST(ParseEndpoint, RejectsOtherSchemesAndRelativeUrls) {
    std::string why;
    EXPECT_FALSE(parse_endpoint("ftp://example.com/", &why));
    EXPECT_NE(why.find("scheme"), std::string::npos);
    EXPECT_FALSE(parse_endpoint("/rest/1/x", &why));
    EXPECT_FALSE(parse_endpoint("https:///path", &why));
}

TEST(Loopback, AcceptsOnlyLoopbackForms) {
    for (auto h : {"localhost", "LOCALHOST", "api.localhost", "127.0.0.1", "127.1.2.3", "::1",
                   "[::1]", "::ffff:127.0.0.1"})
        EXPECT_TRUE(is_loopback_host(h)) << h;
    for (auto h : {"example.com", "10.0.0.1", "128.0.0.1", "::2", "localhost.example.com",
                   "0.0.0.0", "192.168.1.10"})
        EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(LogForm, DropsQueryAndUserInfo) {
    EXPECT_EQ(log_form("https://accounts.zoho.com/oauth/v2/token?refresh_token=SECRET&x=1"),
              "https://accounts.zoho.com/oauth/v2/token?<redacted>");
    EXPECT_EQ(log_form("https://user:pw@example.com:8443/a/b"), "https://example.com:8443/a/b");
}

TEST(Redact, ReplacesEveryOccurrence) {
    Secret s("k3y");
    EXPECT_EQ(redact("https://p/rest/1/k3y/m?again=k3y", s),
              "https://p/rest/1/<redacted>/m?again=<redacted>");
    EXPECT_EQ(redact("nothing here", Secret()), "nothing here");
}

TEST(NoProxy, MatchesDomainsSuffixesAndWildcard) {
    EXPECT_TRUE(no_proxy_matches("*", "anything"));
    EXPECT_TRUE(no_proxy_matches("example.com", "example.com"));
    EXPECT_TRUE(no_proxy_matches("example.com", "api.example.com"));
    EXPECT_TRUE(no_proxy_matches(".example.com", "api.example.com"));
    EXPECT_TRUE(no_proxy_matches(" Example.COM:443 ", "example.com"));
    EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com"));
    EXPECT_FALSE(no_proxy_matches("", "example.com"));
    EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
    EXPECT_TRUE(no_proxy_matches("[::1]", "::1"));
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

TEST(ProxySettings, FromEnvironmentWithNoProxy) {
    auto p = proxy_settings("", env_of({{"HTTPS_PROXY", "http://proxy.corp:3128"},
                                        {"no_proxy", "localhost, .corp.local,10.1.2.3"}}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->host, "proxy.corp");
    EXPECT_EQ(p->port, 3128);
    EXPECT_TRUE(p->applies_to("mail.zoho.com"));
    EXPECT_FALSE(p->applies_to("localhost"));
    EXPECT_FALSE(p->applies_to("git.corp.local"));
    EXPECT_FALSE(p->applies_to("10.1.2.3"));
    EXPECT_TRUE(p->authorization.empty());
}

TEST(ProxySettings, ConfigWinsOverEnvironmentAndCarriesCredentials) {
    auto p = proxy_settings("http://bob:s3cret@cfg.proxy:8080",
                            env_of({{"https_proxy", "http://env.proxy:1"}}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->host, "cfg.proxy");
    EXPECT_EQ(p->port, 8080);
    EXPECT_EQ(p->authorization.reveal(), "Basic Ym9iOnMzY3JldA==");
    EXPECT_EQ(fmt::format("{}", p->authorization), "<redacted>");
}

TEST(ProxySettings, NoneWhenUnsetAndErrorOnHttpsProxyScheme) {
    auto none = proxy_settings("", env_of({}));
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->enabled());
    EXPECT_FALSE(none->applies_to("example.com"));
    std::string why;
    EXPECT_FALSE(proxy_settings("https://proxy:443", env_of({}), &why));
    EXPECT_NE(why.find("http://"), std::string::npos);
    auto bare = proxy_settings("proxy.local:3128", env_of({}));
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->port, 3128);
}

}  // namespace
}  // namespace hrmaild::net
