#include "daemon/workflow/text.hpp"

#include <gtest/gtest.h>

namespace hrmaild::workflow {
namespace {

struct Pair {
    const char* in;
    const char* out;
};

class Ascii : public ::testing::TestWithParam<Pair> {};
TEST_P(Ascii, Transliterates) {
    EXPECT_EQ(to_ascii(GetParam().in), GetParam().out);
}
INSTANTIATE_TEST_SUITE_P(Cases, Ascii,
                         ::testing::Values(Pair{"José Núñez", "Jose Nunez"},
                                           Pair{"Güemes", "Guemes"}, Pair{"ñandú", "nandu"},
                                           Pair{"Peña", "Pena"}, Pair{"Çelik Øster", "Celik Oster"},
                                           Pair{"O’Connor", "O'Connor"}, Pair{"Straße", "Strasse"},
                                           Pair{"plain", "plain"}));

TEST(Text, AccentsAloneNeedNoTransliterator) {
    // Spanish names settle without ICU's transliterator (its registry costs some 4 MiB and
    // tens of milliseconds, issue 11); anything else still goes through it, same results.
    const auto before = full_transliterations();
    EXPECT_EQ(to_ascii("María José Núñez Güemes Peña"), "Maria Jose Nunez Guemes Pena");
    EXPECT_EQ(to_ascii("ÁÉÍÓÚÜÑ áéíóúüñ Çç"), "AEIOUUN aeiouun Cc");
    EXPECT_EQ(full_transliterations(), before);
    EXPECT_EQ(to_ascii("Straße"), "Strasse");
    EXPECT_EQ(to_ascii("Дмитрий"), "Dmitrij");
    EXPECT_EQ(full_transliterations(), before + 2);
}

class Fold : public ::testing::TestWithParam<Pair> {};
TEST_P(Fold, Folds) {
    EXPECT_EQ(fold(GetParam().in), GetParam().out);
}
INSTANTIATE_TEST_SUITE_P(Cases, Fold,
                         ::testing::Values(Pair{"  ÁREA   Nueva ", "area nueva"},
                                           Pair{"Contraseña", "contrasena"},
                                           Pair{"a\u00A0b", "a b"}));

TEST(Text, CaseIsUnicodeAware) {
    EXPECT_EQ(to_lower("ÑANDÚ Güemes"), "ñandú güemes");
    EXPECT_EQ(to_upper("ñandú"), "ÑANDÚ");
}

TEST(Text, LengthCountsCodePoints) {
    EXPECT_EQ(length("Núñez"), 5u);
    EXPECT_EQ(length(""), 0u);
}

TEST(Text, WordsSplitOnAnyWhitespace) {
    EXPECT_EQ(words("  María\tJosé \n Núñez "),
              (std::vector<std::string>{"María", "José", "Núñez"}));
}

TEST(Regex, CompilesCaseInsensitiveUnicode) {
    std::string err;
    auto r = Regex::compile("^\\s*baja\\b", err);
    ASSERT_TRUE(r) << err;
    EXPECT_TRUE(r->search("  BAJA - Juan"));
    EXPECT_FALSE(r->search("Alta y baja"));
    auto n = Regex::compile("contraseña", err);
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->search("CONTRASEÑA olvidada"));
    EXPECT_TRUE(Regex::compile("[a-z]+", err)->full_match("abc"));
    EXPECT_FALSE(Regex::compile("[a-z]+", err)->full_match("abc1"));
}

TEST(Regex, ReportsBadPatterns) {
    std::string err;
    EXPECT_FALSE(Regex::compile("(unclosed", err));
    EXPECT_NE(err.find("offset"), std::string::npos) << err;
}

// What HR pastes may carry characters nobody sees; they must not reach a mailbox name.
class Clean : public ::testing::TestWithParam<Pair> {};
TEST_P(Clean, DropsInvisibleCharactersAndComposes) {
    EXPECT_EQ(clean_text(GetParam().in), GetParam().out);
}
INSTANTIATE_TEST_SUITE_P(
    Cases, Clean,
    ::testing::Values(Pair{"Ro\u200Bcío", "Rocío"},          // zero-width space
                      Pair{"Roci\u0301o", "Roc\u00EDo"},     // decomposed í → composed
                      Pair{"\u202EAna\u202C", "Ana"},        // bidi override and pop
                      Pair{"A\u2066na\u2069", "Ana"},        // bidi isolate
                      Pair{"An\u00ADa", "Ana"},              // soft hyphen
                      Pair{"\uFEFFAna", "Ana"},              // byte order mark
                      Pair{"A\u200Dn\u200Ca\u2060", "Ana"},  // joiners, word joiner
                      Pair{"A\u180Ena", "Ana"},              // Mongolian vowel separator
                      Pair{"Ana\x01\x1b\x7f\u0085", "Ana"},  // C0, DEL, C1
                      Pair{"uno\ndos\r\ntres\tcuatro", "uno\ndos\ntres\tcuatro"},
                      Pair{"Núñez Peña", "Núñez Peña"}));

TEST(Clean, DecomposedAndComposedNamesAreEqual) {
    EXPECT_EQ(clean_text("Roci\u0301o"), clean_text("Rocío"));
    EXPECT_EQ(length(clean_text("Roci\u0301o")), 5u);
    EXPECT_EQ(fold(clean_text("Ro\u200Bci\u0301o")), "rocio");
}

TEST(Entities, DecodeNamedAndNumericOnce) {
    EXPECT_EQ(decode_entities("Mu&ntilde;oz &amp; P&eacute;rez &#241; &#xF1; &lt;a&gt;"),
              "Muñoz & Pérez ñ ñ <a>");
    EXPECT_EQ(decode_entities("&#91;B&#93;"), "[B]");
    EXPECT_EQ(decode_entities("&amp;#91;"), "&#91;");  // one level only
    EXPECT_EQ(decode_entities("a & b &nope; &#;"), "a & b &nope; &#;");
    EXPECT_EQ(decode_entities("&#0;&#xD800;&#1114112;x"), "x");  // not characters
}

// Any value from a task rendered into a comment: no live BB-code, no controls, bounded.
TEST(Neutralize, MakesBbCodeInert) {
    auto n =
        neutralize_for_comment("[URL=http://x]click[/URL] [USER=7]Ana[/USER] [IMG]y[/IMG]", 200);
    EXPECT_EQ(n.find('['), std::string::npos) << n;
    EXPECT_EQ(n.find(']'), std::string::npos) << n;
    EXPECT_EQ(n, "［URL=http://x］click［/URL］ ［USER=7］Ana［/USER］ ［IMG］y［/IMG］");
}

TEST(Neutralize, EntitiesCannotBecomeTagsLater) {
    auto n = neutralize_for_comment("&#91;URL=http://x&#93;click&#91;/URL&#93; &lbrack; a&b", 200);
    EXPECT_EQ(n.find("&#"), std::string::npos) << n;
    EXPECT_EQ(n.find("&lbrack;"), std::string::npos) << n;
    EXPECT_NE(n.find("a&b"), std::string::npos) << n;  // a plain ampersand stays
}

TEST(Neutralize, StripsControlsAndInvisibles) {
    auto n = neutralize_for_comment("a\x1b[31mb\rc\u202Ed\u200Be\x07", 200);
    EXPECT_EQ(n, "a［31mb\ncde");  // a lone CR is a line break, like CR LF
    EXPECT_EQ(neutralize_for_comment("uno\ndos", 200), "uno\ndos");  // line breaks kept
}

TEST(Neutralize, CapsAtACharacterBoundaryWithAnEllipsis) {
    auto n = neutralize_for_comment(std::string(5000, 'a'), 80);
    EXPECT_EQ(length(n), 80u);
    EXPECT_EQ(n, std::string(79, 'a') + "…");
    std::string enes;
    for (int i = 0; i < 20; ++i)
        enes += "ñ";
    EXPECT_EQ(neutralize_for_comment(enes, 10), "ñññññññññ…");
    EXPECT_EQ(neutralize_for_comment(enes, 20), enes);  // exactly at the cap: unchanged
    EXPECT_EQ(neutralize_for_comment("abc", 0), "");
}

TEST(Neutralize, IsIdempotent) {
    for (std::string in : {std::string("[B]x[/B] &#91; Ro\u200Bcío"), std::string(500, '[')}) {
        auto once = neutralize_for_comment(in, 100);
        EXPECT_EQ(neutralize_for_comment(once, 100), once) << in;
    }
}

TEST(Truncate, KeepsWholeCodePoints) {
    EXPECT_EQ(truncate_text("Núñez", 10), "Núñez");
    EXPECT_EQ(truncate_text("Núñez", 3), "Nú…");
    EXPECT_EQ(truncate_text("Núñez", 1), "…");
}

}  // namespace
}  // namespace hrmaild::workflow
