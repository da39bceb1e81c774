#include "daemon/zoho/directory_cache.hpp"

#include "daemon/log/log.hpp"

namespace hrmaild::zoho {
namespace asio = boost::asio;
using Snapshot = std::shared_ptr<const domain::DirectorySnapshot>;

domain::DirectoryUser to_directory_user(const User& user) {
    domain::DirectoryUser d;
    d.address = user.primary_address;
    d.aliases = user.aliases;
    d.first_name = user.first_name;
    d.last_name = user.last_name;
    d.display_name = user.display_name;
    d.role = user.role;
    d.enabled = user.account_enabled && user.mailbox_enabled;
    // Ids as decimal text: they exceed 2^53, and the domain never does arithmetic on them.
    if (user.zuid != 0)
        d.zuid = std::to_string(user.zuid);
    if (user.account_id != 0)
        d.account_id = std::to_string(user.account_id);
    d.created_at_ms = user.created_ms;
    return d;
}

domain::DirectoryGroup to_directory_group(const Group& group) {
    domain::DirectoryGroup d;
    d.address = group.address;
    d.name = group.name;
    if (group.zgid != 0)
        d.zgid = std::to_string(group.zgid);
    for (const auto& m : group.members)
        d.members.push_back(m.address);
    return d;
}

DirectoryCache::DirectoryCache(ZohoClient& client, core::Clock& clock,
                               core::Duration refresh_interval)
    : client_(client), clock_(clock), refresh_interval_(refresh_interval) {}

bool DirectoryCache::stale() const {
    if (!snapshot_ || !loaded_at_ || invalidated_)
        return true;
    return refresh_interval_ > core::Duration::zero() &&
           clock_.now() - *loaded_at_ >= refresh_interval_;
}

void DirectoryCache::invalidate() {
    invalidated_ = true;
    ++generation_;
}

void DirectoryCache::update(const std::function<void(domain::DirectorySnapshot&)>& change) {
    // A load running now read the directory before this change: what it brings stays stale.
    ++generation_;
    if (!snapshot_)
        return;
    auto copy = std::make_shared<domain::DirectorySnapshot>(*snapshot_);
    change(*copy);
    snapshot_ = std::move(copy);
    ++stats_.updates;
}

asio::awaitable<net::Outcome<Snapshot>> DirectoryCache::snapshot() {
    if (!stale())
        co_return snapshot_;
    co_return co_await refresh();
}

asio::awaitable<net::Outcome<Snapshot>> DirectoryCache::refresh() {
    co_return co_await flight_.run([this] { return load(); });
}

asio::awaitable<net::Outcome<Snapshot>> DirectoryCache::load() {
    const std::size_t generation = generation_;
    const auto started = clock_.now();
    const auto started_wall = clock_.wall_now();
    const std::size_t requests_before = client_.stats().requests;
    auto fail = [this](const net::CallError& e) {
        ++stats_.failed_loads;
        log::warn("ZOHO_DIRECTORY_LOAD_FAILED",
                  {{"kind", core::to_string(e.kind)}, {"error", e.describe()}});
    };

    auto users = co_await client_.list_all_users();
    if (!users) {
        fail(users.error());
        co_return users.error();
    }
    auto groups = co_await client_.list_groups();
    if (!groups) {
        fail(groups.error());
        co_return groups.error();
    }
    auto snap = std::make_shared<domain::DirectorySnapshot>();
    snap->users.reserve(users->size());
    for (const auto& u : *users)
        snap->users.push_back(to_directory_user(u));
    for (auto& g : *groups) {
        if (!g.members_listed) {
            // Only when the list answer omits members (the real list may): one read per group.
            ++stats_.group_fetches;
            auto full = co_await client_.get_group(g.zgid);
            if (!full) {
                fail(full.error());
                co_return full.error();
            }
            g = std::move(*full);
        }
        snap->groups.push_back(to_directory_group(g));
    }
    snapshot_ = snap;
    loaded_at_ = started;
    loaded_wall_at_ = started_wall;
    // A change made while loading may be missing from what was read: stay stale then.
    invalidated_ = generation != generation_;
    ++stats_.loads;
    log::info("ZOHO_DIRECTORY_LOADED", {{"users", snap->users.size()},
                                        {"groups", snap->groups.size()},
                                        {"requests", client_.stats().requests - requests_before}});
    co_return Snapshot(snap);
}

asio::awaitable<void> DirectoryCache::run() {
    const core::Duration interval =
        refresh_interval_ > core::Duration::zero() ? refresh_interval_ : std::chrono::minutes(15);
    for (;;) {
        if (stale())
            (void)co_await refresh();
        core::Duration wait = interval;
        if (loaded_at_) {
            const auto due = *loaded_at_ + interval;
            wait = due > clock_.now() ? due - clock_.now() : core::Duration::zero();
        }
        if (wait <= core::Duration::zero())
            wait = interval;  // a failed load: next tick
        if (auto ec = co_await clock_.sleep_for(wait); ec)
            co_return;
    }
}

}  // namespace hrmaild::zoho
