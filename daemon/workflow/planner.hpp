#pragma once
/// From extracted fields to a plan: vars, first free addresses, steps with every value
/// resolved and bound to their targets' Zoho ids, pre-flight checks against the directory
/// (each operation's expected effect), and the plan's hash.
#include "daemon/domain/directory.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/domain/policy.hpp"
#include "daemon/domain/task.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/workflow.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hrmaild::workflow {

/// What planning produced.
struct PlanResult {
    std::optional<domain::Plan> plan;  ///< absent when there are errors
    std::vector<std::string> errors;  ///< for HR, from the catalog (address taken, user missing...)
    Scope scope;  ///< config, task, fields and vars: what messages are rendered with
};

/// The names templates see for a task: config.*, policy.*, task.*, workflow.name and fields.
Scope task_scope(const WorkflowSet& set, const Workflow& wf, const domain::Task& task,
                 const domain::FieldValues& fields);

/// Builds the plan of `wf` for `task` from fields already extracted without errors.
PlanResult build_plan(const WorkflowSet& set, const Workflow& wf, const domain::Task& task,
                      const domain::FieldValues& fields,
                      const domain::DirectorySnapshot& directory);

/// The plan's hash: SHA-256 of its canonical text. Approvals bind this value.
std::string plan_hash(const domain::Plan& plan);

/// Runs the policy on a plan with the workflow's own approval setting and accent-blind names.
/// `requester_allowed`: whether the task's requester may request automatic changes
/// (`policy.requesters`, computed by the service; see domain::requester_allowed).
domain::PolicyDecision decide(const WorkflowSet& set, const Workflow& wf, const domain::Plan& plan,
                              const domain::DirectorySnapshot& directory,
                              bool requester_allowed = true);

/// One step in the catalog language, for comments and approvers ("Crear la cuenta x@y (Nombre
/// Apellido)…"), with the bound Zoho id and, when the typed address is an alias, whose alias it is.
std::string describe_step(const domain::Operation& op);

}  // namespace hrmaild::workflow
