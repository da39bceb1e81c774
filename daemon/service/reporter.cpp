// The reporter: the answers owed on tasks. Each was written to the store with the state change
// that owes it (an outbox), and is settled here until it lands: a comment is journaled and a
// `started` post is settled by finding its marker among our own comments; completing and
// deferring are checked against the task's status; IT notes are sent at most once each.
// Answers of many tasks, and the password notifications of tickets finishing (finisher.cpp),
// share `send_writes` batches of up to 50 writes.
#include "daemon/core/hash.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/service/ticket_context.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

namespace hrmaild::service {

using detail::must;
using store::AnswerKind;
using store::AnswerState;
using store::StepKind;

namespace {
// How many passes an IT note is tried before it is given up (logged as an error).
constexpr int kItNoteAttempts = 10;
}  // namespace

std::vector<store::NewAnswer> Service::tell_it(std::int64_t task_id, const std::string& text) {
    (void)task_id;
    if (options_.approvers.empty())
        return {};
    return {{AnswerKind::tell_it, "it-" + core::sha256_hex(text), text}};
}

Awaitable<void> Service::settle_answers() {
    // One settling at a time: tickets in flight together may ask for it while it runs, and
    // two of them would send the same pending answer twice.
    if (settling_)
        co_return;
    settling_ = true;
    struct Reset {
        bool& flag;
        ~Reset() { flag = false; }
    } reset{settling_};
    // Answers of one task land in the order they were owed (a task is completed only after its
    // comment is there), and answers of many tasks share requests: the comments, completions
    // and deferrals of up to `TicketSource::kMaxWrites` go in one `send_writes` (one Bitrix
    // `batch` that stops at the first failure, so a task's later answer never lands before
    // an earlier one that failed). A round may unblock a task's next answer (an IT note after
    // a comment): a few rounds, each only while something landed.
    for (int round = 0; round < 4; ++round) {
        bool progress = false;
        try {
            progress = co_await settle_round();
        } catch (const std::exception& e) {
            log::error("ANSWER_FAILED", {{"error", e.what()}});
        }
        if (!progress)
            break;
    }
}

Awaitable<bool> Service::settle_round() {
    auto pending = must(store_.pending_answers(std::nullopt));
    if (pending.empty() && finishing_.empty())
        co_return false;
    std::vector<std::int64_t> order;
    std::map<std::int64_t, std::vector<store::AnswerRecord>> by_task;
    for (auto& a : pending) {
        if (!by_task.count(a.task_id))
            order.push_back(a.task_id);
        by_task[a.task_id].push_back(std::move(a));
    }
    bool progress = false;
    auto comment_key = [](const store::AnswerRecord& a) {
        return store::StepKey{a.task_id, a.marker, 0, StepKind::comment};
    };
    auto close_key = [](const store::AnswerRecord& a) {
        return store::StepKey{
            a.task_id, a.marker, 0,
            a.kind == AnswerKind::complete ? StepKind::complete : StepKind::defer};
    };
    auto land = [&](const store::AnswerRecord& a) {
        must(store_.settle_answer(a.id, AnswerState::done, ""));
        progress = true;
    };

    // 1. A comment whose post may have landed (started, or failed after being sent) is settled
    // by its marker among our own comments: one batched read for every such task.
    std::vector<std::int64_t> uncertain;
    for (auto id : order) {
        const auto& first = by_task[id].front();
        if (first.kind != AnswerKind::comment || must(store_.find_comment(id, first.marker)))
            continue;
        auto rec = must(store_.journal_step(comment_key(first)));
        if (rec && rec->state != store::StepState::succeeded)
            uncertain.push_back(id);
    }
    std::set<std::int64_t> unreadable;
    if (!uncertain.empty()) {
        auto read = co_await tickets_.comments(uncertain);
        for (auto id : uncertain) {
            observer_.count(Event::probe);
            if (!read || !read->count(id)) {
                unreadable.insert(id);
                continue;
            }
            const auto& a = by_task[id].front();
            for (const auto& c : read->at(id)) {
                if (options_.daemon_user_id != 0 && c.author_id != options_.daemon_user_id)
                    continue;
                if (!has_marker(c.text, a.marker))
                    continue;
                must(store_.record_comment(id, a.marker, std::to_string(c.id)));
                if (auto r = must(store_.journal_step(comment_key(a)));
                    r && r->state != store::StepState::started)
                    must(store_.journal_started(comment_key(a), "post_comment"));
                must(store_.journal_succeeded(comment_key(a), std::to_string(c.id)));
                log::info("COMMENT_FOUND", {{"task", id}, {"marker", a.marker}});
                break;
            }
        }
    }

    // 2. Tickets done but for their password notifications (finisher.cpp) first, then each
    // task's owed answers in order, up to the first that cannot go in a batch. A ticket's or a
    // task's writes never straddle two batches.
    struct Pending {
        store::AnswerRecord answer;
        TicketWrite write;
    };
    struct Chunk {
        std::vector<std::size_t> finishing;  // indexes into `fin`
        std::vector<Pending> owed;
        std::size_t size = 0;
    };
    std::vector<Chunk> chunks(1);
    auto room = [&](std::size_t need) {
        if (chunks.back().size > 0 && chunks.back().size + need > TicketSource::kMaxWrites)
            chunks.emplace_back();
        chunks.back().size += need;
    };
    auto fin = std::exchange(finishing_, {});
    finishing_since_.reset();
    for (std::size_t i = 0; i < fin.size(); ++i) {
        room(finishing_size(fin[i]));
        chunks.back().finishing.push_back(i);
    }
    for (auto id : order) {
        if (unreadable.count(id) || finishing(id))
            continue;
        std::vector<Pending> mine;
        for (const auto& a : by_task[id]) {
            if (a.kind == AnswerKind::comment) {
                auto rec = must(store_.journal_step(comment_key(a)));
                if (must(store_.find_comment(id, a.marker)) ||
                    (rec && rec->state == store::StepState::succeeded)) {
                    if (!mine.empty())
                        break;  // lands after what is queued before it
                    land(a);
                    continue;
                }
                mine.push_back(
                    {a, {TicketWrite::Kind::comment, id, Secret(with_marker(a.body, a.marker))}});
                continue;
            }
            if (a.kind == AnswerKind::complete || a.kind == AnswerKind::defer) {
                auto rec = must(store_.journal_step(close_key(a)));
                if (rec && rec->state == store::StepState::failed &&
                    rec->error_class == "unknown") {
                    // Its answer was lost: the task's status tells whether it landed.
                    if (!mine.empty())
                        break;
                    auto task = co_await tickets_.task(id);
                    if (task && *task && !(*task)->is_open()) {
                        must(store_.journal_started(close_key(a), a.kind == AnswerKind::complete
                                                                      ? "complete_task"
                                                                      : "defer_task"));
                        must(store_.journal_succeeded(close_key(a), "closed"));
                        land(a);
                        continue;
                    }
                }
                if (rec && rec->state == store::StepState::succeeded) {
                    if (!mine.empty())
                        break;
                    land(a);
                    continue;
                }
                mine.push_back({a,
                                {a.kind == AnswerKind::complete ? TicketWrite::Kind::complete
                                                                : TicketWrite::Kind::defer,
                                 id, Secret()}});
                continue;
            }
            // An IT note (one notification per approver, each at most once) goes by itself.
            if (!mine.empty())
                break;
            bool landed = false;
            try {
                landed = co_await settle_answer(a);
            } catch (const std::exception& e) {
                log::error("ANSWER_FAILED", {{"task", id}, {"error", e.what()}});
            }
            if (!landed)
                break;
            progress = true;
        }
        if (mine.empty())
            continue;
        room(mine.size());
        for (auto& p : mine)
            chunks.back().owed.push_back(std::move(p));
    }

    // 3. Each chunk: journaled `started` first, sent as one batch, each result journaled.
    for (auto& chunk : chunks) {
        if (chunk.size == 0)
            continue;
        std::vector<TicketWrite> writes;
        std::vector<FinishSlot> slots;
        for (auto i : chunk.finishing)
            finishing_writes(fin[i], i, writes, slots);
        const std::size_t owed_from = writes.size();
        for (const auto& p : chunk.owed) {
            const auto& a = p.answer;
            if (a.kind == AnswerKind::comment)
                must(store_.journal_started(comment_key(a), "post_comment"));
            else
                must(store_.journal_started(
                    close_key(a), a.kind == AnswerKind::complete ? "complete_task" : "defer_task"));
            writes.push_back(p.write);
        }
        auto results = co_await tickets_.send_writes(std::move(writes));
        auto result = [&](std::size_t i) {
            return i < results.size() ? std::move(results[i])
                                      : Outcome<std::string>(not_sent_error());
        };
        std::map<std::size_t, std::vector<std::pair<FinishSlot, Outcome<std::string>>>> per;
        for (std::size_t i = 0; i < owed_from; ++i)
            per[slots[i].ticket].emplace_back(slots[i], result(i));
        for (auto i : chunk.finishing) {
            try {
                const bool settled = co_await settle_finished(fin[i], per[i]);
                progress = progress || settled;
            } catch (const std::exception& e) {
                log::error("TICKET_RUN_FAILED",
                           {{"task", fin[i].ctx->task_id}, {"error", e.what()}});
            }
        }
        for (std::size_t k = 0; k < chunk.owed.size(); ++k) {
            const auto& a = chunk.owed[k].answer;
            Outcome<std::string> r = result(owed_from + k);
            if (a.kind == AnswerKind::comment) {
                if (r) {
                    observer_.count(Event::comment_posted);
                    must(store_.record_comment(a.task_id, a.marker, *r));
                    must(store_.journal_succeeded(comment_key(a), *r));
                    log::info("COMMENT_POSTED",
                              {{"task", a.task_id}, {"marker", a.marker}, {"comment", *r}});
                    land(a);
                    continue;
                }
                const auto& err = r.error();
                must(store_.journal_failed(
                    comment_key(a),
                    err.outcome_unknown ? "unknown" : std::string(core::to_string(err.kind)),
                    err.message));
                log::warn("COMMENT_FAILED",
                          {{"task", a.task_id}, {"marker", a.marker}, {"error", err.describe()}});
                if (err.kind == core::ErrorKind::retryable) {
                    must(store_.settle_answer(a.id, AnswerState::pending, "not posted yet"));
                } else {
                    // The task is gone or refuses comments: nothing later can land either.
                    must(store_.settle_answer(a.id, AnswerState::dropped, "refused by Bitrix24"));
                    progress = true;
                }
                continue;
            }
            const bool complete = a.kind == AnswerKind::complete;
            if (r) {
                must(store_.journal_succeeded(close_key(a), "closed"));
                land(a);
                continue;
            }
            const auto& err = r.error();
            bool closed = false;
            if (!err.not_sent) {
                // Refused because the task is already closed (HR closed it, or this very call
                // landed and its answer was lost): that is what we wanted.
                auto task = co_await tickets_.task(a.task_id);
                closed = task && *task && !(*task)->is_open();
            }
            if (closed) {
                must(store_.journal_succeeded(close_key(a), "closed"));
                land(a);
                continue;
            }
            must(store_.journal_failed(close_key(a), std::string(core::to_string(err.kind)),
                                       err.message));
            log::warn(
                complete ? log::EventId("TASK_COMPLETE_FAILED") : log::EventId("TASK_DEFER_FAILED"),
                {{"task", a.task_id}, {"error", err.describe()}});
            if (err.kind == core::ErrorKind::retryable) {
                must(store_.settle_answer(a.id, AnswerState::pending, err.message));
            } else {
                must(store_.settle_answer(a.id, AnswerState::dropped, err.message));
                progress = true;  // a permanent refusal: the comment already landed
            }
        }
    }
    co_return progress;
}

Awaitable<bool> Service::settle_answer(const store::AnswerRecord& a) {
    switch (a.kind) {
        case AnswerKind::comment: {
            switch (co_await post_comment(a.task_id, a.marker, a.body)) {
                case Landing::landed:
                    must(store_.settle_answer(a.id, AnswerState::done, ""));
                    co_return true;
                case Landing::later:
                    must(store_.settle_answer(a.id, AnswerState::pending, "not posted yet"));
                    co_return false;
                case Landing::refused:
                    // The task is gone or refuses comments: nothing later can land either.
                    must(store_.settle_answer(a.id, AnswerState::dropped, "refused by Bitrix24"));
                    co_return true;
            }
            co_return false;
        }
        case AnswerKind::complete:
        case AnswerKind::defer: {
            const bool complete = a.kind == AnswerKind::complete;
            const store::StepKey key{a.task_id, a.marker, 0,
                                     complete ? StepKind::complete : StepKind::defer};
            auto rec = must(store_.journal_step(key));
            if (!rec || rec->state != store::StepState::succeeded) {
                must(store_.journal_started(key, complete ? "complete_task" : "defer_task"));
                // Not `complete ? co_await ... : co_await ...`: GCC 12 destroys the
                // temporaries of a co_await in a conditional expression twice (a double free
                // once the call fails; found by tests/crash).
                Outcome<void> r;
                if (complete)
                    r = co_await tickets_.complete_task(a.task_id);
                else
                    r = co_await tickets_.defer_task(a.task_id);
                if (!r) {
                    // Refused because the task is already closed (HR closed it, or our earlier
                    // call landed and its answer was lost): that is what we wanted.
                    auto task = co_await tickets_.task(a.task_id);
                    const bool closed = task && *task && !(*task)->is_open();
                    if (!closed) {
                        must(store_.journal_failed(
                            key, std::string(core::to_string(r.error().kind)), r.error().message));
                        log::warn(complete ? log::EventId("TASK_COMPLETE_FAILED")
                                           : log::EventId("TASK_DEFER_FAILED"),
                                  {{"task", a.task_id}, {"error", r.error().describe()}});
                        if (r.error().kind == core::ErrorKind::retryable) {
                            must(store_.settle_answer(a.id, AnswerState::pending,
                                                      r.error().message));
                            co_return false;
                        }
                        must(store_.settle_answer(a.id, AnswerState::dropped, r.error().message));
                        co_return true;  // a permanent refusal: the comment already landed
                    }
                }
                must(store_.journal_succeeded(key, "closed"));
            }
            must(store_.settle_answer(a.id, AnswerState::done, ""));
            co_return true;
        }
        case AnswerKind::tell_it: {
            bool again = false;
            for (std::size_t i = 0; i < options_.approvers.size(); ++i) {
                const store::StepKey key{a.task_id, a.marker, static_cast<int>(i),
                                         StepKind::tell_it};
                auto rec = must(store_.journal_step(key));
                // `started`: a crash during the call; IT may have it, and a note is never sent
                // twice.
                if (rec && rec->state != store::StepState::failed)
                    continue;
                must(store_.journal_started(key, "notify_it"));
                auto r = co_await tickets_.notify_private(options_.approvers[i], Secret(a.body));
                if (!r && r.error().outcome_unknown) {
                    // It may have arrived; a note is never sent twice.
                    must(store_.journal_succeeded(key, "outcome unknown; not re-sent"));
                    continue;
                }
                if (!r) {
                    must(store_.journal_failed(key, std::string(core::to_string(r.error().kind)),
                                               r.error().message));
                    log::warn("IT_NOTIFY_FAILED", {{"task", a.task_id},
                                                   {"to", options_.approvers[i]},
                                                   {"error", r.error().describe()}});
                    again = again || r.error().kind == core::ErrorKind::retryable;
                    continue;
                }
                observer_.count(Event::notification_sent);
                must(store_.journal_succeeded(key, "sent"));
            }
            // An IT note never holds up the task's own answers, and is given up after a bound.
            if (again && a.attempts + 1 >= kItNoteAttempts) {
                log::error("IT_NOTIFY_GAVE_UP",
                           {{"task", a.task_id}, {"attempts", a.attempts + 1}});
                must(store_.settle_answer(a.id, AnswerState::dropped, "IT could not be notified"));
            } else {
                must(store_.settle_answer(a.id, again ? AnswerState::pending : AnswerState::done,
                                          again ? "retrying" : ""));
            }
            co_return true;
        }
    }
    co_return false;
}

Awaitable<Service::Landing> Service::post_comment(std::int64_t task_id, const std::string& marker,
                                                  const std::string& text) {
    if (must(store_.find_comment(task_id, marker)))
        co_return Landing::landed;
    const store::StepKey key{task_id, marker, 0, StepKind::comment};
    auto rec = must(store_.journal_step(key));
    if (rec && rec->state == store::StepState::succeeded)
        co_return Landing::landed;
    if (rec) {
        // Posted, maybe, before a crash or an answer that was lost (the HTTP layer never sends
        // a comment twice by itself): our own comment with this exact marker settles it.
        observer_.count(Event::probe);
        // (a named vector: GCC 12 rejects a braced list inside co_await)
        std::vector<std::int64_t> one{task_id};
        auto comments = co_await tickets_.comments(one);
        if (!comments)
            co_return Landing::later;
        for (const auto& c : (*comments)[task_id]) {
            if (options_.daemon_user_id != 0 && c.author_id != options_.daemon_user_id)
                continue;
            if (!has_marker(c.text, marker))
                continue;
            must(store_.record_comment(task_id, marker, std::to_string(c.id)));
            must(store_.journal_succeeded(key, std::to_string(c.id)));
            log::info("COMMENT_FOUND", {{"task", task_id}, {"marker", marker}});
            co_return Landing::landed;
        }
    }
    must(store_.journal_started(key, "post_comment"));
    auto posted = co_await tickets_.post_comment(task_id, with_marker(text, marker));
    if (!posted) {
        must(store_.journal_failed(key, std::string(core::to_string(posted.error().kind)),
                                   posted.error().message));
        log::warn("COMMENT_FAILED",
                  {{"task", task_id}, {"marker", marker}, {"error", posted.error().describe()}});
        co_return posted.error().kind == core::ErrorKind::retryable ? Landing::later
                                                                    : Landing::refused;
    }
    observer_.count(Event::comment_posted);
    must(store_.record_comment(task_id, marker, *posted));
    must(store_.journal_succeeded(key, *posted));
    log::info("COMMENT_POSTED", {{"task", task_id}, {"marker", marker}, {"comment", *posted}});
    co_return Landing::landed;
}

}  // namespace hrmaild::service
