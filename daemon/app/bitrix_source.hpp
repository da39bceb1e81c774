#pragma once
/// TicketSource over the Bitrix24 client: the HR project's tasks, their comments on either
/// card, answers, and private notifications.
#include "daemon/bitrix/client.hpp"
#include "daemon/core/bounded.hpp"
#include "daemon/service/ports.hpp"

#include <map>

namespace hrmaild::app {

/// The Bitrix24 adapter.
class BitrixTicketSource final : public service::TicketSource {
  public:
    /// Chats remembered at most by default (least recently used forgotten first; the comments
    /// of a waiting task are read every cycle, so only tasks nobody waits on are forgotten).
    static constexpr std::size_t kChatIdLimit = 8192;

    /// Reads tasks of project `project_id` through `client` (which must outlive this),
    /// remembering the chats of at most `chat_id_limit` new-card tasks.
    BitrixTicketSource(bitrix::BitrixClient& client, std::int64_t project_id,
                       std::size_t chat_id_limit = kChatIdLimit);

    service::Awaitable<service::Outcome<std::vector<domain::Task>>> changed_tasks(
        std::optional<core::WallTime> since) override;
    service::Awaitable<service::Outcome<std::optional<domain::Task>>> task(
        std::int64_t task_id) override;
    service::Awaitable<service::Outcome<std::map<std::int64_t, std::vector<service::TaskComment>>>>
    comments(std::vector<std::int64_t> task_ids) override;
    /// One `tasks.task.list` filtered by ID (any project, any status) per 50 tasks.
    service::Awaitable<service::Outcome<std::map<std::int64_t, std::optional<domain::Task>>>>
    read_tasks(std::vector<std::int64_t> task_ids) override;
    service::Awaitable<service::Outcome<std::string>> post_comment(std::int64_t task_id,
                                                                   std::string text) override;
    service::Awaitable<service::Outcome<void>> complete_task(std::int64_t task_id) override;
    service::Awaitable<service::Outcome<void>> defer_task(std::int64_t task_id) override;
    service::Awaitable<service::Outcome<void>> notify_private(std::int64_t user_id,
                                                              Secret text) override;
    service::Awaitable<service::Outcome<std::vector<std::int64_t>>> department_members(
        std::int64_t department_id) override;
    /// One `batch` with halt=1 (reference section 5): `task.commentitem.add` (positional
    /// TASKID, FIELDS), `tasks.task.complete`, `tasks.task.defer`, `im.notify.personal.add`.
    service::Awaitable<std::vector<service::Outcome<std::string>>> send_writes(
        std::vector<service::TicketWrite> writes) override;
    /// The changed tasks and the comments in one `batch` (`BitrixClient::poll`), the settled
    /// tasks left out by the filter.
    service::Awaitable<service::Outcome<service::PollRead>> poll(
        std::optional<core::WallTime> since, std::vector<std::int64_t> comment_task_ids,
        std::vector<std::int64_t> settled = {}) override;

    /// The chat ids remembered now.
    [[nodiscard]] std::size_t chat_ids_size() const { return chat_ids_.size(); }

  private:
    void remember(const bitrix::BitrixTask& t);
    std::vector<bitrix::CommentCursor> cursors(const std::vector<std::int64_t>& task_ids) const;

    bitrix::BitrixClient& client_;
    std::int64_t project_id_;
    BoundedMap<std::int64_t, std::int64_t> chat_ids_;  // task → chat (new-card)
};

}  // namespace hrmaild::app
