#pragma once
/// The dashboard's charts as SVG, rendered on the server by pure functions: the same model
/// gives the same bytes. Each chart comes with its title and its description as plain text
/// (for the page's text alternative), and a complete `<svg>` element to place in the page as is:
/// `role="img"`, an `aria-label`, a `<title>` and a `<desc>` that say in Spanish what it shows
/// (the figures included, for screen readers), and a `<title>` on every bar with its exact
/// value. Every text that comes from data (names, addresses, days) is XML-escaped; there are
/// no scripts, no styles that need `unsafe-inline` (only presentation attributes), no links
/// and no external resources.
#include "daemon/dashboard/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::dashboard {

/// `&`, `<`, `>`, `"` and `'` as entities; control characters other than tab and newline
/// dropped (XML 1.0 cannot carry them).
std::string xml_escape(std::string_view text);

/// A whole number as es-MX writes it: thousands with a comma (`17,927`; `-1,024`).
std::string number(std::int64_t n);

/// Megabytes as gigabytes with one decimal, the way the charts show storage (`17.5 GB`).
std::string gigabytes(std::int64_t mb);

/// A rendered chart: its title and description as plain text (the same words as the SVG's
/// `<title>` and `<desc>`, before escaping), and the SVG element itself.
struct SvgChart {
    std::string title;
    std::string description;
    std::string svg;
};

/// One bar of a horizontal bar chart.
struct BarRow {
    std::string label;
    std::int64_t value = 0;
    std::string value_text;  ///< what the bar's end shows ("3.4 GB"); empty: the number
};

/// A series of a per-day column chart (stacked with the others).
struct Series {
    std::string name;
    std::vector<std::int64_t> values;  ///< one per day
    std::string color;                 ///< a fill colour (#rrggbb)
};

/// Columns per day, one segment per series, stacked; bar heights proportional to the values
/// (the tallest stack fills the plot). Days are labelled every seventh day and at the end.
SvgChart svg_day_columns(std::string_view title, std::string_view description,
                         const std::vector<std::string>& days, const std::vector<Series>& series);

/// Horizontal bars, one per row, widths proportional to the values (the largest fills the
/// plot), the label left and the value right of each bar.
SvgChart svg_bars(std::string_view title, std::string_view description,
                  const std::vector<BarRow>& rows);

/// A meter: one bar filled to used/total with "used de total (n %)" beside it; its description
/// is "title: used de total (n %)".
SvgChart svg_meter(std::string_view title, const Ratio& ratio, std::string_view unit);

// ---- the dashboard's charts, in Spanish

/// Mail in and out per day (stacked: entrantes, salientes).
SvgChart svg_traffic(const OrgModel& org);
/// Licences used of total.
SvgChart svg_licences(const OrgModel& org);
/// Storage used of total (MB shown as GB).
SvgChart svg_storage(const OrgModel& org);
/// The largest mailboxes by storage used.
SvgChart svg_largest_mailboxes(const OrgModel& org);
/// Members per group.
SvgChart svg_groups(const OrgModel& org);
/// Tickets first seen per day, stacked by workflow.
SvgChart svg_tickets(const WorkModel& work);

}  // namespace hrmaild::dashboard
