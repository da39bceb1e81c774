#pragma once
/// Loading the workflows folder: parse, compile, validate with positioned diagnostics.
#include "daemon/config/config.hpp"
#include "daemon/config/diagnostic.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/workflow/workflow.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::workflow {

/// What loading produced: the compiled set when there were no errors, and every problem.
struct LoadResult {
    std::optional<WorkflowSet> set;
    config::Diagnostics diagnostics;
};

/// The `config.*` and `policy.*` names templates see, from `workflows.vars` and `policy`.
Scope make_config_scope(const YAML::Node& vars, const config::PolicyConfig& policy);

/// The policy rules the domain evaluates, from config.
domain::PolicyRules make_rules(const config::PolicyConfig& policy);

/// Loads every `*.yaml` / `*.yml` in `config.workflows.dir` (sorted by file name).
LoadResult load_workflows(const config::Config& config);

/// Loads from in-memory files (name, text), compiled against `vars` and `policy` (tests); the
/// messages a workflow leaves out come from the catalog of `language` (default: the selected one).
LoadResult load_workflow_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               const YAML::Node& vars, const config::PolicyConfig& policy,
                               std::string_view language = messages::selected());

/// The diagnostics `hrmaild check` prints for the workflows of a loaded config.
config::Diagnostics validate_workflows(const config::Config& config);

}  // namespace hrmaild::workflow
