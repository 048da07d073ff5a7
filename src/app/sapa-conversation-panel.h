/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_CONVERSATION_PANEL (sapa_conversation_panel_get_type ())
G_DECLARE_FINAL_TYPE (SapaConversationPanel, sapa_conversation_panel, SAPA, CONVERSATION_PANEL, AdwBin)

/*
 * The conversations of one customer: status, complaint checklist, follow-up
 * date and escalation. Every change is a sapa_desk_* operation run in a
 * thread; the desk writes the matching timeline event. ::operation-done
 * (gboolean success) is emitted when one finished.
 */
GtkWidget  *sapa_conversation_panel_new             (void);
void        sapa_conversation_panel_set_store       (SapaConversationPanel *self,
                                                     SapaStore             *store,
                                                     const char            *agent_id);
void        sapa_conversation_panel_set_customer_id (SapaConversationPanel *self,
                                                     const char            *customer_id);
/* Re-reads the conversations from the store. */
void        sapa_conversation_panel_reload          (SapaConversationPanel *self);
guint       sapa_conversation_panel_get_n_conversations (SapaConversationPanel *self);
/* The id of the conversation at @position (newest first), or NULL. */
const char *sapa_conversation_panel_get_conversation_id (SapaConversationPanel *self,
                                                         guint                  position);

/* What the controls do, also callable directly. */
void        sapa_conversation_panel_set_status      (SapaConversationPanel *self,
                                                     const char            *conversation_id,
                                                     const char            *status);
void        sapa_conversation_panel_set_complaint   (SapaConversationPanel *self,
                                                     const char            *conversation_id,
                                                     gboolean               is_complaint);
void        sapa_conversation_panel_set_step        (SapaConversationPanel *self,
                                                     const char            *conversation_id,
                                                     const char            *step,
                                                     gboolean               done);
void        sapa_conversation_panel_set_follow_up   (SapaConversationPanel *self,
                                                     const char            *conversation_id,
                                                     gint64                 due);
void        sapa_conversation_panel_escalate        (SapaConversationPanel *self,
                                                     const char            *conversation_id,
                                                     const char            *department,
                                                     const char            *reason);
/* Opens the escalation dialog for @conversation_id; returns it (tests). */
GtkWidget  *sapa_conversation_panel_show_escalate_dialog (SapaConversationPanel *self,
                                                          const char            *conversation_id);

G_END_DECLS
