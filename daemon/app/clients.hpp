#pragma once
/// The service clients built from the configuration, in one place for `run`, `status` and
/// `plan`: one HTTP client (the Bitrix webhook secret redacted from logged URLs), the Bitrix24
/// client, and the Zoho connection (token manager, client and directory cache).
#include "daemon/bitrix/client.hpp"
#include "daemon/config/config.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/connection.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace hrmaild::app {

/// Every remote client, owning what they share. Throws std::runtime_error on a start-up
/// problem (an unreadable CA file, a bad proxy URL).
struct Clients {
    /// `max_attempts` > 0 overrides retry.max_attempts (commands an operator waits for).
    Clients(boost::asio::any_io_executor executor, const config::Config& cfg, core::Clock& clock,
            int max_attempts = 0);

    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<bitrix::BitrixClient> bitrix;
    std::unique_ptr<zoho::ZohoConnection> zoho;
};

}  // namespace hrmaild::app
