/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_TIMELINE_ENTRY (sapa_timeline_entry_get_type ())
G_DECLARE_FINAL_TYPE (SapaTimelineEntry, sapa_timeline_entry, SAPA, TIMELINE_ENTRY, GObject)

/*
 * One item of the timeline model: an interaction record (with the extras the
 * timeline query joins in) and whether it is the first (newest) entry of its
 * local calendar day, so the row draws the day header above itself.
 */
SapaTimelineEntry *sapa_timeline_entry_new            (SapaRecord        *interaction);
SapaRecord        *sapa_timeline_entry_get_record     (SapaTimelineEntry *self);
const char        *sapa_timeline_entry_get_id         (SapaTimelineEntry *self);
gint64             sapa_timeline_entry_get_started_at (SapaTimelineEntry *self);
/* The local calendar day as yyyymmdd. */
guint              sapa_timeline_entry_get_day        (SapaTimelineEntry *self);
gboolean           sapa_timeline_entry_get_first_of_day (SapaTimelineEntry *self);
void               sapa_timeline_entry_set_first_of_day (SapaTimelineEntry *self,
                                                         gboolean           first_of_day);
/* Takes the subject, status, reason and complaint flag of @conversation into
 * the record's extras and notifies ::record. */
void               sapa_timeline_entry_update_conversation (SapaTimelineEntry *self,
                                                            SapaRecord        *conversation);

G_END_DECLS
