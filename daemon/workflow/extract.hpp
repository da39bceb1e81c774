#pragma once
/// Reading fields out of a task: BB-code to text, `Label: value` lines, custom fields, then
/// validation with messages (from the catalog) that name each field as HR wrote it.
#include "daemon/domain/policy.hpp"
#include "daemon/domain/task.hpp"
#include "daemon/domain/value.hpp"
#include "daemon/workflow/workflow.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrmaild::workflow {

/// BB-code to plain text: tags removed (`[B]`, `[URL=...]`, `[*]`...), `<br>` as new lines,
/// HTML entities decoded (`&amp;`, `&aacute;`, `&#241;`, `&#xF1;`), CR LF as LF.
std::string bbcode_to_text(std::string_view bbcode);

/// A label as a comparison key: accents, case, bold markup, parentheses, bullets and trailing
/// colons do not count ("[B]Apellido(s):[/B]" → "apellidos").
std::string label_key(std::string_view label);

/// One `Label: value` line of a description.
struct LabeledLine {
    std::string label;                      ///< as written (markup removed, trailing colon removed)
    std::string key;                        ///< `label_key(label)`
    std::string value;                      ///< the text after the first colon, trimmed
    std::vector<std::string> continuation;  ///< following non-label, non-blank lines
};

/// Every `Label: value` line of a plain-text description, in order.
std::vector<LabeledLine> labeled_lines(std::string_view text);

/// Why a date could not be read.
enum class DateProblem {
    none,
    unreadable,      ///< no date format HR uses
    impossible,      ///< a day the month does not have (31/02/2031)
    two_digit_year,  ///< 05/03/31: which century?
    month_first,     ///< 03/25/2031: month/day/year, not the day/month/year HR writes
    no_year,         ///< «5 de marzo»
};

/// A date as read: yyyy-mm-dd, or the problem (with the year and month and the number of days
/// that month has, for an impossible date).
struct DateReading {
    std::optional<std::string> iso;
    DateProblem problem = DateProblem::unreadable;
    int year = 0;
    int month = 0;
    int days_in_month = 0;
};

/// Reads a date written as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd or in
/// words («5 de marzo de 2031», «1º de abril de 2031», «3 ENE 2027»).
DateReading read_date(std::string_view text);

/// `read_date(text).iso`: yyyy-mm-dd, or nullopt when it is not a real calendar date.
std::optional<std::string> parse_date(std::string_view text);

/// Splits an address list on commas, semicolons, whitespace and new lines; `mailto:` and
/// `<...>` wrappers removed; lower-cased; duplicates dropped.
std::vector<std::string> split_addresses(std::string_view text);

/// What extraction found.
struct Extraction {
    domain::FieldValues values;  ///< every field, empty when absent
    std::map<std::string, std::string>
        labels;                       ///< field → label as HR wrote it (or its first label)
    std::vector<std::string> errors;  ///< catalog language, one per problem, all at once
};

/// Extracts and validates every field of `wf` from `task`. `config_scope` resolves `one_of`
/// and `default` templates; `rules` gives the allowed domains.
Extraction extract_fields(const Workflow& wf, const domain::Task& task, const Scope& config_scope,
                          const domain::PolicyRules& rules);

}  // namespace hrmaild::workflow
