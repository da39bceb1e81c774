// Outgoing events, seeding from the ticket fixtures, and state().
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

void Portal::raise_event(const std::string& name, const std::string& data) {
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

std::string Portal::member_id() const {
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

void Portal::task_event(const std::string& name, long long id) {
    std::string ids = std::to_string(id);
    std::string before =
        name == "ONTASKADD" ? "&data[FIELDS_BEFORE]=undefined" : "&data[FIELDS_BEFORE][ID]=" + ids;
    raise_event(name, before + "&data[FIELDS_AFTER][ID]=" + ids +
                          "&data[IS_ACCESSIBLE_BEFORE]=undefined"
                          "&data[IS_ACCESSIBLE_AFTER]=undefined");
}

void Portal::comment_event(long long comment_id, long long task_id, long long message_id) {
    std::string data =
        "&data[FIELDS_BEFORE]=undefined&data[FIELDS_AFTER][ID]=" + std::to_string(comment_id) +
        "&data[FIELDS_AFTER][TASK_ID]=" + std::to_string(task_id);
    if (message_id != 0) {
        data += "&data[FIELDS_AFTER][MESSAGE_ID]=" + std::to_string(message_id);
    }
    data += "&data[IS_ACCESSIBLE_BEFORE]=undefined&data[IS_ACCESSIBLE_AFTER]=undefined";
    raise_event("ONTASKCOMMENTADD", data);
}

void Portal::seed(const json::value& portal_json, const std::vector<json::value>& requests) {
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
            if (a.contains("handler_url")) {
                oauth_handler_url = php::to_string(a.at("handler_url"));
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
        if (Task* t = create_task(fields, creator, chat, error)) {
            backdate(*t, fields);
        }
        if (error) {
            // A request that names an unknown user or project is still loaded, bare.
            json::object bare{{"TITLE", fields.contains("TITLE") ? fields.at("TITLE")
                                                                 : json::value("(untitled)")}};
            create_task(bare, creator, chat, error);
        }
    }
}

void Portal::backdate(Task& t, const json::object& request) {
    auto date = [&](const char* key) -> std::optional<time_point> {
        time_point d;
        auto it = request.find(key);
        if (it == request.end() || !bitrix_dates::parse(php::to_string(it->value()), d)) {
            return std::nullopt;
        }
        return d;
    };
    auto created = date("CREATED_DATE");
    auto changed = date("CHANGED_DATE");
    if (!created && !changed) {
        return;
    }
    if (created) {
        t.created = *created;
    }
    t.changed = changed ? *changed : t.created;
    t.created = std::min(t.created, t.changed);
    t.activity = t.status_changed = t.changed;
    if (t.closed) {
        t.closed = t.changed;
    }
}

json::value Portal::state() {
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
        {"level", std::max(0.0, bucket_level - std::max(0.0, elapsed) * opts.bucket_drain_per_sec)},
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
    s["rejected"] = json::object{{"bucket", rejected_bucket}, {"operating", rejected_operating}};
    s["events"] = json::object{{"raised", events_raised},
                               {"pending", static_cast<long long>(outgoing.size())}};
    return s;
}

std::string Portal::webhook_path() const {
    return "/rest/" + std::to_string(webhook_user) + "/" + webhook_secret + "/";
}

}  // namespace hrmaild::sandbox::bitrix_detail
