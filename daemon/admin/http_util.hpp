#pragma once
/// Small, pure pieces of the admin server: form decoding, path parameters, listen addresses.
/// Separate from the server so unit tests reach them without sockets.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::admin {

/// Decodes `%XX` escapes and, when `plus_is_space`, `+` as a space (form encoding), by
/// Boost.URL. Nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// Parses an `application/x-www-form-urlencoded` body into name → value (names such as
/// `data[FIELDS_AFTER][ID]` are kept whole; a repeated name keeps its first value). Nullopt
/// on a malformed escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

/// A path parameter that must be a positive integer: digits only, no sign, no leading zero,
/// at most int64. Nullopt otherwise.
std::optional<std::int64_t> parse_positive_id(std::string_view text);

/// `host:port` taken apart (`[::1]:8791` → `::1`, 8791). Nullopt when the port is missing or
/// not a number in 0..65535, or the host is empty.
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace hrmaild::admin
