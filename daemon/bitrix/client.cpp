#include "daemon/bitrix/client.hpp"

#include "daemon/bitrix/decode.hpp"
#include "daemon/bitrix/php_query.hpp"
#include "daemon/core/text.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace hrmaild::bitrix {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string trim_slash(std::string s) {
    while (!s.empty() && s.back() == '/')
        s.pop_back();
    return s;
}

long long unix_seconds(core::WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

/// One OAuth refresh in flight: later callers wait on the timer, which the refreshing caller
/// cancels when it is done.
struct BitrixClient::RefreshFlight {
    explicit RefreshFlight(const asio::any_io_executor& ex) : done(ex) {
        done.expires_at(asio::steady_timer::time_point::max());
    }
    asio::steady_timer done;
    std::optional<net::CallError> error;
};

ClientSettings ClientSettings::from_config(const config::Config& config, net::RetrySettings retry) {
    ClientSettings s;
    s.bitrix = config.bitrix;
    s.retry = retry;
    s.state_dir = config.state.path.parent_path();
    return s;
}

BitrixClient::BitrixClient(asio::any_io_executor executor, net::HttpTransport& transport,
                           core::Clock& clock, ClientSettings settings)
    : executor_(std::move(executor))
    , transport_(transport)
    , clock_(clock)
    , settings_(std::move(settings))
    , mode_(core::iequals(settings_.bitrix.auth, "oauth") ? AuthMode::oauth : AuthMode::webhook)
    , portal_(trim_slash(settings_.bitrix.portal_url))
    , limiter_(clock, "bitrix",
               (settings_.bitrix.rate_burst > 0 ? settings_.bitrix.rate_burst : 50) *
                   net::usable_share(settings_.bitrix.rate_reserve_percent),
               settings_.bitrix.rate_per_second *
                   net::usable_share(settings_.bitrix.rate_reserve_percent))
    , policy_(settings_.retry, settings_.jitter, settings_.seed) {
    if (mode_ == AuthMode::oauth) {
        store_.emplace(settings_.state_dir);
        std::string why;
        if (auto saved = store_->load(&why)) {
            refresh_token_ = std::move(saved->refresh_token);
            access_token_ = std::move(saved->access_token);
            access_expires_ = saved->expires;
        } else {
            if (!why.empty())
                log::warn("BITRIX_TOKEN_FILE_UNREADABLE",
                          {{"path", store_->path().string()}, {"reason", why}});
            if (settings_.bitrix.oauth_refresh_token)
                refresh_token_ = settings_.bitrix.oauth_refresh_token->value;
        }
    }
}

BitrixClient::~BitrixClient() = default;

net::UrlRedactor BitrixClient::redactor(const config::BitrixConfig& bitrix) {
    Secret secret = bitrix.webhook_secret ? bitrix.webhook_secret->value : Secret();
    return [secret](std::string_view url) {
        std::string out = net::log_form(url);
        // /rest/{uid}/{secret}/method: hide the segment after the user id whatever it is,
        // so even a secret that is not the configured one (a typo) stays out of logs.
        auto rest = out.find("/rest/");
        if (rest != std::string::npos) {
            auto uid_begin = rest + 6;
            auto uid_end = out.find('/', uid_begin);
            if (uid_end != std::string::npos && uid_end > uid_begin &&
                std::all_of(out.begin() + static_cast<std::ptrdiff_t>(uid_begin),
                            out.begin() + static_cast<std::ptrdiff_t>(uid_end),
                            [](char c) { return c >= '0' && c <= '9'; })) {
                auto secret_end = out.find('/', uid_end + 1);
                if (secret_end != std::string::npos)
                    out.replace(uid_end + 1, secret_end - uid_end - 1, Secret::redacted);
            }
        }
        return net::redact(out, secret);
    };
}

std::string BitrixClient::method_url(const std::string& method) const {
    if (mode_ == AuthMode::oauth)
        return fmt::format("{}/rest/{}", portal_, method);
    const std::string& secret =
        settings_.bitrix.webhook_secret ? settings_.bitrix.webhook_secret->value.reveal() : "";
    return fmt::format("{}/rest/{}/{}/{}.json", portal_, settings_.bitrix.webhook_user_id,
                       percent_encode(secret), method);
}

std::string BitrixClient::method_log_url(const std::string& method) const {
    if (mode_ == AuthMode::oauth)
        return fmt::format("{}/rest/{}", portal_, method);
    return fmt::format("{}/rest/{}/<redacted>/{}.json", portal_, settings_.bitrix.webhook_user_id,
                       method);
}

std::string BitrixClient::scrub(std::string text) const {
    if (settings_.bitrix.webhook_secret)
        text = net::redact(text, settings_.bitrix.webhook_secret->value);
    if (settings_.bitrix.oauth_client_secret)
        text = net::redact(text, settings_.bitrix.oauth_client_secret->value);
    text = net::redact(text, access_token_);
    text = net::redact(text, refresh_token_);
    return text;
}

net::CallError BitrixClient::scrub(net::CallError error) const {
    error.message = scrub(std::move(error.message));
    return error;
}

std::optional<core::WallTime> BitrixClient::paused_until(std::string_view method) const {
    auto it = paused_.find(core::ascii_lower(method));
    if (it == paused_.end() || it->second <= clock_.wall_now())
        return std::nullopt;
    return it->second;
}

std::optional<net::CallError> BitrixClient::check_paused(const std::string& method) {
    auto until = paused_until(method);
    if (!until)
        return std::nullopt;
    ++stats_.paused_calls;
    net::CallError e;
    e.kind = core::ErrorKind::retryable;
    e.http_status = 429;
    e.service_code = "OPERATION_TIME_LIMIT";
    e.message = fmt::format("{}: paused by the operating-time limit, not sent", method);
    e.not_before = *until;
    e.not_executed = true;  // held back here, never sent
    return e;
}

void BitrixClient::note_error(const std::string& method, net::CallError& error) {
    if (is_query_limit(error.service_code) || is_operating_limit(error.service_code)) {
        // Reference section 3: the leaky bucket (503) and the operating-time limit (429)
        // refuse a call before running it, so even a write may be sent again.
        error.not_executed = true;
    }
    if (is_query_limit(error.service_code)) {
        ++stats_.throttled;
        // Our model of the portal's bucket was wrong: start again from empty.
        limiter_.drain();
        log::warn("BITRIX_THROTTLED", {{"method", method}, {"code", error.service_code}});
    } else if (is_operating_limit(error.service_code)) {
        auto now = clock_.wall_now();
        auto min_until = now + settings_.min_operating_pause;
        // operating_reset_at is in whole seconds, rounded down: a call at that very second
        // may still be refused, so wait one more.
        if (error.not_before)
            *error.not_before += std::chrono::seconds(1);
        if (!error.not_before || *error.not_before < min_until)
            error.not_before = min_until;
        auto& until = paused_[core::ascii_lower(method)];
        until = std::max(until, *error.not_before);
        log::warn(
            "BITRIX_METHOD_PAUSED",
            {{"method", method},
             {"seconds", std::chrono::duration_cast<std::chrono::seconds>(until - now).count()},
             {"until_unix", unix_seconds(until)}});
    } else if (error.kind == core::ErrorKind::auth && !is_expired_token(error.service_code)) {
        log::error("BITRIX_AUTH_REFUSED",
                   {{"method", method}, {"code", error.service_code}, {"reason", error.message}});
    } else if (error.service_code == "NOT_JSON") {
        log::warn("BITRIX_NOT_JSON", {{"method", method}, {"status", error.http_status}});
    }
}

asio::awaitable<net::Outcome<Reply>> BitrixClient::send_once(const std::string& method,
                                                             const json::object& params,
                                                             const std::string& token) {
    co_await limiter_.acquire();
    net::HttpRequest request;
    request.method = "POST";
    request.url = method_url(method);
    request.log_url = method_log_url(method);
    request.headers.push_back({"Accept", "application/json"});
    request.content_type = "application/json";
    // Answers, completions and notifications are journaled steps: a shutdown lets a write in
    // flight finish so its outcome is known; reads (and read batches) are cut.
    request.finish_on_stop = method != "batch" && !is_read_method(method);
    if (mode_ == AuthMode::oauth) {
        // The token goes last in the body: out of URLs (and so out of access logs), and after
        // the arguments of positional methods, which a leading `auth` could shift.
        json::object with_auth = params;
        with_auth["auth"] = token;
        request.body = json::serialize(with_auth);
    } else {
        request.body = json::serialize(params);
    }
    ++stats_.requests;
    auto response = co_await transport_.send(std::move(request));
    if (!response)
        co_return scrub(response.error());
    auto reply = decode_response(method, *response, mode_);
    if (!reply)
        co_return scrub(reply.error());
    co_return reply;
}

asio::awaitable<net::Outcome<Reply>> BitrixClient::attempt(const std::string& method,
                                                           const json::object& params) {
    if (auto paused = check_paused(method))
        co_return *paused;
    if (mode_ == AuthMode::oauth && access_token_.empty()) {
        auto r = co_await refresh(std::string());
        if (!r) {
            auto e = r.error();
            e.not_executed = true;  // the method itself was never sent
            co_return e;
        }
    }
    std::string token = mode_ == AuthMode::oauth ? access_token_.reveal() : std::string();
    auto reply = co_await send_once(method, params, token);
    if (!reply && mode_ == AuthMode::oauth && is_expired_token(reply.error().service_code)) {
        auto r = co_await refresh(token);
        if (!r) {
            auto e = r.error();
            e.not_executed = true;  // an expired token is refused before the method runs
            co_return e;
        }
        token = access_token_.reveal();
        reply = co_await send_once(method, params, token);
        if (!reply && is_expired_token(reply.error().service_code)) {
            // A token refreshed a moment ago refused as expired: refreshing again will not
            // help (clock skew or a revoked application).
            auto e = reply.error();
            e.message += " (refused right after a refresh; check bitrix.oauth_client_id)";
            log::error("BITRIX_AUTH_REFUSED",
                       {{"method", method}, {"code", e.service_code}, {"reason", e.message}});
            co_return e;
        }
    }
    if (!reply) {
        auto e = reply.error();
        note_error(method, e);
        co_return e;
    }
    co_return reply;
}

bool BitrixClient::is_read_method(std::string_view method) {
    auto dot = method.rfind('.');
    auto last = core::ascii_lower(dot == std::string_view::npos ? method : method.substr(dot + 1));
    return last == "get" || last == "list" || last == "getlist" || last == "current" ||
           last == "fields";
}

asio::awaitable<net::Outcome<Reply>> BitrixClient::call(std::string method, json::object params) {
    auto idempotency =
        is_read_method(method) ? net::Idempotency::idempotent : net::Idempotency::not_idempotent;
    co_return co_await call_as(std::move(method), std::move(params), idempotency);
}

asio::awaitable<net::Outcome<Reply>> BitrixClient::call_as(std::string method, json::object params,
                                                           net::Idempotency idempotency) {
    auto once = [&]() { return attempt(method, params); };
    co_return co_await net::with_retry(clock_, policy_, once,
                                       net::RetryLabel{"bitrix", method, idempotency});
}

asio::awaitable<net::Outcome<void>> BitrixClient::refresh(const std::string& stale_token) {
    // Someone else refreshed while this caller's request was on the wire.
    if (!access_token_.empty() && !access_token_.equals(stale_token))
        co_return net::Outcome<void>{};
    if (flight_) {
        auto flight = flight_;
        co_await flight->done.async_wait(asio::as_tuple(asio::use_awaitable));
        if (flight->error)
            co_return *flight->error;
        co_return net::Outcome<void>{};
    }
    auto flight = std::make_shared<RefreshFlight>(executor_);
    flight_ = flight;
    auto result = co_await do_refresh();
    if (!result)
        flight->error = result.error();
    flight_.reset();
    flight->done.cancel();
    co_return result;
}

asio::awaitable<net::Outcome<void>> BitrixClient::do_refresh() {
    const auto& b = settings_.bitrix;
    if (refresh_token_.empty()) {
        net::CallError e;
        e.kind = core::ErrorKind::auth;
        e.service_code = "NO_REFRESH_TOKEN";
        e.message = "no OAuth refresh token: set bitrix.oauth_refresh_token_file (auth: oauth)";
        log::error("BITRIX_TOKEN_REFRESH_FAILED",
                   {{"code", e.service_code}, {"reason", e.message}});
        co_return e;
    }
    std::string base =
        trim_slash(b.oauth_server_url.empty() ? "https://oauth.bitrix.info" : b.oauth_server_url);
    net::HttpRequest request;
    request.method = "GET";
    request.url = fmt::format(
        "{}/oauth/token/?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        base, percent_encode(b.oauth_client_id),
        percent_encode(b.oauth_client_secret ? b.oauth_client_secret->value.reveal() : ""),
        percent_encode(refresh_token_.reveal()));
    request.log_url = base + "/oauth/token/?<redacted>";
    request.headers.push_back({"Accept", "application/json"});
    ++stats_.token_refreshes;
    auto response = co_await transport_.send(std::move(request));
    if (!response) {
        auto e = scrub(response.error());
        log::warn("BITRIX_TOKEN_REFRESH_FAILED", {{"code", "transport"}, {"reason", e.message}});
        co_return e;
    }
    boost::system::error_code ec;
    auto body = json::parse(response->body, ec);
    std::string error_code = (!ec && body.is_object()) ? field_text(body, {"error"}) : "";
    if (ec || !body.is_object() || !error_code.empty() || !net::is_success(response->status)) {
        net::CallError e;
        if (!error_code.empty()) {
            e = make_error("oauth/token", response->status, error_code,
                           field_text(body, {"error_description"}), json::value(), AuthMode::oauth);
            // The OAuth server's own codes: anything but a refused grant or client may pass.
            if (!kind_for_code(error_code))
                e.kind =
                    response->status >= 500 ? core::ErrorKind::retryable : core::ErrorKind::auth;
        } else {
            e = net::retryable_error(
                fmt::format("oauth/token: the OAuth server answered HTTP {} without a token",
                            response->status),
                response->status);
        }
        e = scrub(std::move(e));
        log::error("BITRIX_TOKEN_REFRESH_FAILED",
                   {{"code", e.service_code}, {"status", e.http_status}, {"reason", e.message}});
        co_return e;
    }
    std::string access = field_text(body, {"access_token"});
    std::string refresh = field_text(body, {"refresh_token"});
    if (access.empty()) {
        auto e =
            net::retryable_error("oauth/token: the answer holds no access_token", response->status);
        log::error("BITRIX_TOKEN_REFRESH_FAILED", {{"code", "no_token"}, {"reason", e.message}});
        co_return e;
    }
    std::int64_t expires_in = field_int(body, {"expires_in"}, 3600);
    access_token_ = Secret(std::move(access));
    if (!refresh.empty())
        refresh_token_ = Secret(std::move(refresh));
    access_expires_ = unix_seconds(clock_.wall_now()) + expires_in;
    StoredTokens saved{refresh_token_, access_token_, access_expires_};
    std::string why;
    if (store_ && !store_->save(saved, &why)) {
        // The new refresh token lives in memory only now; a restart would need a new one.
        log::critical("BITRIX_TOKEN_SAVE_FAILED",
                      {{"path", store_->path().string()}, {"reason", why}});
    }
    log::info("BITRIX_TOKEN_REFRESHED", {{"expires_in", expires_in}});
    co_return net::Outcome<void>{};
}

asio::awaitable<std::vector<net::Outcome<Reply>>> BitrixClient::run(const Batch& batch) {
    const auto& commands = batch.commands();
    std::vector<net::Outcome<Reply>> out(commands.size(), net::Outcome<Reply>(Reply{}));
    const bool halt = batch.halt();
    // A command a halting batch never ran (after the first failure): provably not executed.
    auto not_run = [&](std::size_t i) {
        auto e = net::retryable_error(
            fmt::format("{}: not run, an earlier command of the batch failed", commands[i].method));
        e.service_code = "BATCH_HALTED";
        e.not_executed = true;
        return e;
    };
    // Commands of a paused method are answered here and never sent; in a halting batch,
    // neither is anything after them (their order matters).
    std::vector<std::size_t> todo;
    bool stopped = false;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        if (stopped) {
            out[i] = not_run(i);
        } else if (auto paused = check_paused(commands[i].method)) {
            out[i] = *paused;
            stopped = halt;
        } else {
            todo.push_back(i);
        }
    }
    for (std::size_t first = 0; first < todo.size(); first += page_size) {
        if (stopped) {
            for (std::size_t k = first; k < todo.size(); ++k)
                out[todo[k]] = not_run(todo[k]);
            break;
        }
        std::size_t last = std::min(todo.size(), first + page_size);
        json::object cmd;
        for (std::size_t k = first; k < last; ++k) {
            const auto& c = commands[todo[k]];
            cmd[Batch::name(todo[k])] = batch_command(c.method, c.params);
        }
        json::object body;
        body["halt"] = halt ? 1 : 0;
        body["cmd"] = std::move(cmd);
        bool reads_only = true;
        for (std::size_t k = first; k < last; ++k)
            reads_only = reads_only && is_read_method(commands[todo[k]].method);
        auto reply = co_await call_as(
            "batch", std::move(body),
            reads_only ? net::Idempotency::idempotent : net::Idempotency::not_idempotent);
        if (!reply) {
            for (std::size_t k = first; k < last; ++k)
                out[todo[k]] = reply.error();
            stopped = halt;
            continue;
        }
        const json::value& r = reply->result;
        static const json::value null_value;
        const json::value* results = field(r, {"result"});
        const json::value* errors = field(r, {"result_error"});
        const json::value* totals = field(r, {"result_total"});
        const json::value* nexts = field(r, {"result_next"});
        const json::value* times = field(r, {"result_time"});
        for (std::size_t k = first; k < last; ++k) {
            std::size_t i = todo[k];
            std::string name = Batch::name(i);
            const auto& method = commands[i].method;
            if (const auto* err = errors ? field(*errors, {name}) : nullptr;
                err && !is_empty(*err)) {
                const json::value* t = times ? field(*times, {name}) : nullptr;
                auto e =
                    make_error(method, 0, field_text(*err, {"error"}),
                               field_text(*err, {"error_description"}), t ? *t : null_value, mode_);
                e = scrub(std::move(e));
                note_error(method, e);
                out[i] = e;
                stopped = stopped || halt;
                continue;
            }
            if (halt && !(results && results->is_object() && results->as_object().contains(name))) {
                // Neither answered nor failed: the portal stopped before it (halt=1).
                out[i] = not_run(i);
                stopped = true;
                continue;
            }
            Reply one;
            if (const auto* v = results ? field(*results, {name}) : nullptr)
                one.result = *v;
            if (const auto* v = totals ? field(*totals, {name}) : nullptr)
                one.total = to_int(*v);
            if (const auto* v = nexts ? field(*nexts, {name}) : nullptr)
                one.next = to_int(*v);
            out[i] = std::move(one);
        }
    }
    co_return out;
}

std::string BitrixClient::iso_date(core::WallTime t) {
    return core::format_utc(t, core::UtcStyle::iso_offset);
}

DepartmentTree::DepartmentTree(std::vector<Department> departments)
    : departments_(std::move(departments)) {}

std::vector<std::int64_t> DepartmentTree::subtree(std::int64_t root) const {
    std::vector<std::int64_t> out{root};
    // Breadth-first over children; `out` doubles as the visited set, so a PARENT cycle ends.
    for (std::size_t i = 0; i < out.size(); ++i)
        for (const auto& d : departments_)
            if (d.parent == out[i] && d.id != 0 &&
                std::find(out.begin(), out.end(), d.id) == out.end())
                out.push_back(d.id);
    return out;
}

bool DepartmentTree::contains(std::int64_t id, std::int64_t root) const {
    auto sub = subtree(root);
    return std::find(sub.begin(), sub.end(), id) != sub.end();
}

bool DepartmentTree::contains(const User& user, std::int64_t root) const {
    auto sub = subtree(root);
    for (auto d : user.departments)
        if (std::find(sub.begin(), sub.end(), d) != sub.end())
            return true;
    return false;
}

}  // namespace hrmaild::bitrix
