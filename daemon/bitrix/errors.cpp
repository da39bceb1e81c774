#include "daemon/bitrix/errors.hpp"

#include "daemon/bitrix/decode.hpp"
#include "daemon/net/url.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cmath>

namespace hrmaild::bitrix {

namespace json = boost::json;
using core::ErrorKind;

namespace {

constexpr std::array<net::CodeRule, 24> kRules = {{
    {"QUERY_LIMIT_EXCEEDED", ErrorKind::retryable},
    {"OVERLOAD_LIMIT", ErrorKind::retryable},
    {"OPERATION_TIME_LIMIT", ErrorKind::retryable},
    {"INTERNAL_SERVER_ERROR", ErrorKind::retryable},
    {"ERROR_UNEXPECTED_ANSWER", ErrorKind::retryable},
    {"expired_token", ErrorKind::auth},
    {"invalid_token", ErrorKind::auth},
    {"NO_AUTH_FOUND", ErrorKind::auth},
    {"INVALID_CREDENTIALS", ErrorKind::auth},
    {"insufficient_scope", ErrorKind::auth},
    {"ACCESS_DENIED", ErrorKind::auth},
    {"user_access_error", ErrorKind::auth},
    {"WRONG_AUTH_TYPE", ErrorKind::auth},
    {"METHOD_CONFIRM_WAITING", ErrorKind::auth},
    {"invalid_grant", ErrorKind::auth},
    {"invalid_client", ErrorKind::auth},
    {"ERROR_METHOD_NOT_FOUND", ErrorKind::permanent},
    {"PORTAL_DELETED", ErrorKind::permanent},
    {"ERROR_CORE", ErrorKind::permanent},
    {"0", ErrorKind::permanent},
    {"100", ErrorKind::permanent},
    {"1048582", ErrorKind::permanent},
    {"ERROR_BATCH_LENGTH_EXCEEDED", ErrorKind::permanent},
    {"ERROR_BATCH_METHOD_NOT_ALLOWED", ErrorKind::permanent},
}};

std::string auth_hint(std::string_view code, AuthMode mode) {
    const bool webhook = mode == AuthMode::webhook;
    if (core::iequals(code, "insufficient_scope") || core::iequals(code, "WRONG_AUTH_TYPE") ||
        core::iequals(code, "user_access_error") || core::iequals(code, "ACCESS_DENIED"))
        return webhook ? "grant the inbound webhook the scopes task, im, user and department, and "
                         "check that the user in bitrix.webhook_user_id may do this"
                       : "grant the application the scopes task, im, user and department "
                         "(bitrix.oauth_client_id) and reinstall it";
    if (core::iequals(code, "invalid_grant"))
        return "the refresh token was refused: put a new one in bitrix.oauth_refresh_token_file "
               "and remove the saved token in the state folder";
    if (core::iequals(code, "invalid_client"))
        return "check bitrix.oauth_client_id and bitrix.oauth_client_secret_file";
    if (core::iequals(code, "METHOD_CONFIRM_WAITING"))
        return "an administrator must confirm the method in the portal";
    return webhook ? "check bitrix.webhook_user_id and bitrix.webhook_secret_file (the webhook "
                     "may have been deleted or expired)"
                   : "check bitrix.oauth_client_id, bitrix.oauth_client_secret_file and "
                     "bitrix.oauth_refresh_token_file";
}

std::optional<core::WallTime> operating_reset(const json::value& time) {
    const auto* reset = field(time, {"operating_reset_at"});
    if (!reset)
        return std::nullopt;
    double secs = 0;
    if (reset->is_double())
        secs = reset->get_double();
    else if (auto n = to_int(*reset))
        secs = static_cast<double>(*n);
    else
        return std::nullopt;
    // Past what the clock can hold (the year 2262) it is not a time: converting it would be
    // undefined (found by fuzzing), so it counts as absent.
    constexpr double kLatest = static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(net::WallTime::duration::max()).count());
    if (!(secs > 0) || std::ceil(secs) >= kLatest)
        return std::nullopt;
    return core::WallTime{std::chrono::duration_cast<core::WallTime::duration>(
        std::chrono::duration<double>(std::ceil(secs)))};
}

std::string content_type(const net::HttpResponse& r) {
    auto h = r.header("Content-Type");
    return h ? std::string(*h) : std::string("no content type");
}

}  // namespace

std::optional<ErrorKind> kind_for_code(std::string_view code) {
    return net::lookup_code_in(kRules, code);
}

bool is_expired_token(std::string_view code) {
    return core::iequals(code, "expired_token") || core::iequals(code, "invalid_token");
}

bool is_query_limit(std::string_view code) {
    return core::iequals(code, "QUERY_LIMIT_EXCEEDED") || core::iequals(code, "OVERLOAD_LIMIT");
}

bool is_operating_limit(std::string_view code) {
    return core::iequals(code, "OPERATION_TIME_LIMIT");
}

net::CallError make_error(std::string_view method, int status, std::string_view code,
                          std::string_view description, const json::value& time, AuthMode mode) {
    net::CallError e;
    e.http_status = status;
    e.service_code = std::string(code);
    auto kind = kind_for_code(code);
    if (kind) {
        e.kind = *kind;
    } else {
        // An unknown code: the status is the only hint left. Server trouble may pass; any
        // other unknown failure is reported rather than retried blindly.
        e.kind = status >= 500 && status != 501 ? ErrorKind::retryable : ErrorKind::permanent;
    }
    std::string text = strip_html(description);
    if (text.empty())
        text = std::string(code);
    e.message = fmt::format("{}: {}", method, text);
    if (e.kind == ErrorKind::auth && !is_expired_token(code))
        e.message += fmt::format(" ({})", auth_hint(code, mode));
    if (is_operating_limit(code)) {
        e.not_before = operating_reset(time);
        e.message += e.not_before ? "; the method is paused until operating_reset_at"
                                  : "; the method is paused";
    }
    return e;
}

net::Outcome<Reply> decode_response(std::string_view method, const net::HttpResponse& response,
                                    AuthMode mode) {
    if (response.status == 301 || response.status == 302 || response.status == 307 ||
        response.status == 308) {
        // A renamed portal redirects to its new host. Following it would turn the POST into a
        // GET (and send the secret to wherever Location points): tell the operator instead.
        auto location = response.header("Location");
        std::string where = location ? net::log_form(*location) : std::string("an unknown place");
        if (auto rest = where.find("/rest/"); rest != std::string::npos)
            where.resize(rest);
        net::CallError e = net::permanent_error(
            fmt::format("{}: the portal answered HTTP {} and moved to {}: update bitrix.portal_url",
                        method, response.status, where),
            response.status);
        e.service_code = "PORTAL_MOVED";
        return e;
    }
    boost::system::error_code ec;
    json::value body = json::parse(response.body, ec);
    if (ec || !body.is_object()) {
        // Gateways and overloaded portals answer with HTML pages; nothing in them is ours to
        // act on except "try again later".
        net::CallError e = net::retryable_error(
            fmt::format("{}: Bitrix24 answered HTTP {} with {} instead of JSON: {}", method,
                        response.status, content_type(response), strip_html(response.body, 120)),
            response.status);
        e.service_code = "NOT_JSON";
        return e;
    }
    const auto& obj = body.get_object();
    if (const auto* err = obj.if_contains("error");
        err && !err->is_null() && !(err->is_string() && err->get_string().empty())) {
        std::string code;
        std::string description = field_text(body, {"error_description"});
        if (err->is_object()) {  // REST 3.0 shape
            code = field_text(*err, {"code"});
            description = field_text(*err, {"message"});
        } else {
            code = to_text(*err);
        }
        const json::value* time = obj.if_contains("time");
        return make_error(method, response.status, code, description, time ? *time : json::value(),
                          mode);
    }
    if (!net::is_success(response.status)) {
        // JSON without an error code: classify by status, the only hint there is.
        net::CallError e;
        e.kind = response.status >= 500 ? ErrorKind::retryable : ErrorKind::permanent;
        e.http_status = response.status;
        e.message = fmt::format("{}: Bitrix24 answered HTTP {} without an error code", method,
                                response.status);
        return e;
    }
    const auto* result = obj.if_contains("result");
    if (!result)
        return net::permanent_error(fmt::format("{}: Bitrix24 answered without a result", method),
                                    response.status);
    Reply reply;
    reply.result = *result;
    if (const auto* t = obj.if_contains("total"))
        reply.total = to_int(*t);
    if (const auto* n = obj.if_contains("next"))
        reply.next = to_int(*n);
    return reply;
}

}  // namespace hrmaild::bitrix
