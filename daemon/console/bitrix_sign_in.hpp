#pragma once
/// Signing a person in with Bitrix24 (reference section 13): the portal's OAuth 2.0
/// authorization-code flow for a local application. The browser goes to the portal's
/// `/oauth/authorize/` with the client id and a state; the portal sends it back to the
/// application's handler with a `code`; the code is exchanged at the OAuth server
/// (`grant_type=authorization_code`) and `user.current` with the new access token says who
/// it is. The access token is used for that one call and then forgotten: the console keeps
/// no Bitrix token.
#include "daemon/core/secret.hpp"
#include "daemon/net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hrmaild::console {

/// The local application registered on the portal.
struct SignInSettings {
    std::string portal_url;        ///< https://portal.bitrix24.com (authorize and REST calls)
    std::string oauth_server_url;  ///< https://oauth.bitrix.info (the token exchange)
    std::string client_id;         ///< local.xxxxxxxx.yyyyyyyy
    Secret client_secret;
};

/// Who `user.current` says signed in.
struct PortalUser {
    std::int64_t id = 0;
    std::string name;  ///< NAME and LAST_NAME
    std::vector<std::int64_t> departments;
};

/// Why a sign-in failed, for the person (Spanish is chosen by the page) and the log.
struct SignInError {
    std::string reason;  ///< English, for the log; never holds the code or a token
};

/// The OAuth client of the console.
class BitrixSignIn {
  public:
    /// `http` must outlive this object.
    BitrixSignIn(net::HttpTransport& http, SignInSettings settings);

    /// Where to send the browser: `{portal}/oauth/authorize/?client_id=..&state=..`.
    [[nodiscard]] std::string authorize_url(std::string_view state) const;

    /// Exchanges `code` for an access token and asks `user.current` who it belongs to.
    boost::asio::awaitable<std::variant<PortalUser, SignInError>> sign_in(std::string code);

  private:
    net::HttpTransport& http_;
    SignInSettings settings_;
};

/// Reads a `user.current` answer (`{"result":{"ID":"7","NAME":..,"LAST_NAME":..,
/// "UF_DEPARTMENT":[2]}}`); a SignInError naming what is missing otherwise.
std::variant<PortalUser, SignInError> parse_user_current(std::string_view body);

}  // namespace hrmaild::console
