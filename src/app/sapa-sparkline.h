/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sapa-chart-util.h"

G_BEGIN_DECLS

#define SAPA_TYPE_SPARKLINE (sapa_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (SapaSparkline, sapa_sparkline, SAPA, SPARKLINE, GtkWidget)

/*
 * A small line without axes showing the shape of a series (a KPI's days).
 * NAN values are gaps.
 */
GtkWidget *sapa_sparkline_new        (void);
void       sapa_sparkline_set_values (SapaSparkline  *self,
                                      const double   *values,
                                      guint           n);
/* The line's colour (default SAPA_CHART_COLOR_ACCENT). */
void       sapa_sparkline_set_color  (SapaSparkline  *self,
                                      SapaChartColor  color);
guint      sapa_sparkline_get_n_values (SapaSparkline *self);

G_END_DECLS
