#pragma once
/// Effective dates: the instant a workflow's `not_before` names for one task (the end of a
/// termination's last day, a few days before a hire's first), in the organization's zone.
#include "daemon/core/zone.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/workflow/template.hpp"
#include "daemon/workflow/workflow.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::workflow {

/// When a plan may run, computed from a `not_before` spec.
struct NotBefore {
    std::int64_t unix_ms = 0;  ///< 0: no date given (as soon as approved)
    std::string local;         ///< `15/12/2026 23:59 (America/Mexico_City)`
};

/// The instant of local `date` (yyyy-mm-dd or any form HR writes) minus `days_before` days, at
/// `time` (HH:MM) in `zone`. Nullopt with `error` (in the catalog language) when the date or
/// the time cannot be read.
std::optional<NotBefore> effective_instant(const core::TimeZone& zone, std::string_view date,
                                           int days_before, std::string_view time,
                                           std::string& error);

/// Renders the workflow's `not_before` (if any) for the plan and sets `plan.not_before_*`;
/// a problem goes to `errors` (for HR) and leaves the plan undated.
void apply_not_before(const WorkflowSet& set, const Workflow& wf, const Scope& scope,
                      const RenderEnv& env, domain::Plan& plan, std::vector<std::string>& errors);

}  // namespace hrmaild::workflow
