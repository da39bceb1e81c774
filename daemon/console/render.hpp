#pragma once
/// HTML from the embedded Mustache templates (kainjow-mustache). Every `{{value}}` is
/// HTML-escaped by the engine; the templates never use the unescaped forms (`{{{ }}}`, `{{& }}`;
/// a unit test holds every template to that), so no markup is ever made from data.
#include <kainjow/mustache.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::console {

using Data = kainjow::mustache::data;

/// An embedded file's bytes by name (`app.css`, `cola.mustache`), or nullopt.
std::optional<std::string_view> embedded(std::string_view name);
/// The names of every embedded file.
std::vector<std::string_view> embedded_names();

/// Renders the template `<name>.mustache` with `data`; the partials `cabecera` and `pie`
/// (page head and foot) are available to it. Throws std::runtime_error when the template is
/// missing or does not parse (a programming error caught by the unit tests).
std::string render(std::string_view name, Data data);

/// A JSON value as template data: objects and arrays keep their shape, strings stay strings,
/// numbers become their decimal text, booleans stay booleans, null becomes false.
Data to_data(const boost::json::value& value);

/// A list of strings as template data.
Data string_list(const std::vector<std::string>& items);

}  // namespace hrmaild::console
