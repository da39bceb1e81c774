#pragma once
/// Unicode text helpers for workflows (ICU): transliteration, case, folding, regular expressions.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::workflow {

/// Transliterates to ASCII ("José Núñez" → "Jose Nunez", "Güemes" → "Guemes", "ñ" → "n").
std::string to_ascii(std::string_view utf8);
/// Lower-case, Unicode aware ("ÑANDÚ" → "ñandú").
std::string to_lower(std::string_view utf8);
/// Upper-case, Unicode aware.
std::string to_upper(std::string_view utf8);
/// A comparison key: ASCII, lower-case, whitespace collapsed, trimmed.
std::string fold(std::string_view utf8);
/// Trims and collapses runs of whitespace (including no-break spaces) into one space.
std::string squeeze(std::string_view utf8);
/// Number of code points.
std::size_t length(std::string_view utf8);
/// Words separated by whitespace.
std::vector<std::string> words(std::string_view utf8);

/// A compiled regular expression (ICU syntax, case-insensitive, Unicode aware). Copies share
/// the compiled pattern; matching is safe from several threads.
class Regex {
  public:
    /// Compiles `pattern`; on failure returns nullopt and sets `error` (with the offset).
    static std::optional<Regex> compile(std::string_view pattern, std::string& error);
    /// Whether the pattern matches somewhere in `text`.
    [[nodiscard]] bool search(std::string_view text) const;
    /// Whether the pattern matches the whole of `text`.
    [[nodiscard]] bool full_match(std::string_view text) const;
    /// The source text.
    [[nodiscard]] const std::string& pattern() const { return source_; }

  private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
    std::string source_;
};

}  // namespace hrmaild::workflow
