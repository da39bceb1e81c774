#include "daemon/net/retry.hpp"

#include "daemon/core/time_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace hrmaild::net {
namespace {

long long to_ms(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

int month_index(std::string_view m) {
    static constexpr std::array<std::string_view, 12> names = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    for (std::size_t i = 0; i < names.size(); ++i)
        if (core::iequals(names[i], m))
            return static_cast<int>(i) + 1;
    return 0;
}

bool to_int(std::string_view s, int& out) {
    if (s.empty())
        return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, std::string_view seps) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && seps.find(s[i]) != std::string_view::npos)
            ++i;
        std::size_t j = i;
        while (j < s.size() && seps.find(s[j]) == std::string_view::npos)
            ++j;
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::optional<WallTime> make_time(int year, int month, int day, std::string_view hms) {
    auto parts = split(hms, ":");
    int h = 0, mi = 0, se = 0;
    if (parts.size() != 3 || !to_int(parts[0], h) || !to_int(parts[1], mi) || !to_int(parts[2], se))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || se > 60 ||
        year < 1970)
        return std::nullopt;
    // The calendar of <chrono>: a date that does not exist (31 February, 29 February of a
    // common year) is refused, not rolled over into the next month.
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok())
        return std::nullopt;
    const auto at = std::chrono::sys_days{date} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                    std::chrono::seconds{se};
    return WallTime{at.time_since_epoch()};
}

}  // namespace

std::optional<WallTime> parse_http_date(std::string_view value) {
    auto t = split(value, " ,");
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    if (t.size() == 6 && core::iequals(t[5], "GMT")) {
        int day = 0, year = 0;
        if (!to_int(t[1], day) || !to_int(t[3], year))
            return std::nullopt;
        return make_time(year, month_index(t[2]), day, t[4]);
    }
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    if (t.size() == 4 && core::iequals(t[3], "GMT")) {
        auto d = split(t[1], "-");
        int day = 0, year = 0;
        if (d.size() != 3 || !to_int(d[0], day) || !to_int(d[2], year))
            return std::nullopt;
        year += year < 70 ? 2000 : (year < 100 ? 1900 : 0);
        return make_time(year, month_index(d[1]), day, t[2]);
    }
    // asctime: Sun Nov  6 08:49:37 1994
    if (t.size() == 5) {
        int day = 0, year = 0;
        if (!to_int(t[2], day) || !to_int(t[4], year))
            return std::nullopt;
        return make_time(year, month_index(t[1]), day, t[3]);
    }
    return std::nullopt;
}

std::optional<Duration> parse_retry_after(std::string_view value, WallTime now) {
    auto b = value.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return std::nullopt;
    value = value.substr(b, value.find_last_not_of(" \t") - b + 1);
    long long seconds = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && p == value.data() + value.size()) {
        if (seconds < 0)
            return std::nullopt;
        return std::chrono::duration_cast<Duration>(
            std::chrono::seconds(std::min<long long>(seconds, 10LL * 365 * 86400)));
    }
    auto when = parse_http_date(value);
    if (!when)
        return std::nullopt;
    if (*when <= now)
        return Duration::zero();
    return std::chrono::duration_cast<Duration>(*when - now);
}

RetryPolicy::RetryPolicy(RetrySettings config, Jitter jitter, std::uint64_t seed)
    : config_(config), jitter_(jitter), rng_(seed != 0 ? seed : std::random_device{}()) {
    if (config_.max_attempts < 1)
        config_.max_attempts = 1;
    if (config_.base_delay <= Duration::zero())
        config_.base_delay = std::chrono::milliseconds(1);
    if (config_.max_delay < config_.base_delay)
        config_.max_delay = config_.base_delay;
}

Duration RetryPolicy::backoff(int attempt) {
    const Duration base = config_.base_delay;
    const Duration cap = config_.max_delay;
    // base * 2^(attempt-1) without overflow: stop doubling once past the cap.
    Duration exp = base;
    for (int i = 1; i < attempt && exp < cap; ++i)
        exp *= 2;
    exp = std::min(exp, cap);
    Duration delay = exp;
    switch (jitter_) {
        case Jitter::none:
            break;
        case Jitter::full: {
            std::uniform_int_distribution<Duration::rep> dist(0, exp.count());
            delay = Duration(dist(rng_));
            break;
        }
        case Jitter::decorrelated: {
            Duration prev = previous_ > Duration::zero() ? previous_ : base;
            Duration hi = std::min(cap, std::max(base, prev * 3));
            std::uniform_int_distribution<Duration::rep> dist(base.count(), hi.count());
            delay = Duration(dist(rng_));
            break;
        }
    }
    previous_ = delay;
    return delay;
}

std::optional<Duration> RetryPolicy::next_delay(int attempt, const CallError& error, WallTime now) {
    if (!error.retryable() || attempt >= config_.max_attempts)
        return std::nullopt;
    Duration delay = backoff(attempt);
    if (error.retry_after)
        delay = std::max(delay, *error.retry_after);
    if (error.not_before && *error.not_before > now)
        delay = std::max(delay, std::chrono::duration_cast<Duration>(*error.not_before - now));
    return std::min<Duration>(delay, std::max<Duration>(max_hint, config_.max_delay));
}

namespace detail {

void log_retry(const RetryLabel& label, int attempt, Duration delay, const CallError& error) {
    log::warn("HTTP_CALL_RETRY", {{"upstream", label.upstream},
                                  {"operation", label.operation},
                                  {"attempt", attempt},
                                  {"delay_ms", to_ms(delay)},
                                  {"status", error.http_status},
                                  {"code", error.service_code},
                                  {"reason", error.message}});
}

void log_gave_up(const RetryLabel& label, int attempts, const CallError& error) {
    log::error("HTTP_CALL_GAVE_UP", {{"upstream", label.upstream},
                                     {"operation", label.operation},
                                     {"attempts", attempts},
                                     {"status", error.http_status},
                                     {"code", error.service_code},
                                     {"reason", error.message}});
}

std::string beyond_bound_note(Duration delay, WallTime now) {
    return " (the next attempt would have to wait " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(delay).count()) +
           " s, until " +
           core::format_utc(now + std::chrono::duration_cast<WallTime::duration>(delay)) +
           ", past the --timeout bound)";
}

void log_not_resent(const RetryLabel& label, int attempt, const CallError& error) {
    log::warn("HTTP_CALL_NOT_RESENT", {{"upstream", label.upstream},
                                       {"operation", label.operation},
                                       {"attempt", attempt},
                                       {"status", error.http_status},
                                       {"code", error.service_code},
                                       {"reason", error.message}});
}

}  // namespace detail
namespace {
CallObserver& call_observer() {
    static CallObserver observer;
    return observer;
}
}  // namespace

void set_call_observer(CallObserver observer) {
    call_observer() = std::move(observer);
}

void detail::observe_attempt(const RetryLabel& label, const CallError* error) {
    if (const auto& o = call_observer())
        o(label, error);
}

}  // namespace hrmaild::net
