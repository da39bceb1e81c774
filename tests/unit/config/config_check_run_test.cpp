// Issue 10 item 8: `check` and `run` agree. The listen address is parsed once (what `check`
// accepts, start-up accepts), the defaults come from one table, the sandbox's published fake
// secrets raise no mode warning, and `queue` can load a configuration reading only the admin
// tokens.
#include "daemon/config/config.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace hrmaild::config {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string minimal(const std::string& listen, const std::string& secrets = "secrets") {
    return "bitrix:\n  portal_url: https://x.bitrix24.com\n  webhook_user_id: 1\n"
           "  webhook_secret_file: " +
           secrets +
           "/webhook\n  project_id: 1\n"
           "zoho:\n  accounts_url: https://accounts.zoho.com\n  api_url: https://mail.zoho.com\n"
           "  client_id: c\n  client_secret_file: " +
           secrets + "/client\n  refresh_token_file: " + secrets +
           "/refresh\n"
           "policy:\n  allowed_domains: [example.com]\n"
           "state:\n  path: state/hrmaild.db\n"
           "admin:\n  listen: \"" +
           listen + "\"\n  tokens: [{name: ops, token_file: " + secrets +
           "/admin}]\n"
           "workflows:\n  dir: workflows\n";
}

void write_secrets(TempDir& dir, fs::perms mode) {
    for (const char* n : {"webhook", "client", "refresh", "admin"}) {
        auto p = dir.write(std::string("secrets/") + n, std::string("value-of-") + n);
        fs::permissions(p, mode);
    }
}

TEST(CheckAndRunAgree, AnUnbracketedIpv6ListenAddressIsAnError) {
    TempDir dir;
    write_secrets(dir, fs::perms::owner_read | fs::perms::owner_write);
    auto r = load_config_text(minimal("::1:8791"), dir.path() / "c.yaml");
    EXPECT_FALSE(r.config);
    EXPECT_NE(r.diagnostics.to_string().find("admin.listen: expected host:port"), std::string::npos)
        << r.diagnostics.to_string();
    r = load_config_text(minimal("[::1]:8791"), dir.path() / "c.yaml");
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    auto parsed = parse_listen(r.config->admin.listen);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->host, "::1");
    EXPECT_EQ(parsed->port, 8791);
}

TEST(CheckAndRunAgree, ParseListen) {
    EXPECT_TRUE(parse_listen("127.0.0.1:0"));
    EXPECT_TRUE(parse_listen("localhost:8791"));
    EXPECT_FALSE(parse_listen("::1:8791"));
    EXPECT_FALSE(parse_listen("127.0.0.1"));
    EXPECT_FALSE(parse_listen("127.0.0.1:65536"));
    EXPECT_FALSE(parse_listen(":8791"));
}

TEST(CheckAndRunAgree, OneTableOfDefaults) {
    TempDir dir;
    write_secrets(dir, fs::perms::owner_read | fs::perms::owner_write);
    auto r = load_config_text(minimal("127.0.0.1:8791"), dir.path() / "c.yaml");
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    auto d = default_http_config();
    const auto& h = r.config->http;
    EXPECT_EQ(d.resolve_timeout, h.resolve_timeout);
    EXPECT_EQ(d.connect_timeout, h.connect_timeout);
    EXPECT_EQ(d.tls_timeout, h.tls_timeout);
    EXPECT_EQ(d.write_timeout, h.write_timeout);
    EXPECT_EQ(d.read_timeout, h.read_timeout);
    EXPECT_EQ(d.total_timeout, h.total_timeout);
    EXPECT_EQ(d.max_response_bytes, h.max_response_bytes);
    EXPECT_EQ(d.user_agent, h.user_agent);
    auto rd = default_retry_config();
    EXPECT_EQ(rd.max_attempts, r.config->retry.max_attempts);
    EXPECT_EQ(rd.base_delay, r.config->retry.base_delay);
    EXPECT_EQ(rd.max_delay, r.config->retry.max_delay);
}

TEST(CheckAndRunAgree, PublishedFakeSecretsRaiseNoModeWarning) {
    TempDir dir;
    const auto open = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read;
    write_secrets(dir, open);
    auto r = load_config_text(minimal("127.0.0.1:8791"), dir.path() / "c.yaml");
    ASSERT_TRUE(r.config);
    EXPECT_EQ(r.diagnostics.warning_count(), 4u) << r.diagnostics.to_string();
    dir.write(std::string("secrets/") + fake_secrets_marker, "published fakes\n");
    r = load_config_text(minimal("127.0.0.1:8791"), dir.path() / "c.yaml");
    ASSERT_TRUE(r.config);
    EXPECT_EQ(r.diagnostics.warning_count(), 0u) << r.diagnostics.to_string();
}

TEST(CheckAndRunAgree, QueueReadsOnlyTheAdminTokens) {
    TempDir dir;
    auto admin = dir.write("secrets/admin", "the-admin-token");
    fs::permissions(admin, fs::perms::owner_read | fs::perms::owner_write);
    auto file = dir.write("c.yaml", minimal("127.0.0.1:8791"));
    EXPECT_FALSE(load_config(file).config);  // the service secrets are missing
    LoadOptions only_admin;
    only_admin.read_service_secrets = false;
    auto r = load_config(file, only_admin);
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    ASSERT_EQ(r.config->admin.tokens.size(), 1u);
    EXPECT_TRUE(r.config->admin.tokens[0].token.value.equals("the-admin-token"));
    EXPECT_FALSE(r.config->zoho.refresh_token);
}

}  // namespace
}  // namespace hrmaild::config

namespace hrmaild::config {
namespace {

// The web console (issue 12): turned on, it needs the portal application's id and secret; its
// URLs default to the Bitrix ones.
TEST(ConsoleConfig, EnabledNeedsTheApplicationAndDefaultsToThePortal) {
    TempDir dir;
    write_secrets(dir, fs::perms::owner_read | fs::perms::owner_write);
    auto r = load_config_text(minimal("127.0.0.1:8791") + "console:\n  enabled: true\n",
                              dir.path() / "c.yaml");
    EXPECT_FALSE(r.config);
    auto text = r.diagnostics.to_string();
    EXPECT_NE(text.find("console.client_id"), std::string::npos) << text;
    EXPECT_NE(text.find("console.client_secret_file"), std::string::npos) << text;

    dir.write("secrets/console", "app-secret", fs::perms::owner_read | fs::perms::owner_write);
    r = load_config_text(minimal("127.0.0.1:8791") +
                             "console:\n  enabled: true\n  client_id: local.1.2\n"
                             "  client_secret_file: secrets/console\n  viewers: [12]\n"
                             "  secure_cookies: true\n",
                         dir.path() / "c.yaml");
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    const auto& c = r.config->console;
    EXPECT_TRUE(c.enabled);
    EXPECT_EQ(c.client_secret->value.reveal(), "app-secret");
    EXPECT_EQ(c.portal_url, "https://x.bitrix24.com");
    EXPECT_EQ(c.oauth_server_url, "https://oauth.bitrix.info");
    EXPECT_EQ(c.viewers, std::vector<std::int64_t>{12});
    EXPECT_TRUE(c.secure_cookies);
    EXPECT_EQ(c.session_idle, std::chrono::minutes(30));
    EXPECT_EQ(c.max_sessions, 256);
    // Off by default, and then nothing is needed.
    r = load_config_text(minimal("127.0.0.1:8791"), dir.path() / "c.yaml");
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    EXPECT_FALSE(r.config->console.enabled);
}

}  // namespace
}  // namespace hrmaild::config
