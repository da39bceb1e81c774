#include "daemon/console/console.hpp"

#include "daemon/admin/http_util.hpp"
#include "daemon/console/web.hpp"
#include "daemon/core/time_format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"

#include <boost/json.hpp>

#include <openssl/evp.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <variant>

namespace hrmaild::console {

namespace asio = boost::asio;
namespace json = boost::json;
using admin::WebReply;
using admin::WebRequest;

/// One request being answered.
struct Console::Context {
    WebRequest request;
    Target target;
    std::string session_id;
    Session* session = nullptr;  ///< the signed-in browser, if any
    std::string nav;             ///< which section the page belongs to
    std::string notice;          ///< a success line shown on the page
};

namespace {

std::int64_t now_ms(core::Clock& clock) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               clock.wall_now().time_since_epoch())
        .count();
}

std::string when(store::Timestamp t) {
    return core::format_utc(std::chrono::time_point_cast<std::chrono::system_clock::duration>(t),
                            core::UtcStyle::readable);
}

std::string state_text(std::string_view state) {
    static const std::map<std::string_view, std::string_view> names{
        {"new", "nueva"},          {"invalid", "con datos incompletos"},
        {"planned", "planeada"},   {"awaiting_approval", "esperando aprobación"},
        {"approved", "aprobada"},  {"executing", "en ejecución"},
        {"done", "hecha"},         {"rejected", "rechazada"},
        {"failed", "fallida"},     {"superseded", "reemplazada"},
        {"cancelled", "cancelada"}};
    auto it = names.find(state);
    return std::string(it == names.end() ? state : it->second);
}

std::string channel_text(store::ApprovalChannel c) {
    switch (c) {
        case store::ApprovalChannel::comment:
            return "comentario en la tarea";
        case store::ApprovalChannel::cli:
            return "línea de comandos o API";
        case store::ApprovalChannel::web:
            return "consola web";
    }
    return "?";
}

std::string value_text(const domain::Value& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>)
                return x;
            else if constexpr (std::is_same_v<T, bool>)
                return x ? "sí" : "no";
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return std::to_string(x);
            else
                return fmt::format("{}", fmt::join(x, ", "));
        },
        v);
}

/// The Zoho ids a step is bound to, as text ("zuid 123 · cuenta 456").
std::string bound_ids(const domain::Target& t) {
    std::vector<std::string> parts;
    if (!t.zuid.empty())
        parts.push_back("zuid " + t.zuid);
    if (!t.account_id.empty())
        parts.push_back("cuenta " + t.account_id);
    if (!t.zgid.empty())
        parts.push_back("zgid " + t.zgid);
    if (!t.member_zuid.empty())
        parts.push_back("miembro " + t.member_zuid);
    return fmt::format("{}", fmt::join(parts, " · "));
}

/// A stored plan read back; nullopt when its text does not parse (shown as such).
std::optional<domain::Plan> read_plan(const store::PlanRecord& p) {
    try {
        return workflow::plan_from_text(p.plan_text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// A scheduled step as the plan comment says it (in Spanish), from the plan it belongs to; its
/// operation's code name when that plan is not the current one or cannot be read.
std::string scheduled_step_text(store::StateStore& store, const store::ScheduledStep& st) {
    auto current = store.current_plan(st.key.task_id).value();
    if (!current || current->plan_hash != st.key.plan_hash)
        return st.op;
    auto plan = read_plan(*current);
    if (!plan || st.key.step_index < 0 ||
        static_cast<std::size_t>(st.key.step_index) >= plan->steps.size())
        return st.op;
    return workflow::describe_step(plan->steps[static_cast<std::size_t>(st.key.step_index)]);
}

/// The row of a plan waiting for its effective date, on Programadas and on Solicitud: the plan
/// runs whole at that time (`due_local`, the plan's `not_before` in the configured zone).
Data dated_plan_row(const std::string& due_local) {
    Data x;
    x.set("operacion", std::string("el plan completo (fecha efectiva)"));
    x.set("vence", due_local);
    x.set("estado", std::string("espera su fecha"));
    return x;
}

std::vector<std::string> step_lines(const domain::Plan& plan) {
    std::vector<std::string> out;
    for (const auto& op : plan.steps)
        out.push_back(workflow::describe_step(op));
    return out;
}

Data steps_data(const std::optional<domain::Plan>& plan) {
    Data list{Data::type::list};
    if (!plan)
        return list;
    for (const auto& op : plan->steps) {
        Data s;
        s.set("descripcion", workflow::describe_step(op));
        auto ids = bound_ids(op.target);
        s.set("ids", ids.empty() ? Data{false} : Data{ids});
        s.set("dias", op.after_days > 0 ? Data{std::to_string(op.after_days)} : Data{false});
        list << s;
    }
    return list;
}

std::vector<std::string> split_reasons(const std::string& reasons) {
    std::vector<std::string> out;
    std::string line;
    for (char c : reasons + "\n") {
        if (c == '\n' || c == ';') {
            auto first = line.find_first_not_of(' ');
            if (first != std::string::npos)
                out.push_back(line.substr(first));
            line.clear();
        } else {
            line.push_back(c);
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

WebReply redirect(std::string location, int status = 303) {
    WebReply r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", std::move(location));
    return r;
}

std::optional<std::int64_t> id_of(const std::string& text) {
    return admin::parse_positive_id(text);
}

}  // namespace

Console::Console(core::Clock& clock, config::ConsoleConfig config, std::string portal_url,
                 admin::CommandRegistry& commands, store::StateStore& store, BitrixSignIn& sign_in,
                 ApproverCheck is_approver, TitleLookup title)
    : clock_(clock)
    , config_(std::move(config))
    , portal_url_(std::move(portal_url))
    , commands_(commands)
    , store_(store)
    , sign_in_(sign_in)
    , is_approver_(std::move(is_approver))
    , title_(std::move(title))
    , sessions_(SessionLimits{
          config_.session_idle.count() > 0 ? config_.session_idle : std::chrono::seconds(1800),
          config_.session_lifetime.count() > 0 ? config_.session_lifetime
                                               : std::chrono::seconds(43200),
          config_.max_sessions > 0 ? static_cast<std::size_t>(config_.max_sessions) : 256,
          std::chrono::seconds(600), 256}) {
    while (!portal_url_.empty() && portal_url_.back() == '/')
        portal_url_.pop_back();
}

void Console::mount(admin::AdminServer& server) {
    server.mount_web("consola", [this](WebRequest r) { return handle(std::move(r)); });
}

void Console::set_tablero(TableroSource source) {
    tablero_ = std::move(source);
}

void Console::audit(const std::string& actor, const std::string& action,
                    std::optional<std::int64_t> task_id, const std::string& detail) {
    auto r = store_.append_audit({actor, action, task_id, detail});
    if (!r)
        log::error("CONSOLE_AUDIT_FAILED", {{"action", action}, {"error", r.error().describe()}});
}

asio::awaitable<WebReply> Console::handle(WebRequest request) {
    Context ctx;
    ctx.request = std::move(request);
    auto target = parse_target(ctx.request.target);
    if (!target) {
        WebReply bad;
        bad.status = 400;
        bad.content_type = "text/plain; charset=utf-8";
        bad.body = "Dirección mal formada.";
        co_return bad;
    }
    ctx.target = std::move(*target);
    if (auto id = cookie_value(ctx.request.cookie, kSessionCookie)) {
        ctx.session_id = *id;
        ctx.session = sessions_.find(*id, clock_.wall_now());
    }
    WebReply reply = co_await route(ctx);
    for (auto& h : security_headers())
        reply.headers.push_back(std::move(h));
    co_return reply;
}

Data Console::base_data(Context& ctx, std::string_view title) {
    Data d;
    d.set("titulo", std::string(title));
    d.set("version", version_);
    if (ctx.session) {
        Data p;
        p.set("nombre", ctx.session->person.name);
        p.set("aprobador", ctx.session->person.approver);
        d.set("persona", p);
        d.set("csrf", ctx.session->csrf);
    } else {
        d.set("persona", false);
    }
    d.set("en_cola", ctx.nav == "cola");
    d.set("en_programadas", ctx.nav == "programadas");
    d.set("en_tablero", ctx.nav == "tablero");
    d.set("en_conciliacion", ctx.nav == "conciliacion");
    d.set("aviso", ctx.notice.empty() ? Data{false} : Data{ctx.notice});
    d.set("error", false);
    return d;
}

WebReply Console::page(Context&, std::string_view name, Data data, int status) {
    WebReply r;
    r.status = status;
    r.body = render(name, std::move(data));
    return r;
}

WebReply Console::message(Context& ctx, int status, std::string title, std::string text) {
    auto d = base_data(ctx, title);
    d.set("texto", std::move(text));
    if (ctx.session) {
        d.set("enlace", std::string("/consola/cola"));
        d.set("enlace_texto", std::string("Volver a la cola"));
    } else {
        d.set("enlace", std::string("/consola/entrar"));
        d.set("enlace_texto", std::string("Entrar"));
    }
    return page(ctx, "mensaje", std::move(d), status);
}

asio::awaitable<WebReply> Console::route(Context& ctx) {
    const auto& s = ctx.target.segments;  // s[0] == "consola"
    const std::string& method = ctx.request.method;
    auto is = [&](std::initializer_list<std::string_view> want) {
        return s.size() == want.size() + 1 && std::equal(want.begin(), want.end(), s.begin() + 1);
    };
    auto only = [&](std::string_view m) -> std::optional<WebReply> {
        if (method == m)
            return std::nullopt;
        WebReply r;
        r.status = 405;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "Método no permitido.";
        r.headers.emplace_back("Allow", std::string(m));
        return r;
    };

    // Open to anyone: the assets, the sign-in and the portal's redirect back.
    if (s.size() == 3 && s[1] == "recursos") {
        if (auto r = only("GET"))
            co_return *r;
        auto bytes = (s[2] == "app.css" || s[2] == "app.js") ? embedded(s[2]) : std::nullopt;
        if (!bytes)
            co_return message(ctx, 404, "No encontrado", "Ese recurso no existe.");
        WebReply r;
        r.content_type =
            s[2] == "app.css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        r.body = std::string(*bytes);
        co_return r;
    }
    if (is({}) || (s.size() == 2 && s[1].empty())) {
        co_return redirect(ctx.session ? "/consola/cola" : "/consola/entrar");
    }
    if (is({"entrar"})) {
        if (auto r = only("GET"))
            co_return *r;
        if (ctx.session)
            co_return redirect("/consola/cola");
        auto d = base_data(ctx, "Entrar");
        if (tokens_.empty()) {
            d.set("emergencia", false);
            co_return page(ctx, "entrar", std::move(d));
        }
        // The break-glass form carries a state bound to this browser, like the portal's
        // sign-in: a form posted from another site cannot sign this browser in.
        auto [state, binding] = sessions_.start_sign_in(clock_.wall_now());
        Data e;
        e.set("estado", state);
        d.set("emergencia", e);
        WebReply r = page(ctx, "entrar", std::move(d));
        r.headers.emplace_back(
            "Set-Cookie",
            set_cookie(kSignInCookie, binding,
                       {config_.secure_cookies, "Strict",
                        static_cast<long>(sessions_.limits().sign_in_window.count())}));
        co_return r;
    }
    if (is({"entrar", "token"})) {
        if (auto r = only("POST"))
            co_return *r;
        co_return break_glass(ctx);
    }
    if (is({"entrar", "bitrix24"})) {
        if (auto r = only("GET"))
            co_return *r;
        auto [state, binding] = sessions_.start_sign_in(clock_.wall_now());
        WebReply r = redirect(sign_in_.authorize_url(state), 302);
        r.headers.emplace_back(
            "Set-Cookie",
            set_cookie(kSignInCookie, binding,
                       {config_.secure_cookies, "Lax",
                        static_cast<long>(sessions_.limits().sign_in_window.count())}));
        co_return r;
    }
    if (is({"oauth"})) {
        if (auto r = only("GET"))
            co_return *r;
        co_return co_await finish_sign_in(ctx);
    }

    // Everything else needs a session.
    if (!ctx.session) {
        if (method == "GET")
            co_return redirect("/consola/entrar");
        log::warn("CONSOLE_REFUSED",
                  {{"path", "/" + fmt::format("{}", fmt::join(s, "/"))}, {"reason", "no session"}});
        co_return message(ctx, 403, "Acceso denegado", "Su sesión terminó. Entre de nuevo.");
    }
    if (method == "POST") {
        // Every form carries the session's CSRF token; without it nothing is done.
        auto form = admin::parse_form(ctx.request.body);
        const std::string* given = nullptr;
        if (form)
            if (auto it = form->find("csrf"); it != form->end())
                given = &it->second;
        if (!given || !same_token(*given, ctx.session->csrf)) {
            log::warn("CONSOLE_REFUSED", {{"path", "/" + fmt::format("{}", fmt::join(s, "/"))},
                                          {"user", ctx.session->person.principal()},
                                          {"reason", "missing or wrong CSRF token"}});
            co_return message(ctx, 403, "Solicitud rechazada",
                              "El formulario no traía su código de seguridad. Recargue la página "
                              "e inténtelo de nuevo.");
        }
    }
    if (is({"salir"})) {
        if (auto r = only("POST"))
            co_return *r;
        log::info("CONSOLE_SIGN_OUT", {{"user", ctx.session->person.principal()}});
        audit(ctx.session->person.principal(), "console.sign_out", std::nullopt, "");
        sessions_.remove(ctx.session_id);
        ctx.session = nullptr;
        WebReply r = redirect("/consola/entrar");
        r.headers.emplace_back(
            "Set-Cookie", set_cookie(kSessionCookie, "", {config_.secure_cookies, "Strict", 0}));
        co_return r;
    }
    if (is({"cola"})) {
        if (auto r = only("GET"))
            co_return *r;
        co_return cola(ctx);
    }
    if (is({"programadas"})) {
        if (auto r = only("GET"))
            co_return *r;
        co_return programadas(ctx);
    }
    if (is({"conciliacion"})) {
        if (auto r = only("GET"))
            co_return *r;
        co_return conciliacion(ctx);
    }
    if (is({"tablero"})) {
        if (auto r = only("GET"))
            co_return *r;
        co_return co_await tablero(ctx);
    }
    if (s.size() >= 3 && s[1] == "solicitud") {
        auto id = id_of(s[2]);
        if (!id)
            co_return message(ctx, 404, "No encontrada", "Esa solicitud no existe.");
        if (s.size() == 3) {
            if (auto r = only("GET"))
                co_return *r;
            if (auto it = ctx.target.query.find("aviso"); it != ctx.target.query.end()) {
                static const std::map<std::string, std::string> notices{
                    {"aprobada", "Plan aprobado."},
                    {"rechazada", "Plan rechazado."},
                    {"cancelada", "Pasos programados cancelados."}};
                if (auto n = notices.find(it->second); n != notices.end())
                    ctx.notice = n->second;
            }
            co_return solicitud(ctx, *id);
        }
        if (s.size() == 4 && (s[3] == "aprobar" || s[3] == "rechazar" || s[3] == "cancelar")) {
            if (auto r = only("POST"))
                co_return *r;
            co_return co_await act(ctx, *id, s[3]);
        }
    }
    co_return message(ctx, 404, "No encontrado", "Esa página no existe.");
}

asio::awaitable<WebReply> Console::finish_sign_in(Context& ctx) {
    auto now = clock_.wall_now();
    auto q = [&](const char* k) {
        auto it = ctx.target.query.find(k);
        return it == ctx.target.query.end() ? std::string() : it->second;
    };
    auto binding = cookie_value(ctx.request.cookie, kSignInCookie).value_or("");
    const std::string code = q("code");
    auto clear_binding = [&](WebReply& r) {
        r.headers.emplace_back("Set-Cookie",
                               set_cookie(kSignInCookie, "", {config_.secure_cookies, "Lax", 0}));
    };
    if (!sessions_.finish_sign_in(q("state"), binding, now) || code.empty()) {
        log::warn("CONSOLE_SIGN_IN_REFUSED",
                  {{"reason", code.empty() ? "no code" : "unknown, expired or foreign state"},
                   {"peer", ctx.request.peer}});
        auto r = message(ctx, 403, "No se pudo entrar",
                         "La respuesta del portal no corresponde a un inicio de sesión de este "
                         "navegador o ya expiró. Vuelva a intentarlo.");
        clear_binding(r);
        co_return r;
    }
    auto outcome = co_await sign_in_.sign_in(code);
    if (auto* failed = std::get_if<SignInError>(&outcome)) {
        log::warn("CONSOLE_SIGN_IN_FAILED", {{"reason", failed->reason}});
        auto r = message(ctx, 502, "No se pudo entrar",
                         "El portal de Bitrix24 no confirmó quién es usted. Vuelva a intentarlo; "
                         "si se repite, avise a TI.");
        clear_binding(r);
        co_return r;
    }
    const auto& user = std::get<PortalUser>(outcome);
    Person person;
    person.bitrix_id = user.id;
    person.name = user.name.empty() ? fmt::format("Usuario {}", user.id) : user.name;
    person.approver = co_await is_approver_(user.id);
    const bool viewer =
        std::find(config_.viewers.begin(), config_.viewers.end(), user.id) != config_.viewers.end();
    if (!person.approver && !viewer) {
        log::warn("CONSOLE_SIGN_IN_REFUSED",
                  {{"user", person.principal()}, {"reason", "neither approver nor viewer"}});
        audit(person.principal(), "console.sign_in_refused", std::nullopt,
              "neither an approver nor in console.viewers");
        auto r = message(ctx, 403, "Sin acceso",
                         "Su usuario de Bitrix24 no tiene acceso a la consola de TI.");
        clear_binding(r);
        co_return r;
    }
    std::string id = sessions_.create(person, now);
    log::info("CONSOLE_SIGN_IN", {{"user", person.principal()}, {"approver", person.approver}});
    audit(person.principal(), "console.sign_in", std::nullopt,
          person.approver ? "approver" : "viewer");
    // A page, not a redirect: the browser arrived from the portal (another site), and a
    // SameSite=Strict cookie is sent only on a navigation this site starts.
    Data d;
    d.set("nombre", person.name);
    WebReply r = page(ctx, "sesion_iniciada", d);
    r.headers.emplace_back("Set-Cookie",
                           set_cookie(kSessionCookie, id, {config_.secure_cookies, "Strict", {}}));
    clear_binding(r);
    co_return r;
}

WebReply Console::break_glass(Context& ctx) {
    auto form = admin::parse_form(ctx.request.body).value_or(std::map<std::string, std::string>{});
    auto field = [&](const char* k) {
        auto it = form.find(k);
        return it == form.end() ? std::string() : it->second;
    };
    auto binding = cookie_value(ctx.request.cookie, kSignInCookie).value_or("");
    if (!sessions_.finish_sign_in(field("estado"), binding, clock_.wall_now())) {
        log::warn("CONSOLE_SIGN_IN_REFUSED",
                  {{"reason", "break-glass form without its state"}, {"peer", ctx.request.peer}});
        return message(ctx, 403, "No se pudo entrar",
                       "El formulario expiró o no es de este navegador. Vuelva a intentarlo.");
    }
    // Every token is compared, whatever matches, so timing tells nothing.
    const std::string given = field("token");
    std::optional<std::string> who;
    for (const auto& t : tokens_)
        if (!given.empty() && t.token.value.equals(given) && !who)
            who = t.name;
    if (!who) {
        log::warn("CONSOLE_SIGN_IN_REFUSED",
                  {{"reason", "unknown admin token"}, {"peer", ctx.request.peer}});
        return message(ctx, 403, "No se pudo entrar", "Ese token no es de un administrador.");
    }
    Person person{0, *who, true};
    std::string id = sessions_.create(person, clock_.wall_now());
    log::warn("CONSOLE_SIGN_IN", {{"user", person.principal()}, {"approver", true}});
    audit(person.principal(), "console.sign_in", std::nullopt, "break-glass admin token");
    WebReply r = redirect("/consola/cola");
    r.headers.emplace_back("Set-Cookie",
                           set_cookie(kSessionCookie, id, {config_.secure_cookies, "Strict", {}}));
    r.headers.emplace_back("Set-Cookie",
                           set_cookie(kSignInCookie, "", {config_.secure_cookies, "Strict", 0}));
    return r;
}

asio::awaitable<WebReply> Console::act(Context& ctx, std::int64_t task_id,
                                       const std::string& action) {
    const Person& person = ctx.session->person;
    if (!person.approver) {
        log::warn("CONSOLE_REFUSED", {{"user", person.principal()},
                                      {"task", task_id},
                                      {"action", action},
                                      {"reason", "not an approver"}});
        co_return message(ctx, 403, "Acceso denegado",
                          "Solo un aprobador de TI puede aprobar, rechazar o cancelar.");
    }
    auto form = admin::parse_form(ctx.request.body).value_or(std::map<std::string, std::string>{});
    auto field = [&](const char* k) {
        auto it = form.find(k);
        return it == form.end() ? std::string() : it->second;
    };
    admin::CommandRequest cmd;
    cmd.principal = person.principal();
    cmd.via = "web";
    cmd.args["id"] = task_id;
    std::string notice;
    if (action == "aprobar") {
        cmd.name = "queue.approve";
        cmd.args["plan_hash"] = field("plan_hash");
        notice = "aprobada";
    } else if (action == "rechazar") {
        cmd.name = "queue.reject";
        cmd.args["reason"] = field("motivo");
        notice = "rechazada";
    } else {
        cmd.name = "queue.cancel";
        notice = "cancelada";
    }
    if (action == "rechazar" && field("motivo").find_first_not_of(' ') == std::string::npos)
        co_return message(ctx, 400, "Falta el motivo", "Un rechazo necesita un motivo.");
    auto result = co_await commands_.run(cmd);
    log::info("CONSOLE_ACTION", {{"user", person.principal()},
                                 {"task", task_id},
                                 {"command", cmd.name},
                                 {"status", result.status}});
    if (result.status != 200) {
        std::string why;
        if (result.body.is_object())
            if (const auto* m = result.body.as_object().if_contains("message"); m && m->is_string())
                why = std::string(m->as_string());
        static const std::map<std::string, std::string> codes{
            {"requester_cannot_approve",
             "Quien presentó la solicitud no puede decidir sobre ella."},
            {"not_an_approver", "Solo un aprobador de TI puede hacerlo."},
            {"stale_plan", "El plan cambió desde que se mostró esta página. Revise el plan nuevo."},
            {"not_awaiting_approval", "La solicitud ya no espera aprobación."},
            {"nothing_scheduled", "La solicitud no tiene pasos programados pendientes."}};
        std::string code;
        if (result.body.is_object())
            if (const auto* c = result.body.as_object().if_contains("error"); c && c->is_string())
                code = std::string(c->as_string());
        auto known = codes.find(code);
        co_return message(
            ctx, result.status, "No se pudo completar",
            known != codes.end() ? known->second : "El daemon rechazó la acción: " + why);
    }
    co_return redirect(fmt::format("/consola/solicitud/{}?aviso={}", task_id, notice));
}

WebReply Console::cola(Context& ctx) {
    ctx.nav = "cola";
    auto d = base_data(ctx, "Cola");
    Data list{Data::type::list};
    const auto& person = ctx.session->person;
    for (const auto& t : store_.list_tickets({store::TicketState::awaiting_approval}).value()) {
        auto current = store_.current_plan(t.task_id).value();
        if (!current)
            continue;
        auto plan = read_plan(*current);
        Data item;
        item.set("id", std::to_string(t.task_id));
        auto title = title_ ? title_(t.task_id) : std::string();
        item.set("titulo", title.empty() ? Data{false} : Data{title});
        item.set("solicitante", current->requester > 0
                                    ? fmt::format("usuario {} de Bitrix24", current->requester)
                                    : std::string("desconocido"));
        item.set("flujo", t.workflow);
        item.set("version", std::to_string(current->id));
        item.set("hash", current->plan_hash);
        item.set("hash_corto", current->plan_hash.substr(0, 12));
        auto reasons = split_reasons(current->reasons);
        item.set("tiene_motivos", !reasons.empty());
        item.set("motivos", string_list(reasons));
        item.set("pasos", steps_data(plan));
        // The diff against the plan this one superseded (by step description).
        auto plans = store_.plans_for(t.task_id).value();
        const store::PlanRecord* previous = nullptr;
        for (const auto& p : plans)
            if (p.id < current->id && (!previous || p.id > previous->id))
                previous = &p;
        if (previous && plan)
            if (auto before = read_plan(*previous)) {
                auto now_lines = step_lines(*plan), old_lines = step_lines(*before);
                std::vector<std::string> added, removed;
                for (const auto& l : now_lines)
                    if (std::find(old_lines.begin(), old_lines.end(), l) == old_lines.end())
                        added.push_back(l);
                for (const auto& l : old_lines)
                    if (std::find(now_lines.begin(), now_lines.end(), l) == now_lines.end())
                        removed.push_back(l);
                Data changes;
                changes.set("agregado", string_list(added));
                changes.set("quitado", string_list(removed));
                item.set("cambios", changes);
            }
        bool own = person.bitrix_id > 0 &&
                   std::any_of(plans.begin(), plans.end(),
                               [&](const auto& p) { return p.requester == person.bitrix_id; });
        item.set("es_solicitante", own);
        item.set("puede_decidir", person.approver && !own);
        item.set("csrf", ctx.session->csrf);
        list << item;
    }
    d.set("solicitudes", list);
    return page(ctx, "cola", std::move(d));
}

WebReply Console::solicitud(Context& ctx, std::int64_t task_id) {
    auto ticket = store_.get_ticket(task_id).value();
    if (!ticket)
        return message(ctx, 404, "No encontrada",
                       fmt::format("No hay una solicitud de la tarea {}.", task_id));
    const auto& person = ctx.session->person;
    auto d = base_data(ctx, fmt::format("Solicitud {}", task_id));
    d.set("id", std::to_string(task_id));
    auto title = title_ ? title_(task_id) : std::string();
    d.set("titulo", title.empty() ? Data{false} : Data{title});
    d.set("enlace_tarea",
          fmt::format("{}/company/personal/user/0/tasks/task/view/{}/", portal_url_, task_id));
    d.set("flujo", ticket->workflow.empty() ? std::string("(ninguno)") : ticket->workflow);
    d.set("estado", std::string(store::to_string(ticket->state)));
    d.set("estado_texto", state_text(store::to_string(ticket->state)));
    d.set("errores", ticket->parse_errors.empty() ? Data{false} : Data{ticket->parse_errors});

    auto plans = store_.plans_for(task_id).value();
    const bool own = person.bitrix_id > 0 &&
                     std::any_of(plans.begin(), plans.end(),
                                 [&](const auto& p) { return p.requester == person.bitrix_id; });
    Data plan_list{Data::type::list};
    Data fields{Data::type::list};
    for (const auto& p : plans) {
        auto plan = read_plan(p);
        if (p.current && plan)
            for (const auto& [name, value] : plan->fields) {
                Data f;
                f.set("nombre", name);
                f.set("valor", value_text(value));
                fields << f;
            }
        Data item;
        item.set("id", std::to_string(task_id));
        item.set("version", std::to_string(p.id));
        item.set("actual", p.current);
        item.set("hash", p.plan_hash);
        item.set("hash_corto", p.plan_hash.substr(0, 12));
        item.set("creado", when(p.created_at));
        item.set("decision", std::string(p.decision == store::PlanDecision::automatic ? "automático"
                                         : p.decision == store::PlanDecision::approval
                                             ? "requiere aprobación"
                                             : "rechazado por la política"));
        item.set("solicitante", p.requester > 0 ? Data{std::to_string(p.requester)} : Data{false});
        item.set("simulacion", p.dry_run);
        auto reasons = split_reasons(p.reasons);
        item.set("tiene_motivos", !reasons.empty());
        item.set("motivos", string_list(reasons));
        item.set("pasos", steps_data(plan));
        Data journal{Data::type::list};
        for (const auto& st : store_.journal_for(task_id, p.plan_hash).value()) {
            Data j;
            j.set("paso", std::to_string(st.key.step_index + 1));
            j.set("operacion", st.op);
            j.set("estado", std::string(store::to_string(st.state)));
            j.set("resultado",
                  st.error_class.empty() ? st.result : st.error_class + ": " + st.result);
            j.set("intentos", std::to_string(st.attempts));
            journal << j;
        }
        item.set("tiene_diario", !journal.list_value().empty());
        item.set("diario", journal);
        item.set("puede_decidir", p.current &&
                                      ticket->state == store::TicketState::awaiting_approval &&
                                      person.approver && !own);
        item.set("csrf", ctx.session->csrf);
        plan_list << item;
    }
    d.set("tiene_campos", !fields.list_value().empty());
    d.set("campos", fields);
    d.set("planes", plan_list);

    Data approvals{Data::type::list};
    for (const auto& a : store_.approvals_for(task_id).value()) {
        Data x;
        x.set("quien", a.approver);
        x.set("canal", channel_text(a.channel));
        x.set("decision",
              std::string(a.decision == store::Decision::approve ? "aprobó" : "rechazó"));
        x.set("motivo", a.reason);
        x.set("cuando", when(a.decided_at));
        approvals << x;
    }
    d.set("tiene_aprobaciones", !approvals.list_value().empty());
    d.set("aprobaciones", approvals);

    Data scheduled{Data::type::list};
    bool pending = false;
    // A plan waiting for its effective date (approved, `not_before` ahead) runs whole then.
    if (ticket->state == store::TicketState::approved)
        for (const auto& p : plans)
            if (auto plan = read_plan(p); p.current && plan && plan->not_before_ms > 0 &&
                                          plan->not_before_ms > now_ms(clock_)) {
                Data x = dated_plan_row(plan->not_before_local);
                pending = true;
                scheduled << x;
            }
    for (const auto& st : store_.scheduled_steps(task_id).value()) {
        Data x;
        x.set("operacion", scheduled_step_text(store_, st));
        x.set("vence", due_text(st.due_at));
        x.set("estado", std::string(st.state == store::ScheduleState::pending ? "pendiente"
                                    : st.state == store::ScheduleState::done  ? "hecho"
                                                                              : "cancelado"));
        pending = pending || st.state == store::ScheduleState::pending;
        scheduled << x;
    }
    d.set("tiene_programadas", !scheduled.list_value().empty());
    d.set("programadas", scheduled);
    d.set("puede_cancelar", pending && person.approver);

    Data comments{Data::type::list};
    for (const auto& a : store_.answers_for(task_id).value()) {
        if (a.kind != store::AnswerKind::comment)
            continue;
        Data x;
        x.set("tipo", std::string("comentario"));
        x.set("estado", std::string(a.state == store::AnswerState::done      ? "publicado"
                                    : a.state == store::AnswerState::pending ? "por publicar"
                                                                             : "descartado"));
        x.set("texto", a.body);
        comments << x;
    }
    d.set("comentarios", comments);

    Data history{Data::type::list};
    for (const auto& a : store_.audit_trail(task_id, 200).value()) {
        Data x;
        x.set("seq", std::to_string(a.seq));
        x.set("cuando", when(a.at));
        x.set("quien", a.actor);
        x.set("accion", a.action);
        x.set("detalle", a.detail);
        history << x;
    }
    d.set("historia", history);
    auto verified = store_.verify_audit();
    d.set("auditoria_ok", verified && verified->ok);
    d.set("auditoria_registros", verified ? std::to_string(verified->records_checked) : "0");
    d.set("auditoria_problema",
          verified ? verified->problem : "no se pudo leer: " + verified.error().describe());
    return page(ctx, "solicitud", std::move(d));
}

WebReply Console::programadas(Context& ctx) {
    ctx.nav = "programadas";
    auto d = base_data(ctx, "Programadas");
    Data list{Data::type::list};
    auto steps = store_.scheduled_steps(std::nullopt).value();
    std::sort(steps.begin(), steps.end(),
              [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
    // Plans waiting for their effective date first (approved, `not_before` ahead): each runs
    // whole at that time.
    std::vector<std::pair<std::int64_t, Data>> dated;
    for (const auto& t : store_.list_tickets({store::TicketState::approved}).value()) {
        auto current = store_.current_plan(t.task_id).value();
        auto plan = current ? read_plan(*current) : std::nullopt;
        if (!plan || plan->not_before_ms <= now_ms(clock_))
            continue;
        Data x = dated_plan_row(plan->not_before_local);
        x.set("tarea", std::to_string(t.task_id));
        x.set("pendiente", true);
        x.set("aprobador", ctx.session->person.approver);
        x.set("csrf", ctx.session->csrf);
        dated.emplace_back(plan->not_before_ms, std::move(x));
    }
    std::sort(dated.begin(), dated.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [at, x] : dated)
        list << x;
    for (const auto& st : steps) {
        if (st.state != store::ScheduleState::pending)
            continue;
        Data x;
        x.set("tarea", std::to_string(st.key.task_id));
        x.set("operacion", scheduled_step_text(store_, st));
        x.set("vence", due_text(st.due_at));
        x.set("estado", std::string("pendiente"));
        x.set("pendiente", true);
        x.set("aprobador", ctx.session->person.approver);
        x.set("csrf", ctx.session->csrf);
        list << x;
    }
    d.set("tiene_pasos", !list.list_value().empty());
    d.set("pasos", list);
    d.set("aprobador", ctx.session->person.approver);
    return page(ctx, "programadas", std::move(d));
}

std::string Console::due_text(store::Timestamp t) const {
    if (!zone_)
        return when(t);
    return core::format_in_zone(*zone_, store::to_millis(t) / 1000);
}

namespace {

// What each kind of finding is called on the page.
std::string finding_kind_text(std::string_view kind) {
    static const std::map<std::string_view, std::string_view> names{
        {"created_outside", "cuenta creada fuera de hrmaild"},
        {"disabled_forwarding", "desactivada y reenvía correo"},
        {"disabled_in_groups", "desactivada y en grupos"},
        {"licences_high", "licencias"},
        {"mailbox_storage_high", "buzón casi lleno"},
        {"past_scheduled_delete", "eliminación vencida"},
        {"scheduled_delete_changed", "eliminación programada que ya no corresponde"},
        {"storage_high", "almacenamiento"},
        {"terminated_enabled", "dada de baja y activa"}};
    auto it = names.find(kind);
    return it == names.end() ? std::string(kind) : std::string(it->second);
}

}  // namespace

// The latest reconciliation report (a scheduled run or `hrmaild reconcile`), read-only: what
// the service stored (the `reconcile.latest` watermark).
WebReply Console::conciliacion(Context& ctx) {
    ctx.nav = "conciliacion";
    auto d = base_data(ctx, "Conciliación");
    auto text = store_.get_watermark("reconcile.latest").value();
    json::value report;
    if (text) {
        boost::system::error_code ec;
        report = json::parse(*text, ec);
        if (ec)
            report = nullptr;
    }
    const auto* r = report.if_object();
    if (r == nullptr || !r->contains("findings") || !r->at("findings").is_array()) {
        d.set("reporte", false);
        return page(ctx, "conciliacion", std::move(d));
    }
    Data rep;
    std::string at;
    if (const auto* a = r->if_contains("at"); a && a->is_string()) {
        if (auto secs = core::parse_iso(a->get_string()))
            at = zone_ ? core::format_in_zone(*zone_, *secs)
                       : when(store::Timestamp(std::chrono::seconds(*secs)));
    }
    rep.set("fecha", at);
    Data list{Data::type::list};
    for (const auto& f : r->at("findings").as_array()) {
        const auto* o = f.if_object();
        if (o == nullptr)
            continue;
        auto str = [&](std::string_view k) {
            const auto* v = o->if_contains(k);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        Data x;
        x.set("tipo", finding_kind_text(str("kind")));
        x.set("direccion",
              str("address").empty() ? std::string("(la organización)") : str("address"));
        x.set("detalle", str("detail"));
        if (const auto* t = o->if_contains("task"); t && t->is_int64())
            x.set("tarea", std::to_string(t->get_int64()));
        else
            x.set("tarea", false);
        list << x;
    }
    rep.set("cuantas", std::to_string(list.list_value().size()));
    rep.set("tiene_diferencias", !list.list_value().empty());
    rep.set("diferencias", list);
    if (const auto* t = r->if_contains("task"); t && t->is_int64())
        rep.set("enlace_tarea", fmt::format("{}/company/personal/user/0/tasks/task/view/{}/",
                                            portal_url_, t->get_int64()));
    else
        rep.set("enlace_tarea", false);
    d.set("reporte", rep);
    return page(ctx, "conciliacion", std::move(d));
}

asio::awaitable<WebReply> Console::tablero(Context& ctx) {
    ctx.nav = "tablero";
    auto d = base_data(ctx, "Tablero");
    std::optional<TableroContent> content;
    if (tablero_)
        content = co_await tablero_();
    if (!content) {
        d.set("tablero", false);
        d.set("graficas", Data{Data::type::list});
        co_return page(ctx, "tablero", std::move(d));
    }
    d.set("tablero", to_data(content->data));
    Data charts{Data::type::list};
    for (const auto& c : content->charts) {
        Data x;
        x.set("titulo", c.title);
        x.set("alt", c.alt);
        x.set("src", "data:image/svg+xml;base64," + base64(c.svg));
        charts << x;
    }
    d.set("graficas", charts);
    co_return page(ctx, "tablero", std::move(d));
}

}  // namespace hrmaild::console
