#include "daemon/config/schema.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/domain/operation.hpp"

#include <array>

namespace hrmaild::config {
namespace {

// `a|b|c` from a list of names, made at compile time, so that a choice list can follow a
// table kept elsewhere (the operations' names for policy.always_approve).
template <const auto& Names>
constexpr auto joined_choices() {
    constexpr std::size_t size = [] {
        std::size_t n = 0;
        for (auto name : Names)
            n += name.size() + 1;
        return n == 0 ? 0 : n - 1;
    }();
    std::array<char, size> out{};
    std::size_t i = 0;
    for (auto name : Names) {
        if (i != 0)
            out[i++] = '|';
        for (char c : name)
            out[i++] = c;
    }
    return out;
}
constexpr auto kOperationChoices = joined_choices<domain::kOpNames>();
constexpr std::string_view kOperations(kOperationChoices.data(), kOperationChoices.size());

// clang-format off
constexpr KeySpec kSchema[] = {
    // --- bitrix ---------------------------------------------------------------------------
    {"bitrix.portal_url", Kind::url, "", true, "Base URL of the Bitrix24 portal (https; http only on loopback)."},
    {"bitrix.auth", Kind::choice, "webhook", false, "How to authenticate: an inbound webhook or an OAuth app.", "webhook|oauth"},
    {"bitrix.webhook_user_id", Kind::integer, "0", false, "User id in the webhook URL (auth: webhook).", {}, 0},
    {"bitrix.webhook_secret_file", Kind::secret_file, "", false, "File holding the webhook secret (auth: webhook)."},
    {"bitrix.oauth_client_id", Kind::string, "", false, "OAuth application client id (auth: oauth)."},
    {"bitrix.oauth_client_secret_file", Kind::secret_file, "", false, "File holding the OAuth client secret (auth: oauth)."},
    {"bitrix.oauth_refresh_token_file", Kind::secret_file, "", false, "File holding the first OAuth refresh token (auth: oauth); later tokens are kept in the state folder."},
    {"bitrix.oauth_server_url", Kind::url, "https://oauth.bitrix.info", false, "Bitrix24 OAuth server."},
    {"bitrix.project_id", Kind::integer, "", true, "Id of the HR-requests project (task GROUP_ID).", {}, 1},
    {"bitrix.poll_interval", Kind::duration, "60s", false, "How often to poll the project for changed tasks.", {}, 1000, 86400000},
    {"bitrix.poll_overlap", Kind::duration, "120s", false, "How far before the last watermark each poll looks again.", {}, 0, 86400000},
    {"bitrix.approvers", Kind::integer_list, "[]", false, "Bitrix user ids allowed to approve with /aprobar."},
    {"bitrix.approver_department", Kind::integer, "0", false, "Members of this department and its sub-departments also approve (0: none).", {}, 0},
    {"bitrix.application_token_file", Kind::secret_file, "", false, "File holding the outgoing-webhook application token that incoming events must carry."},
    {"bitrix.password_recipient", Kind::string, "requester", false, "Who receives new passwords privately: `requester` or a Bitrix user id."},
    {"bitrix.rate_burst", Kind::integer, "50", false, "Client-side request budget: burst size (Bitrix leaky bucket).", {}, 1, 10000},
    {"bitrix.rate_per_second", Kind::number, "2", false, "Client-side request budget: requests per second drained.", {}, 0, 1000},
    {"bitrix.rate_reserve_percent", Kind::integer, "10", false, "Share of rate_burst and rate_per_second left unused, for people's own REST use of the same webhook.", {}, 0, 90},
    {"bitrix.event_poll_interval", Kind::duration, "60s", false, "How often to poll when incoming events are configured (application_token_file): a safety net, as each event starts a pass at once.", {}, 1000, 86400000},

    // --- zoho -----------------------------------------------------------------------------
    {"zoho.accounts_url", Kind::url, "https://accounts.zoho.com", false, "Zoho Accounts server for OAuth (per data centre)."},
    {"zoho.api_url", Kind::url, "https://mail.zoho.com", false, "Zoho Mail API host (per data centre)."},
    {"zoho.zoid", Kind::integer, "0", false, "Organization id; 0 discovers it from GET /api/organization.", {}, 0},
    {"zoho.client_id", Kind::string, "", true, "OAuth client id (self client)."},
    {"zoho.client_secret_file", Kind::secret_file, "", true, "File holding the OAuth client secret."},
    {"zoho.refresh_token_file", Kind::secret_file, "", true, "File holding the OAuth refresh token."},
    {"zoho.requests_per_minute", Kind::integer, "25", false, "Client-side budget per minute (Zoho allows about 30).", {}, 1, 10000},
    {"zoho.rate_reserve_percent", Kind::integer, "10", false, "Share of requests_per_minute left unused, for people's own use of the same Zoho client.", {}, 0, 90},
    {"zoho.token_refresh_margin", Kind::duration, "300s", false, "Refresh the access token this long before it expires.", {}, 0, 3000000},
    {"zoho.directory_refresh", Kind::duration, "15m", false, "How often the cached user and group directory is reloaded.", {}, 1000, 86400000},

    // --- policy ---------------------------------------------------------------------------
    {"policy.allowed_domains", Kind::string_list, "", true, "Domains an automatic plan may create addresses in or add to groups."},
    {"policy.protected_accounts", Kind::string_list, "[]", false, "Addresses (primary or alias) whose accounts are never disabled or deleted by a workflow; other changes need approval."},
    {"policy.always_approve", Kind::choice_list, "[disable_user, delete_user, delete_group, change_role]", false, "Operations that always need approval.", kOperations},
    {"policy.protect_roles", Kind::choice_list, "[admin, super_admin]", false, "Accounts with these Zoho roles are protected like protected_accounts (aliases included).", "member|admin|super_admin"},
    {"policy.requesters", Kind::integer_list, "[]", false, "Bitrix user ids whose tasks may run without approval (with requester_departments; both empty: anyone in the project)."},
    {"policy.requester_departments", Kind::integer_list, "[]", false, "Bitrix department ids (sub-departments included) whose members' tasks may run without approval."},
    {"policy.max_destructive_per_plan", Kind::integer, "10", false, "Above this many destructive operations a plan needs approval.", {}, 0, 100000},
    {"policy.retention_days", Kind::integer, "30", false, "Days between disabling a terminated account and deleting it.", {}, 0, 3650},
    {"policy.timezone", Kind::string, "America/Mexico_City", false, "IANA time zone of the organization: effective dates (Fecha de baja, Fecha de ingreso) are days there."},
    {"policy.end_of_day", Kind::string, "23:59", false, "Local time (HH:MM) at which a termination's effective day ends and its account is disabled."},
    {"policy.create_days_before_start", Kind::integer, "3", false, "Days before the start date (Fecha de ingreso) a hire's account is created, at 00:00 local time.", {}, 0, 365},
    {"policy.dry_run", Kind::boolean, "false", false, "Plan, log and comment, but call no Zoho mutation."},

    // --- state ----------------------------------------------------------------------------
    {"state.path", Kind::path, "/var/lib/hrmaild/hrmaild.db", false, "SQLite state file (created and migrated on start)."},
    {"state.busy_timeout", Kind::duration, "5s", false, "How long SQLite waits on a locked database.", {}, 0, 600000},

    // --- admin ----------------------------------------------------------------------------
    {"admin.listen", Kind::host_port, "127.0.0.1:8791", false, "Admin API, web console and metrics listener."},
    {"admin.tokens", Kind::token_list, "[]", false, "Named bearer tokens: [{name: camilo, token_file: admin-camilo}]."},
    {"admin.max_body_bytes", Kind::integer, "65536", false, "Largest request body the admin server accepts.", {}, 1024, 16777216},
    {"admin.allow_non_loopback", Kind::boolean, "false", false, "Allow listening on a non-loopback address."},

    // --- dashboard ------------------------------------------------------------------------
    {"dashboard.max_age", Kind::duration, "5m", false, "The web console's dashboard reads Zoho again after this long; page views in between cost no Zoho call.", {}, 1000, 86400000},

    // --- console --------------------------------------------------------------------------
    {"console.enabled", Kind::boolean, "false", false, "Serve the IT web console under /consola/ on admin.listen."},
    {"console.client_id", Kind::string, "", false, "Client id of the local application registered on the Bitrix24 portal (sign-in)."},
    {"console.client_secret_file", Kind::secret_file, "", false, "File holding that application's client secret."},
    {"console.portal_url", Kind::url, "", false, "Portal people sign in on; empty: bitrix.portal_url."},
    {"console.oauth_server_url", Kind::url, "", false, "OAuth server for the code exchange; empty: bitrix.oauth_server_url."},
    {"console.viewers", Kind::integer_list, "[]", false, "Bitrix user ids who may read the console without approving (approvers always may)."},
    {"console.secure_cookies", Kind::boolean, "false", false, "Mark cookies Secure: set when the console is reached through TLS (a reverse proxy)."},
    {"console.session_idle", Kind::duration, "30m", false, "A session ends after this long without a request.", {}, 60000, 86400000},
    {"console.session_lifetime", Kind::duration, "12h", false, "A session ends this long after sign-in, used or not.", {}, 60000, 604800000},
    {"console.max_sessions", Kind::integer, "256", false, "Sessions held at most; the least recently used ends first.", {}, 1, 100000},

    // --- workflows ------------------------------------------------------------------------
    {"workflows.dir", Kind::path, "/etc/hrmaild/workflows", false, "Folder of workflow YAML files."},
    {"workflows.language", Kind::choice, messages::kDefaultLanguage, false, "Language of the messages HR and IT read (the message catalog).", messages::kLanguageChoices},
    {"workflows.vars", Kind::free_map, "{}", false, "Values templates see as config.<key> (domain, departments, department_groups...)."},

    // --- logging --------------------------------------------------------------------------
    {"logging.level", Kind::choice, "info", false, "Lowest level logged.", "trace|debug|info|warn|error|critical"},
    {"logging.format", Kind::choice, "text", false, "text (key=value lines) or json (one object per line).", "text|json"},

    // --- http -----------------------------------------------------------------------------
    {"http.resolve_timeout", Kind::duration, "10s", false, "Deadline for a DNS lookup.", {}, 1, 600000},
    {"http.connect_timeout", Kind::duration, "10s", false, "Deadline for the TCP connect.", {}, 1, 600000},
    {"http.tls_timeout", Kind::duration, "10s", false, "Deadline for the TLS handshake.", {}, 1, 600000},
    {"http.write_timeout", Kind::duration, "30s", false, "Deadline for sending a request.", {}, 1, 600000},
    {"http.read_timeout", Kind::duration, "60s", false, "Deadline for reading a response.", {}, 1, 600000},
    {"http.total_timeout", Kind::duration, "90s", false, "Overall deadline of one call.", {}, 1, 3600000},
    {"http.max_response_bytes", Kind::integer, "16777216", false, "Largest response body accepted.", {}, 1024, 1073741824},
    {"http.proxy", Kind::string, "", false, "HTTPS proxy (http://host:port) for CONNECT; empty: https_proxy/no_proxy from the environment."},
    {"http.ca_file", Kind::path, "", false, "Extra CA bundle to trust; empty: the system trust store only."},
    {"http.user_agent", Kind::string, "hrmaild", false, "User-Agent header sent upstream."},

    // --- retry ----------------------------------------------------------------------------
    {"retry.max_attempts", Kind::integer, "8", false, "Attempts for a retryable error before the step fails.", {}, 1, 1000},
    {"retry.base_delay", Kind::duration, "1s", false, "First backoff delay (doubles each attempt, with jitter).", {}, 1, 3600000},
    {"retry.max_delay", Kind::duration, "15m", false, "Cap on one backoff delay.", {}, 1, 86400000},

    // --- executor -------------------------------------------------------------------------
    {"executor.max_in_flight", Kind::integer, "8", false, "Approved tickets run at once (tickets touching the same mailbox or group as a whole still run one after the other).", {}, 1, 64},
    // --- reconcile ------------------------------------------------------------------------
    {"reconcile.interval", Kind::duration, "24h", false, "How often Zoho is compared with hrmaild's records and IT told of new findings (0: only `hrmaild reconcile`).", {}, 0, 2592000000},
    {"reconcile.recent_days", Kind::integer, "7", false, "Accounts created this many days back without a hire task are reported.", {}, 1, 3650},
    {"reconcile.report_responsible", Kind::integer, "0", false, "Bitrix user id responsible for the report task, one task updated in place (0: the report goes privately to the approvers).", {}, 0},
    {"reconcile.report_project", Kind::integer, "0", false, "Bitrix project (GROUP_ID) of the report task (0: none); never the HR-requests project.", {}, 0},
};

constexpr std::string_view kSections[] = {"bitrix",  "zoho",     "policy",    "state",
                                          "admin",   "dashboard", "console", "workflows",
                                          "logging", "http",     "retry",     "executor",
                                          "reconcile"};
// clang-format on

}  // namespace

std::span<const KeySpec> schema() {
    return kSchema;
}

std::span<const std::string_view> sections() {
    return kSections;
}

const KeySpec* find_key(std::string_view path) {
    for (const auto& k : kSchema)
        if (k.path == path)
            return &k;
    return nullptr;
}

std::string_view describe(Kind kind) {
    switch (kind) {
        case Kind::string:
            return "a string";
        case Kind::url:
            return "a URL (http:// or https://)";
        case Kind::integer:
            return "an integer";
        case Kind::number:
            return "a number";
        case Kind::boolean:
            return "true or false";
        case Kind::duration:
            return "a duration such as 250ms, 30s, 5m, 2h or 1d";
        case Kind::choice:
            return "one of the listed values";
        case Kind::host_port:
            return "host:port (an IPv6 address in brackets: [::1]:8791)";
        case Kind::path:
            return "a path";
        case Kind::secret_file:
            return "a file name";
        case Kind::string_list:
            return "a list of strings";
        case Kind::integer_list:
            return "a list of integers";
        case Kind::choice_list:
            return "a list of the listed values";
        case Kind::token_list:
            return "a list of {name, token_file}";
        case Kind::free_map:
            return "a mapping";
    }
    return "a value";
}

}  // namespace hrmaild::config
