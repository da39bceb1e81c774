#pragma once
/// MailDirectory over the Zoho Mail client and its directory cache: every planned operation
/// mapped onto the API (the one place an operation's Zoho call is defined), acting on the ids
/// the plan bound, and probes that read the organization again.
#include "daemon/service/ports.hpp"
#include "daemon/zoho/directory_cache.hpp"
#include "daemon/zoho/zoho_client.hpp"

#include <optional>
#include <vector>

namespace hrmaild::app {

/// The Zoho Mail adapter.
class ZohoMailDirectory final : public service::MailDirectory {
  public:
    /// Both must outlive this.
    ZohoMailDirectory(zoho::ZohoClient& client, zoho::DirectoryCache& cache);

    service::Awaitable<service::Outcome<service::SnapshotPtr>> snapshot(bool fresh) override;
    /// The cached snapshot when its load started at or after `since` and it is not stale.
    service::Awaitable<service::Outcome<service::SnapshotPtr>> snapshot_since(
        core::WallTime since) override;
    service::Awaitable<service::Outcome<std::string>> apply(const domain::Operation& op,
                                                            const Secret* password) override;
    [[nodiscard]] bool fuses() const override { return true; }
    service::Awaitable<service::Outcome<std::string>> apply_fused(
        const domain::Operation& op, const Secret* password,
        const std::vector<domain::Operation>& riders) override;
    service::Awaitable<service::Outcome<service::Probe>> probe(const domain::Operation& op,
                                                               std::int64_t started_at_ms) override;

  private:
    /// The live target of a step: read by its bound id, else (what the plan created) by
    /// address. Empty optionals inside mean "not found".
    struct Live {
        std::optional<zoho::User> user;
        std::optional<zoho::Group> group;
    };
    // The steps speak the client's errors; apply() translates at the port.
    service::Awaitable<net::Outcome<Live>> read_target(const domain::Operation& op);
    service::Awaitable<net::Outcome<std::string>> perform(
        const domain::Operation& op, const Secret* password,
        const std::vector<domain::Operation>& riders);
    /// Keeps the cached directory current after `op` (and its riders) succeeded.
    void remember(const domain::Operation& op, const std::vector<domain::Operation>& riders);
    service::Awaitable<net::Outcome<std::string>> call(
        const domain::Operation& op, const Secret* password, const zoho::User* user,
        const zoho::Group* group, const std::vector<domain::Operation>& riders);

    zoho::ZohoClient& client_;
    zoho::DirectoryCache& cache_;
    std::optional<zoho::User> created_user_;    ///< what the last create_user made
    std::optional<zoho::Group> created_group_;  ///< what the last create_group made
};

}  // namespace hrmaild::app
