// Must NOT compile: the id is not in docs/events.md (the lint test event_id_unknown checks that
// the compiler refuses it, and why).
#include "daemon/log/log.hpp"

void planted() {
    hrmaild::log::info("NO_SUCH_EVENT_PLANTED", {{"k", 1}});
}
