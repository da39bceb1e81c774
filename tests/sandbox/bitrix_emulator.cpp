#include "tests/sandbox/bitrix_emulator.hpp"

#include "tests/sandbox/bitrix_dates.hpp"
#include "tests/sandbox/php_params.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace hrmaild::sandbox {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;

namespace {

constexpr std::size_t page_size = 50;
constexpr std::size_t batch_cap = 50;
constexpr const char* action_not_allowed = "Action on the task is not allowed";

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

// `responsibleId` → `RESPONSIBLE_ID`; names already in capitals stay as they are.
std::string to_upper_snake(std::string_view s) {
    bool has_lower = std::any_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!has_lower || s.find('_') != std::string_view::npos) {
        return upper(s);
    }
    std::string out;
    for (char c : s) {
        if (c >= 'A' && c <= 'Z' && !out.empty()) {
            out += '_';
        }
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

// `UF_AUTO_4998` → `ufAuto4998`, `UF_CRM_TASK` → `ufCrmTask`.
std::string uf_camel(std::string_view name) {
    std::string out;
    bool first = true;
    std::size_t pos = 0;
    while (pos <= name.size()) {
        auto us = name.find('_', pos);
        auto part = name.substr(pos, us == std::string_view::npos ? us : us - pos);
        pos = us == std::string_view::npos ? name.size() + 1 : us + 1;
        if (part.empty()) {
            continue;
        }
        std::string p = lower(part);
        if (!first) {
            p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
        }
        out += p;
        first = false;
    }
    return out;
}

bool icontains(std::string_view hay, std::string_view needle) {
    return lower(hay).find(lower(needle)) != std::string::npos;
}

// SQL LIKE with `%` wildcards, case-insensitive (ASCII), as Bitrix filters strings.
bool like(std::string_view text, std::string_view pattern) {
    std::string t = lower(text);
    std::string p = lower(pattern);
    std::size_t ti = 0;
    std::size_t pi = 0;
    std::size_t star = std::string::npos;
    std::size_t mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '%') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && p[pi] == t[ti]) {
            ++pi;
            ++ti;
        } else if (star != std::string::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%') {
        ++pi;
    }
    return pi == p.size();
}

bool truthy(const json::value& v) {
    if (v.is_bool()) {
        return v.get_bool();
    }
    if (v.is_int64()) {
        return v.get_int64() != 0;
    }
    if (v.is_string()) {
        auto s = lower(v.get_string());
        return s == "y" || s == "1" || s == "true";
    }
    return false;
}

// A filter key split into its operator prefix and field name (`>=CHANGED_DATE`).
struct FilterKey {
    std::string op;
    std::string field;
};

FilterKey split_filter_key(std::string_view key) {
    static const char* ops[] = {
        "!><", "><", "!=%", "!%", "!=", "!@", "<=", ">=", "=%", "!", "<", ">", "=", "%", "@"};
    for (const char* op : ops) {
        std::string_view o(op);
        if (key.substr(0, o.size()) == o) {
            return {std::string(o), to_upper_snake(key.substr(o.size()))};
        }
    }
    return {"", to_upper_snake(key)};
}

bool negated(const std::string& op) {
    return !op.empty() && op[0] == '!';
}

// Compares a number or a date with one filter value under an operator.
template <typename T>
bool compare(const T& actual, const T& wanted, const std::string& op) {
    std::string o = negated(op) ? op.substr(1) : op;
    if (o == "<") {
        return actual < wanted;
    }
    if (o == "<=") {
        return actual <= wanted;
    }
    if (o == ">") {
        return actual > wanted;
    }
    if (o == ">=") {
        return actual >= wanted;
    }
    return actual == wanted;
}

// Any of the filter values matches; `!` negates the whole test (NOT IN).
bool match_any(const json::value& wanted, const std::string& op,
               const std::function<bool(const json::value&)>& one) {
    auto values = php::list_values(wanted);
    bool any = false;
    for (const auto& v : values) {
        if (one(v)) {
            any = true;
            break;
        }
    }
    return negated(op) ? !any : any;
}

bool match_number(long long actual, const json::value& wanted, const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        long long w = 0;
        if (!php::to_int(v, w)) {
            return false;
        }
        return compare(actual, w, op);
    });
}

bool match_date(const std::optional<time_point>& actual, const json::value& wanted,
                const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        std::string s = php::to_string(v);
        if (!actual) {
            return s.empty();
        }
        time_point w;
        if (!bitrix_dates::parse(s, w)) {
            return false;
        }
        return compare(std::chrono::floor<std::chrono::seconds>(*actual),
                       std::chrono::floor<std::chrono::seconds>(w), op);
    });
}

bool match_string(const std::string& actual, const json::value& wanted, const std::string& op) {
    return match_any(wanted, op, [&](const json::value& v) {
        std::string w = php::to_string(v);
        std::string o = negated(op) ? op.substr(1) : op;
        if (o == "%" || o == "=%") {
            return o == "%" ? icontains(actual, w) : like(actual, w);
        }
        if (o == "<" || o == "<=" || o == ">" || o == ">=") {
            return compare(actual, w, op);
        }
        return like(actual, w);
    });
}

// Serialises like PHP's json_encode: floats in plain decimal (`1760000000.12`, `0.0`), not
// Boost's exponent form (`1.76E9`); everything else as Boost.JSON writes it.
void php_serialize(const json::value& v, std::string& out) {
    switch (v.kind()) {
        case json::kind::double_: {
            double d = v.get_double();
            char buf[64];
            for (int precision = 1; precision <= 17; ++precision) {
                std::snprintf(buf, sizeof buf, "%.*g", precision, d);
                if (std::strtod(buf, nullptr) == d) {
                    break;
                }
            }
            std::string text(buf);
            if (text.find_first_of(".eEn") == std::string::npos) {
                text += ".0";
            }
            out += text;
            return;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) {
                    out += ',';
                }
                first = false;
                out += json::serialize(json::string(kv.key()));
                out += ':';
                php_serialize(kv.value(), out);
            }
            out += '}';
            return;
        }
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) {
                    out += ',';
                }
                first = false;
                php_serialize(e, out);
            }
            out += ']';
            return;
        }
        default:
            out += json::serialize(v);
    }
}

Response php_json(int status, const json::value& v) {
    Response r;
    r.status = status;
    php_serialize(v, r.body);
    return r;
}

json::object error_body(const std::string& code, const std::string& description) {
    return json::object{{"error", code}, {"error_description", description}};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// State

struct BitrixEmulator::Impl {
    struct Comment {
        long long id = 0;
        long long author_id = 0;
        time_point date;
        std::string text;
    };
    struct ChatMessage {
        long long id = 0;
        long long chat_id = 0;
        long long author_id = 0;  // 0: system message
        time_point date;
        std::string text;
    };
    struct Task {
        long long id = 0;
        std::string title;
        std::string description;
        int status = 2;
        long long created_by = 0;
        long long responsible_id = 0;
        long long group_id = 0;
        long long changed_by = 0;
        long long status_changed_by = 0;
        long long closed_by = 0;
        int priority = 1;
        bool task_control = false;
        std::vector<std::string> tags;
        std::vector<long long> auditors;
        std::vector<long long> accomplices;
        std::vector<std::pair<std::string, json::value>> uf;  // UF_NAME → value
        time_point created;
        time_point changed;
        time_point activity;
        time_point status_changed;
        std::optional<time_point> closed;
        std::optional<time_point> deadline;
        long long chat_id = 0;  // non-zero: new-card task, comments live in the chat
        std::vector<Comment> comments;
    };
    struct Notification {
        long long id = 0;
        std::string type;  // personal | system
        long long user_id = 0;
        long long from_user_id = 0;
        std::string message;
        std::string message_out;
        std::string tag;
        std::string sub_tag;
        time_point date;
    };
    struct ImMessage {
        long long id = 0;
        long long from_user_id = 0;
        std::string dialog_id;
        long long chat_id = 0;
        std::string message;
        bool system = false;
        time_point date;
    };
    struct Token {
        long long user_id = 0;
        time_point expires;
    };
    // What a handler answers: a result (with list extras) or an error.
    struct Outcome {
        int status = 200;
        json::value result;
        std::optional<long long> total;
        std::optional<long long> next;
        std::string error;
        std::string description;

        [[nodiscard]] bool ok() const { return error.empty(); }
        static Outcome fail(int s, std::string code, std::string text) {
            Outcome o;
            o.status = s;
            o.error = std::move(code);
            o.description = std::move(text);
            return o;
        }
        static Outcome of(json::value v) {
            Outcome o;
            o.result = std::move(v);
            return o;
        }
    };
    // Who is calling, and through which credential (the operating limit is per credential).
    struct Call {
        long long user_id = 0;
        std::string credential;
        bool in_batch = false;
    };
    using Handler = Outcome (Impl::*)(const json::object&, const Call&);

    explicit Impl(Clock& c) : clock(c) { clear(); }

    Clock& clock;
    BitrixOptions opts;
    std::string portal = "sandbox.bitrix24.com";
    long long webhook_user = 1;
    std::string webhook_secret = "sandbox-webhook-secret";
    std::string app_token;
    std::string event_url;
    std::vector<long long> approvers;
    std::vector<json::object> users;
    std::vector<json::object> departments;
    std::vector<json::object> projects;
    std::map<long long, Task> tasks;
    std::map<long long, std::vector<ChatMessage>> chats;  // chat id → messages
    std::map<long long, long long> chat_task;             // chat id → task id
    std::vector<Notification> notifications;
    std::vector<ImMessage> im_messages;
    std::map<std::string, long long> tag_ids;  // lower-cased title → id
    std::vector<std::string> uf_names;         // UF fields the portal knows
    std::map<std::string, Token> tokens;
    std::map<std::string, Token> refresh_tokens;  // live refresh tokens of the OAuth app
    std::string oauth_client_id = "local.sandbox";
    std::string oauth_client_secret = "sandbox-client-secret";
    long long oauth_refreshes = 0;
    std::deque<std::string> outgoing;
    std::map<std::string, long long> calls;        // HTTP-level calls per method
    std::map<std::string, long long> batch_calls;  // commands run inside batch, per method
    long long requests_total = 0;
    long long rejected_bucket = 0;
    long long rejected_operating = 0;
    long long events_raised = 0;
    double bucket_level = 0;
    time_point bucket_at{};
    // Operating-time usage per credential and method: (call time, seconds billed).
    std::map<std::string, std::deque<std::pair<time_point, double>>> operating;
    long long next_task_id = 1;
    long long next_comment_id = 3001;
    long long next_message_id = 5001;
    long long next_chat_id = 101;
    long long next_notification_id = 1;
    long long next_tag_id = 31;
    long long next_token = 1;

    void clear() {
        users.clear();
        departments.clear();
        projects.clear();
        tasks.clear();
        chats.clear();
        chat_task.clear();
        notifications.clear();
        im_messages.clear();
        tag_ids.clear();
        uf_names.clear();
        tokens.clear();
        refresh_tokens.clear();
        oauth_refreshes = 0;
        outgoing.clear();
        calls.clear();
        batch_calls.clear();
        approvers.clear();
        requests_total = rejected_bucket = rejected_operating = events_raised = 0;
        bucket_level = 0;
        bucket_at = clock.now();
        operating.clear();
        next_task_id = 1;
        next_comment_id = 3001;
        next_message_id = 5001;
        next_chat_id = 101;
        next_notification_id = 1;
        next_tag_id = 31;
    }

    // ---------------------------------------------------------------- lookups and shapes

    const json::object* user(long long id) const {
        for (const auto& u : users) {
            long long uid = 0;
            if (php::to_int(u.at("ID"), uid) && uid == id) {
                return &u;
            }
        }
        return nullptr;
    }

    std::string user_name(long long id) const {
        const auto* u = user(id);
        if (u == nullptr) {
            return {};
        }
        std::string name = php::to_string(u->contains("NAME") ? u->at("NAME") : json::value());
        std::string last =
            php::to_string(u->contains("LAST_NAME") ? u->at("LAST_NAME") : json::value());
        return last.empty() ? name : name + " " + last;
    }

    const json::object* project(long long id) const {
        for (const auto& p : projects) {
            long long pid = 0;
            if (php::to_int(p.at("ID"), pid) && pid == id) {
                return &p;
            }
        }
        return nullptr;
    }

    Task* task(long long id) {
        auto it = tasks.find(id);
        return it == tasks.end() ? nullptr : &it->second;
    }

    bool is_admin(long long uid) const { return uid == webhook_user; }

    long long tag_id(const std::string& title) {
        auto key = lower(title);
        auto it = tag_ids.find(key);
        if (it != tag_ids.end()) {
            return it->second;
        }
        tag_ids[key] = next_tag_id;
        return next_tag_id++;
    }

    void note_uf(const std::string& name) {
        if (std::find(uf_names.begin(), uf_names.end(), name) == uf_names.end()) {
            uf_names.push_back(name);
        }
    }

    json::value user_card(long long id) const {
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

    json::value members_data(const std::vector<long long>& ids) const {
        std::vector<std::pair<std::string, json::value>> items;
        for (auto id : ids) {
            items.emplace_back(std::to_string(id), user_card(id));
        }
        return php::php_array(items);
    }

    static json::array id_strings(const std::vector<long long>& ids) {
        json::array a;
        for (auto id : ids) {
            a.push_back(json::string(std::to_string(id)));
        }
        return a;
    }

    static json::value date_or_null(const std::optional<time_point>& t) {
        return t ? json::value(json::string(bitrix_dates::format_iso(*t))) : json::value();
    }

    json::value tags_value(const Task& t) {
        std::vector<std::pair<std::string, json::value>> items;
        for (const auto& title : t.tags) {
            auto id = tag_id(title);
            items.emplace_back(std::to_string(id), json::object{{"id", id}, {"title", title}});
        }
        return php::php_array(items);
    }

    json::value uf_value(const Task& t, const std::string& name) const {
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

    // The action map tasks.task.get adds: what the caller may do with the task now.
    json::object actions(const Task& t, long long caller) const {
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

    // One output member of a task: its camelCase key, the select name that brings it.
    struct Member {
        std::string select;
        std::string key;
        json::value value;
        bool in_default = true;
    };

    std::vector<Member> task_members(const Task& t) {
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

    // Normalised select: upper-case names; empty means the method's default selection.
    static std::vector<std::string> select_list(const json::value* select) {
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

    // A task as tasks.task.* shows it. `with_all` is the get default (UF fields and tags too).
    json::object task_json(const Task& t, const std::vector<std::string>& select, bool with_all) {
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

    // ---------------------------------------------------------------- events

    void raise_event(const std::string& name, const std::string& data) {
        if (event_url.empty() || app_token.empty()) {
            return;
        }
        static const std::map<std::string, int> handler_ids = {
            {"ONTASKADD", 1}, {"ONTASKUPDATE", 2}, {"ONTASKCOMMENTADD", 3}};
        auto ts = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch());
        std::string body =
            "event=" + name + "&event_handler_id=" + std::to_string(handler_ids.at(name)) + data +
            "&ts=" + std::to_string(ts.count()) + "&auth[domain]=" + php::url_encode(portal) +
            "&auth[client_endpoint]=" + php::url_encode("https://" + portal + "/rest/") +
            "&auth[server_endpoint]=" + php::url_encode("https://oauth.bitrix.info/rest/") +
            "&auth[member_id]=" + member_id() +
            "&auth[application_token]=" + php::url_encode(app_token);
        outgoing.push_back(std::move(body));
        ++events_raised;
    }

    std::string member_id() const {
        // A stable 32-hex id derived from the portal name (real portals have an opaque one).
        std::size_t h = std::hash<std::string>{}(portal);
        static const char* hex = "0123456789abcdef";
        std::string out;
        for (int i = 0; i < 32; ++i) {
            out += hex[(h >> ((i % 16) * 4)) & 15];
            if (i % 16 == 15) {
                h = std::hash<std::string>{}(out);
            }
        }
        return out;
    }

    void task_event(const std::string& name, long long id) {
        std::string ids = std::to_string(id);
        std::string before = name == "ONTASKADD" ? "&data[FIELDS_BEFORE]=undefined"
                                                 : "&data[FIELDS_BEFORE][ID]=" + ids;
        raise_event(name, before + "&data[FIELDS_AFTER][ID]=" + ids +
                              "&data[IS_ACCESSIBLE_BEFORE]=undefined"
                              "&data[IS_ACCESSIBLE_AFTER]=undefined");
    }

    void comment_event(long long comment_id, long long task_id, long long message_id) {
        std::string data =
            "&data[FIELDS_BEFORE]=undefined&data[FIELDS_AFTER][ID]=" + std::to_string(comment_id) +
            "&data[FIELDS_AFTER][TASK_ID]=" + std::to_string(task_id);
        if (message_id != 0) {
            data += "&data[FIELDS_AFTER][MESSAGE_ID]=" + std::to_string(message_id);
        }
        data += "&data[IS_ACCESSIBLE_BEFORE]=undefined&data[IS_ACCESSIBLE_AFTER]=undefined";
        raise_event("ONTASKCOMMENTADD", data);
    }

    // ---------------------------------------------------------------- limits

    // Leaky bucket shared by every request to the portal; false when full (503).
    bool bucket_admit() {
        auto now = clock.now();
        double elapsed = std::chrono::duration<double>(now - bucket_at).count();
        if (elapsed > 0) {
            bucket_level = std::max(0.0, bucket_level - elapsed * opts.bucket_drain_per_sec);
            bucket_at = now;
        } else if (elapsed < 0) {
            bucket_at = now;  // the sandbox clock was moved back
        }
        if (bucket_level + 1 > opts.bucket_burst) {
            return false;
        }
        bucket_level += 1;
        return true;
    }

    std::deque<std::pair<time_point, double>>& usage(const Call& call, const std::string& method) {
        auto& q = operating[call.credential + " " + method];
        auto now = clock.now();
        while (!q.empty() && now - q.front().first >= std::chrono::minutes(10)) {
            q.pop_front();
        }
        return q;
    }

    double used_seconds(const std::deque<std::pair<time_point, double>>& q) const {
        double sum = 0;
        for (const auto& e : q) {
            sum += e.second;
        }
        return sum;
    }

    long long reset_at(const std::deque<std::pair<time_point, double>>& q) const {
        auto base = q.empty() ? clock.now() : q.front().first;
        return std::chrono::duration_cast<std::chrono::seconds>(
                   (base + std::chrono::minutes(10)).time_since_epoch())
            .count();
    }

    json::object time_block(double start, const Call& call, const std::string& method) {
        double finish = std::max(start, clock.unix_seconds()) + 0.0002;
        auto& q = usage(call, method);
        json::object t;
        t["start"] = start;
        t["finish"] = finish;
        t["duration"] = finish - start;
        t["processing"] = finish - start - 0.0001;
        auto to_tp = [](double s) {
            return time_point(
                std::chrono::duration_cast<time_point::duration>(std::chrono::duration<double>(s)));
        };
        t["date_start"] = bitrix_dates::format_iso(to_tp(start));
        t["date_finish"] = bitrix_dates::format_iso(to_tp(finish));
        t["operating_reset_at"] = reset_at(q);
        t["operating"] = used_seconds(q);
        return t;
    }

    // ---------------------------------------------------------------- dispatch

    static const std::map<std::string, Handler>& methods() {
        static const std::map<std::string, Handler> table = {
            {"tasks.task.add", &Impl::task_add},
            {"tasks.task.list", &Impl::task_list},
            {"tasks.task.get", &Impl::task_get},
            {"tasks.task.update", &Impl::task_update},
            {"tasks.task.start", &Impl::task_start},
            {"tasks.task.pause", &Impl::task_pause},
            {"tasks.task.complete", &Impl::task_complete},
            {"tasks.task.defer", &Impl::task_defer},
            {"tasks.task.renew", &Impl::task_renew},
            {"tasks.task.approve", &Impl::task_approve},
            {"tasks.task.disapprove", &Impl::task_disapprove},
            {"task.commentitem.add", &Impl::comment_add},
            {"task.commentitem.getlist", &Impl::comment_getlist},
            {"im.dialog.messages.get", &Impl::dialog_messages_get},
            {"im.message.add", &Impl::im_message_add},
            {"im.notify.personal.add", &Impl::notify_personal_add},
            {"im.notify.system.add", &Impl::notify_system_add},
            {"user.get", &Impl::user_get},
            {"user.current", &Impl::user_current},
            {"department.get", &Impl::department_get},
        };
        return table;
    }

    // Runs one method (HTTP-level or inside batch), with the operating-time limit.
    Outcome run(const std::string& method, const json::object& params, const Call& call,
                double start, json::object& time_out) {
        auto it = methods().find(method);
        if (it == methods().end()) {
            time_out = time_block(start, call, method);
            return Outcome::fail(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
        }
        if (opts.operating_limit) {
            auto& q = usage(call, method);
            if (used_seconds(q) >= opts.operating_limit_seconds) {
                ++rejected_operating;
                time_out = time_block(start, call, method);
                return Outcome::fail(429, "OPERATION_TIME_LIMIT",
                                     "Method is blocked due to operation time limit.");
            }
        }
        Outcome out = (this->*(it->second))(params, call);
        if (opts.operating_cost_seconds > 0) {
            usage(call, method).emplace_back(clock.now(), opts.operating_cost_seconds);
        }
        time_out = time_block(start, call, method);
        return out;
    }

    Response reply(const Outcome& out, const json::object& time) {
        if (!out.ok()) {
            auto body = error_body(out.error, out.description);
            if (out.status == 429) {
                body["time"] = time;
            }
            return php_json(out.status, body);
        }
        json::object body;
        body["result"] = out.result;
        if (out.next) {
            body["next"] = *out.next;
        }
        if (out.total) {
            body["total"] = *out.total;
        }
        body["time"] = time;
        return php_json(200, body);
    }

    static std::vector<std::string> path_segments(const std::string& path) {
        std::vector<std::string> segs;
        std::size_t pos = 0;
        while (pos <= path.size()) {
            auto slash = path.find('/', pos);
            auto seg = path.substr(pos, slash == std::string::npos ? slash : slash - pos);
            if (!seg.empty()) {
                segs.push_back(php::percent_decode(seg, false));
            }
            if (slash == std::string::npos) {
                break;
            }
            pos = slash + 1;
        }
        return segs;
    }

    static std::string method_name(std::string name) {
        auto lname = lower(name);
        if (lname.size() > 5 && lname.substr(lname.size() - 5) == ".json") {
            lname.resize(lname.size() - 5);
        }
        return lname;
    }

    json::object parse_params(const Request& req) const {
        json::object params;
        php::parse_str(req.query(), params);
        if (req.body.empty()) {
            return params;
        }
        auto type = lower(req.header("content-type"));
        bool is_json = type.find("json") != std::string::npos;
        if (!is_json && type.empty()) {
            auto first = req.body.find_first_not_of(" \t\r\n");
            is_json = first != std::string::npos && req.body[first] == '{';
        }
        json::object body;
        if (is_json) {
            boost::system::error_code ec;
            auto v = json::parse(req.body, ec);
            if (!ec && v.is_object()) {
                body = v.as_object();
            }
        } else {
            php::parse_str(req.body, body);
        }
        // PHP merges the query and the body like array_merge: body values win, keys keep the
        // position of their first appearance (positional methods depend on that order).
        for (auto& kv : body) {
            params[kv.key()] = kv.value();
        }
        return params;
    }

    Response handle(const Request& req) {
        double start = clock.unix_seconds();
        ++requests_total;
        auto segs = path_segments(req.path());
        if (segs.empty() || segs.front() != "rest") {
            return php_json(404, error_body("ERROR_METHOD_NOT_FOUND", "Method not found!"));
        }
        segs.erase(segs.begin());
        if (!bucket_admit()) {
            ++rejected_bucket;
            return php_json(503, error_body("QUERY_LIMIT_EXCEEDED", "Too many requests"));
        }
        if (!segs.empty() && segs.front() == "api") {
            segs.erase(segs.begin());
            return handle_v3(req, segs, start);
        }
        json::object params = parse_params(req);
        Call call;
        std::string method;
        if (segs.size() == 3) {
            long long uid = 0;
            if (!php::to_int(json::value(segs[0]), uid) || uid != webhook_user ||
                segs[1] != webhook_secret) {
                return auth_failure();
            }
            call.user_id = uid;
            call.credential = "webhook";
            method = method_name(segs[2]);
        } else if (segs.size() == 1) {
            method = method_name(segs[0]);
            auto it = params.find("auth");
            if (auto failure = check_token(
                    it == params.end() ? std::string() : php::to_string(it->value()), call)) {
                return *failure;
            }
        } else {
            return php_json(404, error_body("ERROR_METHOD_NOT_FOUND", "Method not found!"));
        }
        params.erase("auth");
        ++calls[method];
        if (method == "batch") {
            json::object time;
            auto out = batch(params, call);
            return reply(out, time_block(start, call, method));
        }
        json::object time;
        auto out = run(method, params, call, start, time);
        return reply(out, time);
    }

    std::string mint(const char* prefix) {
        // Opaque like a real token; the counter keeps every minted token distinct.
        auto n = next_token++;
        return prefix + std::to_string(n) + "x" +
               std::to_string(std::hash<std::string>{}(portal + "/" + std::to_string(n)) %
                              1000000007);
    }

    static Response oauth_error(int status, const char* code, const char* text) {
        return php_json(status, error_body(code, text));
    }

    Response handle_oauth(const Request& req) {
        json::object params;
        php::parse_str(req.query(), params);
        php::parse_str(req.body, params);
        auto get = [&](const char* k) {
            auto it = params.find(k);
            return it == params.end() ? std::string() : php::to_string(it->value());
        };
        if (get("grant_type") != "refresh_token") {
            return oauth_error(400, "invalid_request", "grant_type must be refresh_token");
        }
        if (get("client_id") != oauth_client_id || get("client_secret") != oauth_client_secret) {
            return oauth_error(401, "invalid_client", "Invalid client credentials");
        }
        auto it = refresh_tokens.find(get("refresh_token"));
        if (it == refresh_tokens.end() || clock.now() >= it->second.expires) {
            return oauth_error(400, "invalid_grant", "Invalid refresh token");
        }
        long long uid = it->second.user_id;
        refresh_tokens.erase(it);
        ++oauth_refreshes;
        auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::duration<double>(opts.oauth_access_lifetime_seconds));
        std::string access = mint("acc");
        std::string refresh = mint("ref");
        auto expires = clock.now() + lifetime;
        tokens[access] = Token{uid, expires};
        refresh_tokens[refresh] = Token{uid, clock.now() + std::chrono::hours(24 * 180)};
        json::object o;
        o["access_token"] = access;
        o["expires"] =
            std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
        o["expires_in"] = static_cast<long long>(lifetime.count());
        o["scope"] = "task,tasks,im,user,department";
        o["domain"] = "oauth.bitrix.info";
        o["server_endpoint"] = "https://oauth.bitrix.info/rest/";
        o["status"] = "L";
        o["client_endpoint"] = "https://" + portal + "/rest/";
        o["member_id"] = member_id();
        o["user_id"] = uid;
        o["refresh_token"] = refresh;
        return php_json(200, o);
    }

    // ---------------------------------------------------------------- REST 3.0

    static Response v3_error(int status, const std::string& code, const std::string& message,
                             json::array validation = {}) {
        json::object e{{"code", code}, {"message", message}};
        if (!validation.empty()) {
            e["validation"] = std::move(validation);
        }
        return php_json(status, json::object{{"error", std::move(e)}});
    }

    // `/rest/api/{uid}/{secret}/{method}` or `/rest/api/{method}` with `auth` in the body:
    // JSON POST only (the query string is ignored). Only tasks.task.chat.message.send, the
    // new card's write path, is served.
    Response handle_v3(const Request& req, const std::vector<std::string>& segs, double start) {
        json::object body;
        if (!req.body.empty()) {
            boost::system::error_code ec;
            auto v = json::parse(req.body, ec);
            if (ec || !v.is_object()) {
                return v3_error(400, "BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION",
                                "Invalid JSON in request body");
            }
            body = v.as_object();
        }
        Call call;
        std::string method;
        if (segs.size() == 3) {
            long long uid = 0;
            if (!php::to_int(json::value(segs[0]), uid) || uid != webhook_user ||
                segs[1] != webhook_secret) {
                return auth_failure();
            }
            call.user_id = uid;
            call.credential = "webhook";
            method = method_name(segs[2]);
        } else if (segs.size() == 1) {
            method = method_name(segs[0]);
            auto it = body.find("auth");
            std::string token = it == body.end() ? std::string() : php::to_string(it->value());
            if (auto failure = check_token(token, call)) {
                return *failure;
            }
            body.erase("auth");
        } else {
            return v3_error(404, "BITRIX_REST_V3_EXCEPTION_UNKNOWNMETHODEXCEPTION",
                            "Method not found");
        }
        ++calls["api:" + method];
        if (method != "tasks.task.chat.message.send") {
            return v3_error(404, "BITRIX_REST_V3_EXCEPTION_UNKNOWNMETHODEXCEPTION",
                            "Method `" + method + "` not found");
        }
        const json::value* fields = body.if_contains("fields");
        const json::object* f =
            fields != nullptr && fields->is_object() ? &fields->get_object() : nullptr;
        json::array problems;
        long long task_id = 0;
        if (f == nullptr || !f->contains("taskId") || !php::to_int(f->at("taskId"), task_id)) {
            problems.push_back(json::object{{"field", "taskId"}, {"message", "Required integer"}});
        }
        std::string text = f != nullptr && f->contains("text") ? php::to_string(f->at("text")) : "";
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
            problems.push_back(json::object{{"field", "text"}, {"message", "Required"}});
        }
        if (!problems.empty()) {
            return v3_error(400, "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                            "Request validation failed", std::move(problems));
        }
        Task* t = task(task_id);
        if (t == nullptr || t->chat_id == 0 || !chat_member(*t, call.user_id)) {
            return v3_error(403, "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION", "Access denied");
        }
        long long msg = chat_post(*t, call.user_id, text);
        comment_event(0, t->id, msg);
        json::object out{{"result", json::object{{"result", true}}}};
        out["time"] = time_block(start, call, "api:" + method);
        return php_json(200, out);
    }

    // An OAuth access token from the `auth` parameter; an error response when it is unusable.
    std::optional<Response> check_token(const std::string& token, Call& call) {
        if (token.empty()) {
            return php_json(401, error_body("NO_AUTH_FOUND", "Wrong authorization data"));
        }
        auto tok = tokens.find(token);
        if (tok == tokens.end()) {
            return php_json(401,
                            error_body("invalid_token", "The access token provided is invalid."));
        }
        if (clock.now() >= tok->second.expires) {
            return php_json(401,
                            error_body("expired_token", "The access token provided has expired."));
        }
        call.user_id = tok->second.user_id;
        call.credential = "app";
        return std::nullopt;
    }

    Response auth_failure() const {
        if (opts.wrong_secret_no_auth_found) {
            return php_json(401, error_body("NO_AUTH_FOUND", "Wrong authorization data"));
        }
        return php_json(401, error_body("INVALID_CREDENTIALS", "Invalid request credentials"));
    }

    // ---------------------------------------------------------------- parameters

    // Controller parameters (tasks.task.*): matched by name, case-insensitively.
    static const json::value* param(const json::object& params, std::string_view name) {
        auto l = lower(name);
        for (const auto& kv : params) {
            if (lower(kv.key()) == l) {
                return &kv.value();
            }
        }
        return nullptr;
    }

    static Outcome missing(const std::string& name) {
        return Outcome::fail(400, "100", "Could not find value for parameter {" + name + "}");
    }

    // Reads taskId: a missing one is "100", a non-integer one "0" wrong task id.
    static std::optional<Outcome> read_task_id(const json::object& params, long long& id) {
        const auto* v = param(params, "taskId");
        if (v == nullptr) {
            return missing("taskId");
        }
        if (!php::to_int(*v, id) || id <= 0) {
            return Outcome::fail(400, "0", "wrong task id");
        }
        return std::nullopt;
    }

    // ---------------------------------------------------------------- tasks

    // Applies tasks.task.add/update fields; an error text when a value is refused.
    std::optional<std::string> apply_fields(Task& t, const json::object& fields, bool creating,
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

    void set_status(Task& t, int status, long long caller) {
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

    void touch(Task& t, long long caller) {
        t.changed = clock.now();
        t.activity = t.changed;
        t.changed_by = caller;
    }

    long long open_chat(Task& t) {
        t.chat_id = next_chat_id++;
        chat_task[t.chat_id] = t.id;
        chats[t.chat_id].push_back(
            {next_message_id++, t.chat_id, 0, clock.now(), "Task created: " + t.title});
        return t.chat_id;
    }

    Task& create_task(const json::object& fields, long long caller, bool chat,
                      std::optional<std::string>& error) {
        Task t;
        t.id = next_task_id;
        t.created_by = caller;
        t.responsible_id = caller;
        t.changed_by = caller;
        t.status_changed_by = caller;
        t.created = t.changed = t.activity = t.status_changed = clock.now();
        error = apply_fields(t, fields, true, caller);
        static Task discarded;
        if (error) {
            discarded = t;
            return discarded;
        }
        t.status = 2;
        ++next_task_id;
        auto& stored = tasks[t.id] = std::move(t);
        if (chat || opts.new_card_default) {
            open_chat(stored);
        }
        return stored;
    }

    Outcome task_add(const json::object& params, const Call& call) {
        const auto* f = param(params, "fields");
        if (f == nullptr || !f->is_object()) {
            return missing("fields");
        }
        std::optional<std::string> error;
        auto& t = create_task(f->get_object(), call.user_id, false, error);
        if (error) {
            return Outcome::fail(400, "ERROR_CORE", *error);
        }
        task_event("ONTASKADD", t.id);
        return Outcome::of(json::object{{"task", task_json(t, {}, true)}});
    }

    Outcome task_get(const json::object& params, const Call& call) {
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

    Outcome task_update(const json::object& params, const Call& call) {
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

    // A status-change method: allowed source statuses, the target, who may do it.
    Outcome transition(const json::object& params, const Call& call, std::set<int> from, int to,
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

    Outcome task_start(const json::object& p, const Call& c) {
        return transition(p, c, {1, 2}, 3, false);
    }
    Outcome task_pause(const json::object& p, const Call& c) {
        return transition(p, c, {3}, 2, false);
    }
    Outcome task_defer(const json::object& p, const Call& c) {
        return transition(p, c, {1, 2, 3}, 6, false);
    }
    Outcome task_renew(const json::object& p, const Call& c) {
        return transition(p, c, {4, 5, 6}, 2, false);
    }
    Outcome task_approve(const json::object& p, const Call& c) {
        return transition(p, c, {4}, 5, true);
    }
    Outcome task_disapprove(const json::object& p, const Call& c) {
        return transition(p, c, {4}, 2, true);
    }

    Outcome task_complete(const json::object& params, const Call& call) {
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

    // One task against a tasks.task.list filter.
    bool task_matches(const Task& t, const json::object& filter) const {
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

    // Sort value comparison for tasks.task.list order keys; false if the key is unknown.
    static bool order_key_known(const std::string& k) {
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

    static int cmp_task(const Task& a, const Task& b, const std::string& k) {
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

    Outcome task_list(const json::object& params, const Call&) {
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

    // ---------------------------------------------------------------- comments

    // Positional binding of the legacy task.* methods: names are ignored, values bound in order.
    static std::vector<json::value> positional(const json::object& params) {
        std::vector<json::value> args;
        for (const auto& kv : params) {
            args.push_back(kv.value());
        }
        return args;
    }

    static Outcome core_error(const std::string& text) {
        return Outcome::fail(400, "ERROR_CORE", text);
    }

    static std::optional<Outcome> bind_task_id(const std::vector<json::value>& args,
                                               const std::string& method, long long& id) {
        if (args.empty()) {
            return not_given(0, "taskId", method);
        }
        if (!php::to_int(args[0], id)) {
            return core_error("TASKS_ERROR_EXCEPTION_#256; Param #0 (taskId) for method " + method +
                              "() expected to be of type \"integer\", but given something "
                              "else.; 256/TE/WRONG_ARGUMENTS<br>");
        }
        return std::nullopt;
    }

    static Outcome not_given(std::size_t i, const std::string& name, const std::string& method) {
        return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" + name +
                          ") expected by method " + method +
                          "(), but not given.; 256/TE/WRONG_ARGUMENTS<br>");
    }

    static std::optional<Outcome> bind_array(const std::vector<json::value>& args, std::size_t i,
                                             const std::string& method, const std::string& name) {
        if (i < args.size() && !args[i].is_object() && !args[i].is_array()) {
            return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" +
                              name + ") for method " + method +
                              "() expected to be of type \"array\", but given something "
                              "else.; 256/TE/WRONG_ARGUMENTS<br>");
        }
        return std::nullopt;
    }

    static Outcome too_many(const std::string& method) {
        return core_error("TASKS_ERROR_EXCEPTION_#256; Too many arguments for method " + method +
                          "(); 256/TE/WRONG_ARGUMENTS<br>");
    }

    static Outcome must_not_contain(std::size_t i, const std::string& name,
                                    const std::string& method, const std::string& key) {
        return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" + name +
                          ") for method " + method + "() must not contain key \"" + key +
                          "\".; 256/TE/WRONG_ARGUMENTS<br>");
    }

    // Appends a message to a task chat; returns its id.
    long long chat_post(Task& t, long long author, const std::string& text) {
        long long id = next_message_id++;
        chats[t.chat_id].push_back({id, t.chat_id, author, clock.now(), text});
        t.activity = clock.now();
        return id;
    }

    Outcome comment_add(const json::object& params, const Call& call) {
        const std::string m = "ctaskcommentitem::add";
        auto args = positional(params);
        long long id = 0;
        if (auto e = bind_task_id(args, m, id)) {
            return *e;
        }
        if (args.size() > 2) {
            return too_many(m);
        }
        if (args.size() < 2) {
            return not_given(1, "arFields", m);
        }
        if (auto e = bind_array(args, 1, m, "arFields")) {
            return *e;
        }
        json::object fields = args[1].is_object() ? args[1].get_object() : json::object();
        static const std::set<std::string> allowed = {"POST_MESSAGE", "AUTHOR_ID", "POST_DATE",
                                                      "UF_FORUM_MESSAGE_DOC"};
        for (const auto& kv : fields) {
            if (allowed.count(std::string(kv.key())) == 0) {
                return must_not_contain(1, "arFields", m, std::string(kv.key()));
            }
        }
        Task* t = task(id);
        if (t == nullptr) {
            return core_error("Insufficient permissions to add a comment.<br>");
        }
        std::string text =
            fields.contains("POST_MESSAGE") ? php::to_string(fields.at("POST_MESSAGE")) : "";
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
            return core_error("Comment text not specified<br>");
        }
        long long author = call.user_id;
        if (fields.contains("AUTHOR_ID")) {
            long long a = 0;
            if (!php::to_int(fields.at("AUTHOR_ID"), a) || user(a) == nullptr) {
                return core_error("Author not found.<br>");
            }
            author = a;
        }
        if (t->chat_id != 0) {
            long long msg = chat_post(*t, author, text);
            comment_event(0, t->id, msg);
            return Outcome::of(msg);
        }
        Comment c{next_comment_id++, author, clock.now(), text};
        if (fields.contains("POST_DATE")) {
            time_point d;
            if (bitrix_dates::parse(php::to_string(fields.at("POST_DATE")), d)) {
                c.date = d;
            }
        }
        t->comments.push_back(c);
        t->activity = clock.now();
        comment_event(c.id, t->id, 0);
        return Outcome::of(c.id);
    }

    json::object comment_json(const Comment& c) const {
        json::object o;
        o["ID"] = std::to_string(c.id);
        o["AUTHOR_ID"] = std::to_string(c.author_id);
        o["AUTHOR_NAME"] = user_name(c.author_id);
        const auto* u = user(c.author_id);
        o["AUTHOR_EMAIL"] =
            u != nullptr && u->contains("EMAIL") ? php::to_string(u->at("EMAIL")) : "";
        o["POST_DATE"] = bitrix_dates::format_iso(c.date);
        o["POST_MESSAGE"] = c.text;
        o["POST_MESSAGE_HTML"] = nullptr;
        o["ATTACHED_OBJECTS"] = json::object();
        return o;
    }

    Outcome comment_getlist(const json::object& params, const Call&) {
        const std::string m = "ctaskcommentitem::getlist";
        auto args = positional(params);
        long long id = 0;
        if (auto e = bind_task_id(args, m, id)) {
            return *e;
        }
        if (args.size() > 3) {
            return too_many(m);
        }
        if (auto e = bind_array(args, 1, m, "arOrder")) {
            return *e;
        }
        if (auto e = bind_array(args, 2, m, "arFilter")) {
            return *e;
        }
        static const std::set<std::string> order_keys = {"ID", "AUTHOR_ID", "AUTHOR_NAME",
                                                         "AUTHOR_EMAIL", "POST_DATE"};
        static const std::set<std::string> filter_keys = {"ID", "AUTHOR_ID", "AUTHOR_NAME",
                                                          "POST_DATE"};
        std::vector<std::pair<std::string, bool>> order;
        if (args.size() > 1 && args[1].is_object()) {
            for (const auto& kv : args[1].get_object()) {
                if (order_keys.count(std::string(kv.key())) == 0) {
                    return must_not_contain(1, "arOrder", m, std::string(kv.key()));
                }
                order.emplace_back(std::string(kv.key()),
                                   lower(php::to_string(kv.value())) == "desc");
            }
        }
        json::object filter;
        if (args.size() > 2 && args[2].is_object()) {
            for (const auto& kv : args[2].get_object()) {
                // Only the plain name and the `! < <= > >=` prefixes are accepted here.
                std::string key(kv.key());
                std::size_t skip = 0;
                for (const char* op : {"<=", ">=", "!", "<", ">"}) {
                    std::string_view o(op);
                    if (key.compare(0, o.size(), o) == 0) {
                        skip = o.size();
                        break;
                    }
                }
                if (filter_keys.count(key.substr(skip)) == 0) {
                    return must_not_contain(2, "arFilter", m, std::string(kv.key()));
                }
            }
            filter = args[2].get_object();
        }
        Task* t = task(id);
        if (t == nullptr) {
            return core_error(
                "TASKS_ERROR_EXCEPTION_#8; Action failed; 8/TE/ACTION_FAILED_TO_BE_PROCESSED<br>");
        }
        if (t->chat_id != 0) {
            return core_error(
                "TASKS_ERROR_EXCEPTION_#256; Comments of this task are in its chat; use "
                "im.dialog.messages.get with DIALOG_ID=chat" +
                std::to_string(t->chat_id) + "; 256/TE/WRONG_ARGUMENTS<br>");
        }
        if (order.empty()) {
            order.emplace_back("ID", true);
        }
        std::vector<const Comment*> rows;
        for (const auto& c : t->comments) {
            bool ok = true;
            for (const auto& kv : filter) {
                auto fk = split_filter_key(kv.key());
                if (fk.field == "ID") {
                    ok = match_number(c.id, kv.value(), fk.op);
                } else if (fk.field == "AUTHOR_ID") {
                    ok = match_number(c.author_id, kv.value(), fk.op);
                } else if (fk.field == "AUTHOR_NAME") {
                    ok = match_string(user_name(c.author_id), kv.value(), fk.op);
                } else if (fk.field == "POST_DATE") {
                    ok = match_date(c.date, kv.value(), fk.op);
                }
                if (!ok) {
                    break;
                }
            }
            if (ok) {
                rows.push_back(&c);
            }
        }
        std::stable_sort(rows.begin(), rows.end(), [&](const Comment* a, const Comment* b) {
            for (const auto& [k, desc] : order) {
                int c = 0;
                if (k == "ID") {
                    c = a->id < b->id ? -1 : (a->id > b->id ? 1 : 0);
                } else if (k == "AUTHOR_ID") {
                    c = a->author_id < b->author_id ? -1 : (a->author_id > b->author_id ? 1 : 0);
                } else if (k == "POST_DATE") {
                    c = a->date < b->date ? -1 : (a->date > b->date ? 1 : 0);
                } else {
                    auto x = k == "AUTHOR_NAME" ? user_name(a->author_id) : std::string();
                    auto y = k == "AUTHOR_NAME" ? user_name(b->author_id) : std::string();
                    c = x < y ? -1 : (y < x ? 1 : 0);
                }
                if (c != 0) {
                    return desc ? c > 0 : c < 0;
                }
            }
            return a->id < b->id;
        });
        json::array out;
        for (const auto* c : rows) {
            out.push_back(comment_json(*c));
        }
        return Outcome::of(std::move(out));
    }

    // ---------------------------------------------------------------- im

    static const json::value* upper_param(const json::object& params, std::string_view name) {
        return param(params, name);
    }

    json::object im_user(long long id) const {
        json::object o;
        const auto* u = user(id);
        o["id"] = id;
        o["name"] = user_name(id);
        o["first_name"] = u != nullptr && u->contains("NAME") ? php::to_string(u->at("NAME")) : "";
        o["last_name"] =
            u != nullptr && u->contains("LAST_NAME") ? php::to_string(u->at("LAST_NAME")) : "";
        o["work_position"] = "";
        o["color"] = "#df532d";
        o["avatar"] = "";
        o["gender"] = "M";
        o["birthday"] = "";
        o["extranet"] = false;
        o["network"] = false;
        o["bot"] = false;
        o["connector"] = false;
        o["external_auth_id"] = "default";
        o["status"] = "online";
        o["idle"] = false;
        o["last_activity_date"] = bitrix_dates::format_iso(clock.now());
        o["mobile_last_date"] = false;
        o["absent"] = false;
        json::array deps;
        if (u != nullptr && u->contains("UF_DEPARTMENT")) {
            for (const auto& d : php::list_values(u->at("UF_DEPARTMENT"))) {
                long long n = 0;
                if (php::to_int(d, n)) {
                    deps.push_back(n);
                }
            }
        }
        o["departments"] = std::move(deps);
        o["phones"] = false;
        o["email"] = u != nullptr && u->contains("EMAIL") ? php::to_string(u->at("EMAIL")) : "";
        return o;
    }

    bool chat_member(const Task& t, long long uid) const {
        return uid == t.created_by || uid == t.responsible_id ||
               std::find(t.auditors.begin(), t.auditors.end(), uid) != t.auditors.end() ||
               std::find(t.accomplices.begin(), t.accomplices.end(), uid) != t.accomplices.end();
    }

    Outcome dialog_messages_get(const json::object& params, const Call& call) {
        const auto* d = upper_param(params, "DIALOG_ID");
        std::string dialog = d != nullptr ? php::to_string(*d) : std::string();
        if (dialog.empty()) {
            return Outcome::fail(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty");
        }
        std::vector<ChatMessage> source;
        long long chat_id = 0;
        if (lower(dialog).rfind("chat", 0) == 0) {
            long long n = 0;
            auto it =
                php::to_int(json::value(dialog.substr(4)), n) ? chat_task.find(n) : chat_task.end();
            if (it == chat_task.end()) {
                return Outcome::fail(400, "ACCESS_ERROR",
                                     "You do not have access to the specified dialog");
            }
            const Task* t = task(it->second);
            if (t == nullptr || !chat_member(*t, call.user_id)) {
                return Outcome::fail(400, "ACCESS_ERROR",
                                     "You do not have access to the specified dialog");
            }
            chat_id = n;
            source = chats[n];
        } else {
            long long other = 0;
            if (!php::to_int(json::value(dialog), other) || user(other) == nullptr) {
                return Outcome::fail(400, "USER_NOT_FOUND", "User not found");
            }
            // A private dialog: the messages between the caller and that user.
            chat_id = 1000 + std::min(other, call.user_id) * 1000 + std::max(other, call.user_id);
            for (const auto& m : im_messages) {
                if (m.chat_id != 0) {
                    continue;
                }
                long long to = 0;
                php::to_int(json::value(m.dialog_id), to);
                if ((m.from_user_id == call.user_id && to == other) ||
                    (m.from_user_id == other && to == call.user_id)) {
                    source.push_back({m.id, chat_id, m.from_user_id, m.date, m.message});
                }
            }
        }
        long long limit = 20;
        if (const auto* l = upper_param(params, "LIMIT")) {
            php::to_int(*l, limit);
        }
        limit = std::clamp(limit, 1LL, 50LL);
        long long last_id = 0;
        long long first_id = 0;
        if (const auto* v = upper_param(params, "LAST_ID")) {
            php::to_int(*v, last_id);
        }
        if (const auto* v = upper_param(params, "FIRST_ID")) {
            php::to_int(*v, first_id);
        }
        std::vector<const ChatMessage*> picked;
        if (first_id > 0) {
            // Newer than FIRST_ID, oldest first.
            for (const auto& m : source) {
                if (m.id > first_id && static_cast<long long>(picked.size()) < limit) {
                    picked.push_back(&m);
                }
            }
        } else {
            // The newest (older than LAST_ID when given), newest first.
            for (auto it = source.rbegin(); it != source.rend(); ++it) {
                if ((last_id == 0 || it->id < last_id) &&
                    static_cast<long long>(picked.size()) < limit) {
                    picked.push_back(&*it);
                }
            }
        }
        json::array messages;
        std::set<long long> authors;
        for (const auto* m : picked) {
            json::object o;
            o["id"] = m->id;
            o["chat_id"] = m->chat_id;
            o["author_id"] = m->author_id;
            o["date"] = bitrix_dates::format_iso(m->date);
            o["text"] = m->text;
            o["unread"] = false;
            o["uuid"] = nullptr;
            o["replaces"] = json::array();
            o["params"] = json::array();
            messages.push_back(std::move(o));
            if (m->author_id != 0) {
                authors.insert(m->author_id);
            }
        }
        json::array users_out;
        for (auto a : authors) {
            users_out.push_back(im_user(a));
        }
        return Outcome::of(json::object{{"chat_id", chat_id},
                                        {"messages", std::move(messages)},
                                        {"users", std::move(users_out)}});
    }

    Outcome im_message_add(const json::object& params, const Call& call) {
        const auto* d = upper_param(params, "DIALOG_ID");
        std::string dialog = d != nullptr ? php::to_string(*d) : std::string();
        if (dialog.empty()) {
            return Outcome::fail(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty");
        }
        const auto* msg = upper_param(params, "MESSAGE");
        std::string text = msg != nullptr ? php::to_string(*msg) : std::string();
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
            return Outcome::fail(400, "MESSAGE_EMPTY", "Message can't be empty");
        }
        const auto* sys = upper_param(params, "SYSTEM");
        ImMessage m;
        m.from_user_id = call.user_id;
        m.dialog_id = dialog;
        m.message = text;
        m.system = sys != nullptr && truthy(*sys);
        m.date = clock.now();
        if (lower(dialog).rfind("chat", 0) == 0) {
            long long n = 0;
            auto it =
                php::to_int(json::value(dialog.substr(4)), n) ? chat_task.find(n) : chat_task.end();
            if (it == chat_task.end()) {
                return Outcome::fail(400, "CHAT_ID", "Chat ID can't be empty");
            }
            Task* t = task(it->second);
            if (t == nullptr || !chat_member(*t, call.user_id)) {
                return Outcome::fail(400, "ACCESS_ERROR", "You do not have access to this chat");
            }
            m.chat_id = n;
            m.id = chat_post(*t, m.system ? 0 : call.user_id, text);
            im_messages.push_back(m);
            comment_event(0, t->id, m.id);
            return Outcome::of(m.id);
        }
        long long to = 0;
        if (!php::to_int(json::value(dialog), to) || user(to) == nullptr) {
            return Outcome::fail(400, "USER_NOT_FOUND", "User not found");
        }
        m.id = next_message_id++;
        im_messages.push_back(m);
        return Outcome::of(m.id);
    }

    Outcome notify(const json::object& params, const Call& call, const std::string& type) {
        const auto* u = upper_param(params, "USER_ID");
        long long to = 0;
        if (u == nullptr || php::to_string(*u).empty()) {
            return Outcome::fail(400, "USER_ID_EMPTY", "Recipient ID can't be empty");
        }
        const auto* msg = upper_param(params, "MESSAGE");
        std::string text = msg != nullptr ? php::to_string(*msg) : std::string();
        auto b = text.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) {
            return Outcome::fail(400, "MESSAGE_EMPTY", "Message can't be empty");
        }
        text = text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
        if (!php::to_int(*u, to) || user(to) == nullptr) {
            return Outcome::of(false);
        }
        Notification n;
        n.id = next_notification_id++;
        n.type = type;
        n.user_id = to;
        n.from_user_id = type == "personal" ? call.user_id : 0;
        n.message = text;
        auto get = [&](const char* k) {
            const auto* v = upper_param(params, k);
            return v != nullptr ? php::to_string(*v) : std::string();
        };
        n.message_out = get("MESSAGE_OUT");
        n.tag = get("TAG");
        n.sub_tag = get("SUB_TAG");
        n.date = clock.now();
        notifications.push_back(n);
        return Outcome::of(n.id);
    }

    Outcome notify_personal_add(const json::object& p, const Call& c) {
        return notify(p, c, "personal");
    }
    Outcome notify_system_add(const json::object& p, const Call& c) {
        return notify(p, c, "system");
    }

    // ---------------------------------------------------------------- users and departments

    static json::value user_field(const json::object& u, const std::string& key) {
        auto it = u.find(key);
        return it == u.end() ? json::value() : it->value();
    }

    json::object user_out(const json::object& u) const {
        json::object o;
        o["ID"] = php::to_string(user_field(u, "ID"));
        o["XML_ID"] = nullptr;
        o["ACTIVE"] = u.contains("ACTIVE") ? truthy(u.at("ACTIVE")) : true;
        o["NAME"] = php::to_string(user_field(u, "NAME"));
        o["LAST_NAME"] = php::to_string(user_field(u, "LAST_NAME"));
        o["SECOND_NAME"] = php::to_string(user_field(u, "SECOND_NAME"));
        o["EMAIL"] = php::to_string(user_field(u, "EMAIL"));
        o["LAST_LOGIN"] = bitrix_dates::format_iso(clock.now());
        o["DATE_REGISTER"] = "2024-01-15T00:00:00-06:00";
        o["IS_ONLINE"] = "N";
        o["TIME_ZONE_OFFSET"] = "0";
        o["PERSONAL_GENDER"] = "";
        o["WORK_POSITION"] = php::to_string(user_field(u, "WORK_POSITION"));
        json::array deps;
        for (const auto& d : php::list_values(user_field(u, "UF_DEPARTMENT"))) {
            long long n = 0;
            if (php::to_int(d, n)) {
                deps.push_back(n);
            }
        }
        o["UF_DEPARTMENT"] = std::move(deps);
        o["USER_TYPE"] = u.contains("USER_TYPE") ? php::to_string(u.at("USER_TYPE")) : "employee";
        return o;
    }

    // One record (already in output shape) against user.get / department.get filter keys.
    static bool record_matches(const json::object& rec, const json::object& filter,
                               bool missing_fails) {
        for (const auto& kv : filter) {
            auto fk = split_filter_key(kv.key());
            std::string f = fk.field;
            if (f == "NAME_SEARCH" || f == "FIND") {
                std::string hay = php::to_string(user_field(rec, "NAME")) + " " +
                                  php::to_string(user_field(rec, "LAST_NAME")) + " " +
                                  php::to_string(user_field(rec, "EMAIL"));
                if (!icontains(hay, php::to_string(kv.value()))) {
                    return false;
                }
                continue;
            }
            auto it = rec.find(f);
            if (it == rec.end()) {
                // user.get ignores keys it does not know; a department without a PARENT or
                // UF_HEAD matches only a negated test.
                if (missing_fails && !negated(fk.op)) {
                    return false;
                }
                continue;
            }
            const auto& actual = it->value();
            bool ok = true;
            if (actual.is_bool()) {
                bool want = truthy(kv.value());
                ok = (actual.get_bool() == want) != negated(fk.op);
            } else if (actual.is_array()) {
                // UF_DEPARTMENT: any of the record's values among the wanted ones.
                ok = match_any(kv.value(), fk.op, [&](const json::value& w) {
                    long long n = 0;
                    if (!php::to_int(w, n)) {
                        return false;
                    }
                    for (const auto& e : actual.get_array()) {
                        long long m = 0;
                        if (php::to_int(e, m) && m == n) {
                            return true;
                        }
                    }
                    return false;
                });
            } else {
                long long a = 0;
                if (php::to_int(actual, a) && (fk.op.find('%') == std::string::npos)) {
                    ok = match_number(a, kv.value(), fk.op);
                } else {
                    std::string s = php::to_string(actual);
                    ok = fk.op.find('%') != std::string::npos
                             ? match_string(s, kv.value(), fk.op)
                             : match_any(kv.value(), fk.op, [&](const json::value& w) {
                                   std::string ws = php::to_string(w);
                                   return lower(s) == lower(ws);
                               });
                }
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // Sorts and pages records for user.get / department.get (both page by 50).
    static Outcome list_records(std::vector<json::object> rows, const std::string& sort, bool desc,
                                long long start) {
        if (!sort.empty()) {
            std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
                auto x = user_field(a, sort);
                auto y = user_field(b, sort);
                long long xi = 0;
                long long yi = 0;
                bool less = php::to_int(x, xi) && php::to_int(y, yi)
                                ? xi < yi
                                : php::to_string(x) < php::to_string(y);
                bool more = php::to_int(x, xi) && php::to_int(y, yi)
                                ? yi < xi
                                : php::to_string(y) < php::to_string(x);
                return desc ? more : less;
            });
        }
        std::size_t offset = start > 0 ? static_cast<std::size_t>(start) : 0;
        json::array out;
        for (std::size_t i = offset; i < rows.size() && i < offset + page_size; ++i) {
            out.push_back(rows[i]);
        }
        Outcome res = Outcome::of(std::move(out));
        res.total = static_cast<long long>(rows.size());
        if (offset + page_size < rows.size()) {
            res.next = static_cast<long long>(offset + page_size);
        }
        return res;
    }

    Outcome user_get(const json::object& params, const Call&) {
        static const std::set<std::string> reserved = {
            "SORT", "ORDER", "FILTER", "ADMIN_MODE", "SELECT", "IMAGE_RESIZE", "START"};
        json::object filter;
        for (const auto& kv : params) {
            if (reserved.count(upper(kv.key())) == 0) {
                filter[kv.key()] = kv.value();
            }
        }
        if (const auto* f = param(params, "FILTER"); f != nullptr && f->is_object()) {
            for (const auto& kv : f->get_object()) {
                filter[kv.key()] = kv.value();
            }
        }
        std::vector<json::object> rows;
        for (const auto& u : users) {
            auto o = user_out(u);
            if (record_matches(o, filter, false)) {
                rows.push_back(std::move(o));
            }
        }
        std::string sort = "ID";
        if (const auto* s = param(params, "sort")) {
            sort = upper(php::to_string(*s));
        }
        bool desc = false;
        if (const auto* o = param(params, "order")) {
            desc = lower(php::to_string(*o)) == "desc";
        }
        long long start = 0;
        if (const auto* s = param(params, "start")) {
            php::to_int(*s, start);
        }
        return list_records(std::move(rows), sort, desc, start);
    }

    Outcome user_current(const json::object&, const Call& call) {
        const auto* u = user(call.user_id);
        if (u == nullptr) {
            return Outcome::fail(401, "NO_AUTH_FOUND", "Wrong authorization data");
        }
        return Outcome::of(user_out(*u));
    }

    json::object department_out(const json::object& d) const {
        json::object o;
        o["ID"] = php::to_string(user_field(d, "ID"));
        o["NAME"] = php::to_string(user_field(d, "NAME"));
        long long sort = 500;
        if (d.contains("SORT")) {
            php::to_int(d.at("SORT"), sort);
        }
        o["SORT"] = sort;
        auto parent = user_field(d, "PARENT");
        if (!parent.is_null()) {
            o["PARENT"] = php::to_string(parent);
        }
        auto head = user_field(d, "UF_HEAD");
        if (!head.is_null() && !php::to_string(head).empty()) {
            o["UF_HEAD"] = php::to_string(head);
        }
        return o;
    }

    Outcome department_get(const json::object& params, const Call&) {
        static const std::set<std::string> keys = {"ID", "NAME", "SORT", "PARENT", "UF_HEAD"};
        json::object filter;
        for (const auto& kv : params) {
            auto fk = split_filter_key(kv.key());
            if (keys.count(fk.field) != 0) {
                filter[kv.key()] = kv.value();
            }
        }
        std::vector<json::object> rows;
        for (const auto& d : departments) {
            auto o = department_out(d);
            if (record_matches(o, filter, true)) {
                rows.push_back(std::move(o));
            }
        }
        std::string sort = "SORT";
        if (const auto* s = param(params, "sort")) {
            sort = upper(php::to_string(*s));
        }
        bool desc = false;
        if (const auto* o = param(params, "order")) {
            desc = lower(php::to_string(*o)) == "desc";
        }
        long long start = 0;
        if (const auto* s = param(params, "START")) {
            php::to_int(*s, start);
        }
        return list_records(std::move(rows), sort, desc, start);
    }

    // ---------------------------------------------------------------- batch

    // PHP's `(bool)` of a request value: "", "0", 0, false and null are false.
    static bool php_bool(const json::value& v) {
        if (v.is_string()) {
            return !(v.get_string().empty() || v.get_string() == "0");
        }
        if (v.is_bool()) {
            return v.get_bool();
        }
        long long n = 0;
        return php::to_int(v, n) ? n != 0 : !v.is_null();
    }

    // The references batch understands, as CRestUtil::processBatchElement does: `$` + one of
    // the result arrays (result, next, total, time, error; any case) + everything up to the
    // next whitespace, whose `[key]` groups are walked one by one; a missing key stops the
    // walk where it is. A reference that is the whole value becomes the value found (any
    // type); inside a longer string only a string or number is spliced in.
    static json::value resolve_element(const std::string& s, const json::object& results) {
        static const char* names[] = {"result", "next", "total", "time", "error"};
        std::string out = s;
        std::size_t pos = 0;
        while (true) {
            auto dollar = out.find('$', pos);
            if (dollar == std::string::npos) {
                break;
            }
            const char* which = nullptr;
            for (const char* n : names) {
                std::string_view nv(n);
                if (lower(std::string_view(out).substr(dollar + 1, nv.size())) == nv) {
                    which = n;
                    break;
                }
            }
            if (which == nullptr) {
                pos = dollar + 1;
                continue;
            }
            auto end = out.find_first_of(" \t\r\n\f\v", dollar);
            if (end == std::string::npos) {
                end = out.size();
            }
            std::string match = out.substr(dollar, end - dollar);
            std::string path = match.substr(std::string_view(which).size() + 1);
            std::vector<std::string> keys;
            for (std::size_t p = 0; (p = path.find('[', p)) != std::string::npos;) {
                auto close = path.find(']', p + 1);
                if (close == std::string::npos) {
                    break;
                }
                if (close > p + 1) {
                    keys.push_back(path.substr(p + 1, close - p - 1));
                }
                p = close + 1;
            }
            if (keys.empty()) {
                pos = end;
                continue;
            }
            const json::value* r = &results.at(which);
            for (const auto& key : keys) {
                const json::value* next = nullptr;
                if (r->is_object()) {
                    next = r->get_object().if_contains(key);
                } else if (r->is_array()) {
                    long long idx = 0;
                    const auto& arr = r->get_array();
                    if (php::to_int(json::value(key), idx) && idx >= 0 &&
                        static_cast<std::size_t>(idx) < arr.size()) {
                        next = &arr[static_cast<std::size_t>(idx)];
                    }
                }
                if (next == nullptr || next->is_null()) {
                    break;  // PHP: isset() failed, keep what was found so far
                }
                r = next;
            }
            if (match == s) {
                return *r;
            }
            if (!r->is_string() && !r->is_number()) {
                pos = end;  // an array cannot be spliced into text: left as written
                continue;
            }
            std::string text = php::to_string(*r);
            out.replace(dollar, match.size(), text);
            pos = dollar + text.size();
        }
        return json::string(out);
    }

    static json::value substitute(const json::value& v, const json::object& results) {
        if (v.is_object()) {
            json::object o;
            for (const auto& kv : v.get_object()) {
                o[kv.key()] = substitute(kv.value(), results);
            }
            return o;
        }
        if (v.is_array()) {
            json::array a;
            for (const auto& e : v.get_array()) {
                a.push_back(substitute(e, results));
            }
            return a;
        }
        if (!v.is_string()) {
            return v;
        }
        return resolve_element(std::string(v.get_string()), results);
    }

    // batch: always HTTP 200; each command's failure (including the 51st and later, and a
    // nested batch) lands in result_error, and `halt` stops at the first one.
    Outcome batch(const json::object& params, const Call& call) {
        const auto* cmd = param(params, "cmd");
        const auto* h = param(params, "halt");
        bool halt = h != nullptr && php_bool(*h);
        std::vector<std::pair<std::string, std::string>> commands;
        if (cmd != nullptr && cmd->is_object()) {
            for (const auto& kv : cmd->get_object()) {
                if (kv.value().is_string()) {
                    commands.emplace_back(std::string(kv.key()),
                                          std::string(kv.value().get_string()));
                }
            }
        } else if (cmd != nullptr && cmd->is_array()) {
            const auto& a = cmd->get_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (a[i].is_string()) {
                    commands.emplace_back(std::to_string(i), std::string(a[i].get_string()));
                }
            }
        }
        using Items = std::vector<std::pair<std::string, json::value>>;
        Items result;
        Items result_error;
        Items result_total;
        Items result_next;
        Items result_time;
        json::object refs{{"result", json::object()},
                          {"next", json::object()},
                          {"total", json::object()},
                          {"time", json::object()},
                          {"error", json::object()}};
        Call inner = call;
        inner.in_batch = true;
        std::size_t count = 0;
        for (const auto& [name, text] : commands) {
            auto q = text.find('?');
            std::string method = method_name(text.substr(0, q));
            Outcome out;
            json::object time;
            if (count++ >= batch_cap) {
                out =
                    Outcome::fail(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded");
            } else if (method == "batch") {
                out = Outcome::fail(405, "ERROR_BATCH_METHOD_NOT_ALLOWED",
                                    "Method is not allowed for batch usage");
            } else {
                json::object sub;
                php::parse_str(q == std::string::npos ? std::string() : text.substr(q + 1), sub);
                sub.erase("auth");
                json::object resolved = substitute(sub, refs).as_object();
                ++batch_calls[method];
                out = run(method, resolved, inner, clock.unix_seconds(), time);
                result_time.emplace_back(name, time);
                refs["time"].as_object()[name] = time;
            }
            if (!out.ok()) {
                auto err = error_body(out.error, out.description);
                result_error.emplace_back(name, err);
                refs["error"].as_object()[name] = err;
                if (halt) {
                    break;
                }
                continue;
            }
            result.emplace_back(name, out.result);
            refs["result"].as_object()[name] = out.result;
            if (out.total) {
                result_total.emplace_back(name, *out.total);
                refs["total"].as_object()[name] = *out.total;
            }
            if (out.next) {
                result_next.emplace_back(name, *out.next);
                refs["next"].as_object()[name] = *out.next;
            }
        }
        json::object r;
        r["result"] = php::php_array(result);
        r["result_error"] = php::php_array(result_error);
        r["result_total"] = php::php_array(result_total);
        r["result_next"] = php::php_array(result_next);
        r["result_time"] = php::php_array(result_time);
        return Outcome::of(std::move(r));
    }

    // ---------------------------------------------------------------- seeding and state

    void seed(const json::value& portal_json, const std::vector<json::value>& requests) {
        if (portal_json.is_object()) {
            const auto& p = portal_json.get_object();
            if (auto it = p.find("portal"); it != p.end()) {
                portal = php::to_string(it->value());
            }
            if (auto it = p.find("webhook"); it != p.end() && it->value().is_object()) {
                const auto& w = it->value().get_object();
                if (w.contains("user_id")) {
                    php::to_int(w.at("user_id"), webhook_user);
                }
                if (w.contains("secret")) {
                    webhook_secret = php::to_string(w.at("secret"));
                }
            }
            if (auto it = p.find("outgoing_application_token"); it != p.end()) {
                app_token = php::to_string(it->value());
            }
            long long oauth_user = webhook_user;
            std::string first_refresh = "sandbox-refresh-token";
            if (auto it = p.find("oauth_app"); it != p.end() && it->value().is_object()) {
                const auto& a = it->value().get_object();
                if (a.contains("client_id")) {
                    oauth_client_id = php::to_string(a.at("client_id"));
                }
                if (a.contains("client_secret")) {
                    oauth_client_secret = php::to_string(a.at("client_secret"));
                }
                if (a.contains("refresh_token")) {
                    first_refresh = php::to_string(a.at("refresh_token"));
                }
                if (a.contains("user_id")) {
                    php::to_int(a.at("user_id"), oauth_user);
                }
            }
            refresh_tokens[first_refresh] =
                Token{oauth_user, clock.now() + std::chrono::hours(24 * 180)};
            if (auto it = p.find("event_url"); it != p.end()) {
                event_url = php::to_string(it->value());
            }
            auto load = [&](const char* key, std::vector<json::object>& into) {
                auto it = p.find(key);
                if (it == p.end()) {
                    return;
                }
                for (const auto& v : php::list_values(it->value())) {
                    if (!v.is_object() || !v.get_object().contains("ID")) {
                        continue;
                    }
                    // Seeding the same portal again replaces records with the same ID.
                    auto id = php::to_string(v.get_object().at("ID"));
                    auto same = std::find_if(into.begin(), into.end(), [&](const auto& o) {
                        return php::to_string(o.at("ID")) == id;
                    });
                    if (same != into.end()) {
                        *same = v.get_object();
                    } else {
                        into.push_back(v.get_object());
                    }
                }
            };
            load("users", users);
            load("departments", departments);
            load("projects", projects);
            if (auto it = p.find("approvers"); it != p.end()) {
                for (const auto& v : php::list_values(it->value())) {
                    long long n = 0;
                    if (php::to_int(v, n)) {
                        approvers.push_back(n);
                    }
                }
            }
        }
        for (const auto& r : requests) {
            if (!r.is_object()) {
                continue;
            }
            json::object fields;
            bool chat = false;
            for (const auto& kv : r.get_object()) {
                if (kv.key() == "expect") {
                    continue;
                }
                if (kv.key() == "CHAT") {
                    chat = truthy(kv.value());
                    continue;
                }
                fields[kv.key()] = kv.value();
            }
            long long creator = webhook_user;
            if (fields.contains("CREATED_BY")) {
                php::to_int(fields.at("CREATED_BY"), creator);
            }
            std::optional<std::string> error;
            create_task(fields, creator, chat, error);
            if (error) {
                // A request that names an unknown user or project is still loaded, bare.
                json::object bare{{"TITLE", fields.contains("TITLE") ? fields.at("TITLE")
                                                                     : json::value("(untitled)")}};
                create_task(bare, creator, chat, error);
            }
        }
    }

    json::value state() {
        json::object s;
        s["portal"] = portal;
        s["webhook"] = json::object{{"user_id", webhook_user}, {"path", webhook_path()}};
        s["event_target"] = event_url;
        json::array us;
        for (const auto& u : users) {
            us.push_back(user_out(u));
        }
        s["users"] = std::move(us);
        json::array ds;
        for (const auto& d : departments) {
            ds.push_back(department_out(d));
        }
        s["departments"] = std::move(ds);
        json::array ps;
        for (const auto& p : projects) {
            ps.push_back(p);
        }
        s["projects"] = std::move(ps);
        json::array approvers_out;
        for (auto a : approvers) {
            approvers_out.push_back(a);
        }
        s["approvers"] = std::move(approvers_out);
        json::array ts;
        for (auto& [id, t] : tasks) {
            auto o = task_json(t, {}, true);
            json::array cs;
            for (const auto& c : t.comments) {
                cs.push_back(comment_json(c));
            }
            o["comments"] = std::move(cs);
            json::array ms;
            if (t.chat_id != 0) {
                for (const auto& m : chats[t.chat_id]) {
                    ms.push_back(json::object{{"id", m.id},
                                              {"author_id", m.author_id},
                                              {"date", bitrix_dates::format_iso(m.date)},
                                              {"text", m.text}});
                }
            }
            o["chat_messages"] = std::move(ms);
            ts.push_back(std::move(o));
        }
        s["tasks"] = std::move(ts);
        json::array ns;
        for (const auto& n : notifications) {
            ns.push_back(json::object{{"id", n.id},
                                      {"type", n.type},
                                      {"user_id", n.user_id},
                                      {"from_user_id", n.from_user_id},
                                      {"message", n.message},
                                      {"message_out", n.message_out},
                                      {"tag", n.tag},
                                      {"sub_tag", n.sub_tag},
                                      {"date", bitrix_dates::format_iso(n.date)}});
        }
        s["notifications"] = std::move(ns);
        json::array ims;
        for (const auto& m : im_messages) {
            ims.push_back(json::object{{"id", m.id},
                                       {"from_user_id", m.from_user_id},
                                       {"dialog_id", m.dialog_id},
                                       {"chat_id", m.chat_id},
                                       {"message", m.message},
                                       {"system", m.system},
                                       {"date", bitrix_dates::format_iso(m.date)}});
        }
        s["im_messages"] = std::move(ims);
        s["options"] =
            json::object{{"bucket_burst", opts.bucket_burst},
                         {"bucket_drain_per_sec", opts.bucket_drain_per_sec},
                         {"operating_limit", opts.operating_limit},
                         {"operating_limit_seconds", opts.operating_limit_seconds},
                         {"operating_cost_seconds", opts.operating_cost_seconds},
                         {"new_card_default", opts.new_card_default},
                         {"wrong_secret_no_auth_found", opts.wrong_secret_no_auth_found},
                         {"oauth_access_lifetime_seconds", opts.oauth_access_lifetime_seconds}};
        // The level as it is now, drained to the current clock without admitting a request.
        double elapsed = std::chrono::duration<double>(clock.now() - bucket_at).count();
        s["bucket"] = json::object{
            {"level",
             std::max(0.0, bucket_level - std::max(0.0, elapsed) * opts.bucket_drain_per_sec)},
            {"burst", opts.bucket_burst},
            {"drain_per_sec", opts.bucket_drain_per_sec}};
        json::object cs;
        for (const auto& [m, n] : calls) {
            cs[m] = n;
        }
        json::object bcs;
        for (const auto& [m, n] : batch_calls) {
            bcs[m] = n;
        }
        s["calls"] = std::move(cs);
        s["batch_calls"] = std::move(bcs);
        s["oauth"] =
            json::object{{"client_id", oauth_client_id},
                         {"refreshes", oauth_refreshes},
                         {"live_access_tokens", static_cast<long long>(tokens.size())},
                         {"live_refresh_tokens", static_cast<long long>(refresh_tokens.size())}};
        s["requests_total"] = requests_total;
        s["rejected"] =
            json::object{{"bucket", rejected_bucket}, {"operating", rejected_operating}};
        s["events"] = json::object{{"raised", events_raised},
                                   {"pending", static_cast<long long>(outgoing.size())}};
        return s;
    }

    std::string webhook_path() const {
        return "/rest/" + std::to_string(webhook_user) + "/" + webhook_secret + "/";
    }
};

// ---------------------------------------------------------------------------------------

BitrixEmulator::BitrixEmulator(Clock& clock) : impl_(std::make_unique<Impl>(clock)) {}
BitrixEmulator::~BitrixEmulator() = default;

void BitrixEmulator::configure(const BitrixOptions& options) {
    impl_->opts = options;
}
BitrixOptions BitrixEmulator::options() const {
    return impl_->opts;
}

void BitrixEmulator::seed(const boost::json::value& portal,
                          const std::vector<boost::json::value>& requests) {
    impl_->seed(portal, requests);
}

void BitrixEmulator::reset() {
    impl_->clear();
}

Response BitrixEmulator::handle(const Request& request) {
    return impl_->handle(request);
}

boost::json::value BitrixEmulator::state() const {
    return impl_->state();
}

void BitrixEmulator::set_event_target(std::string url) {
    impl_->event_url = std::move(url);
}
std::string BitrixEmulator::event_target() const {
    return impl_->event_url;
}

std::vector<std::string> BitrixEmulator::take_outgoing_events() {
    std::vector<std::string> out(impl_->outgoing.begin(), impl_->outgoing.end());
    impl_->outgoing.clear();
    return out;
}

std::string BitrixEmulator::webhook_path() const {
    return impl_->webhook_path();
}

std::string BitrixEmulator::issue_oauth_token(long long user_id, std::chrono::seconds lifetime) {
    std::string token = impl_->mint("acc");
    impl_->tokens[token] = Impl::Token{user_id, impl_->clock.now() + lifetime};
    return token;
}

Response BitrixEmulator::handle_oauth(const Request& request) {
    return impl_->handle_oauth(request);
}

}  // namespace hrmaild::sandbox
