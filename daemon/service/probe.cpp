#include "daemon/domain/operation.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/service/ports.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

namespace hrmaild::service {

Probe probe_snapshot(const domain::DirectorySnapshot& dir, const domain::Operation& op,
                     std::int64_t started_at_ms) {
    using domain::EffectState;
    // Names compare without regard to case or accents ("PÉREZ" is "Pérez").
    auto effect =
        domain::expected_effect(dir, op, [](std::string_view s) { return workflow::fold(s); });
    switch (effect.state) {
        case EffectState::absent:
            return {ProbeState::not_done, std::move(effect.detail), {}};
        case EffectState::conflict:
            return {ProbeState::conflict, std::move(effect.detail), {}};
        case EffectState::no_target:
            // A removal that finds its target gone has nothing left to do.
            if (domain::is_destructive(op.kind))
                return {
                    ProbeState::done, fmt::format("{} no longer exists", op.target_address()), {}};
            return {ProbeState::conflict, std::move(effect.detail), {}};
        case EffectState::present:
            break;
    }
    if (op.kind != domain::OpKind::create_user)
        return {ProbeState::done, std::move(effect.detail), {}};
    // An account as planned is ours only if Zoho made it after our call started: two people
    // with the same name, or an account IT just made in the console, are not.
    const auto* user = dir.find_user(op.text("email"));
    if (user == nullptr || user->created_at_ms <= 0)
        return {ProbeState::conflict,
                fmt::format("{} exists with the planned names but Zoho gives no creation time, "
                            "so it cannot be told from an account made by someone else",
                            op.text("email")),
                {}};
    if (user->created_at_ms < started_at_ms)
        return {ProbeState::conflict,
                fmt::format("{} exists with the planned names but was created at {} ms, before "
                            "this step started ({} ms): it was made by someone else",
                            op.text("email"), user->created_at_ms, started_at_ms),
                {}};
    return {ProbeState::done,
            fmt::format("{} was created at {} ms with the planned names", op.text("email"),
                        user->created_at_ms),
            domain::target_of(*user)};
}

}  // namespace hrmaild::service
