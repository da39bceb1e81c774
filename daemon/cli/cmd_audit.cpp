// `hrmaild audit verify`: walks the state store's hash-chained audit trail (docs/store.md) and
// says whether every record still links to the one before it.
#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/sqlite_store.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <iostream>

namespace hrmaild::cli {
namespace {

struct AuditOptions {
    std::filesystem::path state;  ///< --state: the database file, instead of the config's
};

int run_verify(const Globals& g, const AuditOptions& o) {
    std::filesystem::path path = o.state;
    if (path.empty()) {
        auto loaded = config::load_config(g.config);
        if (!loaded.config || loaded.diagnostics.has_errors()) {
            std::cerr << loaded.diagnostics.to_string();
            std::cerr << fmt::format(
                "hrmaild audit verify: {}: the configuration is not valid (or give --state "
                "FILE)\n",
                g.config.string());
            return exit_usage;
        }
        path = loaded.config->state.path;
    }
    if (!std::filesystem::exists(path)) {
        std::cerr << fmt::format("hrmaild audit verify: {}: no such state file\n", path.string());
        return exit_failure;
    }
    store::SqliteOptions options;
    options.path = path;
    options.read_only = true;  // beside a running daemon: no lock, no writes
    auto opened = store::SqliteStore::open(options);
    if (!opened) {
        std::cerr << fmt::format("hrmaild audit verify: {}\n", opened.error().describe());
        return exit_failure;
    }
    auto v = (*opened)->verify_audit();
    if (!v) {
        std::cerr << fmt::format("hrmaild audit verify: {}\n", v.error().describe());
        return exit_failure;
    }
    if (g.json) {
        boost::json::object out{
            {"ok", v->ok}, {"state", path.string()}, {"records_checked", v->records_checked}};
        if (!v->ok) {
            out["first_broken_seq"] = *v->first_broken_seq;
            out["problem"] = v->problem;
        }
        std::cout << boost::json::serialize(out) << '\n';
    } else if (v->ok) {
        std::cout << fmt::format("{}: audit ok: {} record(s), every link verified\n", path.string(),
                                 v->records_checked);
    } else {
        std::cout << fmt::format("{}: audit BROKEN at record {}: {} ({} record(s) read)\n",
                                 path.string(), *v->first_broken_seq, v->problem,
                                 v->records_checked);
    }
    return v->ok ? exit_ok : exit_failure;
}

}  // namespace

Command add_audit_command(CLI::App& root, Globals& globals) {
    static AuditOptions options;
    Command cmd;
    cmd.app = root.add_subcommand("audit", "Inspect the state store's audit trail");
    cmd.app->require_subcommand(1);
    auto* verify = cmd.app->add_subcommand(
        "verify",
        "Check the audit trail's hash chain: exit 0 with a one-line summary when every record "
        "links to the one before it, exit 1 naming the first broken record");
    add_config_option(*verify, globals);
    add_json_option(*verify, globals);
    add_timeout_option(*verify, globals);
    verify
        ->add_option("--state", options.state,
                     "The state database to check (default: state.path of --config); read "
                     "only, so it may run beside the daemon")
        ->type_name("FILE");
    cmd.run = [&globals, verify]() {
        if (verify->parsed())
            return run_verify(globals, options);
        return static_cast<int>(exit_usage);
    };
    return cmd;
}

}  // namespace hrmaild::cli
