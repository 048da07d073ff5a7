/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <sapa/sapa.h>
#include <sapa/sapa-sync.h>

G_BEGIN_DECLS

/*
 * What the header bar says about sync, worked out from the engine's state
 * alone (no widgets), so the wording is testable without a display.
 */
typedef struct {
  const char *icon_name;   /* a symbolic icon name (static) */
  char       *label;       /* short text beside the icon: "Synced 5 min ago" */
  char       *tooltip;     /* what it means and what to do */
  gboolean    sign_in;     /* clicking asks to sign in */
} SapaSyncIndicatorView;

/* Fills @view for @state with @pending changes waiting, @rejected changes
 * the server refused, @last_synced and @now in Unix seconds (@last_synced 0
 * = never) and the engine's last @error_message (may be NULL). Free with
 * sapa_sync_indicator_view_clear(). */
void  sapa_sync_indicator_describe       (SapaSyncState          state,
                                          gint64                 pending,
                                          gint64                 rejected,
                                          gint64                 last_synced,
                                          gint64                 now,
                                          const char            *error_message,
                                          SapaSyncIndicatorView *view);
void  sapa_sync_indicator_view_clear     (SapaSyncIndicatorView *view);
/* "just now", "5 min ago", "3 h ago", "2 days ago": how long before @now
 * @then was (both Unix seconds). */
char *sapa_sync_indicator_format_ago     (gint64                 then,
                                          gint64                 now);

#define SAPA_TYPE_SYNC_INDICATOR (sapa_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (SapaSyncIndicator, sapa_sync_indicator, SAPA, SYNC_INDICATOR, GtkWidget)

/*
 * The header bar button showing the sync state. Hidden while it has no
 * engine or the engine has no server (the desk works alone). Clicking it
 * activates `app.sign-in` when a sign-in is needed, else `app.sync-now`.
 */
GtkWidget  *sapa_sync_indicator_new        (void);
SapaSync   *sapa_sync_indicator_get_sync   (SapaSyncIndicator *self);
void        sapa_sync_indicator_set_sync   (SapaSyncIndicator *self,
                                            SapaSync          *sync);
/* The text shown beside the icon, and the tooltip (tests). */
const char *sapa_sync_indicator_get_label   (SapaSyncIndicator *self);
const char *sapa_sync_indicator_get_tooltip (SapaSyncIndicator *self);
/* The action the button activates now: "app.sign-in" or "app.sync-now". */
const char *sapa_sync_indicator_get_action  (SapaSyncIndicator *self);

G_END_DECLS
