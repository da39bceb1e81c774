#pragma once
/// The one JSON codec for plans: what a plan looks like as JSON, its canonical text (what the
/// plan hash is computed over and the store keeps), and the way back from that text to the
/// operations the executor runs.
///
/// It lives in workflow (not domain, which is std and fmt only) because it needs a JSON
/// library, and workflow is where plans are made and hashed; the service and the CLI, which
/// read plans back or show them, already depend on workflow.
#include "daemon/domain/plan.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::workflow {

/// A value as JSON: text → string, flag → bool, number → int64, list → array of strings.
boost::json::value value_to_json(const domain::Value& v);

/// A JSON value back into a domain value; std::runtime_error naming `what` for any other type.
domain::Value value_from_json(const boost::json::value& v, std::string_view what);

/// One step in reading order: `op`, `params` (in the operation's parameter order),
/// `after_days` (only when scheduled), `target` (only when bound: `address`, `zuid`,
/// `account_id`, `zgid`, `member_zuid`, the non-empty ones).
boost::json::object step_to_json(const domain::Operation& op);

/// The hashed part of a plan: `fields`, `requester`, `steps`, `task_id`, `workflow`, and for a
/// dated plan `not_before` (Unix ms) and `not_before_local` (notes are left out: they are for
/// the comment, not for the approval).
boost::json::object plan_to_json(const domain::Plan& plan);

/// Canonical JSON of any value: object keys in byte order, no white space, integers in
/// decimal, and strings escaped as the first plan hashes were (`\"`, `\\`, `\n`, `\r`, `\t`,
/// other control bytes as `\u00xx`; everything else, UTF-8 included, as it is). Changing any
/// of this changes every plan hash and voids stored approvals. Doubles are refused
/// (std::invalid_argument): plans hold none.
std::string canonical_json(const boost::json::value& v);

/// The plan's canonical text (canonical_json of plan_to_json): what the plan hash binds.
std::string canonical_text(const domain::Plan& plan);

/// One step's canonical text (the same bytes as inside canonical_text).
std::string canonical_step(const domain::Operation& op);

/// A step back from its JSON. Throws std::runtime_error naming what is wrong.
domain::Operation step_from_json(const boost::json::value& v);

/// A plan back from its canonical text (notes empty). Throws std::runtime_error on a
/// malformed text (a programming or storage error): what was hashed is what runs.
domain::Plan plan_from_text(std::string_view text);

}  // namespace hrmaild::workflow
