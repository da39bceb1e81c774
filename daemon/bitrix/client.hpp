#pragma once
/// The Bitrix24 REST client (issue 4): inbound-webhook or OAuth-app authentication, a
/// client-side leaky-bucket budget, retries on the `error` code, per-method pauses for the
/// operating-time limit, a batch builder, and the task, comment, notification, user and
/// department calls the daemon makes. Every call is a coroutine returning `net::Outcome`.
///
/// The webhook secret and the OAuth tokens never reach a log line or an error message: every
/// request carries its own redacted `log_url`, and every error message is scrubbed.
#include "daemon/bitrix/batch.hpp"
#include "daemon/bitrix/errors.hpp"
#include "daemon/bitrix/token_store.hpp"
#include "daemon/bitrix/types.hpp"
#include "daemon/config/config.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/net/error.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/net/rate_limiter.hpp"
#include "daemon/net/retry.hpp"
#include "daemon/net/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::bitrix {

/// Everything the client needs, taken from the config (see `from_config`) or set by tests.
struct ClientSettings {
    config::BitrixConfig bitrix;             ///< portal, auth mode, secrets, rate budget
    net::RetrySettings retry;                ///< attempts and backoff for retryable errors
    std::filesystem::path state_dir;         ///< OAuth mode keeps its token file here
    net::Jitter jitter = net::Jitter::full;  ///< tests use `none` for exact waits
    std::uint64_t seed = 0;                  ///< fixes the jitter (0: random)
    /// How long a method is paused after OPERATION_TIME_LIMIT without `operating_reset_at`.
    std::chrono::seconds min_operating_pause{10};
    /// Custom fields (UF_ names) to select on tasks, beyond the standard fields.
    std::vector<std::string> task_uf_fields;

    /// From a loaded config: `bitrix` and the state folder = `state.path`'s folder; `retry`
    /// in net's terms (the composition root translates the config's `retry` section).
    static ClientSettings from_config(const config::Config& config, net::RetrySettings retry);
};

/// Parameters of one `tasks.task.list` page.
struct TaskQuery {
    boost::json::object filter;         ///< e.g. {"GROUP_ID": 42, ">=CHANGED_DATE": "..."}
    std::vector<std::string> select;    ///< empty: `BitrixClient::task_select()`
    boost::json::object order;          ///< empty: the portal's default (ID desc)
    std::optional<std::int64_t> start;  ///< offset, or -1 for the fast walk (no COUNT)
};

/// Where to read a task's comments from, and which are already known.
struct CommentCursor {
    std::int64_t task_id = 0;
    std::int64_t chat_id = 0;   ///< non-zero: a new-card task, read through its chat
    std::int64_t after_id = 0;  ///< only comments with a larger id are returned
};

/// What `BitrixClient::poll` read.
struct PollResult {
    std::vector<BitrixTask> tasks;  ///< changed tasks, by id
    /// Entry i belongs to cursor i.
    std::vector<net::Outcome<std::vector<Comment>>> comments;
};

/// The Bitrix24 client. Lives on the daemon's io_context thread (STYLE.md point 10).
class BitrixClient {
  public:
    /// Rows per page of list methods, and commands per `batch` call.
    static constexpr std::size_t page_size = 50;

    /// `transport` and `clock` must outlive the client. In OAuth mode the saved tokens are read
    /// from the state folder now (the configured refresh token is used when there are none).
    BitrixClient(boost::asio::any_io_executor executor, net::HttpTransport& transport,
                 core::Clock& clock, ClientSettings settings);
    ~BitrixClient();
    BitrixClient(const BitrixClient&) = delete;
    BitrixClient& operator=(const BitrixClient&) = delete;

    /// A URL redactor that hides the webhook secret (`/rest/{uid}/<redacted>/...`) and query
    /// strings; install it in `net::HttpClientOptions::redact` for the shared HTTP client.
    static net::UrlRedactor redactor(const config::BitrixConfig& bitrix);

    // --- generic ---------------------------------------------------------------------------

    /// Calls `method` with JSON `params` (key order is kept: positional methods rely on it),
    /// retrying retryable errors and refreshing an expired OAuth token once. A read
    /// (`is_read_method`) is retried on any retryable error; a write only when the portal
    /// provably did not execute it (never sent, or a throttle answer: QUERY_LIMIT_EXCEEDED,
    /// OVERLOAD_LIMIT, OPERATION_TIME_LIMIT); otherwise its error has `outcome_unknown` set.
    boost::asio::awaitable<net::Outcome<Reply>> call(std::string method,
                                                     boost::json::object params = {});
    /// Whether a REST method only reads (its last name part is get, list, getlist, current or
    /// fields), so that sending it twice is harmless. `batch` is judged by its commands.
    static bool is_read_method(std::string_view method);
    /// Runs every queued command in `batch` calls of at most 50 commands. Entry i of the
    /// result belongs to command i: its result, total and next, or its own error. A halting
    /// batch (`Batch::set_halt`) sends `halt=1` and stops at the first failure (a paused
    /// method, a failed command, a failed call): every command after it is answered with a
    /// retryable `BATCH_HALTED` error marked `not_executed`, and later chunks are not sent.
    /// A lost answer leaves every command of that call with `outcome_unknown`.
    boost::asio::awaitable<std::vector<net::Outcome<Reply>>> run(const Batch& batch);

    // --- tasks -----------------------------------------------------------------------------

    /// The fields selected on tasks: the standard ones plus `task_uf_fields`.
    [[nodiscard]] std::vector<std::string> task_select() const;
    /// One page of `tasks.task.list`.
    boost::asio::awaitable<net::Outcome<TaskPage>> list_tasks(TaskQuery query);
    /// Every task matching `filter`, by the fast ID walk (order ID asc, filter >ID, start=-1,
    /// stopping on a page shorter than 50).
    boost::asio::awaitable<net::Outcome<std::vector<BitrixTask>>> walk_tasks(
        boost::json::object filter, std::vector<std::string> select = {},
        std::int64_t after_id = 0);
    /// The poller's read in one request when it fits: tasks of project `group_id` (0: every
    /// project) changed at or after `since` (nullopt: every task), by the fast ID walk, and the
    /// comments of each cursor, the walk's first page riding in the first `batch` of the
    /// comment reads. Further pages (more than 50 changed tasks, long chats) cost further
    /// requests; 50 or more cursors cost one more batch per 50. With `since`, the tasks of
    /// `skip` are left out by the filter (`!ID`, at most `max_skipped`; the rest are read).
    boost::asio::awaitable<net::Outcome<PollResult>> poll(std::int64_t group_id,
                                                          std::optional<core::WallTime> since,
                                                          std::vector<CommentCursor> cursors,
                                                          std::vector<std::int64_t> skip = {});
    /// The most task ids a poll's `!ID` filter carries (its query string stays a few KiB).
    static constexpr std::size_t max_skipped = 200;
    /// Tasks of project `group_id` changed at or after `since` (the poller's query; pass
    /// group_id 0 for every project), by the fast ID walk.
    boost::asio::awaitable<net::Outcome<std::vector<BitrixTask>>> tasks_changed_since(
        std::int64_t group_id, core::WallTime since);
    /// {"GROUP_ID": group_id, ">=CHANGED_DATE": "<ISO 8601>+00:00"} (no GROUP_ID when 0).
    static boost::json::object changed_since_filter(std::int64_t group_id, core::WallTime since);
    /// `t` as ISO 8601 with an explicit offset, e.g. `2026-11-28T10:00:00+00:00`.
    static std::string iso_date(core::WallTime t);
    /// `tasks.task.get`; nullopt when the task does not exist or is not visible (`result: []`).
    boost::asio::awaitable<net::Outcome<std::optional<BitrixTask>>> get_task(std::int64_t task_id);
    /// `tasks.task.update` with UPPER_CASE `fields` (e.g. TITLE, TAGS as the full set, UF_*);
    /// the task after the update.
    boost::asio::awaitable<net::Outcome<BitrixTask>> update_task(std::int64_t task_id,
                                                                 boost::json::object fields);
    /// `tasks.task.add` with UPPER_CASE `fields` (TITLE and RESPONSIBLE_ID at least); the new
    /// task. A write: never sent twice by the client (a lost answer is `outcome_unknown`).
    boost::asio::awaitable<net::Outcome<BitrixTask>> add_task(boost::json::object fields);
    /// `tasks.task.start` (→ in progress).
    boost::asio::awaitable<net::Outcome<BitrixTask>> start_task(std::int64_t task_id);
    /// `tasks.task.complete` (→ completed, or awaiting control).
    boost::asio::awaitable<net::Outcome<BitrixTask>> complete_task(std::int64_t task_id);
    /// `tasks.task.defer` (→ deferred).
    boost::asio::awaitable<net::Outcome<BitrixTask>> defer_task(std::int64_t task_id);

    // --- comments --------------------------------------------------------------------------

    /// `task.commentitem.add` (works on both cards); the new comment's id. `author_id` 0: the
    /// webhook or token user.
    boost::asio::awaitable<net::Outcome<std::int64_t>> add_comment(std::int64_t task_id,
                                                                   std::string text,
                                                                   std::int64_t author_id = 0);
    /// The comments of one task newer than `cursor.after_id`, oldest first: through
    /// `task.commentitem.getlist` on the classic card, `im.dialog.messages.get` on the new one
    /// (when getlist refuses a task whose chat was unknown, the task is read to find it).
    boost::asio::awaitable<net::Outcome<std::vector<Comment>>> comments(CommentCursor cursor);
    /// The same for many tasks, batched: ceil(N/50) requests when every task's new comments
    /// fit in one page. Entry i belongs to cursor i.
    /// `lead`, when given, is sent at the head of the first batch and its replies are put in
    /// `lead_replies` (the poll's task page shares the request).
    boost::asio::awaitable<std::vector<net::Outcome<std::vector<Comment>>>> comments_many(
        std::vector<CommentCursor> cursors, const Batch* lead = nullptr,
        std::vector<net::Outcome<Reply>>* lead_replies = nullptr);

    // --- notifications ---------------------------------------------------------------------

    /// `im.notify.personal.add`: a private notification to one user; its id.
    boost::asio::awaitable<net::Outcome<std::int64_t>> notify_personal(std::int64_t user_id,
                                                                       std::string message);
    /// `im.notify.system.add`: a system notification to one user; its id.
    boost::asio::awaitable<net::Outcome<std::int64_t>> notify_system(std::int64_t user_id,
                                                                     std::string message);

    // --- users and departments -------------------------------------------------------------

    /// `user.current`: the webhook or token user (for `status`).
    boost::asio::awaitable<net::Outcome<User>> current_user();
    /// `user.get` for each id (batched); unknown ids are left out.
    boost::asio::awaitable<net::Outcome<std::vector<User>>> users(std::vector<std::int64_t> ids);
    /// Every user matching `filter` (`user.get` FILTER, e.g. {"UF_DEPARTMENT": 5}), all pages.
    boost::asio::awaitable<net::Outcome<std::vector<User>>> find_users(boost::json::object filter);
    /// The active members of department `root` and of every department below it, by id
    /// (the approver check of `bitrix.approver_department`): one `department.get` walk and
    /// one batched `user.get` per 50 departments.
    boost::asio::awaitable<net::Outcome<std::vector<User>>> department_members(std::int64_t root);
    /// `department.get`, every page.
    boost::asio::awaitable<net::Outcome<std::vector<Department>>> departments();

    // --- inspection ------------------------------------------------------------------------

    /// Counters for tests and `status`.
    struct Stats {
        std::size_t requests = 0;         ///< HTTP requests to the portal (batches count once)
        std::size_t token_refreshes = 0;  ///< OAuth refreshes performed
        std::size_t throttled = 0;        ///< QUERY_LIMIT_EXCEEDED / OVERLOAD_LIMIT answers
        std::size_t paused_calls = 0;     ///< calls held back by a method pause (not sent)
    };
    [[nodiscard]] const Stats& stats() const { return stats_; }
    /// Until when `method` is paused by OPERATION_TIME_LIMIT, if it is.
    [[nodiscard]] std::optional<core::WallTime> paused_until(std::string_view method) const;
    /// The client-side request budget.
    [[nodiscard]] net::RateLimiter& limiter() { return limiter_; }
    /// The authentication mode in use.
    [[nodiscard]] AuthMode mode() const { return mode_; }

  private:
    struct RefreshFlight;
    /// The `tasks.task.list` parameters of `query` (an empty select becomes `task_select()`).
    boost::json::object task_list_params(TaskQuery& query) const;
    /// One page of the fast ID walk after `after_id`.
    static TaskQuery walk_query(boost::json::object filter, std::int64_t after_id,
                                std::vector<std::string> select);
    boost::asio::awaitable<net::Outcome<Reply>> call_as(std::string method,
                                                        boost::json::object params,
                                                        net::Idempotency idempotency);
    boost::asio::awaitable<net::Outcome<Reply>> attempt(const std::string& method,
                                                        const boost::json::object& params);
    boost::asio::awaitable<net::Outcome<Reply>> send_once(const std::string& method,
                                                          const boost::json::object& params,
                                                          const std::string& token);
    boost::asio::awaitable<net::Outcome<void>> refresh(const std::string& stale_token);
    boost::asio::awaitable<net::Outcome<void>> do_refresh();
    boost::asio::awaitable<net::Outcome<BitrixTask>> task_action(std::string method,
                                                                 std::int64_t task_id);
    boost::asio::awaitable<net::Outcome<std::int64_t>> notify(std::string method,
                                                              std::int64_t user_id,
                                                              std::string message);
    std::optional<net::CallError> check_paused(const std::string& method);
    void note_error(const std::string& method, net::CallError& error);
    net::CallError scrub(net::CallError error) const;
    std::string scrub(std::string text) const;
    [[nodiscard]] std::string method_url(const std::string& method) const;
    [[nodiscard]] std::string method_log_url(const std::string& method) const;

    boost::asio::any_io_executor executor_;
    net::HttpTransport& transport_;
    core::Clock& clock_;
    ClientSettings settings_;
    AuthMode mode_;
    std::string portal_;  ///< portal_url without a trailing slash
    net::RateLimiter limiter_;
    net::RetryPolicy policy_;
    std::map<std::string, core::WallTime> paused_;  ///< lower-case method → not before
    Stats stats_;
    // OAuth state.
    std::optional<TokenStore> store_;
    Secret access_token_;
    Secret refresh_token_;
    std::int64_t access_expires_ = 0;
    std::shared_ptr<RefreshFlight> flight_;
};

/// The IT department and all its descendants, found by walking PARENT (reference section 10).
class DepartmentTree {
  public:
    /// From the full `department.get` list.
    explicit DepartmentTree(std::vector<Department> departments);
    /// `root` and every department below it (cycles in PARENT are tolerated).
    [[nodiscard]] std::vector<std::int64_t> subtree(std::int64_t root) const;
    /// Whether any of the user's UF_DEPARTMENT lies in `root`'s subtree.
    [[nodiscard]] bool contains(const User& user, std::int64_t root) const;
    /// Whether department `id` lies in `root`'s subtree.
    [[nodiscard]] bool contains(std::int64_t id, std::int64_t root) const;
    /// The departments as given.
    [[nodiscard]] const std::vector<Department>& departments() const { return departments_; }

  private:
    std::vector<Department> departments_;
};

}  // namespace hrmaild::bitrix
