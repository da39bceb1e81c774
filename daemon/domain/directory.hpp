#pragma once
/// What the planner knows of the Zoho Mail organization: users, aliases and groups, with the
/// ids Zoho gives them so that a plan can bind its targets.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::domain {

/// One mail user.
struct DirectoryUser {
    std::string address;  ///< primary address
    std::vector<std::string> aliases;
    std::string first_name;
    std::string last_name;
    std::string display_name;
    std::string role;  ///< member | admin | super_admin
    bool enabled = true;
    std::string zuid{};        ///< Zoho user id, decimal text (ids exceed 2^53); empty: unknown
    std::string account_id{};  ///< mail account id, decimal text; empty: unknown
    std::int64_t created_at_ms = 0;  ///< accountCreationTime (ms since the epoch); 0: unknown

    /// Whether `address` is this user's primary address or one of its aliases.
    [[nodiscard]] bool holds(std::string_view address) const;
    /// Whether `address` is one of the aliases (not the primary address).
    [[nodiscard]] bool has_alias(std::string_view address) const;
};

/// One distribution group.
struct DirectoryGroup {
    std::string address;
    std::string name;
    std::vector<std::string> members;  ///< member addresses
    std::string zgid{};                ///< Zoho group id, decimal text; empty: unknown
};

/// A read-only copy of the directory taken before planning. Addresses compare without regard
/// to ASCII case.
struct DirectorySnapshot {
    std::vector<DirectoryUser> users;
    std::vector<DirectoryGroup> groups;

    /// The user whose primary address or alias is `address`.
    [[nodiscard]] const DirectoryUser* find_user(std::string_view address) const;
    /// The user with this zuid (or account id).
    [[nodiscard]] const DirectoryUser* find_user_by_id(std::string_view id) const;
    /// The group with this address.
    [[nodiscard]] const DirectoryGroup* find_group(std::string_view address) const;
    /// The group with this zgid.
    [[nodiscard]] const DirectoryGroup* find_group_by_id(std::string_view zgid) const;
    /// Whether a user, an alias or a group already holds the address.
    [[nodiscard]] bool address_taken(std::string_view address) const;
    /// Whether `member` is in the group `group`.
    [[nodiscard]] bool is_member(std::string_view group, std::string_view member) const;
    /// The addresses of every group the address belongs to, in snapshot order.
    [[nodiscard]] std::vector<std::string> groups_of(std::string_view address) const;
};

/// Compares person names; the default folds ASCII case and spaces only. The workflow module
/// passes one that also ignores accents.
using NameKey = std::function<std::string(std::string_view)>;

/// The default name key: ASCII lower case, runs of blanks as one space, trimmed.
std::string default_name_key(std::string_view s);

}  // namespace hrmaild::domain
