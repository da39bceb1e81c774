#include "tests/sandbox/bitrix_dates.hpp"

#include <cstdio>

namespace hrmaild::sandbox::bitrix_dates {

namespace {

using std::chrono::sys_days;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

bool make(int y, int mo, int d, int h, int mi, int sec, std::chrono::minutes offset,
          std::chrono::system_clock::time_point& out) {
    std::chrono::year_month_day ymd{std::chrono::year(y),
                                    std::chrono::month(static_cast<unsigned>(mo)),
                                    std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
        return false;
    }
    auto local = sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                 std::chrono::seconds(sec);
    out = std::chrono::system_clock::time_point(local - offset);
    return true;
}

// Reads `HH:MM[:SS][.fraction]` at pos; advances pos.
bool read_time(std::string_view s, std::size_t& pos, int& h, int& mi, int& sec) {
    if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !digits(s, pos + 3, 2, mi)) {
        return false;
    }
    pos += 5;
    sec = 0;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, sec)) {
            return false;
        }
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                ++pos;
            }
        }
    }
    return true;
}

// Reads `Z`, `±HH:MM`, `±HHMM` or `±HH` at pos to the end; nothing means portal time.
bool read_offset(std::string_view s, std::size_t pos, std::chrono::minutes& offset) {
    while (pos < s.size() && s[pos] == ' ') {
        ++pos;
    }
    if (pos == s.size()) {
        offset = portal_offset;
        return true;
    }
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        offset = std::chrono::minutes(0);
        return true;
    }
    if (s[pos] != '+' && s[pos] != '-') {
        return false;
    }
    int sign = s[pos] == '-' ? -1 : 1;
    int h = 0;
    int m = 0;
    if (!digits(s, pos + 1, 2, h)) {
        return false;
    }
    std::size_t p = pos + 3;
    if (p < s.size() && s[p] == ':') {
        ++p;
    }
    if (p < s.size()) {
        if (!digits(s, p, 2, m)) {
            return false;
        }
        p += 2;
    }
    if (p != s.size()) {
        return false;
    }
    offset = std::chrono::minutes(sign * (h * 60 + m));
    return true;
}

}  // namespace

std::string format_iso(std::chrono::system_clock::time_point t) {
    auto local = std::chrono::floor<std::chrono::seconds>(t) + portal_offset;
    auto day = std::chrono::floor<std::chrono::days>(local);
    std::chrono::year_month_day ymd{day};
    std::chrono::hh_mm_ss hms{local - day};
    auto off = portal_offset.count();
    char sign = off < 0 ? '-' : '+';
    if (off < 0) {
        off = -off;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld%c%02lld:%02lld",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                  static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()), sign,
                  static_cast<long long>(off / 60), static_cast<long long>(off % 60));
    return buf;
}

bool parse(std::string_view s, std::chrono::system_clock::time_point& out) {
    while (!s.empty() && s.front() == ' ') {
        s.remove_prefix(1);
    }
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    std::size_t pos = 0;
    if (digits(s, 0, 4, y) && s.size() >= 10 && s[4] == '-' && digits(s, 5, 2, mo) && s[7] == '-' &&
        digits(s, 8, 2, d)) {
        pos = 10;
    } else if (digits(s, 0, 2, d) && s.size() >= 10 && s[2] == '.' && digits(s, 3, 2, mo) &&
               s[5] == '.' && digits(s, 6, 4, y)) {
        pos = 10;
    } else {
        return false;
    }
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ') && pos + 1 < s.size() &&
        s[pos + 1] >= '0' && s[pos + 1] <= '9') {
        ++pos;
        if (!read_time(s, pos, h, mi, sec)) {
            return false;
        }
    }
    std::chrono::minutes offset{0};
    if (!read_offset(s, pos, offset)) {
        return false;
    }
    return make(y, mo, d, h, mi, sec, offset, out);
}

}  // namespace hrmaild::sandbox::bitrix_dates
