#pragma once
/// Which workflow claims a task.
#include "daemon/domain/task.hpp"
#include "daemon/workflow/workflow.hpp"

#include <string>
#include <vector>

namespace hrmaild::workflow {

/// The outcome of matching one task.
struct MatchResult {
    const Workflow* workflow = nullptr;  ///< null: no claim (none matched, or a tie)
    std::vector<std::string> tied;       ///< names of equally ranked workflows that all matched
};

/// Whether one rule claims the task (every criterion given holds).
bool rule_matches(const MatchRule& rule, const domain::Task& task);

/// Whether any of the workflow's rules claims the task.
bool workflow_matches(const Workflow& wf, const domain::Task& task);

/// The highest-priority workflow that claims the task. A task nobody claims is left alone
/// (WORKFLOW_NO_MATCH); two claimants of the same priority claim nothing (WORKFLOW_AMBIGUOUS).
MatchResult match_task(const WorkflowSet& set, const domain::Task& task);

}  // namespace hrmaild::workflow
