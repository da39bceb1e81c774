#include "daemon/workflow/text.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace hrmaild::workflow {
namespace {

icu::UnicodeString u(std::string_view s) {
    return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::string utf8(const icu::UnicodeString& s) {
    std::string out;
    s.toUTF8String(out);
    return out;
}

// ICU transliterators are not safe to share between threads without a lock; planning is
// rare and short, so one instance behind a mutex is enough.
struct Ascii {
    std::mutex mutex;
    std::unique_ptr<icu::Transliterator> tr;
    Ascii() {
        UErrorCode status = U_ZERO_ERROR;
        tr.reset(icu::Transliterator::createInstance(
            "Any-Latin; NFD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII", UTRANS_FORWARD,
            status));
        if (U_FAILURE(status) || !tr)
            throw std::runtime_error(std::string("ICU transliterator unavailable: ") +
                                     u_errorName(status));
    }
};

Ascii& ascii() {
    static Ascii a;
    return a;
}

std::atomic<std::size_t> full_transliterations_{0};

// The common case, Latin letters with accents (every Spanish name): decomposed, with the
// nonspacing marks dropped, only ASCII is left, and that is exactly what the transliterator
// below gives for it. Building the transliterator loads ICU's whole transliteration registry
// (tens of milliseconds and some 4 MiB at the first plan, issue 11), so it is made only for
// text this cannot settle (ß, ø, ’, other scripts).
std::optional<std::string> accents_only(const icu::UnicodeString& text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status) || nfd == nullptr)
        return std::nullopt;
    const icu::UnicodeString d = nfd->normalize(text, status);
    if (U_FAILURE(status))
        return std::nullopt;
    std::string out;
    for (int32_t i = 0; i < d.length();) {
        const UChar32 c = d.char32At(i);
        i += U16_LENGTH(c);
        if (u_charType(c) == U_NON_SPACING_MARK)
            continue;
        if (c >= 0x80)
            return std::nullopt;
        out += static_cast<char>(c);
    }
    return out;
}

bool is_space(UChar32 c) {
    return u_isUWhiteSpace(c) || c == 0xA0;
}

}  // namespace

std::size_t full_transliterations() {
    return full_transliterations_.load();
}

std::string to_ascii(std::string_view s) {
    auto text = u(s);
    if (auto plain = accents_only(text))
        return *plain;
    ++full_transliterations_;
    {
        auto& a = ascii();
        std::lock_guard lock(a.mutex);
        a.tr->transliterate(text);
    }
    // Whatever survives transliteration and is still not ASCII is dropped.
    std::string out;
    for (char c : utf8(text))
        if (static_cast<unsigned char>(c) < 0x80)
            out += c;
    return out;
}

std::string to_lower(std::string_view s) {
    return utf8(u(s).toLower(icu::Locale::getRoot()));
}

std::string to_upper(std::string_view s) {
    return utf8(u(s).toUpper(icu::Locale::getRoot()));
}

std::string squeeze(std::string_view s) {
    auto text = u(s);
    icu::UnicodeString out;
    bool pending = false;
    for (int32_t i = 0; i < text.length();) {
        UChar32 c = text.char32At(i);
        i += U16_LENGTH(c);
        if (is_space(c)) {
            pending = !out.isEmpty();
            continue;
        }
        if (pending)
            out.append(static_cast<UChar>(' '));
        pending = false;
        out.append(c);
    }
    return utf8(out);
}

std::string fold(std::string_view s) {
    return squeeze(to_lower(to_ascii(s)));
}

std::size_t length(std::string_view s) {
    return static_cast<std::size_t>(u(s).countChar32());
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    auto sq = squeeze(s);
    std::size_t start = 0;
    while (start < sq.size()) {
        auto end = sq.find(' ', start);
        if (end == std::string::npos)
            end = sq.size();
        out.push_back(sq.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

struct Entity {
    std::string_view name;
    std::uint32_t cp;
};

constexpr std::array<Entity, 40> kEntities = {{
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},    {"apos", '\''},
    {"nbsp", 0xA0},     {"aacute", 0xE1},  {"eacute", 0xE9},  {"iacute", 0xED}, {"oacute", 0xF3},
    {"uacute", 0xFA},   {"Aacute", 0xC1},  {"Eacute", 0xC9},  {"Iacute", 0xCD}, {"Oacute", 0xD3},
    {"Uacute", 0xDA},   {"ntilde", 0xF1},  {"Ntilde", 0xD1},  {"uuml", 0xFC},   {"Uuml", 0xDC},
    {"iexcl", 0xA1},    {"iquest", 0xBF},  {"ordf", 0xAA},    {"ordm", 0xBA},   {"laquo", 0xAB},
    {"raquo", 0xBB},    {"ccedil", 0xE7},  {"Ccedil", 0xC7},  {"euro", 0x20AC}, {"middot", 0xB7},
    {"lsqb", '['},      {"rsqb", ']'},     {"lbrack", '['},   {"rbrack", ']'},  {"shy", 0xAD},
    {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"deg", 0xB0},    {"colon", ':'},
}};

// The longest reference decoded: "&#1114111;" and "&hellip;" fit; a longer run of letters
// after `&` is text, and the search for `;` never looks further (linear time).
constexpr std::size_t kMaxEntity = 12;

bool is_entity_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#';
}

}  // namespace

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        std::size_t semi = i + 1;
        while (semi < s.size() && semi - i <= kMaxEntity && is_entity_char(s[semi]))
            ++semi;
        if (semi >= s.size() || s[semi] != ';' || semi == i + 1) {
            out += '&';
            continue;
        }
        auto name = s.substr(i + 1, semi - i - 1);
        bool done = false;
        if (name[0] == '#') {
            std::uint32_t cp = 0;
            auto digits = name.substr(1);
            int base = 10;
            if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
                digits = digits.substr(1);
                base = 16;
            }
            auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
            if (!digits.empty() && p == digits.data() + digits.size()) {
                // A reference to no character at all (NUL, a surrogate, out of range) is
                // dropped: decoding it would put invalid UTF-8 or a NUL into names.
                if (ec == std::errc() && cp != 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF))
                    append_utf8(out, cp);
                done = true;
            }
        } else {
            for (const auto& e : kEntities)
                if (e.name == name) {
                    append_utf8(out, e.cp);
                    done = true;
                    break;
                }
        }
        if (done)
            i = semi;
        else
            out += '&';
    }
    return out;
}

std::string clean_text(std::string_view s) {
    auto text = u(s);
    icu::UnicodeString kept;
    for (int32_t i = 0; i < text.length();) {
        UChar32 c = text.char32At(i);
        i += U16_LENGTH(c);
        if (c == '\r') {
            if (i < text.length() && text.charAt(i) == '\n')
                continue;
            c = '\n';
        }
        if (c == 0x2028 || c == 0x2029)
            c = '\n';
        if (c == '\n' || c == '\t') {
            kept.append(c);
            continue;
        }
        auto type = u_charType(c);
        if (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR ||
            u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            continue;
        kept.append(c);
    }
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || nfc == nullptr)
        throw std::runtime_error(std::string("ICU NFC data unavailable: ") + u_errorName(status));
    auto normalized = nfc->normalize(kept, status);
    if (U_FAILURE(status))
        throw std::runtime_error(std::string("ICU normalization failed: ") + u_errorName(status));
    return utf8(normalized);
}

std::string truncate_text(std::string_view s, std::size_t max_chars) {
    if (max_chars == 0)
        return {};
    // Offsets of the first `max_chars + 1` code points (lead bytes).
    std::size_t count = 0;
    std::size_t keep_end = 0;  // byte offset where code point `max_chars - 1` starts
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
            continue;
        if (count == max_chars - 1)
            keep_end = i;
        if (++count > max_chars)
            return std::string(s.substr(0, keep_end)) + "…";
    }
    return std::string(s);
}

std::string neutralize_for_comment(std::string_view s, std::size_t max_chars) {
    auto clean = clean_text(s);
    std::string out;
    out.reserve(clean.size() + 16);
    for (std::size_t i = 0; i < clean.size(); ++i) {
        char c = clean[i];
        switch (c) {
            case '[':
                out += "［";
                break;
            case ']':
                out += "］";
                break;
            case '\t':
                out += ' ';
                break;
            case '&': {
                // "&#91;", "&lbrack;": what would decode into something else later.
                std::size_t j = i + 1;
                while (j < clean.size() && j - i <= kMaxEntity && is_entity_char(clean[j]))
                    ++j;
                bool entity = j > i + 1 && j < clean.size() && clean[j] == ';';
                out += entity ? "＆" : "&";
                break;
            }
            default:
                out += c;
        }
    }
    return truncate_text(out, max_chars);
}

struct Regex::Impl {
    std::unique_ptr<icu::RegexPattern> pattern;
};

std::optional<Regex> Regex::compile(std::string_view pattern, std::string& error) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError pe{};
    std::unique_ptr<icu::RegexPattern> p(
        icu::RegexPattern::compile(u(pattern), UREGEX_CASE_INSENSITIVE, pe, status));
    if (U_FAILURE(status) || !p) {
        error = std::string(u_errorName(status));
        if (pe.offset >= 0)
            error += " at offset " + std::to_string(pe.offset);
        return std::nullopt;
    }
    Regex r;
    auto impl = std::make_shared<Impl>();
    impl->pattern = std::move(p);
    r.impl_ = std::move(impl);
    r.source_ = std::string(pattern);
    return r;
}

bool Regex::search(std::string_view text) const {
    UErrorCode status = U_ZERO_ERROR;
    auto t = u(text);
    std::unique_ptr<icu::RegexMatcher> m(impl_->pattern->matcher(t, status));
    if (U_FAILURE(status))
        return false;
    bool found = m->find(status);
    return U_SUCCESS(status) && found;
}

bool Regex::full_match(std::string_view text) const {
    UErrorCode status = U_ZERO_ERROR;
    auto t = u(text);
    std::unique_ptr<icu::RegexMatcher> m(impl_->pattern->matcher(t, status));
    if (U_FAILURE(status))
        return false;
    bool found = m->matches(status);
    return U_SUCCESS(status) && found;
}

}  // namespace hrmaild::workflow
