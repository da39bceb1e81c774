#include "daemon/admin/client.hpp"

#include "daemon/admin/http_util.hpp"
#include "daemon/core/time_format.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <exception>

namespace hrmaild::admin {

namespace json = boost::json;

std::optional<ApiCall> build_queue_call(const QueueCommand& c, std::string* why) {
    auto fail = [&](std::string text) -> std::optional<ApiCall> {
        if (why)
            *why = std::move(text);
        return std::nullopt;
    };
    if (c.verb == "list") {
        std::string target = "/api/v1/queue";
        if (!c.state.empty()) {
            // States are lower-case words; anything else would need escaping and is no state.
            if (!std::all_of(c.state.begin(), c.state.end(),
                             [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; }))
                return fail(fmt::format("'{}' is not a ticket state", c.state));
            target += "?state=" + c.state;
        }
        return ApiCall{"GET", target, {}};
    }
    static const std::vector<std::string> verbs{"show", "approve", "reject", "retry", "cancel"};
    if (std::find(verbs.begin(), verbs.end(), c.verb) == verbs.end())
        return fail(fmt::format("unknown queue command '{}'", c.verb));
    if (c.id <= 0)
        return fail("the ticket id must be a positive integer");
    std::string target = fmt::format("/api/v1/queue/{}", c.id);
    if (c.verb == "show")
        return ApiCall{"GET", target, {}};
    json::object body;
    if (c.verb == "reject") {
        if (std::all_of(c.reason.begin(), c.reason.end(), [](char ch) { return ch == ' '; }))
            return fail("a rejection needs a reason (--reason TEXT)");
        body["reason"] = c.reason;
    }
    if (c.verb == "approve" && !c.plan_hash.empty())
        body["plan_hash"] = c.plan_hash;
    return ApiCall{"POST", target + "/" + c.verb, json::serialize(body)};
}

std::optional<config::AdminToken> pick_token(const std::vector<config::AdminToken>& tokens,
                                             std::string_view name, std::string* why) {
    std::string names;
    for (const auto& t : tokens)
        names += (names.empty() ? "" : ", ") + t.name;
    auto fail = [&](std::string text) -> std::optional<config::AdminToken> {
        if (why)
            *why = std::move(text);
        return std::nullopt;
    };
    if (tokens.empty())
        return fail("no admin.tokens in the configuration; add one to use the admin API");
    if (name.empty()) {
        if (tokens.size() == 1)
            return tokens.front();
        return fail(fmt::format("several admin tokens are configured; pick one with --as NAME ({})",
                                names));
    }
    for (const auto& t : tokens)
        if (t.name == name)
            return t;
    return fail(fmt::format("no admin token named '{}' (configured: {})", name, names));
}

std::optional<std::string> admin_base_url(std::string_view listen) {
    auto hp = parse_host_port(listen);
    if (!hp)
        return std::nullopt;
    std::string host = hp->host;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (!ec && address.is_unspecified())
        host = address.is_v6() ? "::1" : "127.0.0.1";
    if (!ec && boost::asio::ip::make_address(host).is_v6())
        host = "[" + host + "]";
    return fmt::format("http://{}:{}", host, hp->port);
}

boost::asio::awaitable<ApiAnswer> send_api_call(net::HttpTransport& transport, std::string base_url,
                                                Secret token, ApiCall call) {
    net::HttpRequest req;
    req.method = call.method;
    req.url = base_url + call.target;
    req.headers.push_back({"Authorization", "Bearer " + token.reveal()});
    req.headers.push_back({"X-Hrmaild-Via", "cli"});
    req.headers.push_back({"Accept", "application/json"});
    if (call.method == "POST") {
        req.body = call.body.empty() ? "{}" : call.body;
        req.content_type = "application/json";
    }
    ApiAnswer answer;
    auto outcome = co_await transport.send(std::move(req));
    if (!outcome) {
        answer.error = outcome.error().describe();
        co_return answer;
    }
    answer.reached = true;
    answer.status = outcome->status;
    boost::system::error_code ec;
    answer.body = json::parse(outcome->body, ec);
    if (ec)
        answer.body = nullptr;
    if (const auto* o = answer.body.if_object()) {
        if (const auto* m = o->if_contains("message"); m && m->is_string() && answer.status >= 400)
            answer.error = std::string(m->get_string());
    }
    if (answer.error.empty() && answer.status >= 400)
        answer.error = fmt::format("HTTP {}", answer.status);
    co_return answer;
}

ApiAnswer call_admin_api(const std::string& base_url, const Secret& token, const ApiCall& call,
                         net::HttpSettings http, std::chrono::milliseconds timeout) {
    boost::asio::io_context io;
    http.connect_timeout = std::min<std::chrono::milliseconds>(http.connect_timeout, timeout);
    http.read_timeout = timeout;
    http.total_timeout = timeout;
    http.user_agent = "hrmaild-cli";
    net::HttpClient client(io.get_executor(), http);
    std::optional<ApiAnswer> answer;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, send_api_call(client, base_url, token, call),
                          [&](std::exception_ptr e, ApiAnswer a) {
                              failure = e;
                              answer = std::move(a);
                          });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    return answer.value_or(ApiAnswer{});
}

namespace {

std::string scalar_text(const json::value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return std::string(v.get_string());
        case json::kind::null:
            return "-";
        case json::kind::bool_:
            return v.get_bool() ? "yes" : "no";
        default:
            return json::serialize(v);
    }
}

/// The daemon sends times as milliseconds since the epoch (`*_at`, `at`); people read UTC.
std::string value_text(std::string_view key, const json::value& v) {
    bool is_time = key == "at" || (key.size() > 3 && key.substr(key.size() - 3) == "_at");
    if (is_time && v.is_int64() && v.get_int64() > 0) {
        return core::format_utc_seconds(v.get_int64() / 1000, core::UtcStyle::readable);
    }
    return scalar_text(v);
}

std::string field_text(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? value_text(key, *v) : "-";
}

/// One line per item of an array: `key=value` pairs for objects, the value otherwise.
void append_items(std::string& out, const json::array& items, std::string_view indent) {
    if (items.empty()) {
        out += fmt::format("{}(none)\n", indent);
        return;
    }
    for (const auto& item : items) {
        if (const auto* o = item.if_object()) {
            std::string line;
            for (const auto& kv : *o) {
                if (!line.empty())
                    line += "  ";
                line += fmt::format("{}={}", std::string_view(kv.key()),
                                    kv.value().is_structured() ? json::serialize(kv.value())
                                                               : value_text(kv.key(), kv.value()));
            }
            out += fmt::format("{}- {}\n", indent, line);
        } else {
            out += fmt::format("{}- {}\n", indent, scalar_text(item));
        }
    }
}

void append_block(std::string& out, const json::object& o, std::string_view indent) {
    std::size_t width = 0;
    for (const auto& kv : o)
        if (!kv.value().is_structured())
            width = std::max(width, kv.key().size());
    for (const auto& kv : o)
        if (!kv.value().is_structured())
            out += fmt::format("{}{:<{}}  {}\n", indent, std::string(kv.key()) + ":", width + 1,
                               scalar_text(kv.value()));
    for (const auto& kv : o) {
        if (const auto* a = kv.value().if_array()) {
            out += fmt::format("{}{}:\n", indent, std::string_view(kv.key()));
            append_items(out, *a, std::string(indent) + "  ");
        } else if (const auto* sub = kv.value().if_object()) {
            out += fmt::format("{}{}:\n", indent, std::string_view(kv.key()));
            append_block(out, *sub, std::string(indent) + "  ");
        }
    }
}

}  // namespace

std::string format_queue_list(const json::value& result) {
    const json::array* tickets = nullptr;
    if (const auto* o = result.if_object())
        if (const auto* t = o->if_contains("tickets"))
            tickets = t->if_array();
    if (tickets == nullptr)
        return json::serialize(result) + "\n";
    if (tickets->empty())
        return "no tickets\n";
    static const std::vector<std::string_view> columns{"id", "state", "workflow", "updated_at",
                                                       "plan_hash"};
    static const std::vector<std::string_view> headings{"ID", "STATE", "WORKFLOW", "UPDATED",
                                                        "PLAN"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : *tickets) {
        std::vector<std::string> row;
        const auto* o = t.if_object();
        for (auto c : columns) {
            std::string cell = o ? field_text(*o, c) : scalar_text(t);
            if (c == "plan_hash" && cell.size() > 12)
                cell.resize(12);  // enough to tell plans apart, as `--plan-hash` accepts
            row.push_back(std::move(cell));
        }
        rows.push_back(std::move(row));
    }
    std::vector<std::size_t> width(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
        width[i] = headings[i].size();
        for (const auto& r : rows)
            width[i] = std::max(width[i], r[i].size());
    }
    auto line = [&](auto cell) {
        std::string s;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i + 1 == columns.size())
                s += cell(i);  // the last column is not padded
            else
                s += fmt::format("{:<{}}  ", cell(i), width[i]);
        }
        return s + "\n";
    };
    std::string out = line([&](std::size_t i) { return std::string(headings[i]); });
    for (const auto& r : rows)
        out += line([&](std::size_t i) { return r[i]; });
    return out;
}

std::string format_ticket(const json::value& result) {
    const json::object* ticket = result.if_object();
    if (ticket)
        if (const auto* t = ticket->if_contains("ticket"); t && t->is_object())
            ticket = &t->get_object();
    if (ticket == nullptr)
        return json::serialize(result) + "\n";
    std::string out;
    append_block(out, *ticket, "");
    return out;
}

std::string format_action(const json::value& result) {
    if (const auto* o = result.if_object()) {
        std::string line;
        if (const auto* id = o->if_contains("id"))
            line += fmt::format("ticket {}", scalar_text(*id));
        if (const auto* state = o->if_contains("state"))
            line += fmt::format("{}{}", line.empty() ? "" : ": ", scalar_text(*state));
        if (const auto* m = o->if_contains("message"); m && m->is_string())
            line += fmt::format("{}{}", line.empty() ? "" : " — ", scalar_text(*m));
        if (!line.empty())
            return line + "\n";
    }
    return "ok\n";
}

std::string describe_refusal(const ApiAnswer& answer) {
    std::string code;
    if (const auto* o = answer.body.if_object())
        if (const auto* e = o->if_contains("error"); e && e->is_string())
            code = std::string(e->get_string());
    if (code.empty())
        return fmt::format("{} {}", answer.status, answer.error);
    return fmt::format("{} {}: {}", answer.status, code, answer.error);
}

}  // namespace hrmaild::admin
