#include "daemon/app/clients.hpp"

#include "daemon/app/net_settings.hpp"

namespace hrmaild::app {

Clients::Clients(boost::asio::any_io_executor executor, const config::Config& cfg,
                 core::Clock& clock, int max_attempts) {
    net::HttpClientOptions ho;
    ho.redact = bitrix::BitrixClient::redactor(cfg.bitrix);
    http = std::make_unique<net::HttpClient>(executor, http_settings(cfg.http), ho);
    // An operator waiting for `status` or `plan` needs fewer attempts than the daemon.
    auto retry = retry_settings(cfg.retry);
    if (max_attempts > 0)
        retry.max_attempts = max_attempts;
    bitrix = std::make_unique<bitrix::BitrixClient>(
        executor, *http, clock, bitrix::ClientSettings::from_config(cfg, retry));
    zoho = std::make_unique<zoho::ZohoConnection>(*http, clock, cfg, retry);
}

}  // namespace hrmaild::app
