// The server itself: keep-alive, body limit, TLS with a certificate made at test time, Bitrix
// routing and event delivery, and the hrmaild-sandbox binary (ready file, SIGTERM → exit 0).
#include "tests/integration/sandbox/fixture.hpp"

#include "tests/support/temp_dir.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using ServerTest = SandboxTest;

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    auto results =
        http_keep_alive(port(), {"/_sandbox/state", "/_sandbox/clock", "/_sandbox/faults"});
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) {
        EXPECT_EQ(r.status, 200) << r.error;
        EXPECT_EQ(r.headers.at("server"), "hrmaild-sandbox");
    }
    EXPECT_EQ(state().at("requests").at("control"), 4);
}

TEST(ServerLimits, BodyOverTheLimitGets413) {
    ServerOptions options;
    options.body_limit = 1024;
    BackgroundSandbox sandbox(options);
    auto small =
        http_request(sandbox.port(), "POST", "/_sandbox/clock", R"({"advance_seconds":1})");
    EXPECT_EQ(small.status, 200);
    auto big = http_request(sandbox.port(), "POST", "/_sandbox/clock", std::string(4096, ' '));
    EXPECT_EQ(big.status, 413);
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    std::string body = R"({"advance_seconds":10})";
    std::string head =
        "POST /_sandbox/clock HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Expect: 100-continue\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    asio::write(socket, asio::buffer(head));
    // The client waits for "100 Continue" before sending the body, as curl does.
    asio::streambuf interim;
    asio::read_until(socket, interim, "\r\n\r\n");
    std::string first{asio::buffers_begin(interim.data()), asio::buffers_end(interim.data())};
    EXPECT_TRUE(first.starts_with("HTTP/1.1 100")) << first;
    asio::write(socket, asio::buffer(body));
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(json::parse(res.body()).at("offset_seconds"), 10);
}

TEST_F(ServerTest, BitrixRoutesThroughTheServer) {
    auto list =
        http_request(port(), "GET", "/rest/1/sandbox-webhook-secret/tasks.task.list?select[]=ID");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("total"), 14);
    auto wrong = http_request(port(), "GET", "/rest/1/wrong-secret/tasks.task.list");
    EXPECT_EQ(wrong.status, 401);
    auto endpoints = sandbox_->endpoints();
    EXPECT_EQ(endpoints.at("bitrix_webhook_url"),
              json::value(sandbox_->base_url() + "/rest/1/sandbox-webhook-secret/"));
    EXPECT_EQ(endpoints.at("zoho_api_url"), json::value(sandbox_->base_url()));
    EXPECT_EQ(endpoints.at("zoho_accounts_url"), json::value(sandbox_->base_url()));
    EXPECT_EQ(endpoints.at("control_url"), json::value(sandbox_->base_url() + "/_sandbox/"));
}

TEST_F(ServerTest, BitrixOauthServerIsRoutedApartFromZohoAccounts) {
    auto r =
        http_request(port(), "GET",
                     "/oauth/token/?grant_type=refresh_token&client_id=local.sandbox"
                     "&client_secret=sandbox-client-secret&refresh_token=sandbox-refresh-token");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json().as_object().contains("refresh_token"));  // Bitrix rotates it; Zoho never
    std::string access(r.json().at("access_token").as_string());
    auto call = http_request(port(), "GET", "/rest/user.current?auth=" + access);
    EXPECT_EQ(call.status, 200) << call.body;
    auto st = state();
    EXPECT_EQ(st.at("requests").at("bitrix"), 2);
    EXPECT_EQ(st.at("requests").at("zoho_oauth"), 0);
}

// A one-shot HTTP receiver for outgoing events: accepts connections for a while, answers 200
// and keeps every body.
class EventReceiver {
  public:
    EventReceiver() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        acceptor_.non_blocking(true);
        thread_ = std::thread([this]() { run(); });
    }
    ~EventReceiver() {
        stop_ = true;
        thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::vector<std::string> bodies() {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    bool wait_for(std::size_t n, std::chrono::seconds limit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (bodies().size() >= n)
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

  private:
    void run() {
        while (!stop_) {
            boost::system::error_code ec;
            tcp::socket socket(io_);
            acceptor_.accept(socket, ec);
            if (ec) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            socket.non_blocking(false);
            beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(socket, buffer, req, ec);
            if (ec)
                continue;
            {
                std::lock_guard lock(mutex_);
                bodies_.push_back(req.body());
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.body() = "ok";
            res.prepare_payload();
            http::write(socket, res, ec);
        }
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::string> bodies_;
    std::thread thread_;
};

TEST_F(ServerTest, BitrixEventsArePostedOnceToTheEventUrl) {
    EventReceiver receiver;
    std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/bitrix/events";
    ASSERT_EQ(control("POST", "config", json::object{{"bitrix", json::object{{"event_url", url}}}})
                  .status,
              200);
    auto add = http_request(port(), "POST", "/rest/1/sandbox-webhook-secret/task.commentitem.add",
                            "TASKID=1&FIELDS[POST_MESSAGE]=hola",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(add.status, 200) << add.body;
    ASSERT_TRUE(receiver.wait_for(1, std::chrono::seconds(10)));
    auto bodies = receiver.bodies();
    EXPECT_NE(bodies[0].find("event=ONTASKCOMMENTADD"), std::string::npos) << bodies[0];
    EXPECT_NE(bodies[0].find("application_token"), std::string::npos);
    // Delivered once, counted in the state.
    for (int i = 0; i < 100 && state().at("events").at("delivered").as_int64() < 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto st = state();
    EXPECT_EQ(st.at("events").at("delivered").as_int64(), static_cast<long long>(bodies.size()));
    EXPECT_EQ(st.at("events").at("failed"), 0);
}

TEST_F(ServerTest, UnreachableEventUrlIsCountedAsFailedWithoutRetry) {
    // Port 1 on loopback refuses connections.
    control("POST", "config",
            json::object{{"bitrix", json::object{{"event_url", "http://127.0.0.1:1/x"}}}});
    auto add = http_request(port(), "POST", "/rest/1/sandbox-webhook-secret/task.commentitem.add",
                            "TASKID=1&FIELDS[POST_MESSAGE]=hola",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(add.status, 200);
    long long failed = 0;
    for (int i = 0; i < 200 && failed < 1; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        failed = state().at("events").at("failed").as_int64();
    }
    EXPECT_GE(failed, 1);
    EXPECT_EQ(state().at("events").at("delivered"), 0);
}

// Makes a self-signed certificate for 127.0.0.1 with the openssl CLI.
bool make_certificate(const std::filesystem::path& dir) {
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() + "' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

TEST(ServerTls, ServesHttpsWithATestCertificate) {
    hrmaild::test::TempDir dir;
    ASSERT_TRUE(make_certificate(dir.path()));
    ServerOptions options;
    options.tls_cert = (dir.path() / "cert.pem").string();
    options.tls_key = (dir.path() / "key.pem").string();
    BackgroundSandbox sandbox(options);
    EXPECT_TRUE(sandbox.base_url().starts_with("https://127.0.0.1:"));
    EXPECT_TRUE(
        std::string(sandbox.endpoints().at("control_url").as_string()).starts_with("https://"));
    auto r = https_request(sandbox.port(), options.tls_cert, "GET", "/_sandbox/state");
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_TRUE(r.json().as_object().contains("zoho"));
    auto plain = http_request(sandbox.port(), "GET", "/_sandbox/state");
    EXPECT_NE(plain.status, 200);
}

TEST(ServerTls, MissingKeyFailsToStart) {
    ServerOptions options;
    options.tls_cert = "/nonexistent/cert.pem";
    options.tls_key = "/nonexistent/key.pem";
    EXPECT_THROW(BackgroundSandbox sandbox(options), std::runtime_error);
}

TEST(SandboxBinary, WritesTheReadyFileServesAndExitsZeroOnSigterm) {
    hrmaild::test::TempDir dir;
    auto ready = dir.path() / "ready.json";
    std::string seed = (hrmaild::test::source_dir() / "tests/fixtures/tickets").string();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        std::string ready_s = ready.string();
        ::execl(HRMAILD_SANDBOX_BIN, HRMAILD_SANDBOX_BIN, "--listen", "127.0.0.1:0", "--seed",
                seed.c_str(), "--ready-file", ready_s.c_str(), "--log-level", "warn",
                static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    for (int i = 0; i < 500 && !std::filesystem::exists(ready); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(std::filesystem::exists(ready));
    auto v = json::parse(hrmaild::test::read_file(ready)).as_object();
    std::string base(v.at("zoho_api_url").as_string());
    ASSERT_TRUE(base.starts_with("http://127.0.0.1:"));
    EXPECT_EQ(v.at("zoho_accounts_url"), json::value(base));
    EXPECT_EQ(v.at("control_url"), json::value(base + "/_sandbox/"));
    EXPECT_EQ(v.at("bitrix_webhook_url"), json::value(base + "/rest/1/sandbox-webhook-secret/"));
    auto p = static_cast<unsigned short>(std::stoi(base.substr(base.rfind(':') + 1)));
    auto st = http_request(p, "GET", "/_sandbox/state");
    EXPECT_EQ(st.status, 200);
    EXPECT_EQ(st.json().at("zoho").at("users").as_array().size(), 8u);
    // No temp file left behind next to the ready file.
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 1);

    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SandboxBinary, BadSeedFolderFailsWithExitOne) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        ::execl(HRMAILD_SANDBOX_BIN, HRMAILD_SANDBOX_BIN, "--listen", "127.0.0.1:0", "--seed",
                "/nonexistent-seed", static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace hrmaild::sandbox::test
