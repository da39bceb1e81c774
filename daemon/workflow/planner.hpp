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

/// The later steps of `steps` that the Zoho call of step `index` also performs (issue 11), so
/// a routine hire or termination costs one call. The plan itself is unchanged (HR and IT see
/// every step; each keeps its own journal entry and probe); only execution folds:
/// - create_user takes the new account's add_group_member steps for groups that exist now
///   (bound by id, found in `directory` at the same address) into its groupMailList;
/// - add_group_member (remove_group_member) takes the further additions (removals) of the
///   same bound group into one PUT;
/// - disable_user with remove_groups takes the earlier remove_group_member steps of the same
///   account, which the disable does anyway.
/// Only steps that run now (no after_days) fold, and never across a step that creates,
/// renames or deletes the group involved. At most 100 groups ride on one create (Zoho's cap).
std::vector<int> fused_steps(const std::vector<domain::Operation>& steps, int index,
                             const domain::DirectorySnapshot& directory);

/// The step whose call performs step `index` as well (see `fused_steps`), or -1: the step is
/// left for that later one instead of running on its own. (Only a disable folds earlier steps,
/// which needs no directory.)
int fused_into(const std::vector<domain::Operation>& steps, int index);

/// One step in the catalog language, for comments and approvers ("Crear la cuenta x@y (Nombre
/// Apellido)…"), with the bound Zoho id and, when the typed address is an alias, whose alias it is.
std::string describe_step(const domain::Operation& op);

}  // namespace hrmaild::workflow
