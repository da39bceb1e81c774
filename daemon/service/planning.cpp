#include "daemon/service/planning.hpp"

#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/plan_json.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace hrmaild::service {
Assessment assess(const workflow::WorkflowSet& set, const domain::Task& task,
                  const domain::DirectorySnapshot& directory,
                  const std::vector<std::string>& approval_reasons, bool requester_allowed) {
    using workflow::Outcome;
    auto e = workflow::evaluate(set, task, directory, requester_allowed);
    Assessment a;
    if (e.outcome == Outcome::unclaimed || e.outcome == Outcome::ambiguous) {
        a.tied = e.tied;
        return a;
    }
    a.workflow = e.workflow->name;
    if (e.outcome == Outcome::invalid || !e.plan) {
        a.kind = Assessment::Kind::invalid;
        a.errors = e.errors;
        a.invalid_message = e.comment;
        return a;
    }
    a.kind = Assessment::Kind::planned;
    a.plan = e.plan;
    a.plan_text = workflow::canonical_text(*e.plan);
    a.plan_hash = e.plan_hash;
    a.decision = e.decision;
    if (!a.decision.refused && !approval_reasons.empty()) {
        a.decision.approval_required = true;
        for (const auto& r : approval_reasons)
            if (std::find(a.decision.reasons.begin(), a.decision.reasons.end(), r) ==
                a.decision.reasons.end())
                a.decision.reasons.push_back(r);
    }
    // Every message HR may read later is rendered now, from the frozen plan's scope.
    auto scope = workflow::message_scope(e.scope, {}, a.decision.reasons, &*e.plan);
    using K = workflow::MessageKind;
    const auto& wf = *e.workflow;
    a.messages.done = workflow::render_message(wf, K::done, scope);
    a.messages.approval = workflow::render_message(wf, K::approval, scope);
    a.messages.refused = workflow::render_message(wf, K::refused, scope);
    a.messages.rejected = workflow::render_message(wf, K::rejected, scope);
    a.messages.failed = workflow::render_message(wf, K::failed, scope);
    return a;
}

std::string messages_to_json(const PlanMessages& m) {
    boost::json::object o{{"done", m.done},
                          {"approval", m.approval},
                          {"refused", m.refused},
                          {"rejected", m.rejected},
                          {"failed", m.failed}};
    return boost::json::serialize(o);
}

PlanMessages messages_from_json(std::string_view text) {
    PlanMessages m;
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return m;
    auto get = [&](const char* k) {
        const auto* x = v.as_object().if_contains(k);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    m.done = get("done");
    m.approval = get("approval");
    m.refused = get("refused");
    m.rejected = get("rejected");
    m.failed = get("failed");
    return m;
}

}  // namespace hrmaild::service
