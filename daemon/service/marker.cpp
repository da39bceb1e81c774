#include "daemon/service/marker.hpp"

#include "daemon/service/chat_command.hpp"

#include <fmt/format.h>

#include <optional>

namespace hrmaild::service {
namespace {

constexpr std::string_view kLinePrefix = "ref ";

// The last non-empty line of the comment outside quotes, trimmed: where `with_marker` puts the
// marker. A marker quoted by someone, or mentioned mid-text, is not there.
std::optional<std::string> last_line(std::string_view comment_text) {
    auto lines = lines_outside_quotes(comment_text);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        std::string_view l(*it);
        while (!l.empty() && (l.front() == ' ' || l.front() == '\t'))
            l.remove_prefix(1);
        while (!l.empty() && (l.back() == ' ' || l.back() == '\t'))
            l.remove_suffix(1);
        if (!l.empty())
            return std::string(l);
    }
    return std::nullopt;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// `hrmaild:<digits>:<kind>:<ref>` and nothing else.
bool is_marker(std::string_view m) {
    constexpr std::string_view head = "hrmaild:";
    if (!m.starts_with(head))
        return false;
    m.remove_prefix(head.size());
    std::size_t n = 0;
    while (n < m.size() && is_digit(m[n]))
        ++n;
    if (n == 0 || n == m.size() || m[n] != ':')
        return false;
    m.remove_prefix(n + 1);
    auto colon = m.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == m.size())
        return false;
    for (char c : m) {
        bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  c == '-' || c == '.' || c == ':';
        if (!ok)
            return false;
    }
    return true;
}

}  // namespace

std::string make_marker(std::int64_t task_id, std::string_view kind, std::string_view ref) {
    return fmt::format("hrmaild:{}:{}:{}", task_id, kind, ref);
}

std::string with_marker(std::string_view text, std::string_view marker) {
    return fmt::format("{}\n\n[COLOR=#999999]{}{}[/COLOR]", text, kLinePrefix, marker);
}

bool has_marker(std::string_view comment_text, std::string_view marker) {
    auto line = last_line(comment_text);
    return line && line->size() == kLinePrefix.size() + marker.size() &&
           std::string_view(*line).starts_with(kLinePrefix) &&
           std::string_view(*line).substr(kLinePrefix.size()) == marker;
}

bool is_daemon_comment(std::string_view comment_text) {
    auto line = last_line(comment_text);
    return line && std::string_view(*line).starts_with(kLinePrefix) &&
           is_marker(std::string_view(*line).substr(kLinePrefix.size()));
}

}  // namespace hrmaild::service
