#include "daemon/zoho/password.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace hrmaild::zoho {
namespace {

const PasswordSubject kAna{"ana.lopez@tarmexico.com", "Ana", "López"};

TEST(Password, AThousandGeneratedPasswordsPassThePolicy) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        Secret pw = generate_password(kAna);
        auto problems = password_problems(pw.reveal(), kAna);
        EXPECT_TRUE(problems.empty())
            << "password #" << i << ": " << fmt::format("{}", fmt::join(problems, "; "));
        EXPECT_GE(pw.reveal().size(), 16u);
        EXPECT_LE(pw.reveal().size(), 20u);
        seen.insert(pw.reveal());
    }
    EXPECT_EQ(seen.size(), 1000u) << "randomness repeats";
}

TEST(Password, LengthsCoverTheWholeRange) {
    std::set<std::size_t> lengths;
    for (int i = 0; i < 300; ++i)
        lengths.insert(generate_password().reveal().size());
    EXPECT_EQ(lengths, (std::set<std::size_t>{16, 17, 18, 19, 20}));
}

TEST(Password, PrintsRedacted) {
    EXPECT_EQ(fmt::format("{}", generate_password()), "<redacted>");
}

TEST(Password, ChecksFindEachRule) {
    auto has = [](std::string_view pw, const PasswordSubject& s, std::string_view what) {
        for (const auto& p : password_problems(pw, s))
            if (p.find(what) != std::string::npos)
                return true;
        return false;
    };
    const PasswordSubject none;
    EXPECT_TRUE(password_problems("Xq7#Kp2!mR9$wT4@", none).empty());
    EXPECT_TRUE(has("Xq7#Kp2!mR9$", none, "length"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$wT4@Zz8k9", none, "length"));
    EXPECT_TRUE(has("xq7#kp2!mr9$wt4@", none, "upper-case"));
    EXPECT_TRUE(has("XQ7#KP2!MR9$WT4@", none, "lower-case"));
    EXPECT_TRUE(has("Xqa#Kpb!mR9$wTc@", none, "digits"));
    EXPECT_TRUE(has("Xq7xKp2zmR9$wT4a", none, "symbols"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$wT4\"", none, "outside"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$wWw4@", none, "repeated"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$aBc4@", none, "sequential"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$w456@", none, "sequential"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$w654@", none, "sequential"));
    EXPECT_TRUE(has("Xq7#Kp2!mR9$LOPq4@", kAna, "address or name"));
    EXPECT_TRUE(has("Xq7#Kp2!mAnA9$wT4@", kAna, "address or name"));
    EXPECT_FALSE(has("Xq7#Kp2!mAnA9$wT4@", none, "address or name"));
}

#ifdef HRMAILD_TEST_HOOKS
TEST(Password, ATestSeedGivesReproduciblePasswordsThatStillPassThePolicy) {
    auto draw = [](std::uint64_t seed) {
        set_test_password_seed(seed);
        std::vector<std::string> out;
        for (int i = 0; i < 50; ++i)
            out.push_back(generate_password(kAna).reveal());
        clear_test_password_seed();
        return out;
    };
    auto a = draw(42), b = draw(42), c = draw(43);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), a.size());
    for (const auto& pw : a) {
        EXPECT_TRUE(pw.starts_with(test_password_canary)) << pw;
        EXPECT_TRUE(password_problems(pw, kAna).empty()) << pw;
    }
    // Without the seed: RAND_bytes again, no canary.
    EXPECT_FALSE(generate_password(kAna).reveal().starts_with(test_password_canary));
}
#endif

}  // namespace
}  // namespace hrmaild::zoho
