// extract_bench: how long field extraction takes on hostile task descriptions.
//
//   extract_bench [kilobytes=64] [runs=5]
//
// Each case is a description of about `kilobytes` KB built to hit one slow path of the
// extractor: thousands of `<` with a `>` only at the end, `[` that never close, `&` that never
// end an entity, deep BB-code nesting, encoded tags, one very long line, thousands of label
// lines. Every case runs bbcode_to_text + labeled_lines + extract_fields (the work planning
// does on every poll); the figure is the median of `runs` runs. Extraction is linear in the
// description's length, so 64 KB takes milliseconds; a quadratic path shows up as seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/loader.hpp"

using Clock = std::chrono::steady_clock;
namespace wf = hrmaild::workflow;

namespace {

std::string repeat_to(std::string_view unit, std::size_t bytes) {
    std::string out;
    out.reserve(bytes + unit.size());
    while (out.size() < bytes)
        out += unit;
    return out;
}

struct Case {
    const char* name;
    std::string description;
};

std::vector<Case> cases(std::size_t bytes) {
    const std::string head = "Nombre(s): Ana\nApellido(s): López\nCorreo: ana@x.com\n";
    std::vector<Case> out;
    // The shape of the report: 8,000 `<` (64 KB: 8 bytes each) and one `>` at the very end.
    out.push_back({"lt-then-gt", head + repeat_to("<aaaaaaa", bytes) + ">"});
    out.push_back({"lt-only", head + std::string(bytes, '<')});
    out.push_back({"open-brackets", head + repeat_to("[B", bytes)});
    out.push_back({"brackets-then-close", head + repeat_to("[x ", bytes) + "]"});
    out.push_back({"ampersands", head + repeat_to("&a", bytes)});
    out.push_back({"nested-bbcode", head + repeat_to("[QUOTE][B][URL=http://x]", bytes / 2) +
                                        repeat_to("[/URL][/B][/QUOTE]", bytes / 2)});
    out.push_back(
        {"encoded-tags",
         head + repeat_to("&#91;URL=http://x&#93;click&#91;/URL&#93;&amp;&lt;br&gt;", bytes)});
    out.push_back({"one-long-line", "Nombre(s): " + repeat_to("Ro\u200Bci\u0301o ", bytes)});
    out.push_back({"label-lines", repeat_to("Etiqueta: valor < [B] &amp;\n", bytes) + head});
    std::string mixed = head;
    while (mixed.size() < bytes)
        mixed += "<<<<[B[QUOTE]&#91;x&#93;&nbsp&amp;[CODE]\n" + std::string(200, '<') +
                 "Correo: " + std::string(300, 'a') + "\n[/QUOTE]]]]";
    out.push_back({"mixed", mixed});
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const long kb = argc > 1 ? std::atol(argv[1]) : 64;
    const long runs = argc > 2 ? std::atol(argv[2]) : 5;
    if (kb <= 0 || runs <= 0) {
        std::fprintf(stderr, "usage: extract_bench [kilobytes=64] [runs=5]\n");
        return 2;
    }
    hrmaild::log::Options lo = hrmaild::log::default_options();
    lo.level = hrmaild::log::Level::warn;
    hrmaild::log::setup(lo);

    hrmaild::config::PolicyConfig policy;
    policy.allowed_domains = {"x.com"};
    auto loaded = wf::load_workflow_texts({{"bench.yaml", R"yaml(
name: bench
match: { tag: bench }
fields:
  nombre: { label: ["Nombre(s)", Nombre], required: true, max: 60 }
  apellidos: { label: ["Apellido(s)", Apellido], required: true, max: 60 }
  correo: { label: Correo, type: address }
  copia: { label: Copia, type: addresses }
  fecha: { label: Fecha, type: date }
steps:
  - reset_password: { email: "{{ correo }}", password: generate }
messages: { done: ok, invalid: "{{ errors }}" }
)yaml"}},
                                          YAML::Load("{domain: x.com}"), policy);
    if (!loaded.set) {
        std::fprintf(stderr, "%s\n", loaded.diagnostics.to_string().c_str());
        return 1;
    }
    const auto& set = *loaded.set;
    const auto& workflow = set.workflows.front();

    std::printf("%-22s %8s %12s\n", "case", "bytes", "median ms");
    for (const auto& c : cases(static_cast<std::size_t>(kb) * 1024)) {
        hrmaild::domain::Task task;
        task.description = c.description;
        std::vector<double> ms;
        std::size_t sink = 0;
        for (long r = 0; r < runs; ++r) {
            auto start = Clock::now();
            auto lines = wf::labeled_lines(wf::bbcode_to_text(task.description));
            auto ex = wf::extract_fields(workflow, task, set.config_scope, set.rules);
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            sink += lines.size() + ex.errors.size();
        }
        std::sort(ms.begin(), ms.end());
        std::printf("%-22s %8zu %12.1f   (%zu)\n", c.name, c.description.size(), ms[ms.size() / 2],
                    sink);
        std::fflush(stdout);
    }
    return 0;
}
