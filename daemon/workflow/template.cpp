#include "daemon/workflow/template.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/workflow/text.hpp"

#include <algorithm>
#include <array>

namespace hrmaild::workflow {
namespace {

using messages::Msg;
using namespace fmt::literals;

constexpr std::array<std::string_view, 11> kFilters = {"ascii",   "lower", "upper",    "first_word",
                                                       "surname", "slug",  "map",      "join",
                                                       "default", "trim",  "groups_of"};

constexpr std::array<std::string_view, 6> kParticles = {"de", "del", "la", "las", "los", "y"};

bool needs_arg(std::string_view f) {
    return f == "map" || f == "default";
}
bool takes_arg(std::string_view f) {
    return needs_arg(f) || f == "join";
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Applies a text function to text or to every item of a list.
template <typename F>
TemplateValue each(const TemplateValue& v, F f) {
    if (const auto* s = std::get_if<std::string>(&v))
        return f(*s);
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        std::vector<std::string> out;
        out.reserve(l->size());
        for (const auto& x : *l)
            out.push_back(f(x));
        return out;
    }
    return v;
}

}  // namespace

std::string value_text(const TemplateValue& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    std::string out;
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        for (const auto& x : *l)
            out += (out.empty() ? "" : ", ") + x;
        return out;
    }
    for (const auto& [k, x] : std::get<StringMap>(v))
        out += (out.empty() ? "" : ", ") + k + ": " + x;
    return out;
}

bool value_empty(const TemplateValue& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return s->empty();
    if (const auto* l = std::get_if<std::vector<std::string>>(&v))
        return l->empty();
    return std::get<StringMap>(v).empty();
}

std::vector<std::string_view> filter_names() {
    return {kFilters.begin(), kFilters.end()};
}

std::string surname_word(std::string_view surname) {
    auto ws = words(surname);
    for (const auto& w : ws) {
        auto f = fold(w);
        if (std::find(kParticles.begin(), kParticles.end(), f) == kParticles.end())
            return w;
    }
    return ws.empty() ? std::string() : ws.front();
}

std::string slug(std::string_view text) {
    std::string out;
    bool dash = false;
    for (char c : to_lower(to_ascii(text))) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && !out.empty())
                out += '-';
            dash = false;
            out += c;
        } else if (c == '\'' || c == '`') {
            // O'Neil → oneil: an apostrophe joins, it does not separate.
        } else {
            dash = true;
        }
    }
    return out;
}

Template Template::literal(std::string text) {
    Template t;
    t.source_ = text;
    t.parts_.push_back({std::move(text), std::nullopt});
    return t;
}

std::optional<Template> Template::compile(std::string_view text, std::string& error) {
    Template t;
    t.source_ = std::string(text);
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            t.parts_.push_back({std::string(text.substr(pos)), std::nullopt});
            break;
        }
        if (open > pos)
            t.parts_.push_back({std::string(text.substr(pos, open - pos)), std::nullopt});
        auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            error = "unclosed '{{' at offset " + std::to_string(open);
            return std::nullopt;
        }
        auto body = text.substr(open + 2, close - open - 2);
        // Split on '|' outside quotes.
        std::vector<std::string_view> pieces;
        std::size_t start = 0;
        char quote = 0;
        for (std::size_t i = 0; i < body.size(); ++i) {
            char c = body[i];
            if (quote != 0) {
                if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '|') {
                pieces.push_back(body.substr(start, i - start));
                start = i + 1;
            }
        }
        if (quote != 0) {
            error = "unclosed quote in '{{" + std::string(body) + "}}'";
            return std::nullopt;
        }
        pieces.push_back(body.substr(start));
        Expr e;
        e.path = std::string(trim(pieces.front()));
        if (e.path.empty() || !std::all_of(e.path.begin(), e.path.end(), is_name_char) ||
            e.path.front() == '.' || e.path.back() == '.') {
            error = "expected a name in '{{" + std::string(body) + "}}'";
            return std::nullopt;
        }
        for (std::size_t i = 1; i < pieces.size(); ++i) {
            auto p = trim(pieces[i]);
            Filter f;
            auto colon = p.find(':');
            f.name = std::string(trim(p.substr(0, colon)));
            if (std::find(kFilters.begin(), kFilters.end(), f.name) == kFilters.end()) {
                error =
                    "unknown filter '" + f.name + "' (known: " + core::join(kFilters, ", ") + ")";
                return std::nullopt;
            }
            if (colon != std::string_view::npos) {
                auto arg = trim(p.substr(colon + 1));
                if (!takes_arg(f.name)) {
                    error = "filter '" + f.name + "' takes no argument";
                    return std::nullopt;
                }
                if (arg.size() >= 2 && (arg.front() == '"' || arg.front() == '\'') &&
                    arg.back() == arg.front()) {
                    // Quoted arguments understand \n, \t and \\ so that a YAML block scalar
                    // can ask for `join: "\n- "`.
                    std::string a;
                    auto inner = arg.substr(1, arg.size() - 2);
                    for (std::size_t k = 0; k < inner.size(); ++k) {
                        if (inner[k] == '\\' && k + 1 < inner.size()) {
                            char n = inner[++k];
                            a += n == 'n' ? '\n' : n == 't' ? '\t' : n;
                        } else {
                            a += inner[k];
                        }
                    }
                    f.arg = std::move(a);
                } else if (!arg.empty() && std::all_of(arg.begin(), arg.end(), is_name_char)) {
                    f.arg = std::string(arg);
                    f.arg_is_path = true;
                } else {
                    error = "filter '" + f.name + "': argument must be a name or a quoted text";
                    return std::nullopt;
                }
            } else if (needs_arg(f.name)) {
                error = "filter '" + f.name + "' needs an argument ('" + f.name + ": ...')";
                return std::nullopt;
            }
            e.filters.push_back(std::move(f));
        }
        t.parts_.push_back({"", std::move(e)});
        pos = close + 2;
    }
    return t;
}

std::vector<std::string> Template::names() const {
    std::vector<std::string> out;
    for (const auto& p : parts_) {
        if (!p.expr)
            continue;
        out.push_back(p.expr->path);
        for (const auto& f : p.expr->filters)
            if (f.arg && f.arg_is_path)
                out.push_back(*f.arg);
    }
    return out;
}

bool Template::is_literal() const {
    return std::none_of(parts_.begin(), parts_.end(),
                        [](const Part& p) { return p.expr.has_value(); });
}

std::optional<TemplateValue> Template::eval(const Expr& e, const Scope& scope, const RenderEnv& env,
                                            std::string& error) const {
    auto it = scope.find(e.path);
    if (it == scope.end()) {
        error = messages::render(Msg::tpl_undefined, "name"_a = e.path);
        return std::nullopt;
    }
    TemplateValue v = it->second;
    for (const auto& f : e.filters) {
        const TemplateValue* arg = nullptr;
        TemplateValue literal_arg;
        if (f.arg) {
            if (f.arg_is_path) {
                auto a = scope.find(*f.arg);
                if (a == scope.end()) {
                    error = messages::render(Msg::tpl_undefined, "name"_a = *f.arg);
                    return std::nullopt;
                }
                arg = &a->second;
            } else {
                literal_arg = *f.arg;
                arg = &literal_arg;
            }
        }
        if (f.name == "ascii") {
            v = each(v, [](const std::string& s) { return to_ascii(s); });
        } else if (f.name == "lower") {
            v = each(v, [](const std::string& s) { return to_lower(s); });
        } else if (f.name == "upper") {
            v = each(v, [](const std::string& s) { return to_upper(s); });
        } else if (f.name == "trim") {
            v = each(v, [](const std::string& s) { return squeeze(s); });
        } else if (f.name == "slug") {
            v = each(v, [](const std::string& s) { return slug(s); });
        } else if (f.name == "surname") {
            v = each(v, [](const std::string& s) { return surname_word(s); });
        } else if (f.name == "first_word") {
            if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
                v = l->empty() ? std::string() : l->front();
            } else {
                auto ws = words(value_text(v));
                v = ws.empty() ? std::string() : ws.front();
            }
        } else if (f.name == "join") {
            std::string sep = arg != nullptr ? value_text(*arg) : ", ";
            if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
                std::string out;
                for (std::size_t i = 0; i < l->size(); ++i)
                    out += (i ? sep : "") + (*l)[i];
                v = out;
            }
        } else if (f.name == "default") {
            if (value_empty(v))
                v = *arg;
        } else if (f.name == "map") {
            const auto* table = std::get_if<StringMap>(arg);
            if (table == nullptr) {
                error = messages::render(Msg::tpl_not_a_table, "name"_a = *f.arg);
                return std::nullopt;
            }
            std::string missing;
            auto look = [&](const std::string& key) {
                auto k = fold(key);
                for (const auto& [tk, tv] : *table)
                    if (fold(tk) == k)
                        return tv;
                if (missing.empty())
                    missing = key;
                return std::string();
            };
            v = each(v, look);
            if (!missing.empty()) {
                error =
                    messages::render(Msg::tpl_no_mapping, "value"_a = missing, "table"_a = *f.arg);
                return std::nullopt;
            }
        } else if (f.name == "groups_of") {
            std::vector<std::string> out;
            if (env.directory != nullptr) {
                auto addrs = std::holds_alternative<std::vector<std::string>>(v)
                                 ? std::get<std::vector<std::string>>(v)
                                 : std::vector<std::string>{value_text(v)};
                for (const auto& a : addrs)
                    for (auto& g : env.directory->groups_of(a))
                        if (std::find(out.begin(), out.end(), g) == out.end())
                            out.push_back(g);
            }
            v = out;
        }
    }
    return v;
}

std::optional<TemplateValue> Template::render(const Scope& scope, const RenderEnv& env,
                                              std::string& error) const {
    if (parts_.size() == 1 && parts_.front().expr)
        return eval(*parts_.front().expr, scope, env, error);
    std::string out;
    for (const auto& p : parts_) {
        if (!p.expr) {
            out += p.literal;
            continue;
        }
        auto v = eval(*p.expr, scope, env, error);
        if (!v)
            return std::nullopt;
        out += value_text(*v);
    }
    return out;
}

std::optional<std::string> Template::render_text(const Scope& scope, const RenderEnv& env,
                                                 std::string& error) const {
    auto v = render(scope, env, error);
    if (!v)
        return std::nullopt;
    return value_text(*v);
}

}  // namespace hrmaild::workflow
