#include "tests/sandbox/sandbox.hpp"

#include "daemon/log/log.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace hrmaild::sandbox {
namespace json = boost::json;

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.rfind(prefix, 0) == 0;
}

// The Bitrix24 OAuth server (oauth.bitrix.info) lives at /oauth/token/; Zoho's at /oauth/v2/.
// The portal's sign-in page for local applications (reference section 13).
bool is_bitrix_authorize(const std::string& path) {
    return path == "/oauth/authorize" || path == "/oauth/authorize/";
}

bool is_bitrix_oauth(const std::string& path) {
    return path == "/oauth/token" || starts_with(path, "/oauth/token/") ||
           is_bitrix_authorize(path);
}

Response control_error(int status, std::string_view message) {
    return Response::json(status, json::object{{"error", message}});
}

// Bitrix24 throttle answer (reference: 503 QUERY_LIMIT_EXCEEDED, the real body of #193).
Response bitrix_throttle() {
    return Response::json(503, json::object{{"error", "QUERY_LIMIT_EXCEEDED"},
                                            {"error_description", "Too many requests"}});
}

std::optional<json::object> body_object(const Request& request, std::string& error) {
    if (request.body.empty())
        return json::object{};
    boost::system::error_code ec;
    json::value v = json::parse(request.body, ec);
    if (ec || !v.is_object()) {
        error = "the body must be a JSON object";
        return std::nullopt;
    }
    return std::move(v.as_object());
}

}  // namespace

Sandbox::Sandbox() : zoho_(clock_), bitrix_(clock_) {}

std::string Sandbox::route_key(const Request& request) {
    std::string path = request.path();
    std::vector<std::string> seg;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        std::string s =
            path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!s.empty())
            seg.push_back(s);
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    std::string out = request.method + " ";
    if (!seg.empty() && seg[0] == "rest") {
        // The method name, whatever the auth style: /rest/{uid}/{secret}/{method}[.json].
        std::string method = seg.size() > 1 ? seg.back() : std::string();
        for (const char* suffix : {".json", ".xml"}) {
            std::string_view sv(suffix);
            if (method.size() > sv.size() && method.ends_with(sv))
                method.resize(method.size() - sv.size());
        }
        return out + "/rest/" + util::lower(method);
    }
    if (seg.size() >= 2 && seg[0] == "api" && seg[1] == "organization") {
        out += "/api/organization";
        for (std::size_t i = 2; i < seg.size(); ++i) {
            if (i == 2)
                out += "/{zoid}";
            else if (i == 4)
                out += "/{id}";
            else
                out += "/" + seg[i];
        }
        return out;
    }
    return out + path;
}

void Sandbox::count(const Request& request) {
    std::string path = request.path();
    if (starts_with(path, "/_sandbox")) {
        ++control_requests_;
        return;
    }
    ++total_;
    if (starts_with(path, "/rest/") || is_bitrix_oauth(path))
        ++bitrix_requests_;
    else if (starts_with(path, "/api/"))
        ++zoho_api_requests_;
    else if (starts_with(path, "/oauth/"))
        ++zoho_oauth_requests_;
    else
        ++other_requests_;
    ++by_route_[route_key(request)];
}

void Sandbox::set_event_url(std::string url) {
    event_url_ = std::move(url);
    bitrix_.set_event_target(event_url_);
}

void Sandbox::load_seed(const SeedData& seed, bool append) {
    if (!append) {
        BitrixOptions options = bitrix_.options();
        bitrix_.reset();
        bitrix_.configure(options);
        zoho_.reset();
        reset_seed_ = seed;
    }
    if (!seed.portal.is_null() || !seed.requests.empty())
        bitrix_.seed(seed.portal, seed.requests);
    if (!seed.org.is_null())
        zoho_.seed(seed.org);
    if (!event_url_.empty())
        bitrix_.set_event_target(event_url_);
    log::info("SANDBOX_SEEDED", {{"source", seed.source},
                                 {"portal", !seed.portal.is_null()},
                                 {"org", !seed.org.is_null()},
                                 {"requests", seed.requests.size()},
                                 {"append", append}});
}

void Sandbox::reset_all(bool empty) {
    clock_.reset();
    faults_.reset();
    outgoing_.clear();
    by_route_.clear();
    reached_.clear();
    total_ = bitrix_requests_ = zoho_api_requests_ = zoho_oauth_requests_ = 0;
    control_requests_ = other_requests_ = faults_applied_ = 0;
    events_delivered_ = events_failed_ = 0;
    last_event_error_.clear();
    BitrixOptions options = bitrix_.options();
    bitrix_.reset();
    bitrix_.configure(options);
    zoho_.reset();
    if (!empty && reset_seed_) {
        SeedData seed = *reset_seed_;
        load_seed(seed, true);
    }
    if (!event_url_.empty())
        bitrix_.set_event_target(event_url_);
    log::info("SANDBOX_RESET", {{"empty", empty || !reset_seed_}});
}

Response Sandbox::handle(const Request& request) {
    count(request);
    std::string path = request.path();
    if (starts_with(path, "/_sandbox"))
        return control(request);

    FaultDecision decision = faults_.decide(request, clock_.now());
    auto fault_response = [&](const Fault& f) {
        Response r;
        switch (f.kind) {
            case Fault::Kind::status:
                r.status = f.status;
                r.body = f.body;
                r.content_type = f.content_type;
                break;
            case Fault::Kind::drop:
                r.drop_connection = true;
                break;
            case Fault::Kind::throttle:
                if (starts_with(path, "/rest/") || is_bitrix_oauth(path))
                    r = bitrix_throttle();
                else if (starts_with(path, "/oauth/"))
                    r = zoho_.mint_denied_response();
                else
                    r = zoho_.throttle_response();
                break;
            case Fault::Kind::latency:
                break;
        }
        return r;
    };

    Response response;
    if (decision.terminal && !decision.terminal->after) {
        response = fault_response(*decision.terminal);
    } else {
        response = route(request);
        // A Zoho write is keyed by its real path, mode and new address (one entry per
        // target); anything else by its route.
        std::string key = route_key(request);
        if (request.method != "GET" && starts_with(path, "/api/")) {
            key = request.method + " " + path;
            boost::system::error_code ec;
            json::value v = json::parse(request.body, ec);
            if (!ec && v.is_object()) {
                for (const char* field : {"mode", "primaryEmailAddress"})
                    if (const auto* m = v.as_object().if_contains(field); m && m->is_string())
                        key += " " + std::string(m->get_string());
            }
        }
        ++reached_[key + " " + std::to_string(response.status)];
    }
    if (decision.terminal && decision.terminal->after)
        response = fault_response(*decision.terminal);
    response.delay += decision.latency;

    faults_applied_ += static_cast<long long>(decision.applied.size());
    for (const auto& f : decision.applied)
        faults_.log_applied(f, request, response.drop_connection ? 0 : response.status,
                            clock_.now());
    log::debug("SANDBOX_REQUEST", {{"method", request.method},
                                   {"route", route_key(request)},
                                   {"status", response.drop_connection ? 0 : response.status}});
    return response;
}

Response Sandbox::route(const Request& request) {
    std::string path = request.path();
    if (starts_with(path, "/rest/")) {
        Response r = bitrix_.handle(request);
        collect_bitrix_events();
        return r;
    }
    if (is_bitrix_authorize(path))
        return bitrix_.handle_authorize(request);
    if (is_bitrix_oauth(path))
        return bitrix_.handle_oauth(request);
    if (starts_with(path, "/api/") || starts_with(path, "/oauth/"))
        return zoho_.handle(request);
    return Response::json(404, json::object{{"error", "NOT_FOUND"},
                                            {"error_description",
                                             "The sandbox serves /rest/, /api/, /oauth/v2/ and "
                                             "/_sandbox/"}});
}

void Sandbox::collect_bitrix_events() {
    std::string target = bitrix_.event_target();
    for (auto& body : bitrix_.take_outgoing_events()) {
        if (!target.empty())
            outgoing_.push_back(OutgoingEvent{target, std::move(body)});
    }
}

Response Sandbox::bitrix_control(const Request& request, const std::string& path) {
    if (request.method != "POST")
        return control_error(405, "method not allowed on " + path);
    std::string error;
    auto body = body_object(request, error);
    if (!body)
        return control_error(400, error);
    auto user_of = [&](const char* key, long long& out) -> std::optional<Response> {
        out = bitrix_.webhook_user();
        auto it = body->find(key);
        if (it == body->end())
            return std::nullopt;
        if (!it->value().is_int64() || !bitrix_.has_user(it->value().get_int64()))
            return control_error(400, std::string(key) + " must be the id of a portal user, not " +
                                          json::serialize(it->value()));
        out = it->value().get_int64();
        return std::nullopt;
    };
    auto act = [&](long long user, const std::string& method, const json::object& params) {
        Response r = bitrix_.act_as(user, method, params);
        collect_bitrix_events();
        log::info("SANDBOX_CONTROL_ACTION",
                  {{"action", "bitrix " + method}, {"user", user}, {"status", r.status}});
        return r;
    };
    // The REST answer's `result`, or the REST error passed through with its status.
    auto run = [&](long long user, const std::string& method, const json::object& params,
                   json::value& result) -> std::optional<Response> {
        Response r = act(user, method, params);
        if (r.status != 200)
            return r;
        boost::system::error_code ec;
        json::value v = json::parse(r.body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("result"))
            return r;
        result = v.as_object().at("result");
        return std::nullopt;
    };

    if (path == "/_sandbox/bitrix/oauth_app") {
        auto it = body->find("handler_url");
        if (it == body->end() || !it->value().is_string())
            return control_error(400, "handler_url (the application's handler URL) is required");
        bitrix_.set_oauth_handler_url(std::string(it->value().as_string()));
        log::info("SANDBOX_CONTROL_ACTION", {{"action", "bitrix oauth_app"}, {"status", 200}});
        return Response::json(200, json::object{{"handler_url", it->value()}});
    }
    if (path == "/_sandbox/bitrix/call") {
        long long user = 0;
        if (auto e = user_of("user_id", user))
            return *e;
        auto method = body->find("method");
        if (method == body->end() || !method->value().is_string())
            return control_error(400, "method (a REST method name) is required");
        json::object params;
        if (auto it = body->find("params"); it != body->end()) {
            if (!it->value().is_object())
                return control_error(400, "params must be an object");
            params = it->value().as_object();
        }
        return act(user, std::string(method->value().as_string()), params);
    }

    // /_sandbox/bitrix/tasks/{id}/status | comments
    const std::string prefix = "/_sandbox/bitrix/tasks/";
    if (!starts_with(path, prefix))
        return control_error(404, "unknown control route " + path);
    std::string rest = path.substr(prefix.size());
    auto slash = rest.find('/');
    std::string id_text = rest.substr(0, slash);
    std::string what = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    long long task_id = 0;
    if (id_text.empty() || id_text.size() > 15 ||
        !std::all_of(id_text.begin(), id_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return control_error(404, "unknown control route " + path);
    task_id = std::stoll(id_text);

    if (what == "status") {
        long long user = 0;
        if (auto e = user_of("user_id", user))
            return *e;
        auto st = body->find("status");
        if (st == body->end() || !st->value().is_int64() || st->value().get_int64() < 1 ||
            st->value().get_int64() > 7)
            return control_error(400,
                                 "status must be a task status from 1 to 7 (1 new, "
                                 "2 pending, 3 in progress, 4 supposedly completed, "
                                 "5 completed, 6 deferred, 7 declined)");
        json::object params{{"taskId", task_id},
                            {"fields", json::object{{"STATUS", st->value().get_int64()}}}};
        json::value result;
        if (auto e = run(user, "tasks.task.update", params, result))
            return *e;
        return Response::json(200, result);
    }
    if (what == "comments") {
        long long author = 0;
        if (auto e = user_of("author_id", author))
            return *e;
        auto text = body->find("text");
        if (text == body->end() || !text->value().is_string())
            return control_error(400, "text (a string) is required");
        json::object params{
            {"TASKID", task_id},
            {"FIELDS", json::object{{"POST_MESSAGE", text->value()}, {"AUTHOR_ID", author}}}};
        json::value result;
        if (auto e = run(author, "task.commentitem.add", params, result))
            return *e;
        return Response::json(200, json::object{{"id", result}, {"author_id", author}});
    }
    return control_error(404, "unknown control route " + path);
}

std::vector<OutgoingEvent> Sandbox::take_outgoing_events() {
    std::vector<OutgoingEvent> out;
    out.swap(outgoing_);
    return out;
}

void Sandbox::note_event_delivery(bool delivered, const std::string& detail) {
    if (delivered) {
        ++events_delivered_;
    } else {
        ++events_failed_;
        last_event_error_ = detail;
    }
}

json::object Sandbox::clock_json() const {
    auto now = clock_.now();
    auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(
        now - std::chrono::system_clock::now());
    return json::object{
        {"now", util::iso8601_utc(now)},
        {"unix_ms", util::unix_ms(now)},
        {"offset_seconds",
         static_cast<std::int64_t>(std::llround(static_cast<double>(offset.count()) / 1000.0))}};
}

json::object Sandbox::bitrix_options_json() const {
    BitrixOptions o = bitrix_.options();
    return json::object{{"bucket_burst", o.bucket_burst},
                        {"bucket_drain_per_sec", o.bucket_drain_per_sec},
                        {"operating_limit", o.operating_limit},
                        {"operating_limit_seconds", o.operating_limit_seconds},
                        {"operating_cost_seconds", o.operating_cost_seconds},
                        {"new_card_default", o.new_card_default},
                        {"wrong_secret_no_auth_found", o.wrong_secret_no_auth_found},
                        {"oauth_access_lifetime_seconds", o.oauth_access_lifetime_seconds},
                        {"event_url", bitrix_.event_target()}};
}

bool Sandbox::configure_bitrix(const json::object& patch, std::string& error) {
    BitrixOptions o = bitrix_.options();
    std::optional<std::string> event_url;
    for (const auto& kv : patch) {
        const auto key = kv.key();
        const auto& v = kv.value();
        auto number = [&](double& out) {
            if (v.is_int64())
                out = static_cast<double>(v.get_int64());
            else if (v.is_double())
                out = v.get_double();
            else {
                error = "bitrix." + std::string(key) + " must be a number";
                return false;
            }
            if (out < 0) {
                error = "bitrix." + std::string(key) + " must not be negative";
                return false;
            }
            return true;
        };
        auto flag = [&](bool& out) {
            if (!v.is_bool()) {
                error = "bitrix." + std::string(key) + " must be a boolean";
                return false;
            }
            out = v.get_bool();
            return true;
        };
        bool good = true;
        if (key == "bucket_burst") {
            double d = 0;
            good = number(d);
            o.bucket_burst = static_cast<int>(d);
        } else if (key == "bucket_drain_per_sec") {
            good = number(o.bucket_drain_per_sec);
        } else if (key == "operating_limit") {
            good = flag(o.operating_limit);
        } else if (key == "operating_limit_seconds") {
            good = number(o.operating_limit_seconds);
        } else if (key == "operating_cost_seconds") {
            good = number(o.operating_cost_seconds);
        } else if (key == "new_card_default") {
            good = flag(o.new_card_default);
        } else if (key == "wrong_secret_no_auth_found") {
            good = flag(o.wrong_secret_no_auth_found);
        } else if (key == "oauth_access_lifetime_seconds") {
            good = number(o.oauth_access_lifetime_seconds);
        } else if (key == "event_url") {
            if (!v.is_string()) {
                error = "bitrix.event_url must be a string";
                return false;
            }
            event_url = std::string(v.get_string());
        } else {
            error = "unknown key bitrix." + std::string(key);
            return false;
        }
        if (!good)
            return false;
    }
    bitrix_.configure(o);
    if (event_url)
        set_event_url(*event_url);
    return true;
}

json::value Sandbox::state() const {
    json::object requests{{"total", total_},
                          {"bitrix", bitrix_requests_},
                          {"zoho_api", zoho_api_requests_},
                          {"zoho_oauth", zoho_oauth_requests_},
                          {"other", other_requests_},
                          {"control", control_requests_},
                          {"tokens_minted", zoho_.tokens_minted()}};
    json::object routes;
    for (const auto& [k, v] : by_route_)
        routes[k] = v;
    requests["by_route"] = std::move(routes);
    json::object reached;
    for (const auto& [k, v] : reached_)
        reached[k] = v;
    requests["reached"] = std::move(reached);
    json::object faults{{"active", faults_.to_json()}, {"applied_total", faults_applied_}};
    json::object events{{"target", bitrix_.event_target()},
                        {"delivered", events_delivered_},
                        {"failed", events_failed_},
                        {"last_error", last_event_error_},
                        {"pending", static_cast<std::int64_t>(outgoing_.size())}};
    return json::object{{"bitrix", bitrix_.state()},
                        {"zoho", zoho_.state()},
                        {"faults", std::move(faults)},
                        {"clock", clock_json()},
                        {"requests", std::move(requests)},
                        {"events", std::move(events)},
                        {"config", json::object{{"bitrix", bitrix_options_json()},
                                                {"zoho", zoho_.options_json()}}}};
}

Response Sandbox::control(const Request& request) {
    std::string path = request.path();
    if (path.size() > 1 && path.back() == '/')
        path.pop_back();
    const std::string& m = request.method;
    std::string error;
    auto method_not_allowed = [&]() {
        Response r = control_error(405, "method not allowed on " + path);
        return r;
    };

    if (path == "/_sandbox" || path == "/_sandbox/health") {
        if (m != "GET")
            return method_not_allowed();
        return Response::json(
            200, json::object{
                     {"ok", true},
                     {"routes",
                      json::array{"GET state", "POST reset", "POST seed", "GET|POST clock",
                                  "GET|POST|DELETE faults", "DELETE faults/{id}", "GET|POST config",
                                  "GET log", "POST bitrix/call", "POST bitrix/tasks/{id}/status",
                                  "POST bitrix/tasks/{id}/comments", "GET zoho/reports",
                                  "POST zoho/users", "POST|DELETE zoho/users/{key}"}}});
    }
    if (path == "/_sandbox/state") {
        if (m != "GET")
            return method_not_allowed();
        return Response::json(200, state());
    }
    if (path == "/_sandbox/reset") {
        if (m != "POST")
            return method_not_allowed();
        auto body = body_object(request, error);
        if (!body)
            return control_error(400, error);
        bool empty = false;
        if (auto it = body->find("empty"); it != body->end()) {
            if (!it->value().is_bool())
                return control_error(400, "empty must be a boolean");
            empty = it->value().get_bool();
        }
        reset_all(empty);
        return Response::json(
            200, json::object{{"ok", true}, {"seeded", !empty && reset_seed_.has_value()}});
    }
    if (path == "/_sandbox/seed") {
        if (m != "POST")
            return method_not_allowed();
        auto body = body_object(request, error);
        if (!body)
            return control_error(400, error);
        bool append = false;
        if (auto it = body->find("append"); it != body->end()) {
            if (!it->value().is_bool())
                return control_error(400, "append must be a boolean");
            append = it->value().get_bool();
        }
        auto seed = seed_from_json(*body, error);
        if (!seed)
            return control_error(400, error);
        load_seed(*seed, append);
        return Response::json(200, json::object{{"ok", true},
                                                {"source", seed->source},
                                                {"requests", seed->requests.size()},
                                                {"append", append}});
    }
    if (path == "/_sandbox/clock") {
        if (m == "GET")
            return Response::json(200, clock_json());
        if (m != "POST")
            return method_not_allowed();
        auto body = body_object(request, error);
        if (!body)
            return control_error(400, error);
        if (auto it = body->find("reset"); it != body->end() && it->value() == json::value(true)) {
            clock_.reset();
        } else {
            auto a = body->find("advance_seconds");
            if (a == body->end() || !(a->value().is_int64() || a->value().is_double()))
                return control_error(400, "advance_seconds (a number) is required");
            double secs = a->value().is_int64() ? static_cast<double>(a->value().get_int64())
                                                : a->value().get_double();
            clock_.advance(std::chrono::milliseconds(static_cast<long long>(secs * 1000.0)));
        }
        log::info("SANDBOX_CLOCK_MOVED", {{"now", util::iso8601_utc(clock_.now())}});
        return Response::json(200, clock_json());
    }
    if (path == "/_sandbox/faults") {
        if (m == "GET")
            return Response::json(200, json::object{{"faults", faults_.to_json()}});
        if (m == "DELETE") {
            faults_.clear();
            return Response::json(200, json::object{{"ok", true}});
        }
        if (m != "POST")
            return method_not_allowed();
        boost::system::error_code ec;
        json::value v = json::parse(request.body, ec);
        if (ec || (!v.is_object() && !v.is_array()))
            return control_error(400, "the body must be a fault object or an array of them");
        json::array list = v.is_array() ? v.as_array() : json::array{v};
        json::array ids;
        for (const auto& f : list) {
            if (!f.is_object())
                return control_error(400, "a fault must be an object");
            auto id = faults_.add(f.as_object(), error);
            if (!id)
                return control_error(400, error);
            ids.push_back(json::value(*id));
        }
        return Response::json(200, json::object{{"ok", true}, {"ids", std::move(ids)}});
    }
    if (starts_with(path, "/_sandbox/faults/")) {
        if (m != "DELETE")
            return method_not_allowed();
        std::string id = path.substr(std::string("/_sandbox/faults/").size());
        if (!faults_.remove(id))
            return control_error(404, "no fault " + id);
        return Response::json(200, json::object{{"ok", true}});
    }
    if (path == "/_sandbox/config") {
        if (m == "POST") {
            auto body = body_object(request, error);
            if (!body)
                return control_error(400, error);
            for (const auto& kv : *body) {
                if (kv.key() != "bitrix" && kv.key() != "zoho")
                    return control_error(400, "unknown key: " + std::string(kv.key()));
                if (!kv.value().is_object())
                    return control_error(400, std::string(kv.key()) + " must be an object");
            }
            // Validate Zoho first on a copy-free path: both setters leave state untouched on error.
            if (auto it = body->find("zoho"); it != body->end()) {
                if (!zoho_.configure_json(it->value().as_object(), error))
                    return control_error(400, error);
            }
            if (auto it = body->find("bitrix"); it != body->end()) {
                if (!configure_bitrix(it->value().as_object(), error))
                    return control_error(400, error);
            }
            log::info("SANDBOX_CONFIGURED",
                      {{"bitrix", body->contains("bitrix")}, {"zoho", body->contains("zoho")}});
        } else if (m != "GET") {
            return method_not_allowed();
        }
        return Response::json(
            200, json::object{{"bitrix", bitrix_options_json()}, {"zoho", zoho_.options_json()}});
    }
    if (starts_with(path, "/_sandbox/bitrix/"))
        return bitrix_control(request, path);
    if (path == "/_sandbox/zoho/reports") {
        if (m != "GET")
            return method_not_allowed();
        int days = 30;
        for (auto& [k, v] : util::parse_form(request.query())) {
            if (k != "days")
                continue;
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || n < 1 || n > 90)
                return control_error(400,
                                     "days must be a whole number from 1 to 90, not \"" + v + "\"");
            days = static_cast<int>(n);
        }
        return Response::json(200, zoho_.reports_json(days));
    }
    if (path == "/_sandbox/zoho/users" || starts_with(path, "/_sandbox/zoho/users/")) {
        if (path == "/_sandbox/zoho/users") {
            if (m != "POST")
                return method_not_allowed();
            auto body = body_object(request, error);
            if (!body)
                return control_error(400, error);
            Response r = zoho_.control_add_user(*body);
            log::info("SANDBOX_CONTROL_ACTION",
                      {{"action", "zoho user add"}, {"status", r.status}});
            return r;
        }
        std::string key =
            util::percent_decode(path.substr(std::string("/_sandbox/zoho/users/").size()), false);
        if (key.empty() || key.find('/') != std::string::npos)
            return control_error(404, "unknown control route " + path);
        Response r;
        if (m == "DELETE") {
            r = zoho_.control_delete_user(key);
        } else if (m == "POST" || m == "PATCH") {
            auto body = body_object(request, error);
            if (!body)
                return control_error(400, error);
            r = zoho_.control_update_user(key, *body);
        } else {
            return method_not_allowed();
        }
        log::info("SANDBOX_CONTROL_ACTION",
                  {{"action", m == "DELETE" ? "zoho user delete" : "zoho user update"},
                   {"status", r.status}});
        return r;
    }
    if (path == "/_sandbox/log") {
        if (m != "GET")
            return method_not_allowed();
        return Response::json(200, json::object{{"entries", faults_.log_json()}});
    }
    return control_error(404, "unknown control route " + path);
}

}  // namespace hrmaild::sandbox
