#pragma once
/// Zoho OAuth access tokens (reference section 1): the refresh-token grant, one refresh in
/// flight for all callers, the token cached until `token_refresh_margin` before it expires,
/// and Zoho's mint limit (10 access tokens per refresh token in 10 minutes) kept client-side
/// so the daemon never trips the 15-30 minute block.
#include "daemon/config/config.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/secret.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/single_flight.hpp"
#include "daemon/zoho/token_file.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace hrmaild::zoho {

/// What the token manager needs; `from_config` fills it from the `zoho.*` keys.
struct TokenSettings {
    std::string accounts_url;        ///< e.g. https://accounts.zoho.eu (no path)
    std::string client_id;           ///< zoho.client_id
    Secret client_secret;            ///< from zoho.client_secret_file
    Secret refresh_token;            ///< from zoho.refresh_token_file
    std::string client_secret_file;  ///< named in error messages (a path, not secret)
    std::string refresh_token_file;  ///< named in error messages (a path, not secret)
    /// Refresh this long before expiry (capped at half the token's lifetime).
    core::Duration refresh_margin = std::chrono::seconds(300);
    int mint_limit = 10;                                    ///< mints allowed per window
    core::Duration mint_window = std::chrono::minutes(10);  ///< Zoho's mint window
    /// How long to stay away after Zoho's "Access Denied" (users report 15-30 minutes).
    core::Duration denied_wait = std::chrono::minutes(15);
    /// The token file shared with the other processes (`TokenFile`); empty: this process
    /// keeps its token in memory only.
    std::filesystem::path token_file;
    /// How long to wait for another process that holds the token file's lock (it is minting).
    core::Duration lock_wait = std::chrono::seconds(15);

    /// From the validated `zoho` section.
    static TokenSettings from_config(const config::ZohoConfig& zoho);
};

/// Counters for tests and `status`.
struct TokenStats {
    std::size_t requests = 0;     ///< requests sent to the token endpoint
    std::size_t minted = 0;       ///< access tokens received
    std::size_t joined = 0;       ///< callers that waited for another caller's refresh
    std::size_t invalidated = 0;  ///< tokens dropped after a 401 INVALID_OAUTHTOKEN
    std::size_t adopted = 0;      ///< tokens taken from the shared token file
};

/// Hands out a valid access token, refreshing it when needed.
class TokenManager {
  public:
    /// `http` and `clock` must outlive the manager.
    TokenManager(net::HttpTransport& http, core::Clock& clock, TokenSettings settings);

    /// A token valid for at least the refresh margin (cached, or refreshed now: one refresh
    /// shared by every concurrent caller). Errors: `auth` when Zoho refuses the credentials
    /// (fatal until `reset_credentials`; the message names the file to fix), `retryable` with
    /// `retry_after` for the mint limit, Zoho's "Access Denied" block and transport failures.
    boost::asio::awaitable<net::Outcome<Secret>> access_token();

    /// The API rejected `token` (401 INVALID_OAUTHTOKEN): forget it so the next
    /// `access_token()` refreshes. A no-op when a newer token is already cached, so twenty
    /// callers rejected together still cause one refresh.
    void invalidate(const Secret& token);

    /// New credentials (after a reload): clears a fatal refusal and the cached token.
    void reset_credentials(Secret client_secret, Secret refresh_token);

    /// Whether a token is cached and not yet due for refresh.
    [[nodiscard]] bool has_fresh_token() const;
    /// When the cached token expires (monotonic clock), if one is cached.
    [[nodiscard]] std::optional<core::TimePoint> expires_at() const;
    /// Counters since construction.
    [[nodiscard]] TokenStats stats() const;

    /// Until when minting is blocked (Zoho's "Access Denied", or the client-side limit of
    /// `mint_limit` per `mint_window`), if it is now.
    [[nodiscard]] std::optional<core::WallTime> blocked_until() const;
    /// Called with the new `blocked_until()` whenever a block starts or ends (metrics).
    void on_block_change(std::function<void(std::optional<core::WallTime>)> listener) {
        block_listener_ = std::move(listener);
    }

  private:
    boost::asio::awaitable<net::Outcome<Secret>> refresh();
    boost::asio::awaitable<net::Outcome<Secret>> mint();
    net::CallError interpret_error(const std::string& error, const std::string& description,
                                   int http_status);
    void adopt(Secret token, core::WallTime expires);
    void set_blocked(std::optional<core::WallTime> until, std::string_view reason);
    net::CallError blocked_error(std::string_view reason) const;
    void save_file(std::optional<TokenFile::Lock>& lock);

    net::HttpTransport& http_;
    core::Clock& clock_;
    TokenSettings settings_;
    SingleFlight<Secret> flight_;
    std::optional<Secret> token_;
    core::TimePoint expires_at_{};
    core::TimePoint refresh_at_{};
    std::deque<core::WallTime> mints_;  ///< token-endpoint requests inside the window
    std::optional<net::CallError> fatal_;
    TokenStats stats_;
    std::optional<TokenFile> file_;
    std::optional<Secret> rejected_;  ///< the last token the API refused: never adopted again
    std::optional<core::WallTime> blocked_wall_;
    std::function<void(std::optional<core::WallTime>)> block_listener_;
};

/// `application/x-www-form-urlencoded` encoding of one value.
std::string form_encode(std::string_view value);

}  // namespace hrmaild::zoho
