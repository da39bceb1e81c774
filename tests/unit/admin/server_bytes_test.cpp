// AdminServer::answer_bytes: one request from raw bytes, without a socket (the seam the fuzz
// target tests/fuzz/admin_request_fuzz.cpp drives). Crashes the fuzzer finds become cases here.
#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/admin/server.hpp"
#include "daemon/log/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

namespace hrmaild::admin {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

class AnswerBytes : public ::testing::Test {
  protected:
    AnswerBytes() {
        for (const auto& name : standard_command_names())
            commands_.add(name, "echo", [](CommandRequest r) -> asio::awaitable<CommandResult> {
                co_return CommandResult{200,
                                        json::object{{"name", r.name}, {"principal", r.principal}}};
            });
        config::AdminConfig cfg;
        cfg.listen = "127.0.0.1:0";
        cfg.max_body_bytes = 64;
        cfg.tokens.push_back({"ops", {"/dev/null", Secret("t0ken-of-ops")}});
        server_ = std::make_unique<AdminServer>(io_.get_executor(), cfg, Secret("app-t0ken"),
                                                commands_, metrics_);
    }

    /// The whole answer to `bytes` from `peer`.
    std::string answer(std::string bytes, const char* peer = "127.0.0.1") {
        std::string out;
        asio::co_spawn(io_, server_->answer_bytes(std::move(bytes), asio::ip::make_address(peer)),
                       [&](std::exception_ptr e, std::string r) {
                           if (e)
                               std::rethrow_exception(e);
                           out = std::move(r);
                       });
        io_.run();
        io_.restart();
        return out;
    }
    /// The status of the answer to `bytes`.
    int status(std::string bytes, const char* peer = "127.0.0.1") {
        std::string a = answer(std::move(bytes), peer);
        EXPECT_EQ(a.rfind("HTTP/1.", 0), 0u) << a;
        return a.size() > 12 ? std::stoi(a.substr(9, 3)) : 0;
    }

    asio::io_context io_;
    CommandRegistry commands_;
    Metrics metrics_;
    std::unique_ptr<AdminServer> server_;
};

TEST_F(AnswerBytes, RoutesAndAuthenticatesLikeAConnection) {
    EXPECT_EQ(status("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 503);  // starting
    server_->set_health(Health::ready);
    EXPECT_EQ(status("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    EXPECT_EQ(status("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"), 401);
    std::string ok = answer(
        "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-of-ops\r\n\r\n");
    EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
    EXPECT_NE(ok.find(R"("principal":"ops")"), std::string::npos) << ok;
    EXPECT_EQ(ok.find("t0ken-of-ops"), std::string::npos);
    // /metrics needs no token from loopback, one from elsewhere.
    EXPECT_EQ(status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    EXPECT_EQ(status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "192.0.2.7"), 401);
}

// Found by the fuzz target: bytes without a request (none at all) reached Beast's put_eof,
// which asserts that something was received.
TEST_F(AnswerBytes, NoRequestAtAllGetsNoAnswer) {
    EXPECT_EQ(answer(""), "");
    // Something, even if not a request, is answered.
    EXPECT_EQ(status("\r\n"), 400);
}

TEST_F(AnswerBytes, UnreadableRequestsGetTheConnectionsErrors) {
    EXPECT_EQ(status("GARBAGE\r\n\r\n"), 400);
    EXPECT_EQ(status("GET /healthz HTTP/1.1\r\nHost: x\r\n"), 400);  // head never ends
    EXPECT_EQ(
        status("POST /api/v1/reload HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + std::string(65, 'x')),
        413);
    EXPECT_EQ(status("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"),
              431);
}

}  // namespace
}  // namespace hrmaild::admin
