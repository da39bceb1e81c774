#pragma once
/// The marker every comment the daemon posts carries, so that a re-post after a crash is
/// detected by reading the task (DESIGN.md, exactly-once effect).
#include <cstdint>
#include <string>
#include <string_view>

namespace hrmaild::service {

/// `hrmaild:<task>:<kind>:<ref>`, e.g. `hrmaild:1042:plan:a1b2…` with the whole `ref` (never
/// shortened: two plans whose hashes share a prefix have different markers). `kind` names the
/// answer (plan, invalid, done, failed, rejected, refused, cancelled); `ref` ties it to what it
/// answers (a plan hash, a hash of the error text, a comment id).
std::string make_marker(std::int64_t task_id, std::string_view kind, std::string_view ref);

/// The comment text with its marker appended as a discreet last line:
/// `[COLOR=#999999]ref <marker>[/COLOR]`.
std::string with_marker(std::string_view text, std::string_view marker);

/// Whether a comment (as read back from Bitrix, BB-code or plain, LF or CR LF) carries exactly
/// this marker: its last non-empty line outside quotes (chat_command.hpp) is `ref <marker>`
/// and nothing else. A longer or shorter marker, one mentioned mid-text or one inside a quote
/// does not count. Whether the author is the integration's own user is the caller's check.
bool has_marker(std::string_view comment_text, std::string_view marker);

/// Whether a comment ends like one hrmaild writes (its last non-empty line outside quotes is
/// `ref hrmaild:<task>:<kind>:<ref>`); such comments are never read as approver commands.
/// A comment that only quotes one is not.
bool is_daemon_comment(std::string_view comment_text);

}  // namespace hrmaild::service
