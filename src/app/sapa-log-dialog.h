/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

typedef enum {
  SAPA_LOG_VISIT,   /* walk-in, inbound, timed */
  SAPA_LOG_CALL,    /* phone, inbound, timed */
  SAPA_LOG_NOTE,    /* internal note */
} SapaLogKind;

#define SAPA_TYPE_LOG_DIALOG (sapa_log_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SapaLogDialog, sapa_log_dialog, SAPA, LOG_DIALOG, AdwWindow)

/*
 * Logs a visit, a call or a note for a customer into their open conversation
 * or a new one. The timer of visits and calls starts when the dialog opens.
 * On success ::logged (SapaRecord *interaction) is emitted and the dialog
 * closes.
 */
SapaLogDialog *sapa_log_dialog_new            (SapaStore     *store,
                                               SapaLogKind    kind,
                                               const char    *customer_id,
                                               const char    *agent_id,
                                               const char    *branch_id);
SapaLogKind    sapa_log_dialog_get_kind       (SapaLogDialog *self);
/* The open conversation offered first, or NULL. */
const char    *sapa_log_dialog_get_open_conversation_id (SapaLogDialog *self);
void           sapa_log_dialog_set_body       (SapaLogDialog *self,
                                               const char    *body);
/* Chooses "New conversation" with @reason (one of sapa_contact_reasons) and
 * an optional subject; or, with @reason NULL, the open conversation again. */
void           sapa_log_dialog_choose_new_conversation (SapaLogDialog *self,
                                                        const char    *reason,
                                                        const char    *subject);
/* Stops the timer; the handle time ends now. */
void           sapa_log_dialog_stop_timer     (SapaLogDialog *self);
gboolean       sapa_log_dialog_get_timer_running (SapaLogDialog *self);
gint64         sapa_log_dialog_get_started_at (SapaLogDialog *self);
const char    *sapa_log_dialog_get_timer_text (SapaLogDialog *self);
/* The message shown when saving failed, or NULL. */
const char    *sapa_log_dialog_get_error_text (SapaLogDialog *self);
/* Moves the start back, as if the dialog had opened @seconds earlier (tests). */
void           sapa_log_dialog_shift_start    (SapaLogDialog *self,
                                               gint64         seconds);

G_END_DECLS
