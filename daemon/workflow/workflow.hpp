#pragma once
/// A workflow as loaded from YAML and compiled: what tasks it claims, which fields it reads,
/// what it plans and what it tells HR. See docs/workflows.md for the file format.
#include "daemon/core/zone.hpp"
#include "daemon/domain/operation.hpp"
#include "daemon/domain/policy.hpp"
#include "daemon/workflow/template.hpp"
#include "daemon/workflow/text.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::workflow {

/// How a field's text is read.
enum class FieldType {
    text,       ///< trimmed, spaces collapsed
    address,    ///< one mail address, lower-cased
    addresses,  ///< a list separated by commas, semicolons, spaces or new lines
    date,       ///< dd/mm/yyyy or yyyy-mm-dd, normalized to yyyy-mm-dd
};

/// One field a workflow reads from the task.
struct FieldSpec {
    std::string name;                     ///< the key templates use
    std::vector<std::string> labels;      ///< as HR writes them; the first names the field
    std::vector<std::string> label_keys;  ///< the same, normalized by `label_key`
    std::string uf;                       ///< custom field read when no label line is found
    FieldType type = FieldType::text;
    bool required = false;
    std::size_t min_length = 0;
    std::size_t max_length = 0;  ///< 0: no limit
    std::optional<Regex> pattern;
    std::string pattern_message;        ///< Spanish hint shown when the pattern fails
    bool allowed_domains_only = false;  ///< addresses must be in policy.allowed_domains
    std::vector<std::string> domains;   ///< explicit domain list
    std::optional<Template> one_of;     ///< renders to the list of accepted values
    std::optional<Template> default_value;
};

/// One way a workflow claims a task; every criterion given must hold.
struct MatchRule {
    std::vector<std::string> tags;  ///< any of these (folded)
    bool untagged = false;          ///< the task has no tags at all
    std::optional<Regex> title;
    std::vector<std::pair<std::string, std::string>> uf;  ///< custom field → value (folded)
    std::optional<std::int64_t> project;
    std::vector<std::pair<std::string, Regex>> labels;  ///< label key → pattern on its value
    std::vector<std::string> has_labels;                ///< any of these label keys present
    int line = 0;
    int column = 0;
};

/// A named value computed before the steps: a template, or the first free address of a list.
struct VarSpec {
    std::string name;
    std::optional<Template> value;
    std::vector<Template> first_free;
};

/// One parameter of a step: a template, or a list of templates for list parameters.
struct ParamTemplate {
    std::string name;
    std::vector<Template> items;
    bool sequence = false;  ///< written as a YAML list
};

/// One step of the plan template.
struct StepSpec {
    domain::OpKind kind = domain::OpKind::create_user;
    std::vector<ParamTemplate> params;
    std::optional<Template> for_each;  ///< a list: the step repeats with `item` bound
    std::optional<Template> when;      ///< skipped when empty or "false"
    std::optional<Template> after_days;
    int line = 0;
};

/// When a plan may run (an effective date): the local day `date` renders to (a `date` field;
/// empty: no date, the plan runs when approved), `days_before` days earlier, at `time` (HH:MM)
/// in `policy.timezone`.
struct NotBeforeSpec {
    Template date;
    std::optional<Template> days_before;
    std::optional<Template> time;  ///< absent: 00:00
    int line = 0;
};

/// The messages a workflow can post, by kind.
enum class MessageKind { done, invalid, approval, refused, rejected, failed };

/// The kind's YAML key (`done`, `invalid`, ...).
std::string_view message_key(MessageKind kind);

/// One compiled workflow.
struct Workflow {
    std::string name;
    std::string description;
    std::string file;
    int line = 0;
    int priority = 0;
    bool has_priority = false;
    std::vector<MatchRule> match;  ///< any rule claims the task
    std::vector<FieldSpec> fields;
    std::vector<VarSpec> vars;
    std::vector<StepSpec> steps;
    bool approval_required = false;
    std::optional<NotBeforeSpec> not_before;
    std::map<MessageKind, Template> messages;
};

/// Everything loaded from the workflows folder plus the config it was compiled against.
struct WorkflowSet {
    std::vector<Workflow> workflows;  ///< sorted by priority (highest first), then name
    Scope config_scope;               ///< `config.*` (workflows.vars) and `policy.*`
    domain::PolicyRules rules;
    int retention_days = 0;
    /// `policy.timezone`, loaded (absent only when it could not be: config validation stops
    /// the start first; a dated plan is then an error).
    std::optional<core::TimeZone> zone;
    std::string language;  ///< the message catalog (`workflows.language`) the defaults came from

    /// The workflow named `name`.
    [[nodiscard]] const Workflow* find(std::string_view name) const;
};

}  // namespace hrmaild::workflow
