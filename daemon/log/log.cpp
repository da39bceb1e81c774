#include "daemon/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <chrono>
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

bool needs_quotes(std::string_view v) {
    if (v.empty())
        return true;
    for (char c : v) {
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t' || c == '\\')
            return true;
    }
    return false;
}

void append_value(std::string& out, std::string_view v) {
    if (!needs_quotes(v)) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                out.push_back(c);
        }
    }
    out.push_back('"');
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms.count());
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
            o[f.key] = f.value;
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

void emit(Level level, std::string_view event_id, const std::vector<Field>& fields) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (level < s.options.level && !s.capture)
        return;
    std::string line = render(s.options.format, !s.options.journal, level, event_id, fields);
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

void emit(Level level, std::string_view event_id, std::initializer_list<Field> fields) {
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
