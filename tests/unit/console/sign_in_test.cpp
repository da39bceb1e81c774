// Reading `user.current` and building the authorize URL.
#include "daemon/console/bitrix_sign_in.hpp"

#include <gtest/gtest.h>

namespace hrmaild::console {
namespace {

class NoTransport : public net::HttpTransport {
  public:
    boost::asio::awaitable<net::Outcome<net::HttpResponse>> send(net::HttpRequest) override {
        co_return net::HttpResponse{};
    }
};

TEST(ParseUserCurrent, ReadsIdNameAndDepartments) {
    auto r = parse_user_current(
        R"({"result":{"ID":"7","NAME":"Camilo","LAST_NAME":"Luna","UF_DEPARTMENT":[2,"5"]}})");
    auto* u = std::get_if<PortalUser>(&r);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->id, 7);
    EXPECT_EQ(u->name, "Camilo Luna");
    EXPECT_EQ(u->departments, (std::vector<std::int64_t>{2, 5}));
}

TEST(ParseUserCurrent, RefusesAnAnswerWithoutAnId) {
    for (const char* body : {R"({"result":{"NAME":"x"}})", R"({"result":{"ID":"0"}})",
                             R"({"result":{"ID":"7x"}})", R"({"error":"expired_token"})", "nope"}) {
        auto r = parse_user_current(body);
        EXPECT_TRUE(std::holds_alternative<SignInError>(r)) << body;
    }
}

TEST(AuthorizeUrl, CarriesTheClientIdAndTheStateEncoded) {
    NoTransport t;
    BitrixSignIn s(t,
                   {"https://portal.example/", "https://oauth.example", "local.1.2", Secret("s")});
    EXPECT_EQ(s.authorize_url("a b&c"),
              "https://portal.example/oauth/authorize/?client_id=local.1.2&state=a%20b%26c");
}

}  // namespace
}  // namespace hrmaild::console
