#pragma once
/// Commands approvers write in task comments: `/aprobar`, `/rechazar <motivo>`, `/cancelar`
/// (and the English `/approve`, `/reject <reason>`, `/cancel`).
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::service {

/// What a comment asks for.
enum class ChatVerb { approve, reject, cancel };

/// A command found in a comment.
struct ChatCommand {
    ChatVerb verb = ChatVerb::approve;
    std::string argument;  ///< the reason of a rejection (trimmed); may be empty
};

/// Finds a command in a comment's text (BB-code allowed around it): the first line that
/// starts with `/` and names a known verb, case-insensitively. Nothing else in the comment
/// matters; a comment with no such line is conversation, not a command.
std::optional<ChatCommand> parse_chat_command(std::string_view comment_text);

/// The verb's canonical (Spanish) spelling, for messages and the audit trail.
std::string_view verb_name(ChatVerb verb);

}  // namespace hrmaild::service
