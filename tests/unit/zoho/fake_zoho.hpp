#pragma once
// Test doubles for the Zoho client: a transport that records every request and answers from
// a handler, and helpers that run a coroutine to completion in virtual time.
#include "daemon/core/clock.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/json.hpp"
#include "tests/support/run_coro.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::zoho::test {

namespace asio = boost::asio;
namespace json = boost::json;

/// A canned answer.
inline net::HttpResponse answer(int status, const json::value& body) {
    net::HttpResponse r;
    r.status = status;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = json::serialize(body);
    return r;
}

/// Zoho's success envelope.
inline net::HttpResponse ok(int status = 200, std::optional<json::value> data = std::nullopt) {
    json::object body{{"status", json::object{{"code", status}, {"description", "success"}}}};
    if (data)
        body["data"] = *data;
    return answer(status, body);
}

/// Zoho's error envelope.
inline net::HttpResponse fail(int status, std::string_view code, std::string_view more = "") {
    json::object data{{"errorCode", code}};
    if (!more.empty())
        data["moreInfo"] = more;
    return answer(
        status,
        json::object{{"status", json::object{{"code", status}, {"description", "Invalid Input"}}},
                     {"data", data}});
}

/// A token endpoint answer.
inline net::HttpResponse token_answer(std::string token, int expires_in = 3600) {
    return answer(200, json::object{{"access_token", token},
                                    {"api_domain", "https://www.zohoapis.com"},
                                    {"token_type", "Bearer"},
                                    {"expires_in", expires_in}});
}

/// Records every request; answers token requests and API requests from two handlers.
class FakeTransport final : public net::HttpTransport {
  public:
    using Handler = std::function<net::Outcome<net::HttpResponse>(const net::HttpRequest&)>;

    explicit FakeTransport(core::Clock& clock) : clock_(clock) {
        token_handler = [this](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
            return token_answer("tok-" + std::to_string(token_requests().size()));
        };
        api_handler = [](const net::HttpRequest&) -> net::Outcome<net::HttpResponse> {
            return ok(200);
        };
    }

    asio::awaitable<net::Outcome<net::HttpResponse>> send(net::HttpRequest request) override {
        requests.push_back(request);
        const bool token = request.url.find("/oauth/v2/token") != std::string::npos;
        // Answers take virtual time, so concurrent callers really overlap.
        const core::Duration delay = token ? token_delay : api_delay;
        if (delay > core::Duration::zero())
            co_await clock_.sleep_for(delay);
        co_return token ? token_handler(request) : api_handler(request);
    }

    /// Requests to the token endpoint.
    [[nodiscard]] std::vector<net::HttpRequest> token_requests() const {
        std::vector<net::HttpRequest> out;
        for (const auto& r : requests)
            if (r.url.find("/oauth/v2/token") != std::string::npos)
                out.push_back(r);
        return out;
    }
    /// Requests to the Mail API.
    [[nodiscard]] std::vector<net::HttpRequest> api_requests() const {
        std::vector<net::HttpRequest> out;
        for (const auto& r : requests)
            if (r.url.find("/oauth/v2/token") == std::string::npos)
                out.push_back(r);
        return out;
    }

    std::vector<net::HttpRequest> requests;
    Handler token_handler;
    Handler api_handler;
    core::Duration token_delay{};
    core::Duration api_delay{};

  private:
    core::Clock& clock_;
};

/// The value of a header, or empty.
inline std::string header_of(const net::HttpRequest& r, std::string_view name) {
    for (const auto& h : r.headers)
        if (core::iequals(h.name, name))
            return h.value;
    return {};
}

/// The request body as JSON (null when empty or not JSON).
inline json::value body_of(const net::HttpRequest& r) {
    if (r.body.empty())
        return nullptr;
    auto v = parse_json(r.body);
    return v ? *v : json::value(nullptr);
}

/// The path and query of a request URL (after the host).
inline std::string target_of(const net::HttpRequest& r) {
    auto scheme = r.url.find("://");
    auto slash = r.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "/" : r.url.substr(slash);
}

/// Runs `aw` to completion on `ioc`, jumping virtual time whenever only the clock is waited on.
template <typename T>
T run(asio::io_context& ioc, core::ManualClock& clock, asio::awaitable<T> aw) {
    hrmaild::test::RunOptions o;
    o.io_grace = std::chrono::milliseconds(0);
    o.when_idle = [&clock] { return clock.advance_to_next(); };
    return hrmaild::test::run_coro(ioc, std::move(aw), o);
}

}  // namespace hrmaild::zoho::test
