// batch: commands, references between them, halt and the cap.
#include "tests/sandbox/bitrix_portal.hpp"
#include "tests/sandbox/util.hpp"

#include "tests/sandbox/bitrix_dates.hpp"
#include "tests/sandbox/php_params.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace hrmaild::sandbox::bitrix_detail {

using Outcome = Portal::Outcome;
using Task = Portal::Task;
using Call = Portal::Call;
using Member = Portal::Member;

bool Portal::php_bool(const json::value& v) {
    if (v.is_string()) {
        return !(v.get_string().empty() || v.get_string() == "0");
    }
    if (v.is_bool()) {
        return v.get_bool();
    }
    long long n = 0;
    return php::to_int(v, n) ? n != 0 : !v.is_null();
}

json::value Portal::resolve_element(const std::string& s, const json::object& results) {
    static const char* names[] = {"result", "next", "total", "time", "error"};
    std::string out = s;
    std::size_t pos = 0;
    while (true) {
        auto dollar = out.find('$', pos);
        if (dollar == std::string::npos) {
            break;
        }
        const char* which = nullptr;
        for (const char* n : names) {
            std::string_view nv(n);
            if (lower(std::string_view(out).substr(dollar + 1, nv.size())) == nv) {
                which = n;
                break;
            }
        }
        if (which == nullptr) {
            pos = dollar + 1;
            continue;
        }
        auto end = out.find_first_of(" \t\r\n\f\v", dollar);
        if (end == std::string::npos) {
            end = out.size();
        }
        std::string match = out.substr(dollar, end - dollar);
        std::string path = match.substr(std::string_view(which).size() + 1);
        std::vector<std::string> keys;
        for (std::size_t p = 0; (p = path.find('[', p)) != std::string::npos;) {
            auto close = path.find(']', p + 1);
            if (close == std::string::npos) {
                break;
            }
            if (close > p + 1) {
                keys.push_back(path.substr(p + 1, close - p - 1));
            }
            p = close + 1;
        }
        if (keys.empty()) {
            pos = end;
            continue;
        }
        const json::value* r = &results.at(which);
        for (const auto& key : keys) {
            const json::value* next = nullptr;
            if (r->is_object()) {
                next = r->get_object().if_contains(key);
            } else if (r->is_array()) {
                long long idx = 0;
                const auto& arr = r->get_array();
                if (php::to_int(json::value(key), idx) && idx >= 0 &&
                    static_cast<std::size_t>(idx) < arr.size()) {
                    next = &arr[static_cast<std::size_t>(idx)];
                }
            }
            if (next == nullptr || next->is_null()) {
                break;  // PHP: isset() failed, keep what was found so far
            }
            r = next;
        }
        if (match == s) {
            return *r;
        }
        if (!r->is_string() && !r->is_number()) {
            pos = end;  // an array cannot be spliced into text: left as written
            continue;
        }
        std::string text = php::to_string(*r);
        out.replace(dollar, match.size(), text);
        pos = dollar + text.size();
    }
    return json::string(out);
}

json::value Portal::substitute(const json::value& v, const json::object& results) {
    if (v.is_object()) {
        json::object o;
        for (const auto& kv : v.get_object()) {
            o[kv.key()] = substitute(kv.value(), results);
        }
        return o;
    }
    if (v.is_array()) {
        json::array a;
        for (const auto& e : v.get_array()) {
            a.push_back(substitute(e, results));
        }
        return a;
    }
    if (!v.is_string()) {
        return v;
    }
    return resolve_element(std::string(v.get_string()), results);
}

Outcome Portal::batch(const json::object& params, const Call& call) {
    const auto* cmd = param(params, "cmd");
    const auto* h = param(params, "halt");
    bool halt = h != nullptr && php_bool(*h);
    std::vector<std::pair<std::string, std::string>> commands;
    if (cmd != nullptr && cmd->is_object()) {
        for (const auto& kv : cmd->get_object()) {
            if (kv.value().is_string()) {
                commands.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
            }
        }
    } else if (cmd != nullptr && cmd->is_array()) {
        const auto& a = cmd->get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (a[i].is_string()) {
                commands.emplace_back(std::to_string(i), std::string(a[i].get_string()));
            }
        }
    }
    using Items = std::vector<std::pair<std::string, json::value>>;
    Items result;
    Items result_error;
    Items result_total;
    Items result_next;
    Items result_time;
    json::object refs{{"result", json::object()},
                      {"next", json::object()},
                      {"total", json::object()},
                      {"time", json::object()},
                      {"error", json::object()}};
    Call inner = call;
    inner.in_batch = true;
    std::size_t count = 0;
    for (const auto& [name, text] : commands) {
        auto q = text.find('?');
        std::string method = method_name(text.substr(0, q));
        Outcome out;
        json::object time;
        if (count++ >= batch_cap) {
            out = Outcome::fail(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded");
        } else if (method == "batch") {
            out = Outcome::fail(405, "ERROR_BATCH_METHOD_NOT_ALLOWED",
                                "Method is not allowed for batch usage");
        } else {
            json::object sub;
            php::parse_str(q == std::string::npos ? std::string() : text.substr(q + 1), sub);
            util::erase_keep_order(sub, "auth");
            json::object resolved = substitute(sub, refs).as_object();
            ++batch_calls[method];
            out = run(method, resolved, inner, clock.unix_seconds(), time);
            result_time.emplace_back(name, time);
            refs["time"].as_object()[name] = time;
        }
        if (!out.ok()) {
            auto err = error_body(out.error, out.description);
            result_error.emplace_back(name, err);
            refs["error"].as_object()[name] = err;
            if (halt) {
                break;
            }
            continue;
        }
        result.emplace_back(name, out.result);
        refs["result"].as_object()[name] = out.result;
        if (out.total) {
            result_total.emplace_back(name, *out.total);
            refs["total"].as_object()[name] = *out.total;
        }
        if (out.next) {
            result_next.emplace_back(name, *out.next);
            refs["next"].as_object()[name] = *out.next;
        }
    }
    json::object r;
    r["result"] = php::php_array(result);
    r["result_error"] = php::php_array(result_error);
    r["result_total"] = php::php_array(result_total);
    r["result_next"] = php::php_array(result_next);
    r["result_time"] = php::php_array(result_time);
    return Outcome::of(std::move(r));
}

}  // namespace hrmaild::sandbox::bitrix_detail
