// The web console over real HTTP: sign-in through the sandbox portal (authorize, code
// exchange, user.current), sessions and CSRF, what an approver and a requester may do, escaping,
// and secrets kept out of the logs. The actions reach a recording command registry: that they
// run the service's own commands is the service test's and the browser test's part.
#include "daemon/console/console.hpp"
#include "daemon/admin/commands.hpp"
#include "daemon/admin/metrics.hpp"
#include "daemon/admin/server.hpp"
#include "daemon/console/bitrix_sign_in.hpp"
#include "daemon/core/hash.hpp"
#include "daemon/core/zone.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/store/sqlite_store.hpp"
#include "daemon/workflow/plan_json.hpp"
#include "daemon/workflow/planner.hpp"
#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <regex>
#include <thread>

namespace hrmaild::console {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

struct Answer {
    int status = 0;
    std::multimap<std::string, std::string> headers;  // lower-case names, repeats kept
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    /// The value a Set-Cookie line gives `name`, or nullopt.
    std::optional<std::string> cookie(const std::string& name) const {
        auto [a, b] = headers.equal_range("set-cookie");
        for (auto it = a; it != b; ++it)
            if (it->second.starts_with(name + "="))
                return it->second.substr(name.size() + 1, it->second.find(';') - name.size() - 1);
        return std::nullopt;
    }
    std::string set_cookie_line(const std::string& name) const {
        auto [a, b] = headers.equal_range("set-cookie");
        for (auto it = a; it != b; ++it)
            if (it->second.starts_with(name + "="))
                return it->second;
        return {};
    }
};

/// One request over a fresh connection to 127.0.0.1:port.
Answer exchange(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& cookie = {}, const std::string& form = {}) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};  // a test that waits longer has failed anyway
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!cookie.empty())
        req.set(http::field::cookie, cookie);
    if (method == "POST") {
        req.set(http::field::content_type, "application/x-www-form-urlencoded");
        req.body() = form;
    }
    req.keep_alive(false);
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    Answer out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& h : res) {
        std::string name(h.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace(name, std::string(h.value()));
    }
    out.body = res.body();
    return out;
}

/// The path and query of an absolute URL.
std::string target_of(const std::string& url) {
    auto scheme = url.find("://");
    auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

std::string hidden_in(const std::string& html, const std::string& name) {
    std::smatch m;
    const std::regex re("name=\"" + name + "\" value=\"([0-9a-f]+)\"");
    return std::regex_search(html, m, re) ? m[1].str() : std::string();
}

std::string csrf_in(const std::string& html) {
    std::smatch m;
    static const std::regex re(R"re(name="csrf" value="([0-9a-f]+)")re");
    return std::regex_search(html, m, re) ? m[1].str() : std::string();
}

/// A command the console ran.
struct Ran {
    std::string name;
    std::string principal;
    std::string via;
    boost::json::object args;
};

class ConsoleTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opts = log::default_options();
        opts.level = log::Level::trace;  // the request lines too: none may hold a secret
        log::setup(opts);

        std::string error;
        auto seed = sandbox::load_seed_dir(test::source_dir() / "tests/fixtures/tickets", error);
        ASSERT_TRUE(seed) << error;
        sandbox_.seed(*seed);

        store::SqliteOptions so;
        so.path = dir_.path() / "state.db";
        auto opened = store::SqliteStore::open(so);
        ASSERT_TRUE(opened) << opened.error().describe();
        store_ = std::move(*opened);
        seed_waiting_ticket();

        for (const char* name : {"queue.approve", "queue.reject", "queue.cancel"})
            registry_.add(
                name, "records",
                [this, name](admin::CommandRequest r) -> asio::awaitable<admin::CommandResult> {
                    std::lock_guard lock(mutex_);
                    ran_.push_back({r.name, r.principal, r.via, r.args});
                    co_return admin::CommandResult{200, boost::json::object{{"state", "done"}}};
                });

        config::AdminConfig admin_cfg;
        admin_cfg.listen = "127.0.0.1:0";
        admin_cfg.max_body_bytes = 65536;
        config::ConsoleConfig console_cfg;
        console_cfg.enabled = true;
        console_cfg.client_id = "local.sandbox";
        console_cfg.viewers = {12};
        console_cfg.session_idle = 30min;
        console_cfg.session_lifetime = 12h;
        console_cfg.max_sessions = 16;
        on_io([&] {
            net::HttpSettings hs;
            hs.resolve_timeout = hs.connect_timeout = hs.tls_timeout = 5s;
            hs.write_timeout = hs.read_timeout = 5s;
            hs.total_timeout = 10s;
            hs.max_response_bytes = 1 << 20;
            net::HttpClientOptions ho;
            ho.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
            http_ = std::make_unique<net::HttpClient>(io_.get_executor(), hs, ho);
            sign_in_ = std::make_unique<BitrixSignIn>(
                *http_, SignInSettings{sandbox_.base_url(), sandbox_.base_url(), "local.sandbox",
                                       Secret("sandbox-client-secret")});
            console_ = std::make_unique<Console>(
                clock_, console_cfg, "https://sandbox.bitrix24.com", registry_, *store_, *sign_in_,
                [](std::int64_t user) -> asio::awaitable<bool> {
                    co_return user == 7 || user == 8;
                },
                [](std::int64_t task) {
                    return task == 4 ? std::string("<script>alert('t')</script> Baja") : "";
                });
            server_ = std::make_unique<admin::AdminServer>(io_.get_executor(), admin_cfg,
                                                           std::nullopt, registry_, metrics_);
            console_->set_break_glass_tokens(
                {{"guardia", config::SecretFile{"admin-guardia", Secret("break-glass-token-1")}}});
            console_->mount(*server_);
            server_->start();
            port_ = server_->local_port();
        });
        sandbox_.call([&](sandbox::Sandbox& s) {
            s.bitrix().set_oauth_handler_url(
                fmt::format("http://127.0.0.1:{}/consola/oauth", port_));
        });
    }

    void TearDown() override {
        on_io([&] {
            server_->stop();
            server_.reset();
            console_.reset();
            sign_in_.reset();
            http_.reset();
        });
        work_.reset();
        io_.stop();
        thread_.join();
    }

    template <typename F>
    void on_io(F f) {
        std::packaged_task<void()> task(std::move(f));
        auto fut = task.get_future();
        asio::post(io_, [&task] { task(); });
        fut.get();
    }

    void seed_waiting_ticket() {
        domain::Plan plan;
        plan.workflow = "baja";
        plan.task_id = 4;
        plan.requester = 12;
        plan.fields["nombre"] = std::string("<script>alert('f')</script>");
        plan.fields["motivo"] = std::string("javascript:alert(1)");
        domain::Operation op;
        op.kind = domain::OpKind::disable_user;
        op.params = {{"email", std::string("jorge.ramirez@tarmexico.com")}};
        op.target.address = "jorge.ramirez@tarmexico.com";
        op.target.zuid = "90000001";
        op.target.account_id = "80000001";
        plan.steps.push_back(op);
        auto text = workflow::canonical_text(plan);
        hash_ = core::sha256_hex(text);
        ASSERT_TRUE(store_->upsert_ticket(4, "baja", "2026-11-30T10:00:00+00:00"));
        store::NewPlan np;
        np.task_id = 4;
        np.plan_hash = hash_;
        np.plan_text = text;
        np.approval_required = true;
        np.reasons = "desactivar una cuenta requiere aprobación";
        np.requester = 12;
        np.decision = store::PlanDecision::approval;
        auto rec = store_->record_plan(np);
        ASSERT_TRUE(rec) << rec.error().describe();
        auto planned =
            store_->transition_ticket({4, store::TicketState::planned, "daemon", "", "", {}});
        ASSERT_TRUE(planned) << planned.error().describe();
        auto moved = store_->transition_ticket(
            {4, store::TicketState::awaiting_approval, "daemon", "", "", {}});
        ASSERT_TRUE(moved) << moved.error().describe();
    }

    /// Signs in as `user` through the sandbox portal; the session cookie, or "" when refused
    /// (`last_` keeps the final answer).
    std::string sign_in(long long user) {
        auto start = exchange(port_, "GET", "/consola/entrar/bitrix24");
        EXPECT_EQ(start.status, 302);
        auto binding = start.cookie("hrmaild_entrada");
        EXPECT_TRUE(binding);
        EXPECT_NE(start.set_cookie_line("hrmaild_entrada").find("SameSite=Lax"), std::string::npos);
        auto authorize = start.header("location");
        EXPECT_TRUE(authorize.starts_with(sandbox_.base_url() +
                                          "/oauth/authorize/?client_id=local.sandbox&state="))
            << authorize;
        auto page = exchange(sandbox_.port(), "GET", target_of(authorize));
        EXPECT_EQ(page.status, 200);
        EXPECT_NE(page.body.find("Entrar como Camilo Luna (7)"), std::string::npos);
        auto chosen = exchange(sandbox_.port(), "GET",
                               target_of(authorize) + "&user_id=" + std::to_string(user));
        EXPECT_EQ(chosen.status, 302);
        auto back = chosen.header("location");
        EXPECT_TRUE(back.starts_with(fmt::format("http://127.0.0.1:{}/consola/oauth?code=", port_)))
            << back;
        code_ = back.substr(back.find("code=") + 5, back.find('&') - back.find("code=") - 5);
        last_ = exchange(port_, "GET", target_of(back),
                         std::string("hrmaild_entrada=") + binding.value_or(""));
        auto session = last_.cookie("hrmaild_sesion");
        return session ? *session : std::string();
    }

    std::vector<Ran> ran() {
        std::lock_guard lock(mutex_);
        return ran_;
    }

    log::CaptureSink logs_;
    test::TempDir dir_;
    sandbox::BackgroundSandbox sandbox_;
    std::unique_ptr<store::SqliteStore> store_;
    std::string hash_;
    std::string code_;
    Answer last_;
    core::SystemClock clock_;
    admin::CommandRegistry registry_;
    admin::Metrics metrics_;
    std::mutex mutex_;
    std::vector<Ran> ran_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        asio::make_work_guard(io_)};
    std::thread thread_{[this] { io_.run(); }};
    std::unique_ptr<net::HttpClient> http_;
    std::unique_ptr<BitrixSignIn> sign_in_;
    std::unique_ptr<Console> console_;
    std::unique_ptr<admin::AdminServer> server_;
    std::uint16_t port_ = 0;
};

TEST_F(ConsoleTest, AnApproverSignsInThroughThePortalAndApprovesWithTheCsrfToken) {
    auto away = exchange(port_, "GET", "/consola/cola");
    EXPECT_EQ(away.status, 303);
    EXPECT_EQ(away.header("location"), "/consola/entrar");

    auto session = sign_in(7);
    ASSERT_EQ(last_.status, 200) << last_.body;
    ASSERT_FALSE(session.empty());
    auto line = last_.set_cookie_line("hrmaild_sesion");
    EXPECT_NE(line.find("HttpOnly"), std::string::npos);
    EXPECT_NE(line.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(line.find("Secure"), std::string::npos);  // not behind TLS here
    const std::string cookie = "hrmaild_sesion=" + session;

    auto cola = exchange(port_, "GET", "/consola/cola", cookie);
    ASSERT_EQ(cola.status, 200);
    EXPECT_NE(cola.header("content-security-policy").find("default-src 'none'"), std::string::npos);
    EXPECT_NE(cola.body.find("Aprobar este plan"), std::string::npos);
    EXPECT_NE(cola.body.find(hash_), std::string::npos);  // the hash the button binds
    EXPECT_NE(cola.body.find("zuid 90000001"), std::string::npos);
    EXPECT_EQ(cola.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(cola.body.find("&lt;script&gt;alert(&apos;t&apos;)&lt;/script&gt; Baja"),
              std::string::npos);
    auto csrf = csrf_in(cola.body);
    ASSERT_EQ(csrf.size(), 64u);

    // No token, a wrong token: 403 and nothing runs.
    auto bare =
        exchange(port_, "POST", "/consola/solicitud/4/aprobar", cookie, "plan_hash=" + hash_);
    EXPECT_EQ(bare.status, 403);
    auto wrong = exchange(port_, "POST", "/consola/solicitud/4/aprobar", cookie,
                          "plan_hash=" + hash_ + "&csrf=" + std::string(64, 'a'));
    EXPECT_EQ(wrong.status, 403);
    EXPECT_TRUE(ran().empty());

    auto ok = exchange(port_, "POST", "/consola/solicitud/4/aprobar", cookie,
                       "csrf=" + csrf + "&plan_hash=" + hash_);
    EXPECT_EQ(ok.status, 303);
    EXPECT_EQ(ok.header("location"), "/consola/solicitud/4?aviso=aprobada");
    auto runs = ran();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].name, "queue.approve");
    EXPECT_EQ(runs[0].principal, "bitrix:7");
    EXPECT_EQ(runs[0].via, "web");
    EXPECT_EQ(runs[0].args.at("plan_hash").as_string(), hash_);
    EXPECT_EQ(runs[0].args.at("id").as_int64(), 4);

    // The story page: fields escaped, the javascript: value only text.
    auto story = exchange(port_, "GET", "/consola/solicitud/4?aviso=aprobada", cookie);
    ASSERT_EQ(story.status, 200);
    EXPECT_NE(story.body.find("Plan aprobado."), std::string::npos);
    EXPECT_EQ(story.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(story.body.find("href=\"javascript:"), std::string::npos);
    EXPECT_NE(story.body.find("<dd>javascript:alert(1)</dd>"), std::string::npos);
    EXPECT_NE(story.body.find("Verificada"), std::string::npos);

    // Sign-out ends the session.
    auto out = exchange(port_, "POST", "/consola/salir", cookie, "csrf=" + csrf);
    EXPECT_EQ(out.status, 303);
    EXPECT_EQ(exchange(port_, "GET", "/consola/cola", cookie).status, 303);

    // Neither the session id, the CSRF token nor the OAuth code reached a log line.
    auto text = logs_.text();
    EXPECT_TRUE(logs_.has_event("CONSOLE_SIGN_IN"));
    EXPECT_EQ(text.find(session), std::string::npos);
    EXPECT_EQ(text.find(csrf), std::string::npos);
    ASSERT_FALSE(code_.empty());
    EXPECT_EQ(text.find(code_), std::string::npos);
    // The sign-in is in the audit trail with the Bitrix user.
    auto trail = store_->audit_trail(std::nullopt, 100).value();
    EXPECT_TRUE(std::any_of(trail.begin(), trail.end(), [](const auto& a) {
        return a.actor == "bitrix:7" && a.action == "console.sign_in";
    }));
}

TEST_F(ConsoleTest, TheRequesterSeesNoApproveButtonAndIsRefused) {
    auto session = sign_in(12);  // Laura, HR: a viewer by console.viewers
    ASSERT_EQ(last_.status, 200) << last_.body;
    const std::string cookie = "hrmaild_sesion=" + session;
    auto cola = exchange(port_, "GET", "/consola/cola", cookie);
    ASSERT_EQ(cola.status, 200);
    EXPECT_NE(cola.body.find("Tarea 4"), std::string::npos);
    EXPECT_EQ(cola.body.find("Aprobar este plan"), std::string::npos);
    EXPECT_EQ(cola.body.find("/aprobar"), std::string::npos);
    EXPECT_NE(cola.body.find("no puede aprobarla"), std::string::npos);
    auto csrf = csrf_in(cola.body);  // the sign-out form's
    ASSERT_FALSE(csrf.empty());
    auto refused = exchange(port_, "POST", "/consola/solicitud/4/aprobar", cookie,
                            "csrf=" + csrf + "&plan_hash=" + hash_);
    EXPECT_EQ(refused.status, 403);
    auto cancel = exchange(port_, "POST", "/consola/solicitud/4/cancelar", cookie, "csrf=" + csrf);
    EXPECT_EQ(cancel.status, 403);
    EXPECT_TRUE(ran().empty());
}

TEST_F(ConsoleTest, SomeoneNeitherApproverNorViewerGetsNoSession) {
    auto session = sign_in(20);
    EXPECT_EQ(last_.status, 403);
    EXPECT_TRUE(session.empty());
    EXPECT_NE(last_.body.find("Sin acceso"), std::string::npos);
}

TEST_F(ConsoleTest, AStateFromAnotherBrowserOrReplayedIsRefused) {
    auto start = exchange(port_, "GET", "/consola/entrar/bitrix24");
    auto authorize = start.header("location");
    auto chosen = exchange(sandbox_.port(), "GET", target_of(authorize) + "&user_id=7");
    auto back = target_of(chosen.header("location"));
    auto foreign = exchange(port_, "GET", back, "hrmaild_entrada=" + std::string(48, 'b'));
    EXPECT_EQ(foreign.status, 403);
    EXPECT_FALSE(foreign.cookie("hrmaild_sesion"));
    // The state was spent by that attempt: the right browser cannot use it afterwards either.
    auto replay =
        exchange(port_, "GET", back, "hrmaild_entrada=" + *start.cookie("hrmaild_entrada"));
    EXPECT_EQ(replay.status, 403);
    EXPECT_FALSE(replay.cookie("hrmaild_sesion"));
}

TEST_F(ConsoleTest, BreakGlassSignInWithANamedAdminToken) {
    auto form = [&] {
        auto page = exchange(port_, "GET", "/consola/entrar");
        EXPECT_EQ(page.status, 200);
        EXPECT_NE(page.body.find("Entrada de emergencia"), std::string::npos);
        return std::make_pair(hidden_in(page.body, "estado"),
                              page.cookie("hrmaild_entrada").value_or(""));
    };
    auto [state, binding] = form();
    ASSERT_FALSE(state.empty());
    auto wrong = exchange(port_, "POST", "/consola/entrar/token", "hrmaild_entrada=" + binding,
                          "estado=" + state + "&token=not-a-token");
    EXPECT_EQ(wrong.status, 403);
    EXPECT_FALSE(wrong.cookie("hrmaild_sesion"));
    // The right token without the browser's binding (a form posted from elsewhere): refused.
    std::tie(state, binding) = form();
    auto foreign = exchange(port_, "POST", "/consola/entrar/token", "",
                            "estado=" + state + "&token=break-glass-token-1");
    EXPECT_EQ(foreign.status, 403);
    std::tie(state, binding) = form();
    auto in = exchange(port_, "POST", "/consola/entrar/token", "hrmaild_entrada=" + binding,
                       "estado=" + state + "&token=break-glass-token-1");
    EXPECT_EQ(in.status, 303);
    auto session = in.cookie("hrmaild_sesion");
    ASSERT_TRUE(session);
    const std::string cookie = "hrmaild_sesion=" + *session;
    auto cola = exchange(port_, "GET", "/consola/cola", cookie);
    EXPECT_NE(cola.body.find("Aprobar este plan"), std::string::npos);
    auto ok = exchange(port_, "POST", "/consola/solicitud/4/aprobar", cookie,
                       "csrf=" + csrf_in(cola.body) + "&plan_hash=" + hash_);
    EXPECT_EQ(ok.status, 303);
    auto runs = ran();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].principal, "token:guardia");
    EXPECT_EQ(runs[0].via, "web");
    EXPECT_EQ(logs_.text().find("break-glass-token-1"), std::string::npos);
}

// Issue 14: a scheduled step shows when it runs in the organization's zone, as the plan comment
// says it, on Programadas and Solicitud; the latest reconciliation report has its own page,
// escaped like every other.
TEST_F(ConsoleTest, ScheduledStepsShowLocalTimeAndTheLatestReportHasItsPage) {
    std::string error;
    auto zone = core::TimeZone::load("America/Mexico_City", error);
    ASSERT_TRUE(zone) << error;
    on_io([&] { console_->set_zone(*zone); });
    // 31/01/2031 23:59 in Mexico City (UTC-6) is 01/02/2031 05:59 UTC.
    const auto due_s = core::days_from_civil(2031, 2, 1) * 86400 + 5 * 3600 + 59 * 60;
    store::NewScheduledStep step;
    step.key = {4, hash_, 0, store::StepKind::step};
    step.op = "delete_user";
    step.due_at = store::Timestamp(std::chrono::seconds(due_s));
    ASSERT_TRUE(store_->schedule_step(step));
    ASSERT_TRUE(store_->set_watermark(
        "reconcile.latest",
        R"({"at":"2031-01-15T12:00:00Z","task":77,"findings":[)"
        R"({"kind":"disabled_forwarding","address":"ana.lopez@tarmexico.com","detail":"ana.lopez@tarmexico.com: cuenta desactivada que todavía reenvía su correo a <script>x</script>."},)"
        R"({"kind":"licences_high","address":"","detail":"Licencias: 370 de 400 en uso (92 %)."},)"
        R"({"kind":"terminated_enabled","address":"pedro.gomez@tarmexico.com","task":4,"detail":"se dio de baja"}]})"));

    auto session = sign_in(7);
    ASSERT_FALSE(session.empty());
    const std::string cookie = "hrmaild_sesion=" + session;
    auto programadas = exchange(port_, "GET", "/consola/programadas", cookie);
    ASSERT_EQ(programadas.status, 200);
    EXPECT_NE(programadas.body.find("31/01/2031 23:59 (America/Mexico_City)"), std::string::npos)
        << programadas.body;
    // The step as the plan says it in Spanish, not the operation's code name.
    auto current = store_->current_plan(4).value();
    ASSERT_TRUE(current);
    const auto described =
        workflow::describe_step(workflow::plan_from_text(current->plan_text).steps.at(0));
    // (only the text before any character the page escapes)
    const auto plain = described.substr(0, described.find_first_of("&<>\"'"));
    ASSERT_GT(plain.size(), 10u) << described;
    EXPECT_NE(programadas.body.find("<td>" + plain), std::string::npos) << programadas.body;
    EXPECT_EQ(programadas.body.find("<td>delete_user</td>"), std::string::npos);
    auto solicitud = exchange(port_, "GET", "/consola/solicitud/4", cookie);
    ASSERT_EQ(solicitud.status, 200);
    EXPECT_NE(solicitud.body.find("31/01/2031 23:59 (America/Mexico_City)"), std::string::npos);

    auto page = exchange(port_, "GET", "/consola/conciliacion", cookie);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Último reporte: 15/01/2031 06:00 (America/Mexico_City). 3 "
                             "diferencia(s)."),
              std::string::npos)
        << page.body;
    EXPECT_NE(page.body.find("desactivada y reenvía correo"), std::string::npos);
    EXPECT_NE(page.body.find("(la organización)"), std::string::npos);
    EXPECT_NE(page.body.find("Licencias: 370 de 400 en uso (92 %)."), std::string::npos);
    EXPECT_NE(page.body.find(R"(<a href="/consola/solicitud/4">4</a>)"), std::string::npos);
    EXPECT_NE(page.body.find("/company/personal/user/0/tasks/task/view/77/"), std::string::npos);
    EXPECT_EQ(page.body.find("<script>x</script>"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(page.body.find(R"(href="/consola/conciliacion" aria-current="page")"),
              std::string::npos);
    // Read-only: a POST is refused (the CSRF check comes first).
    EXPECT_EQ(exchange(port_, "POST", "/consola/conciliacion", cookie).status, 403);
}

TEST_F(ConsoleTest, AssetsAreServedAndPagesNeedASession) {
    auto css = exchange(port_, "GET", "/consola/recursos/app.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_TRUE(css.header("content-type").starts_with("text/css"));
    EXPECT_EQ(exchange(port_, "GET", "/consola/recursos/nada.js").status, 404);
    EXPECT_EQ(exchange(port_, "POST", "/consola/solicitud/4/aprobar", "", "plan_hash=x").status,
              403);
    EXPECT_EQ(exchange(port_, "GET", "/consola/programadas").status, 303);
    EXPECT_EQ(exchange(port_, "DELETE", "/consola/entrar").status, 405);
    // The API next to it still wants its token.
    EXPECT_EQ(exchange(port_, "GET", "/api/v1/queue").status, 401);
}

}  // namespace
}  // namespace hrmaild::console
