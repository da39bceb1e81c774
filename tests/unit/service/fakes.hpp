#pragma once
/// In-memory TicketSource and MailDirectory for service tests: they keep what was done to them
/// so tests assert on effects, and they can simulate a crash right after a remote effect.
#include "daemon/core/time_format.hpp"
#include "daemon/service/observer.hpp"
#include "daemon/service/planning.hpp"
#include "daemon/service/ports.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::test {

/// Thrown by a fake after it applied an effect, to stand for the process dying before the
/// caller could journal the result.
/// Not a std::exception, so no handler in the daemon mistakes it for an ordinary error.
struct SimulatedCrash {};

/// A Bitrix24 portal in memory.
class FakeTickets : public service::TicketSource {
  public:
    std::map<std::int64_t, domain::Task> tasks;
    std::map<std::int64_t, std::vector<service::TaskComment>> comment_log;
    std::vector<std::pair<std::int64_t, std::string>> notifications;  // (user, text)
    std::set<std::int64_t> completed, deferred;
    std::map<std::int64_t, std::vector<std::int64_t>> departments;
    std::map<std::int64_t, int> department_reads;  ///< department_members calls, by department
    int next_comment = 100;
    int complete_calls = 0;
    int lose_next_complete_answers = 0;  // completes, then answers as if the reply was lost
    int changes = 0;
    bool crash_after_next_comment = false;
    bool crash_before_next_comment = false;  // the process dies before the post is sent
    int fail_next_comments = 0;              // retryable failures of comment posts
    int fail_next_notifications = 0;         // failures of private notifications...
    core::ErrorKind notification_failure = core::ErrorKind::retryable;  // ...of this kind
    int comment_reads = 0;
    /// The project the poll reads (0: every task), as the portal's GROUP_ID filter.
    std::int64_t project = 0;
    /// Runs right after a poll read the tasks: an edit made between the poll and the rest of
    /// the cycle.
    std::function<void()> after_poll;
    std::vector<std::optional<core::WallTime>> asked_since;  // each poll's `since`, in order

    void add_task(domain::Task t) {
        t.changed_date = stamp();
        if (t.created_date.empty())
            t.created_date = t.changed_date;
        tasks[t.id] = std::move(t);
    }
    /// HR moves the task to another status (5 completed, 6 deferred, 2 pending...).
    void set_status(std::int64_t id, int status) {
        tasks[id].status = status;
        tasks[id].changed_date = stamp();
    }
    /// Someone moves the task to another project, or gives it another creator.
    void move_to(std::int64_t id, std::int64_t group) {
        tasks[id].group_id = group;
        tasks[id].changed_date = stamp();
    }
    void set_creator(std::int64_t id, std::int64_t user) {
        tasks[id].created_by = user;
        tasks[id].changed_date = stamp();
    }
    void edit_description(std::int64_t id, std::string text) {
        tasks[id].description = std::move(text);
        tasks[id].changed_date = stamp();
    }
    void comment_as(std::int64_t id, std::int64_t author, std::string text) {
        comment_log[id].push_back({next_comment++, author, std::move(text)});
    }
    /// Every comment text posted by the daemon (author 1) on a task.
    std::vector<std::string> daemon_comments(std::int64_t id) const {
        std::vector<std::string> out;
        if (auto it = comment_log.find(id); it != comment_log.end())
            for (const auto& c : it->second)
                if (c.author_id == 1)
                    out.push_back(c.text);
        return out;
    }

    service::Awaitable<service::Outcome<std::vector<domain::Task>>> changed_tasks(
        std::optional<core::WallTime> since) override {
        asked_since.push_back(since);
        // Like the portal's >=CHANGED_DATE filter (one-second grain).
        std::optional<std::int64_t> from;
        if (since)
            from = std::chrono::floor<std::chrono::seconds>(*since).time_since_epoch().count();
        std::vector<domain::Task> out;
        for (const auto& [id, t] : tasks)
            if ((!from || core::parse_iso(t.changed_date) >= from) &&
                (project == 0 || t.group_id == project))
                out.push_back(t);
        if (after_poll)
            std::exchange(after_poll, nullptr)();
        co_return out;
    }
    int task_reads = 0;  ///< `task` calls (one request each)
    /// The ids of each `read_tasks` call (one request each), in order.
    std::vector<std::vector<std::int64_t>> read_batches;
    service::Awaitable<service::Outcome<std::optional<domain::Task>>> task(
        std::int64_t id) override {
        ++task_reads;
        auto it = tasks.find(id);
        if (it == tasks.end())
            co_return std::optional<domain::Task>();
        co_return std::optional<domain::Task>(it->second);
    }
    service::Awaitable<service::Outcome<std::map<std::int64_t, std::optional<domain::Task>>>>
    read_tasks(std::vector<std::int64_t> ids) override {
        read_batches.push_back(ids);
        std::map<std::int64_t, std::optional<domain::Task>> out;
        for (auto id : ids) {
            auto it = tasks.find(id);
            out[id] = it == tasks.end() ? std::nullopt : std::optional<domain::Task>(it->second);
        }
        co_return out;
    }
    service::Awaitable<service::Outcome<std::map<std::int64_t, std::vector<service::TaskComment>>>>
    comments(std::vector<std::int64_t> ids) override {
        ++comment_reads;
        std::map<std::int64_t, std::vector<service::TaskComment>> out;
        for (auto id : ids)
            out[id] = comment_log[id];
        co_return out;
    }
    service::Awaitable<service::Outcome<std::string>> post_comment(std::int64_t id,
                                                                   std::string text) override {
        if (crash_before_next_comment) {
            crash_before_next_comment = false;
            throw SimulatedCrash();
        }
        if (fail_next_comments > 0) {
            --fail_next_comments;
            co_return service::port_error(core::ErrorKind::retryable, "Bitrix is busy (fake)");
        }
        int cid = next_comment++;
        comment_log[id].push_back({cid, 1, std::move(text)});
        if (crash_after_next_comment) {
            crash_after_next_comment = false;
            throw SimulatedCrash();
        }
        co_return std::to_string(cid);
    }
    service::Awaitable<service::Outcome<void>> complete_task(std::int64_t id) override {
        ++complete_calls;
        completed.insert(id);
        tasks[id].status = 5;
        if (lose_next_complete_answers > 0) {
            // The task was completed, but the answer was lost (a dropped connection).
            --lose_next_complete_answers;
            auto e = service::port_error(
                core::ErrorKind::retryable,
                "read failed calling tasks.task.complete: end of stream (fake)");
            e.outcome_unknown = true;
            co_return e;
        }
        co_return service::Outcome<void>();
    }
    service::Awaitable<service::Outcome<void>> defer_task(std::int64_t id) override {
        deferred.insert(id);
        tasks[id].status = 6;
        co_return service::Outcome<void>();
    }
    service::Awaitable<service::Outcome<void>> notify_private(std::int64_t user,
                                                              Secret text) override {
        if (fail_next_notifications > 0) {
            --fail_next_notifications;
            co_return service::port_error(notification_failure, "notification refused (fake)");
        }
        notifications.emplace_back(user, text.reveal());
        co_return service::Outcome<void>();
    }
    service::Awaitable<service::Outcome<std::vector<std::int64_t>>> department_members(
        std::int64_t dept) override {
        ++department_reads[dept];
        co_return departments[dept];
    }

    /// The writes of each `send_writes` call, by kind, in order (one entry per batch).
    std::vector<std::vector<service::TicketWrite::Kind>> write_batches;
    /// The next `send_writes` runs every write, then answers as if the reply was lost.
    bool lose_next_batch_answer = false;
    /// ...or the process dies right after the batch ran.
    bool crash_after_next_batch = false;
    service::Awaitable<std::vector<service::Outcome<std::string>>> send_writes(
        std::vector<service::TicketWrite> writes) override {
        std::vector<service::TicketWrite::Kind> kinds;
        for (const auto& w : writes)
            kinds.push_back(w.kind);
        write_batches.push_back(kinds);
        auto out = co_await service::TicketSource::send_writes(std::move(writes));
        if (crash_after_next_batch) {
            crash_after_next_batch = false;
            throw SimulatedCrash();
        }
        if (lose_next_batch_answer) {
            lose_next_batch_answer = false;
            for (auto& r : out) {
                auto e = service::port_error(core::ErrorKind::retryable,
                                             "read failed calling batch: end of stream (fake)");
                e.outcome_unknown = true;
                r = e;
            }
        }
        co_return out;
    }

    /// Each poll's comment task ids, in order; comments read by a poll are not counted in
    /// `comment_reads` (they share the poll's request).
    std::vector<std::vector<std::int64_t>> polls;
    /// Each poll's settled task ids, in order; like the Bitrix adapter's `!ID` filter, the
    /// poll leaves them out.
    std::vector<std::vector<std::int64_t>> settled_asked;
    service::Awaitable<service::Outcome<service::PollRead>> poll(
        std::optional<core::WallTime> since, std::vector<std::int64_t> ids,
        std::vector<std::int64_t> settled = {}) override {
        polls.push_back(ids);
        settled_asked.push_back(settled);
        auto tasks_read = co_await changed_tasks(since);
        service::PollRead out;
        for (auto& t : *tasks_read)
            if (!since || std::find(settled.begin(), settled.end(), t.id) == settled.end())
                out.tasks.push_back(std::move(t));
        for (auto id : ids)
            out.comments[id] = comment_log[id];
        co_return out;
    }

  private:
    std::string stamp() {
        ++changes;
        return "2026-11-28T10:" + std::string(changes < 10 ? "0" : "") + std::to_string(changes) +
               ":00-06:00";
    }
};

/// Counts what the service reports (the same events the daemon turns into metrics).
class CountingObserver : public service::Observer {
  public:
    std::map<service::Event, int> events;
    std::map<store::TicketState, int> states;
    std::map<std::string, int> steps;  // "op/result"

    void count(service::Event e) override { ++events[e]; }
    void ticket_state(store::TicketState s) override { ++states[s]; }
    void step(std::string_view op, std::string_view result) override {
        ++steps[std::string(op) + "/" + std::string(result)];
    }
};

/// A Zoho Mail organization in memory.
class FakeMail : public service::MailDirectory {
  public:
    domain::DirectorySnapshot dir;
    std::vector<std::string> applied;         // op names, in order
    std::vector<std::string> applied_detail;  // "op group who", in order
    /// Each apply gives the event loop a turn first (a remote call takes time): tickets in
    /// flight together interleave there.
    bool yield_in_apply = false;
    std::map<std::string, std::string> passwords;  // address → the last password set
    bool crash_after_next_apply = false;
    int fail_next_retryable = 0;
    int fail_next_snapshots = 0;
    /// Addresses Zoho refuses to create that no snapshot shows (taken after it was read).
    std::set<std::string> taken_outside;
    /// A slow call: an operation naming this address (as its user or member) first lets the
    /// event loop run `stall_turns` times; `on_stalled_apply` runs when it goes on.
    std::string stall_address;
    int stall_turns = 0;
    std::function<void()> on_stalled_apply;

    service::Awaitable<service::Outcome<service::SnapshotPtr>> snapshot(bool) override {
        if (fail_next_snapshots > 0) {
            --fail_next_snapshots;
            co_return service::port_error(core::ErrorKind::retryable, "Zoho is down (fake)");
        }
        co_return std::make_shared<const domain::DirectorySnapshot>(dir);
    }
    service::Awaitable<service::Outcome<service::Probe>> probe(
        const domain::Operation& op, std::int64_t started_at_ms) override {
        co_return service::probe_snapshot(dir, op, started_at_ms);
    }
    service::Awaitable<service::Outcome<std::string>> apply(const domain::Operation& op,
                                                            const Secret* password) override {
        if (yield_in_apply) {
            auto executor = co_await boost::asio::this_coro::executor;
            co_await boost::asio::post(executor, boost::asio::use_awaitable);
        }
        if (!stall_address.empty() &&
            (op.text("email") == stall_address || op.text("member") == stall_address)) {
            auto executor = co_await boost::asio::this_coro::executor;
            for (int i = 0; i < stall_turns; ++i)
                co_await boost::asio::post(executor, boost::asio::use_awaitable);
            if (on_stalled_apply)
                on_stalled_apply();
        }
        if (fail_next_retryable > 0) {
            --fail_next_retryable;
            co_return service::port_error(core::ErrorKind::retryable, "503 from the fake");
        }
        using K = domain::OpKind;
        auto email = op.text("email");
        auto group = op.text("group");
        applied.emplace_back(domain::op_name(op.kind));
        applied_detail.push_back(std::string(domain::op_name(op.kind)) + " " + group + " " +
                                 (op.text("member").empty() ? email : op.text("member")));
        switch (op.kind) {
            case K::create_user: {
                if (dir.address_taken(email) || taken_outside.contains(email)) {
                    co_return service::port_error(core::ErrorKind::conflict, "already exists");
                }
                domain::DirectoryUser u;
                u.zuid = std::to_string(next_id_);
                u.account_id = std::to_string(next_id_ + 1);
                next_id_ += 2;
                u.created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
                u.address = email;
                u.first_name = op.text("first_name");
                u.last_name = op.text("last_name");
                u.display_name = op.text("display_name");
                u.role = "member";
                dir.users.push_back(u);
                break;
            }
            case K::disable_user:
                for (auto& u : dir.users)
                    if (u.address == email)
                        u.enabled = false;
                if (op.flag("remove_groups"))
                    for (auto& g : dir.groups)
                        std::erase(g.members, email);
                break;
            case K::delete_user:
                std::erase_if(dir.users, [&](const auto& u) { return u.address == email; });
                break;
            case K::update_display_name:
                for (auto& u : dir.users)
                    if (u.address == email)
                        u.display_name = op.text("display_name");
                break;
            case K::add_group_member:
                for (auto& g : dir.groups)
                    if (g.address == group)
                        g.members.push_back(op.text("member"));
                break;
            case K::remove_group_member:
                for (auto& g : dir.groups)
                    if (g.address == group)
                        std::erase(g.members, op.text("member"));
                break;
            case K::create_group: {
                domain::DirectoryGroup g;
                g.address = group;
                g.name = op.text("name");
                g.members = op.list("members");
                dir.groups.push_back(g);
                break;
            }
            case K::delete_group:
                std::erase_if(dir.groups, [&](const auto& g) { return g.address == group; });
                break;
            default:
                break;
        }
        if (password)
            passwords[email] = password->reveal();
        if (crash_after_next_apply) {
            crash_after_next_apply = false;
            throw SimulatedCrash();
        }
        co_return std::string("ok ") + email + group;
    }

    /// Fusing mode (issue 11): riders are performed with their step, as one call.
    bool fusing = false;
    std::vector<std::size_t> fused_calls;  // the riders of every call that had some

    [[nodiscard]] bool fuses() const override { return fusing; }
    service::Awaitable<service::Outcome<std::string>> apply_fused(
        const domain::Operation& op, const Secret* password,
        const std::vector<domain::Operation>& riders) override {
        if (riders.empty())
            co_return co_await apply(op, password);
        fused_calls.push_back(riders.size());
        const bool crash = crash_after_next_apply;  // after the whole call, not its first part
        crash_after_next_apply = false;
        auto r = co_await apply(op, password);
        if (!r)
            co_return r;
        for (const auto& rider : riders)
            if (auto rr = co_await apply(rider, nullptr); !rr)
                co_return rr;
        if (crash)
            throw SimulatedCrash();
        co_return r;
    }

  private:
    std::int64_t next_id_ = 90000000000000001;  // like Zoho's, above 2^53
};

}  // namespace hrmaild::test
