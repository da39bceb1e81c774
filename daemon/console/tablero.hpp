#pragma once
/// The Tablero page's content made from the dashboard's model (daemon/dashboard/): the figures
/// the template shows by name (`tablero.mustache` holds every label, in Spanish) and the
/// charts, rendered by daemon/dashboard/svg.hpp, with their `<desc>` as the text alternative.
#include "daemon/console/console.hpp"
#include "daemon/dashboard/model.hpp"

namespace hrmaild::console {

/// The page's data. Numbers are given as text; an optional figure the model lacks (no Zoho
/// read yet, no ticket done yet) is left out, and the template shows a dash in its place.
TableroContent tablero_content(const dashboard::Model& model);

/// How long something took, for people: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
std::string human_duration(std::chrono::milliseconds duration);

/// The text of an SVG's first `<desc>` (XML entities of xml_escape read back); "" when none.
std::string svg_description(std::string_view svg);

}  // namespace hrmaild::console
