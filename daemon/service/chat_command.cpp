#include "daemon/service/chat_command.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace hrmaild::service {
namespace {

// Removes BB-code tags ([B], [/P], [USER=7]...) so `[P]/aprobar[/P]` still reads as a command.
std::string strip_bbcode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '[') {
            auto close = s.find(']', i);
            auto inner = close == std::string_view::npos ? std::string_view()
                                                         : s.substr(i + 1, close - i - 1);
            bool tag = !inner.empty() && inner.size() < 40 &&
                       (std::isalpha(static_cast<unsigned char>(inner[0])) || inner[0] == '/' ||
                        inner[0] == '*');
            if (tag) {
                i = close;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

constexpr std::array<std::pair<std::string_view, ChatVerb>, 6> kVerbs{{
    {"aprobar", ChatVerb::approve},
    {"approve", ChatVerb::approve},
    {"rechazar", ChatVerb::reject},
    {"reject", ChatVerb::reject},
    {"cancelar", ChatVerb::cancel},
    {"cancel", ChatVerb::cancel},
}};

}  // namespace

std::optional<ChatCommand> parse_chat_command(std::string_view comment_text) {
    std::string text = strip_bbcode(comment_text);
    std::string_view rest(text);
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        auto line = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty() || line.front() != '/')
            continue;
        line.remove_prefix(1);
        auto end = line.find_first_of(" \t:");
        auto word = line.substr(0, end);
        for (auto [name, verb] : kVerbs) {
            if (!iequal(word, name))
                continue;
            ChatCommand cmd{verb, {}};
            if (end != std::string_view::npos) {
                auto arg = line.substr(end);
                while (!arg.empty() && (arg.front() == ':' ||
                                        std::isspace(static_cast<unsigned char>(arg.front()))))
                    arg.remove_prefix(1);
                cmd.argument = std::string(trim(arg));
            }
            return cmd;
        }
    }
    return std::nullopt;
}

std::string_view verb_name(ChatVerb verb) {
    switch (verb) {
        case ChatVerb::approve:
            return "aprobar";
        case ChatVerb::reject:
            return "rechazar";
        case ChatVerb::cancel:
            return "cancelar";
    }
    return "aprobar";
}

}  // namespace hrmaild::service
