#pragma once
/// The one place a client's transport error becomes the service's port error (issue 15: one
/// error vocabulary per layer, translated at the port).
#include "daemon/net/error.hpp"
#include "daemon/service/ports.hpp"

#include <type_traits>
#include <utility>

namespace hrmaild::app {

/// What the service needs of a failed client call: its kind, its message, whether a write may
/// have taken effect, and the client's one-line account for logs.
service::PortError to_port_error(const net::CallError& error);

/// A client outcome as a port outcome (the value as is, an error translated).
template <typename T>
service::Outcome<T> to_port(net::Outcome<T> outcome) {
    if (!outcome)
        return to_port_error(outcome.error());
    if constexpr (std::is_void_v<T>)
        return {};
    else
        return std::move(*outcome);
}

}  // namespace hrmaild::app
