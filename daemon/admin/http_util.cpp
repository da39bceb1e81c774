#include "daemon/admin/http_util.hpp"

#include "daemon/config/config.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

#include <charconv>

namespace hrmaild::admin {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    auto escaped = boost::urls::make_pct_string_view(text);
    if (!escaped)
        return std::nullopt;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = plus_is_space;
    return escaped->decode(opts);
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    // Boost.URL's query grammar refuses raw brackets, which PHP senders put in names
    // (`data[IS_ACCESSIBLE_BEFORE]`), so the pairs are split here and each part is checked
    // and decoded by Boost.URL.
    std::map<std::string, std::string> out;
    while (!body.empty()) {
        auto amp = body.find('&');
        auto pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty())
            continue;
        auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value)
            return std::nullopt;
        out.emplace(std::move(*name), std::move(*value));
    }
    return out;
}

std::optional<std::int64_t> parse_positive_id(std::string_view text) {
    if (text.empty() || text.size() > 19 || text.front() == '0')
        return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v <= 0)
        return std::nullopt;
    return v;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
    // The config loader's parser, so that `check` accepts exactly what start-up does.
    auto parsed = config::parse_listen(text);
    if (!parsed)
        return std::nullopt;
    return HostPort{std::move(parsed->host), parsed->port};
}

}  // namespace hrmaild::admin
