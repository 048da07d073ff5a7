/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sapa-chart-util.h"

G_BEGIN_DECLS

#define SAPA_TYPE_CHART (sapa_chart_get_type ())
G_DECLARE_DERIVABLE_TYPE (SapaChart, sapa_chart, SAPA, CHART, GtkWidget)

/*
 * The base of Sapa's chart widgets (line chart, bar chart, heat map). It
 * keeps the items under the pointer and the keyboard focus (SapaChartCore),
 * the title, the value formatter and the static scene: the scene is built
 * with build_scene() when first drawn after a change, and the hover and
 * focus marks are drawn over it. A new size, a new style or
 * sapa_chart_data_changed() lay the chart out again with compute_geometry().
 */
struct _SapaChartClass
{
  GtkWidgetClass parent_class;

  /* how the arrow keys move and how items are marked (see
   * SapaChartCoreClass; by default FALSE, 1 and FALSE); read once, when
   * the chart is constructed */
  gboolean left_right_moves_a;
  int      down_delta;
  gboolean points;

  /* Lays the chart out for its size and data and hands the items to the
   * core (sapa_chart_core_set_items()). Returns TRUE when there is room to
   * draw. */
  gboolean (*compute_geometry)  (SapaChart           *self);
  /* Draws what does not change with hover and focus. */
  void     (*build_scene)       (SapaChart           *self,
                                 GtkSnapshot         *snapshot);
  /* Sets the accessible label and description from the data. */
  void     (*update_accessible) (SapaChart           *self);
  /* The tooltip text of @item (newly allocated). */
  char    *(*describe_item)     (SapaChart           *self,
                                 const SapaChartItem *item);
  /* Emits the chart's activation signal for @item. */
  void     (*activate_item)     (SapaChart           *self,
                                 const SapaChartItem *item);
};

SapaChartCore *sapa_chart_get_core         (SapaChart           *self);
const char    *sapa_chart_get_title        (SapaChart           *self);
/* A short title used in the accessible summary ("CSAT"). */
void           sapa_chart_set_title        (SapaChart           *self,
                                            const char          *title);
void           sapa_chart_set_format       (SapaChart           *self,
                                            SapaChartFormatFunc  func,
                                            gpointer             data,
                                            GDestroyNotify       destroy);
/* @value as the chart's formatter writes it (newly allocated). */
char          *sapa_chart_format_value     (SapaChart           *self,
                                            double               value);
/* For subclasses: the data changed; lays out, updates the accessible
 * summary and redraws. */
void           sapa_chart_data_changed     (SapaChart           *self);
/* For subclasses: only the look changed; redraws the scene. */
void           sapa_chart_invalidate_scene (SapaChart           *self);

G_END_DECLS
