// The en-US catalog: the same messages in English (United States).
#include "daemon/core/messages.hpp"

namespace hrmaild::messages::detail {
namespace {

using enum Msg;

// clang-format off
constexpr Entry kEntries[] = {
    // Workflow message defaults: workflow templates (`{{ }}`), overridable under `messages:`.
    {wf_default_approval, "This request needs IT approval before it runs.\n"
                          "Reasons: {{ reasons | join: '; ' }}\nPlan:\n{{ plan }}"},
    {wf_default_refused, "This request cannot run: {{ reasons | join: '; ' }} IT has been told."},
    {wf_default_rejected, "IT rejected this request; nothing was changed."},
    {wf_default_failed, "The request could not be completed; IT has been notified."},

    // Field extraction.
    {wf_quoted, "“{text}”"},
    {wf_missing_field, "{label} is missing: add a line “{hint}: ...” to the description{also}."},
    {wf_also_accepted, " (“{label}” is accepted too)"},
    {wf_address_domain, "{label}: the address {address} is not in an allowed domain ({allowed})."},
    {wf_too_long, "{label}: it has {count} characters; the maximum is {max}."},
    {wf_too_short, "{label}: it has {count} characters; the minimum is {min}."},
    {wf_bad_format, "{label}: the value {value} does not have the expected format."},
    {wf_bad_format_because, "{label}: the value {value} does not have the expected format ({because})."},
    {wf_not_one_of, "{label}: {value} is not a valid value; use one of: {options}."},
    {wf_one_address, "{label}: one address was expected and there are {count}."},
    {wf_bad_address, "{label}: {value} is not a valid email address."},
    {wf_missing_addresses, "{label} is missing: write at least one address."},
    {wf_field_twice, "{label}: appears more than once with different values ({values}); leave a single line with the right value."},
    {wf_date_impossible, "{label}: {value} is not a date that exists (month {month}/{year} has {days} days)."},
    {wf_date_two_digit_year, "{label}: {value} is ambiguous: write the year with four digits (dd/mm/yyyy)."},
    {wf_date_month_first, "{label}: {value} looks like month/day/year; write day/month/year (dd/mm/yyyy)."},
    {wf_date_no_year, "{label}: {value} has no year; write the whole date (dd/mm/yyyy)."},
    {wf_bad_date, "{label}: {value} is not a valid date (use dd/mm/yyyy or yyyy-mm-dd)."},

    // Templates and messages.
    {wf_more_items, "… and {count} more"},
    {wf_message_failed, "The message could not be prepared: {error}."},
    {tpl_undefined, "the value “{name}” is not defined"},
    {tpl_not_a_table, "“{name}” is not a table"},
    {tpl_no_mapping, "“{value}” has no match in {table}"},

    // Planning.
    {plan_nothing_asked, "The request asks for no change: check the details in the description."},
    {plan_render_failed, "The plan could not be prepared: {error}."},
    {plan_no_address, "No email address could be formed from the details received."},
    {plan_no_free_address, "No address is free: every option already exists ({tried})."},
    {plan_step, "Step {number} ({operation})"},
    {plan_missing_param, "{step}: the value of “{param}” is missing."},
    {plan_bad_address, "{step}: “{value}” is not a valid email address."},
    {plan_bad_flag, "{step}: “{param}” must be true or false."},
    {plan_bad_role, "{step}: the role “{value}” does not exist (member or admin)."},
    {plan_bad_days, "{step}: “after_days” must be a number of days, not “{value}”."},
    {plan_no_account, "The account {address} does not exist."},
    {plan_no_group, "The group {address} does not exist."},
    {plan_bad_effective_date, "The date “{value}” cannot schedule the request (use dd/mm/yyyy, “15 de diciembre de 2026” or yyyy-mm-dd)."},
    {plan_bad_effective_time, "The configured time “{value}” is not HH:MM; tell IT."},
    {plan_no_timezone, "The organization's time zone (policy.timezone) could not be read; tell IT."},

    // Operation labels.
    {op_label_create_user, "creating an account"},
    {op_label_disable_user, "disabling an account"},
    {op_label_enable_user, "re-enabling an account"},
    {op_label_delete_user, "deleting an account"},
    {op_label_reset_password, "resetting a password"},
    {op_label_update_display_name, "changing the display name"},
    {op_label_change_role, "changing an account's role"},
    {op_label_add_alias, "adding an alias"},
    {op_label_remove_alias, "removing an alias"},
    {op_label_create_group, "creating a group"},
    {op_label_delete_group, "deleting a group"},
    {op_label_rename_group, "renaming a group"},
    {op_label_add_group_member, "adding a member to a group"},
    {op_label_remove_group_member, "removing a member from a group"},

    // Operation sentences.
    {op_create_user, "Create the account {who} ({first_name} {last_name})"},
    {op_part_display_name, ", display name “{name}”"},
    {op_part_one_time_password, ", with a temporary password to be changed at first sign-in"},
    {op_part_generated_password, ", with a generated password"},
    {op_disable_user, "Disable the account {who}"},
    {op_part_block_incoming, "block incoming mail"},
    {op_part_remove_forwards, "remove its forwards"},
    {op_part_remove_groups, "remove it from its groups"},
    {list_and, " and "},
    {op_enable_user, "Re-enable the account {who}"},
    {op_delete_user, "Delete the account {who}"},
    {op_reset_password, "Reset the password of {who} (temporary password, delivered privately)"},
    {op_update_display_name, "Change the display name of {who} to “{name}”"},
    {op_change_role, "Change the role of {who} to {role}"},
    {op_add_alias, "Add the alias {alias} to {who}"},
    {op_remove_alias, "Remove the alias {alias} from {who}"},
    {op_create_group, "Create the group {who} (“{name}”)"},
    {op_part_members, " with {members}"},
    {op_delete_group, "Delete the group {who}"},
    {op_rename_group, "Rename the group {who} to “{name}”"},
    {op_add_group_member, "Add {member} to the group {who}"},
    {op_remove_group_member, "Remove {member} from the group {who}"},
    {op_part_zoho_id, " (Zoho id {id})"},
    {op_part_alias_of, "; {typed} is an alias of {address}"},
    {op_part_after_days, ", in {days} days"},

    // Expected effects.
    {eff_address_in_use, "The address {address} is already in use."},
    {eff_already_disabled, "The account {address} is already disabled; it is not disabled again."},
    {eff_already_enabled, "The account {address} is already active; it is not re-enabled again."},
    {eff_delete_enabled, "The account {address} is active: it must be disabled before it is deleted."},
    {eff_same_display_name, "The account {address} already has the display name “{name}”."},
    {eff_same_role, "The account {address} already has the role {role}."},
    {eff_alias_present, "{alias} is already an alias of {address}; it is not added again."},
    {eff_alias_absent, "{alias} is not an alias of {address}; there is nothing to remove."},
    {eff_group_address_in_use, "The address {address} is already used by another account or group."},
    {eff_group_named, "The group {address} is already named “{name}”."},
    {eff_member_present, "{member} is already a member of {address}; it is not added again."},
    {eff_member_absent, "{member} is not a member of {address}; there is nothing to remove."},
    {eff_account_changed, "The account {address} changed since it was planned."},
    {eff_group_changed, "The group {address} changed since it was planned."},

    // Policy reasons.
    {pol_account, "The account {address}"},
    {pol_alias_typed, " ({typed} is one of its aliases)"},
    {pol_protected_alias, ", which has the protected alias {alias},"},
    {pol_protected_role, ", with the role {role},"},
    {pol_refused, "{who} is protected: no workflow may disable or delete it, even if someone approves."},
    {pol_protected_change, "{who} is protected: any change needs IT approval."},
    {pol_workflow_always, "The workflow “{workflow}” always needs IT approval."},
    {pol_requester, "The requester is not allowed automatic changes (policy.requesters): IT approval is needed."},
    {pol_always_approve, "IT approval is always needed for {operation}."},
    {pol_outside_domains, "The address {address} is outside the allowed domains ({allowed})."},
    {pol_same_name, "An account with the same name already exists ({first_name} {last_name}): {address}. Confirm that this is not a repeated request."},
    {pol_too_destructive, "The plan has {count} destructive operations; the most allowed without approval is {max}."},

    // Service.
    {svc_scheduled_cancelled, "{count} scheduled step(s) were cancelled at IT's request."},
    {svc_reject_needs_reason, "To reject the request, write the reason: /rechazar <reason>."},
    {svc_rejected_reason, "\nReason: {reason}"},
    {svc_unclear_cancel, "Nothing was cancelled: to cancel the scheduled steps, write only /cancelar on the first line of the comment, with no other text."},
    {svc_unclear_approve, "This was not taken as an approval: to approve, write only /aprobar on the first line of the comment, with no other text (remarks may go on the following lines). To reject: /rechazar <reason>."},
    {svc_withdrawn_closed, "The task was closed or deferred before the request ran, so it was withdrawn: nothing was changed in Zoho Mail. If it is still needed, reopen the task and it will be planned again."},
    {svc_withdrawn_left_project, "The task left the requests project before the request ran, so it was withdrawn: nothing was changed in Zoho Mail. If it is still needed, move it back to the project and it will be planned again."},
    {svc_directory_changed, "This request can no longer run as planned because Zoho Mail changed while it waited for approval:\n{changes}\nIT must review it; if the change was intended, update the task."},
    {svc_before_horizon, "The task was filed before hrmaild began serving this project; IT must confirm that it is still needed."},
    {svc_previous_dry_run, "The previous plan was made in test mode (policy.dry_run); a new one needs approval."},
    {svc_it_refused, "hrmaild: task #{task} was refused by the policy: {reasons}"},
    {svc_plan_code, "\n\nPlan code: {code} (version {version}). To approve it, an IT approver writes /aprobar alone on a line; to reject it, /rechazar followed by the reason."},
    {svc_plan_tampered, "the stored plan does not match the approved one"},
    {svc_dry_run, "[Dry run] hrmaild is in test mode (policy.dry_run): nothing was changed in Zoho Mail. This is what would run:\n{done}"},
    {svc_no_recipient_plan, "there is nobody to deliver the password to: the requester is not in policy.requesters and no recipient is configured"},
    {svc_closed_meanwhile, "\n\nNote: the task was closed while the request was already running; it finished once, as approved."},
    {svc_reset_interrupted, "{step}: the reset was interrupted and is not repeated automatically; IT can check the account and use `hrmaild queue retry {task}`"},
    {svc_address_taken, "{step}: an account or alias with the address {email} already exists; it was not touched. IT must check whether it is the same person."},
    {svc_delivery_interrupted, "{step}: the private delivery of the password was interrupted and it is not known whether it arrived; no other is sent. IT must confirm with the requester and, if needed, use `hrmaild queue retry {task}`"},
    {svc_reset_not_delivered, "{step}: the reset password did not reach the requester, and a password is not reset twice for one approval; IT can use `hrmaild queue retry {task}`"},
    {svc_new_password_not_delivered, "{step}: the new account's password did not reach the requester and a reset was already tried once; IT must review it"},
    {svc_created_account_unknown, "{step}: it is not certain which account was created, so no password is set on it; IT must review it"},
    {svc_no_recipient_step, "{step}: there is nobody to deliver the password to (the requester is not in policy.requesters and no recipient is configured)"},
    {svc_password_notification, "hrmaild — task #{task}: temporary password of {email}:\n{password}\nYou will be asked to change it at sign-in. Do not share it or copy it into the task."},
    {svc_delivery_unknown, "{step}: it is not known whether the temporary password arrived privately (Bitrix24's answer was lost); it is not sent again. IT must confirm with the requester and, if needed, use `hrmaild queue retry {task}`"},
    {svc_delivery_failed, "{step}: the temporary password could not be delivered privately ({error}); it is not reset again without `hrmaild queue retry {task}`"},
    {svc_failed_detail, "\nDetail for IT: {detail}"},
    {svc_it_failed, "hrmaild: task #{task} failed and needs attention: {detail}"},
    {svc_rehire, "{step}: the planned account (Zoho id {zuid}) no longer exists and the address {email} now belongs to another account (Zoho id {other}), perhaps a rehire; nothing was deleted or changed"},
    {svc_policy_no_longer, "{step}: the policy no longer allows it: {reasons}"},
    {svc_scheduled_failed, "The scheduled step could not be completed; nothing was changed and IT has been notified.\nDetail for IT: {detail}"},
    {svc_it_scheduled_failed, "hrmaild: the scheduled step of task #{task} failed: {detail}"},
    {svc_scheduled_done, "Scheduled step completed: {step}."},

    // Effective dates.
    {svc_plan_when_future, "\n\nIt will run on {when}, not before, once approved."},
    {svc_plan_when_past, "\n\nThe effective date ({when}) has passed: it will run as soon as it is approved."},
    {svc_plan_scheduled, "Request approved and scheduled: it will run on {when}. Until then nothing changes in Zoho Mail. If the date changes, correct the task and it will be planned again; to cancel it, close the task or ask IT to write /cancelar."},
    {svc_plan_cancelled, "The request scheduled for {when} was cancelled at IT's request: nothing was changed in Zoho Mail and the task was deferred. If it is still needed, reopen the task and it will be planned again."},

    // Reconciliation.
    {rec_title, "Zoho Mail reconciled with hrmaild ({at}): {count} difference(s)."},
    {rec_none, "Zoho Mail reconciled with hrmaild ({at}): no differences."},
    {rec_footer, "This report changes nothing: every fix is requested with a normal task, which is planned and approved."},
    {rec_created_outside, "{email}: account created on {created} outside hrmaild (no hire task asked for it)."},
    {rec_disabled_in_groups, "{email}: disabled account still in {groups}."},
    {rec_past_delete, "{email}: was to be deleted on {due} (task #{task}) and still exists."},
    {rec_delete_changed, "{email}: the delete scheduled for {due} (task #{task}) no longer applies: {why}."},
    {rec_why_gone, "the planned account (Zoho id {zuid}) no longer exists"},
    {rec_why_other, "the planned account (Zoho id {zuid}) no longer exists and the address belongs to another account (Zoho id {other})"},
    {rec_why_enabled, "the account was enabled again"},
    {rec_terminated_enabled, "{email}: terminated in task #{task} and enabled again."},
    {rec_disabled_forwarding, "{email}: disabled account that still forwards its mail to {to}."},
    {rec_forward_unnamed, "a destination Zoho does not name"},
    {rec_licences_high, "Licences: {used} of {total} in use ({percent} %)."},
    {rec_storage_high, "Organization storage: {used} of {total} GB used ({percent} %)."},
    {rec_mailbox_storage_high, "{email}: the mailbox uses {used} of {total} GB ({percent} %)."},
    {rec_task_title, "Zoho Mail reconciled with hrmaild ({at}): {count} difference(s)"},

    // hrmaild plan.
    {cli_task, "Task: {title}"},
    {cli_workflow_tied, "Workflow: several workflows of the same priority claim it ({names}); nothing is done."},
    {cli_workflow_none, "Workflow: none claims it; the task is left as it is."},
    {cli_workflow, "Workflow: {name} ({outcome})"},
    {cli_fields, "Fields:"},
    {cli_errors, "Errors:"},
    {cli_plan, "Plan ({count} steps, hash {hash}):"},
    {cli_note, "note: {note}"},
    {cli_approval, "Approval: {required}{refused}"},
    {cli_required, "required"},
    {cli_not_required, "not required"},
    {cli_refused, "; REFUSED by the policy"},
    {cli_comment, "Comment that would be posted:"},
};
// clang-format on

}  // namespace

std::span<const Entry> en_us() {
    return kEntries;
}

}  // namespace hrmaild::messages::detail
