// Intake: the poll, open and closed tasks, the first-start horizon, planning with policy, and
// re-validation of waiting plans when the directory changes.
#include "daemon/core/hash.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/planner.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;
using store::TicketState;

namespace {

constexpr std::string_view kWatermark = "bitrix.changed_date";
constexpr std::string_view kHorizon = "intake.horizon";

// What a workflow reads of a task, hashed: tells a real edit from a poll seeing it again.
std::string task_fingerprint(const domain::Task& t) {
    std::string text = t.title + '\x1f' + t.description + '\x1f' + std::to_string(t.group_id);
    for (const auto& tag : t.tags)
        text += '\x1f' + tag;
    for (const auto& [k, v] : t.uf)
        text += '\x1f' + k + '=' + v;
    return core::sha256_hex(text);
}

// Everything a plan may depend on in the directory, hashed: when it changes, waiting plans are
// assessed again.
std::string directory_fingerprint(const domain::DirectorySnapshot& d) {
    std::string text;
    for (const auto& u : d.users) {
        text += u.address + '\x1f' + u.first_name + '\x1f' + u.last_name + '\x1f' + u.role +
                (u.enabled ? "\x1f"
                             "1"
                           : "\x1f"
                             "0");
        for (const auto& a : u.aliases)
            text += '\x1f' + a;
        text += '\x1e';
    }
    for (const auto& g : d.groups) {
        text += g.address + '\x1f' + g.name;
        for (const auto& m : g.members)
            text += '\x1f' + m;
        text += '\x1e';
    }
    return core::sha256_hex(text);
}

std::vector<std::string> neutralized(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& i : items)
        out.push_back(workflow::neutralize_for_comment(i, 300));
    return out;
}

bool is_waiting(TicketState s) {
    return s == TicketState::planned || s == TicketState::awaiting_approval ||
           s == TicketState::approved;
}

}  // namespace

Service::Service(core::Clock& clock, store::StateStore& store, TicketSource& tickets,
                 MailDirectory& mail, std::shared_ptr<const workflow::WorkflowSet> workflows,
                 ServiceOptions options)
    : clock_(clock)
    , store_(store)
    , tickets_(tickets)
    , mail_(mail)
    , workflows_(std::move(workflows))
    , options_(std::move(options))
    , observer_(options_.observer ? *options_.observer : quiet_) {}

void Service::set_workflows(std::shared_ptr<const workflow::WorkflowSet> workflows) {
    workflows_ = std::move(workflows);
    unclaimed_seen_.clear();
}

store::Timestamp Service::now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.wall_now());
}

store::TicketRecord Service::transition(std::int64_t task_id, TicketState to,
                                        const std::string& actor, const std::string& reason,
                                        std::vector<store::NewAnswer> answers,
                                        const std::string& parse_errors) {
    store::TicketTransition t;
    t.task_id = task_id;
    t.to = to;
    t.actor = actor;
    t.reason = reason;
    t.parse_errors = parse_errors;
    t.answers = std::move(answers);
    auto rec = must(store_.transition_ticket(t));
    observer_.ticket_state(to);
    log::info(
        "TICKET_STATE",
        {{"task", task_id}, {"state", store::to_string(to)}, {"actor", actor}, {"reason", reason}});
    return rec;
}

Awaitable<std::optional<domain::Task>> Service::load_task(std::int64_t task_id) {
    if (auto it = tasks_.find(task_id); it != tasks_.end())
        co_return it->second;
    auto t = co_await tickets_.task(task_id);
    if (!t || !*t)
        co_return std::nullopt;
    tasks_[task_id] = **t;
    co_return **t;
}

Awaitable<void> Service::cycle() {
    in_cycle_ = true;  // this poll reads the listening tasks' comments for read_approvals
    co_await poll();
    co_await settle_answers();
    co_await revalidate_waiting();
    co_await read_approvals();
    co_await execute_ready();
    co_await run_due();
    co_await settle_answers();
    co_await reconcile_if_due();
}

std::optional<std::int64_t> Service::horizon_ms() {
    if (!options_.since.empty()) {
        if (auto t = core::parse_iso(options_.since))
            return *t * 1000;
    }
    auto h = must(store_.get_watermark(kHorizon));
    if (!h || h->empty())
        return std::nullopt;
    if (auto t = core::parse_iso(*h))
        return *t * 1000;
    return std::nullopt;
}

Awaitable<void> Service::poll() {
    observer_.count(Event::poll);
    auto mark = must(store_.get_watermark(kWatermark));
    const bool first_start = !mark && !must(store_.get_watermark(kHorizon));
    if (first_start) {
        // An empty store: nothing filed before now runs by itself (issue: the first start
        // must never execute the past). `--since` moves the horizon.
        auto horizon = options_.since.empty()
                           ? core::format_utc_seconds(store::to_millis(now()) / 1000,
                                                      core::UtcStyle::iso_offset)
                           : options_.since;
        if (must(store_.list_tickets({})).empty())
            must(store_.set_watermark(kHorizon, horizon));
        else
            must(store_.set_watermark(kHorizon, ""));  // an older store: no horizon
    }
    std::optional<core::WallTime> since;
    if (mark) {
        if (auto t = core::parse_iso(*mark))
            since = core::WallTime(std::chrono::seconds(*t)) - options_.poll_overlap;
    }
    // The comments of tasks waiting for a command ride in the same request (one per idle
    // poll); read_approvals uses them.
    prefetched_comments_.clear();
    const bool prefetch = std::exchange(in_cycle_, false);
    // In a cycle, routine tickets found now run together in execute_ready.
    defer_runs_ = prefetch;
    struct Reset {
        bool& flag;
        ~Reset() { flag = false; }
    } reset{defer_runs_};
    // (a named vector: GCC 12 destroys the temporaries of a conditional inside co_await twice)
    std::vector<std::int64_t> listening;
    if (prefetch)
        listening = listening_tasks();
    std::vector<std::int64_t> settled;
    if (since)
        settled = settled_tasks();
    auto read = co_await tickets_.poll(since, std::move(listening), std::move(settled));
    if (!read) {
        log::warn("POLL_FAILED", {{"error", read.error().describe()}});
        co_return;
    }
    prefetched_comments_ = std::move(read->comments);
    auto* tasks = &read->tasks;
    std::sort(tasks->begin(), tasks->end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    std::optional<std::int64_t> newest = mark ? core::parse_iso(*mark) : std::nullopt;
    std::string newest_text = mark.value_or("");
    bool all_handled = true;
    const auto closed_before = closed_skipped_;
    const auto queued_before = past_queued_;
    for (const auto& task : *tasks) {
        try {
            if (!co_await handle_task(task))
                all_handled = false;
        } catch (const std::exception& e) {
            // One bad task must not stop the others; it is read again next time.
            log::error("TASK_FAILED", {{"task", task.id}, {"error", e.what()}});
            all_handled = false;
            continue;
        }
        if (auto t = core::parse_iso(task.changed_date); t && (!newest || *t > *newest)) {
            newest = *t;
            newest_text = task.changed_date;
        }
    }
    if (first_start)
        log::info("INTAKE_FIRST_START",
                  {{"horizon", must(store_.get_watermark(kHorizon)).value_or("")},
                   {"tasks", tasks->size()},
                   {"closed_skipped", closed_skipped_ - closed_before},
                   {"queued_for_approval", past_queued_ - queued_before}});
    // A task that could not be handled (Zoho down, say) must come back in the next poll even
    // if it never changes again: the watermark only moves when every task was handled.
    if (all_handled && !newest_text.empty() && newest_text != mark.value_or(""))
        must(store_.set_watermark(kWatermark, newest_text));
    log::debug("POLL_DONE",
               {{"tasks", tasks->size()}, {"since", since ? core::format_utc(*since) : ""}});
}

std::vector<std::int64_t> Service::settled_tasks() {
    // 200: the Bitrix adapter's `!ID` limit; any subset is safe to leave out.
    constexpr int kMaxSettled = 200;
    const std::chrono::milliseconds window = options_.poll_overlap + std::chrono::minutes(1);
    auto ids = must(store_.settled_within(window, kMaxSettled));
    if (ids.empty())
        return ids;
    const auto listening = pending_step_tasks();  // a pending step still listens for /cancelar
    std::erase_if(ids, [&](std::int64_t id) { return listening.count(id) != 0; });
    return ids;
}

bool Service::event_matters(std::int64_t task_id) {
    auto ticket = must(store_.get_ticket(task_id));
    if (!ticket)
        return true;
    // Nothing leaves the terminal states but `queue retry`; a pending scheduled step still
    // listens for /cancelar.
    return !store::is_terminal(ticket->state) || !pending_step_tasks(task_id).empty();
}

Awaitable<void> Service::refresh_task(std::int64_t task_id) {
    auto task = co_await tickets_.task(task_id);
    if (!task) {
        log::warn("TASK_READ_FAILED", {{"task", task_id}, {"error", task.error().describe()}});
        co_return;
    }
    if (!*task)
        co_return;
    (void)co_await handle_task(**task);
    co_await settle_answers();
}

Awaitable<bool> Service::handle_closed(const domain::Task& task,
                                       const std::optional<store::TicketRecord>& existing,
                                       bool left_project) {
    if (!existing) {
        ++closed_skipped_;
        observer_.count(Event::closed_skipped);
        log::debug("TASK_CLOSED_SKIPPED", {{"task", task.id}, {"status", task.status}});
        co_return true;
    }
    const auto id = task.id;
    switch (existing->state) {
        case TicketState::new_:
        case TicketState::invalid:
        case TicketState::planned:
        case TicketState::awaiting_approval:
        case TicketState::approved:
        case TicketState::superseded: {
            // Nothing ran yet: the plan is withdrawn, with one comment.
            auto plan = must(store_.current_plan(id));
            auto ref = plan ? fmt::format("{}-{}", plan->id, plan->plan_hash)
                            : fmt::format("t{}", existing->updated_at.time_since_epoch().count());
            store::NewAnswer answer{
                store::AnswerKind::comment, make_marker(id, "cancelled", ref),
                std::string(messages::text(left_project ? Msg::svc_withdrawn_left_project
                                                        : Msg::svc_withdrawn_closed))};
            transition(id, TicketState::cancelled, "daemon",
                       left_project
                           ? fmt::format("task moved to another project ({})", task.group_id)
                           : fmt::format("task closed in Bitrix24 (status {})", task.status),
                       {answer});
            backoff_.erase(id);
            log::info("TICKET_CANCELLED", {{"task", id}, {"status", task.status}});
            break;
        }
        case TicketState::executing:
            // Steps may have had effects: the plan finishes once, and its answer says the task
            // was closed meanwhile.
            if (closed_meanwhile_.insert(id).second)
                log::info("TASK_CLOSED_WHILE_EXECUTING", {{"task", id}, {"status", task.status}});
            break;
        case TicketState::done:
        case TicketState::rejected:
        case TicketState::failed:
        case TicketState::cancelled:
            break;
    }
    if (existing->changed_date != task.changed_date)
        must(store_.upsert_ticket(id, "", task.changed_date));
    co_return true;
}

Awaitable<bool> Service::handle_task(const domain::Task& task) {
    observer_.count(Event::task_seen);
    tasks_[task.id] = task;
    auto existing = must(store_.get_ticket(task.id));
    // The poll reads only the project, but a task read by id (before an approved plan runs, an
    // event, a retry) may have been moved out: it is no HR request any more.
    if (options_.project_id != 0 && task.group_id != options_.project_id)
        co_return co_await handle_closed(task, existing, true);
    if (!task.is_open())
        co_return co_await handle_closed(task, existing);
    if (existing) {
        switch (existing->state) {
            case TicketState::done:
            case TicketState::rejected:
            case TicketState::failed:
            case TicketState::executing:
                // Nothing leaves an end state except `queue retry`; a running plan is not
                // replanned under its feet.
                if (existing->changed_date != task.changed_date) {
                    must(store_.upsert_ticket(task.id, "", task.changed_date));
                    log::info("TASK_CHANGE_IGNORED",
                              {{"task", task.id}, {"state", store::to_string(existing->state)}});
                }
                co_return true;
            default:
                break;
        }
    }
    // Every other ticket is assessed again whenever the poll returns it: CHANGED_DATE has a
    // one-second grain, so an edit in the same second as our last read would otherwise go
    // unseen. An unchanged task gives the same plan hash (or the same errors) and nothing
    // happens.
    auto fingerprint = task_fingerprint(task);
    if (!existing && unclaimed_seen_.count({task.id, fingerprint}))
        co_return true;

    auto snapshot = co_await mail_.snapshot(false);
    if (!snapshot) {
        log::warn("DIRECTORY_UNAVAILABLE",
                  {{"task", task.id}, {"error", snapshot.error().describe()}});
        co_return false;  // read again on the next poll
    }
    auto workflows = workflows_;
    Assessment a = assess(*workflows, task, **snapshot);
    if (a.kind == Assessment::Kind::unclaimed) {
        unclaimed_seen_.insert({task.id, fingerprint});
        if (a.tied.empty())
            log::info("TASK_UNCLAIMED", {{"task", task.id}, {"title", task.title}});
        else
            log::warn("TASK_AMBIGUOUS",
                      {{"task", task.id}, {"workflows", core::join(a.tied, ",")}});
        co_return true;
    }
    // The same CHANGED_DATE as when the waiting plan was made: what changed is the directory,
    // not HR's description.
    const bool directory_changed =
        existing && is_waiting(existing->state) && existing->changed_date == task.changed_date;
    auto ticket = must(store_.upsert_ticket(task.id, a.workflow, task.changed_date));
    co_await plan_ticket(task, ticket, std::move(a), **snapshot, directory_changed);
    co_return true;
}

Awaitable<bool> Service::requester_allowed(std::int64_t user_id) {
    domain::PolicyRules rules;
    rules.requesters = options_.requester_ids;
    rules.requester_departments = options_.requester_departments;
    const bool listed = std::find(rules.requesters.begin(), rules.requesters.end(), user_id) !=
                        rules.requesters.end();
    std::vector<std::int64_t> members;
    if (!listed && user_id > 0) {
        for (auto dep : rules.requester_departments) {
            auto read = co_await department_members(dep);
            if (!read) {
                // Fails closed: a request whose requester cannot be checked needs approval.
                log::warn("REQUESTERS_UNAVAILABLE",
                          {{"department", dep}, {"error", read.error().describe()}});
                co_return false;
            }
            members.insert(members.end(), read->begin(), read->end());
        }
    }
    co_return domain::requester_allowed(rules, user_id, members);
}

Awaitable<void> Service::plan_ticket(const domain::Task& task, const store::TicketRecord& ticket,
                                     Assessment a, const domain::DirectorySnapshot& directory,
                                     bool directory_changed) {
    const auto id = task.id;
    if (a.kind == Assessment::Kind::invalid) {
        auto errors = core::join(a.errors, "\n");
        auto state = ticket.state;
        if (is_waiting(state)) {
            transition(id, TicketState::superseded, "daemon",
                       directory_changed ? "the directory changed; the plan no longer holds"
                                         : "task changed; no longer valid");
            state = TicketState::superseded;
        }
        if (!(state == TicketState::invalid && ticket.parse_errors == errors)) {
            // A plan that stopped holding because the directory changed is not HR's mistake:
            // say what changed instead of asking to fix a description that is fine.
            auto text = directory_changed
                            ? render(Msg::svc_directory_changed,
                                     "changes"_a = detail::bullets(neutralized(a.errors)))
                            : a.invalid_message;
            store::NewAnswer answer{
                store::AnswerKind::comment,
                make_marker(id, "invalid", core::sha256_hex(errors + ticket.changed_date)),
                std::move(text)};
            transition(id, TicketState::invalid, "daemon",
                       directory_changed ? "directory changed" : "validation failed", {answer},
                       errors);
            log::info("TASK_INVALID",
                      {{"task", id}, {"workflow", a.workflow}, {"errors", a.errors.size()}});
        }
        co_return;
    }

    // A plan. Same hash as the current one: nothing changed for us.
    auto current = must(store_.current_plan(id));
    bool same = current && current->plan_hash == a.plan_hash;
    if (same && ticket.state != TicketState::new_ && ticket.state != TicketState::invalid &&
        ticket.state != TicketState::superseded && ticket.state != TicketState::cancelled)
        co_return;
    if (!same && is_waiting(ticket.state)) {
        transition(id, TicketState::superseded, "daemon",
                   directory_changed ? "the directory changed; plan rebuilt"
                                     : "task changed; plan rebuilt");
        log::info("PLAN_SUPERSEDED", {{"task", id}, {"old", current ? current->plan_hash : ""}});
    }

    // Rules the service adds to the workflow's policy: who filed it (the policy says why not),
    // and when.
    const bool allowed = co_await requester_allowed(task.created_by);
    std::vector<std::string> extra;
    if (auto horizon = horizon_ms()) {
        auto created = core::parse_iso(task.created_date);
        if (!created || *created * 1000 < *horizon) {
            extra.emplace_back(messages::text(Msg::svc_before_horizon));
            ++past_queued_;
            observer_.count(Event::queued_past_horizon);
        }
    }
    auto history = must(store_.plans_for(id));
    if (!history.empty() && history.back().dry_run && !options_.dry_run)
        extra.emplace_back(messages::text(Msg::svc_previous_dry_run));
    if (!extra.empty() || !allowed)
        a = assess(*workflows_, task, directory, extra, allowed);

    store::NewPlan np;
    np.task_id = id;
    np.plan_hash = a.plan_hash;
    np.plan_text = a.plan_text;
    np.approval_required = a.decision.approval_required || a.decision.refused;
    np.reasons = core::join(a.decision.reasons, "; ");
    np.messages = messages_to_json(a.messages);
    np.requester = task.created_by;
    np.decision = a.decision.refused             ? store::PlanDecision::refused
                  : a.decision.approval_required ? store::PlanDecision::approval
                                                 : store::PlanDecision::automatic;
    np.dry_run = options_.dry_run;
    auto plan = must(store_.record_plan(np));
    transition(id, TicketState::planned, "daemon",
               fmt::format("workflow {} plan {}", a.workflow, a.plan_hash));
    log::info("PLAN_MADE", {{"task", id},
                            {"workflow", a.workflow},
                            {"plan", plan.plan_hash},
                            {"version", plan.id},
                            {"steps", a.plan->steps.size()},
                            {"approval", a.decision.approval_required},
                            {"refused", a.decision.refused}});
    co_await advance_planned(id);
}

Awaitable<void> Service::advance_planned(std::int64_t id) {
    auto ticket = must(store_.get_ticket(id));
    auto plan = must(store_.current_plan(id));
    if (!ticket || !plan || ticket->state != TicketState::planned)
        co_return;
    const auto messages = messages_from_json(plan->messages);
    const auto ref = fmt::format("{}-{}", plan->id, plan->plan_hash);
    switch (plan->decision) {
        case store::PlanDecision::refused: {
            std::vector<store::NewAnswer> answers{
                {store::AnswerKind::comment, make_marker(id, "refused", ref), messages.refused}};
            auto it = tell_it(
                id, render(Msg::svc_it_refused, "task"_a = id, "reasons"_a = plan->reasons));
            answers.insert(answers.end(), it.begin(), it.end());
            answers.push_back({store::AnswerKind::defer, "defer-" + ref, ""});
            transition(id, TicketState::rejected, "policy", plan->reasons, std::move(answers));
            co_return;
        }
        case store::PlanDecision::approval: {
            // Every plan version gets its own comment with its code, also a return to an
            // earlier plan: only commands after the newest plan comment count.
            auto text = messages.approval + when_line(*plan) +
                        render(Msg::svc_plan_code, "code"_a = plan->plan_hash.substr(0, 12),
                               "version"_a = plan->id);
            transition(id, TicketState::awaiting_approval, "policy", plan->reasons,
                       {{store::AnswerKind::comment, make_marker(id, "plan", ref), text}});
            co_return;
        }
        case store::PlanDecision::automatic:
            transition(id, TicketState::approved, "policy", "routine: no approval needed");
            if (!defer_runs_)
                co_await run_ticket(id);
            co_return;
    }
}

Awaitable<void> Service::revalidate_waiting() {
    auto waiting = must(store_.list_tickets({TicketState::awaiting_approval}));
    if (waiting.empty())
        co_return;
    auto snapshot = co_await mail_.snapshot(false);
    if (!snapshot)
        co_return;
    auto fp = directory_fingerprint(**snapshot);
    if (fp == directory_fingerprint_)
        co_return;
    directory_fingerprint_ = fp;
    auto workflows = workflows_;
    for (const auto& t : waiting) {
        auto task = co_await load_task(t.task_id);
        if (!task)
            continue;
        try {
            Assessment a = assess(*workflows, *task, **snapshot);
            if (a.kind == Assessment::Kind::unclaimed)
                continue;
            auto ticket = must(store_.get_ticket(t.task_id));
            if (!ticket || ticket->state != TicketState::awaiting_approval)
                continue;
            co_await plan_ticket(*task, *ticket, std::move(a), **snapshot, true);
        } catch (const std::exception& e) {
            log::error("TASK_FAILED", {{"task", t.task_id}, {"error", e.what()}});
        }
    }
}

}  // namespace hrmaild::service
