#include "daemon/workflow/engine.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/match.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"
#include "daemon/workflow/text.hpp"

#include <unordered_set>

namespace hrmaild::workflow {

std::string_view outcome_name(Outcome o) {
    switch (o) {
        case Outcome::unclaimed:
            return "unclaimed";
        case Outcome::ambiguous:
            return "ambiguous";
        case Outcome::invalid:
            return "invalid";
        case Outcome::refused:
            return "refused";
        case Outcome::approval:
            return "approval";
        case Outcome::automatic:
            return "automatic";
    }
    return "";
}

namespace {

// How much of one value from a task a comment shows (a name, an address, an error line), of
// the whole plan (one line per step), and how many items of a list (errors, members...).
constexpr std::size_t kMaxValueChars = 300;
constexpr std::size_t kMaxPlanChars = 8000;
constexpr std::size_t kMaxListItems = 30;

std::vector<std::string> unique_lines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto& l : lines)
        if (seen.insert(l).second)
            out.push_back(l);
    return out;
}

TemplateValue neutralized(const TemplateValue& v, std::size_t max_chars) {
    if (const auto* s = std::get_if<std::string>(&v))
        return neutralize_for_comment(*s, max_chars);
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        std::vector<std::string> out;
        for (const auto& i : *l) {
            if (out.size() + 1 == kMaxListItems && l->size() > kMaxListItems) {
                out.push_back(messages::render(messages::Msg::wf_more_items,
                                               fmt::arg("count", l->size() - out.size())));
                break;
            }
            out.push_back(neutralize_for_comment(i, max_chars));
        }
        return out;
    }
    StringMap out;
    for (const auto& [k, x] : std::get<StringMap>(v))
        out[neutralize_for_comment(k, max_chars)] = neutralize_for_comment(x, max_chars);
    return out;
}

// Everything a message can name that came from a task (fields, vars computed from them, the
// title, errors and reasons quoting values, the plan) is data: BB-code inert, no controls,
// capped. The message's own text and IT's `config.*` values keep their markup.
Scope neutralized(const Scope& scope) {
    Scope out;
    for (const auto& [k, v] : scope) {
        if (k.starts_with("config."))
            out.emplace(k, v);
        else
            out.emplace(k, neutralized(v, k == "plan" ? kMaxPlanChars : kMaxValueChars));
    }
    return out;
}

}  // namespace

Scope message_scope(Scope base, const std::vector<std::string>& errors,
                    const std::vector<std::string>& reasons, const domain::Plan* plan) {
    base["errors"] = unique_lines(errors);
    base["reasons"] = unique_lines(reasons);
    std::string text;
    std::vector<std::string> notes;
    if (plan != nullptr) {
        int n = 0;
        for (const auto& s : plan->steps) {
            if (n > 0)
                text += "\n";
            text += std::to_string(++n) + ". " + describe_step(s);
        }
        notes = unique_lines(plan->notes);
    }
    base["plan"] = text;
    base["notes"] = notes;
    return base;
}

std::string render_message(const Workflow& wf, MessageKind kind, const Scope& scope) {
    auto it = wf.messages.find(kind);
    if (it == wf.messages.end())
        return {};
    std::string err;
    RenderEnv env;
    auto r = it->second.render_text(neutralized(scope), env, err);
    if (!r) {
        log::error("WORKFLOW_MESSAGE_FAILED",
                   {{"workflow", wf.name}, {"message", message_key(kind)}, {"reason", err}});
        return messages::render(messages::Msg::wf_message_failed,
                                fmt::arg("error", neutralize_for_comment(err, kMaxValueChars)));
    }
    return *r;
}

Evaluation evaluate(const WorkflowSet& set, const domain::Task& task,
                    const domain::DirectorySnapshot& directory, bool requester_allowed) {
    Evaluation e;
    auto m = match_task(set, task);
    if (m.workflow == nullptr) {
        e.outcome = m.tied.empty() ? Outcome::unclaimed : Outcome::ambiguous;
        e.tied = m.tied;
        return e;
    }
    const auto& wf = *m.workflow;
    e.workflow = &wf;
    auto ex = extract_fields(wf, task, set.config_scope, set.rules);
    e.fields = ex.values;
    e.labels = ex.labels;
    e.errors = ex.errors;
    if (e.errors.empty()) {
        auto p = build_plan(set, wf, task, ex.values, directory);
        e.scope = p.scope;
        e.errors = p.errors;
        if (p.plan) {
            e.plan = std::move(p.plan);
            e.plan_hash = plan_hash(*e.plan);
            e.decision = decide(set, wf, *e.plan, directory, requester_allowed);
        }
    } else {
        e.scope = task_scope(set, wf, task, ex.values);
    }
    auto scope = message_scope(e.scope, e.errors, e.decision.reasons, e.plan ? &*e.plan : nullptr);
    if (!e.errors.empty() || !e.plan) {
        e.outcome = Outcome::invalid;
        e.comment = render_message(wf, MessageKind::invalid, scope);
    } else if (e.decision.refused) {
        e.outcome = Outcome::refused;
        e.comment = render_message(wf, MessageKind::refused, scope);
    } else if (e.decision.approval_required) {
        e.outcome = Outcome::approval;
        e.comment = render_message(wf, MessageKind::approval, scope);
    } else {
        e.outcome = Outcome::automatic;
        e.comment = render_message(wf, MessageKind::done, scope);
    }
    e.scope = std::move(scope);
    return e;
}

namespace {

boost::json::array json_strings(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return a;
}

void pretty(std::string& out, const boost::json::value& v, int indent) {
    auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        std::size_t i = 0;
        for (const auto& kv : o) {
            pad(indent + 1);
            out += boost::json::serialize(boost::json::value(kv.key()));
            out += ": ";
            pretty(out, kv.value(), indent + 1);
            out += ++i < o.size() ? ",\n" : "\n";
        }
        pad(indent);
        out += "}";
    } else if (v.is_array()) {
        const auto& a = v.get_array();
        if (a.empty()) {
            out += "[]";
            return;
        }
        out += "[\n";
        for (std::size_t i = 0; i < a.size(); ++i) {
            pad(indent + 1);
            pretty(out, a[i], indent + 1);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        pad(indent);
        out += "]";
    } else {
        out += boost::json::serialize(v);
    }
}

std::int64_t as_int(const boost::json::value* v) {
    if (v == nullptr)
        return 0;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64())
        return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_string()) {
        try {
            return std::stoll(std::string(v->get_string()));
        } catch (const std::exception&) {
            return 0;
        }
    }
    return 0;
}

// An id as decimal text: Zoho sends ids as numbers or strings, and they exceed 2^53.
std::string as_id(const boost::json::value* v) {
    if (v == nullptr)
        return {};
    if (v->is_int64())
        return std::to_string(v->get_int64());
    if (v->is_uint64())
        return std::to_string(v->get_uint64());
    if (v->is_string())
        return std::string(v->get_string());
    return {};
}

std::string as_str(const boost::json::value* v) {
    if (v == nullptr || v->is_null())
        return {};
    if (v->is_string())
        return std::string(v->get_string());
    return boost::json::serialize(*v);
}

const boost::json::value* field(const boost::json::object& o,
                                std::initializer_list<const char*> names) {
    for (const auto* n : names)
        if (const auto* v = o.if_contains(n))
            return v;
    return nullptr;
}

}  // namespace

boost::json::object to_json(const Evaluation& e) {
    boost::json::object o;
    o["workflow"] = e.workflow ? boost::json::value(e.workflow->name) : boost::json::value(nullptr);
    o["outcome"] = outcome_name(e.outcome);
    boost::json::object fields;
    for (const auto& [k, v] : e.fields)
        fields[k] = value_to_json(v);
    o["fields"] = fields;
    o["approval_required"] = e.decision.approval_required;
    o["refused"] = e.decision.refused;
    o["reasons"] = json_strings(e.decision.reasons);
    o["errors"] = json_strings(e.errors);
    o["notes"] = json_strings(e.plan ? e.plan->notes : std::vector<std::string>{});
    boost::json::array steps;
    if (e.plan) {
        for (const auto& s : e.plan->steps) {
            auto step = step_to_json(s);
            step["description"] = describe_step(s);
            steps.push_back(step);
        }
    }
    o["steps"] = steps;
    if (e.plan && e.plan->not_before_ms != 0) {
        o["not_before"] = e.plan->not_before_ms;
        o["not_before_local"] = e.plan->not_before_local;
    }
    o["plan_hash"] =
        e.plan_hash.empty() ? boost::json::value(nullptr) : boost::json::value(e.plan_hash);
    o["comment"] = e.comment;
    if (!e.tied.empty())
        o["tied"] = json_strings(e.tied);
    return o;
}

std::string pretty_json(const boost::json::value& v) {
    std::string out;
    pretty(out, v, 0);
    out += '\n';
    return out;
}

std::optional<domain::Task> task_from_json(std::string_view text, std::string& error) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) {
        error = ec ? "not JSON: " + ec.message() : "a task is a JSON object";
        return std::nullopt;
    }
    auto o = v.get_object();
    if (auto* inner = o.if_contains("task"); inner && inner->is_object())
        o = inner->get_object();
    domain::Task t;
    t.id = as_int(field(o, {"ID", "id"}));
    t.title = as_str(field(o, {"TITLE", "title"}));
    t.description = as_str(field(o, {"DESCRIPTION", "description"}));
    t.created_by = as_int(field(o, {"CREATED_BY", "createdBy"}));
    t.responsible_id = as_int(field(o, {"RESPONSIBLE_ID", "responsibleId"}));
    t.group_id = as_int(field(o, {"GROUP_ID", "groupId"}));
    t.changed_date = as_str(field(o, {"CHANGED_DATE", "changedDate"}));
    t.created_date = as_str(field(o, {"CREATED_DATE", "createdDate"}));
    // A file without STATUS is a request as HR files it: the portal creates tasks pending.
    // REAL_STATUS before STATUS: in the legacy UPPER_CASE shape STATUS may be a meta-status.
    t.status = domain::task_status::pending;
    if (const auto* st = field(o, {"REAL_STATUS", "STATUS", "status"})) {
        const auto n = as_int(st);
        const bool numeric = st->is_int64() || st->is_uint64() ||
                             (st->is_string() && !st->get_string().empty() &&
                              std::to_string(n) == std::string_view(st->get_string()));
        if (!numeric || n < domain::task_status::new_ || n > domain::task_status::declined) {
            error =
                "STATUS must be a task status from 1 to 7 (1 new, 2 pending, 3 in progress, "
                "4 supposedly completed, 5 completed, 6 deferred, 7 declined), not " +
                boost::json::serialize(*st);
            return std::nullopt;
        }
        t.status = static_cast<int>(n);
    }
    if (const auto* tags = field(o, {"TAGS", "tags"}); tags && tags->is_array()) {
        for (const auto& x : tags->get_array()) {
            if (x.is_string())
                t.tags.emplace_back(x.get_string());
            else if (x.is_object())
                t.tags.push_back(as_str(field(x.get_object(), {"title", "NAME", "name"})));
        }
    }
    for (const auto& kv : o) {
        std::string k(kv.key());
        if (k.starts_with("UF_") || k.starts_with("uf"))
            t.uf[k] = as_str(&kv.value());
    }
    if (t.title.empty() && t.description.empty()) {
        error = "the task has neither TITLE nor DESCRIPTION";
        return std::nullopt;
    }
    return t;
}

boost::json::object directory_to_json(const domain::DirectorySnapshot& directory) {
    boost::json::array users;
    for (const auto& u : directory.users) {
        boost::json::array aliases;
        for (const auto& a : u.aliases)
            aliases.emplace_back(a);
        boost::json::object o{{"primaryEmailAddress", u.address},
                              {"firstName", u.first_name},
                              {"lastName", u.last_name},
                              {"displayName", u.display_name},
                              {"role", u.role},
                              {"enabled", u.enabled},
                              {"aliases", std::move(aliases)}};
        if (!u.zuid.empty())
            o["zuid"] = u.zuid;
        if (!u.account_id.empty())
            o["accountId"] = u.account_id;
        if (u.created_at_ms != 0)
            o["accountCreationTime"] = u.created_at_ms;
        users.push_back(std::move(o));
    }
    boost::json::array groups;
    for (const auto& g : directory.groups) {
        boost::json::array members;
        for (const auto& m : g.members)
            members.emplace_back(m);
        boost::json::object o{
            {"emailId", g.address}, {"name", g.name}, {"members", std::move(members)}};
        if (!g.zgid.empty())
            o["zgid"] = g.zgid;
        groups.push_back(std::move(o));
    }
    return {{"users", std::move(users)}, {"groups", std::move(groups)}};
}

std::optional<domain::DirectorySnapshot> directory_from_json(std::string_view text,
                                                             std::string& error) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) {
        error =
            ec ? "not JSON: " + ec.message() : "a directory is a JSON object with users and groups";
        return std::nullopt;
    }
    const auto& o = v.get_object();
    domain::DirectorySnapshot d;
    if (const auto* users = o.if_contains("users"); users && users->is_array()) {
        for (const auto& x : users->get_array()) {
            if (!x.is_object())
                continue;
            const auto& u = x.get_object();
            domain::DirectoryUser du;
            du.address = core::ascii_lower(as_str(field(u, {"primaryEmailAddress", "address"})));
            du.first_name = as_str(field(u, {"firstName"}));
            du.last_name = as_str(field(u, {"lastName"}));
            du.display_name = as_str(field(u, {"displayName"}));
            if (du.display_name.empty())
                du.display_name = du.first_name + " " + du.last_name;
            du.role = as_str(field(u, {"role"}));
            if (du.role.empty())
                du.role = "member";
            du.zuid = as_id(field(u, {"zuid"}));
            du.account_id = as_id(field(u, {"accountId"}));
            du.created_at_ms = as_int(field(u, {"accountCreationTime"}));
            if (const auto* en = field(u, {"enabled", "status"}); en && en->is_bool())
                du.enabled = en->get_bool();
            if (const auto* al = field(u, {"aliases"}); al && al->is_array())
                for (const auto& a : al->get_array())
                    du.aliases.push_back(core::ascii_lower(as_str(&a)));
            if (const auto* ea = field(u, {"emailAddress"}); ea && ea->is_array())
                for (const auto& a : ea->get_array())
                    if (a.is_object()) {
                        const auto* alias = a.get_object().if_contains("isAlias");
                        if (alias && alias->is_bool() && alias->get_bool())
                            du.aliases.push_back(
                                core::ascii_lower(as_str(a.get_object().if_contains("mailId"))));
                    }
            if (!du.address.empty())
                d.users.push_back(std::move(du));
        }
    }
    if (const auto* groups = o.if_contains("groups"); groups && groups->is_array()) {
        for (const auto& x : groups->get_array()) {
            if (!x.is_object())
                continue;
            const auto& g = x.get_object();
            domain::DirectoryGroup dg;
            dg.address = core::ascii_lower(as_str(field(g, {"emailId", "address"})));
            dg.name = as_str(field(g, {"name"}));
            dg.zgid = as_id(field(g, {"zgid"}));
            if (const auto* ms = field(g, {"members"}); ms && ms->is_array())
                for (const auto& m : ms->get_array())
                    dg.members.push_back(core::ascii_lower(as_str(&m)));
            if (const auto* ms = field(g, {"mailGroupMemberList"}); ms && ms->is_array())
                for (const auto& m : ms->get_array())
                    if (m.is_object())
                        dg.members.push_back(
                            core::ascii_lower(as_str(m.get_object().if_contains("memberEmailId"))));
            if (!dg.address.empty())
                d.groups.push_back(std::move(dg));
        }
    }
    return d;
}

}  // namespace hrmaild::workflow
