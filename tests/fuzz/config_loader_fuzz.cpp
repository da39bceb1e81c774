// Fuzz target: the configuration loader (YAML, the schema, typed values, durations, listen
// addresses, secret-file references) and the printer of the effective configuration.
//
// Input: the text of a configuration file, placed in config/ so its relative secret names
// resolve to the sandbox's fake secrets (config/secrets/).
#include "daemon/config/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;

namespace {
std::filesystem::path* g_file = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Secret names relative to the file are looked up in $CREDENTIALS_DIRECTORY first.
    ::unsetenv("CREDENTIALS_DIRECTORY");
    g_file = new std::filesystem::path(fuzz::source_dir() / "config" / "fuzz.yaml");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(fuzz::as_text(data, size));
    auto result = config::load_config_text(text, *g_file);
    (void)result.diagnostics.to_string();
    if (result.config)
        (void)config::print_config(*result.config);
    // The two scalar grammars on their own (the first line).
    std::string_view rest = text;
    std::string_view line = fuzz::take_line(rest);
    (void)config::parse_duration(line);
    (void)config::parse_listen(line);
    return 0;
}
