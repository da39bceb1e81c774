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
/// Instants (when Zoho was read, last sign-ins) are written in `zone` as the rest of the
/// console writes them (`29/11/2026 17:58 (America/Mexico_City)`); UTC when it is null.
TableroContent tablero_content(const dashboard::Model& model, const core::TimeZone* zone = nullptr);

/// How long something took, for people: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
std::string human_duration(std::chrono::milliseconds duration);

}  // namespace hrmaild::console
