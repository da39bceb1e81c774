#include "daemon/app/net_settings.hpp"

namespace hrmaild::app {

net::HttpSettings http_settings(const config::HttpConfig& http) {
    net::HttpSettings s;
    s.resolve_timeout = http.resolve_timeout;
    s.connect_timeout = http.connect_timeout;
    s.tls_timeout = http.tls_timeout;
    s.write_timeout = http.write_timeout;
    s.read_timeout = http.read_timeout;
    s.total_timeout = http.total_timeout;
    s.max_response_bytes = http.max_response_bytes;
    s.proxy = http.proxy;
    s.ca_file = http.ca_file;
    s.user_agent = http.user_agent;
    return s;
}

net::RetrySettings retry_settings(const config::RetryConfig& retry) {
    net::RetrySettings s;
    s.max_attempts = retry.max_attempts;
    s.base_delay = retry.base_delay;
    s.max_delay = retry.max_delay;
    s.give_up_beyond = retry.give_up_beyond;
    return s;
}

net::HttpSettings default_http_settings() {
    return http_settings(config::default_http_config());
}

}  // namespace hrmaild::app
