/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

#include "sapa-kiosk-window.h"
#include "sapa-rating-dialog.h"

G_BEGIN_DECLS

#define SAPA_TYPE_CONVERSATION_PANEL (sapa_conversation_panel_get_type ())
G_DECLARE_FINAL_TYPE (SapaConversationPanel, sapa_conversation_panel, SAPA, CONVERSATION_PANEL, AdwBin)

/*
 * The conversations of one customer: status, complaint checklist, follow-up
 * date and escalation. Every change is a sapa_desk_* operation run in a
 * thread; the desk writes the matching timeline event. ::operation-done
 * (gboolean success) is emitted when one finished.
 *
 * Conversations on email, chat and WhatsApp have a reply area: the text is
 * saved, in a thread, as an outbound interaction on the conversation's
 * channel, which sapa-server queues for the channel gateway once the desk
 * syncs. ::reply-done (gboolean success) is emitted when a save finished.
 * A reply not yet sent is kept per conversation across rebuilds.
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
/* TRUE for the channels the desk can answer on (email, chat, whatsapp). */
gboolean    sapa_conversation_panel_channel_takes_replies (const char *channel);
/* The reply text view and Send Reply button of @conversation_id, or NULL
 * when its channel takes no replies. */
GtkWidget  *sapa_conversation_panel_get_reply_view   (SapaConversationPanel *self,
                                                      const char            *conversation_id);
GtkWidget  *sapa_conversation_panel_get_reply_button (SapaConversationPanel *self,
                                                      const char            *conversation_id);
/* Saves the text of @conversation_id's reply area as an outbound
 * interaction; what the button and Ctrl+Enter do. FALSE when nothing was
 * started (empty text, no reply area, a save already running). */
gboolean    sapa_conversation_panel_send_reply       (SapaConversationPanel *self,
                                                      const char            *conversation_id);

/* Ratings. "Ask for a Rating" shows the kiosk (one per desk window) on the
 * customer display for @conversation_id and returns it; "End Rating"
 * closes it. "Record a Rating…" opens the rating dialog for a score given by
 * phone or in person and returns it. */
SapaKioskWindow *sapa_conversation_panel_ask_for_rating  (SapaConversationPanel *self,
                                                         const char            *conversation_id);
void        sapa_conversation_panel_end_rating      (SapaConversationPanel *self);
SapaRatingDialog *sapa_conversation_panel_show_rating_dialog (SapaConversationPanel *self,
                                                              const char            *conversation_id);
/* The rating buttons of @conversation_id's row: @role "kiosk" (Ask for a
 * Rating), "record" or "link" (Send Survey Link); NULL when
 * the row has none. */
GtkWidget  *sapa_conversation_panel_get_rating_button (SapaConversationPanel *self,
                                                       const char            *conversation_id,
                                                       const char            *role);
/* "Send Survey Link" (email, chat and WhatsApp conversations): asks
 * sapa-server for a survey link, then saves it as an outbound reply on the
 * conversation, worded in the customer's preferred language. Signed out or
 * offline: a toast says so and nothing is sent. ::survey-link-done
 * (gboolean success) tells the end. FALSE when nothing was started. */
gboolean    sapa_conversation_panel_send_survey_link (SapaConversationPanel *self,
                                                      const char            *conversation_id);
/* "End Rating", in the panel's header while this desk's kiosk is open. */
GtkWidget  *sapa_conversation_panel_get_end_rating_button (SapaConversationPanel *self);
/* The sync engine survey links are requested through; by default the one
 * of the desk window (SapaWindow) the panel is in. */
void        sapa_conversation_panel_set_sync        (SapaConversationPanel *self,
                                                     SapaSync              *sync);

/* Opens the escalation dialog for @conversation_id; returns it (tests). */
GtkWidget  *sapa_conversation_panel_show_escalate_dialog (SapaConversationPanel *self,
                                                          const char            *conversation_id);

G_END_DECLS
