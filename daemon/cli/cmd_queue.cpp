// `hrmaild queue`: the approval queue of the running daemon, through its admin API.
#include "daemon/admin/client.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace hrmaild::cli {

namespace {

struct QueueOptions {
    admin::QueueCommand command;
    std::string as;  // --as NAME
};

int run_queue(const Globals& g, const QueueOptions& o) {
    std::string why;
    auto call = admin::build_queue_call(o.command, &why);
    if (!call) {
        std::cerr << "hrmaild queue: " << why << '\n';
        return exit_usage;
    }
    // Only the admin token is needed here: the service secrets may be readable by the
    // daemon's user only.
    config::LoadOptions only_admin;
    only_admin.read_service_secrets = false;
    auto loaded = config::load_config(g.config, only_admin);
    if (!loaded.config) {
        std::cerr << loaded.diagnostics.to_string();
        std::cerr << "hrmaild queue: " << g.config.string() << ": invalid configuration\n";
        return exit_usage;
    }
    const auto& admin_config = loaded.config->admin;
    auto token = admin::pick_token(admin_config.tokens, o.as, &why);
    if (!token) {
        std::cerr << "hrmaild queue: " << why << '\n';
        return exit_usage;
    }
    auto base = admin::admin_base_url(admin_config.listen);
    if (!base) {
        std::cerr << "hrmaild queue: admin.listen '" << admin_config.listen
                  << "' is not host:port\n";
        return exit_usage;
    }
    auto answer = admin::call_admin_api(*base, token->token.value, *call,
                                        app::default_http_settings(), g.timeout);
    if (!answer.reached) {
        std::cerr << "hrmaild queue: cannot reach the daemon at " << *base << ": " << answer.error
                  << '\n';
        return exit_failure;
    }
    if (answer.status >= 300) {
        if (g.json && !answer.body.is_null())
            std::cout << boost::json::serialize(answer.body) << '\n';
        std::cerr << "hrmaild queue: the daemon refused: " << admin::describe_refusal(answer)
                  << '\n';
        return exit_failure;
    }
    if (g.json)
        std::cout << boost::json::serialize(answer.body) << '\n';
    else if (o.command.verb == "list")
        std::cout << admin::format_queue_list(answer.body);
    else if (o.command.verb == "show")
        std::cout << admin::format_ticket(answer.body);
    else
        std::cout << admin::format_action(answer.body);
    return exit_ok;
}

}  // namespace

Command add_queue_command(CLI::App& root, Globals& globals) {
    auto options = std::make_shared<QueueOptions>();
    Command cmd;
    cmd.app = root.add_subcommand(
        "queue", "List, show, approve, reject, retry or cancel tickets of the running daemon");
    cmd.app->require_subcommand(1);
    add_config_option(*cmd.app, globals);
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.app->add_option("--as", options->as,
                        "Name of the admin token to use (default: the only one configured)");

    auto& c = options->command;
    auto verb = [&](const char* name, const char* help) {
        auto* sub = cmd.app->add_subcommand(name, help);
        // Options of `queue` may follow the verb: `hrmaild queue list --json`.
        sub->fallthrough();
        sub->callback([options, name] { options->command.verb = name; });
        return sub;
    };
    auto id_arg = [&](CLI::App* sub) {
        sub->add_option("ID", c.id, "Ticket id (the Bitrix24 task id)")
            ->required()
            ->check(CLI::PositiveNumber);
    };
    auto* list = verb("list", "List tickets");
    list->add_option("--state", c.state, "Only tickets in this state (e.g. awaiting_approval)");
    id_arg(verb("show", "Show one ticket: plan, approvals, journal, schedule and audit"));
    auto* approve = verb("approve", "Approve a ticket's current plan");
    id_arg(approve);
    approve->add_option("--plan-hash", c.plan_hash,
                        "Approve only if the current plan's hash starts with this");
    auto* reject = verb("reject", "Reject a ticket; the reason is written on the task for HR");
    id_arg(reject);
    reject->add_option("--reason", c.reason, "Why (required)")->required();
    id_arg(verb("retry", "Retry a done, rejected or failed ticket"));
    id_arg(verb("cancel",
                "Cancel a ticket's pending scheduled steps, or its plan waiting for its date"));

    cmd.run = [&globals, options] { return run_queue(globals, *options); };
    return cmd;
}

}  // namespace hrmaild::cli
