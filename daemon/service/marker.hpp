#pragma once
/// The short marker every comment the daemon posts carries, so that a re-post after a crash
/// is detected by reading the task (DESIGN.md, exactly-once effect).
#include <cstdint>
#include <string>
#include <string_view>

namespace hrmaild::service {

/// `hrmaild:<task>:<kind>:<ref>`, e.g. `hrmaild:1042:plan:a1b2c3d4`. `kind` names the answer
/// (plan, invalid, done, failed, rejected, refused, cancelled); `ref` ties it to what it
/// answers (the first 8 hex digits of a plan hash, or of a hash of the error text).
std::string make_marker(std::int64_t task_id, std::string_view kind, std::string_view ref);

/// The comment text with its marker appended as a discreet last line.
std::string with_marker(std::string_view text, std::string_view marker);

/// Whether a comment (as read back from Bitrix, BB-code or plain) carries the marker.
bool has_marker(std::string_view comment_text, std::string_view marker);

/// Whether a comment was written by hrmaild (carries any marker); such comments are never
/// read as approver commands.
bool is_daemon_comment(std::string_view comment_text);

}  // namespace hrmaild::service
