#pragma once
/// The one path from what the daemon does to its Prometheus metrics (issue 10): the service's
/// events (service::Observer), every remote call attempt (net::set_call_observer), and the
/// gauges read from the store and the clients after each pass.
#include "daemon/admin/metrics.hpp"
#include "daemon/bitrix/client.hpp"
#include "daemon/net/retry.hpp"
#include "daemon/service/observer.hpp"
#include "daemon/store/state_store.hpp"
#include "daemon/zoho/connection.hpp"

#include <chrono>
#include <cstddef>

namespace hrmaild::app {

/// Turns the service's events into metrics.
class MetricsObserver final : public service::Observer {
  public:
    /// `metrics` must outlive the observer.
    explicit MetricsObserver(admin::Metrics& metrics) : metrics_(metrics) {}

    void count(service::Event event) override;
    void ticket_state(store::TicketState state) override;
    void step(std::string_view op, std::string_view result) override;

    /// What `net::set_call_observer` is given: requests, throttles and results by upstream.
    void call(const net::RetryLabel& label, const net::CallError* error);

    /// Sets the gauges from the store (tickets by state, oldest waiting ticket, scheduled
    /// steps due) and the clients (rate budgets, token mints).
    void sample(store::StateStore& store, std::chrono::system_clock::time_point now,
                bitrix::BitrixClient* bitrix, zoho::ZohoConnection* zoho);

  private:
    admin::Metrics& metrics_;
    std::size_t mints_seen_ = 0;
};

}  // namespace hrmaild::app
