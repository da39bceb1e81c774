#pragma once
/// The one command registry behind the admin API and the CLI (STYLE.md point 8, after Kea's
/// command interpreter): every operator action is a named command with declared arguments, a
/// help line and a coroutine handler. The admin server maps routes onto commands; the CLI
/// reaches the same commands through the admin API.
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::admin {

/// One call of a command.
struct CommandRequest {
    std::string name;          ///< e.g. `queue.approve`
    boost::json::object args;  ///< validated against the command's argument specs
    std::string principal;     ///< who asked: the name of the bearer token
    std::string via;           ///< how: `api` or `cli` (informational, for the audit trail)
};

/// What a command answers: an HTTP-like status and a JSON body. Errors use 400/404/409 (and
/// 500/503/504 from the registry or server) with the body `{"error": code, "message": text}`.
struct CommandResult {
    int status = 200;
    boost::json::value body;
};

/// A command's implementation; runs on the daemon's io_context thread.
using Handler = std::function<boost::asio::awaitable<CommandResult>(CommandRequest)>;

/// The JSON type an argument must have.
enum class ArgType { integer, string, boolean };

/// One declared argument of a command.
struct ArgSpec {
    std::string name;
    ArgType type = ArgType::string;
    bool required = false;
    bool non_empty = false;  ///< strings: must contain something besides spaces
    std::string help;
};

/// A registered command, as `list()` shows it.
struct CommandInfo {
    std::string name;
    std::string help;
    std::vector<ArgSpec> args;
};

/// An error result: `{"error": code, "message": message}` with `status`.
CommandResult error_result(int status, std::string_view code, std::string_view message);

/// The argument specs of the commands the daemon registers (`queue.list`, `queue.show`,
/// `queue.approve`, `queue.reject`, `queue.retry`, `queue.cancel`, `status`, `reload`,
/// `version`), as docs/admin-api.md documents them; empty for any other name.
std::vector<ArgSpec> standard_args(std::string_view name);

/// The names of the standard commands, in the order `list()` shows them.
const std::vector<std::string>& standard_command_names();

/// Name → handler, with argument validation done once for the API and the CLI.
class CommandRegistry {
  public:
    /// Registers (or replaces) a command; its arguments are `standard_args(name)`.
    void add(std::string name, std::string help, Handler handler);
    /// Registers (or replaces) a command with explicit argument specs.
    void add(std::string name, std::string help, std::vector<ArgSpec> args, Handler handler);
    /// Whether a command of that name is registered.
    [[nodiscard]] bool contains(std::string_view name) const;
    /// Validates the arguments and runs the command. Unknown name → 404 `unknown_command`;
    /// bad arguments → 400 (`unknown_argument`, `missing_argument`, `bad_argument`); a
    /// handler that throws → 500 `internal` (logged as ADMIN_COMMAND_FAILED).
    boost::asio::awaitable<CommandResult> run(CommandRequest request) const;
    /// Every registered command, sorted by name.
    [[nodiscard]] std::vector<CommandInfo> list() const;
    /// Checks `args` against a command's specs without running it; nullopt when they pass.
    [[nodiscard]] std::optional<CommandResult> validate(std::string_view name,
                                                        const boost::json::object& args) const;

  private:
    struct Entry {
        CommandInfo info;
        Handler handler;
    };
    std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace hrmaild::admin
