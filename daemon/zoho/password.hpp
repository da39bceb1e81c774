#pragma once
/// Initial passwords that Zoho's password policy accepts (reference section 7): 16-20
/// characters, at least two each of upper case, lower case, digits and symbols from a
/// JSON-safe set, no run of three repeated or sequential characters, and nothing taken from
/// the user's address or names. Drawn from OpenSSL's RAND_bytes.
#include "daemon/core/secret.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::zoho {

/// The symbols a generated password may hold (no quote, backslash or space: JSON- and
/// shell-safe).
inline constexpr std::string_view password_symbols = "!#$%*+-=?@_";

/// Who the password is for: its parts must not appear in it.
struct PasswordSubject {
    std::string address;  ///< the user's address (its local part is checked)
    std::string first_name;
    std::string last_name;
};

/// What the policy checks; the defaults are the generator's own rules.
struct PasswordPolicy {
    std::size_t min_length = 16;
    std::size_t max_length = 20;
    int min_upper = 2;
    int min_lower = 2;
    int min_digits = 2;
    int min_symbols = 2;
};

/// Every rule the password breaks, in words (empty: it passes). Checks length, the character
/// classes (and that every character is from them), runs of three equal, ascending or
/// descending characters (letters case-insensitively), and any three-character piece of the
/// address's local part or of a name.
std::vector<std::string> password_problems(std::string_view password,
                                           const PasswordSubject& subject,
                                           const PasswordPolicy& policy = {});

#ifdef HRMAILD_TEST_HOOKS
/// Test builds only: the start of every password made after `set_test_password_seed`, so a
/// test can look for any generated password where none may appear.
inline constexpr std::string_view test_password_canary = "Cq7!Wz";
/// Test builds only (compiled with HRMAILD_TEST_HOOKS; `hrmaild run` reads
/// `$HRMAILD_TEST_PASSWORD_SEED`): passwords come from a generator seeded with `seed`
/// (reproducible runs) and begin with `test_password_canary`.
void set_test_password_seed(std::uint64_t seed);
/// Test builds only: back to RAND_bytes.
void clear_test_password_seed();
#endif

/// A fresh password that passes `password_problems` for `subject`. Throws std::runtime_error
/// if the system's random generator fails (the only thing that can go wrong).
Secret generate_password(const PasswordSubject& subject = {}, const PasswordPolicy& policy = {});

}  // namespace hrmaild::zoho
