#pragma once
/// A throw-away PKI made at test time with the openssl CLI: a test CA, a server certificate
/// for `localhost` and 127.0.0.1 signed by it, a certificate signed by it for another name
/// (hostname-mismatch tests), and a self-signed certificate nobody trusts.
///
/// Shared by the net, bitrix and zoho client tests: link the `hrmaild_test_net` target.
#include <filesystem>
#include <string>
#include <vector>

namespace hrmaild::test {

/// File paths of the generated material (all PEM).
struct TestPki {
    std::filesystem::path ca_cert;      ///< trust this (http.ca_file) to accept `server_*`
    std::filesystem::path server_cert;  ///< SAN: DNS:localhost, IP:127.0.0.1, IP:::1
    std::filesystem::path server_key;
    std::filesystem::path wrong_name_cert;  ///< signed by the CA, SAN: DNS:wrong.example only
    std::filesystem::path wrong_name_key;
    std::filesystem::path untrusted_cert;  ///< self-signed, SAN: DNS:localhost, IP:127.0.0.1
    std::filesystem::path untrusted_key;
};

/// Generates the PKI into `dir` (which must exist). Throws std::runtime_error, with the
/// openssl output, when a step fails. Takes well under a second (EC P-256 keys).
TestPki make_test_pki(const std::filesystem::path& dir);

}  // namespace hrmaild::test
