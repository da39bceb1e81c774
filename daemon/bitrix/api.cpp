// The typed calls of BitrixClient: tasks, comments, notifications, users and departments.
#include "daemon/bitrix/client.hpp"
#include "daemon/bitrix/decode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace hrmaild::bitrix {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

json::array string_array(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& s : items)
        out.emplace_back(s);
    return out;
}

std::vector<std::string> uf_names(const std::vector<std::string>& select) {
    std::vector<std::string> out;
    for (const auto& s : select)
        if (s.size() > 3 && s.substr(0, 3) == "UF_")
            out.push_back(s);
    return out;
}

/// The tasks of a `tasks.task.list` result: `{"tasks":[...]}` (or a bare list, or `[]`).
std::vector<BitrixTask> decode_task_list(const json::value& result,
                                         const std::vector<std::string>& ufs) {
    std::vector<BitrixTask> out;
    const json::value* tasks = field(result, {"tasks"});
    for (const auto& t : list_values(tasks ? *tasks : result))
        if (t.is_object())
            out.push_back(decode_task(t, ufs));
    return out;
}

/// The task of a `{"task":{...}}` result; nullopt for `[]` (missing or hidden task).
std::optional<BitrixTask> decode_task_result(const json::value& result,
                                             const std::vector<std::string>& ufs) {
    const json::value* task = field(result, {"task"});
    if (!task || !task->is_object() || task->get_object().empty())
        return std::nullopt;
    return decode_task(*task, ufs);
}

net::CallError unexpected(std::string_view method, std::string_view what) {
    return net::permanent_error(fmt::format("{}: unexpected answer: {}", method, what));
}

/// Where one task's comment read stands between pages.
struct CommentRead {
    CommentCursor cursor;
    std::optional<std::int64_t> last_id;  ///< chat paging: messages older than this
    std::vector<Comment> found;
    bool done = false;
    bool tried_task = false;  ///< classic read failed and the task was read for its chat
};

std::pair<std::string, json::object> comment_command(const CommentRead& read) {
    json::object p;
    if (read.cursor.chat_id != 0) {
        p["DIALOG_ID"] = fmt::format("chat{}", read.cursor.chat_id);
        if (read.last_id)
            p["LAST_ID"] = *read.last_id;
        p["LIMIT"] = BitrixClient::page_size;
        return {"im.dialog.messages.get", std::move(p)};
    }
    // Positional: TASKID, ORDER, FILTER in this order. ORDER is never empty, so FILTER can
    // never slide into its place.
    p["TASKID"] = read.cursor.task_id;
    p["ORDER"] = json::object{{"ID", "asc"}};
    if (read.cursor.after_id > 0)
        p["FILTER"] = json::object{{">ID", read.cursor.after_id}};
    return {"task.commentitem.getlist", std::move(p)};
}

/// Takes one page into `read`; false when the answer is not what the method returns.
bool take_comment_page(CommentRead& read, const json::value& result) {
    if (read.cursor.chat_id == 0) {
        for (const auto& item : list_values(result)) {
            if (!item.is_object())
                return false;
            auto c = decode_comment_item(item);
            if (c.id > read.cursor.after_id)
                read.found.push_back(std::move(c));
        }
        read.done = true;
        return true;
    }
    if (!result.is_object() && !is_empty(result))
        return false;
    const json::value* messages = field(result, {"messages"});
    auto page = messages ? list_values(*messages) : std::vector<json::value>{};
    std::int64_t min_id = std::numeric_limits<std::int64_t>::max();
    for (const auto& m : page) {
        auto c = decode_chat_message(m);
        min_id = std::min(min_id, c.id);
        if (c.id > read.cursor.after_id)
            read.found.push_back(std::move(c));
    }
    if (page.size() < BitrixClient::page_size || min_id <= read.cursor.after_id || min_id <= 1) {
        read.done = true;
    } else {
        read.last_id = min_id;
    }
    return true;
}

std::vector<Comment> finish(std::vector<Comment> found) {
    std::sort(found.begin(), found.end(),
              [](const Comment& a, const Comment& b) { return a.id < b.id; });
    found.erase(std::unique(found.begin(), found.end(),
                            [](const Comment& a, const Comment& b) { return a.id == b.id; }),
                found.end());
    return found;
}

/// Whether a classic read failed the way a new-card task makes it fail.
bool classic_refused(const net::CallError& e) {
    return e.kind == core::ErrorKind::permanent && core::iequals(e.service_code, "ERROR_CORE");
}

}  // namespace

// --- tasks -------------------------------------------------------------------------------

std::vector<std::string> BitrixClient::task_select() const {
    std::vector<std::string> out = {"ID",           "TITLE",          "DESCRIPTION", "STATUS",
                                    "CREATED_BY",   "RESPONSIBLE_ID", "GROUP_ID",    "CHANGED_DATE",
                                    "CREATED_DATE", "CLOSED_DATE",    "TAGS",        "CHAT_ID",
                                    "AUDITORS",     "ACCOMPLICES"};
    for (const auto& uf : settings_.task_uf_fields)
        out.push_back(uf);
    return out;
}

json::object BitrixClient::task_list_params(TaskQuery& query) const {
    if (query.select.empty())
        query.select = task_select();
    json::object params;
    if (!query.order.empty())
        params["order"] = query.order;
    params["filter"] = query.filter;
    params["select"] = string_array(query.select);
    if (query.start)
        params["start"] = *query.start;
    return params;
}

TaskQuery BitrixClient::walk_query(json::object filter, std::int64_t after_id,
                                   std::vector<std::string> select) {
    TaskQuery q;
    q.filter = std::move(filter);
    q.filter[">ID"] = after_id;
    q.select = std::move(select);
    q.order = json::object{{"ID", "asc"}};
    q.start = -1;
    return q;
}

asio::awaitable<net::Outcome<TaskPage>> BitrixClient::list_tasks(TaskQuery query) {
    auto params = task_list_params(query);
    auto reply = co_await call("tasks.task.list", std::move(params));
    if (!reply)
        co_return reply.error();
    TaskPage page;
    page.tasks = decode_task_list(reply->result, uf_names(query.select));
    page.total = reply->total;
    page.next = reply->next;
    co_return page;
}

asio::awaitable<net::Outcome<std::vector<BitrixTask>>> BitrixClient::walk_tasks(
    json::object filter, std::vector<std::string> select, std::int64_t after_id) {
    std::vector<BitrixTask> out;
    std::int64_t last_id = after_id;
    for (;;) {
        auto page = co_await list_tasks(walk_query(filter, last_id, select));
        if (!page)
            co_return page.error();
        std::size_t n = page->tasks.size();
        const std::int64_t from = last_id;
        for (auto& t : page->tasks) {
            if (t.task.id <= from)
                continue;
            last_id = std::max(last_id, t.task.id);
            out.push_back(std::move(t));
        }
        // A short page ends the walk; so does a page that brought nothing new (a portal that
        // ignored the filter must not send the walk into a loop).
        if (n < page_size || last_id == from)
            break;
    }
    std::sort(out.begin(), out.end(),
              [](const BitrixTask& a, const BitrixTask& b) { return a.task.id < b.task.id; });
    co_return out;
}

json::object BitrixClient::changed_since_filter(std::int64_t group_id, core::WallTime since) {
    json::object f;
    if (group_id != 0)
        f["GROUP_ID"] = group_id;
    f[">=CHANGED_DATE"] = iso_date(since);
    return f;
}

asio::awaitable<net::Outcome<std::vector<BitrixTask>>> BitrixClient::tasks_changed_since(
    std::int64_t group_id, core::WallTime since) {
    co_return co_await walk_tasks(changed_since_filter(group_id, since));
}

asio::awaitable<net::Outcome<std::optional<BitrixTask>>> BitrixClient::get_task(
    std::int64_t task_id) {
    auto select = task_select();
    json::object params;
    params["taskId"] = task_id;
    params["select"] = string_array(select);
    auto reply = co_await call("tasks.task.get", std::move(params));
    if (!reply)
        co_return reply.error();
    if (is_empty(reply->result))
        co_return std::optional<BitrixTask>{};
    auto task = decode_task_result(reply->result, uf_names(select));
    if (!task)
        co_return std::optional<BitrixTask>{};
    co_return task;
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::update_task(std::int64_t task_id,
                                                                    json::object fields) {
    json::object params;
    params["taskId"] = task_id;
    params["fields"] = std::move(fields);
    auto reply = co_await call("tasks.task.update", std::move(params));
    if (!reply)
        co_return reply.error();
    auto task = decode_task_result(reply->result, uf_names(task_select()));
    if (!task)
        co_return unexpected("tasks.task.update", "no task in the result");
    co_return std::move(*task);
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::add_task(json::object fields) {
    json::object params;
    params["fields"] = std::move(fields);
    auto reply = co_await call("tasks.task.add", std::move(params));
    if (!reply)
        co_return reply.error();
    auto task = decode_task_result(reply->result, uf_names(task_select()));
    if (!task)
        co_return unexpected("tasks.task.add", "no task in the result");
    co_return std::move(*task);
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::task_action(std::string method,
                                                                    std::int64_t task_id) {
    json::object params;
    params["taskId"] = task_id;
    auto reply = co_await call(method, std::move(params));
    if (!reply)
        co_return reply.error();
    auto task = decode_task_result(reply->result, uf_names(task_select()));
    if (!task)
        co_return unexpected(method, "no task in the result");
    co_return std::move(*task);
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::start_task(std::int64_t task_id) {
    co_return co_await task_action("tasks.task.start", task_id);
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::complete_task(std::int64_t task_id) {
    co_return co_await task_action("tasks.task.complete", task_id);
}

asio::awaitable<net::Outcome<BitrixTask>> BitrixClient::defer_task(std::int64_t task_id) {
    co_return co_await task_action("tasks.task.defer", task_id);
}

// --- comments ----------------------------------------------------------------------------

asio::awaitable<net::Outcome<std::int64_t>> BitrixClient::add_comment(std::int64_t task_id,
                                                                      std::string text,
                                                                      std::int64_t author_id) {
    // Positional: TASKID first, then FIELDS; nothing else may be sent.
    json::object fields;
    fields["POST_MESSAGE"] = std::move(text);
    if (author_id != 0)
        fields["AUTHOR_ID"] = author_id;
    json::object params;
    params["TASKID"] = task_id;
    params["FIELDS"] = std::move(fields);
    auto reply = co_await call("task.commentitem.add", std::move(params));
    if (!reply)
        co_return reply.error();
    auto id = to_int(reply->result);
    if (!id || *id <= 0)
        co_return unexpected("task.commentitem.add", "no comment id");
    co_return *id;
}

asio::awaitable<net::Outcome<std::vector<Comment>>> BitrixClient::comments(CommentCursor cursor) {
    CommentRead read{cursor, std::nullopt, {}, false, false};
    while (!read.done) {
        auto [method, params] = comment_command(read);
        auto reply = co_await call(method, std::move(params));
        if (!reply) {
            if (read.cursor.chat_id == 0 && !read.tried_task && classic_refused(reply.error())) {
                // Perhaps a new-card task whose chat we did not know: look it up once.
                read.tried_task = true;
                auto task = co_await get_task(cursor.task_id);
                if (task && *task && (*task)->chat_id != 0) {
                    read.cursor.chat_id = (*task)->chat_id;
                    continue;
                }
            }
            co_return reply.error();
        }
        if (!take_comment_page(read, reply->result))
            co_return unexpected(method, "comments are not a list");
    }
    co_return finish(std::move(read.found));
}

asio::awaitable<net::Outcome<PollResult>> BitrixClient::poll(std::int64_t group_id,
                                                             std::optional<core::WallTime> since,
                                                             std::vector<CommentCursor> cursors,
                                                             std::vector<std::int64_t> skip) {
    json::object filter;
    if (since) {
        filter = changed_since_filter(group_id, *since);
        if (!skip.empty()) {
            json::array ids;
            for (std::size_t i = 0; i < skip.size() && i < max_skipped; ++i)
                ids.push_back(skip[i]);
            filter["!ID"] = std::move(ids);  // NOT IN (reference section 6, filter prefixes)
        }
    } else if (group_id != 0) {
        filter["GROUP_ID"] = group_id;
    }
    PollResult out;
    if (cursors.empty()) {
        auto tasks = co_await walk_tasks(std::move(filter));
        if (!tasks)
            co_return tasks.error();
        out.tasks = std::move(*tasks);
        co_return out;
    }
    // The walk's first page rides in the first round of the comment reads: one request.
    auto query = walk_query(filter, 0, {});
    Batch lead;
    lead.add("tasks.task.list", task_list_params(query));
    std::vector<net::Outcome<Reply>> lead_replies;
    out.comments = co_await comments_many(std::move(cursors), &lead, &lead_replies);
    if (lead_replies.empty())
        co_return unexpected("batch", "no answer for tasks.task.list");
    if (!lead_replies.front())
        co_return lead_replies.front().error();
    out.tasks = decode_task_list(lead_replies.front()->result, uf_names(query.select));
    std::int64_t last_id = 0;
    for (const auto& t : out.tasks)
        last_id = std::max(last_id, t.task.id);
    if (out.tasks.size() >= page_size) {
        // More than one page changed: walk on from the last id, as walk_tasks would.
        auto more = co_await walk_tasks(std::move(filter), {}, last_id);
        if (!more)
            co_return more.error();
        for (auto& t : *more)
            if (t.task.id > last_id)
                out.tasks.push_back(std::move(t));
    }
    std::sort(out.tasks.begin(), out.tasks.end(),
              [](const BitrixTask& a, const BitrixTask& b) { return a.task.id < b.task.id; });
    co_return out;
}

asio::awaitable<std::vector<net::Outcome<std::vector<Comment>>>> BitrixClient::comments_many(
    std::vector<CommentCursor> cursors, const Batch* lead,
    std::vector<net::Outcome<Reply>>* lead_replies) {
    std::vector<CommentRead> reads;
    reads.reserve(cursors.size());
    for (const auto& c : cursors)
        reads.push_back(CommentRead{c, std::nullopt, {}, false, false});
    std::vector<std::optional<net::CallError>> errors(reads.size());
    // Each round batches the next page of every read still going; most reads end in round 1.
    bool first_round = true;
    for (;;) {
        Batch batch;
        std::vector<std::size_t> owner;
        std::size_t skip = 0;  // leading commands that belong to the caller
        if (first_round && lead != nullptr) {
            for (const auto& c : lead->commands())
                batch.add(c.method, c.params);
            skip = lead->size();
        }
        first_round = false;
        for (std::size_t i = 0; i < reads.size(); ++i) {
            if (reads[i].done || errors[i])
                continue;
            auto [method, params] = comment_command(reads[i]);
            batch.add(std::move(method), std::move(params));
            owner.push_back(i);
        }
        if (batch.empty())
            break;
        auto all = co_await run(batch);
        if (skip > 0 && lead_replies != nullptr)
            lead_replies->assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(skip));
        std::vector<net::Outcome<Reply>> replies(all.begin() + static_cast<std::ptrdiff_t>(skip),
                                                 all.end());
        if (owner.empty())
            break;
        for (std::size_t k = 0; k < replies.size(); ++k) {
            auto& read = reads[owner[k]];
            if (!replies[k]) {
                const auto& e = replies[k].error();
                if (read.cursor.chat_id == 0 && !read.tried_task && classic_refused(e)) {
                    read.tried_task = true;
                    auto task = co_await get_task(read.cursor.task_id);
                    if (task && *task && (*task)->chat_id != 0) {
                        read.cursor.chat_id = (*task)->chat_id;
                        continue;
                    }
                }
                errors[owner[k]] = e;
                continue;
            }
            if (!take_comment_page(read, replies[k]->result))
                errors[owner[k]] =
                    unexpected(batch.commands()[skip + k].method, "comments are not a list");
        }
    }
    std::vector<net::Outcome<std::vector<Comment>>> out;
    out.reserve(reads.size());
    for (std::size_t i = 0; i < reads.size(); ++i) {
        if (errors[i])
            out.emplace_back(*errors[i]);
        else
            out.emplace_back(finish(std::move(reads[i].found)));
    }
    co_return out;
}

// --- notifications -----------------------------------------------------------------------

asio::awaitable<net::Outcome<std::int64_t>> BitrixClient::notify(std::string method,
                                                                 std::int64_t user_id,
                                                                 std::string message) {
    json::object params;
    params["USER_ID"] = user_id;
    params["MESSAGE"] = std::move(message);
    auto reply = co_await call(method, std::move(params));
    if (!reply)
        co_return reply.error();
    auto id = to_int(reply->result);
    if (!id || *id <= 0)
        co_return net::permanent_error(fmt::format(
            "{}: the portal did not deliver the notification to user {}", method, user_id));
    co_return *id;
}

asio::awaitable<net::Outcome<std::int64_t>> BitrixClient::notify_personal(std::int64_t user_id,
                                                                          std::string message) {
    co_return co_await notify("im.notify.personal.add", user_id, std::move(message));
}

asio::awaitable<net::Outcome<std::int64_t>> BitrixClient::notify_system(std::int64_t user_id,
                                                                        std::string message) {
    co_return co_await notify("im.notify.system.add", user_id, std::move(message));
}

// --- users and departments ---------------------------------------------------------------

asio::awaitable<net::Outcome<User>> BitrixClient::current_user() {
    auto reply = co_await call("user.current");
    if (!reply)
        co_return reply.error();
    if (!reply->result.is_object())
        co_return unexpected("user.current", "no user");
    co_return decode_user(reply->result);
}

asio::awaitable<net::Outcome<std::vector<User>>> BitrixClient::users(
    std::vector<std::int64_t> ids) {
    std::vector<User> out;
    std::vector<json::value> results;
    if (ids.size() == 1) {
        json::object params;
        params["ID"] = ids.front();
        auto reply = co_await call("user.get", std::move(params));
        if (!reply)
            co_return reply.error();
        results.push_back(reply->result);
    } else if (!ids.empty()) {
        Batch batch;
        for (auto id : ids) {
            json::object params;
            params["ID"] = id;
            batch.add("user.get", std::move(params));
        }
        auto replies = co_await run(batch);
        for (auto& r : replies) {
            if (!r)
                co_return r.error();
            results.push_back(std::move(r->result));
        }
    }
    for (const auto& result : results)
        for (const auto& u : list_values(result))
            if (u.is_object())
                out.push_back(decode_user(u));
    co_return out;
}

asio::awaitable<net::Outcome<std::vector<User>>> BitrixClient::find_users(json::object filter) {
    std::vector<User> out;
    std::int64_t start = 0;
    for (int page = 0; page < 10000; ++page) {
        json::object params;
        params["FILTER"] = filter;
        if (start > 0)
            params["start"] = start;
        auto reply = co_await call("user.get", std::move(params));
        if (!reply)
            co_return reply.error();
        for (const auto& u : list_values(reply->result))
            if (u.is_object())
                out.push_back(decode_user(u));
        if (!reply->next || *reply->next <= start)
            break;
        start = *reply->next;
    }
    co_return out;
}

asio::awaitable<net::Outcome<std::vector<User>>> BitrixClient::department_members(
    std::int64_t root) {
    auto deps = co_await departments();
    if (!deps)
        co_return deps.error();
    DepartmentTree tree(std::move(*deps));
    auto ids = tree.subtree(root);
    Batch batch;
    for (auto id : ids) {
        json::object filter;
        filter["UF_DEPARTMENT"] = id;
        json::object params;
        params["FILTER"] = std::move(filter);
        batch.add("user.get", std::move(params));
    }
    auto replies = co_await run(batch);
    std::vector<User> found;
    for (std::size_t i = 0; i < replies.size(); ++i) {
        if (!replies[i])
            co_return replies[i].error();
        if (replies[i]->next) {
            // A department with more than 50 people: read it whole.
            json::object filter;
            filter["UF_DEPARTMENT"] = ids[i];
            auto all = co_await find_users(std::move(filter));
            if (!all)
                co_return all.error();
            found.insert(found.end(), all->begin(), all->end());
            continue;
        }
        for (const auto& u : list_values(replies[i]->result))
            if (u.is_object())
                found.push_back(decode_user(u));
    }
    std::vector<User> out;
    for (auto& u : found) {
        if (!u.active || !tree.contains(u, root))
            continue;
        bool seen =
            std::any_of(out.begin(), out.end(), [&](const User& o) { return o.id == u.id; });
        if (!seen)
            out.push_back(std::move(u));
    }
    std::sort(out.begin(), out.end(), [](const User& a, const User& b) { return a.id < b.id; });
    co_return out;
}

asio::awaitable<net::Outcome<std::vector<Department>>> BitrixClient::departments() {
    std::vector<Department> out;
    std::int64_t start = 0;
    for (int page = 0; page < 1000; ++page) {
        json::object params;
        if (start > 0)
            params["START"] = start;
        auto reply = co_await call("department.get", std::move(params));
        if (!reply)
            co_return reply.error();
        for (const auto& d : list_values(reply->result))
            if (d.is_object())
                out.push_back(decode_department(d));
        if (!reply->next || *reply->next <= start)
            break;
        start = *reply->next;
    }
    co_return out;
}

}  // namespace hrmaild::bitrix
