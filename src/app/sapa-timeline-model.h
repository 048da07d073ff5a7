/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sapa/sapa.h>

#include "sapa-timeline-entry.h"

G_BEGIN_DECLS

#define SAPA_TYPE_TIMELINE_MODEL (sapa_timeline_model_get_type ())
G_DECLARE_FINAL_TYPE (SapaTimelineModel, sapa_timeline_model, SAPA, TIMELINE_MODEL, GObject)

/* The first page is small so the first screen shows at once: the list view
 * makes a row widget for every entry of the first page it gets (up to a
 * hundred), and making and laying out a row costs about 1.5 ms, so the first
 * page holds about what a tall screen shows. Later pages are larger and load
 * in the background; a refresh looks at the newest SAPA_TIMELINE_HEAD_PAGE. */
#define SAPA_TIMELINE_FIRST_PAGE 25
#define SAPA_TIMELINE_HEAD_PAGE  100
#define SAPA_TIMELINE_PAGE       2000

/*
 * A GListModel of SapaTimelineEntry: the interactions of one customer, newest
 * first, read from the store in threads (keyset pages). It follows the store:
 * new interactions of the customer are put at the top, conversation changes
 * update the entries that belong to them.
 *
 * Properties: "customer-id", "loading" (no page arrived yet for the current
 * customer and filter), "complete" (every page is in), "n-total" (the count
 * the store gives for the current filter).
 */
SapaTimelineModel *sapa_timeline_model_new             (SapaStore         *store);
SapaStore         *sapa_timeline_model_get_store       (SapaTimelineModel *self);
void               sapa_timeline_model_set_customer_id (SapaTimelineModel *self,
                                                        const char        *customer_id);
const char        *sapa_timeline_model_get_customer_id (SapaTimelineModel *self);
/* @channel NULL = all channels; @text NULL or "" = no text filter. */
void               sapa_timeline_model_set_filter      (SapaTimelineModel *self,
                                                        const char        *channel,
                                                        const char        *text);
const char        *sapa_timeline_model_get_channel     (SapaTimelineModel *self);
const char        *sapa_timeline_model_get_text        (SapaTimelineModel *self);
gboolean           sapa_timeline_model_has_filter      (SapaTimelineModel *self);
void               sapa_timeline_model_reload          (SapaTimelineModel *self);
gboolean           sapa_timeline_model_get_loading     (SapaTimelineModel *self);
gboolean           sapa_timeline_model_get_complete    (SapaTimelineModel *self);
guint              sapa_timeline_model_get_n_total     (SapaTimelineModel *self);
/* The last error of a page query, or NULL. */
const GError      *sapa_timeline_model_get_error       (SapaTimelineModel *self);

G_END_DECLS
