#include "daemon/config/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hrmaild::config {

std::string Diagnostic::to_string() const {
    std::string where = file;
    if (line > 0)
        where += fmt::format(":{}:{}", line, column);
    std::string prefix = severity == Severity::warning ? "warning: " : "";
    if (path.empty())
        return fmt::format("{}: {}{}", where, prefix, message);
    return fmt::format("{}: {}{}: {}", where, prefix, path, message);
}

void Diagnostics::error(std::string file, int line, int column, std::string path,
                        std::string message) {
    items_.push_back(
        {Severity::error, std::move(file), line, column, std::move(path), std::move(message)});
}

void Diagnostics::warning(std::string file, int line, int column, std::string path,
                          std::string message) {
    items_.push_back(
        {Severity::warning, std::move(file), line, column, std::move(path), std::move(message)});
}

void Diagnostics::merge(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
    return items_.size() - error_count();
}

std::string Diagnostics::to_string() const {
    auto sorted = items_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.file != b.file)
            return a.file < b.file;
        if (a.line != b.line)
            return a.line < b.line;
        return a.column < b.column;
    });
    std::string out;
    for (const auto& d : sorted) {
        out += d.to_string();
        out += '\n';
    }
    return out;
}

}  // namespace hrmaild::config
