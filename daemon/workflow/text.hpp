#pragma once
/// Unicode text helpers for workflows (ICU): transliteration, case, folding, cleaning,
/// entities, neutralizing values for comments, regular expressions.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::workflow {

/// Transliterates to ASCII ("José Núñez" → "Jose Nunez", "Güemes" → "Guemes", "ñ" → "n").
/// Accented Latin letters are settled without ICU's transliterator; other text (ß, ø, ’,
/// other scripts) goes through it, built on first need.
std::string to_ascii(std::string_view utf8);
/// How many texts `to_ascii` has passed to ICU's transliterator (the rest were only accents).
std::size_t full_transliterations();
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

/// HTML entities decoded, one level (`&amp;#91;` → `&#91;`): named (`&amp;`, `&ntilde;`,
/// `&lbrack;`...) and numeric (`&#241;`, `&#xF1;`). A numeric reference to something that is
/// not a character (0, a surrogate, beyond U+10FFFF) is dropped; anything unknown stays as
/// written. Run it BEFORE BB-code is read, so an encoded tag is a tag like any other.
std::string decode_entities(std::string_view text);

/// Text as a person sees it: NFC-normalized; invisible and format characters removed (every
/// Unicode Cf and default-ignorable code point: zero-width space and joiners, bidi controls,
/// soft hyphen, BOM, variation selectors...); control characters removed except line feed and
/// tab; CR LF, a lone CR and U+2028/2029 become a line feed. Bytes that are not UTF-8 become
/// U+FFFD. Names that look alike are then byte-for-byte alike.
std::string clean_text(std::string_view utf8);

/// At most `max_chars` code points: a longer text keeps `max_chars - 1` of them and ends with
/// "…" (0 yields ""). `utf8` must be valid UTF-8 (as `clean_text` yields).
std::string truncate_text(std::string_view utf8, std::size_t max_chars);

/// A value from outside (a task field, a name, an error that quotes one) made safe to put in
/// a Bitrix comment: `clean_text`, then BB-code made inert (`[` and `]` become the full-width
/// `［` `］`, which no Bitrix parser reads as markup; an `&` that starts an entity becomes `＆`,
/// so nothing decodes into a bracket later), tabs as spaces, and capped with `truncate_text`.
/// Line feeds are kept. Idempotent.
std::string neutralize_for_comment(std::string_view utf8, std::size_t max_chars);

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
