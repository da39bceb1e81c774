#pragma once
/// Test fixture for the Bitrix24 emulator: a portal seeded from tests/fixtures/tickets and
/// helpers that build the Request objects a client would send (no sockets).
#include "tests/sandbox/bitrix_emulator.hpp"
#include "tests/sandbox/php_params.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace hrmaild::sandbox::test {

namespace json = boost::json;

/// A parsed answer: status and JSON body.
struct Answer {
    int status = 0;
    json::value body;

    /// `body.result` (null when absent).
    [[nodiscard]] const json::value& result() const {
        static const json::value none;
        const auto* r = body.is_object() ? body.as_object().if_contains("result") : nullptr;
        return r != nullptr ? *r : none;
    }
    /// `body.error` as a string (empty when absent).
    [[nodiscard]] std::string error() const {
        const auto* e = body.is_object() ? body.as_object().if_contains("error") : nullptr;
        return e != nullptr && e->is_string() ? std::string(e->as_string()) : std::string();
    }
    /// `body.error_description`.
    [[nodiscard]] std::string description() const {
        const auto* e =
            body.is_object() ? body.as_object().if_contains("error_description") : nullptr;
        return e != nullptr && e->is_string() ? std::string(e->as_string()) : std::string();
    }
};

/// Seeded portal plus request helpers.
class BitrixTest : public ::testing::Test {
  protected:
    Clock clock;
    BitrixEmulator bitrix{clock};

    void SetUp() override {
        BitrixOptions o;
        o.bucket_burst = 1000000;  // most tests make many calls in no time; limits are tested apart
        bitrix.configure(o);
        seed_fixtures();
    }

    /// Seeds portal.json and every requests/*.json in name order (task ids 1..14).
    void seed_fixtures(const std::vector<json::value>& extra = {}) {
        auto dir = hrmaild::test::source_dir() / "tests/fixtures/tickets";
        auto portal = json::parse(hrmaild::test::read_file(dir / "portal.json"));
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir / "requests")) {
            files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        std::vector<json::value> requests;
        for (const auto& f : files) {
            requests.push_back(json::parse(hrmaild::test::read_file(f)));
        }
        for (const auto& e : extra) {
            requests.push_back(e);
        }
        bitrix.seed(portal, requests);
    }

    /// Seeds more requests (no portal): their task ids follow the existing ones.
    void seed_more(const std::vector<json::value>& requests) {
        bitrix.seed(json::value(), requests);
    }

    static Answer parse(const Response& r) {
        Answer a;
        a.status = r.status;
        boost::system::error_code ec;
        a.body = json::parse(r.body, ec);
        if (ec) {
            ADD_FAILURE() << "not JSON: " << r.body;
        }
        return a;
    }

    Answer send(const std::string& http_method, const std::string& target, const std::string& body,
                const std::string& content_type) {
        Request req;
        req.method = http_method;
        req.target = target;
        req.body = body;
        if (!content_type.empty()) {
            req.headers["content-type"] = content_type;
        }
        return parse(bitrix.handle(req));
    }

    /// POST JSON to the webhook route.
    Answer call(const std::string& method, const json::object& params = {}) {
        return send("POST", bitrix.webhook_path() + method, json::serialize(params),
                    "application/json");
    }
    /// POST a form body to the webhook route.
    Answer form(const std::string& method, const std::string& body) {
        return send("POST", bitrix.webhook_path() + method, body,
                    "application/x-www-form-urlencoded");
    }
    /// GET with a query string on the webhook route.
    Answer get(const std::string& method, const std::string& query = {}) {
        return send("GET", bitrix.webhook_path() + method + (query.empty() ? "" : "?" + query), "",
                    "");
    }

    /// The task as tasks.task.get shows it.
    json::object task(long long id) {
        auto a = call("tasks.task.get", {{"taskId", id}});
        EXPECT_EQ(a.status, 200);
        return a.result().as_object().at("task").as_object();
    }

    static std::string str(const json::value& v) { return php::to_string(v); }
};

}  // namespace hrmaild::sandbox::test
