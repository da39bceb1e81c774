#pragma once
/// Tolerant readers for Bitrix24's PHP-flavoured JSON (reference section 2): ids as strings or
/// ints, `[]` for empty maps, booleans as true/false or "Y"/"N", camelCase keys in
/// `tasks.task.*` and UPPER_CASE ones elsewhere, HTML in error descriptions.
#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::bitrix {

/// An integer from an int, an integral double or a string of decimal digits; nullopt for
/// anything else (null, "", `[]`, "abc").
std::optional<std::int64_t> to_int(const boost::json::value& v);
/// `to_int`, or `fallback`.
std::int64_t to_int_or(const boost::json::value& v, std::int64_t fallback);
/// A scalar as text: strings as is, numbers in decimal, booleans "Y"/"N", null and empty
/// arrays or maps "".
std::string to_text(const boost::json::value& v);
/// A boolean from true/false, "Y"/"N", "true"/"false", "1"/"0", 1/0; nullopt otherwise.
std::optional<bool> to_bool(const boost::json::value& v);
/// Whether a value means "nothing": null, "", `[]`, `{}`.
bool is_empty(const boost::json::value& v);
/// The elements of an array or the values of an object, in order (PHP arrays come either
/// way); a scalar gives one element, null or "" none.
std::vector<boost::json::value> list_values(const boost::json::value& v);
/// A list of integers from `list_values` (non-numeric entries are skipped).
std::vector<std::int64_t> int_list(const boost::json::value& v);

/// The first of `keys` present in `obj` (exact spelling first, then ASCII case-insensitive);
/// nullptr when none is. `obj` may be a non-object (then nullptr).
const boost::json::value* field(const boost::json::value& obj,
                                std::initializer_list<std::string_view> keys);
/// `field` as text ("" when absent).
std::string field_text(const boost::json::value& obj, std::initializer_list<std::string_view> keys);
/// `field` as an integer (`fallback` when absent or not numeric).
std::int64_t field_int(const boost::json::value& obj, std::initializer_list<std::string_view> keys,
                       std::int64_t fallback = 0);

/// Task tags in either shape: the map `{"35":{"id":35,"title":"alta"}}`, a list of names, or a
/// list of `{title}` objects; `[]` gives none.
std::vector<std::string> decode_tags(const boost::json::value& v);

/// `UF_AUTO_4998` → `ufAuto4998`, `UF_CRM_TASK` → `ufCrmTask` (how `tasks.task.*` names
/// custom fields).
std::string uf_to_camel(std::string_view uf_name);
/// The reverse guess: `ufAuto4998` → `UF_AUTO_4998`, `ufCrmTask` → `UF_CRM_TASK`. Nullopt when
/// `key` is not a camelCase custom field (`uf` followed by an upper-case letter).
std::optional<std::string> camel_to_uf(std::string_view key);
/// Whether `key` names a custom field in either spelling (`UF_X` or `ufX`).
bool is_uf_key(std::string_view key);

/// Plain text from an error description that may hold HTML (`<br>`, entities): tags become
/// spaces, entities are decoded, runs of whitespace collapse; at most `max` bytes.
std::string strip_html(std::string_view text, std::size_t max = 300);

}  // namespace hrmaild::bitrix
