// The reporter: the answers owed on tasks. Each was written to the store with the state change
// that owes it (an outbox), and is settled here until it lands: a comment is journaled and a
// `started` post is settled by finding its marker among our own comments; completing and
// deferring are checked against the task's status; IT notes are sent at most once each.
#include "daemon/core/hash.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>

#include <set>

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
    auto pending = must(store_.pending_answers(std::nullopt));
    // Answers of one task land in the order they were owed: a task is completed only after
    // its comment is there.
    std::set<std::int64_t> blocked;
    for (const auto& a : pending) {
        if (blocked.count(a.task_id))
            continue;
        bool landed = false;
        try {
            landed = co_await settle_answer(a);
        } catch (const std::exception& e) {
            log::error("ANSWER_FAILED", {{"task", a.task_id}, {"error", e.what()}});
        }
        if (!landed)
            blocked.insert(a.task_id);
    }
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
