#include "daemon/app/daemon.hpp"
#include "daemon/cli/cli.hpp"
#include "daemon/core/time_format.hpp"

namespace hrmaild::cli {

Command add_run_command(CLI::App& root, Globals& globals) {
    static app::RunOptions options;
    static double poll_seconds = 0;
    static int drain_seconds = 20;
    Command cmd;
    cmd.app = root.add_subcommand("run", "Run the daemon (under systemd: Type=notify)");
    add_config_option(*cmd.app, globals);
    cmd.app->add_flag("--dry-run", options.dry_run,
                      "Plan, log and comment what would be done; call no Zoho mutation");
    cmd.app
        ->add_option("--poll-interval", poll_seconds,
                     "Override bitrix.poll_interval, in seconds (the demo uses 1)")
        ->check(CLI::PositiveNumber);
    cmd.app
        ->add_option("--drain", drain_seconds,
                     "Seconds SIGTERM waits for a step in flight to settle (default 20)")
        ->check(CLI::NonNegativeNumber);
    cmd.app
        ->add_option("--since", options.since,
                     "Horizon for tasks filed before hrmaild started (ISO 8601, e.g. "
                     "2026-11-01T00:00:00-06:00): tasks created earlier always wait for an "
                     "approver. Default: the time of the first start")
        ->check([](const std::string& v) {
            return hrmaild::core::parse_iso(v) ? std::string()
                                               : "--since: expected an ISO 8601 date-time such as "
                                                 "2026-11-01T00:00:00-06:00, got '" +
                                                     v + "'";
        });
    cmd.run = [&globals]() {
        options.config = globals.config;
        if (poll_seconds > 0)
            options.poll_interval =
                std::chrono::milliseconds(static_cast<std::int64_t>(poll_seconds * 1000));
        options.drain = std::chrono::seconds(drain_seconds);
        return app::run_daemon(options);
    };
    return cmd;
}

}  // namespace hrmaild::cli
