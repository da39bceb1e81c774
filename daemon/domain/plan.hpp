#pragma once
/// A plan: the frozen, ordered list of operations a ticket will run, and its canonical form.
#include "daemon/domain/operation.hpp"
#include "daemon/domain/value.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hrmaild::domain {

/// What a workflow decided to do for one task. Passwords never appear: a plan says
/// `password: generate` and the executor makes one when the step runs.
struct Plan {
    std::string workflow;
    std::int64_t task_id = 0;
    /// Who filed the task (CREATED_BY) when the plan was made: part of the hash, so a plan is
    /// approved for the request of one person, who can never approve it.
    std::int64_t requester = 0;
    FieldValues fields;              ///< the extracted fields the plan was built from
    std::vector<Operation> steps;    ///< in execution order
    std::vector<std::string> notes;  ///< skipped as already done (catalog language)
    /// An effective date's instant (Unix milliseconds, UTC): the plan runs no earlier, even
    /// when approved before. 0: as soon as it is approved. Part of the hash.
    std::int64_t not_before_ms = 0;
    /// The same instant as the organization reads it (`15/12/2026 23:59 America/Mexico_City`).
    std::string not_before_local;
};

/// Whether the user is a valid mail address (local@domain.tld, ASCII, no spaces).
bool is_valid_address(std::string_view address);

/// The domain part of an address, lower-case; empty if there is none.
std::string address_domain(std::string_view address);

}  // namespace hrmaild::domain
