#include "daemon/workflow/text.hpp"

#include <unicode/locid.h>
#include <unicode/regex.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <mutex>
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

bool is_space(UChar32 c) {
    return u_isUWhiteSpace(c) || c == 0xA0;
}

}  // namespace

std::string to_ascii(std::string_view s) {
    auto text = u(s);
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
