#include "daemon/store/detail/audit_chain.hpp"

#include "daemon/core/hash.hpp"

namespace hrmaild::store::detail {

namespace {
void field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += '\n';
}
}  // namespace

std::string audit_hash(std::string_view prev_hash, std::int64_t seq, std::int64_t at_ms,
                       std::string_view actor, std::string_view action,
                       std::optional<std::int64_t> task_id, std::string_view detail) {
    std::string buf = "hrmaild-audit-v1\n";
    field(buf, prev_hash);
    field(buf, std::to_string(seq));
    field(buf, std::to_string(at_ms));
    field(buf, actor);
    field(buf, action);
    field(buf, task_id ? std::to_string(*task_id) : std::string("-"));
    field(buf, detail);
    return core::sha256_hex(buf);
}

}  // namespace hrmaild::store::detail
