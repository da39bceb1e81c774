#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace hrmaild::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    std::random_device rd;
    for (int i = 0; i < 100; ++i) {
        auto p = fs::temp_directory_path() / ("hrmaild-test-" + std::to_string(rd()));
        if (fs::create_directory(p)) {
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& content, fs::perms mode) const {
    auto p = path_ / name;
    fs::create_directories(p.parent_path());
    {
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << content;
    }
    fs::permissions(p, mode);
    return p;
}

fs::path source_dir() {
    if (const char* s = std::getenv("HRMAILD_SOURCE_DIR"); s && *s)
        return s;
    return HRMAILD_SOURCE_DIR;
}

fs::path binary_dir() {
    if (const char* s = std::getenv("HRMAILD_BINARY_DIR"); s && *s)
        return s;
    return fs::current_path();
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace hrmaild::test
