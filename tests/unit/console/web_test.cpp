// Cookies, security headers and request targets of the web console.
#include "daemon/console/web.hpp"

#include <gtest/gtest.h>

namespace hrmaild::console {
namespace {

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
    EXPECT_EQ(cookie_value("a=1; hrmaild_sesion=abc; b=2", "hrmaild_sesion"), "abc");
    EXPECT_EQ(cookie_value("hrmaild_sesion=abc", "hrmaild_sesion"), "abc");
    EXPECT_EQ(cookie_value("xhrmaild_sesion=abc", "hrmaild_sesion"), std::nullopt);
    EXPECT_EQ(cookie_value("", "hrmaild_sesion"), std::nullopt);
    EXPECT_EQ(cookie_value("a=1;b", "b"), std::nullopt);
}

TEST(SetCookie, IsHttpOnlyStrictAndSecureWhenAsked) {
    auto plain = set_cookie(kSessionCookie, "v", {});
    EXPECT_EQ(plain, "hrmaild_sesion=v; Path=/consola; HttpOnly; SameSite=Strict");
    auto tls = set_cookie(kSessionCookie, "v", {true, "Strict", {}});
    EXPECT_NE(tls.find("; Secure"), std::string::npos);
    auto gone = set_cookie(kSignInCookie, "", {false, "Lax", 0});
    EXPECT_NE(gone.find("SameSite=Lax"), std::string::npos);
    EXPECT_NE(gone.find("Max-Age=0"), std::string::npos);
}

TEST(SecurityHeaders, AllowNothingFromElsewhere) {
    std::string csp;
    for (const auto& [name, value] : security_headers())
        if (name == "Content-Security-Policy")
            csp = value;
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
}

TEST(ParseTarget, DecodesSegmentsAndKeepsTheFirstOfARepeatedParameter) {
    auto t = parse_target("/consola/oauth?code=a%2Bb&state=s1&state=s2");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->segments.size(), 2u);
    EXPECT_EQ(t->segments[1], "oauth");
    EXPECT_EQ(t->query.at("code"), "a+b");
    EXPECT_EQ(t->query.at("state"), "s1");
    EXPECT_FALSE(parse_target("consola"));
}

}  // namespace
}  // namespace hrmaild::console
