#include "daemon/workflow/extract.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/core/text.hpp"
#include "daemon/domain/plan.hpp"
#include "daemon/workflow/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_set>

namespace hrmaild::workflow {
namespace {

using messages::Msg;
using messages::render;
using namespace fmt::literals;

bool is_tag_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*';
}

// BB-code tag names start with a letter ([B], [URL], [H1]) or are the list bullet [*]; "[1]"
// is a footnote HR wrote, not markup.
bool is_tag_name(std::string_view name) {
    if (name == "*")
        return true;
    if (name.empty() || name.size() > 10)
        return false;
    char c = name.front();
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        return false;
    return std::all_of(name.begin(), name.end(), is_tag_name_char);
}

// Longest BB-code tag read ("[URL=...]" with its argument); a longer bracket is text.
constexpr std::size_t kMaxTag = 200;
// Longest HTML break tag read ("<br />" and friends).
constexpr std::size_t kMaxHtmlTag = 8;

// "<br>", "<br/>", "<br />", "<p>", "</p>", "<div>", "</div>" in any case: a line break.
bool is_html_break(std::string_view tag) {
    std::string t;
    for (char c : tag) {
        if (c == ' ')
            continue;
        t += core::ascii_lower(c);
    }
    return t == "br" || t == "br/" || t == "p" || t == "/p" || t == "div" || t == "/div";
}

std::string_view trim_view(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && ws(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string> words_by_line(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto nl = s.find('\n', start);
        if (nl == std::string::npos)
            nl = s.size();
        if (nl > start)
            out.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

// A value echoed in an error: capped, so a 5,000-character line does not come back whole.
constexpr std::size_t kMaxEcho = 80;

std::string quoted(std::string_view s) {
    return render(Msg::wf_quoted, "text"_a = truncate_text(s, kMaxEcho));
}

}  // namespace

std::string bbcode_to_text(std::string_view raw) {
    // Entities first: "&#91;URL=...&#93;" is a tag like "[URL=...]" and is removed like one,
    // never decoded into a live tag afterwards. Invisible characters go before tags are read,
    // so "[U<zero-width space>RL]" is a tag too.
    auto decoded = clean_text(decode_entities(raw));
    std::string_view in(decoded);
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '[') {
            // [tag], [/tag], [tag=arg]: a known-looking tag is dropped, anything else kept.
            // The `]` is looked for within kMaxTag only: every `[` costs a bounded amount.
            auto window = in.substr(i + 1, kMaxTag);
            auto close = window.find(']');
            if (close != std::string_view::npos) {
                auto body = window.substr(0, close);
                if (!body.empty() && body[0] == '/')
                    body.remove_prefix(1);
                auto name_end = body.find_first_of("= ");
                auto name = body.substr(0, name_end);
                if (is_tag_name(name)) {
                    if (name == "*")
                        out += "\n";
                    i += close + 1;
                    continue;
                }
            }
        } else if (c == '<') {
            // Only the few HTML line breaks count; they are short, so only a short window is
            // read (this once folded the whole rest of the text for every `<`).
            auto window = in.substr(i + 1, kMaxHtmlTag);
            auto close = window.find('>');
            if (close != std::string_view::npos && is_html_break(window.substr(0, close))) {
                out += '\n';
                i += close + 1;
                continue;
            }
        }
        out += c;
    }
    return out;
}

std::string label_key(std::string_view label) {
    auto text = bbcode_to_text(label);
    std::string cleaned;
    for (char c : fold(text)) {
        if (c == '(' || c == ')' || c == '*' || c == '_')
            continue;
        cleaned += c;
    }
    auto v = std::string(trim_view(cleaned));
    while (!v.empty() && (v.back() == ':' || v.back() == ' ' || v.back() == '.'))
        v.pop_back();
    std::size_t start = 0;
    while (start < v.size() && (v[start] == '-' || v[start] == ' ' || v[start] == '.'))
        ++start;
    return squeeze(v.substr(start));
}

std::vector<LabeledLine> labeled_lines(std::string_view text) {
    std::vector<LabeledLine> out;
    bool in_block = false;  // the previous line was a label line or its continuation
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        auto line = trim_view(text.substr(pos, nl - pos));
        pos = nl + 1;
        // Bullets before a label: "- Correo: x", "• Correo: x".
        if (line.starts_with("- ") || line.starts_with("* "))
            line = trim_view(line.substr(2));
        if (line.starts_with("•"))
            line = trim_view(line.substr(std::string_view("•").size()));
        if (line.empty()) {
            in_block = false;
            if (nl == text.size())
                break;
            continue;
        }
        auto colon = line.find(':');
        bool is_label = false;
        if (colon != std::string_view::npos && colon > 0 && colon <= 80) {
            auto label = trim_view(line.substr(0, colon));
            // A label is short and not an address or a URL.
            is_label = label.find('@') == std::string_view::npos &&
                       label.find("//") == std::string_view::npos && !label.ends_with("mailto") &&
                       !label.ends_with("http") && !label.ends_with("https");
            if (is_label) {
                LabeledLine l;
                l.label = std::string(label);
                l.key = label_key(label);
                // Markdown-style bold around the label leaves "**" before the value.
                auto rest = trim_view(line.substr(colon + 1));
                while (!rest.empty() && (rest.front() == '*' || rest.front() == '_'))
                    rest = trim_view(rest.substr(1));
                l.value = squeeze(rest);
                if (l.key.empty()) {
                    is_label = false;
                } else {
                    out.push_back(std::move(l));
                    in_block = true;
                }
            }
        }
        if (!is_label && in_block && !out.empty())
            out.back().continuation.push_back(squeeze(line));
        if (nl == text.size())
            break;
    }
    return out;
}

namespace {

// "1 de diciembre de 2026", "1º de abril de 2031", "1 dic 2026", "01-dic-2026" → "01/12/2026";
// "5 de marzo" → "5/3/" (no year); anything else unchanged.
std::string spanish_month_date(std::string_view text) {
    static constexpr std::array<std::string_view, 12> months = {
        "enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
        "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
    auto f = fold(text);
    for (char& c : f)
        if (c == '-' || c == '/' || c == '.' || c == ',')
            c = ' ';
    auto w = words(f);
    std::erase(w, std::string("de"));
    std::erase(w, std::string("del"));
    if (w.size() != 3 && w.size() != 2)
        return std::string(text);
    // An ordinal day: «1º», «1o», «1ro», «1er», «1°» (folding may keep or spell the sign).
    auto& day = w[0];
    auto digits = day.find_first_not_of("0123456789");
    if (digits != std::string::npos && digits > 0) {
        auto suffix = std::string_view(day).substr(digits);
        if (suffix == "o" || suffix == "ro" || suffix == "er" || suffix == "ero" ||
            suffix == "\u00ba" || suffix == "\u00b0")
            day.resize(digits);
    }
    int month = 0;
    for (std::size_t i = 0; i < months.size(); ++i) {
        bool full = w[1] == months[i];
        bool abbrev = w[1].size() >= 3 && w[1].size() <= 4 && months[i].starts_with(w[1]);
        if (full || abbrev || (w[1] == "set" && i == 8))
            month = static_cast<int>(i) + 1;
    }
    if (month == 0)
        return std::string(text);
    return w[0] + "/" + std::to_string(month) + "/" + (w.size() == 3 ? w[2] : std::string());
}

int days_in(int y, int m) {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[static_cast<std::size_t>(m - 1)] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

DateReading read_date(std::string_view text) {
    DateReading r;
    auto spelled = spanish_month_date(text);
    auto t = trim_view(spelled);
    auto num = [](std::string_view s, int& v) {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return ec == std::errc() && p == s.data() + s.size() && !s.empty();
    };
    int y = 0, m = 0, d = 0;
    bool ok = false;
    if (t.size() == 10 && t[4] == '-' && t[7] == '-') {
        ok = num(t.substr(0, 4), y) && num(t.substr(5, 2), m) && num(t.substr(8, 2), d);
    } else {
        auto sep = t.find_first_of("/-.");
        if (sep != std::string_view::npos) {
            char s = t[sep];
            auto sep2 = t.find(s, sep + 1);
            if (sep2 != std::string_view::npos) {
                auto ys = t.substr(sep2 + 1);
                ok = sep <= 2 && sep2 - sep - 1 <= 2 && num(t.substr(0, sep), d) &&
                     num(t.substr(sep + 1, sep2 - sep - 1), m);
                if (ok && ys.empty()) {
                    r.problem = DateProblem::no_year;
                    return r;
                }
                if (ok && ys.size() == 2 && num(ys, y)) {
                    r.problem = DateProblem::two_digit_year;
                    return r;
                }
                ok = ok && ys.size() == 4 && num(ys, y);
                // 03/25/2031: a day/month order cannot read it, month/day/year can.
                if (ok && m > 12 && m <= 31 && d >= 1 && d <= 12) {
                    r.problem = DateProblem::month_first;
                    return r;
                }
            }
        }
    }
    if (!ok || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return r;
    if (d > days_in(y, m)) {
        r.problem = DateProblem::impossible;
        r.year = y;
        r.month = m;
        r.days_in_month = days_in(y, m);
        return r;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    r.iso = std::string(buf);
    r.problem = DateProblem::none;
    return r;
}

std::optional<std::string> parse_date(std::string_view text) {
    return read_date(text).iso;
}

std::vector<std::string> split_addresses(std::string_view text) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;  // a set: thousands of addresses stay linear
    auto add = [&](std::string_view a) {
        a = trim_view(a);
        if (a.starts_with("mailto:"))
            a.remove_prefix(7);
        while (!a.empty() && (a.front() == '<' || a.front() == '(' || a.front() == '"'))
            a.remove_prefix(1);
        while (!a.empty() &&
               (a.back() == '>' || a.back() == ')' || a.back() == '"' || a.back() == '.'))
            a.remove_suffix(1);
        if (a.empty())
            return;
        auto s = core::ascii_lower(a);
        // "a@x.com y b@x.com" and "- a@x.com": joining words and bullets are not addresses.
        if (s == "y" || s == "e" || s == "and" || s == "o" || s == "-" || s == "*" || s == "•")
            return;
        if (seen.insert(s).second)
            out.push_back(s);
    };
    // Items are separated by commas, semicolons and new lines; inside one item, "Name <a@b>"
    // keeps only the bracketed address, and otherwise spaces separate items too.
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find_first_of(",;\n", start);
        if (end == std::string_view::npos)
            end = text.size();
        auto item = text.substr(start, end - start);
        auto lt = item.find('<');
        auto gt = item.find('>', lt == std::string_view::npos ? 0 : lt);
        if (lt != std::string_view::npos && gt != std::string_view::npos) {
            add(item.substr(lt + 1, gt - lt - 1));
        } else {
            std::size_t w = 0;
            while (w <= item.size()) {
                auto we = item.find_first_of(" \t\r", w);
                if (we == std::string_view::npos)
                    we = item.size();
                add(item.substr(w, we - w));
                w = we + 1;
            }
        }
        start = end + 1;
    }
    return out;
}

Extraction extract_fields(const Workflow& wf, const domain::Task& task, const Scope& config_scope,
                          const domain::PolicyRules& rules) {
    Extraction ex;
    auto lines = labeled_lines(bbcode_to_text(task.description));
    RenderEnv env;
    for (const auto& f : wf.fields) {
        // The value one labelled line gives the field.
        auto value_of = [&](const LabeledLine& l) {
            std::string v = l.value;
            if (f.type == FieldType::addresses) {
                for (const auto& c : l.continuation)
                    v += "\n" + c;
            } else if (f.type == FieldType::address) {
                // An address on the next line is a second address, not prose to skip.
                if (v.empty() && !l.continuation.empty())
                    v = l.continuation.front();
                for (std::size_t i = l.value.empty() ? 1 : 0; i < l.continuation.size(); ++i)
                    if (l.continuation[i].find('@') != std::string::npos)
                        v += "\n" + l.continuation[i];
            } else if (v.empty() && !l.continuation.empty()) {
                v = l.continuation.front();
            }
            return v;
        };
        // Every line with one of the field's labels: the same value twice (or an empty line
        // and a filled one) is one value; two different values are an error, never a guess
        // (a white-on-white line above the visible one would otherwise win).
        const LabeledLine* found = nullptr;
        std::string raw;
        std::vector<std::string> distinct;
        for (const auto& l : lines) {
            if (std::find(f.label_keys.begin(), f.label_keys.end(), l.key) == f.label_keys.end())
                continue;
            auto v = value_of(l);
            if (!found || (raw.empty() && !v.empty())) {
                found = &l;
                raw = v;
            }
            if (v.empty())
                continue;
            std::string key;
            if (f.type == FieldType::address || f.type == FieldType::addresses) {
                for (const auto& x : split_addresses(v))
                    key += (key.empty() ? "" : ", ") + x;
            } else {
                key = squeeze(v);
            }
            // Three are enough to say so: a description repeating one label thousands of times
            // stays linear.
            if (distinct.size() < 3 &&
                std::find(distinct.begin(), distinct.end(), key) == distinct.end())
                distinct.push_back(std::move(key));
        }
        std::string label = found ? found->label : (f.labels.empty() ? f.name : f.labels.front());
        ex.labels[f.name] = label;
        if (distinct.size() > 1) {
            std::string shown;
            for (std::size_t i = 0; i < distinct.size(); ++i)
                shown += (i ? ", " : "") + quoted(distinct[i]);
            ex.errors.push_back(
                render(Msg::wf_field_twice, "label"_a = quoted(label), "values"_a = shown));
            ex.values[f.name] = f.type == FieldType::addresses
                                    ? domain::Value(std::vector<std::string>{})
                                    : domain::Value(std::string());
            continue;
        }
        if (!found && !f.uf.empty()) {
            auto it = task.uf.find(f.uf);
            if (it != task.uf.end())
                raw = squeeze(bbcode_to_text(it->second));
        }
        if (raw.empty() && f.default_value) {
            std::string err;
            if (auto d = f.default_value->render_text(config_scope, env, err))
                raw = *d;
        }
        auto L = quoted(label);
        if (raw.empty()) {
            if (f.required) {
                auto hint = f.labels.empty() ? f.name : f.labels.front();
                std::string also;
                if (f.labels.size() > 1)
                    also = render(Msg::wf_also_accepted, "label"_a = f.labels[1]);
                ex.errors.push_back(
                    render(Msg::wf_missing_field, "label"_a = L, "hint"_a = hint, "also"_a = also));
            }
            ex.values[f.name] = f.type == FieldType::addresses
                                    ? domain::Value(std::vector<std::string>{})
                                    : domain::Value(std::string());
            continue;
        }
        auto check_domain = [&](const std::string& a) {
            if (!f.allowed_domains_only && f.domains.empty())
                return;
            const auto& list = f.domains.empty() ? rules.allowed_domains : f.domains;
            auto d = domain::address_domain(a);
            bool ok = std::any_of(list.begin(), list.end(),
                                  [&](const std::string& x) { return core::ascii_lower(x) == d; });
            if (!ok) {
                ex.errors.push_back(render(Msg::wf_address_domain, "label"_a = L,
                                           "address"_a = quoted(a),
                                           "allowed"_a = fmt::join(list, ", ")));
            }
        };
        switch (f.type) {
            case FieldType::text: {
                auto v = squeeze(raw);
                auto n = length(v);
                if (f.max_length > 0 && n > f.max_length)
                    ex.errors.push_back(render(Msg::wf_too_long, "label"_a = L, "count"_a = n,
                                               "max"_a = f.max_length));
                if (f.min_length > 0 && n < f.min_length)
                    ex.errors.push_back(render(Msg::wf_too_short, "label"_a = L, "count"_a = n,
                                               "min"_a = f.min_length));
                if (f.pattern && !f.pattern->full_match(v))
                    ex.errors.push_back(
                        f.pattern_message.empty()
                            ? render(Msg::wf_bad_format, "label"_a = L, "value"_a = quoted(v))
                            : render(Msg::wf_bad_format_because, "label"_a = L,
                                     "value"_a = quoted(v), "because"_a = f.pattern_message));
                if (f.one_of) {
                    std::string err;
                    auto allowed = f.one_of->render(config_scope, env, err);
                    std::vector<std::string> options;
                    if (f.one_of->is_literal()) {
                        for (const auto& o : words_by_line(f.one_of->source()))
                            options.push_back(o);
                    } else if (allowed) {
                        if (const auto* l = std::get_if<std::vector<std::string>>(&*allowed))
                            options = *l;
                        else if (const auto* m = std::get_if<StringMap>(&*allowed))
                            for (const auto& [k, x] : *m)
                                options.push_back(k);
                        else
                            options.push_back(value_text(*allowed));
                    }
                    auto key = fold(v);
                    auto it = std::find_if(options.begin(), options.end(),
                                           [&](const std::string& o) { return fold(o) == key; });
                    if (it == options.end()) {
                        ex.errors.push_back(render(Msg::wf_not_one_of, "label"_a = L,
                                                   "value"_a = quoted(v),
                                                   "options"_a = fmt::join(options, ", ")));
                    } else {
                        v = *it;  // the spelling config uses, so `map` finds it
                    }
                }
                ex.values[f.name] = v;
                break;
            }
            case FieldType::address: {
                auto list = split_addresses(raw);
                std::string a = list.empty() ? std::string() : list.front();
                if (list.size() > 1) {
                    ex.errors.push_back(
                        render(Msg::wf_one_address, "label"_a = L, "count"_a = list.size()));
                } else if (!domain::is_valid_address(a)) {
                    ex.errors.push_back(render(Msg::wf_bad_address, "label"_a = L,
                                               "value"_a = quoted(squeeze(raw))));
                } else {
                    check_domain(a);
                }
                ex.values[f.name] = a;
                break;
            }
            case FieldType::addresses: {
                auto list = split_addresses(raw);
                for (const auto& a : list) {
                    if (!domain::is_valid_address(a))
                        ex.errors.push_back(
                            render(Msg::wf_bad_address, "label"_a = L, "value"_a = quoted(a)));
                    else
                        check_domain(a);
                }
                if (list.empty() && f.required)
                    ex.errors.push_back(render(Msg::wf_missing_addresses, "label"_a = L));
                ex.values[f.name] = list;
                break;
            }
            case FieldType::date: {
                auto d = read_date(raw);
                if (!d.iso) {
                    const auto value = quoted(squeeze(raw));
                    switch (d.problem) {
                        case DateProblem::impossible:
                            ex.errors.push_back(render(Msg::wf_date_impossible, "label"_a = L,
                                                       "value"_a = value, "month"_a = d.month,
                                                       "year"_a = d.year,
                                                       "days"_a = d.days_in_month));
                            break;
                        case DateProblem::two_digit_year:
                            ex.errors.push_back(render(Msg::wf_date_two_digit_year, "label"_a = L,
                                                       "value"_a = value));
                            break;
                        case DateProblem::month_first:
                            ex.errors.push_back(
                                render(Msg::wf_date_month_first, "label"_a = L, "value"_a = value));
                            break;
                        case DateProblem::no_year:
                            ex.errors.push_back(
                                render(Msg::wf_date_no_year, "label"_a = L, "value"_a = value));
                            break;
                        default:
                            ex.errors.push_back(
                                render(Msg::wf_bad_date, "label"_a = L, "value"_a = value));
                    }
                    ex.values[f.name] = squeeze(raw);
                } else {
                    ex.values[f.name] = *d.iso;
                }
                break;
            }
        }
    }
    // One problem, one line: two fields sharing a label and a value say the same thing.
    std::unordered_set<std::string> said;
    std::erase_if(ex.errors, [&](const std::string& e) { return !said.insert(e).second; });
    return ex;
}

}  // namespace hrmaild::workflow
