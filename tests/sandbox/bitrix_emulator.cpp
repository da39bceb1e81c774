// Routing, authentication, limits, the envelope and dispatch of the Bitrix24 emulator.
#include "tests/sandbox/bitrix_emulator.hpp"
#include "tests/sandbox/util.hpp"

#include "tests/sandbox/bitrix_portal.hpp"

#include "tests/sandbox/bitrix_dates.hpp"
#include "tests/sandbox/php_params.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace hrmaild::sandbox {

namespace bitrix_detail {

using Outcome = Portal::Outcome;
using Task = Portal::Task;
using Call = Portal::Call;
using Member = Portal::Member;

void Portal::clear() {
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
    auth_codes.clear();
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

bool Portal::bucket_admit() {
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

std::deque<std::pair<time_point, double>>& Portal::usage(const Call& call,
                                                         const std::string& method) {
    auto& q = operating[call.credential + " " + method];
    auto now = clock.now();
    while (!q.empty() && now - q.front().first >= std::chrono::minutes(10)) {
        q.pop_front();
    }
    return q;
}

double Portal::used_seconds(const std::deque<std::pair<time_point, double>>& q) const {
    double sum = 0;
    for (const auto& e : q) {
        sum += e.second;
    }
    return sum;
}

long long Portal::reset_at(const std::deque<std::pair<time_point, double>>& q) const {
    auto base = q.empty() ? clock.now() : q.front().first;
    return std::chrono::duration_cast<std::chrono::seconds>(
               (base + std::chrono::minutes(10)).time_since_epoch())
        .count();
}

json::object Portal::time_block(double start, const Call& call, const std::string& method) {
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

const std::map<std::string, Portal::Handler>& Portal::methods() {
    static const std::map<std::string, Handler> table = {
        {"tasks.task.add", &Portal::task_add},
        {"tasks.task.list", &Portal::task_list},
        {"tasks.task.get", &Portal::task_get},
        {"tasks.task.update", &Portal::task_update},
        {"tasks.task.start", &Portal::task_start},
        {"tasks.task.pause", &Portal::task_pause},
        {"tasks.task.complete", &Portal::task_complete},
        {"tasks.task.defer", &Portal::task_defer},
        {"tasks.task.renew", &Portal::task_renew},
        {"tasks.task.approve", &Portal::task_approve},
        {"tasks.task.disapprove", &Portal::task_disapprove},
        {"task.commentitem.add", &Portal::comment_add},
        {"task.commentitem.getlist", &Portal::comment_getlist},
        {"im.dialog.messages.get", &Portal::dialog_messages_get},
        {"im.message.add", &Portal::im_message_add},
        {"im.notify.personal.add", &Portal::notify_personal_add},
        {"im.notify.system.add", &Portal::notify_system_add},
        {"user.get", &Portal::user_get},
        {"user.current", &Portal::user_current},
        {"department.get", &Portal::department_get},
    };
    return table;
}

Outcome Portal::run(const std::string& method, const json::object& params, const Call& call,
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

Response Portal::reply(const Outcome& out, const json::object& time) {
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

std::vector<std::string> Portal::path_segments(const std::string& path) {
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

std::string Portal::method_name(std::string name) {
    auto lname = lower(name);
    if (lname.size() > 5 && lname.substr(lname.size() - 5) == ".json") {
        lname.resize(lname.size() - 5);
    }
    return lname;
}

json::object Portal::parse_params(const Request& req) const {
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

Response Portal::handle(const Request& req) {
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
        if (auto failure = check_webhook(segs[0], segs[1], call))
            return *failure;
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
    util::erase_keep_order(params, "auth");
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

std::string Portal::mint(const char* prefix) {
    // Opaque like a real token; the counter keeps every minted token distinct.
    auto n = next_token++;
    return prefix + std::to_string(n) + "x" +
           std::to_string(std::hash<std::string>{}(portal + "/" + std::to_string(n)) % 1000000007);
}

Response Portal::oauth_error(int status, const char* code, const char* text) {
    return php_json(status, error_body(code, text));
}

Response Portal::handle_oauth(const Request& req) {
    json::object params;
    php::parse_str(req.query(), params);
    php::parse_str(req.body, params);
    auto get = [&](const char* k) {
        auto it = params.find(k);
        return it == params.end() ? std::string() : php::to_string(it->value());
    };
    const std::string grant = get("grant_type");
    if (grant != "refresh_token" && grant != "authorization_code") {
        return oauth_error(400, "invalid_request",
                           "grant_type must be refresh_token or authorization_code");
    }
    if (get("client_id") != oauth_client_id || get("client_secret") != oauth_client_secret) {
        return oauth_error(401, "invalid_client", "Invalid client credentials");
    }
    if (grant == "authorization_code") {
        return exchange_code(get("client_id"), get("code"));
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

Response Portal::exchange_code(const std::string& client_id, const std::string& code) {
    auto it = auth_codes.find(code);
    if (it == auth_codes.end() || clock.now() >= it->second.expires ||
        it->second.client_id != client_id) {
        if (it != auth_codes.end()) {
            auth_codes.erase(it);
        }
        return oauth_error(400, "invalid_grant", "Invalid authorization code");
    }
    long long uid = it->second.user_id;
    auth_codes.erase(it);  // single use
    ++sign_ins;
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
    o["scope"] = "user_brief";
    o["domain"] = "oauth.bitrix.info";
    o["server_endpoint"] = "https://oauth.bitrix.info/rest/";
    o["status"] = "L";
    o["client_endpoint"] = "https://" + portal + "/rest/";
    o["member_id"] = member_id();
    o["user_id"] = uid;
    o["refresh_token"] = refresh;
    return php_json(200, o);
}

namespace {

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

Response html_page(int status, const std::string& body) {
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Bitrix24 (sandbox)</title></head><body>" +
        body + "</body></html>";
    return r;
}

}  // namespace

Response Portal::handle_authorize(const Request& req) {
    json::object params;
    php::parse_str(req.query(), params);
    auto get = [&](const char* k) {
        auto it = params.find(k);
        return it == params.end() ? std::string() : php::to_string(it->value());
    };
    const std::string client_id = get("client_id");
    const std::string state = get("state");
    if (client_id != oauth_client_id) {
        return html_page(400, "<h1>Aplicación desconocida</h1><p>client_id " +
                                  html_escape(client_id) + " no está registrado en el portal.</p>");
    }
    if (oauth_handler_url.empty()) {
        return html_page(400,
                         "<h1>Sin URL de retorno</h1><p>La aplicación no tiene handler_url "
                         "(portal.json oauth_app.handler_url o POST "
                         "/_sandbox/bitrix/oauth_app).</p>");
    }
    const std::string chosen = get("user_id");
    if (chosen.empty()) {
        // The test sign-in: pick a seeded user (a real portal asks for a password).
        std::string list;
        for (const auto& u : users) {
            auto id = php::to_string(user_field(u, "ID"));
            auto name = php::to_string(user_field(u, "NAME")) + " " +
                        php::to_string(user_field(u, "LAST_NAME"));
            list += "<li><button type=\"submit\" name=\"user_id\" value=\"" + html_escape(id) +
                    "\">Entrar como " + html_escape(name) + " (" + html_escape(id) +
                    ")</button></li>";
        }
        return html_page(200,
                         "<h1>Bitrix24 (sandbox): iniciar sesión</h1><form method=\"get\" "
                         "action=\"/oauth/authorize/\"><input type=\"hidden\" name=\"client_id\" "
                         "value=\"" +
                             html_escape(client_id) +
                             "\"><input type=\"hidden\" name=\"state\" value=\"" +
                             html_escape(state) + "\"><ul>" + list + "</ul></form>");
    }
    long long uid = 0;
    if (!php::to_int(json::value(chosen), uid) || user(uid) == nullptr) {
        return html_page(400, "<h1>Usuario desconocido</h1>");
    }
    std::string code = util::random_hex(16);
    auth_codes[code] = AuthCode{uid, client_id, clock.now() + std::chrono::seconds(30)};
    auto enc = [](const std::string& v) { return util::form_encode(v); };
    std::string sep = oauth_handler_url.find('?') == std::string::npos ? "?" : "&";
    Response r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", oauth_handler_url + sep + "code=" + enc(code) +
                                           "&state=" + enc(state) + "&domain=" + enc(portal) +
                                           "&member_id=" + enc(member_id()) +
                                           "&scope=user_brief&server_domain=oauth.bitrix.info");
    return r;
}

Response Portal::v3_error(int status, const std::string& code, const std::string& message,
                          json::array validation) {
    json::object e{{"code", code}, {"message", message}};
    if (!validation.empty()) {
        e["validation"] = std::move(validation);
    }
    return php_json(status, json::object{{"error", std::move(e)}});
}

Response Portal::handle_v3(const Request& req, const std::vector<std::string>& segs, double start) {
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
        if (auto failure = check_webhook(segs[0], segs[1], call))
            return *failure;
        method = method_name(segs[2]);
    } else if (segs.size() == 1) {
        method = method_name(segs[0]);
        auto it = body.find("auth");
        std::string token = it == body.end() ? std::string() : php::to_string(it->value());
        if (auto failure = check_token(token, call)) {
            return *failure;
        }
        util::erase_keep_order(body, "auth");
    } else {
        return v3_error(404, "BITRIX_REST_V3_EXCEPTION_UNKNOWNMETHODEXCEPTION", "Method not found");
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

std::optional<Response> Portal::check_token(const std::string& token, Call& call) {
    if (token.empty()) {
        return php_json(401, error_body("NO_AUTH_FOUND", "Wrong authorization data"));
    }
    auto tok = tokens.find(token);
    if (tok == tokens.end()) {
        return php_json(401, error_body("invalid_token", "The access token provided is invalid."));
    }
    if (clock.now() >= tok->second.expires) {
        return php_json(401, error_body("expired_token", "The access token provided has expired."));
    }
    call.user_id = tok->second.user_id;
    call.credential = "app";
    return std::nullopt;
}

std::optional<Response> Portal::check_webhook(const std::string& uid_text,
                                              const std::string& secret, Call& call) const {
    long long uid = 0;
    if (!php::to_int(json::value(uid_text), uid) || uid != webhook_user || secret != webhook_secret)
        return auth_failure();
    call.user_id = uid;
    call.credential = "webhook";
    return std::nullopt;
}

Response Portal::auth_failure() const {
    if (opts.wrong_secret_no_auth_found) {
        return php_json(401, error_body("NO_AUTH_FOUND", "Wrong authorization data"));
    }
    return php_json(401, error_body("INVALID_CREDENTIALS", "Invalid request credentials"));
}

const json::value* Portal::param(const json::object& params, std::string_view name) {
    auto l = lower(name);
    for (const auto& kv : params) {
        if (lower(kv.key()) == l) {
            return &kv.value();
        }
    }
    return nullptr;
}

Outcome Portal::missing(const std::string& name) {
    return Outcome::fail(400, "100", "Could not find value for parameter {" + name + "}");
}

std::optional<Outcome> Portal::read_task_id(const json::object& params, long long& id) {
    const auto* v = param(params, "taskId");
    if (v == nullptr) {
        return missing("taskId");
    }
    if (!php::to_int(*v, id) || id <= 0) {
        return Outcome::fail(400, "0", "wrong task id");
    }
    return std::nullopt;
}

Response Portal::act_as(long long user_id, const std::string& method, const json::object& params) {
    Call call{user_id, "control", false};
    auto it = methods().find(method_name(method));
    Outcome out = it == methods().end()
                      ? Outcome::fail(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
                      : (this->*(it->second))(params, call);
    return reply(out, time_block(clock.unix_seconds(), call, method));
}

}  // namespace bitrix_detail

/// The emulator's state is the portal; the pimpl keeps the public header small.
struct BitrixEmulator::Impl : bitrix_detail::Portal {
    using Portal::Portal;
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

Response BitrixEmulator::act_as(long long user_id, const std::string& method,
                                const boost::json::object& params) {
    return impl_->act_as(user_id, method, params);
}

bool BitrixEmulator::has_user(long long user_id) const {
    return impl_->user(user_id) != nullptr;
}

long long BitrixEmulator::webhook_user() const {
    return impl_->webhook_user;
}

std::string BitrixEmulator::webhook_path() const {
    return impl_->webhook_path();
}

std::string BitrixEmulator::issue_oauth_token(long long user_id, std::chrono::seconds lifetime) {
    std::string token = impl_->mint("acc");
    impl_->tokens[token] = Impl::Token{user_id, impl_->clock.now() + lifetime};
    return token;
}

Response BitrixEmulator::handle_authorize(const Request& request) {
    return impl_->handle_authorize(request);
}

void BitrixEmulator::set_oauth_handler_url(std::string url) {
    impl_->oauth_handler_url = std::move(url);
}

Response BitrixEmulator::handle_oauth(const Request& request) {
    return impl_->handle_oauth(request);
}

}  // namespace hrmaild::sandbox
