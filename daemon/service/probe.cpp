#include "daemon/domain/plan.hpp"
#include "daemon/service/ports.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hrmaild::service {
namespace {

Probe done(std::string detail = {}) {
    return {ProbeState::done, std::move(detail)};
}
Probe not_done(std::string detail = {}) {
    return {ProbeState::not_done, std::move(detail)};
}
Probe conflict(std::string detail) {
    return {ProbeState::conflict, std::move(detail)};
}

// Names compare without regard to case or accents ("PÉREZ" is "Pérez").
bool same_name(const std::string& a, const std::string& b) {
    return workflow::fold(a) == workflow::fold(b);
}

bool has_alias(const domain::DirectoryUser& u, const std::string& alias) {
    auto key = domain::ascii_lower(alias);
    return std::any_of(u.aliases.begin(), u.aliases.end(),
                       [&](const std::string& a) { return domain::ascii_lower(a) == key; });
}

}  // namespace

Probe probe_snapshot(const domain::DirectorySnapshot& dir, const domain::Operation& op) {
    using domain::OpKind;
    const auto email = op.text("email");
    const auto group = op.text("group");
    const domain::DirectoryUser* user = email.empty() ? nullptr : dir.find_user(email);
    const domain::DirectoryGroup* grp = group.empty() ? nullptr : dir.find_group(group);
    switch (op.kind) {
        case OpKind::create_user: {
            if (!user) {
                if (dir.address_taken(email))
                    return conflict(
                        fmt::format("{} is already used by a group or an alias", email));
                return not_done();
            }
            if (domain::ascii_lower(user->address) != domain::ascii_lower(email))
                return conflict(fmt::format("{} is an alias of {}", email, user->address));
            if (same_name(user->first_name, op.text("first_name")) &&
                same_name(user->last_name, op.text("last_name")))
                return done(fmt::format("{} exists with the planned names", email));
            return conflict(fmt::format("{} belongs to {} {}, not to {} {}", email,
                                        user->first_name, user->last_name, op.text("first_name"),
                                        op.text("last_name")));
        }
        case OpKind::disable_user:
            if (!user)
                return done(fmt::format("{} no longer exists", email));
            return user->enabled ? not_done() : done(fmt::format("{} is disabled", email));
        case OpKind::enable_user:
            if (!user)
                return conflict(fmt::format("{} does not exist", email));
            return user->enabled ? done(fmt::format("{} is enabled", email)) : not_done();
        case OpKind::delete_user:
            return user ? not_done() : done(fmt::format("{} no longer exists", email));
        case OpKind::reset_password:
            // A reset leaves no readable trace; running it again only makes a newer password,
            // which is then the one delivered.
            if (!user)
                return conflict(fmt::format("{} does not exist", email));
            return not_done();
        case OpKind::update_display_name:
            if (!user)
                return conflict(fmt::format("{} does not exist", email));
            return user->display_name == op.text("display_name") ? done() : not_done();
        case OpKind::change_role:
            if (!user)
                return conflict(fmt::format("{} does not exist", email));
            return user->role == op.text("role") ? done() : not_done();
        case OpKind::add_alias:
            if (!user)
                return conflict(fmt::format("{} does not exist", email));
            if (has_alias(*user, op.text("alias")))
                return done();
            if (dir.address_taken(op.text("alias")))
                return conflict(fmt::format("{} is already in use", op.text("alias")));
            return not_done();
        case OpKind::remove_alias:
            if (!user)
                return done(fmt::format("{} no longer exists", email));
            return has_alias(*user, op.text("alias")) ? not_done() : done();
        case OpKind::create_group:
            if (!grp) {
                if (dir.address_taken(group))
                    return conflict(fmt::format("{} is already used by a user or an alias", group));
                return not_done();
            }
            return same_name(grp->name, op.text("name"))
                       ? done(fmt::format("{} exists with the planned name", group))
                       : conflict(
                             fmt::format("{} exists with another name ({})", group, grp->name));
        case OpKind::delete_group:
            return grp ? not_done() : done(fmt::format("{} no longer exists", group));
        case OpKind::rename_group:
            if (!grp)
                return conflict(fmt::format("{} does not exist", group));
            return grp->name == op.text("name") ? done() : not_done();
        case OpKind::add_group_member:
            if (!grp)
                return conflict(fmt::format("{} does not exist", group));
            return dir.is_member(group, op.text("member")) ? done() : not_done();
        case OpKind::remove_group_member:
            if (!grp)
                return done(fmt::format("{} no longer exists", group));
            return dir.is_member(group, op.text("member")) ? not_done() : done();
    }
    return not_done();
}

}  // namespace hrmaild::service
