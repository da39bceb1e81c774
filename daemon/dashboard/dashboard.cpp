#include "daemon/dashboard/dashboard.hpp"

#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"

#include <boost/json.hpp>

namespace hrmaild::dashboard {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kDay = std::chrono::hours(24);
constexpr std::int64_t kFactsVersion = 1;

store::Timestamp stamp(core::WallTime t) {
    return std::chrono::floor<std::chrono::milliseconds>(t);
}

std::int64_t millis(core::WallTime t) {
    return stamp(t).time_since_epoch().count();
}

}  // namespace

void throw_exception_from_error(const SourceError& error, const boost::source_location&) {
    throw std::runtime_error(error.message);
}

std::string facts_to_json(const OrgFacts& facts) {
    json::array domains;
    for (const auto& d : facts.domains)
        domains.emplace_back(d);
    json::array users;
    for (const auto& u : facts.users)
        users.push_back(json::object{
            {"address", u.address},
            {"name", u.display_name},
            {"enabled", u.enabled},
            {"last_login", u.last_login ? json::value(millis(*u.last_login)) : json::value()},
            {"used_mb", u.used_mb}});
    json::array groups;
    for (const auto& g : facts.groups)
        groups.push_back(
            json::object{{"name", g.name}, {"address", g.address}, {"members", g.members}});
    return json::serialize(json::object{{"v", kFactsVersion},
                                        {"name", facts.name},
                                        {"domains", std::move(domains)},
                                        {"users", std::move(users)},
                                        {"groups", std::move(groups)},
                                        {"licences_total", facts.licences_total},
                                        {"licences_used", facts.licences_used},
                                        {"storage_total_mb", facts.storage_total_mb},
                                        {"storage_used_mb", facts.storage_used_mb}});
}

std::optional<OrgFacts> facts_from_json(std::string_view text) {
    boost::system::error_code ec;
    json::value doc = json::parse(text, ec);
    if (ec || !doc.is_object())
        return std::nullopt;
    try {
        const auto& o = doc.as_object();
        if (o.at("v").to_number<std::int64_t>() != kFactsVersion)
            return std::nullopt;
        OrgFacts f;
        f.name = json::value_to<std::string>(o.at("name"));
        for (const auto& d : o.at("domains").as_array())
            f.domains.push_back(json::value_to<std::string>(d));
        for (const auto& v : o.at("users").as_array()) {
            const auto& u = v.as_object();
            MailUser m;
            m.address = json::value_to<std::string>(u.at("address"));
            m.display_name = json::value_to<std::string>(u.at("name"));
            m.enabled = u.at("enabled").as_bool();
            if (!u.at("last_login").is_null())
                m.last_login = core::WallTime(
                    std::chrono::milliseconds(u.at("last_login").to_number<std::int64_t>()));
            m.used_mb = u.at("used_mb").to_number<std::int64_t>();
            f.users.push_back(std::move(m));
        }
        for (const auto& v : o.at("groups").as_array()) {
            const auto& g = v.as_object();
            f.groups.push_back({json::value_to<std::string>(g.at("name")),
                                json::value_to<std::string>(g.at("address")),
                                g.at("members").to_number<std::int64_t>()});
        }
        f.licences_total = o.at("licences_total").to_number<std::int64_t>();
        f.licences_used = o.at("licences_used").to_number<std::int64_t>();
        f.storage_total_mb = o.at("storage_total_mb").to_number<std::int64_t>();
        f.storage_used_mb = o.at("storage_used_mb").to_number<std::int64_t>();
        return f;
    } catch (const std::exception&) {
        // A missing key or a value of the wrong type: not a document this binary wrote.
        return std::nullopt;
    }
}

Dashboard::Dashboard(OrgSource& source, store::StateStore& store, store::DashboardStore& saved,
                     core::Clock& clock, Settings settings)
    : source_(source), store_(store), saved_(saved), clock_(clock), settings_(settings) {
    if (settings_.days < 1)
        settings_.days = 1;
}

void Dashboard::load(core::WallTime now) {
    const core::WallTime period_start = start_of_day(now) - (settings_.days - 1) * kDay;
    auto snapshot = saved_.dashboard_snapshot();
    auto days = saved_.dashboard_days(day_of(period_start));
    auto signs = saved_.dashboard_sign_ins();
    if (!snapshot || !days || !signs) {
        // Tried again on the next view; meanwhile the dashboard works from Zoho alone.
        const auto& e = !snapshot ? snapshot.error() : !days ? days.error() : signs.error();
        log::warn("DASHBOARD_LOAD_FAILED", {{"error", e.describe()}});
        return;
    }
    loaded_ = true;
    if (*snapshot) {
        if (auto facts = facts_from_json((*snapshot)->facts)) {
            facts_ = std::move(*facts);
            refreshed_at_ = core::WallTime((*snapshot)->refreshed_at);
            last_attempt_ = refreshed_at_;
        } else {
            log::warn("DASHBOARD_LOAD_FAILED",
                      {{"error",
                        "the stored organization figures are not readable; they are "
                        "read from Zoho again"}});
        }
    }
    for (auto& d : *days)
        days_[d.day] = std::move(d);
    for (const auto& s : *signs)
        sign_ins_[s.address] = core::WallTime(s.last_at);
    log::info("DASHBOARD_LOADED",
              {{"days", static_cast<std::int64_t>(days_.size())},
               {"sign_ins", static_cast<std::int64_t>(sign_ins_.size())},
               {"refreshed_at", refreshed_at_ ? core::format_utc(*refreshed_at_) : std::string()}});
}

asio::awaitable<void> Dashboard::refresh(core::WallTime now) {
    refreshing_ = true;
    last_attempt_ = now;
    ++refreshes_;
    // The days to read, as runs of consecutive days: a day not stored, or last read before it
    // ended (today, and yesterday until it is read once after midnight). Complete days are
    // kept as stored.
    const core::WallTime period_start = start_of_day(now) - (settings_.days - 1) * kDay;
    std::vector<std::pair<core::WallTime, core::WallTime>> runs;  // [start of day, end)
    for (int i = 0; i < settings_.days; ++i) {
        const core::WallTime day_start = period_start + i * kDay;
        auto it = days_.find(day_of(day_start));
        if (it != days_.end() && core::WallTime(it->second.fetched_at) >= day_start + kDay)
            continue;
        if (!runs.empty() && runs.back().second == day_start)
            runs.back().second = day_start + kDay;
        else
            runs.emplace_back(day_start, day_start + kDay);
    }
    std::string failure;
    std::vector<MailLine> mail;
    std::vector<SignIn> signs;
    auto facts = co_await source_.facts();
    if (!facts)
        failure = facts.error().message;
    for (const auto& [from, end] : runs) {
        if (!failure.empty())
            break;
        const core::WallTime to = std::min(end - std::chrono::milliseconds(1), now);
        auto m = co_await source_.mail(from, to);
        if (!m) {
            failure = m.error().message;
            break;
        }
        auto s = co_await source_.sign_ins(from, to);
        if (!s) {
            failure = s.error().message;
            break;
        }
        mail.insert(mail.end(), m->begin(), m->end());
        signs.insert(signs.end(), s->begin(), s->end());
    }
    if (!failure.empty()) {
        error_ = failure;
        log::warn("DASHBOARD_REFRESH_FAILED", {{"error", failure}});
        refreshing_ = false;
        co_return;
    }
    // Every day of the runs is counted afresh (a day without mail is a read day of zeros).
    TrafficTally tally;
    tally_traffic(tally, mail, facts->domains);
    std::vector<store::DashboardDay> read;
    for (const auto& [from, end] : runs)
        for (core::WallTime d = from; d < end; d += kDay) {
            const std::string day = day_of(d);
            auto it = tally.find(day);
            store::DashboardDay stored{day, it != tally.end() ? it->second.in : 0,
                                       it != tally.end() ? it->second.out : 0, stamp(now)};
            days_[day] = stored;
            read.push_back(std::move(stored));
        }
    const std::string oldest_day = day_of(period_start);
    std::erase_if(days_, [&](const auto& kv) { return kv.first < oldest_day; });
    std::map<std::string, core::WallTime> latest;  // this refresh's, to store
    tally_sign_ins(latest, signs);
    tally_sign_ins(sign_ins_, signs);
    facts_ = std::move(*facts);
    refreshed_at_ = now;
    error_.clear();
    log::info("DASHBOARD_REFRESHED",
              {{"mail_lines", static_cast<std::int64_t>(mail.size())},
               {"sign_ins", static_cast<std::int64_t>(signs.size())},
               {"days", static_cast<std::int64_t>(read.size())},
               {"from", runs.empty() ? std::string() : day_of(runs[0].first)}});
    save(now, read, latest, period_start);
    refreshing_ = false;
}

void Dashboard::save(core::WallTime now, const std::vector<store::DashboardDay>& days,
                     const std::map<std::string, core::WallTime>& sign_ins,
                     core::WallTime period_start) {
    store::DashboardRefresh r;
    r.snapshot = {facts_to_json(*facts_), stamp(now)};
    r.days = days;
    for (const auto& [address, at] : sign_ins)
        r.sign_ins.push_back({address, stamp(at)});
    r.keep_from = day_of(period_start);
    if (auto saved = saved_.record_dashboard(r); !saved)
        log::warn("DASHBOARD_SAVE_FAILED", {{"error", saved.error().describe()}});
}

asio::awaitable<Model> Dashboard::model() {
    const core::WallTime now = clock_.wall_now();
    if (!loaded_)
        load(now);
    const bool stale =
        !last_attempt_ || now - *last_attempt_ >= settings_.max_age || now < *last_attempt_;
    if (stale && !refreshing_)
        co_await refresh(now);
    Model m;
    m.days = settings_.days;
    m.built_at = clock_.wall_now();
    if (facts_) {
        TrafficTally traffic;
        for (const auto& [day, d] : days_)
            traffic[day] = {day, d.mail_in, d.mail_out};
        m.org = build_org(*facts_, traffic, sign_ins_, m.built_at, settings_.days);
    }
    m.org_refreshed_at = refreshed_at_;
    m.org_error = error_;
    const auto since = store::Timestamp(std::chrono::floor<std::chrono::milliseconds>(
        start_of_day(m.built_at) - (settings_.days - 1) * std::chrono::hours(24)));
    auto activity = store_.ticket_activity(since);
    auto counts = store_.count_tickets();
    if (!activity) {
        m.work_error = activity.error().describe();
    } else if (!counts) {
        m.work_error = counts.error().describe();
    } else {
        m.work = build_work(*activity, *counts, m.built_at, settings_.days);
    }
    if (!m.work_error.empty())
        log::warn("DASHBOARD_STORE_FAILED", {{"error", m.work_error}});
    co_return m;
}

}  // namespace hrmaild::dashboard
