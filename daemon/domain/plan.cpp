#include "daemon/domain/plan.hpp"

#include <algorithm>
#include <cstdio>

namespace hrmaild::domain {

bool is_empty(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return s->empty();
    if (const auto* l = std::get_if<std::vector<std::string>>(&v))
        return l->empty();
    return false;
}

std::string to_text(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* b = std::get_if<bool>(&v))
        return *b ? "true" : "false";
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return std::to_string(*i);
    std::string out;
    for (const auto& s : std::get<std::vector<std::string>>(v)) {
        if (!out.empty())
            out += ", ";
        out += s;
    }
    return out;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
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
                if (u < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", u);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void append_json_value(std::string& out, const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) {
        append_json_string(out, *s);
    } else if (const auto* b = std::get_if<bool>(&v)) {
        out += *b ? "true" : "false";
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
        out += std::to_string(*i);
    } else {
        out += '[';
        bool first = true;
        for (const auto& item : std::get<std::vector<std::string>>(v)) {
            if (!first)
                out += ',';
            first = false;
            append_json_string(out, item);
        }
        out += ']';
    }
}

std::string canonical_step(const Operation& op) {
    std::string out = "{";
    if (op.after_days > 0)
        out += "\"after_days\":" + std::to_string(op.after_days) + ",";
    out += "\"op\":";
    append_json_string(out, op_name(op.kind));
    out += ",\"params\":{";
    auto params = op.params;
    std::sort(params.begin(), params.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    bool first = true;
    for (const auto& [k, v] : params) {
        if (!first)
            out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_json_value(out, v);
    }
    out += '}';
    if (!op.target.empty()) {
        // Keys in byte order; empty ones left out.
        out += ",\"target\":{";
        const std::pair<std::string_view, const std::string*> keys[] = {
            {"account_id", &op.target.account_id},
            {"address", &op.target.address},
            {"member_zuid", &op.target.member_zuid},
            {"zgid", &op.target.zgid},
            {"zuid", &op.target.zuid},
        };
        first = true;
        for (const auto& [k, v] : keys) {
            if (v->empty())
                continue;
            if (!first)
                out += ',';
            first = false;
            append_json_string(out, k);
            out += ':';
            append_json_string(out, *v);
        }
        out += '}';
    }
    out += '}';
    return out;
}

std::string Plan::canonical_text() const {
    // Keys in byte order: fields, requester, steps, task_id, workflow. FieldValues is a
    // std::map, so its keys are already sorted.
    std::string out = "{\"fields\":{";
    bool first = true;
    for (const auto& [k, v] : fields) {
        if (!first)
            out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_json_value(out, v);
    }
    out += "},\"requester\":" + std::to_string(requester) + ",\"steps\":[";
    first = true;
    for (const auto& s : steps) {
        if (!first)
            out += ',';
        first = false;
        out += canonical_step(s);
    }
    out += "],\"task_id\":" + std::to_string(task_id) + ",\"workflow\":";
    append_json_string(out, workflow);
    out += '}';
    return out;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string address_domain(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos)
        return {};
    return ascii_lower(address.substr(at + 1));
}

bool is_valid_address(std::string_view a) {
    auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || a.find('@', at + 1) != std::string_view::npos)
        return false;
    auto local = a.substr(0, at);
    auto domain = a.substr(at + 1);
    if (local.size() > 64 || domain.size() > 253 || domain.empty())
        return false;
    auto ok_local = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("._%+-'").find(c) != std::string_view::npos;
    };
    if (!std::all_of(local.begin(), local.end(), ok_local))
        return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    auto ok_domain = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    };
    if (!std::all_of(domain.begin(), domain.end(), ok_domain))
        return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos ||
        domain.front() == '-')
        return false;
    return true;
}

}  // namespace hrmaild::domain
