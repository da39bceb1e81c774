#include "daemon/dashboard/svg.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <regex>

namespace hrmaild::dashboard {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

/// Every bar's data-value and height, in order.
std::vector<std::pair<long long, double>> bars(const std::string& svg) {
    static const std::regex bar(
        R"re(<rect class="bar"[^>]*data-value="(\d+)"[^>]*height="([0-9.]+)")re");
    std::vector<std::pair<long long, double>> out;
    for (std::sregex_iterator it(svg.begin(), svg.end(), bar), end; it != end; ++it)
        out.emplace_back(std::stoll((*it)[1]), std::stod((*it)[2]));
    return out;
}

/// What every chart must be: one accessible, self-contained SVG element.
void expect_accessible_and_inert(const std::string& svg) {
    EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << svg.substr(0, 80);
    EXPECT_TRUE(svg.ends_with("</svg>"));
    EXPECT_EQ(count(svg, "<svg"), 1u);
    EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
    EXPECT_NE(svg.find("aria-label=\""), std::string::npos);
    EXPECT_NE(svg.find("<title>"), std::string::npos);
    EXPECT_NE(svg.find("<desc>"), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(svg.find("href"), std::string::npos);
    EXPECT_EQ(svg.find("style"), std::string::npos);
    EXPECT_EQ(svg.find(" on"), std::string::npos) << "no event handler attributes";
    EXPECT_EQ(count(svg, "http"), 1u) << "only the namespace; no external resource";
}

OrgModel sample_org() {
    OrgModel m;
    for (int i = 0; i < 30; ++i)
        m.traffic.push_back({"2026-11-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1),
                             i == 3 ? 10 : 5, i == 3 ? 10 : 0});
    m.licences = {100, 400};
    m.storage_mb = {3 * 1024, 12 * 1024};
    m.largest = {{"laura.mendez@tarmexico.com", "Laura", 5120}, {"ana@tarmexico.com", "Ana", 2560}};
    m.groups = {{"<script>alert(1)</script>", "x@tarmexico.com", 4},
                {"Ventas \"Norte\" & 'Sur'", "ventas@tarmexico.com", 2}};
    return m;
}

TEST(DashboardSvg, TrafficHasTwoStackedBarsPerDayWithProportionalHeights) {
    const std::string svg = svg_traffic(sample_org()).svg;
    expect_accessible_and_inert(svg);
    const auto b = bars(svg);
    ASSERT_EQ(b.size(), 60u) << "30 days, in and out";
    // Day 4 holds the tallest stack (10 + 10): it fills the 160-unit plot.
    EXPECT_EQ(b[6].first, 10);
    EXPECT_DOUBLE_EQ(b[6].second, 80.0);
    EXPECT_DOUBLE_EQ(b[7].second, 80.0);
    EXPECT_EQ(b[0].first, 5);
    EXPECT_DOUBLE_EQ(b[0].second, 40.0);
    EXPECT_DOUBLE_EQ(b[1].second, 0.0);
    EXPECT_NE(svg.find("<title>2026-11-04: 10 entrantes</title>"), std::string::npos);
    EXPECT_NE(svg.find("155 entrantes y 10 salientes"), std::string::npos) << "totals in <desc>";
}

TEST(DashboardSvg, AllZeroDaysDrawFlatBars) {
    OrgModel m;
    m.traffic = {{"2026-11-29", 0, 0}, {"2026-11-30", 0, 0}};
    const auto b = bars(svg_traffic(m).svg);
    ASSERT_EQ(b.size(), 4u);
    for (const auto& [v, h] : b)
        EXPECT_DOUBLE_EQ(h, 0.0);
}

TEST(DashboardSvg, GroupNamesAreEscapedEverywhere) {
    const std::string svg = svg_groups(sample_org()).svg;
    expect_accessible_and_inert(svg);
    EXPECT_EQ(svg.find("<script>"), std::string::npos);
    EXPECT_EQ(svg.find("alert(1)</script>"), std::string::npos);
    EXPECT_GE(count(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"), 3u)
        << "label, bar title and description";
    EXPECT_NE(svg.find("Ventas &quot;Norte&quot; &amp; &#39;Sur&#39;"), std::string::npos);
    const auto b = bars(svg);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_DOUBLE_EQ(b[0].second, b[1].second) << "the height is the row's; widths vary";
}

TEST(DashboardSvg, BarWidthsAreProportional) {
    const std::string svg = svg_largest_mailboxes(sample_org()).svg;
    expect_accessible_and_inert(svg);
    static const std::regex width(R"re(<rect class="bar"[^>]*width="([0-9.]+)")re");
    std::vector<double> w;
    for (std::sregex_iterator it(svg.begin(), svg.end(), width), end; it != end; ++it)
        w.push_back(std::stod((*it)[1]));
    ASSERT_EQ(w.size(), 2u);
    EXPECT_DOUBLE_EQ(w[0], 300.0);
    EXPECT_DOUBLE_EQ(w[1], 150.0);
    EXPECT_NE(svg.find("5.0 GB"), std::string::npos);
}

TEST(DashboardSvg, MetersSayUsedOfTotal) {
    const std::string lic = svg_licences(sample_org()).svg;
    expect_accessible_and_inert(lic);
    EXPECT_NE(lic.find("100 de 400 licencias (25 %)"), std::string::npos);
    EXPECT_NE(lic.find("width=\"100.00\""), std::string::npos);
    const std::string st = svg_storage(sample_org()).svg;
    EXPECT_NE(st.find("3.0 GB de 12.0 GB (25 %)"), std::string::npos);
}

TEST(DashboardSvg, TicketsStackOneSeriesPerWorkflowWithALegend) {
    WorkModel w;
    w.workflows = {"", "alta", "baja<b>"};
    w.tickets_per_day = {{"2026-11-29", {1, 2, 0}}, {"2026-11-30", {0, 1, 3}}};
    w.tickets = 7;
    const std::string svg = svg_tickets(w).svg;
    expect_accessible_and_inert(svg);
    EXPECT_EQ(bars(svg).size(), 6u);
    EXPECT_NE(svg.find(">sin flujo<"), std::string::npos);
    EXPECT_NE(svg.find("baja&lt;b&gt;"), std::string::npos);
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
}

TEST(DashboardSvg, EachChartGivesItsTitleAndDescriptionAsPlainText) {
    const auto groups = svg_groups(sample_org());
    EXPECT_EQ(groups.title, "Miembros por grupo");
    EXPECT_EQ(groups.description,
              "2 grupos: <script>alert(1)</script> (x@tarmexico.com): 4 miembros; "
              "Ventas \"Norte\" & 'Sur' (ventas@tarmexico.com): 2 miembros.")
        << "the text itself; the SVG holds it escaped";
    EXPECT_NE(groups.svg.find("<desc>" + xml_escape(groups.description) + "</desc>"),
              std::string::npos);
    const auto storage = svg_storage(sample_org());
    EXPECT_EQ(storage.description, "Almacenamiento usado: 3.0 GB de 12.0 GB (25 %)");
    EXPECT_NE(storage.svg.find("<title>" + xml_escape(storage.title) + "</title>"),
              std::string::npos);
    OrgModel big;
    big.traffic = {{"2026-11-30", 17927, 1234567}};
    EXPECT_EQ(svg_traffic(big).description,
              "Correos entrantes y salientes por día, 1 días del 2026-11-30 al 2026-11-30: "
              "17,927 entrantes y 1,234,567 salientes en total.");
}

TEST(DashboardSvg, NumbersAndGigabytesAsTheChartsWriteThem) {
    EXPECT_EQ(number(0), "0");
    EXPECT_EQ(number(999), "999");
    EXPECT_EQ(number(17927), "17,927");
    EXPECT_EQ(number(337920), "337,920");
    EXPECT_EQ(number(1234567), "1,234,567");
    EXPECT_EQ(number(-1024), "-1,024");
    EXPECT_EQ(number(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
    EXPECT_EQ(gigabytes(17927), "17.5 GB");
    EXPECT_EQ(gigabytes(0), "0.0 GB");
}

TEST(DashboardSvg, EscapeDropsControlCharacters) {
    EXPECT_EQ(xml_escape("a\x01<b>\n"), "a&lt;b&gt;\n");
}

}  // namespace
}  // namespace hrmaild::dashboard
