#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"
#include "daemon/workflow/loader.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <iostream>

namespace hrmaild::cli {
namespace {

struct CheckOptions {
    bool print = false;
};

boost::json::array to_json(const config::Diagnostics& d, config::Severity severity) {
    boost::json::array out;
    for (const auto& x : d.all()) {
        if (x.severity != severity)
            continue;
        out.push_back({{"file", x.file},
                       {"line", x.line},
                       {"column", x.column},
                       {"key", x.path},
                       {"message", x.message},
                       {"text", x.to_string()}});
    }
    return out;
}

int run_check(const Globals& g, const CheckOptions& o) {
    auto result = config::load_config(g.config);
    // The workflows are checked with the very loader `run` uses, once the config is valid.
    if (result.config)
        result.diagnostics.merge(workflow::validate_workflows(*result.config));
    const auto& d = result.diagnostics;
    bool ok = result.config.has_value() && !d.has_errors();
    if (g.json) {
        boost::json::object out{{"ok", ok},
                                {"config", g.config.string()},
                                {"errors", to_json(d, config::Severity::error)},
                                {"warnings", to_json(d, config::Severity::warning)}};
        std::cout << boost::json::serialize(out) << '\n';
    } else {
        std::cerr << d.to_string();
        if (ok) {
            const auto& c = *result.config;
            if (o.print)
                std::cout << config::print_config(c);
            std::cout << fmt::format(
                "{}: ok: bitrix {} project {}, zoho {}, state {}, workflows {}, {} warning(s)\n",
                g.config.string(), c.bitrix.portal_url, c.bitrix.project_id, c.zoho.api_url,
                c.state.path.string(), c.workflows.dir.string(), d.warning_count());
        } else {
            std::cerr << fmt::format("{}: {} error(s), {} warning(s)\n", g.config.string(),
                                     d.error_count(), d.warning_count());
        }
    }
    return ok ? exit_ok : exit_usage;
}

}  // namespace

Command add_check_command(CLI::App& root, Globals& globals) {
    static CheckOptions options;
    Command cmd;
    cmd.app = root.add_subcommand(
        "check",
        "Validate the configuration (and its secret files); print every problem as "
        "file:line:col: key: message");
    add_config_option(*cmd.app, globals);
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.app->add_flag("--print", options.print,
                      "Also print the effective configuration, every secret redacted");
    cmd.run = [&globals]() { return run_check(globals, options); };
    return cmd;
}

}  // namespace hrmaild::cli
