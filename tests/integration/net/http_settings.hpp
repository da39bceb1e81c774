#pragma once
/// HTTP limits for the HTTP stack's integration tests, which link no config module: the schema's
/// defaults written out (a test overrides what it exercises).
#include "daemon/net/settings.hpp"

#include <chrono>

namespace hrmaild::test {

/// `http.*` as the schema's defaults set them (daemon/config/schema.cpp).
inline net::HttpSettings http_settings() {
    using namespace std::chrono_literals;
    net::HttpSettings s;
    s.resolve_timeout = 10s;
    s.connect_timeout = 10s;
    s.tls_timeout = 10s;
    s.write_timeout = 30s;
    s.read_timeout = 60s;
    s.total_timeout = 90s;
    s.max_response_bytes = 16 * 1024 * 1024;
    s.user_agent = "hrmaild";
    return s;
}

}  // namespace hrmaild::test
