#pragma once
/// What the service reports as it works (issue 10: one path for counters). The app turns these
/// events into Prometheus metrics; tests count them. Every call is on the daemon's thread.
#include "daemon/store/records.hpp"

#include <string_view>

namespace hrmaild::service {

/// Things the service counts.
enum class Event {
    poll,                 ///< one poll of the HR project was made
    task_seen,            ///< a task was handled (from a poll or an event)
    closed_skipped,       ///< a closed task hrmaild never took in was left alone
    queued_past_horizon,  ///< a task filed before the horizon was queued for approval
    comment_posted,       ///< a comment landed on a task
    notification_sent,    ///< a private notification (password or IT note) was sent
    probe,                ///< the remote state was read to settle a step or a post
};

/// The stable name of an event (`poll`, `closed_skipped`...), used as a metric label.
std::string_view event_name(Event event);

/// Receives the service's events. The default does nothing.
class Observer {
  public:
    virtual ~Observer() = default;
    /// One occurrence of `event`.
    virtual void count(Event event) { (void)event; }
    /// A ticket reached `state`.
    virtual void ticket_state(store::TicketState state) { (void)state; }
    /// A plan step (or its password delivery) ended an attempt: `result` is `succeeded`,
    /// `failed`, `retried`, `probed` or `adopted`.
    virtual void step(std::string_view op, std::string_view result) {
        (void)op;
        (void)result;
    }
};

}  // namespace hrmaild::service
