#include "daemon/app/bitrix_source.hpp"

#include "daemon/app/port_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace hrmaild::app {

BitrixTicketSource::BitrixTicketSource(bitrix::BitrixClient& client, std::int64_t project_id,
                                       std::size_t chat_id_limit)
    : client_(client), project_id_(project_id), chat_ids_(chat_id_limit) {}

void BitrixTicketSource::remember(const bitrix::BitrixTask& t) {
    if (t.chat_id != 0)
        chat_ids_[t.task.id] = t.chat_id;
}

service::Awaitable<service::Outcome<std::vector<domain::Task>>> BitrixTicketSource::changed_tasks(
    std::optional<core::WallTime> since) {
    net::Outcome<std::vector<bitrix::BitrixTask>> found = std::vector<bitrix::BitrixTask>{};
    if (since) {
        found = co_await client_.tasks_changed_since(project_id_, *since);
    } else {
        boost::json::object filter{{"GROUP_ID", project_id_}};
        found = co_await client_.walk_tasks(std::move(filter));
    }
    if (!found)
        co_return to_port_error(found.error());
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
        co_return to_port_error(t.error());
    if (!*t)
        co_return std::optional<domain::Task>();
    remember(**t);
    co_return std::optional<domain::Task>((*t)->task);
}

service::Awaitable<service::Outcome<std::map<std::int64_t, std::optional<domain::Task>>>>
BitrixTicketSource::read_tasks(std::vector<std::int64_t> task_ids) {
    std::map<std::int64_t, std::optional<domain::Task>> out;
    boost::json::array ids;
    for (auto id : task_ids) {
        out[id] = std::nullopt;  // not found: deleted, or no longer visible
        ids.push_back(id);
    }
    if (task_ids.empty())
        co_return out;
    // No GROUP_ID: a task moved out of the project must be seen as such. The ID walk reads 50
    // a request.
    boost::json::object filter{{"ID", std::move(ids)}};
    auto found = co_await client_.walk_tasks(std::move(filter));
    if (!found)
        co_return to_port_error(found.error());
    for (const auto& bt : *found) {
        auto it = out.find(bt.task.id);
        if (it == out.end())
            continue;
        remember(bt);
        it->second = bt.task;
    }
    co_return out;
}

std::vector<bitrix::CommentCursor> BitrixTicketSource::cursors(
    const std::vector<std::int64_t>& task_ids) const {
    std::vector<bitrix::CommentCursor> out;
    for (auto id : task_ids) {
        bitrix::CommentCursor c;
        c.task_id = id;
        if (auto it = chat_ids_.find(id); it != chat_ids_.end())
            c.chat_id = it->second;
        out.push_back(c);
    }
    return out;
}

service::Awaitable<service::Outcome<service::PollRead>> BitrixTicketSource::poll(
    std::optional<core::WallTime> since, std::vector<std::int64_t> comment_task_ids,
    std::vector<std::int64_t> settled) {
    auto read =
        co_await client_.poll(project_id_, since, cursors(comment_task_ids), std::move(settled));
    if (!read)
        co_return to_port_error(read.error());
    service::PollRead out;
    for (const auto& bt : read->tasks) {
        remember(bt);
        out.tasks.push_back(bt.task);
    }
    for (std::size_t i = 0; i < read->comments.size() && i < comment_task_ids.size(); ++i) {
        if (!read->comments[i])
            continue;  // read again next time
        auto& list = out.comments[comment_task_ids[i]];
        for (const auto& c : *read->comments[i])
            list.push_back({c.id, c.author_id, c.text});
    }
    co_return out;
}

service::Awaitable<std::vector<service::Outcome<std::string>>> BitrixTicketSource::send_writes(
    std::vector<service::TicketWrite> writes) {
    bitrix::Batch batch;
    batch.set_halt(true);
    for (auto& w : writes) {
        boost::json::object params;
        switch (w.kind) {
            case service::TicketWrite::Kind::comment: {
                // Positional: TASKID, then FIELDS, and nothing else.
                params["TASKID"] = w.id;
                params["FIELDS"] = boost::json::object{{"POST_MESSAGE", w.text.reveal()}};
                batch.add("task.commentitem.add", std::move(params));
                break;
            }
            case service::TicketWrite::Kind::complete:
                params["taskId"] = w.id;
                batch.add("tasks.task.complete", std::move(params));
                break;
            case service::TicketWrite::Kind::defer:
                params["taskId"] = w.id;
                batch.add("tasks.task.defer", std::move(params));
                break;
            case service::TicketWrite::Kind::notify:
                params["USER_ID"] = w.id;
                params["MESSAGE"] = w.text.reveal();
                batch.add("im.notify.personal.add", std::move(params));
                break;
        }
    }
    auto replies = co_await client_.run(batch);
    std::vector<service::Outcome<std::string>> out;
    out.reserve(replies.size());
    for (std::size_t i = 0; i < replies.size(); ++i) {
        const auto& w = writes[i];
        if (!replies[i]) {
            out.emplace_back(to_port_error(replies[i].error()));
            continue;
        }
        const auto& result = replies[i]->result;
        std::int64_t id = 0;
        if (result.is_int64())
            id = result.as_int64();
        else if (result.is_uint64())
            id = static_cast<std::int64_t>(result.as_uint64());
        else if (result.is_string())
            id = std::atoll(result.as_string().c_str());
        if (w.kind == service::TicketWrite::Kind::comment ||
            w.kind == service::TicketWrite::Kind::notify) {
            if (id <= 0) {
                // Ran, but gave no id: the portal refused it in its own way (false).
                out.emplace_back(service::port_error(
                    core::ErrorKind::permanent,
                    w.kind == service::TicketWrite::Kind::comment
                        ? "task.commentitem.add: unexpected answer: no comment id"
                        : fmt::format("im.notify.personal.add: the portal did not deliver the "
                                      "notification to user {}",
                                      w.id)));
                continue;
            }
        }
        out.emplace_back(w.kind == service::TicketWrite::Kind::comment ? std::to_string(id)
                                                                       : std::string());
    }
    co_return out;
}

service::Awaitable<service::Outcome<std::map<std::int64_t, std::vector<service::TaskComment>>>>
BitrixTicketSource::comments(std::vector<std::int64_t> task_ids) {
    auto results = co_await client_.comments_many(cursors(task_ids));
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
        co_return to_port_error(results.front().error());
    co_return out;
}

service::Awaitable<service::Outcome<std::string>> BitrixTicketSource::post_comment(
    std::int64_t task_id, std::string text) {
    auto id = co_await client_.add_comment(task_id, std::move(text));
    if (!id)
        co_return to_port_error(id.error());
    co_return std::to_string(*id);
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::complete_task(std::int64_t task_id) {
    auto r = co_await client_.complete_task(task_id);
    if (!r)
        co_return to_port_error(r.error());
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::defer_task(std::int64_t task_id) {
    auto r = co_await client_.defer_task(task_id);
    if (!r)
        co_return to_port_error(r.error());
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<void>> BitrixTicketSource::notify_private(std::int64_t user_id,
                                                                              Secret text) {
    auto r = co_await client_.notify_personal(user_id, text.reveal());
    if (!r)
        co_return to_port_error(r.error());
    co_return service::Outcome<void>();
}

service::Awaitable<service::Outcome<std::vector<std::int64_t>>>
BitrixTicketSource::department_members(std::int64_t department_id) {
    auto users = co_await client_.department_members(department_id);
    if (!users)
        co_return to_port_error(users.error());
    std::vector<std::int64_t> out;
    for (const auto& u : *users)
        out.push_back(u.id);
    co_return out;
}

}  // namespace hrmaild::app
