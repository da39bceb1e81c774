#include "daemon/core/zone.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hrmaild::core {

namespace {

constexpr std::int64_t kDay = 86400;

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int month_days(int y, int m) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

}  // namespace

// Howard Hinnant's civil_from_days (the inverse of days_from_civil).
void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yy + (m <= 2 ? 1 : 0));
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// One rule date of a POSIX TZ string: Mm.w.d, Jn or n, with the time of day it takes effect.
struct RuleDate {
    enum class Kind { month_week_day, julian_no_leap, zero_based } kind = Kind::month_week_day;
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int64_t time = 7200;  // seconds after local midnight (may be negative or past 24 h)

    // Days since the epoch of this rule's date in `year`.
    [[nodiscard]] std::int64_t day_in(int year) const {
        switch (kind) {
            case Kind::julian_no_leap: {
                int n = day - 1;
                if (leap(year) && day >= 60)
                    ++n;
                return days_from_civil(year, 1, 1) + n;
            }
            case Kind::zero_based:
                return days_from_civil(year, 1, 1) + day;
            case Kind::month_week_day: {
                auto first = days_from_civil(year, month, 1);
                int wd1 = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday
                int d = 1 + (weekday - wd1 + 7) % 7 + (week - 1) * 7;
                while (d > month_days(year, month))
                    d -= 7;
                return days_from_civil(year, month, d);
            }
        }
        return 0;
    }
};

// The footer of a TZif v2+ file: the rule for instants after the last transition.
struct PosixRule {
    std::int64_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    std::int64_t dst_offset = 0;
    RuleDate start, end;

    [[nodiscard]] std::int64_t offset_at(std::int64_t t) const {
        if (!has_dst)
            return std_offset;
        int y = 0, m = 0, d = 0;
        civil_from_days(floor_div(t + std_offset, kDay), y, m, d);
        // Start is given in standard time, end in daylight time.
        auto s = start.day_in(y) * kDay + start.time - std_offset;
        auto e = end.day_in(y) * kDay + end.time - dst_offset;
        bool dst = s < e ? (t >= s && t < e) : (t < e || t >= s);
        return dst ? dst_offset : std_offset;
    }
};

class PosixParser {
  public:
    explicit PosixParser(std::string_view s) : s_(s) {}

    bool parse(PosixRule& r) {
        if (!name() || !hms(r.std_offset, true))
            return false;
        r.std_offset = -r.std_offset;  // POSIX counts west of UTC as positive
        if (i_ == s_.size())
            return true;
        if (!name())
            return false;
        r.has_dst = true;
        r.dst_offset = r.std_offset + 3600;
        if (i_ < s_.size() && s_[i_] != ',') {
            std::int64_t o = 0;
            if (!hms(o, true))
                return false;
            r.dst_offset = -o;
        }
        if (i_ == s_.size()) {
            // No rule: the US rules of 2007 are the POSIX default.
            r.start = {RuleDate::Kind::month_week_day, 3, 2, 0, 0, 7200};
            r.end = {RuleDate::Kind::month_week_day, 11, 1, 0, 0, 7200};
            return true;
        }
        return eat(',') && date(r.start) && eat(',') && date(r.end) && i_ == s_.size();
    }

  private:
    bool eat(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool name() {
        if (eat('<')) {
            auto close = s_.find('>', i_);
            if (close == std::string_view::npos)
                return false;
            i_ = close + 1;
            return true;
        }
        auto begin = i_;
        while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_])))
            ++i_;
        return i_ - begin >= 3;
    }
    bool number(int& v) {
        auto begin = i_;
        v = 0;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])))
            v = v * 10 + (s_[i_++] - '0');
        return i_ > begin;
    }
    bool hms(std::int64_t& out, bool sign_allowed) {
        int sign = 1;
        if (sign_allowed && !eat('+') && eat('-'))
            sign = -1;
        int h = 0, m = 0, sec = 0;
        if (!number(h))
            return false;
        if (eat(':') && !number(m))
            return false;
        if (eat(':') && !number(sec))
            return false;
        out = sign * (h * 3600LL + m * 60LL + sec);
        return true;
    }
    bool date(RuleDate& d) {
        if (eat('M')) {
            d.kind = RuleDate::Kind::month_week_day;
            if (!number(d.month) || !eat('.') || !number(d.week) || !eat('.') || !number(d.weekday))
                return false;
            if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday > 6)
                return false;
        } else if (eat('J')) {
            d.kind = RuleDate::Kind::julian_no_leap;
            if (!number(d.day) || d.day < 1 || d.day > 365)
                return false;
        } else {
            d.kind = RuleDate::Kind::zero_based;
            if (!number(d.day) || d.day > 365)
                return false;
        }
        d.time = 7200;
        if (eat('/'))
            return hms(d.time, true);
        return true;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

std::int64_t be(std::string_view b, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    if (bytes == 4)
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

}  // namespace

struct TimeZone::Rules {
    std::string name;
    std::vector<std::int64_t> transitions;  // Unix seconds, ascending
    std::vector<std::int64_t> offsets;      // offset in force from transitions[i]
    std::int64_t initial = 0;               // before the first transition
    std::optional<PosixRule> footer;        // after the last transition
};

std::int64_t days_from_civil(int year, int month, int day) {
    const std::int64_t y = year - (month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<int> parse_hh_mm(std::string_view text) {
    if (text.size() != 5 || text[2] != ':')
        return std::nullopt;
    for (std::size_t i : {0U, 1U, 3U, 4U})
        if (text[i] < '0' || text[i] > '9')
            return std::nullopt;
    int h = (text[0] - '0') * 10 + (text[1] - '0');
    int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h > 23 || m > 59)
        return std::nullopt;
    return h * 60 + m;
}

std::string format_local(const LocalDateTime& t) {
    return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", t.day, t.month, t.year, t.hour, t.minute);
}

std::string format_in_zone(const TimeZone& zone, std::int64_t unix_seconds) {
    return fmt::format("{} ({})", format_local(zone.to_local(unix_seconds)), zone.name());
}

std::optional<TimeZone> TimeZone::parse(std::string_view name, std::string_view b,
                                        std::string& error) {
    auto bad = [&](std::string_view why) {
        error = fmt::format("time zone {}: {}", name, why);
        return std::nullopt;
    };
    constexpr std::size_t kHeader = 44;
    if (b.size() < kHeader || b.substr(0, 4) != "TZif")
        return bad("not a TZif file");
    struct Counts {
        std::int64_t isut, isstd, leap, time, type, chars;
    };
    auto counts = [&](std::size_t at) {
        return Counts{be(b, at + 20, 4), be(b, at + 24, 4), be(b, at + 28, 4),
                      be(b, at + 32, 4), be(b, at + 36, 4), be(b, at + 40, 4)};
    };
    auto block_size = [](const Counts& c, int time_bytes) {
        return static_cast<std::size_t>(c.time * time_bytes + c.time + c.type * 6 + c.chars +
                                        c.leap * (time_bytes + 4) + c.isstd + c.isut);
    };
    const char version = b[4];
    std::size_t at = 0;
    int time_bytes = 4;
    Counts c = counts(0);
    if (version >= '2') {
        // Skip the 32-bit block: the 64-bit one after it is complete.
        at = kHeader + block_size(c, 4);
        if (b.size() < at + kHeader || b.substr(at, 4) != "TZif")
            return bad("truncated TZif file");
        c = counts(at);
        time_bytes = 8;
    }
    auto data = at + kHeader;
    if (c.type < 1 || c.time < 0 || b.size() < data + block_size(c, time_bytes))
        return bad("truncated TZif file");
    auto rules = std::make_shared<Rules>();
    rules->name = std::string(name);
    auto types_at = data + static_cast<std::size_t>(c.time * time_bytes + c.time);
    auto type_offset = [&](std::int64_t i) {
        return be(b, types_at + static_cast<std::size_t>(i * 6), 4);
    };
    for (std::int64_t i = 0; i < c.time; ++i) {
        auto t = be(b, data + static_cast<std::size_t>(i * time_bytes), time_bytes);
        auto type =
            static_cast<unsigned char>(b[data + static_cast<std::size_t>(c.time * time_bytes + i)]);
        if (type >= c.type)
            return bad("transition names a type that does not exist");
        rules->transitions.push_back(t);
        rules->offsets.push_back(type_offset(type));
    }
    rules->initial = type_offset(0);
    if (version >= '2') {
        auto footer_at = data + block_size(c, time_bytes);
        if (footer_at < b.size() && b[footer_at] == '\n') {
            auto end = b.find('\n', footer_at + 1);
            if (end != std::string_view::npos && end > footer_at + 1) {
                PosixRule r;
                if (!PosixParser(b.substr(footer_at + 1, end - footer_at - 1)).parse(r))
                    return bad("unreadable rule after the last transition");
                rules->footer = r;
            }
        }
    }
    return TimeZone(std::move(rules));
}

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string& error) {
    // A zone name is a relative path of letters, digits, '_', '-', '+' and '/': never "..".
    bool ok = !name.empty() && name.front() != '/' && name.find("..") == std::string_view::npos;
    for (char ch : name)
        ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' ||
                    ch == '+' || ch == '/');
    const char* env = std::getenv("TZDIR");
    std::string dir = env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
    if (!ok) {
        error = fmt::format("'{}' is not a time zone name (like America/Mexico_City)", name);
        return std::nullopt;
    }
    std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
    if (!in) {
        error = fmt::format("unknown time zone '{}' (no such zone in {}; is tzdata installed?)",
                            name, dir);
        return std::nullopt;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto text = bytes.str();
    if (text.size() > (1U << 20)) {
        error = fmt::format("time zone {}: file too large", name);
        return std::nullopt;
    }
    return parse(name, text, error);
}

const std::string& TimeZone::name() const {
    return rules_->name;
}

std::int64_t TimeZone::offset_at(std::int64_t t) const {
    const auto& r = *rules_;
    auto it = std::upper_bound(r.transitions.begin(), r.transitions.end(), t);
    if (it == r.transitions.begin())
        return r.transitions.empty() && r.footer ? r.footer->offset_at(t) : r.initial;
    if (it == r.transitions.end() && r.footer)
        return r.footer->offset_at(t);
    return r.offsets[static_cast<std::size_t>(it - r.transitions.begin() - 1)];
}

std::int64_t TimeZone::to_utc(const LocalDateTime& l) const {
    const std::int64_t local =
        days_from_civil(l.year, l.month, l.day) * kDay + l.hour * 3600LL + l.minute * 60LL;
    std::optional<std::int64_t> best;
    for (std::int64_t shift : {-kDay, std::int64_t{0}, kDay}) {
        auto o = offset_at(local + shift);
        auto t = local - o;
        if (offset_at(t) == o && (!best || t < *best))
            best = t;
    }
    if (best)
        return *best;
    // In a gap: the offset before it.
    return local - offset_at(local - kDay);
}

LocalDateTime TimeZone::to_local(std::int64_t t) const {
    const auto local = t + offset_at(t);
    LocalDateTime out;
    civil_from_days(floor_div(local, kDay), out.year, out.month, out.day);
    auto secs = local - floor_div(local, kDay) * kDay;
    out.hour = static_cast<int>(secs / 3600);
    out.minute = static_cast<int>((secs % 3600) / 60);
    return out;
}

}  // namespace hrmaild::core
