/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_SEARCH_ROW (sapa_search_row_get_type ())
G_DECLARE_FINAL_TYPE (SapaSearchRow, sapa_search_row, SAPA, SEARCH_ROW, GtkWidget)

GtkWidget  *sapa_search_row_new       (void);
/* The customer hit shown (a SapaRecord), or NULL. A GObject so a list item's
 * "item" binds to it directly. */
GObject    *sapa_search_row_get_item  (SapaSearchRow *self);
void        sapa_search_row_set_item  (SapaSearchRow *self,
                                       GObject       *item);
/* What the row says, as one line (its accessible label too). */
const char *sapa_search_row_get_summary (SapaSearchRow *self);

G_END_DECLS
