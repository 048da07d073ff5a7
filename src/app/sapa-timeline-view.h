/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sapa-timeline-model.h"

G_BEGIN_DECLS

#define SAPA_TYPE_TIMELINE_VIEW (sapa_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (SapaTimelineView, sapa_timeline_view, SAPA, TIMELINE_VIEW, AdwBin)

/*
 * The timeline of one customer: a channel filter, a text filter (debounced;
 * both answered in SQL by the model) and a GtkListView of SapaTimelineRow.
 */
GtkWidget         *sapa_timeline_view_new              (void);
void               sapa_timeline_view_set_model        (SapaTimelineView  *self,
                                                        SapaTimelineModel *model);
SapaTimelineModel *sapa_timeline_view_get_model        (SapaTimelineView  *self);
/* Clears both filters. */
void               sapa_timeline_view_clear_filter     (SapaTimelineView  *self);
/* @channel NULL = all channels. Selects it in the drop-down. */
void               sapa_timeline_view_set_channel      (SapaTimelineView  *self,
                                                        const char        *channel);

/* For tests: "loading", "list", "empty" or "no-match". */
const char        *sapa_timeline_view_get_state        (SapaTimelineView  *self);
GtkWidget         *sapa_timeline_view_get_list_view    (SapaTimelineView  *self);
GtkWidget         *sapa_timeline_view_get_search_entry (SapaTimelineView  *self);
GtkWidget         *sapa_timeline_view_get_channel_dropdown (SapaTimelineView *self);

G_END_DECLS
