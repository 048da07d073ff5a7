/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sapa-chart.h"

G_BEGIN_DECLS

#define SAPA_TYPE_BAR_CHART (sapa_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (SapaBarChart, sapa_bar_chart, SAPA, BAR_CHART, SapaChart)

/*
 * Bars with labels, one or several segments per bar (grouped side by side,
 * or stacked with the "stacked" property). "orientation":
 * GTK_ORIENTATION_VERTICAL draws columns, HORIZONTAL draws bars from the
 * left with the labels beside them. Hover tooltips with the exact value,
 * arrow keys move a focus mark, Enter/Space or a click emits
 * "bar-activated" (guint bar, guint segment). NAN values are not drawn.
 */
GtkWidget      *sapa_bar_chart_new             (void);
/* @values: @n_bars x @n_segments, row-major. @segment_names and
 * @segment_colors may be NULL (then series colours in order). */
void            sapa_bar_chart_set_data        (SapaBarChart          *self,
                                                const char *const     *labels,
                                                guint                  n_bars,
                                                const char *const     *segment_names,
                                                guint                  n_segments,
                                                const double          *values,
                                                const SapaChartColor  *segment_colors);
void            sapa_bar_chart_set_format      (SapaBarChart          *self,
                                                SapaChartFormatFunc    func,
                                                gpointer               data,
                                                GDestroyNotify         destroy);
/* NAN, NAN = automatic (from 0 to the largest bar). */
void            sapa_bar_chart_set_y_range     (SapaBarChart          *self,
                                                double                 min,
                                                double                 max);
GtkOrientation  sapa_bar_chart_get_orientation (SapaBarChart          *self);
void            sapa_bar_chart_set_orientation (SapaBarChart          *self,
                                                GtkOrientation         orientation);
gboolean        sapa_bar_chart_get_stacked     (SapaBarChart          *self);
void            sapa_bar_chart_set_stacked     (SapaBarChart          *self,
                                                gboolean               stacked);
/* A short title used in the accessible summary ("Volume by channel"). */
void            sapa_bar_chart_set_title       (SapaBarChart          *self,
                                                const char            *title);

/* Tests and keyboard: the focused bar/segment (FALSE when none). */
gboolean        sapa_bar_chart_get_focus_bar   (SapaBarChart          *self,
                                                guint                 *bar,
                                                guint                 *segment);
/* The centre of a bar segment in widget coordinates (FALSE when not drawn). */
gboolean        sapa_bar_chart_get_bar_position (SapaBarChart         *self,
                                                 guint                 bar,
                                                 guint                 segment,
                                                 double               *x,
                                                 double               *y);

G_END_DECLS
