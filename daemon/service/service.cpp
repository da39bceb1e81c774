#include "daemon/service/service.hpp"

#include "daemon/log/log.hpp"
#include "daemon/service/chat_command.hpp"
#include "daemon/service/iso_time.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/workflow/planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>

namespace hrmaild::service {
namespace {

using store::TicketState;
constexpr std::string_view kWatermark = "bitrix.changed_date";
constexpr int kNotifyOffset = 1000;  // journal index of a password delivery: step + 1000
constexpr int kResetOffset = 2000;   // a reset made to re-deliver a lost password

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty())
            out += sep;
        out += i;
    }
    return out;
}

// What a workflow reads of a task, hashed: tells a real edit from a poll seeing it again.
std::string task_fingerprint(const domain::Task& t) {
    std::string text = t.title + '\x1f' + t.description + '\x1f' + std::to_string(t.group_id);
    for (const auto& tag : t.tags)
        text += '\x1f' + tag;
    for (const auto& [k, v] : t.uf)
        text += '\x1f' + k + '=' + v;
    return workflow::sha256_hex(text);
}

bool needs_password(const domain::Operation& op) {
    return op.kind == domain::OpKind::create_user || op.kind == domain::OpKind::reset_password;
}

std::string step_key_text(const store::StepKey& k) {
    return fmt::format("{}/{}/{}", k.task_id, k.plan_hash.substr(0, 8), k.step_index);
}

boost::json::object ticket_json(const store::TicketRecord& t) {
    return {{"id", t.task_id},
            {"workflow", t.workflow},
            {"state", store::to_string(t.state)},
            {"changed_date", t.changed_date},
            {"parse_errors", t.parse_errors},
            {"updated_at", store::to_millis(t.updated_at)}};
}

template <typename T>
T must(store::Result<T> r) {
    if (!r)
        throw store::StoreException(r.error());
    return std::move(*r);
}

inline void must(store::Result<void> r) {
    if (!r)
        throw store::StoreException(r.error());
}

}  // namespace

/// What one execution of a ticket's plan needs to know.
struct Service::TicketContext {
    std::int64_t task_id = 0;
    std::string plan_hash;
    std::string workflow;
    std::optional<domain::Task> task;
    PlanMessages messages;
};

Service::Service(net::Clock& clock, store::StateStore& store, TicketSource& tickets,
                 MailDirectory& mail, std::shared_ptr<const workflow::WorkflowSet> workflows,
                 ServiceOptions options)
    : clock_(clock)
    , store_(store)
    , tickets_(tickets)
    , mail_(mail)
    , workflows_(std::move(workflows))
    , options_(std::move(options)) {}

void Service::set_workflows(std::shared_ptr<const workflow::WorkflowSet> workflows) {
    workflows_ = std::move(workflows);
    unclaimed_seen_.clear();
}

store::Timestamp Service::now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.wall_now());
}

store::TicketRecord Service::transition(std::int64_t task_id, TicketState to,
                                        const std::string& actor, const std::string& reason,
                                        const std::string& parse_errors) {
    store::TicketTransition t;
    t.task_id = task_id;
    t.to = to;
    t.actor = actor;
    t.reason = reason;
    t.parse_errors = parse_errors;
    auto rec = must(store_.transition_ticket(t));
    log::info(
        "TICKET_STATE",
        {{"task", task_id}, {"state", store::to_string(to)}, {"actor", actor}, {"reason", reason}});
    return rec;
}

void Service::save_messages(std::int64_t task_id, const std::string& plan_hash,
                            const PlanMessages& m) {
    // Rendered when the plan was frozen; they hold no secret (passwords go privately).
    must(store_.set_watermark(fmt::format("messages/{}/{}", task_id, plan_hash),
                              messages_to_json(m)));
}

PlanMessages Service::load_messages(std::int64_t task_id, const std::string& plan_hash) {
    auto v = must(store_.get_watermark(fmt::format("messages/{}/{}", task_id, plan_hash)));
    return v ? messages_from_json(*v) : PlanMessages{};
}

// ---- intake -----------------------------------------------------------------------------

Awaitable<void> Service::cycle() {
    co_await poll();
    co_await read_approvals();
    co_await execute_ready();
    co_await run_due();
}

Awaitable<void> Service::poll() {
    ++stats_.polls;
    auto mark = must(store_.get_watermark(kWatermark));
    std::string since;
    if (mark) {
        if (auto t = parse_iso(*mark))
            since = format_iso_utc(*t - options_.poll_overlap.count());
    }
    auto tasks = co_await tickets_.changed_tasks(since);
    if (!tasks) {
        log::warn("POLL_FAILED", {{"error", tasks.error().describe()}});
        co_return;
    }
    std::sort(tasks->begin(), tasks->end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    std::optional<std::int64_t> newest = mark ? parse_iso(*mark) : std::nullopt;
    std::string newest_text = mark.value_or("");
    bool all_handled = true;
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
        if (auto t = parse_iso(task.changed_date); t && (!newest || *t > *newest)) {
            newest = *t;
            newest_text = task.changed_date;
        }
    }
    // A task that could not be handled (Zoho down, say) must come back in the next poll even
    // if it never changes again: the watermark only moves when every task was handled.
    if (all_handled && !newest_text.empty() && newest_text != mark.value_or(""))
        must(store_.set_watermark(kWatermark, newest_text));
    log::debug("POLL_DONE", {{"tasks", tasks->size()}, {"since", since}});
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
}

Awaitable<bool> Service::handle_task(const domain::Task& task) {
    ++stats_.tasks_seen;
    tasks_[task.id] = task;
    auto existing = must(store_.get_ticket(task.id));
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
    Assessment a = assess(*workflows, task, *snapshot);
    if (a.kind == Assessment::Kind::unclaimed) {
        unclaimed_seen_.insert({task.id, fingerprint});
        if (a.tied.empty())
            log::info("TASK_UNCLAIMED", {{"task", task.id}, {"title", task.title}});
        else
            log::warn("TASK_AMBIGUOUS", {{"task", task.id}, {"workflows", join(a.tied, ",")}});
        co_return true;
    }
    auto ticket = must(store_.upsert_ticket(task.id, a.workflow, task.changed_date));
    co_await plan_ticket(task, ticket, a);
    co_return true;
}

Awaitable<void> Service::plan_ticket(const domain::Task& task, const store::TicketRecord& ticket,
                                     const Assessment& a) {
    const auto id = task.id;
    if (a.kind == Assessment::Kind::invalid) {
        auto errors = join(a.errors, "\n");
        if (ticket.state == TicketState::planned ||
            ticket.state == TicketState::awaiting_approval || ticket.state == TicketState::approved)
            transition(id, TicketState::superseded, "daemon", "task changed; no longer valid");
        if (!(ticket.state == TicketState::invalid && ticket.parse_errors == errors)) {
            transition(id, TicketState::invalid, "daemon", "validation failed", errors);
            log::info("TASK_INVALID",
                      {{"task", id}, {"workflow", a.workflow}, {"errors", a.errors.size()}});
        }
        co_await post_answer(id, "invalid", workflow::sha256_hex(errors), a.invalid_message);
        co_return;
    }

    // A plan. Same hash as the current one: nothing changed for us.
    auto current = must(store_.current_plan(id));
    bool same = current && current->plan_hash == a.plan_hash;
    if (same && ticket.state != TicketState::new_ && ticket.state != TicketState::invalid &&
        ticket.state != TicketState::superseded)
        co_return;
    if (!same &&
        (ticket.state == TicketState::planned || ticket.state == TicketState::awaiting_approval ||
         ticket.state == TicketState::approved)) {
        transition(id, TicketState::superseded, "daemon", "task changed; plan rebuilt");
        log::info("PLAN_SUPERSEDED",
                  {{"task", id}, {"old", current ? current->plan_hash.substr(0, 8) : ""}});
    }
    store::NewPlan np;
    np.task_id = id;
    np.plan_hash = a.plan_hash;
    np.plan_text = a.plan_text;
    np.approval_required = a.decision.approval_required;
    np.reasons = join(a.decision.reasons, "; ");
    must(store_.record_plan(np));
    save_messages(id, a.plan_hash, a.messages);
    transition(id, TicketState::planned, "daemon",
               fmt::format("workflow {} plan {}", a.workflow, a.plan_hash.substr(0, 8)));
    log::info("PLAN_MADE", {{"task", id},
                            {"workflow", a.workflow},
                            {"plan", a.plan_hash.substr(0, 8)},
                            {"steps", a.plan->steps.size()},
                            {"approval", a.decision.approval_required},
                            {"refused", a.decision.refused}});

    if (a.decision.refused) {
        transition(id, TicketState::rejected, "policy", join(a.decision.reasons, "; "));
        co_await post_answer(id, "refused", a.plan_hash, a.messages.refused);
        co_await tell_it(id, fmt::format("hrmaild: la tarea #{} fue rechazada por la política: {}",
                                         id, join(a.decision.reasons, "; ")));
        if (auto r = co_await tickets_.defer_task(id); !r)
            log::warn("TASK_DEFER_FAILED", {{"task", id}, {"error", r.error().describe()}});
        co_return;
    }
    if (a.decision.approval_required) {
        transition(id, TicketState::awaiting_approval, "policy", join(a.decision.reasons, "; "));
        co_await post_answer(id, "plan", a.plan_hash, a.messages.approval);
        co_return;
    }
    transition(id, TicketState::approved, "policy", "routine: no approval needed");
    co_await run_ticket(id);
}

// ---- approvals --------------------------------------------------------------------------

Awaitable<std::set<std::int64_t>> Service::approver_ids() {
    std::set<std::int64_t> ids(options_.approvers.begin(), options_.approvers.end());
    if (options_.approver_department > 0) {
        // The department changes rarely; asking every cycle would spend the Bitrix budget.
        if (!department_approvers_at_ ||
            now() - *department_approvers_at_ > options_.approver_cache) {
            auto members = co_await tickets_.department_members(options_.approver_department);
            if (members) {
                department_approvers_ = {members->begin(), members->end()};
                department_approvers_at_ = now();
            } else {
                log::warn("APPROVERS_UNAVAILABLE", {{"department", options_.approver_department},
                                                    {"error", members.error().describe()}});
            }
        }
        ids.insert(department_approvers_.begin(), department_approvers_.end());
    }
    co_return ids;
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

Awaitable<void> Service::read_approvals() {
    auto waiting = must(store_.list_tickets({TicketState::awaiting_approval}));
    // Done tickets with a pending scheduled step still listen for /cancelar.
    std::set<std::int64_t> with_schedule;
    for (const auto& s : must(store_.scheduled_steps(std::nullopt)))
        if (s.state == store::ScheduleState::pending)
            with_schedule.insert(s.key.task_id);
    std::vector<std::int64_t> ids;
    for (const auto& t : waiting)
        ids.push_back(t.task_id);
    for (auto id : with_schedule)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    if (ids.empty())
        co_return;

    auto comments = co_await tickets_.comments(ids);
    if (!comments) {
        log::warn("COMMENTS_UNAVAILABLE", {{"error", comments.error().describe()}});
        co_return;
    }
    auto approvers = co_await approver_ids();
    for (auto id : ids) {
        auto ticket = must(store_.get_ticket(id));
        auto plan = must(store_.current_plan(id));
        if (!ticket || !plan)
            continue;
        auto list = (*comments)[id];
        std::sort(list.begin(), list.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        // Only commands written after the current plan was shown count: an approval typed
        // under an older plan approves nothing.
        auto marker = make_marker(id, "plan", plan->plan_hash);
        auto start = std::find_if(list.begin(), list.end(),
                                  [&](const TaskComment& c) { return has_marker(c.text, marker); });
        bool awaiting = ticket->state == TicketState::awaiting_approval;
        if (awaiting && start == list.end())
            continue;
        if (!awaiting)
            start = list.begin();
        auto task = co_await load_task(id);
        for (auto it = start; it != list.end(); ++it) {
            const auto& c = *it;
            if (is_daemon_comment(c.text) || c.author_id == options_.daemon_user_id)
                continue;
            auto cmd = parse_chat_command(c.text);
            if (!cmd)
                continue;
            if (!commands_seen_.insert({id, c.id}).second)
                continue;
            std::string who = fmt::format("bitrix:{}", c.author_id);
            if (!approvers.count(c.author_id)) {
                log::warn("APPROVAL_IGNORED", {{"task", id},
                                               {"author", c.author_id},
                                               {"command", verb_name(cmd->verb)},
                                               {"why", "not an approver"}});
                must(store_.append_audit({who, "approval.ignored", id, "not an approver"}));
                continue;
            }
            if (task && task->created_by == c.author_id) {
                log::warn("APPROVAL_IGNORED", {{"task", id},
                                               {"author", c.author_id},
                                               {"command", verb_name(cmd->verb)},
                                               {"why", "the requester cannot approve"}});
                must(store_.append_audit({who, "approval.ignored", id, "requester"}));
                continue;
            }
            if (cmd->verb == ChatVerb::cancel) {
                auto n = must(store_.cancel_scheduled_for(id, who, "cancelled from the task"));
                if (n > 0)
                    co_await post_answer(id, "cancelled", std::to_string(c.id),
                                         fmt::format("Se cancelaron {} paso(s) programado(s) a "
                                                     "petición de TI.",
                                                     n));
                continue;
            }
            if (!awaiting)
                continue;
            if (cmd->verb == ChatVerb::reject && cmd->argument.empty()) {
                co_await post_answer(id, "needreason", std::to_string(c.id),
                                     "Para rechazar la solicitud escriba el motivo: "
                                     "/rechazar <motivo>.");
                continue;
            }
            store::NewApproval ap;
            ap.task_id = id;
            ap.plan_hash = plan->plan_hash;
            ap.approver = who;
            ap.channel = store::ApprovalChannel::comment;
            ap.decision =
                cmd->verb == ChatVerb::approve ? store::Decision::approve : store::Decision::reject;
            ap.reason = cmd->argument;
            auto rec = store_.record_approval(ap);
            if (!rec) {
                log::warn("APPROVAL_REFUSED", {{"task", id}, {"error", rec.error().describe()}});
                continue;
            }
            log::info("APPROVAL_RECORDED", {{"task", id},
                                            {"approver", who},
                                            {"decision", store::to_string(ap.decision)},
                                            {"plan", plan->plan_hash.substr(0, 8)}});
            if (ap.decision == store::Decision::reject)
                co_await finish_rejection(id, plan->plan_hash, ap.reason, who);
            break;  // the ticket left awaiting_approval
        }
    }
}

Awaitable<void> Service::finish_rejection(std::int64_t task_id, const std::string& plan_hash,
                                          const std::string& reason, const std::string& who) {
    auto messages = load_messages(task_id, plan_hash);
    auto text =
        messages.rejected.empty() ? std::string("TI rechazó esta solicitud.") : messages.rejected;
    text += fmt::format("\nMotivo: {}", reason);
    co_await post_answer(task_id, "rejected", plan_hash, text);
    if (auto r = co_await tickets_.defer_task(task_id); !r)
        log::warn("TASK_DEFER_FAILED", {{"task", task_id}, {"error", r.error().describe()}});
    log::info("TICKET_REJECTED", {{"task", task_id}, {"by", who}});
}

// ---- execution ----------------------------------------------------------------------------

Awaitable<void> Service::execute_ready() {
    auto ready = must(store_.list_tickets({TicketState::approved, TicketState::executing}));
    for (const auto& t : ready) {
        if (auto b = backoff_.find(t.task_id); b != backoff_.end() && b->second.first > now())
            continue;
        try {
            co_await run_ticket(t.task_id);
        } catch (const std::exception& e) {
            log::error("TICKET_RUN_FAILED", {{"task", t.task_id}, {"error", e.what()}});
        }
    }
}

Awaitable<void> Service::run_ticket(std::int64_t task_id) {
    auto ticket = must(store_.get_ticket(task_id));
    auto plan = must(store_.current_plan(task_id));
    if (!ticket || !plan)
        co_return;
    if (ticket->state != TicketState::approved && ticket->state != TicketState::executing)
        co_return;
    TicketContext ctx;
    ctx.task_id = task_id;
    ctx.plan_hash = plan->plan_hash;
    ctx.workflow = ticket->workflow;
    ctx.messages = load_messages(task_id, plan->plan_hash);
    // What runs is exactly what was approved: the stored text must still hash to the plan.
    if (workflow::sha256_hex(plan->plan_text) != plan->plan_hash) {
        log::critical("PLAN_TAMPERED", {{"task", task_id}, {"plan", plan->plan_hash.substr(0, 8)}});
        if (ticket->state == TicketState::approved)
            transition(task_id, TicketState::executing, "daemon", "starting");
        co_await fail_ticket(ctx, "el plan guardado no coincide con el aprobado");
        co_return;
    }
    if (plan->approval_required) {
        auto approval = must(store_.current_approval(task_id));
        if (!approval || approval->decision != store::Decision::approve ||
            approval->plan_hash != plan->plan_hash) {
            log::error("APPROVAL_MISSING",
                       {{"task", task_id}, {"plan", plan->plan_hash.substr(0, 8)}});
            co_return;
        }
    }
    if (options_.dry_run) {
        co_await post_answer(task_id, "dryrun", plan->plan_hash,
                             "[Simulación] hrmaild está en modo de prueba (policy.dry_run): no "
                             "se hizo ningún cambio en Zoho Mail. Se ejecutaría lo siguiente:\n" +
                                 ctx.messages.done);
        log::info("DRY_RUN_PLAN", {{"task", task_id}, {"plan", plan->plan_hash.substr(0, 8)}});
        co_return;
    }
    if (ticket->state == TicketState::approved)
        transition(task_id, TicketState::executing, "daemon", "starting");
    ctx.task = co_await load_task(task_id);

    auto steps = parse_plan_steps(plan->plan_text);
    bool changed = false;
    for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
        const auto& op = steps[static_cast<std::size_t>(i)];
        if (op.after_days > 0) {
            store::NewScheduledStep s;
            s.key = {task_id, plan->plan_hash, i};
            s.op = std::string(domain::op_name(op.kind));
            s.due_at = now() + std::chrono::days(op.after_days);
            auto sched = must(store_.schedule_step(s));
            log::info("STEP_SCHEDULED", {{"task", task_id},
                                         {"step", i},
                                         {"op", s.op},
                                         {"due", store::to_millis(sched.due_at)}});
            continue;
        }
        std::string failure;
        auto outcome = co_await run_step(ctx, i, op, failure);
        if (outcome == StepOutcome::retry_later) {
            // Stays executing; the client's own retries are spent, so wait longer here.
            auto& [when, failures] = backoff_[task_id];
            ++failures;
            auto delay = std::min<std::chrono::seconds>(
                options_.retry_cap, options_.retry_base * (1 << std::min(failures - 1, 16)));
            when = now() + delay;
            log::warn("TICKET_BACKOFF",
                      {{"task", task_id}, {"failures", failures}, {"retry_in_s", delay.count()}});
            co_return;
        }
        backoff_.erase(task_id);
        if (outcome == StepOutcome::failed) {
            co_await fail_ticket(ctx, failure);
            co_return;
        }
        changed = true;
    }
    if (changed)
        (void)co_await mail_.snapshot(true);
    transition(task_id, TicketState::done, "daemon", "every step succeeded");
    co_await post_answer(task_id, "done", plan->plan_hash, ctx.messages.done);
    if (auto r = co_await tickets_.complete_task(task_id); !r)
        log::warn("TASK_COMPLETE_FAILED", {{"task", task_id}, {"error", r.error().describe()}});
}

Awaitable<Service::StepOutcome> Service::run_step(TicketContext& ctx, int index,
                                                  const domain::Operation& op,
                                                  std::string& failure) {
    store::StepKey key{ctx.task_id, ctx.plan_hash, index};
    const std::string op_name(domain::op_name(op.kind));
    auto rec = must(store_.journal_step(key));
    if (rec && rec->state == store::StepState::succeeded) {
        // Done before; a password it made may still be owed to the requester.
        if (needs_password(op)) {
            auto notify =
                must(store_.journal_step({ctx.task_id, ctx.plan_hash, index + kNotifyOffset}));
            if (!notify || notify->state != store::StepState::succeeded) {
                // The password died with the process that made it: make a new one.
                domain::Operation reset;
                reset.kind = domain::OpKind::reset_password;
                reset.params = {{"email", op.text("email")},
                                {"password", std::string("generate")},
                                {"one_time_password", true}};
                co_return co_await run_step(ctx, index + kResetOffset, reset, failure);
            }
        }
        co_return StepOutcome::ok;
    }
    if (rec && rec->state == store::StepState::started) {
        // A crash between `started` and the result: read the remote state first.
        ++stats_.probes;
        auto probe = co_await mail_.probe(op, rec->started_at.time_since_epoch().count());
        if (!probe) {
            log::warn("STEP_PROBE_FAILED",
                      {{"step", step_key_text(key)}, {"error", probe.error().describe()}});
            co_return StepOutcome::retry_later;
        }
        log::info("STEP_PROBED", {{"step", step_key_text(key)},
                                  {"op", op_name},
                                  {"result", probe->state == ProbeState::done       ? "done"
                                             : probe->state == ProbeState::conflict ? "conflict"
                                                                                    : "not_done"},
                                  {"detail", probe->detail}});
        if (probe->state == ProbeState::done) {
            must(store_.journal_succeeded(key, "probe: " + probe->detail));
            co_return co_await run_step(ctx, index, op, failure);  // settles a password owed
        }
        if (probe->state == ProbeState::conflict) {
            must(store_.journal_failed(key, "conflict", probe->detail));
            failure = fmt::format("{}: {}", workflow::describe_step(op), probe->detail);
            co_return StepOutcome::failed;
        }
    }
    if (rec && rec->state == store::StepState::failed &&
        (rec->error_class == "permanent" || rec->error_class == "conflict" ||
         rec->error_class == "auth")) {
        failure = rec->result;
        co_return StepOutcome::failed;
    }

    std::optional<Secret> password;
    if (needs_password(op)) {
        if (!options_.generate_password)
            throw std::logic_error("no password generator configured");
        password = options_.generate_password(op);
    }
    const auto started = must(store_.journal_started(key, op_name));
    ++stats_.steps_run;
    log::info("STEP_STARTED", {{"step", step_key_text(key)}, {"op", op_name}});
    auto result = co_await mail_.apply(op, password ? &*password : nullptr);
    if (!result) {
        const auto& err = result.error();
        if (err.kind == net::ErrorKind::conflict) {
            // "Already exists" is success only when the existing object is the planned one.
            ++stats_.probes;
            auto probe = co_await mail_.probe(op, started.started_at.time_since_epoch().count());
            if (probe && probe->state == ProbeState::done) {
                must(store_.journal_succeeded(key, "already as planned: " + probe->detail));
                log::info("STEP_ALREADY_DONE", {{"step", step_key_text(key)}, {"op", op_name}});
                co_return co_await run_step(ctx, index, op, failure);
            }
            std::string detail = probe ? probe->detail : err.message;
            must(store_.journal_failed(key, "conflict", detail));
            failure = fmt::format("{}: {}", workflow::describe_step(op), detail);
            log::error("STEP_CONFLICT",
                       {{"step", step_key_text(key)}, {"op", op_name}, {"detail", detail}});
            co_return StepOutcome::failed;
        }
        must(store_.journal_failed(key, std::string(net::to_string(err.kind)), err.message));
        if (err.kind == net::ErrorKind::retryable) {
            log::warn("STEP_RETRY_LATER",
                      {{"step", step_key_text(key)}, {"op", op_name}, {"error", err.describe()}});
            co_return StepOutcome::retry_later;
        }
        failure = fmt::format("{}: {}", workflow::describe_step(op), err.message);
        log::error("STEP_FAILED",
                   {{"step", step_key_text(key)}, {"op", op_name}, {"error", err.describe()}});
        co_return StepOutcome::failed;
    }
    if (!options_.crash_after_apply.empty() && options_.crash_after_apply == op_name) {
        log::critical("TEST_CRASH", {{"step", step_key_text(key)}, {"op", op_name}});
        std::_Exit(86);
    }
    must(store_.journal_succeeded(key, *result));
    log::info("STEP_SUCCEEDED",
              {{"step", step_key_text(key)}, {"op", op_name}, {"result", *result}});
    if (password && !co_await deliver_password(ctx, index, op, *password))
        co_return StepOutcome::retry_later;
    co_return StepOutcome::ok;
}

Awaitable<bool> Service::deliver_password(TicketContext& ctx, int index,
                                          const domain::Operation& op, const Secret& password) {
    int base = index >= kResetOffset ? index - kResetOffset : index;
    store::StepKey key{ctx.task_id, ctx.plan_hash, base + kNotifyOffset};
    std::int64_t recipient = 0;
    if (options_.password_recipient == "requester") {
        recipient = ctx.task ? ctx.task->created_by : 0;
    } else {
        std::from_chars(options_.password_recipient.data(),
                        options_.password_recipient.data() + options_.password_recipient.size(),
                        recipient);
    }
    if (recipient == 0) {
        log::error("PASSWORD_NO_RECIPIENT", {{"task", ctx.task_id}});
        co_return false;
    }
    must(store_.journal_started(key, "notify_password"));
    Secret text(fmt::format(
        "hrmaild — tarea #{}: contraseña temporal de {}:\n{}\nSe pedirá cambiarla al iniciar "
        "sesión. No la comparta ni la copie en la tarea.",
        ctx.task_id, op.text("email"), password.reveal()));
    auto sent = co_await tickets_.notify_private(recipient, std::move(text));
    if (!sent) {
        must(store_.journal_failed(key, std::string(net::to_string(sent.error().kind)),
                                   sent.error().message));
        log::warn("PASSWORD_DELIVERY_FAILED",
                  {{"task", ctx.task_id}, {"error", sent.error().describe()}});
        co_return false;
    }
    ++stats_.notifications;
    must(store_.journal_succeeded(key, fmt::format("sent to bitrix user {}", recipient)));
    log::info("PASSWORD_DELIVERED",
              {{"task", ctx.task_id}, {"email", op.text("email")}, {"to", recipient}});
    co_return true;
}

Awaitable<void> Service::fail_ticket(TicketContext& ctx, const std::string& failure) {
    transition(ctx.task_id, TicketState::failed, "daemon", failure);
    auto text = ctx.messages.failed.empty()
                    ? std::string("No se pudo completar la solicitud; TI ya fue notificado.")
                    : ctx.messages.failed;
    text += fmt::format("\nDetalle para TI: {}", failure);
    co_await post_answer(ctx.task_id, "failed", ctx.plan_hash, text);
    co_await tell_it(ctx.task_id, fmt::format("hrmaild: la tarea #{} falló y necesita atención: {}",
                                              ctx.task_id, failure));
}

Awaitable<void> Service::tell_it(std::int64_t task_id, const std::string& text) {
    for (auto id : options_.approvers) {
        auto r = co_await tickets_.notify_private(id, Secret(text));
        if (!r)
            log::warn("IT_NOTIFY_FAILED",
                      {{"task", task_id}, {"to", id}, {"error", r.error().describe()}});
    }
}

Awaitable<void> Service::run_due() {
    auto due = must(store_.due_steps(now()));
    for (const auto& s : due) {
        auto plan_list = must(store_.plans_for(s.key.task_id));
        auto plan = std::find_if(plan_list.begin(), plan_list.end(),
                                 [&](const auto& p) { return p.plan_hash == s.key.plan_hash; });
        if (plan == plan_list.end())
            continue;
        auto steps = parse_plan_steps(plan->plan_text);
        if (s.key.step_index < 0 || s.key.step_index >= static_cast<int>(steps.size()))
            continue;
        TicketContext ctx;
        ctx.task_id = s.key.task_id;
        ctx.plan_hash = s.key.plan_hash;
        ctx.messages = load_messages(ctx.task_id, ctx.plan_hash);
        ctx.task = co_await load_task(ctx.task_id);
        if (options_.dry_run)
            continue;
        std::string failure;
        auto outcome = co_await run_step(
            ctx, s.key.step_index, steps[static_cast<std::size_t>(s.key.step_index)], failure);
        if (outcome == StepOutcome::retry_later)
            continue;
        must(store_.complete_scheduled(s.id));
        if (outcome == StepOutcome::failed) {
            log::error("SCHEDULED_STEP_FAILED", {{"task", ctx.task_id}, {"error", failure}});
            co_await post_answer(ctx.task_id, "scheduled-failed", std::to_string(s.id),
                                 "No se pudo completar el paso programado; TI ya fue notificado.\n"
                                 "Detalle para TI: " +
                                     failure);
            co_await tell_it(ctx.task_id,
                             fmt::format("hrmaild: el paso programado de la tarea #{} falló: {}",
                                         ctx.task_id, failure));
            continue;
        }
        (void)co_await mail_.snapshot(true);
        co_await post_answer(ctx.task_id, "scheduled-done", std::to_string(s.id),
                             fmt::format("Paso programado completado: {}.",
                                         workflow::describe_step(
                                             steps[static_cast<std::size_t>(s.key.step_index)])));
    }
}

// ---- answers -------------------------------------------------------------------------------

Awaitable<bool> Service::post_answer(std::int64_t task_id, std::string_view kind,
                                     std::string_view ref, const std::string& text) {
    auto marker = make_marker(task_id, kind, ref);
    if (must(store_.find_comment(task_id, marker)))
        co_return true;
    store::StepKey key{task_id, "comment:" + marker, 0};
    auto rec = must(store_.journal_step(key));
    if (rec && rec->state == store::StepState::started) {
        // Posted, maybe, before a crash: the marker on the task settles it.
        ++stats_.probes;
        // (a named vector: GCC 12 rejects a braced list inside co_await)
        std::vector<std::int64_t> one{task_id};
        auto comments = co_await tickets_.comments(one);
        if (!comments)
            co_return false;
        for (const auto& c : (*comments)[task_id]) {
            if (!has_marker(c.text, marker))
                continue;
            must(store_.record_comment(task_id, marker, std::to_string(c.id)));
            must(store_.journal_succeeded(key, std::to_string(c.id)));
            log::info("COMMENT_FOUND", {{"task", task_id}, {"marker", marker}});
            co_return true;
        }
    }
    must(store_.journal_started(key, "post_comment"));
    auto posted = co_await tickets_.post_comment(task_id, with_marker(text, marker));
    if (!posted) {
        must(store_.journal_failed(key, std::string(net::to_string(posted.error().kind)),
                                   posted.error().message));
        log::warn("COMMENT_FAILED",
                  {{"task", task_id}, {"marker", marker}, {"error", posted.error().describe()}});
        co_return false;
    }
    ++stats_.comments_posted;
    must(store_.record_comment(task_id, marker, *posted));
    must(store_.journal_succeeded(key, *posted));
    log::info("COMMENT_POSTED", {{"task", task_id}, {"marker", marker}, {"comment", *posted}});
    co_return true;
}

// ---- commands -------------------------------------------------------------------------------

boost::json::value Service::queue_list(std::optional<TicketState> state) {
    std::vector<TicketState> states;
    if (state)
        states.push_back(*state);
    boost::json::array out;
    for (const auto& t : must(store_.list_tickets(states))) {
        auto o = ticket_json(t);
        if (auto p = must(store_.current_plan(t.task_id))) {
            o["plan_hash"] = p->plan_hash;
            o["approval_required"] = p->approval_required;
            o["reasons"] = p->reasons;
        }
        out.push_back(std::move(o));
    }
    return boost::json::object{{"tickets", std::move(out)}};
}

boost::json::value Service::queue_show(std::int64_t task_id) {
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    auto o = ticket_json(*t);
    boost::json::array plans;
    for (const auto& p : must(store_.plans_for(task_id))) {
        boost::json::object po{{"plan_hash", p.plan_hash},
                               {"current", p.current},
                               {"approval_required", p.approval_required},
                               {"reasons", p.reasons},
                               {"created_at", store::to_millis(p.created_at)}};
        boost::system::error_code ec;
        auto parsed = boost::json::parse(p.plan_text, ec);
        if (!ec)
            po["plan"] = parsed;
        boost::json::array journal;
        for (const auto& s : must(store_.journal_for(task_id, p.plan_hash)))
            journal.push_back({{"step", s.key.step_index},
                               {"op", s.op},
                               {"state", store::to_string(s.state)},
                               {"error_class", s.error_class},
                               {"result", s.result},
                               {"attempts", s.attempts}});
        po["journal"] = std::move(journal);
        plans.push_back(std::move(po));
    }
    o["plans"] = std::move(plans);
    boost::json::array approvals;
    for (const auto& a : must(store_.approvals_for(task_id)))
        approvals.push_back({{"plan_hash", a.plan_hash},
                             {"approver", a.approver},
                             {"channel", store::to_string(a.channel)},
                             {"decision", store::to_string(a.decision)},
                             {"reason", a.reason},
                             {"at", store::to_millis(a.decided_at)}});
    o["approvals"] = std::move(approvals);
    boost::json::array scheduled;
    for (const auto& s : must(store_.scheduled_steps(task_id)))
        scheduled.push_back({{"id", s.id},
                             {"op", s.op},
                             {"step", s.key.step_index},
                             {"due_at", store::to_millis(s.due_at)},
                             {"state", store::to_string(s.state)}});
    o["scheduled"] = std::move(scheduled);
    boost::json::array audit;
    for (const auto& a : must(store_.audit_trail(task_id, 200)))
        audit.push_back({{"seq", a.seq},
                         {"at", store::to_millis(a.at)},
                         {"actor", a.actor},
                         {"action", a.action},
                         {"detail", a.detail}});
    o["audit"] = std::move(audit);
    return o;
}

Awaitable<boost::json::value> Service::queue_approve(std::int64_t task_id, std::string principal,
                                                     std::string plan_hash) {
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    auto plan = must(store_.current_plan(task_id));
    if (t->state != TicketState::awaiting_approval || !plan)
        throw CommandError(409, "not_awaiting_approval",
                           fmt::format("task {} is {}, not awaiting approval", task_id,
                                       store::to_string(t->state)));
    if (!plan_hash.empty() && !plan->plan_hash.starts_with(plan_hash))
        throw CommandError(409, "stale_plan",
                           fmt::format("task {}'s current plan is {}, not {}", task_id,
                                       plan->plan_hash.substr(0, 8), plan_hash));
    store::NewApproval ap{task_id,
                          plan->plan_hash,
                          "cli:" + principal,
                          store::ApprovalChannel::cli,
                          store::Decision::approve,
                          ""};
    auto rec = store_.record_approval(ap);
    if (!rec)
        throw CommandError(409, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    log::info("APPROVAL_RECORDED", {{"task", task_id},
                                    {"approver", ap.approver},
                                    {"decision", "approve"},
                                    {"plan", plan->plan_hash.substr(0, 8)}});
    co_await run_ticket(task_id);
    auto after = must(store_.get_ticket(task_id));
    co_return boost::json::object{
        {"id", task_id}, {"plan_hash", plan->plan_hash}, {"state", store::to_string(after->state)}};
}

Awaitable<boost::json::value> Service::queue_reject(std::int64_t task_id, std::string principal,
                                                    std::string reason) {
    if (reason.empty())
        throw CommandError(400, "reason_required", "a rejection needs a reason (--reason)");
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    auto plan = must(store_.current_plan(task_id));
    if (t->state != TicketState::awaiting_approval || !plan)
        throw CommandError(409, "not_awaiting_approval",
                           fmt::format("task {} is {}, not awaiting approval", task_id,
                                       store::to_string(t->state)));
    store::NewApproval ap{task_id,
                          plan->plan_hash,
                          "cli:" + principal,
                          store::ApprovalChannel::cli,
                          store::Decision::reject,
                          reason};
    auto rec = store_.record_approval(ap);
    if (!rec)
        throw CommandError(409, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    co_await finish_rejection(task_id, plan->plan_hash, reason, ap.approver);
    co_return boost::json::object{{"id", task_id}, {"state", "rejected"}};
}

Awaitable<boost::json::value> Service::queue_retry(std::int64_t task_id, std::string principal) {
    auto rec = store_.retry_ticket(task_id, "cli:" + principal, "explicit retry");
    if (!rec) {
        int status = rec.error().code == store::StoreErrc::not_found ? 404 : 409;
        throw CommandError(status, std::string(store::to_string(rec.error().code)),
                           rec.error().message);
    }
    tasks_.erase(task_id);
    log::info("TICKET_RETRY", {{"task", task_id}, {"by", principal}});
    // The task may not change again: read it now so it is planned at once.
    co_await refresh_task(task_id);
    auto after = must(store_.get_ticket(task_id));
    co_return boost::json::object{{"id", task_id}, {"state", store::to_string(after->state)}};
}

Awaitable<boost::json::value> Service::queue_cancel(std::int64_t task_id, std::string principal) {
    auto t = must(store_.get_ticket(task_id));
    if (!t)
        throw CommandError(404, "not_found", fmt::format("no ticket for task {}", task_id));
    auto n = must(store_.cancel_scheduled_for(task_id, "cli:" + principal, "cancelled by IT"));
    if (n == 0)
        throw CommandError(409, "nothing_scheduled",
                           fmt::format("task {} has no pending scheduled step", task_id));
    co_await post_answer(
        task_id, "cancelled", fmt::format("cli{}", n),
        fmt::format("Se cancelaron {} paso(s) programado(s) a petición de TI.", n));
    co_return boost::json::object{{"id", task_id}, {"cancelled", n}};
}

}  // namespace hrmaild::service
