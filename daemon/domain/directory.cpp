#include "daemon/domain/directory.hpp"

#include "daemon/core/text.hpp"
#include "daemon/domain/plan.hpp"

#include <algorithm>

namespace hrmaild::domain {
namespace {
bool same(std::string_view a, std::string_view b) {
    return core::ascii_lower(a) == core::ascii_lower(b);
}
}  // namespace

bool DirectoryUser::holds(std::string_view a) const {
    return same(address, a) || has_alias(a);
}

bool DirectoryUser::has_alias(std::string_view a) const {
    return std::any_of(aliases.begin(), aliases.end(),
                       [&](const std::string& x) { return same(x, a); });
}

const DirectoryUser* DirectorySnapshot::find_user(std::string_view address) const {
    // A primary address wins over an alias spelled the same (Zoho forbids both; seeds may not).
    for (const auto& u : users)
        if (same(u.address, address))
            return &u;
    for (const auto& u : users)
        if (u.has_alias(address))
            return &u;
    return nullptr;
}

const DirectoryUser* DirectorySnapshot::find_user_by_id(std::string_view id) const {
    if (id.empty())
        return nullptr;
    for (const auto& u : users)
        if (u.zuid == id || u.account_id == id)
            return &u;
    return nullptr;
}

const DirectoryGroup* DirectorySnapshot::find_group(std::string_view address) const {
    for (const auto& g : groups)
        if (same(g.address, address))
            return &g;
    return nullptr;
}

const DirectoryGroup* DirectorySnapshot::find_group_by_id(std::string_view zgid) const {
    if (zgid.empty())
        return nullptr;
    for (const auto& g : groups)
        if (g.zgid == zgid)
            return &g;
    return nullptr;
}

bool DirectorySnapshot::address_taken(std::string_view address) const {
    return find_user(address) != nullptr || find_group(address) != nullptr;
}

bool DirectorySnapshot::is_member(std::string_view group, std::string_view member) const {
    const auto* g = find_group(group);
    if (g == nullptr)
        return false;
    for (const auto& m : g->members)
        if (same(m, member))
            return true;
    return false;
}

std::vector<std::string> DirectorySnapshot::groups_of(std::string_view address) const {
    std::vector<std::string> out;
    for (const auto& g : groups)
        for (const auto& m : g.members)
            if (same(m, address)) {
                out.push_back(g.address);
                break;
            }
    return out;
}

std::string default_name_key(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : core::ascii_lower(s)) {
        if (c == ' ' || c == '\t' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace hrmaild::domain
