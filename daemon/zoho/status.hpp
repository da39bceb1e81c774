#pragma once
/// The Zoho half of `hrmaild status --json` (issue 4): the Admin Console dashboard's numbers
/// in the agreed shape, or the reason Zoho could not be reached.
#include "daemon/net/error.hpp"
#include "daemon/zoho/zoho_client.hpp"

#include <boost/json/object.hpp>

namespace hrmaild::zoho {

/// `{"ok": true, "users": N, "active_users": N, "licenses": N, "groups": N,
/// "storage_used_mb": N, "storage_total_mb": N, "zoid": N, "organization": "...",
/// "primary_domain": "...", "plan": "..."}`.
boost::json::object status_json(const OrgSummary& summary);
/// `{"ok": false, "error": "...", "kind": "...", "http_status": N, "code": "..."}`.
boost::json::object status_json(const net::CallError& error);

}  // namespace hrmaild::zoho
