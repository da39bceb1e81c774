#pragma once
/// Internals of the Zoho Mail emulator (tests/sandbox/zoho_emulator.hpp): the organization's
/// model and the handlers, split over zoho_*.cpp by concern (responses, model, OAuth, users,
/// groups, seed and control; the routing in zoho_emulator.cpp). Not for use outside the
/// emulator; `ZohoEmulator::Impl` is `zoho_detail::Org`.
#include "tests/sandbox/zoho_emulator.hpp"

#include "tests/sandbox/util.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::sandbox::zoho_detail {

namespace json = boost::json;
using time_point = Clock::time_point;

// Ids above 2^53: odd values this large have no exact double, so a client that parses ids
// through double gets them wrong and a test notices.
inline constexpr std::int64_t first_zuid = 18014398509481985;          // 2^54 + 1
inline constexpr std::int64_t first_account_id = 2560636000000008003;  // like the official samples
inline constexpr std::int64_t first_zgid = 6917529027641081857;        // 0x6000...01
inline constexpr std::int64_t first_mailbox_id = 1152921504606846977;  // 2^60 + 1
inline constexpr std::int64_t first_alias_id = 4611686018427387905;    // 2^62 + 1

// ---------------------------------------------------------------- responses

/// The `status.description` Zoho sends with an error status.
std::string description_for(int status);

/// A success envelope: `status` {code, "success"} and `data` when given.
Response ok(int status, std::optional<json::value> data = std::nullopt);

/// An error envelope: `status` {code, description} and `data.errorCode` (and `moreInfo`).
Response fail(int status, std::string_view code, std::string_view more_info = {});

/// The token endpoint answers errors with HTTP 200 and a flat body (reference 1.3).
Response oauth_error(std::string_view error);

// ---------------------------------------------------------------- parsing helpers

/// Only ASCII digits, 1 to 19 of them.
bool all_digits(std::string_view s);

/// A non-negative decimal integer, or nothing.
std::optional<std::int64_t> parse_int(std::string_view s);

/// Ids arrive as numbers or as strings (reference 2, "Accept both").
std::optional<std::int64_t> as_id(const json::value& v);

/// Booleans arrive as JSON booleans or as "true"/"false" (the official samples send strings).
std::optional<bool> as_bool(const json::value& v);

/// A JSON string's value, or nothing.
std::optional<std::string> as_string(const json::value& v);

/// The part of an address before `@`.
std::string local_part(const std::string& email);

/// The part of an address after `@` (empty without one).
std::string domain_of(const std::string& email);

/// A deliberately plain address check: ASCII only, one '@', sane local part and domain labels.
bool valid_email(const std::string& email);

/// Zoho Accounts' default policy (reference section 7), with the older page's character
/// classes: 8-250 characters; upper, lower, digit and special; no "aaa" or "abc"/"123" run;
/// no part of the address or name of three letters or more; not a well-known breached password.
std::optional<std::string> password_problem(const std::string& password, const std::string& email,
                                            const std::string& first, const std::string& last);

/// Checks a JSON object's keys against the keys a mode accepts.
std::optional<std::string> extra_key(const json::object& o,
                                     const std::vector<std::string_view>& allowed);

/// The answer to a key the mode does not accept.
Response extra_key_response(const std::string& key);

// ---------------------------------------------------------------- model

/// An alias address of a user, with its id.
struct Alias {
    std::string address;
    std::int64_t id = 0;
};

/// A user: the Zoho account and its mail account.
struct User {
    std::int64_t zuid = 0;
    std::int64_t account_id = 0;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string display_name;
    std::string role = "member";
    bool account_enabled = true;  // the whole Zoho account (disableUser / enableUser)
    bool mail_enabled = true;     // the mail account only (disableMailAccount / ...)
    bool incoming_blocked = false;
    std::vector<Alias> aliases;
    json::array send_mail_details;
    json::array mail_forward;
    std::string password_hash;  // salted SHA-256; never shown
    bool one_time_password = false;
    std::int64_t last_password_reset_ms = -1;
    std::int64_t created_ms = 0;
    std::int64_t user_expiry = -1;
    std::string country = "mx";
    std::string language = "es";
    std::string time_zone = "America/Mexico_City";
    json::object extra;                           // employeeId, department, designation, ...
    std::optional<std::int64_t> used_storage_mb;  // org.json usedStorage; else derived
    bool dormant = false;  // org.json dormant: no sign-in in the generated history
    bool history = false;
    std::int64_t disabled_ms = -1;  // when the account was disabled (-1: enabled); its
                                    // sign-ins before then stay in the history  // seeded: traffic
                                    // and sign-ins before the seed (else from creation)
};

/// A group member and its membership state.
struct Member {
    std::string email;
    std::string role = "member";
    std::string status = "active";
    std::string post_approval = "accept";
    std::string ack_status = "accepted";
};

/// A group (mailing list) with its members and settings.
struct Group {
    std::int64_t zgid = 0;
    std::int64_t mailbox_id = 0;
    std::string email;
    std::string name;
    std::string description;
    std::string access_type = "Public";
    bool streams_enabled = false;
    std::vector<Member> members;
    json::object admin_settings;
    json::object general_settings;
    json::object text_settings;
    std::int64_t created_ms = 0;
};

/// One refresh token: its client and its mint history (the mint limit).
struct Grant {
    std::string client_id;
    std::deque<time_point> mints;
    long long minted = 0;
    long long refused = 0;
};

/// One access token: expiry and its calls of the last minute (the rate budget).
struct AccessToken {
    std::string refresh_token;
    time_point expires;
    std::deque<time_point> calls;  // API calls in the last minute (rate budget)
    long long total_calls = 0;
};

/// An OAuth client.
struct Client {
    std::string secret;
};

/// What a call does, for the scope check.
enum class Op { read, create, update, del };

/// The emulated organization, its OAuth state and every handler (`ZohoEmulator::Impl`).
/// The member functions are defined in the zoho_*.cpp file of their concern.
struct Org {
    Clock& clock;
    ZohoOptions options;
    bool has_org = false;
    std::int64_t zoid = 0;
    std::string org_name;
    std::string primary_domain;
    std::vector<std::string> domains;
    long long license_count = 0;
    std::int64_t org_created_ms = 0;
    std::vector<std::string> protected_accounts;
    std::map<std::string, Client> clients;
    std::map<std::string, Grant> grants;        // refresh token → grant
    std::map<std::string, AccessToken> tokens;  // access token → token
    long long minted_total = 0;
    long long mint_refused_total = 0;
    long long auth_failures = 0;
    long long throttled = 0;
    std::vector<User> users;
    std::vector<Group> groups;
    std::int64_t next_zuid = first_zuid;
    std::int64_t next_account_id = first_account_id;
    std::int64_t next_zgid = first_zgid;
    std::int64_t next_mailbox_id = first_mailbox_id;
    std::int64_t next_alias_id = first_alias_id;
    std::string password_salt = util::random_hex(16);
    std::uint64_t traffic_seed = 1;      // org.json traffic_seed: varies the generated reports
    std::int64_t traffic_anchor_ms = 0;  // the start (UTC) of the day the org was seeded

    /// An empty organization on the sandbox clock.
    explicit Org(Clock& c) : clock(c) {}

    /// The sandbox clock in Unix milliseconds.
    std::int64_t now_ms() const { return util::unix_ms(clock.now()); }

    /// Forgets everything (`reset`).
    void clear();

    // ------------------------------------------------------------ model (zoho_model.cpp)

    /// By zuid or accountId.
    User* user_by_id(std::int64_t id);

    /// By zuid only.
    User* user_by_zuid(std::int64_t id);

    /// By primary address or alias.
    User* user_by_email(const std::string& email);

    /// By zgid.
    Group* group_by_id(std::int64_t id);

    /// By the group's address.
    Group* group_by_email(const std::string& email);

    /// Whether an address is taken by a user (primary or alias) or a group.
    bool address_taken(const std::string& email);

    /// Whether the address is in one of the organization's domains.
    bool domain_verified(const std::string& email);

    /// Drops the address from every group's members.
    void remove_from_groups(const std::string& email);

    /// Salted SHA-256 of a password.
    std::string hash_password(const std::string& password) const;

    // ------------------------------------------------------------ JSON shapes (zoho_responses.cpp)

    /// A user as the accounts API shows it.
    json::object user_json(const User& u) const;

    /// A group member as the groups API shows it.
    json::object member_json(const Member& m);

    /// A group as the groups API shows it.
    json::object group_json(const Group& g);

    /// The organization as its API shows it.
    json::object org_json() const;

    /// A user's storage entry.
    json::object storage_json(const User& u) const;

    // ------------------------------------------------------------ OAuth (zoho_oauth.cpp)

    /// The "Access Denied" answer of the token endpoint.
    Response mint_denied() const;

    /// `POST /oauth/v2/token`: the refresh-token grant.
    Response token_endpoint(const Request& req);

    /// `/oauth/v2/token/revoke`.
    Response revoke_endpoint(const Request& req);

    /// Whether the configured scopes allow `op` on `resource`.
    bool has_scope(const std::string& resource, Op op) const;

    // ------------------------------------------------------------ API dispatch (zoho_emulator.cpp)

    /// Routes one `/api/` request: scope, authentication, budget, then the handler.
    Response api(const Request& req);

    /// The throttle answer in the current mode.
    Response throttle() const;

    /// `start` and `limit` from the query (`given` when either is there), or the bad key.
    static std::optional<std::pair<std::size_t, std::size_t>> paging(const Request& req,
                                                                     std::size_t default_start,
                                                                     std::size_t default_limit,
                                                                     bool& given, std::string& bad);

    /// `GET .../storage[/{zuid}]`.
    Response storage(const Request& req, const std::vector<std::string>& seg);

    // ------------------------------------------------------------ users (zoho_users.cpp)

    /// `GET .../accounts`.
    Response list_users(const Request& req);

    /// `GET .../accounts/{zuid|accountId|address}`.
    Response get_user(const std::string& key);

    /// Validates an address a user or alias is about to take.
    std::optional<Response> check_new_address(const std::string& email);

    /// `POST .../accounts`.
    Response add_user(const json::object& body);

    /// `PUT .../accounts` (role change).
    Response change_role(const json::object& body);

    /// `DELETE .../accounts`.
    Response delete_users(const json::object& body);

    /// `PUT .../accounts/{id}`: one of the account modes (dispatches to the handlers below).
    Response update_user(const std::string& key, const json::object& body);

    /// One account-mode call: the user the path names (null when none), the body's zuid
    /// (checked to be an id), the body and its mode.
    struct UserUpdate {
        User* user = nullptr;
        std::optional<std::int64_t> zuid;
        const json::object& body;
        std::string mode;
        /// The 404 when the path names no user or the body's zuid is another user's.
        std::optional<Response> missing() const;
    };

    /// `resetPassword`.
    Response reset_password(const UserUpdate& up);
    /// `disableUser`, with its optional clean-ups.
    Response disable_user(const UserUpdate& up);
    /// `enableUser`.
    Response enable_user(const UserUpdate& up);
    /// `disableMailAccount` / `enableMailAccount`.
    Response set_mail_account(const UserUpdate& up);
    /// `addEmailAlias` / `deleteEmailAlias`: checks the list, then adds or deletes.
    Response change_aliases(const UserUpdate& up);
    /// Adds checked aliases (all or none).
    Response add_aliases(User& u, const std::vector<std::string>& list);
    /// Deletes aliases the user has (all or none).
    Response delete_aliases(User& u, const std::vector<std::string>& list);
    /// `displaynameemailupdate`.
    Response update_display_name(const UserUpdate& up);
    /// `addsendmaildetails`.
    Response add_send_mail_details(const UserUpdate& up);

    // ------------------------------------------------------------ groups (zoho_groups.cpp)

    /// `GET .../groups`.
    Response list_groups(const Request& req);

    /// Parses a mailGroupMemberList with the keys a mode accepts.
    std::optional<Response> member_list(const json::object& body,
                                        const std::vector<std::string_view>& keys,
                                        std::vector<json::object>& out);

    /// A member entry's address, lower case.
    static std::string member_email(const json::object& o);

    /// A member entry's role, if given (`bad` when not a known role).
    static std::optional<std::string> member_role(const json::object& o, bool& bad);

    /// `POST .../groups`.
    Response create_group(const json::object& body);

    /// `DELETE .../groups[/{zgid}]`.
    Response delete_groups(const json::object& body, std::optional<std::int64_t> path_id);

    /// `PUT .../groups/{zgid}`: one of the group modes (dispatches to the handlers below;
    /// `g` is null when the path names no group).
    Response update_group(std::int64_t zgid, const json::object& body);
    /// `updateGroupName`.
    Response rename_group(Group* g, const json::object& body);
    /// `updateMailGroupAdvOptions`: access type and admin settings.
    Response set_group_access(Group* g, const json::object& body);
    /// `updateMailGroupOption(s)`: general and text settings.
    Response set_group_options(Group* g, const json::object& body);
    /// The member modes: parse the list, check every entry, then apply them all.
    Response update_members(Group* g, const std::string& mode, const json::object& body);
    /// Why a member-mode list is refused (nothing is changed then), if it is.
    std::optional<Response> check_members(Group& g, const std::string& mode,
                                          const std::vector<json::object>& list);
    /// Applies a checked member-mode list.
    void apply_members(Group& g, const std::string& mode, const std::vector<json::object>& list);

    // ------------------------------------------------------------ reports (zoho_reports.cpp)

    /// The mail traffic lines (one per recipient) in [from_ms, to_ms] and not after now,
    /// oldest first: generated from the users, the day and `traffic_seed`, so the same seed
    /// gives the same traffic.
    std::vector<json::object> smtp_lines(std::int64_t from_ms, std::int64_t to_ms) const;
    /// The successful sign-ins (loginActivity) in [from_ms, to_ms], not after now, oldest first.
    std::vector<json::object> login_lines(std::int64_t from_ms, std::int64_t to_ms) const;
    /// A user's lastLogin (ms; -1 for never).
    std::int64_t last_login_ms(const User& u) const;
    /// A user's usedStorage (MB).
    std::int64_t used_storage_mb(const User& u) const;
    /// `POST .../smtplogs`.
    Response smtp_logs(const json::object& body);
    /// `GET .../accounts/reports/loginHistory`.
    Response login_history(const Request& req);
    /// See `ZohoEmulator::reports_json`.
    json::value reports_json(int days) const;

    // ------------------------------------------------------------ seed, control, state
    // (zoho_seed.cpp)

    /// A user from an org.json user object (checked by org_user_problem, or skipped fields
    /// keep their defaults); the next ids unless it names zuid or accountId.
    User user_from_spec(const json::object& o);

    /// A control API error `{"error": message}`.
    static Response control_error(int status, const std::string& message);

    /// The user a control path names: zuid, accountId, address or alias.
    User* control_user(const std::string& key);

    /// Who holds an address, for a control error ("admin@x (alias)", "group todos@x").
    std::string holder(const std::string& address);

    /// An address a control call wants to give someone: valid, in one of the org's domains.
    std::optional<std::string> address_problem(const std::string& address);

    /// See `ZohoEmulator::control_add_user`.
    Response control_add_user(const json::object& spec);

    /// See `ZohoEmulator::control_update_user`.
    Response control_update_user(const std::string& key, const json::object& patch);

    /// See `ZohoEmulator::control_delete_user`.
    Response control_delete_user(const std::string& key);

    /// See `ZohoEmulator::seed`.
    void seed(const json::value& org_value);

    /// See `ZohoEmulator::state`.
    json::value state() const;

    /// See `ZohoEmulator::options_json`.
    json::object options_json() const;

    /// See `ZohoEmulator::configure_json`.
    bool configure_json(const json::object& patch, std::string& error);
};

}  // namespace hrmaild::sandbox::zoho_detail
