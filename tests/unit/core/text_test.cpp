// ASCII case folding, join, edit distance and "did you mean" (daemon/core/text.hpp).
#include "daemon/core/text.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace hrmaild::core {
namespace {

TEST(CoreText, AsciiLowerTouchesOnlyAsciiCapitals) {
    EXPECT_EQ(ascii_lower("Ana.LOPEZ@TarMexico.COM"), "ana.lopez@tarmexico.com");
    // UTF-8 bytes (É is C3 89) and punctuation pass through unchanged.
    EXPECT_EQ(ascii_lower("JOSÉ [@`{]"), "josÉ [@`{]");
    EXPECT_EQ(ascii_lower(""), "");
    static_assert(ascii_lower('Z') == 'z' && ascii_lower('z') == 'z' && ascii_lower('[') == '[');
}

TEST(CoreText, CaseInsensitiveEquality) {
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_FALSE(iequals("Content-Length", "content-lengt"));
    EXPECT_FALSE(iequals("É", "é"));  // not ASCII: compared as bytes
}

TEST(CoreText, JoinTakesAnyRangeOfTexts) {
    EXPECT_EQ(join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join(std::array<std::string_view, 1>{"solo"}, "; "), "solo");
    EXPECT_EQ(join(std::vector<std::string>{}, ","), "");
    EXPECT_EQ(join(std::set<std::string>{"b", "a"}, "\n"), "a\nb");
    EXPECT_EQ(join(std::vector<std::string>{"", ""}, ","), ",");
}

TEST(CoreText, EditDistance) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
    EXPECT_EQ(edit_distance("intake", "intkae"), 2u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(CoreText, DidYouMeanNamesTheNearestWithinTwoEdits) {
    const std::vector<std::string_view> known{"store", "intake", "zoho", "bitrix"};
    EXPECT_EQ(did_you_mean("stor", known), " (did you mean 'store'?)");
    EXPECT_EQ(did_you_mean("intkae", known), " (did you mean 'intake'?)");
    EXPECT_EQ(did_you_mean("completely", known), "");
    EXPECT_EQ(did_you_mean("zzzz", known), "");  // three edits from zoho: too far
    // The first of equally near names wins, so the hint is stable.
    EXPECT_EQ(nearest("ab", std::vector<std::string_view>{"abc", "abd"}), "abc");
    // Any range of strings.
    EXPECT_EQ(did_you_mean("bitrx", std::vector<std::string>{"bitrix"}),
              " (did you mean 'bitrix'?)");
}

}  // namespace
}  // namespace hrmaild::core
