#include "daemon/bitrix/types.hpp"

#include "daemon/bitrix/decode.hpp"

namespace hrmaild::bitrix {

namespace json = boost::json;

std::string User::full_name() const {
    if (name.empty())
        return last_name;
    if (last_name.empty())
        return name;
    return name + " " + last_name;
}

BitrixTask decode_task(const json::value& v, const std::vector<std::string>& uf_names) {
    BitrixTask out;
    domain::Task& t = out.task;
    t.id = field_int(v, {"id", "ID"});
    t.title = field_text(v, {"title", "TITLE"});
    t.description = field_text(v, {"description", "DESCRIPTION"});
    t.created_by = field_int(v, {"createdBy", "CREATED_BY"});
    t.responsible_id = field_int(v, {"responsibleId", "RESPONSIBLE_ID"});
    t.group_id = field_int(v, {"groupId", "GROUP_ID"});
    t.changed_date = field_text(v, {"changedDate", "CHANGED_DATE"});
    if (const auto* creator = field(v, {"creator"}); creator && creator->is_object())
        t.created_by_name = field_text(*creator, {"name", "NAME"});
    if (const auto* tags = field(v, {"tags", "TAGS"}))
        t.tags = decode_tags(*tags);

    // camelCase `status` is the real status (`subStatus` the meta one); in UPPER_CASE objects
    // REAL_STATUS is the real one and STATUS may be the meta-status (-1 overdue, -2 unviewed,
    // -3 almost overdue), which says nothing about whether the task is open: unknown (0).
    const auto status = field_int(v, {"status", "REAL_STATUS", "STATUS"});
    t.status = status >= domain::task_status::new_ && status <= domain::task_status::declined
                   ? static_cast<int>(status)
                   : domain::task_status::unknown;
    t.created_date = field_text(v, {"createdDate", "CREATED_DATE"});
    out.chat_id = field_int(v, {"chatId", "CHAT_ID"});
    out.closed_date = field_text(v, {"closedDate", "CLOSED_DATE"});
    if (const auto* a = field(v, {"auditors", "AUDITORS"}))
        out.auditors = int_list(*a);
    if (const auto* a = field(v, {"accomplices", "ACCOMPLICES"}))
        out.accomplices = int_list(*a);

    if (v.is_object()) {
        for (const auto& kv : v.get_object()) {
            std::string_view key = kv.key();
            std::string name;
            for (const auto& known : uf_names)
                if (key == known || key == uf_to_camel(known))
                    name = known;
            if (name.empty()) {
                if (key.size() > 3 && key.substr(0, 3) == "UF_")
                    name = std::string(key);
                else if (auto guess = camel_to_uf(key))
                    name = *guess;
                else
                    continue;
            }
            std::string text;
            if (kv.value().is_array() || kv.value().is_object()) {
                for (const auto& e : list_values(kv.value())) {
                    auto s = to_text(e);
                    if (s.empty())
                        continue;
                    if (!text.empty())
                        text += ", ";
                    text += s;
                }
            } else {
                text = to_text(kv.value());
            }
            t.uf[name] = std::move(text);
        }
    }
    return out;
}

Comment decode_comment_item(const json::value& v) {
    Comment c;
    c.id = field_int(v, {"ID", "id"});
    c.author_id = field_int(v, {"AUTHOR_ID", "authorId"});
    c.date = field_text(v, {"POST_DATE", "postDate"});
    c.text = field_text(v, {"POST_MESSAGE", "postMessage"});
    return c;
}

Comment decode_chat_message(const json::value& v) {
    Comment c;
    c.id = field_int(v, {"id", "ID"});
    c.author_id = field_int(v, {"author_id", "AUTHOR_ID", "authorId"});
    c.date = field_text(v, {"date", "DATE"});
    c.text = field_text(v, {"text", "TEXT", "message"});
    return c;
}

User decode_user(const json::value& v) {
    User u;
    u.id = field_int(v, {"ID", "id"});
    if (const auto* a = field(v, {"ACTIVE", "active"}))
        u.active = to_bool(*a).value_or(true);
    u.name = field_text(v, {"NAME", "name"});
    u.last_name = field_text(v, {"LAST_NAME", "lastName", "last_name"});
    u.email = field_text(v, {"EMAIL", "email"});
    u.work_position = field_text(v, {"WORK_POSITION", "workPosition"});
    u.user_type = field_text(v, {"USER_TYPE", "userType"});
    if (const auto* d = field(v, {"UF_DEPARTMENT", "ufDepartment"}))
        u.departments = int_list(*d);
    return u;
}

Department decode_department(const json::value& v) {
    Department d;
    d.id = field_int(v, {"ID", "id"});
    d.name = field_text(v, {"NAME", "name"});
    d.parent = field_int(v, {"PARENT", "parent"});
    d.head = field_int(v, {"UF_HEAD", "ufHead"});
    return d;
}

}  // namespace hrmaild::bitrix
