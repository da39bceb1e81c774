// /api/organization/{zoid}/groups: list, create, delete and the group modes.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

Response Org::list_groups(const Request& req) {
    bool given = false;
    std::string bad;
    auto page = paging(req, 1, 25, given, bad);
    if (!page)
        return fail(400, "PATTERN_NOT_MATCHED", bad + " does not match its pattern");
    std::size_t start = 0, limit = groups.size();
    if (given) {  // the old page's 1-based start with a limit of at most 25
        start = page->first == 0 ? 0 : page->first - 1;
        limit = std::min<std::size_t>(page->second, 25);
    }
    json::array list;
    for (std::size_t i = start; i < groups.size() && list.size() < limit; ++i)
        list.push_back(group_json(groups[i]));
    return ok(200, json::object{{"count", static_cast<std::int64_t>(groups.size())},
                                {"groups", std::move(list)}});
}

std::optional<Response> Org::member_list(const json::object& body,
                                         const std::vector<std::string_view>& keys,
                                         std::vector<json::object>& out) {
    auto it = body.find("mailGroupMemberList");
    if (it == body.end() || !it->value().is_array())
        return fail(400, "INVALID_INPUT", "mailGroupMemberList is required");
    for (const auto& v : it->value().as_array()) {
        if (!v.is_object())
            return fail(400, "INVALID_INPUT", "mailGroupMemberList holds a non-object");
        const auto& o = v.as_object();
        if (auto k = extra_key(o, keys))
            return extra_key_response(*k);
        auto e = o.find("memberEmailId");
        if (e == o.end() || !e->value().is_string())
            return fail(400, "INVALID_INPUT", "memberEmailId is required");
        if (!valid_email(std::string(e->value().get_string())))
            return fail(400, "INVALID_EMAIL_ADDRESS",
                        "Invalid member address: " + std::string(e->value().get_string()));
        out.push_back(o);
    }
    return std::nullopt;
}

std::string Org::member_email(const json::object& o) {
    return util::lower(std::string(o.at("memberEmailId").get_string()));
}

std::optional<std::string> Org::member_role(const json::object& o, bool& bad) {
    bad = false;
    auto it = o.find("role");
    if (it == o.end())
        return std::nullopt;
    auto r = as_string(it->value());
    if (!r || (*r != "member" && *r != "moderator")) {
        bad = true;
        return std::nullopt;
    }
    return r;
}

Response Org::create_group(const json::object& body) {
    if (auto k = extra_key(body, {"emailId", "name", "groupDescription", "accessType",
                                  "streamsEnabled", "mailGroupMemberList"}))
        return extra_key_response(*k);
    auto s = [&](const char* k) -> std::optional<std::string> {
        auto it = body.find(k);
        return it == body.end() ? std::nullopt : as_string(it->value());
    };
    auto email = s("emailId");
    if (!email || email->empty())
        return fail(400, "INVALID_INPUT", "emailId is required");
    auto name = s("name");
    if (!name || name->empty())
        return fail(400, "INVALID_INPUT", "name is required");
    std::string address = util::lower(*email);
    if (auto problem = check_new_address(address))
        return *problem;
    std::string access = s("accessType").value_or("Public");
    if (access != "Public" && access != "Organization" && access != "Group" &&
        access != "Moderated")
        return fail(400, "INVALID_INPUT",
                    "accessType must be Public, Organization, Group or Moderated");
    std::vector<json::object> members;
    if (auto e = member_list(body, {"memberEmailId", "role", "zuid"}, members))
        return *e;
    Group g;
    g.zgid = next_zgid;
    next_zgid += 2;
    g.mailbox_id = next_mailbox_id;
    next_mailbox_id += 2;
    g.email = address;
    g.name = *name;
    g.description = s("groupDescription").value_or("");
    g.access_type = access;
    if (auto it = body.find("streamsEnabled"); it != body.end())
        g.streams_enabled = as_bool(it->value()).value_or(false);
    g.created_ms = now_ms();
    for (const auto& o : members) {
        bool bad = false;
        auto role = member_role(o, bad);
        if (bad)
            return fail(400, "INVALID_INPUT", "role must be member or moderator");
        std::string e = member_email(o);
        if (std::any_of(g.members.begin(), g.members.end(),
                        [&](const Member& m) { return m.email == e; }))
            return fail(400, "MEMBER_ALREADY_EXISTS", "Listed twice: " + e);
        Member m{e};
        if (role)
            m.role = *role;
        g.members.push_back(std::move(m));
    }
    groups.push_back(std::move(g));
    return ok(201, group_json(groups.back()));
}

Response Org::delete_groups(const json::object& body, std::optional<std::int64_t> path_id) {
    std::vector<std::int64_t> ids;
    if (path_id) {
        if (!body.empty())
            return extra_key_response(std::string(body.begin()->key()));
        ids.push_back(*path_id);
    } else {
        if (auto k = extra_key(body, {"groupList"}))
            return extra_key_response(*k);
        auto it = body.find("groupList");
        if (it == body.end() || !it->value().is_array() || it->value().as_array().empty())
            return fail(400, "INVALID_INPUT", "groupList is required");
        for (const auto& v : it->value().as_array()) {
            auto id = as_id(v);
            if (!id)
                return fail(400, "PATTERN_NOT_MATCHED", "zgid does not match its pattern");
            ids.push_back(*id);
        }
    }
    for (auto id : ids) {
        if (group_by_id(id) == nullptr)
            return fail(404, "GROUP_NOT_FOUND", "No group with zgid " + std::to_string(id));
    }
    std::erase_if(groups, [&](const Group& g) {
        return std::find(ids.begin(), ids.end(), g.zgid) != ids.end();
    });
    return ok(200);
}

namespace {

Member* find_member(Group& g, const std::string& email) {
    for (auto& m : g.members) {
        if (m.email == email)
            return &m;
    }
    return nullptr;
}

/// The keys a member mode accepts in each mailGroupMemberList entry.
std::vector<std::string_view> member_keys(const std::string& mode) {
    if (mode == "addMailGroupMember")
        return {"memberEmailId", "role", "zuid"};
    if (mode == "deleteMailGroupMember")
        return {"memberEmailId", "zuid"};
    if (mode == "changeMemberRole")
        return {"memberEmailId", "role"};
    if (mode == "updateMemberStatus")
        return {"memberEmailId", "status"};
    return {"memberEmailId", "role", "status", "ackStatus", "postApproval"};
}

}  // namespace

Response Org::update_group(std::int64_t zgid, const json::object& body) {
    auto mode_it = body.find("mode");
    std::string mode =
        mode_it == body.end() ? std::string() : as_string(mode_it->value()).value_or("");
    Group* g = group_by_id(zgid);
    static const std::set<std::string> modes = {
        "addMailGroupMember",        "deleteMailGroupMember",    "changeMemberRole",
        "updateMemberStatus",        "updateGroupMemberDetails", "updateGroupName",
        "updateMailGroupAdvOptions", "updateMailGroupOption",    "updateMailGroupOptions"};
    if (modes.count(mode) == 0)
        return fail(400, "URL_RULE_MISMATCH", "Unknown mode: " + mode);
    if (mode == "updateGroupName")
        return rename_group(g, body);
    if (mode == "updateMailGroupAdvOptions")
        return set_group_access(g, body);
    if (mode == "updateMailGroupOption" || mode == "updateMailGroupOptions")
        return set_group_options(g, body);
    return update_members(g, mode, body);
}

Response Org::rename_group(Group* g, const json::object& body) {
    if (auto k = extra_key(body, {"mode", "name"}))
        return extra_key_response(*k);
    if (g == nullptr)
        return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
    auto it = body.find("name");
    auto name = it == body.end() ? std::nullopt : as_string(it->value());
    if (!name || name->empty())
        return fail(400, "INVALID_INPUT", "name is required");
    g->name = *name;
    return ok(200);
}

Response Org::set_group_access(Group* g, const json::object& body) {
    if (auto k = extra_key(body, {"mode", "accessType", "groupAdminSettings"}))
        return extra_key_response(*k);
    if (g == nullptr)
        return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
    auto at = body.find("accessType");
    auto access = at == body.end() ? std::nullopt : as_string(at->value());
    if (!access || (*access != "Public" && *access != "Organization" && *access != "Group" &&
                    *access != "Moderated"))
        return fail(400, "INVALID_INPUT", "accessType is required");
    auto st = body.find("groupAdminSettings");
    if (st == body.end() || !st->value().is_object())
        return fail(400, "INVALID_INPUT", "groupAdminSettings is required");
    const auto& settings = st->value().as_object();
    if (auto k = extra_key(settings,
                           {"mailboxId", "holdOrBounce", "adminNotify", "authorNotify", "isNotToCc",
                            "spamApproval", "mailboxSendRights", "spamMarkPermission",
                            "postApprovedNotify", "suppressMailOnMemAdd"}))
        return extra_key_response(*k);
    g->access_type = *access;
    for (const auto& kv : settings) {
        if (kv.key() != "mailboxId")
            g->admin_settings[kv.key()] = kv.value();
    }
    return ok(200);
}

Response Org::set_group_options(Group* g, const json::object& body) {
    if (auto k = extra_key(body, {"mode", "groupGeneralSettingVO", "grpTxtSettings"}))
        return extra_key_response(*k);
    if (g == nullptr)
        return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
    auto gs = body.find("groupGeneralSettingVO");
    if (gs == body.end() || !gs->value().is_object())
        return fail(400, "INVALID_INPUT", "groupGeneralSettingVO is required");
    const auto& general = gs->value().as_object();
    if (auto k = extra_key(general, {"mailboxId", "subjectPrefix", "replyTo", "bounceThreshold",
                                     "notifSubscription"}))
        return extra_key_response(*k);
    if (auto bt = general.find("bounceThreshold"); bt != general.end()) {
        auto n = as_id(bt->value());
        if (!n || *n < 1 || *n > 100)
            return fail(400, "INVALID_INPUT", "bounceThreshold must be 1 to 100");
    }
    for (const auto& kv : general)
        g->general_settings[kv.key()] = kv.value();
    if (auto ts = body.find("grpTxtSettings"); ts != body.end()) {
        if (!ts->value().is_object())
            return fail(400, "INVALID_INPUT", "grpTxtSettings must be an object");
        for (const auto& kv : ts->value().as_object())
            g->text_settings[kv.key()] = kv.value();
    }
    return ok(200);
}

Response Org::update_members(Group* g, const std::string& mode, const json::object& body) {
    if (auto k = extra_key(body, {"mode", "mailGroupMemberList"}))
        return extra_key_response(*k);
    if (g == nullptr)
        return fail(404, "GROUP_NOT_FOUND", "No group with this zgid");
    std::vector<json::object> list;
    if (auto e = member_list(body, member_keys(mode), list))
        return *e;
    // Validate everything first: a refused call changes nothing.
    if (auto e = check_members(*g, mode, list))
        return *e;
    apply_members(*g, mode, list);
    return ok(200);
}

std::optional<Response> Org::check_members(Group& g, const std::string& mode,
                                           const std::vector<json::object>& list) {
    static const std::set<std::string> statuses = {"unconfirmed", "active",      "deactive",
                                                   "deleted",     "unsupported", "confirmed"};
    for (const auto& o : list) {
        std::string e = member_email(o);
        bool bad = false;
        auto role = member_role(o, bad);
        if (bad)
            return fail(400, "INVALID_INPUT", "role must be member or moderator");
        if (mode == "addMailGroupMember") {
            if (find_member(g, e) != nullptr)
                return fail(400, "MEMBER_ALREADY_EXISTS", "Already a member: " + e);
            continue;
        }
        if (find_member(g, e) == nullptr)
            return fail(404, "MEMBER_NOT_FOUND", "Not a member: " + e);
        if ((mode == "changeMemberRole" || mode == "updateGroupMemberDetails") && !role)
            return fail(400, "INVALID_INPUT", "role is required");
        if (mode == "updateMemberStatus" || mode == "updateGroupMemberDetails") {
            auto st = o.find("status");
            if (st == o.end() && mode == "updateMemberStatus")
                return fail(400, "INVALID_INPUT", "status is required");
            if (st != o.end()) {
                auto s = as_string(st->value());
                if (!s || statuses.count(*s) == 0)
                    return fail(400, "INVALID_INPUT", "unknown member status");
            }
        }
    }
    if (mode == "addMailGroupMember") {
        for (std::size_t i = 0; i < list.size(); ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (member_email(list[i]) == member_email(list[j]))
                    return fail(400, "MEMBER_ALREADY_EXISTS",
                                "Listed twice: " + member_email(list[i]));
            }
        }
    }
    return std::nullopt;
}

void Org::apply_members(Group& g, const std::string& mode, const std::vector<json::object>& list) {
    for (const auto& o : list) {
        std::string e = member_email(o);
        bool bad = false;
        auto role = member_role(o, bad);
        if (mode == "addMailGroupMember") {
            Member m{e};
            if (role)
                m.role = *role;
            g.members.push_back(std::move(m));
        } else if (mode == "deleteMailGroupMember") {
            std::erase_if(g.members, [&](const Member& m) { return m.email == e; });
        } else {
            Member* m = find_member(g, e);
            if (role)
                m->role = *role;
            if (auto st = o.find("status"); st != o.end())
                m->status = std::string(st->value().get_string());
            if (auto a = o.find("ackStatus"); a != o.end() && a->value().is_string())
                m->ack_status = std::string(a->value().get_string());
            if (auto p = o.find("postApproval"); p != o.end() && p->value().is_string())
                m->post_approval = std::string(p->value().get_string());
        }
    }
}

}  // namespace hrmaild::sandbox::zoho_detail
