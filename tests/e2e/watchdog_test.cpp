// systemd's watchdog: the real hrmaild binary, run as systemd runs it with WatchdogSec= (the
// variables NOTIFY_SOCKET and WATCHDOG_USEC), against the real sandbox, sends WATCHDOG=1 at
// half the interval from its event loop; without WATCHDOG_USEC it sends none.
#include "tests/support/process.hpp"
#include "tests/support/sandbox_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hrmaild::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// A unix datagram socket standing in for systemd's NOTIFY_SOCKET: each datagram is one message.
// A thread reads it all the time, as systemd does: a unix datagram queue holds only a few
// messages, and a sender whose queue is full blocks (the daemon's loop would stall).
class NotifySocket {
  public:
    explicit NotifySocket(const fs::path& path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        reader_ = std::thread([this] {
            while (!done_) {
                char buf[4096];
                auto n = ::recv(fd_, buf, sizeof buf, 0);
                if (n > 0) {
                    std::lock_guard lock(mutex_);
                    messages_.emplace_back(buf, static_cast<std::size_t>(n));
                } else {
                    std::this_thread::sleep_for(5ms);
                }
            }
        });
    }
    ~NotifySocket() {
        done_ = true;
        reader_.join();
        ::close(fd_);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;
    // Every message received within `wait`, and those received before it not yet taken.
    std::vector<std::string> read(std::chrono::milliseconds wait) {
        std::this_thread::sleep_for(wait);
        std::lock_guard lock(mutex_);
        return std::exchange(messages_, {});
    }

  private:
    int fd_ = -1;
    std::atomic<bool> done_{false};
    std::mutex mutex_;
    std::vector<std::string> messages_;
    std::thread reader_;
};

long count(const std::vector<std::string>& messages, const std::string& what) {
    return std::count(messages.begin(), messages.end(), what);
}

class Watchdog : public ::testing::Test {
  protected:
    void SetUp() override {
        sandbox_ = std::make_unique<SandboxProcess>(
            HRMAILD_SANDBOX_BIN, source_dir() / "tests/fixtures/tickets", dir_.path());
        ASSERT_TRUE(sandbox_->ready()) << sandbox_->log();
        // The checked-in development secrets, as an operator's first run uses them.
        auto secrets = source_dir() / "config/secrets";
        for (const auto* name :
             {"bitrix-webhook", "zoho-client-secret", "zoho-refresh-token", "admin-camilo"})
            dir_.write(name, read_file(secrets / name));
        DaemonConfig c;
        c.base_url = sandbox_->base_url();
        c.webhook_secret_file = "bitrix-webhook";
        c.client_secret_file = "zoho-client-secret";
        c.refresh_token_file = "zoho-refresh-token";
        c.admin_token_file = "admin-camilo";
        c.approvers = "[7]";
        c.generous_rates = false;
        config_ = dir_.write("hrmaild.yaml", c.yaml());
    }

    void start_daemon(std::map<std::string, std::string> env) {
        env["NOTIFY_SOCKET"] = socket_path().string();
        daemon_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{HRMAILD_BIN, "run", "--config", config_.string(),
                                     "--poll-interval", "1", "--drain", "5"},
            (dir_.path() / "daemon.log").string(), env);
    }

    fs::path socket_path() const { return dir_.path() / "notify.sock"; }
    std::string daemon_log() const { return read_file(dir_.path() / "daemon.log"); }

    TempDir dir_;
    fs::path config_;
    std::unique_ptr<SandboxProcess> sandbox_;
    std::unique_ptr<BackgroundProcess> daemon_;
};

TEST_F(Watchdog, SendsWatchdogPingsFromTheEventLoopWhenSystemdAsks) {
    NotifySocket notify(socket_path());
    // WatchdogSec=0.6s: a ping every 0.3 s.
    start_daemon({{"WATCHDOG_USEC", "600000"}});
    auto messages = notify.read(4s);
    ASSERT_TRUE(daemon_->running()) << daemon_log();
    ASSERT_FALSE(messages.empty()) << daemon_log();
    EXPECT_NE(messages.front().find("READY=1"), std::string::npos) << messages.front();
    // At least a few pings in four seconds (one at start, then one every 0.3 s); the exact
    // number depends on the machine's load, so only the lower end is checked.
    EXPECT_GE(count(messages, "WATCHDOG=1"), 4) << daemon_log();
    EXPECT_NE(daemon_log().find("watchdog_ms=600"), std::string::npos) << daemon_log();
    // The pings go on while the daemon works (polls keep running).
    EXPECT_GE(count(notify.read(2s), "WATCHDOG=1"), 2);
    EXPECT_EQ(daemon_->stop(SIGTERM, 15s), 0) << daemon_log();
    // None after it exited.
    notify.read(0ms);
    EXPECT_EQ(count(notify.read(1s), "WATCHDOG=1"), 0);
}

TEST_F(Watchdog, SendsNoPingsWithoutAWatchdog) {
    NotifySocket notify(socket_path());
    start_daemon({});
    auto messages = notify.read(3s);
    ASSERT_TRUE(daemon_->running()) << daemon_log();
    ASSERT_FALSE(messages.empty()) << daemon_log();
    EXPECT_NE(messages.front().find("READY=1"), std::string::npos);
    EXPECT_EQ(count(messages, "WATCHDOG=1"), 0);
    EXPECT_NE(daemon_log().find("watchdog_ms=0"), std::string::npos) << daemon_log();
    EXPECT_EQ(daemon_->stop(SIGTERM, 15s), 0) << daemon_log();
}

}  // namespace
}  // namespace hrmaild::test
