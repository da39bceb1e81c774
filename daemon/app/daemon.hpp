#pragma once
/// `hrmaild run`: the composition root. Builds every part from the configuration in numbered
/// steps (STYLE.md point 2), runs the service loop on one io_context thread, and stops in
/// reverse on SIGTERM with a bounded drain; SIGHUP reloads config and workflows.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace hrmaild::app {

/// What `hrmaild run` was asked.
struct RunOptions {
    std::filesystem::path config;
    bool dry_run = false;  ///< overrides policy.dry_run to true
    /// Overrides bitrix.poll_interval (the demo polls every second).
    std::optional<std::chrono::milliseconds> poll_interval;
    /// How long SIGTERM waits for a cycle in flight (a journaled step) to settle.
    std::chrono::seconds drain{20};
    /// Tasks created before this instant (ISO 8601) are never automatic; empty: the first
    /// start's time, remembered in the state store.
    std::string since;
};

/// Runs the daemon until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean stop,
/// 1 on a runtime failure during start-up (store locked, port taken...), 2 on a config error.
int run_daemon(const RunOptions& options);

}  // namespace hrmaild::app
