#pragma once
/// The hash chain of the audit trail: each record's hash covers the previous record's hash
/// and this record's own fields, so changing or removing a record breaks every later link.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::store::detail {

/// The `prev_hash` of the first record: 64 zeros.
inline constexpr std::string_view kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one audit record. Fields are length-prefixed so no two different records
/// encode to the same bytes (a newline inside `detail` cannot fake a field boundary).
std::string audit_hash(std::string_view prev_hash, std::int64_t seq, std::int64_t at_ms,
                       std::string_view actor, std::string_view action,
                       std::optional<std::int64_t> task_id, std::string_view detail);

}  // namespace hrmaild::store::detail
