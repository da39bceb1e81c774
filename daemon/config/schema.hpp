#pragma once
/// The one table of configuration keys: type, default, constraints and a line of help.
/// The loader validates against it, `check --print` fills defaults from it, and a test
/// checks that config/hrmaild.example.yaml documents every key in it.
#include <cstdint>
#include <span>
#include <string_view>

namespace hrmaild::config {

/// The type a key's value must have.
enum class Kind {
    string,        ///< any scalar text
    url,           ///< http:// or https:// URL
    integer,       ///< whole number, within [min, max]
    number,        ///< decimal number, within [min, max]
    boolean,       ///< true / false
    duration,      ///< 250ms, 30s, 5m, 2h, 1d, or seconds
    choice,        ///< one of `choices` (separated by `|`)
    host_port,     ///< host:port
    path,          ///< file or folder path, relative to the config file's folder
    secret_file,   ///< path of a file holding a secret (relative: $CREDENTIALS_DIRECTORY first)
    string_list,   ///< sequence of strings
    integer_list,  ///< sequence of integers
    choice_list,   ///< sequence of `choices`
    token_list,    ///< sequence of {name, token_file}
    free_map,      ///< any mapping; not checked here (workflow template values)
};

/// One key of the configuration.
struct KeySpec {
    std::string_view path;  ///< dotted path, e.g. `bitrix.poll_interval`
    Kind kind;
    std::string_view default_value;  ///< YAML text of the default; empty with `required`
    bool required = false;
    std::string_view help;
    std::string_view choices = {};  ///< for choice kinds: `a|b|c`
    std::int64_t min = INT64_MIN;
    std::int64_t max = INT64_MAX;
};

/// Every key, in the order the example file documents them.
std::span<const KeySpec> schema();

/// The spec of one key, or nullptr.
const KeySpec* find_key(std::string_view path);

/// The names of the sections (top-level keys).
std::span<const std::string_view> sections();

/// Human name of a kind, for messages (`a duration such as 30s`).
std::string_view describe(Kind kind);

}  // namespace hrmaild::config
