#include "daemon/service/reconcile.hpp"

#include "daemon/core/hash.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/plan_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;

namespace {

constexpr std::string_view kLastRun = "reconcile.last_run";
constexpr std::string_view kLastReport = "reconcile.last_report";
// The last run's report (JSON), read by the console's Conciliación page.
constexpr std::string_view kLatest = "reconcile.latest";
// The report task's Bitrix id, once known (made, or found again by its tag and marker).
constexpr std::string_view kReportTask = "reconcile.report_task";

int percent(const Usage& u) {
    return u.total <= 0 ? 0 : static_cast<int>(u.used * 100 / u.total);
}

bool full(const Usage& u, int at_percent) {
    return u.total > 0 && u.used * 100 >= static_cast<std::int64_t>(at_percent) * u.total;
}

std::string gb(std::int64_t mb) {
    return fmt::format("{:.1f}", static_cast<double>(mb) / 1024.0);
}

std::string day(std::int64_t ms, const core::TimeZone* zone) {
    auto t = ms / 1000;
    core::LocalDateTime l;
    if (zone != nullptr) {
        l = zone->to_local(t);
    } else {
        core::civil_from_days(t / 86400, l.year, l.month, l.day);
    }
    return fmt::format("{:02}/{:02}/{:04}", l.day, l.month, l.year);
}

// The steps of one stored plan, or none when its text is unreadable.
std::vector<domain::Operation> steps_of(const store::PlanRecord& p) {
    try {
        return workflow::plan_from_text(p.plan_text).steps;
    } catch (const std::exception&) {
        return {};
    }
}

const domain::DirectoryUser* account(const domain::DirectorySnapshot& d,
                                     const domain::Operation& op) {
    if (!op.target.zuid.empty())
        return d.find_user_by_id(op.target.zuid);
    return d.find_user(op.text("email"));
}

}  // namespace

std::string report_marker() {
    return make_marker(0, "reconcile", "report");
}

ReconcileReport reconcile(const domain::DirectorySnapshot& directory, store::StateStore& store,
                          std::int64_t now_ms, const ReconcileOptions& options,
                          const OrgUsage* usage) {
    ReconcileReport r;
    r.at_ms = now_ms;
    auto add = [&](std::string kind, std::string address, std::string zuid, std::int64_t task,
                   std::string detail) {
        r.findings.push_back(
            {std::move(kind), std::move(address), std::move(zuid), task, std::move(detail)});
    };

    // What hrmaild made and disabled, from the journal of every plan.
    std::set<std::string> hired;  // addresses and zuids of accounts a hire of ours created
    std::map<std::int64_t, std::vector<store::PlanRecord>> plans;
    for (const auto& t : must(store.list_tickets({}, 100000))) {
        plans[t.task_id] = must(store.plans_for(t.task_id));
        for (const auto& p : plans[t.task_id]) {
            auto steps = steps_of(p);
            for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
                const auto& op = steps[static_cast<std::size_t>(i)];
                if (op.kind != domain::OpKind::create_user &&
                    op.kind != domain::OpKind::disable_user)
                    continue;
                auto rec =
                    must(store.journal_step({t.task_id, p.plan_hash, i, store::StepKind::step}));
                if (!rec || rec->state != store::StepState::succeeded)
                    continue;
                if (op.kind == domain::OpKind::create_user) {
                    hired.insert(core::ascii_lower(op.text("email")));
                    continue;
                }
                // A termination that ran: the account must stay disabled.
                const auto* u = account(directory, op);
                if (t.state == store::TicketState::done && u != nullptr && u->enabled)
                    add("terminated_enabled", u->address, u->zuid, t.task_id,
                        render(Msg::rec_terminated_enabled, "email"_a = u->address,
                               "task"_a = t.task_id));
            }
        }
    }

    const auto since = now_ms - static_cast<std::int64_t>(options.recent_days) * 86400000;
    for (const auto& u : directory.users) {
        if (u.created_at_ms != 0 && u.created_at_ms >= since &&
            !hired.count(core::ascii_lower(u.address)))
            add("created_outside", u.address, u.zuid, 0,
                render(Msg::rec_created_outside, "email"_a = u.address,
                       "created"_a = day(u.created_at_ms, options.zone)));
        if (u.enabled)
            continue;
        std::vector<std::string> groups;
        for (const auto& g : directory.groups)
            for (const auto& m : g.members)
                if (u.holds(m)) {
                    groups.push_back(g.address);
                    break;
                }
        if (!groups.empty())
            add("disabled_in_groups", u.address, u.zuid, 0,
                render(Msg::rec_disabled_in_groups, "email"_a = u.address,
                       "groups"_a = core::join(groups, ", ")));
        if (usage == nullptr)
            continue;
        auto f = usage->forwards.find(core::ascii_lower(u.address));
        if (f == usage->forwards.end() || f->second.empty())
            continue;
        std::vector<std::string> to;
        for (const auto& a : f->second)
            to.push_back(a.empty() ? std::string(messages::text(Msg::rec_forward_unnamed)) : a);
        add("disabled_forwarding", u.address, u.zuid, 0,
            render(Msg::rec_disabled_forwarding, "email"_a = u.address,
                   "to"_a = core::join(to, ", ")));
    }
    if (usage != nullptr) {
        if (usage->licences && full(*usage->licences, options.full_percent))
            add("licences_high", "", "", 0,
                render(Msg::rec_licences_high, "used"_a = usage->licences->used,
                       "total"_a = usage->licences->total,
                       "percent"_a = percent(*usage->licences)));
        if (usage->storage_mb && full(*usage->storage_mb, options.full_percent))
            add("storage_high", "", "", 0,
                render(Msg::rec_storage_high, "used"_a = gb(usage->storage_mb->used),
                       "total"_a = gb(usage->storage_mb->total),
                       "percent"_a = percent(*usage->storage_mb)));
        for (const auto& m : usage->mailboxes) {
            const Usage u{m.used_mb, m.total_mb};
            if (!full(u, options.full_percent))
                continue;
            const auto* who = directory.find_user(m.address);
            add("mailbox_storage_high", m.address, who != nullptr ? who->zuid : "", 0,
                render(Msg::rec_mailbox_storage_high, "email"_a = m.address,
                       "used"_a = gb(m.used_mb), "total"_a = gb(m.total_mb),
                       "percent"_a = percent(u)));
        }
    }

    for (const auto& s : must(store.scheduled_steps(std::nullopt))) {
        if (s.op != "delete_user" || s.state == store::ScheduleState::cancelled)
            continue;
        const auto& list = plans[s.key.task_id];
        auto p = std::find_if(list.begin(), list.end(),
                              [&](const auto& x) { return x.plan_hash == s.key.plan_hash; });
        if (p == list.end())
            continue;
        auto steps = steps_of(*p);
        if (s.key.step_index < 0 || s.key.step_index >= static_cast<int>(steps.size()))
            continue;
        const auto& op = steps[static_cast<std::size_t>(s.key.step_index)];
        const auto address = op.text("email");
        const auto due = store::to_millis(s.due_at);
        const auto* bound = account(directory, op);
        if (s.state == store::ScheduleState::done) {
            if (bound != nullptr)
                add("past_scheduled_delete", address, bound->zuid, s.key.task_id,
                    render(Msg::rec_past_delete, "email"_a = address,
                           "due"_a = day(due, options.zone), "task"_a = s.key.task_id));
            continue;
        }
        // Pending: is it still the account the plan meant?
        std::string why;
        if (bound == nullptr) {
            const auto* other = directory.find_user(address);
            why = other != nullptr ? render(Msg::rec_why_other, "zuid"_a = op.target.zuid,
                                            "other"_a = other->zuid)
                                   : render(Msg::rec_why_gone, "zuid"_a = op.target.zuid);
        } else if (bound->enabled) {
            why = std::string(messages::text(Msg::rec_why_enabled));
        }
        if (!why.empty()) {
            add("scheduled_delete_changed", address, op.target.zuid, s.key.task_id,
                render(Msg::rec_delete_changed, "email"_a = address,
                       "due"_a = day(due, options.zone), "task"_a = s.key.task_id, "why"_a = why));
        } else if (due + options.grace_ms < now_ms) {
            add("past_scheduled_delete", address, bound->zuid, s.key.task_id,
                render(Msg::rec_past_delete, "email"_a = address, "due"_a = day(due, options.zone),
                       "task"_a = s.key.task_id));
        }
    }
    std::sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.kind, a.address, a.task_id) < std::tie(b.kind, b.address, b.task_id);
    });
    return r;
}

std::string report_text(const ReconcileReport& report, const core::TimeZone* zone) {
    const auto at = day(report.at_ms, zone);
    if (report.findings.empty())
        return render(Msg::rec_none, "at"_a = at);
    std::string text = render(Msg::rec_title, "at"_a = at, "count"_a = report.findings.size());
    for (const auto& f : report.findings)
        text += "\n• " + f.detail;
    text += "\n";
    text += messages::text(Msg::rec_footer);
    return text;
}

boost::json::object report_json(const ReconcileReport& report, const core::TimeZone* zone) {
    boost::json::array findings;
    for (const auto& f : report.findings) {
        boost::json::object o{{"kind", f.kind}, {"address", f.address}, {"detail", f.detail}};
        if (!f.zuid.empty())
            o["zuid"] = f.zuid;
        if (f.task_id != 0)
            o["task"] = f.task_id;
        findings.push_back(std::move(o));
    }
    return {{"at", core::format_utc_seconds(report.at_ms / 1000)},
            {"findings", std::move(findings)},
            {"text", report_text(report, zone)}};
}

Awaitable<boost::json::value> Service::reconcile_now() {
    auto fresh = co_await mail_.snapshot(true);
    if (!fresh)
        throw CommandError(503, "directory_unavailable",
                           "the Zoho directory could not be read: " + fresh.error().describe());
    // Forwards, licences and storage: a report without them would say "no differences" when
    // it did not look, so a failed read fails the run (tried again next cycle).
    std::optional<OrgUsage> usage;
    if (options_.reconcile_source != nullptr) {
        auto u = co_await options_.reconcile_source->usage();
        if (!u)
            throw CommandError(
                503, "usage_unavailable",
                "Zoho's forwards, licences and storage could not be read: " + u.error().describe());
        usage = std::move(*u);
    }
    ReconcileOptions o;
    o.recent_days = options_.reconcile_recent_days;
    o.zone = workflows_->zone ? &*workflows_->zone : nullptr;
    auto report = reconcile(**fresh, store_, store::to_millis(now()), o, usage ? &*usage : nullptr);
    log::info("RECONCILE_DONE", {{"findings", report.findings.size()}});
    auto out = report_json(report, o.zone);
    // What the console shows: the latest report, whoever asked for it.
    auto latest = out;
    if (auto id = must(store_.get_watermark(kReportTask)); id && !id->empty())
        latest["task"] = std::stoll(*id);
    must(store_.set_watermark(kLatest, boost::json::serialize(latest)));
    co_return out;
}

std::optional<boost::json::object> Service::last_report() const {
    auto text = must(store_.get_watermark(kLatest));
    if (!text)
        return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return v.as_object();
}

namespace {

bool open_status(int status) {
    return status == 1 || status == 2 || status == 3;
}

}  // namespace

// One report task, updated in place. Exactly once across a kill: before anything is written the
// open tasks carrying the report's tag are read, and the one whose description ends with the
// report marker is updated (the stored id first, when several); only when there is none is a
// task added. So a crash between tasks.task.add and storing its id, or an add whose answer was
// lost, is found on the next run instead of being made twice. A report task IT completed,
// deferred or deleted is left alone: the next report makes a new one.
Awaitable<bool> Service::send_report_task(const boost::json::object& report) {
    auto& tasks = *options_.report_tasks;
    const std::string text(report.at("text").as_string());
    const auto count = report.at("findings").as_array().size();
    ReportTaskFields fields;
    const auto* zone = workflows_->zone ? &*workflows_->zone : nullptr;
    fields.title =
        render(Msg::rec_task_title, "at"_a = day(store::to_millis(now()), zone), "count"_a = count);
    fields.description = with_marker(text, report_marker());
    fields.responsible_id = options_.report_responsible;
    fields.project_id = options_.report_project;
    fields.tag = std::string(kReportTag);

    auto found = co_await tasks.with_tag(std::string(kReportTag));
    if (!found) {
        log::warn("RECONCILE_NOT_SENT", {{"error", found.error().describe()}});
        co_return false;
    }
    std::int64_t known = 0;
    if (auto k = must(store_.get_watermark(kReportTask)); k && !k->empty())
        known = std::stoll(*k);
    const auto marker = report_marker();
    std::optional<std::int64_t> ours;
    for (const auto& t : *found) {
        if (!open_status(t.status) || !has_marker(t.description, marker))
            continue;
        if (!ours || t.id == known || (*ours != known && t.id < *ours))
            ours = t.id;
    }
    if (ours) {
        if (*ours != known)
            must(store_.set_watermark(kReportTask, std::to_string(*ours)));
        auto r = co_await tasks.update(*ours, fields);
        if (!r) {
            log::warn("RECONCILE_NOT_SENT", {{"task", *ours}, {"error", r.error().describe()}});
            co_return false;
        }
        log::info("RECONCILE_TASK_UPDATED", {{"task", *ours}, {"findings", count}});
        co_return true;
    }
    if (count == 0)
        co_return true;  // nothing to tell and no open report task to correct
    auto added = co_await tasks.add(fields);
    if (!added) {
        // A lost answer may have made the task: the next run finds it by its marker.
        log::warn("RECONCILE_NOT_SENT", {{"error", added.error().describe()}});
        co_return false;
    }
    must(store_.set_watermark(kReportTask, std::to_string(*added)));
    log::info("RECONCILE_TASK_CREATED", {{"task", *added}, {"findings", count}});
    co_return true;
}

Awaitable<void> Service::reconcile_if_due() {
    if (options_.reconcile_interval.count() <= 0)
        co_return;
    const auto now_s = store::to_millis(now()) / 1000;
    auto last = must(store_.get_watermark(kLastRun));
    if (!last) {
        // The first start: accounts made before hrmaild ran are no finding; one interval on.
        must(store_.set_watermark(kLastRun, core::format_utc_seconds(now_s)));
        co_return;
    }
    if (auto t = core::parse_iso(*last); t && now_s - *t < options_.reconcile_interval.count())
        co_return;
    boost::json::value report;
    try {
        report = co_await reconcile_now();
    } catch (const CommandError& e) {
        log::warn("RECONCILE_FAILED", {{"error", e.what()}});
        co_return;  // tried again next cycle
    }
    must(store_.set_watermark(kLastRun, core::format_utc_seconds(now_s)));
    const auto& findings = report.at("findings").as_array();
    // IT hears of a set of findings once: the same findings are not sent again every day (an
    // empty set is news only to a report task that still lists the earlier findings).
    const auto fingerprint = core::sha256_hex(boost::json::serialize(findings));
    const auto told = must(store_.get_watermark(kLastReport));
    if (told.value_or("") == fingerprint)
        co_return;
    if (findings.empty() && (!told || options_.report_tasks == nullptr)) {
        if (told)
            must(store_.set_watermark(kLastReport, fingerprint));
        co_return;
    }
    if (options_.report_tasks != nullptr) {
        if (co_await send_report_task(report.as_object())) {
            must(store_.set_watermark(kLastReport, fingerprint));
            // The console shows which task holds the report.
            if (auto latest = last_report()) {
                if (auto id = must(store_.get_watermark(kReportTask)); id && !id->empty())
                    (*latest)["task"] = std::stoll(*id);
                must(store_.set_watermark(kLatest, boost::json::serialize(*latest)));
            }
        }
        co_return;
    }
    const std::string text(report.at("text").as_string());
    int sent = 0;
    for (auto user : options_.approvers) {
        auto r = co_await tickets_.notify_private(user, Secret(text));
        if (r)
            ++sent;
        else
            log::warn("RECONCILE_NOT_SENT", {{"to", user}, {"error", r.error().describe()}});
    }
    if (sent > 0 || options_.approvers.empty())
        must(store_.set_watermark(kLastReport, fingerprint));
    log::info("RECONCILE_REPORTED", {{"findings", findings.size()}, {"sent_to", sent}});
}

}  // namespace hrmaild::service
