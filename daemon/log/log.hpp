#pragma once
/// Structured logging by event id (STYLE.md point 7).
///
/// Every call site passes a constant event id (capitals, e.g. `WORKFLOWS_LOADED`) and key=value
/// fields. `docs/events.md` explains each id to an operator; tests assert on ids. The ids are
/// generated from that catalog (scripts/gen-event-ids.py → `log::events::WORKFLOWS_LOADED`), and
/// `EventId` accepts only those: an id the catalog does not explain is a compile error.
#include "daemon/log/event_ids.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::log {

/// Severity of an event.
enum class Level { trace, debug, info, warn, error, critical };

/// Output shape: `text` (key=value lines) or `json` (one object a line).
enum class Format { text, json };

namespace detail {
/// Deliberately not constexpr and never defined: a consteval `EventId` that reaches it does not
/// compile, and the compiler's message names it: the id is not in docs/events.md.
void event_id_not_in_docs_events_md();

/// Whether docs/events.md explains `id` (a binary search of the generated table).
constexpr bool documented_event(std::string_view id) {
    return std::binary_search(events::kAll.begin(), events::kAll.end(), id);
}
}  // namespace detail

/// An event id from docs/events.md, checked at compile time: `log::info("WORKFLOWS_LOADED", ...)`
/// compiles, `log::info("WORKFLOWS_LAODED", ...)` does not. An id chosen at run time is picked
/// among checked ones: `failed ? EventId("A_FAILED") : EventId("A_DONE")`.
class EventId {
  public:
    /// Accepts a documented id only (a string literal).
    consteval EventId(const char* id) : id_(id) {  // NOLINT: implicit on purpose
        if (!detail::documented_event(id_))
            detail::event_id_not_in_docs_events_md();
    }
    /// Accepts a documented id only (a `log::events::` constant).
    consteval EventId(std::string_view id) : id_(id) {  // NOLINT: implicit on purpose
        if (!detail::documented_event(id_))
            detail::event_id_not_in_docs_events_md();
    }
    /// The id as written in the catalog.
    [[nodiscard]] constexpr std::string_view view() const { return id_; }

  private:
    std::string_view id_;
};

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
void emit(Level level, EventId event_id, std::initializer_list<Field> fields = {});
void emit(Level level, EventId event_id, const std::vector<Field>& fields);

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

inline void trace(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::trace, id, f);
}
inline void debug(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::debug, id, f);
}
inline void info(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::info, id, f);
}
inline void warn(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::warn, id, f);
}
inline void error(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::error, id, f);
}
inline void critical(EventId id, std::initializer_list<Field> f = {}) {
    emit(Level::critical, id, f);
}

}  // namespace hrmaild::log
