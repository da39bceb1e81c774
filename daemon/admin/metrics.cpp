#include "daemon/admin/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace hrmaild::admin {

namespace {

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

}  // namespace

// Polls take from a few milliseconds (sandbox) to tens of seconds (a slow portal, paging).
Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>())
    , tickets_(counter(*registry_, "hrmaild_tickets_total", "Tickets that reached each state."))
    , steps_(counter(*registry_, "hrmaild_steps_total",
                     "Executed plan steps by operation and result."))
    , remote_calls_(counter(*registry_, "hrmaild_remote_calls_total",
                            "Calls to Bitrix24 and Zoho Mail by result."))
    , admin_requests_(counter(*registry_, "hrmaild_admin_requests_total",
                              "Admin server answers by HTTP status."))
    , queue_depth_(prometheus::BuildGauge()
                       .Name("hrmaild_queue_depth")
                       .Help("Tickets waiting for approval.")
                       .Register(*registry_)
                       .Add({}))
    , service_events_(counter(*registry_, "hrmaild_service_events_total",
                              "What the service counted, by event."))
    , upstream_requests_(counter(*registry_, "hrmaild_upstream_requests_total",
                                 "Attempts of calls to Bitrix24 and Zoho Mail, by operation."))
    , upstream_throttles_(counter(*registry_, "hrmaild_upstream_throttles_total",
                                  "Attempts refused by the service's rate limit, by operation."))
    , rate_budget_(prometheus::BuildGauge()
                       .Name("hrmaild_rate_budget_remaining")
                       .Help("Requests a client may send now without waiting.")
                       .Register(*registry_))
    , zoho_token_mints_(counter(*registry_, "hrmaild_zoho_token_mints_total",
                                "Zoho access tokens this process minted.")
                            .Add({}))
    , tickets_in_(prometheus::BuildGauge()
                      .Name("hrmaild_tickets")
                      .Help("Tickets in each state now.")
                      .Register(*registry_))
    , oldest_awaiting_(prometheus::BuildGauge()
                           .Name("hrmaild_oldest_awaiting_approval_seconds")
                           .Help("Age of the oldest ticket waiting for an approver; 0: none.")
                           .Register(*registry_)
                           .Add({}))
    , scheduled_due_(prometheus::BuildGauge()
                         .Name("hrmaild_scheduled_steps_due")
                         .Help("Scheduled steps whose time has come.")
                         .Register(*registry_)
                         .Add({}))
    , poll_duration_(
          prometheus::BuildHistogram()
              .Name("hrmaild_poll_duration_seconds")
              .Help("Duration of one poll of the HR project.")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                               5, 10, 30, 60}))
    , up_(prometheus::BuildGauge()
              .Name("hrmaild_up")
              .Help("1 while the daemon is ready, 0 while it starts or stops.")
              .Register(*registry_)
              .Add({}))
    , zoho_token_blocked_until_(
          prometheus::BuildGauge()
              .Name("hrmaild_zoho_token_blocked_until_seconds")
              .Help("Unix time when Zoho access-token minting is allowed again; 0: not blocked.")
              .Register(*registry_)
              .Add({})) {}

prometheus::Counter& Metrics::ticket_reached(std::string_view state) {
    return tickets_.Add({{"state", std::string(state)}});
}

prometheus::Counter& Metrics::step(std::string_view op, std::string_view result) {
    return steps_.Add({{"op", std::string(op)}, {"result", std::string(result)}});
}

prometheus::Counter& Metrics::remote_call(std::string_view service, std::string_view result) {
    return remote_calls_.Add({{"service", std::string(service)}, {"result", std::string(result)}});
}

prometheus::Counter& Metrics::service_event(std::string_view event) {
    return service_events_.Add({{"event", std::string(event)}});
}

prometheus::Counter& Metrics::upstream_request(std::string_view upstream,
                                               std::string_view operation) {
    return upstream_requests_.Add(
        {{"upstream", std::string(upstream)}, {"operation", std::string(operation)}});
}

prometheus::Counter& Metrics::upstream_throttle(std::string_view upstream,
                                                std::string_view operation) {
    return upstream_throttles_.Add(
        {{"upstream", std::string(upstream)}, {"operation", std::string(operation)}});
}

prometheus::Gauge& Metrics::rate_budget(std::string_view upstream) {
    return rate_budget_.Add({{"upstream", std::string(upstream)}});
}

prometheus::Gauge& Metrics::tickets_in(std::string_view state) {
    return tickets_in_.Add({{"state", std::string(state)}});
}

prometheus::Counter& Metrics::admin_request(int status) {
    return admin_requests_.Add({{"status", std::to_string(status)}});
}

std::string Metrics::serialize() const {
    return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

}  // namespace hrmaild::admin
