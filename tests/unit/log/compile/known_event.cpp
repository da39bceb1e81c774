// Must compile: documented ids, as a literal, as a generated constant, and chosen at run time
// among checked ones (the lint test event_id_known).
#include "daemon/log/log.hpp"

void documented(bool failed) {
    hrmaild::log::info("WORKFLOWS_LOADED", {{"count", 1}});
    hrmaild::log::emit(hrmaild::log::Level::warn, hrmaild::log::events::RELOAD_FAILED);
    hrmaild::log::error(failed ? hrmaild::log::EventId("TASK_COMPLETE_FAILED")
                               : hrmaild::log::EventId("TASK_DEFER_FAILED"));
}
