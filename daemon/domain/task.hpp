#pragma once
/// An HR request as the daemon reads it from a Bitrix24 task.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hrmaild::domain {

/// Bitrix24 task status values (`STATUS`, `REAL_STATUS`; reference section 6). Plain ints, as
/// the portal sends them; 0 is "not known" (the source did not say, or said something else).
namespace task_status {
inline constexpr int unknown = 0;
inline constexpr int new_ = 1;  ///< legacy, no longer produced by the portal
inline constexpr int pending = 2;
inline constexpr int in_progress = 3;
inline constexpr int supposedly_completed = 4;  ///< awaiting the creator's control
inline constexpr int completed = 5;
inline constexpr int deferred = 6;
inline constexpr int declined = 7;  ///< legacy
}  // namespace task_status

/// A Bitrix24 task reduced to what workflows look at.
struct Task {
    std::int64_t id = 0;
    std::string title;
    std::string description;  ///< BB-code, as HR wrote it
    std::vector<std::string> tags;
    std::int64_t created_by = 0;
    std::string created_by_name;  ///< empty when unknown (offline planning)
    std::int64_t responsible_id = 0;
    std::int64_t group_id = 0;              ///< the Bitrix project (GROUP_ID)
    std::map<std::string, std::string> uf;  ///< custom fields (UF_*), as text
    std::string changed_date;               ///< CHANGED_DATE, to notice edits
    std::string created_date;               ///< CREATED_DATE (ISO 8601 with offset); may be empty
    /// The real status (`task_status`). A source that cannot tell leaves 0, which is not open;
    /// a task file without STATUS (`workflow::task_from_json`) is pending, as the portal
    /// creates a task.
    int status = task_status::unknown;

    /// Whether HR still wants the request: new, pending or in progress. Supposedly completed,
    /// completed, deferred, declined and unknown are not open.
    [[nodiscard]] bool is_open() const {
        return status == task_status::new_ || status == task_status::pending ||
               status == task_status::in_progress;
    }
};

}  // namespace hrmaild::domain
