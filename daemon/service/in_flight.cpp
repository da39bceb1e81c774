// Tickets in flight together: a pass runs up to `max_in_flight` approved tickets at once on
// the event loop, so that while one waits for Zoho another can use Bitrix's budget (and the
// other way round). Each ticket's steps stay in order, journaled as always. Tickets that touch
// the same mailbox, or a group as a whole, never interleave: the later-filed one starts only
// when the earlier one has finished.
#include "daemon/core/text.hpp"
#include "daemon/log/log.hpp"
#include "daemon/service/service.hpp"
#include "daemon/service/service_util.hpp"
#include "daemon/workflow/plan_json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <map>

namespace hrmaild::service {

using detail::must;

namespace {

namespace asio = boost::asio;

/// What a ticket's plan touches: addresses, each held exclusively (this ticket changes it) or
/// shared (it only names it: the groups a new user joins, the group whose members change).
using Keys = std::map<std::string, bool>;

void hold(Keys& keys, const std::string& address, bool exclusive) {
    if (address.empty())
        return;
    auto& held = keys[core::ascii_lower(address)];
    held = held || exclusive;
}

Keys plan_keys(const domain::Plan& plan) {
    Keys keys;
    for (const auto& op : plan.steps) {
        const bool on_user = domain::target_kind(op.kind) == domain::TargetKind::user;
        // Adding or removing different members of one group commute; deleting, renaming or
        // creating the group does not.
        const bool members_only = op.kind == domain::OpKind::add_group_member ||
                                  op.kind == domain::OpKind::remove_group_member;
        const auto target = core::ascii_lower(op.target_address());
        for (const auto& address : op.addresses()) {
            const bool is_target = core::ascii_lower(address) == target;
            hold(keys, address, is_target ? (on_user || !members_only) : !on_user);
        }
        if (!op.target.zuid.empty())
            hold(keys, "zuid:" + op.target.zuid, on_user);
    }
    return keys;
}

bool conflict(const Keys& a, const Keys& b) {
    for (const auto& [key, exclusive] : a) {
        auto it = b.find(key);
        if (it != b.end() && (exclusive || it->second))
            return true;
    }
    return false;
}

}  // namespace

Awaitable<void> Service::run_in_flight(std::vector<std::int64_t> ids) {
    if (ids.empty())
        co_return;
    enum class State { waiting, running, done };
    struct Item {
        std::int64_t id = 0;
        Keys keys;
        State state = State::waiting;
    };
    std::vector<Item> items;
    for (auto id : ids) {
        Item item;
        item.id = id;
        if (auto plan = must(store_.current_plan(id)))
            item.keys = plan_keys(workflow::plan_from_text(plan->plan_text));
        items.push_back(std::move(item));
    }
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer wake(executor, asio::steady_timer::time_point::max());
    const std::size_t limit = std::max<std::size_t>(1, options_.max_in_flight);
    std::size_t running = 0;
    std::size_t finished = 0;  // since the loop last looked
    std::exception_ptr failure;
    for (;;) {
        bool waiting = false;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (items[i].state != State::waiting)
                continue;
            waiting = true;
            if (running >= limit || failure)
                break;
            bool blocked = false;
            for (std::size_t j = 0; j < i && !blocked; ++j)
                blocked = items[j].state != State::done && conflict(items[j].keys, items[i].keys);
            if (blocked)
                continue;
            items[i].state = State::running;
            ++running;
            const auto id = items[i].id;
            asio::co_spawn(
                executor,
                [this, id]() -> Awaitable<void> {
                    try {
                        co_await run_ticket(id);
                    } catch (const std::exception& e) {
                        log::error("TICKET_RUN_FAILED", {{"task", id}, {"error", e.what()}});
                    }
                },
                [&, i](std::exception_ptr e) {
                    items[i].state = State::done;
                    --running;
                    ++finished;
                    if (e && !failure)
                        failure = e;  // not a std::exception: handed on after the others
                    wake.cancel();
                });
        }
        if (running == 0 && (!waiting || failure))
            break;
        // Passwords of tickets done meanwhile go out once the oldest has waited
        // `password_hold` (a recovered one at once, finisher.cpp), not at the end of the pass:
        // until they are delivered, a crash loses them. Others keep running while they go.
        const auto now = std::chrono::steady_clock::now();
        std::optional<std::chrono::steady_clock::time_point> send_at;
        if (finishing_since_)
            send_at = settling_ ? now + options_.password_hold
                                : *finishing_since_ + options_.password_hold;
        if (send_at && *send_at <= now && !settling_) {
            const auto held_since = finishing_since_;
            co_await settle_answers();
            // Not taken (the settling failed before its batch, e.g. a store error): tried
            // again one hold later, not at once in a loop.
            if (finishing_since_ && finishing_since_ == held_since)
                finishing_since_ = std::chrono::steady_clock::now();
            continue;
        }
        if (finished == 0) {
            // Woken when a ticket ends or the held passwords are due; each ticket's remote
            // calls have their own deadlines.
            wake.expires_at(send_at ? *send_at : asio::steady_timer::time_point::max());
            (void)co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        finished = 0;
    }
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace hrmaild::service
