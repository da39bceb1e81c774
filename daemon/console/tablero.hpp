#pragma once
/// The Tablero page's content made from the dashboard's model (daemon/dashboard/): the figures
/// the template shows by name (`tablero.mustache` holds every label, in Spanish), written as
/// the charts write them (`dashboard::number`: `17,927 de 337,920 MB`), and the charts rendered
/// by daemon/dashboard/svg.hpp, each captioned with its title and with its description as the
/// text alternative.
#include "daemon/console/console.hpp"
#include "daemon/dashboard/model.hpp"

namespace hrmaild::console {

/// The page's data. Numbers are given as text; an optional figure the model lacks (no Zoho
/// read yet, no ticket done yet) is left out, and the template shows a dash in its place.
TableroContent tablero_content(const dashboard::Model& model);

/// How long something took, for people: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
std::string human_duration(std::chrono::milliseconds duration);

}  // namespace hrmaild::console
