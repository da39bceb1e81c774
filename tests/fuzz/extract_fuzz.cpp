// Fuzz target: field extraction from a task (BB-code, entities, `Label: value` lines, dates,
// address lists, Unicode cleaning) through the repository's real workflows, up to the plan
// and the comment (workflow::evaluate).
//
// Input: the first byte picks the workflow whose first tag the task carries, the first line
// after it is the title, the rest the description.
#include "daemon/config/config.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/loader.hpp"
#include "daemon/workflow/text.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstdlib>

using namespace hrmaild;

namespace {

const workflow::WorkflowSet* g_set = nullptr;
const domain::DirectorySnapshot* g_dir = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto loaded = workflow::load_workflows(fuzz::sandbox_config());
    if (!loaded.set) {
        std::fprintf(stderr, "fuzz set-up: %s\n", loaded.diagnostics.to_string().c_str());
        std::abort();
    }
    g_set = new workflow::WorkflowSet(std::move(*loaded.set));
    g_dir = new domain::DirectorySnapshot(fuzz::sample_directory());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::size_t pick = data[0];
    std::string_view rest = fuzz::as_text(data + 1, size - 1);
    std::string_view title = fuzz::take_line(rest);

    // The pieces on their own.
    std::string text = workflow::bbcode_to_text(rest);
    for (const auto& line : workflow::labeled_lines(text)) {
        (void)workflow::label_key(line.label);
        (void)workflow::parse_date(line.value);
        (void)workflow::split_addresses(line.value);
    }
    std::string clean = workflow::clean_text(rest);
    (void)workflow::truncate_text(clean, pick % 40);
    (void)workflow::neutralize_for_comment(rest, 1 + pick % 300);
    (void)workflow::decode_entities(rest);
    (void)workflow::to_ascii(title);
    (void)workflow::fold(title);
    (void)workflow::squeeze(title);
    (void)workflow::words(title);
    (void)workflow::length(title);

    // A task the way the poller builds it, through one workflow and through evaluation.
    domain::Task task;
    task.id = 1;
    task.title = std::string(title);
    task.description = std::string(rest);
    task.created_by = 13;
    task.responsible_id = 1;
    task.group_id = 42;
    task.status = domain::task_status::pending;
    const auto& wf = g_set->workflows[pick % g_set->workflows.size()];
    if (!wf.match.empty() && !wf.match.front().tags.empty())
        task.tags = {wf.match.front().tags.front()};
    (void)workflow::extract_fields(wf, task, g_set->config_scope, g_set->rules);
    auto evaluation = workflow::evaluate(*g_set, task, *g_dir, (pick & 0x80) == 0);
    (void)workflow::to_json(evaluation);
    return 0;
}
