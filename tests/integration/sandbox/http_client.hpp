#pragma once
/// A tiny blocking HTTP(S) client for the sandbox's raw-HTTP tests: one connection per call
/// (or a kept-alive one), receive timeouts so a silent server fails the test instead of hanging.
#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace hrmaild::sandbox::test {

/// What came back; `error` set (and status 0) when the connection failed or was dropped.
struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< names lower-cased
    std::string error;

    /// The body parsed as JSON (null when it is not JSON).
    [[nodiscard]] boost::json::value json() const;
};

/// One request to 127.0.0.1:port on a fresh connection.
HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

/// The same over TLS, verifying the server against `ca_file` (host name 127.0.0.1).
HttpResult https_request(unsigned short port, const std::string& ca_file, const std::string& method,
                         const std::string& target, const std::string& body = {});

/// Several requests on one kept-alive connection, in order.
std::vector<HttpResult> http_keep_alive(unsigned short port,
                                        const std::vector<std::string>& get_targets);

/// JSON helpers for tests: `{"Authorization": "Zoho-oauthtoken <t>"}` style header lists.
std::vector<std::pair<std::string, std::string>> zoho_auth(const std::string& token);

}  // namespace hrmaild::sandbox::test
