#pragma once
/// Values carried by extracted fields and by operation parameters.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace hrmaild::domain {

/// One value: text, a flag, a number or a list of texts (e.g. a list of addresses).
using Value = std::variant<std::string, bool, std::int64_t, std::vector<std::string>>;

/// Extracted field values by field name (the workflow's key, e.g. `nombre`).
using FieldValues = std::map<std::string, Value>;

/// Whether a value is an empty text or an empty list (a flag or a number is never empty).
bool is_empty(const Value& v);

/// The value as one line of text (lists joined with ", ").
std::string to_text(const Value& v);

}  // namespace hrmaild::domain
