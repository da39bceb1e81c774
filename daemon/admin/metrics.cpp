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

prometheus::Counter& Metrics::admin_request(int status) {
    return admin_requests_.Add({{"status", std::to_string(status)}});
}

std::string Metrics::serialize() const {
    return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

}  // namespace hrmaild::admin
