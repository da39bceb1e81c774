#pragma once
/// The concrete Zoho Mail operations a plan is made of, and the one definition of each:
/// parameters, kind of target, destructive class, policy label, description (from the message
/// catalog), expected effect and the effect on a directory. Planner, policy, probe and the Zoho
/// adapter all read these definitions; the Zoho call itself lives in daemon/app/zoho_directory.cpp
/// (the domain knows no HTTP). Adding an operation touches this header (a line in
/// HRMAILD_OPERATIONS),
/// operation.cpp (its definition) and zoho_directory.cpp (its call); every switch over OpKind has
/// no default, so a missing case does not compile (-Wswitch is an error in operation.cpp and the
/// adapter).
#include "daemon/domain/directory.hpp"
#include "daemon/domain/value.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::domain {

/// The one list of operations: the enumerators of OpKind, their names (kOpNames) and the
/// list of every kind (kAllOps) are all made from it, so they cannot disagree. Append a new
/// operation here.
#define HRMAILD_OPERATIONS(X) \
    X(create_user)            \
    X(disable_user)           \
    X(enable_user)            \
    X(delete_user)            \
    X(reset_password)         \
    X(update_display_name)    \
    X(change_role)            \
    X(add_alias)              \
    X(remove_alias)           \
    X(create_group)           \
    X(delete_group)           \
    X(rename_group)           \
    X(add_group_member)       \
    X(remove_group_member)

/// Every operation a workflow may plan.
enum class OpKind {
#define HRMAILD_OP_ENUMERATOR(name) name,
    HRMAILD_OPERATIONS(HRMAILD_OP_ENUMERATOR)
#undef HRMAILD_OP_ENUMERATOR
};

/// Every kind, in declaration order.
inline constexpr OpKind kAllOps[] = {
#define HRMAILD_OP_KIND(name) OpKind::name,
    HRMAILD_OPERATIONS(HRMAILD_OP_KIND)
#undef HRMAILD_OP_KIND
};

/// Each kind's name as workflows, plans and the configuration write it, indexed by OpKind
/// (the config schema's `policy.always_approve` choices are made from it).
inline constexpr std::string_view kOpNames[] = {
#define HRMAILD_OP_NAME(name) #name,
    HRMAILD_OPERATIONS(HRMAILD_OP_NAME)
#undef HRMAILD_OP_NAME
};

/// How a parameter is typed and checked.
enum class ParamType { text, address, address_list, flag, role, generate };

/// One parameter an operation accepts.
struct ParamSpec {
    std::string_view name;
    ParamType type;
    bool required;
};

/// What an operation acts on: a user (named by `email`) or a group (named by `group`).
enum class TargetKind { user, group };

/// How much an operation takes away.
enum class Destructive {
    none,     ///< adds or changes
    detach,   ///< removes an alias or a group membership
    removal,  ///< disables or deletes an account, or deletes a group
};

/// The target a step was bound to when it was planned: the Zoho ids and the primary address
/// the ids had then. Empty for an object the plan itself creates. Part of the canonical step,
/// so the plan hash (and the approval) binds it.
struct Target {
    std::string address;      ///< primary address of the account or group at plan time
    std::string zuid;         ///< user: Zoho user id (decimal text; ids exceed 2^53)
    std::string account_id;   ///< user: mail account id (decimal text)
    std::string zgid;         ///< group: Zoho group id (decimal text)
    std::string member_zuid;  ///< add/remove member: the member's zuid when it is an org user

    /// Whether nothing is bound.
    [[nodiscard]] bool empty() const {
        return address.empty() && zuid.empty() && account_id.empty() && zgid.empty() &&
               member_zuid.empty();
    }
    bool operator==(const Target&) const = default;
};

/// The operation's name as written in workflows and plans (`create_user`).
std::string_view op_name(OpKind kind);
/// The operation named `name`, if there is one.
std::optional<OpKind> parse_op(std::string_view name);
/// Every operation name, for "did you mean" hints and documentation.
std::vector<std::string_view> op_names();
/// The parameters an operation accepts, in their canonical order.
const std::vector<ParamSpec>& op_params(OpKind kind);
/// Whether the operation removes access or data (counted against the per-plan cap, re-checked
/// against the live account before it runs).
bool is_destructive(OpKind kind);
/// The operation's destructive class.
Destructive destructive_class(OpKind kind);
/// What the operation acts on.
TargetKind target_kind(OpKind kind);
/// Whether the operation makes its target (it has no id when planned).
bool creates_target(OpKind kind);
/// The operation as a policy reason names it, in the selected language ("desactivar una cuenta").
std::string_view op_label(OpKind kind);

/// One planned step: an operation with every value resolved.
struct Operation {
    OpKind kind = OpKind::create_user;
    std::vector<std::pair<std::string, Value>> params;  ///< in the order the spec lists them
    int after_days = 0;  ///< 0: now; else scheduled this many days after the plan runs
    Target target{};     ///< bound at plan time (empty for what the plan creates)

    /// The text parameter `name`, or empty.
    [[nodiscard]] std::string text(std::string_view name) const;
    /// The flag `name`, or false.
    [[nodiscard]] bool flag(std::string_view name) const;
    /// The list parameter `name`, or empty.
    [[nodiscard]] std::vector<std::string> list(std::string_view name) const;
    /// Every address the operation touches (user, alias, group, members).
    [[nodiscard]] std::vector<std::string> addresses() const;
    /// The address the step names its target by, as typed (`email` or `group`).
    [[nodiscard]] std::string target_address() const;
};

/// Whether a step's effect is already in a directory.
enum class EffectState {
    absent,     ///< running the step changes something
    present,    ///< the directory already shows the step's effect, as planned
    conflict,   ///< something else is there (another account, an enabled account to delete...)
    no_target,  ///< the account or group the step acts on does not exist
};

/// The expected effect of a step, judged against a directory.
struct Effect {
    EffectState state = EffectState::absent;
    std::string detail;  ///< English, for the journal and IT
    std::string
        message;  ///< for HR (catalog language): a note when present, the error when conflict
};

/// The expected effect of `op` in `directory`: the one predicate the planner's pre-flight and
/// the probe both use. A bound step looks its target up by id (a different account at the
/// same address is not its target); an unbound one by address.
Effect expected_effect(const DirectorySnapshot& directory, const Operation& op,
                       const NameKey& name_key = {});

/// Changes `directory` as running `op` would (the planner checks later steps against it).
void simulate(DirectorySnapshot& directory, const Operation& op);

/// The user a user step acts on: by bound id, else by the typed address (primary or alias).
const DirectoryUser* target_user(const DirectorySnapshot& directory, const Operation& op);
/// The group a group step acts on: by bound id, else by address.
const DirectoryGroup* target_group(const DirectorySnapshot& directory, const Operation& op);

/// Resolves the step's target in `directory` (ids and primary address); empty when the target
/// does not exist there or the operation creates it.
Target resolve_target(const DirectorySnapshot& directory, const Operation& op);

/// The binding of an existing user (ids and primary address).
Target target_of(const DirectoryUser& user);

/// The step for HR and approvers, in the selected language: what it does, to which address and id,
/// and when the typed address is an alias ("postmaster@x es un alias de admin@x").
std::string describe_operation(const Operation& op);

}  // namespace hrmaild::domain
