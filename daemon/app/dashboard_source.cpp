#include "daemon/app/dashboard_source.hpp"
#include "daemon/app/reconcile_ports.hpp"

#include "daemon/core/text.hpp"

#include <map>

namespace hrmaild::app {

namespace asio = boost::asio;
using dashboard::SourceError;

namespace {

std::int64_t to_ms(core::WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::WallTime from_ms(std::int64_t ms) {
    return core::WallTime(std::chrono::milliseconds(ms));
}

SourceError error_of(const net::CallError& e) {
    return SourceError{e.describe()};
}

}  // namespace

asio::awaitable<dashboard::SourceResult<dashboard::OrgFacts>> ZohoDashboardSource::facts() {
    auto org = co_await client_.organization();
    if (!org)
        co_return error_of(org.error());
    auto storage = co_await client_.storage();
    if (!storage)
        co_return error_of(storage.error());
    auto users = co_await client_.list_all_users();
    if (!users)
        co_return error_of(users.error());
    auto groups = co_await client_.list_groups();
    if (!groups)
        co_return error_of(groups.error());

    dashboard::OrgFacts f;
    f.name = org->name;
    for (const auto& d : org->domains)
        f.domains.push_back(core::ascii_lower(d));
    if (f.domains.empty() && !org->primary_domain.empty())
        f.domains.push_back(core::ascii_lower(org->primary_domain));
    std::map<std::int64_t, std::int64_t> used;  // zuid → MB, from the storage report
    for (const auto& s : storage->users)
        used[s.zuid] = s.used_mb;
    for (const auto& u : *users) {
        dashboard::MailUser m;
        m.address = u.primary_address;
        m.display_name = u.display_name;
        m.enabled = u.account_enabled && u.mailbox_enabled;
        if (u.last_login_ms > 0)
            m.last_login = from_ms(u.last_login_ms);
        auto it = used.find(u.zuid);
        m.used_mb = it != used.end() ? it->second : u.used_storage_mb;
        f.users.push_back(std::move(m));
    }
    for (const auto& g : *groups)
        f.groups.push_back({g.name, g.address, g.member_count});
    const auto l = licences(*org, *storage, users->size());
    f.licences_total = l.total;
    f.licences_used = l.used;
    f.storage_total_mb = storage->total_mb;
    f.storage_used_mb = storage->used_mb;
    co_return f;
}

asio::awaitable<dashboard::SourceResult<std::vector<dashboard::MailLine>>>
ZohoDashboardSource::mail(core::WallTime from, core::WallTime to) {
    auto lines = co_await client_.smtp_logs(to_ms(from), to_ms(to));
    if (!lines)
        co_return error_of(lines.error());
    std::vector<dashboard::MailLine> out;
    out.reserve(lines->size());
    for (const auto& l : *lines)
        out.push_back({from_ms(l.time_ms), l.from, l.to});
    co_return out;
}

asio::awaitable<dashboard::SourceResult<std::vector<dashboard::SignIn>>>
ZohoDashboardSource::sign_ins(core::WallTime from, core::WallTime to) {
    auto records = co_await client_.login_history(to_ms(from), to_ms(to));
    if (!records)
        co_return error_of(records.error());
    std::vector<dashboard::SignIn> out;
    out.reserve(records->size());
    for (const auto& r : *records)
        out.push_back({r.address, from_ms(r.time_ms)});
    co_return out;
}

}  // namespace hrmaild::app
