#pragma once
/// Reconciliation, report first (issue 14): Zoho as it is against what hrmaild recorded. It
/// changes nothing: every fix goes through a normal task, plan and approval.
#include "daemon/core/zone.hpp"
#include "daemon/domain/directory.hpp"
#include "daemon/service/ports.hpp"
#include "daemon/store/state_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::service {

/// A quantity used of a total (licences; storage in MB).
struct Usage {
    std::int64_t used = 0;
    std::int64_t total = 0;
};

/// One mailbox's storage.
struct MailboxUsage {
    std::string address;
    std::int64_t used_mb = 0;
    std::int64_t total_mb = 0;
};

/// What reconciliation reads from Zoho beyond the directory snapshot: the forwards each
/// account has, licences and storage (the same Zoho reads as the dashboard's).
struct OrgUsage {
    /// Forward destinations by primary address (lower case); "" is one Zoho does not name.
    std::map<std::string, std::vector<std::string>> forwards;
    std::optional<Usage> licences;    ///< nullopt: unknown
    std::optional<Usage> storage_mb;  ///< the organization's; nullopt: unknown
    std::vector<MailboxUsage> mailboxes;
};

/// Port: the Zoho facts above (adapted to the Zoho client in app/).
class ReconcileSource {
  public:
    virtual ~ReconcileSource() = default;
    /// Reads forwards, licences and storage now.
    virtual Awaitable<Outcome<OrgUsage>> usage() = 0;
};

/// A Bitrix task as the report needs it.
struct ReportTask {
    std::int64_t id = 0;
    int status = 0;  ///< Bitrix status: 1 new, 2 pending, 3 in progress, 4 awaiting control,
                     ///< 5 completed, 6 deferred
    std::string description;
};

/// What the report task is made or updated with.
struct ReportTaskFields {
    std::string title;
    std::string description;  ///< ends with the marker line
    std::int64_t responsible_id = 0;
    std::int64_t project_id = 0;  ///< 0: none
    std::string tag;
};

/// Port: the Bitrix calls of the report task (tasks.task.list / add / update).
class ReportTasks {
  public:
    virtual ~ReportTasks() = default;
    /// Every task carrying `tag` (tasks.task.list, filter TAG), any status.
    virtual Awaitable<Outcome<std::vector<ReportTask>>> with_tag(std::string tag) = 0;
    /// tasks.task.add; the new task's id.
    virtual Awaitable<Outcome<std::int64_t>> add(const ReportTaskFields& fields) = 0;
    /// tasks.task.update of title, description, responsible, project and tag.
    virtual Awaitable<Outcome<void>> update(std::int64_t task_id,
                                            const ReportTaskFields& fields) = 0;
};

/// The tag of the report task, and the marker its description ends with (`ref <marker>`).
inline constexpr std::string_view kReportTag = "hrmaild-conciliacion";
/// `hrmaild:0:reconcile:report`.
std::string report_marker();

/// One difference between Zoho and hrmaild's records.
struct Finding {
    /// created_outside | disabled_forwarding | disabled_in_groups | licences_high |
    /// mailbox_storage_high | past_scheduled_delete | scheduled_delete_changed |
    /// storage_high | terminated_enabled
    std::string kind;
    std::string address;       ///< empty for the organization's licences and storage
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
    int full_percent = 90;  ///< licences and storage used this much or more are reported
};

/// Compares `directory` (and `usage`, when read) with the store's tickets, journal and
/// scheduled steps at `now_ms`.
ReconcileReport reconcile(const domain::DirectorySnapshot& directory, store::StateStore& store,
                          std::int64_t now_ms, const ReconcileOptions& options,
                          const OrgUsage* usage = nullptr);

/// The report as HR and IT read it (catalog language): a title line, one line per finding, and
/// a reminder that nothing was changed.
std::string report_text(const ReconcileReport& report, const core::TimeZone* zone);

/// The report as JSON: `at` (ISO), `findings` [{kind, address, zuid?, task?, detail}], `text`.
boost::json::object report_json(const ReconcileReport& report, const core::TimeZone* zone);

}  // namespace hrmaild::service
