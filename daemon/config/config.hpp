#pragma once
/// The daemon's configuration, typed and validated. Built only by `load_config`.
#include "daemon/config/diagnostic.hpp"
#include "daemon/core/secret.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::config {

using Seconds = std::chrono::seconds;
using Millis = std::chrono::milliseconds;

/// A secret read from a file named by a `*_file` key.
struct SecretFile {
    std::filesystem::path path;  ///< where it was read from (not secret)
    Secret value;                ///< the bytes, trailing newline removed
};

/// Outbound HTTP behaviour shared by both upstream clients.
struct HttpConfig {
    Millis resolve_timeout{};
    Millis connect_timeout{};
    Millis tls_timeout{};
    Millis write_timeout{};
    Millis read_timeout{};
    Millis total_timeout{};
    std::int64_t max_response_bytes = 0;
    std::string proxy;    ///< empty: take `https_proxy` / `no_proxy` from the environment
    std::string ca_file;  ///< empty: the system trust store
    std::string user_agent;
};

/// The retry policy for retryable remote errors.
/// Reconciliation of Zoho with hrmaild's records.
struct ReconcileConfig {
    Seconds interval{};  ///< 0: only on demand
    int recent_days = 7;
    /// The scheduled report goes to one Bitrix task with this responsible user (0: privately
    /// to the approvers instead), in this project (0: no project).
    std::int64_t report_responsible = 0;
    std::int64_t report_project = 0;
};

struct RetryConfig {
    int max_attempts = 0;
    Millis base_delay{};
    Millis max_delay{};
    /// Not a config key: a CLI command's `--timeout`. A wait longer than this (a server hint
    /// included) is not made; the error comes back at once. Zero: no bound (the daemon).
    Millis give_up_beyond{};
};

/// How tickets are run.
struct ExecutorConfig {
    int max_in_flight = 0;  ///< approved tickets run at once
};

/// The Bitrix24 side: where the HR tasks live.
struct BitrixConfig {
    std::string portal_url;  ///< e.g. https://tarmexico.bitrix24.com
    std::string auth;        ///< webhook | oauth
    std::int64_t webhook_user_id = 0;
    std::optional<SecretFile> webhook_secret;
    std::string oauth_client_id;
    std::optional<SecretFile> oauth_client_secret;
    std::optional<SecretFile> oauth_refresh_token;
    std::string oauth_server_url;
    std::int64_t project_id = 0;
    Seconds poll_interval{};
    Seconds poll_overlap{};
    std::vector<std::int64_t> approvers;
    std::int64_t approver_department = 0;  ///< 0: none; else members of it and its sub-departments
    std::optional<SecretFile> application_token;  ///< checks incoming events
    std::string password_recipient;               ///< `requester` or a Bitrix user id
    int rate_burst = 0;
    double rate_per_second = 0;
    int rate_reserve_percent = 0;   ///< share of the budget left for people's own REST use
    Seconds event_poll_interval{};  ///< the poll interval when events are configured
};

/// The Zoho Mail side: the organization administered.
struct ZohoConfig {
    std::string accounts_url;
    std::string api_url;
    std::int64_t zoid = 0;  ///< 0: discovered from GET /api/organization
    std::string client_id;
    std::optional<SecretFile> client_secret;
    std::optional<SecretFile> refresh_token;
    int requests_per_minute = 0;
    int rate_reserve_percent = 0;  ///< share of the budget left for people's own use
    Seconds token_refresh_margin{};
    Seconds directory_refresh{};
};

/// What workflows may do without a person, and what they may never do.
struct PolicyConfig {
    std::vector<std::string> allowed_domains;
    std::vector<std::string> protected_accounts;
    std::vector<std::string> always_approve;
    std::vector<std::string> protect_roles;           ///< roles protected like protected_accounts
    std::vector<std::int64_t> requesters;             ///< Bitrix users who may request
    std::vector<std::int64_t> requester_departments;  ///< departments whose members may request
    int max_destructive_per_plan = 0;
    int retention_days = 0;
    // (The schema's defaults here too, for configurations tests build by hand.)
    std::string timezone = "America/Mexico_City";  ///< IANA zone effective dates are read in
    std::string end_of_day = "23:59";              ///< HH:MM a termination's effective day ends at
    int create_days_before_start = 3;              ///< how early a hire's account is made
    bool dry_run = false;
};

/// The state store.
struct StateConfig {
    std::filesystem::path path;
    Millis busy_timeout{};
};

/// A named bearer token for the admin API and CLI.
struct AdminToken {
    std::string name;
    SecretFile token;
};

/// The admin HTTP server.
struct AdminConfig {
    std::string listen;  ///< host:port
    std::vector<AdminToken> tokens;
    std::int64_t max_body_bytes = 0;
    bool allow_non_loopback = false;
};

/// The web console's dashboard.
struct DashboardConfig {
    Seconds max_age{};  ///< how long the Zoho figures are served from memory
};

/// The IT web console (served by the admin server under /consola/).
struct ConsoleConfig {
    bool enabled = false;
    std::string client_id;                    ///< the portal's local application
    std::optional<SecretFile> client_secret;  ///< its secret
    std::string portal_url;                   ///< where people sign in; empty: bitrix.portal_url
    std::string oauth_server_url;             ///< empty: bitrix.oauth_server_url
    std::vector<std::int64_t> viewers;        ///< Bitrix users who may look without approving
    bool secure_cookies = false;              ///< cookies marked Secure (behind TLS)
    Seconds session_idle{};
    Seconds session_lifetime{};
    std::int64_t max_sessions = 0;
};

/// Where workflows live and the values their templates see as `config.*`.
struct WorkflowsConfig {
    std::filesystem::path dir;
    std::string language;
    YAML::Node vars;  ///< free-form map, exposed to templates as `config.<key>`
};

/// Logging.
struct LoggingConfig {
    std::string level;
    std::string format;
};

/// The whole validated configuration.
struct Config {
    std::filesystem::path file;  ///< the file it came from
    BitrixConfig bitrix;
    ZohoConfig zoho;
    PolicyConfig policy;
    StateConfig state;
    AdminConfig admin;
    DashboardConfig dashboard;
    ConsoleConfig console;
    WorkflowsConfig workflows;
    LoggingConfig logging;
    HttpConfig http;
    RetryConfig retry;
    ExecutorConfig executor;
    ReconcileConfig reconcile;
    /// Every key as given or defaulted (secret keys hold only the resolved file path);
    /// what `print_config` shows.
    YAML::Node effective;
};

/// What loading produced: the config when there were no errors, and every problem found.
struct LoadResult {
    std::optional<Config> config;
    Diagnostics diagnostics;
};

/// The default config path: `$HRMAILD_CONFIG`, else /etc/hrmaild/hrmaild.yaml.
std::filesystem::path default_config_path();

/// Reads, validates and types a configuration file; reads every secret file it names.
/// Relative paths are resolved against the file's folder; relative secret names are looked
/// up in `$CREDENTIALS_DIRECTORY` first.
LoadResult load_config(const std::filesystem::path& file);

/// The same, from text (tests); `file` names it in diagnostics and anchors relative paths.
LoadResult load_config_text(const std::string& text, const std::filesystem::path& file);

/// The effective configuration as YAML, every default filled in and every secret redacted.
std::string print_config(const Config& config);

/// Parses `250ms`, `30s`, `5m`, `2h`, `1d` or a bare number of seconds.
std::optional<Millis> parse_duration(std::string_view text);

/// What reading a configuration includes.
struct LoadOptions {
    /// false: only the admin tokens' secret files are read; the other `*_file` keys are
    /// checked for shape but their files are not opened (`hrmaild queue`, which talks to the
    /// daemon only, works where the service secrets are not readable).
    bool read_service_secrets = true;
};
/// `load_config` with options.
LoadResult load_config(const std::filesystem::path& file, const LoadOptions& options);

/// A listen address, as `admin.listen` gives it.
struct ListenAddress {
    std::string host;  ///< an IPv6 literal without its brackets
    std::uint16_t port = 0;
};
/// Parses `host:port` (an IPv6 literal in brackets: `[::1]:8791`) the one way both `check` and
/// start-up do; nullopt when it is not host:port.
std::optional<ListenAddress> parse_listen(std::string_view text);

/// How often the daemon polls Bitrix24: `bitrix.event_poll_interval` when incoming events are
/// configured (`bitrix.application_token_file`: each event starts a pass at once, and the poll
/// is a safety net), else `bitrix.poll_interval`.
Seconds poll_interval(const BitrixConfig& bitrix);

/// The `http.*` defaults of the schema (the one table of defaults), for tools and tests that
/// have no file.
HttpConfig default_http_config();
/// The `retry.*` defaults of the schema.
RetryConfig default_retry_config();

/// A file in a secrets folder that marks its secret files as published fakes (the sandbox's):
/// their mode is not checked (git cannot keep mode 0600).
inline constexpr const char* fake_secrets_marker = "FAKE_SECRETS";

}  // namespace hrmaild::config
