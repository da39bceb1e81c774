#pragma once
/// Fault injection for the sandbox: for a route pattern, the next N calls (or a seeded
/// percentage of them) get added latency, a chosen status and body, a dropped connection or
/// the service's own throttle answer. Every fault applied is logged (`SANDBOX_FAULT_APPLIED`)
/// and kept in a log the control API serves.
#include "tests/sandbox/http_types.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace hrmaild::sandbox {

/// One injected fault, as `POST /_sandbox/faults` describes it.
struct Fault {
    /// What the fault does to a matching call.
    enum class Kind { latency, status, drop, throttle };

    std::string id;      ///< "f1", "f2", ... (assigned when added)
    std::string method;  ///< upper-case HTTP method, empty for any
    std::string route;   ///< glob on the path without query (`*` matches anything)
    Kind kind = Kind::status;
    int count = -1;          ///< calls still to hit; -1 unlimited (percentage without count)
    double percent = 100;    ///< chance that a matching call is hit
    std::uint64_t seed = 0;  ///< seed of the percentage draw, for reproducible runs
    std::chrono::milliseconds latency{0};  ///< latency kind: added delay
    int status = 503;                      ///< status kind: HTTP status
    std::string body;                      ///< status kind: body sent
    std::string content_type = "application/json; charset=utf-8";
    bool after = false;     ///< true: the emulator handles the call first, then the fault applies
    long long matched = 0;  ///< matching calls seen
    long long applied = 0;  ///< calls actually hit
    std::mt19937_64 rng;

    /// The fault as JSON (the control API's shape).
    [[nodiscard]] boost::json::object to_json() const;
};

/// Name of a fault kind: latency, status, drop, throttle.
std::string kind_name(Fault::Kind kind);

/// What the faults decided for one call.
struct FaultDecision {
    std::chrono::milliseconds latency{0};  ///< sum of the latency faults hit
    std::optional<Fault> terminal;         ///< the status, drop or throttle fault hit, if any
    std::vector<Fault> applied;            ///< every fault hit, in order (copies)
};

/// The active faults and the log of those applied.
class Faults {
  public:
    /// Adds a fault from its JSON description; its id, or nothing with `error` set.
    std::optional<std::string> add(const boost::json::object& spec, std::string& error);
    /// Removes every fault (the log stays).
    void clear();
    /// Removes one fault by id; false when unknown.
    bool remove(const std::string& id);
    /// Decides which faults hit this call (consumes counts and draws) and logs each one.
    FaultDecision decide(const Request& request, std::chrono::system_clock::time_point now);
    /// Appends a line to the fault log (what was finally done, with the status sent).
    void log_applied(const Fault& fault, const Request& request, int status,
                     std::chrono::system_clock::time_point now);
    /// The faults, active or used up, as JSON.
    [[nodiscard]] boost::json::array to_json() const;
    /// The fault log, oldest first (at most 1000 entries).
    [[nodiscard]] boost::json::array log_json() const;
    /// Clears faults, log and the id counter.
    void reset();

  private:
    std::vector<Fault> faults_;
    std::deque<boost::json::object> log_;
    long long next_id_ = 1;
    long long next_seq_ = 1;
};

}  // namespace hrmaild::sandbox
