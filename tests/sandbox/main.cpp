// hrmaild-sandbox: the Bitrix24 and Zoho Mail emulators on one loopback listener, for the demo
// and for tests that run the real binaries. Thin: arguments, seed, listen, ready file, run
// until SIGTERM/SIGINT.
#include "daemon/log/log.hpp"
#include "tests/sandbox/server.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>

#include <cstdio>
#include <exception>
#include <iostream>

namespace {

int run(int argc, char** argv) {
    using namespace hrmaild::sandbox;
    CLI::App app{"hrmaild-sandbox: Bitrix24 and Zoho Mail emulators for hrmaild"};
    std::string listen = "127.0.0.1:8790";
    std::string seed_dir;
    std::string ready_file;
    std::string event_url;
    std::string log_level = "info";
    ServerOptions options;
    app.add_option("--listen", listen, "host:port to listen on (port 0 picks a free one)")
        ->capture_default_str();
    app.add_option("--seed", seed_dir, "folder with portal.json, org.json and requests/*.json");
    app.add_option("--ready-file", ready_file,
                   "once listening, write the service URLs here as JSON (atomically)");
    app.add_option("--tls-cert", options.tls_cert, "PEM certificate chain: serve HTTPS");
    app.add_option("--tls-key", options.tls_key, "PEM private key for --tls-cert");
    app.add_option("--event-url", event_url,
                   "where Bitrix24 events (ONTASKADD, ...) are POSTed, e.g. the daemon's receiver");
    app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    auto log_options = hrmaild::log::default_options();
    if (!hrmaild::log::parse_level(log_level, log_options.level)) {
        std::cerr << "hrmaild-sandbox: unknown --log-level " << log_level << "\n";
        return 2;
    }
    hrmaild::log::setup(log_options);

    // 1. Arguments.
    if (!parse_listen(listen, options.host, options.port)) {
        hrmaild::log::critical("SANDBOX_START_FAILED",
                               {{"step", "arguments"}, {"reason", "--listen must be host:port"}});
        return 2;
    }
    // 2. Seed.
    boost::asio::io_context io;
    Sandbox sandbox;
    if (!event_url.empty())
        sandbox.set_event_url(event_url);
    if (!seed_dir.empty()) {
        std::string error;
        auto seed = load_seed_dir(seed_dir, error);
        if (!seed) {
            hrmaild::log::critical("SANDBOX_START_FAILED", {{"step", "seed"}, {"reason", error}});
            return 1;
        }
        sandbox.load_seed(*seed);
    }
    // Signals are caught from here on, so a SIGTERM sent as soon as the ready file appears
    // still ends the process cleanly.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    // 3. Listen.
    Server server(io, sandbox, options);
    try {
        server.start();
    } catch (const std::exception& e) {
        hrmaild::log::critical("SANDBOX_START_FAILED", {{"step", "listen"}, {"reason", e.what()}});
        return 1;
    }
    // 4. Ready file, once the listener is up.
    if (!ready_file.empty()) {
        std::string error;
        if (!write_file_atomic(ready_file, boost::json::serialize(server.endpoints()) + "\n",
                               error)) {
            hrmaild::log::critical("SANDBOX_START_FAILED",
                                   {{"step", "ready-file"}, {"reason", error}});
            return 1;
        }
    }
    hrmaild::log::info("SANDBOX_READY", {{"url", server.base_url()},
                                         {"ready_file", ready_file.empty() ? "-" : ready_file}});
    // 5. Serve until SIGTERM or SIGINT (the handler was installed before the ready file).
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec)
            return;
        hrmaild::log::info("SANDBOX_STOPPING", {{"signal", signal}});
        server.stop();
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        hrmaild::log::critical("SANDBOX_START_FAILED", {{"step", "run"}, {"reason", e.what()}});
        return 1;
    }
}
