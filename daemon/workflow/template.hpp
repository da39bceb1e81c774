#pragma once
/// `{{ value | filter: arg }}` templates, compiled once when a workflow loads.
///
/// Values that come from tasks are data: they are substituted as text and never parsed as
/// templates, so a name written as "{{ config.domain }}" stays exactly that.
#include "daemon/domain/directory.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hrmaild::workflow {

/// A table from config (e.g. `config.department_groups`), keys as written.
using StringMap = std::map<std::string, std::string>;
/// What a template name stands for: text, a list, or a table.
using TemplateValue = std::variant<std::string, std::vector<std::string>, StringMap>;
/// Every name a template can see, by dotted path (`nombre`, `config.domain`, `task.title`).
using Scope = std::map<std::string, TemplateValue>;

/// The value as text: lists joined with ", ", tables as `key: value` pairs.
std::string value_text(const TemplateValue& v);
/// Whether the value is empty text or an empty list/table.
bool value_empty(const TemplateValue& v);

/// The filters templates may use.
std::vector<std::string_view> filter_names();

/// The first word of a surname that is not a particle (de, del, la, las, los, y):
/// "de la Peña" → "Peña".
std::string surname_word(std::string_view surname);
/// Lower-case ASCII with letters and digits kept, other runs turned into one "-":
/// "Ana-Sofía O'Neil" → "ana-sofia-oneil".
std::string slug(std::string_view text);

/// What rendering may consult besides the scope.
struct RenderEnv {
    const domain::DirectorySnapshot* directory = nullptr;  ///< for `groups_of`
};

/// A compiled template.
class Template {
  public:
    /// Compiles `text`; nullopt with `error` set (in English, for IT) when it is malformed or
    /// names an unknown filter.
    static std::optional<Template> compile(std::string_view text, std::string& error);
    /// A template that renders `text` as is.
    static Template literal(std::string text);

    /// Renders. A template that is exactly one `{{ ... }}` yields that value (a list stays a
    /// list); otherwise the parts are joined as text. Returns nullopt with `error` (from the
    /// message catalog: it may reach HR) when a name is missing or a `map` has no entry.
    std::optional<TemplateValue> render(const Scope& scope, const RenderEnv& env,
                                        std::string& error) const;
    /// Renders to text (lists joined), or nullopt with `error`.
    std::optional<std::string> render_text(const Scope& scope, const RenderEnv& env,
                                           std::string& error) const;

    /// Every name the template reads (including filter arguments), for load-time checks.
    [[nodiscard]] std::vector<std::string> names() const;
    /// Whether the template contains no `{{ }}`.
    [[nodiscard]] bool is_literal() const;
    /// The source text.
    [[nodiscard]] const std::string& source() const { return source_; }

  private:
    struct Filter {
        std::string name;
        std::optional<std::string> arg;  ///< literal or path
        bool arg_is_path = false;
    };
    struct Expr {
        std::string path;
        std::vector<Filter> filters;
    };
    struct Part {
        std::string literal;
        std::optional<Expr> expr;
    };
    std::vector<Part> parts_;
    std::string source_;

    std::optional<TemplateValue> eval(const Expr& e, const Scope& scope, const RenderEnv& env,
                                      std::string& error) const;
};

}  // namespace hrmaild::workflow
