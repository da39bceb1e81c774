// TLS against a test CA made at test time: trust through http.ca_file, refusal of an
// untrusted certificate and of a name mismatch, SNI, keep-alive over TLS.
#include "daemon/net/http_client.hpp"
#include "tests/integration/net/http_settings.hpp"
#include "tests/support/net_test_pki.hpp"
#include "tests/support/net_test_server.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace hrmaild::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::NetTestServer;
using test::ServerReply;
using test::ServerRequest;

class TlsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        pki_ = new test::TestPki(test::make_test_pki(dir_->path()));
    }
    static void TearDownTestSuite() {
        delete pki_;
        delete dir_;
    }

    net::HttpSettings config(bool trust_test_ca = true) const {
        auto c = test::http_settings();
        c.tls_timeout = 3s;
        c.read_timeout = 3s;
        c.total_timeout = 8s;
        if (trust_test_ca)
            c.ca_file = pki_->ca_cert.string();
        return c;
    }
    static HttpClientOptions no_env() {
        HttpClientOptions o;
        o.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
        return o;
    }
    Outcome<HttpResponse> get(HttpClient& client, const std::string& url) {
        HttpRequest r;
        r.url = url;
        return test::run_coro(ioc_, client.send(r));
    }
    static ServerReply hello(const ServerRequest&) { return ServerReply::ok(R"({"hello":"tls"})"); }

    static test::TempDir* dir_;
    static test::TestPki* pki_;
    asio::io_context ioc_;
};
test::TempDir* TlsTest::dir_ = nullptr;
test::TestPki* TlsTest::pki_ = nullptr;

TEST_F(TlsTest, TrustedThroughCaFileByNameAndByAddress) {
    NetTestServer server(hello, test::ServerTls{pki_->server_cert, pki_->server_key});
    HttpClient client(ioc_.get_executor(), config(), no_env());
    auto by_name = get(client, server.url("/a", "localhost"));
    ASSERT_TRUE(by_name.has_value()) << by_name.error().describe();
    EXPECT_EQ(by_name->body, R"({"hello":"tls"})");
    auto by_ip = get(client, server.url("/b", "127.0.0.1"));
    ASSERT_TRUE(by_ip.has_value()) << by_ip.error().describe();
    // SNI carries the name, never an address literal (RFC 6066).
    auto sni = server.sni_names();
    ASSERT_EQ(sni.size(), 2u);
    EXPECT_EQ(sni[0], "localhost");
    EXPECT_EQ(sni[1], "");
}

TEST_F(TlsTest, KeepAliveOverTls) {
    NetTestServer server(hello, test::ServerTls{pki_->server_cert, pki_->server_key});
    HttpClient client(ioc_.get_executor(), config(), no_env());
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(get(client, server.url("/k", "localhost")).has_value());
    EXPECT_EQ(server.connections(), 1u);
    EXPECT_EQ(server.sni_names().size(), 1u);  // one handshake
}

TEST_F(TlsTest, WithoutTheCaTheTestCertificateIsRejected) {
    NetTestServer server(hello, test::ServerTls{pki_->server_cert, pki_->server_key});
    HttpClient client(ioc_.get_executor(), config(false), no_env());
    auto res = get(client, server.url("/", "localhost"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::tls);
    EXPECT_EQ(res.error().kind, ErrorKind::permanent);
    EXPECT_NE(res.error().message.find("certificate"), std::string::npos) << res.error().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(TlsTest, TheSystemTrustIsReadFromItsHashedFolderWhenAHandshakeNeedsIt) {
    // A system folder of trusted roots, as `openssl rehash` leaves it: the test CA under its
    // subject hash.
    const auto folder = dir_->path() / "system-certs";
    std::filesystem::create_directories(folder);
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pki_->ca_cert.c_str(), "r"),
                                                &std::fclose);
        ASSERT_TRUE(f);
        std::unique_ptr<X509, void (*)(X509*)> ca(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                                  &X509_free);
        ASSERT_TRUE(ca);
        char name[16];
        std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(ca.get()));
        std::filesystem::copy_file(pki_->ca_cert, folder / name,
                                   std::filesystem::copy_options::overwrite_existing);
    }
    HttpClientOptions o;
    o.env = [&](const char* name) -> std::optional<std::string> {
        if (std::string_view(name) == "SSL_CERT_DIR")
            return folder.string();
        return std::nullopt;
    };
    // Nothing is parsed up front (the default bundle holds some 140 certificates: issue 11) ...
    asio::ssl::context tls(asio::ssl::context::tls_client);
    ASSERT_FALSE(use_system_trust(tls, o.env));
    EXPECT_EQ(
        sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(tls.native_handle()))),
        0);
    // ... and a handshake finds the root it needs in the folder.
    NetTestServer server(hello, test::ServerTls{pki_->server_cert, pki_->server_key});
    HttpClient client(ioc_.get_executor(), config(false), o);
    auto res = get(client, server.url("/", "localhost"));
    ASSERT_TRUE(res.has_value()) << res.error().describe();
    EXPECT_EQ(res->body, R"({"hello":"tls"})");
}

TEST_F(TlsTest, SelfSignedCertificateIsRejectedEvenWithACaFile) {
    NetTestServer server(hello, test::ServerTls{pki_->untrusted_cert, pki_->untrusted_key});
    HttpClient client(ioc_.get_executor(), config(), no_env());
    auto res = get(client, server.url("/", "localhost"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().phase, Phase::tls);
    EXPECT_EQ(res.error().kind, ErrorKind::permanent);
    EXPECT_NE(res.error().message.find("self-signed"), std::string::npos) << res.error().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(TlsTest, HostnameMismatchIsRejected) {
    NetTestServer server(hello, test::ServerTls{pki_->wrong_name_cert, pki_->wrong_name_key});
    HttpClient client(ioc_.get_executor(), config(), no_env());
    for (auto host : {"localhost", "127.0.0.1"}) {
        auto res = get(client, server.url("/", host));
        ASSERT_FALSE(res.has_value()) << host;
        EXPECT_EQ(res.error().phase, Phase::tls);
        EXPECT_EQ(res.error().kind, ErrorKind::permanent);
        EXPECT_NE(res.error().message.find("mismatch"), std::string::npos) << res.error().message;
    }
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(TlsTest, UnreadableCaFileFailsAtStartUp) {
    auto c = config();
    c.ca_file = (dir_->path() / "missing.pem").string();
    EXPECT_THROW(HttpClient(ioc_.get_executor(), c, no_env()), std::runtime_error);
}

}  // namespace
}  // namespace hrmaild::net
