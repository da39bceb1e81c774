#pragma once
/// Dates as the emulated Bitrix24 portal writes and reads them: ISO 8601 with the portal's
/// offset on output, and on input whatever PHP's `strtotime` would take from a client
/// (ISO 8601 with or without offset, `YYYY-MM-DD HH:MM:SS`, `DD.MM.YYYY[ HH:MM[:SS]]`).
#include <chrono>
#include <string>
#include <string_view>

namespace hrmaild::sandbox::bitrix_dates {

/// The portal's offset from UTC: Mexico City, -06:00 all year.
inline constexpr std::chrono::minutes portal_offset{-6 * 60};

/// `2026-11-28T04:02:15-06:00` for a moment, in the portal's offset, whole seconds.
std::string format_iso(std::chrono::system_clock::time_point t);

/// Parses a date a client sent; a date without an offset is portal time. False if unreadable.
bool parse(std::string_view text, std::chrono::system_clock::time_point& out);

}  // namespace hrmaild::sandbox::bitrix_dates
