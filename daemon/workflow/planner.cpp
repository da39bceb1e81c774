#include "daemon/workflow/planner.hpp"

#include "daemon/core/hash.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/workflow/effective.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/text.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace hrmaild::workflow {
namespace {

using messages::Msg;
using namespace fmt::literals;

using domain::OpKind;
using domain::ParamType;

TemplateValue to_template_value(const domain::Value& v) {
    if (const auto* l = std::get_if<std::vector<std::string>>(&v))
        return *l;
    return domain::to_text(v);
}

std::vector<std::string> as_list(const TemplateValue& v) {
    if (const auto* l = std::get_if<std::vector<std::string>>(&v))
        return *l;
    auto s = value_text(v);
    if (s.empty())
        return {};
    return {s};
}

bool falsy(const TemplateValue& v) {
    if (value_empty(v))
        return true;
    auto f = fold(value_text(v));
    return f == "false" || f == "no" || f == "0";
}

class Planner {
  public:
    Planner(const WorkflowSet& set, const Workflow& wf, const domain::DirectorySnapshot& dir,
            PlanResult& out)
        : set_(set), wf_(wf), dir_(dir), out_(out), work_(dir) {
        env_.directory = &dir;
    }

    void run(const domain::Task& task, const domain::FieldValues& fields) {
        out_.scope = task_scope(set_, wf_, task, fields);
        for (const auto& v : wf_.vars)
            var(v);
        if (!out_.errors.empty())
            return;
        domain::Plan plan;
        plan.workflow = wf_.name;
        plan.task_id = task.id;
        plan.requester = task.created_by;
        plan.fields = fields;
        std::set<std::string> seen;
        int n = 0;
        for (const auto& s : wf_.steps) {
            ++n;
            if (s.when) {
                auto v = render(*s.when);
                if (!v || falsy(*v))
                    continue;
            }
            std::vector<std::optional<std::string>> items{std::nullopt};
            if (s.for_each) {
                auto v = render(*s.for_each);
                if (!v)
                    continue;
                items.clear();
                for (auto& i : as_list(*v))
                    items.emplace_back(i);
            }
            for (const auto& item : items) {
                if (item)
                    out_.scope["item"] = *item;
                auto op = make_op(s, n);
                out_.scope.erase("item");
                if (!op)
                    continue;
                if (!preflight(*op, plan.notes))
                    continue;
                if (!seen.insert(canonical_step(*op)).second)
                    continue;
                plan.steps.push_back(std::move(*op));
            }
        }
        if (out_.errors.empty() && plan.steps.empty() && plan.notes.empty())
            out_.errors.emplace_back(messages::text(Msg::plan_nothing_asked));
        apply_not_before(set_, wf_, out_.scope, env_, plan, out_.errors);
        if (out_.errors.empty())
            out_.plan = std::move(plan);
    }

  private:
    const WorkflowSet& set_;
    const Workflow& wf_;
    const domain::DirectorySnapshot& dir_;
    PlanResult& out_;
    RenderEnv env_;
    domain::DirectorySnapshot work_;  ///< the directory as the steps planned so far leave it

    std::optional<TemplateValue> render(const Template& t) {
        std::string err;
        auto v = t.render(out_.scope, env_, err);
        if (!v)
            out_.errors.push_back(messages::render(Msg::plan_render_failed, "error"_a = err));
        return v;
    }

    void var(const VarSpec& v) {
        if (v.value) {
            auto r = render(*v.value);
            if (!r)
                return;
            if (auto* s = std::get_if<std::string>(&*r))
                *s = squeeze(*s);
            out_.scope[v.name] = *r;
            return;
        }
        std::vector<std::string> tried;
        for (const auto& c : v.first_free) {
            std::string err;
            auto r = c.render_text(out_.scope, env_, err);
            if (!r)
                continue;  // a candidate that needs a missing value is simply not a candidate
            auto a = core::ascii_lower(squeeze(*r));
            if (!domain::is_valid_address(a))
                continue;
            if (std::find(tried.begin(), tried.end(), a) != tried.end())
                continue;
            tried.push_back(a);
            if (!dir_.address_taken(a)) {
                out_.scope[v.name] = a;
                return;
            }
        }
        out_.errors.push_back(tried.empty() ? std::string(messages::text(Msg::plan_no_address))
                                            : messages::render(Msg::plan_no_free_address,
                                                               "tried"_a = fmt::join(tried, ", ")));
        out_.scope[v.name] = std::string();
    }

    std::optional<domain::Operation> make_op(const StepSpec& s, int n) {
        domain::Operation op;
        op.kind = s.kind;
        auto where = messages::render(Msg::plan_step, "number"_a = n,
                                      "operation"_a = domain::op_name(s.kind));
        bool ok = true;
        for (const auto& spec : domain::op_params(s.kind)) {
            auto it = std::find_if(s.params.begin(), s.params.end(),
                                   [&](const ParamTemplate& p) { return p.name == spec.name; });
            if (it == s.params.end())
                continue;
            std::vector<std::string> values;
            for (const auto& t : it->items) {
                auto v = render(t);
                if (!v)
                    return std::nullopt;
                if (spec.type == ParamType::address_list) {
                    for (auto& x : as_list(*v))
                        for (auto& a : split_addresses(x))
                            values.push_back(a);
                } else {
                    values.push_back(squeeze(value_text(*v)));
                }
            }
            std::string text = values.empty() ? std::string() : values.front();
            if (spec.type != ParamType::address_list && text.empty()) {
                if (spec.required) {
                    out_.errors.push_back(messages::render(
                        Msg::plan_missing_param, "step"_a = where, "param"_a = spec.name));
                    ok = false;
                }
                continue;
            }
            switch (spec.type) {
                case ParamType::text:
                    op.params.emplace_back(spec.name, text);
                    break;
                case ParamType::generate:
                    op.params.emplace_back(spec.name, std::string("generate"));
                    break;
                case ParamType::address: {
                    auto a = core::ascii_lower(text);
                    if (!domain::is_valid_address(a)) {
                        out_.errors.push_back(messages::render(Msg::plan_bad_address,
                                                               "step"_a = where, "value"_a = text));
                        ok = false;
                    }
                    op.params.emplace_back(spec.name, a);
                    break;
                }
                case ParamType::address_list: {
                    std::vector<std::string> list;
                    for (auto& a : values) {
                        if (!domain::is_valid_address(a)) {
                            out_.errors.push_back(messages::render(
                                Msg::plan_bad_address, "step"_a = where, "value"_a = a));
                            ok = false;
                        }
                        if (std::find(list.begin(), list.end(), a) == list.end())
                            list.push_back(a);
                    }
                    op.params.emplace_back(spec.name, list);
                    break;
                }
                case ParamType::flag: {
                    auto f = fold(text);
                    if (f == "true" || f == "si" || f == "yes" || f == "1") {
                        op.params.emplace_back(spec.name, true);
                    } else if (f == "false" || f == "no" || f == "0") {
                        op.params.emplace_back(spec.name, false);
                    } else {
                        out_.errors.push_back(messages::render(Msg::plan_bad_flag, "step"_a = where,
                                                               "param"_a = spec.name));
                        ok = false;
                    }
                    break;
                }
                case ParamType::role: {
                    auto f = fold(text);
                    if (f != "member" && f != "admin") {
                        out_.errors.push_back(messages::render(Msg::plan_bad_role, "step"_a = where,
                                                               "value"_a = text));
                        ok = false;
                    }
                    op.params.emplace_back(spec.name, f);
                    break;
                }
            }
        }
        if (s.after_days) {
            auto v = render(*s.after_days);
            if (!v)
                return std::nullopt;
            auto t = value_text(*v);
            int days = 0;
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), days);
            if (ec != std::errc() || p != t.data() + t.size() || days < 0) {
                out_.errors.push_back(
                    messages::render(Msg::plan_bad_days, "step"_a = where, "value"_a = t));
                ok = false;
            }
            op.after_days = days;
        }
        if (!ok)
            return std::nullopt;
        return op;
    }

    bool internal(const std::string& a) const {
        auto d = domain::address_domain(a);
        return std::any_of(set_.rules.allowed_domains.begin(), set_.rules.allowed_domains.end(),
                           [&](const std::string& x) { return core::ascii_lower(x) == d; });
    }
    // An internal member must be a user or group that exists (or that this plan creates);
    // outside addresses are left to the policy.
    bool known_member(const std::string& m) {
        if (!internal(m) || work_.address_taken(m))
            return true;
        out_.errors.push_back(messages::render(Msg::plan_no_account, "address"_a = m));
        return false;
    }

    // Binds the step to its target and checks it against the directory as the plan so far
    // would leave it, with the operation's own expected effect (the predicate the probe uses
    // too). False: drop the step (an error was recorded, or a note says it is already done).
    bool preflight(domain::Operation& op, std::vector<std::string>& notes) {
        using domain::EffectState;
        op.target = domain::resolve_target(work_, op);
        auto effect =
            domain::expected_effect(work_, op, [](std::string_view s) { return fold(s); });
        switch (effect.state) {
            case EffectState::no_target:
                out_.errors.push_back(messages::render(
                    domain::target_kind(op.kind) == domain::TargetKind::user ? Msg::plan_no_account
                                                                             : Msg::plan_no_group,
                    "address"_a = op.target_address()));
                return false;
            case EffectState::conflict:
                out_.errors.push_back(effect.message);
                return false;
            case EffectState::present:
            case EffectState::absent:
                break;
        }
        bool ok = true;
        if (op.kind == OpKind::create_group)
            for (const auto& m : op.list("members"))
                ok = known_member(m) && ok;
        if (op.kind == OpKind::add_group_member)
            ok = known_member(op.text("member"));
        if (!ok)
            return false;
        if (effect.state == EffectState::present) {
            // What a plan creates must be new; anything else already done is only noted.
            if (domain::creates_target(op.kind))
                out_.errors.push_back(effect.message);
            else
                notes.push_back(effect.message);
            return false;
        }
        domain::simulate(work_, op);
        return true;
    }
};

}  // namespace

Scope task_scope(const WorkflowSet& set, const Workflow& wf, const domain::Task& task,
                 const domain::FieldValues& fields) {
    Scope s = set.config_scope;
    s["task.id"] = std::to_string(task.id);
    s["task.title"] = task.title;
    s["task.created_by"] = std::to_string(task.created_by);
    s["task.created_by_name"] = task.created_by_name;
    s["task.responsible_id"] = std::to_string(task.responsible_id);
    s["task.group_id"] = std::to_string(task.group_id);
    s["workflow.name"] = wf.name;
    for (const auto& [k, v] : fields)
        s[k] = to_template_value(v);
    return s;
}

PlanResult build_plan(const WorkflowSet& set, const Workflow& wf, const domain::Task& task,
                      const domain::FieldValues& fields,
                      const domain::DirectorySnapshot& directory) {
    PlanResult out;
    Planner(set, wf, directory, out).run(task, fields);
    return out;
}

std::string plan_hash(const domain::Plan& plan) {
    return core::sha256_hex(canonical_text(plan));
}

domain::PolicyDecision decide(const WorkflowSet& set, const Workflow& wf, const domain::Plan& plan,
                              const domain::DirectorySnapshot& directory, bool requester_allowed) {
    return domain::evaluate_policy(plan, set.rules, directory, wf.approval_required,
                                   requester_allowed, [](std::string_view s) { return fold(s); });
}

std::string describe_step(const domain::Operation& op) {
    return domain::describe_operation(op);
}

namespace {

bool same_address(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Whether `op` makes, renames or deletes the group with this id or address.
bool reshapes_group(const domain::Operation& op, const domain::Target& group) {
    using K = domain::OpKind;
    if (op.kind != K::create_group && op.kind != K::rename_group && op.kind != K::delete_group)
        return false;
    return (!group.zgid.empty() && op.target.zgid == group.zgid) ||
           same_address(op.text("group"), group.address);
}

// A membership step of the same group that may fold into one call with `lead`.
bool same_group_member_step(const domain::Operation& lead, const domain::Operation& op) {
    return op.kind == lead.kind && op.after_days == 0 && !op.target.zgid.empty() &&
           op.target.zgid == lead.target.zgid;
}

}  // namespace

std::vector<int> fused_steps(const std::vector<domain::Operation>& steps, int index,
                             const domain::DirectorySnapshot& directory) {
    using K = domain::OpKind;
    std::vector<int> out;
    if (index < 0 || index >= static_cast<int>(steps.size()))
        return out;
    const auto& lead = steps[static_cast<std::size_t>(index)];
    if (lead.after_days != 0)
        return out;
    const int n = static_cast<int>(steps.size());
    if (lead.kind == K::create_user) {
        const auto email = lead.text("email");
        for (int j = index + 1; j < n && out.size() < 100; ++j) {
            const auto& op = steps[static_cast<std::size_t>(j)];
            if (op.kind != K::add_group_member || op.after_days != 0 || op.target.zgid.empty() ||
                !same_address(op.text("member"), email))
                continue;
            const auto* g = directory.find_group_by_id(op.target.zgid);
            if (g == nullptr || !same_address(g->address, op.target.address))
                continue;
            bool reshaped = false;
            for (int k = index + 1; k < j && !reshaped; ++k)
                reshaped = reshapes_group(steps[static_cast<std::size_t>(k)], op.target);
            if (!reshaped)
                out.push_back(j);
        }
        return out;
    }
    if ((lead.kind == K::add_group_member || lead.kind == K::remove_group_member) &&
        !lead.target.zgid.empty()) {
        for (int j = index + 1; j < n; ++j) {
            const auto& op = steps[static_cast<std::size_t>(j)];
            if (reshapes_group(op, lead.target))
                break;
            // the opposite change of a member already folded must keep its order
            if ((op.kind == K::add_group_member || op.kind == K::remove_group_member) &&
                op.kind != lead.kind && op.target.zgid == lead.target.zgid)
                break;
            if (same_group_member_step(lead, op))
                out.push_back(j);
        }
        return out;
    }
    if (lead.kind == K::disable_user && lead.flag("remove_groups") && !lead.target.zuid.empty()) {
        for (int j = index - 1; j >= 0; --j) {
            const auto& op = steps[static_cast<std::size_t>(j)];
            if (op.kind != K::remove_group_member || op.after_days != 0)
                break;  // only the removals right before the disable
            const bool same_member = op.target.member_zuid.empty()
                                         ? same_address(op.text("member"), lead.target.address)
                                         : op.target.member_zuid == lead.target.zuid;
            if (!same_member)
                break;
            out.insert(out.begin(), j);
        }
    }
    return out;
}

int fused_into(const std::vector<domain::Operation>& steps, int index) {
    // Only a disable folds earlier steps into itself, and which ones does not depend on the
    // directory (only a create's riders do).
    const domain::DirectorySnapshot none;
    for (int k = index + 1; k < static_cast<int>(steps.size()); ++k) {
        if (steps[static_cast<std::size_t>(k)].kind != domain::OpKind::remove_group_member) {
            auto f = fused_steps(steps, k, none);
            return std::find(f.begin(), f.end(), index) != f.end() ? k : -1;
        }
    }
    return -1;
}

}  // namespace hrmaild::workflow
