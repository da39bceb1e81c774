#pragma once
/// UTC instants as text, written one way for the whole daemon (fmt's chrono support), and the
/// ISO 8601 reader for what Bitrix24 sends.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::core {

/// How an instant is written; always UTC, always to the second unless it says otherwise.
enum class UtcStyle {
    iso_z,         ///< `2026-11-28T10:00:00Z`: log fields, status output, error texts
    iso_offset,    ///< `2026-11-28T10:00:00+00:00`: what Bitrix24 filters and sends back
    iso_millis_z,  ///< `2026-11-28T10:00:00.123Z`: the JSON log line's timestamp
    readable,      ///< `2026-11-28 10:00:00Z`: the CLI's tables, for people
};

/// `t` in UTC as `style` says (sub-second digits only in iso_millis_z; truncated, not rounded).
std::string format_utc(std::chrono::system_clock::time_point t, UtcStyle style = UtcStyle::iso_z);

/// Unix seconds in UTC as `style` says.
std::string format_utc_seconds(std::int64_t unix_seconds, UtcStyle style = UtcStyle::iso_z);

/// Unix seconds of an ISO 8601 date-time (`2026-11-28T04:00:00-06:00`; fractional seconds
/// ignored; no offset or `Z`: UTC). Nullopt when the text does not start with a date-time.
std::optional<std::int64_t> parse_iso(std::string_view text);

}  // namespace hrmaild::core
