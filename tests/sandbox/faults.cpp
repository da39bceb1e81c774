#include "tests/sandbox/faults.hpp"

#include "daemon/log/log.hpp"
#include "tests/sandbox/util.hpp"

namespace hrmaild::sandbox {
namespace json = boost::json;

namespace {
constexpr std::size_t max_log = 1000;

std::optional<double> number_of(const json::value& v) {
    if (v.is_int64())
        return static_cast<double>(v.get_int64());
    if (v.is_uint64())
        return static_cast<double>(v.get_uint64());
    if (v.is_double())
        return v.get_double();
    return std::nullopt;
}
}  // namespace

std::string kind_name(Fault::Kind kind) {
    switch (kind) {
        case Fault::Kind::latency:
            return "latency";
        case Fault::Kind::status:
            return "status";
        case Fault::Kind::drop:
            return "drop";
        case Fault::Kind::throttle:
            return "throttle";
    }
    return "status";
}

json::object Fault::to_json() const {
    json::object o{{"id", id},
                   {"method", method},
                   {"route", route},
                   {"kind", kind_name(kind)},
                   {"remaining", count},
                   {"percent", percent},
                   {"seed", seed},
                   {"apply", after ? "after" : "before"},
                   {"matched", matched},
                   {"applied", applied},
                   {"active", count != 0}};
    if (kind == Kind::latency)
        o["latency_ms"] = latency.count();
    if (kind == Kind::status) {
        o["status"] = status;
        o["body"] = body;
        o["content_type"] = content_type;
    }
    return o;
}

std::optional<std::string> Faults::add(const json::object& spec, std::string& error) {
    Fault f;
    bool has_count = false, has_percent = false;
    for (const auto& kv : spec) {
        const auto key = kv.key();
        const auto& v = kv.value();
        if (key == "route") {
            if (!v.is_string() || v.get_string().empty()) {
                error = "route must be a non-empty string (a path glob such as /api/*)";
                return std::nullopt;
            }
            f.route = std::string(v.get_string());
        } else if (key == "method") {
            if (!v.is_string()) {
                error = "method must be a string";
                return std::nullopt;
            }
            f.method = std::string(v.get_string());
            for (char& c : f.method) {
                if (c >= 'a' && c <= 'z')
                    c = static_cast<char>(c - 'a' + 'A');
            }
        } else if (key == "kind") {
            std::string k = v.is_string() ? std::string(v.get_string()) : std::string();
            if (k == "latency")
                f.kind = Fault::Kind::latency;
            else if (k == "status")
                f.kind = Fault::Kind::status;
            else if (k == "drop")
                f.kind = Fault::Kind::drop;
            else if (k == "throttle")
                f.kind = Fault::Kind::throttle;
            else {
                error = "kind must be latency, status, drop or throttle";
                return std::nullopt;
            }
        } else if (key == "count") {
            if (!v.is_int64() || v.get_int64() < 1) {
                error = "count must be a positive integer";
                return std::nullopt;
            }
            f.count = static_cast<int>(v.get_int64());
            has_count = true;
        } else if (key == "percent") {
            auto p = number_of(v);
            if (!p || *p < 0 || *p > 100) {
                error = "percent must be a number from 0 to 100";
                return std::nullopt;
            }
            f.percent = *p;
            has_percent = true;
        } else if (key == "seed") {
            if (!v.is_int64() && !v.is_uint64()) {
                error = "seed must be an integer";
                return std::nullopt;
            }
            f.seed = v.is_int64() ? static_cast<std::uint64_t>(v.get_int64()) : v.get_uint64();
        } else if (key == "latency_ms") {
            if (!v.is_int64() || v.get_int64() < 0 || v.get_int64() > 600000) {
                error = "latency_ms must be an integer from 0 to 600000";
                return std::nullopt;
            }
            f.latency = std::chrono::milliseconds(v.get_int64());
        } else if (key == "status") {
            if (!v.is_int64() || v.get_int64() < 100 || v.get_int64() > 599) {
                error = "status must be an HTTP status (100-599)";
                return std::nullopt;
            }
            f.status = static_cast<int>(v.get_int64());
        } else if (key == "body") {
            if (v.is_string()) {
                f.body = std::string(v.get_string());
            } else {
                f.body = json::serialize(v);
            }
        } else if (key == "content_type") {
            if (!v.is_string()) {
                error = "content_type must be a string";
                return std::nullopt;
            }
            f.content_type = std::string(v.get_string());
        } else if (key == "apply") {
            std::string a = v.is_string() ? std::string(v.get_string()) : std::string();
            if (a != "before" && a != "after") {
                error = "apply must be \"before\" or \"after\"";
                return std::nullopt;
            }
            f.after = a == "after";
        } else {
            error = "unknown key: " + std::string(key);
            return std::nullopt;
        }
    }
    if (f.route.empty()) {
        error = "route is required";
        return std::nullopt;
    }
    if (!spec.contains("kind")) {
        error = "kind is required";
        return std::nullopt;
    }
    if (!has_count && !has_percent)
        f.count = 1;
    f.rng.seed(f.seed);
    f.id = "f" + std::to_string(next_id_++);
    faults_.push_back(std::move(f));
    log::info("SANDBOX_FAULT_ADDED", {{"fault", faults_.back().id},
                                      {"kind", kind_name(faults_.back().kind)},
                                      {"route", faults_.back().route}});
    return faults_.back().id;
}

void Faults::clear() {
    faults_.clear();
    log::info("SANDBOX_FAULTS_CLEARED");
}

bool Faults::remove(const std::string& id) {
    auto n = std::erase_if(faults_, [&](const Fault& f) { return f.id == id; });
    return n > 0;
}

FaultDecision Faults::decide(const Request& request, std::chrono::system_clock::time_point) {
    FaultDecision d;
    std::string path = request.path();
    for (auto& f : faults_) {
        if (f.count == 0)
            continue;
        if (!f.method.empty() && f.method != request.method)
            continue;
        if (!util::glob_match(f.route, path))
            continue;
        ++f.matched;
        if (f.percent < 100) {
            std::uniform_real_distribution<double> dist(0.0, 100.0);
            if (dist(f.rng) >= f.percent)
                continue;
        }
        if (f.kind != Fault::Kind::latency && d.terminal)
            continue;  // one terminal fault per call; later ones keep their budget
        if (f.count > 0)
            --f.count;
        ++f.applied;
        d.applied.push_back(f);
        if (f.kind == Fault::Kind::latency)
            d.latency += f.latency;
        else
            d.terminal = f;
    }
    return d;
}

void Faults::log_applied(const Fault& fault, const Request& request, int status,
                         std::chrono::system_clock::time_point now) {
    json::object entry{{"seq", next_seq_++},
                       {"time", util::iso8601_utc(now)},
                       {"fault", fault.id},
                       {"kind", kind_name(fault.kind)},
                       {"method", request.method},
                       {"path", request.path()},
                       {"apply", fault.after ? "after" : "before"}};
    if (fault.kind == Fault::Kind::latency)
        entry["latency_ms"] = fault.latency.count();
    if (fault.kind != Fault::Kind::drop && fault.kind != Fault::Kind::latency)
        entry["status"] = status;
    log_.push_back(entry);
    if (log_.size() > max_log)
        log_.pop_front();
    log::info("SANDBOX_FAULT_APPLIED", {{"fault", fault.id},
                                        {"kind", kind_name(fault.kind)},
                                        {"method", request.method},
                                        {"path", util::loggable_path(request.path())},
                                        {"status", status}});
}

json::array Faults::to_json() const {
    json::array a;
    for (const auto& f : faults_)
        a.push_back(f.to_json());
    return a;
}

json::array Faults::log_json() const {
    json::array a;
    for (const auto& e : log_)
        a.push_back(e);
    return a;
}

void Faults::reset() {
    faults_.clear();
    log_.clear();
    next_id_ = 1;
    next_seq_ = 1;
}

}  // namespace hrmaild::sandbox
