#pragma once
/// What the console's dashboard keeps of its Zoho reads (issue 12), behind its own narrow port
/// beside StateStore, so that the dashboard's incremental collection survives a restart: mail
/// per UTC day with the time each day was read, each address's latest sign-in, and the
/// organization's figures of the last refresh. The SQLite store implements it in the same
/// database file (schema step 5); the dashboard's code sees only this interface.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/state_store.hpp"

namespace hrmaild::store {

/// One UTC day of mail as the dashboard counted it.
struct DashboardDay {
    std::string day;  ///< `YYYY-MM-DD`
    std::int64_t mail_in = 0;
    std::int64_t mail_out = 0;
    Timestamp fetched_at{};  ///< when the day was last read from Zoho
};

/// An address's latest sign-in seen in the login history.
struct DashboardSignIn {
    std::string address;
    Timestamp last_at{};
};

/// The organization's figures of the last successful refresh.
struct DashboardSnapshot {
    std::string facts;  ///< a JSON document written and read by daemon/dashboard/
    Timestamp refreshed_at{};
};

/// One successful refresh, recorded in one transaction.
struct DashboardRefresh {
    DashboardSnapshot snapshot;
    std::vector<DashboardDay> days;         ///< these days are replaced
    std::vector<DashboardSignIn> sign_ins;  ///< merged: the later sign-in of an address stays
    std::string keep_from;                  ///< days before this `YYYY-MM-DD` are deleted
};

/// The dashboard's durable data. Used from one thread, like StateStore.
class DashboardStore {
  public:
    virtual ~DashboardStore() = default;
    DashboardStore() = default;
    DashboardStore(const DashboardStore&) = delete;
    DashboardStore& operator=(const DashboardStore&) = delete;

    /// The last refresh's figures, or nullopt before the first.
    virtual Result<std::optional<DashboardSnapshot>> dashboard_snapshot() = 0;
    /// The stored days from `from_day` (`YYYY-MM-DD`) on, oldest first.
    virtual Result<std::vector<DashboardDay>> dashboard_days(std::string_view from_day) = 0;
    /// Every address's latest sign-in, by address.
    virtual Result<std::vector<DashboardSignIn>> dashboard_sign_ins() = 0;
    /// Records a refresh: the snapshot replaced, the days replaced, the sign-ins merged and the
    /// days before `keep_from` deleted, in one transaction. Fails with `invalid_argument` for
    /// a day that is not `YYYY-MM-DD` or a negative count.
    virtual Result<void> record_dashboard(const DashboardRefresh& refresh) = 0;
};

}  // namespace hrmaild::store
