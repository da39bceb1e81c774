// Fuzz target: the `{{ value | filter: arg }}` template compiler and renderer.
//
// Input: the first line is the template; the following lines are the values of `nombre`,
// `apellidos`, `departamento`, `lista` (comma-separated) and `config.groups` keys, so both the
// template syntax and the data it renders are fuzzed. The renderer sees the fixture directory
// (for `groups_of`).
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/template.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;

namespace {

const domain::DirectorySnapshot* g_dir = nullptr;

std::vector<std::string> split_commas(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto c = text.find(',');
        out.emplace_back(text.substr(0, c));
        if (c == std::string_view::npos)
            break;
        text.remove_prefix(c + 1);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_dir = new domain::DirectorySnapshot(fuzz::sample_directory());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest = fuzz::as_text(data, size);
    std::string_view source = fuzz::take_line(rest);
    std::string nombre(fuzz::take_line(rest));
    std::string apellidos(fuzz::take_line(rest));
    std::string departamento(fuzz::take_line(rest));
    auto lista = split_commas(fuzz::take_line(rest));

    workflow::Scope scope;
    scope["nombre"] = nombre;
    scope["apellidos"] = apellidos;
    scope["departamento"] = departamento;
    scope["correo"] = nombre + "@tarmexico.com";
    scope["lista"] = lista;
    scope["vacio"] = std::string();
    scope["config.domain"] = std::string("tarmexico.com");
    workflow::StringMap groups{{"Operaciones", "operaciones@tarmexico.com"},
                               {"Mantenimiento", "mantenimiento@tarmexico.com"}};
    groups[departamento] = std::string(rest);
    scope["config.department_groups"] = groups;

    (void)workflow::surname_word(apellidos);
    (void)workflow::slug(nombre);

    std::string error;
    auto tmpl = workflow::Template::compile(source, error);
    if (!tmpl)
        return 0;
    (void)tmpl->names();
    (void)tmpl->is_literal();
    workflow::RenderEnv env;
    env.directory = g_dir;
    if (auto value = tmpl->render(scope, env, error)) {
        (void)workflow::value_text(*value);
        (void)workflow::value_empty(*value);
    }
    (void)tmpl->render_text(scope, env, error);
    return 0;
}
