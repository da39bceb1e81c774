#include "daemon/service/ports.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace hrmaild::service {

std::string PortError::describe() const {
    if (!detail.empty())
        return detail;
    return message.empty() ? std::string(core::to_string(kind))
                           : fmt::format("{}: {}", core::to_string(kind), message);
}

PortError port_error(core::ErrorKind kind, std::string message) {
    PortError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

void throw_exception_from_error(const PortError& error, const boost::source_location&) {
    throw std::logic_error("a port call failed and its error was not checked: " + error.describe());
}

}  // namespace hrmaild::service
