#pragma once
/// PHP `http_build_query` for `batch` commands (reference section 5): nested values as
/// bracketed keys (`filter[>ID]=3`, `select[0]=ID`), every key and value percent-encoded
/// (`filter%5B%3EID%5D=3`), booleans as 1/0, null skipped.
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace hrmaild::bitrix {

/// Percent-encodes everything but the RFC 3986 unreserved characters (space → `%20`, which
/// PHP's `parse_str` decodes like `+`), by Boost.URL; upper-case hex digits.
std::string percent_encode(std::string_view text);

/// `params` as PHP's `http_build_query` would write them, in their order. Empty arrays and
/// maps vanish (the form encoding cannot express them), as in PHP.
std::string http_build_query(const boost::json::object& params);

/// A `batch` command: `method?query`, or just `method` without parameters.
std::string batch_command(std::string_view method, const boost::json::object& params);

}  // namespace hrmaild::bitrix
