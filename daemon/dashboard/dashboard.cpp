#include "daemon/dashboard/dashboard.hpp"

#include "daemon/log/log.hpp"

namespace hrmaild::dashboard {

namespace asio = boost::asio;

void throw_exception_from_error(const SourceError& error, const boost::source_location&) {
    throw std::runtime_error(error.message);
}

Dashboard::Dashboard(OrgSource& source, store::StateStore& store, core::Clock& clock,
                     Settings settings)
    : source_(source), store_(store), clock_(clock), settings_(settings) {
    if (settings_.days < 1)
        settings_.days = 1;
}

asio::awaitable<void> Dashboard::refresh(core::WallTime now) {
    refreshing_ = true;
    last_attempt_ = now;
    ++refreshes_;
    // Only the days since the last refresh's day are asked again: the days before it were
    // complete then. A first refresh reads the whole period.
    const core::WallTime period_start =
        start_of_day(now) - (settings_.days - 1) * std::chrono::hours(24);
    core::WallTime from = fetched_from_ ? std::max(*fetched_from_, period_start) : period_start;
    std::string failure;
    auto facts = co_await source_.facts();
    std::optional<std::vector<MailLine>> mail;
    std::optional<std::vector<SignIn>> signs;
    if (!facts) {
        failure = facts.error().message;
    } else {
        auto m = co_await source_.mail(from, now);
        if (!m) {
            failure = m.error().message;
        } else {
            auto s = co_await source_.sign_ins(from, now);
            if (!s)
                failure = s.error().message;
            else {
                mail = std::move(*m);
                signs = std::move(*s);
            }
        }
    }
    if (!failure.empty()) {
        error_ = failure;
        log::warn("DASHBOARD_REFRESH_FAILED", {{"error", failure}});
        refreshing_ = false;
        co_return;
    }
    // Replace what was counted from `from` on; drop days that left the period.
    const std::string first_day = day_of(from);
    const std::string oldest_day = day_of(period_start);
    std::erase_if(traffic_,
                  [&](const auto& kv) { return kv.first >= first_day || kv.first < oldest_day; });
    tally_traffic(traffic_, *mail, facts->domains);
    tally_sign_ins(sign_ins_, *signs);
    facts_ = std::move(*facts);
    fetched_from_ = start_of_day(now);
    refreshed_at_ = now;
    error_.clear();
    log::info("DASHBOARD_REFRESHED", {{"mail_lines", static_cast<std::int64_t>(mail->size())},
                                      {"sign_ins", static_cast<std::int64_t>(signs->size())},
                                      {"from", day_of(from)}});
    refreshing_ = false;
}

asio::awaitable<Model> Dashboard::model() {
    const core::WallTime now = clock_.wall_now();
    const bool stale =
        !last_attempt_ || now - *last_attempt_ >= settings_.max_age || now < *last_attempt_;
    if (stale && !refreshing_)
        co_await refresh(now);
    Model m;
    m.days = settings_.days;
    m.built_at = clock_.wall_now();
    if (facts_)
        m.org = build_org(*facts_, traffic_, sign_ins_, m.built_at, settings_.days);
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
