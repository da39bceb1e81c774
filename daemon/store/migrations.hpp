#pragma once
/// The schema steps compiled into the binary from daemon/store/migrations/NNNN_*.sql (CMake
/// reads the files into a generated source, so nothing is read from disk at run time).
#include <span>
#include <string_view>

namespace hrmaild::store {

/// One numbered schema step.
struct Migration {
    int version;            ///< 1, 2, 3 ... (the file's number)
    std::string_view name;  ///< the file name, e.g. `0001_tickets_plans_approvals.sql`
    std::string_view sql;   ///< the file's statements
};

/// Every schema step this binary knows, in order, numbered 1..N without gaps.
std::span<const Migration> migrations();

/// The newest schema version this binary knows (N).
int latest_schema_version();

}  // namespace hrmaild::store
