// Fuzz target: the admin server's request handling without a socket
// (`AdminServer::answer_bytes`): HTTP parsing with the connection's limits, routing, query
// and path parameters, bearer tokens, JSON bodies of queue actions, the form-encoded Bitrix24
// event receiver, and the commands the routes reach (registered here with handlers that
// answer at once, so the registry's argument checks run too).
//
// Input: the first byte picks the peer (loopback or not), the rest are the request's bytes.
#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/admin/server.hpp"
#include "daemon/log/log.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

using namespace hrmaild;
namespace asio = boost::asio;

namespace {

struct World {
    asio::io_context io;
    admin::CommandRegistry commands;
    admin::Metrics metrics;
    std::unique_ptr<admin::AdminServer> server;
    std::int64_t events = 0;
};
World* g = nullptr;

bool bytes_blank(const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i)
        if (data[i] != '\r' && data[i] != '\n')
            return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    g = new World;
    for (const auto& name : admin::standard_command_names())
        g->commands.add(
            name, "fuzz",
            [](admin::CommandRequest request) -> asio::awaitable<admin::CommandResult> {
                co_return admin::CommandResult{200, boost::json::object{{"args", request.args}}};
            });
    config::AdminConfig cfg;
    cfg.listen = "127.0.0.1:0";
    cfg.max_body_bytes = 4096;
    cfg.tokens.push_back({"ops", {"/dev/null", Secret("fuzz-admin-token")}});
    g->server = std::make_unique<admin::AdminServer>(
        g->io.get_executor(), cfg, Secret("fuzz-app-token"), g->commands, g->metrics);
    g->server->set_health(admin::Health::ready);
    g->server->on_task_event([](std::string, std::int64_t) { ++g->events; });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    auto peer = (data[0] & 1) != 0 ? asio::ip::make_address("192.0.2.7")
                                   : asio::ip::make_address("127.0.0.1");
    std::string bytes(fuzz::as_text(data + 1, size - 1));
    const bool names_secret = bytes.find("fuzz-admin-token") != std::string::npos ||
                              bytes.find("fuzz-app-token") != std::string::npos;
    log::CaptureSink capture;
    std::string answer;
    asio::co_spawn(g->io, g->server->answer_bytes(std::move(bytes), peer),
                   [&](std::exception_ptr e, std::string r) {
                       if (e)
                           std::rethrow_exception(e);
                       answer = std::move(r);
                   });
    g->io.run();
    g->io.restart();
    // Every request gets an HTTP answer; only bytes without one (nothing, or blank lines) none.
    const bool blank = bytes_blank(data + 1, size - 1);
    if (answer.empty() ? !blank : answer.rfind("HTTP/1.", 0) != 0)
        __builtin_trap();
    // The tokens never show in an answer or a log line (unless the request itself held one).
    if (!names_secret) {
        const std::string logged = capture.text();
        for (const char* secret : {"fuzz-admin-token", "fuzz-app-token"})
            if (answer.find(secret) != std::string::npos ||
                logged.find(secret) != std::string::npos)
                __builtin_trap();
    }
    return 0;
}
