#include "daemon/app/metrics_observer.hpp"

#include <algorithm>
#include <map>

namespace hrmaild::app {

void MetricsObserver::count(service::Event event) {
    metrics_.service_event(service::event_name(event)).Increment();
}

void MetricsObserver::ticket_state(store::TicketState state) {
    metrics_.ticket_reached(store::to_string(state)).Increment();
}

void MetricsObserver::step(std::string_view op, std::string_view result) {
    metrics_.step(op, result).Increment();
}

void MetricsObserver::call(const net::RetryLabel& label, const net::CallError* error) {
    const std::string_view upstream = label.upstream.empty() ? "other" : label.upstream;
    const std::string_view operation = label.operation.empty() ? "other" : label.operation;
    metrics_.upstream_request(upstream, operation).Increment();
    std::string_view result = "ok";
    if (error != nullptr) {
        // A throttle answer is the service saying "not now, and nothing was done".
        if (error->not_executed && error->http_status != 0)
            metrics_.upstream_throttle(upstream, operation).Increment();
        result =
            error->outcome_unknown ? std::string_view("unknown") : core::to_string(error->kind);
    }
    metrics_.remote_call(upstream, result).Increment();
}

void MetricsObserver::sample(store::StateStore& store, std::chrono::system_clock::time_point now,
                             bitrix::BitrixClient* bitrix, zoho::ZohoConnection* zoho) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (auto counts = store.count_tickets()) {
        std::map<store::TicketState, store::StateCount> by_state;
        for (const auto& c : *counts)
            by_state[c.state] = c;
        for (int i = 0; i <= static_cast<int>(store::TicketState::cancelled); ++i) {
            const auto s = static_cast<store::TicketState>(i);
            metrics_.tickets_in(store::to_string(s)).Set(static_cast<double>(by_state[s].tickets));
        }
        const auto& waiting = by_state[store::TicketState::awaiting_approval];
        metrics_.queue_depth().Set(static_cast<double>(waiting.tickets));
        const auto oldest = store::to_millis(waiting.oldest_update);
        metrics_.oldest_awaiting().Set(
            waiting.tickets == 0
                ? 0.0
                : static_cast<double>(std::max<std::int64_t>(0, now_ms - oldest)) / 1000.0);
    }
    if (auto due = store.due_steps(store::from_millis(now_ms)))
        metrics_.scheduled_due().Set(static_cast<double>(due->size()));
    if (bitrix != nullptr)
        metrics_.rate_budget("bitrix").Set(bitrix->limiter().available());
    if (zoho != nullptr) {
        metrics_.rate_budget("zoho").Set(zoho->client().limiter().available());
        const auto minted = zoho->tokens().stats().minted;
        if (minted > mints_seen_)
            metrics_.zoho_token_mints().Increment(static_cast<double>(minted - mints_seen_));
        mints_seen_ = minted;
    }
}

}  // namespace hrmaild::app
