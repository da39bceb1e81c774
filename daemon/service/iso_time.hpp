#pragma once
/// ISO 8601 instants as Bitrix24 writes them ("2026-11-28T04:00:00-06:00").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::service {

/// Unix seconds of an ISO 8601 date-time with an optional offset (no offset: UTC).
std::optional<std::int64_t> parse_iso(std::string_view text);

/// Unix seconds as ISO 8601 in UTC with an explicit `+00:00` offset.
std::string format_iso_utc(std::int64_t unix_seconds);

}  // namespace hrmaild::service
