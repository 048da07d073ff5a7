/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Shared pieces of Sapa's chart widgets: named colours that follow the
 * theme (light and dark), the value formatter type, "nice" axis ticks and
 * small drawing helpers.
 */

typedef enum {
  SAPA_CHART_COLOR_ACCENT,
  SAPA_CHART_COLOR_SUCCESS,
  SAPA_CHART_COLOR_WARNING,
  SAPA_CHART_COLOR_ERROR,
  SAPA_CHART_COLOR_NEUTRAL,
  SAPA_CHART_COLOR_SERIES_1,
  SAPA_CHART_COLOR_SERIES_2,
  SAPA_CHART_COLOR_SERIES_3,
  SAPA_CHART_COLOR_SERIES_4,
  SAPA_CHART_COLOR_SERIES_5,
  SAPA_CHART_COLOR_SERIES_6,
  SAPA_CHART_N_COLORS
} SapaChartColor;

GType sapa_chart_color_get_type (void) G_GNUC_CONST;
#define SAPA_TYPE_CHART_COLOR (sapa_chart_color_get_type ())

/* Turns a value into the text shown on axes and in tooltips (newly
 * allocated). NULL in the set_format functions means "%.0f" with the
 * locale's separators (sapa_chart_format_default()). */
typedef char *(*SapaChartFormatFunc) (double   value,
                                      gpointer user_data);

/* The default formatter: the value rounded to a whole number with the
 * locale's thousands separator ("1,234" / "1.234"). */
char     *sapa_chart_format_default   (double     value,
                                       gpointer   user_data);

/* The colour @color resolves to for @widget's current style (theme named
 * colours: accent_bg_color, success_color, warning_color, error_color,
 * window_fg_color; the series palette has a light and a dark variant). */
void      sapa_chart_lookup_color     (GtkWidget     *widget,
                                       SapaChartColor color,
                                       GdkRGBA       *rgba);
/* The foreground (text) colour of @widget, with @alpha multiplied in. */
void      sapa_chart_foreground       (GtkWidget     *widget,
                                       double         alpha,
                                       GdkRGBA       *rgba);
/* TRUE when @widget is drawn on a dark background. */
gboolean  sapa_chart_is_dark          (GtkWidget     *widget);

/* "Nice" axis ticks covering [@min, @max] with about @target ticks
 * (steps 1, 2, 2.5 or 5 times a power of ten). Writes the rounded range to
 * @nice_min/@nice_max and the step to @step; returns the number of ticks
 * (nice_min, nice_min + step, ..., nice_max). Handles min == max and
 * non-finite input (then 0..1). */
guint     sapa_chart_nice_ticks       (double         min,
                                       double         max,
                                       guint          target,
                                       double        *nice_min,
                                       double        *nice_max,
                                       double        *step);

/* Formats @value with @func (or the default when NULL). */
char     *sapa_chart_format           (SapaChartFormatFunc func,
                                       gpointer            data,
                                       double              value);

G_END_DECLS
