#include "daemon/app/daemon.hpp"

#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/admin/queue_json.hpp"
#include "daemon/admin/server.hpp"
#include "daemon/app/bitrix_source.hpp"
#include "daemon/app/clients.hpp"
#include "daemon/app/dashboard_source.hpp"
#include "daemon/app/metrics_observer.hpp"
#include "daemon/app/reconcile_ports.hpp"
#include "daemon/app/zoho_directory.hpp"
#include "daemon/bitrix/client.hpp"
#include "daemon/config/config.hpp"
#include "daemon/console/bitrix_sign_in.hpp"
#include "daemon/console/console.hpp"
#include "daemon/console/tablero.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/core/zone.hpp"
#include "daemon/dashboard/dashboard.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/service/service.hpp"
#include "daemon/store/sqlite_store.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "daemon/zoho/password.hpp"
#include "daemon/zoho/token_manager.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <random>

namespace hrmaild::app {
namespace {

namespace asio = boost::asio;
using service::Awaitable;

/// Serializes service work on the one thread: a cycle and an admin command never interleave
/// at their co_await points on the same ticket.
class AsyncMutex {
  public:
    explicit AsyncMutex(asio::any_io_executor ex) : ex_(std::move(ex)) {}
    Awaitable<void> lock() {
        while (locked_) {
            auto timer =
                std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
            waiters_.push_back(timer);
            co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
        }
        locked_ = true;
    }
    void unlock() {
        locked_ = false;
        if (!waiters_.empty()) {
            waiters_.front()->cancel();
            waiters_.pop_front();
        }
    }

  private:
    asio::any_io_executor ex_;
    bool locked_ = false;
    std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

log::Options log_options(const config::LoggingConfig& c) {
    auto o = log::default_options();
    log::parse_level(c.level, o.level);
    o.format = c.format == "json" ? log::Format::json : log::Format::text;
    return o;
}

void notify_systemd(const std::string& state) {
    // No NOTIFY_SOCKET (not under systemd): sd_notify does nothing and returns 0.
    sd_notify(0, state.c_str());
}

#if HRMAILD_TEST_HOOKS
/// Test hook, compiled only with the build option HRMAILD_TEST_HOOKS (never in a release build
/// or the package): with `HRMAILD_TEST_CRASH_AFTER_APPLY=<operation>` in the environment, the
/// mail directory ends the process (exit 86) right after that operation's remote call
/// succeeded, before the service journals it: the crash the exactly-once process tests need.
class CrashAfterApply final : public service::MailDirectory {
  public:
    CrashAfterApply(service::MailDirectory& inner, std::string op)
        : inner_(inner), op_(std::move(op)) {}

    service::Awaitable<service::Outcome<service::SnapshotPtr>> snapshot(bool fresh) override {
        co_return co_await inner_.snapshot(fresh);
    }
    service::Awaitable<service::Outcome<std::string>> apply(const domain::Operation& op,
                                                            const Secret* password) override {
        auto result = co_await inner_.apply(op, password);
        if (result && domain::op_name(op.kind) == op_) {
            log::critical("TEST_CRASH", {{"op", op_}, {"result", *result}});
            std::_Exit(86);
        }
        co_return result;
    }
    [[nodiscard]] bool fuses() const override { return inner_.fuses(); }
    service::Awaitable<service::Outcome<std::string>> apply_fused(
        const domain::Operation& op, const Secret* password,
        const std::vector<domain::Operation>& riders) override {
        // After the whole call, with the steps folded into it (issue 11).
        auto result = co_await inner_.apply_fused(op, password, riders);
        if (result && domain::op_name(op.kind) == op_) {
            log::critical("TEST_CRASH",
                          {{"op", op_}, {"riders", riders.size()}, {"result", *result}});
            std::_Exit(86);
        }
        co_return result;
    }
    service::Awaitable<service::Outcome<service::Probe>> probe(
        const domain::Operation& op, std::int64_t started_at_ms) override {
        co_return co_await inner_.probe(op, started_at_ms);
    }

  private:
    service::MailDirectory& inner_;
    std::string op_;
};
#endif

/// The mail directory the service uses: the adapter, or (test builds, when asked) the adapter
/// behind the crash hook, which `holder` then owns.
service::MailDirectory& mail_directory(service::MailDirectory& adapter,
                                       std::unique_ptr<service::MailDirectory>& holder) {
#if HRMAILD_TEST_HOOKS
    if (const char* op = std::getenv("HRMAILD_TEST_CRASH_AFTER_APPLY"); op && *op) {
        holder = std::make_unique<CrashAfterApply>(adapter, op);
        return *holder;
    }
#endif
    (void)holder;
    return adapter;
}

service::ServiceOptions service_options(const config::Config& cfg, const RunOptions& run,
                                        service::Observer* observer) {
    service::ServiceOptions o;
    o.observer = observer;
    o.since = run.since;
    o.requester_ids = cfg.policy.requesters;
    o.requester_departments = cfg.policy.requester_departments;
    o.approvers = cfg.bitrix.approvers;
    o.approver_department = cfg.bitrix.approver_department;
    o.password_recipient = cfg.bitrix.password_recipient;
    o.daemon_user_id = cfg.bitrix.webhook_user_id;
    o.project_id = cfg.bitrix.project_id;
    o.dry_run = cfg.policy.dry_run;
    o.poll_overlap = cfg.bitrix.poll_overlap;
    o.max_in_flight = static_cast<std::size_t>(std::max(1, cfg.executor.max_in_flight));
    o.reconcile_interval = cfg.reconcile.interval;
    o.reconcile_recent_days = cfg.reconcile.recent_days;
    o.report_responsible = cfg.reconcile.report_responsible;
    o.report_project = cfg.reconcile.report_project;
#ifdef HRMAILD_TEST_HOOKS
    if (const char* seed = std::getenv("HRMAILD_TEST_PASSWORD_SEED"); seed && *seed) {
        zoho::set_test_password_seed(std::stoull(seed));
        log::warn("TEST_PASSWORD_SEED", {{"hint",
                                          "test build: generated passwords are "
                                          "reproducible; never use this binary in "
                                          "production"}});
    }
#endif
    o.generate_password = [](const domain::Operation& op) {
        zoho::PasswordSubject s;
        s.address = op.text("email");
        s.first_name = op.text("first_name");
        s.last_name = op.text("last_name");
        return zoho::generate_password(s);
    };
    return o;
}

/// Everything the running daemon owns, built in start-up order and destroyed in reverse.
struct Runtime {
    explicit Runtime(config::Config c, const RunOptions& o)
        : options(o)
        , cfg(std::move(c))
        , ioc(1)
        , signals(ioc, SIGTERM, SIGINT, SIGHUP)
        , wake(ioc)
        , drain_timer(ioc)
        , watchdog(ioc)
        , mutex(ioc.get_executor()) {}

    RunOptions options;
    config::Config cfg;
    asio::io_context ioc;
    asio::signal_set signals;
    asio::steady_timer wake;
    asio::steady_timer drain_timer;
    asio::steady_timer watchdog;
    AsyncMutex mutex;
    core::SystemClock clock;
    std::unique_ptr<store::SqliteStore> store;
    std::unique_ptr<Clients> clients;
    std::unique_ptr<BitrixTicketSource> tickets;
    std::unique_ptr<ZohoMailDirectory> mail;
    std::unique_ptr<service::MailDirectory> mail_hook;  ///< test builds only (crash hook)
    std::unique_ptr<service::Service> service;
    std::unique_ptr<ZohoReconcileSource> reconcile_source;  ///< forwards, licences, storage
    std::unique_ptr<BitrixReportTasks> report_tasks;        ///< the report task (issue 14)
    std::optional<core::TimeZone> zone;  ///< policy.timezone: when scheduled steps run, locally
    admin::CommandRegistry commands;
    admin::Metrics metrics;
    MetricsObserver observer{metrics};
    // The web console (console.enabled); declared before the admin server, which holds a
    // handler that calls it, so the server goes first.
    std::unique_ptr<console::BitrixSignIn> sign_in;
    std::unique_ptr<ZohoDashboardSource> dashboard_source;  ///< the Tablero's Zoho reads
    std::unique_ptr<dashboard::Dashboard> dashboard;        ///< the Tablero's cached model
    std::unique_ptr<console::Console> console;
    std::unique_ptr<admin::AdminServer> admin;
    bool stopping = false;
    bool loop_done = false;
    bool event_pending = false;
    std::mt19937 rng{std::random_device{}()};

    std::chrono::milliseconds poll_interval() {
        // --poll-interval wins; else the slow safety net when events are configured.
        auto base =
            options.poll_interval.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                config::poll_interval(cfg.bitrix)));
        // ±10% jitter so several daemons (or restarts) do not poll in step.
        std::uniform_real_distribution<double> d(0.9, 1.1);
        return std::chrono::milliseconds(static_cast<std::int64_t>(base.count() * d(rng)));
    }
};

Awaitable<void> main_loop(Runtime& rt) {
    while (!rt.stopping) {
        rt.event_pending = false;
        co_await rt.mutex.lock();
        auto started = std::chrono::steady_clock::now();
        try {
            co_await rt.service->cycle();
        } catch (const std::exception& e) {
            log::error("CYCLE_FAILED", {{"error", e.what()}});
        }
        rt.mutex.unlock();
        rt.metrics.poll_duration().Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        rt.observer.sample(*rt.store, std::chrono::system_clock::now(),
                           rt.clients ? rt.clients->bitrix.get() : nullptr,
                           rt.clients ? rt.clients->zoho.get() : nullptr);
        if (rt.stopping)
            break;
        if (rt.event_pending)
            continue;
        rt.wake.expires_after(rt.poll_interval());
        co_await rt.wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    rt.loop_done = true;
    log::info("DAEMON_STOPPED", {});
    rt.admin->stop();
    rt.signals.cancel();
    rt.drain_timer.cancel();
    rt.ioc.stop();
}

void reload(Runtime& rt) {
    notify_systemd("RELOADING=1");
    log::info("RELOAD_STARTED", {{"config", rt.options.config.string()}});
    auto loaded = config::load_config(rt.options.config);
    if (!loaded.config) {
        for (const auto& d : loaded.diagnostics.all())
            log::error("RELOAD_PROBLEM", {{"problem", d.to_string()}});
        log::error("RELOAD_FAILED", {{"errors", loaded.diagnostics.error_count()},
                                     {"kept", "the running configuration and workflows"}});
        notify_systemd("READY=1");
        return;
    }
    auto wf = workflow::load_workflows(*loaded.config);
    if (!wf.set) {
        for (const auto& d : wf.diagnostics.all())
            log::error("RELOAD_PROBLEM", {{"problem", d.to_string()}});
        log::error("RELOAD_FAILED", {{"errors", wf.diagnostics.error_count()},
                                     {"kept", "the running configuration and workflows"}});
        notify_systemd("READY=1");
        return;
    }
    // The messages change language with the workflows whose defaults came from that catalog.
    messages::select(wf.set->language);
    rt.service->set_workflows(std::make_shared<const workflow::WorkflowSet>(std::move(*wf.set)));
    log::setup(log_options(loaded.config->logging));
    log::info("RELOAD_DONE", {{"workflows", rt.service ? "replaced" : ""},
                              {"note", "connection settings take effect on restart"}});
    notify_systemd("READY=1");
}

/// systemd's watchdog (WatchdogSec=): WATCHDOG=1 every `every` from a timer on the event loop,
/// so a loop that blocks stops the pings and systemd restarts the service.
void arm_watchdog(Runtime& rt, std::chrono::microseconds every) {
    rt.watchdog.expires_after(every);
    rt.watchdog.async_wait([&rt, every](const boost::system::error_code& ec) {
        if (ec)
            return;
        notify_systemd("WATCHDOG=1");
        arm_watchdog(rt, every);
    });
}

void arm_signals(Runtime& rt) {
    rt.signals.async_wait([&rt](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        if (sig == SIGHUP) {
            reload(rt);
            arm_signals(rt);
            return;
        }
        if (rt.stopping) {
            // A second SIGINT (Ctrl-C twice) stops at once; a repeated SIGTERM (timeout(1)
            // signals the whole process group too) just waits for the drain.
            if (sig == SIGINT) {
                log::warn("DAEMON_HARD_STOP", {{"signal", sig}});
                rt.ioc.stop();
            }
            arm_signals(rt);
            return;
        }
        rt.stopping = true;
        rt.metrics.up().Set(0);
        notify_systemd("STOPPING=1");
        rt.admin->set_health(admin::Health::stopping);
        log::info("DAEMON_STOPPING", {{"signal", sig}, {"drain_s", rt.options.drain.count()}});
        rt.wake.cancel();
        // Waits (retry backoff, budget, directory refresh) end now and reads in flight are cut;
        // only a write of a journaled step may still finish, within the drain time.
        rt.clock.stop();
        if (rt.clients)
            rt.clients->http->stop();
        rt.drain_timer.expires_after(rt.options.drain);
        rt.drain_timer.async_wait([&rt](const boost::system::error_code& e) {
            if (e || rt.loop_done)
                return;
            log::warn("DRAIN_TIMEOUT", {{"drain_s", rt.options.drain.count()}});
            rt.ioc.stop();
        });
        arm_signals(rt);
    });
}

/// Until when Zoho token minting is blocked (UTC), or null.
boost::json::value zoho_blocked_until(Runtime& rt) {
    auto until = rt.clients->zoho->tokens().blocked_until();
    if (!until)
        return nullptr;
    return boost::json::value(core::format_utc(*until));
}

admin::CommandResult from_error(const service::CommandError& e) {
    return admin::error_result(e.status(), e.code(), e.what());
}

void register_commands(Runtime& rt) {
    auto guarded = [&rt](auto fn) {
        return [&rt, fn](admin::CommandRequest req) -> Awaitable<admin::CommandResult> {
            co_await rt.mutex.lock();
            admin::CommandResult result;
            std::exception_ptr failure;
            try {
                result.body = co_await fn(req);
            } catch (const service::CommandError& e) {
                result = from_error(e);
            } catch (...) {
                failure = std::current_exception();  // the registry answers 500
            }
            rt.mutex.unlock();
            if (failure)
                std::rethrow_exception(failure);
            co_return result;
        };
    };
    auto id_of = [](const admin::CommandRequest& r) { return r.args.at("id").as_int64(); };
    // The Bitrix user who decides through the web console (`via` web is set only by the
    // console, never from an API request's header); 0 for tokens.
    // A break-glass console session decides as its admin token, like `hrmaild queue`.
    auto principal_of = [](const admin::CommandRequest& r) {
        return r.via == "web" && r.principal.starts_with("token:") ? r.principal.substr(6)
                                                                   : r.principal;
    };
    auto web_user = [](const admin::CommandRequest& r) -> std::int64_t {
        if (r.via != "web" || !r.principal.starts_with("bitrix:"))
            return 0;
        return std::stoll(r.principal.substr(7));
    };
    auto str_of = [](const admin::CommandRequest& r, const char* k) {
        const auto* v = r.args.if_contains(k);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    rt.commands.add(
        "queue.list", "Tickets, optionally in one state",
        guarded([&rt, str_of](admin::CommandRequest r) -> Awaitable<boost::json::value> {
            auto s = str_of(r, "state");
            std::optional<store::TicketState> state;
            if (!s.empty()) {
                state = store::parse_ticket_state(s);
                if (!state)
                    throw service::CommandError(400, "bad_state", "unknown state '" + s + "'");
            }
            co_return admin::queue_list_json(*rt.store, state);
        }));
    rt.commands.add("queue.show", "One ticket: plans, approvals, journal, schedule, audit",
                    guarded([&rt, id_of](admin::CommandRequest r) -> Awaitable<boost::json::value> {
                        auto id = id_of(r);
                        auto shown =
                            admin::queue_show_json(*rt.store, id, rt.zone ? &*rt.zone : nullptr);
                        if (!shown)
                            throw service::CommandError(404, "not_found",
                                                        "no ticket for task " + std::to_string(id));
                        co_return std::move(*shown);
                    }));
    rt.commands.add("queue.approve", "Approve the ticket's current plan",
                    guarded([&rt, id_of, str_of, web_user, principal_of](
                                admin::CommandRequest r) -> Awaitable<boost::json::value> {
                        co_return co_await rt.service->queue_approve(
                            id_of(r), principal_of(r), str_of(r, "plan_hash"), web_user(r));
                    }));
    rt.commands.add("queue.reject", "Reject the ticket's current plan (reason required)",
                    guarded([&rt, id_of, str_of, web_user, principal_of](
                                admin::CommandRequest r) -> Awaitable<boost::json::value> {
                        co_return co_await rt.service->queue_reject(
                            id_of(r), principal_of(r), str_of(r, "reason"), web_user(r));
                    }));
    rt.commands.add("queue.retry", "Send a done, rejected or failed ticket back to planning",
                    guarded([&rt, id_of](admin::CommandRequest r) -> Awaitable<boost::json::value> {
                        co_return co_await rt.service->queue_retry(id_of(r), r.principal);
                    }));
    rt.commands.add("reconcile", "Compare Zoho with hrmaild's records (changes nothing)",
                    guarded([&rt](admin::CommandRequest) -> Awaitable<boost::json::value> {
                        co_return co_await rt.service->reconcile_now();
                    }));
    rt.commands.add(
        "queue.cancel",
        "Cancel the ticket's pending scheduled steps or its plan waiting for a date",
        guarded([&rt, id_of, web_user,
                 principal_of](admin::CommandRequest r) -> Awaitable<boost::json::value> {
            co_return co_await rt.service->queue_cancel(id_of(r), principal_of(r), web_user(r));
        }));
    rt.commands.add(
        "status", "The daemon's state: tickets by state and counters",
        [&rt](admin::CommandRequest) -> Awaitable<admin::CommandResult> {
            boost::json::object counts;
            if (auto all = rt.store->count_tickets())
                for (const auto& c : *all)
                    counts[store::to_string(c.state)] = c.tickets;
            // The same numbers /metrics serves (one counter system).
            auto event = [&rt](service::Event e) {
                return static_cast<std::int64_t>(
                    rt.metrics.service_event(service::event_name(e)).Value());
            };
            co_return admin::CommandResult{
                200, boost::json::object{{"version", HRMAILD_VERSION},
                                         {"tickets", counts},
                                         {"polls", event(service::Event::poll)},
                                         {"comments_posted", event(service::Event::comment_posted)},
                                         {"dry_run", rt.cfg.policy.dry_run},
                                         {"zoho_token_blocked_until", zoho_blocked_until(rt)}}};
        });
    rt.commands.add(
        "reload", "Reload configuration and workflows (like SIGHUP)",
        [&rt](admin::CommandRequest) -> Awaitable<admin::CommandResult> {
            reload(rt);
            co_return admin::CommandResult{200, boost::json::object{{"reloaded", true}}};
        });
    rt.commands.add(
        "version", "The daemon's version",
        [](admin::CommandRequest) -> Awaitable<admin::CommandResult> {
            co_return admin::CommandResult{200, boost::json::object{{"version", HRMAILD_VERSION}}};
        });
    // `hrmaild plan` plans on the daemon's own snapshot when the daemon is up: no second
    // directory read and no token of its own.
    rt.commands.add("directory", "The Zoho Mail directory snapshot the daemon holds",
                    [&rt](admin::CommandRequest) -> Awaitable<admin::CommandResult> {
                        // The snapshot the daemon holds, as it is: no request to Zoho is made for
                        // it (the daemon refreshes it on its own schedule and after each change it
                        // makes).
                        auto& cache = rt.clients->zoho->directory();
                        auto held = cache.current();
                        if (!held) {
                            auto loaded = co_await cache.snapshot();
                            if (!loaded)
                                co_return admin::CommandResult{
                                    503,
                                    boost::json::object{{"error", "directory_unavailable"},
                                                        {"message", loaded.error().describe()}}};
                            held = *loaded;
                        }
                        co_return admin::CommandResult{200, workflow::directory_to_json(*held)};
                    });
}

int fail_start(int step, const std::string& what, const std::string& hint, int code) {
    log::critical("STARTUP_FAILED", {{"step", step}, {"reason", what}, {"hint", hint}});
    std::cerr << "hrmaild: start-up step " << step << " failed: " << what
              << (hint.empty() ? "" : "\n  hint: " + hint) << '\n';
    return code;
}

}  // namespace

int run_daemon(const RunOptions& options) {
    // 1. Configuration.
    auto loaded = config::load_config(options.config);
    std::cerr << loaded.diagnostics.to_string();
    if (!loaded.config)
        return fail_start(1,
                          fmt::format("{} has {} error(s)", options.config.string(),
                                      loaded.diagnostics.error_count()),
                          "run `hrmaild check --config " + options.config.string() + "`", 2);
    auto cfg = *loaded.config;
    if (options.dry_run)
        cfg.policy.dry_run = true;
    log::setup(log_options(cfg.logging));
    log::info("STARTUP_STEP",
              {{"step", 1}, {"what", "configuration"}, {"file", options.config.string()}});

    // 2. Workflows.
    auto wf = workflow::load_workflows(cfg);
    std::cerr << wf.diagnostics.to_string();
    if (!wf.set)
        return fail_start(2,
                          fmt::format("workflows in {} have {} error(s)",
                                      cfg.workflows.dir.string(), wf.diagnostics.error_count()),
                          "run `hrmaild check`", 2);
    messages::select(wf.set->language);
    log::info("STARTUP_STEP",
              {{"step", 2}, {"what", "workflows"}, {"count", wf.set->workflows.size()}});

    Runtime rt(cfg, options);

    // 3. State store.
    std::error_code ec;
    std::filesystem::create_directories(cfg.state.path.parent_path(), ec);
    store::SqliteOptions so;
    so.path = cfg.state.path;
    so.busy_timeout = cfg.state.busy_timeout;
    auto opened = store::SqliteStore::open(so);
    if (!opened)
        return fail_start(3, opened.error().message, opened.error().hint, 1);
    rt.store = std::move(*opened);
    log::info("STARTUP_STEP",
              {{"step", 3}, {"what", "state store"}, {"path", cfg.state.path.string()}});

    // 4. Clients.
    try {
        rt.clients = std::make_unique<Clients>(rt.ioc.get_executor(), cfg, rt.clock);
    } catch (const std::exception& e) {
        return fail_start(4, e.what(), "check the http and service sections of the configuration",
                          1);
    }
    // Every attempt of every remote call reaches the metrics (requests, throttles, results).
    net::set_call_observer([&rt](const net::RetryLabel& label, const net::CallError* error) {
        rt.observer.call(label, error);
    });
    struct CallObserverReset {
        ~CallObserverReset() { net::set_call_observer({}); }
    } call_observer_reset;
    rt.clients->zoho->tokens().on_block_change([&rt](std::optional<core::WallTime> until) {
        rt.metrics.zoho_token_blocked_until().Set(
            until ? std::chrono::duration<double>(until->time_since_epoch()).count() : 0.0);
    });
    rt.tickets = std::make_unique<BitrixTicketSource>(*rt.clients->bitrix, cfg.bitrix.project_id);
    rt.mail = std::make_unique<ZohoMailDirectory>(rt.clients->zoho->client(),
                                                  rt.clients->zoho->directory());
    {
        std::string zone_error;  // the loader checked the name: only a vanished file fails here
        rt.zone = core::TimeZone::load(cfg.policy.timezone, zone_error);
    }
    rt.reconcile_source = std::make_unique<ZohoReconcileSource>(rt.clients->zoho->client());
    if (cfg.reconcile.report_responsible != 0)
        rt.report_tasks = std::make_unique<BitrixReportTasks>(*rt.clients->bitrix);
    auto service_opts = service_options(cfg, rt.options, &rt.observer);
    service_opts.reconcile_source = rt.reconcile_source.get();
    service_opts.report_tasks = rt.report_tasks.get();
    rt.service = std::make_unique<service::Service>(
        rt.clock, *rt.store, *rt.tickets, mail_directory(*rt.mail, rt.mail_hook),
        std::make_shared<const workflow::WorkflowSet>(std::move(*wf.set)), std::move(service_opts));
    log::info("STARTUP_STEP", {{"step", 4},
                               {"what", "clients"},
                               {"bitrix", cfg.bitrix.portal_url},
                               {"zoho", cfg.zoho.api_url}});

    // 5. Admin listener.
    register_commands(rt);
    try {
        std::optional<Secret> app_token;
        if (cfg.bitrix.application_token)
            app_token = cfg.bitrix.application_token->value;
        rt.admin = std::make_unique<admin::AdminServer>(rt.ioc.get_executor(), cfg.admin, app_token,
                                                        rt.commands, rt.metrics);
        if (cfg.console.enabled) {
            console::SignInSettings si;
            si.portal_url = cfg.console.portal_url;
            si.oauth_server_url = cfg.console.oauth_server_url;
            si.client_id = cfg.console.client_id;
            if (cfg.console.client_secret)
                si.client_secret = cfg.console.client_secret->value;
            rt.sign_in = std::make_unique<console::BitrixSignIn>(*rt.clients->http, std::move(si));
            rt.console = std::make_unique<console::Console>(
                rt.clock, cfg.console, cfg.bitrix.portal_url, rt.commands, *rt.store, *rt.sign_in,
                [&rt](std::int64_t user) { return rt.service->is_approver(user); },
                [&rt](std::int64_t task) { return rt.service->known_title(task); });
            rt.console->set_version(HRMAILD_VERSION);
            if (rt.zone)
                rt.console->set_zone(*rt.zone);
            rt.console->set_break_glass_tokens(cfg.admin.tokens);
            rt.dashboard_source = std::make_unique<ZohoDashboardSource>(rt.clients->zoho->client());
            rt.dashboard = std::make_unique<dashboard::Dashboard>(
                *rt.dashboard_source, *rt.store, *rt.store, rt.clock,
                dashboard::Settings{cfg.dashboard.max_age, dashboard::kDefaultDays});
            rt.console->set_tablero([&rt]() -> Awaitable<std::optional<console::TableroContent>> {
                co_return console::tablero_content(co_await rt.dashboard->model(),
                                                   rt.zone ? &*rt.zone : nullptr);
            });
            rt.console->mount(*rt.admin);
            log::info("CONSOLE_ENABLED", {{"path", "/consola/"},
                                          {"portal", cfg.console.portal_url},
                                          {"secure_cookies", cfg.console.secure_cookies}});
        }
        rt.admin->on_task_event([&rt](std::string event, std::int64_t task_id) {
            // The echo of the daemon's own answers (its done comment, the completion) on a
            // ticket that ended wakes nothing; anything else starts a pass at once.
            bool matters = true;
            try {
                matters = rt.service->event_matters(task_id);
            } catch (const std::exception& e) {
                log::warn("TASK_EVENT", {{"event", event}, {"task", task_id}, {"error", e.what()}});
            }
            if (!matters) {
                log::debug("TASK_EVENT", {{"event", event}, {"task", task_id}, {"ignored", true}});
                return;
            }
            log::info("TASK_EVENT", {{"event", event}, {"task", task_id}});
            rt.event_pending = true;
            rt.wake.cancel();
        });
        rt.admin->start();
    } catch (const std::exception& e) {
        return fail_start(5, e.what(), "is another daemon listening on admin.listen?", 1);
    }
    log::info("STARTUP_STEP",
              {{"step", 5}, {"what", "admin listener"}, {"port", rt.admin->local_port()}});

    // 6. Intake, approvals and execution; a ticket left executing by a crash is settled by
    // probes on the first cycle.
    arm_signals(rt);
    asio::co_spawn(rt.ioc, main_loop(rt), [](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log::critical("LOOP_FAILED", {{"error", x.what()}});
        }
    });
    asio::co_spawn(rt.ioc, rt.clients->zoho->directory().run(), asio::detached);
    rt.admin->set_health(admin::Health::ready);
    rt.metrics.up().Set(1);
    notify_systemd(fmt::format(
        "READY=1\nSTATUS=polling project {} every {}s", cfg.bitrix.project_id,
        std::chrono::duration_cast<std::chrono::seconds>(
            rt.options.poll_interval.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                config::poll_interval(cfg.bitrix))))
            .count()));
    // Pinged at half the interval systemd asks for (WATCHDOG_USEC, for this pid).
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
        notify_systemd("WATCHDOG=1");
        arm_watchdog(rt, std::chrono::microseconds(watchdog_usec / 2));
    }
    log::info("DAEMON_READY", {{"admin", fmt::format("127.0.0.1:{}", rt.admin->local_port())},
                               {"dry_run", cfg.policy.dry_run},
                               {"watchdog_ms", watchdog_usec / 1000}});
    rt.ioc.run();
    return 0;
}

}  // namespace hrmaild::app
