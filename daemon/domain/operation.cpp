#include "daemon/domain/operation.hpp"

#include "daemon/core/text.hpp"
#include "daemon/domain/plan.hpp"

#include <algorithm>
#include <cstdlib>

// A switch over OpKind that forgets an operation must not compile, whatever the build flags.
#pragma GCC diagnostic error "-Wswitch"

namespace hrmaild::domain {
namespace {

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
Effect present(std::string detail, std::string spanish) {
    return {EffectState::present, std::move(detail), std::move(spanish)};
}
Effect conflict(std::string detail, std::string spanish) {
    return {EffectState::conflict, std::move(detail), std::move(spanish)};
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
    std::string_view label;  ///< Spanish, for policy reasons
    std::vector<ParamSpec> params;
    /// The Spanish sentence, given the address shown for the target (no id, alias or delay).
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
        "crear una cuenta",
        {{"email", address, true},
         {"first_name", text, true},
         {"last_name", text, true},
         {"display_name", text, false},
         {"password", generate, true},
         {"one_time_password", flag, false},
         {"role", role, false}},
        [](const Operation& op, const std::string& who) {
            std::string s = "Crear la cuenta " + who + " (" + op.text("first_name") + " " +
                            op.text("last_name") + ")";
            if (!op.text("display_name").empty())
                s += ", nombre para mostrar «" + op.text("display_name") + "»";
            s += op.flag("one_time_password") ? ", con contraseña temporal que se cambia al entrar"
                                              : ", con contraseña generada";
            return s;
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser*,
           const DirectoryGroup*, const NameKey& key) {
            const auto email = op.text("email");
            const auto* u = d.find_user(email);
            if (u == nullptr) {
                if (d.address_taken(email))
                    return conflict(email + " is already used by a group",
                                    "La dirección " + email + " ya está en uso.");
                return absent();
            }
            if (!same(u->address, email))
                return conflict(email + " is an alias of " + u->address,
                                "La dirección " + email + " ya está en uso.");
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
                return conflict(detail, "La dirección " + email + " ya está en uso.");
            }
            return present(email + " exists with the planned names",
                           "La dirección " + email + " ya está en uso.");
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
        "desactivar una cuenta",
        {{"email", address, true},
         {"block_incoming", flag, false},
         {"remove_forwards", flag, false},
         {"remove_groups", flag, false}},
        [](const Operation& op, const std::string& who) {
            std::string s = "Desactivar la cuenta " + who;
            std::vector<std::string> extra;
            if (op.flag("block_incoming"))
                extra.emplace_back("bloquear el correo entrante");
            if (op.flag("remove_forwards"))
                extra.emplace_back("quitar los reenvíos");
            if (op.flag("remove_groups"))
                extra.emplace_back("quitarla de sus grupos");
            for (std::size_t i = 0; i < extra.size(); ++i)
                s += (i == 0 ? ", " : (i + 1 == extra.size() ? " y " : ", ")) + extra[i];
            return s;
        },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (u->enabled)
                return absent();
            return present(
                u->address + " is disabled",
                "La cuenta " + u->address + " ya está desactivada; no se desactiva de nuevo.");
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
        "reactivar una cuenta",
        {{"email", address, true}, {"unblock_incoming", flag, false}},
        [](const Operation&, const std::string& who) { return "Reactivar la cuenta " + who; },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (!u->enabled)
                return absent();
            return present(u->address + " is enabled",
                           "La cuenta " + u->address + " ya está activa; no se reactiva de nuevo.");
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
        "eliminar una cuenta",
        {{"email", address, true}},
        [](const Operation&, const std::string& who) { return "Eliminar la cuenta " + who; },
        [](const DirectorySnapshot&, const Operation&, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            // Only a disabled account is ever deleted: an enabled one may be a rehire.
            if (u->enabled)
                return conflict(u->address + " is enabled; only a disabled account is deleted",
                                "La cuenta " + u->address +
                                    " está activa: debe desactivarse antes de eliminarla.");
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
        "restablecer una contraseña",
        {{"email", address, true},
         {"password", generate, true},
         {"one_time_password", flag, false}},
        [](const Operation&, const std::string& who) {
            return "Restablecer la contraseña de " + who +
                   " (contraseña temporal, entregada en privado)";
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
        "cambiar el nombre para mostrar",
        {{"email", address, true}, {"display_name", text, true}},
        [](const Operation& op, const std::string& who) {
            return "Cambiar el nombre para mostrar de " + who + " a «" + op.text("display_name") +
                   "»";
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (u->display_name != op.text("display_name"))
                return absent();
            return present(u->address + " already shows " + u->display_name,
                           "La cuenta " + u->address + " ya tiene el nombre para mostrar «" +
                               u->display_name + "».");
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
        "cambiar el rol de una cuenta",
        {{"email", address, true}, {"role", role, true}},
        [](const Operation& op, const std::string& who) {
            return "Cambiar el rol de " + who + " a " + op.text("role");
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            if (!same(u->role, op.text("role")))
                return absent();
            return present(u->address + " already has role " + u->role,
                           "La cuenta " + u->address + " ya tiene el rol " + u->role + ".");
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
        "agregar un alias",
        {{"email", address, true}, {"alias", address, true}},
        [](const Operation& op, const std::string& who) {
            return "Agregar el alias " + op.text("alias") + " a " + who;
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            const auto alias = op.text("alias");
            if (u->has_alias(alias))
                return present(
                    alias + " is already an alias of " + u->address,
                    alias + " ya es un alias de " + u->address + "; no se agrega de nuevo.");
            if (d.address_taken(alias))
                return conflict(alias + " is already in use",
                                "La dirección " + alias + " ya está en uso.");
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
        "quitar un alias",
        {{"email", address, true}, {"alias", address, true}},
        [](const Operation& op, const std::string& who) {
            return "Quitar el alias " + op.text("alias") + " de " + who;
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser* u,
           const DirectoryGroup*, const NameKey&) {
            const auto alias = op.text("alias");
            if (u->has_alias(alias))
                return absent();
            return present(
                alias + " is not an alias of " + u->address,
                alias + " no es un alias de " + u->address + "; no hay nada que quitar.");
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
        "crear un grupo",
        {{"group", address, true}, {"name", text, true}, {"members", address_list, false}},
        [](const Operation& op, const std::string& who) {
            std::string s = "Crear el grupo " + who + " («" + op.text("name") + "»)";
            auto m = op.list("members");
            if (!m.empty()) {
                s += " con ";
                for (std::size_t i = 0; i < m.size(); ++i)
                    s += (i ? ", " : "") + m[i];
            }
            return s;
        },
        [](const DirectorySnapshot& d, const Operation& op, const DirectoryUser*,
           const DirectoryGroup*, const NameKey& key) {
            const auto group = op.text("group");
            const auto* g = d.find_group(group);
            const std::string taken =
                "La dirección " + group + " ya está en uso por otra cuenta o grupo.";
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
        "eliminar un grupo",
        {{"group", address, true}},
        [](const Operation&, const std::string& who) { return "Eliminar el grupo " + who; },
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
        "renombrar un grupo",
        {{"group", address, true}, {"name", text, true}},
        [](const Operation& op, const std::string& who) {
            return "Renombrar el grupo " + who + " a «" + op.text("name") + "»";
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            if (g->name != op.text("name"))
                return absent();
            return present(g->address + " is already named " + g->name,
                           "El grupo " + g->address + " ya se llama «" + g->name + "».");
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
        "agregar un miembro a un grupo",
        {{"group", address, true}, {"member", address, true}},
        [](const Operation& op, const std::string& who) {
            return "Agregar " + op.text("member") + " al grupo " + who;
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            const auto m = op.text("member");
            if (!in_group(*g, m))
                return absent();
            return present(m + " is a member of " + g->address,
                           m + " ya es miembro de " + g->address + "; no se agrega de nuevo.");
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
        "quitar un miembro de un grupo",
        {{"group", address, true}, {"member", address, true}},
        [](const Operation& op, const std::string& who) {
            return "Quitar " + op.text("member") + " del grupo " + who;
        },
        [](const DirectorySnapshot&, const Operation& op, const DirectoryUser*,
           const DirectoryGroup* g, const NameKey&) {
            const auto m = op.text("member");
            if (in_group(*g, m))
                return absent();
            return present(m + " is not a member of " + g->address,
                           m + " no es miembro de " + g->address + "; no hay nada que quitar.");
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
    return def(kind).label;
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
            std::string(df.target == TargetKind::user ? "La cuenta " : "El grupo ") +
                op.target.address + " cambió desde que se planeó.");
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
        who += " (id Zoho " + id + ")";
    std::string s = df.describe(op, who);
    const auto typed = op.target_address();
    if (!op.target.address.empty() && !same(typed, op.target.address))
        s += "; " + typed + " es un alias de " + op.target.address;
    if (op.after_days > 0)
        s += ", dentro de " + std::to_string(op.after_days) + " días";
    return s + ".";
}

}  // namespace hrmaild::domain
