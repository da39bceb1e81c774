#pragma once
/// Civil time in a named time zone (`America/Mexico_City`), read from the system's IANA
/// database (TZif files under `/usr/share/zoneinfo`, or `$TZDIR`).
///
/// Why not ICU: Debian 12's ICU 72 carries its own, frozen copy of the rules (tzdata 2022e),
/// which still has Mexico observe daylight-saving time after it was abolished in October 2022,
/// so every summer date from 2023 on would be an hour off. The system's tzdata package is
/// updated with the distribution, and GCC 12's libstdc++ has no `std::chrono::zoned_time`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::core {

/// A calendar date and wall-clock time, with no zone.
struct LocalDateTime {
    int year = 1970;
    int month = 1;  ///< 1..12
    int day = 1;    ///< 1..31
    int hour = 0;
    int minute = 0;
};

/// One loaded time zone; cheap to copy (the rules are shared).
class TimeZone {
  public:
    /// Loads `name` from `$TZDIR` (default `/usr/share/zoneinfo`). Nullopt with `error` set
    /// when the name is not a zone there (`error` says why: unknown name, unreadable file,
    /// not a TZif file).
    static std::optional<TimeZone> load(std::string_view name, std::string& error);
    /// Parses TZif bytes (tests, and zones kept elsewhere).
    static std::optional<TimeZone> parse(std::string_view name, std::string_view bytes,
                                         std::string& error);

    /// The zone's name as given to `load`.
    [[nodiscard]] const std::string& name() const;
    /// Seconds east of UTC in force at the instant `unix_seconds`.
    [[nodiscard]] std::int64_t offset_at(std::int64_t unix_seconds) const;
    /// The instant (Unix seconds) of a wall-clock time in this zone. A time skipped by a
    /// spring-forward gap is read with the offset before the gap (so it lands just after the
    /// gap); a time repeated by a fall-back is the first of the two.
    [[nodiscard]] std::int64_t to_utc(const LocalDateTime& local) const;
    /// The wall-clock time of an instant in this zone.
    [[nodiscard]] LocalDateTime to_local(std::int64_t unix_seconds) const;

    struct Rules;

  private:
    explicit TimeZone(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}
    std::shared_ptr<const Rules> rules_;
};

/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(int year, int month, int day);

/// The proleptic Gregorian date `days` days after 1970-01-01.
void civil_from_days(std::int64_t days, int& year, int& month, int& day);

/// `HH:MM` (00:00..23:59) as minutes after midnight; nullopt otherwise.
std::optional<int> parse_hh_mm(std::string_view text);

/// `dd/mm/yyyy HH:MM` of a local date-time (how HR reads dates in comments).
std::string format_local(const LocalDateTime& t);

/// An instant as HR and IT read it: `31/01/2031 23:59 (America/Mexico_City)` (the plan
/// comment's form; the console and `queue show` use it for scheduled steps).
std::string format_in_zone(const TimeZone& zone, std::int64_t unix_seconds);

}  // namespace hrmaild::core
