#include "daemon/zoho/connection.hpp"

namespace hrmaild::zoho {

ZohoConnection::ZohoConnection(net::HttpTransport& http, net::Clock& clock,
                               const config::Config& config, ClientOptions options)
    : tokens_(http, clock, TokenSettings::from_config(config.zoho))
    , client_(http, clock, tokens_, config.zoho, config.retry, options)
    , directory_(client_, clock, config.zoho.directory_refresh) {}

}  // namespace hrmaild::zoho
