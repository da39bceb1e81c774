#include "daemon/service/planning.hpp"

#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/match.hpp"
#include "daemon/workflow/planner.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace hrmaild::service {
namespace {

std::string render(const workflow::Workflow& wf, workflow::MessageKind kind,
                   const workflow::Scope& scope, const domain::DirectorySnapshot& directory) {
    auto it = wf.messages.find(kind);
    if (it == wf.messages.end())
        return {};
    workflow::RenderEnv env{&directory};
    std::string error;
    auto text = it->second.render_text(scope, env, error);
    // A message that cannot render must still say something true to HR.
    return text ? *text : "(mensaje no disponible: " + error + ")";
}

std::string plan_listing(const domain::Plan& plan) {
    std::string out;
    int n = 1;
    for (const auto& op : plan.steps) {
        out += std::to_string(n++) + ". " + workflow::describe_step(op) + "\n";
    }
    if (!out.empty())
        out.pop_back();
    return out;
}

}  // namespace

Assessment assess(const workflow::WorkflowSet& set, const domain::Task& task,
                  const domain::DirectorySnapshot& directory) {
    Assessment a;
    auto match = workflow::match_task(set, task);
    if (!match.workflow) {
        a.tied = match.tied;
        return a;
    }
    const auto& wf = *match.workflow;
    a.workflow = wf.name;
    auto extraction = workflow::extract_fields(wf, task, set.config_scope, set.rules);
    std::vector<std::string> errors = extraction.errors;
    std::optional<workflow::PlanResult> planned;
    if (errors.empty()) {
        planned = workflow::build_plan(set, wf, task, extraction.values, directory);
        errors = planned->errors;
    }
    if (!errors.empty() || !planned || !planned->plan) {
        a.kind = Assessment::Kind::invalid;
        a.errors = errors;
        auto scope = workflow::task_scope(set, wf, task, extraction.values);
        scope["errors"] = errors;
        a.invalid_message = render(wf, workflow::MessageKind::invalid, scope, directory);
        return a;
    }
    a.kind = Assessment::Kind::planned;
    a.plan = planned->plan;
    a.plan_text = a.plan->canonical_text();
    a.plan_hash = workflow::plan_hash(*a.plan);
    a.decision = workflow::decide(set, wf, *a.plan, directory);
    auto scope = planned->scope;
    scope["reasons"] = a.decision.reasons;
    scope["plan"] = plan_listing(*a.plan);
    scope["notes"] = a.plan->notes;
    scope["errors"] = std::vector<std::string>{};
    a.messages.done = render(wf, workflow::MessageKind::done, scope, directory);
    a.messages.approval = render(wf, workflow::MessageKind::approval, scope, directory);
    a.messages.refused = render(wf, workflow::MessageKind::refused, scope, directory);
    a.messages.rejected = render(wf, workflow::MessageKind::rejected, scope, directory);
    a.messages.failed = render(wf, workflow::MessageKind::failed, scope, directory);
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
