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

}  // namespace
}  // namespace hrmaild::workflow
