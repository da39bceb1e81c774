// The Tablero's content from the dashboard's model: the figures by name, written as the charts
// write them, the charts with their titles as captions and their descriptions as text
// alternatives, a dash for what is not known yet, and escaping of the organization's own names
// (a group called <script> is text on the page).
#include "daemon/console/tablero.hpp"
#include "daemon/console/render.hpp"
#include "daemon/core/zone.hpp"
#include "daemon/dashboard/svg.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace hrmaild::console {
namespace {

using namespace std::chrono_literals;

dashboard::Model model_with_everything() {
    dashboard::Model m;
    m.days = 30;
    m.built_at = core::WallTime{std::chrono::sys_days{std::chrono::year{2026} / 11 / 30}};
    m.org_refreshed_at = m.built_at - 2min;
    dashboard::OrgModel org;
    org.name = "Tarmex";
    org.users = 12;
    org.active_users = 9;
    org.licences = {12, 15};
    org.storage_mb = {17927, 337920};
    org.largest = {{"ana@tarmexico.com", "Ana", 900}};
    org.traffic = {{"2026-11-29", 40, 31}, {"2026-11-30", 7, 5}};
    org.groups = {{"<script>alert(1)</script>", "pilotos@tarmexico.com", 4}};
    org.by_last_login = {{"luis@tarmexico.com", "Luis", std::nullopt, true, false},
                         {"ana@tarmexico.com", "Ana", m.built_at - 1h, true, true}};
    m.org = org;
    dashboard::WorkModel work;
    work.workflows = {"alta"};
    work.tickets_per_day = {{"2026-11-29", {3}}, {"2026-11-30", {1}}};
    work.tickets = 4;
    work.done = 3;
    work.done_p50 = 95s;
    work.done_p90 = 2h + 20min;
    work.failures = 1;
    work.waiting_approval = 2;
    work.oldest_waiting = 50h;
    m.work = work;
    return m;
}

std::string figure(const std::string& html, const std::string& key) {
    std::smatch m;
    std::regex re("data-cifra=\"" + key + "\">([^<]*)</dd>");
    return std::regex_search(html, m, re) ? m[1].str() : "<missing " + key + ">";
}

std::string page(const TableroContent& c) {
    Data d;
    d.set("tablero", to_data(c.data));
    Data charts{Data::type::list};
    for (const auto& chart : c.charts) {
        Data x;
        x.set("titulo", chart.title);
        x.set("alt", chart.alt);
        x.set("src", std::string("data:image/svg+xml;base64,AA=="));
        charts << x;
    }
    d.set("graficas", charts);
    return render("tablero", d);
}

TEST(Tablero, ShowsEveryFigureOfTheModelByName) {
    auto html = page(tablero_content(model_with_everything()));
    EXPECT_EQ(figure(html, "usuarios"), "12");
    EXPECT_EQ(figure(html, "activos"), "9");
    EXPECT_EQ(figure(html, "licencias"), "12 de 15");
    EXPECT_EQ(figure(html, "almacenamiento"), "17,927 de 337,920 MB") << "as the charts write it";
    EXPECT_EQ(figure(html, "grupos"), "1");
    EXPECT_EQ(figure(html, "solicitudes"), "4");
    EXPECT_EQ(figure(html, "terminadas"), "3");
    EXPECT_EQ(figure(html, "p50"), "1 min");
    EXPECT_EQ(figure(html, "p90"), "2 h 20 min");
    EXPECT_EQ(figure(html, "fallidas"), "1");
    EXPECT_EQ(figure(html, "en_espera"), "2");
    EXPECT_EQ(figure(html, "espera_mas_antigua"), "2 d 2 h");
    EXPECT_NE(html.find("2026-11-29 23:58:00Z"), std::string::npos);  // when Zoho was read
    // Luis never signed in: listed among the inactive accounts, Ana is not.
    EXPECT_NE(html.find("<td>luis@tarmexico.com</td><td>nunca</td>"), std::string::npos);
    EXPECT_EQ(html.find("<td>ana@tarmexico.com</td>"), std::string::npos);
}

TEST(Tablero, InstantsAreWrittenInTheOrganizationsZoneAsTheRestOfTheConsole) {
    std::string error;
    auto zone = core::TimeZone::load("America/Mexico_City", error);
    ASSERT_TRUE(zone) << error;
    auto html = page(tablero_content(model_with_everything(), &*zone));
    // Read 2026-11-29 23:58 UTC: 17:58 in Mexico City (UTC-6, no daylight saving since 2023).
    EXPECT_NE(html.find("Cifras de Zoho Mail leídas el 29/11/2026 17:58 (America/Mexico_City)."),
              std::string::npos)
        << html;
    EXPECT_EQ(html.find("23:58:00Z"), std::string::npos);
}

TEST(Tablero, EveryChartIsTheDashboardsSvgWithItsDescriptionAsText) {
    auto m = model_with_everything();
    auto c = tablero_content(m);
    ASSERT_EQ(c.charts.size(), 6u);
    const dashboard::SvgChart expected[] = {
        dashboard::svg_traffic(*m.org), dashboard::svg_licences(*m.org),
        dashboard::svg_storage(*m.org), dashboard::svg_largest_mailboxes(*m.org),
        dashboard::svg_groups(*m.org),  dashboard::svg_tickets(*m.work)};
    for (std::size_t i = 0; i < c.charts.size(); ++i) {
        EXPECT_EQ(c.charts[i].svg, expected[i].svg) << i;
        EXPECT_EQ(c.charts[i].title, expected[i].title) << i;
        EXPECT_EQ(c.charts[i].alt, expected[i].description) << i;
        EXPECT_FALSE(c.charts[i].alt.empty()) << c.charts[i].title;
    }
    // The groups chart names the group; its text alternative holds the name as text.
    EXPECT_NE(c.charts[4].alt.find("<script>alert(1)</script>"), std::string::npos);
    // The storage chart and the page's figure read alike.
    EXPECT_EQ(c.charts[2].alt, "Almacenamiento usado: 17.5 GB de 330.0 GB (5 %)");
}

TEST(Tablero, AGroupNamedScriptIsTextOnThePage) {
    auto html = page(tablero_content(model_with_everything()));
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(Tablero, WhatIsNotKnownYetIsADashAndAFailedReadIsSaid) {
    dashboard::Model m;
    m.work = dashboard::WorkModel{};
    m.org_error = "Zoho answered 503";
    auto c = tablero_content(m);
    EXPECT_EQ(c.charts.size(), 1u);  // the tickets' chart only: Zoho was never read
    auto html = page(c);
    EXPECT_EQ(figure(html, "p50"), "—");
    EXPECT_EQ(figure(html, "espera_mas_antigua"), "—");
    EXPECT_EQ(figure(html, "usuarios"), "<missing usuarios>");
    EXPECT_NE(html.find("No se pudo leer Zoho Mail: Zoho answered 503"), std::string::npos);
}

TEST(Tablero, DurationsForPeople) {
    EXPECT_EQ(human_duration(-5s), "0 s");
    EXPECT_EQ(human_duration(59s), "59 s");
    EXPECT_EQ(human_duration(60s), "1 min");
    EXPECT_EQ(human_duration(3h), "3 h");
    EXPECT_EQ(human_duration(3h + 5min), "3 h 5 min");
    EXPECT_EQ(human_duration(48h), "2 d");
    EXPECT_EQ(human_duration(49h + 59min), "2 d 1 h");
}

}  // namespace
}  // namespace hrmaild::console
