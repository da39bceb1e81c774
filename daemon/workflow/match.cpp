#include "daemon/workflow/match.hpp"

#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/text.hpp"

#include <algorithm>

namespace hrmaild::workflow {

bool rule_matches(const MatchRule& rule, const domain::Task& task) {
    if (!rule.tags.empty()) {
        bool any = std::any_of(task.tags.begin(), task.tags.end(), [&](const std::string& t) {
            return std::find(rule.tags.begin(), rule.tags.end(), fold(t)) != rule.tags.end();
        });
        if (!any)
            return false;
    }
    if (rule.untagged && !task.tags.empty())
        return false;
    if (rule.title && !rule.title->search(task.title))
        return false;
    if (rule.project && *rule.project != task.group_id)
        return false;
    for (const auto& [name, value] : rule.uf) {
        auto it = task.uf.find(name);
        if (it == task.uf.end() || fold(it->second) != value)
            return false;
    }
    if (!rule.labels.empty() || !rule.has_labels.empty()) {
        auto lines = labeled_lines(bbcode_to_text(task.description));
        for (const auto& [key, re] : rule.labels) {
            // Not captured directly: clang before 16 (the fuzz preset's) cannot capture a
            // structured binding.
            const std::string& wanted = key;
            auto it = std::find_if(lines.begin(), lines.end(),
                                   [&](const LabeledLine& l) { return l.key == wanted; });
            if (it == lines.end() || !re.search(it->value))
                return false;
        }
        if (!rule.has_labels.empty()) {
            bool any = std::any_of(lines.begin(), lines.end(), [&](const LabeledLine& l) {
                return std::find(rule.has_labels.begin(), rule.has_labels.end(), l.key) !=
                       rule.has_labels.end();
            });
            if (!any)
                return false;
        }
    }
    return true;
}

bool workflow_matches(const Workflow& wf, const domain::Task& task) {
    return std::any_of(wf.match.begin(), wf.match.end(),
                       [&](const MatchRule& r) { return rule_matches(r, task); });
}

MatchResult match_task(const WorkflowSet& set, const domain::Task& task) {
    MatchResult r;
    // `set.workflows` is sorted by priority, highest first.
    for (const auto& wf : set.workflows) {
        if (r.workflow != nullptr && wf.priority < r.workflow->priority)
            break;
        if (!workflow_matches(wf, task))
            continue;
        if (r.workflow == nullptr) {
            r.workflow = &wf;
        } else {
            if (r.tied.empty())
                r.tied.push_back(r.workflow->name);
            r.tied.push_back(wf.name);
        }
    }
    if (!r.tied.empty()) {
        log::warn("WORKFLOW_AMBIGUOUS",
                  {{"task", task.id}, {"workflows", core::join(r.tied, ",")}});
        r.workflow = nullptr;
    } else if (r.workflow == nullptr) {
        log::info("WORKFLOW_NO_MATCH", {{"task", task.id}, {"title", task.title}});
    }
    return r;
}

}  // namespace hrmaild::workflow
