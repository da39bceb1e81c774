#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace hrmaild::cli {
namespace {

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
    std::cout << fmt::format("Tarea: {}\n", task.title);
    if (e.workflow == nullptr) {
        if (e.outcome == workflow::Outcome::ambiguous) {
            std::string names;
            for (const auto& n : e.tied)
                names += (names.empty() ? "" : ", ") + n;
            std::cout << "Flujo: varios flujos con la misma prioridad la reclaman (" << names
                      << "); no se hace nada.\n";
        } else {
            std::cout << "Flujo: ninguno la reclama; la tarea se deja como está.\n";
        }
        return;
    }
    std::cout << fmt::format("Flujo: {} ({})\n", e.workflow->name,
                             workflow::outcome_name(e.outcome));
    std::cout << "Campos:\n";
    for (const auto& [k, v] : e.fields) {
        auto label = e.labels.count(k) ? e.labels.at(k) : k;
        std::cout << fmt::format("  {} [{}]: {}\n", k, label, domain::to_text(v));
    }
    if (!e.errors.empty()) {
        std::cout << "Errores:\n";
        for (const auto& x : e.errors)
            std::cout << "  - " << x << '\n';
    }
    if (e.plan) {
        std::cout << fmt::format("Plan ({} pasos, hash {}):\n", e.plan->steps.size(), e.plan_hash);
        int n = 0;
        for (const auto& s : e.plan->steps)
            std::cout << fmt::format("  {}. {}\n     {}\n", ++n, workflow::describe_step(s),
                                     domain::canonical_step(s));
        for (const auto& note : e.plan->notes)
            std::cout << "  nota: " << note << '\n';
        std::cout << fmt::format("Aprobación: {}{}\n",
                                 e.decision.approval_required ? "requerida" : "no requerida",
                                 e.decision.refused ? "; RECHAZADO por la política" : "");
        for (const auto& r : e.decision.reasons)
            std::cout << "  - " << r << '\n';
    }
    std::cout << "Comentario que se publicaría:\n" << indent(e.comment, "  ") << '\n';
}

int run_plan(const Globals& g, const PlanOptions& o) {
    if (o.task_id != 0) {
        std::cerr << "hrmaild plan: --task needs the Bitrix24 and Zoho Mail clients, which this "
                     "build does not wire yet; use --file TASK.json --directory ORG.json\n";
        return exit_failure;
    }
    if (o.file.empty()) {
        std::cerr << "hrmaild plan: give --file TASK.json (or --task ID)\n";
        return exit_usage;
    }
    if (o.directory.empty()) {
        std::cerr << "hrmaild plan: reading the directory from Zoho Mail needs the service "
                     "clients, which this build does not wire yet; give --directory ORG.json "
                     "(tests/fixtures/tickets/org.json works)\n";
        return exit_failure;
    }
    auto loaded = config::load_config(g.config);
    if (!loaded.config) {
        std::cerr << loaded.diagnostics.to_string();
        return exit_usage;
    }
    auto wfs = workflow::load_workflows(*loaded.config);
    if (!wfs.set) {
        std::cerr << wfs.diagnostics.to_string();
        return exit_usage;
    }
    auto task_text = slurp(o.file);
    if (!task_text) {
        std::cerr << "hrmaild plan: cannot read " << o.file.string() << '\n';
        return exit_usage;
    }
    std::string err;
    auto task = workflow::task_from_json(*task_text, err);
    if (!task) {
        std::cerr << "hrmaild plan: " << o.file.string() << ": " << err << '\n';
        return exit_usage;
    }
    auto dir_text = slurp(o.directory);
    if (!dir_text) {
        std::cerr << "hrmaild plan: cannot read " << o.directory.string() << '\n';
        return exit_usage;
    }
    auto directory = workflow::directory_from_json(*dir_text, err);
    if (!directory) {
        std::cerr << "hrmaild plan: " << o.directory.string() << ": " << err << '\n';
        return exit_usage;
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
    cmd.app->add_option("--file", options.file,
                        "A task in the fixtures' JSON shape (TITLE, DESCRIPTION, TAGS...)");
    cmd.app->add_option("--task", options.task_id,
                        "A Bitrix24 task id (needs the service clients)");
    cmd.app->add_option("--directory", options.directory,
                        "The Zoho Mail directory offline, in org.json's shape (users, groups)");
    cmd.run = [&globals]() { return run_plan(globals, options); };
    return cmd;
}

}  // namespace hrmaild::cli
