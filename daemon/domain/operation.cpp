#include "daemon/domain/operation.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/domain/plan.hpp"

#include <algorithm>
#include <cstdlib>

// A switch over OpKind that forgets an operation must not compile, whatever the build flags.
#pragma GCC diagnostic error "-Wswitch"

namespace hrmaild::domain {
namespace {

using messages::Msg;
using messages::render;
using namespace fmt::literals;

// ------------------------------------------------------------------ helpers

bool same(std::string_view a, std::string_view b) {
    return core::ascii_lower(a) == core::ascii_lower(b);
}

std::string key_of(const NameKey& key, std::string_view s) {
    return key ? key(s) : default_name_key(s);
}

Effect absent() {
    return {EffectState::absent, {}, {}};
}
Effect present(std::string detail, std::string message) {
    return {EffectState::present, std::move(detail), std::move(message)};
}
Effect conflict(std::string detail, std::string message) {
    return {EffectState::conflict, std::move(detail), std::move(message)};
}
Effect no_target(std::string detail) {
    return {EffectState::no_target, std::move(detail), {}};
}

// The address a step shows for its target: the primary address it was bound to, else the
// address as typed.
std::string shown(const Operation& op) {
    return op.target.address.empty() ? op.target_address() : op.target.address;
}

DirectoryUser* mutable_user(DirectorySnapshot& d, const Operation& op) {
    return const_cast<DirectoryUser*>(target_user(d, op));
}
DirectoryGroup* mutable_group(DirectorySnapshot& d, const Operation& op) {
    return const_cast<DirectoryGroup*>(target_group(d, op));
}

void erase_address(std::vector<std::string>& list, std::string_view a) {
    std::erase_if(list, [&](const std::string& x) { return same(x, a); });
}

// Every definition has the same shape; one per operation below, reached through `def`.
struct OpDef {
    std::string_view name;
    TargetKind target;
    bool creates;
    Destructive destructive;
    Msg label;  ///< what policy reasons call it ("crear una cuenta")
    std::vector<ParamSpec> params;
    /// The sentence HR and IT read, given the address shown for the target (no id, alias or delay).
    std::string (*describe)(const Operation&, const std::string& who);
    /// The expected effect, given the target already looked up (may be null).
    Effect (*effect)(const DirectorySnapshot&, const Operation&, const DirectoryUser*,
                     const DirectoryGroup*, const NameKey&);
    /// What running the step does to a directory (the target may be null).
    void (*simulate)(DirectorySnapshot&, const Operation&);
};

using enum ParamType;

// ------------------------------------------------------------------ users

const OpDef& create_user_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::create_user)],
        TargetKind::user,
        true,
        Destructive::none,
        Msg::op_label_create_user,
        {{"email", address, true},
         {"first_name", text, true},
         {"last_name", text, true},
         {"display_name", text, false},
         {"password", generate, true},
         {"one_time_password", flag, false},
         {"role", role, false}},
        [](const Operation& op, const std::string& who) {
            std::string s =
                render(Msg::op_create_user, "who"_a = who, "first_name"_a = op.text("first_name"),
                       "last_name"_a = op.text("last_name"));
            if (!op.text("display_name").empty())
                s += render(Msg::op_part_display_name, "name"_a = op.text("display_name"));
            s += messages::text(op.flag("one_time_password") ? Msg::op_part_one_time_password
                                                             : Msg::op_part_generated_password);
            return s;
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser*,
           const DirectoryGroup*, const NameKey& key) {
            const auto email = op.text("email");
            const auto* u = d.find_user(email);
            if (u == nullptr) {
                if (d.address_taken(email))
                    return conflict(email + " is already used by a group",
                                    render(Msg::eff_address_in_use, "address"_a = email));
                return absent();
            }
            if (!same(u->address, email))
                return conflict(email + " is an alias of " + u->address,
                                render(Msg::eff_address_in_use, "address"_a = email));
            // Everything the step sets must match for the account to be the planned one.
            std::vector<std::string> differs;
            if (key_of(key, u->first_name) != key_of(key, op.text("first_name")) ||
                key_of(key, u->last_name) != key_of(key, op.text("last_name")))
                differs.push_back("it belongs to " + u->first_name + " " + u->last_name +
                                  ", not to " + op.text("first_name") + " " + op.text("last_name"));
            if (!op.text("display_name").empty() &&
                key_of(key, u->display_name) != key_of(key, op.text("display_name")))
                differs.push_back("its display name is " + u->display_name);
            if (!op.text("role").empty() && !same(u->role, op.text("role")))
                differs.push_back("its role is " + u->role);
            if (!differs.empty()) {
                std::string detail = email + " exists but ";
                for (std::size_t i = 0; i < differs.size(); ++i)
                    detail += (i ? "; " : "") + differs[i];
                return conflict(detail, render(Msg::eff_address_in_use, "address"_a = email));
            }
            return present(email + " exists with the planned names",
                           render(Msg::eff_address_in_use, "address"_a = email));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            DirectoryUser u;
            u.address = op.text("email");
            u.first_name = op.text("first_name");
            u.last_name = op.text("last_name");
            u.display_name = op.text("display_name");
            u.role = op.text("role").empty() ? "member" : op.text("role");
            d.users.push_back(std::move(u));
        },
    };
    return def_;
}

const OpDef& disable_user_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::disable_user)],
        TargetKind::user,
        false,
        Destructive::removal,
        Msg::op_label_disable_user,
        {{"email", address, true},
         {"block_incoming", flag, false},
         {"remove_forwards", flag, false},
         {"remove_groups", flag, false}},
        [](const Operation& op, const std::string& who) {
            std::string s = render(Msg::op_disable_user, "who"_a = who);
            std::vector<std::string_view> extra;
            if (op.flag("block_incoming"))
                extra.push_back(messages::text(Msg::op_part_block_incoming));
            if (op.flag("remove_forwards"))
                extra.push_back(messages::text(Msg::op_part_remove_forwards));
            if (op.flag("remove_groups"))
                extra.push_back(messages::text(Msg::op_part_remove_groups));
            for (std::size_t i = 0; i < extra.size(); ++i) {
                s += i == 0 || i + 1 != extra.size() ? std::string_view(", ")
                                                     : messages::text(Msg::list_and);
                s += extra[i];
            }
            return s;
        },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (u->enabled)
                return absent();
            return present(u->address + " is disabled",
                           render(Msg::eff_already_disabled, "address"_a = u->address));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            auto* u = mutable_user(d, op);
            if (u == nullptr)
                return;
            u->enabled = false;
            if (op.flag("remove_groups"))
                for (auto& g : d.groups)
                    std::erase_if(g.members, [&](const std::string& m) { return u->holds(m); });
        },
    };
    return def_;
}

const OpDef& enable_user_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::enable_user)],
        TargetKind::user,
        false,
        Destructive::none,
        Msg::op_label_enable_user,
        {{"email", address, true}, {"unblock_incoming", flag, false}},
        [](const Operation&, const std::string& who) {
            return render(Msg::op_enable_user, "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (!u->enabled)
                return absent();
            return present(u->address + " is enabled",
                           render(Msg::eff_already_enabled, "address"_a = u->address));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* u = mutable_user(d, op))
                u->enabled = true;
        },
    };
    return def_;
}

const OpDef& delete_user_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::delete_user)],
        TargetKind::user,
        false,
        Destructive::removal,
        Msg::op_label_delete_user,
        {{"email", address, true}},
        [](const Operation&, const std::string& who) {
            return render(Msg::op_delete_user, "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            // Only a disabled account is ever deleted: an enabled one may be a rehire.
            if (u->enabled)
                return conflict(u->address + " is enabled; only a disabled account is deleted",
                                render(Msg::eff_delete_enabled, "address"_a = u->address));
            return absent();
        },
        [](DirectorySnapshot& d, const Operation& op) {
            const auto* u = target_user(d, op);
            if (u == nullptr)
                return;
            const DirectoryUser copy = *u;
            std::erase_if(d.users, [&](const DirectoryUser& x) { return &x == u; });
            for (auto& g : d.groups)
                std::erase_if(g.members, [&](const std::string& m) { return copy.holds(m); });
        },
    };
    return def_;
}

const OpDef& reset_password_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::reset_password)],
        TargetKind::user,
        false,
        Destructive::none,
        Msg::op_label_reset_password,
        {{"email", address, true},
         {"password", generate, true},
         {"one_time_password", flag, false}},
        [](const Operation&, const std::string& who) {
            return render(Msg::op_reset_password, "who"_a = who);
        },
        // A reset leaves no readable trace: running it again only makes a newer password.
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser*, const DirectoryGroup*,
           const NameKey&) { return absent(); },
        [](DirectorySnapshot&, const Operation&) {},
    };
    return def_;
}

const OpDef& update_display_name_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::update_display_name)],
        TargetKind::user,
        false,
        Destructive::none,
        Msg::op_label_update_display_name,
        {{"email", address, true}, {"display_name", text, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_update_display_name, "who"_a = who,
                          "name"_a = op.text("display_name"));
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (u->display_name != op.text("display_name"))
                return absent();
            return present(u->address + " already shows " + u->display_name,
                           render(Msg::eff_same_display_name, "address"_a = u->address,
                                  "name"_a = u->display_name));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* u = mutable_user(d, op))
                u->display_name = op.text("display_name");
        },
    };
    return def_;
}

const OpDef& change_role_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::change_role)],
        TargetKind::user,
        false,
        Destructive::none,
        Msg::op_label_change_role,
        {{"email", address, true}, {"role", role, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_change_role, "who"_a = who, "role"_a = op.text("role"));
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (!same(u->role, op.text("role")))
                return absent();
            return present(
                u->address + " already has role " + u->role,
                render(Msg::eff_same_role, "address"_a = u->address, "role"_a = u->role));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* u = mutable_user(d, op))
                u->role = op.text("role");
        },
    };
    return def_;
}

const OpDef& add_alias_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::add_alias)],
        TargetKind::user,
        false,
        Destructive::none,
        Msg::op_label_add_alias,
        {{"email", address, true}, {"alias", address, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_add_alias, "alias"_a = op.text("alias"), "who"_a = who);
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            const auto alias = op.text("alias");
            if (u->has_alias(alias))
                return present(
                    alias + " is already an alias of " + u->address,
                    render(Msg::eff_alias_present, "alias"_a = alias, "address"_a = u->address));
            if (d.address_taken(alias))
                return conflict(alias + " is already in use",
                                render(Msg::eff_address_in_use, "address"_a = alias));
            return absent();
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* u = mutable_user(d, op))
                u->aliases.push_back(op.text("alias"));
        },
    };
    return def_;
}

const OpDef& remove_alias_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::remove_alias)],
        TargetKind::user,
        false,
        Destructive::detach,
        Msg::op_label_remove_alias,
        {{"email", address, true}, {"alias", address, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_remove_alias, "alias"_a = op.text("alias"), "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            const auto alias = op.text("alias");
            if (u->has_alias(alias))
                return absent();
            return present(
                alias + " is not an alias of " + u->address,
                render(Msg::eff_alias_absent, "alias"_a = alias, "address"_a = u->address));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* u = mutable_user(d, op))
                erase_address(u->aliases, op.text("alias"));
        },
    };
    return def_;
}

// ------------------------------------------------------------------ groups

const OpDef& create_group_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::create_group)],
        TargetKind::group,
        true,
        Destructive::none,
        Msg::op_label_create_group,
        {{"group", address, true}, {"name", text, true}, {"members", address_list, false}},
        [](const Operation& op, const std::string& who) {
            std::string s = render(Msg::op_create_group, "who"_a = who, "name"_a = op.text("name"));
            auto m = op.list("members");
            if (!m.empty())
                s += render(Msg::op_part_members, "members"_a = fmt::join(m, ", "));
            return s;
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser*,
           const DirectoryGroup*, const NameKey& key) {
            const auto group = op.text("group");
            const auto* g = d.find_group(group);
            const std::string taken = render(Msg::eff_group_address_in_use, "address"_a = group);
            if (g == nullptr) {
                if (d.address_taken(group))
                    return conflict(group + " is already used by a user or an alias", taken);
                return absent();
            }
            if (key_of(key, g->name) == key_of(key, op.text("name")))
                return present(group + " exists with the planned name", taken);
            return conflict(group + " exists with another name (" + g->name + ")", taken);
        },
        [](DirectorySnapshot& d, const Operation& op) {
            DirectoryGroup g;
            g.address = op.text("group");
            g.name = op.text("name");
            g.members = op.list("members");
            d.groups.push_back(std::move(g));
        },
    };
    return def_;
}

const OpDef& delete_group_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::delete_group)],
        TargetKind::group,
        false,
        Destructive::removal,
        Msg::op_label_delete_group,
        {{"group", address, true}},
        [](const Operation&, const std::string& who) {
            return render(Msg::op_delete_group, "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser*, const DirectoryGroup*,
           const NameKey&) { return absent(); },
        [](DirectorySnapshot& d, const Operation& op) {
            const auto* g = target_group(d, op);
            std::erase_if(d.groups, [&](const DirectoryGroup& x) { return &x == g; });
        },
    };
    return def_;
}

const OpDef& rename_group_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::rename_group)],
        TargetKind::group,
        false,
        Destructive::none,
        Msg::op_label_rename_group,
        {{"group", address, true}, {"name", text, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_rename_group, "who"_a = who, "name"_a = op.text("name"));
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            if (g->name != op.text("name"))
                return absent();
            return present(
                g->address + " is already named " + g->name,
                render(Msg::eff_group_named, "address"_a = g->address, "name"_a = g->name));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* g = mutable_group(d, op))
                g->name = op.text("name");
        },
    };
    return def_;
}

bool in_group(const DirectoryGroup& g, std::string_view member) {
    return std::any_of(g.members.begin(), g.members.end(),
                       [&](const std::string& m) { return same(m, member); });
}

const OpDef& add_group_member_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::add_group_member)],
        TargetKind::group,
        false,
        Destructive::none,
        Msg::op_label_add_group_member,
        {{"group", address, true}, {"member", address, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_add_group_member, "member"_a = op.text("member"), "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            const auto m = op.text("member");
            if (!in_group(*g, m))
                return absent();
            return present(
                m + " is a member of " + g->address,
                render(Msg::eff_member_present, "member"_a = m, "address"_a = g->address));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* g = mutable_group(d, op); g != nullptr && !in_group(*g, op.text("member")))
                g->members.push_back(op.text("member"));
        },
    };
    return def_;
}

const OpDef& remove_group_member_def() {
    static const OpDef def_{
        kOpNames[static_cast<std::size_t>(OpKind::remove_group_member)],
        TargetKind::group,
        false,
        Destructive::detach,
        Msg::op_label_remove_group_member,
        {{"group", address, true}, {"member", address, true}},
        [](const Operation& op, const std::string& who) {
            return render(Msg::op_remove_group_member, "member"_a = op.text("member"),
                          "who"_a = who);
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            const auto m = op.text("member");
            if (in_group(*g, m))
                return absent();
            return present(
                m + " is not a member of " + g->address,
                render(Msg::eff_member_absent, "member"_a = m, "address"_a = g->address));
        },
        [](DirectorySnapshot& d, const Operation& op) {
            if (auto* g = mutable_group(d, op))
                erase_address(g->members, op.text("member"));
        },
    };
    return def_;
}

// The one place an OpKind becomes its definition, made from HRMAILD_OPERATIONS: a listed
// operation without its `name_def()` does not compile.
const OpDef& def(OpKind kind) {
    switch (kind) {
#define HRMAILD_OP_DEF(name) \
    case OpKind::name:       \
        return name##_def();
        HRMAILD_OPERATIONS(HRMAILD_OP_DEF)
#undef HRMAILD_OP_DEF
    }
    std::abort();  // not an enumerator: memory corruption
}

const Value* find(const std::vector<std::pair<std::string, Value>>& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k == name)
            return &v;
    return nullptr;
}

}  // namespace

std::string_view op_name(OpKind kind) {
    return def(kind).name;
}

std::optional<OpKind> parse_op(std::string_view name) {
    for (auto k : kAllOps)
        if (def(k).name == name)
            return k;
    return std::nullopt;
}

std::vector<std::string_view> op_names() {
    std::vector<std::string_view> out;
    for (auto k : kAllOps)
        out.push_back(def(k).name);
    return out;
}

const std::vector<ParamSpec>& op_params(OpKind kind) {
    return def(kind).params;
}

bool is_destructive(OpKind kind) {
    return def(kind).destructive != Destructive::none;
}

Destructive destructive_class(OpKind kind) {
    return def(kind).destructive;
}

TargetKind target_kind(OpKind kind) {
    return def(kind).target;
}

bool creates_target(OpKind kind) {
    return def(kind).creates;
}

std::string_view op_label(OpKind kind) {
    return messages::text(def(kind).label);
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

std::string Operation::target_address() const {
    return text(target_kind(kind) == TargetKind::user ? "email" : "group");
}

const DirectoryUser* target_user(const DirectorySnapshot& d, const Operation& op) {
    if (target_kind(op.kind) != TargetKind::user)
        return nullptr;
    if (!op.target.zuid.empty())
        return d.find_user_by_id(op.target.zuid);
    if (!op.target.account_id.empty())
        return d.find_user_by_id(op.target.account_id);
    const auto email = op.text("email");
    return email.empty() ? nullptr : d.find_user(email);
}

const DirectoryGroup* target_group(const DirectorySnapshot& d, const Operation& op) {
    if (target_kind(op.kind) != TargetKind::group)
        return nullptr;
    if (!op.target.zgid.empty())
        return d.find_group_by_id(op.target.zgid);
    const auto group = op.text("group");
    return group.empty() ? nullptr : d.find_group(group);
}

Effect expected_effect(const DirectorySnapshot& d, const Operation& op, const NameKey& key) {
    const auto& df = def(op.kind);
    if (df.creates)
        return df.effect(d, op, nullptr, nullptr, key);
    const DirectoryUser* u = nullptr;
    const DirectoryGroup* g = nullptr;
    std::string primary;
    if (df.target == TargetKind::user) {
        u = target_user(d, op);
        if (u == nullptr)
            return no_target(op.text("email") + " does not exist" +
                             (op.target.zuid.empty() ? "" : " (zuid " + op.target.zuid + ")"));
        primary = u->address;
    } else {
        g = target_group(d, op);
        if (g == nullptr)
            return no_target(op.text("group") + " does not exist" +
                             (op.target.zgid.empty() ? "" : " (zgid " + op.target.zgid + ")"));
        primary = g->address;
    }
    // The id now names another address: not the account or group that was planned.
    if (!op.target.address.empty() && !same(primary, op.target.address)) {
        const auto& id = df.target == TargetKind::user ? op.target.zuid : op.target.zgid;
        return conflict(
            "target changed: id " + id + " is now " + primary + ", planned " + op.target.address,
            render(
                df.target == TargetKind::user ? Msg::eff_account_changed : Msg::eff_group_changed,
                "address"_a = op.target.address));
    }
    return df.effect(d, op, u, g, key);
}

void simulate(DirectorySnapshot& d, const Operation& op) {
    def(op.kind).simulate(d, op);
}

Target target_of(const DirectoryUser& user) {
    Target t;
    if (user.zuid.empty() && user.account_id.empty())
        return t;
    t.address = user.address;
    t.zuid = user.zuid;
    t.account_id = user.account_id;
    return t;
}

Target resolve_target(const DirectorySnapshot& d, const Operation& op) {
    Target t;
    if (creates_target(op.kind))
        return t;
    if (target_kind(op.kind) == TargetKind::user) {
        // Looked up by the typed address: this is where an alias becomes its owner's account.
        if (const auto* u = d.find_user(op.text("email")))
            t = target_of(*u);
        return t;
    }
    if (const auto* g = d.find_group(op.text("group")); g != nullptr && !g->zgid.empty()) {
        t.address = g->address;
        t.zgid = g->zgid;
    }
    if (op.kind == OpKind::add_group_member || op.kind == OpKind::remove_group_member)
        if (const auto* m = d.find_user(op.text("member")); m != nullptr && !t.zgid.empty())
            t.member_zuid = m->zuid;
    return t;
}

std::string describe_operation(const Operation& op) {
    const auto& df = def(op.kind);
    // The target is shown by address and, when bound, by its Zoho id right after it.
    auto who = shown(op);
    const auto& id = df.target == TargetKind::user ? op.target.zuid : op.target.zgid;
    if (!id.empty())
        who += render(Msg::op_part_zoho_id, "id"_a = id);
    std::string s = df.describe(op, who);
    const auto typed = op.target_address();
    if (!op.target.address.empty() && !same(typed, op.target.address))
        s += render(Msg::op_part_alias_of, "typed"_a = typed, "address"_a = op.target.address);
    if (op.after_days > 0)
        s += render(Msg::op_part_after_days, "days"_a = op.after_days);
    return s + ".";
}

}  // namespace hrmaild::domain
