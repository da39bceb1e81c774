#pragma once
/// Small helpers shared by the sandbox's server, control API and Zoho emulator.
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::sandbox::util {

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`), through Boost.URL; text that
/// is not valid percent-encoding (a `%` without two hex digits) comes back as it is (but for
/// '+').
std::string percent_decode(std::string_view in, bool plus_is_space);
/// Splits `a=1&b=2` (query string or form body) into decoded pairs, in order ('+' is a space),
/// through Boost.URL; empty parts are skipped, and a string that is not a valid query (a bad
/// escape, a raw space) gives no pairs, so the handler answers for the missing parameters.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view in);
/// Percent-encodes a form value (RFC 3986 unreserved characters stay).
std::string form_encode(std::string_view in);
/// ASCII lower case.
std::string lower(std::string_view in);
/// `2026-11-28T10:00:00Z` (milliseconds dropped).
std::string iso8601_utc(std::chrono::system_clock::time_point t);
/// Milliseconds since the epoch.
std::int64_t unix_ms(std::chrono::system_clock::time_point t);
/// `bytes` random bytes from OpenSSL, hex encoded.
std::string random_hex(std::size_t bytes);
/// SHA-256 of the input, hex encoded (passwords are stored only as this, salted).
std::string sha256_hex(std::string_view in);
/// Whether `text` matches `pattern`, where `*` matches any run of characters.
bool glob_match(std::string_view pattern, std::string_view text);
/// Removes `key` keeping the order of the other members (boost::json's own erase moves the
/// last member into the gap, which breaks Bitrix's positional methods).
void erase_keep_order(boost::json::object& object, std::string_view key);
/// A request path fit for a log line: the webhook secret of `/rest/{uid}/{secret}/...` hidden.
std::string loggable_path(std::string_view path);

}  // namespace hrmaild::sandbox::util
