#pragma once
/// What the planner knows of the Zoho Mail organization: users, aliases and groups.
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
};

/// One distribution group.
struct DirectoryGroup {
    std::string address;
    std::string name;
    std::vector<std::string> members;  ///< member addresses
};

/// A read-only copy of the directory taken before planning. Addresses compare without regard
/// to ASCII case.
struct DirectorySnapshot {
    std::vector<DirectoryUser> users;
    std::vector<DirectoryGroup> groups;

    /// The user whose primary address or alias is `address`.
    [[nodiscard]] const DirectoryUser* find_user(std::string_view address) const;
    /// The group with this address.
    [[nodiscard]] const DirectoryGroup* find_group(std::string_view address) const;
    /// Whether a user, an alias or a group already holds the address.
    [[nodiscard]] bool address_taken(std::string_view address) const;
    /// Whether `member` is in the group `group`.
    [[nodiscard]] bool is_member(std::string_view group, std::string_view member) const;
    /// The addresses of every group the address belongs to, in snapshot order.
    [[nodiscard]] std::vector<std::string> groups_of(std::string_view address) const;
};

}  // namespace hrmaild::domain
