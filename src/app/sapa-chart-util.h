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

/* -- shared by the chart widgets ------------------------------------------ */

/* Something under the pointer or the keyboard focus: a point, bar segment or
 * cell. @a/@b are the indices the activation signal carries (series and
 * index, bar and segment, row and column). */
typedef struct {
  graphene_rect_t hit;    /* where the pointer finds it */
  graphene_rect_t mark;   /* what is highlighted (a bar, a cell, a point's box) */
  guint           a, b;
  double          value;
} SapaChartItem;

typedef struct _SapaChartCore SapaChartCore;

typedef struct {
  /* the tooltip text of an item (newly allocated) */
  char *(*describe) (GtkWidget *widget, const SapaChartItem *item);
  /* emits the widget's activation signal */
  void  (*activate) (GtkWidget *widget, const SapaChartItem *item);
  /* TRUE: Left/Right change @a, Up/Down change @b; FALSE: the other way */
  gboolean left_right_moves_a;
  /* the change of the other index for the Down key (+1 or -1) */
  int      down_delta;
  /* items are points (a round mark) rather than rectangles */
  gboolean points;
} SapaChartCoreClass;

/* Sets up a chart widget class: its CSS name @css_name, the image
 * accessible role and its activation signal @signal_name (run last, two
 * guint indices, the SapaChartItem's a and b). Returns the signal's id. */
guint                sapa_chart_class_setup       (GtkWidgetClass           *widget_class,
                                                   const char               *css_name,
                                                   const char               *signal_name);

/* Sets up @widget (focusable, tooltips, pointer, click and key controllers)
 * and returns the helper that keeps its items, hover and focus. */
SapaChartCore       *sapa_chart_core_new          (GtkWidget                *widget,
                                                   const SapaChartCoreClass *klass);
void                 sapa_chart_core_free         (SapaChartCore            *core);
/* Replaces the items (after the geometry changed); keeps the focus on the
 * same (a, b) when it still exists. */
void                 sapa_chart_core_set_items    (SapaChartCore            *core,
                                                   GArray                   *items);
/* Changes how the arrow keys move (a bar chart turned on its side). */
void                 sapa_chart_core_set_navigation (SapaChartCore          *core,
                                                     gboolean                left_right_moves_a,
                                                     int                     down_delta);
const SapaChartItem *sapa_chart_core_get_focus    (SapaChartCore            *core);
const SapaChartItem *sapa_chart_core_get_hover    (SapaChartCore            *core);
const SapaChartItem *sapa_chart_core_find         (SapaChartCore            *core,
                                                   guint                     a,
                                                   guint                     b);
/* The indices of the focused item in @a/@b (either may be NULL); FALSE
 * when nothing has the focus. */
gboolean             sapa_chart_core_get_focus_indices (SapaChartCore       *core,
                                                        guint               *a,
                                                        guint               *b);
/* The centre of the item (@a, @b)'s mark in widget coordinates in @x/@y
 * (either may be NULL); FALSE when there is no such item. */
gboolean             sapa_chart_core_get_item_center   (SapaChartCore       *core,
                                                        guint                a,
                                                        guint                b,
                                                        double              *x,
                                                        double              *y);
const SapaChartItem *sapa_chart_core_item_at      (SapaChartCore            *core,
                                                   double                    x,
                                                   double                    y);
/* The tooltip text a chart widget shows for the pointer at (@x, @y), NULL
 * when nothing is there (the same text query-tooltip sets). */
char                *sapa_chart_tooltip_at        (GtkWidget                *chart,
                                                   double                    x,
                                                   double                    y);
/* The number of points, bars or cells a chart widget can show and focus. */
guint                sapa_chart_get_n_items       (GtkWidget                *chart);
/* Draws the hover highlight and the focus mark over the chart. */
void                 sapa_chart_core_snapshot     (SapaChartCore            *core,
                                                   GtkSnapshot              *snapshot);

/* Replaces a chart's formatter (*@func, *@data, *@destroy) with
 * @new_func/@new_data/@new_destroy, first freeing the old data with the old
 * destroy function. */
void      sapa_chart_replace_format   (SapaChartFormatFunc *func,
                                       gpointer            *data,
                                       GDestroyNotify      *destroy,
                                       SapaChartFormatFunc  new_func,
                                       gpointer             new_data,
                                       GDestroyNotify       new_destroy);
/* Frees a chart's formatter data with its destroy function (if any). */
void      sapa_chart_clear_format     (gpointer             data,
                                       GDestroyNotify       destroy);

/* Appends @text (a layout of @widget) at (@x, @y) anchored by @xalign/@yalign
 * (0 left/top, 0.5 centre, 1 right/bottom) in @color. */
void      sapa_chart_append_text      (GtkWidget       *widget,
                                       GtkSnapshot     *snapshot,
                                       const char      *text,
                                       double           x,
                                       double           y,
                                       double           xalign,
                                       double           yalign,
                                       const GdkRGBA   *color,
                                       gboolean         small);
/* The pixel size of @text in @widget's font (small: the caption size). */
void      sapa_chart_measure_text     (GtkWidget       *widget,
                                       const char      *text,
                                       gboolean         small,
                                       int             *width,
                                       int             *height);
/* Draws a one-pixel line (a rectangle) from (@x0, @y0) to (@x1, @y1); only
 * horizontal or vertical lines. */
void      sapa_chart_append_rule      (GtkSnapshot     *snapshot,
                                       double           x0,
                                       double           y0,
                                       double           x1,
                                       double           y1,
                                       const GdkRGBA   *color);

G_END_DECLS
