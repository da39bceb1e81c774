#pragma once
/// The `hrmaild` command line: subcommands registered on one CLI11 app.
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace hrmaild::cli {

/// Exit codes, documented in README.md and `hrmaild --help`.
enum ExitCode : int {
    exit_ok = 0,       ///< success
    exit_failure = 1,  ///< runtime failure (a service unreachable, a command refused)
    exit_usage = 2,    ///< usage or configuration error
};

/// Options every subcommand shares.
struct Globals {
    std::filesystem::path config;  ///< --config
    bool json = false;             ///< --json, where a command prints data
    /// --timeout: bounds everything a command does (default 30 s); a wait that would outlast
    /// it is not made.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

/// A subcommand: registers its options on `app` and sets `run`, called after parsing.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// Registers `version`.
Command add_version_command(CLI::App& root, Globals& globals);
/// Registers `check`.
Command add_check_command(CLI::App& root, Globals& globals);
/// Registers `queue` (list, show, approve, reject, retry, cancel through the admin API).
Command add_queue_command(CLI::App& root, Globals& globals);
/// Registers `status`.
Command add_status_command(CLI::App& root, Globals& globals);
/// Registers `run`.
Command add_run_command(CLI::App& root, Globals& globals);
/// Registers `plan`.
Command add_plan_command(CLI::App& root, Globals& globals);
/// Registers `audit` (`audit verify`: the state store's hash chain).
Command add_audit_command(CLI::App& root, Globals& globals);
/// Registers `reconcile` (Zoho against hrmaild's records, through the admin API).
Command add_reconcile_command(CLI::App& root, Globals& globals);

/// Adds `--config FILE` to a subcommand (default `$HRMAILD_CONFIG` or /etc/hrmaild/hrmaild.yaml).
void add_config_option(CLI::App& app, Globals& globals);
/// Adds `--json` to a subcommand.
void add_json_option(CLI::App& app, Globals& globals);
/// Adds `--timeout DURATION` (30s, 1m, 500ms or seconds) to a subcommand.
void add_timeout_option(CLI::App& app, Globals& globals);

/// Runs `ioc` until its work is done or `globals.timeout` has passed. On timeout it prints
/// `hrmaild <command>: no answer within --timeout <t>` and ends the process with exit 1 (the
/// pending coroutines are not unwound).
void run_bounded(boost::asio::io_context& ioc, const Globals& globals, std::string_view command);

/// Parses arguments, runs the chosen subcommand, maps exceptions to exit codes.
int main(int argc, char** argv);

}  // namespace hrmaild::cli
