#include "daemon/zoho/errors.hpp"

#include "daemon/net/retry.hpp"
#include "daemon/zoho/json.hpp"

#include <fmt/format.h>

#include <array>

namespace hrmaild::zoho {
namespace json = boost::json;
using core::ErrorKind;

namespace {

// Section 10: how each documented errorCode is handled.
constexpr std::array<net::CodeRule, 13> kRules = {{
    {codes::invalid_oauthtoken, ErrorKind::auth},
    {codes::invalid_oauthscope, ErrorKind::permanent},  // a new token would not gain the scope
    {codes::invalid_ticket, ErrorKind::auth},
    {codes::email_already_exists, ErrorKind::conflict},
    {codes::member_already_exists, ErrorKind::conflict},
    {codes::user_not_found, ErrorKind::permanent},
    {codes::group_not_found, ErrorKind::permanent},
    {codes::password_policy_violation, ErrorKind::permanent},
    {codes::license_limit_exceeded, ErrorKind::permanent},
    {codes::domain_not_verified, ErrorKind::permanent},
    {codes::invalid_email_address, ErrorKind::permanent},
    {codes::extra_key_found, ErrorKind::permanent},  // a bug on our side (reference section 2)
    {codes::throttled, ErrorKind::retryable},
}};

bool contains_throttle(std::string_view body) {
    std::string upper(body);
    for (char& c : upper)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return upper.find("THROTTLE") != std::string::npos;
}

}  // namespace

bool is_throttle_response(const net::HttpResponse& response) {
    if (response.status == 429)
        return true;
    if (net::is_success(response.status))
        return false;
    return contains_throttle(response.body);
}

net::CallError classify_api_error(const net::HttpResponse& response,
                                  std::string_view required_scope, core::WallTime now) {
    net::CallError e;
    e.http_status = response.status;
    std::string description, more_info;
    if (auto v = parse_json(response.body); v && v->is_object()) {
        const json::object& body = v->get_object();
        if (const json::object* data = object_field(body, "data")) {
            e.service_code = string_field(*data, "errorCode");
            more_info = string_field(*data, "moreInfo");
        }
        if (e.service_code.empty())
            e.service_code = string_field(body, "errorCode");
        if (const json::object* status = object_field(body, "status"))
            description = string_field(*status, "description");
        if (more_info.empty())
            more_info = string_field(body, "msg");
    }
    if (!description.empty() && !more_info.empty())
        e.message = fmt::format("Zoho: {}: {}", description, more_info);
    else if (!more_info.empty() || !description.empty())
        e.message = fmt::format("Zoho: {}", more_info.empty() ? description : more_info);
    else
        e.message = fmt::format("Zoho answered HTTP {}", response.status);

    if (is_throttle_response(response)) {
        e.kind = ErrorKind::retryable;
        if (e.service_code.empty())
            e.service_code = codes::throttled;
        if (auto ra = response.header("Retry-After"))
            e.retry_after = net::parse_retry_after(*ra, now);
        return e;
    }
    if (auto kind = net::lookup_code_in(kRules, e.service_code)) {
        e.kind = *kind;
    } else if (response.status >= 500) {
        e.kind = ErrorKind::retryable;
    } else {
        e.kind = net::kind_for_status(response.status);
    }
    if (core::iequals(e.service_code, codes::invalid_oauthscope)) {
        e.message = required_scope.empty()
                        ? std::string(
                              "Zoho: the access token lacks a scope this call needs; "
                              "mint a refresh token with the scopes in docs")
                        : fmt::format(
                              "Zoho: the access token lacks the scope {}; add it to the "
                              "self client's scopes and mint a new refresh token",
                              required_scope);
    }
    return e;
}

bool is_not_found(const net::CallError& error) {
    return core::iequals(error.service_code, codes::user_not_found) ||
           core::iequals(error.service_code, codes::group_not_found);
}

bool is_throttle(const net::CallError& error) {
    return core::iequals(error.service_code, codes::throttled) ||
           (error.http_status == 429 && error.kind == ErrorKind::retryable);
}

bool is_token_rejected(const net::CallError& error) {
    return core::iequals(error.service_code, codes::invalid_oauthtoken);
}

}  // namespace hrmaild::zoho
