#include "daemon/service/chat_command.hpp"
#include "daemon/service/marker.hpp"

#include <gtest/gtest.h>

namespace hrmaild::service {
namespace {

struct Case {
    const char* text;
    std::optional<ChatVerb> verb;
    const char* argument;
};

class ChatCommandTest : public ::testing::TestWithParam<Case> {};

TEST_P(ChatCommandTest, Parses) {
    auto c = parse_chat_command(GetParam().text);
    if (!GetParam().verb) {
        EXPECT_FALSE(c) << GetParam().text;
        return;
    }
    ASSERT_TRUE(c) << GetParam().text;
    EXPECT_EQ(c->verb, *GetParam().verb);
    EXPECT_EQ(c->argument, GetParam().argument);
}

INSTANTIATE_TEST_SUITE_P(
    Comments, ChatCommandTest,
    ::testing::Values(Case{"/aprobar", ChatVerb::approve, ""},
                      Case{"  /Aprobar  ", ChatVerb::approve, ""},
                      Case{"[P]/aprobar[/P]", ChatVerb::approve, ""},
                      Case{"Revisado.\n/approve", ChatVerb::approve, ""},
                      Case{"/rechazar no procede la baja", ChatVerb::reject, "no procede la baja"},
                      Case{"/RECHAZAR: falta firma", ChatVerb::reject, "falta firma"},
                      Case{"/reject wrong person", ChatVerb::reject, "wrong person"},
                      Case{"/rechazar", ChatVerb::reject, ""},
                      Case{"/cancelar", ChatVerb::cancel, ""}, Case{"aprobar", std::nullopt, ""},
                      Case{"por favor /aprobar", std::nullopt, ""},
                      Case{"/aprobado", std::nullopt, ""}, Case{"/aprobarlo ya", std::nullopt, ""},
                      Case{"", std::nullopt, ""}));

TEST(Marker, RoundTrip) {
    auto m = make_marker(1042, "plan", "a1b2c3d4e5f6");
    EXPECT_EQ(m, "hrmaild:1042:plan:a1b2c3d4");
    auto text = with_marker("Hola", m);
    EXPECT_TRUE(has_marker(text, m));
    EXPECT_TRUE(is_daemon_comment(text));
    EXPECT_FALSE(has_marker(text, make_marker(1042, "plan", "ffffffff")));
    EXPECT_FALSE(is_daemon_comment("/aprobar"));
}

}  // namespace
}  // namespace hrmaild::service
