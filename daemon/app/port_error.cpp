#include "daemon/app/port_error.hpp"

namespace hrmaild::app {

service::PortError to_port_error(const net::CallError& error) {
    service::PortError e;
    e.kind = error.kind;
    e.message = error.message;
    e.detail = error.describe();
    e.outcome_unknown = error.outcome_unknown;
    e.not_sent = error.not_executed && !error.outcome_unknown;
    return e;
}

}  // namespace hrmaild::app
