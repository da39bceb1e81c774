#include "daemon/zoho/token_manager.hpp"

#include "daemon/log/log.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hrmaild::zoho {
namespace asio = boost::asio;
namespace json = boost::json;
using net::ErrorKind;

namespace {

std::string strip_slash(std::string url) {
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

long long seconds_of(net::Duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace

std::string form_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

TokenSettings TokenSettings::from_config(const config::ZohoConfig& zoho) {
    TokenSettings s;
    s.accounts_url = zoho.accounts_url;
    s.client_id = zoho.client_id;
    if (zoho.client_secret) {
        s.client_secret = zoho.client_secret->value;
        s.client_secret_file = zoho.client_secret->path.string();
    }
    if (zoho.refresh_token) {
        s.refresh_token = zoho.refresh_token->value;
        s.refresh_token_file = zoho.refresh_token->path.string();
    }
    s.refresh_margin = zoho.token_refresh_margin;
    return s;
}

TokenManager::TokenManager(net::HttpTransport& http, net::Clock& clock, TokenSettings settings)
    : http_(http), clock_(clock), settings_(std::move(settings)) {
    settings_.accounts_url = strip_slash(settings_.accounts_url);
}

bool TokenManager::has_fresh_token() const {
    return token_.has_value() && clock_.now() < refresh_at_;
}

std::optional<net::TimePoint> TokenManager::expires_at() const {
    if (!token_)
        return std::nullopt;
    return expires_at_;
}

TokenStats TokenManager::stats() const {
    TokenStats s = stats_;
    s.joined = flight_.joined();
    return s;
}

void TokenManager::invalidate(const Secret& token) {
    if (token_ && token_->equals(token.reveal())) {
        token_.reset();
        ++stats_.invalidated;
        log::info("ZOHO_TOKEN_REJECTED", {{"action", "refresh"}});
    }
}

void TokenManager::reset_credentials(Secret client_secret, Secret refresh_token) {
    settings_.client_secret = std::move(client_secret);
    settings_.refresh_token = std::move(refresh_token);
    token_.reset();
    fatal_.reset();
    blocked_until_.reset();
}

asio::awaitable<net::Outcome<Secret>> TokenManager::access_token() {
    if (has_fresh_token())
        co_return *token_;
    co_return co_await flight_.run([this] { return refresh(); });
}

net::CallError TokenManager::interpret_error(const std::string& error,
                                             const std::string& description, int http_status) {
    net::CallError e;
    e.http_status = http_status;
    e.service_code = error;
    if (net::iequals(error, "Access Denied") ||
        description.find("too many requests") != std::string::npos) {
        // Zoho blocks minting for 15-30 minutes: stay away instead of extending the block.
        e.kind = ErrorKind::retryable;
        e.retry_after = settings_.denied_wait;
        e.message = fmt::format(
            "Zoho Accounts refused to mint an access token (too many requests); waiting {} s",
            seconds_of(settings_.denied_wait));
        blocked_until_ = clock_.now() + settings_.denied_wait;
        return e;
    }
    e.kind = ErrorKind::auth;
    if (net::iequals(error, "invalid_code")) {
        e.message = fmt::format(
            "Zoho Accounts rejected the refresh token (invalid_code): it was revoked or belongs to "
            "another client or data centre; put a valid refresh token in zoho.refresh_token_file "
            "({})",
            settings_.refresh_token_file.empty() ? "not set" : settings_.refresh_token_file);
    } else if (net::iequals(error, "invalid_client")) {
        e.message = fmt::format(
            "Zoho Accounts does not know zoho.client_id at {} (invalid_client): check the client "
            "id "
            "and that zoho.accounts_url is the organization's data centre",
            settings_.accounts_url);
    } else if (net::iequals(error, "invalid_client_secret")) {
        e.message = fmt::format(
            "Zoho Accounts rejected the client secret (invalid_client_secret): fix "
            "zoho.client_secret_file ({})",
            settings_.client_secret_file.empty() ? "not set" : settings_.client_secret_file);
    } else {
        e.message = fmt::format("Zoho Accounts refused the token refresh: {}{}{}", error,
                                description.empty() ? "" : ": ", description);
    }
    fatal_ = e;  // the same credentials will be refused again: do not hammer the endpoint
    return e;
}

asio::awaitable<net::Outcome<Secret>> TokenManager::refresh() {
    // A caller may have been queued behind a refresh that has just succeeded.
    if (has_fresh_token())
        co_return *token_;
    if (fatal_)
        co_return *fatal_;
    const auto now = clock_.now();
    if (blocked_until_ && now < *blocked_until_) {
        net::CallError e = net::retryable_error(
            "Zoho Accounts blocked token minting (Access Denied); waiting for the block to end");
        e.service_code = "Access Denied";
        e.retry_after = *blocked_until_ - now;
        co_return e;
    }
    while (!mints_.empty() && mints_.front() + settings_.mint_window <= now)
        mints_.pop_front();
    if (settings_.mint_limit > 0 && static_cast<int>(mints_.size()) >= settings_.mint_limit) {
        net::CallError e = net::retryable_error(fmt::format(
            "{} access tokens minted in the last {} s, Zoho's limit: waiting instead of "
            "tripping its block",
            mints_.size(), seconds_of(settings_.mint_window)));
        e.service_code = codes::mint_limit;
        e.retry_after = mints_.front() + settings_.mint_window - now;
        log::warn("ZOHO_TOKEN_MINT_LIMIT",
                  {{"minted", mints_.size()}, {"wait_s", seconds_of(*e.retry_after)}});
        co_return e;
    }

    net::HttpRequest req;
    req.method = "POST";
    req.url = settings_.accounts_url + "/oauth/v2/token";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = "grant_type=refresh_token&client_id=" + form_encode(settings_.client_id) +
               "&client_secret=" + form_encode(settings_.client_secret.reveal()) +
               "&refresh_token=" + form_encode(settings_.refresh_token.reveal());
    req.log_url = req.url;
    // Counted before the answer: a lost answer may still have minted a token.
    mints_.push_back(now);
    ++stats_.requests;
    auto sent = co_await http_.send(std::move(req));
    if (!sent) {
        net::CallError e = sent.error();
        e.message = "Zoho token refresh: " + e.message;
        log::warn("ZOHO_TOKEN_REFRESH_FAILED",
                  {{"kind", net::to_string(e.kind)}, {"error", e.describe()}});
        co_return e;
    }
    const net::HttpResponse& resp = *sent;
    auto body = parse_json(resp.body);
    const json::object* obj = body && body->is_object() ? &body->get_object() : nullptr;
    std::string error = obj ? string_field(*obj, "error") : std::string();
    std::string token = obj ? string_field(*obj, "access_token") : std::string();

    net::CallError e;
    if (!error.empty()) {
        // Zoho Accounts reports errors in HTTP 200 bodies (reference section 1.3).
        e = interpret_error(error, obj ? string_field(*obj, "error_description") : "", resp.status);
    } else if (resp.status >= 500 || resp.status == 429 || resp.status == 408) {
        e = net::retryable_error(fmt::format("Zoho token refresh: HTTP {}", resp.status),
                                 resp.status);
    } else if (!net::is_success(resp.status) || token.empty()) {
        e = net::permanent_error(
            fmt::format("Zoho token refresh: HTTP {} without an access token", resp.status),
            resp.status);
        e.service_code = codes::bad_response;
    } else {
        // Older Zoho Accounts answers carry `expires_in` in milliseconds next to
        // `expires_in_sec`; current ones give seconds.
        std::int64_t expires_in = 3600;
        if (auto sec = int_field(*obj, "expires_in_sec"); sec && *sec > 0)
            expires_in = *sec;
        else if (auto v = int_field(*obj, "expires_in"); v && *v > 0)
            expires_in = *v > 86400 ? *v / 1000 : *v;
        const net::Duration lifetime = std::chrono::seconds(expires_in);
        const net::Duration margin = std::min(settings_.refresh_margin, lifetime / 2);
        const auto got = clock_.now();
        token_ = Secret(std::move(token));
        expires_at_ = got + lifetime;
        refresh_at_ = got + lifetime - margin;
        ++stats_.minted;
        log::info("ZOHO_TOKEN_REFRESHED",
                  {{"expires_in_s", expires_in}, {"refresh_in_s", seconds_of(lifetime - margin)}});
        co_return *token_;
    }
    log::emit(e.kind == ErrorKind::auth ? log::Level::error : log::Level::warn,
              "ZOHO_TOKEN_REFRESH_FAILED",
              {{"kind", net::to_string(e.kind)}, {"error", e.describe()}});
    co_return e;
}

}  // namespace hrmaild::zoho
