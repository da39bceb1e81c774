#include "daemon/app/zoho_directory.hpp"

#include "daemon/app/port_error.hpp"
#include "daemon/zoho/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

// A switch over OpKind that forgets an operation must not compile, whatever the build flags.
#pragma GCC diagnostic error "-Wswitch"

namespace hrmaild::app {
namespace {

net::CallError not_found(std::string code, std::string message) {
    net::CallError e;
    e.kind = core::ErrorKind::permanent;
    e.http_status = 404;
    e.service_code = std::move(code);
    e.message = std::move(message);
    return e;
}

net::CallError conflict(std::string message) {
    net::CallError e;
    e.kind = core::ErrorKind::conflict;
    e.service_code = "TARGET_CHANGED";
    e.message = std::move(message);
    return e;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0)
        return std::nullopt;
    return v;
}

bool same_address(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::vector<const domain::Operation*> with_riders(const domain::Operation& op,
                                                  const std::vector<domain::Operation>& riders) {
    std::vector<const domain::Operation*> all{&op};
    for (const auto& r : riders)
        all.push_back(&r);
    return all;
}

bool bound(const domain::Operation& op) {
    return domain::target_kind(op.kind) == domain::TargetKind::user ? !op.target.zuid.empty()
                                                                    : !op.target.zgid.empty();
}

}  // namespace

ZohoMailDirectory::ZohoMailDirectory(zoho::ZohoClient& client, zoho::DirectoryCache& cache)
    : client_(client), cache_(cache) {}

service::Awaitable<service::Outcome<service::SnapshotPtr>> ZohoMailDirectory::snapshot(bool fresh) {
    // (no co_await inside ?: — GCC 12 miscompiles the temporaries)
    net::Outcome<std::shared_ptr<const domain::DirectorySnapshot>> s = net::CallError{};
    if (fresh)
        s = co_await cache_.refresh();
    else
        s = co_await cache_.snapshot();
    if (!s)
        co_return to_port_error(s.error());
    co_return *s;
}

service::Awaitable<service::Outcome<service::SnapshotPtr>> ZohoMailDirectory::snapshot_since(
    core::WallTime since) {
    const auto loaded = cache_.loaded_wall_at();
    const bool recent = loaded && *loaded >= since && !cache_.stale();
    co_return co_await snapshot(!recent);
}

service::Awaitable<net::Outcome<ZohoMailDirectory::Live>> ZohoMailDirectory::read_target(
    const domain::Operation& op) {
    Live live;
    if (domain::target_kind(op.kind) == domain::TargetKind::user) {
        net::Outcome<zoho::User> u = net::CallError{};
        if (bound(op)) {
            auto id = parse_id(op.target.zuid);
            if (!id)
                co_return net::permanent_error(
                    fmt::format("the plan binds {} to a malformed zuid '{}'", op.text("email"),
                                op.target.zuid));
            u = co_await client_.get_user_by_id(*id);
        } else {
            u = co_await client_.get_user(op.text("email"));
        }
        if (u)
            live.user = std::move(*u);
        else if (!zoho::is_not_found(u.error()))
            co_return u.error();
        co_return live;
    }
    if (bound(op)) {
        auto id = parse_id(op.target.zgid);
        if (!id)
            co_return net::permanent_error(fmt::format("the plan binds {} to a malformed zgid '{}'",
                                                       op.text("group"), op.target.zgid));
        auto g = co_await client_.get_group(*id);
        if (g)
            live.group = std::move(*g);
        else if (!zoho::is_not_found(g.error()))
            co_return g.error();
        co_return live;
    }
    // A group the plan did not bind: its id from the cached directory, read by id (listing
    // every group costs a request per page); the list only when the cache does not know it.
    if (auto snap = cache_.current()) {
        if (const auto* known = snap->find_group(op.text("group"));
            known != nullptr && parse_id(known->zgid)) {
            auto g = co_await client_.get_group(*parse_id(known->zgid));
            if (g && same_address(g->address, op.text("group"))) {
                live.group = std::move(*g);
                co_return live;
            }
            if (!g && !zoho::is_not_found(g.error()))
                co_return g.error();
        }
    }
    auto g = co_await client_.find_group(op.text("group"));
    if (!g)
        co_return g.error();
    live.group = std::move(*g);
    co_return live;
}

service::Awaitable<service::Outcome<std::string>> ZohoMailDirectory::apply(
    const domain::Operation& op, const Secret* password) {
    co_return co_await apply_fused(op, password, {});
}

service::Awaitable<service::Outcome<std::string>> ZohoMailDirectory::apply_fused(
    const domain::Operation& op, const Secret* password,
    const std::vector<domain::Operation>& riders) {
    created_user_.reset();
    created_group_.reset();
    auto r = co_await perform(op, password, riders);
    // What Zoho confirmed is applied to the cached directory; after a failure (or an answer
    // lost) the directory is not what we think: the next snapshot reads it again.
    if (r)
        remember(op, riders);
    else
        cache_.invalidate();
    co_return to_port(std::move(r));
}

void ZohoMailDirectory::remember(const domain::Operation& op,
                                 const std::vector<domain::Operation>& riders) {
    cache_.update([&](domain::DirectorySnapshot& d) {
        if (op.kind == domain::OpKind::create_user && created_user_) {
            d.users.push_back(zoho::to_directory_user(*created_user_));
            // The answer may not carry every field we sent.
            auto& u = d.users.back();
            if (u.address.empty())
                u.address = op.text("email");
            if (u.first_name.empty() && u.last_name.empty()) {
                u.first_name = op.text("first_name");
                u.last_name = op.text("last_name");
            }
        } else if (op.kind == domain::OpKind::create_group && created_group_) {
            auto g = zoho::to_directory_group(*created_group_);
            if (g.members.empty())
                g.members = op.list("members");
            d.groups.push_back(std::move(g));
        } else {
            domain::simulate(d, op);
        }
        for (const auto& r : riders)
            domain::simulate(d, r);
    });
}

service::Awaitable<net::Outcome<std::string>> ZohoMailDirectory::perform(
    const domain::Operation& op, const Secret* password,
    const std::vector<domain::Operation>& riders) {
    using K = domain::OpKind;
    for (const auto& r : riders) {
        const bool fits =
            (op.kind == K::create_user && r.kind == K::add_group_member) ||
            (op.kind == K::disable_user && op.flag("remove_groups") &&
             r.kind == K::remove_group_member) ||
            ((op.kind == K::add_group_member || op.kind == K::remove_group_member) &&
             r.kind == op.kind && r.target.zgid == op.target.zgid && !op.target.zgid.empty());
        if (!fits)
            co_return net::permanent_error(fmt::format("{} cannot carry {} in one call",
                                                       domain::op_name(op.kind),
                                                       domain::op_name(r.kind)));
    }
    if (domain::creates_target(op.kind))
        co_return co_await call(op, password, nullptr, nullptr, riders);
    const bool destructive = domain::is_destructive(op.kind);
    const auto address = op.target_address();
    // A destructive step, or a new password, acts only on the account the plan bound.
    if (!bound(op) && (destructive || op.kind == domain::OpKind::reset_password))
        co_return conflict(fmt::format("target not bound: {} {} names no Zoho id; plan it again",
                                       domain::op_name(op.kind), address));

    if (op.kind == domain::OpKind::add_group_member && bound(op) && !cache_.stale()) {
        // Adding members removes nothing, so the group is not read first when the cached
        // directory (kept current with every change Zoho confirms) knows it by the bound id and
        // shows none of the requested members in it: one PUT with every one of them. A member
        // there after all is settled by the client (MEMBER_ALREADY_EXISTS: it reads the group
        // and adds the rest). When the cache shows one in already, the read below decides
        // whom to leave out (a stale cache never makes a member be skipped).
        const auto snap = cache_.current();
        const auto* known = snap ? snap->find_group_by_id(op.target.zgid) : nullptr;
        const auto zgid = parse_id(op.target.zgid);
        if (known != nullptr && zgid && same_address(known->address, op.text("group"))) {
            bool any_in = false;
            for (const auto* o : with_riders(op, riders))
                any_in = any_in || std::any_of(known->members.begin(), known->members.end(),
                                               [&](const std::string& m) {
                                                   return same_address(m, o->text("member"));
                                               });
            if (!any_in) {
                zoho::Group unread;  // no members: none is left out of the PUT
                unread.zgid = *zgid;
                unread.address = known->address;
                co_return co_await call(op, password, nullptr, &unread, riders);
            }
        }
    }
    auto live = co_await read_target(op);
    if (!live)
        co_return live.error();
    if (!live->user && !live->group) {
        if (destructive)  // a removal that finds its target gone has nothing left to do
            co_return fmt::format("{} already gone", address);
        co_return not_found(domain::target_kind(op.kind) == domain::TargetKind::user
                                ? "USER_NOT_FOUND"
                                : "GROUP_NOT_FOUND",
                            fmt::format("{} does not exist", address));
    }
    // Still the planned target? The operation's expected effect, judged on what was just
    // read: the id must still name the planned primary address, and the step must not meet
    // something else (an enabled account to delete...).
    domain::DirectorySnapshot now;
    if (live->user)
        now.users.push_back(zoho::to_directory_user(*live->user));
    if (live->group)
        now.groups.push_back(zoho::to_directory_group(*live->group));
    auto effect = domain::expected_effect(now, op);
    switch (effect.state) {
        case domain::EffectState::conflict:
            co_return conflict(effect.detail.starts_with("target changed")
                                   ? effect.detail
                                   : "target changed: " + effect.detail);
        case domain::EffectState::no_target:
            // Read by id, yet the id does not match: not the planned target.
            co_return conflict(
                fmt::format("target changed: {} no longer answers to the planned id", address));
        case domain::EffectState::present:
            if (!riders.empty())
                break;  // the riders may still have work to do: one call does it all
            // Detaching what is not attached changes nothing; other steps still run (a disable
            // applies its options, a reset makes the password that is delivered).
            if (domain::destructive_class(op.kind) == domain::Destructive::detach ||
                op.kind == domain::OpKind::add_group_member)
                co_return fmt::format("already as planned: {}", effect.detail);
            break;
        case domain::EffectState::absent:
            break;
    }
    auto r = co_await call(op, password, live->user ? &*live->user : nullptr,
                           live->group ? &*live->group : nullptr, riders);
    if (!r && destructive && zoho::is_not_found(r.error()))
        co_return fmt::format("{} already gone", address);
    co_return r;
}

service::Awaitable<net::Outcome<std::string>> ZohoMailDirectory::call(
    const domain::Operation& op, const Secret* password, const zoho::User* u, const zoho::Group* g,
    const std::vector<domain::Operation>& riders) {
    using K = domain::OpKind;
    const auto email = op.text("email");
    const auto group_address = op.text("group");
    auto done = [](net::Outcome<void> r, std::string what) -> net::Outcome<std::string> {
        if (!r)
            return r.error();
        return what;
    };
    // Every case below has its target read (u or g) except the two creates.
    switch (op.kind) {
        case K::create_user: {
            if (!password)
                co_return net::permanent_error("create_user needs a password");
            zoho::NewUser nu;
            nu.primary_address = email;
            nu.password = *password;
            nu.first_name = op.text("first_name");
            nu.last_name = op.text("last_name");
            nu.display_name = op.text("display_name");
            if (auto role = op.text("role"); !role.empty())
                nu.role = role;
            nu.one_time_password = true;
            // The new account's memberships in the same call (groupMailList).
            for (const auto& r : riders)
                nu.groups.push_back(r.target.address.empty() ? r.text("group") : r.target.address);
            auto created = co_await client_.add_user(std::move(nu));
            if (!created)
                co_return created.error();
            created_user_ = *created;
            co_return fmt::format("created {} zuid={} accountId={}{}", email, created->zuid,
                                  created->account_id,
                                  riders.empty() ? "" : fmt::format(" groups={}", riders.size()));
        }
        case K::create_group: {
            zoho::NewGroup ng;
            ng.address = group_address;
            ng.name = op.text("name");
            for (const auto& m : op.list("members")) {
                zoho::GroupMember member;
                member.address = m;
                ng.members.push_back(std::move(member));
            }
            auto created = co_await client_.create_group(std::move(ng));
            if (!created)
                co_return created.error();
            created_group_ = *created;
            co_return fmt::format("created group {} zgid={}", group_address, created->zgid);
        }
        case K::disable_user: {
            zoho::DisableOptions o;
            o.block_incoming = op.flag("block_incoming");
            o.remove_mail_forward = op.flag("remove_forwards");
            o.remove_group_membership = op.flag("remove_groups");
            co_return done(co_await client_.disable_user(u->ref(), o),
                           fmt::format("disabled {} zuid={}", u->primary_address, u->zuid));
        }
        case K::enable_user:
            co_return done(co_await client_.enable_user(u->ref(), op.flag("unblock_incoming")),
                           fmt::format("enabled {} zuid={}", u->primary_address, u->zuid));
        case K::delete_user: {
            std::vector<std::int64_t> zuids(1, u->zuid);
            co_return done(co_await client_.delete_users(std::move(zuids)),
                           fmt::format("deleted {} zuid={}", u->primary_address, u->zuid));
        }
        case K::reset_password:
            if (!password)
                co_return net::permanent_error("reset_password needs a password");
            co_return done(
                co_await client_.reset_password(u->ref(), *password, true, true),
                fmt::format("password reset for {} zuid={}", u->primary_address, u->zuid));
        case K::update_display_name:
            co_return done(co_await client_.update_display_name(u->ref(), op.text("display_name"),
                                                                u->primary_address),
                           fmt::format("display name of {} updated", u->primary_address));
        case K::change_role: {
            std::vector<std::int64_t> zuids(1, u->zuid);
            auto r = co_await client_.change_role(std::move(zuids), op.text("role"));
            if (!r)
                co_return r.error();
            // Zoho answers one boolean per user; a `false` is a refusal, not a success.
            for (const auto& [zuid, ok] : *r)
                if (!ok)
                    co_return net::permanent_error(fmt::format(
                        "Zoho refused the role change of {} (zuid {})", u->primary_address, zuid));
            co_return fmt::format("role of {} is {}", u->primary_address, op.text("role"));
        }
        case K::add_alias: {
            std::vector<std::string> aliases(1, op.text("alias"));
            co_return done(
                co_await client_.add_aliases(u->ref(), std::move(aliases)),
                fmt::format("alias {} added to {}", op.text("alias"), u->primary_address));
        }
        case K::remove_alias: {
            std::vector<std::string> aliases(1, op.text("alias"));
            co_return done(
                co_await client_.delete_aliases(u->ref(), std::move(aliases)),
                fmt::format("alias {} removed from {}", op.text("alias"), u->primary_address));
        }
        case K::delete_group:
            co_return done(co_await client_.delete_group(g->zgid),
                           fmt::format("deleted group {} zgid={}", g->address, g->zgid));
        case K::rename_group:
            co_return done(co_await client_.rename_group(g->zgid, op.text("name")),
                           fmt::format("renamed {}", g->address));
        case K::add_group_member: {
            // This member and the riders' (the same group) in one PUT; those already in the
            // group are left out.
            std::vector<zoho::GroupMember> members;
            auto listed = [&](const std::string& a) {
                return std::any_of(
                    g->members.begin(), g->members.end(),
                    [&](const zoho::GroupMember& m) { return same_address(m.address, a); });
            };
            const auto all = with_riders(op, riders);
            for (const auto* o : all)
                if (!listed(o->text("member")) || riders.empty()) {
                    zoho::GroupMember m;
                    m.address = o->text("member");
                    members.push_back(std::move(m));
                }
            if (members.empty())
                co_return fmt::format("already as planned: every member is in {}", g->address);
            // (the text made before the co_await: GCC 12 destroys the temporaries of a ?:
            // in a full expression with a co_await twice)
            const auto what =
                members.size() == 1
                    ? fmt::format("added {} to {}", op.text("member"), g->address)
                    : fmt::format("added {} members to {}", members.size(), g->address);
            co_return done(co_await client_.add_members(g->zgid, std::move(members)), what);
        }
        case K::remove_group_member: {
            std::vector<std::string> members;
            const auto all = with_riders(op, riders);
            for (const auto* o : all)
                if (riders.empty() || std::any_of(g->members.begin(), g->members.end(),
                                                  [&](const zoho::GroupMember& m) {
                                                      return same_address(m.address,
                                                                          o->text("member"));
                                                  }))
                    members.push_back(o->text("member"));
            if (members.empty())
                co_return fmt::format("already as planned: no member left to remove from {}",
                                      g->address);
            const auto what =
                members.size() == 1
                    ? fmt::format("removed {} from {}", op.text("member"), g->address)
                    : fmt::format("removed {} members from {}", members.size(), g->address);
            co_return done(co_await client_.remove_members(g->zgid, std::move(members)), what);
        }
    }
    co_return net::permanent_error("not an operation");  // unreachable: the switch is exhaustive
}

service::Awaitable<service::Outcome<service::Probe>> ZohoMailDirectory::probe(
    const domain::Operation& op, std::int64_t started_at_ms) {
    // A probe always reads the organization again: the cache may predate the crash.
    auto s = co_await cache_.refresh();
    if (!s)
        co_return to_port_error(s.error());
    co_return service::probe_snapshot(**s, op, started_at_ms);
}

}  // namespace hrmaild::app
