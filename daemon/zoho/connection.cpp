#include "daemon/zoho/connection.hpp"

namespace hrmaild::zoho {
namespace {

TokenSettings token_settings(const config::Config& config) {
    auto s = TokenSettings::from_config(config.zoho);
    // Shared by the daemon and every CLI command of this installation (issue 10 item 2).
    if (!config.state.path.empty())
        s.token_file = config.state.path.parent_path() / TokenFile::file_name;
    return s;
}

}  // namespace

ZohoConnection::ZohoConnection(net::HttpTransport& http, core::Clock& clock,
                               const config::Config& config, net::RetrySettings retry,
                               ClientOptions options)
    : tokens_(http, clock, token_settings(config))
    , client_(http, clock, tokens_, config.zoho, retry, options)
    , directory_(client_, clock, config.zoho.directory_refresh) {}

}  // namespace hrmaild::zoho
