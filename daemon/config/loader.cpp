// Loads the configuration: YAML → checked against the schema table → typed Config.
// Every problem is collected with its position; nothing stops at the first one.
#include "daemon/config/config.hpp"
#include "daemon/config/schema.hpp"
#include "daemon/core/text.hpp"
#include "daemon/core/zone.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace hrmaild::config {
namespace fs = std::filesystem;

std::filesystem::path default_config_path() {
    if (const char* env = std::getenv("HRMAILD_CONFIG"); env && *env)
        return env;
    return "/etc/hrmaild/hrmaild.yaml";
}

Seconds poll_interval(const BitrixConfig& bitrix) {
    return bitrix.application_token ? bitrix.event_poll_interval : bitrix.poll_interval;
}

std::optional<Millis> parse_duration(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || n < 0)
        return std::nullopt;
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::int64_t factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    else
        return std::nullopt;
    if (n > INT64_MAX / factor)
        return std::nullopt;
    return Millis(n * factor);
}

namespace {

struct Pos {
    int line = 0;
    int column = 0;
};

Pos pos_of(const YAML::Node& n) {
    auto m = n.Mark();
    if (m.is_null())
        return {1, 1};
    return {m.line + 1, m.column + 1};
}

std::optional<std::int64_t> as_int(const YAML::Node& n) {
    if (!n.IsScalar())
        return std::nullopt;
    const std::string& s = n.Scalar();
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::optional<double> as_number(const YAML::Node& n) {
    if (!n.IsScalar())
        return std::nullopt;
    const std::string& s = n.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size())
        return std::nullopt;
    return v;
}

std::optional<bool> as_bool(const YAML::Node& n) {
    if (!n.IsScalar())
        return std::nullopt;
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on")
        return true;
    if (s == "false" || s == "no" || s == "off")
        return false;
    return std::nullopt;
}

std::vector<std::string_view> split_choices(std::string_view choices) {
    std::vector<std::string_view> out;
    while (!choices.empty()) {
        auto bar = choices.find('|');
        out.push_back(choices.substr(0, bar));
        if (bar == std::string_view::npos)
            break;
        choices.remove_prefix(bar + 1);
    }
    return out;
}

bool in_choices(std::string_view value, std::string_view choices) {
    for (auto c : split_choices(choices))
        if (c == value)
            return true;
    return false;
}

std::string choice_text(std::string_view choices) {
    return core::join(split_choices(choices), ", ");
}

bool is_url(std::string_view s) {
    auto rest = s.starts_with("https://")  ? s.substr(8)
                : s.starts_with("http://") ? s.substr(7)
                                           : std::string_view();
    return !rest.empty() && rest.front() != '/' &&
           rest.find_first_of(" \t\n") == std::string_view::npos;
}

bool is_host_port(std::string_view s) {
    return parse_listen(s).has_value();
}

bool is_loopback_name(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

class Loader {
  public:
    Loader(std::string file, fs::path base, LoadOptions options = {})
        : file_(std::move(file)), base_(std::move(base)), options_(options) {}

    LoadResult run(const std::string& text);

  private:
    /// Parses the text into `root_`; false (with the error) when it is not a YAML mapping.
    bool parse_root(const std::string& text);
    /// Every section: known, not repeated, a mapping; its keys read and checked.
    void read_sections();
    void read_section(const std::string& name, const YAML::Node& body);
    /// Defaults for the keys not given; a required key missing is an error.
    void fill_defaults();
    /// Rules that span keys (auth mode needs its keys, backoff order, loopback listener).
    void check_rules();
    /// Where an error about `p` points: its value if given, else its section, else the root.
    YAML::Node at(std::string_view p);
    /// An error at `p` when it was not given: "missing required key (<why>)".
    void need(std::string_view p, std::string_view why);

    void err(const YAML::Node& at, std::string_view path, std::string message) {
        auto p = pos_of(at);
        diags_.error(file_, p.line, p.column, std::string(path), std::move(message));
    }
    void warn(const YAML::Node& at, std::string_view path, std::string message) {
        auto p = pos_of(at);
        diags_.warning(file_, p.line, p.column, std::string(path), std::move(message));
    }

    /// Checks one given value against its key's kind and bounds (errors at the value).
    void check_value(const KeySpec& spec, const YAML::Node& value);
    /// "expected <what>, got <what the value is>".
    void expected(const KeySpec& spec, const YAML::Node& value, std::string_view what);
    void check_scalar(const KeySpec& spec, const YAML::Node& value);
    void check_number(const KeySpec& spec, const YAML::Node& value);
    void check_duration(const KeySpec& spec, const YAML::Node& value);
    void check_list(const KeySpec& spec, const YAML::Node& value);
    /// `admin.tokens`: each {name, token_file}, names unique, files read.
    void check_tokens(const KeySpec& spec, const YAML::Node& value);
    void check_token(const KeySpec& spec, const YAML::Node& item);
    void check_bounds(const KeySpec& spec, const YAML::Node& value, std::int64_t v);
    std::optional<SecretFile> read_secret(std::string_view path, const YAML::Node& at);
    void build(Config& c);

    // Accessors over the merged (given or default) values; only called after validation.
    const YAML::Node& node(std::string_view path) { return values_.at(std::string(path)); }
    std::string str(std::string_view p) { return node(p).IsScalar() ? node(p).Scalar() : ""; }
    std::int64_t integer(std::string_view p) { return as_int(node(p)).value_or(0); }
    double number(std::string_view p) { return as_number(node(p)).value_or(0); }
    bool boolean(std::string_view p) { return as_bool(node(p)).value_or(false); }
    Millis millis(std::string_view p) { return parse_duration(str(p)).value_or(Millis(0)); }
    Seconds seconds(std::string_view p) { return std::chrono::duration_cast<Seconds>(millis(p)); }
    std::vector<std::string> strings(std::string_view p) {
        std::vector<std::string> out;
        for (const auto& n : node(p))
            out.push_back(n.Scalar());
        return out;
    }
    std::vector<std::int64_t> integers(std::string_view p) {
        std::vector<std::int64_t> out;
        for (const auto& n : node(p))
            out.push_back(as_int(n).value_or(0));
        return out;
    }
    fs::path resolve(std::string_view p) {
        std::string s = str(p);
        if (s.empty())
            return {};
        fs::path path(s);
        return path.is_absolute() ? path : (base_ / path).lexically_normal();
    }
    std::optional<SecretFile> secret(std::string_view p) {
        auto it = secrets_.find(std::string(p));
        if (it == secrets_.end())
            return std::nullopt;
        return it->second;
    }

    std::string file_;
    fs::path base_;
    LoadOptions options_;
    Diagnostics diags_;
    std::map<std::string, YAML::Node> values_;  // every schema key: given or default
    std::set<std::string> given_;               // keys present in the file
    YAML::Node root_;
    std::map<std::string, YAML::Node> section_nodes_;  ///< section name → its key node
    std::map<std::string, SecretFile> secrets_;        // secret keys read successfully
    std::vector<AdminToken> tokens_;
};

void Loader::check_bounds(const KeySpec& spec, const YAML::Node& value, std::int64_t v) {
    if (v < spec.min || v > spec.max) {
        if (spec.max == INT64_MAX)
            err(value, spec.path, fmt::format("must be at least {}, got {}", spec.min, v));
        else
            err(value, spec.path,
                fmt::format("must be between {} and {}, got {}", spec.min, spec.max, v));
    }
}

void Loader::expected(const KeySpec& spec, const YAML::Node& value, std::string_view what) {
    std::string got = value.IsScalar()     ? fmt::format("'{}'", value.Scalar())
                      : value.IsSequence() ? std::string("a list")
                      : value.IsMap()      ? std::string("a mapping")
                                           : std::string("nothing");
    err(value, spec.path, fmt::format("expected {}, got {}", what, got));
}

void Loader::check_scalar(const KeySpec& spec, const YAML::Node& value) {
    bool ok = value.IsScalar();
    if (ok && spec.kind == Kind::url)
        ok = is_url(value.Scalar());
    else if (ok && spec.kind == Kind::host_port)
        ok = is_host_port(value.Scalar());
    if (!ok)
        expected(spec, value, describe(spec.kind));
}

void Loader::check_number(const KeySpec& spec, const YAML::Node& value) {
    if (spec.kind == Kind::integer) {
        if (auto v = as_int(value))
            check_bounds(spec, value, *v);
        else
            expected(spec, value, describe(spec.kind));
        return;
    }
    auto v = as_number(value);
    if (!v)
        expected(spec, value, describe(spec.kind));
    else if (*v < static_cast<double>(spec.min) || *v > static_cast<double>(spec.max))
        err(value, spec.path,
            fmt::format("must be between {} and {}, got {}", spec.min, spec.max, value.Scalar()));
}

void Loader::check_duration(const KeySpec& spec, const YAML::Node& value) {
    auto d = value.IsScalar() ? parse_duration(value.Scalar()) : std::nullopt;
    if (!d)
        expected(spec, value, describe(spec.kind));
    else if (d->count() < spec.min || d->count() > spec.max)
        err(value, spec.path,
            fmt::format("must be between {}ms and {}ms, got {}", spec.min, spec.max,
                        value.Scalar()));
}

void Loader::check_list(const KeySpec& spec, const YAML::Node& value) {
    if (!value.IsSequence()) {
        expected(spec, value, describe(spec.kind));
        return;
    }
    for (const auto& item : value) {
        if (spec.kind == Kind::integer_list && !as_int(item))
            err(item, spec.path,
                fmt::format("expected an integer list item, got '{}'",
                            item.IsScalar() ? item.Scalar() : "?"));
        else if (!item.IsScalar() || item.Scalar().empty())
            err(item, spec.path, "expected a non-empty string list item");
        else if (spec.kind == Kind::choice_list && !in_choices(item.Scalar(), spec.choices))
            err(item, spec.path,
                fmt::format("unknown value '{}'; expected one of {}", item.Scalar(),
                            choice_text(spec.choices)));
    }
}

void Loader::check_tokens(const KeySpec& spec, const YAML::Node& value) {
    if (!value.IsSequence()) {
        expected(spec, value, describe(spec.kind));
        return;
    }
    for (const auto& item : value)
        check_token(spec, item);
}

void Loader::check_token(const KeySpec& spec, const YAML::Node& item) {
    if (!item.IsMap()) {
        err(item, spec.path, "expected {name: ..., token_file: ...}");
        return;
    }
    std::string name;
    YAML::Node name_node, file_node;
    bool has_file = false;
    for (const auto& kv : item) {
        auto key = kv.first.Scalar();
        if (key == "name" && kv.second.IsScalar()) {
            name = kv.second.Scalar();
            name_node = kv.second;
        } else if (key == "token_file" && kv.second.IsScalar()) {
            file_node = kv.second;
            has_file = true;
        } else {
            err(kv.first, fmt::format("{}.{}", spec.path, key),
                "unknown key; a token has only name and token_file");
        }
    }
    if (name.empty())
        err(item, fmt::format("{}.name", spec.path), "missing required key");
    if (!has_file) {
        err(item, fmt::format("{}.token_file", spec.path), "missing required key");
        return;
    }
    if (!name.empty() && std::any_of(tokens_.begin(), tokens_.end(),
                                     [&](const AdminToken& t) { return t.name == name; })) {
        err(name_node, fmt::format("{}.name", spec.path),
            fmt::format("duplicate token name '{}'", name));
        return;
    }
    if (auto s = read_secret(fmt::format("{}.token_file", spec.path), file_node);
        s && !name.empty())
        tokens_.push_back({name, std::move(*s)});
}

void Loader::check_value(const KeySpec& spec, const YAML::Node& value) {
    switch (spec.kind) {
        case Kind::string:
        case Kind::path:
        case Kind::secret_file:
        case Kind::url:
        case Kind::host_port:
            return check_scalar(spec, value);
        case Kind::integer:
        case Kind::number:
            return check_number(spec, value);
        case Kind::boolean:
            if (!as_bool(value))
                expected(spec, value, describe(spec.kind));
            return;
        case Kind::duration:
            return check_duration(spec, value);
        case Kind::choice:
            if (!value.IsScalar() || !in_choices(value.Scalar(), spec.choices))
                err(value, spec.path,
                    fmt::format("expected one of {}, got '{}'", choice_text(spec.choices),
                                value.IsScalar() ? value.Scalar() : "a non-scalar"));
            return;
        case Kind::string_list:
        case Kind::integer_list:
        case Kind::choice_list:
            return check_list(spec, value);
        case Kind::token_list:
            return check_tokens(spec, value);
        case Kind::free_map:
            if (!value.IsMap())
                expected(spec, value, describe(spec.kind));
            return;
    }
}

/// The largest secret file read (tokens and secrets are well under a kilobyte).
constexpr std::uintmax_t kMaxSecretBytes = 64 * 1024;

std::optional<SecretFile> Loader::read_secret(std::string_view path, const YAML::Node& at) {
    std::string name = at.Scalar();
    if (name.empty())
        return std::nullopt;
    fs::path p(name);
    std::vector<fs::path> tried;
    fs::path chosen;
    if (p.is_absolute()) {
        chosen = p;
    } else {
        if (const char* cred = std::getenv("CREDENTIALS_DIRECTORY"); cred && *cred) {
            fs::path c = fs::path(cred) / p;
            tried.push_back(c);
            std::error_code cred_ec;
            if (fs::exists(c, cred_ec))
                chosen = c;
        }
        if (chosen.empty())
            chosen = (base_ / p).lexically_normal();
    }
    tried.push_back(chosen);
    // Checked before opening: a FIFO would block the open until a writer came, and a device
    // or a huge file named by mistake would be read whole into memory.
    std::error_code ec;
    if (fs::exists(chosen, ec) && !fs::is_regular_file(chosen, ec)) {
        err(at, path, fmt::format("secret file {} is not a regular file", chosen.string()));
        return std::nullopt;
    }
    if (auto size = fs::file_size(chosen, ec); !ec && size > kMaxSecretBytes) {
        err(at, path,
            fmt::format("secret file {} is {} bytes; a secret is at most {}", chosen.string(), size,
                        kMaxSecretBytes));
        return std::nullopt;
    }
    std::ifstream in(chosen, std::ios::binary);
    if (!in) {
        std::string where;
        for (const auto& t : tried)
            where += (where.empty() ? "" : ", ") + t.string();
        // The error_code form: a name the system refuses (too long, say) is "not found",
        // never an exception out of the loader (found by the config_loader fuzz target).
        std::error_code exists_ec;
        bool exists = fs::exists(chosen, exists_ec);
        err(at, path,
            fmt::format("secret file {} (looked at {})", exists ? "is not readable" : "not found",
                        where));
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string content = buf.str();
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
        content.pop_back();
    if (content.empty()) {
        err(at, path, fmt::format("secret file {} is empty", chosen.string()));
        return std::nullopt;
    }
    struct stat st {};
    // The sandbox's published fake secrets come from git, which cannot keep mode 0600: their
    // folder says so with a marker file, and their mode is not news.
    std::error_code marker_ec;
    const bool fake = fs::exists(chosen.parent_path() / fake_secrets_marker, marker_ec);
    if (!fake && ::stat(chosen.c_str(), &st) == 0 && (st.st_mode & 0044) != 0)
        warn(at, path,
             fmt::format("secret file {} is readable by group or others (mode {:o}); chmod 600 it",
                         chosen.string(), st.st_mode & 0777));
    return SecretFile{chosen, Secret(std::move(content))};
}

LoadResult Loader::run(const std::string& text) {
    LoadResult result;
    if (parse_root(text)) {
        read_sections();
        fill_defaults();
        check_rules();
    }
    result.diagnostics = diags_;
    if (!diags_.has_errors()) {
        Config c;
        build(c);
        result.config = std::move(c);
    }
    return result;
}

bool Loader::parse_root(const std::string& text) {
    try {
        root_ = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        diags_.error(file_, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax: " + e.msg);
        return false;
    }
    if (root_.IsNull())
        root_ = YAML::Node(YAML::NodeType::Map);
    if (!root_.IsMap()) {
        err(root_, "", "the configuration must be a mapping of sections");
        return false;
    }
    return true;
}

void Loader::read_sections() {
    std::vector<std::string_view> section_names(sections().begin(), sections().end());
    for (const auto& kv : root_) {
        std::string name = kv.first.Scalar();
        if (section_nodes_.count(name)) {
            err(kv.first, name, "duplicate section");
            continue;
        }
        if (std::find(section_names.begin(), section_names.end(), name) == section_names.end()) {
            err(kv.first, name, "unknown section" + core::did_you_mean(name, section_names));
            continue;
        }
        section_nodes_[name] = kv.first;
        if (kv.second.IsNull())
            continue;
        if (!kv.second.IsMap()) {
            err(kv.second, name, "expected a mapping of keys");
            continue;
        }
        read_section(name, kv.second);
    }
}

void Loader::read_section(const std::string& name, const YAML::Node& body) {
    std::vector<std::string_view> known;
    for (const auto& spec : schema())
        if (spec.path.starts_with(name + "."))
            known.push_back(spec.path.substr(name.size() + 1));
    std::set<std::string> seen;
    for (const auto& entry : body) {
        std::string key = entry.first.Scalar();
        std::string path = name + "." + key;
        if (!seen.insert(key).second) {
            err(entry.first, path, "duplicate key");
            continue;
        }
        const KeySpec* spec = find_key(path);
        if (!spec) {
            err(entry.first, path, "unknown key" + core::did_you_mean(key, known));
            continue;
        }
        given_.insert(path);
        values_[path] = entry.second;
        if (entry.second.IsNull() && spec->kind != Kind::free_map) {
            err(entry.second, path, fmt::format("expected {}, got nothing", describe(spec->kind)));
            continue;
        }
        if (entry.second.IsNull())
            continue;
        check_value(*spec, entry.second);
        if (spec->kind == Kind::secret_file && entry.second.IsScalar() &&
            options_.read_service_secrets)
            if (auto s = read_secret(path, entry.second))
                secrets_[path] = std::move(*s);
    }
}

void Loader::fill_defaults() {
    for (const auto& spec : schema()) {
        std::string path(spec.path);
        if (given_.count(path))
            continue;
        if (spec.required) {
            auto section = path.substr(0, path.find('.'));
            auto it = section_nodes_.find(section);
            err(it != section_nodes_.end() ? it->second : root_, path, "missing required key");
            continue;
        }
        values_[path] = spec.default_value.empty() ? YAML::Node("")
                                                   : YAML::Load(std::string(spec.default_value));
    }
}

YAML::Node Loader::at(std::string_view p) {
    auto it = values_.find(std::string(p));
    if (it != values_.end() && given_.count(std::string(p)))
        return it->second;
    auto s = section_nodes_.find(std::string(p.substr(0, p.find('.'))));
    return s != section_nodes_.end() ? s->second : root_;
}

void Loader::need(std::string_view p, std::string_view why) {
    if (!given_.count(std::string(p)))
        err(at(p), p, fmt::format("missing required key ({})", why));
}

void Loader::check_rules() {
    if (given_.count("bitrix.auth") == 0 || str("bitrix.auth") == "webhook") {
        if (section_nodes_.count("bitrix")) {
            need("bitrix.webhook_user_id", "auth is webhook");
            need("bitrix.webhook_secret_file", "auth is webhook");
        }
    } else if (str("bitrix.auth") == "oauth") {
        need("bitrix.oauth_client_id", "auth is oauth");
        need("bitrix.oauth_client_secret_file", "auth is oauth");
        need("bitrix.oauth_refresh_token_file", "auth is oauth");
    }
    if (given_.count("bitrix.password_recipient")) {
        auto v = str("bitrix.password_recipient");
        if (v != "requester" && !as_int(node("bitrix.password_recipient")))
            err(at("bitrix.password_recipient"), "bitrix.password_recipient",
                fmt::format("expected 'requester' or a Bitrix user id, got '{}'", v));
    }
    // Effective dates are read in this zone: an unknown name (or a machine without tzdata)
    // stops the start instead of running terminations at the wrong hour.
    if (section_nodes_.count("policy")) {
        std::string zone_error;
        if (!core::TimeZone::load(str("policy.timezone"), zone_error))
            err(at("policy.timezone"), "policy.timezone", zone_error);
    }
    if (given_.count("policy.end_of_day") && !core::parse_hh_mm(str("policy.end_of_day")))
        err(at("policy.end_of_day"), "policy.end_of_day",
            fmt::format("expected a time of day HH:MM (00:00 to 23:59), got '{}'",
                        str("policy.end_of_day")));
    // The report task in the HR project would be read as an HR request.
    if (given_.count("reconcile.report_project") && given_.count("bitrix.project_id") &&
        integer("reconcile.report_project") != 0 &&
        integer("reconcile.report_project") == integer("bitrix.project_id"))
        err(at("reconcile.report_project"), "reconcile.report_project",
            "must not be the HR-requests project (bitrix.project_id): the report task would be "
            "read as an HR request");
    if (given_.count("reconcile.report_project") && integer("reconcile.report_project") != 0 &&
        integer("reconcile.report_responsible") == 0)
        err(at("reconcile.report_project"), "reconcile.report_project",
            "needs reconcile.report_responsible (the Bitrix user the report task is for)");
    if (boolean("console.enabled")) {
        need("console.client_id", "console.enabled is true");
        need("console.client_secret_file", "console.enabled is true");
    }
    if (given_.count("retry.base_delay") && given_.count("retry.max_delay") &&
        millis("retry.base_delay") > millis("retry.max_delay"))
        err(at("retry.max_delay"), "retry.max_delay", "must not be shorter than retry.base_delay");
    if (given_.count("admin.listen") && !boolean("admin.allow_non_loopback")) {
        auto listen = parse_listen(str("admin.listen"));
        auto host = listen ? listen->host : std::string();
        if (listen && !is_loopback_name(host))
            err(at("admin.listen"), "admin.listen",
                fmt::format("'{}' is not a loopback address; set admin.allow_non_loopback: true "
                            "to listen there",
                            host));
    }
}

void Loader::build(Config& c) {
    c.file = fs::path(file_);
    auto& b = c.bitrix;
    b.portal_url = str("bitrix.portal_url");
    b.auth = str("bitrix.auth");
    b.webhook_user_id = integer("bitrix.webhook_user_id");
    b.webhook_secret = secret("bitrix.webhook_secret_file");
    b.oauth_client_id = str("bitrix.oauth_client_id");
    b.oauth_client_secret = secret("bitrix.oauth_client_secret_file");
    b.oauth_refresh_token = secret("bitrix.oauth_refresh_token_file");
    b.oauth_server_url = str("bitrix.oauth_server_url");
    b.project_id = integer("bitrix.project_id");
    b.poll_interval = seconds("bitrix.poll_interval");
    b.poll_overlap = seconds("bitrix.poll_overlap");
    b.approvers = integers("bitrix.approvers");
    b.approver_department = integer("bitrix.approver_department");
    b.application_token = secret("bitrix.application_token_file");
    b.password_recipient = str("bitrix.password_recipient");
    b.rate_burst = static_cast<int>(integer("bitrix.rate_burst"));
    b.rate_per_second = number("bitrix.rate_per_second");
    b.rate_reserve_percent = static_cast<int>(integer("bitrix.rate_reserve_percent"));
    b.event_poll_interval = seconds("bitrix.event_poll_interval");

    auto& z = c.zoho;
    z.accounts_url = str("zoho.accounts_url");
    z.api_url = str("zoho.api_url");
    z.zoid = integer("zoho.zoid");
    z.client_id = str("zoho.client_id");
    z.client_secret = secret("zoho.client_secret_file");
    z.refresh_token = secret("zoho.refresh_token_file");
    z.requests_per_minute = static_cast<int>(integer("zoho.requests_per_minute"));
    z.rate_reserve_percent = static_cast<int>(integer("zoho.rate_reserve_percent"));
    z.token_refresh_margin = seconds("zoho.token_refresh_margin");
    z.directory_refresh = seconds("zoho.directory_refresh");

    auto& p = c.policy;
    p.allowed_domains = strings("policy.allowed_domains");
    p.protected_accounts = strings("policy.protected_accounts");
    p.always_approve = strings("policy.always_approve");
    p.protect_roles = strings("policy.protect_roles");
    p.requesters = integers("policy.requesters");
    p.requester_departments = integers("policy.requester_departments");
    p.max_destructive_per_plan = static_cast<int>(integer("policy.max_destructive_per_plan"));
    p.retention_days = static_cast<int>(integer("policy.retention_days"));
    p.timezone = str("policy.timezone");
    p.end_of_day = str("policy.end_of_day");
    p.create_days_before_start = static_cast<int>(integer("policy.create_days_before_start"));
    p.dry_run = boolean("policy.dry_run");

    c.state.path = resolve("state.path");
    c.state.busy_timeout = millis("state.busy_timeout");

    c.admin.listen = str("admin.listen");
    c.admin.tokens = tokens_;
    c.admin.max_body_bytes = integer("admin.max_body_bytes");
    c.admin.allow_non_loopback = boolean("admin.allow_non_loopback");

    c.dashboard.max_age = seconds("dashboard.max_age");
    auto& w = c.console;
    w.enabled = boolean("console.enabled");
    w.client_id = str("console.client_id");
    w.client_secret = secret("console.client_secret_file");
    w.portal_url = str("console.portal_url");
    if (w.portal_url.empty())
        w.portal_url = b.portal_url;
    w.oauth_server_url = str("console.oauth_server_url");
    if (w.oauth_server_url.empty())
        w.oauth_server_url = b.oauth_server_url;
    w.viewers = integers("console.viewers");
    w.secure_cookies = boolean("console.secure_cookies");
    w.session_idle = seconds("console.session_idle");
    w.session_lifetime = seconds("console.session_lifetime");
    w.max_sessions = integer("console.max_sessions");

    c.workflows.dir = resolve("workflows.dir");
    c.workflows.language = str("workflows.language");
    c.workflows.vars = node("workflows.vars");
    if (!c.workflows.vars.IsMap())
        c.workflows.vars = YAML::Node(YAML::NodeType::Map);

    c.logging.level = str("logging.level");
    c.logging.format = str("logging.format");

    auto& h = c.http;
    h.resolve_timeout = millis("http.resolve_timeout");
    h.connect_timeout = millis("http.connect_timeout");
    h.tls_timeout = millis("http.tls_timeout");
    h.write_timeout = millis("http.write_timeout");
    h.read_timeout = millis("http.read_timeout");
    h.total_timeout = millis("http.total_timeout");
    h.max_response_bytes = integer("http.max_response_bytes");
    h.proxy = str("http.proxy");
    h.ca_file = resolve("http.ca_file").string();
    h.user_agent = str("http.user_agent");

    c.retry.max_attempts = static_cast<int>(integer("retry.max_attempts"));
    c.retry.base_delay = millis("retry.base_delay");
    c.retry.max_delay = millis("retry.max_delay");
    c.executor.max_in_flight = static_cast<int>(integer("executor.max_in_flight"));

    c.reconcile.interval = seconds("reconcile.interval");
    c.reconcile.recent_days = static_cast<int>(integer("reconcile.recent_days"));
    c.reconcile.report_responsible = integer("reconcile.report_responsible");
    c.reconcile.report_project = integer("reconcile.report_project");

    c.effective = YAML::Node(YAML::NodeType::Map);
    for (const auto& spec : schema()) {
        std::string path(spec.path);
        auto dot = path.find('.');
        auto section = path.substr(0, dot), key = path.substr(dot + 1);
        YAML::Node v = YAML::Clone(node(path));
        if (spec.kind == Kind::secret_file) {
            auto s = secret(path);
            v = s ? YAML::Node(s->path.string()) : YAML::Node("");
        } else if (spec.kind == Kind::token_list) {
            v = YAML::Node(YAML::NodeType::Sequence);
            for (const auto& t : tokens_) {
                YAML::Node item;
                item["name"] = t.name;
                item["token_file"] = t.token.path.string();
                v.push_back(item);
            }
        } else if (spec.kind == Kind::path) {
            v = YAML::Node(resolve(path).string());
        }
        c.effective[section][key] = v;
    }
}

}  // namespace

std::string print_config(const Config& config) {
    YAML::Emitter out;
    out << YAML::Comment(
        fmt::format("effective configuration of {}; secret files are named, "
                    "their contents are never printed",
                    config.file.string()));
    out << YAML::BeginMap;
    for (auto section : sections()) {
        out << YAML::Key << std::string(section) << YAML::Value << YAML::BeginMap;
        for (const auto& spec : schema()) {
            if (!spec.path.starts_with(std::string(section) + "."))
                continue;
            auto key = std::string(spec.path.substr(section.size() + 1));
            out << YAML::Key << key << YAML::Value << config.effective[std::string(section)][key];
            if (spec.kind == Kind::secret_file || spec.kind == Kind::token_list)
                out << YAML::Comment(std::string(Secret::redacted));
        }
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

namespace {

LoadResult load_text(const std::string& text, const std::filesystem::path& file,
                     const LoadOptions& options) {
    fs::path base = fs::absolute(file.has_parent_path() ? file.parent_path() : fs::path("."))
                        .lexically_normal();
    Loader loader(file.string(), base, options);
    return loader.run(text);
}

std::string_view schema_default(std::string_view path) {
    for (const auto& spec : schema())
        if (spec.path == path)
            return spec.default_value;
    return {};
}

Millis default_millis(std::string_view path) {
    return parse_duration(schema_default(path)).value_or(Millis(0));
}

std::int64_t default_int(std::string_view path) {
    std::int64_t v = 0;
    auto text = schema_default(path);
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}

}  // namespace

std::optional<ListenAddress> parse_listen(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return std::nullopt;
    std::string_view host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        return std::nullopt;  // an IPv6 literal must be bracketed
    if (host.empty() || port.empty())
        return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc{} || end != port.data() + port.size() || v > 65535)
        return std::nullopt;
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(v)};
}

HttpConfig default_http_config() {
    HttpConfig c;
    c.resolve_timeout = default_millis("http.resolve_timeout");
    c.connect_timeout = default_millis("http.connect_timeout");
    c.tls_timeout = default_millis("http.tls_timeout");
    c.write_timeout = default_millis("http.write_timeout");
    c.read_timeout = default_millis("http.read_timeout");
    c.total_timeout = default_millis("http.total_timeout");
    c.max_response_bytes = default_int("http.max_response_bytes");
    c.user_agent = std::string(schema_default("http.user_agent"));
    return c;
}

RetryConfig default_retry_config() {
    RetryConfig c;
    c.max_attempts = static_cast<int>(default_int("retry.max_attempts"));
    c.base_delay = default_millis("retry.base_delay");
    c.max_delay = default_millis("retry.max_delay");
    return c;
}

LoadResult load_config_text(const std::string& text, const std::filesystem::path& file) {
    return load_text(text, file, {});
}

LoadResult load_config(const std::filesystem::path& file) {
    return load_config(file, LoadOptions{});
}

LoadResult load_config(const std::filesystem::path& file, const LoadOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        LoadResult r;
        r.diagnostics.error(file.string(), 0, 0, "",
                            fs::exists(file) ? "cannot read the configuration file (permissions?)"
                                             : "configuration file not found");
        return r;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return load_text(buf.str(), file, options);
}

}  // namespace hrmaild::config
