#include "daemon/zoho/token_manager.hpp"

#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/json.hpp"

#include <fmt/format.h>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>

namespace hrmaild::zoho {
namespace asio = boost::asio;
namespace json = boost::json;
using core::ErrorKind;

namespace {

std::string strip_slash(std::string url) {
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

long long seconds_of(core::Duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace

std::string form_encode(std::string_view value) {
    return boost::urls::encode(value, boost::urls::unreserved_chars);
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

TokenManager::TokenManager(net::HttpTransport& http, core::Clock& clock, TokenSettings settings)
    : http_(http), clock_(clock), settings_(std::move(settings)) {
    settings_.accounts_url = strip_slash(settings_.accounts_url);
    if (!settings_.token_file.empty())
        file_.emplace(settings_.token_file,
                      settings_.client_id + "\n" + settings_.refresh_token.reveal());
}

bool TokenManager::has_fresh_token() const {
    return token_.has_value() && clock_.now() < refresh_at_;
}

std::optional<core::TimePoint> TokenManager::expires_at() const {
    if (!token_)
        return std::nullopt;
    return expires_at_;
}

TokenStats TokenManager::stats() const {
    TokenStats s = stats_;
    s.joined = flight_.joined();
    return s;
}

std::optional<core::WallTime> TokenManager::blocked_until() const {
    if (blocked_wall_ && *blocked_wall_ > clock_.wall_now())
        return blocked_wall_;
    return std::nullopt;
}

void TokenManager::set_blocked(std::optional<core::WallTime> until, std::string_view reason) {
    const bool was = blocked_until().has_value();
    const auto before = blocked_wall_;
    blocked_wall_ = until;
    const bool now_blocked = blocked_until().has_value();
    if (now_blocked && (!was || before != until)) {
        // Once per block (not once per caller that runs into it).
        if (!was)
            log::warn("ZOHO_TOKEN_BLOCKED", {{"reason", reason},
                                             {"until", core::format_utc(*until)},
                                             {"wait_s", seconds_of(*until - clock_.wall_now())}});
        if (block_listener_)
            block_listener_(until);
    } else if (was && !now_blocked && block_listener_) {
        block_listener_(std::nullopt);
    }
}

net::CallError TokenManager::blocked_error(std::string_view reason) const {
    const auto until = *blocked_wall_;
    const auto wait = until - clock_.wall_now();
    net::CallError e = net::retryable_error(fmt::format(
        "Zoho access-token minting is blocked ({}): Zoho allows {} access tokens per refresh "
        "token in {} minutes; it clears at {} (in {} s)",
        reason, settings_.mint_limit, seconds_of(settings_.mint_window) / 60,
        core::format_utc(until), seconds_of(wait)));
    e.service_code = std::string(codes::mint_limit);
    e.retry_after = std::chrono::duration_cast<core::Duration>(wait);
    e.not_before = until;
    e.not_executed = true;
    return e;
}

void TokenManager::adopt(Secret token, core::WallTime expires) {
    const auto left = std::chrono::duration_cast<core::Duration>(expires - clock_.wall_now());
    token_ = std::move(token);
    expires_at_ = clock_.now() + left;
    refresh_at_ = expires_at_ - settings_.refresh_margin;
}

void TokenManager::invalidate(const Secret& token) {
    if (token_ && token_->equals(token.reveal())) {
        token_.reset();
        rejected_ = token;
        ++stats_.invalidated;
        log::info("ZOHO_TOKEN_REJECTED", {{"action", "refresh"}});
        // Drop it from the shared file too, so no other process adopts a refused token. A busy
        // lock means another process is replacing it right now.
        std::optional<TokenFile::Lock> lock;
        if (file_ && file_->try_lock(lock) == TokenFile::LockResult::locked) {
            auto st = file_->read();
            if (st.access_token && st.access_token->equals(token.reveal())) {
                st.access_token.reset();
                std::string why;
                if (!file_->write(st, &why))
                    log::warn("ZOHO_TOKEN_FILE_FAILED",
                              {{"path", file_->path().string()}, {"reason", why}});
            }
        }
    }
}

void TokenManager::reset_credentials(Secret client_secret, Secret refresh_token) {
    settings_.client_secret = std::move(client_secret);
    settings_.refresh_token = std::move(refresh_token);
    token_.reset();
    fatal_.reset();
    blocked_wall_.reset();
    if (file_)
        file_.emplace(settings_.token_file,
                      settings_.client_id + "\n" + settings_.refresh_token.reveal());
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
    if (core::iequals(error, "Access Denied") ||
        description.find("too many requests") != std::string::npos) {
        // Zoho blocks minting for 15-30 minutes: stay away instead of extending the block.
        set_blocked(clock_.wall_now() + settings_.denied_wait, "Zoho answered Access Denied");
        e = blocked_error("Zoho answered Access Denied: too many requests");
        e.http_status = http_status;
        return e;
    }
    e.kind = ErrorKind::auth;
    if (core::iequals(error, "invalid_code")) {
        e.message = fmt::format(
            "Zoho Accounts rejected the refresh token (invalid_code): it was revoked or belongs to "
            "another client or data centre; put a valid refresh token in zoho.refresh_token_file "
            "({})",
            settings_.refresh_token_file.empty() ? "not set" : settings_.refresh_token_file);
    } else if (core::iequals(error, "invalid_client")) {
        e.message = fmt::format(
            "Zoho Accounts does not know zoho.client_id at {} (invalid_client): check the client "
            "id "
            "and that zoho.accounts_url is the organization's data centre",
            settings_.accounts_url);
    } else if (core::iequals(error, "invalid_client_secret")) {
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

void TokenManager::save_file(std::optional<TokenFile::Lock>& lock) {
    if (!file_ || !lock)
        return;
    TokenFileState st;
    if (token_) {
        st.access_token = *token_;
        st.expires_at = clock_.wall_now() + std::chrono::duration_cast<core::WallTime::duration>(
                                                expires_at_ - clock_.now());
    }
    st.mints.assign(mints_.begin(), mints_.end());
    st.blocked_until = blocked_until();
    std::string why;
    if (!file_->write(st, &why))
        log::warn("ZOHO_TOKEN_FILE_FAILED", {{"path", file_->path().string()}, {"reason", why}});
}

asio::awaitable<net::Outcome<Secret>> TokenManager::refresh() {
    // A caller may have been queued behind a refresh that has just succeeded.
    if (has_fresh_token())
        co_return *token_;
    if (fatal_)
        co_return *fatal_;

    // The shared file: another process may hold a valid token, or know of a block.
    std::optional<TokenFile::Lock> lock;
    if (file_) {
        const auto give_up = clock_.now() + settings_.lock_wait;
        for (;;) {
            std::string why;
            auto r = file_->try_lock(lock, &why);
            if (r == TokenFile::LockResult::locked)
                break;
            if (r == TokenFile::LockResult::unavailable) {
                // Not fatal: without the file this process mints for itself.
                log::debug("ZOHO_TOKEN_FILE_FAILED",
                           {{"path", file_->path().string()}, {"reason", why}});
                break;
            }
            if (clock_.now() >= give_up) {
                net::CallError e = net::retryable_error(fmt::format(
                    "another hrmaild process has held {}.lock for {} s while minting a Zoho "
                    "token",
                    file_->path().string(), seconds_of(settings_.lock_wait)));
                e.not_executed = true;
                co_return e;
            }
            if (auto ec = co_await clock_.sleep_for(std::chrono::milliseconds(50)); ec) {
                net::CallError e = net::retryable_error("Zoho token refresh cancelled");
                e.not_executed = true;
                co_return e;
            }
        }
        if (lock) {
            auto st = file_->read();
            const auto now = clock_.wall_now();
            // Every process appends its mints to the file under this lock, so the file's list
            // is the whole history (ours included) unless this process could not write it.
            if (st.mints.size() >= mints_.size())
                mints_.assign(st.mints.begin(), st.mints.end());
            if (st.blocked_until && *st.blocked_until > now &&
                (!blocked_wall_ || *blocked_wall_ < *st.blocked_until))
                set_blocked(st.blocked_until, "recorded in the shared token file");
            if (st.access_token && !(rejected_ && rejected_->equals(st.access_token->reveal())) &&
                st.expires_at - settings_.refresh_margin > now) {
                adopt(*st.access_token, st.expires_at);
                ++stats_.adopted;
                log::debug("ZOHO_TOKEN_ADOPTED",
                           {{"expires_in_s", seconds_of(st.expires_at - now)}});
                co_return *token_;
            }
        }
    }
    auto minted = co_await mint();
    save_file(lock);
    co_return minted;
}

asio::awaitable<net::Outcome<Secret>> TokenManager::mint() {
    const auto wall = clock_.wall_now();
    if (blocked_until())
        co_return blocked_error("Zoho refused to mint earlier");
    while (!mints_.empty() && mints_.front() + settings_.mint_window <= wall)
        mints_.pop_front();
    if (settings_.mint_limit > 0 && static_cast<int>(mints_.size()) >= settings_.mint_limit) {
        log::warn("ZOHO_TOKEN_MINT_LIMIT",
                  {{"minted", mints_.size()},
                   {"wait_s", seconds_of(mints_.front() + settings_.mint_window - wall)}});
        set_blocked(mints_.front() + settings_.mint_window, "client-side mint limit");
        co_return blocked_error(fmt::format("{} minted in the last {} s", mints_.size(),
                                            seconds_of(settings_.mint_window)));
    }
    set_blocked(std::nullopt, "");

    net::HttpRequest req;
    req.method = "POST";
    req.url = settings_.accounts_url + "/oauth/v2/token";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = "grant_type=refresh_token&client_id=" + form_encode(settings_.client_id) +
               "&client_secret=" + form_encode(settings_.client_secret.reveal()) +
               "&refresh_token=" + form_encode(settings_.refresh_token.reveal());
    req.log_url = req.url;
    // Counted before the answer: a lost answer may still have minted a token.
    mints_.push_back(wall);
    ++stats_.requests;
    auto sent = co_await http_.send(std::move(req));
    if (!sent) {
        net::CallError e = sent.error();
        e.message = "Zoho token refresh: " + e.message;
        e.not_executed = true;  // the API request that needed the token was never sent
        log::warn("ZOHO_TOKEN_REFRESH_FAILED",
                  {{"kind", core::to_string(e.kind)}, {"error", e.describe()}});
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
        const core::Duration lifetime = std::chrono::seconds(expires_in);
        const core::Duration margin = std::min(settings_.refresh_margin, lifetime / 2);
        const auto got = clock_.now();
        token_ = Secret(std::move(token));
        expires_at_ = got + lifetime;
        refresh_at_ = got + lifetime - margin;
        ++stats_.minted;
        log::info("ZOHO_TOKEN_REFRESHED",
                  {{"expires_in_s", expires_in}, {"refresh_in_s", seconds_of(lifetime - margin)}});
        co_return *token_;
    }
    e.not_executed = true;
    log::emit(e.kind == ErrorKind::auth ? log::Level::error : log::Level::warn,
              "ZOHO_TOKEN_REFRESH_FAILED",
              {{"kind", core::to_string(e.kind)}, {"error", e.describe()}});
    co_return e;
}

}  // namespace hrmaild::zoho
