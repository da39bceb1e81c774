#include "daemon/zoho/password.hpp"

#include "daemon/core/text.hpp"

#include <openssl/rand.h>

#include <fmt/format.h>

#include <array>
#include <optional>
#include <random>
#include <stdexcept>

namespace hrmaild::zoho {
namespace {

constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";   // no I, O: easy to read aloud
constexpr std::string_view kLower = "abcdefghijkmnopqrstuvwxyz";  // no l
constexpr std::string_view kDigits = "23456789";                  // no 0, 1

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#ifdef HRMAILD_TEST_HOOKS
// Set by set_test_password_seed: draws come from this generator instead of RAND_bytes.
std::optional<std::mt19937_64>& test_rng() {
    static std::optional<std::mt19937_64> rng;
    return rng;
}
#endif

/// A uniform integer in [0, n) from RAND_bytes, by rejection (no modulo bias).
std::size_t random_below(std::size_t n) {
    if (n <= 1)
        return 0;
#ifdef HRMAILD_TEST_HOOKS
    if (auto& rng = test_rng())
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(*rng);
#endif
    const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % static_cast<std::uint32_t>(n));
    for (;;) {
        std::array<unsigned char, 4> b{};
        if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
            throw std::runtime_error("OpenSSL RAND_bytes failed: no secure randomness");
        const std::uint32_t v = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
        if (v < limit)
            return v % n;
    }
}

/// Pieces of three characters (lower case) of every word of the local part and names.
std::vector<std::string> forbidden_pieces(const PasswordSubject& s) {
    std::vector<std::string> words;
    auto split = [&words](std::string_view text) {
        std::string cur;
        auto flush = [&] {
            if (cur.size() >= 3)
                words.push_back(cur);
            cur.clear();
        };
        for (char c : text) {
            const char l = core::ascii_lower(c);
            if (is_alnum(l))
                cur.push_back(l);
            else
                flush();  // separators and non-ASCII bytes split words
        }
        flush();
    };
    split(s.address.substr(0, s.address.find('@')));
    split(s.first_name);
    split(s.last_name);
    std::vector<std::string> pieces;
    for (const auto& w : words)
        for (std::size_t i = 0; i + 3 <= w.size(); ++i)
            pieces.push_back(w.substr(i, 3));
    return pieces;
}

}  // namespace

std::vector<std::string> password_problems(std::string_view password,
                                           const PasswordSubject& subject,
                                           const PasswordPolicy& policy) {
    std::vector<std::string> problems;
    if (password.size() < policy.min_length || password.size() > policy.max_length)
        problems.push_back(fmt::format("length {} is outside {}-{}", password.size(),
                                       policy.min_length, policy.max_length));
    int upper = 0, lower = 0, digits = 0, symbols = 0, other = 0;
    for (char c : password) {
        if (c >= 'A' && c <= 'Z')
            ++upper;
        else if (c >= 'a' && c <= 'z')
            ++lower;
        else if (c >= '0' && c <= '9')
            ++digits;
        else if (password_symbols.find(c) != std::string_view::npos)
            ++symbols;
        else
            ++other;
    }
    if (upper < policy.min_upper)
        problems.push_back("too few upper-case letters");
    if (lower < policy.min_lower)
        problems.push_back("too few lower-case letters");
    if (digits < policy.min_digits)
        problems.push_back("too few digits");
    if (symbols < policy.min_symbols)
        problems.push_back("too few symbols");
    if (other > 0)
        problems.push_back("characters outside letters, digits and the symbol set");

    std::string low;
    for (char c : password)
        low.push_back(core::ascii_lower(c));
    for (std::size_t i = 0; i + 2 < low.size(); ++i) {
        const char a = low[i], b = low[i + 1], c = low[i + 2];
        if (a == b && b == c) {
            problems.push_back("a character repeated three times in a row");
            break;
        }
        const bool same_class = is_alnum(a) && is_alnum(b) && is_alnum(c) &&
                                ((a >= 'a') == (b >= 'a')) && ((b >= 'a') == (c >= 'a'));
        if (same_class && ((b == a + 1 && c == b + 1) || (b == a - 1 && c == b - 1))) {
            problems.push_back("a run of three sequential characters");
            break;
        }
    }
    for (const auto& piece : forbidden_pieces(subject)) {
        if (low.find(piece) != std::string::npos) {
            problems.push_back("contains part of the user's address or name");
            break;
        }
    }
    return problems;
}

Secret generate_password(const PasswordSubject& subject, const PasswordPolicy& policy) {
    std::string all;
    all.append(kUpper).append(kLower).append(kDigits).append(password_symbols);
    for (int tries = 0; tries < 10000; ++tries) {
        const std::size_t span =
            policy.max_length >= policy.min_length ? policy.max_length - policy.min_length + 1 : 1;
        const std::size_t length = policy.min_length + random_below(span);
        std::string pw;
        auto take = [&pw](std::string_view set, int n) {
            for (int i = 0; i < n; ++i)
                pw.push_back(set[random_below(set.size())]);
        };
        take(kUpper, policy.min_upper);
        take(kLower, policy.min_lower);
        take(kDigits, policy.min_digits);
        take(password_symbols, policy.min_symbols);
        while (pw.size() < length)
            pw.push_back(all[random_below(all.size())]);
        for (std::size_t i = pw.size(); i > 1; --i)
            std::swap(pw[i - 1], pw[random_below(i)]);
#ifdef HRMAILD_TEST_HOOKS
        if (test_rng() && pw.size() > test_password_canary.size())
            pw.replace(0, test_password_canary.size(), test_password_canary);
#endif
        if (password_problems(pw, subject, policy).empty())
            return Secret(std::move(pw));
    }
    // Unreachable in practice (most draws pass); a policy that cannot be met is a bug.
    throw std::runtime_error("could not generate a password meeting the policy");
}

#ifdef HRMAILD_TEST_HOOKS
void set_test_password_seed(std::uint64_t seed) {
    test_rng().emplace(seed);
}
void clear_test_password_seed() {
    test_rng().reset();
}
#endif

}  // namespace hrmaild::zoho
