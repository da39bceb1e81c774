#include "daemon/service/planning.hpp"

#include "daemon/workflow/engine.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

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
    a.plan_text = e.plan->canonical_text();
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

std::vector<domain::Operation> parse_plan_steps(std::string_view plan_text) {
    auto root = boost::json::parse(plan_text);
    const auto* steps = root.is_object() ? root.as_object().if_contains("steps") : nullptr;
    if (!steps || !steps->is_array())
        throw std::runtime_error("plan text has no steps array");
    std::vector<domain::Operation> out;
    for (const auto& s : steps->as_array()) {
        const auto& o = s.as_object();
        auto kind = domain::parse_op(std::string_view(o.at("op").as_string()));
        if (!kind)
            throw std::runtime_error("plan text names an unknown operation");
        domain::Operation op;
        op.kind = *kind;
        if (const auto* d = o.if_contains("after_days"))
            op.after_days = static_cast<int>(d->to_number<std::int64_t>());
        const auto& params = o.at("params").as_object();
        // Keep the operation's canonical parameter order.
        for (const auto& spec : domain::op_params(op.kind)) {
            const auto* v = params.if_contains(spec.name);
            if (!v)
                continue;
            domain::Value value;
            if (v->is_string())
                value = std::string(v->as_string());
            else if (v->is_bool())
                value = v->as_bool();
            else if (v->is_int64())
                value = v->as_int64();
            else if (v->is_uint64())
                value = static_cast<std::int64_t>(v->as_uint64());
            else if (v->is_array()) {
                std::vector<std::string> items;
                for (const auto& i : v->as_array())
                    items.emplace_back(i.as_string());
                value = std::move(items);
            } else {
                throw std::runtime_error("plan text has a parameter of an unknown type");
            }
            op.params.emplace_back(std::string(spec.name), std::move(value));
        }
        if (const auto* t = o.if_contains("target")) {
            const auto& target = t->as_object();
            auto get = [&](const char* k) {
                const auto* v = target.if_contains(k);
                return v ? std::string(v->as_string()) : std::string();
            };
            op.target.address = get("address");
            op.target.zuid = get("zuid");
            op.target.account_id = get("account_id");
            op.target.zgid = get("zgid");
            op.target.member_zuid = get("member_zuid");
        }
        out.push_back(std::move(op));
    }
    return out;
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
