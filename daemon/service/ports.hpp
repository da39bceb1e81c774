#pragma once
/// The two narrow ports the service talks to remote systems through (DESIGN.md): a
/// `TicketSource` (Bitrix24) and a `MailDirectory` (Zoho Mail). Adapters over the real
/// clients implement them; tests use in-memory fakes or the adapters against the sandbox.
#include "daemon/core/clock.hpp"
#include "daemon/core/error.hpp"
#include "daemon/core/secret.hpp"
#include "daemon/domain/directory.hpp"
#include "daemon/domain/operation.hpp"
#include "daemon/domain/task.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::service {

template <typename T>
using Awaitable = boost::asio::awaitable<T>;

/// A failed call through a port, in the service's terms: what the service may do about it
/// (`kind`) and what to tell people. The adapters translate their clients' errors into this at
/// the port (app/port_error.hpp); HTTP statuses, service codes and transport phases stay there.
struct PortError {
    core::ErrorKind kind = core::ErrorKind::permanent;
    /// For the journal, IT and HR's comments; never holds a secret.
    std::string message;
    /// The client's own account of the failure (HTTP status, service code, phase), for logs
    /// only: the service never branches on it.
    std::string detail;
    /// A write that may have taken effect (its answer was lost and it was not sent again):
    /// settle it (probe, marker check) before calling again.
    bool outcome_unknown = false;
    /// Provably never executed (a batch stopped before it, a throttle refused it): sending it
    /// again cannot double it.
    bool not_sent = false;

    /// Whether trying again later may succeed.
    [[nodiscard]] bool retryable() const { return kind == core::ErrorKind::retryable; }
    /// One line for logs: `retryable http 503 QUERY_LIMIT_EXCEEDED: Too many requests`.
    [[nodiscard]] std::string describe() const;
};

/// A port error of `kind` with a message (fakes, and adapters' own refusals).
PortError port_error(core::ErrorKind kind, std::string message);

/// The result of a port call: a value, or a `PortError`.
template <typename T>
using Outcome = boost::system::result<T, PortError>;

/// Found by ADL from `Outcome<T>::value()` on an error (a programming error).
[[noreturn]] void throw_exception_from_error(const PortError& error,
                                             const boost::source_location& loc);

/// One comment (classic card) or chat message (new card) of a task.
struct TaskComment {
    std::int64_t id = 0;         ///< increasing within a task
    std::int64_t author_id = 0;  ///< 0: system
    std::string text;            ///< BB-code as posted
};

/// One write to Bitrix24 sent together with others (`TicketSource::send_writes`).
struct TicketWrite {
    enum class Kind {
        comment,   ///< a comment on task `id`; the result is the comment id
        complete,  ///< completes task `id`
        defer,     ///< defers task `id`
        notify,    ///< a private notification to user `id`
    };
    Kind kind = Kind::comment;
    std::int64_t id = 0;  ///< the task, or for `notify` the Bitrix user
    Secret text;          ///< the comment or the notification (may hold a password)
};

/// What one poll read (`TicketSource::poll`).
struct PollRead {
    /// Every task of the HR project changed at or after `since`.
    std::vector<domain::Task> tasks;
    /// The comments of the tasks asked for; a task whose read failed is absent (read again
    /// next time).
    std::map<std::int64_t, std::vector<TaskComment>> comments;
};

/// Where HR requests come from, and where answers go.
class TicketSource {
  public:
    virtual ~TicketSource() = default;
    /// Every task of the HR project changed at or after `since` (nullopt: every task), every
    /// page read.
    virtual Awaitable<Outcome<std::vector<domain::Task>>> changed_tasks(
        std::optional<core::WallTime> since) = 0;
    /// One task, or nullopt when it no longer exists (or is not visible).
    virtual Awaitable<Outcome<std::optional<domain::Task>>> task(std::int64_t task_id) = 0;
    /// The comments of several tasks, read with as few requests as batching allows.
    virtual Awaitable<Outcome<std::map<std::int64_t, std::vector<TaskComment>>>> comments(
        std::vector<std::int64_t> task_ids) = 0;
    /// Posts a comment as the daemon's user; returns the comment id.
    virtual Awaitable<Outcome<std::string>> post_comment(std::int64_t task_id,
                                                         std::string text) = 0;
    /// Marks the task completed.
    virtual Awaitable<Outcome<void>> complete_task(std::int64_t task_id) = 0;
    /// Marks the task deferred.
    virtual Awaitable<Outcome<void>> defer_task(std::int64_t task_id) = 0;
    /// Sends a private notification; the text may hold a password, hence a Secret.
    virtual Awaitable<Outcome<void>> notify_private(std::int64_t user_id, Secret text) = 0;
    /// Users of a department and all its sub-departments (approvers by department).
    virtual Awaitable<Outcome<std::vector<std::int64_t>>> department_members(
        std::int64_t department_id) = 0;

    /// Several tasks by id, read in as few requests as the source allows (the Bitrix adapter:
    /// one `tasks.task.list` filtered by ID for up to 50, whatever their project or status).
    /// Every id asked for is in the answer: nullopt when the task no longer exists (or is not
    /// visible). The default calls `task` for each.
    virtual Awaitable<Outcome<std::map<std::int64_t, std::optional<domain::Task>>>> read_tasks(
        std::vector<std::int64_t> task_ids);

    /// The most writes one `send_writes` call takes (a Bitrix `batch` holds 50 commands).
    static constexpr std::size_t kMaxWrites = 50;
    /// Sends up to `kMaxWrites` writes, in order, in one request where the source can batch
    /// (the Bitrix adapter: one `batch` with halt=1). It stops at the first write that fails:
    /// entry i is write i's result (a comment's id, else empty) or its error, and every write
    /// after a failure is answered with a retryable error that is not `outcome_unknown` (it
    /// was provably not run). A lost answer leaves every write sent with it
    /// `outcome_unknown`. The default sends them one by one through the methods above.
    virtual Awaitable<std::vector<Outcome<std::string>>> send_writes(
        std::vector<TicketWrite> writes);
    /// One poll: `changed_tasks(since)` and the comments of `comment_task_ids`, in one request
    /// where the source can batch them (the Bitrix adapter, when the changed tasks fit one
    /// page and the comments one batch). `settled` names tasks whose changes the service
    /// ignores (finished tickets): the source may leave them out of the answer, so that the
    /// overlap after a burst does not read them all again (the Bitrix adapter filters them
    /// out with `!ID`; the default reads them anyway). The default calls `changed_tasks` and
    /// `comments`.
    virtual Awaitable<Outcome<PollRead>> poll(std::optional<core::WallTime> since,
                                              std::vector<std::int64_t> comment_task_ids,
                                              std::vector<std::int64_t> settled = {});
};

/// The error `send_writes` answers a write with that was not sent because an earlier one of
/// the same call failed.
PortError not_sent_error();

/// The result of reading the remote state for a step left `started` (or before a write).
enum class ProbeState {
    done,      ///< the remote state already shows the step's effect, as planned
    not_done,  ///< the effect is absent: the step may run
    conflict,  ///< something else is there (e.g. an account with other names)
};

/// What a probe found, with a detail for the journal and IT.
struct Probe {
    ProbeState state = ProbeState::not_done;
    std::string detail;
    /// For a create_user found done: the account's ids (bind a password reset to them, never
    /// to an address).
    domain::Target found;
};

/// A directory snapshot, shared and never copied: the tickets in flight read the same one
/// (issue 11: a copy per ticket held about 1 MiB of heap with eight in flight).
using SnapshotPtr = std::shared_ptr<const domain::DirectorySnapshot>;

/// The Zoho Mail organization as the service needs it.
class MailDirectory {
  public:
    virtual ~MailDirectory() = default;
    /// Users, aliases and groups (cached; `fresh` forces a reload).
    virtual Awaitable<Outcome<SnapshotPtr>> snapshot(bool fresh) = 0;
    /// A snapshot read from Zoho at or after `since`: the cached one when its load started
    /// then or later (it holds every change confirmed since, and a call in doubt invalidates
    /// it), else one loaded now. The default loads now.
    virtual Awaitable<Outcome<SnapshotPtr>> snapshot_since(core::WallTime since);
    /// Performs one operation on the step's bound target (`op.target`; by address only for
    /// what the plan created). Before a destructive step it re-reads the target by id: a
    /// target that changed (another primary address; for delete_user, enabled again) fails
    /// with an error of kind `conflict` ("target changed: ...") and nothing is changed; a
    /// target already gone is success. `password` is set for create_user and reset_password;
    /// a reset needs a bound account. Returns a short result for the journal (ids, addresses;
    /// never the password).
    virtual Awaitable<Outcome<std::string>> apply(const domain::Operation& op,
                                                  const Secret* password) = 0;
    /// Whether `apply_fused` performs riders in the same Zoho call (an adapter that does not
    /// is never given any: the executor runs every step on its own).
    [[nodiscard]] virtual bool fuses() const { return false; }
    /// Performs `op` and, in the same Zoho call, its `riders`: steps of the same plan that
    /// `workflow::fused_steps` folds into it (a new account's memberships, further member
    /// changes of one group, the group removals a disable makes). Succeeds or fails as one.
    virtual Awaitable<Outcome<std::string>> apply_fused(
        const domain::Operation& op, const Secret* password,
        const std::vector<domain::Operation>& riders);
    /// Reads the remote state for one operation whose call started at `started_at_ms` (ms
    /// since the epoch, from the journal).
    virtual Awaitable<Outcome<Probe>> probe(const domain::Operation& op,
                                            std::int64_t started_at_ms) = 0;
};

/// Decides a probe from a directory snapshot with the operation's expected effect (the same
/// predicate the planner's pre-flight uses). "Already exists" is done only when the existing
/// object is the one the plan meant: for create_user, an account whose primary address, names,
/// display name and role are what the step set AND that Zoho says was created at or after
/// `started_at_ms` (no creation time: conflict). A destructive step whose target is gone is
/// done.
Probe probe_snapshot(const domain::DirectorySnapshot& directory, const domain::Operation& op,
                     std::int64_t started_at_ms);

}  // namespace hrmaild::service
