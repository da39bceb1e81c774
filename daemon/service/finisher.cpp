// The finisher: a ticket whose steps all succeeded sends its private password notifications in
// one `send_writes` batch with its done comment and its completion, shared with the other
// tickets finishing in the same pass (up to 50 commands a batch). The notifications go first
// and the batch stops at the first failure (halt=1), so the done comment ("the password was
// sent privately") lands only after them, and that comment on the task proves they arrived
// when the batch's answer is lost. A ticket is `done` once its notifications landed.
#include "daemon/core/messages.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/service/ticket_context.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;
using store::AnswerKind;
using store::StepKind;
using store::TicketState;

namespace {

store::StepKey answer_key(std::int64_t task_id, const store::NewAnswer& a) {
    const auto kind = a.kind == AnswerKind::comment    ? StepKind::comment
                      : a.kind == AnswerKind::complete ? StepKind::complete
                                                       : StepKind::defer;
    return {task_id, a.marker, 0, kind};
}

std::string error_class(const PortError& e) {
    return e.outcome_unknown ? std::string("unknown") : std::string(core::to_string(e.kind));
}

}  // namespace

void Service::hold_finishing(Finishing f) {
    const auto now = std::chrono::steady_clock::now();
    if (finishing_.empty())
        finishing_since_ = now;
    if (f.ctx->recovery)  // due at once (ticket_context.hpp)
        finishing_since_ = std::min(*finishing_since_, now - options_.password_hold);
    finishing_.push_back(std::move(f));
}

bool Service::finishing(std::int64_t task_id) const {
    return std::any_of(finishing_.begin(), finishing_.end(),
                       [&](const Finishing& f) { return f.ctx->task_id == task_id; });
}

Awaitable<bool> Service::delivery_proven(std::int64_t task_id, const std::string& marker,
                                         std::optional<store::Timestamp> sent_at) {
    const store::StepKey key{task_id, marker, 0, StepKind::comment};
    auto rec = must(store_.journal_step(key));
    // Only a comment sent after the notification (in its batch) proves anything.
    if (!rec || (sent_at && rec->started_at < *sent_at))
        co_return false;
    if (must(store_.find_comment(task_id, marker)))
        co_return true;
    observer_.count(Event::probe);
    std::vector<std::int64_t> one{task_id};
    auto read = co_await tickets_.comments(one);
    if (!read)
        co_return false;
    for (const auto& c : (*read)[task_id]) {
        if (options_.daemon_user_id != 0 && c.author_id != options_.daemon_user_id)
            continue;
        if (!has_marker(c.text, marker))
            continue;
        must(store_.record_comment(task_id, marker, std::to_string(c.id)));
        if (must(store_.journal_step(key))->state != store::StepState::started)
            must(store_.journal_started(key, "post_comment"));
        must(store_.journal_succeeded(key, std::to_string(c.id)));
        log::info("COMMENT_FOUND", {{"task", task_id}, {"marker", marker}});
        co_return true;
    }
    co_return false;
}

Awaitable<void> Service::deliver_deferred_now(TicketContext& ctx) {
    auto list = std::exchange(ctx.deferred, {});
    ctx.defer_delivery = false;
    for (const auto& d : list) {
        auto it = undelivered_.find({ctx.task_id, d.index});
        if (it == undelivered_.end())
            continue;
        Secret password = it->second.first;
        std::string failure;
        (void)co_await deliver_password(ctx, d.index, d.op, password, failure);
        undelivered_.erase({ctx.task_id, d.index});
    }
}

std::size_t Service::finishing_size(const Finishing& f) const {
    std::size_t n = f.ctx->deferred.size();
    for (const auto& a : f.answers)
        if (a.kind != AnswerKind::tell_it)
            ++n;
    return n;
}

void Service::finishing_writes(Finishing& f, std::size_t index, std::vector<TicketWrite>& writes,
                               std::vector<FinishSlot>& slots) {
    auto& ctx = *f.ctx;
    for (std::size_t d = 0; d < ctx.deferred.size(); ++d) {
        const auto& dl = ctx.deferred[d];
        must(store_.journal_started({ctx.task_id, ctx.plan_hash, dl.index, StepKind::notify},
                                    "notify_password"));
        writes.push_back({TicketWrite::Kind::notify, dl.recipient, dl.text});
        slots.push_back({index, true, d});
    }
    for (std::size_t a = 0; a < f.answers.size(); ++a) {
        const auto& ans = f.answers[a];
        if (ans.kind == AnswerKind::comment) {
            must(store_.journal_started(answer_key(ctx.task_id, ans), "post_comment"));
            writes.push_back({TicketWrite::Kind::comment, ctx.task_id,
                              Secret(with_marker(ans.body, ans.marker))});
        } else if (ans.kind == AnswerKind::complete || ans.kind == AnswerKind::defer) {
            must(store_.journal_started(
                answer_key(ctx.task_id, ans),
                ans.kind == AnswerKind::complete ? "complete_task" : "defer_task"));
            writes.push_back({ans.kind == AnswerKind::complete ? TicketWrite::Kind::complete
                                                               : TicketWrite::Kind::defer,
                              ctx.task_id, Secret()});
        } else {
            continue;  // an IT note: owed with the state change, settled by itself
        }
        slots.push_back({index, false, a});
    }
}

Awaitable<bool> Service::settle_finished(
    Finishing& f, std::vector<std::pair<FinishSlot, Outcome<std::string>>>& results) {
    auto& ctx = *f.ctx;
    const auto done_marker = make_marker(ctx.task_id, "done", ctx.ref());
    bool unknown = false;
    bool only_not_sent = true;
    std::optional<PortError> failed;
    std::size_t failed_item = 0;
    for (const auto& [slot, r] : results) {
        if (!slot.notify || r)
            continue;
        if (r.error().outcome_unknown) {
            unknown = true;
        } else if (!failed) {
            failed = r.error();
            failed_item = slot.item;
        }
        only_not_sent = only_not_sent && !r.error().outcome_unknown && r.error().not_sent;
    }
    bool delivered = !failed && !unknown;
    if (!failed && unknown) {
        // The answer was lost: the done comment, sent after the notifications, tells.
        delivered = co_await delivery_proven(ctx.task_id, done_marker, std::nullopt);
    }
    auto journal_answers = [&](bool sent) {
        for (auto& [slot, r] : results) {
            if (slot.notify)
                continue;
            const auto& ans = f.answers[slot.item];
            const auto key = answer_key(ctx.task_id, ans);
            if (ans.kind == AnswerKind::comment &&
                must(store_.find_comment(ctx.task_id, ans.marker)))
                continue;  // found by its marker already
            (void)sent;
            if (r) {
                // Landed (also when a notification before it answered `false`, which does
                // not stop a batch): recorded as it is, never posted again.
                if (ans.kind == AnswerKind::comment) {
                    observer_.count(Event::comment_posted);
                    must(store_.record_comment(ctx.task_id, ans.marker, *r));
                    log::info("COMMENT_POSTED",
                              {{"task", ctx.task_id}, {"marker", ans.marker}, {"comment", *r}});
                }
                must(
                    store_.journal_succeeded(key, ans.kind == AnswerKind::comment ? *r : "closed"));
            } else {
                // Settled by the reporter: a marker check before a comment is posted again.
                const auto err = r ? not_sent_error() : r.error();
                must(store_.journal_failed(key, error_class(err), err.message));
            }
        }
    };
    if (delivered) {
        for (const auto& d : ctx.deferred) {
            must(store_.journal_succeeded({ctx.task_id, ctx.plan_hash, d.index, StepKind::notify},
                                          fmt::format("sent to bitrix user {}", d.recipient)));
            undelivered_.erase({ctx.task_id, d.index});
            observer_.count(Event::notification_sent);
            log::info("PASSWORD_DELIVERED",
                      {{"task", ctx.task_id}, {"email", d.op.text("email")}, {"to", d.recipient}});
        }
        transition(ctx.task_id, TicketState::done, "daemon", "every step succeeded", f.answers);
        journal_answers(true);
        co_return true;
    }
    // Not delivered: journal each notification as it went.
    for (auto& [slot, r] : results) {
        if (!slot.notify)
            continue;
        const auto& d = ctx.deferred[slot.item];
        const store::StepKey key{ctx.task_id, ctx.plan_hash, d.index, StepKind::notify};
        if (r) {
            must(store_.journal_succeeded(key, fmt::format("sent to bitrix user {}", d.recipient)));
            undelivered_.erase({ctx.task_id, d.index});
            observer_.count(Event::notification_sent);
        } else {
            must(store_.journal_failed(key, error_class(r.error()), r.error().message));
        }
    }
    journal_answers(false);
    if (unknown && !failed) {
        // It may have arrived: the same password is not sent twice, and no other is made.
        for (const auto& d : ctx.deferred)
            undelivered_.erase({ctx.task_id, d.index});
        const auto& op = ctx.deferred.front().op;
        fail_ticket(ctx, render(Msg::svc_delivery_unknown, "step"_a = workflow::describe_step(op),
                                "task"_a = ctx.task_id));
        co_return true;
    }
    if (only_not_sent) {
        // Never sent (another ticket's write stopped the batch, or a throttle): next pass.
        ctx.deferred.erase(std::remove_if(ctx.deferred.begin(), ctx.deferred.end(),
                                          [&](const Delivery& d) {
                                              return !undelivered_.count({ctx.task_id, d.index});
                                          }),
                           ctx.deferred.end());
        hold_finishing(std::move(f));
        co_return false;
    }
    const auto& d = ctx.deferred[failed_item];
    auto& held = undelivered_[{ctx.task_id, d.index}];
    ++held.second;
    log::warn("PASSWORD_DELIVERY_FAILED",
              {{"task", ctx.task_id}, {"attempt", held.second}, {"error", failed->describe()}});
    if (failed->kind == core::ErrorKind::retryable && held.second < options_.delivery_attempts) {
        backoff(ctx.task_id);  // stays executing; the held password is tried again
        co_return false;
    }
    for (const auto& dl : ctx.deferred)
        undelivered_.erase({ctx.task_id, dl.index});
    fail_ticket(ctx, render(Msg::svc_delivery_failed, "step"_a = workflow::describe_step(d.op),
                            "error"_a = failed->message, "task"_a = ctx.task_id));
    co_return true;
}

}  // namespace hrmaild::service
