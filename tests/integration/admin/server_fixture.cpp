#include "tests/integration/admin/server_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>
#include <sys/time.h>

namespace hrmaild::admin::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

ServerFixture::ServerFixture(config::AdminConfig config, std::optional<Secret> app_token,
                             ServerLimits limits) {
    for (const auto& name : standard_command_names()) {
        registry_.add(
            name, "echo " + name, [this](CommandRequest r) -> asio::awaitable<CommandResult> {
                if (r.name == "queue.cancel") {
                    asio::steady_timer t(io_, std::chrono::seconds(2));
                    co_await t.async_wait(asio::use_awaitable);
                }
                json::object echo{
                    {"name", r.name}, {"args", r.args}, {"principal", r.principal}, {"via", r.via}};
                if (r.name == "queue.list")
                    echo["tickets"] =
                        json::array{json::object{{"id", 42},
                                                 {"workflow", "alta"},
                                                 {"state", "awaiting_approval"},
                                                 {"updated_at", 1764324000000},
                                                 {"plan_hash", "9f86d081884c7d659a2feaa0"}}};
                co_return CommandResult{200, std::move(echo)};
            });
    }
    server_ = std::make_unique<AdminServer>(io_.get_executor(), std::move(config),
                                            std::move(app_token), registry_, metrics_, limits);
    server_->on_task_event([this](std::string event, std::int64_t id) {
        std::lock_guard lock(mutex_);
        events_.emplace_back(std::move(event), id);
    });
    // Before the thread starts, so no other thread touches the server yet.
    server_->start();
    port_ = server_->local_port();
    thread_ = std::thread([this] {
        auto guard = asio::make_work_guard(io_);
        io_.run();
    });
}

ServerFixture::~ServerFixture() {
    on_io([this] { server_->stop(); });
    // Let the server close its connections (bounded by shutdown_grace), then end the thread.
    for (int i = 0; i < 300 && on_io([this] { return server_->connection_count(); }) > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    io_.stop();
    thread_.join();
    server_.reset();
}

std::vector<std::pair<std::string, std::int64_t>> ServerFixture::events() {
    std::lock_guard lock(mutex_);
    return events_;
}

std::optional<RawResponse> http_exchange(std::uint16_t port, const std::string& request) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec)
        return std::nullopt;
    timeval tv{5, 0};  // a test that waits longer has failed anyway
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    asio::write(socket, asio::buffer(request), ec);
    if (ec)
        return std::nullopt;
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec)
        return std::nullopt;
    RawResponse out;
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& h : res) {
        std::string name(h.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(h.value());
    }
    out.body = res.body();
    return out;
}

}  // namespace hrmaild::admin::test
