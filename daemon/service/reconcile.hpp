#pragma once
/// Reconciliation, report first (issue 14): Zoho as it is against what hrmaild recorded. It
/// changes nothing: every fix goes through a normal task, plan and approval.
#include "daemon/core/zone.hpp"
#include "daemon/domain/directory.hpp"
#include "daemon/store/state_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::service {

/// One difference between Zoho and hrmaild's records.
struct Finding {
    /// created_outside | disabled_in_groups | past_scheduled_delete | scheduled_delete_changed |
    /// terminated_enabled
    std::string kind;
    std::string address;
    std::string zuid;          ///< the account's Zoho id when known
    std::int64_t task_id = 0;  ///< the hrmaild task it concerns (0: none)
    std::string detail;        ///< one line for HR and IT (catalog language)
};

/// What one run found.
struct ReconcileReport {
    std::int64_t at_ms = 0;
    std::vector<Finding> findings;  ///< by kind, then address
};

/// What a run looks at.
struct ReconcileOptions {
    int recent_days = 7;  ///< accounts created this recently need a hire ticket
    /// A pending scheduled delete this long past its time counts as missed.
    std::int64_t grace_ms = 24LL * 3600 * 1000;
    const core::TimeZone* zone = nullptr;  ///< dates in the text (null: UTC)
};

/// Compares `directory` with the store's tickets, journal and scheduled steps at `now_ms`.
ReconcileReport reconcile(const domain::DirectorySnapshot& directory, store::StateStore& store,
                          std::int64_t now_ms, const ReconcileOptions& options);

/// The report as HR and IT read it (catalog language): a title line, one line per finding, and
/// a reminder that nothing was changed.
std::string report_text(const ReconcileReport& report, const core::TimeZone* zone);

/// The report as JSON: `at` (ISO), `findings` [{kind, address, zuid?, task?, detail}], `text`.
boost::json::object report_json(const ReconcileReport& report, const core::TimeZone* zone);

}  // namespace hrmaild::service
