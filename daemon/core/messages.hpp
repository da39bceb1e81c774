#pragma once
/// The message catalog: every text HR or IT reads (task comments, private notifications, notes
/// for IT, `hrmaild plan` output), one table per language keyed by message id.
///
/// Texts are fmt format strings with named placeholders (`{task}`, `{who}`); render them with
/// `messages::render(Msg::x, "task"_a = id)`. The `wf_default_*` texts are workflow templates
/// (`{{ reasons | join: '; ' }}`), the defaults of the `messages:` a workflow may leave out.
/// `workflows.language` selects the table; every id exists in every language (a unit test
/// checks it, with the same placeholders).
#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hrmaild::messages {

// clang-format off
/// Every message id, in one list (the enum and the id names are made from it).
#define HRMAILD_MESSAGE_IDS(X) \
    /* workflow message defaults (workflow templates, not fmt) */ \
    X(wf_default_approval) X(wf_default_refused) X(wf_default_rejected) X(wf_default_failed) \
    /* field extraction (what HR must fix) */ \
    X(wf_quoted) X(wf_missing_field) X(wf_also_accepted) X(wf_address_domain) X(wf_too_long) \
    X(wf_too_short) X(wf_bad_format) X(wf_bad_format_because) X(wf_not_one_of) \
    X(wf_one_address) X(wf_bad_address) X(wf_missing_addresses) X(wf_bad_date) \
    X(wf_field_twice) X(wf_date_impossible) X(wf_date_two_digit_year) X(wf_date_month_first) \
    X(wf_date_no_year) \
    /* templates and messages */ \
    X(wf_more_items) X(wf_message_failed) X(tpl_undefined) X(tpl_not_a_table) X(tpl_no_mapping) \
    /* planning */ \
    X(plan_nothing_asked) X(plan_render_failed) X(plan_no_address) X(plan_no_free_address) \
    X(plan_step) X(plan_missing_param) X(plan_bad_address) X(plan_bad_flag) X(plan_bad_role) \
    X(plan_bad_days) X(plan_no_account) X(plan_no_group) X(plan_bad_effective_date) \
    X(plan_bad_effective_time) X(plan_no_timezone) \
    /* operations: labels (for policy reasons) */ \
    X(op_label_create_user) X(op_label_disable_user) X(op_label_enable_user) \
    X(op_label_delete_user) X(op_label_reset_password) X(op_label_update_display_name) \
    X(op_label_change_role) X(op_label_add_alias) X(op_label_remove_alias) \
    X(op_label_create_group) X(op_label_delete_group) X(op_label_rename_group) \
    X(op_label_add_group_member) X(op_label_remove_group_member) \
    /* operations: one sentence per step */ \
    X(op_create_user) X(op_part_display_name) X(op_part_one_time_password) \
    X(op_part_generated_password) X(op_disable_user) X(op_part_block_incoming) \
    X(op_part_remove_forwards) X(op_part_remove_groups) X(list_and) X(op_enable_user) \
    X(op_delete_user) X(op_reset_password) X(op_update_display_name) X(op_change_role) \
    X(op_add_alias) X(op_remove_alias) X(op_create_group) X(op_part_members) \
    X(op_delete_group) X(op_rename_group) X(op_add_group_member) X(op_remove_group_member) \
    X(op_part_zoho_id) X(op_part_alias_of) X(op_part_after_days) \
    /* operations: what the directory already shows */ \
    X(eff_address_in_use) X(eff_already_disabled) X(eff_already_enabled) \
    X(eff_delete_enabled) X(eff_same_display_name) X(eff_same_role) X(eff_alias_present) \
    X(eff_alias_absent) X(eff_group_address_in_use) X(eff_group_named) X(eff_member_present) \
    X(eff_member_absent) X(eff_account_changed) X(eff_group_changed) \
    /* policy reasons */ \
    X(pol_account) X(pol_alias_typed) X(pol_protected_alias) X(pol_protected_role) \
    X(pol_refused) X(pol_protected_change) X(pol_workflow_always) X(pol_requester) \
    X(pol_always_approve) X(pol_outside_domains) X(pol_same_name) X(pol_too_destructive) \
    /* service: comments, notes for IT, the private password notification */ \
    X(svc_scheduled_cancelled) X(svc_reject_needs_reason) X(svc_rejected_reason) \
    X(svc_unclear_cancel) X(svc_unclear_approve) X(svc_withdrawn_closed) X(svc_withdrawn_left_project) \
    X(svc_directory_changed) X(svc_before_horizon) X(svc_previous_dry_run) X(svc_it_refused) \
    X(svc_plan_code) X(svc_plan_tampered) X(svc_dry_run) X(svc_no_recipient_plan) \
    X(svc_closed_meanwhile) X(svc_reset_interrupted) X(svc_address_taken) \
    X(svc_delivery_interrupted) X(svc_reset_not_delivered) X(svc_new_password_not_delivered) \
    X(svc_created_account_unknown) X(svc_no_recipient_step) X(svc_password_notification) \
    X(svc_delivery_unknown) X(svc_delivery_failed) X(svc_failed_detail) X(svc_it_failed) \
    X(svc_rehire) X(svc_policy_no_longer) X(svc_scheduled_failed) X(svc_it_scheduled_failed) \
    X(svc_scheduled_done) \
    /* effective dates */ \
    X(svc_plan_when_future) X(svc_plan_when_past) X(svc_plan_scheduled) X(svc_plan_cancelled) \
    /* reconciliation (IT reads it) */ \
    X(rec_title) X(rec_none) X(rec_footer) X(rec_created_outside) X(rec_disabled_in_groups) \
    X(rec_past_delete) X(rec_delete_changed) X(rec_why_gone) X(rec_why_other) X(rec_why_enabled) \
    X(rec_terminated_enabled) X(rec_disabled_forwarding) X(rec_forward_unnamed) \
    X(rec_licences_high) X(rec_storage_high) X(rec_mailbox_storage_high) X(rec_task_title) \
    /* hrmaild plan (read by IT) */ \
    X(cli_task) X(cli_workflow_tied) X(cli_workflow_none) X(cli_workflow) X(cli_fields) \
    X(cli_errors) X(cli_plan) X(cli_note) X(cli_approval) X(cli_required) X(cli_not_required) \
    X(cli_refused) X(cli_comment)
// clang-format on

/// A message id. `count_` is the number of ids, not an id.
enum class Msg : std::uint16_t {
#define HRMAILD_MESSAGE_ENUM(name) name,
    HRMAILD_MESSAGE_IDS(HRMAILD_MESSAGE_ENUM)
#undef HRMAILD_MESSAGE_ENUM
        count_
};

/// How many message ids there are.
inline constexpr std::size_t kMessageCount = static_cast<std::size_t>(Msg::count_);

/// The languages with a catalog, as the config schema lists the choices of `workflows.language`
/// (messages.cpp checks at compile time that this is exactly the list of tables).
inline constexpr std::string_view kLanguageChoices = "es-MX|en-US";

/// The language used until `select` is called (the default of `workflows.language`).
inline constexpr std::string_view kDefaultLanguage = "es-MX";

/// One text of a language table.
struct Entry {
    Msg id;
    std::string_view text;
};

/// The languages with a catalog, default first.
std::span<const std::string_view> languages();

/// Whether `language` (e.g. "en-US") has a catalog.
bool known_language(std::string_view language);

/// The entries of one language as written (tests check them); empty for an unknown language.
std::span<const Entry> entries(std::string_view language);

/// Makes `language` the one every later `text`/`render` uses (the daemon calls it when a config
/// is applied: start, reload, `hrmaild plan`). Throws std::invalid_argument for an unknown one.
void select(std::string_view language);

/// The language `text` and `render` use now.
std::string_view selected();

/// The message `id` in the selected language (unrendered).
std::string_view text(Msg id);

/// The message `id` in `language` (unrendered); the selected language when `language` is unknown.
std::string_view text(std::string_view language, Msg id);

/// The id's name as written in HRMAILD_MESSAGE_IDS ("svc_plan_code").
std::string_view id_name(Msg id);

/// The message `id` in the selected language with its named placeholders filled:
/// `render(Msg::svc_it_failed, "task"_a = 42, "detail"_a = why)`.
template <typename... Args>
std::string render(Msg id, const Args&... args) {
    return fmt::format(fmt::runtime(text(id)), args...);
}

/// Selects a language for a scope and restores the previous one (tests).
class ScopedLanguage {
  public:
    /// Selects `language` (which must be known).
    explicit ScopedLanguage(std::string_view language) : previous_(selected()) { select(language); }
    ~ScopedLanguage() { select(previous_); }
    ScopedLanguage(const ScopedLanguage&) = delete;
    ScopedLanguage& operator=(const ScopedLanguage&) = delete;

  private:
    std::string_view previous_;
};

namespace detail {
/// The per-language tables (messages_<lang>.cpp).
std::span<const Entry> es_mx();
std::span<const Entry> en_us();
}  // namespace detail

}  // namespace hrmaild::messages
