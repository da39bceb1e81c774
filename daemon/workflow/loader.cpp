#include "daemon/workflow/loader.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/extract.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace hrmaild::workflow {

std::string_view message_key(MessageKind kind) {
    switch (kind) {
        case MessageKind::done:
            return "done";
        case MessageKind::invalid:
            return "invalid";
        case MessageKind::approval:
            return "approval";
        case MessageKind::refused:
            return "refused";
        case MessageKind::rejected:
            return "rejected";
        case MessageKind::failed:
            return "failed";
    }
    return "";
}

const Workflow* WorkflowSet::find(std::string_view name) const {
    for (const auto& w : workflows)
        if (w.name == name)
            return &w;
    return nullptr;
}

namespace {

constexpr MessageKind kMessageKinds[] = {MessageKind::done,     MessageKind::invalid,
                                         MessageKind::approval, MessageKind::refused,
                                         MessageKind::rejected, MessageKind::failed};

// Messages a workflow may leave out: templates from the message catalog of the configured
// language (`done` and `invalid` have no default: they are always written).
std::string_view default_message(std::string_view language, MessageKind k) {
    using messages::Msg;
    switch (k) {
        case MessageKind::approval:
            return messages::text(language, Msg::wf_default_approval);
        case MessageKind::refused:
            return messages::text(language, Msg::wf_default_refused);
        case MessageKind::rejected:
            return messages::text(language, Msg::wf_default_rejected);
        case MessageKind::failed:
            return messages::text(language, Msg::wf_default_failed);
        default:
            return "";
    }
}

class FileLoader {
  public:
    FileLoader(std::string file, const Scope& config_scope, std::string_view language,
               config::Diagnostics& diags)
        : file_(std::move(file)), config_scope_(config_scope), language_(language), diags_(diags) {}

    std::optional<Workflow> load(const YAML::Node& root) {
        Workflow wf;
        wf.file = file_;
        wf.line = root.Mark().line + 1;
        if (!root.IsMap()) {
            error(root, "", "a workflow file holds one map (name, match, fields, steps, messages)");
            return std::nullopt;
        }
        static const std::vector<std::string_view> keys = {
            "name", "description", "priority", "match",    "fields",
            "vars", "approval",    "steps",    "messages", "not_before"};
        for (const auto& kv : root) {
            auto k = kv.first.as<std::string>();
            if (std::find(keys.begin(), keys.end(), k) == keys.end())
                error(kv.first, k,
                      "unknown key" + core::did_you_mean(k, keys) +
                          "; known: " + core::join(keys, ", "));
        }
        if (auto n = root["name"]; n && n.IsScalar() && !n.Scalar().empty()) {
            wf.name = n.Scalar();
            wf.line = n.Mark().line + 1;
        } else {
            error(root, "name", "missing: every workflow needs a unique name");
        }
        if (auto n = root["description"]; n && n.IsScalar())
            wf.description = n.Scalar();
        if (auto n = root["priority"]) {
            try {
                wf.priority = n.as<int>();
                wf.has_priority = true;
            } catch (const YAML::Exception&) {
                error(n, "priority", "must be a whole number (higher wins)");
            }
        }
        if (auto n = root["approval"]) {
            auto v = n.IsScalar() ? n.Scalar() : "";
            if (v == "required")
                wf.approval_required = true;
            else if (v != "auto")
                error(n, "approval", "must be 'auto' or 'required'");
        }
        load_match(root["match"], root, wf);
        load_fields(root["fields"], wf);
        load_vars(root["vars"], wf);
        load_steps(root["steps"], root, wf);
        load_not_before(root["not_before"], wf);
        load_messages(root["messages"], root, wf);
        return wf;
    }

  private:
    std::string file_;
    const Scope& config_scope_;
    std::string language_;
    config::Diagnostics& diags_;
    std::set<std::string> names_;  // names visible to templates so far

    void error(const YAML::Node& n, const std::string& path, const std::string& message) {
        auto m = n.Mark();
        diags_.error(file_, m.line + 1, m.column + 1, path, message);
    }

    std::optional<Regex> regex(const YAML::Node& n, const std::string& path) {
        if (!n.IsScalar()) {
            error(n, path, "must be a regular expression (text)");
            return std::nullopt;
        }
        std::string err;
        auto r = Regex::compile(n.Scalar(), err);
        if (!r)
            error(n, path, "bad regular expression '" + n.Scalar() + "': " + err);
        return r;
    }

    std::vector<std::string> strings(const YAML::Node& n, const std::string& path) {
        std::vector<std::string> out;
        if (n.IsScalar()) {
            out.push_back(n.Scalar());
        } else if (n.IsSequence()) {
            for (const auto& x : n) {
                if (x.IsScalar())
                    out.push_back(x.Scalar());
                else
                    error(x, path, "must be text");
            }
        } else {
            error(n, path, "must be text or a list of texts");
        }
        return out;
    }

    bool boolean(const YAML::Node& n, const std::string& path) {
        try {
            return n.as<bool>();
        } catch (const YAML::Exception&) {
            error(n, path, "must be true or false");
            return false;
        }
    }

    std::optional<Template> compile(const YAML::Node& n, const std::string& path,
                                    const std::set<std::string>& extra = {}) {
        if (!n.IsScalar()) {
            error(n, path, "must be text (a template)");
            return std::nullopt;
        }
        std::string err;
        auto t = Template::compile(n.Scalar(), err);
        if (!t) {
            error(n, path, "bad template: " + err);
            return std::nullopt;
        }
        for (const auto& name : t->names()) {
            if (config_scope_.count(name) || names_.count(name) || extra.count(name))
                continue;
            std::vector<std::string> known(names_.begin(), names_.end());
            for (const auto& e : extra)
                known.push_back(e);
            for (const auto& [k, v] : config_scope_)
                known.push_back(k);
            std::string what = name.starts_with("config.") ? "is not in the config's workflows.vars"
                                                           : "names no field, var or known value";
            error(n, path, "'{{ " + name + " }}' " + what + core::did_you_mean(name, known));
        }
        return t;
    }

    void load_not_before(const YAML::Node& n, Workflow& wf) {
        if (!n)
            return;
        if (!n.IsMap() || !n["date"]) {
            error(n, "not_before", "must be a map with date (and days_before, time)");
            return;
        }
        static const std::vector<std::string_view> keys = {"date", "days_before", "time"};
        for (const auto& kv : n) {
            auto k = kv.first.as<std::string>();
            if (std::find(keys.begin(), keys.end(), k) == keys.end())
                error(kv.first, "not_before." + k,
                      "unknown key" + core::did_you_mean(k, keys) +
                          "; known: " + core::join(keys, ", "));
        }
        auto date = compile(n["date"], "not_before.date");
        if (!date)
            return;
        NotBeforeSpec spec{*date, std::nullopt, std::nullopt, n.Mark().line + 1};
        if (auto d = n["days_before"])
            spec.days_before = compile(d, "not_before.days_before");
        if (auto t = n["time"])
            spec.time = compile(t, "not_before.time");
        wf.not_before = std::move(spec);
    }

    void load_match(const YAML::Node& n, const YAML::Node& root, Workflow& wf) {
        if (!n) {
            error(root, "match", "missing: say which tasks the workflow takes (tag, title, ...)");
            return;
        }
        std::vector<YAML::Node> rules;
        if (n.IsMap())
            rules.push_back(n);
        else if (n.IsSequence())
            for (const auto& r : n)
                rules.push_back(r);
        else
            error(n, "match", "must be a map of criteria or a list of them");
        static const std::vector<std::string_view> keys = {"tag",     "untagged", "title",    "uf",
                                                           "project", "label",    "has_label"};
        for (const auto& r : rules) {
            if (!r.IsMap() || r.size() == 0) {
                error(r, "match",
                      "each rule is a non-empty map of criteria: " + core::join(keys, ", "));
                continue;
            }
            MatchRule rule;
            rule.line = r.Mark().line + 1;
            rule.column = r.Mark().column + 1;
            for (const auto& kv : r) {
                auto k = kv.first.as<std::string>();
                auto path = "match." + k;
                const auto& v = kv.second;
                if (k == "tag") {
                    for (auto& t : strings(v, path))
                        rule.tags.push_back(fold(t));
                } else if (k == "untagged") {
                    rule.untagged = boolean(v, path);
                } else if (k == "title") {
                    rule.title = regex(v, path);
                } else if (k == "project") {
                    try {
                        rule.project = v.as<std::int64_t>();
                    } catch (const YAML::Exception&) {
                        error(v, path, "must be the Bitrix project id (a number)");
                    }
                } else if (k == "uf") {
                    if (!v.IsMap())
                        error(v, path, "must map custom field names to values");
                    else
                        for (const auto& u : v)
                            rule.uf.emplace_back(u.first.as<std::string>(),
                                                 fold(u.second.as<std::string>("")));
                } else if (k == "label") {
                    if (!v.IsMap()) {
                        error(v, path, "must map labels to patterns, e.g. { Acción: '^crear' }");
                    } else {
                        for (const auto& u : v)
                            if (auto re = regex(u.second, path + "." + u.first.as<std::string>()))
                                rule.labels.emplace_back(label_key(u.first.as<std::string>()), *re);
                    }
                } else if (k == "has_label") {
                    for (auto& t : strings(v, path))
                        rule.has_labels.push_back(label_key(t));
                } else {
                    error(kv.first, path,
                          "unknown criterion" + core::did_you_mean(k, keys) +
                              "; known: " + core::join(keys, ", "));
                }
            }
            wf.match.push_back(std::move(rule));
        }
    }

    void load_fields(const YAML::Node& n, Workflow& wf) {
        if (!n)
            return;
        if (!n.IsMap()) {
            error(n, "fields", "must map field names to their definition");
            return;
        }
        static const std::vector<std::string_view> keys = {
            "label",           "uf",      "type",   "required", "min", "max", "pattern",
            "pattern_message", "domains", "one_of", "default"};
        for (const auto& kv : n) {
            FieldSpec f;
            f.name = kv.first.as<std::string>();
            auto base = "fields." + f.name;
            const auto& d = kv.second;
            if (!d.IsMap()) {
                error(d, base, "must be a map (label, required, ...)");
                continue;
            }
            for (const auto& p : d) {
                auto k = p.first.as<std::string>();
                auto path = base + "." + k;
                const auto& v = p.second;
                if (k == "label") {
                    f.labels = strings(v, path);
                } else if (k == "uf") {
                    f.uf = v.as<std::string>("");
                } else if (k == "type") {
                    auto t = v.as<std::string>("");
                    if (t == "text")
                        f.type = FieldType::text;
                    else if (t == "address")
                        f.type = FieldType::address;
                    else if (t == "addresses")
                        f.type = FieldType::addresses;
                    else if (t == "date")
                        f.type = FieldType::date;
                    else
                        error(v, path,
                              "unknown type '" + t + "'; known: text, address, addresses, date");
                } else if (k == "required") {
                    f.required = boolean(v, path);
                } else if (k == "min" || k == "max") {
                    try {
                        auto x = v.as<int>();
                        if (x < 0)
                            throw YAML::Exception(v.Mark(), "negative");
                        (k == "min" ? f.min_length : f.max_length) = static_cast<std::size_t>(x);
                    } catch (const YAML::Exception&) {
                        error(v, path, "must be a whole number of characters");
                    }
                } else if (k == "pattern") {
                    f.pattern = regex(v, path);
                } else if (k == "pattern_message") {
                    f.pattern_message = v.as<std::string>("");
                } else if (k == "domains") {
                    if (v.IsScalar() && v.Scalar() == "allowed")
                        f.allowed_domains_only = true;
                    else
                        f.domains = strings(v, path);
                } else if (k == "one_of") {
                    if (v.IsSequence()) {
                        // A literal list: its items, one per line, in a literal template.
                        std::string text;
                        for (const auto& i : strings(v, path))
                            text += (text.empty() ? "" : "\n") + i;
                        f.one_of = Template::literal(text);
                    } else {
                        f.one_of = compile(v, path);
                    }
                } else if (k == "default") {
                    f.default_value = compile(v, path);
                } else {
                    error(p.first, path,
                          "unknown key" + core::did_you_mean(k, keys) +
                              "; known: " + core::join(keys, ", "));
                }
            }
            if (f.labels.empty() && f.uf.empty())
                error(d, base, "needs a 'label' (how HR writes it) or a 'uf' custom field");
            for (const auto& l : f.labels)
                f.label_keys.push_back(label_key(l));
            if (f.type != FieldType::text && (f.one_of || f.pattern))
                error(d, base, "'one_of' and 'pattern' apply to text fields only");
            names_.insert(f.name);
            wf.fields.push_back(std::move(f));
        }
    }

    void load_vars(const YAML::Node& n, Workflow& wf) {
        if (!n)
            return;
        if (!n.IsMap()) {
            error(n, "vars", "must map names to a template or to { first_free: [...] }");
            return;
        }
        for (const auto& kv : n) {
            VarSpec v;
            v.name = kv.first.as<std::string>();
            auto path = "vars." + v.name;
            const auto& d = kv.second;
            if (names_.count(v.name))
                error(kv.first, path, "'" + v.name + "' is already a field or var");
            if (d.IsScalar()) {
                v.value = compile(d, path);
            } else if (d.IsMap() && d["first_free"]) {
                auto ff = d["first_free"];
                if (!ff.IsSequence() || ff.size() == 0) {
                    error(ff, path + ".first_free",
                          "must be a non-empty list of address templates");
                } else {
                    for (const auto& c : ff)
                        if (auto t = compile(c, path + ".first_free"))
                            v.first_free.push_back(*t);
                }
                for (const auto& p : d)
                    if (p.first.as<std::string>() != "first_free")
                        error(p.first, path + "." + p.first.as<std::string>(),
                              "unknown key; known: first_free");
            } else {
                error(d, path, "must be a template or { first_free: [...] }");
            }
            names_.insert(v.name);
            wf.vars.push_back(std::move(v));
        }
    }

    void load_steps(const YAML::Node& n, const YAML::Node& root, Workflow& wf) {
        if (!n || !n.IsSequence() || n.size() == 0) {
            error(n ? n : root, "steps", "must be a non-empty list of operations");
            return;
        }
        auto ops = domain::op_names();
        static const std::vector<std::string_view> modifiers = {"for_each", "when", "after_days"};
        int index = 0;
        for (const auto& s : n) {
            auto base = "steps[" + std::to_string(index++) + "]";
            if (!s.IsMap()) {
                error(s, base, "must be a map: { <operation>: { params } }");
                continue;
            }
            StepSpec step;
            step.line = s.Mark().line + 1;
            std::optional<YAML::Node> op_node;
            std::string op_key;
            bool for_each = false;
            bool unknown = false;
            for (const auto& kv : s) {
                auto k = kv.first.as<std::string>();
                if (k == "for_each") {
                    step.for_each = compile(kv.second, base + ".for_each");
                    for_each = true;
                } else if (k == "when") {
                    step.when = compile(kv.second, base + ".when");
                } else if (k == "after_days") {
                    step.after_days = compile(kv.second, base + ".after_days");
                } else if (auto kind = domain::parse_op(k)) {
                    if (op_node)
                        error(kv.first, base,
                              "one operation per step ('" + op_key + "' and '" + k + "')");
                    step.kind = *kind;
                    op_node = kv.second;
                    op_key = k;
                } else {
                    unknown = true;
                    error(kv.first, base + "." + k,
                          "unknown operation" + core::did_you_mean(k, ops) + "; known: " +
                              core::join(ops, ", ") + " (modifiers: for_each, when, after_days)");
                }
            }
            if (!op_node) {
                if (!unknown)
                    error(s, base, "names no operation");
                continue;
            }
            auto path = base + "." + op_key;
            std::set<std::string> extra;
            if (for_each)
                extra.insert("item");
            const auto& specs = domain::op_params(step.kind);
            std::vector<std::string_view> pnames;
            for (const auto& p : specs)
                pnames.push_back(p.name);
            if (!op_node->IsMap()) {
                error(*op_node, path, "must map parameters to values: " + core::join(pnames, ", "));
                continue;
            }
            for (const auto& kv : *op_node) {
                auto k = kv.first.as<std::string>();
                auto it = std::find_if(specs.begin(), specs.end(),
                                       [&](const auto& p) { return p.name == k; });
                if (it == specs.end()) {
                    error(kv.first, path + "." + k,
                          "unknown parameter for " + op_key + core::did_you_mean(k, pnames) +
                              "; known: " + core::join(pnames, ", "));
                    continue;
                }
                ParamTemplate pt;
                pt.name = k;
                if (kv.second.IsSequence()) {
                    if (it->type != domain::ParamType::address_list) {
                        error(kv.second, path + "." + k, "takes one value, not a list");
                        continue;
                    }
                    pt.sequence = true;
                    for (const auto& x : kv.second)
                        if (auto t = compile(x, path + "." + k, extra))
                            pt.items.push_back(*t);
                } else if (auto t = compile(kv.second, path + "." + k, extra)) {
                    if (it->type == domain::ParamType::generate && t->source() != "generate")
                        error(kv.second, path + "." + k,
                              "must be 'generate': passwords are made by the executor, never "
                              "written in a workflow");
                    pt.items.push_back(*t);
                }
                step.params.push_back(std::move(pt));
            }
            for (const auto& p : specs) {
                if (!p.required)
                    continue;
                bool given = std::any_of(step.params.begin(), step.params.end(),
                                         [&](const auto& x) { return x.name == p.name; });
                if (!given)
                    error(*op_node, path,
                          "missing required parameter '" + std::string(p.name) + "'");
            }
            wf.steps.push_back(std::move(step));
        }
    }

    void load_messages(const YAML::Node& n, const YAML::Node& root, Workflow& wf) {
        std::set<std::string> extra = {"errors", "reasons", "plan", "notes"};
        std::vector<std::string_view> keys;
        for (auto k : kMessageKinds)
            keys.push_back(message_key(k));
        if (n && !n.IsMap()) {
            error(n, "messages", "must map message kinds to texts: " + core::join(keys, ", "));
            return;
        }
        if (n)
            for (const auto& kv : n) {
                auto k = kv.first.as<std::string>();
                if (std::find(keys.begin(), keys.end(), k) == keys.end())
                    error(kv.first, "messages." + k,
                          "unknown message" + core::did_you_mean(k, keys) +
                              "; known: " + core::join(keys, ", "));
            }
        for (auto kind : kMessageKinds) {
            auto key = std::string(message_key(kind));
            auto node = n ? n[key] : YAML::Node();
            if (node) {
                if (auto t = compile(node, "messages." + key, extra))
                    wf.messages.emplace(kind, *t);
                continue;
            }
            bool required = kind == MessageKind::done || kind == MessageKind::invalid ||
                            (kind == MessageKind::approval && wf.approval_required);
            if (required) {
                error(n ? n : root, "messages." + key,
                      "missing message '" + key + "' (what HR reads " +
                          (kind == MessageKind::done      ? "when the work is done"
                           : kind == MessageKind::invalid ? "when the request must be corrected"
                                                          : "while IT approval is pending") +
                          ")");
                continue;
            }
            std::string err;
            if (auto t = Template::compile(default_message(language_, kind), err))
                wf.messages.emplace(kind, *t);
        }
    }
};

// Whether two match rules could both claim one task. Distinct patterns on the same label are
// taken as exclusive (e.g. "Acción: crear" and "Acción: eliminar"); runtime matching still
// refuses a tie it meets.
bool rules_overlap(const MatchRule& a, const MatchRule& b) {
    if (!a.tags.empty() && !b.tags.empty()) {
        bool common = std::any_of(a.tags.begin(), a.tags.end(), [&](const std::string& t) {
            return std::find(b.tags.begin(), b.tags.end(), t) != b.tags.end();
        });
        if (!common)
            return false;
    }
    if ((a.untagged && !b.tags.empty()) || (b.untagged && !a.tags.empty()))
        return false;
    if (a.project && b.project && *a.project != *b.project)
        return false;
    for (const auto& [k, v] : a.uf)
        for (const auto& [k2, v2] : b.uf)
            if (k == k2 && v != v2)
                return false;
    for (const auto& [k, re] : a.labels)
        for (const auto& [k2, re2] : b.labels)
            if (k == k2 && re.pattern() != re2.pattern())
                return false;
    return true;
}

std::vector<std::pair<std::string, std::string>> read_dir(const std::filesystem::path& dir,
                                                          config::Diagnostics& diags) {
    std::vector<std::pair<std::string, std::string>> files;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        diags.error(dir.string(), 0, 0, "workflows.dir", "is not a readable folder");
        return files;
    }
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
            paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) {
            diags.error(p.string(), 0, 0, "", "cannot be read");
            continue;
        }
        files.emplace_back(p.string(), ss.str());
    }
    if (paths.empty())
        diags.error(dir.string(), 0, 0, "workflows.dir", "holds no *.yaml workflow");
    return files;
}

}  // namespace

Scope make_config_scope(const YAML::Node& vars, const config::PolicyConfig& policy) {
    Scope s;
    if (vars && vars.IsMap()) {
        for (const auto& kv : vars) {
            auto key = "config." + kv.first.as<std::string>();
            const auto& v = kv.second;
            if (v.IsScalar()) {
                s[key] = v.Scalar();
            } else if (v.IsSequence()) {
                std::vector<std::string> l;
                for (const auto& x : v)
                    if (x.IsScalar())
                        l.push_back(x.Scalar());
                s[key] = l;
            } else if (v.IsMap()) {
                StringMap m;
                for (const auto& x : v)
                    if (x.second.IsScalar())
                        m[x.first.as<std::string>()] = x.second.Scalar();
                s[key] = m;
            }
        }
    }
    s["policy.retention_days"] = std::to_string(policy.retention_days);
    s["policy.timezone"] = policy.timezone;
    s["policy.end_of_day"] = policy.end_of_day;
    s["policy.create_days_before_start"] = std::to_string(policy.create_days_before_start);
    s["policy.allowed_domains"] = policy.allowed_domains;
    // Names every task provides; present here (empty) so that load-time checks accept them.
    for (const auto* k : {"task.id", "task.title", "task.created_by", "task.created_by_name",
                          "task.responsible_id", "task.group_id", "workflow.name"})
        s[k] = std::string();
    return s;
}

domain::PolicyRules make_rules(const config::PolicyConfig& policy) {
    domain::PolicyRules r;
    r.allowed_domains = policy.allowed_domains;
    r.protected_accounts = policy.protected_accounts;
    r.always_approve = policy.always_approve;
    r.max_destructive_per_plan = policy.max_destructive_per_plan;
    r.protect_roles = policy.protect_roles;
    r.requesters = policy.requesters;
    r.requester_departments = policy.requester_departments;
    return r;
}

LoadResult load_workflow_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               const YAML::Node& vars, const config::PolicyConfig& policy,
                               std::string_view language) {
    LoadResult r;
    WorkflowSet set;
    set.language = messages::known_language(language) ? std::string(language)
                                                      : std::string(messages::selected());
    set.config_scope = make_config_scope(vars, policy);
    set.rules = make_rules(policy);
    set.retention_days = policy.retention_days;
    std::string zone_error;  // (config validation reported it)
    set.zone = core::TimeZone::load(policy.timezone, zone_error);
    for (const auto& [name, text] : files) {
        YAML::Node root;
        try {
            root = YAML::Load(text);
        } catch (const YAML::ParserException& e) {
            r.diagnostics.error(name, e.mark.line + 1, e.mark.column + 1, "",
                                "YAML syntax: " + e.msg);
            continue;
        }
        FileLoader loader(name, set.config_scope, set.language, r.diagnostics);
        try {
            if (auto wf = loader.load(root))
                set.workflows.push_back(std::move(*wf));
        } catch (const YAML::Exception& e) {
            r.diagnostics.error(name, e.mark.line + 1, e.mark.column + 1, "",
                                "unexpected YAML: " + e.msg);
        }
    }
    // Duplicate names and ambiguous claims, across files.
    for (std::size_t i = 0; i < set.workflows.size(); ++i) {
        const auto& a = set.workflows[i];
        for (std::size_t j = 0; j < i; ++j) {
            const auto& b = set.workflows[j];
            if (!a.name.empty() && a.name == b.name) {
                r.diagnostics.error(a.file, a.line, 1, "name",
                                    fmt::format("duplicate workflow name '{}' (also in {}:{})",
                                                a.name, b.file, b.line));
                continue;
            }
            if (a.priority != b.priority)
                continue;
            bool overlap = false;
            const MatchRule* where = nullptr;
            for (const auto& ra : a.match)
                for (const auto& rb : b.match)
                    if (!overlap && rules_overlap(ra, rb)) {
                        overlap = true;
                        where = &ra;
                    }
            if (overlap)
                r.diagnostics.error(
                    a.file, where->line, where->column, "match",
                    fmt::format(
                        "workflow '{}' can claim the same tasks as '{}' ({}:{}) and both have "
                        "priority {}; give one of them a different 'priority' or make the "
                        "match criteria exclusive",
                        a.name, b.name, b.file, b.line, a.priority));
        }
    }
    std::stable_sort(
        set.workflows.begin(), set.workflows.end(), [](const Workflow& x, const Workflow& y) {
            return x.priority != y.priority ? x.priority > y.priority : x.name < y.name;
        });
    if (!r.diagnostics.has_errors()) {
        log::info("WORKFLOWS_LOADED", {{"count", set.workflows.size()}});
        r.set = std::move(set);
    }
    return r;
}

LoadResult load_workflows(const config::Config& config) {
    config::Diagnostics diags;
    auto files = read_dir(config.workflows.dir, diags);
    auto r =
        load_workflow_texts(files, config.workflows.vars, config.policy, config.workflows.language);
    diags.merge(r.diagnostics);
    r.diagnostics = diags;
    if (r.diagnostics.has_errors())
        r.set.reset();
    return r;
}

config::Diagnostics validate_workflows(const config::Config& config) {
    return load_workflows(config).diagnostics;
}

}  // namespace hrmaild::workflow
