/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sapa-timeline-entry.h"

G_BEGIN_DECLS

#define SAPA_TYPE_TIMELINE_ROW (sapa_timeline_row_get_type ())
G_DECLARE_FINAL_TYPE (SapaTimelineRow, sapa_timeline_row, SAPA, TIMELINE_ROW, AdwBin)

GtkWidget         *sapa_timeline_row_new        (void);
void               sapa_timeline_row_set_entry  (SapaTimelineRow   *self,
                                                 SapaTimelineEntry *entry);
SapaTimelineEntry *sapa_timeline_row_get_entry  (SapaTimelineRow   *self);

/* The text shown for an interaction: its body, or for system events
 * ("status", "complaint", ...) a translated sentence. */
char              *sapa_timeline_describe       (SapaRecord        *interaction);
/* The handle time of calls, visits and video ("12 min 5 s"), or NULL. */
char              *sapa_timeline_describe_duration (SapaRecord     *interaction);

/* Accessors for tests and the accessibility tree. */
const char        *sapa_timeline_row_get_day_text  (SapaTimelineRow *self);   /* NULL when no header */
const char        *sapa_timeline_row_get_body_text (SapaTimelineRow *self);

G_END_DECLS
