#include "daemon/service/chat_command.hpp"

#include <gtest/gtest.h>

namespace hrmaild::service {
namespace {

struct Case {
    const char* text;
    std::optional<ChatVerb> verb;
    const char* argument;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << ::testing::PrintToString(std::string(c.text));
}

class ChatCommandTest : public ::testing::TestWithParam<Case> {};

TEST_P(ChatCommandTest, Parses) {
    auto c = parse_chat_command(GetParam().text);
    if (!GetParam().verb) {
        EXPECT_FALSE(c) << GetParam().text << " → " << (c ? verb_name(c->verb) : "");
        return;
    }
    ASSERT_TRUE(c) << GetParam().text;
    EXPECT_EQ(verb_name(c->verb), verb_name(*GetParam().verb)) << GetParam().text;
    EXPECT_EQ(c->argument, GetParam().argument) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Commands, ChatCommandTest,
    ::testing::Values(
        Case{"/aprobar", ChatVerb::approve, ""}, Case{"  /Aprobar  ", ChatVerb::approve, ""},
        Case{"[P]/aprobar[/P]", ChatVerb::approve, ""},
        Case{"[B][P]/aprobar[/P][/B]", ChatVerb::approve, ""},
        Case{"\n\n/approve\nGracias.", ChatVerb::approve, ""},
        Case{"/aprobar\r\n", ChatVerb::approve, ""},
        Case{"/rechazar no procede la baja", ChatVerb::reject, "no procede la baja"},
        Case{"/RECHAZAR: falta firma", ChatVerb::reject, "falta firma"},
        Case{"/reject wrong person", ChatVerb::reject, "wrong person"},
        Case{"/rechazar", ChatVerb::reject, ""}, Case{"/cancelar", ChatVerb::cancel, ""},
        Case{"/cancel", ChatVerb::cancel, ""}, Case{"aprobar", std::nullopt, ""},
        Case{"por favor /aprobar", std::nullopt, ""}, Case{"/aprobado", std::nullopt, ""},
        Case{"/aprobarlo ya", std::nullopt, ""}, Case{"", std::nullopt, ""}));

// Only the FIRST non-empty line outside quotes counts: a command further down is conversation
// (it used to count; an approver's remark above it now makes it no command at all).
INSTANTIATE_TEST_SUITE_P(FirstLineOnly, ChatCommandTest,
                         ::testing::Values(Case{"Revisado.\n/approve", std::nullopt, ""},
                                           Case{"[P]Revisado.[/P][P]/aprobar[/P]", std::nullopt,
                                                ""},
                                           Case{"Revisado.[BR]/aprobar", std::nullopt, ""}));

// Quoted text is someone else's words: a quoted `/aprobar` approves nothing, whatever the
// quote looks like, and a command written after the quote still counts.
INSTANTIATE_TEST_SUITE_P(
    Quotes, ChatCommandTest,
    ::testing::Values(Case{"[QUOTE]/aprobar[/QUOTE]", std::nullopt, ""},
                      Case{"[quote]\n/aprobar\n[/quote]\nDe acuerdo con el plan.", std::nullopt,
                           ""},
                      Case{"[QUOTE=Ana López]/aprobar[/QUOTE]", std::nullopt, ""},
                      Case{"[QUOTE=\"Ana [RH]\"]/aprobar[/QUOTE]", std::nullopt, ""},
                      Case{"[CODE]/aprobar[/CODE]", std::nullopt, ""},
                      Case{"[Code]\n/aprobar\n[/code]", std::nullopt, ""},
                      Case{"[CODE][CODE]x[/CODE]\n/aprobar\n[/CODE]", std::nullopt, ""},
                      Case{"[QUOTE][QUOTE]/aprobar[/QUOTE]\n/aprobar\n[/QUOTE]", std::nullopt, ""},
                      Case{"[QUOTE]/aprobar", std::nullopt, ""},  // unclosed: the rest is quoted
                      Case{"------------------------------------------------------\n"
                           "Ana López [12.03.2026 10:15]\n/aprobar\n"
                           "------------------------------------------------------\n",
                           std::nullopt, ""},
                      Case{"------------------------------------------------------\n"
                           "Ana López [12.03.2026 10:15]\n/aprobar\n"
                           "------------------------------------------------------\n"
                           "¿Seguro?",
                           std::nullopt, ""},
                      Case{"&#91;QUOTE&#93;/aprobar&#91;/QUOTE&#93;", std::nullopt, ""},
                      Case{"&#91;CODE&#93;\n/aprobar\n&#91;/CODE&#93;", std::nullopt, ""},
                      Case{"[QUOTE]/rechazar no[/QUOTE]", std::nullopt, ""},
                      Case{"[QUOTE]/cancelar[/QUOTE]", std::nullopt, ""},
                      // The approver's own command after what they quote.
                      Case{"[QUOTE]plan: 1. Crear cuenta[/QUOTE]\n/aprobar", ChatVerb::approve, ""},
                      Case{"[QUOTE]/rechazar[/QUOTE][P]/aprobar[/P]", ChatVerb::approve, ""},
                      Case{"------------------------------------------------------\n"
                           "Ana López [12.03.2026 10:15]\nfavor de aprobar\n"
                           "------------------------------------------------------\n/aprobar",
                           ChatVerb::approve, ""}));

// `/aprobar` (or `/cancelar`) followed by anything is not that command: a conditional or
// partial approval must not run the plan. It is reported apart so the service can answer.
INSTANTIATE_TEST_SUITE_P(
    Unclear, ChatCommandTest,
    ::testing::Values(Case{"/aprobar cuando RH confirme", ChatVerb::unclear, "cuando RH confirme"},
                      Case{"/approve later", ChatVerb::unclear, "later"},
                      Case{"/aprobar: solo el paso 1", ChatVerb::unclear, "solo el paso 1"},
                      Case{"[P]/aprobar [B]no[/B][/P]", ChatVerb::unclear, "no"},
                      Case{"/cancelar el lunes", ChatVerb::unclear, "el lunes"}));

TEST(ChatCommand, UnclearNamesTheCommandItLooksLike) {
    auto a = parse_chat_command("/aprobar cuando RH confirme");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->verb, ChatVerb::unclear);
    EXPECT_EQ(a->intended, ChatVerb::approve);
    auto hint = unclear_command_hint(*a);
    EXPECT_NE(hint.find("/aprobar"), std::string::npos) << hint;
    EXPECT_EQ(hint.find("cuando RH"), std::string::npos) << "the hint never echoes input";
    auto c = parse_chat_command("/cancelar ya");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->intended, ChatVerb::cancel);
    EXPECT_NE(unclear_command_hint(*c).find("/cancelar"), std::string::npos);
    // A well-formed command names itself.
    auto ok = parse_chat_command("/aprobar");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->intended, ChatVerb::approve);
}

}  // namespace
}  // namespace hrmaild::service
