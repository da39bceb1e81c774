#pragma once
/// MailDirectory over the Zoho Mail client and its directory cache: every planned operation
/// mapped onto the API, and probes that read the organization again.
#include "daemon/service/ports.hpp"
#include "daemon/zoho/directory_cache.hpp"
#include "daemon/zoho/zoho_client.hpp"

namespace hrmaild::app {

/// The Zoho Mail adapter.
class ZohoMailDirectory final : public service::MailDirectory {
  public:
    /// Both must outlive this.
    ZohoMailDirectory(zoho::ZohoClient& client, zoho::DirectoryCache& cache);

    service::Awaitable<service::Outcome<domain::DirectorySnapshot>> snapshot(bool fresh) override;
    service::Awaitable<service::Outcome<std::string>> apply(const domain::Operation& op,
                                                            const Secret* password) override;
    service::Awaitable<service::Outcome<service::Probe>> probe(
        const domain::Operation& op) override;

  private:
    service::Awaitable<service::Outcome<zoho::User>> user(const std::string& address);
    service::Awaitable<service::Outcome<zoho::Group>> group(const std::string& address);
    service::Awaitable<service::Outcome<std::string>> perform(const domain::Operation& op,
                                                              const Secret* password);

    zoho::ZohoClient& client_;
    zoho::DirectoryCache& cache_;
};

}  // namespace hrmaild::app
