#pragma once
/// The configuration's `http` and `retry` sections in the HTTP stack's terms: the one place
/// where `config::` becomes `net::` (net includes no config).
#include "daemon/config/config.hpp"
#include "daemon/net/settings.hpp"

namespace hrmaild::app {

/// `http.*` for `net::HttpClient`.
net::HttpSettings http_settings(const config::HttpConfig& http);
/// `retry.*` (and a command's `give_up_beyond`) for `net::RetryPolicy`.
net::RetrySettings retry_settings(const config::RetryConfig& retry);
/// The schema's `http.*` defaults, for callers without a config file (the CLI's admin
/// client, tests).
net::HttpSettings default_http_settings();

}  // namespace hrmaild::app
