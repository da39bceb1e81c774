#include "daemon/core/time_format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <ctime>

namespace hrmaild::core {

std::string format_utc(std::chrono::system_clock::time_point t, UtcStyle style) {
    using namespace std::chrono;
    // fmt 9 formats a system_clock time point in local time, so the broken-down UTC time is
    // made first (fmt::gmtime is the thread-safe gmtime_r) and formatted as a std::tm.
    auto secs = floor<seconds>(t);
    std::tm tm = fmt::gmtime(system_clock::to_time_t(secs));
    switch (style) {
        case UtcStyle::iso_offset:
            return fmt::format("{:%Y-%m-%dT%H:%M:%S}+00:00", tm);
        case UtcStyle::iso_millis_z:
            return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm,
                               duration_cast<milliseconds>(t - secs).count());
        case UtcStyle::readable:
            return fmt::format("{:%Y-%m-%d %H:%M:%S}Z", tm);
        case UtcStyle::iso_z:
            break;
    }
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", tm);
}

std::string format_utc_seconds(std::int64_t unix_seconds, UtcStyle style) {
    return format_utc(std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}},
                      style);
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
    if (s.size() < 19)
        return std::nullopt;
    std::tm tm{};
    auto num = [&](std::size_t pos, std::size_t len, int& out) {
        auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
        return r.ec == std::errc();
    };
    int y, mo, d, h, mi, se;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
        !num(17, 2, se))
        return std::nullopt;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    std::int64_t t = timegm(&tm);
    auto rest = s.substr(19);
    while (!rest.empty() &&
           (rest.front() == '.' || std::isdigit(static_cast<unsigned char>(rest.front()))))
        rest.remove_prefix(1);
    if (rest.size() >= 6 && (rest[0] == '+' || rest[0] == '-')) {
        int oh = 0, om = 0;
        std::from_chars(rest.data() + 1, rest.data() + 3, oh);
        std::from_chars(rest.data() + 4, rest.data() + 6, om);
        std::int64_t off = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
        t -= off;
    }
    return t;
}

}  // namespace hrmaild::core
