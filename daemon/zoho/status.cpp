#include "daemon/zoho/status.hpp"

namespace hrmaild::zoho {

boost::json::object status_json(const OrgSummary& s) {
    return boost::json::object{{"ok", true},
                               {"users", s.users},
                               {"active_users", s.active_users},
                               {"licenses", s.licenses},
                               {"groups", s.groups},
                               {"storage_used_mb", s.storage_used_mb},
                               {"storage_total_mb", s.storage_total_mb},
                               {"zoid", s.organization.zoid},
                               {"organization", s.organization.name},
                               {"primary_domain", s.organization.primary_domain},
                               {"plan", s.organization.base_plan}};
}

boost::json::object status_json(const net::CallError& e) {
    return boost::json::object{{"ok", false},
                               {"error", e.describe()},
                               {"kind", core::to_string(e.kind)},
                               {"http_status", e.http_status},
                               {"code", e.service_code}};
}

}  // namespace hrmaild::zoho
