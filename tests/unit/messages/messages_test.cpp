#include "daemon/core/messages.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

namespace hrmaild::messages {
namespace {

using namespace fmt::literals;

// The placeholders of a text: `{name}` (fmt) and `{{ ... }}` (workflow templates).
std::multiset<std::string> placeholders(std::string_view text) {
    static const std::regex re(R"(\{\{[^}]*\}\}|\{[a-z_]+\})");
    std::multiset<std::string> out;
    const std::string s(text);
    for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
        out.insert(it->str());
    return out;
}

TEST(Messages, EveryIdInEveryLanguageOnce) {
    ASSERT_GE(languages().size(), 2U);
    for (auto language : languages()) {
        std::map<Msg, int> seen;
        for (const auto& e : entries(language)) {
            ASSERT_LT(static_cast<std::size_t>(e.id), kMessageCount) << language;
            ++seen[e.id];
            EXPECT_FALSE(e.text.empty()) << language << ": " << id_name(e.id) << " is empty";
        }
        for (std::size_t i = 0; i < kMessageCount; ++i) {
            const auto id = static_cast<Msg>(i);
            EXPECT_EQ(seen[id], 1) << language << ": " << id_name(id)
                                   << (seen[id] == 0 ? " is missing" : " is written twice");
        }
    }
}

TEST(Messages, SamePlaceholdersInEveryLanguage) {
    for (std::size_t i = 0; i < kMessageCount; ++i) {
        const auto id = static_cast<Msg>(i);
        const auto expected = placeholders(text(kDefaultLanguage, id));
        for (auto language : languages())
            EXPECT_EQ(placeholders(text(language, id)), expected)
                << language << ": " << id_name(id) << " names other placeholders than "
                << kDefaultLanguage;
    }
}

TEST(Messages, SelectChoosesTheTableAndRejectsAnUnknownLanguage) {
    EXPECT_EQ(selected(), kDefaultLanguage);
    {
        ScopedLanguage en("en-US");
        EXPECT_EQ(selected(), "en-US");
        EXPECT_EQ(render(Msg::svc_it_failed, "task"_a = 7, "detail"_a = "x"),
                  "hrmaild: task #7 failed and needs attention: x");
    }
    EXPECT_EQ(render(Msg::svc_it_failed, "task"_a = 7, "detail"_a = "x"),
              "hrmaild: la tarea #7 falló y necesita atención: x");
    EXPECT_THROW(select("fr-FR"), std::invalid_argument);
    EXPECT_EQ(selected(), kDefaultLanguage);
    EXPECT_FALSE(known_language("es"));
    EXPECT_TRUE(entries("fr-FR").empty());
}

TEST(Messages, IdNamesAreTheWrittenNames) {
    EXPECT_EQ(id_name(Msg::svc_plan_code), "svc_plan_code");
    EXPECT_EQ(id_name(Msg::wf_default_approval), "wf_default_approval");
}

}  // namespace
}  // namespace hrmaild::messages
