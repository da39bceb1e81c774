// Issue 10 items 2-4 with the real binaries: hrmaild (CLI and daemon) against hrmaild-sandbox
// over loopback. Zoho access tokens are shared through the state folder's token file (one
// mint for twenty `plan` runs and for ten daemon restarts), a refused mint ends a command at
// once with the time it clears, and SIGTERM during a retry backoff stops the daemon promptly.
#include "tests/support/process.hpp"
#include "tests/support/sandbox_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <regex>
#include <thread>

namespace hrmaild::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kBin = HRMAILD_BIN;
const std::string kSandbox = HRMAILD_SANDBOX_BIN;

/// A loopback port that was free a moment ago.
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

class TokenProcess : public ::testing::Test {
  protected:
    void SetUp() override {
        sandbox_ = std::make_unique<SandboxProcess>(
            kSandbox, source_dir() / "tests/fixtures/tickets", dir_.path());
        ASSERT_TRUE(sandbox_->ready()) << sandbox_->log();
        base_ = sandbox_->base_url();
        for (auto [name, value] : {std::pair{"webhook", "sandbox-webhook-secret"},
                                   {"client", "sandbox-client-secret"},
                                   {"refresh", "1000.sandbox-refresh-token"},
                                   {"admin", "token-process-admin-token"}}) {
            auto p = dir_.write(std::string("secrets/") + name, value);
            fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
        }
        // The sandbox's per-token API budget is not under test (twenty plans share one token).
        control("POST", "config", R"({"zoho":{"requests_per_minute":0}})");
        write_config("100ms", "1s");
    }

    void write_config(const std::string& base_delay, const std::string& max_delay,
                      int admin_port = 0) {
        DaemonConfig c;
        c.base_url = base_;
        c.admin_listen = "127.0.0.1:" + std::to_string(admin_port);
        c.log_level = "debug";
        c.retry =
            "  max_attempts: 8\n  base_delay: " + base_delay + "\n  max_delay: " + max_delay + "\n";
        config_ = dir_.write("hrmaild.yaml", c.yaml());
    }

    json::value control(const std::string& method, const std::string& what,
                        const std::string& body = {}) {
        return sandbox_->control(method, what, body);
    }
    std::int64_t tokens_minted() {
        return control("GET", "state").at("requests").at("tokens_minted").to_number<std::int64_t>();
    }
    std::int64_t mint_requests() {
        const json::value state = control("GET", "state");
        const json::value* n =
            state.find_pointer("/requests/by_route/POST ~1oauth~1v2~1token", ec_);
        return n != nullptr ? n->to_number<std::int64_t>() : 0;
    }
    fs::path token_file() const { return dir_.path() / "state/zoho-token.json"; }
    std::string access_token() {
        auto v = json::parse(read_file(token_file()));
        return std::string(v.at("access_token").as_string());
    }
    ProcessResult plan(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{kBin, "plan", "--task", "1", "--config", config_.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_process(argv, {}, 60s);
    }
    std::unique_ptr<BackgroundProcess> start_daemon(const std::string& log) {
        return std::make_unique<BackgroundProcess>(
            std::vector<std::string>{kBin, "run", "--config", config_.string(), "--poll-interval",
                                     "0.3", "--drain", "20"},
            (dir_.path() / log).string());
    }
    bool wait_for_log(const std::string& log, const std::string& what,
                      std::chrono::milliseconds limit = 20s) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (fs::exists(dir_.path() / log) &&
                read_file(dir_.path() / log).find(what) != std::string::npos)
                return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    boost::system::error_code ec_;
    TempDir dir_;
    std::unique_ptr<SandboxProcess> sandbox_;
    std::string base_;
    fs::path config_;
};

TEST_F(TokenProcess, TwentyPlanRunsMintOneToken) {
    std::string printed;
    for (int i = 0; i < 20; ++i) {
        auto r = plan();
        ASSERT_EQ(r.exit_code, 0) << "run " << i << ": " << r.err;
        printed += r.out + r.err;
    }
    std::cout << "tokens minted for 20 plan runs: " << tokens_minted() << '\n';
    EXPECT_EQ(tokens_minted(), 1);
    EXPECT_EQ(mint_requests(), 1);
    // The file is private to hrmaild's user, and the token it holds is never printed.
    struct stat st {};
    ASSERT_EQ(::stat(token_file().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    const auto token = access_token();
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(printed.find(token), std::string::npos);
    EXPECT_EQ(printed.find("1000.sandbox-refresh-token"), std::string::npos);
}

// Issue 10: while the daemon runs, `plan` plans on the daemon's own directory snapshot (no
// second read of Zoho, no token of its own): with Zoho's API failing, it still answers.
TEST_F(TokenProcess, PlanUsesTheRunningDaemonsDirectory) {
    // A fixed admin port the CLI can find from the same config.
    int port = 0;
    {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::address_v4::loopback(), 0});
        port = a.local_endpoint().port();
    }
    write_config("100ms", "1s", port);
    auto d = start_daemon("daemon.log");
    ASSERT_TRUE(wait_for_log("daemon.log", "DAEMON_READY"))
        << read_file(dir_.path() / "daemon.log");
    ASSERT_TRUE(wait_for_log("daemon.log", "ZOHO_DIRECTORY_LOADED"));
    control("POST", "faults", R"({"route":"/api/*","kind":"status","status":500,"count":1000})");
    auto r = plan({"--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"workflow\""), std::string::npos) << r.out;
    // Without the daemon the same call needs Zoho, and says so.
    EXPECT_EQ(d->stop(SIGTERM, 10s), 0);
    auto alone = plan();
    EXPECT_EQ(alone.exit_code, 1) << alone.out;
    EXPECT_NE(alone.err.find("Zoho Mail"), std::string::npos) << alone.err;
}

TEST_F(TokenProcess, TenDaemonRestartsMintAtMostOneToken) {
    std::string logs;
    for (int i = 0; i < 10; ++i) {
        const std::string log = "daemon" + std::to_string(i) + ".log";
        auto d = start_daemon(log);
        // The directory refresh at start-up needs a token: wait until Zoho was read.
        ASSERT_TRUE(wait_for_log(log, "ZOHO_DIRECTORY_LOADED")) << read_file(dir_.path() / log);
        d->stop(SIGKILL, 5s);
        logs += read_file(dir_.path() / log);
    }
    std::cout << "tokens minted for 10 daemon starts: " << tokens_minted() << '\n';
    EXPECT_LE(tokens_minted(), 1);
    EXPECT_EQ(logs.find(access_token()), std::string::npos);
}

TEST_F(TokenProcess, RefusedMintsEndACommandAtOnceSayingWhenTheyClear) {
    control("POST", "faults", R"({"route":"/oauth/v2/token","kind":"throttle","count":1000})");
    const auto started = std::chrono::steady_clock::now();
    auto r = plan();
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_LT(took, 10s) << "with --timeout 30s a refused mint must not be waited for";
    EXPECT_NE(r.err.find("10 access tokens per refresh token in 10 minutes"), std::string::npos)
        << r.err;
    EXPECT_TRUE(std::regex_search(r.err, std::regex("clears at 20[0-9-]+T[0-9:]+Z"))) << r.err;
    // The block is shared: the next command does not even ask Zoho.
    const auto asked = mint_requests();
    r = plan();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(mint_requests(), asked);
    EXPECT_NE(r.err.find("clears at"), std::string::npos) << r.err;
}

TEST_F(TokenProcess, EveryCommandIsBoundedByItsTimeout) {
    // Every Zoho API call answers slowly: --timeout 2s must end the command, not the answers.
    control("POST", "faults",
            R"({"route":"/api/*","kind":"latency","latency_ms":20000,"count":100})");
    const auto started = std::chrono::steady_clock::now();
    auto r = plan({"--timeout", "2s"});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_LT(took, 10s);
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
}

TEST_F(TokenProcess, TheDaemonLogsARefusedMintOnceAndExposesIt) {
    control("POST", "faults", R"({"route":"/oauth/v2/token","kind":"throttle","count":1000})");
    write_config("100ms", "1s", free_port());
    auto d = start_daemon("daemon.log");
    ASSERT_TRUE(wait_for_log("daemon.log", "DAEMON_READY"));
    ASSERT_TRUE(wait_for_log("daemon.log", "ZOHO_TOKEN_BLOCKED"));
    std::this_thread::sleep_for(2s);  // several polls run into the block meanwhile
    auto text = read_file(dir_.path() / "daemon.log");
    std::smatch port;
    ASSERT_TRUE(std::regex_search(text, port, std::regex("DAEMON_READY admin=127.0.0.1:([0-9]+)")))
        << text;
    auto r = run_process({"/usr/bin/curl", "-s", "http://127.0.0.1:" + port[1].str() + "/metrics"});
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        r.out, m, std::regex("hrmaild_zoho_token_blocked_until_seconds ([0-9.e+]+)")))
        << r.out;
    EXPECT_GT(std::stod(m[1].str()), 1.7e9);
    text = read_file(dir_.path() / "daemon.log");
    std::size_t blocked = 0;
    for (auto at = text.find("ZOHO_TOKEN_BLOCKED"); at != std::string::npos;
         at = text.find("ZOHO_TOKEN_BLOCKED", at + 1))
        ++blocked;
    EXPECT_EQ(blocked, 1u) << text;
    EXPECT_EQ(mint_requests(), 1) << "the daemon must back off, not ask again";
    // `status` shows it from the running daemon, and ends at once itself (the block is shared).
    const auto started = std::chrono::steady_clock::now();
    auto st = run_process({kBin, "status", "--json", "--config", config_.string()}, {}, 60s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    EXPECT_EQ(st.exit_code, 1) << st.out << st.err;
    auto status = json::parse(st.out).as_object();
    EXPECT_TRUE(status.at("daemon").at("running").as_bool()) << st.out;
    EXPECT_TRUE(status.at("daemon").at("zoho_token_blocked_until").is_string()) << st.out;
    EXPECT_NE(std::string(status.at("zoho").at("error").as_string()).find("clears at"),
              std::string::npos)
        << st.out;
    EXPECT_EQ(mint_requests(), 1);
    d->stop(SIGTERM, 10s);
}

TEST_F(TokenProcess, SigtermDuringARetryBackoffStopsPromptly) {
    write_config("10s", "60s");  // a failed poll waits 10 s and more before trying again
    auto d = start_daemon("daemon.log");
    ASSERT_TRUE(wait_for_log("daemon.log", "DAEMON_READY"));
    sandbox_->stop(SIGKILL, 5s);  // every call now fails: connection refused
    ASSERT_TRUE(wait_for_log("daemon.log", "HTTP_CALL_RETRY"));
    const auto started = std::chrono::steady_clock::now();
    const int code = d->stop(SIGTERM, 25s);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(code, 0) << read_file(dir_.path() / "daemon.log");
    RecordProperty(
        "stop_ms",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    std::cout << "stop latency ms: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << '\n';
    EXPECT_LT(took, 5s) << read_file(dir_.path() / "daemon.log");
    EXPECT_EQ(read_file(dir_.path() / "daemon.log").find("DRAIN_TIMEOUT"), std::string::npos);
}

TEST_F(TokenProcess, SigtermDuringAPollStopsPromptly) {
    // Every Bitrix read hangs for 20 s: a poll is in flight when the signal comes.
    control("POST", "faults",
            R"({"route":"/rest/*","kind":"latency","latency_ms":20000,"count":1000})");
    auto d = start_daemon("daemon.log");
    ASSERT_TRUE(wait_for_log("daemon.log", "DAEMON_READY"));
    std::this_thread::sleep_for(1s);
    const auto started = std::chrono::steady_clock::now();
    const int code = d->stop(SIGTERM, 25s);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(code, 0);
    std::cout << "stop latency during a poll ms: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << '\n';
    EXPECT_LT(took, 5s) << read_file(dir_.path() / "daemon.log");
}

}  // namespace
}  // namespace hrmaild::test
