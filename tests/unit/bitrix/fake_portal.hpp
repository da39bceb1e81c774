#pragma once
// A scripted HttpTransport for the Bitrix client's unit tests: records every request and
// answers through a handler, after yielding once so concurrent callers really interleave.
#include "daemon/bitrix/client.hpp"
#include "daemon/core/clock.hpp"
#include "tests/support/run_coro.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::bitrix::test {

inline const char* kSecret = "whk-S3cr3t-9f8e7d";

/// The `cmd` map of a batch request (a copy: the parsed body is a temporary).
inline boost::json::object cmds(const net::HttpRequest& r) {
    return boost::json::parse(r.body).as_object().at("cmd").as_object();
}

class FakePortal final : public net::HttpTransport {
  public:
    using Handler = std::function<net::Outcome<net::HttpResponse>(const net::HttpRequest&)>;

    explicit FakePortal(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    boost::asio::awaitable<net::Outcome<net::HttpResponse>> send(net::HttpRequest r) override {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        requests.push_back(r);
        co_return handler(requests.back());
    }

    /// The method name in a request URL (`.../tasks.task.get.json` or `/rest/x?auth=`).
    static std::string method_of(const net::HttpRequest& r) {
        std::string url = r.url.substr(0, r.url.find('?'));
        std::string m = url.substr(url.rfind('/') + 1);
        if (m.size() > 5 && m.substr(m.size() - 5) == ".json")
            m.resize(m.size() - 5);
        return m;
    }
    static boost::json::object body_of(const net::HttpRequest& r) {
        return boost::json::parse(r.body).as_object();
    }
    std::size_t count(std::string_view method) const {
        std::size_t n = 0;
        for (const auto& r : requests)
            if (method_of(r) == method)
                ++n;
        return n;
    }

    std::vector<net::HttpRequest> requests;
    Handler handler = [](const net::HttpRequest&) { return ok(boost::json::value(true)); };

    static net::Outcome<net::HttpResponse> json(int status, const boost::json::value& v) {
        net::HttpResponse r;
        r.status = status;
        r.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
        r.body = boost::json::serialize(v);
        return r;
    }
    static net::Outcome<net::HttpResponse> ok(boost::json::value result) {
        boost::json::object o;
        o["result"] = std::move(result);
        o["time"] = boost::json::object{{"start", 1.0}, {"finish", 1.1}};
        return json(200, o);
    }
    static net::Outcome<net::HttpResponse> error(int status, std::string code,
                                                 std::string description = "") {
        boost::json::object o;
        o["error"] = code;
        o["error_description"] = description;
        return json(status, o);
    }

  private:
    boost::asio::any_io_executor ex_;
};

/// Webhook settings for a fake portal; tests change what they need.
inline ClientSettings webhook_settings() {
    ClientSettings s;
    s.bitrix.portal_url = "https://portal.example.com/";
    s.bitrix.auth = "webhook";
    s.bitrix.webhook_user_id = 1;
    s.bitrix.webhook_secret = config::SecretFile{"/etc/hrmaild/bitrix-webhook", Secret(kSecret)};
    s.bitrix.rate_burst = 50;
    s.bitrix.rate_per_second = 2;
    s.retry.max_attempts = 4;
    s.retry.base_delay = std::chrono::seconds(1);
    s.retry.max_delay = std::chrono::seconds(60);
    s.jitter = net::Jitter::none;
    return s;
}

/// Runs a coroutine to completion on `ioc`, jumping the manual clock over every sleep.
template <typename T>
T run(boost::asio::io_context& ioc, core::ManualClock& clock, boost::asio::awaitable<T> aw) {
    hrmaild::test::RunOptions o;
    o.io_grace = std::chrono::milliseconds(0);
    o.when_idle = [&clock] { return clock.advance_to_next(); };
    return hrmaild::test::run_coro(ioc, std::move(aw), o);
}

/// A fixture holding an io_context, a manual clock, a fake portal and a client.
class ClientFixture : public ::testing::Test {
  protected:
    void make_client(ClientSettings s = webhook_settings()) {
        client.reset();
        client = std::make_unique<BitrixClient>(ioc.get_executor(), portal, clock, std::move(s));
    }
    void SetUp() override { make_client(); }
    template <typename T>
    T run(boost::asio::awaitable<T> aw) {
        return test::run(ioc, clock, std::move(aw));
    }

    boost::asio::io_context ioc;
    core::ManualClock clock;
    FakePortal portal{ioc.get_executor()};
    std::unique_ptr<BitrixClient> client;
};

}  // namespace hrmaild::bitrix::test
