#include "daemon/service/chat_command.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/workflow/text.hpp"

#include <array>
#include <utility>

namespace hrmaild::service {
namespace {

// Longest tag read, `[QUOTE=Author name, date]` included; a longer bracket is text.
constexpr std::size_t kMaxTag = 256;
// The Bitrix chat draws a quote between two lines of 54 dashes; 10 or more count, a short
// "----" separator does not.
constexpr std::size_t kMinDashes = 10;

bool ascii_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ascii_alnum(char c) {
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}

// Spaces, tabs and the no-break space (U+00A0, which editors insert around commands).
std::string_view trim(std::string_view s) {
    constexpr std::string_view nbsp = "\xC2\xA0";
    for (;;) {
        if (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
            s.remove_prefix(1);
        else if (s.starts_with(nbsp))
            s.remove_prefix(nbsp.size());
        else
            break;
    }
    for (;;) {
        if (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
            s.remove_suffix(1);
        else if (s.ends_with(nbsp))
            s.remove_suffix(nbsp.size());
        else
            break;
    }
    return s;
}

struct Tag {
    bool closing = false;
    std::string name;        ///< lower case
    std::size_t length = 0;  ///< brackets included
};

// A BB-code tag at the start of `s` (which starts with `[`): `[b]`, `[/QUOTE]`,
// `[QUOTE=Ana]`, `[*]`. "[1]" and "[ nota ]" are text.
std::optional<Tag> read_tag(std::string_view s) {
    auto window = s.substr(1, kMaxTag);
    auto close = window.find(']');
    if (close == std::string_view::npos)
        return std::nullopt;
    auto body = window.substr(0, close);
    Tag tag;
    tag.length = close + 2;
    if (!body.empty() && body.front() == '/') {
        tag.closing = true;
        body.remove_prefix(1);
    }
    if (body == "*") {
        tag.name = "*";
        return tag;
    }
    if (body.empty() || !ascii_alpha(body.front()))
        return std::nullopt;
    std::size_t n = 0;
    while (n < body.size() && ascii_alnum(body[n]))
        ++n;
    if (n > 16 || (n < body.size() && body[n] != '=' && body[n] != ' '))
        return std::nullopt;
    for (std::size_t i = 0; i < n; ++i)
        tag.name += core::ascii_lower(body[i]);
    return tag;
}

bool is_dash_line(std::string_view line) {
    return line.size() >= kMinDashes && line.find_first_not_of('-') == std::string_view::npos;
}

constexpr std::array<std::pair<std::string_view, ChatVerb>, 6> kVerbs{{
    {"aprobar", ChatVerb::approve},
    {"approve", ChatVerb::approve},
    {"rechazar", ChatVerb::reject},
    {"reject", ChatVerb::reject},
    {"cancelar", ChatVerb::cancel},
    {"cancel", ChatVerb::cancel},
}};

// One trimmed, non-empty line: `/verb` and what follows it.
std::optional<ChatCommand> parse_line(std::string_view line) {
    if (line.front() != '/')
        return std::nullopt;
    line.remove_prefix(1);
    std::size_t n = 0;
    while (n < line.size() && ascii_alpha(line[n]))
        ++n;
    auto word = line.substr(0, n);
    for (auto [name, verb] : kVerbs) {
        if (!core::iequals(word, name))
            continue;
        auto rest = trim(line.substr(n));
        if (rest.starts_with(':'))
            rest = trim(rest.substr(1));
        ChatCommand cmd;
        cmd.intended = verb;
        cmd.argument = std::string(rest);
        cmd.verb = verb == ChatVerb::reject || rest.empty() ? verb : ChatVerb::unclear;
        return cmd;
    }
    return std::nullopt;  // `/aprobado`, `/aprobarlo`: another word, not a command
}

}  // namespace

std::vector<std::string> lines_outside_quotes(std::string_view comment_text) {
    // Entities first, so `&#91;QUOTE&#93;` is a quote; invisible characters cannot split a tag.
    auto text = workflow::clean_text(workflow::decode_entities(comment_text));
    std::vector<std::string> lines(1);
    int quote = 0;  // [QUOTE] depth
    int code = 0;   // [CODE] depth; inside CODE other tags are text
    auto line_break = [&] { lines.emplace_back(); };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '[') {
            if (auto tag = read_tag(std::string_view(text).substr(i))) {
                bool consumed = true;
                if (tag->name == "code") {
                    if (!tag->closing)
                        ++code;
                    else if (code > 0)
                        --code;
                    line_break();
                } else if (code > 0) {
                    consumed = false;
                } else if (tag->name == "quote") {
                    if (!tag->closing)
                        ++quote;
                    else if (quote > 0)
                        --quote;
                    line_break();
                } else if (quote == 0 && (tag->name == "p" || tag->name == "br" ||
                                          tag->name == "*" || tag->name == "list")) {
                    line_break();
                }
                if (consumed) {
                    i += tag->length - 1;
                    continue;
                }
            }
        }
        if (quote > 0 || code > 0)
            continue;
        if (c == '\n')
            line_break();
        else
            lines.back() += c;
    }
    // The Bitrix chat quotes a message as a block between two lines of dashes (author and date
    // on the first line inside), and may mark a quoted line with `>>`. An unclosed block runs
    // to the end: what cannot be told apart is treated as quoted.
    std::vector<std::string> out;
    bool in_block = false;
    for (auto& l : lines) {
        auto t = trim(l);
        if (is_dash_line(t)) {
            in_block = !in_block;
            out.emplace_back();
            continue;
        }
        if (in_block || t.starts_with(">>")) {
            out.emplace_back();
            continue;
        }
        out.push_back(std::move(l));
    }
    return out;
}

std::optional<ChatCommand> parse_chat_command(std::string_view comment_text) {
    for (const auto& l : lines_outside_quotes(comment_text)) {
        auto line = trim(l);
        if (!line.empty())
            return parse_line(line);  // the first line decides; later lines are conversation
    }
    return std::nullopt;
}

std::string unclear_command_hint(const ChatCommand& command) {
    return std::string(messages::text(command.intended == ChatVerb::cancel
                                          ? messages::Msg::svc_unclear_cancel
                                          : messages::Msg::svc_unclear_approve));
}

std::string_view verb_name(ChatVerb verb) {
    switch (verb) {
        case ChatVerb::approve:
            return "aprobar";
        case ChatVerb::reject:
            return "rechazar";
        case ChatVerb::cancel:
            return "cancelar";
        case ChatVerb::unclear:
            return "unclear";
    }
    return "unclear";
}

}  // namespace hrmaild::service
