#pragma once
/// The daemon's Prometheus metrics: one registry, owned here, served by the admin server on
/// GET /metrics in the text exposition format.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace hrmaild::admin {

/// The metric families the daemon updates. Lives on the io_context thread like the rest of
/// the daemon (prometheus-cpp metrics are thread-safe anyway).
class Metrics {
  public:
    Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// `hrmaild_tickets_total{state}`: tickets that reached `state` (new, planned, done, ...).
    prometheus::Counter& ticket_reached(std::string_view state);
    /// `hrmaild_steps_total{op,result}`: executed steps by Zoho operation and result
    /// (succeeded, failed, retried, probed).
    prometheus::Counter& step(std::string_view op, std::string_view result);
    /// `hrmaild_remote_calls_total{service,result}`: calls to bitrix or zoho by result
    /// (ok, retryable, permanent, conflict, auth).
    prometheus::Counter& remote_call(std::string_view service, std::string_view result);
    /// `hrmaild_admin_requests_total{status}`: admin server answers by HTTP status.
    prometheus::Counter& admin_request(int status);
    /// `hrmaild_queue_depth`: tickets waiting for approval.
    prometheus::Gauge& queue_depth() { return queue_depth_; }
    /// `hrmaild_service_events_total{event}`: what the service counted (polls, tasks seen,
    /// closed tasks skipped, tasks queued past the horizon, comments posted, notifications
    /// sent, probes).
    prometheus::Counter& service_event(std::string_view event);
    /// `hrmaild_upstream_requests_total{upstream,operation}`: every attempt of every call.
    prometheus::Counter& upstream_request(std::string_view upstream, std::string_view operation);
    /// `hrmaild_upstream_throttles_total{upstream,operation}`: attempts the service refused for
    /// its rate limit (Bitrix QUERY_LIMIT_EXCEEDED, Zoho 429...).
    prometheus::Counter& upstream_throttle(std::string_view upstream, std::string_view operation);
    /// `hrmaild_rate_budget_remaining{upstream}`: requests the client may send now without
    /// waiting (its leaky bucket / token bucket).
    prometheus::Gauge& rate_budget(std::string_view upstream);
    /// `hrmaild_zoho_token_mints_total`: access tokens this process minted.
    prometheus::Counter& zoho_token_mints() { return zoho_token_mints_; }
    /// `hrmaild_tickets{state}`: tickets in each state now.
    prometheus::Gauge& tickets_in(std::string_view state);
    /// `hrmaild_oldest_awaiting_approval_seconds`: age of the oldest ticket waiting for an
    /// approver (0 when none waits).
    prometheus::Gauge& oldest_awaiting() { return oldest_awaiting_; }
    /// `hrmaild_scheduled_steps_due`: scheduled steps whose time has come.
    prometheus::Gauge& scheduled_due() { return scheduled_due_; }
    /// `hrmaild_poll_duration_seconds`: how long one poll of the HR project took.
    prometheus::Histogram& poll_duration() { return poll_duration_; }
    /// `hrmaild_up`: 1 while the daemon is ready, 0 while starting or stopping.
    prometheus::Gauge& up() { return up_; }
    /// `hrmaild_zoho_token_blocked_until_seconds`: Unix time at which Zoho access-token
    /// minting is allowed again, 0 when it is not blocked.
    prometheus::Gauge& zoho_token_blocked_until() { return zoho_token_blocked_until_; }

    /// The registry, for anything else that wants to add a family.
    [[nodiscard]] const std::shared_ptr<prometheus::Registry>& registry() const {
        return registry_;
    }
    /// Every family in the Prometheus text format (what GET /metrics answers).
    [[nodiscard]] std::string serialize() const;

    /// The Content-Type of `serialize()`'s output.
    static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

  private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>& tickets_;
    prometheus::Family<prometheus::Counter>& steps_;
    prometheus::Family<prometheus::Counter>& remote_calls_;
    prometheus::Family<prometheus::Counter>& admin_requests_;
    prometheus::Gauge& queue_depth_;
    prometheus::Family<prometheus::Counter>& service_events_;
    prometheus::Family<prometheus::Counter>& upstream_requests_;
    prometheus::Family<prometheus::Counter>& upstream_throttles_;
    prometheus::Family<prometheus::Gauge>& rate_budget_;
    prometheus::Counter& zoho_token_mints_;
    prometheus::Family<prometheus::Gauge>& tickets_in_;
    prometheus::Gauge& oldest_awaiting_;
    prometheus::Gauge& scheduled_due_;
    prometheus::Histogram& poll_duration_;
    prometheus::Gauge& up_;
    prometheus::Gauge& zoho_token_blocked_until_;
};

}  // namespace hrmaild::admin
