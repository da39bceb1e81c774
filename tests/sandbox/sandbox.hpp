#pragma once
/// The sandbox as one object: the Bitrix24 and Zoho emulators on a shared clock, fault
/// injection, request counters and the control API under `/_sandbox/`. No sockets: the
/// server (server.hpp) parses HTTP and calls `handle`. Single-threaded.
#include "tests/sandbox/bitrix_emulator.hpp"
#include "tests/sandbox/faults.hpp"
#include "tests/sandbox/http_types.hpp"
#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/zoho_emulator.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::sandbox {

/// An outgoing Bitrix24 event: a form body to POST once to `url`.
struct OutgoingEvent {
    std::string url;
    std::string body;
};

/// Both emulators, the faults and the control API.
class Sandbox {
  public:
    Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    /// The shared sandbox clock.
    Clock& clock() { return clock_; }
    /// The Zoho Mail emulator.
    ZohoEmulator& zoho() { return zoho_; }
    /// The Bitrix24 emulator.
    BitrixEmulator& bitrix() { return bitrix_; }
    /// The fault table.
    Faults& faults() { return faults_; }

    /// Loads seed data. Unless `append`, both emulators are reset first and the seed becomes
    /// what `POST /_sandbox/reset` returns to.
    void load_seed(const SeedData& seed, bool append = false);
    /// Where Bitrix events go (`--event-url`); kept across resets and seeds.
    void set_event_url(std::string url);

    /// Answers any request: `/rest/` → Bitrix, `/api/` and `/oauth/` → Zoho, `/_sandbox/` →
    /// control. Faults apply to every route but the control API.
    Response handle(const Request& request);

    /// Events raised by the last calls, for the server to deliver (each once, no retries).
    std::vector<OutgoingEvent> take_outgoing_events();
    /// The server reports how a delivery went (counted in the state).
    void note_event_delivery(bool delivered, const std::string& detail);

    /// `GET /_sandbox/state` as JSON.
    [[nodiscard]] boost::json::value state() const;

    /// The control route's name for a request path, e.g. `POST /api/organization/{zoid}/accounts`.
    [[nodiscard]] static std::string route_key(const Request& request);

  private:
    Response control(const Request& request);
    Response bitrix_control(const Request& request, const std::string& path);
    void collect_bitrix_events();
    Response route(const Request& request);
    void count(const Request& request);
    void reset_all(bool empty);
    [[nodiscard]] boost::json::object bitrix_options_json() const;
    bool configure_bitrix(const boost::json::object& patch, std::string& error);
    [[nodiscard]] boost::json::object clock_json() const;

    Clock clock_;
    ZohoEmulator zoho_;
    BitrixEmulator bitrix_;
    Faults faults_;
    std::optional<SeedData> reset_seed_;
    std::string event_url_;
    std::vector<OutgoingEvent> outgoing_;
    std::map<std::string, long long> by_route_;
    // Calls the emulators handled (not stopped by a fault first), by route key, Zoho `mode`
    // and the status they answered: what took effect, for exactly-once checks.
    std::map<std::string, long long> reached_;
    long long total_ = 0;
    long long bitrix_requests_ = 0;
    long long zoho_api_requests_ = 0;
    long long zoho_oauth_requests_ = 0;
    long long control_requests_ = 0;
    long long other_requests_ = 0;
    long long faults_applied_ = 0;
    long long events_delivered_ = 0;
    long long events_failed_ = 0;
    std::string last_event_error_;
};

}  // namespace hrmaild::sandbox
