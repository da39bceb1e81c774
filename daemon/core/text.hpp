#pragma once
/// Small text helpers every module shares: ASCII case folding, joining, and the "did you mean"
/// hint that positioned errors append to an unknown name.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::core {

/// `c` lower-cased if it is an ASCII capital letter; every other byte unchanged (UTF-8 safe).
constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// The text with its ASCII capitals lower-cased (header names, addresses, hex digits).
std::string ascii_lower(std::string_view text);

/// Whether two texts are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

/// The items joined by `sep` (`join({"a","b"}, ", ")` is `"a, b"`).
template <typename Range>
std::string join(const Range& items, std::string_view sep) {
    std::string out;
    bool first = true;
    for (const auto& item : items) {
        if (!first)
            out += sep;
        first = false;
        out += std::string_view(item);
    }
    return out;
}

/// Levenshtein distance between two byte strings (insert, delete, substitute: cost 1 each).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The known name nearest to `name` (edit distance below 3, the first on a tie), or empty.
std::string nearest(std::string_view name, const std::vector<std::string_view>& known);

/// A "did you mean" hint for an unknown `name`: ` (did you mean 'x'?)` with the nearest known
/// name, or empty when none is near.
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& known);

/// The same for any range of names (strings or string views).
template <typename Range>
std::string did_you_mean(std::string_view name, const Range& known) {
    std::vector<std::string_view> views;
    for (const auto& k : known)
        views.emplace_back(k);
    return did_you_mean(name, views);
}

}  // namespace hrmaild::core
