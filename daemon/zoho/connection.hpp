#pragma once
/// Everything the daemon and the CLI need to talk to Zoho Mail, built from the configuration
/// in one line: the token manager, the API client and the directory cache, wired together.
#include "daemon/config/config.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/directory_cache.hpp"
#include "daemon/zoho/token_manager.hpp"
#include "daemon/zoho/zoho_client.hpp"

namespace hrmaild::zoho {

/// The Zoho side of the daemon. Lives on the io_context thread; `http` and `clock` must
/// outlive it.
class ZohoConnection {
  public:
    /// From `zoho.*` (hosts, zoid, client id, secret files, budget, token margin, directory
    /// refresh) and `retry.*`; the access token is shared through `zoho-token.json` in the
    /// state folder (the folder of `state.path`).
    ZohoConnection(net::HttpTransport& http, core::Clock& clock, const config::Config& config,
                   net::RetrySettings retry, ClientOptions options = {});
    ZohoConnection(const ZohoConnection&) = delete;
    ZohoConnection& operator=(const ZohoConnection&) = delete;

    /// OAuth access tokens.
    [[nodiscard]] TokenManager& tokens() { return tokens_; }
    /// The Mail Admin API.
    [[nodiscard]] ZohoClient& client() { return client_; }
    /// The planner's cached directory.
    [[nodiscard]] DirectoryCache& directory() { return directory_; }

  private:
    TokenManager tokens_;
    ZohoClient client_;
    DirectoryCache directory_;
};

}  // namespace hrmaild::zoho
