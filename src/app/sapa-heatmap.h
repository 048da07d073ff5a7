/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sapa-chart.h"

G_BEGIN_DECLS

#define SAPA_TYPE_HEATMAP (sapa_heatmap_get_type ())
G_DECLARE_FINAL_TYPE (SapaHeatmap, sapa_heatmap, SAPA, HEATMAP, SapaChart)

/*
 * A grid of cells shaded by value (volume by weekday x hour), with row and
 * column labels. Hover tooltips with the exact value, arrow keys move a
 * focus mark, Enter/Space or a click emits "cell-activated" (guint row,
 * guint col). NAN cells are left empty.
 */
GtkWidget *sapa_heatmap_new        (void);
/* @values: @n_rows x @n_cols, row-major; labels may be NULL. */
void       sapa_heatmap_set_data   (SapaHeatmap          *self,
                                    const double         *values,
                                    guint                 n_rows,
                                    guint                 n_cols,
                                    const char *const    *row_labels,
                                    const char *const    *col_labels);
void       sapa_heatmap_set_format (SapaHeatmap          *self,
                                    SapaChartFormatFunc   func,
                                    gpointer              data,
                                    GDestroyNotify        destroy);
/* The cells' colour (default SAPA_CHART_COLOR_ACCENT). */
void       sapa_heatmap_set_color  (SapaHeatmap          *self,
                                    SapaChartColor        color);
void       sapa_heatmap_set_title  (SapaHeatmap          *self,
                                    const char           *title);

gboolean   sapa_heatmap_get_focus_cell    (SapaHeatmap   *self,
                                           guint         *row,
                                           guint         *col);
/* The centre of a cell in widget coordinates (FALSE with no size yet). */
gboolean   sapa_heatmap_get_cell_position (SapaHeatmap   *self,
                                           guint          row,
                                           guint          col,
                                           double        *x,
                                           double        *y);

G_END_DECLS
