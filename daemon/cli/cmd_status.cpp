// `hrmaild status`: the running daemon's own state through its admin API when it is up
// (tickets by state, a Zoho token block), and both services checked directly (no daemon
// needed): Bitrix24 reachability and the webhook user; the Zoho organization summary the Admin
// Console's dashboard shows. The Zoho access token is the one the daemon shares through the
// state folder's token file, so a status call mints none while the daemon holds a valid one.
#include "daemon/admin/client.hpp"
#include "daemon/app/clients.hpp"
#include "daemon/app/net_settings.hpp"
#include "daemon/cli/cli.hpp"
#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"
#include "daemon/zoho/status.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace hrmaild::cli {
namespace {

namespace asio = boost::asio;

int run_status(const Globals& g) {
    auto loaded = config::load_config(g.config);
    if (!loaded.config) {
        std::cerr << loaded.diagnostics.to_string();
        return exit_usage;
    }
    auto cfg = *loaded.config;
    cfg.retry.give_up_beyond = g.timeout;
    // Retries and token refreshes are the daemon's business; here only problems are news.
    auto lo = log::default_options();
    lo.level = log::Level::warn;
    log::setup(lo);
    // The daemon first, briefly: it is fine for it not to run.
    boost::json::object d{{"running", false}};
    if (auto base = admin::admin_base_url(cfg.admin.listen); base && !cfg.admin.tokens.empty()) {
        auto answer = admin::call_admin_api(
            *base, cfg.admin.tokens.front().token.value,
            admin::ApiCall{"GET", "/api/v1/status", ""}, app::default_http_settings(),
            std::min<std::chrono::milliseconds>(g.timeout, std::chrono::seconds(3)));
        if (answer.reached && answer.status == 200 && answer.body.is_object()) {
            d = answer.body.as_object();
            d["running"] = true;
        } else if (answer.reached) {
            d["error"] = admin::describe_refusal(answer);
        }
    }
    asio::io_context ioc;
    core::SystemClock clock;
    app::Clients clients(ioc.get_executor(), cfg, clock, /*max_attempts=*/2);
    auto& bitrix = *clients.bitrix;
    auto& zoho = clients.zoho->client();

    boost::json::object b{{"ok", false}, {"url", cfg.bitrix.portal_url}};
    boost::json::object z{{"ok", false}, {"url", cfg.zoho.api_url}};
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto user = co_await bitrix.current_user();
            if (user) {
                b["ok"] = true;
                b["user"] = boost::json::object{
                    {"id", user->id}, {"name", user->full_name()}, {"email", user->email}};
            } else {
                b["error"] = user.error().describe();
            }
            auto s = co_await zoho.summary();
            z = s ? zoho::status_json(*s) : zoho::status_json(s.error());
            z["url"] = cfg.zoho.api_url;
        },
        asio::detached);
    run_bounded(ioc, g, "status");

    bool ok = b["ok"].as_bool() && z["ok"].as_bool();
    if (g.json) {
        std::cout << boost::json::serialize(
                         boost::json::object{{"daemon", d}, {"bitrix", b}, {"zoho", z}})
                  << '\n';
    } else {
        if (d["running"].as_bool()) {
            std::string tickets;
            if (const auto* t = d.if_contains("tickets"); t && t->is_object())
                for (const auto& kv : t->as_object())
                    tickets +=
                        fmt::format("{}{} {}", tickets.empty() ? "" : ", ", std::string(kv.key()),
                                    boost::json::serialize(kv.value()));
            std::cout << fmt::format("Daemon    {}  running, tickets: {}\n", cfg.admin.listen,
                                     tickets.empty() ? "none" : tickets);
            if (const auto* u = d.if_contains("zoho_token_blocked_until"); u && u->is_string())
                std::cout << fmt::format(
                    "  Zoho token minting blocked until {} (Zoho's limit: 10 access tokens per "
                    "refresh token in 10 minutes)\n",
                    std::string(u->as_string()));
        } else {
            std::cout << fmt::format(
                "Daemon    {}  not running{}\n", cfg.admin.listen,
                d.contains("error") ? ": " + std::string(d["error"].as_string()) : std::string());
        }
        if (b["ok"].as_bool()) {
            const auto& u = b["user"].as_object();
            std::cout << fmt::format("Bitrix24  {}  ok, webhook user {} ({})\n",
                                     cfg.bitrix.portal_url, u.at("id").as_int64(),
                                     std::string(u.at("name").as_string()));
        } else {
            std::cout << fmt::format("Bitrix24  {}  UNREACHABLE: {}\n", cfg.bitrix.portal_url,
                                     std::string(b["error"].as_string()));
        }
        if (z["ok"].as_bool()) {
            std::cout << fmt::format(
                "Zoho Mail {}  ok, {} ({})\n  users {} ({} active), licences {}, groups {}, "
                "storage {} MB of {} MB\n",
                cfg.zoho.api_url, std::string(z["organization"].as_string()),
                std::string(z["primary_domain"].as_string()), z["users"].as_int64(),
                z["active_users"].as_int64(), z["licenses"].as_int64(), z["groups"].as_int64(),
                z["storage_used_mb"].as_int64(), z["storage_total_mb"].as_int64());
        } else {
            std::cout << fmt::format("Zoho Mail {}  UNREACHABLE: {}\n", cfg.zoho.api_url,
                                     std::string(z["error"].as_string()));
        }
    }
    return ok ? exit_ok : exit_failure;
}

}  // namespace

Command add_status_command(CLI::App& root, Globals& globals) {
    Command cmd;
    cmd.app = root.add_subcommand(
        "status",
        "Check both services: Bitrix24 and its webhook user, the Zoho organization summary");
    add_config_option(*cmd.app, globals);
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.run = [&globals]() { return run_status(globals); };
    return cmd;
}

}  // namespace hrmaild::cli
