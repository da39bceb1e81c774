#include "daemon/log/log.hpp"
#include "daemon/core/secret.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <regex>

namespace hrmaild::log {
namespace {

TEST(LogRender, TextIsLevelEventIdAndFields) {
    auto line = render(Format::text, false, Level::info, "CONFIG_LOADED",
                       {{"file", "/etc/hrmaild/hrmaild.yaml"}, {"workflows", 8}});
    EXPECT_EQ(line, "info CONFIG_LOADED file=/etc/hrmaild/hrmaild.yaml workflows=8");
}

TEST(LogRender, TextQuotesValuesThatNeedIt) {
    auto line = render(Format::text, false, Level::warn, "X",
                       {{"reason", "two words"}, {"q", "say \"hi\"\n"}, {"empty", ""}});
    EXPECT_EQ(line, R"(warn X reason="two words" q="say \"hi\"\n" empty="")");
}

TEST(LogRender, TimestampOnlyOutsideTheJournal) {
    auto line = render(Format::text, true, Level::error, "X", {});
    EXPECT_TRUE(
        std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error X)")))
        << line;
}

TEST(LogRender, JsonIsOneObjectPerLine) {
    auto line = render(Format::json, false, Level::debug, "ZOHO_CALL_RETRY",
                       {{"attempt", 2}, {"status", 503}});
    EXPECT_EQ(line.find('\n'), std::string::npos);
    auto v = boost::json::parse(line).as_object();
    EXPECT_EQ(v.at("event").as_string(), "ZOHO_CALL_RETRY");
    EXPECT_EQ(v.at("level").as_string(), "debug");
    EXPECT_EQ(v.at("attempt").as_string(), "2");
    EXPECT_FALSE(v.contains("ts"));
    auto with_ts = boost::json::parse(render(Format::json, true, Level::info, "X", {})).as_object();
    EXPECT_TRUE(with_ts.contains("ts"));
}

TEST(LogRender, SecretsPrintRedacted) {
    Secret s("canary-token-123");
    auto line = render(Format::text, false, Level::info, "TOKEN_REFRESHED", {{"token", s}});
    EXPECT_EQ(line, "info TOKEN_REFRESHED token=<redacted>");
    EXPECT_EQ(line.find("canary"), std::string::npos);
}

TEST(LogLevels, ParseKnownNamesOnly) {
    Level l{};
    EXPECT_TRUE(parse_level("warn", l));
    EXPECT_EQ(l, Level::warn);
    EXPECT_FALSE(parse_level("verbose", l));
}

TEST(LogCapture, SeesEventsBelowTheOutputLevelAndMatchesIds) {
    Options o;
    o.level = Level::error;
    o.journal = true;
    setup(o);
    CaptureSink sink;
    info("WORKFLOWS_LOADED", {{"k", "v"}});
    EXPECT_TRUE(sink.has_event("WORKFLOWS_LOADED"));
    EXPECT_FALSE(sink.has_event("WORKFLOWS"));
    EXPECT_EQ(sink.lines().size(), 1u);
    setup(default_options());
}

// A value from outside (a task title, a Bitrix error text) must not forge a log line or drive
// the operator's terminal: every control character is escaped in text (and journald) output.
TEST(LogRender, TextEscapesEveryControlCharacter) {
    auto line = render(Format::text, false, Level::warn, "X",
                       {{"title", "a\rinfo FAKE_EVENT ok=1"},
                        {"esc", "\x1b[31mred\x1b[0m"},
                        {"ls", "uno\u2028dos\u2029tres"},
                        {"c1", "x\u0085y\u009bz"},
                        {"del", std::string("a\x7f"
                                            "b")},
                        {"nul", std::string("a\0b", 3)},
                        {"bell",
                         "a\x07"
                         "b\x0b"
                         "c\x0c"
                         "d"},
                        {"bad", std::string("a\xff"
                                            "b")}});
    EXPECT_EQ(line, R"(warn X title="a\rinfo FAKE_EVENT ok=1" esc="\x1b[31mred\x1b[0m" )"
                    R"(ls="uno\u2028dos\u2029tres" c1="x\u0085y\u009bz" del="a\x7fb" nul="a\x00b" )"
                    R"(bell="a\x07b\x0bc\x0cd" bad="a\xffb")");
    for (char c : line)
        EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << line;
}

TEST(LogRender, TextKeepsPrintableUnicode) {
    auto line = render(Format::text, false, Level::info, "X", {{"name", "Rocío Muñoz"}});
    EXPECT_EQ(line, R"(info X name="Rocío Muñoz")");
}

TEST(LogRender, JsonEscapesControlCharactersByJsonRules) {
    std::string value = "a\rb\x1b[31mc\u2028d\x7f";
    auto line = render(Format::json, false, Level::warn, "X", {{"v", value}});
    for (char c : line)
        EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << line;
    EXPECT_NE(line.find(R"(\r)"), std::string::npos) << line;
    EXPECT_NE(line.find(R"(\u001b)"), std::string::npos) << line;
    auto v = boost::json::parse(line).as_object();
    EXPECT_EQ(v.at("v").as_string(), value);
}

}  // namespace
}  // namespace hrmaild::log
