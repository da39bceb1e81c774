#include "daemon/app/zoho_directory.hpp"

#include <fmt/format.h>

namespace hrmaild::app {
namespace {

net::CallError not_found(std::string code, std::string message) {
    net::CallError e;
    e.kind = net::ErrorKind::permanent;
    e.http_status = 404;
    e.service_code = std::move(code);
    e.message = std::move(message);
    return e;
}

}  // namespace

ZohoMailDirectory::ZohoMailDirectory(zoho::ZohoClient& client, zoho::DirectoryCache& cache)
    : client_(client), cache_(cache) {}

service::Awaitable<service::Outcome<domain::DirectorySnapshot>> ZohoMailDirectory::snapshot(
    bool fresh) {
    // (no co_await inside ?: — GCC 12 miscompiles the temporaries)
    net::Outcome<std::shared_ptr<const domain::DirectorySnapshot>> s = net::CallError{};
    if (fresh)
        s = co_await cache_.refresh();
    else
        s = co_await cache_.snapshot();
    if (!s)
        co_return s.error();
    co_return **s;
}

service::Awaitable<service::Outcome<zoho::User>> ZohoMailDirectory::user(
    const std::string& address) {
    auto u = co_await client_.find_user(address);
    if (!u)
        co_return u.error();
    if (!*u)
        co_return not_found("USER_NOT_FOUND", fmt::format("{} does not exist", address));
    co_return **u;
}

service::Awaitable<service::Outcome<zoho::Group>> ZohoMailDirectory::group(
    const std::string& address) {
    auto g = co_await client_.find_group(address);
    if (!g)
        co_return g.error();
    if (!*g)
        co_return not_found("GROUP_NOT_FOUND", fmt::format("{} does not exist", address));
    co_return **g;
}

service::Awaitable<service::Outcome<std::string>> ZohoMailDirectory::apply(
    const domain::Operation& op, const Secret* password) {
    auto r = co_await perform(op, password);
    // Whatever happened, the cached directory may be stale now.
    cache_.invalidate();
    co_return r;
}

service::Awaitable<service::Outcome<std::string>> ZohoMailDirectory::perform(
    const domain::Operation& op, const Secret* password) {
    using K = domain::OpKind;
    const auto email = op.text("email");
    const auto group_address = op.text("group");
    auto done = [](net::Outcome<void> r, std::string what) -> service::Outcome<std::string> {
        if (!r)
            return r.error();
        return what;
    };
    switch (op.kind) {
        case K::create_user: {
            if (!password)
                co_return net::permanent_error("create_user needs a password");
            zoho::NewUser u;
            u.primary_address = email;
            u.password = *password;
            u.first_name = op.text("first_name");
            u.last_name = op.text("last_name");
            u.display_name = op.text("display_name");
            if (auto role = op.text("role"); !role.empty())
                u.role = role;
            u.one_time_password = true;
            auto created = co_await client_.add_user(std::move(u));
            if (!created)
                co_return created.error();
            co_return fmt::format("created {} zuid={} accountId={}", email, created->zuid,
                                  created->account_id);
        }
        case K::create_group: {
            zoho::NewGroup g;
            g.address = group_address;
            g.name = op.text("name");
            for (const auto& m : op.list("members")) {
                zoho::GroupMember member;
                member.address = m;
                g.members.push_back(std::move(member));
            }
            auto created = co_await client_.create_group(std::move(g));
            if (!created)
                co_return created.error();
            co_return fmt::format("created group {} zgid={}", group_address, created->zgid);
        }
        default:
            break;
    }

    if (!group_address.empty()) {
        auto g = co_await group(group_address);
        if (!g)
            co_return g.error();
        switch (op.kind) {
            case K::delete_group:
                co_return done(co_await client_.delete_group(g->zgid),
                               fmt::format("deleted group {}", group_address));
            case K::rename_group:
                co_return done(co_await client_.rename_group(g->zgid, op.text("name")),
                               fmt::format("renamed {}", group_address));
            case K::add_group_member: {
                std::vector<zoho::GroupMember> members(1);
                members[0].address = op.text("member");
                co_return done(co_await client_.add_members(g->zgid, std::move(members)),
                               fmt::format("added {} to {}", op.text("member"), group_address));
            }
            case K::remove_group_member: {
                std::vector<std::string> members(1, op.text("member"));
                co_return done(co_await client_.remove_members(g->zgid, std::move(members)),
                               fmt::format("removed {} from {}", op.text("member"), group_address));
            }
            default:
                co_return net::permanent_error("operation not supported on groups");
        }
    }

    auto u = co_await user(email);
    if (!u)
        co_return u.error();
    auto ref = u->ref();
    switch (op.kind) {
        case K::disable_user: {
            zoho::DisableOptions o;
            o.block_incoming = op.flag("block_incoming");
            o.remove_mail_forward = op.flag("remove_forwards");
            o.remove_group_membership = op.flag("remove_groups");
            co_return done(co_await client_.disable_user(ref, o),
                           fmt::format("disabled {}", email));
        }
        case K::enable_user:
            co_return done(co_await client_.enable_user(ref, op.flag("unblock_incoming")),
                           fmt::format("enabled {}", email));
        case K::delete_user: {
            std::vector<std::int64_t> zuids(1, u->zuid);
            co_return done(co_await client_.delete_users(std::move(zuids)),
                           fmt::format("deleted {}", email));
        }
        case K::reset_password:
            if (!password)
                co_return net::permanent_error("reset_password needs a password");
            co_return done(co_await client_.reset_password(ref, *password, true, true),
                           fmt::format("password reset for {}", email));
        case K::update_display_name:
            co_return done(
                co_await client_.update_display_name(ref, op.text("display_name"), email),
                fmt::format("display name of {} updated", email));
        case K::change_role: {
            std::vector<std::int64_t> zuids(1, u->zuid);
            auto r = co_await client_.change_role(std::move(zuids), op.text("role"));
            if (!r)
                co_return r.error();
            // Zoho answers one boolean per user; a `false` is a refusal, not a success.
            for (const auto& [zuid, ok] : *r)
                if (!ok)
                    co_return net::permanent_error(
                        fmt::format("Zoho refused the role change of {} (zuid {})", email, zuid));
            co_return fmt::format("role of {} is {}", email, op.text("role"));
        }
        case K::add_alias: {
            std::vector<std::string> aliases(1, op.text("alias"));
            co_return done(co_await client_.add_aliases(ref, std::move(aliases)),
                           fmt::format("alias {} added to {}", op.text("alias"), email));
        }
        case K::remove_alias: {
            std::vector<std::string> aliases(1, op.text("alias"));
            co_return done(co_await client_.delete_aliases(ref, std::move(aliases)),
                           fmt::format("alias {} removed from {}", op.text("alias"), email));
        }
        default:
            break;
    }
    co_return net::permanent_error(
        fmt::format("operation {} is not supported", domain::op_name(op.kind)));
}

service::Awaitable<service::Outcome<service::Probe>> ZohoMailDirectory::probe(
    const domain::Operation& op) {
    // A probe always reads the organization again: the cache may predate the crash.
    auto s = co_await cache_.refresh();
    if (!s)
        co_return s.error();
    co_return service::probe_snapshot(**s, op);
}

}  // namespace hrmaild::app
