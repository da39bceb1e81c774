#include "daemon/core/messages.hpp"

#include <array>
#include <atomic>
#include <optional>
#include <stdexcept>

namespace hrmaild::messages {
namespace {

struct Language {
    std::string_view tag;
    std::span<const Entry> (*entries)();
};

constexpr std::array<Language, 2> kLanguages = {
    {{"es-MX", &detail::es_mx}, {"en-US", &detail::en_us}}};
constexpr std::array<std::string_view, kLanguages.size()> kTags = {kLanguages[0].tag,
                                                                   kLanguages[1].tag};

// The config schema offers exactly the languages that have a table, default first.
constexpr bool choices_match() {
    std::string_view rest = kLanguageChoices;
    for (const auto& l : kLanguages) {
        auto bar = rest.find('|');
        if (rest.substr(0, bar) != l.tag)
            return false;
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
    return rest.empty();
}
static_assert(choices_match(), "kLanguageChoices must list the tables in kLanguages, in order");
static_assert(kLanguages[0].tag == kDefaultLanguage, "the default language comes first");

constexpr std::array<std::string_view, kMessageCount> kNames = {
#define HRMAILD_MESSAGE_NAME(name) #name,
    HRMAILD_MESSAGE_IDS(HRMAILD_MESSAGE_NAME)
#undef HRMAILD_MESSAGE_NAME
};

using Table = std::array<std::string_view, kMessageCount>;

// One language's texts indexed by id (built once; the unit test checks completeness).
const Table& table(std::size_t language) {
    static const std::array<Table, kLanguages.size()> tables = [] {
        std::array<Table, kLanguages.size()> t{};
        for (std::size_t l = 0; l < kLanguages.size(); ++l)
            for (const auto& e : kLanguages[l].entries())
                if (static_cast<std::size_t>(e.id) < kMessageCount)
                    t[l][static_cast<std::size_t>(e.id)] = e.text;
        return t;
    }();
    return tables[language];
}

std::optional<std::size_t> index_of(std::string_view language) {
    for (std::size_t l = 0; l < kLanguages.size(); ++l)
        if (kLanguages[l].tag == language)
            return l;
    return std::nullopt;
}

std::atomic<std::size_t> g_selected{0};

}  // namespace

std::span<const std::string_view> languages() {
    return kTags;
}

bool known_language(std::string_view language) {
    return index_of(language).has_value();
}

std::span<const Entry> entries(std::string_view language) {
    auto l = index_of(language);
    return l ? kLanguages[*l].entries() : std::span<const Entry>();
}

void select(std::string_view language) {
    auto l = index_of(language);
    if (!l)
        throw std::invalid_argument("no message catalog for language '" + std::string(language) +
                                    "'");
    g_selected = *l;
}

std::string_view selected() {
    return kLanguages[g_selected].tag;
}

std::string_view text(Msg id) {
    return table(g_selected)[static_cast<std::size_t>(id)];
}

std::string_view text(std::string_view language, Msg id) {
    return table(index_of(language).value_or(g_selected))[static_cast<std::size_t>(id)];
}

std::string_view id_name(Msg id) {
    auto i = static_cast<std::size_t>(id);
    return i < kMessageCount ? kNames[i] : std::string_view("?");
}

}  // namespace hrmaild::messages
