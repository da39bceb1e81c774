#pragma once
/// The client side of the admin API, used by `hrmaild queue`: which HTTP call carries a
/// command, which token to present, how to reach the daemon, and how to print its answers.
/// Kept apart from the CLI so tests reach it without a process.
#include "daemon/config/config.hpp"
#include "daemon/core/secret.hpp"
#include "daemon/net/http_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::admin {

/// One `hrmaild queue` invocation after argument parsing.
struct QueueCommand {
    std::string verb;       ///< list | show | approve | reject | retry | cancel
    std::int64_t id = 0;    ///< every verb but list
    std::string state;      ///< list: only this state (optional)
    std::string reason;     ///< reject: required, not blank
    std::string plan_hash;  ///< approve: only if the plan still has this hash (optional)
};

/// The HTTP call that carries a command.
struct ApiCall {
    std::string method;  ///< GET or POST
    std::string target;  ///< path and query, e.g. /api/v1/queue/7/reject
    std::string body;    ///< a JSON object for POST, else empty
};

/// Builds the call for a queue command; nullopt with `why` on a usage error (unknown verb,
/// id not positive, blank reason).
std::optional<ApiCall> build_queue_call(const QueueCommand& command, std::string* why = nullptr);

/// Picks the token to present: the one called `name`, or, when `name` is empty, the only one
/// configured. Nullopt with `why` (listing the configured names) otherwise.
std::optional<config::AdminToken> pick_token(const std::vector<config::AdminToken>& tokens,
                                             std::string_view name, std::string* why = nullptr);

/// `http://host:port` for reaching a server that listens on `listen`; a wildcard address
/// (0.0.0.0, ::) is reached through loopback. Nullopt when `listen` is not host:port.
std::optional<std::string> admin_base_url(std::string_view listen);

/// What came back from the daemon.
struct ApiAnswer {
    bool reached = false;     ///< an HTTP answer arrived
    int status = 0;           ///< its status
    boost::json::value body;  ///< its JSON body (null when it was not JSON)
    std::string error;        ///< why the daemon was not reached, or its error message
};

/// Sends one call with `Authorization: Bearer` and `X-Hrmaild-Via: cli` (all arguments by
/// value: the coroutine may outlive the caller's temporaries).
boost::asio::awaitable<ApiAnswer> send_api_call(net::HttpTransport& transport, std::string base_url,
                                                Secret token, ApiCall call);

/// The same, blocking on a private io_context with the net client (for the CLI): `http` with
/// its connect time bounded by `timeout`, its read and total time set to it, and the
/// User-Agent `hrmaild-cli`.
ApiAnswer call_admin_api(const std::string& base_url, const Secret& token, const ApiCall& call,
                         net::HttpSettings http,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Human output of `queue.list`'s result: a table (ID, STATE, WORKFLOW, UPDATED, PLAN).
std::string format_queue_list(const boost::json::value& result);
/// Human output of `queue.show`'s result: one block per ticket.
std::string format_ticket(const boost::json::value& result);
/// Human output of the approve/reject/retry/cancel results: one line.
std::string format_action(const boost::json::value& result);
/// One line for a refused call: `409 wrong_state: the ticket is done`.
std::string describe_refusal(const ApiAnswer& answer);

}  // namespace hrmaild::admin
