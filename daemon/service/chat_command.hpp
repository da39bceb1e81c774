#pragma once
/// Commands approvers write in task comments: `/aprobar`, `/rechazar <motivo>`, `/cancelar`
/// (and the English `/approve`, `/reject <reason>`, `/cancel`).
///
/// A comment is a command only when its FIRST non-empty line outside quotes is the command:
/// quotes are `[QUOTE]…[/QUOTE]` (also `[QUOTE=…]`), `[CODE]…[/CODE]` (nested, any case), the
/// Bitrix chat's quote block between two lines of dashes, and `>>` lines. Entities are decoded
/// first (`&#91;QUOTE&#93;` is a quote). Formatting tags around the line do not matter
/// (`[P]/aprobar[/P]`, `[B]/aprobar[/B]`); `[P]`, `[BR]` and `[*]` break lines.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::service {

/// What a comment asks for.
enum class ChatVerb {
    approve,  ///< exactly `/aprobar` (or `/approve`)
    reject,   ///< `/rechazar <motivo>` (or `/reject <reason>`); the reason may be empty
    cancel,   ///< exactly `/cancelar` (or `/cancel`)
    /// `/aprobar` or `/cancelar` followed by anything (`/aprobar cuando RH confirme`): NOT a
    /// command and never to be applied; `ChatCommand::intended` says which verb it looks like
    /// and `argument` holds the extra text. Answer it with `unclear_command_hint`.
    unclear,
};

/// A command found in a comment.
struct ChatCommand {
    ChatVerb verb = ChatVerb::approve;
    /// `reject`: the reason (trimmed, may be empty). `unclear`: the text after the verb.
    std::string argument;
    /// The verb as written: equal to `verb`, except for `unclear` where it is `approve` or
    /// `cancel`.
    ChatVerb intended = ChatVerb::approve;
};

/// Reads the command of a comment (see the file comment for the rules). nullopt for
/// conversation: no `/verb` first line outside quotes, or an unknown verb (`/aprobado`). An
/// `unclear` result is returned so the service can post a hint; it must never be applied as
/// `intended`.
std::optional<ChatCommand> parse_chat_command(std::string_view comment_text);

/// The short answer (message catalog) to an `unclear` command (it quotes no input), e.g. «No se
/// tomó como aprobación: para aprobar escriba solo /aprobar en la primera línea del comentario…».
std::string unclear_command_hint(const ChatCommand& command);

/// The verb's canonical (Spanish) spelling, for messages and the audit trail (`unclear` for
/// an unclear command).
std::string_view verb_name(ChatVerb verb);

/// The lines of a comment a person wrote themselves: entities decoded, invisible characters
/// removed (`workflow::clean_text`), everything inside quotes (as above) dropped, other
/// BB-code tags removed; a quote's start and end break the line. Lines are not trimmed and
/// may be empty. Markers (marker.hpp) and commands are read from these lines only.
std::vector<std::string> lines_outside_quotes(std::string_view comment_text);

}  // namespace hrmaild::service
