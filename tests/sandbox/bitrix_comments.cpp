// task.commentitem.*, task chats (new card), im.* messages and notifications.
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

std::vector<json::value> Portal::positional(const json::object& params) {
    std::vector<json::value> args;
    for (const auto& kv : params) {
        args.push_back(kv.value());
    }
    return args;
}

Outcome Portal::core_error(const std::string& text) {
    return Outcome::fail(400, "ERROR_CORE", text);
}

std::optional<Outcome> Portal::bind_task_id(const std::vector<json::value>& args,
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

Outcome Portal::not_given(std::size_t i, const std::string& name, const std::string& method) {
    return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" + name +
                      ") expected by method " + method +
                      "(), but not given.; 256/TE/WRONG_ARGUMENTS<br>");
}

std::optional<Outcome> Portal::bind_array(const std::vector<json::value>& args, std::size_t i,
                                          const std::string& method, const std::string& name) {
    if (i < args.size() && !args[i].is_object() && !args[i].is_array()) {
        return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" + name +
                          ") for method " + method +
                          "() expected to be of type \"array\", but given something "
                          "else.; 256/TE/WRONG_ARGUMENTS<br>");
    }
    return std::nullopt;
}

Outcome Portal::too_many(const std::string& method) {
    return core_error("TASKS_ERROR_EXCEPTION_#256; Too many arguments for method " + method +
                      "(); 256/TE/WRONG_ARGUMENTS<br>");
}

Outcome Portal::must_not_contain(std::size_t i, const std::string& name, const std::string& method,
                                 const std::string& key) {
    return core_error("TASKS_ERROR_EXCEPTION_#256; Param #" + std::to_string(i) + " (" + name +
                      ") for method " + method + "() must not contain key \"" + key +
                      "\".; 256/TE/WRONG_ARGUMENTS<br>");
}

long long Portal::chat_post(Task& t, long long author, const std::string& text) {
    long long id = next_message_id++;
    chats[t.chat_id].push_back({id, t.chat_id, author, clock.now(), text});
    t.activity = clock.now();
    return id;
}

Outcome Portal::comment_add(const json::object& params, const Call& call) {
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

json::object Portal::comment_json(const Comment& c) const {
    json::object o;
    o["ID"] = std::to_string(c.id);
    o["AUTHOR_ID"] = std::to_string(c.author_id);
    o["AUTHOR_NAME"] = user_name(c.author_id);
    const auto* u = user(c.author_id);
    o["AUTHOR_EMAIL"] = u != nullptr && u->contains("EMAIL") ? php::to_string(u->at("EMAIL")) : "";
    o["POST_DATE"] = bitrix_dates::format_iso(c.date);
    o["POST_MESSAGE"] = c.text;
    o["POST_MESSAGE_HTML"] = nullptr;
    o["ATTACHED_OBJECTS"] = json::object();
    return o;
}

Outcome Portal::comment_getlist(const json::object& params, const Call&) {
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
            order.emplace_back(std::string(kv.key()), lower(php::to_string(kv.value())) == "desc");
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

const json::value* Portal::upper_param(const json::object& params, std::string_view name) {
    return param(params, name);
}

json::object Portal::im_user(long long id) const {
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

bool Portal::chat_member(const Task& t, long long uid) const {
    return uid == t.created_by || uid == t.responsible_id ||
           std::find(t.auditors.begin(), t.auditors.end(), uid) != t.auditors.end() ||
           std::find(t.accomplices.begin(), t.accomplices.end(), uid) != t.accomplices.end();
}

Outcome Portal::dialog_messages_get(const json::object& params, const Call& call) {
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
    return Outcome::of(json::object{
        {"chat_id", chat_id}, {"messages", std::move(messages)}, {"users", std::move(users_out)}});
}

Outcome Portal::im_message_add(const json::object& params, const Call& call) {
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

Outcome Portal::notify(const json::object& params, const Call& call, const std::string& type) {
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

Outcome Portal::notify_personal_add(const json::object& p, const Call& c) {
    return notify(p, c, "personal");
}

Outcome Portal::notify_system_add(const json::object& p, const Call& c) {
    return notify(p, c, "system");
}

}  // namespace hrmaild::sandbox::bitrix_detail
