#pragma once
/// Small helpers shared by the service's parts (intake, approvals, executor, reporter).
#include "daemon/core/text.hpp"
#include "daemon/store/state_store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::service::detail {

/// One line per item, each starting with "• " (for comments HR and IT read).
inline std::string bullets(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty())
            out += '\n';
        out += "• " + i;
    }
    return out;
}

/// The value, or the store's error thrown (a store failure ends the current pass; the ticket is
/// taken up again on the next one).
template <typename T>
T must(store::Result<T> r) {
    if (!r)
        throw store::StoreException(r.error());
    return std::move(*r);
}

inline void must(store::Result<void> r) {
    if (!r)
        throw store::StoreException(r.error());
}

}  // namespace hrmaild::service::detail
