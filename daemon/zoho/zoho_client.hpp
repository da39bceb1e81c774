#pragma once
/// The Zoho Mail Admin API client (reference sections 4-6 and 10): organization and storage,
/// users and their modes, groups and their modes. Every call is a coroutine returning
/// `net::Outcome<T>`; every call goes through the client-side budget
/// (`zoho.requests_per_minute`), the access token (refreshed once on 401 INVALID_OAUTHTOKEN)
/// and the retry policy (throttles back off 60 s doubling to 15 min, jittered).
#include "daemon/config/config.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/secret.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/net/rate_limiter.hpp"
#include "daemon/net/retry.hpp"
#include "daemon/zoho/single_flight.hpp"
#include "daemon/zoho/token_manager.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::zoho {

/// The organization as GET /api/organization describes it (section 4).
struct Organization {
    std::int64_t zoid = 0;
    std::string name;            ///< orgName
    std::string primary_domain;  ///< primaryDomainName
    std::vector<std::string> domains;
    std::string super_admin;  ///< address
    std::string base_plan;    ///< e.g. "Mail Premium"
    std::int64_t users_count = 0;
    std::int64_t group_count = 0;
    std::int64_t mailbox_count = 0;
    std::int64_t license_count = 0;
};

/// One user's storage row of GET .../storage.
struct UserStorage {
    std::int64_t zuid = 0;
    std::int64_t used_mb = 0;   ///< usedStorage (MB, reference section 4: open question 8)
    std::int64_t total_gb = 0;  ///< totalStorage (GB)
    bool mailbox = true;
};

/// The organization's storage (GET .../storage, all pages).
struct Storage {
    std::vector<UserStorage> users;
    std::int64_t used_mb = 0;         ///< sum of usedStorage
    std::int64_t total_mb = 0;        ///< sum of totalStorage, GB converted to MB
    std::int64_t licenses_total = 0;  ///< orgPlans[].totalCount summed (0 when absent)
    std::int64_t licenses_used = 0;   ///< orgPlans[].allotedCount summed
};

/// What `hrmaild status` shows: the Admin Console dashboard's numbers.
struct OrgSummary {
    Organization organization;
    std::int64_t users = 0;
    std::int64_t active_users = 0;  ///< users whose account and mailbox are enabled
    std::int64_t licenses = 0;
    std::int64_t groups = 0;
    std::int64_t storage_used_mb = 0;
    std::int64_t storage_total_mb = 0;
};

/// One line of the SMTP logs (POST .../smtplogs, reference section 4 "Other dashboard
/// sources"): one recipient of one message. The reference names the request fields only; the
/// entry's field names are docs/sandbox.md's decision.
struct SmtpLogEntry {
    std::string message_id;    ///< messageId
    std::string from;          ///< fromAddr, lower case
    std::string to;            ///< toAddr, lower case
    std::int64_t time_ms = 0;  ///< time (ms since the epoch)
    std::string status;        ///< e.g. delivered
};

/// Which login-history report (the `mode` of GET .../accounts/reports/loginHistory).
enum class LoginMode { login, failed_login, protocol_login, failed_protocol_login };

/// One record of the login history: who signed in, when and how.
struct LoginRecord {
    std::int64_t zuid = 0;
    std::string address;       ///< emailAddress, lower case
    std::string display_name;  ///< displayName
    std::int64_t time_ms = 0;  ///< loginTime (ms since the epoch)
    std::string access_type;   ///< web | mobile
    std::string ip_address;    ///< ipAddress
};

/// The two ids a single-user PUT needs: accountId goes in the path, zuid in the body.
struct UserRef {
    std::int64_t zuid = 0;
    std::int64_t account_id = 0;
};

/// One mail user (section 5.3).
struct User {
    std::int64_t zuid = 0;
    std::int64_t account_id = 0;
    std::string primary_address;
    std::vector<std::string> aliases;  ///< emailAddress[] entries with isAlias
    std::string first_name;
    std::string last_name;
    std::string display_name;
    std::string role;             ///< member | admin | super_admin
    bool account_enabled = true;  ///< `status`: the Zoho account (disableUser)
    bool mailbox_enabled = true;  ///< `mailboxStatus` == "enabled"
    bool incoming_blocked = false;
    std::int64_t used_storage_mb = 0;
    std::int64_t created_ms = 0;      ///< accountCreationTime (ms since the epoch); 0: not given
    std::int64_t last_login_ms = -1;  ///< lastLogin (ms since the epoch); -1: never or not given
    /// `mailForward[]`: one entry per forward the account has. The reference gives no element
    /// shape, so an entry's address is read when it is a string or an object holding an
    /// address as a string value; an entry without one counts with an empty address.
    std::vector<std::string> forwards;

    /// The ids for single-user calls.
    [[nodiscard]] UserRef ref() const { return {zuid, account_id}; }
};

/// The body of add user (section 5.1).
struct NewUser {
    std::string primary_address;  ///< primaryEmailAddress
    Secret password;
    std::string first_name;
    std::string last_name;
    std::string display_name;         ///< empty: not sent (Zoho derives it)
    std::string role = "member";      ///< member | admin | super_admin
    bool one_time_password = true;    ///< force a change at first login
    std::vector<std::string> groups;  ///< groupMailList (group addresses), at most 100
};

/// Flags of disableUser (section 5.6).
struct DisableOptions {
    bool block_incoming = true;
    bool remove_mail_forward = false;
    bool remove_group_membership = false;
    bool remove_alias = false;
};

/// One member of a group.
struct GroupMember {
    std::string address;               ///< memberEmailId
    std::string role = "member";       ///< member | moderator
    std::string status;                ///< active, unconfirmed, ... (read only)
    std::optional<std::int64_t> zuid;  ///< read only; absent for outside addresses
};

/// One distribution group (section 6.3).
struct Group {
    std::int64_t zgid = 0;
    std::string address;  ///< emailId
    std::string name;
    std::string description;
    std::string access_type;  ///< Public | Organization | Group | Moderated
    std::int64_t member_count = 0;
    std::vector<GroupMember> members;
    bool members_listed = false;  ///< whether the answer carried mailGroupMemberList
};

/// The body of create group (section 6.1).
struct NewGroup {
    std::string address;  ///< emailId
    std::string name;
    std::string description;           ///< empty: not sent
    std::string access_type;           ///< empty: Zoho's default (Public)
    std::vector<GroupMember> members;  ///< address and role of each
};

/// updateMailGroupAdvOptions (section 6.4): the access type plus any admin settings to set.
struct GroupSettings {
    std::string access_type;             ///< required by Zoho
    boost::json::object admin_settings;  ///< groupAdminSettings keys (holdOrBounce, ...)
};

/// changeRole's answer: one boolean per zuid.
using RoleResults = std::vector<std::pair<std::int64_t, bool>>;

/// Tuning that does not live in the config file.
struct ClientOptions {
    int user_page_size = 200;      ///< `limit` of the user list (no documented maximum)
    int group_page_size = 25;      ///< the old documented maximum of the group list
    int smtp_log_page_size = 500;  ///< `limit` of the SMTP logs (documented range 1-500)
    int login_batch_size = 500;    ///< `batchSize` of the login history
    core::Duration throttle_base = std::chrono::seconds(60);  ///< first wait after a throttle
    core::Duration throttle_cap = std::chrono::minutes(15);   ///< longest wait after throttles
    net::Jitter jitter = net::Jitter::full;                   ///< jitter of ordinary retries
    std::uint64_t seed = 0;                                   ///< fixes jitter in tests (0: random)
};

/// Counters for tests and `status`.
struct ClientStats {
    std::size_t requests = 0;       ///< API requests sent (token endpoint not included)
    std::size_t throttled = 0;      ///< throttle answers received
    std::size_t token_retries = 0;  ///< calls retried after a 401 INVALID_OAUTHTOKEN
};

/// The Zoho Mail Admin API.
class ZohoClient {
  public:
    /// `http`, `clock` and `tokens` must outlive the client. `api_url` is the Mail host (per
    /// data centre); `zoid` 0 discovers it on first use.
    ZohoClient(net::HttpTransport& http, core::Clock& clock, TokenManager& tokens,
               std::string api_url, std::int64_t zoid, int requests_per_minute,
               net::RetrySettings retry, ClientOptions options = {});
    /// From `zoho.api_url`, `zoho.zoid`, `zoho.requests_per_minute` and `retry.*`.
    ZohoClient(net::HttpTransport& http, core::Clock& clock, TokenManager& tokens,
               const config::ZohoConfig& zoho, const net::RetrySettings& retry,
               ClientOptions options = {});

    // ---- organization
    /// The organization id: configured, or discovered once through GET /api/organization.
    boost::asio::awaitable<net::Outcome<std::int64_t>> zoid();
    /// GET /api/organization/{zoid}.
    boost::asio::awaitable<net::Outcome<Organization>> organization();
    /// GET /api/organization/{zoid}/storage (all pages).
    boost::asio::awaitable<net::Outcome<Storage>> storage();
    /// The mail traffic in [from_ms, to_ms] (POST .../smtplogs, every page: `isNext` with the
    /// answer's `pagekey` while `hnxt` says more), at most `max_entries` lines (more: a
    /// permanent error naming the bound, so a page view never pages without end).
    boost::asio::awaitable<net::Outcome<std::vector<SmtpLogEntry>>> smtp_logs(
        std::int64_t from_ms, std::int64_t to_ms, std::size_t max_entries = 100000);
    /// The login history in [from_ms, to_ms] (GET .../accounts/reports/loginHistory, every
    /// batch by `scrollId`), at most `max_records`.
    boost::asio::awaitable<net::Outcome<std::vector<LoginRecord>>> login_history(
        std::int64_t from_ms, std::int64_t to_ms, LoginMode mode = LoginMode::login,
        std::size_t max_records = 100000);
    /// The dashboard numbers for `hrmaild status`: organization, storage and group list.
    boost::asio::awaitable<net::Outcome<OrgSummary>> summary();

    // ---- users
    /// POST .../accounts. EMAIL_ALREADY_EXISTS → conflict (probe with `find_user`);
    /// PASSWORD_POLICY_VIOLATION, LICENSE_LIMIT_EXCEEDED, DOMAIN_NOT_VERIFIED,
    /// INVALID_EMAIL_ADDRESS → permanent.
    boost::asio::awaitable<net::Outcome<User>> add_user(NewUser user);
    /// One page of GET .../accounts?start=&limit= (start is 0-based).
    boost::asio::awaitable<net::Outcome<std::vector<User>>> list_users(int start, int limit);
    /// Every user, paged by `user_page_size` until a short page.
    boost::asio::awaitable<net::Outcome<std::vector<User>>> list_all_users();
    /// GET .../accounts/{address}; USER_NOT_FOUND when absent (`is_not_found`).
    boost::asio::awaitable<net::Outcome<User>> get_user(std::string address);
    /// GET .../accounts/{zuid or accountId}.
    boost::asio::awaitable<net::Outcome<User>> get_user_by_id(std::int64_t id);
    /// `get_user` with "not found" as an empty optional (for probes).
    boost::asio::awaitable<net::Outcome<std::optional<User>>> find_user(std::string address);
    /// mode resetPassword.
    boost::asio::awaitable<net::Outcome<void>> reset_password(UserRef user, Secret password,
                                                              bool one_time_password = true,
                                                              bool sign_out_sessions = true);
    /// mode disableUser.
    boost::asio::awaitable<net::Outcome<void>> disable_user(UserRef user, DisableOptions options);
    /// mode enableUser.
    boost::asio::awaitable<net::Outcome<void>> enable_user(UserRef user,
                                                           bool unblock_incoming = true);
    /// mode changeRole on the collection URL; one result per zuid.
    boost::asio::awaitable<net::Outcome<RoleResults>> change_role(std::vector<std::int64_t> zuids,
                                                                  std::string role);
    /// mode addEmailAlias.
    boost::asio::awaitable<net::Outcome<void>> add_aliases(UserRef user,
                                                           std::vector<std::string> aliases);
    /// mode deleteEmailAlias.
    boost::asio::awaitable<net::Outcome<void>> delete_aliases(UserRef user,
                                                              std::vector<std::string> aliases);
    /// mode displaynameemailupdate: the display name and sending address (not the login).
    boost::asio::awaitable<net::Outcome<void>> update_display_name(UserRef user,
                                                                   std::string display_name,
                                                                   std::string email_address);
    /// DELETE .../accounts with {"accountList":[zuid...]}.
    boost::asio::awaitable<net::Outcome<void>> delete_users(std::vector<std::int64_t> zuids);
    /// DELETE .../accounts with {"emailList":[address...]}.
    boost::asio::awaitable<net::Outcome<void>> delete_users_by_address(
        std::vector<std::string> addresses);

    // ---- groups
    /// POST .../groups.
    boost::asio::awaitable<net::Outcome<Group>> create_group(NewGroup group);
    /// Every group (GET .../groups; paged with start/limit when the answer's count says more).
    boost::asio::awaitable<net::Outcome<std::vector<Group>>> list_groups();
    /// GET .../groups/{zgid}; GROUP_NOT_FOUND when absent.
    boost::asio::awaitable<net::Outcome<Group>> get_group(std::int64_t zgid);
    /// The group with this address (from the list), or empty.
    boost::asio::awaitable<net::Outcome<std::optional<Group>>> find_group(std::string address);
    /// mode addMailGroupMember. MEMBER_ALREADY_EXISTS is settled by a probe of the member
    /// list: success when every requested member is in, else conflict.
    boost::asio::awaitable<net::Outcome<void>> add_members(std::int64_t zgid,
                                                           std::vector<GroupMember> members);
    /// mode deleteMailGroupMember.
    boost::asio::awaitable<net::Outcome<void>> remove_members(std::int64_t zgid,
                                                              std::vector<std::string> addresses);
    /// mode changeMemberRole.
    boost::asio::awaitable<net::Outcome<void>> change_member_roles(
        std::int64_t zgid, std::vector<GroupMember> members);
    /// mode updateGroupName.
    boost::asio::awaitable<net::Outcome<void>> rename_group(std::int64_t zgid, std::string name);
    /// mode updateMailGroupAdvOptions.
    boost::asio::awaitable<net::Outcome<void>> update_group_settings(std::int64_t zgid,
                                                                     GroupSettings settings);
    /// DELETE .../groups/{zgid}.
    boost::asio::awaitable<net::Outcome<void>> delete_group(std::int64_t zgid);

    // ---- plumbing
    /// One API call with budget, token, retries and error mapping; returns the body's `data`
    /// (null when the answer has none). `path` starts with /api/; `scope` names the scope the
    /// call needs (for the INVALID_OAUTHSCOPE message).
    boost::asio::awaitable<net::Outcome<boost::json::value>> call(
        std::string method, std::string path, std::optional<boost::json::value> body,
        std::string scope, std::string operation);

    /// Whether a call may be re-sent blindly after a failure that may have reached Zoho: GET
    /// and the PUT modes that set a state are idempotent; POST, DELETE, resetPassword and the
    /// alias and member changes are not (re-sent only after a throttle or a failure before
    /// sending).
    static net::Idempotency idempotency_of(std::string_view method, std::string_view operation);

    /// Counters since construction.
    [[nodiscard]] const ClientStats& stats() const { return stats_; }
    /// The token manager in use.
    [[nodiscard]] TokenManager& tokens() { return tokens_; }
    /// The client-side budget.
    [[nodiscard]] net::RateLimiter& limiter() { return limiter_; }
    /// The wait after the `n`th throttle answer of one call (1-based): `throttle_base`
    /// doubling up to `throttle_cap`, plus up to a quarter more at random.
    core::Duration throttle_delay(int n);

  private:
    struct Spec {
        std::string method;
        std::string path;
        std::optional<boost::json::value> body;
        std::string scope;
        std::string operation;
        int throttles = 0;  ///< throttle answers so far in this call (drives the backoff)
    };
    boost::asio::awaitable<net::Outcome<boost::json::value>> attempt(Spec& spec);
    boost::asio::awaitable<net::Outcome<std::string>> org_path();
    boost::asio::awaitable<net::Outcome<std::int64_t>> discover_zoid();
    boost::asio::awaitable<net::Outcome<net::HttpResponse>> send_once(const Spec& spec,
                                                                      const Secret& token);
    boost::asio::awaitable<net::Outcome<void>> update_user(UserRef user, boost::json::object body,
                                                           std::string operation);
    boost::asio::awaitable<net::Outcome<void>> update_group(std::int64_t zgid,
                                                            boost::json::object body,
                                                            std::string operation);

    net::HttpTransport& http_;
    core::Clock& clock_;
    TokenManager& tokens_;
    std::string api_url_;
    std::int64_t zoid_ = 0;
    ClientOptions options_;
    net::RateLimiter limiter_;
    net::RetryPolicy retry_;
    std::mt19937_64 rng_;
    SingleFlight<std::int64_t> zoid_flight_;
    ClientStats stats_;
};

/// Maps Zoho JSON onto the client's types (public for tests).
User parse_user(const boost::json::object& o);
Group parse_group(const boost::json::object& o);
Organization parse_organization(const boost::json::object& o);

/// A path segment percent-encoded (addresses keep their '@').
std::string encode_segment(std::string_view segment);

}  // namespace hrmaild::zoho
