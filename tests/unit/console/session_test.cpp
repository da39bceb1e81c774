// Sessions and pending sign-ins of the web console: ids, expiry, bounds, single-use states.
#include "daemon/console/session.hpp"

#include <gtest/gtest.h>

#include <set>

namespace hrmaild::console {
namespace {

using namespace std::chrono_literals;

core::WallTime t0() {
    return core::WallTime{} + std::chrono::hours(24 * 365 * 56);
}

Person camilo() {
    return Person{7, "Camilo Luna", true};
}

TEST(RandomToken, IsHexOfTheAskedLengthAndNeverRepeats) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto t = random_token(32);
        ASSERT_EQ(t.size(), 64u);
        EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
        EXPECT_TRUE(seen.insert(t).second);
    }
}

TEST(SameToken, ComparesWholeValuesAndRefusesEmpty) {
    EXPECT_TRUE(same_token("abc", "abc"));
    EXPECT_FALSE(same_token("abc", "abd"));
    EXPECT_FALSE(same_token("abc", "ab"));
    EXPECT_FALSE(same_token("", ""));
}

TEST(Person, PrincipalNamesTheBitrixUserOrTheToken) {
    EXPECT_EQ(camilo().principal(), "bitrix:7");
    EXPECT_EQ((Person{0, "guardia", true}).principal(), "token:guardia");
}

TEST(SessionStore, FindsALiveSessionWithItsOwnCsrfToken) {
    SessionStore store;
    auto a = store.create(camilo(), t0());
    auto b = store.create(Person{12, "Laura Méndez", false}, t0());
    ASSERT_NE(a, b);
    auto* sa = store.find(a, t0() + 1s);
    auto* sb = store.find(b, t0() + 1s);
    ASSERT_TRUE(sa && sb);
    EXPECT_EQ(sa->person.bitrix_id, 7);
    EXPECT_EQ(sa->csrf.size(), 64u);
    EXPECT_NE(sa->csrf, sb->csrf);
    EXPECT_NE(sa->csrf, a);  // the CSRF token is not the session id
    EXPECT_EQ(store.find("not-a-session", t0()), nullptr);
}

TEST(SessionStore, EndsAfterIdleTimeButUseKeepsItAlive) {
    SessionStore store(SessionLimits{30min, 12h, 10});
    auto id = store.create(camilo(), t0());
    ASSERT_TRUE(store.find(id, t0() + 20min));
    ASSERT_TRUE(store.find(id, t0() + 40min));  // 20 minutes after the last use
    EXPECT_EQ(store.find(id, t0() + 71min), nullptr);
    EXPECT_EQ(store.size(), 0u);  // an expired session is dropped when found
}

TEST(SessionStore, EndsAtItsLifetimeEvenWhenUsed) {
    SessionStore store(SessionLimits{30min, 1h, 10});
    auto id = store.create(camilo(), t0());
    for (int m = 10; m <= 60; m += 10)
        ASSERT_TRUE(store.find(id, t0() + std::chrono::minutes(m))) << m;
    EXPECT_EQ(store.find(id, t0() + 61min), nullptr);
}

TEST(SessionStore, SignOutRemovesTheSession) {
    SessionStore store;
    auto id = store.create(camilo(), t0());
    EXPECT_TRUE(store.remove(id));
    EXPECT_FALSE(store.remove(id));
    EXPECT_EQ(store.find(id, t0()), nullptr);
}

TEST(SessionStore, HoldsAtMostMaxSessionsDroppingTheLeastRecentlyUsed) {
    SessionStore store(SessionLimits{30min, 12h, 3});
    auto a = store.create(camilo(), t0());
    auto b = store.create(camilo(), t0() + 1s);
    auto c = store.create(camilo(), t0() + 2s);
    ASSERT_TRUE(store.find(a, t0() + 3s));  // a is now the most recently used
    auto d = store.create(camilo(), t0() + 4s);
    EXPECT_EQ(store.size(), 3u);
    EXPECT_TRUE(store.find(a, t0() + 5s));
    EXPECT_EQ(store.find(b, t0() + 5s), nullptr);  // b was the least recently used
    EXPECT_TRUE(store.find(c, t0() + 5s));
    EXPECT_TRUE(store.find(d, t0() + 5s));
}

TEST(SignIn, AStateIsAcceptedOnceAndOnlyWithItsBinding) {
    SessionStore store;
    auto [state, binding] = store.start_sign_in(t0());
    EXPECT_NE(state, binding);
    EXPECT_FALSE(store.finish_sign_in(state, "another-browser", t0() + 1s));
    // The failed attempt consumed the state: the right binding no longer helps.
    EXPECT_FALSE(store.finish_sign_in(state, binding, t0() + 2s));
    auto [state2, binding2] = store.start_sign_in(t0());
    EXPECT_TRUE(store.finish_sign_in(state2, binding2, t0() + 1s));
    EXPECT_FALSE(store.finish_sign_in(state2, binding2, t0() + 2s));  // single use
    EXPECT_FALSE(store.finish_sign_in("never-issued", binding2, t0()));
}

TEST(SignIn, AStateExpiresAfterTheWindow) {
    SessionStore store(SessionLimits{30min, 12h, 10, 10min, 10});
    auto [state, binding] = store.start_sign_in(t0());
    EXPECT_FALSE(store.finish_sign_in(state, binding, t0() + 11min));
}

TEST(SignIn, PendingSignInsAreBounded) {
    SessionStore store(SessionLimits{30min, 12h, 10, 10min, 4});
    auto first = store.start_sign_in(t0());
    for (int i = 1; i <= 10; ++i)
        store.start_sign_in(t0() + std::chrono::seconds(i));
    EXPECT_EQ(store.pending_sign_ins(), 4u);
    EXPECT_FALSE(store.finish_sign_in(first.first, first.second, t0() + 20s));
}

}  // namespace
}  // namespace hrmaild::console
