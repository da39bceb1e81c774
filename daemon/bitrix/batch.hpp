#pragma once
/// A queue of REST commands sent through `batch` (reference section 5): up to 50 commands a
/// request, each encoded as `method?query` like PHP's `http_build_query`.
#include <boost/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace hrmaild::bitrix {

/// Commands to run; `BitrixClient::run` sends them and maps each answer back by index.
class Batch {
  public:
    /// One queued command.
    struct Command {
        std::string method;
        boost::json::object params;
    };

    /// Queues a command; returns its index in the results.
    std::size_t add(std::string method, boost::json::object params = {});
    /// Commands queued so far.
    [[nodiscard]] std::size_t size() const { return commands_.size(); }
    [[nodiscard]] bool empty() const { return commands_.empty(); }
    [[nodiscard]] const std::vector<Command>& commands() const { return commands_; }
    /// Stop at the first command that fails (`halt=1`): the commands after it are not run, and
    /// `BitrixClient::run` answers them "not executed". Writes whose order matters use it.
    void set_halt(bool halt) { halt_ = halt; }
    [[nodiscard]] bool halt() const { return halt_; }
    /// The `batch` request body for commands [first, last): `{"halt":0,"cmd":{"c<i>":...}}`.
    [[nodiscard]] boost::json::object body(std::size_t first, std::size_t last) const;
    /// The name command `index` carries inside a `batch` call.
    static std::string name(std::size_t index);

  private:
    std::vector<Command> commands_;
    bool halt_ = false;
};

}  // namespace hrmaild::bitrix
