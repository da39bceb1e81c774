// Fuzz target: the workflow YAML loader (parse, compile templates and patterns, validate with
// positioned diagnostics). A workflow that loads is then run on a fixture request, so what
// the loader accepts is also exercised by matching, extraction and planning.
//
// Input: the text of one workflow file, compiled against config/sandbox.yaml's vars and policy.
#include "daemon/config/config.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;

namespace {

const config::Config* g_config = nullptr;
const domain::DirectorySnapshot* g_dir = nullptr;
const domain::Task* g_task = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_config = new config::Config(fuzz::sandbox_config());
    g_dir = new domain::DirectorySnapshot(fuzz::sample_directory());
    std::string err;
    auto task =
        workflow::task_from_json(fuzz::read_file(fuzz::source_dir() / "tests" / "fixtures" /
                                                 "tickets" / "requests" / "02-alta-acentos.json"),
                                 err);
    if (!task) {
        std::fprintf(stderr, "fuzz set-up: 02-alta-acentos.json: %s\n", err.c_str());
        std::abort();
    }
    g_task = new domain::Task(std::move(*task));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::pair<std::string, std::string>> files{
        {"fuzz.yaml", std::string(fuzz::as_text(data, size))}};
    auto loaded = workflow::load_workflow_texts(files, g_config->workflows.vars, g_config->policy);
    (void)loaded.diagnostics.to_string();
    if (!loaded.set || loaded.set->workflows.empty())
        return 0;
    domain::Task task = *g_task;
    const auto& wf = loaded.set->workflows.front();
    if (!wf.match.empty() && !wf.match.front().tags.empty())
        task.tags = {wf.match.front().tags.front()};
    auto evaluation = workflow::evaluate(*loaded.set, task, *g_dir);
    (void)workflow::to_json(evaluation);
    return 0;
}
