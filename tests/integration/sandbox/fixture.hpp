#pragma once
/// Test fixture: an in-process sandbox on 127.0.0.1:0 seeded with tests/fixtures/tickets, and
/// shortcuts for the calls every test makes (mint a token, call the Zoho API, the control API).
#include "tests/integration/sandbox/http_client.hpp"
#include "tests/sandbox/server.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace hrmaild::sandbox::test {

/// The seeded organization's id (org.json).
inline constexpr long long seeded_zoid = 60012345678;
/// `/api/organization/{zoid}`.
inline std::string org_path() {
    return "/api/organization/" + std::to_string(seeded_zoid);
}

/// An in-process sandbox seeded from tests/fixtures/tickets.
class SandboxTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override { sandbox_.reset(); }

    /// The bound port.
    unsigned short port() const { return sandbox_->port(); }
    /// A refresh-token grant with the seeded client; the whole token endpoint answer.
    HttpResult mint(const std::string& refresh_token = "1000.sandbox-refresh-token");
    /// A fresh access token (fails the test if minting fails).
    std::string token();
    /// A Zoho API call with `Authorization: Zoho-oauthtoken <token>` (token_ minted on demand).
    HttpResult api(const std::string& method, const std::string& target,
                   const boost::json::value& body = nullptr);
    /// A Zoho API call with a JSON body given as text (to send exactly these bytes).
    HttpResult api_raw(const std::string& method, const std::string& target,
                       const std::string& body);
    /// A control API call.
    HttpResult control(const std::string& method, const std::string& what,
                       const boost::json::value& body = nullptr);
    /// GET /_sandbox/state as JSON.
    boost::json::object state();
    /// A seeded user's zuid and accountId (by address), read from the API.
    long long zuid_of(const std::string& email);
    std::string account_id_of(const std::string& email);

    std::unique_ptr<BackgroundSandbox> sandbox_;
    std::string token_;
};

/// `data.errorCode` of a Zoho error envelope, or "" when absent.
std::string error_code(const HttpResult& r);

}  // namespace hrmaild::sandbox::test
