#pragma once
/// The error kinds every layer shares (STYLE.md point 5): what a caller may do about a failed
/// call. The HTTP clients attach them to their transport errors (`net::CallError`); the service
/// branches on them through its ports.
#include <string_view>

namespace hrmaild::core {

/// What a caller may do about a failed call.
enum class ErrorKind {
    retryable,  ///< try again later (transport failures, throttles, 5xx): `with_retry` does
    permanent,  ///< the same call will fail again: report it
    conflict,   ///< the state is not what the call assumed (exists already, changed): probe
    auth,       ///< credentials missing, expired or refused: refresh once or stop
};

/// Lower-case name, for logs, the journal and messages.
std::string_view to_string(ErrorKind kind);

}  // namespace hrmaild::core
