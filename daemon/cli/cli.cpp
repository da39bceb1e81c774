#include "daemon/cli/cli.hpp"

#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace hrmaild::cli {

void add_config_option(CLI::App& app, Globals& globals) {
    app.add_option("-c,--config", globals.config,
                   "Configuration file (default: $HRMAILD_CONFIG or /etc/hrmaild/hrmaild.yaml)");
}

void add_json_option(CLI::App& app, Globals& globals) {
    app.add_flag("--json", globals.json, "Print machine-readable JSON");
}

void add_timeout_option(CLI::App& app, Globals& globals) {
    app.add_option_function<std::string>(
           "--timeout",
           [&globals](const std::string& text) {
               auto d = config::parse_duration(text);
               if (!d || d->count() <= 0)
                   throw CLI::ValidationError("--timeout",
                                              "expected a positive duration such as 30s, 2m "
                                              "or 500ms, got '" +
                                                  text + "'");
               globals.timeout = *d;
           },
           "Give up after this long (default 30s): a wait past it (Zoho's token limit, a "
           "throttle) exits 1 at once, naming the limit and when it clears")
        ->type_name("DURATION");
}

void run_bounded(boost::asio::io_context& ioc, const Globals& globals, std::string_view command) {
    ioc.run_for(globals.timeout);
    if (ioc.stopped())
        return;
    std::cout.flush();
    std::cerr << fmt::format("hrmaild {}: no answer within --timeout {} ms; giving up\n", command,
                             globals.timeout.count());
    std::cerr.flush();
    std::_Exit(exit_failure);
}

namespace {
constexpr const char* kFooter =
    "Exit codes: 0 success; 1 runtime failure (a service unreachable, a command refused);\n"
    "2 usage or configuration error.";
}

int main(int argc, char** argv) {
    log::setup(log::default_options());
    CLI::App app{
        "hrmaild: turns HR requests filed as Bitrix24 tasks into Zoho Mail administration.",
        "hrmaild"};
    app.footer(kFooter);
    app.require_subcommand(1);
    Globals globals;
    globals.config = config::default_config_path();

    std::vector<Command> commands;
    commands.push_back(add_version_command(app, globals));
    commands.push_back(add_check_command(app, globals));
    commands.push_back(add_run_command(app, globals));
    commands.push_back(add_status_command(app, globals));
    commands.push_back(add_queue_command(app, globals));
    commands.push_back(add_plan_command(app, globals));
    commands.push_back(add_audit_command(app, globals));
    commands.push_back(add_reconcile_command(app, globals));
    for (auto& c : commands)
        c.app->footer(kFooter);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    } catch (const CLI::CallForVersion& e) {
        app.exit(e);
        return exit_ok;
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    }

    try {
        for (auto& c : commands)
            if (c.app->parsed())
                return c.run();
    } catch (const std::exception& e) {
        log::critical("CLI_FAILED", {{"reason", e.what()}});
        std::cerr << "hrmaild: " << e.what() << '\n';
        return exit_failure;
    }
    return exit_usage;
}

}  // namespace hrmaild::cli
