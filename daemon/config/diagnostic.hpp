#pragma once
/// Positioned problems found in a configuration or workflow file.
#include <string>
#include <vector>

namespace hrmaild::config {

/// How bad a problem is: errors stop the start, warnings are printed and tolerated.
enum class Severity { error, warning };

/// One problem, printed as `file:line:col: key.path: message`.
struct Diagnostic {
    Severity severity = Severity::error;
    std::string file;
    int line = 0;      ///< 1-based; 0 when the problem has no position (a missing file)
    int column = 0;    ///< 1-based
    std::string path;  ///< dotted key path, e.g. `bitrix.poll_interval`
    std::string message;

    /// The one-line form operators and tests read.
    [[nodiscard]] std::string to_string() const;
};

/// A list of problems with helpers to add and query them.
class Diagnostics {
  public:
    /// Adds an error.
    void error(std::string file, int line, int column, std::string path, std::string message);
    /// Adds a warning.
    void warning(std::string file, int line, int column, std::string path, std::string message);
    /// Appends every problem of another list.
    void merge(const Diagnostics& other);

    [[nodiscard]] bool has_errors() const;
    [[nodiscard]] std::size_t error_count() const;
    [[nodiscard]] std::size_t warning_count() const;
    [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
    /// Every problem, one per line, errors and warnings in file order.
    [[nodiscard]] std::string to_string() const;

  private:
    std::vector<Diagnostic> items_;
};

}  // namespace hrmaild::config
