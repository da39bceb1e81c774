#include "daemon/console/tablero.hpp"

#include "daemon/core/time_format.hpp"
#include "daemon/core/zone.hpp"
#include "daemon/dashboard/svg.hpp"

#include <fmt/format.h>

namespace hrmaild::console {

namespace json = boost::json;

std::string human_duration(std::chrono::milliseconds duration) {
    using namespace std::chrono;
    auto s = duration_cast<seconds>(duration).count();
    if (s < 0)
        s = 0;
    if (s < 60)
        return fmt::format("{} s", s);
    if (s < 3600)
        return fmt::format("{} min", s / 60);
    if (s < 86400)
        return s % 3600 / 60 == 0 ? fmt::format("{} h", s / 3600)
                                  : fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
    return s % 86400 / 3600 == 0 ? fmt::format("{} d", s / 86400)
                                 : fmt::format("{} d {} h", s / 86400, s % 86400 / 3600);
}

namespace {

/// Enabled accounts without a recent sign-in listed by name (the rest are counted).
constexpr std::int64_t kInactiveListed = 25;

/// Figures written as the charts write them (es-MX thousands: `17,927`).
std::string count(std::int64_t n) {
    return dashboard::number(n);
}

std::string of(const dashboard::Ratio& r, std::string_view unit) {
    return fmt::format("{} de {}{}{}", dashboard::number(r.used), dashboard::number(r.total),
                       unit.empty() ? "" : " ", unit);
}

/// The chart with its own title as the caption and its description as the text alternative.
Chart chart(dashboard::SvgChart rendered) {
    Chart c;
    c.title = std::move(rendered.title);
    c.alt = rendered.description.empty() ? c.title : std::move(rendered.description);
    c.svg = std::move(rendered.svg);
    return c;
}

std::string instant(core::WallTime t, const core::TimeZone* zone) {
    if (!zone)
        return core::format_utc(t, core::UtcStyle::readable);
    return core::format_in_zone(
        *zone, std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

TableroContent tablero_content(const dashboard::Model& model, const core::TimeZone* zone) {
    TableroContent content;
    json::object data;
    data["dias"] = count(model.days);
    if (model.org_refreshed_at)
        data["actualizado"] = instant(*model.org_refreshed_at, zone);
    if (!model.org_error.empty())
        data["error_zoho"] = model.org_error;
    if (!model.work_error.empty())
        data["error_estado"] = model.work_error;
    if (const auto& org = model.org) {
        json::object o;
        o["nombre"] = org->name;
        o["usuarios"] = count(org->users);
        o["activos"] = count(org->active_users);
        o["licencias"] = of(org->licences, "");
        o["almacenamiento"] = of(org->storage_mb, "MB");
        o["grupos"] = count(static_cast<std::int64_t>(org->groups.size()));
        json::array never;
        std::int64_t inactive = 0;
        for (const auto& u : org->by_last_login)
            if (u.enabled && !u.active && ++inactive <= kInactiveListed)
                never.push_back(
                    json::object{{"direccion", u.address},
                                 {"ultimo", u.last_login ? json::value(instant(*u.last_login, zone))
                                                         : json::value("nunca")}});
        o["hay_inactivos"] = !never.empty();
        o["inactivos_total"] = count(inactive);
        o["inactivos"] = std::move(never);
        data["org"] = std::move(o);
        content.charts.push_back(chart(dashboard::svg_traffic(*org)));
        content.charts.push_back(chart(dashboard::svg_licences(*org)));
        content.charts.push_back(chart(dashboard::svg_storage(*org)));
        content.charts.push_back(chart(dashboard::svg_largest_mailboxes(*org)));
        content.charts.push_back(chart(dashboard::svg_groups(*org)));
    }
    if (const auto& work = model.work) {
        json::object w;
        w["solicitudes"] = count(work->tickets);
        w["terminadas"] = count(work->done);
        w["fallidas"] = count(work->failures);
        w["en_espera"] = count(work->waiting_approval);
        if (work->done_p50)
            w["p50"] = human_duration(*work->done_p50);
        if (work->done_p90)
            w["p90"] = human_duration(*work->done_p90);
        if (work->oldest_waiting)
            w["espera_mas_antigua"] = human_duration(*work->oldest_waiting);
        data["trabajo"] = std::move(w);
        content.charts.push_back(chart(dashboard::svg_tickets(*work)));
    }
    content.data = std::move(data);
    return content;
}

}  // namespace hrmaild::console
