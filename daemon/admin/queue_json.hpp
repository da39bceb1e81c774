#pragma once
/// The approval queue as JSON, read from the state store: the shapes `hrmaild queue list` and
/// `hrmaild queue show` print and the admin API serves (docs/admin-api.md).
#include "daemon/core/zone.hpp"
#include "daemon/store/state_store.hpp"

#include <boost/json.hpp>

#include <optional>

namespace hrmaild::admin {

/// `queue.list`: tickets (optionally in one state) with their current plan's hash, decision
/// and reasons.
boost::json::value queue_list_json(store::StateStore& store,
                                   std::optional<store::TicketState> state);

/// `queue.show`: one ticket with every plan version (and its journal), approvals, commands
/// read, answers owed or given, scheduled steps and its audit trail; nullopt when the store has
/// no such ticket. With `zone`, each scheduled step also has `due_local`, when it runs as the
/// plan comment says it (`31/01/2031 23:59 (America/Mexico_City)`).
std::optional<boost::json::value> queue_show_json(store::StateStore& store, store::TaskId task_id,
                                                  const core::TimeZone* zone = nullptr);

}  // namespace hrmaild::admin
