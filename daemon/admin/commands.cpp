#include "daemon/admin/commands.hpp"

#include "daemon/log/log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace hrmaild::admin {

namespace json = boost::json;

CommandResult error_result(int status, std::string_view code, std::string_view message) {
    return {status, json::object{{"error", code}, {"message", message}}};
}

namespace {

std::string_view type_name(ArgType t) {
    switch (t) {
        case ArgType::integer:
            return "an integer";
        case ArgType::string:
            return "a string";
        case ArgType::boolean:
            return "true or false";
    }
    return "?";
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

ArgSpec id_arg(std::string help = "ticket id (a positive integer)") {
    return {"id", ArgType::integer, true, false, std::move(help)};
}

}  // namespace

const std::vector<std::string>& standard_command_names() {
    static const std::vector<std::string> names{"queue.list",   "queue.show",  "queue.approve",
                                                "queue.reject", "queue.retry", "queue.cancel",
                                                "status",       "reload",      "version"};
    return names;
}

std::vector<ArgSpec> standard_args(std::string_view name) {
    if (name == "queue.list")
        return {{"state", ArgType::string, false, true,
                 "only tickets in this state (e.g. awaiting_approval)"}};
    if (name == "queue.show" || name == "queue.retry" || name == "queue.cancel")
        return {id_arg()};
    if (name == "queue.approve")
        return {id_arg(),
                {"plan_hash", ArgType::string, false, true,
                 "approve only if the plan still has this hash"}};
    if (name == "queue.reject")
        return {id_arg(), {"reason", ArgType::string, true, true, "why, shown to HR"}};
    return {};
}

void CommandRegistry::add(std::string name, std::string help, Handler handler) {
    auto args = standard_args(name);
    add(std::move(name), std::move(help), std::move(args), std::move(handler));
}

void CommandRegistry::add(std::string name, std::string help, std::vector<ArgSpec> args,
                          Handler handler) {
    CommandInfo info{name, std::move(help), std::move(args)};
    entries_.insert_or_assign(std::move(name), Entry{std::move(info), std::move(handler)});
}

bool CommandRegistry::contains(std::string_view name) const {
    return entries_.find(name) != entries_.end();
}

std::optional<CommandResult> CommandRegistry::validate(std::string_view name,
                                                       const json::object& args) const {
    auto it = entries_.find(name);
    if (it == entries_.end())
        return error_result(404, "unknown_command", fmt::format("no command '{}'", name));
    const auto& specs = it->second.info.args;
    for (const auto& kv : args) {
        if (std::none_of(specs.begin(), specs.end(),
                         [&](const ArgSpec& s) { return s.name == kv.key(); }))
            return error_result(
                400, "unknown_argument",
                fmt::format("command '{}' takes no argument '{}'", name, std::string(kv.key())));
    }
    for (const auto& spec : specs) {
        const auto* v = args.if_contains(spec.name);
        if (v == nullptr || v->is_null()) {
            if (spec.required)
                return error_result(400, "missing_argument",
                                    fmt::format("'{}' is required", spec.name));
            continue;
        }
        bool ok = false;
        switch (spec.type) {
            case ArgType::integer:
                ok = v->is_int64() || (v->is_uint64() && v->as_uint64() <= INT64_MAX);
                break;
            case ArgType::string:
                ok = v->is_string();
                break;
            case ArgType::boolean:
                ok = v->is_bool();
                break;
        }
        if (!ok)
            return error_result(400, "bad_argument",
                                fmt::format("'{}' must be {}", spec.name, type_name(spec.type)));
        if (spec.name == "id" && spec.type == ArgType::integer && v->to_number<std::int64_t>() <= 0)
            return error_result(400, "bad_argument", "'id' must be a positive integer");
        if (spec.non_empty && v->is_string() && blank(v->get_string()))
            return error_result(400, "bad_argument",
                                fmt::format("'{}' must not be empty", spec.name));
    }
    return std::nullopt;
}

boost::asio::awaitable<CommandResult> CommandRegistry::run(CommandRequest request) const {
    if (auto refused = validate(request.name, request.args))
        co_return std::move(*refused);
    // A copy: a reload may replace the command while this call is suspended.
    Handler handler = entries_.find(request.name)->second.handler;
    std::string name = request.name;
    std::string principal = request.principal;
    try {
        co_return co_await handler(std::move(request));
    } catch (const std::exception& e) {
        log::error("ADMIN_COMMAND_FAILED",
                   {{"command", name}, {"principal", principal}, {"reason", e.what()}});
    } catch (...) {
        log::error("ADMIN_COMMAND_FAILED",
                   {{"command", name}, {"principal", principal}, {"reason", "unknown exception"}});
    }
    co_return error_result(500, "internal",
                           fmt::format("command '{}' failed; see the daemon log", name));
}

std::vector<CommandInfo> CommandRegistry::list() const {
    std::vector<CommandInfo> out;
    out.reserve(entries_.size());
    for (const auto& [name, entry] : entries_)
        out.push_back(entry.info);
    return out;
}

}  // namespace hrmaild::admin
