// `hrmaild queue` as an operator runs it: the real binary against an in-process admin server
// on 127.0.0.1, with the sandbox configuration pointed at the server's port.
#include "tests/integration/admin/server_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <regex>

namespace hrmaild::admin::test {
namespace {

namespace json = boost::json;
using hrmaild::test::read_file;
using hrmaild::test::run_process;
using hrmaild::test::source_dir;
using hrmaild::test::TempDir;

const std::string kBin = HRMAILD_BIN;

Secret token_file(const char* name) {
    auto text = read_file(source_dir() / "config/secrets" / name);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return Secret(text);
}

config::AdminConfig sandbox_admin() {
    config::AdminConfig c;
    c.listen = "127.0.0.1:0";
    c.tokens.push_back({"camilo", {"secrets/admin-camilo", token_file("admin-camilo")}});
    c.tokens.push_back({"diana", {"secrets/admin-diana", token_file("admin-diana")}});
    c.max_body_bytes = 65536;
    return c;
}

ServerLimits limits() {
    ServerLimits l;
    l.handler_timeout = std::chrono::milliseconds(300);
    l.shutdown_grace = std::chrono::milliseconds(300);
    return l;
}

/// The sandbox configuration with admin.listen on `port`, its secrets reachable.
std::string write_config(const TempDir& dir, std::uint16_t port) {
    std::string text = read_file(source_dir() / "config/sandbox.yaml");
    text = std::regex_replace(text, std::regex("listen: 127\\.0\\.0\\.1:8791"),
                              "listen: 127.0.0.1:" + std::to_string(port));
    std::filesystem::create_symlink(source_dir() / "config/secrets", dir.path() / "secrets");
    return dir.write("hrmaild.yaml", text).string();
}

hrmaild::test::ProcessResult queue(const std::string& config, std::vector<std::string> args) {
    std::vector<std::string> argv{kBin, "queue"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(config);
    return run_process(argv, {{"CREDENTIALS_DIRECTORY", ""}, {"HRMAILD_CONFIG", ""}});
}

class QueueCliProcess : public ::testing::Test {
  protected:
    QueueCliProcess() : fx(sandbox_admin(), std::nullopt, limits()) {
        config = write_config(dir, fx.port());
    }
    ServerFixture fx;
    TempDir dir;
    std::string config;
};

TEST_F(QueueCliProcess, ListPrintsATable) {
    auto r = queue(config, {"list", "--as", "camilo"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ID  STATE              WORKFLOW  UPDATED               PLAN\n"
                         "42  awaiting_approval  alta      2025-11-28 10:00:00Z  9f86d081884c\n"),
              std::string::npos)
        << r.out;
}

TEST_F(QueueCliProcess, TheTokenNameReachesTheDaemonAsTheCli) {
    auto r =
        queue(config, {"reject", "42", "--reason", "falta la firma", "--as", "diana", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto body = json::parse(r.out);
    EXPECT_EQ(body.at("name"), "queue.reject");
    EXPECT_EQ(body.at("principal"), "diana");
    EXPECT_EQ(body.at("via"), "cli");
    EXPECT_EQ(body.at("args"), json::parse(R"({"reason":"falta la firma","id":42})"));
    // The option may also come before the verb.
    r = queue(config, {"--as", "camilo", "--json", "approve", "42", "--plan-hash", "9f86"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("principal"), "camilo");
    EXPECT_EQ(json::parse(r.out).at("args").at("plan_hash"), "9f86");
}

TEST_F(QueueCliProcess, UsageErrorsExitTwo) {
    auto r = queue(config, {"list"});  // two tokens configured, none chosen
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("camilo, diana"), std::string::npos) << r.err;
    r = queue(config, {"list", "--as", "eve"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(queue(config, {"reject", "42", "--as", "camilo"}).exit_code, 2);  // no --reason
    EXPECT_EQ(queue(config, {"show", "0", "--as", "camilo"}).exit_code, 2);
    EXPECT_EQ(queue(config, {"show", "abc", "--as", "camilo"}).exit_code, 2);
    EXPECT_EQ(queue(config, {"--as", "camilo"}).exit_code, 2);  // no verb
}

TEST_F(QueueCliProcess, RefusalsAndAnUnreachableDaemonExitOne) {
    auto r = queue(config, {"cancel", "42", "--as", "camilo"});  // answers after the limit
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("refused: 504 timeout"), std::string::npos) << r.err;

    TempDir other;
    std::uint16_t closed = 0;
    {
        // A port that was just free: nothing listens there now.
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        closed = a.local_endpoint().port();
    }
    r = queue(write_config(other, closed), {"list", "--as", "camilo"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot reach the daemon"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(token_file("admin-camilo").reveal()), std::string::npos);
}

TEST_F(QueueCliProcess, NeedsOnlyTheAdminTokenItUses) {
    // The service secrets are unreadable for the operator (or absent): queue still works.
    TempDir other;
    std::string text = read_file(source_dir() / "config/sandbox.yaml");
    text = std::regex_replace(text, std::regex("listen: 127\\.0\\.0\\.1:8791"),
                              "listen: 127.0.0.1:" + std::to_string(fx.port()));
    text = std::regex_replace(text, std::regex("secrets/(bitrix|zoho)-[a-z-]+"), "secrets/gone");
    std::filesystem::create_symlink(source_dir() / "config/secrets", other.path() / "secrets");
    auto file = other.write("hrmaild.yaml", text).string();
    auto r = queue(file, {"list", "--as", "camilo"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // `check` still reads and reports every secret file.
    auto c = run_process({kBin, "check", "--config", file}, {{"CREDENTIALS_DIRECTORY", ""}});
    EXPECT_EQ(c.exit_code, 2);
    EXPECT_NE(c.err.find("secret file not found"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace hrmaild::admin::test
