#pragma once
/// The concrete Zoho Mail operations a plan is made of.
#include "daemon/domain/value.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::domain {

/// Every operation a workflow may plan.
enum class OpKind {
    create_user,
    disable_user,
    enable_user,
    delete_user,
    reset_password,
    update_display_name,
    change_role,
    add_alias,
    remove_alias,
    create_group,
    delete_group,
    rename_group,
    add_group_member,
    remove_group_member,
};

/// How a parameter is typed and checked.
enum class ParamType { text, address, address_list, flag, role, generate };

/// One parameter an operation accepts.
struct ParamSpec {
    std::string_view name;
    ParamType type;
    bool required;
};

/// The operation's name as written in workflows and plans (`create_user`).
std::string_view op_name(OpKind kind);
/// The operation named `name`, if there is one.
std::optional<OpKind> parse_op(std::string_view name);
/// Every operation name, for "did you mean" hints and documentation.
std::vector<std::string_view> op_names();
/// The parameters an operation accepts, in their canonical order.
const std::vector<ParamSpec>& op_params(OpKind kind);
/// Whether the operation removes access or data (counted against the per-plan cap).
bool is_destructive(OpKind kind);

/// One planned step: an operation with every value resolved.
struct Operation {
    OpKind kind = OpKind::create_user;
    std::vector<std::pair<std::string, Value>> params;  ///< in the order the spec lists them
    int after_days = 0;  ///< 0: now; else scheduled this many days after the plan runs

    /// The text parameter `name`, or empty.
    [[nodiscard]] std::string text(std::string_view name) const;
    /// The flag `name`, or false.
    [[nodiscard]] bool flag(std::string_view name) const;
    /// The list parameter `name`, or empty.
    [[nodiscard]] std::vector<std::string> list(std::string_view name) const;
    /// Every address the operation touches (user, alias, group, members).
    [[nodiscard]] std::vector<std::string> addresses() const;
};

}  // namespace hrmaild::domain
