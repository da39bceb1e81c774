// The es-MX catalog: what HR and IT read, in Spanish (Mexico). The default language.
#include "daemon/core/messages.hpp"

namespace hrmaild::messages::detail {
namespace {

using enum Msg;

// clang-format off
constexpr Entry kEntries[] = {
    // Workflow message defaults: workflow templates (`{{ }}`), overridable under `messages:`.
    {wf_default_approval, "Esta solicitud requiere aprobación de TI antes de ejecutarse.\n"
                          "Motivos: {{ reasons | join: '; ' }}\nPlan:\n{{ plan }}"},
    {wf_default_refused, "Esta solicitud no se puede ejecutar: {{ reasons | join: '; ' }} Se avisó a TI."},
    {wf_default_rejected, "TI rechazó esta solicitud; no se hizo ningún cambio."},
    {wf_default_failed, "No se pudo completar la solicitud; TI ya fue notificado."},

    // Field extraction.
    {wf_quoted, "«{text}»"},
    {wf_missing_field, "Falta {label}: agregue a la descripción una línea «{hint}: ...»{also}."},
    {wf_also_accepted, " (también se acepta «{label}»)"},
    {wf_address_domain, "{label}: la dirección {address} no es de un dominio permitido ({allowed})."},
    {wf_too_long, "{label}: tiene {count} caracteres; el máximo es {max}."},
    {wf_too_short, "{label}: tiene {count} caracteres; el mínimo es {min}."},
    {wf_bad_format, "{label}: el valor {value} no tiene el formato esperado."},
    {wf_bad_format_because, "{label}: el valor {value} no tiene el formato esperado ({because})."},
    {wf_not_one_of, "{label}: {value} no es un valor válido; use uno de: {options}."},
    {wf_one_address, "{label}: se esperaba una sola dirección y hay {count}."},
    {wf_bad_address, "{label}: {value} no es una dirección de correo válida."},
    {wf_missing_addresses, "Falta {label}: escriba al menos una dirección."},
    {wf_field_twice, "{label}: aparece más de una vez con valores distintos ({values}); deje una sola línea con el valor correcto."},
    {wf_date_impossible, "{label}: {value} no es una fecha que exista (el mes {month}/{year} tiene {days} días)."},
    {wf_date_two_digit_year, "{label}: {value} es ambigua: escriba el año con cuatro cifras (dd/mm/aaaa)."},
    {wf_date_month_first, "{label}: {value} parece escrita como mes/día/año; escriba día/mes/año (dd/mm/aaaa)."},
    {wf_date_no_year, "{label}: {value} no dice el año; escriba la fecha completa (dd/mm/aaaa)."},
    {wf_bad_date, "{label}: {value} no es una fecha válida (use dd/mm/aaaa o aaaa-mm-dd)."},

    // Templates and messages.
    {wf_more_items, "… y {count} más"},
    {wf_message_failed, "No se pudo preparar el mensaje: {error}."},
    {tpl_undefined, "el valor «{name}» no está definido"},
    {tpl_not_a_table, "«{name}» no es una tabla"},
    {tpl_no_mapping, "«{value}» no tiene correspondencia en {table}"},

    // Planning.
    {plan_nothing_asked, "La solicitud no pide ningún cambio: revise los datos de la descripción."},
    {plan_render_failed, "No se pudo preparar el plan: {error}."},
    {plan_no_address, "No se pudo formar una dirección de correo con los datos recibidos."},
    {plan_no_free_address, "No hay una dirección libre: todas las opciones ya existen ({tried})."},
    {plan_step, "Paso {number} ({operation})"},
    {plan_missing_param, "{step}: falta el valor de «{param}»."},
    {plan_bad_address, "{step}: «{value}» no es una dirección de correo válida."},
    {plan_bad_flag, "{step}: «{param}» debe ser true o false."},
    {plan_bad_role, "{step}: el rol «{value}» no existe (member o admin)."},
    {plan_bad_days, "{step}: «after_days» debe ser un número de días, no «{value}»."},
    {plan_no_account, "No existe la cuenta {address}."},
    {plan_no_group, "No existe el grupo {address}."},
    {plan_bad_effective_date, "La fecha «{value}» no es válida para programar la solicitud (use dd/mm/aaaa, «15 de diciembre de 2026» o aaaa-mm-dd)."},
    {plan_bad_effective_time, "La hora «{value}» de la configuración no es válida (HH:MM); avise a TI."},
    {plan_no_timezone, "No se pudo leer la zona horaria de la organización (policy.timezone); avise a TI."},

    // Operation labels.
    {op_label_create_user, "crear una cuenta"},
    {op_label_disable_user, "desactivar una cuenta"},
    {op_label_enable_user, "reactivar una cuenta"},
    {op_label_delete_user, "eliminar una cuenta"},
    {op_label_reset_password, "restablecer una contraseña"},
    {op_label_update_display_name, "cambiar el nombre para mostrar"},
    {op_label_change_role, "cambiar el rol de una cuenta"},
    {op_label_add_alias, "agregar un alias"},
    {op_label_remove_alias, "quitar un alias"},
    {op_label_create_group, "crear un grupo"},
    {op_label_delete_group, "eliminar un grupo"},
    {op_label_rename_group, "renombrar un grupo"},
    {op_label_add_group_member, "agregar un miembro a un grupo"},
    {op_label_remove_group_member, "quitar un miembro de un grupo"},

    // Operation sentences.
    {op_create_user, "Crear la cuenta {who} ({first_name} {last_name})"},
    {op_part_display_name, ", nombre para mostrar «{name}»"},
    {op_part_one_time_password, ", con contraseña temporal que se cambia al entrar"},
    {op_part_generated_password, ", con contraseña generada"},
    {op_disable_user, "Desactivar la cuenta {who}"},
    {op_part_block_incoming, "bloquear el correo entrante"},
    {op_part_remove_forwards, "quitar los reenvíos"},
    {op_part_remove_groups, "quitarla de sus grupos"},
    {list_and, " y "},
    {op_enable_user, "Reactivar la cuenta {who}"},
    {op_delete_user, "Eliminar la cuenta {who}"},
    {op_reset_password, "Restablecer la contraseña de {who} (contraseña temporal, entregada en privado)"},
    {op_update_display_name, "Cambiar el nombre para mostrar de {who} a «{name}»"},
    {op_change_role, "Cambiar el rol de {who} a {role}"},
    {op_add_alias, "Agregar el alias {alias} a {who}"},
    {op_remove_alias, "Quitar el alias {alias} de {who}"},
    {op_create_group, "Crear el grupo {who} («{name}»)"},
    {op_part_members, " con {members}"},
    {op_delete_group, "Eliminar el grupo {who}"},
    {op_rename_group, "Renombrar el grupo {who} a «{name}»"},
    {op_add_group_member, "Agregar {member} al grupo {who}"},
    {op_remove_group_member, "Quitar {member} del grupo {who}"},
    {op_part_zoho_id, " (id Zoho {id})"},
    {op_part_alias_of, "; {typed} es un alias de {address}"},
    {op_part_after_days, ", dentro de {days} días"},

    // Expected effects.
    {eff_address_in_use, "La dirección {address} ya está en uso."},
    {eff_already_disabled, "La cuenta {address} ya está desactivada; no se desactiva de nuevo."},
    {eff_already_enabled, "La cuenta {address} ya está activa; no se reactiva de nuevo."},
    {eff_delete_enabled, "La cuenta {address} está activa: debe desactivarse antes de eliminarla."},
    {eff_same_display_name, "La cuenta {address} ya tiene el nombre para mostrar «{name}»."},
    {eff_same_role, "La cuenta {address} ya tiene el rol {role}."},
    {eff_alias_present, "{alias} ya es un alias de {address}; no se agrega de nuevo."},
    {eff_alias_absent, "{alias} no es un alias de {address}; no hay nada que quitar."},
    {eff_group_address_in_use, "La dirección {address} ya está en uso por otra cuenta o grupo."},
    {eff_group_named, "El grupo {address} ya se llama «{name}»."},
    {eff_member_present, "{member} ya es miembro de {address}; no se agrega de nuevo."},
    {eff_member_absent, "{member} no es miembro de {address}; no hay nada que quitar."},
    {eff_account_changed, "La cuenta {address} cambió desde que se planeó."},
    {eff_group_changed, "El grupo {address} cambió desde que se planeó."},

    // Policy reasons.
    {pol_account, "La cuenta {address}"},
    {pol_alias_typed, " ({typed} es uno de sus alias)"},
    {pol_protected_alias, ", que tiene el alias protegido {alias},"},
    {pol_protected_role, ", con el rol {role},"},
    {pol_refused, "{who} está protegida: ningún flujo puede desactivarla ni eliminarla, aunque alguien lo apruebe."},
    {pol_protected_change, "{who} está protegida: cualquier cambio requiere aprobación de TI."},
    {pol_workflow_always, "El flujo «{workflow}» siempre requiere aprobación de TI."},
    {pol_requester, "Quien hizo la solicitud no está autorizado para cambios automáticos (policy.requesters): requiere aprobación de TI."},
    {pol_always_approve, "Para {operation} siempre se requiere aprobación de TI."},
    {pol_outside_domains, "La dirección {address} está fuera de los dominios permitidos ({allowed})."},
    {pol_same_name, "Ya existe una cuenta con el mismo nombre ({first_name} {last_name}): {address}. Confirme que no es una solicitud repetida."},
    {pol_too_destructive, "El plan tiene {count} operaciones destructivas; el máximo sin aprobación es {max}."},

    // Service.
    {svc_scheduled_cancelled, "Se cancelaron {count} paso(s) programado(s) a petición de TI."},
    {svc_reject_needs_reason, "Para rechazar la solicitud escriba el motivo: /rechazar <motivo>."},
    {svc_rejected_reason, "\nMotivo: {reason}"},
    {svc_unclear_cancel, "No se canceló nada: para cancelar los pasos programados escriba solo /cancelar en la primera línea del comentario, sin más texto."},
    {svc_unclear_approve, "No se tomó como aprobación: para aprobar escriba solo /aprobar en la primera línea del comentario, sin más texto (los comentarios pueden ir en las líneas siguientes). Para rechazar: /rechazar <motivo>."},
    {svc_withdrawn_closed, "La tarea se cerró o se pospuso antes de que se ejecutara la solicitud, así que se retiró: no se hizo ningún cambio en Zoho Mail. Si todavía se necesita, reabra la tarea y se planeará de nuevo."},
    {svc_withdrawn_left_project, "La tarea salió del proyecto de solicitudes antes de que se ejecutara la solicitud, así que se retiró: no se hizo ningún cambio en Zoho Mail. Si todavía se necesita, regrésela al proyecto y se planeará de nuevo."},
    {svc_directory_changed, "Esta solicitud ya no se puede ejecutar como se planeó porque Zoho Mail cambió mientras esperaba aprobación:\n{changes}\nTI debe revisarla; si el cambio fue intencional, actualice la tarea."},
    {svc_before_horizon, "La tarea se registró antes de que hrmaild empezara a atender este proyecto; TI debe confirmar que todavía se necesita."},
    {svc_previous_dry_run, "El plan anterior se hizo en modo de prueba (policy.dry_run); uno nuevo requiere aprobación."},
    {svc_it_refused, "hrmaild: la tarea #{task} fue rechazada por la política: {reasons}"},
    {svc_plan_code, "\n\nCódigo del plan: {code} (versión {version}). Para aprobarlo, un aprobador de TI escribe /aprobar solo en una línea; para rechazarlo, /rechazar seguido del motivo."},
    {svc_plan_tampered, "el plan guardado no coincide con el aprobado"},
    {svc_dry_run, "[Simulación] hrmaild está en modo de prueba (policy.dry_run): no se hizo ningún cambio en Zoho Mail. Se ejecutaría lo siguiente:\n{done}"},
    {svc_no_recipient_plan, "no hay a quién entregar la contraseña: el solicitante no está en policy.requesters y no hay un destinatario configurado"},
    {svc_closed_meanwhile, "\n\nNota: la tarea se cerró mientras la solicitud ya se estaba ejecutando; se terminó una sola vez, como estaba aprobada."},
    {svc_reset_interrupted, "{step}: el restablecimiento se interrumpió y no se repite automáticamente; TI puede verificar la cuenta y usar `hrmaild queue retry {task}`"},
    {svc_address_taken, "{step}: ya existe una cuenta o un alias con la dirección {email}; no se tocó. TI debe revisar si es la misma persona."},
    {svc_delivery_interrupted, "{step}: la entrega privada de la contraseña se interrumpió y no se sabe si llegó; no se envía otra. TI debe confirmarlo con el solicitante y, si hace falta, usar `hrmaild queue retry {task}`"},
    {svc_reset_not_delivered, "{step}: la contraseña restablecida no llegó al solicitante y no se restablece dos veces por la misma aprobación; TI puede usar `hrmaild queue retry {task}`"},
    {svc_new_password_not_delivered, "{step}: la contraseña de la cuenta nueva no llegó al solicitante y ya se intentó restablecerla una vez; TI debe revisarla"},
    {svc_created_account_unknown, "{step}: no se sabe con certeza qué cuenta se creó, así que no se le pone contraseña; TI debe revisarla"},
    {svc_no_recipient_step, "{step}: no hay a quién entregar la contraseña (el solicitante no está en policy.requesters y no hay destinatario configurado)"},
    {svc_password_notification, "hrmaild — tarea #{task}: contraseña temporal de {email}:\n{password}\nSe pedirá cambiarla al iniciar sesión. No la comparta ni la copie en la tarea."},
    {svc_delivery_unknown, "{step}: no se sabe si la contraseña temporal llegó en privado (la respuesta de Bitrix24 se perdió); no se envía de nuevo. TI debe confirmarlo con el solicitante y, si hace falta, usar `hrmaild queue retry {task}`"},
    {svc_delivery_failed, "{step}: la contraseña temporal no se pudo entregar en privado ({error}); no se restablece otra vez sin `hrmaild queue retry {task}`"},
    {svc_failed_detail, "\nDetalle para TI: {detail}"},
    {svc_it_failed, "hrmaild: la tarea #{task} falló y necesita atención: {detail}"},
    {svc_rehire, "{step}: la cuenta planeada (id Zoho {zuid}) ya no existe y la dirección {email} ahora es de otra cuenta (id Zoho {other}), quizá una recontratación; no se eliminó ni se cambió nada"},
    {svc_policy_no_longer, "{step}: la política ya no lo permite: {reasons}"},
    {svc_scheduled_failed, "No se pudo completar el paso programado; no se hizo ningún cambio y TI ya fue notificado.\nDetalle para TI: {detail}"},
    {svc_it_scheduled_failed, "hrmaild: el paso programado de la tarea #{task} falló: {detail}"},
    {svc_scheduled_done, "Paso programado completado: {step}."},

    // Effective dates.
    {svc_plan_when_future, "\n\nSe ejecutará el {when}, no antes, una vez aprobado."},
    {svc_plan_when_past, "\n\nLa fecha efectiva ({when}) ya pasó: se ejecutará en cuanto se apruebe."},
    {svc_plan_scheduled, "Solicitud aprobada y programada: se ejecutará el {when}. Hasta entonces no se hace ningún cambio en Zoho Mail. Si la fecha cambia, corrija la tarea y se planeará de nuevo; para cancelarla, cierre la tarea o pida a TI que escriba /cancelar."},
    {svc_plan_cancelled, "Se canceló la solicitud programada para el {when} a petición de TI: no se hizo ningún cambio en Zoho Mail y la tarea se pospuso. Si todavía se necesita, reabra la tarea y se planeará de nuevo."},

    // Reconciliation.
    {rec_title, "Conciliación de Zoho Mail con hrmaild ({at}): {count} diferencia(s)."},
    {rec_none, "Conciliación de Zoho Mail con hrmaild ({at}): sin diferencias."},
    {rec_footer, "Este reporte no cambia nada: cada corrección se pide con una tarea normal, que se planea y se aprueba."},
    {rec_created_outside, "{email}: cuenta creada el {created} fuera de hrmaild (ninguna tarea de alta la pidió)."},
    {rec_disabled_in_groups, "{email}: cuenta desactivada que sigue en {groups}."},
    {rec_past_delete, "{email}: debía eliminarse el {due} (tarea #{task}) y sigue existiendo."},
    {rec_delete_changed, "{email}: la eliminación programada para el {due} (tarea #{task}) ya no corresponde: {why}."},
    {rec_why_gone, "la cuenta planeada (id Zoho {zuid}) ya no existe"},
    {rec_why_other, "la cuenta planeada (id Zoho {zuid}) ya no existe y la dirección es de otra cuenta (id Zoho {other})"},
    {rec_why_enabled, "la cuenta se volvió a activar"},
    {rec_terminated_enabled, "{email}: se dio de baja en la tarea #{task} y está activa de nuevo."},
    {rec_disabled_forwarding, "{email}: cuenta desactivada que todavía reenvía su correo a {to}."},
    {rec_forward_unnamed, "un destino que Zoho no nombra"},
    {rec_licences_high, "Licencias: {used} de {total} en uso ({percent} %)."},
    {rec_storage_high, "Almacenamiento de la organización: {used} de {total} GB usados ({percent} %)."},
    {rec_mailbox_storage_high, "{email}: el buzón usa {used} de {total} GB ({percent} %)."},
    {rec_task_title, "Conciliación de Zoho Mail con hrmaild ({at}): {count} diferencia(s)"},

    // hrmaild plan.
    {cli_task, "Tarea: {title}"},
    {cli_workflow_tied, "Flujo: varios flujos con la misma prioridad la reclaman ({names}); no se hace nada."},
    {cli_workflow_none, "Flujo: ninguno la reclama; la tarea se deja como está."},
    {cli_workflow, "Flujo: {name} ({outcome})"},
    {cli_fields, "Campos:"},
    {cli_errors, "Errores:"},
    {cli_plan, "Plan ({count} pasos, hash {hash}):"},
    {cli_note, "nota: {note}"},
    {cli_approval, "Aprobación: {required}{refused}"},
    {cli_required, "requerida"},
    {cli_not_required, "no requerida"},
    {cli_refused, "; RECHAZADO por la política"},
    {cli_comment, "Comentario que se publicaría:"},
};
// clang-format on

}  // namespace

std::span<const Entry> es_mx() {
    return kEntries;
}

}  // namespace hrmaild::messages::detail
