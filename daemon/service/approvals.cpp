// Approvals: commands in task comments (/aprobar, /rechazar, /cancelar) and the queue commands
// of the CLI and admin API.
#include "daemon/core/messages.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/chat_command.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;
using store::TicketState;

namespace {

// A plan hash given by a person (CLI, API): the full hash or a prefix long enough that a
// mistyped or guessed one cannot approve another plan.
constexpr std::size_t kMinHashPrefix = 12;

}  // namespace

Awaitable<std::set<std::int64_t>> Service::approver_ids() {
    std::set<std::int64_t> ids(options_.approvers.begin(), options_.approvers.end());
    if (options_.approver_department > 0) {
        auto members = co_await department_members(options_.approver_department);
        if (!members)
            log::warn("APPROVERS_UNAVAILABLE", {{"department", options_.approver_department},
                                                {"error", members.error().describe()}});
        // A failed read keeps the approvers an earlier read found.
        const auto& known = last_members(options_.approver_department);
        ids.insert(known.begin(), known.end());
    }
    co_return ids;
}

Awaitable<Outcome<std::vector<std::int64_t>>> Service::department_members(std::int64_t department) {
    // Departments change rarely; asking every cycle would spend the Bitrix budget.
    if (auto it = departments_.find(department);
        it != departments_.end() && now() - it->second.read_at <= options_.approver_cache)
        co_return it->second.members;
    auto members = co_await tickets_.department_members(department);
    if (members)
        departments_[department] = {*members, now()};
    co_return members;
}

const std::vector<std::int64_t>& Service::last_members(std::int64_t department) const {
    static const std::vector<std::int64_t> none;
    auto it = departments_.find(department);
    return it == departments_.end() ? none : it->second.members;
}

std::vector<std::int64_t> Service::listening_tasks() {
    auto waiting = must(store_.list_tickets({TicketState::awaiting_approval}));
    std::vector<std::int64_t> ids;
    for (const auto& t : waiting)
        ids.push_back(t.task_id);
    for (auto id : pending_step_tasks())
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    for (auto id : waiting_for_date())  // approved plans waiting for their date, too
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    return ids;
}

std::set<std::int64_t> Service::pending_step_tasks(std::optional<std::int64_t> task_id) {
    std::set<std::int64_t> out;
    for (const auto& s : must(store_.scheduled_steps(task_id)))
        if (s.state == store::ScheduleState::pending)
            out.insert(s.key.task_id);
    return out;
}

Awaitable<void> Service::read_approvals() {
    auto ids = listening_tasks();
    // The poll of this cycle may have read them already, in its own request.
    auto prefetched = std::exchange(prefetched_comments_, {});
    if (ids.empty())
        co_return;
    std::vector<std::int64_t> missing;
    for (auto id : ids)
        if (!prefetched.count(id))
            missing.push_back(id);
    std::map<std::int64_t, std::vector<TaskComment>> comments_read = std::move(prefetched);
    if (!missing.empty()) {
        auto more = co_await tickets_.comments(missing);
        if (!more) {
            log::warn("COMMENTS_UNAVAILABLE", {{"error", more.error().describe()}});
            if (comments_read.empty())
                co_return;
        } else {
            for (auto& [id, list] : *more)
                comments_read[id] = std::move(list);
        }
    }
    auto* comments = &comments_read;
    auto approvers = co_await approver_ids();
    for (auto id : ids) {
        if (!comments->count(id))
            continue;  // not read this time: read again next cycle
        try {
            co_await read_commands(id, std::move((*comments)[id]), approvers);
        } catch (const std::exception& e) {
            log::error("TASK_FAILED", {{"task", id}, {"error", e.what()}});
        }
    }
}

Awaitable<void> Service::read_commands(std::int64_t id, std::vector<TaskComment> list,
                                       const std::set<std::int64_t>& approvers) {
    auto ticket = must(store_.get_ticket(id));
    auto plan = must(store_.current_plan(id));
    if (!ticket || !plan)
        co_return;
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    auto ours = [&](const TaskComment& c) {
        return options_.daemon_user_id == 0 || c.author_id == options_.daemon_user_id;
    };
    const bool awaiting = ticket->state == TicketState::awaiting_approval;
    auto start = list.begin();
    if (awaiting) {
        // Only commands written after the newest plan comment count: an approval typed under
        // an older plan (or under the same plan shown before a change and back) approves
        // nothing. The plan comment is found by its exact marker, in our own comments only.
        auto marker = make_marker(id, "plan", fmt::format("{}-{}", plan->id, plan->plan_hash));
        auto it = std::find_if(list.begin(), list.end(), [&](const TaskComment& c) {
            return ours(c) && has_marker(c.text, marker);
        });
        if (it == list.end())
            co_return;  // not shown yet: nothing can be approved
        start = std::next(it);
    }
    for (auto it = start; it != list.end(); ++it) {
        const auto& c = *it;
        if (c.author_id == options_.daemon_user_id || is_daemon_comment(c.text))
            continue;
        auto cmd = parse_chat_command(c.text);
        if (!cmd)
            continue;
        if (must(store_.command_seen(id, c.id)))
            continue;
        const std::string who = fmt::format("bitrix:{}", c.author_id);
        const std::string verb(verb_name(cmd->verb));
        auto remember = [&](const std::string& outcome) {
            must(store_.record_command({id, c.id, c.author_id, verb, outcome, {}}));
        };
        auto ignore = [&](const std::string& why) {
            log::warn("APPROVAL_IGNORED",
                      {{"task", id}, {"author", c.author_id}, {"command", verb}, {"why", why}});
            remember("ignored: " + why);
        };
        if (!approvers.count(c.author_id)) {
            ignore("not an approver");
            continue;
        }
        // The requester recorded with the plan (CREATED_BY when it was made) never decides on
        // it; when it is unknown the check cannot be made, and it fails closed.
        if (plan->requester == 0) {
            ignore("the requester is unknown");
            continue;
        }
        if (plan->requester == c.author_id) {
            ignore("the requester cannot approve");
            continue;
        }
        // Nor whoever was the requester of an earlier plan of the task: an approver who filed
        // it and then made someone else its creator still filed it.
        const auto history = must(store_.plans_for(id));
        if (std::any_of(history.begin(), history.end(),
                        [&](const auto& p) { return p.requester == c.author_id; })) {
            ignore("a former requester of the task cannot approve");
            continue;
        }
        if (cmd->verb == ChatVerb::unclear) {
            // "/aprobar cuando RH confirme" is not an approval: a condition cannot be checked,
            // and it is never taken as any other command either.
            must(store_.owe_answers(
                id, {{store::AnswerKind::comment, make_marker(id, "hint", fmt::format("c{}", c.id)),
                      unclear_command_hint(*cmd)}}));
            ignore("text after the command");
            continue;
        }
        if (cmd->verb == ChatVerb::cancel && cancel_waiting(id, who)) {
            remember("cancelled the plan waiting for its date");
            continue;
        }
        if (cmd->verb == ChatVerb::cancel) {
            auto n = must(store_.cancel_scheduled_for(id, who, "cancelled from the task"));
            if (n > 0)
                must(store_.owe_answers(id,
                                        {{store::AnswerKind::comment,
                                          make_marker(id, "cancelled", fmt::format("c{}", c.id)),
                                          render(Msg::svc_scheduled_cancelled, "count"_a = n)}}));
            remember(fmt::format("cancelled {} scheduled step(s)", n));
            continue;
        }
        if (!awaiting) {
            remember("ignored: the ticket is not awaiting approval");
            continue;
        }

        if (cmd->verb == ChatVerb::reject && cmd->argument.empty()) {
            must(store_.owe_answers(id,
                                    {{store::AnswerKind::comment,
                                      make_marker(id, "needreason", fmt::format("c{}", c.id)),
                                      std::string(messages::text(Msg::svc_reject_needs_reason))}}));
            remember("ignored: a rejection needs a reason");
            continue;
        }
        store::NewApproval ap;
        ap.task_id = id;
        ap.plan_hash = plan->plan_hash;
        ap.approver = who;
        ap.channel = store::ApprovalChannel::comment;
        if (cmd->verb != ChatVerb::approve && cmd->verb != ChatVerb::reject)
            continue;  // (unclear and cancel were handled above)
        ap.decision =
            cmd->verb == ChatVerb::approve ? store::Decision::approve : store::Decision::reject;
        ap.reason = cmd->argument;
        if (ap.decision == store::Decision::reject) {
            try {
                reject_ticket(id, *plan, ap, who);
            } catch (const CommandError& e) {
                log::warn("APPROVAL_REFUSED", {{"task", id}, {"error", e.what()}});
                remember(std::string("refused: ") + e.what());
                continue;
            }
        } else if (auto rec = store_.record_approval(ap); !rec) {
            log::warn("APPROVAL_REFUSED", {{"task", id}, {"error", rec.error().describe()}});
            remember("refused: " + rec.error().message);
            continue;
        }
        remember("recorded");
        log::info("APPROVAL_RECORDED", {{"task", id},
                                        {"approver", who},
                                        {"decision", store::to_string(ap.decision)},
                                        {"plan", plan->plan_hash}});
        break;  // the ticket left awaiting_approval
    }
}

void Service::reject_ticket(std::int64_t task_id, const store::PlanRecord& plan,
                            store::NewApproval approval, const std::string& who) {
    auto messages = messages_from_json(plan.messages);
    // A plan stored without the message (older versions) gets the catalog's default.
    auto text = messages.rejected.empty() ? std::string(messages::text(Msg::wf_default_rejected))
                                          : messages.rejected;
    text += render(Msg::svc_rejected_reason,
                   "reason"_a = workflow::neutralize_for_comment(approval.reason, 500));
    const auto ref = fmt::format("{}-{}", plan.id, plan.plan_hash);
    approval.answers = {{store::AnswerKind::comment, make_marker(task_id, "rejected", ref), text},
                        {store::AnswerKind::defer, "defer-" + ref, ""}};
    auto rec = store_.record_approval(approval);
    if (!rec)
        throw CommandError(409, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    log::info("TICKET_REJECTED", {{"task", task_id}, {"by", who}});
}

// ---- commands -------------------------------------------------------------------------------

store::PlanRecord Service::waiting_plan(std::int64_t task_id) {
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    auto plan = must(store_.current_plan(task_id));
    if (t->state != TicketState::awaiting_approval || !plan)
        throw CommandError(409, "not_awaiting_approval",
                           fmt::format("task {} is {}, not awaiting approval", task_id,
                                       store::to_string(t->state)));
    return *plan;
}

Awaitable<bool> Service::is_approver(std::int64_t user_id) {
    if (user_id <= 0)
        co_return false;
    auto ids = co_await approver_ids();
    co_return ids.count(user_id) > 0;
}

std::string Service::known_title(std::int64_t task_id) const {
    auto it = tasks_.find(task_id);
    return it == tasks_.end() ? std::string() : it->second.title;
}

Awaitable<void> Service::check_web_decider(std::int64_t task_id, const store::PlanRecord& plan,
                                           std::int64_t web_user) {
    if (!co_await is_approver(web_user))
        throw CommandError(403, "not_an_approver",
                           fmt::format("Bitrix user {} is not an approver", web_user));
    // The rule of comment commands: the requester recorded with the plan, or with any earlier
    // plan of the task, never decides; an unknown requester fails closed.
    if (plan.requester == 0)
        throw CommandError(403, "requester_cannot_approve",
                           fmt::format("task {}'s requester is unknown", task_id));
    const auto history = must(store_.plans_for(task_id));
    if (plan.requester == web_user ||
        std::any_of(history.begin(), history.end(),
                    [&](const auto& p) { return p.requester == web_user; }))
        throw CommandError(
            403, "requester_cannot_approve",
            fmt::format("Bitrix user {} filed task {} and cannot decide on it", web_user, task_id));
}

Awaitable<boost::json::value> Service::queue_approve(std::int64_t task_id, std::string principal,
                                                     std::string plan_hash, std::int64_t web_user) {
    const auto plan = waiting_plan(task_id);
    if (web_user != 0)
        co_await check_web_decider(task_id, plan, web_user);
    if (plan_hash.size() < kMinHashPrefix)
        throw CommandError(400, "plan_hash_required",
                           fmt::format("approving task {} needs the plan hash shown by `hrmaild "
                                       "queue show {}` (the full hash or its first {} or more "
                                       "characters)",
                                       task_id, task_id, kMinHashPrefix));
    if (!plan.plan_hash.starts_with(plan_hash))
        throw CommandError(409, "stale_plan",
                           fmt::format("task {}'s current plan is {}, not {}", task_id,
                                       plan.plan_hash.substr(0, kMinHashPrefix), plan_hash));
    store::NewApproval ap{task_id,
                          plan.plan_hash,
                          web_user != 0 ? fmt::format("bitrix:{}", web_user) : "cli:" + principal,
                          web_user != 0 ? store::ApprovalChannel::web : store::ApprovalChannel::cli,
                          store::Decision::approve,
                          "",
                          {}};
    auto rec = store_.record_approval(ap);
    if (!rec)
        throw CommandError(409, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    log::info("APPROVAL_RECORDED", {{"task", task_id},
                                    {"approver", ap.approver},
                                    {"decision", "approve"},
                                    {"plan", plan.plan_hash}});
    co_await run_ticket(task_id);
    co_await settle_answers();
    auto after = must(store_.get_ticket(task_id));
    co_return boost::json::object{
        {"id", task_id}, {"plan_hash", plan.plan_hash}, {"state", store::to_string(after->state)}};
}

Awaitable<boost::json::value> Service::queue_reject(std::int64_t task_id, std::string principal,
                                                    std::string reason, std::int64_t web_user) {
    if (reason.empty())
        throw CommandError(400, "reason_required", "a rejection needs a reason (--reason)");
    const auto plan = waiting_plan(task_id);
    if (web_user != 0)
        co_await check_web_decider(task_id, plan, web_user);
    store::NewApproval ap{task_id,
                          plan.plan_hash,
                          web_user != 0 ? fmt::format("bitrix:{}", web_user) : "cli:" + principal,
                          web_user != 0 ? store::ApprovalChannel::web : store::ApprovalChannel::cli,
                          store::Decision::reject,
                          reason,
                          {}};
    reject_ticket(task_id, plan, ap, ap.approver);
    co_await settle_answers();
    co_return boost::json::object{{"id", task_id}, {"state", "rejected"}};
}

Awaitable<boost::json::value> Service::queue_retry(std::int64_t task_id, std::string principal) {
    auto rec = store_.retry_ticket(task_id, "cli:" + principal, "explicit retry");
    if (!rec) {
        int status = rec.error().code == store::StoreErrc::not_found ? 404 : 409;
        throw CommandError(status, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    }
    tasks_.erase(task_id);
    backoff_.erase(task_id);
    log::info("TICKET_RETRY", {{"task", task_id}, {"by", principal}});
    // The task may not change again: read it now so it is planned at once.
    co_await refresh_task(task_id);
    auto after = must(store_.get_ticket(task_id));
    co_return boost::json::object{{"id", task_id}, {"state", store::to_string(after->state)}};
}

Awaitable<boost::json::value> Service::queue_cancel(std::int64_t task_id, std::string principal,
                                                    std::int64_t web_user) {
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    if (web_user != 0 && !co_await is_approver(web_user))
        throw CommandError(403, "not_an_approver",
                           fmt::format("Bitrix user {} is not an approver", web_user));
    const std::string actor =
        web_user != 0 ? fmt::format("bitrix:{}", web_user) : "cli:" + principal;
    if (cancel_waiting(task_id, actor)) {
        co_await settle_answers();
        co_return boost::json::object{{"id", task_id}, {"state", "cancelled"}};
    }
    auto n = must(store_.cancel_scheduled_for(task_id, actor, "cancelled by IT"));
    if (n == 0)
        throw CommandError(409, "nothing_scheduled",
                           fmt::format("task {} has no pending scheduled step and no plan "
                                       "waiting for its date",
                                       task_id));
    must(store_.owe_answers(
        task_id, {{store::AnswerKind::comment,
                   make_marker(task_id, "cancelled", fmt::format("cli{}", store::to_millis(now()))),
                   render(Msg::svc_scheduled_cancelled, "count"_a = n)}}));
    co_await settle_answers();
    co_return boost::json::object{{"id", task_id}, {"cancelled", n}};
}

}  // namespace hrmaild::service
