#pragma once
/// The console's files compiled into the binary (templates/, by cmake/embed-files.cmake).
#include <cstddef>
#include <string_view>

namespace hrmaild::console {

/// One embedded file: its name in daemon/console/templates/ and its bytes.
struct EmbeddedFile {
    std::string_view name;
    std::string_view bytes;
};

/// Every embedded file, sorted by name (generated).
extern const EmbeddedFile kEmbeddedFiles[];
/// How many there are (generated).
extern const std::size_t kEmbeddedFileCount;

}  // namespace hrmaild::console
