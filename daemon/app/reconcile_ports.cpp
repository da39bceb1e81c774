#include "daemon/app/reconcile_ports.hpp"

#include "daemon/app/port_error.hpp"
#include "daemon/core/text.hpp"

#include <map>

namespace hrmaild::app {

namespace json = boost::json;

service::Usage licences(const zoho::Organization& org, const zoho::Storage& storage,
                        std::size_t accounts) {
    return {
        storage.licenses_used != 0 ? storage.licenses_used : static_cast<std::int64_t>(accounts),
        org.license_count != 0 ? org.license_count : storage.licenses_total};
}

service::OrgUsage org_usage(const zoho::Organization& org, const zoho::Storage& storage,
                            const std::vector<zoho::User>& users) {
    service::OrgUsage u;
    std::map<std::int64_t, std::string> address;  // zuid → primary address
    for (const auto& user : users) {
        address[user.zuid] = user.primary_address;
        if (!user.forwards.empty())
            u.forwards[core::ascii_lower(user.primary_address)] = user.forwards;
    }
    if (auto l = licences(org, storage, users.size()); l.total > 0)
        u.licences = l;
    if (storage.total_mb > 0)
        u.storage_mb = service::Usage{storage.used_mb, storage.total_mb};
    for (const auto& s : storage.users) {
        auto a = address.find(s.zuid);
        if (a == address.end() || s.total_gb <= 0)
            continue;
        u.mailboxes.push_back({a->second, s.used_mb, s.total_gb * 1024});
    }
    return u;
}

service::Awaitable<service::Outcome<service::OrgUsage>> ZohoReconcileSource::usage() {
    auto org = co_await client_.organization();
    if (!org)
        co_return to_port_error(org.error());
    auto storage = co_await client_.storage();
    if (!storage)
        co_return to_port_error(storage.error());
    auto users = co_await client_.list_all_users();
    if (!users)
        co_return to_port_error(users.error());
    co_return org_usage(*org, *storage, *users);
}

namespace {

json::object task_fields(const service::ReportTaskFields& f) {
    json::object o;
    o["TITLE"] = f.title;
    o["DESCRIPTION"] = f.description;
    o["RESPONSIBLE_ID"] = f.responsible_id;
    if (f.project_id != 0)
        o["GROUP_ID"] = f.project_id;
    json::array tags;
    tags.emplace_back(f.tag);
    o["TAGS"] = std::move(tags);
    return o;
}

}  // namespace

service::Awaitable<service::Outcome<std::vector<service::ReportTask>>> BitrixReportTasks::with_tag(
    std::string tag) {
    // Named first: GCC 12 cannot keep a braced list of string literals in a coroutine frame.
    std::vector<std::string> select{std::string("ID"), std::string("TITLE"),
                                    std::string("DESCRIPTION"), std::string("STATUS"),
                                    std::string("TAGS")};
    json::object filter;
    filter["TAG"] = tag;
    auto tasks = co_await client_.walk_tasks(std::move(filter), std::move(select));
    if (!tasks)
        co_return to_port_error(tasks.error());
    std::vector<service::ReportTask> out;
    for (const auto& t : *tasks)
        out.push_back({t.task.id, t.task.status, t.task.description});
    co_return out;
}

service::Awaitable<service::Outcome<std::int64_t>> BitrixReportTasks::add(
    const service::ReportTaskFields& fields) {
    auto t = co_await client_.add_task(task_fields(fields));
    if (!t)
        co_return to_port_error(t.error());
    co_return t->task.id;
}

service::Awaitable<service::Outcome<void>> BitrixReportTasks::update(
    std::int64_t task_id, const service::ReportTaskFields& fields) {
    auto t = co_await client_.update_task(task_id, task_fields(fields));
    if (!t)
        co_return to_port_error(t.error());
    co_return service::Outcome<void>{};
}

}  // namespace hrmaild::app
