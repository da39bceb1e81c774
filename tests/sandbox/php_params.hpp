#pragma once
/// PHP-style request parameters for the Bitrix24 emulator: `parse_str` bracket nesting
/// (`fields[TITLE]=x`, `select[]=ID`, `filter[>ID]=3`, encoded or not) and `http_build_query`.
///
/// PHP arrays are both lists and maps; here `a[]=x` makes a JSON array and `a[k]=x` a JSON
/// object. `list_values` reads either as a list so handlers need not care which one came.
#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::sandbox::php {

/// Decodes `%XX` escapes; `+` becomes a space when `plus_is_space` (form and query encoding).
std::string percent_decode(std::string_view text, bool plus_is_space = true);

/// Encodes everything but unreserved characters, as PHP's `urlencode` does (space → `+`).
std::string url_encode(std::string_view text);

/// Parses a query string or form body like PHP's `parse_str`, adding keys to `into`.
/// Later scalar assignments to the same key replace earlier ones, keeping the key's position.
void parse_str(std::string_view query, boost::json::object& into);

/// Builds a query string like PHP's `http_build_query` (brackets encoded as %5B %5D,
/// booleans as 1/0, null values skipped).
std::string http_build_query(const boost::json::object& params);

/// The elements of an array, or the values of an object in order (a PHP array either way);
/// a scalar gives a one-element list, null an empty one.
std::vector<boost::json::value> list_values(const boost::json::value& v);

/// A scalar as PHP would print it: strings as is, numbers in decimal, true "1", false/null "".
std::string to_string(const boost::json::value& v);

/// True when `v` is an int, or a string of decimal digits (optional minus); sets `out`.
bool to_int(const boost::json::value& v, long long& out);

/// Serialises ordered key/value pairs as PHP's json_encode would an array: `[]` when empty,
/// a JSON list when the keys are exactly 0..n-1 in order, else an object.
boost::json::value php_array(const std::vector<std::pair<std::string, boost::json::value>>& items);

}  // namespace hrmaild::sandbox::php
