#pragma once
/// Bitrix24 REST emulator: everything the sandbox serves under `/rest/`, faithful to
/// ../shared/reference/bitrix24-rest-api.md (sections 11 and 12 decide the open points).
///
/// Plain class, no sockets: the sandbox server routes requests here and delivers the
/// outgoing events it queues. Single-threaded: the server calls it from one thread.
#include "tests/sandbox/http_types.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hrmaild::sandbox {

/// Switches and limits of the emulated portal (changeable through the control API).
struct BitrixOptions {
    int bucket_burst = 50;            ///< leaky bucket size (503 QUERY_LIMIT_EXCEEDED above it)
    double bucket_drain_per_sec = 2;  ///< leaky bucket drain rate
    bool operating_limit = false;     ///< per-method operating-time limit (429) on/off
    double operating_limit_seconds = 480;  ///< budget per method over 10 minutes
    double operating_cost_seconds = 0;     ///< simulated time billed per call (to trip the limit)
    bool new_card_default = false;         ///< every new task is a new-card (chat) task
    bool wrong_secret_no_auth_found =
        false;  ///< wrong secret → NO_AUTH_FOUND instead of INVALID_CREDENTIALS
    /// OAuth-app access tokens answer 401 expired_token after this many seconds.
    double oauth_access_lifetime_seconds = 3600;
};

/// The emulated portal.
class BitrixEmulator {
  public:
    /// The emulator reads time from the sandbox clock (dates, buckets, token expiry).
    explicit BitrixEmulator(Clock& clock);
    ~BitrixEmulator();
    BitrixEmulator(const BitrixEmulator&) = delete;
    BitrixEmulator& operator=(const BitrixEmulator&) = delete;

    /// Replaces the options.
    void configure(const BitrixOptions& options);
    /// Current options.
    [[nodiscard]] BitrixOptions options() const;

    /// Loads a portal (portal.json of tests/fixtures/tickets) and tasks (requests/*.json, in
    /// the order given; each becomes a task whose id follows the previous one, starting at 1).
    /// Seeding adds to the current state; call reset() first for a clean portal.
    void seed(const boost::json::value& portal, const std::vector<boost::json::value>& requests);
    /// Forgets everything (users, tasks, comments, messages, buckets).
    void reset();

    /// Answers one request whose path starts with `/rest/`.
    Response handle(const Request& request);

    /// Everything, as JSON: users, departments, projects, tasks (with comments and chat
    /// messages), notifications, im messages, options, bucket level.
    [[nodiscard]] boost::json::value state() const;

    /// Where outgoing events go (empty: no events). Set by the control API or seed.
    void set_event_target(std::string url);
    [[nodiscard]] std::string event_target() const;
    /// The form-encoded bodies of events raised since the last call, in order; the server
    /// POSTs each once to event_target(), without retries.
    std::vector<std::string> take_outgoing_events();

    /// Runs one REST method (`tasks.task.update`, `task.commentitem.add`, ...) as user
    /// `user_id`, for the control API: the answer is the REST envelope or error body; no
    /// leaky bucket or operating limit applies and no call is counted; events are raised as
    /// for a REST call.
    Response act_as(long long user_id, const std::string& method,
                    const boost::json::object& params);
    /// Whether the portal has a user with this id.
    [[nodiscard]] bool has_user(long long user_id) const;
    /// The owner of the inbound webhook (portal.json `webhook.user_id`, default 1).
    [[nodiscard]] long long webhook_user() const;

    /// The webhook URL path prefix for the seeded webhook, e.g. `/rest/1/sandbox-webhook-secret/`.
    [[nodiscard]] std::string webhook_path() const;

    /// Answers the Bitrix24 OAuth server (oauth.bitrix.info) at `/oauth/token/`: the
    /// refresh-token grant (GET query or POST form) with the app's client_id and client_secret
    /// from portal.json's `oauth_app` (defaults: local.sandbox / sandbox-client-secret, first
    /// refresh token sandbox-refresh-token for the webhook user). Each refresh returns a NEW
    /// refresh token and retires the old one (400 invalid_grant when reused).
    Response handle_oauth(const Request& request);

    /// The portal's `/oauth/authorize/` (reference section 13): a test sign-in page listing
    /// the users, and with `user_id` chosen a 302 to the app's handler URL with a code.
    Response handle_authorize(const Request& request);
    /// Sets the local application's handler URL (where authorize sends the browser back).
    void set_oauth_handler_url(std::string url);

    /// Mints an OAuth access token for `/rest/{method}?auth=TOKEN` calls as that user (the
    /// local-app path); after `lifetime` on the sandbox clock it answers 401 expired_token.
    std::string issue_oauth_token(long long user_id,
                                  std::chrono::seconds lifetime = std::chrono::seconds(3600));

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hrmaild::sandbox
