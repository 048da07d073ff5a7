/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_KIOSK_WINDOW (sapa_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (SapaKioskWindow, sapa_kiosk_window, SAPA, KIOSK_WINDOW, AdwWindow)

/*
 * The customer-facing rating screen: fullscreen on the customer display,
 * big touch targets, CSAT faces 1-5, then optional NPS 0-10, CES 1-7 and a
 * comment, a thank-you screen and, after a few seconds, the idle screen
 * (the branch's name only) until the agent asks the next customer.
 *
 * It shows nothing else of the desk and cannot reach it: it is not one of
 * the GtkApplication's windows (so no application accelerators or actions
 * work there), has no title bar or close button, ignores Escape and refuses
 * to close unless the desk ends it (sapa_kiosk_window_end(), or the desk
 * window closing). The customer switches between Bahasa Indonesia and
 * English on the kiosk; the desk's language is untouched (texts come from
 * the catalogue through sapa-catalog.h).
 *
 * The answers of one customer are saved together, in one transaction, as
 * survey_response records (collected_via "kiosk"; the comment goes on the
 * CSAT record) when the customer finishes, when they stop answering for
 * the inactivity timeout, or when the desk asks the next customer or ends
 * the kiosk: once the CSAT face is chosen, whatever was answered is kept;
 * without it nothing is saved. Problems are told on the desk (a toast in
 * the desk window), never on the kiosk.
 *
 * Signals: ::saved (gboolean success) after each save; ::ended when the
 * kiosk closes.
 */

/* The pages, as sapa_kiosk_window_get_page() names them. */
#define SAPA_KIOSK_PAGE_IDLE    "idle"
#define SAPA_KIOSK_PAGE_CSAT    "csat"
#define SAPA_KIOSK_PAGE_NPS     "nps"
#define SAPA_KIOSK_PAGE_CES     "ces"
#define SAPA_KIOSK_PAGE_COMMENT "comment"
#define SAPA_KIOSK_PAGE_THANKS  "thanks"

/* Default timeouts: the thank-you screen, and no answer in the middle of a survey. */
#define SAPA_KIOSK_THANKS_TIMEOUT_MS     8000
#define SAPA_KIOSK_INACTIVITY_TIMEOUT_MS 60000

/* The kiosk of @desk (the desk window it belongs to; one each), made on first use. */
SapaKioskWindow *sapa_kiosk_window_ensure_for_desk (GtkWindow  *desk,
                                                    SapaStore  *store);
/* The kiosk of @desk, or NULL when none is open. */
SapaKioskWindow *sapa_kiosk_window_get_for_desk    (GtkWindow  *desk);

/* Fullscreen on the customer display (GSettings "kiosk-monitor", see
 * sapa_kiosk_window_choose_monitor()) and shown. */
void         sapa_kiosk_window_present_fullscreen (SapaKioskWindow *self);
/* The monitor named by @connector when it is connected; otherwise, with
 * more than one monitor, the first that is not @desk_monitor; otherwise
 * @desk_monitor (or the first). @monitors: GdkMonitor items. */
GdkMonitor  *sapa_kiosk_window_choose_monitor     (GListModel      *monitors,
                                                   const char      *connector,
                                                   GdkMonitor      *desk_monitor);

/* Asks the customer of @conversation for a rating: the CSAT page, in the
 * customer's preferred language when they have one. @agent_id: the desk's
 * agent (desk meta "agent_id" is preferred when set). A survey already
 * running is saved first (when it has a CSAT answer). */
void         sapa_kiosk_window_start              (SapaKioskWindow *self,
                                                   SapaRecord      *conversation,
                                                   const char      *agent_id);
/* Saves what was answered (when there is a CSAT answer) and closes the kiosk. */
void         sapa_kiosk_window_end                (SapaKioskWindow *self);

/* What the score buttons do. Validated as the record would be
 * (sapa_record_validate()); a refused score is told on the desk, the
 * kiosk stays on its question and nothing is kept. */
gboolean     sapa_kiosk_window_answer             (SapaKioskWindow *self,
                                                   const char      *kind,
                                                   int              score,
                                                   GError         **error);
/* What the Skip buttons do (NPS, CES and comment pages). */
void         sapa_kiosk_window_skip               (SapaKioskWindow *self);
/* What Send does on the comment page: @comment (may be empty) goes on the CSAT record. */
void         sapa_kiosk_window_send_comment       (SapaKioskWindow *self,
                                                   const char      *comment);

const char  *sapa_kiosk_window_get_page           (SapaKioskWindow *self);
const char  *sapa_kiosk_window_get_conversation_id(SapaKioskWindow *self);
/* "id" or "en". */
const char  *sapa_kiosk_window_get_language       (SapaKioskWindow *self);
void         sapa_kiosk_window_set_language       (SapaKioskWindow *self,
                                                   const char      *language);
/* @msgid as the kiosk shows it now. */
const char  *sapa_kiosk_window_translate          (SapaKioskWindow *self,
                                                   const char      *msgid);
/* The last message told on the desk about this kiosk, or NULL. */
const char  *sapa_kiosk_window_get_desk_message   (SapaKioskWindow *self);
void         sapa_kiosk_window_set_timeouts       (SapaKioskWindow *self,
                                                   guint            thanks_ms,
                                                   guint            inactivity_ms);

G_END_DECLS
