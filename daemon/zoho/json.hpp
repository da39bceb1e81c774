#pragma once
/// Reading Zoho's JSON without losing precision: ids (zuid, accountId, zgid, mailboxId) exceed
/// 2^53 and arrive as numbers or as strings (reference section 2), so they are read as int64
/// from boost::json's integer storage or from the decimal text, never through a double.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::zoho {

/// Parses JSON text; nullopt when it is not JSON.
std::optional<boost::json::value> parse_json(std::string_view text);

/// An id from a number (int64 or uint64 up to INT64_MAX) or a decimal string; nullopt for
/// anything else, doubles included (a double has already lost the low digits).
std::optional<std::int64_t> read_id(const boost::json::value& v);
/// `read_id` of `o[key]`, nullopt when the key is absent.
std::optional<std::int64_t> id_field(const boost::json::object& o, std::string_view key);
/// A decimal string of digits as int64; nullopt when it is not one.
std::optional<std::int64_t> parse_decimal_id(std::string_view s);

/// `o[key]` as a string (a number is rendered in decimal); `fallback` when absent or another type.
std::string string_field(const boost::json::object& o, std::string_view key,
                         std::string fallback = {});
/// `o[key]` as a bool; the official samples also send "true"/"false" strings.
std::optional<bool> bool_field(const boost::json::object& o, std::string_view key);
/// `o[key]` as an int64 (number or decimal string); nullopt otherwise.
std::optional<std::int64_t> int_field(const boost::json::object& o, std::string_view key);

/// The object at `o[key]`, or nullptr.
const boost::json::object* object_field(const boost::json::object& o, std::string_view key);
/// The array at `o[key]`, or nullptr.
const boost::json::array* array_field(const boost::json::object& o, std::string_view key);

}  // namespace hrmaild::zoho
