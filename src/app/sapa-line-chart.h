/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sapa-chart.h"

G_BEGIN_DECLS

#define SAPA_TYPE_LINE_CHART (sapa_line_chart_get_type ())
G_DECLARE_FINAL_TYPE (SapaLineChart, sapa_line_chart, SAPA, LINE_CHART, SapaChart)

/*
 * Lines over labelled x positions (days), with a y axis of nice ticks, a
 * legend when there are several series, hover tooltips with the exact value,
 * a focus mark moved with the arrow keys. Enter/Space or a click emits
 * "point-activated" (guint series, guint index). NAN values are gaps.
 */
GtkWidget *sapa_line_chart_new          (void);
void       sapa_line_chart_set_labels   (SapaLineChart       *self,
                                         const char *const   *labels,
                                         guint                n);
void       sapa_line_chart_clear_series (SapaLineChart       *self);
void       sapa_line_chart_add_series   (SapaLineChart       *self,
                                         const char          *name,
                                         const double        *values,
                                         guint                n,
                                         SapaChartColor       color);
/* NAN, NAN = automatic from the data. */
void       sapa_line_chart_set_y_range  (SapaLineChart       *self,
                                         double               min,
                                         double               max);
void       sapa_line_chart_set_format   (SapaLineChart       *self,
                                         SapaChartFormatFunc  func,
                                         gpointer             data,
                                         GDestroyNotify       destroy);
/* A short title used in the accessible summary ("CSAT"). */
void       sapa_line_chart_set_title    (SapaLineChart       *self,
                                         const char          *title);
guint      sapa_line_chart_get_n_series (SapaLineChart       *self);

/* Tests and keyboard: the focused point (FALSE when none). */
gboolean   sapa_line_chart_get_focus_point (SapaLineChart    *self,
                                            guint            *series,
                                            guint            *index);
/* The widget coordinates of a data point (FALSE if it has no value or the
 * chart has no size yet). */
gboolean   sapa_line_chart_get_point_position (SapaLineChart *self,
                                               guint          series,
                                               guint          index,
                                               double        *x,
                                               double        *y);

G_END_DECLS
