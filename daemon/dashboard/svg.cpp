#include "daemon/dashboard/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace hrmaild::dashboard {

namespace {

constexpr std::array<std::string_view, 8> kPalette = {"#1f6feb", "#d4761c", "#2e8540", "#8250df",
                                                      "#b3261e", "#00838f", "#6d4c41", "#5f6b7a"};

/// The opening tag, title and description; `height` and `width` in user units.
std::string open_svg(int width, int height, std::string_view title, std::string_view desc) {
    const std::string t = xml_escape(title);
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" "
        "preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"{t}\" "
        "font-family=\"sans-serif\" font-size=\"12\"><title>{t}</title><desc>{d}</desc>",
        fmt::arg("w", width), fmt::arg("h", height), fmt::arg("t", t),
        fmt::arg("d", xml_escape(desc)));
}

}  // namespace

std::string number(std::int64_t n) {
    // Thousands with a comma, as es-MX writes them. (Through unsigned: -INT64_MIN overflows.)
    const std::uint64_t magnitude =
        n < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    std::string digits = std::to_string(magnitude);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0)
            out.push_back(',');
        out.push_back(digits[i]);
    }
    return n < 0 ? "-" + out : out;
}

std::string gigabytes(std::int64_t mb) {
    return fmt::format("{:.1f} GB", static_cast<double>(mb) / 1024.0);
}

namespace {

std::string scaled(std::int64_t value, std::int64_t max, double span) {
    if (max <= 0 || value <= 0)
        return "0.00";
    return fmt::format("{:.2f}", span * static_cast<double>(value) / static_cast<double>(max));
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
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
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
                    break;
                out.push_back(c);
        }
    }
    return out;
}

SvgChart svg_day_columns(std::string_view title, std::string_view description,
                         const std::vector<std::string>& days, const std::vector<Series>& series) {
    constexpr int left = 40, top = 10, plot_h = 160, bottom = 40, col_w = 18, gap = 4;
    const int n = static_cast<int>(days.size());
    const int width = left + n * (col_w + gap) + 10;
    const int legend_y = top + plot_h + 34;
    const int height = top + plot_h + bottom + 16 * static_cast<int>(series.size() > 1);
    std::int64_t max = 0;
    for (int i = 0; i < n; ++i) {
        std::int64_t stack = 0;
        for (const auto& s : series)
            stack +=
                i < static_cast<int>(s.values.size()) ? s.values[static_cast<std::size_t>(i)] : 0;
        max = std::max(max, stack);
    }
    std::string out = open_svg(width, height, title, description);
    // Axis and the scale's top value.
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#5f6b7a\"/>"
        "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#5f6b7a\"/>"
        "<text x=\"{4}\" y=\"{5}\" text-anchor=\"end\">{6}</text>"
        "<text x=\"{4}\" y=\"{2}\" text-anchor=\"end\">0</text>",
        left, top, top + plot_h, width - 5, left - 4, top + 10, number(max));
    for (int i = 0; i < n; ++i) {
        const int x = left + gap + i * (col_w + gap);
        double y = top + plot_h;
        const std::string day = xml_escape(days[static_cast<std::size_t>(i)]);
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto& s = series[k];
            const std::int64_t v =
                i < static_cast<int>(s.values.size()) ? s.values[static_cast<std::size_t>(i)] : 0;
            const double h =
                max > 0 && v > 0 ? plot_h * static_cast<double>(v) / static_cast<double>(max) : 0.0;
            y -= h;
            out += fmt::format(
                "<rect class=\"bar\" data-series=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{:.2f}\" "
                "width=\"{}\" height=\"{:.2f}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                k, v, x, y, col_w, h,
                s.color.empty() ? kPalette[k % kPalette.size()] : xml_escape(s.color), day,
                number(v), xml_escape(s.name));
        }
        if (i % 7 == 0 || i == n - 1)
            out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                               x + col_w / 2, top + plot_h + 14,
                               xml_escape(days[static_cast<std::size_t>(i)].substr(5)));
    }
    if (series.size() > 1) {
        int x = left;
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto& s = series[k];
            out += fmt::format(
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                "<text x=\"{}\" y=\"{}\">{}</text>",
                x, legend_y - 9,
                s.color.empty() ? kPalette[k % kPalette.size()] : xml_escape(s.color), x + 14,
                legend_y, xml_escape(s.name));
            x += 24 + 7 * static_cast<int>(s.name.size());
        }
    }
    out += "</svg>";
    return {std::string(title), std::string(description), std::move(out)};
}

SvgChart svg_bars(std::string_view title, std::string_view description,
                  const std::vector<BarRow>& rows) {
    constexpr int label_w = 220, plot_w = 300, row_h = 22, top = 6, value_w = 90;
    const int width = label_w + plot_w + value_w;
    const int height = top * 2 + row_h * std::max<int>(1, static_cast<int>(rows.size()));
    std::int64_t max = 0;
    for (const auto& r : rows)
        max = std::max(max, r.value);
    std::string out = open_svg(width, height, title, description);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const int y = top + static_cast<int>(i) * row_h;
        const std::string label = xml_escape(r.label);
        const std::string value = xml_escape(r.value_text.empty() ? number(r.value) : r.value_text);
        out += fmt::format(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
            "<rect class=\"bar\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
            "fill=\"{}\"><title>{}: {}</title></rect>"
            "<text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 6, y + 15, label, r.value, label_w, y + 3, scaled(r.value, max, plot_w),
            row_h - 6, kPalette[0], label, value, label_w + plot_w + 6, y + 15, value);
    }
    out += "</svg>";
    return {std::string(title), std::string(description), std::move(out)};
}

SvgChart svg_meter(std::string_view title, const Ratio& ratio, std::string_view unit) {
    constexpr int width = 420, plot_w = 400, height = 48;
    const double f = ratio.fraction();
    const std::string text = unit == "MB"
                                 ? fmt::format("{} de {} ({:.0f} %)", gigabytes(ratio.used),
                                               gigabytes(ratio.total), f * 100.0)
                                 : fmt::format("{} de {} {} ({:.0f} %)", number(ratio.used),
                                               number(ratio.total), unit, f * 100.0);
    std::string description = fmt::format("{}: {}", title, text);
    std::string out = open_svg(width, height, title, description);
    out += fmt::format(
        "<rect x=\"10\" y=\"8\" width=\"{}\" height=\"14\" fill=\"#e3e7ec\" stroke=\"#5f6b7a\"/>"
        "<rect class=\"bar\" data-value=\"{}\" x=\"10\" y=\"8\" width=\"{:.2f}\" height=\"14\" "
        "fill=\"{}\"><title>{}</title></rect>"
        "<text x=\"10\" y=\"40\">{}</text></svg>",
        plot_w, ratio.used, plot_w * f, f >= 0.9 ? "#b3261e" : kPalette[0], xml_escape(text),
        xml_escape(text));
    return {std::string(title), std::move(description), std::move(out)};
}

SvgChart svg_traffic(const OrgModel& org) {
    std::vector<std::string> days;
    Series in{"entrantes", {}, "#1f6feb"}, out{"salientes", {}, "#d4761c"};
    std::int64_t total_in = 0, total_out = 0;
    for (const auto& d : org.traffic) {
        days.push_back(d.day);
        in.values.push_back(d.in);
        out.values.push_back(d.out);
        total_in += d.in;
        total_out += d.out;
    }
    const std::string desc = fmt::format(
        "Correos entrantes y salientes por día, {} días del {} al {}: {} entrantes y {} "
        "salientes en total.",
        days.size(), days.empty() ? "" : days.front(), days.empty() ? "" : days.back(),
        number(total_in), number(total_out));
    return svg_day_columns("Correo por día", desc, days, {in, out});
}

SvgChart svg_licences(const OrgModel& org) {
    return svg_meter("Licencias usadas", org.licences, "licencias");
}

SvgChart svg_storage(const OrgModel& org) {
    return svg_meter("Almacenamiento usado", org.storage_mb, "MB");
}

SvgChart svg_largest_mailboxes(const OrgModel& org) {
    std::vector<BarRow> rows;
    std::string list;
    for (const auto& m : org.largest) {
        rows.push_back({m.address, m.used_mb, gigabytes(m.used_mb)});
        list += fmt::format("{}{} {}", list.empty() ? "" : "; ", m.address, gigabytes(m.used_mb));
    }
    return svg_bars("Buzones más grandes",
                    fmt::format("Los {} buzones que más espacio usan: {}.", rows.size(), list),
                    rows);
}

SvgChart svg_groups(const OrgModel& org) {
    std::vector<BarRow> rows;
    std::string list;
    for (const auto& g : org.groups) {
        rows.push_back({g.name.empty() ? g.address : g.name, g.members, {}});
        list += fmt::format("{}{} ({}): {} miembros", list.empty() ? "" : "; ",
                            g.name.empty() ? g.address : g.name, g.address, g.members);
    }
    return svg_bars("Miembros por grupo",
                    fmt::format("{} grupos: {}.", rows.size(), list.empty() ? "ninguno" : list),
                    rows);
}

SvgChart svg_tickets(const WorkModel& work) {
    std::vector<std::string> days;
    std::vector<Series> series;
    for (std::size_t k = 0; k < work.workflows.size(); ++k)
        series.push_back({work.workflows[k].empty() ? "sin flujo" : work.workflows[k],
                          {},
                          std::string(kPalette[k % kPalette.size()])});
    for (const auto& d : work.tickets_per_day) {
        days.push_back(d.day);
        for (std::size_t k = 0; k < series.size() && k < d.counts.size(); ++k)
            series[k].values.push_back(d.counts[k]);
    }
    const std::string desc = fmt::format(
        "Solicitudes recibidas por día y flujo, {} días: {} en total, {} terminadas, {} fallidas.",
        days.size(), number(work.tickets), number(work.done), number(work.failures));
    return svg_day_columns("Solicitudes por día", desc, days, series);
}

}  // namespace hrmaild::dashboard
