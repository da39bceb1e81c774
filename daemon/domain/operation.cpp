#include "daemon/domain/operation.hpp"

#include <algorithm>
#include <array>

namespace hrmaild::domain {
namespace {

struct OpInfo {
    OpKind kind;
    std::string_view name;
    bool destructive;
    std::vector<ParamSpec> params;
};

const std::vector<OpInfo>& table() {
    using enum ParamType;
    static const std::vector<OpInfo> t = {
        {OpKind::create_user,
         "create_user",
         false,
         {{"email", address, true},
          {"first_name", text, true},
          {"last_name", text, true},
          {"display_name", text, false},
          {"password", generate, true},
          {"one_time_password", flag, false},
          {"role", role, false}}},
        {OpKind::disable_user,
         "disable_user",
         true,
         {{"email", address, true},
          {"block_incoming", flag, false},
          {"remove_forwards", flag, false},
          {"remove_groups", flag, false}}},
        {OpKind::enable_user,
         "enable_user",
         false,
         {{"email", address, true}, {"unblock_incoming", flag, false}}},
        {OpKind::delete_user, "delete_user", true, {{"email", address, true}}},
        {OpKind::reset_password,
         "reset_password",
         false,
         {{"email", address, true},
          {"password", generate, true},
          {"one_time_password", flag, false}}},
        {OpKind::update_display_name,
         "update_display_name",
         false,
         {{"email", address, true}, {"display_name", text, true}}},
        {OpKind::change_role,
         "change_role",
         false,
         {{"email", address, true}, {"role", role, true}}},
        {OpKind::add_alias,
         "add_alias",
         false,
         {{"email", address, true}, {"alias", address, true}}},
        {OpKind::remove_alias,
         "remove_alias",
         true,
         {{"email", address, true}, {"alias", address, true}}},
        {OpKind::create_group,
         "create_group",
         false,
         {{"group", address, true}, {"name", text, true}, {"members", address_list, false}}},
        {OpKind::delete_group, "delete_group", true, {{"group", address, true}}},
        {OpKind::rename_group,
         "rename_group",
         false,
         {{"group", address, true}, {"name", text, true}}},
        {OpKind::add_group_member,
         "add_group_member",
         false,
         {{"group", address, true}, {"member", address, true}}},
        {OpKind::remove_group_member,
         "remove_group_member",
         true,
         {{"group", address, true}, {"member", address, true}}},
    };
    return t;
}

const OpInfo& info(OpKind kind) {
    for (const auto& i : table())
        if (i.kind == kind)
            return i;
    return table().front();  // unreachable: the table lists every kind
}

const Value* find(const std::vector<std::pair<std::string, Value>>& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k == name)
            return &v;
    return nullptr;
}

}  // namespace

std::string_view op_name(OpKind kind) {
    return info(kind).name;
}

std::optional<OpKind> parse_op(std::string_view name) {
    for (const auto& i : table())
        if (i.name == name)
            return i.kind;
    return std::nullopt;
}

std::vector<std::string_view> op_names() {
    std::vector<std::string_view> out;
    for (const auto& i : table())
        out.push_back(i.name);
    return out;
}

const std::vector<ParamSpec>& op_params(OpKind kind) {
    return info(kind).params;
}

bool is_destructive(OpKind kind) {
    return info(kind).destructive;
}

std::string Operation::text(std::string_view name) const {
    const auto* v = find(params, name);
    if (v == nullptr)
        return {};
    if (const auto* s = std::get_if<std::string>(v))
        return *s;
    return to_text(*v);
}

bool Operation::flag(std::string_view name) const {
    const auto* v = find(params, name);
    if (v == nullptr)
        return false;
    if (const auto* b = std::get_if<bool>(v))
        return *b;
    return false;
}

std::vector<std::string> Operation::list(std::string_view name) const {
    const auto* v = find(params, name);
    if (v == nullptr)
        return {};
    if (const auto* l = std::get_if<std::vector<std::string>>(v))
        return *l;
    if (const auto* s = std::get_if<std::string>(v))
        return s->empty() ? std::vector<std::string>{} : std::vector<std::string>{*s};
    return {};
}

std::vector<std::string> Operation::addresses() const {
    std::vector<std::string> out;
    for (const auto& spec : op_params(kind)) {
        if (spec.type == ParamType::address) {
            auto s = text(spec.name);
            if (!s.empty())
                out.push_back(s);
        } else if (spec.type == ParamType::address_list) {
            for (auto& s : list(spec.name))
                out.push_back(s);
        }
    }
    return out;
}

}  // namespace hrmaild::domain
