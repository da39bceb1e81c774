#pragma once
/// Zoho Mail Admin API and Zoho Accounts (OAuth) emulator: everything the sandbox serves under
/// `/api/` and `/oauth/v2/`, faithful to ../shared/reference/zoho-mail-api.md (section 10
/// decides the open points; docs/sandbox.md lists the emulator's own choices).
///
/// Plain class, no sockets: the sandbox server routes requests here. Single-threaded.
#include "tests/sandbox/http_types.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace hrmaild::sandbox {

/// Switches and limits of the emulated organization (changeable through the control API).
struct ZohoOptions {
    int token_lifetime_seconds = 3600;  ///< access token lifetime, on the sandbox clock
    int requests_per_minute = 30;       ///< per-token API budget (0: unlimited)
    bool throttle_as_400 = false;       ///< throttle answers 400 instead of 429
    int mint_limit = 10;                ///< access tokens one refresh token may mint per window
    int mint_window_seconds = 600;      ///< the mint limit's sliding window
    int mint_denied_status = 400;       ///< HTTP status of the "Access Denied" mint refusal
    /// Scopes every access token carries (checked on each call, so a change applies at once).
    std::vector<std::string> scopes = {
        "ZohoMail.organization.accounts.ALL", "ZohoMail.organization.groups.ALL",
        "ZohoMail.partner.organization.READ", "ZohoMail.organization.subscriptions.READ"};
};

/// The emulated organization and its accounts server.
class ZohoEmulator {
  public:
    /// The emulator reads time from the sandbox clock (token expiry, budgets, timestamps).
    explicit ZohoEmulator(Clock& clock);
    ~ZohoEmulator();
    ZohoEmulator(const ZohoEmulator&) = delete;
    ZohoEmulator& operator=(const ZohoEmulator&) = delete;

    /// Replaces the options.
    void configure(const ZohoOptions& options);
    /// Current options.
    [[nodiscard]] ZohoOptions options() const;
    /// Options as JSON (the control API's shape) and back; false with a reason on a bad value.
    [[nodiscard]] boost::json::object options_json() const;
    bool configure_json(const boost::json::object& patch, std::string& error);

    /// Loads org.json (tests/fixtures/tickets): organization, OAuth client and refresh
    /// token(s), users and groups. Replaces the whole organization; tokens are forgotten.
    void seed(const boost::json::value& org);
    /// Forgets everything (no organization, no client: every call fails).
    void reset();

    /// Answers one request whose path starts with `/api/` or `/oauth/v2/`.
    Response handle(const Request& request);

    /// Everything, as JSON (no password or token in it): org, users, groups, OAuth counters.
    [[nodiscard]] boost::json::value state() const;

    /// The throttle answer for `/api/` in the current mode (fault injection uses it too).
    [[nodiscard]] Response throttle_response() const;
    /// The "Access Denied" answer of the token endpoint (mint limit; fault injection).
    [[nodiscard]] Response mint_denied_response() const;

    /// Control API `POST /_sandbox/zoho/users`: adds a user as an admin would in the console
    /// (no token, no password policy, no licence check), from an org.json user object
    /// (`org_user_problem`). With `"replace": true` a user whose primary address it is is
    /// deleted first, so the new one gets a new zuid (a rehire). 201 `{"user", "replaced"}`;
    /// 400 for bad input, 409 when an address is taken.
    Response control_add_user(const boost::json::object& spec);
    /// Control API `POST /_sandbox/zoho/users/{key}` (zuid, accountId, address or alias):
    /// `enabled`, `mailEnabled`, `role`, `firstName`, `lastName`, `displayName`, `addAliases`,
    /// `removeAliases`; all checked before anything changes. 200 `{"user"}`.
    Response control_update_user(const std::string& key, const boost::json::object& patch);
    /// Control API `DELETE /_sandbox/zoho/users/{key}`: deletes any user, the super admin too.
    Response control_delete_user(const std::string& key);

    /// Control API `GET /_sandbox/zoho/reports?days=N` (1-90, default 30): what the report
    /// endpoints hold for the last N UTC days ending today, counted the way the dashboard
    /// counts: per day the lines whose recipient (in) or sender (out) is in the org's domains,
    /// and per user lastLogin, sign-ins in the period and usedStorage.
    [[nodiscard]] boost::json::value reports_json(int days) const;
    /// Access tokens minted since the last reset.
    [[nodiscard]] long long tokens_minted() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hrmaild::sandbox
