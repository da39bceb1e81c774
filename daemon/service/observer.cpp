#include "daemon/service/observer.hpp"

namespace hrmaild::service {

std::string_view event_name(Event event) {
    switch (event) {
        case Event::poll:
            return "poll";
        case Event::task_seen:
            return "task_seen";
        case Event::closed_skipped:
            return "closed_skipped";
        case Event::queued_past_horizon:
            return "queued_past_horizon";
        case Event::comment_posted:
            return "comment_posted";
        case Event::notification_sent:
            return "notification_sent";
        case Event::probe:
            return "probe";
    }
    return "unknown";
}

}  // namespace hrmaild::service
