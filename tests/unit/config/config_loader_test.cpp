// Every configuration error path: the message, its key path, its line and column.
#include "daemon/config/config.hpp"
#include "daemon/config/schema.hpp"
#include "daemon/core/text.hpp"
#include "daemon/domain/operation.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include <sys/stat.h>

namespace hrmaild::config {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

// Line numbers below are referenced by the tests: keep them stable.
constexpr const char* kBase = R"(bitrix:
  portal_url: https://tarmexico.bitrix24.com
  webhook_user_id: 1
  webhook_secret_file: webhook
  project_id: 42
zoho:
  client_id: 1000.ABC
  client_secret_file: zoho-secret
  refresh_token_file: zoho-refresh
policy:
  allowed_domains: [tarmexico.com]
)";

class ConfigLoaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::unsetenv("CREDENTIALS_DIRECTORY");
        dir_.write("webhook", "canary-webhook-secret\n");
        dir_.write("zoho-secret", "canary-zoho-secret");
        dir_.write("zoho-refresh", "canary-zoho-refresh\n");
    }

    LoadResult load(const std::string& text) {
        auto file = dir_.write("hrmaild.yaml", text);
        return load_config(file);
    }

    // The diagnostics as text, with the temp folder replaced by `DIR`.
    std::string problems(const LoadResult& r) {
        auto text = r.diagnostics.to_string();
        return std::regex_replace(text, std::regex(dir_.path().string()), "DIR");
    }

    TempDir dir_;
};

TEST_F(ConfigLoaderTest, ValidMinimalConfigFillsDefaultsAndReadsSecrets) {
    auto r = load(kBase);
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.diagnostics.all().size(), 0u) << problems(r);
    const auto& c = *r.config;
    EXPECT_EQ(c.bitrix.project_id, 42);
    EXPECT_EQ(c.bitrix.auth, "webhook");
    EXPECT_EQ(c.bitrix.poll_interval, Seconds(60));
    EXPECT_EQ(c.bitrix.rate_burst, 50);
    EXPECT_DOUBLE_EQ(c.bitrix.rate_per_second, 2.0);
    ASSERT_TRUE(c.bitrix.webhook_secret);
    EXPECT_EQ(c.bitrix.webhook_secret->value.reveal(), "canary-webhook-secret");
    EXPECT_EQ(c.bitrix.webhook_secret->path, dir_.path() / "webhook");
    EXPECT_EQ(c.zoho.refresh_token->value.reveal(), "canary-zoho-refresh");
    EXPECT_EQ(c.zoho.requests_per_minute, 25);
    EXPECT_EQ(c.policy.always_approve, (std::vector<std::string>{"disable_user", "delete_user",
                                                                 "delete_group", "change_role"}));
    EXPECT_EQ(c.state.path, fs::path("/var/lib/hrmaild/hrmaild.db"));
    EXPECT_EQ(c.admin.listen, "127.0.0.1:8791");
    EXPECT_EQ(c.http.total_timeout, Millis(90'000));
    EXPECT_EQ(c.retry.max_delay, Millis(15 * 60'000));
    EXPECT_EQ(c.logging.format, "text");
}

TEST_F(ConfigLoaderTest, WithEventsConfiguredPollingIsTheSlowSafetyNet) {
    auto plain = load(kBase);
    ASSERT_TRUE(plain.config) << problems(plain);
    EXPECT_EQ(plain.config->bitrix.rate_reserve_percent, 10);
    EXPECT_EQ(plain.config->zoho.rate_reserve_percent, 10);
    EXPECT_EQ(poll_interval(plain.config->bitrix), Seconds(60));

    dir_.write("app-token", "canary-app-token");
    std::string text = kBase;
    text.insert(text.find("zoho:"),
                "  poll_interval: 2s\n  event_poll_interval: 90s\n"
                "  application_token_file: app-token\n");
    auto events = load(text);
    ASSERT_TRUE(events.config) << problems(events);
    EXPECT_EQ(events.config->bitrix.poll_interval, Seconds(2));
    EXPECT_EQ(poll_interval(events.config->bitrix), Seconds(90));

    text = kBase;
    text.insert(text.find("zoho:"), "  poll_interval: 2s\n  event_poll_interval: 90s\n");
    auto no_events = load(text);
    ASSERT_TRUE(no_events.config) << problems(no_events);
    EXPECT_EQ(poll_interval(no_events.config->bitrix), Seconds(2));
}

TEST_F(ConfigLoaderTest, RelativePathsResolveAgainstTheConfigFolder) {
    auto r = load(std::string(kBase) + "state:\n  path: data/h.db\nworkflows:\n  dir: wf\n");
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->state.path, dir_.path() / "data/h.db");
    EXPECT_EQ(r.config->workflows.dir, dir_.path() / "wf");
}

TEST_F(ConfigLoaderTest, UnknownKeyIsPositionedAtTheKey) {
    auto r = load(std::string(kBase) + "retry:\n  max_attempts: 3\n  bogus: 1\n");
    EXPECT_FALSE(r.config);
    EXPECT_EQ(problems(r), "DIR/hrmaild.yaml:14:3: retry.bogus: unknown key\n");
}

// Issue 14: effective dates are days in policy.timezone; a zone the system does not have, or an
// end of day that is no time, stops the start with its position.
TEST_F(ConfigLoaderTest, EffectiveDateKeysAreChecked) {
    auto ok = load(kBase);
    ASSERT_TRUE(ok.config) << problems(ok);
    EXPECT_EQ(ok.config->policy.timezone, "America/Mexico_City");
    EXPECT_EQ(ok.config->policy.end_of_day, "23:59");
    EXPECT_EQ(ok.config->policy.create_days_before_start, 3);
    EXPECT_EQ(ok.config->reconcile.interval, Seconds(86400));
    EXPECT_EQ(ok.config->reconcile.recent_days, 7);
    auto r =
        load(std::string(kBase) + "  timezone: America/Ciudad_Gotica\n  end_of_day: \"24:00\"\n");
    EXPECT_FALSE(r.config);
    auto text = problems(r);
    EXPECT_NE(text.find("DIR/hrmaild.yaml:12:13: policy.timezone: unknown time zone "
                        "'America/Ciudad_Gotica'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("DIR/hrmaild.yaml:13:15: policy.end_of_day: expected a time of day HH:MM "
                        "(00:00 to 23:59), got '24:00'"),
              std::string::npos)
        << text;
}

// Issue 14: the report task's responsible user and project; a malformed value, the HR project
// itself, or a project without a responsible user stops the start with its position.
TEST_F(ConfigLoaderTest, ReportTaskKeysAreChecked) {
    auto ok = load(kBase);
    ASSERT_TRUE(ok.config) << problems(ok);
    EXPECT_EQ(ok.config->reconcile.report_responsible, 0);
    EXPECT_EQ(ok.config->reconcile.report_project, 0);
    auto set =
        load(std::string(kBase) + "reconcile:\n  report_responsible: 7\n  report_project: 43\n");
    ASSERT_TRUE(set.config) << problems(set);
    EXPECT_EQ(set.config->reconcile.report_responsible, 7);
    EXPECT_EQ(set.config->reconcile.report_project, 43);

    auto word = load(std::string(kBase) + "reconcile:\n  report_responsible: siete\n");
    EXPECT_FALSE(word.config);
    EXPECT_EQ(problems(word),
              "DIR/hrmaild.yaml:13:23: reconcile.report_responsible: expected an "
              "integer, got 'siete'\n");
    auto negative = load(std::string(kBase) + "reconcile:\n  report_responsible: -7\n");
    EXPECT_FALSE(negative.config);
    EXPECT_NE(problems(negative).find("DIR/hrmaild.yaml:13:23: reconcile.report_responsible:"),
              std::string::npos)
        << problems(negative);
    auto hr =
        load(std::string(kBase) + "reconcile:\n  report_responsible: 7\n  report_project: 42\n");
    EXPECT_FALSE(hr.config);
    EXPECT_EQ(problems(hr),
              "DIR/hrmaild.yaml:14:19: reconcile.report_project: must not be the HR-requests "
              "project (bitrix.project_id): the report task would be read as an HR request\n");
    auto alone = load(std::string(kBase) + "reconcile:\n  report_project: 43\n");
    EXPECT_FALSE(alone.config);
    EXPECT_EQ(problems(alone),
              "DIR/hrmaild.yaml:13:19: reconcile.report_project: needs "
              "reconcile.report_responsible (the Bitrix user the report task is for)\n");
}

TEST_F(ConfigLoaderTest, UnknownKeySuggestsTheNearestName) {
    auto r = load(std::string(kBase) + "logging:\n  levle: debug\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:13:3: logging.levle: unknown key (did you mean 'level'?)\n");
}

TEST_F(ConfigLoaderTest, UnknownSection) {
    auto r = load(std::string(kBase) + "polcy:\n  x: 1\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:12:1: polcy: unknown section (did you mean 'policy'?)\n");
}

TEST_F(ConfigLoaderTest, StringWhereANumberBelongs) {
    std::string text = kBase;
    text.replace(text.find("project_id: 42"), 14, "project_id: forty-two");
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:5:15: bitrix.project_id: expected an integer, got 'forty-two'\n");
}

TEST_F(ConfigLoaderTest, IntegerOutOfRange) {
    auto r = load(std::string(kBase) + "retry:\n  max_attempts: 0\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:13:17: retry.max_attempts: must be between 1 and 1000, got 0\n");
}

TEST_F(ConfigLoaderTest, BadChoice) {
    std::string text = kBase;
    text.insert(text.find("  webhook_user_id"), "  auth: magic\n");
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:3:9: bitrix.auth: expected one of webhook, oauth, got 'magic'\n");
}

TEST_F(ConfigLoaderTest, LanguageSelectsAMessageCatalog) {
    auto r = load(std::string(kBase) + "workflows:\n  language: en-US\n");
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->workflows.language, "en-US");
    EXPECT_EQ(load(kBase).config->workflows.language, "es-MX");
}

TEST_F(ConfigLoaderTest, UnknownLanguageIsPositioned) {
    auto r = load(std::string(kBase) + "workflows:\n  language: fr-FR\n");
    EXPECT_FALSE(r.config);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:13:13: workflows.language: expected one of es-MX, "
              "en-US, got 'fr-FR'\n");
}

TEST_F(ConfigLoaderTest, BadDuration) {
    auto r = load(std::string(kBase) + "state:\n  busy_timeout: soon\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:13:17: state.busy_timeout: expected a duration such as 250ms, 30s, "
              "5m, 2h or 1d, got 'soon'\n");
}

TEST_F(ConfigLoaderTest, DurationBelowMinimum) {
    auto r = load(std::string(kBase) + "bitrix2: {}\n");
    EXPECT_FALSE(r.config);
    std::string text = kBase;
    text.insert(text.find("  project_id"), "  poll_interval: 10ms\n");
    r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:5:18: bitrix.poll_interval: must be between 1000ms "
              "and 86400000ms, got 10ms\n");
}

TEST_F(ConfigLoaderTest, DashboardMaxAgeDefaultsToFiveMinutesAndIsBounded) {
    auto r = load(kBase);
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->dashboard.max_age, Seconds(300));
    r = load(std::string(kBase) + "dashboard:\n  max_age: 90s\n");
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->dashboard.max_age, Seconds(90));
    r = load(std::string(kBase) + "dashboard:\n  max_age: 10ms\n");
    EXPECT_FALSE(r.config);
    EXPECT_NE(problems(r).find("dashboard.max_age: must be between 1000ms"), std::string::npos)
        << problems(r);
}

TEST_F(ConfigLoaderTest, BadUrl) {
    std::string text = kBase;
    text.replace(text.find("https://tarmexico.bitrix24.com"), 30, "tarmexico.bitrix24.com");
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:2:15: bitrix.portal_url: expected a URL (http:// or "
              "https://), got 'tarmexico.bitrix24.com'\n");
}

TEST_F(ConfigLoaderTest, MissingRequiredKeyPointsAtItsSection) {
    std::string text = kBase;
    text.erase(text.find("  project_id: 42\n"), 17);
    auto r = load(text);
    EXPECT_EQ(problems(r), "DIR/hrmaild.yaml:1:1: bitrix.project_id: missing required key\n");
}

TEST_F(ConfigLoaderTest, MissingRequiredSectionReportsEachKey) {
    std::string text = kBase;
    text.erase(text.find("policy:"));
    auto r = load(text);
    EXPECT_EQ(problems(r), "DIR/hrmaild.yaml:1:1: policy.allowed_domains: missing required key\n");
}

TEST_F(ConfigLoaderTest, MissingSecretFile) {
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "nowhere");
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:9:23: zoho.refresh_token_file: secret file not "
              "found (looked at DIR/nowhere)\n");
}

TEST_F(ConfigLoaderTest, ASecretFileNameTheSystemRefusesIsNotFoundNotAnException) {
    // A component longer than NAME_MAX makes std::filesystem::exists throw ENAMETOOLONG
    // (found by the config_loader fuzz target).
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, std::string(300, 'x'));
    LoadResult r;
    ASSERT_NO_THROW(r = load(text));
    EXPECT_NE(problems(r).find("zoho.refresh_token_file: secret file not found"), std::string::npos)
        << problems(r);
}

TEST_F(ConfigLoaderTest, UnreadableSecretFile) {
    if (::geteuid() == 0)
        GTEST_SKIP() << "root reads any file";
    dir_.write("locked", "x", fs::perms::none);
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "locked");
    auto r = load(text);
    EXPECT_NE(problems(r).find("secret file is not readable"), std::string::npos) << problems(r);
}

TEST_F(ConfigLoaderTest, EmptySecretFile) {
    dir_.write("empty", "\n");
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "empty");
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:9:23: zoho.refresh_token_file: secret file DIR/empty is empty\n");
}

TEST_F(ConfigLoaderTest, SecretThatIsAFifoIsAnErrorAndNeverBlocksTheStart) {
    // Opening a FIFO for reading waits for a writer: the start must not hang on it.
    ASSERT_EQ(::mkfifo((dir_.path() / "fifo").c_str(), 0600), 0);
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "fifo");
    auto r = load(text);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:9:23: zoho.refresh_token_file: secret file DIR/fifo is not a "
              "regular file\n");
}

TEST_F(ConfigLoaderTest, SecretLargerThanASecretCanBeIsAnError) {
    // /dev/zero or a log file named by mistake: refused by size, never read whole.
    dir_.write("huge", std::string(70000, 'x'));
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "huge");
    auto r = load(text);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:9:23: zoho.refresh_token_file: secret file DIR/huge is 70000 "
              "bytes; a secret is at most 65536\n");
}

TEST_F(ConfigLoaderTest, SecretReadableByOthersIsAWarningNotAnError) {
    dir_.write("webhook", "canary-webhook-secret\n",
               fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    auto r = load(kBase);
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:4:24: warning: bitrix.webhook_secret_file: secret file "
              "DIR/webhook is readable by group or others (mode 604); chmod 600 it\n");
}

TEST_F(ConfigLoaderTest, RelativeSecretsComeFromCredentialsDirectoryFirst) {
    TempDir creds;
    creds.write("webhook", "from-credentials-dir");
    ::setenv("CREDENTIALS_DIRECTORY", creds.path().c_str(), 1);
    auto r = load(kBase);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->bitrix.webhook_secret->value.reveal(), "from-credentials-dir");
    // Files absent from $CREDENTIALS_DIRECTORY still come from the config folder.
    EXPECT_EQ(r.config->zoho.client_secret->value.reveal(), "canary-zoho-secret");
}

TEST_F(ConfigLoaderTest, DuplicateKey) {
    std::string text = kBase;
    text.insert(text.find("  project_id"), "  project_id: 7\n");
    auto r = load(text);
    EXPECT_EQ(problems(r), "DIR/hrmaild.yaml:6:3: bitrix.project_id: duplicate key\n");
}

TEST_F(ConfigLoaderTest, YamlSyntaxError) {
    auto r = load(std::string(kBase) + "logging:\n  level: [info\n");
    ASSERT_EQ(r.diagnostics.error_count(), 1u);
    const auto& d = r.diagnostics.all().front();
    EXPECT_EQ(d.line, 14);
    EXPECT_NE(d.message.find("YAML syntax"), std::string::npos);
}

TEST_F(ConfigLoaderTest, ListItemOfTheWrongType) {
    auto r = load(std::string(kBase).replace(0, 7, "bitrix:\n  approvers: [7, siete]"));
    EXPECT_EQ(
        problems(r),
        "DIR/hrmaild.yaml:2:18: bitrix.approvers: expected an integer list item, got 'siete'\n");
}

TEST_F(ConfigLoaderTest, UnknownOperationInAlwaysApprove) {
    auto r = load(std::string(kBase) + "  always_approve: [delete_user, nuke]\n");
    EXPECT_EQ(
        problems(r),
        "DIR/hrmaild.yaml:12:33: policy.always_approve: unknown value 'nuke'; expected one of " +
            core::join(domain::kOpNames, ", ") + "\n");
    // The choices are the operation table's names, so a new operation is accepted at once.
    EXPECT_EQ(std::string(find_key("policy.always_approve")->choices),
              core::join(domain::kOpNames, "|"));
    EXPECT_NE(core::join(domain::kOpNames, "|").find("create_user|disable_user"),
              std::string::npos);
    for (auto name : domain::kOpNames)
        EXPECT_EQ(
            problems(load(std::string(kBase) + "  always_approve: [" + std::string(name) + "]\n")),
            "")
            << name;
}

TEST_F(ConfigLoaderTest, AdminTokens) {
    dir_.write("tok-a", "token-a");
    auto r = load(std::string(kBase) +
                  "admin:\n  tokens:\n    - {name: camilo, token_file: tok-a}\n"
                  "    - {name: camilo, token_file: tok-a}\n    - {name: x}\n"
                  "    - {name: y, token_file: tok-a, role: root}\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:15:14: admin.tokens.name: duplicate token name 'camilo'\n"
              "DIR/hrmaild.yaml:16:7: admin.tokens.token_file: missing required key\n"
              "DIR/hrmaild.yaml:17:36: admin.tokens.role: unknown key; a token has only name and "
              "token_file\n");
}

TEST_F(ConfigLoaderTest, OauthModeNeedsItsKeys) {
    std::string text = kBase;
    text.insert(text.find("  webhook_user_id"), "  auth: oauth\n");
    auto r = load(text);
    EXPECT_EQ(
        problems(r),
        "DIR/hrmaild.yaml:1:1: bitrix.oauth_client_id: missing required key (auth is oauth)\n"
        "DIR/hrmaild.yaml:1:1: bitrix.oauth_client_secret_file: missing required key (auth is "
        "oauth)\n"
        "DIR/hrmaild.yaml:1:1: bitrix.oauth_refresh_token_file: missing required key (auth is "
        "oauth)\n");
}

TEST_F(ConfigLoaderTest, WebhookModeNeedsItsSecret) {
    std::string text = kBase;
    text.erase(text.find("  webhook_secret_file: webhook\n"), 30);
    auto r = load(text);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:1:1: bitrix.webhook_secret_file: missing required "
              "key (auth is webhook)\n");
}

TEST_F(ConfigLoaderTest, AdminOnANonLoopbackAddressNeedsConsent) {
    auto r = load(std::string(kBase) + "admin:\n  listen: 0.0.0.0:8791\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:13:11: admin.listen: '0.0.0.0' is not a loopback address; set "
              "admin.allow_non_loopback: true to listen there\n");
    r = load(std::string(kBase) + "admin:\n  listen: 0.0.0.0:8791\n  allow_non_loopback: true\n");
    EXPECT_TRUE(r.config) << problems(r);
}

TEST_F(ConfigLoaderTest, EveryProblemIsReportedAtOnce) {
    // The "done when" of the foundation issue: an unknown key, a string where a number
    // belongs and a missing secret file give three positioned errors.
    std::string text = kBase;
    text.replace(text.find("zoho-refresh"), 12, "missing-token");
    text += "retry:\n  max_attempts: many\nunknown_thing: 1\n";
    auto r = load(text);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.diagnostics.error_count(), 3u);
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:9:23: zoho.refresh_token_file: secret file not found (looked at "
              "DIR/missing-token)\n"
              "DIR/hrmaild.yaml:13:17: retry.max_attempts: expected an integer, got 'many'\n"
              "DIR/hrmaild.yaml:14:1: unknown_thing: unknown section\n");
}

TEST_F(ConfigLoaderTest, SecretsNeverAppearInDiagnosticsOrPrintedConfig) {
    auto r = load(std::string(kBase) + "retry:\n  max_attempts: many\n");
    EXPECT_EQ(problems(r).find("canary"), std::string::npos);
    r = load(kBase);
    ASSERT_TRUE(r.config);
    auto printed = print_config(*r.config);
    EXPECT_EQ(printed.find("canary"), std::string::npos) << printed;
    EXPECT_NE(printed.find("webhook_secret_file: " + (dir_.path() / "webhook").string()),
              std::string::npos)
        << printed;
    EXPECT_NE(printed.find("<redacted>"), std::string::npos);
    EXPECT_NE(printed.find("poll_interval: 60s"), std::string::npos) << printed;
}

TEST_F(ConfigLoaderTest, MissingConfigFile) {
    auto r = load_config(dir_.path() / "nope.yaml");
    EXPECT_FALSE(r.config);
    EXPECT_EQ(problems(r), "DIR/nope.yaml: configuration file not found\n");
}

TEST_F(ConfigLoaderTest, NotAMapping) {
    auto r = load("- just\n- a list\n");
    EXPECT_EQ(problems(r),
              "DIR/hrmaild.yaml:1:1: the configuration must be a mapping of sections\n");
}

TEST_F(ConfigLoaderTest, WorkflowVarsAreKeptForTemplates) {
    auto r = load(std::string(kBase) +
                  "workflows:\n  vars:\n    domain: tarmexico.com\n    department_groups:\n"
                  "      Operaciones: operaciones@tarmexico.com\n");
    ASSERT_TRUE(r.config) << problems(r);
    EXPECT_EQ(r.config->workflows.vars["domain"].as<std::string>(), "tarmexico.com");
    EXPECT_EQ(r.config->workflows.vars["department_groups"]["Operaciones"].as<std::string>(),
              "operaciones@tarmexico.com");
}

}  // namespace
}  // namespace hrmaild::config
