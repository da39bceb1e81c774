#pragma once
/// The IT web console (issue 12), mounted by the admin server under `/consola/`: sign-in with
/// Bitrix24, the approval queue (*Cola*), one ticket's story (*Solicitud*), scheduled steps
/// (*Programadas*) and the dashboard's page (*Tablero*, filled by daemon/dashboard/ through
/// `set_tablero`). Pages are Spanish (es-MX), rendered from embedded templates with automatic
/// escaping (render.hpp). Reading goes to the state store; every action (approve, reject,
/// cancel) goes through the command registry, as the CLI's and the API's do, with the signed-in
/// Bitrix user as the principal and `via = "web"`. Routes and rules: docs/console.md.
#include "daemon/admin/commands.hpp"
#include "daemon/admin/server.hpp"
#include "daemon/config/config.hpp"
#include "daemon/console/bitrix_sign_in.hpp"
#include "daemon/console/render.hpp"
#include "daemon/console/session.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/zone.hpp"
#include "daemon/store/state_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::console {

/// One chart of the Tablero: an SVG document made by the dashboard, shown as
/// `<img src="data:image/svg+xml;base64,...">` (an image runs no script, whatever it holds).
struct Chart {
    std::string title;  ///< the caption
    std::string alt;    ///< the text alternative (what the chart says, for screen readers)
    std::string svg;    ///< the whole SVG document
};

/// What the Tablero page shows. `data` is given to templates/tablero.mustache as `tablero`
/// (to_data: strings escaped, numbers as text); the template reads `actualizado` and
/// `cifras.elementos[] {clave, etiqueta, valor}` and may be extended with what the dashboard adds.
struct TableroContent {
    boost::json::value data;
    std::vector<Chart> charts;
};

/// Supplies the Tablero (nullopt: no data yet). Runs on the io_context thread.
using TableroSource = std::function<boost::asio::awaitable<std::optional<TableroContent>>()>;
/// Whether a Bitrix user approves (service::Service::is_approver: the comment commands' rule).
using ApproverCheck = std::function<boost::asio::awaitable<bool>(std::int64_t)>;
/// A task's title as the daemon last read it; empty when unknown.
using TitleLookup = std::function<std::string(std::int64_t)>;

/// The console. Construct, then `mount(server)` before the server starts.
class Console {
  public:
    /// Every reference must outlive the console and the server it is mounted on.
    /// `portal_url` is the portal the task links point at (bitrix.portal_url).
    Console(core::Clock& clock, config::ConsoleConfig config, std::string portal_url,
            admin::CommandRegistry& commands, store::StateStore& store, BitrixSignIn& sign_in,
            ApproverCheck is_approver, TitleLookup title);

    /// Serves `/consola/...` on the admin server.
    void mount(admin::AdminServer& server);
    /// The dashboard's data for the Tablero page.
    void set_tablero(TableroSource source);
    /// Answers one request under /consola/ (what `mount` installs).
    boost::asio::awaitable<admin::WebReply> handle(admin::WebRequest request);

    /// The sessions (tests; the daemon's status).
    [[nodiscard]] SessionStore& sessions() { return sessions_; }
    /// The named admin tokens (`admin.tokens`) that may sign in when Bitrix24 cannot
    /// (break-glass): such a session approves as the token's name, as `hrmaild queue` does.
    /// None: the sign-in page offers no such form.
    void set_break_glass_tokens(std::vector<config::AdminToken> tokens) {
        tokens_ = std::move(tokens);
    }
    /// The daemon's version shown in the page foot.
    void set_version(std::string version) { version_ = std::move(version); }
    /// The organization's zone (`policy.timezone`): scheduled steps show when they run there,
    /// as the plan comment says it (`31/01/2031 23:59 (America/Mexico_City)`); unset: UTC.
    void set_zone(core::TimeZone zone) { zone_ = std::move(zone); }

  private:
    struct Context;
    boost::asio::awaitable<admin::WebReply> route(Context& ctx);
    boost::asio::awaitable<admin::WebReply> finish_sign_in(Context& ctx);
    admin::WebReply break_glass(Context& ctx);
    boost::asio::awaitable<admin::WebReply> act(Context& ctx, std::int64_t task_id,
                                                const std::string& action);
    admin::WebReply cola(Context& ctx);
    admin::WebReply solicitud(Context& ctx, std::int64_t task_id);
    admin::WebReply programadas(Context& ctx);
    admin::WebReply conciliacion(Context& ctx);
    /// When a scheduled step runs, in the organization's zone when known.
    [[nodiscard]] std::string due_text(store::Timestamp t) const;
    boost::asio::awaitable<admin::WebReply> tablero(Context& ctx);
    admin::WebReply page(Context& ctx, std::string_view name, Data data, int status = 200);
    admin::WebReply message(Context& ctx, int status, std::string title, std::string text);
    Data base_data(Context& ctx, std::string_view title);
    void audit(const std::string& actor, const std::string& action,
               std::optional<std::int64_t> task_id, const std::string& detail);

    core::Clock& clock_;
    config::ConsoleConfig config_;
    std::string portal_url_;
    admin::CommandRegistry& commands_;
    store::StateStore& store_;
    BitrixSignIn& sign_in_;
    ApproverCheck is_approver_;
    TitleLookup title_;
    TableroSource tablero_;
    std::vector<config::AdminToken> tokens_;
    SessionStore sessions_;
    std::string version_;
    std::optional<core::TimeZone> zone_;
};

}  // namespace hrmaild::console
