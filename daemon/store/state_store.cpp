#include "daemon/store/state_store.hpp"

namespace hrmaild::store {

std::string_view to_string(StoreErrc code) {
    switch (code) {
        case StoreErrc::cannot_open:
            return "cannot_open";
        case StoreErrc::not_a_database:
            return "not_a_database";
        case StoreErrc::locked:
            return "locked";
        case StoreErrc::schema_too_new:
            return "schema_too_new";
        case StoreErrc::schema_too_old:
            return "schema_too_old";
        case StoreErrc::busy:
            return "busy";
        case StoreErrc::io:
            return "io";
        case StoreErrc::not_found:
            return "not_found";
        case StoreErrc::invalid_transition:
            return "invalid_transition";
        case StoreErrc::stale_plan:
            return "stale_plan";
        case StoreErrc::step_state:
            return "step_state";
        case StoreErrc::invalid_argument:
            return "invalid_argument";
    }
    return "unknown";
}

std::string StoreError::describe() const {
    if (hint.empty())
        return message;
    return message + "; hint: " + hint;
}

StoreException::StoreException(StoreError error)
    : std::runtime_error(error.describe()), error_(std::move(error)) {}

void throw_exception_from_error(const StoreError& error, const boost::source_location&) {
    throw StoreException(error);
}

}  // namespace hrmaild::store
