#include "daemon/console/render.hpp"

#include "daemon/console/embedded.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace hrmaild::console {

namespace mst = kainjow::mustache;

std::optional<std::string_view> embedded(std::string_view name) {
    for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
        if (kEmbeddedFiles[i].name == name)
            return kEmbeddedFiles[i].bytes;
    return std::nullopt;
}

std::vector<std::string_view> embedded_names() {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
        out.push_back(kEmbeddedFiles[i].name);
    return out;
}

namespace {

std::string template_text(std::string_view name) {
    auto text = embedded(std::string(name) + ".mustache");
    if (!text)
        throw std::runtime_error(fmt::format("console: no template '{}.mustache'", name));
    return std::string(*text);
}

}  // namespace

std::string render(std::string_view name, Data data) {
    for (const char* partial : {"cabecera", "pie"}) {
        std::string text = template_text(partial);
        data.set(partial, mst::partial([text] { return text; }));
    }
    mst::mustache tmpl(template_text(name));
    if (!tmpl.is_valid())
        throw std::runtime_error(
            fmt::format("console: template '{}.mustache': {}", name, tmpl.error_message()));
    std::string out = tmpl.render(data);
    if (!tmpl.is_valid())
        throw std::runtime_error(
            fmt::format("console: rendering '{}.mustache': {}", name, tmpl.error_message()));
    return out;
}

Data to_data(const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::object: {
            Data d{Data::type::object};
            for (const auto& kv : value.get_object())
                d.set(std::string(kv.key()), to_data(kv.value()));
            return d;
        }
        case boost::json::kind::array: {
            Data d{Data::type::list};
            for (const auto& x : value.get_array())
                d << to_data(x);
            return d;
        }
        case boost::json::kind::string:
            return Data{std::string(value.get_string())};
        case boost::json::kind::bool_:
            return Data{value.get_bool()};
        case boost::json::kind::int64:
            return Data{std::to_string(value.get_int64())};
        case boost::json::kind::uint64:
            return Data{std::to_string(value.get_uint64())};
        case boost::json::kind::double_:
            return Data{fmt::format("{}", value.get_double())};
        case boost::json::kind::null:
            break;
    }
    return Data{false};
}

Data string_list(const std::vector<std::string>& items) {
    Data d{Data::type::list};
    for (const auto& s : items)
        d << Data{s};
    return d;
}

}  // namespace hrmaild::console
