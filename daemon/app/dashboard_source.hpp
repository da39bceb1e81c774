#pragma once
/// The dashboard's OrgSource over the Zoho Mail client: the organization, the user list
/// (lastLogin, mailbox state), the storage report, the group list, the SMTP logs and the
/// login history, each call with the client's budget, token and retries.
#include "daemon/dashboard/dashboard.hpp"
#include "daemon/zoho/zoho_client.hpp"

namespace hrmaild::app {

/// The Zoho adapter of the dashboard.
class ZohoDashboardSource final : public dashboard::OrgSource {
  public:
    /// `client` must outlive this.
    explicit ZohoDashboardSource(zoho::ZohoClient& client) : client_(client) {}

    boost::asio::awaitable<dashboard::SourceResult<dashboard::OrgFacts>> facts() override;
    boost::asio::awaitable<dashboard::SourceResult<std::vector<dashboard::MailLine>>> mail(
        core::WallTime from, core::WallTime to) override;
    boost::asio::awaitable<dashboard::SourceResult<std::vector<dashboard::SignIn>>> sign_ins(
        core::WallTime from, core::WallTime to) override;

  private:
    zoho::ZohoClient& client_;
};

}  // namespace hrmaild::app
