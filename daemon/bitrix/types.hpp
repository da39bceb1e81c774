#pragma once
/// What the Bitrix24 client hands to the daemon, decoded from the portal's PHP-flavoured JSON.
#include "daemon/domain/task.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::bitrix {

/// Task status values (reference section 6); the same numbers as `domain::task_status`.
enum class TaskStatus : int {
    unknown = 0,
    new_ = 1,
    pending = 2,
    in_progress = 3,
    awaiting_control = 4,
    completed = 5,
    deferred = 6,
    declined = 7,
};

/// A task as read from the portal: the domain view plus what only the client needs.
struct BitrixTask {
    /// What workflows look at (uf keys as UF_XXX names), with the real status and
    /// CREATED_DATE (ISO 8601 with offset, as the portal wrote it).
    domain::Task task;
    std::int64_t chat_id = 0;  ///< non-zero: a new-card task whose comments are a chat
    std::string closed_date;   ///< empty while open
    std::vector<std::int64_t> auditors;
    std::vector<std::int64_t> accomplices;

    /// The real status (`task.status`), typed.
    [[nodiscard]] TaskStatus status() const { return static_cast<TaskStatus>(task.status); }
    /// Whether comments must be read through the task chat (the 2025+ card).
    [[nodiscard]] bool new_card() const { return chat_id != 0; }
};

/// One page of `tasks.task.list`.
struct TaskPage {
    std::vector<BitrixTask> tasks;
    std::optional<std::int64_t> total;  ///< absent on a fast walk (start=-1)
    std::optional<std::int64_t> next;   ///< offset of the next page, when there is one
};

/// A task comment, from the classic card (`task.commentitem.getlist`) or the new card's
/// chat (`im.dialog.messages.get`).
struct Comment {
    std::int64_t id = 0;         ///< comment id (classic) or chat message id (new card)
    std::int64_t author_id = 0;  ///< 0: a system message
    std::string date;            ///< ISO 8601 with offset
    std::string text;            ///< BB-code as posted
};

/// A portal user (`user.get`).
struct User {
    std::int64_t id = 0;
    bool active = true;
    std::string name;
    std::string last_name;
    std::string email;  ///< empty without the `user` scope (user_brief)
    std::string work_position;
    std::string user_type;                  ///< employee | extranet | email
    std::vector<std::int64_t> departments;  ///< UF_DEPARTMENT

    /// "Name Last", trimmed.
    [[nodiscard]] std::string full_name() const;
};

/// A department (`department.get`).
struct Department {
    std::int64_t id = 0;
    std::string name;
    std::int64_t parent = 0;  ///< 0: a root
    std::int64_t head = 0;    ///< UF_HEAD, 0 when none
};

/// The decoded envelope of one successful call (or one batch command).
struct Reply {
    boost::json::value result;
    std::optional<std::int64_t> total;
    std::optional<std::int64_t> next;
};

/// Decoders, public for tests and for callers of `BitrixClient::call`.
/// A task object from `tasks.task.*` (camelCase) or the legacy `task.item.*` (UPPER_CASE).
/// `uf_names` are the UF_ names the caller selected, so their camelCase spelling maps back
/// exactly; other ufXxx keys are mapped by `camel_to_uf`.
BitrixTask decode_task(const boost::json::value& v, const std::vector<std::string>& uf_names = {});
/// A classic comment item (`task.commentitem.getlist`).
Comment decode_comment_item(const boost::json::value& v);
/// A chat message (`im.dialog.messages.get`).
Comment decode_chat_message(const boost::json::value& v);
/// A user (`user.get`, `user.current`).
User decode_user(const boost::json::value& v);
/// A department (`department.get`).
Department decode_department(const boost::json::value& v);

}  // namespace hrmaild::bitrix
