#pragma once
/// Internals of the Bitrix24 emulator (tests/sandbox/bitrix_emulator.hpp): the portal's state
/// and the handlers of each method family, split over bitrix_*.cpp by family. Not for use
/// outside the emulator; `BitrixEmulator::Impl` is this class.
#include "tests/sandbox/bitrix_emulator.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::sandbox::bitrix_detail {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;

inline constexpr std::size_t page_size = 50;
inline constexpr std::size_t batch_cap = 50;
inline constexpr const char* action_not_allowed = "Action on the task is not allowed";

/// ASCII lower case.
std::string lower(std::string_view s);
/// ASCII upper case.
std::string upper(std::string_view s);
/// `responsibleId` → `RESPONSIBLE_ID`; names already in capitals stay as they are.
std::string to_upper_snake(std::string_view s);
/// `UF_AUTO_4998` → `ufAuto4998`, `UF_CRM_TASK` → `ufCrmTask`.
std::string uf_camel(std::string_view name);
/// Case-insensitive (ASCII) substring test.
bool icontains(std::string_view hay, std::string_view needle);
/// SQL LIKE with `%` wildcards, case-insensitive (ASCII), as Bitrix filters strings.
bool like(std::string_view text, std::string_view pattern);
/// A request value as Y/N-style truth: true, non-zero, "Y", "1", "true".
bool truthy(const json::value& v);

/// A filter key split into its operator prefix and field name (`>=CHANGED_DATE`).
struct FilterKey {
    std::string op;     ///< `!`, `<`, `<=`, `>`, `>=`, `=`, `%`, ... or empty
    std::string field;  ///< upper-case field name
};
/// Splits a filter key into operator and field.
FilterKey split_filter_key(std::string_view key);
/// True for the negated operators (`!`, `!=`, `!%`, ...).
bool negated(const std::string& op);

// Compares a number or a date with one filter value under an operator.
template <typename T>
bool compare(const T& actual, const T& wanted, const std::string& op) {
    std::string o = negated(op) ? op.substr(1) : op;
    if (o == "<") {
        return actual < wanted;
    }
    if (o == "<=") {
        return actual <= wanted;
    }
    if (o == ">") {
        return actual > wanted;
    }
    if (o == ">=") {
        return actual >= wanted;
    }
    return actual == wanted;
}

/// Any of the filter values matches; `!` negates the whole test (NOT IN).
bool match_any(const json::value& wanted, const std::string& op,
               const std::function<bool(const json::value&)>& one);
/// A number against filter values.
bool match_number(long long actual, const json::value& wanted, const std::string& op);
/// A date (absent: matches only an empty value) against filter values read like strtotime.
bool match_date(const std::optional<time_point>& actual, const json::value& wanted,
                const std::string& op);
/// A string against filter values (LIKE, `%` substring, comparisons).
bool match_string(const std::string& actual, const json::value& wanted, const std::string& op);
/// Serialises like PHP's json_encode (plain-decimal floats).
void php_serialize(const json::value& v, std::string& out);
/// A JSON response serialised like PHP.
Response php_json(int status, const json::value& v);
/// `{"error": code, "error_description": description}`.
json::object error_body(const std::string& code, const std::string& description);

/// The emulated portal: state plus one member function per REST method.
struct Portal {
    /// A comment of a classic-card task (task.commentitem.*).
    struct Comment {
        long long id = 0;
        long long author_id = 0;
        time_point date;
        std::string text;
    };
    /// A message in a task chat (new card); author 0 is the system.
    struct ChatMessage {
        long long id = 0;
        long long chat_id = 0;
        long long author_id = 0;  // 0: system message
        time_point date;
        std::string text;
    };
    /// One task, in the portal's own terms; task_members() shapes it for output.
    struct Task {
        long long id = 0;
        std::string title;
        std::string description;
        int status = 2;
        long long created_by = 0;
        long long responsible_id = 0;
        long long group_id = 0;
        long long changed_by = 0;
        long long status_changed_by = 0;
        long long closed_by = 0;
        int priority = 1;
        bool task_control = false;
        std::vector<std::string> tags;
        std::vector<long long> auditors;
        std::vector<long long> accomplices;
        std::vector<std::pair<std::string, json::value>> uf;  // UF_NAME → value
        time_point created;
        time_point changed;
        time_point activity;
        time_point status_changed;
        std::optional<time_point> closed;
        std::optional<time_point> deadline;
        long long chat_id = 0;  // non-zero: new-card task, comments live in the chat
        std::vector<Comment> comments;
    };
    /// An im.notify.personal.add / im.notify.system.add notification, kept for state().
    struct Notification {
        long long id = 0;
        std::string type;  // personal | system
        long long user_id = 0;
        long long from_user_id = 0;
        std::string message;
        std::string message_out;
        std::string tag;
        std::string sub_tag;
        time_point date;
    };
    /// An im.message.add message (private or to a task chat), kept for state().
    struct ImMessage {
        long long id = 0;
        long long from_user_id = 0;
        std::string dialog_id;
        long long chat_id = 0;
        std::string message;
        bool system = false;
        time_point date;
    };
    /// An OAuth access or refresh token: whose, and until when.
    struct Token {
        long long user_id = 0;
        time_point expires;
    };
    /// What a handler answers: a result (with list extras) or an error.
    struct Outcome {
        int status = 200;
        json::value result;
        std::optional<long long> total;
        std::optional<long long> next;
        std::string error;
        std::string description;

        [[nodiscard]] bool ok() const { return error.empty(); }
        static Outcome fail(int s, std::string code, std::string text) {
            Outcome o;
            o.status = s;
            o.error = std::move(code);
            o.description = std::move(text);
            return o;
        }
        static Outcome of(json::value v) {
            Outcome o;
            o.result = std::move(v);
            return o;
        }
    };
    /// Who is calling, and through which credential (the operating limit is per credential).
    struct Call {
        long long user_id = 0;
        std::string credential;
        bool in_batch = false;
    };
    /// A REST method's handler.
    using Handler = Outcome (Portal::*)(const json::object&, const Call&);

    /// An empty portal reading time from the sandbox clock.
    explicit Portal(Clock& c) : clock(c) { clear(); }

    /// The sandbox clock (dates, buckets, token expiry).
    Clock& clock;
    BitrixOptions opts;                           ///< switches and limits
    std::string portal = "sandbox.bitrix24.com";  ///< the portal domain (portal.json `portal`)
    long long webhook_user = 1;                   ///< owner of the inbound webhook
    std::string webhook_secret = "sandbox-webhook-secret";  ///< the webhook code in the URL
    std::string app_token;                  ///< outgoing_application_token sent with events
    std::string event_url;                  ///< where events go; empty: none are queued
    std::vector<long long> approvers;       ///< portal.json `approvers`, shown in state()
    std::vector<json::object> users;        ///< seeded users as given
    std::vector<json::object> departments;  ///< seeded departments as given
    std::vector<json::object> projects;     ///< seeded projects (workgroups)
    std::map<long long, Task> tasks;        ///< by id
    std::map<long long, std::vector<ChatMessage>> chats;  ///< chat id → messages
    std::map<long long, long long> chat_task;             ///< chat id → task id
    std::vector<Notification> notifications;              ///< every notification sent
    std::vector<ImMessage> im_messages;                   ///< every im.message.add
    std::map<std::string, long long> tag_ids;             ///< lower-cased title → id
    std::vector<std::string> uf_names;                    ///< UF fields the portal knows
    std::map<std::string, Token> tokens;                  ///< OAuth access tokens
    std::map<std::string, Token> refresh_tokens;          ///< live refresh tokens of the OAuth app
    std::string oauth_client_id = "local.sandbox";        ///< the OAuth app
    std::string oauth_client_secret = "sandbox-client-secret";  ///< the OAuth app's secret
    long long oauth_refreshes = 0;                              ///< refresh grants served
    /// Where the portal sends a browser back after the test sign-in (the local application's
    /// handler URL: portal.json `oauth_app.handler_url`, or POST /_sandbox/bitrix/oauth_app).
    std::string oauth_handler_url;
    /// An authorization code: single use, bound to the user and the client id, valid 30 s.
    struct AuthCode {
        long long user_id = 0;
        std::string client_id;
        time_point expires{};
    };
    std::map<std::string, AuthCode> auth_codes;    ///< live authorization codes
    long long sign_ins = 0;                        ///< codes exchanged
    std::deque<std::string> outgoing;              ///< queued event bodies
    std::map<std::string, long long> calls;        ///< HTTP-level calls per method
    std::map<std::string, long long> batch_calls;  ///< commands run inside batch, per method
    long long requests_total = 0;                  ///< requests under /rest/
    long long rejected_bucket = 0;                 ///< 503 answers
    long long rejected_operating = 0;              ///< 429 answers
    long long events_raised = 0;                   ///< events queued so far
    double bucket_level = 0;                       ///< leaky bucket level at bucket_at
    time_point bucket_at{};                        ///< when bucket_level was last drained
    /// Operating-time usage per credential and method: (call time, seconds billed).
    std::map<std::string, std::deque<std::pair<time_point, double>>> operating;
    long long next_task_id = 1;          ///< id counters
    long long next_comment_id = 3001;    ///< id counter
    long long next_message_id = 5001;    ///< id counter
    long long next_chat_id = 101;        ///< id counter
    long long next_notification_id = 1;  ///< id counter
    long long next_tag_id = 31;          ///< id counter
    long long next_token = 1;            ///< id counter

    /// Forgets everything but the options, the webhook and the portal name.
    void clear();

    // ---------------------------------------------------------------- lookups and shapes

    /// The seeded user with that ID, or null.
    const json::object* user(long long id) const;

    /// "NAME LAST_NAME" of a user, empty if unknown.
    std::string user_name(long long id) const;

    /// The seeded project (workgroup) with that ID, or null.
    const json::object* project(long long id) const;

    /// The task with that id, or null.
    Task* task(long long id);

    /// Admins may approve any task: the webhook owner is one.
    bool is_admin(long long uid) const;

    /// The portal-wide id of a tag title (case-insensitive), made on first use.
    long long tag_id(const std::string& title);

    /// Registers a UF field name so every task shows it (`[]` when unset).
    void note_uf(const std::string& name);

    /// The `{id,name,link,icon,workPosition}` card of creator/responsible.
    json::value user_card(long long id) const;

    /// auditorsData / accomplicesData: cards by id, `[]` when empty.
    json::value members_data(const std::vector<long long>& ids) const;

    /// Ids as the list of strings PHP sends.
    static json::array id_strings(const std::vector<long long>& ids);

    /// An ISO 8601 date in the portal offset, or null.
    static json::value date_or_null(const std::optional<time_point>& t);

    /// Tags in the current map form `{"31":{"id":31,"title":"alta"}}`, `[]` when empty.
    json::value tags_value(const Task& t);

    /// A UF value as the list shows it: string, list of strings, or `[]`.
    json::value uf_value(const Task& t, const std::string& name) const;

    /// The action map tasks.task.get adds: what the caller may do with the task now.
    json::object actions(const Task& t, long long caller) const;

    /// One output member of a task: its camelCase key, the select name that brings it.
    struct Member {
        std::string select;
        std::string key;
        json::value value;
        bool in_default = true;
    };

    /// Every output member of a task, in output order.
    std::vector<Member> task_members(const Task& t);

    /// Normalised select: upper-case names; empty means the method's default selection.
    static std::vector<std::string> select_list(const json::value* select);

    /// A task as tasks.task.* shows it. `with_all` is the get default (UF fields and tags too).
    json::object task_json(const Task& t, const std::vector<std::string>& select, bool with_all);

    // ---------------------------------------------------------------- events

    /// Queues one outgoing event body (only with an event target and app token).
    void raise_event(const std::string& name, const std::string& data);

    /// The portal's member_id (stable, 32 hex digits).
    std::string member_id() const;

    /// Queues ONTASKADD or ONTASKUPDATE for a task.
    void task_event(const std::string& name, long long id);

    /// Queues ONTASKCOMMENTADD (ID 0 plus MESSAGE_ID on the new card).
    void comment_event(long long comment_id, long long task_id, long long message_id);

    // ---------------------------------------------------------------- limits

    /// Leaky bucket shared by every request to the portal; false when full (503).
    bool bucket_admit();

    /// Operating-time entries of a credential and method within the last 10 minutes.
    std::deque<std::pair<time_point, double>>& usage(const Call& call, const std::string& method);

    /// Seconds billed in a usage window.
    double used_seconds(const std::deque<std::pair<time_point, double>>& q) const;

    /// operating_reset_at: the oldest entry + 10 minutes (now + 10 minutes when none).
    long long reset_at(const std::deque<std::pair<time_point, double>>& q) const;

    /// The envelope's `time` block for a call that started at `start`.
    json::object time_block(double start, const Call& call, const std::string& method);

    // ---------------------------------------------------------------- dispatch

    /// Lower-case method name → handler.
    static const std::map<std::string, Handler>& methods();

    /// Runs one method (HTTP-level or inside batch), with the operating-time limit.
    Outcome run(const std::string& method, const json::object& params, const Call& call,
                double start, json::object& time_out);

    /// The HTTP response for an outcome: the envelope or the error body.
    Response reply(const Outcome& out, const json::object& time);

    /// Decoded, non-empty path segments.
    static std::vector<std::string> path_segments(const std::string& path);

    /// Lower case, without a `.json` suffix.
    static std::string method_name(std::string name);

    /// Query string and body (form or JSON) merged as PHP does.
    json::object parse_params(const Request& req) const;

    /// Everything under `/rest/`.
    Response handle(const Request& req);

    /// A new opaque token string.
    std::string mint(const char* prefix);

    /// An OAuth server error body.
    static Response oauth_error(int status, const char* code, const char* text);

    /// The OAuth server's `/oauth/token/` refresh grant.
    Response handle_oauth(const Request& req);
    /// The authorization-code grant of handle_oauth.
    Response exchange_code(const std::string& client_id, const std::string& code);
    /// `GET /oauth/authorize/?client_id=..&state=..`: the portal's sign-in (reference section
    /// 13). Without `user_id`: a test page listing the portal's users; with `user_id` (the
    /// choice): 302 to the application's handler URL with `code`, `state`, `domain`,
    /// `member_id`, `scope` and `server_domain`.
    Response handle_authorize(const Request& req);

    // ---------------------------------------------------------------- REST 3.0

    /// A REST 3.0 error body `{"error":{"code","message","validation"}}`.
    static Response v3_error(int status, const std::string& code, const std::string& message,
                             json::array validation = {});

    /// `/rest/api/{uid}/{secret}/{method}` or `/rest/api/{method}` with `auth` in the body:
    /// JSON POST only (the query string is ignored). Only tasks.task.chat.message.send, the
    /// new card's write path, is served.
    Response handle_v3(const Request& req, const std::vector<std::string>& segs, double start);

    /// An OAuth access token from the `auth` parameter; an error response when it is unusable.
    std::optional<Response> check_token(const std::string& token, Call& call);

    /// The `/rest/{uid}/{secret}/` pair of a webhook route; an error response when wrong.
    std::optional<Response> check_webhook(const std::string& uid_text, const std::string& secret,
                                          Call& call) const;

    /// The wrong-webhook answer (INVALID_CREDENTIALS, or NO_AUTH_FOUND with the switch).
    Response auth_failure() const;

    // ---------------------------------------------------------------- parameters

    /// Controller parameters (tasks.task.*): matched by name, case-insensitively.
    static const json::value* param(const json::object& params, std::string_view name);

    /// 400 "100" Could not find value for parameter {name}.
    static Outcome missing(const std::string& name);

    /// Reads taskId: a missing one is "100", a non-integer one "0" wrong task id.
    static std::optional<Outcome> read_task_id(const json::object& params, long long& id);

    // ---------------------------------------------------------------- tasks

    /// Applies tasks.task.add/update fields; an error text when a value is refused.
    std::optional<std::string> apply_fields(Task& t, const json::object& fields, bool creating,
                                            long long caller);

    /// Moves a task to a status, stamping status and closed dates.
    void set_status(Task& t, int status, long long caller);

    /// A change: CHANGED_DATE (and activity) move to now.
    void touch(Task& t, long long caller);

    /// Makes a task a new-card task with a chat; returns the chat id.
    long long open_chat(Task& t);

    /// Adds a task (the next id), pending unless `fields` name a STATUS; null, with `error`
    /// set, when a field is refused.
    Task* create_task(const json::object& fields, long long caller, bool chat,
                      std::optional<std::string>& error);

    /// tasks.task.add
    Outcome task_add(const json::object& params, const Call& call);

    /// tasks.task.get
    Outcome task_get(const json::object& params, const Call& call);

    /// tasks.task.update
    Outcome task_update(const json::object& params, const Call& call);

    /// A status-change method: allowed source statuses, the target, who may do it.
    Outcome transition(const json::object& params, const Call& call, std::set<int> from, int to,
                       bool director_only);

    /// tasks.task.start, pause, defer, renew, approve, disapprove.
    Outcome task_start(const json::object& p, const Call& c);
    Outcome task_pause(const json::object& p, const Call& c);
    Outcome task_defer(const json::object& p, const Call& c);
    Outcome task_renew(const json::object& p, const Call& c);
    Outcome task_approve(const json::object& p, const Call& c);
    Outcome task_disapprove(const json::object& p, const Call& c);

    /// tasks.task.complete (→ 4 under TASK_CONTROL when the caller is not the creator).
    Outcome task_complete(const json::object& params, const Call& call);

    /// One task against a tasks.task.list filter.
    bool task_matches(const Task& t, const json::object& filter) const;

    /// Sort value comparison for tasks.task.list order keys; false if the key is unknown.
    static bool order_key_known(const std::string& k);

    /// Three-way comparison of two tasks on one order key.
    static int cmp_task(const Task& a, const Task& b, const std::string& k);

    /// tasks.task.list
    Outcome task_list(const json::object& params, const Call&);

    // ---------------------------------------------------------------- comments

    /// Positional binding of the legacy task.* methods: names are ignored, values bound in order.
    static std::vector<json::value> positional(const json::object& params);

    /// 400 ERROR_CORE with a text.
    static Outcome core_error(const std::string& text);

    /// Positional argument #0 as an integer task id.
    static std::optional<Outcome> bind_task_id(const std::vector<json::value>& args,
                                               const std::string& method, long long& id);

    /// "Param #i (name) expected by method m(), but not given."
    static Outcome not_given(std::size_t i, const std::string& name, const std::string& method);

    /// Positional argument #i, when present, must be an array.
    static std::optional<Outcome> bind_array(const std::vector<json::value>& args, std::size_t i,
                                             const std::string& method, const std::string& name);

    /// More arguments than the method takes.
    static Outcome too_many(const std::string& method);

    /// "Param #i (name) for method m() must not contain key X."
    static Outcome must_not_contain(std::size_t i, const std::string& name,
                                    const std::string& method, const std::string& key);

    /// Appends a message to a task chat; returns its id.
    long long chat_post(Task& t, long long author, const std::string& text);

    /// task.commentitem.add (TASKID, FIELDS)
    Outcome comment_add(const json::object& params, const Call& call);

    /// A comment as task.commentitem.getlist shows it (UPPER_CASE).
    json::object comment_json(const Comment& c) const;

    /// task.commentitem.getlist (TASKID, ORDER, FILTER)
    Outcome comment_getlist(const json::object& params, const Call&);

    // ---------------------------------------------------------------- im

    /// An im.* parameter by name, case-insensitively.
    static const json::value* upper_param(const json::object& params, std::string_view name);

    /// A user as the `users` block of im.dialog.messages.get shows it.
    json::object im_user(long long id) const;

    /// Creator, responsible, auditors and accomplices are the chat's members.
    bool chat_member(const Task& t, long long uid) const;

    /// im.dialog.messages.get
    Outcome dialog_messages_get(const json::object& params, const Call& call);

    /// im.message.add
    Outcome im_message_add(const json::object& params, const Call& call);

    /// im.notify.personal.add / im.notify.system.add.
    Outcome notify(const json::object& params, const Call& call, const std::string& type);

    /// im.notify.personal.add and im.notify.system.add.
    Outcome notify_personal_add(const json::object& p, const Call& c);
    Outcome notify_system_add(const json::object& p, const Call& c);

    // ---------------------------------------------------------------- users and departments

    /// A field of a seeded record, or null.
    static json::value user_field(const json::object& u, const std::string& key);

    /// A user as user.get shows it.
    json::object user_out(const json::object& u) const;

    /// One record (already in output shape) against user.get / department.get filter keys.
    static bool record_matches(const json::object& rec, const json::object& filter,
                               bool missing_fails);

    /// Sorts and pages records for user.get / department.get (both page by 50).
    static Outcome list_records(std::vector<json::object> rows, const std::string& sort, bool desc,
                                long long start);

    /// user.get
    Outcome user_get(const json::object& params, const Call&);

    /// user.current
    Outcome user_current(const json::object&, const Call& call);

    /// A department as department.get shows it (UF_HEAD only when set).
    json::object department_out(const json::object& d) const;

    /// department.get
    Outcome department_get(const json::object& params, const Call&);

    // ---------------------------------------------------------------- batch

    /// PHP's `(bool)` of a request value: "", "0", 0, false and null are false.
    static bool php_bool(const json::value& v);

    /// The references batch understands, as CRestUtil::processBatchElement does: `$` + one of
    /// the result arrays (result, next, total, time, error; any case) + everything up to the
    /// next whitespace, whose `[key]` groups are walked one by one; a missing key stops the
    /// walk where it is. A reference that is the whole value becomes the value found (any
    /// type); inside a longer string only a string or number is spliced in.
    static json::value resolve_element(const std::string& s, const json::object& results);

    /// Resolves batch references in every string of a parsed command.
    static json::value substitute(const json::value& v, const json::object& results);

    /// batch: always HTTP 200; each command's failure (including the 51st and later, and a
    /// nested batch) lands in result_error, and `halt` stops at the first one.
    Outcome batch(const json::object& params, const Call& call);

    // ---------------------------------------------------------------- seeding and state

    /// Loads portal.json and request files (see BitrixEmulator::seed).
    void seed(const json::value& portal_json, const std::vector<json::value>& requests);

    /// A seeded request's CREATED_DATE and CHANGED_DATE (not settable through REST): the task
    /// was filed and last changed then; the status and close dates follow the last change.
    void backdate(Task& t, const json::object& request);

    /// Runs one REST method as `user_id` for the control API: no bucket, no operating limit,
    /// not counted; events are raised as for REST. Unknown method: 404 ERROR_METHOD_NOT_FOUND.
    Response act_as(long long user_id, const std::string& method, const json::object& params);

    /// Everything, as JSON (see BitrixEmulator::state).
    json::value state();

    /// `/rest/{user}/{secret}/`.
    std::string webhook_path() const;
};

}  // namespace hrmaild::sandbox::bitrix_detail
