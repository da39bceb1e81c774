#include "daemon/core/error.hpp"

namespace hrmaild::core {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::retryable:
            return "retryable";
        case ErrorKind::permanent:
            return "permanent";
        case ErrorKind::conflict:
            return "conflict";
        case ErrorKind::auth:
            return "auth";
    }
    return "unknown";
}

}  // namespace hrmaild::core
