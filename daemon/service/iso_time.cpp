#include "daemon/service/iso_time.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <ctime>

namespace hrmaild::service {

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

std::string format_iso_utc(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace hrmaild::service
