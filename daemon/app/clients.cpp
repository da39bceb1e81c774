#include "daemon/app/clients.hpp"

namespace hrmaild::app {

Clients::Clients(boost::asio::any_io_executor executor, const config::Config& cfg,
                 net::Clock& clock, int max_attempts) {
    net::HttpClientOptions ho;
    ho.redact = bitrix::BitrixClient::redactor(cfg.bitrix);
    http = std::make_unique<net::HttpClient>(executor, cfg.http, ho);
    auto settings = bitrix::ClientSettings::from_config(cfg);
    auto retry = cfg.retry;
    if (max_attempts > 0) {
        settings.retry.max_attempts = max_attempts;
        retry.max_attempts = max_attempts;
    }
    bitrix = std::make_unique<bitrix::BitrixClient>(executor, *http, clock, settings);
    tokens = std::make_unique<zoho::TokenManager>(*http, clock,
                                                  zoho::TokenSettings::from_config(cfg.zoho));
    zoho = std::make_unique<zoho::ZohoClient>(*http, clock, *tokens, cfg.zoho, retry);
    directory = std::make_unique<zoho::DirectoryCache>(*zoho, clock, cfg.zoho.directory_refresh);
}

}  // namespace hrmaild::app
