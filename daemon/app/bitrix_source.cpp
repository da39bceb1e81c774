#include "daemon/app/bitrix_source.hpp"

#include "daemon/core/time_format.hpp"

#include <algorithm>

namespace hrmaild::app {

BitrixTicketSource::BitrixTicketSource(bitrix::BitrixClient& client, std::int64_t project_id)
    : client_(client), project_id_(project_id) {}

void BitrixTicketSource::remember(const bitrix::BitrixTask& t) {
    if (t.chat_id != 0)
        chat_ids_[t.task.id] = t.chat_id;
}

service::Awaitable<service::Outcome<std::vector<domain::Task>>> BitrixTicketSource::changed_tasks(
    std::string since) {
    net::Outcome<std::vector<bitrix::BitrixTask>> found = std::vector<bitrix::BitrixTask>{};
    auto t = core::parse_iso(since);
    if (t) {
        found = co_await client_.tasks_changed_since(project_id_,
                                                     core::WallTime(std::chrono::seconds(*t)));
    } else {
        boost::json::object filter{{"GROUP_ID", project_id_}};
        found = co_await client_.walk_tasks(std::move(filter));
    }
    if (!found)
        co_return found.error();
    // Every task of the project, closed ones too: the decoded domain::Task carries the real
    // STATUS and CREATED_DATE, and the service must see a completed or deferred task to
    // withdraw its plan.
    std::vector<domain::Task> out;
    for (const auto& bt : *found) {
        remember(bt);
        out.push_back(bt.task);
    }
    co_return out;
}

service::Awaitable<service::Outcome<std::optional<domain::Task>>> BitrixTicketSource::task(
    std::int64_t task_id) {
    auto t = co_await client_.get_task(task_id);
    if (!t)
        co_return t.error();
    if (!*t)
        co_return std::optional<domain::Task>();
    remember(**t);
    co_return std::optional<domain::Task>((*t)->task);
}

service::Awaitable<service::Outcome<std::map<std::int64_t, std::vector<service::TaskComment>>>>
BitrixTicketSource::comments(std::vector<std::int64_t> task_ids) {
    std::vector<bitrix::CommentCursor> cursors;
    for (auto id : task_ids) {
        bitrix::CommentCursor c;
        c.task_id = id;
        if (auto it = chat_ids_.find(id); it != chat_ids_.end())
            c.chat_id = it->second;
        cursors.push_back(c);
    }
    auto results = co_await client_.comments_many(cursors);
    std::map<std::int64_t, std::vector<service::TaskComment>> out;
    for (std::size_t i = 0; i < results.size() && i < task_ids.size(); ++i) {
        // One task's failure does not hide the others' comments; it is read again next time.
        if (!results[i])
            continue;
        auto& list = out[task_ids[i]];
        for (const auto& c : *results[i])
            list.push_back({c.id, c.author_id, c.text});
    }
    if (out.empty() && !results.empty() && !results.front())
        co_return results.front().error();
    co_return out;
}

service::Awaitable<service::Outcome<std::string>> BitrixTicketSource::post_comment(
    std::int64_t task_id, std::string text) {
    auto id = co_await client_.add_comment(task_id, std::move(text));
    if (!id)
        co_return id.error();
    co_return std::to_string(*id);
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::complete_task(std::int64_t task_id) {
    auto r = co_await client_.complete_task(task_id);
    if (!r)
        co_return r.error();
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::defer_task(std::int64_t task_id) {
    auto r = co_await client_.defer_task(task_id);
    if (!r)
        co_return r.error();
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::notify_private(std::int64_t user_id,
                                                                              Secret text) {
    auto r = co_await client_.notify_personal(user_id, text.reveal());
    if (!r)
        co_return r.error();
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<std::vector<std::int64_t>>>
BitrixTicketSource::department_members(std::int64_t department_id) {
    auto users = co_await client_.department_members(department_id);
    if (!users)
        co_return users.error();
    std::vector<std::int64_t> out;
    for (const auto& u : *users)
        out.push_back(u.id);
    co_return out;
}

}  // namespace hrmaild::app
