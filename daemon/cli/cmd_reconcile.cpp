// `hrmaild reconcile`: the running daemon compares Zoho with its records now (issue 14) and
// prints the report as HR and IT read it, or as JSON. Nothing is changed.
#include "daemon/admin/client.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <string_view>

namespace hrmaild::cli {

namespace {

int run_reconcile(const Globals& g, const std::string& as) {
    // Only the admin token is read: the daemon holds the service secrets.
    config::LoadOptions only_admin;
    only_admin.read_service_secrets = false;
    auto loaded = config::load_config(g.config, only_admin);
    if (!loaded.config) {
        std::cerr << loaded.diagnostics.to_string();
        std::cerr << "hrmaild reconcile: " << g.config.string() << ": invalid configuration\n";
        return exit_usage;
    }
    const auto& admin_config = loaded.config->admin;
    std::string why;
    auto token = admin::pick_token(admin_config.tokens, as, &why);
    if (!token) {
        std::cerr << "hrmaild reconcile: " << why << '\n';
        return exit_usage;
    }
    auto base = admin::admin_base_url(admin_config.listen);
    if (!base) {
        std::cerr << "hrmaild reconcile: admin.listen '" << admin_config.listen
                  << "' is not host:port\n";
        return exit_usage;
    }
    auto answer = admin::call_admin_api(*base, token->token.value, {"GET", "/api/v1/reconcile", ""},
                                        app::default_http_settings(), g.timeout);
    if (!answer.reached) {
        std::cerr << "hrmaild reconcile: cannot reach the daemon at " << *base << ": "
                  << answer.error << '\n';
        return exit_failure;
    }
    if (answer.status >= 300 || !answer.body.is_object()) {
        if (g.json && !answer.body.is_null())
            std::cout << boost::json::serialize(answer.body) << '\n';
        std::cerr << "hrmaild reconcile: the daemon refused: " << admin::describe_refusal(answer)
                  << '\n';
        return exit_failure;
    }
    if (g.json) {
        std::cout << boost::json::serialize(answer.body) << '\n';
    } else if (const auto* text = answer.body.as_object().if_contains("text");
               text != nullptr && text->is_string()) {
        // (a boost::json::string would print as JSON, quoted and escaped)
        std::cout << std::string_view(text->as_string()) << '\n';
    }
    return exit_ok;
}

}  // namespace

Command add_reconcile_command(CLI::App& root, Globals& globals) {
    auto as = std::make_shared<std::string>();
    Command cmd;
    cmd.app = root.add_subcommand(
        "reconcile",
        "Compare Zoho with hrmaild's records now and print the findings (changes nothing)");
    add_config_option(*cmd.app, globals);
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.app->add_option("--as", *as,
                        "Name of the admin token to use (default: the only one configured)");
    cmd.run = [&globals, as] { return run_reconcile(globals, *as); };
    return cmd;
}

}  // namespace hrmaild::cli
