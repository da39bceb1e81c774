// The executor: a plan's steps, each journaled before its remote call and probed after a crash;
// generated passwords and their private delivery; scheduled steps.
#include "daemon/core/hash.hpp"
#include "daemon/core/messages.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/marker.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/service/ticket_context.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace hrmaild::service {

using detail::must;
using messages::Msg;
using messages::render;
using namespace fmt::literals;
using store::StepKind;
using store::TicketState;

namespace {

bool needs_password(const domain::Operation& op) {
    return op.kind == domain::OpKind::create_user || op.kind == domain::OpKind::reset_password;
}

std::string step_key_text(const store::StepKey& k) {
    return fmt::format("{}/{}/{}/{}", k.task_id, k.plan_hash.substr(0, 12),
                       store::to_string(k.kind), k.step_index);
}

std::string_view probe_name(ProbeState s) {
    switch (s) {
        case ProbeState::done:
            return "done";
        case ProbeState::conflict:
            return "conflict";
        case ProbeState::not_done:
            return "not_done";
    }
    return "?";
}

// The journal's error class of a call whose answer was lost after it may have run.
constexpr std::string_view kUnknown = "unknown";

std::string error_class(const PortError& err) {
    return err.outcome_unknown ? std::string(kUnknown) : std::string(core::to_string(err.kind));
}

// A journaled failure that trying again cannot mend (refused, conflicting, not authorized).
bool failed_for_good(const store::StepRecord& r) {
    return r.state == store::StepState::failed &&
           (r.error_class == "permanent" || r.error_class == "conflict" || r.error_class == "auth");
}

// A step whose calls never reached Zoho's effect: none yet, or refused before it was done
// (a throttle, Zoho down). Only such steps fold into one call (issue 11).
bool never_performed(const std::optional<store::StepRecord>& r) {
    return !r || (r->state == store::StepState::failed &&
                  r->error_class == core::to_string(core::ErrorKind::retryable));
}

std::int64_t millis(store::Timestamp t) {
    return store::to_millis(t);
}

// The ids of an account a create found or made, as the journal keeps them in its result
// (" zuid=N accountId=M"): a later reset is bound to them, never to the address.
std::string ids_text(const domain::Target& t) {
    if (t.zuid.empty())
        return {};
    return fmt::format(" zuid={} accountId={}", t.zuid, t.account_id);
}

domain::Target ids_from(std::string_view result, const std::string& address) {
    auto value = [&](std::string_view key) {
        auto at = result.find(key);
        if (at == std::string_view::npos)
            return std::string();
        auto begin = at + key.size();
        auto end = result.find_first_not_of("0123456789", begin);
        return std::string(result.substr(begin, end == std::string_view::npos ? end : end - begin));
    };
    domain::Target t;
    t.zuid = value(" zuid=");
    t.account_id = value(" accountId=");
    if (!t.zuid.empty())
        t.address = address;
    return t;
}

}  // namespace

Awaitable<Outcome<std::string>> MailDirectory::apply_fused(
    const domain::Operation& op, const Secret* password,
    const std::vector<domain::Operation>& riders) {
    if (!riders.empty())
        co_return port_error(core::ErrorKind::permanent,
                             "this directory performs one step per call");
    co_return co_await apply(op, password);
}

void Service::backoff(std::int64_t task_id) {
    auto& [when, failures] = backoff_[task_id];
    ++failures;
    auto delay = std::min<std::chrono::seconds>(
        options_.retry_cap, options_.retry_base * (1 << std::min(failures - 1, 16)));
    when = now() + delay;
    log::warn("TICKET_BACKOFF",
              {{"task", task_id}, {"failures", failures}, {"retry_in_s", delay.count()}});
}

Awaitable<void> Service::execute_ready() {
    // A crash between recording a plan and deciding what to do with it leaves `planned`.
    for (const auto& t : must(store_.list_tickets({TicketState::planned}))) {
        try {
            co_await advance_planned(t.task_id);
        } catch (const std::exception& e) {
            log::error("TICKET_RUN_FAILED", {{"task", t.task_id}, {"error", e.what()}});
        }
    }
    auto ready = must(store_.list_tickets({TicketState::approved, TicketState::executing}));
    std::vector<std::int64_t> ids;
    for (const auto& t : ready) {
        if (auto b = backoff_.find(t.task_id); b != backoff_.end() && b->second.first > now())
            continue;
        ids.push_back(t.task_id);
    }
    std::sort(ids.begin(), ids.end());  // filing order: same-key tickets run in it
    // An approved plan's task is read again before it runs (run_ticket): every such task of
    // this pass in one request. Plans still waiting for their date are not read.
    reread_.clear();
    std::vector<std::int64_t> stale;
    for (const auto& t : ready) {
        if (t.state != TicketState::approved ||
            !std::binary_search(ids.begin(), ids.end(), t.task_id) || finishing(t.task_id))
            continue;
        auto plan = must(store_.current_plan(t.task_id));
        if (!plan || plan->decision == store::PlanDecision::automatic)
            continue;
        if (effective_date(*plan).unix_ms > millis(now()))
            continue;
        stale.push_back(t.task_id);
    }
    if (!stale.empty()) {
        auto read = co_await tickets_.read_tasks(stale);
        if (read)
            reread_ = std::move(*read);
        else  // each ticket reads its own task, as before
            log::warn("TASK_READ_FAILED",
                      {{"tasks", stale.size()}, {"error", read.error().describe()}});
    }
    co_await run_in_flight(std::move(ids));
    reread_.clear();
}

Awaitable<void> Service::run_ticket(std::int64_t task_id) {
    if (finishing(task_id))
        co_return;  // its answers are on their way
    auto ticket = must(store_.get_ticket(task_id));
    auto plan = must(store_.current_plan(task_id));
    if (!ticket || !plan)
        co_return;
    if (ticket->state != TicketState::approved && ticket->state != TicketState::executing)
        co_return;
    auto shared = std::make_shared<TicketContext>();
    TicketContext& ctx = *shared;
    ctx.task_id = task_id;
    ctx.defer_delivery = true;
    ctx.plan_id = plan->id;
    ctx.plan_hash = plan->plan_hash;
    ctx.workflow = ticket->workflow;
    ctx.requester = plan->requester;
    ctx.messages = messages_from_json(plan->messages);
    // What runs is exactly what was approved: the stored text must still hash to the plan.
    if (core::sha256_hex(plan->plan_text) != plan->plan_hash) {
        log::critical("PLAN_TAMPERED", {{"task", task_id}, {"plan", plan->plan_hash}});
        fail_ticket(ctx, std::string(messages::text(Msg::svc_plan_tampered)));
        co_return;
    }
    if (plan->decision != store::PlanDecision::automatic) {
        auto approval = must(store_.current_approval(task_id));
        if (!approval || approval->decision != store::Decision::approve ||
            approval->plan_hash != plan->plan_hash) {
            log::error("APPROVAL_MISSING", {{"task", task_id}, {"plan", plan->plan_hash}});
            co_return;
        }
    }
    if (waits_for_date(*ticket, *plan))
        co_return;  // (lifecycle.cpp: an effective date still ahead)
    if (ticket->state == TicketState::approved &&
        plan->decision != store::PlanDecision::automatic) {
        // An approval may come long after the plan, and the task may have changed since the
        // poll that made it (closed, moved out of the project, another creator): read it again
        // first. A changed task is handled as intake handles it (withdrawn, or planned again and
        // the old approval no longer counts); only an unchanged plan runs. (A changed directory
        // is the probes' and policy re-checks' business, as before.)
        Outcome<std::optional<domain::Task>> fresh = std::optional<domain::Task>();
        if (auto it = reread_.find(task_id); it != reread_.end()) {
            fresh = std::move(it->second);  // read with the pass's other approved tasks
            reread_.erase(it);
        } else {
            fresh = co_await tickets_.task(task_id);
        }
        if (!fresh) {
            log::warn("TASK_READ_FAILED", {{"task", task_id}, {"error", fresh.error().describe()}});
            co_return;  // tried again next cycle
        }
        if (!*fresh) {
            domain::Task gone;  // deleted: not open
            gone.id = task_id;
            gone.changed_date = ticket->changed_date;
            (void)co_await handle_closed(gone, ticket);
        } else if ((*fresh)->changed_date != ticket->changed_date || !(*fresh)->is_open() ||
                   (options_.project_id != 0 && (*fresh)->group_id != options_.project_id)) {
            (void)co_await handle_task(**fresh);
        }
        auto now_ticket = must(store_.get_ticket(task_id));
        auto now_plan = must(store_.current_plan(task_id));
        if (!now_ticket || now_ticket->state != TicketState::approved || !now_plan ||
            now_plan->plan_hash != plan->plan_hash)
            co_return;
    }
    if (plan->dry_run && !options_.dry_run) {
        // Planned (and maybe approved) while nothing could change: it never runs as such. A
        // fresh plan is made, and it needs an approval.
        if (ticket->state == TicketState::approved) {
            transition(task_id, TicketState::superseded, "daemon",
                       "planned under dry-run; a fresh plan and approval are needed");
            tasks_.erase(task_id);
            co_await refresh_task(task_id);
        }
        co_return;
    }
    if (options_.dry_run) {
        must(store_.owe_answers(
            task_id, {{store::AnswerKind::comment, make_marker(task_id, "dryrun", ctx.ref()),
                       render(Msg::svc_dry_run, "done"_a = ctx.messages.done)}}));
        log::info("DRY_RUN_PLAN", {{"task", task_id}, {"plan", plan->plan_hash}});
        co_return;
    }
    auto steps = workflow::plan_from_text(plan->plan_text).steps;
    if (ticket->state == TicketState::approved) {
        // A password is only ever made for someone allowed to receive it: without a recipient
        // the plan fails before it touches the account.
        if (effective_date(*plan).unix_ms != 0) {
            // A dated plan may have waited weeks: it is checked against the directory as read
            // after its date came (read again now unless the cached one was loaded since; every
            // change Zoho confirmed is applied to it, and a call in doubt invalidates it), so
            // the dated plans that run together share one read.
            const auto due =
                core::WallTime(std::chrono::milliseconds(effective_date(*plan).unix_ms));
            auto fresh = co_await mail_.snapshot_since(due);
            if (!fresh) {
                log::warn("DIRECTORY_UNAVAILABLE",
                          {{"task", task_id}, {"error", fresh.error().describe()}});
                co_return;
            }
            if (auto why = recheck_steps(ctx.workflow, task_id, steps, **fresh)) {
                fail_ticket(ctx, *why);
                co_return;
            }
        }
        const bool makes_password = std::any_of(steps.begin(), steps.end(), needs_password);
        if (makes_password && co_await password_recipient(ctx) == 0) {
            fail_ticket(ctx, std::string(messages::text(Msg::svc_no_recipient_plan)));
            co_return;
        }
        transition(task_id, TicketState::executing, "daemon", "starting");
    }
    ctx.task = co_await load_task(task_id);
    ctx.steps = &steps;

    auto unperformed = [&](int index) {
        return never_performed(
            must(store_.journal_step({task_id, plan->plan_hash, index, StepKind::step})));
    };
    for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
        const auto& op = steps[static_cast<std::size_t>(i)];
        if (mail_.fuses() && unperformed(i)) {
            // A step a later one performs in its own call (group removals a disable makes)
            // waits for it, unless that one may have been performed already.
            const int into = workflow::fused_into(steps, i);
            if (into >= 0 && unperformed(into))
                continue;
        }
        if (op.after_days > 0) {
            store::NewScheduledStep s;
            s.key = {task_id, plan->plan_hash, i, StepKind::step};
            s.op = std::string(domain::op_name(op.kind));
            s.due_at = now() + std::chrono::days(op.after_days);
            auto sched = must(store_.schedule_step(s));
            log::info(
                "STEP_SCHEDULED",
                {{"task", task_id}, {"step", i}, {"op", s.op}, {"due", millis(sched.due_at)}});
            continue;
        }
        std::string failure;
        auto outcome = co_await run_step(ctx, i, op, failure);
        if (outcome == StepOutcome::retry_later) {
            // Stays executing; the client's own retries are spent, so wait longer here.
            backoff(task_id);
            co_return;
        }
        backoff_.erase(task_id);
        if (outcome == StepOutcome::failed) {
            co_await deliver_deferred_now(ctx);  // an account made earlier still gets its password
            fail_ticket(ctx, failure);
            co_return;
        }
    }
    // (the directory cache already holds every change Zoho confirmed: no reload here)
    const bool closed = closed_meanwhile_.erase(task_id) > 0;
    auto text = ctx.messages.done;
    if (closed)
        text += messages::text(Msg::svc_closed_meanwhile);
    std::vector<store::NewAnswer> answers{
        {store::AnswerKind::comment, make_marker(task_id, "done", ctx.ref()), text}};
    if (!closed)
        answers.push_back({store::AnswerKind::complete, "complete-" + ctx.ref(), ""});
    if (!ctx.deferred.empty()) {
        // Done once its private notifications land, in one batch with these answers.
        hold_finishing({shared, std::move(answers)});
        co_return;
    }
    transition(task_id, TicketState::done, "daemon", "every step succeeded", std::move(answers));
}

Awaitable<Service::StepOutcome> Service::run_step(TicketContext& ctx, int index,
                                                  const domain::Operation& op,
                                                  std::string& failure) {
    store::StepKey key{ctx.task_id, ctx.plan_hash, index, StepKind::step};
    const std::string op_name(domain::op_name(op.kind));
    auto rec = must(store_.journal_step(key));
    if (rec && rec->state == store::StepState::succeeded) {
        // Done before; a password it made may still be owed to the requester.
        if (needs_password(op))
            co_return co_await settle_password(ctx, index, op, failure);
        co_return StepOutcome::ok;
    }
    // A crash between `started` and the result, or a call whose answer was lost (it may have
    // run): read the remote state first.
    const bool unknown =
        rec && (rec->state == store::StepState::started ||
                (rec->state == store::StepState::failed && rec->error_class == kUnknown));
    if (unknown) {
        if (op.kind == domain::OpKind::reset_password) {
            // A reset leaves no trace to read, and a second one would change the password
            // again: at most one reset per approved plan.
            if (rec->state == store::StepState::started)
                must(store_.journal_failed(key, "conflict", "interrupted; the outcome is unknown"));
            failure = render(Msg::svc_reset_interrupted, "step"_a = workflow::describe_step(op),
                             "task"_a = ctx.task_id);
            co_return StepOutcome::failed;
        }
        observer_.count(Event::probe);
        auto probe = co_await mail_.probe(op, millis(rec->started_at));
        if (!probe) {
            log::warn("STEP_PROBE_FAILED",
                      {{"step", step_key_text(key)}, {"error", probe.error().describe()}});
            co_return StepOutcome::retry_later;
        }
        observer_.step(op_name, "probed");
        log::info("STEP_PROBED", {{"step", step_key_text(key)},
                                  {"op", op_name},
                                  {"result", probe_name(probe->state)},
                                  {"detail", probe->detail}});
        if (probe->state != ProbeState::not_done && rec->state != store::StepState::started)
            must(store_.journal_started(key, op_name));  // (the journal settles a started step)
        if (probe->state == ProbeState::done) {
            must(store_.journal_succeeded(key, "probe: " + probe->detail + ids_text(probe->found)));
            co_return co_await run_step(ctx, index, op, failure);  // settles a password owed
        }
        if (probe->state == ProbeState::conflict) {
            must(store_.journal_failed(key, "conflict", probe->detail));
            failure = fmt::format("{}: {}", workflow::describe_step(op), probe->detail);
            co_return StepOutcome::failed;
        }
    }
    if (rec && failed_for_good(*rec)) {
        failure = rec->result;
        co_return StepOutcome::failed;
    }
    // An earlier attempt whose answer was lost may have made the account: only then may an
    // existing one be adopted (and only if it was made after that attempt started).
    const std::optional<store::Timestamp> earlier =
        rec ? std::optional<store::Timestamp>(rec->started_at) : std::nullopt;
    // The directory a create is checked against; its riders (memberships of groups that
    // exist) are chosen on it too. Other steps fold without one.
    SnapshotPtr directory;
    if (op.kind == domain::OpKind::create_user) {
        // The address is checked against the directory the cache keeps current (every change
        // the daemon makes, a reload on the refresh interval); an address taken meanwhile by
        // someone else makes Zoho refuse the create, which ends as the same conflict.
        auto fresh = co_await mail_.snapshot(false);
        if (!fresh) {
            log::warn("DIRECTORY_UNAVAILABLE",
                      {{"task", ctx.task_id}, {"error", fresh.error().describe()}});
            co_return StepOutcome::retry_later;
        }
        if (probe_snapshot(**fresh, op, earlier ? millis(*earlier) : 0).state !=
            ProbeState::not_done) {
            observer_.count(Event::probe);
            Outcome<Probe> probe = Probe{ProbeState::conflict, "", {}};
            if (earlier)
                probe = co_await mail_.probe(op, millis(*earlier));
            if (probe && probe->state == ProbeState::done) {
                must(store_.journal_started(key, op_name));
                must(store_.journal_succeeded(
                    key, "adopted: " + probe->detail + ids_text(probe->found)));
                observer_.step(op_name, "adopted");
                co_return co_await run_step(ctx, index, op, failure);
            }
            failure = render(Msg::svc_address_taken, "step"_a = workflow::describe_step(op),
                             "email"_a = op.text("email"));
            must(store_.journal_started(key, op_name));
            must(store_.journal_failed(key, "conflict", failure));
            observer_.step(op_name, "failed");
            log::error("STEP_CONFLICT", {{"step", step_key_text(key)}, {"op", op_name}});
            co_return StepOutcome::failed;
        }
        directory = std::move(*fresh);
    }

    std::optional<Secret> password;
    if (needs_password(op)) {
        if (!options_.generate_password)
            throw std::logic_error("no password generator configured");
        password = options_.generate_password(op);
    }
    // Later steps this call performs as well (workflow::fused_steps), each journaled as its
    // own step and probed on its own after a crash. Only steps never performed fold: a first
    // attempt, or one after Zoho refused the call before doing it (a 429 on the way).
    std::vector<int> rider_index;
    std::vector<domain::Operation> riders;
    if (never_performed(rec) && ctx.steps != nullptr && mail_.fuses()) {
        // Only a create's riders depend on the directory (groups that exist); the removals a
        // disable carries do not (run_ticket left them to this call), nor a group's members.
        const domain::DirectorySnapshot none;
        for (int j : workflow::fused_steps(*ctx.steps, index, directory ? *directory : none))
            if (never_performed(
                    must(store_.journal_step({ctx.task_id, ctx.plan_hash, j, StepKind::step})))) {
                rider_index.push_back(j);
                riders.push_back((*ctx.steps)[static_cast<std::size_t>(j)]);
            }
    }
    auto rider_key = [&](std::size_t n) {
        return store::StepKey{ctx.task_id, ctx.plan_hash, rider_index[n], StepKind::step};
    };
    must(store_.journal_started(key, op_name));
    for (std::size_t n = 0; n < riders.size(); ++n)
        must(store_.journal_started(rider_key(n), std::string(domain::op_name(riders[n].kind))));
    log::info("STEP_STARTED", {{"step", step_key_text(key)}, {"op", op_name}});
    if (!riders.empty())
        log::info("STEP_FUSED",
                  {{"step", step_key_text(key)}, {"op", op_name}, {"riders", riders.size()}});
    auto result = co_await mail_.apply_fused(op, password ? &*password : nullptr, riders);
    if (!result) {
        const auto& err = result.error();
        for (std::size_t n = 0; n < riders.size(); ++n)
            must(store_.journal_failed(
                rider_key(n), error_class(err),
                fmt::format("in one call with step {}: {}", index, err.message)));
        if (err.kind == core::ErrorKind::conflict && earlier) {
            // "Already exists" is success only when the existing object is the planned one,
            // made after our earlier attempt started.
            observer_.count(Event::probe);
            auto probe = co_await mail_.probe(op, millis(*earlier));
            if (probe && probe->state == ProbeState::done) {
                must(store_.journal_succeeded(
                    key, "already as planned: " + probe->detail + ids_text(probe->found)));
                observer_.step(op_name, "adopted");
                log::info("STEP_ALREADY_DONE", {{"step", step_key_text(key)}, {"op", op_name}});
                co_return co_await run_step(ctx, index, op, failure);
            }
        }
        if (err.kind == core::ErrorKind::conflict) {
            std::string detail = err.message;
            must(store_.journal_failed(key, "conflict", detail));
            // A create refused because the address was taken after the directory the check
            // above read (someone else made it meanwhile): what HR/IT read is the same as when
            // the check finds it.
            failure = op.kind == domain::OpKind::create_user
                          ? render(Msg::svc_address_taken, "step"_a = workflow::describe_step(op),
                                   "email"_a = op.text("email"))
                          : fmt::format("{}: {}", workflow::describe_step(op), detail);
            observer_.step(op_name, "failed");
            log::error("STEP_CONFLICT",
                       {{"step", step_key_text(key)}, {"op", op_name}, {"detail", detail}});
            co_return StepOutcome::failed;
        }
        must(store_.journal_failed(key, error_class(err), err.message));
        if (err.kind == core::ErrorKind::retryable) {
            observer_.step(op_name, "retried");
            log::warn("STEP_RETRY_LATER",
                      {{"step", step_key_text(key)}, {"op", op_name}, {"error", err.describe()}});
            co_return StepOutcome::retry_later;
        }
        failure = fmt::format("{}: {}", workflow::describe_step(op), err.message);
        observer_.step(op_name, "failed");
        log::error("STEP_FAILED",
                   {{"step", step_key_text(key)}, {"op", op_name}, {"error", err.describe()}});
        co_return StepOutcome::failed;
    }
    must(store_.journal_succeeded(key, *result));
    for (std::size_t n = 0; n < riders.size(); ++n) {
        must(store_.journal_succeeded(rider_key(n),
                                      fmt::format("in one call with step {}: {}", index, *result)));
        observer_.step(std::string(domain::op_name(riders[n].kind)), "succeeded");
    }
    observer_.step(op_name, "succeeded");
    log::info("STEP_SUCCEEDED",
              {{"step", step_key_text(key)}, {"op", op_name}, {"result", *result}});
    if (password)
        co_return co_await deliver_password(ctx, index, op, *password, failure);
    co_return StepOutcome::ok;
}

Awaitable<Service::StepOutcome> Service::settle_password(TicketContext& ctx, int index,
                                                         const domain::Operation& op,
                                                         std::string& failure) {
    const store::StepKey notify{ctx.task_id, ctx.plan_hash, index, StepKind::notify};
    auto sent = must(store_.journal_step(notify));
    if (sent && sent->state == store::StepState::succeeded)
        co_return StepOutcome::ok;
    if (auto it = undelivered_.find({ctx.task_id, index}); it != undelivered_.end()) {
        // This process still holds the password a delivery failed for: try it again.
        Secret password = it->second.first;
        co_return co_await deliver_password(ctx, index, op, password, failure);
    }
    if (sent && sent->state == store::StepState::started) {
        // Sent in a batch before the ticket's done comment, which lands only after it
        // (halt=1): that comment on the task proves the notification arrived.
        const auto done_marker = make_marker(ctx.task_id, "done", ctx.ref());
        const bool proven = co_await delivery_proven(ctx.task_id, done_marker, sent->started_at);
        if (proven) {
            must(store_.journal_succeeded(notify,
                                          "delivered: the done comment sent after it landed"));
            co_return StepOutcome::ok;
        }
        failure = render(Msg::svc_delivery_interrupted, "step"_a = workflow::describe_step(op),
                         "task"_a = ctx.task_id);
        co_return StepOutcome::failed;
    }
    if (op.kind == domain::OpKind::reset_password) {
        // The password of the one reset this plan allows died with the process that made it.
        failure = render(Msg::svc_reset_not_delivered, "step"_a = workflow::describe_step(op),
                         "task"_a = ctx.task_id);
        co_return StepOutcome::failed;
    }
    // A new account whose first password was never delivered: one reset, delivered instead.
    const store::StepKey reset_key{ctx.task_id, ctx.plan_hash, index, StepKind::reset};
    auto reset = must(store_.journal_step(reset_key));
    if (reset && (reset->state != store::StepState::failed || reset->error_class == kUnknown)) {
        failure =
            render(Msg::svc_new_password_not_delivered, "step"_a = workflow::describe_step(op));
        co_return StepOutcome::failed;
    }
    if (reset && failed_for_good(*reset)) {
        failure = reset->result;
        co_return StepOutcome::failed;
    }
    // Bound to the account our create made (or adopted), by its ids from the journal.
    auto created = must(store_.journal_step({ctx.task_id, ctx.plan_hash, index, StepKind::step}));
    auto target = created ? ids_from(created->result, op.text("email")) : domain::Target{};
    if (target.zuid.empty()) {
        failure = render(Msg::svc_created_account_unknown, "step"_a = workflow::describe_step(op));
        co_return StepOutcome::failed;
    }
    domain::Operation again = op;
    again.kind = domain::OpKind::reset_password;
    again.target = target;
    again.params.clear();
    for (const auto& [name, value] : op.params)
        if (name == "email" || name == "one_time_password")
            again.params.emplace_back(name, value);
    again.params.emplace_back("password", std::string("generate"));
    if (!options_.generate_password)
        throw std::logic_error("no password generator configured");
    Secret password = options_.generate_password(again);
    must(store_.journal_started(reset_key, "reset_password"));
    log::info("PASSWORD_RESET_FOR_DELIVERY", {{"step", step_key_text(reset_key)}});
    auto result = co_await mail_.apply(again, &password);
    if (!result) {
        const auto& err = result.error();
        must(store_.journal_failed(reset_key, error_class(err), err.message));
        if (err.kind == core::ErrorKind::retryable)
            co_return StepOutcome::retry_later;
        failure = fmt::format("{}: {}", workflow::describe_step(again), err.message);
        co_return StepOutcome::failed;
    }
    must(store_.journal_succeeded(reset_key, *result));
    ctx.recovery = true;
    co_return co_await deliver_password(ctx, index, op, password, failure);
}

Awaitable<std::int64_t> Service::password_recipient(const TicketContext& ctx) {
    if (options_.password_recipient != "requester") {
        std::int64_t id = 0;
        const auto& r = options_.password_recipient;
        std::from_chars(r.data(), r.data() + r.size(), id);
        co_return id;
    }
    // A generated password only ever goes to a requester allowed to ask for it.
    if (ctx.requester <= 0 || !co_await requester_allowed(ctx.requester))
        co_return 0;
    co_return ctx.requester;
}

Awaitable<Service::StepOutcome> Service::deliver_password(TicketContext& ctx, int index,
                                                          const domain::Operation& op,
                                                          const Secret& password,
                                                          std::string& failure) {
    const store::StepKey key{ctx.task_id, ctx.plan_hash, index, StepKind::notify};
    auto recipient = co_await password_recipient(ctx);
    if (recipient == 0) {
        log::error("PASSWORD_NO_RECIPIENT", {{"task", ctx.task_id}});
        undelivered_.erase({ctx.task_id, index});
        failure = render(Msg::svc_no_recipient_step, "step"_a = workflow::describe_step(op));
        co_return StepOutcome::failed;
    }
    if (ctx.defer_delivery) {
        // Held in memory until the ticket's answers go (finisher.cpp), as after a failed try.
        undelivered_[{ctx.task_id, index}].first = password;
        ctx.deferred.push_back(
            {index, recipient, op,
             Secret(render(Msg::svc_password_notification, "task"_a = ctx.task_id,
                           "email"_a = op.text("email"), "password"_a = password.reveal()))});
        co_return StepOutcome::ok;
    }
    must(store_.journal_started(key, "notify_password"));
    Secret text(render(Msg::svc_password_notification, "task"_a = ctx.task_id,
                       "email"_a = op.text("email"), "password"_a = password.reveal()));
    auto sent = co_await tickets_.notify_private(recipient, std::move(text));
    if (!sent) {
        const auto& err = sent.error();
        must(store_.journal_failed(key, error_class(err), err.message));
        if (err.outcome_unknown) {
            // It may have arrived: the same password is not sent twice, and no other is made.
            undelivered_.erase({ctx.task_id, index});
            failure = render(Msg::svc_delivery_unknown, "step"_a = workflow::describe_step(op),
                             "task"_a = ctx.task_id);
            co_return StepOutcome::failed;
        }
        auto& held = undelivered_[{ctx.task_id, index}];
        held.first = password;
        ++held.second;
        log::warn("PASSWORD_DELIVERY_FAILED",
                  {{"task", ctx.task_id}, {"attempt", held.second}, {"error", err.describe()}});
        if (err.kind == core::ErrorKind::retryable && held.second < options_.delivery_attempts)
            co_return StepOutcome::retry_later;
        undelivered_.erase({ctx.task_id, index});
        failure = render(Msg::svc_delivery_failed, "step"_a = workflow::describe_step(op),
                         "error"_a = err.message, "task"_a = ctx.task_id);
        co_return StepOutcome::failed;
    }
    undelivered_.erase({ctx.task_id, index});
    observer_.count(Event::notification_sent);
    must(store_.journal_succeeded(key, fmt::format("sent to bitrix user {}", recipient)));
    log::info("PASSWORD_DELIVERED",
              {{"task", ctx.task_id}, {"email", op.text("email")}, {"to", recipient}});
    co_return StepOutcome::ok;
}

void Service::fail_ticket(TicketContext& ctx, const std::string& failure) {
    // A plan stored without the message (older versions) gets the catalog's default.
    auto text = ctx.messages.failed.empty() ? std::string(messages::text(Msg::wf_default_failed))
                                            : ctx.messages.failed;
    // The detail may quote Zoho's or Bitrix's own text: never live markup in our comment.
    const auto detail = workflow::neutralize_for_comment(failure, 1000);
    text += render(Msg::svc_failed_detail, "detail"_a = detail);
    std::vector<store::NewAnswer> answers{
        {store::AnswerKind::comment, make_marker(ctx.task_id, "failed", ctx.ref()), text}};
    auto it = tell_it(ctx.task_id,
                      render(Msg::svc_it_failed, "task"_a = ctx.task_id, "detail"_a = detail));
    answers.insert(answers.end(), it.begin(), it.end());
    transition(ctx.task_id, TicketState::failed, "daemon", failure, std::move(answers));
}

Awaitable<void> Service::run_due() {
    auto due = must(store_.due_steps(now()));
    for (const auto& s : due) {
        auto plan_list = must(store_.plans_for(s.key.task_id));
        auto plan = std::find_if(plan_list.begin(), plan_list.end(),
                                 [&](const auto& p) { return p.plan_hash == s.key.plan_hash; });
        if (plan == plan_list.end())
            continue;
        auto steps = workflow::plan_from_text(plan->plan_text).steps;
        if (s.key.step_index < 0 || s.key.step_index >= static_cast<int>(steps.size()))
            continue;
        const auto& op = steps[static_cast<std::size_t>(s.key.step_index)];
        TicketContext ctx;
        ctx.task_id = s.key.task_id;
        ctx.plan_id = plan->id;
        ctx.plan_hash = s.key.plan_hash;
        ctx.requester = plan->requester;
        ctx.messages = messages_from_json(plan->messages);
        ctx.task = co_await load_task(ctx.task_id);
        if (options_.dry_run)
            continue;
        std::string failure;
        auto outcome = StepOutcome::ok;
        // Policy is checked again on the account as it is now: in 30 days an address can
        // become a protected account's alias, or the account an administrator.
        auto ticket = must(store_.get_ticket(ctx.task_id));
        auto fresh = co_await mail_.snapshot(true);
        if (!fresh)
            continue;
        if (auto why = recheck_steps(ticket ? ticket->workflow : std::string(), ctx.task_id, {op},
                                     **fresh)) {
            outcome = StepOutcome::failed;
            failure = *why;
        }
        if (outcome == StepOutcome::ok)
            outcome = co_await run_step(ctx, s.key.step_index, op, failure);
        if (outcome == StepOutcome::retry_later)
            continue;
        must(store_.complete_scheduled(s.id));
        const auto ref = fmt::format("s{}", s.id);
        if (outcome == StepOutcome::failed) {
            log::error("SCHEDULED_STEP_FAILED", {{"task", ctx.task_id}, {"error", failure}});
            std::vector<store::NewAnswer> answers{
                {store::AnswerKind::comment, make_marker(ctx.task_id, "scheduled-failed", ref),
                 render(Msg::svc_scheduled_failed,
                        "detail"_a = workflow::neutralize_for_comment(failure, 1000))}};
            auto it = tell_it(ctx.task_id,
                              render(Msg::svc_it_scheduled_failed, "task"_a = ctx.task_id,
                                     "detail"_a = workflow::neutralize_for_comment(failure, 1000)));
            answers.insert(answers.end(), it.begin(), it.end());
            must(store_.owe_answers(ctx.task_id, answers));
            continue;
        }
        must(store_.owe_answers(
            ctx.task_id,
            {{store::AnswerKind::comment, make_marker(ctx.task_id, "scheduled-done", ref),
              render(Msg::svc_scheduled_done, "step"_a = workflow::describe_step(op))}}));
    }
}

}  // namespace hrmaild::service
