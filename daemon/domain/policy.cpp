#include "daemon/domain/policy.hpp"

#include <algorithm>

namespace hrmaild::domain {
namespace {

std::string default_key(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : ascii_lower(s)) {
        if (c == ' ' || c == '\t' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
    auto key = ascii_lower(item);
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& s) { return ascii_lower(s) == key; });
}

void add_reason(PolicyDecision& d, std::string reason) {
    if (std::find(d.reasons.begin(), d.reasons.end(), reason) == d.reasons.end())
        d.reasons.push_back(std::move(reason));
}

// A refusal reason goes before every approval reason: it is what HR and IT must read first.
void add_refusal(PolicyDecision& d, std::string reason) {
    if (std::find(d.reasons.begin(), d.reasons.end(), reason) != d.reasons.end())
        return;
    auto first_approval =
        std::find_if(d.reasons.begin(), d.reasons.end(), [](const std::string& r) {
            return r.find("protegida: ningún flujo") == std::string::npos;
        });
    d.reasons.insert(first_approval, std::move(reason));
}

// Spanish names of operations, for reasons HR and IT read.
std::string_view op_label(OpKind k) {
    switch (k) {
        case OpKind::create_user:
            return "crear una cuenta";
        case OpKind::disable_user:
            return "desactivar una cuenta";
        case OpKind::enable_user:
            return "reactivar una cuenta";
        case OpKind::delete_user:
            return "eliminar una cuenta";
        case OpKind::reset_password:
            return "restablecer una contraseña";
        case OpKind::update_display_name:
            return "cambiar el nombre para mostrar";
        case OpKind::change_role:
            return "cambiar el rol de una cuenta";
        case OpKind::add_alias:
            return "agregar un alias";
        case OpKind::remove_alias:
            return "quitar un alias";
        case OpKind::create_group:
            return "crear un grupo";
        case OpKind::delete_group:
            return "eliminar un grupo";
        case OpKind::rename_group:
            return "renombrar un grupo";
        case OpKind::add_group_member:
            return "agregar un miembro a un grupo";
        case OpKind::remove_group_member:
            return "quitar un miembro de un grupo";
    }
    return "";
}

}  // namespace

PolicyDecision evaluate_policy(const Plan& plan, const PolicyRules& rules,
                               const DirectorySnapshot& directory, bool workflow_requires_approval,
                               const NameKey& name_key) {
    PolicyDecision d;
    auto key = [&](std::string_view s) { return name_key ? name_key(s) : default_key(s); };
    if (workflow_requires_approval) {
        d.approval_required = true;
        add_reason(d, "El flujo «" + plan.workflow + "» siempre requiere aprobación de TI.");
    }
    int destructive = 0;
    for (const auto& op : plan.steps) {
        if (is_destructive(op.kind))
            ++destructive;
        if (contains(rules.always_approve, op_name(op.kind))) {
            d.approval_required = true;
            add_reason(d, "Para " + std::string(op_label(op.kind)) +
                              " siempre se requiere aprobación de TI.");
        }
        for (const auto& a : op.addresses()) {
            auto domain = address_domain(a);
            if (!contains(rules.allowed_domains, domain)) {
                d.approval_required = true;
                std::string allowed;
                for (const auto& x : rules.allowed_domains)
                    allowed += (allowed.empty() ? "" : ", ") + x;
                add_reason(d, "La dirección " + a + " está fuera de los dominios permitidos (" +
                                  allowed + ").");
            }
        }
        // The account an operation changes: the user, or the group for group operations.
        std::string target = op.text("email");
        if (target.empty())
            target = op.text("group");
        bool removes = op.kind == OpKind::disable_user || op.kind == OpKind::delete_user ||
                       op.kind == OpKind::delete_group;
        if (!target.empty() && contains(rules.protected_accounts, target)) {
            if (removes) {
                d.refused = true;
                add_refusal(d, "La cuenta " + target +
                                   " está protegida: ningún flujo puede desactivarla ni "
                                   "eliminarla, aunque alguien lo apruebe.");
            } else {
                d.approval_required = true;
                add_reason(d, "La cuenta " + target +
                                  " está protegida: cualquier cambio requiere aprobación de TI.");
            }
        }
        auto member = op.text("member");
        if (!member.empty() && contains(rules.protected_accounts, member)) {
            d.approval_required = true;
            add_reason(d, "La cuenta " + member +
                              " está protegida: cualquier cambio requiere aprobación de TI.");
        }
        if (op.kind == OpKind::create_user) {
            auto first = key(op.text("first_name"));
            auto last = key(op.text("last_name"));
            for (const auto& u : directory.users) {
                if (key(u.first_name) == first && key(u.last_name) == last) {
                    d.approval_required = true;
                    add_reason(d, "Ya existe una cuenta con el mismo nombre (" + u.first_name +
                                      " " + u.last_name + "): " + u.address +
                                      ". Confirme que no es una solicitud repetida.");
                }
            }
        }
    }
    if (destructive > rules.max_destructive_per_plan) {
        d.approval_required = true;
        add_reason(d, "El plan tiene " + std::to_string(destructive) +
                          " operaciones destructivas; el máximo sin aprobación es " +
                          std::to_string(rules.max_destructive_per_plan) + ".");
    }
    return d;
}

}  // namespace hrmaild::domain
