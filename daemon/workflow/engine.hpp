#pragma once
/// One call from a task to everything the daemon needs: the claiming workflow, the fields,
/// the plan, its hash, the policy decision and the comment to post.
#include "daemon/domain/directory.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/domain/policy.hpp"
#include "daemon/domain/task.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/workflow.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::workflow {

/// Where a task ends up after evaluation.
enum class Outcome {
    unclaimed,  ///< no workflow claims it: leave it alone
    ambiguous,  ///< several workflows of equal priority claim it: leave it alone, tell IT
    invalid,    ///< fields missing or wrong, or a pre-flight check failed: ask HR to fix
    refused,    ///< the policy forbids it whoever approves
    approval,   ///< waits for an IT approver
    automatic,  ///< runs without approval
};

/// The outcome's name (`unclaimed`, `invalid`, ...).
std::string_view outcome_name(Outcome o);

/// Everything evaluation found for one task.
struct Evaluation {
    Outcome outcome = Outcome::unclaimed;
    const Workflow* workflow = nullptr;  ///< points into the WorkflowSet
    std::vector<std::string> tied;       ///< for `ambiguous`
    domain::FieldValues fields;
    std::map<std::string, std::string> labels;  ///< field → label as HR wrote it
    std::vector<std::string> errors;            ///< in the catalog language, all at once
    std::optional<domain::Plan> plan;
    std::string plan_hash;  ///< empty without a plan
    domain::PolicyDecision decision;
    std::string comment;  ///< what to post now: invalid, refused, approval, or (automatic) done
    Scope scope;          ///< for rendering later messages (done after execution, failed...)
};

/// Match → extract → validate → plan → policy → comment, touching nothing.
/// `requester_allowed`: whether the task's requester may request automatic changes
/// (`policy.requesters`; the service computes it, see domain::requester_allowed).
Evaluation evaluate(const WorkflowSet& set, const domain::Task& task,
                    const domain::DirectorySnapshot& directory, bool requester_allowed = true);

/// The scope messages see: `base` plus `errors`, `reasons`, `notes` (each line once, in order)
/// and `plan` (one line per step).
Scope message_scope(Scope base, const std::vector<std::string>& errors,
                    const std::vector<std::string>& reasons, const domain::Plan* plan);

/// Renders one of the workflow's messages. Every scope value except `config.*` goes
/// through `neutralize_for_comment` first (BB-code inert, no controls, 300 characters a value,
/// 8,000 for `plan`); the message's own markup is kept. A missing name renders as the error text.
std::string render_message(const Workflow& wf, MessageKind kind, const Scope& scope);

/// The `hrmaild plan --json` shape: workflow, outcome, fields, approval_required, refused,
/// reasons, errors, notes, steps [{op, params, after_days?, target?, description}],
/// not_before? and not_before_local? (a dated plan), plan_hash, comment. `target` holds the Zoho
/// ids the step is bound to (address, zuid, account_id, zgid, member_zuid; empty ones left out).
boost::json::object to_json(const Evaluation& e);

/// Indented JSON with keys in the object's own order (for people and golden files).
std::string pretty_json(const boost::json::value& v);

/// A task in the fixtures' (Bitrix `tasks.task.add`) shape: TITLE, DESCRIPTION, TAGS,
/// CREATED_BY, RESPONSIBLE_ID, GROUP_ID, optional ID, CHANGED_DATE, CREATED_DATE, STATUS (1..7;
/// absent: 2, pending, as the portal creates a task) and UF_* fields.
std::optional<domain::Task> task_from_json(std::string_view text, std::string& error);

/// A directory in org.json's shape (users with primaryEmailAddress, firstName, lastName, zuid,
/// accountId, accountCreationTime...; groups with emailId, name, zgid, members or
/// mailGroupMemberList). Ids are kept as decimal text (numbers or strings in the file).
std::optional<domain::DirectorySnapshot> directory_from_json(std::string_view text,
                                                             std::string& error);

/// A directory in the same shape (users with primaryEmailAddress, names, role, aliases, zuid,
/// accountId, accountCreationTime, enabled; groups with emailId, name, members, zgid):
/// `directory_from_json(serialize(directory_to_json(d)))` gives `d` back. The running daemon
/// serves its snapshot this way to `hrmaild plan`.
boost::json::object directory_to_json(const domain::DirectorySnapshot& directory);

}  // namespace hrmaild::workflow
