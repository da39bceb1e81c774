#include "daemon/domain/plan.hpp"

#include "daemon/core/text.hpp"

#include <algorithm>

namespace hrmaild::domain {

bool is_empty(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return s->empty();
    if (const auto* l = std::get_if<std::vector<std::string>>(&v))
        return l->empty();
    return false;
}

std::string to_text(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* b = std::get_if<bool>(&v))
        return *b ? "true" : "false";
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return std::to_string(*i);
    std::string out;
    for (const auto& s : std::get<std::vector<std::string>>(v)) {
        if (!out.empty())
            out += ", ";
        out += s;
    }
    return out;
}

std::string address_domain(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos)
        return {};
    return core::ascii_lower(address.substr(at + 1));
}

bool is_valid_address(std::string_view a) {
    auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || a.find('@', at + 1) != std::string_view::npos)
        return false;
    auto local = a.substr(0, at);
    auto domain = a.substr(at + 1);
    if (local.size() > 64 || domain.size() > 253 || domain.empty())
        return false;
    auto ok_local = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("._%+-'").find(c) != std::string_view::npos;
    };
    if (!std::all_of(local.begin(), local.end(), ok_local))
        return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    auto ok_domain = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    };
    if (!std::all_of(domain.begin(), domain.end(), ok_domain))
        return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos ||
        domain.front() == '-')
        return false;
    return true;
}

}  // namespace hrmaild::domain
