#pragma once
/// Structured logging by event id (STYLE.md point 7).
///
/// Every call site passes a constant event id (capitals, e.g. `CONFIG_LOADED`) and key=value
/// fields. `docs/events.md` explains each id to an operator; tests assert on ids.
#include <fmt/format.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::log {

/// Severity of an event.
enum class Level { trace, debug, info, warn, error, critical };

/// Output shape: `text` (key=value lines) or `json` (one object a line).
enum class Format { text, json };

/// One key=value pair of an event; values are rendered with fmt when the field is made.
struct Field {
    std::string key;
    std::string value;

    /// Makes a field from anything fmt can format (a `Secret` formats as redacted).
    template <typename T>
    Field(std::string_view k, const T& v) : key(k), value(fmt::format("{}", v)) {}
    /// Makes a field from a string without a copy through fmt.
    Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
};

/// How the process logs; set once at start-up (and again on reload).
struct Options {
    Level level = Level::info;
    Format format = Format::text;
    /// Plain lines without timestamps (journald adds them). Defaults to whether
    /// `JOURNAL_STREAM` is set.
    bool journal = false;
};

/// Parses `trace|debug|info|warn|error|critical`; false when the name is unknown.
bool parse_level(std::string_view name, Level& out);

/// Configures the process-wide logger (stderr). Safe to call again.
void setup(const Options& options);

/// Options from the environment alone (`JOURNAL_STREAM`), before config is read.
Options default_options();

/// Emits one event with its id and fields.
void emit(Level level, std::string_view event_id, std::initializer_list<Field> fields = {});
void emit(Level level, std::string_view event_id, const std::vector<Field>& fields);

/// Renders one event the way `emit` writes it; used by `emit` and by tests.
std::string render(Format format, bool with_timestamp, Level level, std::string_view event_id,
                   const std::vector<Field>& fields);

/// Test hook: every rendered line also goes to this sink while it is installed.
class CaptureSink {
  public:
    CaptureSink();
    ~CaptureSink();
    CaptureSink(const CaptureSink&) = delete;
    CaptureSink& operator=(const CaptureSink&) = delete;
    /// Every line captured so far.
    std::vector<std::string> lines() const;
    /// Whether any captured line carries this event id.
    bool has_event(std::string_view event_id) const;
    /// Everything captured, joined by newlines.
    std::string text() const;
};

inline void trace(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::trace, id, f);
}
inline void debug(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::debug, id, f);
}
inline void info(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::info, id, f);
}
inline void warn(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::warn, id, f);
}
inline void error(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::error, id, f);
}
inline void critical(std::string_view id, std::initializer_list<Field> f = {}) {
    emit(Level::critical, id, f);
}

}  // namespace hrmaild::log
