#pragma once
/// Test helpers: a temporary folder removed at the end of the test, files written into it,
/// and the source tree's location.
#include <filesystem>
#include <string>

namespace hrmaild::test {

/// A fresh folder under the system temp dir, removed with its contents on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to `name` (relative to the folder) with `mode`; returns the full path.
    std::filesystem::path write(
        const std::string& name, const std::string& content,
        std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                      std::filesystem::perms::owner_write) const;

  private:
    std::filesystem::path path_;
};

/// The repository root (from $HRMAILD_SOURCE_DIR, else the compile-time source dir).
std::filesystem::path source_dir();
/// The build folder (from $HRMAILD_BINARY_DIR, else the working directory).
std::filesystem::path binary_dir();
/// Reads a whole file.
std::string read_file(const std::filesystem::path& p);

}  // namespace hrmaild::test
