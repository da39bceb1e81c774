#include "daemon/workflow/plan_json.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace hrmaild::workflow {

namespace json = boost::json;

namespace {

void append_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void append_canonical(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            out += "null";
            return;
        case json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return;
        case json::kind::int64:
            out += std::to_string(v.get_int64());
            return;
        case json::kind::uint64:
            out += std::to_string(v.get_uint64());
            return;
        case json::kind::double_:
            throw std::invalid_argument("canonical JSON: a plan holds no floating-point number");
        case json::kind::string:
            append_string(out, v.get_string());
            return;
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : v.get_array()) {
                if (!first)
                    out += ',';
                first = false;
                append_canonical(out, item);
            }
            out += ']';
            return;
        }
        case json::kind::object: {
            std::vector<const json::key_value_pair*> members;
            for (const auto& kv : v.get_object())
                members.push_back(&kv);
            std::sort(members.begin(), members.end(),
                      [](const auto* a, const auto* b) { return a->key() < b->key(); });
            out += '{';
            bool first = true;
            for (const auto* kv : members) {
                if (!first)
                    out += ',';
                first = false;
                append_string(out, kv->key());
                out += ':';
                append_canonical(out, kv->value());
            }
            out += '}';
            return;
        }
    }
}

[[noreturn]] void malformed(std::string_view what) {
    throw std::runtime_error("plan text: " + std::string(what));
}

const json::object& object_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_object())
        malformed("'" + std::string(key) + "' is not an object");
    return v->get_object();
}

std::string string_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string())
        malformed("'" + std::string(key) + "' is not a string");
    return std::string(v->get_string());
}

std::int64_t int_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v != nullptr && v->is_int64())
        return v->get_int64();
    if (v != nullptr && v->is_uint64())
        return static_cast<std::int64_t>(v->get_uint64());
    malformed("'" + std::string(key) + "' is not an integer");
}

// The target's keys in reading order, with the member they fill.
struct TargetKey {
    const char* name;
    std::string domain::Target::*member;
};
constexpr TargetKey kTargetKeys[] = {
    {"address", &domain::Target::address},         {"zuid", &domain::Target::zuid},
    {"account_id", &domain::Target::account_id},   {"zgid", &domain::Target::zgid},
    {"member_zuid", &domain::Target::member_zuid},
};

}  // namespace

json::value value_to_json(const domain::Value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return json::string(*s);
    if (const auto* b = std::get_if<bool>(&v))
        return *b;
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return *i;
    json::array a;
    for (const auto& s : std::get<std::vector<std::string>>(v))
        a.emplace_back(s);
    return a;
}

domain::Value value_from_json(const json::value& v, std::string_view what) {
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_bool())
        return v.get_bool();
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64())
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_array()) {
        std::vector<std::string> items;
        for (const auto& i : v.get_array()) {
            if (!i.is_string())
                malformed(std::string(what) + " is a list with an item that is not a string");
            items.emplace_back(i.get_string());
        }
        return items;
    }
    malformed(std::string(what) + " has a value of an unknown type");
}

json::object step_to_json(const domain::Operation& op) {
    json::object step;
    step["op"] = domain::op_name(op.kind);
    json::object params;
    for (const auto& [k, v] : op.params)
        params[k] = value_to_json(v);
    step["params"] = std::move(params);
    if (op.after_days > 0)
        step["after_days"] = op.after_days;
    if (!op.target.empty()) {
        json::object target;
        for (const auto& key : kTargetKeys)
            if (const auto& v = op.target.*key.member; !v.empty())
                target[key.name] = v;
        step["target"] = std::move(target);
    }
    return step;
}

json::object plan_to_json(const domain::Plan& plan) {
    json::object fields;
    for (const auto& [k, v] : plan.fields)
        fields[k] = value_to_json(v);
    json::array steps;
    for (const auto& s : plan.steps)
        steps.push_back(step_to_json(s));
    json::object o{{"fields", std::move(fields)},
                   {"requester", plan.requester},
                   {"steps", std::move(steps)},
                   {"task_id", plan.task_id},
                   {"workflow", plan.workflow}};
    // Only dated plans carry these: an undated plan hashes as it always did.
    if (plan.not_before_ms != 0) {
        o["not_before"] = plan.not_before_ms;
        o["not_before_local"] = plan.not_before_local;
    }
    return o;
}

std::string canonical_json(const json::value& v) {
    std::string out;
    append_canonical(out, v);
    return out;
}

std::string canonical_text(const domain::Plan& plan) {
    return canonical_json(plan_to_json(plan));
}

std::string canonical_step(const domain::Operation& op) {
    return canonical_json(step_to_json(op));
}

domain::Operation step_from_json(const json::value& v) {
    if (!v.is_object())
        malformed("a step is not an object");
    const auto& o = v.get_object();
    const auto name = string_at(o, "op");
    auto kind = domain::parse_op(name);
    if (!kind)
        malformed("unknown operation '" + name + "'");
    domain::Operation op;
    op.kind = *kind;
    if (o.contains("after_days"))
        op.after_days = static_cast<int>(int_at(o, "after_days"));
    const auto& params = object_at(o, "params");
    // The operation's own parameter order, whatever order the text has.
    for (const auto& spec : domain::op_params(op.kind))
        if (const auto* p = params.if_contains(spec.name))
            op.params.emplace_back(std::string(spec.name),
                                   value_from_json(*p, name + "." + std::string(spec.name)));
    if (params.size() != op.params.size())
        malformed("a parameter of '" + name + "' is not one the operation takes");
    if (o.contains("target")) {
        const auto& target = object_at(o, "target");
        for (const auto& key : kTargetKeys)
            if (target.contains(key.name))
                op.target.*key.member = string_at(target, key.name);
    }
    return op;
}

domain::Plan plan_from_text(std::string_view text) {
    boost::system::error_code ec;
    auto root = json::parse(text, ec);
    if (ec)
        malformed("not JSON (" + ec.message() + ")");
    if (!root.is_object())
        malformed("not an object");
    const auto& o = root.get_object();
    domain::Plan plan;
    plan.workflow = string_at(o, "workflow");
    plan.task_id = int_at(o, "task_id");
    plan.requester = int_at(o, "requester");
    if (o.contains("not_before")) {
        plan.not_before_ms = int_at(o, "not_before");
        plan.not_before_local = string_at(o, "not_before_local");
    }
    for (const auto& kv : object_at(o, "fields"))
        plan.fields[std::string(kv.key())] = value_from_json(kv.value(), kv.key());
    const auto* steps = o.if_contains("steps");
    if (steps == nullptr || !steps->is_array())
        malformed("'steps' is not an array");
    for (const auto& s : steps->get_array())
        plan.steps.push_back(step_from_json(s));
    return plan;
}

}  // namespace hrmaild::workflow
