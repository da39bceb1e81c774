#include "daemon/log/log.hpp"

#include "daemon/core/time_format.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace hrmaild::log {
namespace {

struct State {
    std::mutex mutex;
    Options options;
    std::shared_ptr<spdlog::logger> logger;
    std::vector<std::string>* capture = nullptr;
};

State& state() {
    static State s;
    return s;
}

std::string_view level_name(Level level) {
    switch (level) {
        case Level::trace:
            return "trace";
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
        case Level::critical:
            return "critical";
    }
    return "info";
}

// The length of the well-formed UTF-8 sequence at the start of `s` and its code point, or 0
// when the bytes there are not one (a stray continuation byte, an overlong form, a surrogate).
std::size_t utf8_sequence(std::string_view s, char32_t& cp) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = b(0);
    std::size_t n = 0;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (s.size() < n)
        return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((b(i) & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b(i) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

// Code points a terminal or a log viewer would act on instead of showing: C1 controls, the
// Unicode line and paragraph separators, and the bidirectional controls that reorder text.
bool escaped_code_point(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// A value as one token of a text line: printable characters as they are, every control
// character escaped (`\n`, `\r`, `\t`, `\xNN` for other C0 bytes, DEL and bytes that are not
// UTF-8, `\uNNNN` for C1, U+2028/2029 and bidi controls), so nothing from outside can start a
// new line, forge an event or drive the operator's terminal. Quoted when it had to be escaped
// or holds a space, a quote or `=`.
void append_value(std::string& out, std::string_view v) {
    std::string esc;
    bool quote = v.empty();
    for (std::size_t i = 0; i < v.size();) {
        auto c = static_cast<unsigned char>(v[i]);
        if (c >= 0x80) {
            char32_t cp = 0;
            auto n = utf8_sequence(v.substr(i), cp);
            if (n == 0) {
                esc += fmt::format("\\x{:02x}", c);
                quote = true;
                ++i;
            } else if (escaped_code_point(cp)) {
                esc += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
                quote = true;
                i += n;
            } else {
                esc.append(v.substr(i, n));
                i += n;
            }
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                esc += "\\\"";
                quote = true;
                break;
            case '\\':
                esc += "\\\\";
                quote = true;
                break;
            case '\n':
                esc += "\\n";
                quote = true;
                break;
            case '\r':
                esc += "\\r";
                quote = true;
                break;
            case '\t':
                esc += "\\t";
                quote = true;
                break;
            case ' ':
            case '=':
                esc.push_back(static_cast<char>(c));
                quote = true;
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    esc += fmt::format("\\x{:02x}", c);
                    quote = true;
                } else {
                    esc.push_back(static_cast<char>(c));
                }
        }
    }
    if (!quote) {
        out += esc;
        return;
    }
    out.push_back('"');
    out += esc;
    out.push_back('"');
}

// JSON escapes controls by its own rules (boost::json writes `\r`, `\u001b`...); bytes that are
// not UTF-8 would make the line unreadable to a JSON parser, so they become U+FFFD.
std::string valid_utf8(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size();) {
        char32_t cp = 0;
        auto n = utf8_sequence(v.substr(i), cp);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(v.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string timestamp() {
    return core::format_utc(std::chrono::system_clock::now(), core::UtcStyle::iso_millis_z);
}

}  // namespace

bool parse_level(std::string_view name, Level& out) {
    static constexpr std::pair<std::string_view, Level> names[] = {
        {"trace", Level::trace}, {"debug", Level::debug}, {"info", Level::info},
        {"warn", Level::warn},   {"error", Level::error}, {"critical", Level::critical}};
    for (auto [n, l] : names) {
        if (n == name) {
            out = l;
            return true;
        }
    }
    return false;
}

Options default_options() {
    Options o;
    o.journal = std::getenv("JOURNAL_STREAM") != nullptr;
    return o;
}

void setup(const Options& options) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.options = options;
    if (!s.logger) {
        s.logger = std::make_shared<spdlog::logger>(
            "hrmaild", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        s.logger->set_pattern("%v");
        s.logger->set_level(spdlog::level::trace);
        s.logger->flush_on(spdlog::level::trace);
    }
}

std::string render(Format format, bool with_timestamp, Level level, std::string_view event_id,
                   const std::vector<Field>& fields) {
    if (format == Format::json) {
        boost::json::object o;
        if (with_timestamp)
            o["ts"] = timestamp();
        o["level"] = level_name(level);
        o["event"] = event_id;
        for (const auto& f : fields)
            o[f.key] = valid_utf8(f.value);
        return boost::json::serialize(o);
    }
    std::string out;
    if (with_timestamp) {
        out.append(timestamp());
        out.push_back(' ');
    }
    out.append(level_name(level));
    out.push_back(' ');
    out.append(event_id);
    for (const auto& f : fields) {
        out.push_back(' ');
        out.append(f.key);
        out.push_back('=');
        append_value(out, f.value);
    }
    return out;
}

void emit(Level level, EventId event_id, const std::vector<Field>& fields) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (level < s.options.level && !s.capture)
        return;
    std::string line = render(s.options.format, !s.options.journal, level, event_id.view(), fields);
    if (s.capture)
        s.capture->push_back(line);
    if (level < s.options.level)
        return;
    if (!s.logger) {
        s.logger = std::make_shared<spdlog::logger>(
            "hrmaild", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        s.logger->set_pattern("%v");
        s.logger->flush_on(spdlog::level::trace);
    }
    s.logger->log(static_cast<spdlog::level::level_enum>(static_cast<int>(level)), line);
}

void emit(Level level, EventId event_id, std::initializer_list<Field> fields) {
    emit(level, event_id, std::vector<Field>(fields));
}

namespace {
std::vector<std::string> g_captured;
}

CaptureSink::CaptureSink() {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    g_captured.clear();
    s.capture = &g_captured;
}

CaptureSink::~CaptureSink() {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.capture = nullptr;
}

std::vector<std::string> CaptureSink::lines() const {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    return g_captured;
}

bool CaptureSink::has_event(std::string_view event_id) const {
    // The id is the token after the level (text) or the "event" member (json).
    for (const auto& l : lines()) {
        if (l.starts_with("{")) {
            if (l.find("\"event\":\"" + std::string(event_id) + "\"") != std::string::npos)
                return true;
            continue;
        }
        // [timestamp] level id fields...
        std::string_view rest(l);
        auto next_token = [&rest]() {
            auto sp = rest.find(' ');
            auto tok = rest.substr(0, sp);
            rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
            return tok;
        };
        auto tok = next_token();
        if (!tok.empty() && tok.back() == 'Z')
            tok = next_token();  // the timestamp
        if (next_token() == event_id)
            return true;
    }
    return false;
}

std::string CaptureSink::text() const {
    std::string out;
    for (const auto& l : lines()) {
        out.append(l);
        out.push_back('\n');
    }
    return out;
}

}  // namespace hrmaild::log
