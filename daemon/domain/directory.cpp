#include "daemon/domain/directory.hpp"

#include "daemon/domain/plan.hpp"

namespace hrmaild::domain {
namespace {
bool same(std::string_view a, std::string_view b) {
    return ascii_lower(a) == ascii_lower(b);
}
}  // namespace

const DirectoryUser* DirectorySnapshot::find_user(std::string_view address) const {
    for (const auto& u : users) {
        if (same(u.address, address))
            return &u;
        for (const auto& a : u.aliases)
            if (same(a, address))
                return &u;
    }
    return nullptr;
}

const DirectoryGroup* DirectorySnapshot::find_group(std::string_view address) const {
    for (const auto& g : groups)
        if (same(g.address, address))
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

}  // namespace hrmaild::domain
