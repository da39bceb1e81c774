// Effective dates: an approved plan that carries one (`not_before`, part of its hash) waits in
// `approved` until then, tells HR once when it will run, listens for /cancelar, and is checked
// against the directory as it is when its time comes (the checks scheduled steps get too).
#include "daemon/core/messages.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;
using store::TicketState;

namespace {

std::string plan_ref(const store::PlanRecord& plan) {
    return fmt::format("{}-{}", plan.id, plan.plan_hash);
}

}  // namespace

EffectiveDate Service::effective_date(const store::PlanRecord& plan) {
    EffectiveDate d;
    try {
        auto p = workflow::plan_from_text(plan.plan_text);
        d.unix_ms = p.not_before_ms;
        d.local = p.not_before_local;
    } catch (const std::exception&) {
        // A malformed text is the executor's business (it refuses to run it).
    }
    return d;
}

std::string Service::when_line(const store::PlanRecord& plan) {
    auto d = effective_date(plan);
    if (d.unix_ms == 0)
        return {};
    return render(
        d.unix_ms > store::to_millis(now()) ? Msg::svc_plan_when_future : Msg::svc_plan_when_past,
        "when"_a = d.local);
}

bool Service::waits_for_date(const store::TicketRecord& ticket, const store::PlanRecord& plan) {
    if (ticket.state != TicketState::approved)
        return false;
    auto d = effective_date(plan);
    if (d.unix_ms <= store::to_millis(now()))
        return false;
    // Told once per plan version (the marker makes a second owe a no-op after a restart too).
    if (announced_.insert({ticket.task_id, plan.plan_hash}).second) {
        must(store_.owe_answers(
            ticket.task_id,
            {{store::AnswerKind::comment, make_marker(ticket.task_id, "scheduled", plan_ref(plan)),
              render(Msg::svc_plan_scheduled, "when"_a = d.local)}}));
        log::info("PLAN_WAITING_FOR_DATE",
                  {{"task", ticket.task_id},
                   {"plan", plan.plan_hash},
                   {"not_before", core::format_utc_seconds(d.unix_ms / 1000)},
                   {"local", d.local}});
    }
    return true;
}

std::vector<std::int64_t> Service::waiting_for_date() {
    std::vector<std::int64_t> out;
    for (const auto& t : must(store_.list_tickets({TicketState::approved}))) {
        auto plan = must(store_.current_plan(t.task_id));
        if (plan && effective_date(*plan).unix_ms > store::to_millis(now()))
            out.push_back(t.task_id);
    }
    return out;
}

bool Service::cancel_waiting(std::int64_t task_id, const std::string& who) {
    auto ticket = must(store_.get_ticket(task_id));
    auto plan = must(store_.current_plan(task_id));
    if (!ticket || !plan || ticket->state != TicketState::approved)
        return false;
    auto d = effective_date(*plan);
    if (d.unix_ms <= store::to_millis(now()))
        return false;
    transition(task_id, TicketState::cancelled, who,
               fmt::format("scheduled plan for {} cancelled", d.local),
               {{store::AnswerKind::comment, make_marker(task_id, "cancelled", plan_ref(*plan)),
                 render(Msg::svc_plan_cancelled, "when"_a = d.local)},
                // Deferred, as a rejected task is: an open task would be planned again at its
                // next change (a comment), and the cancellation undone.
                {store::AnswerKind::defer, "defer-" + plan_ref(*plan), ""}});
    backoff_.erase(task_id);
    log::info("PLAN_DATE_CANCELLED", {{"task", task_id}, {"by", who}, {"local", d.local}});
    return true;
}

std::optional<std::string> Service::recheck_steps(const std::string& workflow_name,
                                                  std::int64_t task_id,
                                                  const std::vector<domain::Operation>& ops,
                                                  const domain::DirectorySnapshot& fresh) {
    for (const auto& op : ops) {
        // The planned account is gone but its address now belongs to another account (a
        // rehire): that one is never touched, and IT hears of it.
        const auto& bound = op.target.zuid;
        const auto address = op.text("email");
        if (!bound.empty() && !address.empty() && fresh.find_user_by_id(bound) == nullptr) {
            if (const auto* other = fresh.find_user(address))
                return render(Msg::svc_rehire, "step"_a = workflow::describe_step(op),
                              "zuid"_a = bound, "email"_a = address, "other"_a = other->zuid);
        }
    }
    // Policy is checked again on the accounts as they are now: meanwhile an address can have
    // become a protected account's alias, or the account an administrator.
    const auto* wf = workflows_->find(workflow_name);
    if (wf == nullptr)
        return std::nullopt;
    domain::Plan plan;
    plan.workflow = wf->name;
    plan.task_id = task_id;
    plan.steps = ops;
    for (auto& s : plan.steps)
        s.after_days = 0;
    auto decision = workflow::decide(*workflows_, *wf, plan, fresh);
    if (decision.refused) {
        std::vector<std::string> steps;
        for (const auto& op : ops)
            steps.push_back(workflow::describe_step(op));
        return render(Msg::svc_policy_no_longer, "step"_a = core::join(steps, "; "),
                      "reasons"_a = core::join(decision.reasons, "; "));
    }
    return std::nullopt;
}

}  // namespace hrmaild::service
