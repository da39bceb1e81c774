#pragma once
/// Shared bits of the libFuzzer targets (tests/fuzz): the checkout's path and file reading
/// for set-up, and a small reader that splits one input into parts.
#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/engine.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace hrmaild::fuzz {

/// The checkout (HRMAILD_SOURCE_DIR in the environment wins, else the configure-time path).
inline std::filesystem::path source_dir() {
    if (const char* env = std::getenv("HRMAILD_SOURCE_DIR"); env && *env)
        return env;
    return HRMAILD_SOURCE_DIR;
}

/// A whole file; aborts when it cannot be read (set-up must not silently fuzz nothing).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "fuzz set-up: cannot read %s\n", path.c_str());
        std::abort();
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

/// The sandbox configuration (config/sandbox.yaml); aborts when it does not load.
inline config::Config sandbox_config() {
    auto cfg = config::load_config(source_dir() / "config" / "sandbox.yaml");
    if (!cfg.config) {
        std::fprintf(stderr, "fuzz set-up: %s\n", cfg.diagnostics.to_string().c_str());
        std::abort();
    }
    return std::move(*cfg.config);
}

/// The sample organization (tests/fixtures/tickets/org.json); aborts when it does not load.
inline domain::DirectorySnapshot sample_directory() {
    std::string err;
    auto dir = workflow::directory_from_json(
        read_file(source_dir() / "tests" / "fixtures" / "tickets" / "org.json"), err);
    if (!dir) {
        std::fprintf(stderr, "fuzz set-up: org.json: %s\n", err.c_str());
        std::abort();
    }
    return std::move(*dir);
}

/// Events are still rendered (a `log::CaptureSink` per input sees them) but not written, so a
/// run is not slowed by stderr.
inline void quiet_logs() {
    log::Options quiet;
    quiet.level = log::Level::critical;
    log::setup(quiet);
}

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// Takes `text` up to the first new line (removed) and leaves the rest in `text`.
inline std::string_view take_line(std::string_view& text) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    return line;
}

}  // namespace hrmaild::fuzz
