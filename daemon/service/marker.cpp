#include "daemon/service/marker.hpp"

#include <fmt/format.h>

namespace hrmaild::service {

std::string make_marker(std::int64_t task_id, std::string_view kind, std::string_view ref) {
    return fmt::format("hrmaild:{}:{}:{}", task_id, kind, ref.substr(0, 8));
}

std::string with_marker(std::string_view text, std::string_view marker) {
    return fmt::format("{}\n\n[COLOR=#999999]ref {}[/COLOR]", text, marker);
}

bool has_marker(std::string_view comment_text, std::string_view marker) {
    return comment_text.find(marker) != std::string_view::npos;
}

bool is_daemon_comment(std::string_view comment_text) {
    return comment_text.find("ref hrmaild:") != std::string_view::npos;
}

}  // namespace hrmaild::service
