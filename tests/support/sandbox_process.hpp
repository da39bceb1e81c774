#pragma once
/// What the process and end-to-end tests share when they run the real binaries: the
/// hrmaild-sandbox binary started on a free loopback port, its control API, and the daemon
/// configuration pointed at it. Header-only: the binaries' paths are the tests' own
/// compile definitions (HRMAILD_BIN, HRMAILD_SANDBOX_BIN), so they are passed in.
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hrmaild::test {

/// An HTTP call with curl (a separate program, so the call shares nothing with the code
/// under test); the response body. A curl failure is a test failure naming the URL.
inline std::string curl(const std::string& method, const std::string& url,
                        const std::string& json_body = {}) {
    std::vector<std::string> argv{"/usr/bin/curl", "-s", "-X", method, url};
    if (!json_body.empty())
        argv.insert(argv.end(),
                    {"-H", "Content-Type: application/json", "--data-binary", json_body});
    auto r = run_process(argv, {}, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 0) << method << ' ' << url << ": " << r.err;
    return r.out;
}

/// The sandbox binary on 127.0.0.1:0, seeded from `seed`, its output in `log_file`; the
/// constructor waits (at most `wait`) for its ready file. `ready()` says whether it came up.
class SandboxProcess {
  public:
    SandboxProcess(const std::string& binary, const std::filesystem::path& seed,
                   const std::filesystem::path& work_dir,
                   std::chrono::milliseconds wait = std::chrono::seconds(20))
        : log_(work_dir / "sandbox.log") {
        const auto ready_file = work_dir / "ready.json";
        std::filesystem::remove(ready_file);
        process_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{binary, "--listen", "127.0.0.1:0", "--seed", seed.string(),
                                     "--ready-file", ready_file.string()},
            log_.string());
        const auto until = std::chrono::steady_clock::now() + wait;
        while (!std::filesystem::exists(ready_file) && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!std::filesystem::exists(ready_file))
            return;
        // The ready file may be seen before its writer closed it: parse until it is whole.
        for (int i = 0; i < 40 && base_.empty(); ++i) {
            boost::system::error_code ec;
            auto v = boost::json::parse(read_file(ready_file), ec);
            if (!ec && v.is_object() && v.as_object().contains("zoho_api_url"))
                base_ = std::string(v.at("zoho_api_url").as_string());
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }

    /// Whether the sandbox wrote its ready file in time.
    [[nodiscard]] bool ready() const { return !base_.empty(); }
    /// The base URL both emulators answer on (`http://127.0.0.1:PORT`).
    [[nodiscard]] const std::string& base_url() const { return base_; }
    /// What the sandbox printed so far (for failure messages).
    [[nodiscard]] std::string log() const { return read_file(log_); }

    /// Stops the sandbox (see BackgroundProcess::stop).
    int stop(int signal, std::chrono::milliseconds timeout) {
        return process_->stop(signal, timeout);
    }

    /// A control API call (`/_sandbox/<what>`); the answer's JSON.
    boost::json::value control(const std::string& method, const std::string& what,
                               const std::string& json_body = {}) const {
        return boost::json::parse(curl(method, base_ + "/_sandbox/" + what, json_body));
    }

  private:
    std::filesystem::path log_;
    std::unique_ptr<BackgroundProcess> process_;
    std::string base_;
};

/// The daemon configuration the process tests run with, against one sandbox. The secrets
/// are file names relative to the configuration's folder; what a test does not set is left
/// out (the daemon's default).
struct DaemonConfig {
    std::string base_url;  ///< the sandbox (Bitrix24 portal, Zoho accounts and API)
    std::string webhook_secret_file = "secrets/webhook";
    std::string client_secret_file = "secrets/client";
    std::string refresh_token_file = "secrets/refresh";
    std::string admin_token_file = "secrets/admin";
    std::optional<std::string> application_token_file;
    std::string approvers = "[7, 8]";
    std::optional<int> approver_department;
    bool generous_rates = true;  ///< Bitrix 500/50 per second, Zoho 6000 a minute
    std::optional<std::string> protected_accounts;
    std::string admin_listen = "127.0.0.1:0";
    std::optional<std::string> log_level;
    std::string retry;  ///< the `retry:` section's lines, each indented by two spaces

    /// The YAML text.
    [[nodiscard]] std::string yaml() const {
        std::string y = "bitrix:\n  portal_url: " + base_url +
                        "\n  webhook_user_id: 1\n  webhook_secret_file: " + webhook_secret_file +
                        "\n";
        if (application_token_file)
            y += "  application_token_file: " + *application_token_file + "\n";
        y += "  project_id: 42\n  approvers: " + approvers + "\n";
        if (approver_department)
            y += "  approver_department: " + std::to_string(*approver_department) + "\n";
        if (generous_rates)
            y += "  rate_burst: 500\n  rate_per_second: 50\n";
        y += "zoho:\n  accounts_url: " + base_url + "\n  api_url: " + base_url +
             "\n  client_id: 1000.SANDBOXCLIENT\n  client_secret_file: " + client_secret_file +
             "\n  refresh_token_file: " + refresh_token_file + "\n";
        if (generous_rates)
            y += "  requests_per_minute: 6000\n";
        y += "policy:\n  allowed_domains: [tarmexico.com]\n";
        if (protected_accounts)
            y += "  protected_accounts: " + *protected_accounts + "\n";
        y += "state:\n  path: state/hrmaild.db\nadmin:\n  listen: " + admin_listen +
             "\n  tokens: [{name: camilo, token_file: " + admin_token_file + "}]\n";
        y += "workflows:\n  dir: " + (source_dir() / "workflows").string() +
             "\n  vars:\n    domain: tarmexico.com\n"
             "    departments: [Operaciones, Mantenimiento, Comercial]\n"
             "    department_groups:\n"
             "      Operaciones: operaciones@tarmexico.com\n"
             "      Mantenimiento: mantenimiento@tarmexico.com\n"
             "      Comercial: comercial@tarmexico.com\n"
             "    all_staff_group: todos@tarmexico.com\n";
        if (log_level)
            y += "logging:\n  level: " + *log_level + "\n";
        if (!retry.empty())
            y += "retry:\n" + retry;
        return y;
    }
};

}  // namespace hrmaild::test
