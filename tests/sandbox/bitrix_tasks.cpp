// tasks.task.*: the task shape, fields, the status machine, list filters and paging.
#include "tests/sandbox/bitrix_portal.hpp"

#include "tests/sandbox/bitrix_dates.hpp"
#include "tests/sandbox/php_params.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace hrmaild::sandbox::bitrix_detail {

using Outcome = Portal::Outcome;
using Task = Portal::Task;
using Call = Portal::Call;
using Member = Portal::Member;

const json::object* Portal::user(long long id) const {
    for (const auto& u : users) {
        long long uid = 0;
        if (php::to_int(u.at("ID"), uid) && uid == id) {
            return &u;
        }
    }
    return nullptr;
}

std::string Portal::user_name(long long id) const {
    const auto* u = user(id);
    if (u == nullptr) {
        return {};
    }
    std::string name = php::to_string(u->contains("NAME") ? u->at("NAME") : json::value());
    std::string last =
        php::to_string(u->contains("LAST_NAME") ? u->at("LAST_NAME") : json::value());
    return last.empty() ? name : name + " " + last;
}

const json::object* Portal::project(long long id) const {
    for (const auto& p : projects) {
        long long pid = 0;
        if (php::to_int(p.at("ID"), pid) && pid == id) {
            return &p;
        }
    }
    return nullptr;
}

Task* Portal::task(long long id) {
    auto it = tasks.find(id);
    return it == tasks.end() ? nullptr : &it->second;
}

bool Portal::is_admin(long long uid) const {
    return uid == webhook_user;
}

long long Portal::tag_id(const std::string& title) {
    auto key = lower(title);
    auto it = tag_ids.find(key);
    if (it != tag_ids.end()) {
        return it->second;
    }
    tag_ids[key] = next_tag_id;
    return next_tag_id++;
}

void Portal::note_uf(const std::string& name) {
    if (std::find(uf_names.begin(), uf_names.end(), name) == uf_names.end()) {
        uf_names.push_back(name);
    }
}

json::value Portal::user_card(long long id) const {
    if (id == 0) {
        return json::array();
    }
    json::object o;
    o["id"] = std::to_string(id);
    o["name"] = user_name(id);
    o["link"] = "/company/personal/user/" + std::to_string(id) + "/";
    o["icon"] = "/bitrix/images/tasks/default_avatar.png";
    const auto* u = user(id);
    o["workPosition"] = u != nullptr && u->contains("WORK_POSITION")
                            ? php::to_string(u->at("WORK_POSITION"))
                            : std::string();
    return o;
}

json::value Portal::members_data(const std::vector<long long>& ids) const {
    std::vector<std::pair<std::string, json::value>> items;
    for (auto id : ids) {
        items.emplace_back(std::to_string(id), user_card(id));
    }
    return php::php_array(items);
}

json::array Portal::id_strings(const std::vector<long long>& ids) {
    json::array a;
    for (auto id : ids) {
        a.push_back(json::string(std::to_string(id)));
    }
    return a;
}

json::value Portal::date_or_null(const std::optional<time_point>& t) {
    return t ? json::value(json::string(bitrix_dates::format_iso(*t))) : json::value();
}

json::value Portal::tags_value(const Task& t) {
    std::vector<std::pair<std::string, json::value>> items;
    for (const auto& title : t.tags) {
        auto id = tag_id(title);
        items.emplace_back(std::to_string(id), json::object{{"id", id}, {"title", title}});
    }
    return php::php_array(items);
}

json::value Portal::uf_value(const Task& t, const std::string& name) const {
    for (const auto& kv : t.uf) {
        if (kv.first == name) {
            const auto& v = kv.second;
            if (v.is_array()) {
                json::array a;
                for (const auto& e : v.get_array()) {
                    a.push_back(json::string(php::to_string(e)));
                }
                return a;
            }
            if (v.is_null() || (v.is_string() && v.get_string().empty())) {
                return json::array();
            }
            return json::string(php::to_string(v));
        }
    }
    return json::array();
}

json::object Portal::actions(const Task& t, long long caller) const {
    bool open = t.status == 1 || t.status == 2 || t.status == 3;
    bool director = caller == t.created_by || is_admin(caller);
    json::object a;
    a["accept"] = false;
    a["decline"] = false;
    a["complete"] = open || t.status == 6;
    a["approve"] = t.status == 4 && director;
    a["disapprove"] = t.status == 4 && director;
    a["start"] = t.status == 1 || t.status == 2;
    a["pause"] = t.status == 3;
    a["delegate"] = true;
    a["remove"] = director;
    a["edit"] = true;
    a["defer"] = open;
    a["renew"] = t.status == 5 || t.status == 6;
    a["create"] = true;
    a["changeDeadline"] = true;
    a["checklistAddItems"] = true;
    a["addFavorite"] = true;
    a["deleteFavorite"] = false;
    a["rate"] = director;
    a["edit.originator"] = director;
    a["checklist.reorder"] = true;
    a["elapsedtime.add"] = true;
    a["dayplan.timer.toggle"] = false;
    a["edit.plan"] = true;
    a["checklist.add"] = true;
    a["favorite.add"] = true;
    a["favorite.delete"] = false;
    return a;
}

std::vector<Member> Portal::task_members(const Task& t) {
    std::vector<Member> m;
    auto add = [&](const char* sel, const char* key, json::value v, bool def = true) {
        m.push_back({sel, key, std::move(v), def});
    };
    auto str = [](long long v) { return json::value(json::string(std::to_string(v))); };
    add("ID", "id", str(t.id));
    add("PARENT_ID", "parentId", nullptr);
    add("TITLE", "title", json::string(t.title));
    add("DESCRIPTION", "description", json::string(t.description));
    add("MARK", "mark", nullptr);
    add("PRIORITY", "priority", str(t.priority));
    add("MULTITASK", "multitask", "N");
    add("NOT_VIEWED", "notViewed", "N");
    add("REPLICATE", "replicate", "N");
    add("STAGE_ID", "stageId", "0");
    add("CREATED_BY", "createdBy", str(t.created_by));
    add("CREATED_DATE", "createdDate", date_or_null(t.created));
    add("RESPONSIBLE_ID", "responsibleId", str(t.responsible_id));
    add("CHANGED_BY", "changedBy", str(t.changed_by));
    add("CHANGED_DATE", "changedDate", date_or_null(t.changed));
    add("STATUS_CHANGED_BY", "statusChangedBy", str(t.status_changed_by));
    add("STATUS_CHANGED_DATE", "statusChangedDate", date_or_null(t.status_changed));
    add("CLOSED_BY", "closedBy", t.closed ? str(t.closed_by) : json::value());
    add("CLOSED_DATE", "closedDate", date_or_null(t.closed));
    add("ACTIVITY_DATE", "activityDate", date_or_null(t.activity));
    add("DATE_START", "dateStart", nullptr);
    add("DEADLINE", "deadline", date_or_null(t.deadline));
    add("START_DATE_PLAN", "startDatePlan", nullptr);
    add("END_DATE_PLAN", "endDatePlan", nullptr);
    add("GUID", "guid",
        json::string("{5A0B1C2D-0000-4000-8000-" +
                     std::string(12 - std::to_string(t.id).size(), '0') + std::to_string(t.id) +
                     "}"));
    add("XML_ID", "xmlId", nullptr);
    add("COMMENTS_COUNT", "commentsCount",
        str(static_cast<long long>(t.chat_id != 0 ? 0 : t.comments.size())));
    add("SERVICE_COMMENTS_COUNT", "serviceCommentsCount", nullptr);
    add("NEW_COMMENTS_COUNT", "newCommentsCount", 0);
    add("ALLOW_CHANGE_DEADLINE", "allowChangeDeadline", "Y");
    add("ALLOW_TIME_TRACKING", "allowTimeTracking", "N");
    add("TASK_CONTROL", "taskControl", t.task_control ? "Y" : "N");
    add("ADD_IN_REPORT", "addInReport", "N");
    add("FORKED_BY_TEMPLATE_ID", "forkedByTemplateId", nullptr);
    add("TIME_ESTIMATE", "timeEstimate", "0");
    add("TIME_SPENT_IN_LOGS", "timeSpentInLogs", nullptr);
    add("MATCH_WORK_TIME", "matchWorkTime", "N");
    add("FORUM_TOPIC_ID", "forumTopicId", t.chat_id != 0 ? json::value() : str(t.id + 900));
    add("FORUM_ID", "forumId", "11");
    add("SITE_ID", "siteId", "s1");
    add("SUBORDINATE", "subordinate", "N");
    add("EXCHANGE_MODIFIED", "exchangeModified", nullptr);
    add("EXCHANGE_ID", "exchangeId", nullptr);
    add("OUTLOOK_VERSION", "outlookVersion", "1");
    add("VIEWED_DATE", "viewedDate", nullptr);
    add("SORTING", "sorting", nullptr);
    add("DURATION_FACT", "durationFact", nullptr);
    add("IS_MUTED", "isMuted", "N");
    add("IS_PINNED", "isPinned", "N");
    add("IS_PINNED_IN_GROUP", "isPinnedInGroup", "N");
    add("FLOW_ID", "flowId", nullptr);
    add("DESCRIPTION_IN_BBCODE", "descriptionInBbcode", "Y");
    add("STATUS", "status", str(t.status));
    add("SUB_STATUS", "subStatus", str(t.status));
    add("DURATION_PLAN", "durationPlan", nullptr);
    add("DURATION_TYPE", "durationType", "days");
    add("FAVORITE", "favorite", "N");
    add("GROUP_ID", "groupId", str(t.group_id));
    add("AUDITORS", "auditors", id_strings(t.auditors));
    add("ACCOMPLICES", "accomplices", id_strings(t.accomplices));
    if (t.chat_id != 0) {
        add("CHAT_ID", "chatId", t.chat_id);
    }
    json::value group = json::array();
    if (const auto* p = project(t.group_id)) {
        group = json::object{{"id", std::to_string(t.group_id)},
                             {"name", p->contains("NAME") ? p->at("NAME") : json::value("")},
                             {"opened", false},
                             {"membersCount", static_cast<long long>(users.size())},
                             {"image", ""},
                             {"additionalData", json::array()}};
    }
    add("GROUP_ID", "group", std::move(group));
    add("CREATED_BY", "creator", user_card(t.created_by));
    add("RESPONSIBLE_ID", "responsible", user_card(t.responsible_id));
    add("ACCOMPLICES", "accomplicesData", members_data(t.accomplices));
    add("AUDITORS", "auditorsData", members_data(t.auditors));
    add("TAGS", "tags", tags_value(t), false);
    for (const auto& name : uf_names) {
        add(name.c_str(), uf_camel(name).c_str(), uf_value(t, name), false);
    }
    return m;
}

std::vector<std::string> Portal::select_list(const json::value* select) {
    std::vector<std::string> out;
    if (select == nullptr) {
        return out;
    }
    for (const auto& v : php::list_values(*select)) {
        auto s = php::to_string(v);
        if (!s.empty()) {
            out.push_back(to_upper_snake(s));
        }
    }
    return out;
}

json::object Portal::task_json(const Task& t, const std::vector<std::string>& select,
                               bool with_all) {
    std::set<std::string> wanted(select.begin(), select.end());
    bool star = wanted.count("*") != 0;
    bool uf_star = wanted.count("UF_*") != 0;
    static const char* uf_trio[] = {"UF_CRM_TASK", "UF_TASK_WEBDAV_FILES", "UF_MAIL_MESSAGE"};
    for (const char* u : uf_trio) {
        if (wanted.count(u) != 0) {
            wanted.insert(std::begin(uf_trio), std::end(uf_trio));
            break;
        }
    }
    json::object o;
    for (auto& m : task_members(t)) {
        bool is_uf = m.select.rfind("UF_", 0) == 0;
        bool take = false;
        if (select.empty()) {
            take = with_all || m.in_default;
        } else {
            take = m.select == "ID" || wanted.count(m.select) != 0 ||
                   (star && !is_uf && m.select != "TAGS") || (uf_star && is_uf);
        }
        if (take) {
            o[m.key] = std::move(m.value);
        }
    }
    return o;
}

std::optional<std::string> Portal::apply_fields(Task& t, const json::object& fields, bool creating,
                                                long long caller) {
    for (const auto& kv : fields) {
        std::string key = to_upper_snake(kv.key());
        const auto& v = kv.value();
        long long n = 0;
        if (key == "TITLE") {
            t.title = php::to_string(v);
        } else if (key == "DESCRIPTION") {
            t.description = php::to_string(v);
        } else if (key == "RESPONSIBLE_ID" || key == "CREATED_BY") {
            if (!php::to_int(v, n) || user(n) == nullptr) {
                return key == "RESPONSIBLE_ID" ? "Assignee not found.<br>"
                                               : "Creator not found.<br>";
            }
            (key == "RESPONSIBLE_ID" ? t.responsible_id : t.created_by) = n;
        } else if (key == "GROUP_ID") {
            if (!php::to_int(v, n) || (n != 0 && project(n) == nullptr)) {
                return std::string("Project not found.<br>");
            }
            t.group_id = n;
        } else if (key == "STATUS") {
            if (!php::to_int(v, n) || n < 1 || n > 7) {
                return std::string("Invalid task status.<br>");
            }
            set_status(t, static_cast<int>(n), caller);
        } else if (key == "PRIORITY") {
            if (php::to_int(v, n) && n >= 0 && n <= 2) {
                t.priority = static_cast<int>(n);
            }
        } else if (key == "TASK_CONTROL") {
            t.task_control = truthy(v);
        } else if (key == "DEADLINE") {
            auto s = php::to_string(v);
            time_point d;
            if (s.empty()) {
                t.deadline.reset();
            } else if (bitrix_dates::parse(s, d)) {
                t.deadline = d;
            } else {
                return std::string("Invalid deadline.<br>");
            }
        } else if (key == "TAGS") {
            t.tags.clear();
            std::vector<json::value> items;
            if (v.is_string()) {
                // A comma-separated string, as the old form sends it.
                std::string s(v.get_string());
                std::size_t pos = 0;
                while (pos <= s.size()) {
                    auto comma = s.find(',', pos);
                    items.emplace_back(
                        s.substr(pos, comma == std::string::npos ? comma : comma - pos));
                    pos = comma == std::string::npos ? s.size() + 1 : comma + 1;
                }
            } else {
                items = php::list_values(v);
            }
            for (const auto& item : items) {
                auto title = php::to_string(item);
                auto b = title.find_first_not_of(' ');
                if (b == std::string::npos) {
                    continue;
                }
                title = title.substr(b, title.find_last_not_of(' ') - b + 1);
                bool dup = std::any_of(t.tags.begin(), t.tags.end(),
                                       [&](const auto& x) { return lower(x) == lower(title); });
                if (!dup) {
                    tag_id(title);
                    t.tags.push_back(title);
                }
            }
        } else if (key == "AUDITORS" || key == "ACCOMPLICES") {
            auto& list = key == "AUDITORS" ? t.auditors : t.accomplices;
            list.clear();
            for (const auto& item : php::list_values(v)) {
                if (php::to_int(item, n) && user(n) != nullptr) {
                    list.push_back(n);
                }
            }
        } else if (key.rfind("UF_", 0) == 0) {
            note_uf(key);
            auto it = std::find_if(t.uf.begin(), t.uf.end(),
                                   [&](const auto& p) { return p.first == key; });
            if (it != t.uf.end()) {
                it->second = v;
            } else {
                t.uf.emplace_back(key, v);
            }
        }
        // Other keys (CHECKLIST, PARAMS...) are accepted and ignored, as a lenient portal.
    }
    if (creating && t.title.empty()) {
        return std::string("Task name is not specified.<br>");
    }
    return std::nullopt;
}

void Portal::set_status(Task& t, int status, long long caller) {
    if (t.status == status) {
        return;
    }
    t.status = status;
    t.status_changed = clock.now();
    t.status_changed_by = caller;
    if (status == 5 || status == 4) {
        t.closed = clock.now();
        t.closed_by = caller;
    } else {
        t.closed.reset();
        t.closed_by = 0;
    }
}

void Portal::touch(Task& t, long long caller) {
    t.changed = clock.now();
    t.activity = t.changed;
    t.changed_by = caller;
}

long long Portal::open_chat(Task& t) {
    t.chat_id = next_chat_id++;
    chat_task[t.chat_id] = t.id;
    chats[t.chat_id].push_back(
        {next_message_id++, t.chat_id, 0, clock.now(), "Task created: " + t.title});
    return t.chat_id;
}

Task* Portal::create_task(const json::object& fields, long long caller, bool chat,
                          std::optional<std::string>& error) {
    Task t;
    t.id = next_task_id;
    t.created_by = caller;
    t.responsible_id = caller;
    t.changed_by = caller;
    t.status_changed_by = caller;
    t.created = t.changed = t.activity = t.status_changed = clock.now();
    t.status = 2;  // pending, unless the fields name a STATUS
    error = apply_fields(t, fields, true, caller);
    if (error) {
        return nullptr;
    }
    ++next_task_id;
    auto& stored = tasks[t.id] = std::move(t);
    if (chat || opts.new_card_default) {
        open_chat(stored);
    }
    return &stored;
}

Outcome Portal::task_add(const json::object& params, const Call& call) {
    const auto* f = param(params, "fields");
    if (f == nullptr || !f->is_object()) {
        return missing("fields");
    }
    std::optional<std::string> error;
    Task* t = create_task(f->get_object(), call.user_id, false, error);
    if (t == nullptr) {
        return Outcome::fail(400, "ERROR_CORE", error.value_or("Task not created.<br>"));
    }
    task_event("ONTASKADD", t->id);
    return Outcome::of(json::object{{"task", task_json(*t, {}, true)}});
}

Outcome Portal::task_get(const json::object& params, const Call& call) {
    long long id = 0;
    if (auto err = read_task_id(params, id)) {
        return *err;
    }
    Task* t = task(id);
    if (t == nullptr) {
        return Outcome::of(json::array());
    }
    auto obj = task_json(*t, select_list(param(params, "select")), true);
    obj["action"] = actions(*t, call.user_id);
    return Outcome::of(json::object{{"task", std::move(obj)}});
}

Outcome Portal::task_update(const json::object& params, const Call& call) {
    long long id = 0;
    if (auto err = read_task_id(params, id)) {
        return *err;
    }
    const auto* f = param(params, "fields");
    if (f == nullptr) {
        return missing("fields");
    }
    Task* t = task(id);
    if (t == nullptr) {
        return Outcome::fail(400, "0", action_not_allowed);
    }
    // PHP has one array type: an empty JSON list is an empty field set.
    json::object empty;
    if (!f->is_object() && !(f->is_array() && f->get_array().empty())) {
        return Outcome::fail(400, "ERROR_CORE", "fields must be an array");
    }
    Task copy = *t;
    if (auto error =
            apply_fields(copy, f->is_object() ? f->get_object() : empty, false, call.user_id)) {
        return Outcome::fail(400, "ERROR_CORE", *error);
    }
    *t = std::move(copy);
    touch(*t, call.user_id);
    task_event("ONTASKUPDATE", t->id);
    return Outcome::of(json::object{{"task", task_json(*t, {}, true)}});
}

Outcome Portal::transition(const json::object& params, const Call& call, std::set<int> from, int to,
                           bool director_only) {
    long long id = 0;
    if (auto err = read_task_id(params, id)) {
        return *err;
    }
    Task* t = task(id);
    if (t == nullptr) {
        return Outcome::fail(400, "0", action_not_allowed);
    }
    bool director = call.user_id == t->created_by || is_admin(call.user_id);
    if (from.count(t->status) == 0 || (director_only && !director)) {
        return Outcome::fail(400, "1048582", action_not_allowed);
    }
    set_status(*t, to, call.user_id);
    touch(*t, call.user_id);
    task_event("ONTASKUPDATE", t->id);
    return Outcome::of(json::object{{"task", task_json(*t, {}, true)}});
}

Outcome Portal::task_start(const json::object& p, const Call& c) {
    return transition(p, c, {1, 2}, 3, false);
}

Outcome Portal::task_pause(const json::object& p, const Call& c) {
    return transition(p, c, {3}, 2, false);
}

Outcome Portal::task_defer(const json::object& p, const Call& c) {
    return transition(p, c, {1, 2, 3}, 6, false);
}

Outcome Portal::task_renew(const json::object& p, const Call& c) {
    return transition(p, c, {4, 5, 6}, 2, false);
}

Outcome Portal::task_approve(const json::object& p, const Call& c) {
    return transition(p, c, {4}, 5, true);
}

Outcome Portal::task_disapprove(const json::object& p, const Call& c) {
    return transition(p, c, {4}, 2, true);
}

Outcome Portal::task_complete(const json::object& params, const Call& call) {
    long long id = 0;
    if (auto err = read_task_id(params, id)) {
        return *err;
    }
    const Task* t = task(id);
    int to = 5;
    if (t != nullptr && t->task_control && call.user_id != t->created_by) {
        to = 4;  // awaiting the creator's control
    }
    return transition(params, call, {1, 2, 3, 6}, to, false);
}

bool Portal::task_matches(const Task& t, const json::object& filter) const {
    for (const auto& kv : filter) {
        auto fk = split_filter_key(kv.key());
        const auto& f = fk.field;
        const auto& v = kv.value();
        bool ok = true;
        if (f == "ID") {
            ok = match_number(t.id, v, fk.op);
        } else if (f == "PARENT_ID") {
            ok = match_number(0, v, fk.op);
        } else if (f == "GROUP_ID") {
            ok = match_number(t.group_id, v, fk.op);
        } else if (f == "CREATED_BY") {
            ok = match_number(t.created_by, v, fk.op);
        } else if (f == "RESPONSIBLE_ID") {
            ok = match_number(t.responsible_id, v, fk.op);
        } else if (f == "CHANGED_BY") {
            ok = match_number(t.changed_by, v, fk.op);
        } else if (f == "REAL_STATUS" || f == "STATUS") {
            ok = match_number(t.status, v, fk.op);
        } else if (f == "PRIORITY") {
            ok = match_number(t.priority, v, fk.op);
        } else if (f == "CREATED_DATE") {
            ok = match_date(t.created, v, fk.op);
        } else if (f == "CHANGED_DATE") {
            ok = match_date(t.changed, v, fk.op);
        } else if (f == "ACTIVITY_DATE") {
            ok = match_date(t.activity, v, fk.op);
        } else if (f == "STATUS_CHANGED_DATE") {
            ok = match_date(t.status_changed, v, fk.op);
        } else if (f == "CLOSED_DATE") {
            ok = match_date(t.closed, v, fk.op);
        } else if (f == "DEADLINE") {
            ok = match_date(t.deadline, v, fk.op);
        } else if (f == "TITLE") {
            ok = match_string(t.title, v, fk.op);
        } else if (f == "DESCRIPTION") {
            ok = match_string(t.description, v, fk.op);
        } else if (f == "TAG") {
            ok = match_any(v, fk.op, [&](const json::value& w) {
                auto s = lower(php::to_string(w));
                return std::any_of(t.tags.begin(), t.tags.end(),
                                   [&](const auto& tag) { return lower(tag) == s; });
            });
        } else if (f == "AUDITOR" || f == "ACCOMPLICE" || f == "MEMBER") {
            ok = match_any(v, fk.op, [&](const json::value& w) {
                long long n = 0;
                if (!php::to_int(w, n)) {
                    return false;
                }
                auto has = [&](const std::vector<long long>& l) {
                    return std::find(l.begin(), l.end(), n) != l.end();
                };
                if (f == "AUDITOR") {
                    return has(t.auditors);
                }
                if (f == "ACCOMPLICE") {
                    return has(t.accomplices);
                }
                return has(t.auditors) || has(t.accomplices) || n == t.created_by ||
                       n == t.responsible_id;
            });
        } else if (f.rfind("UF_", 0) == 0) {
            auto val = uf_value(t, f);
            std::string s = val.is_string() ? std::string(val.get_string()) : std::string();
            ok = match_string(s, v, fk.op);
        }
        // Unknown keys are ignored (the portal drops what it cannot map).
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool Portal::order_key_known(const std::string& k) {
    static const std::set<std::string> keys = {"ID",
                                               "TITLE",
                                               "STATUS",
                                               "REAL_STATUS",
                                               "CREATED_DATE",
                                               "CHANGED_DATE",
                                               "CLOSED_DATE",
                                               "DEADLINE",
                                               "CREATED_BY",
                                               "RESPONSIBLE_ID",
                                               "GROUP_ID",
                                               "PRIORITY",
                                               "ACTIVITY_DATE",
                                               "STATUS_CHANGED_DATE",
                                               "SORTING",
                                               "TIME_SPENT_IN_LOGS",
                                               "MARK",
                                               "DATE_START"};
    return keys.count(k) != 0;
}

int Portal::cmp_task(const Task& a, const Task& b, const std::string& k) {
    auto c3 = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (k == "TITLE") {
        return c3(lower(a.title), lower(b.title));
    }
    if (k == "STATUS" || k == "REAL_STATUS") {
        return c3(a.status, b.status);
    }
    if (k == "CREATED_DATE") {
        return c3(a.created, b.created);
    }
    if (k == "CHANGED_DATE") {
        return c3(a.changed, b.changed);
    }
    if (k == "ACTIVITY_DATE") {
        return c3(a.activity, b.activity);
    }
    if (k == "STATUS_CHANGED_DATE") {
        return c3(a.status_changed, b.status_changed);
    }
    if (k == "CLOSED_DATE") {
        return c3(a.closed, b.closed);
    }
    if (k == "DEADLINE") {
        return c3(a.deadline, b.deadline);
    }
    if (k == "CREATED_BY") {
        return c3(a.created_by, b.created_by);
    }
    if (k == "RESPONSIBLE_ID") {
        return c3(a.responsible_id, b.responsible_id);
    }
    if (k == "GROUP_ID") {
        return c3(a.group_id, b.group_id);
    }
    if (k == "PRIORITY") {
        return c3(a.priority, b.priority);
    }
    if (k == "ID") {
        return c3(a.id, b.id);
    }
    return 0;
}

Outcome Portal::task_list(const json::object& params, const Call&) {
    std::vector<std::pair<std::string, bool>> order;  // key, descending
    if (const auto* o = param(params, "order"); o != nullptr && o->is_object()) {
        for (const auto& kv : o->get_object()) {
            auto k = to_upper_snake(kv.key());
            if (!order_key_known(k)) {
                return Outcome::fail(400, "0", "Invalid sorting key");
            }
            order.emplace_back(k, lower(php::to_string(kv.value())) == "desc");
        }
    }
    if (order.empty()) {
        order.emplace_back("ID", true);
    }
    json::object filter;
    if (const auto* f = param(params, "filter"); f != nullptr && f->is_object()) {
        filter = f->get_object();
    }
    std::vector<const Task*> rows;
    for (const auto& kv : tasks) {
        if (task_matches(kv.second, filter)) {
            rows.push_back(&kv.second);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const Task* a, const Task* b) {
        for (const auto& [k, desc] : order) {
            int c = cmp_task(*a, *b, k);
            if (c != 0) {
                return desc ? c > 0 : c < 0;
            }
        }
        return a->id < b->id;
    });
    long long start = 0;
    if (const auto* s = param(params, "start")) {
        if (!php::to_int(*s, start)) {
            start = 0;
        }
    }
    bool fast = start == -1;
    std::size_t offset = start > 0 ? static_cast<std::size_t>(start) : 0;
    auto select = select_list(param(params, "select"));
    json::array out;
    for (std::size_t i = offset; i < rows.size() && i < offset + page_size; ++i) {
        out.push_back(task_json(*rows[i], select, false));
    }
    Outcome res = Outcome::of(json::object{{"tasks", std::move(out)}});
    if (!fast) {
        res.total = static_cast<long long>(rows.size());
        if (offset + page_size < rows.size()) {
            res.next = static_cast<long long>(offset + page_size);
        }
    }
    return res;
}

}  // namespace hrmaild::sandbox::bitrix_detail
