#pragma once
/// The reconciliation's two ports over the clients (issue 14): Zoho's forwards, licences and
/// storage (the organization, storage and user-list reads the dashboard makes), and the report
/// task in Bitrix24 (tasks.task.list by tag, tasks.task.add, tasks.task.update).
#include "daemon/bitrix/client.hpp"
#include "daemon/service/reconcile.hpp"
#include "daemon/zoho/zoho_client.hpp"

namespace hrmaild::app {

/// `service::ReconcileSource` over the Zoho client.
class ZohoReconcileSource final : public service::ReconcileSource {
  public:
    /// `client` must outlive this.
    explicit ZohoReconcileSource(zoho::ZohoClient& client) : client_(client) {}
    service::Awaitable<service::Outcome<service::OrgUsage>> usage() override;

  private:
    zoho::ZohoClient& client_;
};

/// The organization's licences, one rule for the reconciliation and the dashboard: the
/// organization's licenseCount (else the storage report's orgPlans total) against orgPlans'
/// allotted count (else one per account). A total of 0 means unknown.
service::Usage licences(const zoho::Organization& org, const zoho::Storage& storage,
                        std::size_t accounts);

/// The reconciliation's figures from what the three Zoho reads returned (pure; tests), the
/// licences by `licences`.
service::OrgUsage org_usage(const zoho::Organization& org, const zoho::Storage& storage,
                            const std::vector<zoho::User>& users);

/// `service::ReportTasks` over the Bitrix client.
class BitrixReportTasks final : public service::ReportTasks {
  public:
    /// `client` must outlive this.
    explicit BitrixReportTasks(bitrix::BitrixClient& client) : client_(client) {}
    service::Awaitable<service::Outcome<std::vector<service::ReportTask>>> with_tag(
        std::string tag) override;
    service::Awaitable<service::Outcome<std::int64_t>> add(
        const service::ReportTaskFields& fields) override;
    service::Awaitable<service::Outcome<void>> update(
        std::int64_t task_id, const service::ReportTaskFields& fields) override;

  private:
    bitrix::BitrixClient& client_;
};

}  // namespace hrmaild::app
