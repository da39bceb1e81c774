#include "daemon/service/ports.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace hrmaild::service {

std::string PortError::describe() const {
    if (!detail.empty())
        return detail;
    return message.empty() ? std::string(core::to_string(kind))
                           : fmt::format("{}: {}", core::to_string(kind), message);
}

PortError port_error(core::ErrorKind kind, std::string message) {
    PortError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

Awaitable<Outcome<std::map<std::int64_t, std::optional<domain::Task>>>> TicketSource::read_tasks(
    std::vector<std::int64_t> task_ids) {
    std::map<std::int64_t, std::optional<domain::Task>> out;
    for (auto id : task_ids) {
        auto t = co_await task(id);
        if (!t)
            co_return t.error();
        out[id] = std::move(*t);
    }
    co_return out;
}

Awaitable<Outcome<SnapshotPtr>> MailDirectory::snapshot_since(core::WallTime since) {
    (void)since;
    co_return co_await snapshot(true);
}

PortError not_sent_error() {
    auto e = port_error(core::ErrorKind::retryable,
                        "not sent: an earlier write of the same batch failed");
    e.not_sent = true;
    return e;
}

Awaitable<std::vector<Outcome<std::string>>> TicketSource::send_writes(
    std::vector<TicketWrite> writes) {
    std::vector<Outcome<std::string>> out;
    out.reserve(writes.size());
    bool failed = false;
    for (auto& w : writes) {
        if (failed) {
            out.emplace_back(not_sent_error());
            continue;
        }
        Outcome<std::string> r = std::string();
        switch (w.kind) {
            case TicketWrite::Kind::comment:
                r = co_await post_comment(w.id, w.text.reveal());
                break;
            case TicketWrite::Kind::complete: {
                auto done = co_await complete_task(w.id);
                if (!done)
                    r = done.error();
                break;
            }
            case TicketWrite::Kind::defer: {
                auto done = co_await defer_task(w.id);
                if (!done)
                    r = done.error();
                break;
            }
            case TicketWrite::Kind::notify: {
                auto done = co_await notify_private(w.id, std::move(w.text));
                if (!done)
                    r = done.error();
                break;
            }
        }
        failed = !r;
        out.push_back(std::move(r));
    }
    co_return out;
}

Awaitable<Outcome<PollRead>> TicketSource::poll(std::optional<core::WallTime> since,
                                                std::vector<std::int64_t> comment_task_ids,
                                                std::vector<std::int64_t> /*settled*/) {
    auto tasks = co_await changed_tasks(since);
    if (!tasks)
        co_return tasks.error();
    PollRead out;
    out.tasks = std::move(*tasks);
    if (!comment_task_ids.empty()) {
        auto read = co_await comments(std::move(comment_task_ids));
        if (read)
            out.comments = std::move(*read);
    }
    co_return out;
}

void throw_exception_from_error(const PortError& error, const boost::source_location&) {
    throw std::logic_error("a port call failed and its error was not checked: " + error.describe());
}

}  // namespace hrmaild::service
