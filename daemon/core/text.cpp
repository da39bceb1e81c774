#include "daemon/core/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hrmaild::core {

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // One row of the dynamic-programming table, updated in place.
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] =
                std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string nearest(std::string_view name, const std::vector<std::string_view>& known) {
    std::string_view best;
    std::size_t best_distance = 3;  // further than two edits is not a typo
    for (auto k : known) {
        auto d = edit_distance(name, k);
        if (d < best_distance) {
            best_distance = d;
            best = k;
        }
    }
    return std::string(best);
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& known) {
    auto best = nearest(name, known);
    return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

}  // namespace hrmaild::core
