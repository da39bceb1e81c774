#include "daemon/admin/client.hpp"
#include "daemon/app/clients.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace hrmaild::cli {
namespace {

using messages::Msg;
using messages::render;
using namespace fmt::literals;

struct PlanOptions {
    std::filesystem::path file;
    std::filesystem::path directory;
    std::int64_t task_id = 0;
};

std::optional<std::string> slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string indent(const std::string& text, std::string_view pad) {
    std::string out(pad);
    for (char c : text) {
        out += c;
        if (c == '\n')
            out += pad;
    }
    return out;
}

void print_human(const workflow::Evaluation& e, const domain::Task& task) {
    std::cout << render(Msg::cli_task, "title"_a = task.title) << '\n';
    if (e.workflow == nullptr) {
        if (e.outcome == workflow::Outcome::ambiguous) {
            std::cout << render(Msg::cli_workflow_tied, "names"_a = fmt::join(e.tied, ", "))
                      << '\n';
        } else {
            std::cout << messages::text(Msg::cli_workflow_none) << '\n';
        }
        return;
    }
    std::cout << render(Msg::cli_workflow, "name"_a = e.workflow->name,
                        "outcome"_a = workflow::outcome_name(e.outcome))
              << '\n';
    std::cout << messages::text(Msg::cli_fields) << '\n';
    for (const auto& [k, v] : e.fields) {
        auto label = e.labels.count(k) ? e.labels.at(k) : k;
        std::cout << fmt::format("  {} [{}]: {}\n", k, label, domain::to_text(v));
    }
    if (!e.errors.empty()) {
        std::cout << messages::text(Msg::cli_errors) << '\n';
        for (const auto& x : e.errors)
            std::cout << "  - " << x << '\n';
    }
    if (e.plan) {
        std::cout << render(Msg::cli_plan, "count"_a = e.plan->steps.size(), "hash"_a = e.plan_hash)
                  << '\n';
        int n = 0;
        for (const auto& s : e.plan->steps)
            std::cout << fmt::format("  {}. {}\n     {}\n", ++n, workflow::describe_step(s),
                                     workflow::canonical_step(s));
        for (const auto& note : e.plan->notes)
            std::cout << "  " << render(Msg::cli_note, "note"_a = note) << '\n';
        std::cout << render(Msg::cli_approval,
                            "required"_a = messages::text(e.decision.approval_required
                                                              ? Msg::cli_required
                                                              : Msg::cli_not_required),
                            "refused"_a = e.decision.refused ? messages::text(Msg::cli_refused)
                                                             : std::string_view())
                  << '\n';
        for (const auto& r : e.decision.reasons)
            std::cout << "  - " << r << '\n';
    }
    std::cout << messages::text(Msg::cli_comment) << '\n' << indent(e.comment, "  ") << '\n';
}

// Reads the task from Bitrix24 and/or the directory from Zoho Mail (read-only calls).
std::optional<std::pair<domain::Task, domain::DirectorySnapshot>> from_services(
    const Globals& g, config::Config cfg, std::optional<domain::Task> task, std::int64_t task_id,
    std::optional<domain::DirectorySnapshot> directory) {
    namespace asio = boost::asio;
    cfg.retry.give_up_beyond = g.timeout;
    asio::io_context ioc;
    core::SystemClock clock;
    app::Clients clients(ioc.get_executor(), cfg, clock, /*max_attempts=*/2);
    std::string problem;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (!task) {
                auto t = co_await clients.bitrix->get_task(task_id);
                if (!t)
                    problem = "Bitrix24: " + t.error().describe();
                else if (!*t)
                    problem = fmt::format("Bitrix24: task {} not found", task_id);
                else
                    task = (*t)->task;
            }
            if (!directory && problem.empty()) {
                auto d = co_await clients.zoho->directory().snapshot();
                if (!d)
                    problem = "Zoho Mail: " + d.error().describe();
                else
                    directory = **d;
            }
        },
        asio::detached);
    run_bounded(ioc, g, "plan");
    if (!problem.empty()) {
        std::cerr << "hrmaild plan: " << problem << '\n';
        return std::nullopt;
    }
    return std::make_pair(std::move(*task), std::move(*directory));
}

// The directory snapshot of the daemon, when it runs and answers within a short bound.
std::optional<domain::DirectorySnapshot> daemon_directory(const Globals& g,
                                                          const config::Config& cfg) {
    auto base = admin::admin_base_url(cfg.admin.listen);
    if (!base || cfg.admin.tokens.empty())
        return std::nullopt;
    auto answer = admin::call_admin_api(
        *base, cfg.admin.tokens.front().token.value, admin::ApiCall{"GET", "/api/v1/directory", ""},
        app::default_http_settings(),
        std::min<std::chrono::milliseconds>(g.timeout, std::chrono::seconds(3)));
    if (!answer.reached || answer.status != 200 || !answer.body.is_object())
        return std::nullopt;
    std::string err;
    auto d = workflow::directory_from_json(boost::json::serialize(answer.body), err);
    if (d)
        log::debug("PLAN_DIRECTORY_FROM_DAEMON",
                   {{"users", d->users.size()}, {"groups", d->groups.size()}});
    return d;
}

int run_plan(const Globals& g, const PlanOptions& o) {
    // The plan is the output; progress events would only clutter it.
    auto quiet = log::default_options();
    quiet.level = log::Level::warn;
    log::setup(quiet);
    if (o.file.empty() == (o.task_id == 0)) {
        std::cerr << "hrmaild plan: give either --file TASK.json or --task ID\n";
        return exit_usage;
    }
    auto loaded = config::load_config(g.config);
    if (!loaded.config) {
        std::cerr << loaded.diagnostics.to_string();
        return exit_usage;
    }
    // What the plan prints and the comment it shows, in the configured language.
    messages::select(loaded.config->workflows.language);
    auto wfs = workflow::load_workflows(*loaded.config);
    if (!wfs.set) {
        std::cerr << wfs.diagnostics.to_string();
        return exit_usage;
    }
    std::string err;
    std::optional<domain::Task> task;
    if (!o.file.empty()) {
        auto task_text = slurp(o.file);
        if (!task_text) {
            std::cerr << "hrmaild plan: cannot read " << o.file.string() << '\n';
            return exit_usage;
        }
        task = workflow::task_from_json(*task_text, err);
        if (!task) {
            std::cerr << "hrmaild plan: " << o.file.string() << ": " << err << '\n';
            return exit_usage;
        }
    }
    std::optional<domain::DirectorySnapshot> directory;
    if (!o.directory.empty()) {
        auto dir_text = slurp(o.directory);
        if (!dir_text) {
            std::cerr << "hrmaild plan: cannot read " << o.directory.string() << '\n';
            return exit_usage;
        }
        directory = workflow::directory_from_json(*dir_text, err);
        if (!directory) {
            std::cerr << "hrmaild plan: " << o.directory.string() << ": " << err << '\n';
            return exit_usage;
        }
    }
    if (!directory) {
        // The running daemon's snapshot first (what it would plan on; no token minted here).
        directory = daemon_directory(g, *loaded.config);
    }
    if (!task || !directory) {
        auto fetched = from_services(g, *loaded.config, task, o.task_id, directory);
        if (!fetched)
            return exit_failure;
        task = std::move(fetched->first);
        directory = std::move(fetched->second);
    }
    auto e = workflow::evaluate(*wfs.set, *task, *directory);
    if (g.json)
        std::cout << workflow::pretty_json(workflow::to_json(e));
    else
        print_human(e, *task);
    return exit_ok;
}

}  // namespace

Command add_plan_command(CLI::App& root, Globals& globals) {
    static PlanOptions options;
    Command cmd;
    cmd.app = root.add_subcommand(
        "plan",
        "Show what a task would do (workflow, fields, plan, approval, comment), changing nothing");
    add_config_option(*cmd.app, globals);
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.app->add_option("--file", options.file,
                        "A task in the fixtures' JSON shape (TITLE, DESCRIPTION, TAGS...)");
    cmd.app->add_option("--task", options.task_id, "A Bitrix24 task id, read from the portal");
    cmd.app->add_option("--directory", options.directory,
                        "The Zoho Mail directory offline, in org.json's shape (users, groups); "
                        "default: read from Zoho");
    cmd.run = [&globals]() { return run_plan(globals, options); };
    return cmd;
}

}  // namespace hrmaild::cli
