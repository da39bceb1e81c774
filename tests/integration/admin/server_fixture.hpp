#pragma once
// A running admin server on 127.0.0.1:0 for the integration tests, and a raw HTTP client.
#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/admin/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hrmaild::admin::test {

/// What a raw exchange got back.
struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

/// The server on its own io_context thread; everything that touches it goes through `on_io`.
class ServerFixture {
  public:
    /// Registers every standard command with an echo handler (it answers its request:
    /// name, args, principal, via; `queue.list` adds one ticket, 42), `queue.cancel` taking
    /// 2 s (time limits), and
    /// starts the server on `config.listen`.
    ServerFixture(config::AdminConfig config, std::optional<Secret> app_token,
                  ServerLimits limits = {});
    ~ServerFixture();

    /// Runs `f` on the io_context thread and waits for it.
    template <typename F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto fut = task.get_future();
        boost::asio::post(io_, [&task] { task(); });
        return fut.get();
    }
    std::uint16_t port() const { return port_; }
    AdminServer& server() { return *server_; }
    CommandRegistry& registry() { return registry_; }
    Metrics& metrics() { return metrics_; }

    /// Events seen by the callback.
    std::vector<std::pair<std::string, std::int64_t>> events();

  private:
    boost::asio::io_context io_;
    CommandRegistry registry_;
    Metrics metrics_;
    std::unique_ptr<AdminServer> server_;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::vector<std::pair<std::string, std::int64_t>> events_;
    std::thread thread_;
};

/// Sends `request` verbatim and reads one response (Beast's parser), or nullopt when the
/// connection closed first.
std::optional<RawResponse> http_exchange(std::uint16_t port, const std::string& request);

}  // namespace hrmaild::admin::test
