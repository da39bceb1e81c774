#include "daemon/dashboard/model.hpp"

#include "daemon/core/time_format.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::dashboard {

namespace {

constexpr auto kDay = std::chrono::hours(24);

std::string domain_of(const std::string& address) {
    const auto at = address.rfind('@');
    return at == std::string::npos ? std::string() : address.substr(at + 1);
}

bool is_ours(const std::string& address, const std::vector<std::string>& domains) {
    const std::string d = domain_of(address);
    return !d.empty() && std::find(domains.begin(), domains.end(), d) != domains.end();
}

}  // namespace

double Ratio::fraction() const {
    if (total <= 0 || used <= 0)
        return 0.0;
    if (used >= total)
        return 1.0;
    return static_cast<double>(used) / static_cast<double>(total);
}

std::string day_of(core::WallTime t) {
    return core::format_utc(t).substr(0, 10);
}

core::WallTime start_of_day(core::WallTime t) {
    return std::chrono::floor<std::chrono::days>(t);
}

std::vector<std::string> last_days(core::WallTime now, int days) {
    std::vector<std::string> out;
    const core::WallTime today = start_of_day(now);
    for (int i = days - 1; i >= 0; --i)
        out.push_back(day_of(today - i * kDay));
    return out;
}

void tally_traffic(TrafficTally& tally, const std::vector<MailLine>& lines,
                   const std::vector<std::string>& domains) {
    for (const auto& line : lines) {
        const bool in = is_ours(line.to, domains);
        const bool out = is_ours(line.from, domains);
        if (!in && !out)
            continue;
        DayTraffic& d = tally[day_of(line.at)];
        d.day = day_of(line.at);
        d.in += in ? 1 : 0;
        d.out += out ? 1 : 0;
    }
}

void tally_sign_ins(std::map<std::string, core::WallTime>& latest,
                    const std::vector<SignIn>& sign_ins) {
    for (const auto& s : sign_ins) {
        auto [it, fresh] = latest.emplace(s.address, s.at);
        if (!fresh && s.at > it->second)
            it->second = s.at;
    }
}

OrgModel build_org(const OrgFacts& facts, const TrafficTally& traffic,
                   const std::map<std::string, core::WallTime>& sign_ins, core::WallTime now,
                   int days) {
    OrgModel m;
    m.name = facts.name;
    m.users = static_cast<std::int64_t>(facts.users.size());
    const core::WallTime since = start_of_day(now) - (days - 1) * kDay;
    for (const auto& u : facts.users) {
        UserActivity a;
        a.address = u.address;
        a.display_name = u.display_name;
        a.enabled = u.enabled;
        a.last_login = u.last_login;
        if (auto it = sign_ins.find(u.address); it != sign_ins.end())
            if (!a.last_login || it->second > *a.last_login)
                a.last_login = it->second;
        a.active = u.enabled && a.last_login && *a.last_login >= since && *a.last_login <= now;
        m.active_users += a.active ? 1 : 0;
        m.by_last_login.push_back(std::move(a));
    }
    std::stable_sort(m.by_last_login.begin(), m.by_last_login.end(),
                     [](const UserActivity& a, const UserActivity& b) {
                         if (a.last_login.has_value() != b.last_login.has_value())
                             return a.last_login.has_value();
                         if (a.last_login && *a.last_login != *b.last_login)
                             return *a.last_login > *b.last_login;
                         return a.address < b.address;
                     });
    m.licences = {facts.licences_used, facts.licences_total};
    m.storage_mb = {facts.storage_used_mb, facts.storage_total_mb};
    for (const auto& u : facts.users)
        m.largest.push_back({u.address, u.display_name, u.used_mb});
    std::stable_sort(m.largest.begin(), m.largest.end(), [](const Mailbox& a, const Mailbox& b) {
        return a.used_mb != b.used_mb ? a.used_mb > b.used_mb : a.address < b.address;
    });
    if (m.largest.size() > kLargestMailboxes)
        m.largest.resize(kLargestMailboxes);
    for (const auto& day : last_days(now, days)) {
        auto it = traffic.find(day);
        m.traffic.push_back(it != traffic.end() ? DayTraffic{day, it->second.in, it->second.out}
                                                : DayTraffic{day, 0, 0});
    }
    m.groups = facts.groups;
    std::stable_sort(m.groups.begin(), m.groups.end(), [](const GroupInfo& a, const GroupInfo& b) {
        return a.name != b.name ? a.name < b.name : a.address < b.address;
    });
    return m;
}

std::optional<std::chrono::milliseconds> percentile(std::vector<std::chrono::milliseconds> values,
                                                    int p) {
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    p = std::clamp(p, 1, 100);
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    const std::size_t rank = (static_cast<std::size_t>(p) * values.size() + 99) / 100;
    return values[std::max<std::size_t>(rank, 1) - 1];
}

WorkModel build_work(const std::vector<store::TicketActivity>& tickets,
                     const std::vector<store::StateCount>& states, core::WallTime now, int days) {
    WorkModel w;
    const auto labels = last_days(now, days);
    const core::WallTime since = start_of_day(now) - (days - 1) * kDay;
    auto in_period = [&](core::WallTime t) { return t >= since && t <= now; };
    std::set<std::string> names;
    for (const auto& t : tickets)
        if (in_period(t.created_at))
            names.insert(t.workflow);
    w.workflows.assign(names.begin(), names.end());
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < w.workflows.size(); ++i)
        index[w.workflows[i]] = i;
    std::map<std::string, std::size_t> day_index;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        day_index[labels[i]] = i;
        w.tickets_per_day.push_back({labels[i], std::vector<std::int64_t>(w.workflows.size(), 0)});
    }
    std::vector<std::chrono::milliseconds> to_done;
    for (const auto& t : tickets) {
        if (in_period(t.created_at)) {
            ++w.tickets;
            auto d = day_index.find(day_of(t.created_at));
            if (d != day_index.end())
                ++w.tickets_per_day[d->second].counts[index[t.workflow]];
        }
        if (t.done_at && in_period(*t.done_at)) {
            ++w.done;
            to_done.push_back(std::max(
                std::chrono::milliseconds(0),
                std::chrono::duration_cast<std::chrono::milliseconds>(*t.done_at - t.created_at)));
        }
        if (t.failed_at && in_period(*t.failed_at))
            ++w.failures;
    }
    w.done_p50 = percentile(to_done, 50);
    w.done_p90 = percentile(to_done, 90);
    for (const auto& s : states) {
        if (s.state != store::TicketState::awaiting_approval || s.tickets <= 0)
            continue;
        w.waiting_approval = s.tickets;
        w.oldest_waiting = std::max(std::chrono::milliseconds(0),
                                    std::chrono::duration_cast<std::chrono::milliseconds>(
                                        now - core::WallTime(s.oldest_update)));
    }
    return w;
}

}  // namespace hrmaild::dashboard
