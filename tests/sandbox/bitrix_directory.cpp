// user.get, user.current and department.get.
#include "tests/sandbox/bitrix_portal.hpp"

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

json::value Portal::user_field(const json::object& u, const std::string& key) {
    auto it = u.find(key);
    return it == u.end() ? json::value() : it->value();
}

json::object Portal::user_out(const json::object& u) const {
    json::object o;
    o["ID"] = php::to_string(user_field(u, "ID"));
    o["XML_ID"] = nullptr;
    o["ACTIVE"] = u.contains("ACTIVE") ? truthy(u.at("ACTIVE")) : true;
    o["NAME"] = php::to_string(user_field(u, "NAME"));
    o["LAST_NAME"] = php::to_string(user_field(u, "LAST_NAME"));
    o["SECOND_NAME"] = php::to_string(user_field(u, "SECOND_NAME"));
    o["EMAIL"] = php::to_string(user_field(u, "EMAIL"));
    o["LAST_LOGIN"] = bitrix_dates::format_iso(clock.now());
    o["DATE_REGISTER"] = "2024-01-15T00:00:00-06:00";
    o["IS_ONLINE"] = "N";
    o["TIME_ZONE_OFFSET"] = "0";
    o["PERSONAL_GENDER"] = "";
    o["WORK_POSITION"] = php::to_string(user_field(u, "WORK_POSITION"));
    json::array deps;
    for (const auto& d : php::list_values(user_field(u, "UF_DEPARTMENT"))) {
        long long n = 0;
        if (php::to_int(d, n)) {
            deps.push_back(n);
        }
    }
    o["UF_DEPARTMENT"] = std::move(deps);
    o["USER_TYPE"] = u.contains("USER_TYPE") ? php::to_string(u.at("USER_TYPE")) : "employee";
    return o;
}

bool Portal::record_matches(const json::object& rec, const json::object& filter,
                            bool missing_fails) {
    for (const auto& kv : filter) {
        auto fk = split_filter_key(kv.key());
        std::string f = fk.field;
        if (f == "NAME_SEARCH" || f == "FIND") {
            std::string hay = php::to_string(user_field(rec, "NAME")) + " " +
                              php::to_string(user_field(rec, "LAST_NAME")) + " " +
                              php::to_string(user_field(rec, "EMAIL"));
            if (!icontains(hay, php::to_string(kv.value()))) {
                return false;
            }
            continue;
        }
        auto it = rec.find(f);
        if (it == rec.end()) {
            // user.get ignores keys it does not know; a department without a PARENT or
            // UF_HEAD matches only a negated test.
            if (missing_fails && !negated(fk.op)) {
                return false;
            }
            continue;
        }
        const auto& actual = it->value();
        bool ok = true;
        if (actual.is_bool()) {
            bool want = truthy(kv.value());
            ok = (actual.get_bool() == want) != negated(fk.op);
        } else if (actual.is_array()) {
            // UF_DEPARTMENT: any of the record's values among the wanted ones.
            ok = match_any(kv.value(), fk.op, [&](const json::value& w) {
                long long n = 0;
                if (!php::to_int(w, n)) {
                    return false;
                }
                for (const auto& e : actual.get_array()) {
                    long long m = 0;
                    if (php::to_int(e, m) && m == n) {
                        return true;
                    }
                }
                return false;
            });
        } else {
            long long a = 0;
            if (php::to_int(actual, a) && (fk.op.find('%') == std::string::npos)) {
                ok = match_number(a, kv.value(), fk.op);
            } else {
                std::string s = php::to_string(actual);
                ok = fk.op.find('%') != std::string::npos
                         ? match_string(s, kv.value(), fk.op)
                         : match_any(kv.value(), fk.op, [&](const json::value& w) {
                               std::string ws = php::to_string(w);
                               return lower(s) == lower(ws);
                           });
            }
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

Outcome Portal::list_records(std::vector<json::object> rows, const std::string& sort, bool desc,
                             long long start) {
    if (!sort.empty()) {
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            auto x = user_field(a, sort);
            auto y = user_field(b, sort);
            long long xi = 0;
            long long yi = 0;
            bool less = php::to_int(x, xi) && php::to_int(y, yi)
                            ? xi < yi
                            : php::to_string(x) < php::to_string(y);
            bool more = php::to_int(x, xi) && php::to_int(y, yi)
                            ? yi < xi
                            : php::to_string(y) < php::to_string(x);
            return desc ? more : less;
        });
    }
    std::size_t offset = start > 0 ? static_cast<std::size_t>(start) : 0;
    json::array out;
    for (std::size_t i = offset; i < rows.size() && i < offset + page_size; ++i) {
        out.push_back(rows[i]);
    }
    Outcome res = Outcome::of(std::move(out));
    res.total = static_cast<long long>(rows.size());
    if (offset + page_size < rows.size()) {
        res.next = static_cast<long long>(offset + page_size);
    }
    return res;
}

Outcome Portal::user_get(const json::object& params, const Call&) {
    static const std::set<std::string> reserved = {"SORT",   "ORDER",        "FILTER", "ADMIN_MODE",
                                                   "SELECT", "IMAGE_RESIZE", "START"};
    json::object filter;
    for (const auto& kv : params) {
        if (reserved.count(upper(kv.key())) == 0) {
            filter[kv.key()] = kv.value();
        }
    }
    if (const auto* f = param(params, "FILTER"); f != nullptr && f->is_object()) {
        for (const auto& kv : f->get_object()) {
            filter[kv.key()] = kv.value();
        }
    }
    std::vector<json::object> rows;
    for (const auto& u : users) {
        auto o = user_out(u);
        if (record_matches(o, filter, false)) {
            rows.push_back(std::move(o));
        }
    }
    std::string sort = "ID";
    if (const auto* s = param(params, "sort")) {
        sort = upper(php::to_string(*s));
    }
    bool desc = false;
    if (const auto* o = param(params, "order")) {
        desc = lower(php::to_string(*o)) == "desc";
    }
    long long start = 0;
    if (const auto* s = param(params, "start")) {
        php::to_int(*s, start);
    }
    return list_records(std::move(rows), sort, desc, start);
}

Outcome Portal::user_current(const json::object&, const Call& call) {
    const auto* u = user(call.user_id);
    if (u == nullptr) {
        return Outcome::fail(401, "NO_AUTH_FOUND", "Wrong authorization data");
    }
    return Outcome::of(user_out(*u));
}

json::object Portal::department_out(const json::object& d) const {
    json::object o;
    o["ID"] = php::to_string(user_field(d, "ID"));
    o["NAME"] = php::to_string(user_field(d, "NAME"));
    long long sort = 500;
    if (d.contains("SORT")) {
        php::to_int(d.at("SORT"), sort);
    }
    o["SORT"] = sort;
    auto parent = user_field(d, "PARENT");
    if (!parent.is_null()) {
        o["PARENT"] = php::to_string(parent);
    }
    auto head = user_field(d, "UF_HEAD");
    if (!head.is_null() && !php::to_string(head).empty()) {
        o["UF_HEAD"] = php::to_string(head);
    }
    return o;
}

Outcome Portal::department_get(const json::object& params, const Call&) {
    static const std::set<std::string> keys = {"ID", "NAME", "SORT", "PARENT", "UF_HEAD"};
    json::object filter;
    for (const auto& kv : params) {
        auto fk = split_filter_key(kv.key());
        if (keys.count(fk.field) != 0) {
            filter[kv.key()] = kv.value();
        }
    }
    std::vector<json::object> rows;
    for (const auto& d : departments) {
        auto o = department_out(d);
        if (record_matches(o, filter, true)) {
            rows.push_back(std::move(o));
        }
    }
    std::string sort = "SORT";
    if (const auto* s = param(params, "sort")) {
        sort = upper(php::to_string(*s));
    }
    bool desc = false;
    if (const auto* o = param(params, "order")) {
        desc = lower(php::to_string(*o)) == "desc";
    }
    long long start = 0;
    if (const auto* s = param(params, "START")) {
        php::to_int(*s, start);
    }
    return list_records(std::move(rows), sort, desc, start);
}

}  // namespace hrmaild::sandbox::bitrix_detail
