#pragma once
/// An HR request as the daemon reads it from a Bitrix24 task.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hrmaild::domain {

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
    std::string created_date;               ///< CREATED_DATE (ISO 8601), for the horizon
    int status = 2;  ///< Bitrix STATUS: 1 new, 2 pending, 3 in progress, 4 supposedly
                     ///< completed, 5 completed, 6 deferred, 7 declined

    /// Whether HR's request is still open (new, pending or in progress).
    [[nodiscard]] bool is_open() const { return status >= 1 && status <= 3; }
};

}  // namespace hrmaild::domain
