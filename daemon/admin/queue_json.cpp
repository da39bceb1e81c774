#include "daemon/admin/queue_json.hpp"

#include <utility>

namespace hrmaild::admin {
namespace {

template <typename T>
T must(store::Result<T> r) {
    if (!r)
        throw store::StoreException(r.error());
    return std::move(*r);
}

boost::json::object ticket_json(const store::TicketRecord& t) {
    return {{"id", t.task_id},
            {"workflow", t.workflow},
            {"state", store::to_string(t.state)},
            {"changed_date", t.changed_date},
            {"parse_errors", t.parse_errors},
            {"updated_at", store::to_millis(t.updated_at)}};
}

// A dated plan's effective instant (`not_before`, Unix ms) and how HR reads it, from the plan
// text: a ticket `approved` with it still ahead is waiting for its date, not stuck.
void add_not_before(boost::json::object& o, const store::PlanRecord& p) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(p.plan_text, ec);
    if (ec || !parsed.is_object())
        return;
    const auto& plan = parsed.get_object();
    const auto* at = plan.if_contains("not_before");
    const auto* local = plan.if_contains("not_before_local");
    if (at != nullptr && at->is_int64() && local != nullptr && local->is_string()) {
        o["not_before"] = at->get_int64();
        o["not_before_local"] = local->get_string();
    }
}

}  // namespace

boost::json::value queue_list_json(store::StateStore& store,
                                   std::optional<store::TicketState> state) {
    std::vector<store::TicketState> states;
    if (state)
        states.push_back(*state);
    boost::json::array out;
    for (const auto& t : must(store.list_tickets(states))) {
        auto o = ticket_json(t);
        if (auto p = must(store.current_plan(t.task_id))) {
            o["plan_hash"] = p->plan_hash;
            o["plan_version"] = p->id;
            o["approval_required"] = p->approval_required;
            o["decision"] = store::to_string(p->decision);
            o["requester"] = p->requester;
            o["reasons"] = p->reasons;
            add_not_before(o, *p);
        }
        out.push_back(std::move(o));
    }
    return boost::json::object{{"tickets", std::move(out)}};
}

std::optional<boost::json::value> queue_show_json(store::StateStore& store, store::TaskId task_id,
                                                  const core::TimeZone* zone) {
    auto t = must(store.get_ticket(task_id));
    if (!t)
        return std::nullopt;
    auto o = ticket_json(*t);
    if (auto current = must(store.current_plan(task_id)))
        add_not_before(o, *current);
    boost::json::array plans;
    for (const auto& p : must(store.plans_for(task_id))) {
        boost::json::object po{{"plan_hash", p.plan_hash},
                               {"version", p.id},
                               {"current", p.current},
                               {"approval_required", p.approval_required},
                               {"decision", store::to_string(p.decision)},
                               {"requester", p.requester},
                               {"dry_run", p.dry_run},
                               {"reasons", p.reasons},
                               {"created_at", store::to_millis(p.created_at)}};
        boost::system::error_code ec;
        auto parsed = boost::json::parse(p.plan_text, ec);
        if (!ec)
            po["plan"] = parsed;
        boost::json::array journal;
        for (const auto& s : must(store.journal_for(task_id, p.plan_hash)))
            journal.push_back({{"kind", store::to_string(s.key.kind)},
                               {"step", s.key.step_index},
                               {"op", s.op},
                               {"state", store::to_string(s.state)},
                               {"error_class", s.error_class},
                               {"result", s.result},
                               {"attempts", s.attempts}});
        po["journal"] = std::move(journal);
        plans.push_back(std::move(po));
    }
    o["plans"] = std::move(plans);
    boost::json::array approvals;
    for (const auto& a : must(store.approvals_for(task_id)))
        approvals.push_back({{"plan_hash", a.plan_hash},
                             {"approver", a.approver},
                             {"channel", store::to_string(a.channel)},
                             {"decision", store::to_string(a.decision)},
                             {"reason", a.reason},
                             {"at", store::to_millis(a.decided_at)}});
    o["approvals"] = std::move(approvals);
    boost::json::array answers;
    for (const auto& a : must(store.answers_for(task_id)))
        answers.push_back({{"kind", store::to_string(a.kind)},
                           {"marker", a.marker},
                           {"state", store::to_string(a.state)},
                           {"attempts", a.attempts},
                           {"last_error", a.last_error}});
    o["answers"] = std::move(answers);
    boost::json::array scheduled;
    for (const auto& s : must(store.scheduled_steps(task_id))) {
        boost::json::object step{{"id", s.id},
                                 {"op", s.op},
                                 {"step", s.key.step_index},
                                 {"due_at", store::to_millis(s.due_at)}};
        if (zone != nullptr)
            step["due_local"] = core::format_in_zone(*zone, store::to_millis(s.due_at) / 1000);
        step["state"] = store::to_string(s.state);
        scheduled.push_back(std::move(step));
    }
    o["scheduled"] = std::move(scheduled);
    boost::json::array audit;
    for (const auto& a : must(store.audit_trail(task_id, 200)))
        audit.push_back({{"seq", a.seq},
                         {"at", store::to_millis(a.at)},
                         {"actor", a.actor},
                         {"action", a.action},
                         {"detail", a.detail}});
    o["audit"] = std::move(audit);
    return boost::json::value(std::move(o));
}

}  // namespace hrmaild::admin
