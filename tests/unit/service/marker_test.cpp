#include "daemon/service/marker.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hrmaild::service {
namespace {

const std::string kHash = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

TEST(Marker, KeepsTheWholeRef) {
    auto m = make_marker(1042, "plan", kHash);
    EXPECT_EQ(m, "hrmaild:1042:plan:" + kHash);
}

TEST(Marker, RoundTrip) {
    auto m = make_marker(1042, "plan", kHash);
    auto text = with_marker("Hola", m);
    EXPECT_TRUE(has_marker(text, m));
    EXPECT_TRUE(is_daemon_comment(text));
    EXPECT_FALSE(has_marker(text, make_marker(1042, "plan", "ffffffff")));
    EXPECT_FALSE(is_daemon_comment("/aprobar"));
}

TEST(Marker, ReadBackAsPlainTextToo) {
    // Bitrix may hand the comment back with its BB-code rendered away, or with CR LF.
    auto m = make_marker(7, "done", "abc");
    EXPECT_TRUE(has_marker("Listo.\r\n\r\nref hrmaild:7:done:abc\r\n", m));
    EXPECT_TRUE(is_daemon_comment("Listo.\n\nref hrmaild:7:done:abc"));
}

TEST(Marker, MatchesExactlyNotAPrefixOrSubstring) {
    auto shorter = make_marker(5, "plan", "abc");
    auto longer = make_marker(5, "plan", "abcdef");
    EXPECT_FALSE(has_marker(with_marker("x", longer), shorter));
    EXPECT_FALSE(has_marker(with_marker("x", shorter), longer));
    // Refs that agree on their first 8 characters are different markers.
    EXPECT_FALSE(has_marker(with_marker("x", make_marker(5, "plan", "12345678aaaa")),
                            make_marker(5, "plan", "12345678bbbb")));
    // Another task whose id starts the same.
    EXPECT_FALSE(has_marker(with_marker("x", make_marker(50, "plan", "abc")), shorter));
    // Mentioned inside a sentence is not the daemon's marker line.
    EXPECT_FALSE(has_marker("el comentario con ref hrmaild:5:plan:abc ya no aplica", shorter));
    EXPECT_FALSE(is_daemon_comment("el comentario con ref hrmaild:5:plan:abc ya no aplica"));
}

TEST(Marker, QuotedMarkersDoNotCount) {
    auto m = make_marker(5, "plan", "abc");
    auto daemon_text = with_marker("El alta necesita aprobación.", m);
    for (const std::string& quoted :
         {"[QUOTE]" + daemon_text + "[/QUOTE]\n/aprobar",
          "[QUOTE=hrmaild]" + daemon_text + "[/QUOTE]", "[CODE]" + daemon_text + "[/CODE]",
          "------------------------------------------------------\nhrmaild [12.03.2026 10:15]\n" +
              daemon_text + "\n------------------------------------------------------\n/aprobar"}) {
        EXPECT_FALSE(has_marker(quoted, m)) << quoted;
        EXPECT_FALSE(is_daemon_comment(quoted)) << quoted;
    }
}

}  // namespace
}  // namespace hrmaild::service
