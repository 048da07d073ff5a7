/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-line-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sapa-line-chart.h"

#define PAD 6.0
#define TICK_TARGET 5
#define POINT_SIZE 8.0

typedef struct {
  char           *name;
  GArray         *values;   /* double */
  SapaChartColor  color;
  GArray         *points;   /* graphene_point_t; x NAN where there is no value */
} Series;

typedef struct {
  double  y;
  char   *text;
} Tick;

struct _SapaLineChart
{
  SapaChart            parent_instance;

  GPtrArray           *labels;     /* char* */
  GPtrArray           *series;     /* Series* */
  double               y_min, y_max;

  /* geometry, from the data and the size (not touched while drawing) */
  graphene_rect_t      plot;
  GArray              *ticks;       /* Tick */
  GArray              *x_labels;    /* Tick: y holds the x position */
  double               legend_y;
  gboolean             has_data;
};

G_DEFINE_FINAL_TYPE (SapaLineChart, sapa_line_chart, SAPA_TYPE_CHART)

enum {
  POINT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->name);
  g_array_unref (s->values);
  g_array_unref (s->points);
  g_free (s);
}

static void
tick_clear (gpointer data)
{
  Tick *t = data;

  g_free (t->text);
}

static double
value_at (Series *s,
          guint   i)
{
  if (i >= s->values->len)
    return NAN;
  return g_array_index (s->values, double, i);
}

static guint
n_points (SapaLineChart *self)
{
  guint n = self->labels->len;

  for (guint i = 0; i < self->series->len; i++)
    n = MAX (n, ((Series *) g_ptr_array_index (self->series, i))->values->len);
  return n;
}

static char *
format_value (SapaLineChart *self,
              double         value)
{
  return sapa_chart_format_value (SAPA_CHART (self), value);
}

static void
sapa_line_chart_update_accessible (SapaChart *chart)
{
  SapaLineChart *self = SAPA_LINE_CHART (chart);
  const char *title = sapa_chart_get_title (chart);
  g_autoptr(GString) label = g_string_new (title ? title : _("Line chart"));
  g_autofree char *description = NULL;
  guint n = n_points (self);

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      double first = NAN, last = NAN;
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      for (guint i = 0; i < series->values->len; i++)
        {
          double v = value_at (series, i);

          if (isnan (v))
            continue;
          if (isnan (first))
            first = v;
          last = v;
        }
      g_string_append (label, s == 0 ? ", " : "; ");
      if (series->name != NULL && series->name[0] != '\0' && self->series->len > 1)
        g_string_append_printf (label, "%s ", series->name);
      if (isnan (first))
        g_string_append (label, _("no data"));
      else
        {
          a = format_value (self, first);
          b = format_value (self, last);
          /* Translators: part of a chart's accessible summary: "from 82% to 88%" */
          g_string_append_printf (label, _("from %s to %s"), a, b);
        }
    }
  if (self->series->len == 0)
    g_string_append_printf (label, ", %s", _("no data"));

  if (n > 0 && self->labels->len > 0)
    /* Translators: a chart's accessible description: "30 points, from 1 Nov to 30 Nov" */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point, from %s to %s",
                                                "%u points, from %s to %s", n),
                                   n, (const char *) g_ptr_array_index (self->labels, 0),
                                   (const char *) g_ptr_array_index (self->labels,
                                                                     self->labels->len - 1));
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point", "%u points", n), n);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Works out the axes, the plot area, every point's position and the items
 * under the pointer, for the current size and data. */
static gboolean
sapa_line_chart_compute_geometry (SapaChart *chart)
{
  SapaLineChart *self = SAPA_LINE_CHART (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  SapaChartCore *core = sapa_chart_get_core (chart);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double lo = INFINITY, hi = -INFINITY, nice_lo, nice_hi, step;
  guint n = n_points (self), n_ticks;
  int label_w = 0, label_h = 0, text_h = 0;
  double top = PAD, left, bottom, right;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (SapaChartItem));
  guint every;
  double slot = 0;

  g_array_set_size (self->ticks, 0);
  g_array_set_size (self->x_labels, 0);
  self->has_data = FALSE;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      for (guint i = 0; i < series->values->len; i++)
        {
          double v = value_at (series, i);

          if (!isfinite (v))
            continue;
          lo = MIN (lo, v);
          hi = MAX (hi, v);
          self->has_data = TRUE;
        }
    }

  if (width <= 0 || height <= 0)
    {
      sapa_chart_core_set_items (core, NULL);
      return self->plot.size.width > 0;
    }

  sapa_chart_measure_text (widget, "0", TRUE, NULL, &text_h);

  if (self->series->len > 1)
    {
      self->legend_y = top;
      top += text_h + PAD;
    }

  /* the y axis: nice ticks over the data (or the range asked for) */
  if (self->has_data)
    {
      if (isfinite (self->y_min))
        lo = self->y_min;
      if (isfinite (self->y_max))
        hi = self->y_max;
      n_ticks = sapa_chart_nice_ticks (lo, hi, TICK_TARGET, &nice_lo, &nice_hi, &step);
      if (isfinite (self->y_min))
        nice_lo = self->y_min;
      if (isfinite (self->y_max))
        nice_hi = self->y_max;
      for (guint i = 0; i < n_ticks; i++)
        {
          Tick t;
          double v = nice_lo + i * step;
          int w;

          if (v > nice_hi + step * 1e-6)
            break;
          t.y = v;
          t.text = format_value (self, v);
          sapa_chart_measure_text (widget, t.text, TRUE, &w, NULL);
          label_w = MAX (label_w, w);
          g_array_append_val (self->ticks, t);
        }
    }
  else
    {
      nice_lo = 0;
      nice_hi = 1;
    }

  /* the x labels: as many as fit without overlapping */
  for (guint i = 0; i < self->labels->len; i++)
    {
      int w, h;

      sapa_chart_measure_text (widget, g_ptr_array_index (self->labels, i), TRUE, &w, &h);
      label_h = MAX (label_h, h);
      slot = MAX (slot, w);
    }

  left = PAD + label_w + PAD;
  right = width - PAD - (self->labels->len > 0 ? slot / 2 : 0);
  bottom = height - PAD - (label_h > 0 ? label_h + PAD : 0);
  if (right - left < 10 || bottom - top < 10)
    {
      graphene_rect_init (&self->plot, 0, 0, 0, 0);
      sapa_chart_core_set_items (core, NULL);
      return FALSE;
    }
  graphene_rect_init (&self->plot, left, top, right - left, bottom - top);

  for (guint i = 0; i < self->ticks->len; i++)
    {
      Tick *t = &g_array_index (self->ticks, Tick, i);
      double v = t->y;

      t->y = bottom - (v - nice_lo) / (nice_hi - nice_lo) * (bottom - top);
    }

  every = 1;
  if (n > 1 && self->labels->len > 0)
    {
      double dx = (right - left) / (n - 1);

      while (every < n && dx * every < slot + 12)
        every++;
    }
  for (guint i = 0; i < self->labels->len && i < MAX (n, 1); i += every)
    {
      Tick t;

      t.y = n > 1 ? left + (right - left) * i / (n - 1) : left + (right - left) / 2;
      t.text = g_strdup (g_ptr_array_index (self->labels, i));
      g_array_append_val (self->x_labels, t);
    }

  /* points and what the pointer finds: a column band per index */
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      g_array_set_size (series->points, 0);
      for (guint i = 0; i < series->values->len; i++)
        {
          double v = value_at (series, i);
          graphene_point_t p = GRAPHENE_POINT_INIT (NAN, NAN);
          double band = n > 1 ? (right - left) / (n - 1) : (right - left);

          if (isfinite (v))
            {
              SapaChartItem item = { 0 };
              double clamped = CLAMP (v, MIN (nice_lo, nice_hi), MAX (nice_lo, nice_hi));

              p.x = n > 1 ? left + (right - left) * i / (n - 1) : left + (right - left) / 2;
              p.y = bottom - (clamped - nice_lo) / (nice_hi - nice_lo) * (bottom - top);
              graphene_rect_init (&item.hit, p.x - band / 2, top, band, bottom - top);
              graphene_rect_init (&item.mark, p.x - POINT_SIZE / 2, p.y - POINT_SIZE / 2,
                                  POINT_SIZE, POINT_SIZE);
              item.a = s;
              item.b = i;
              item.value = v;
              g_array_append_val (items, item);
            }
          g_array_append_val (series->points, p);
        }
    }
  sapa_chart_core_set_items (core, items);
  return TRUE;
}

static void
sapa_line_chart_build_scene (SapaChart   *chart,
                             GtkSnapshot *snapshot)
{
  SapaLineChart *self = SAPA_LINE_CHART (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA grid, axis, text;
  const graphene_rect_t *p = &self->plot;
  guint n = n_points (self);

  sapa_chart_foreground (widget, 0.12, &grid);
  sapa_chart_foreground (widget, 0.45, &axis);
  sapa_chart_foreground (widget, 0.7, &text);

  for (guint i = 0; i < self->ticks->len; i++)
    {
      Tick *t = &g_array_index (self->ticks, Tick, i);

      sapa_chart_append_rule (snapshot, p->origin.x, t->y, p->origin.x + p->size.width, t->y, &grid);
      sapa_chart_append_text (widget, snapshot, t->text, p->origin.x - PAD, t->y, 1.0, 0.5, &text, TRUE);
    }
  for (guint i = 0; i < self->x_labels->len; i++)
    {
      Tick *t = &g_array_index (self->x_labels, Tick, i);

      sapa_chart_append_text (widget, snapshot, t->text, t->y, p->origin.y + p->size.height + PAD,
                              0.5, 0.0, &text, TRUE);
    }
  /* the axes */
  sapa_chart_append_rule (snapshot, p->origin.x, p->origin.y + p->size.height,
                          p->origin.x + p->size.width, p->origin.y + p->size.height, &axis);
  sapa_chart_append_rule (snapshot, p->origin.x, p->origin.y,
                          p->origin.x, p->origin.y + p->size.height, &axis);

  if (self->has_data)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, p);

      cairo_set_line_width (cr, 2.0);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      for (guint s = 0; s < self->series->len; s++)
        {
          Series *series = g_ptr_array_index (self->series, s);
          gboolean drawing = FALSE;
          GdkRGBA color;

          sapa_chart_lookup_color (widget, series->color, &color);
          gdk_cairo_set_source_rgba (cr, &color);
          for (guint i = 0; i < series->points->len; i++)
            {
              graphene_point_t *pt = &g_array_index (series->points, graphene_point_t, i);

              if (isnan (pt->x))
                {
                  drawing = FALSE;
                  continue;
                }
              if (!drawing)
                cairo_move_to (cr, pt->x, pt->y);
              cairo_line_to (cr, pt->x, pt->y);
              drawing = TRUE;
            }
          cairo_stroke (cr);
          /* dots while there is room for them */
          if (n <= 45 || series->points->len == 1)
            for (guint i = 0; i < series->points->len; i++)
              {
                graphene_point_t *pt = &g_array_index (series->points, graphene_point_t, i);

                if (isnan (pt->x))
                  continue;
                cairo_new_sub_path (cr);
                cairo_arc (cr, pt->x, pt->y, n <= 45 ? 3.0 : 2.0, 0, 2 * G_PI);
                cairo_fill (cr);
              }
        }
      cairo_destroy (cr);
    }

  /* the legend: a swatch and the name of each series */
  if (self->series->len > 1)
    {
      double x = p->origin.x;
      int h;

      sapa_chart_measure_text (widget, "0", TRUE, NULL, &h);
      for (guint s = 0; s < self->series->len; s++)
        {
          Series *series = g_ptr_array_index (self->series, s);
          GdkRGBA color;
          int w;

          sapa_chart_lookup_color (widget, series->color, &color);
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (x, self->legend_y + h / 2.0 - 2, 14, 4));
          x += 18;
          sapa_chart_append_text (widget, snapshot, series->name, x, self->legend_y, 0, 0, &text, TRUE);
          sapa_chart_measure_text (widget, series->name, TRUE, &w, NULL);
          x += w + 16;
        }
    }
}

static char *
sapa_line_chart_describe_item (SapaChart           *chart,
                               const SapaChartItem *item)
{
  SapaLineChart *self = SAPA_LINE_CHART (chart);
  Series *series = g_ptr_array_index (self->series, item->a);
  g_autofree char *value = format_value (self, item->value);
  const char *label = item->b < self->labels->len ? g_ptr_array_index (self->labels, item->b) : NULL;

  if (label != NULL && series->name != NULL && series->name[0] != '\0')
    /* Translators: a chart tooltip: "<series>, <day>: <value>", e.g. "CSAT, 12 Nov: 87.5%" */
    return g_strdup_printf (_("%s, %s: %s"), series->name, label, value);
  if (label != NULL)
    /* Translators: a chart tooltip: "<day>: <value>" */
    return g_strdup_printf (_("%s: %s"), label, value);
  return g_steal_pointer (&value);
}

static void
sapa_line_chart_activate_item (SapaChart           *chart,
                               const SapaChartItem *item)
{
  g_signal_emit (chart, signals[POINT_ACTIVATED], 0, item->a, item->b);
}

static void
sapa_line_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 240;
}

static void
sapa_line_chart_finalize (GObject *object)
{
  SapaLineChart *self = SAPA_LINE_CHART (object);

  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->ticks, g_array_unref);
  g_clear_pointer (&self->x_labels, g_array_unref);

  G_OBJECT_CLASS (sapa_line_chart_parent_class)->finalize (object);
}

static void
sapa_line_chart_class_init (SapaLineChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  SapaChartClass *chart_class = SAPA_CHART_CLASS (klass);

  object_class->finalize = sapa_line_chart_finalize;
  widget_class->measure = sapa_line_chart_measure;
  chart_class->points = TRUE;
  chart_class->compute_geometry = sapa_line_chart_compute_geometry;
  chart_class->build_scene = sapa_line_chart_build_scene;
  chart_class->update_accessible = sapa_line_chart_update_accessible;
  chart_class->describe_item = sapa_line_chart_describe_item;
  chart_class->activate_item = sapa_line_chart_activate_item;

  /**
   * SapaLineChart::point-activated:
   * @series: the series index
   * @index: the point's index (x label)
   *
   * A point was clicked, or activated with Enter or Space.
   */
  signals[POINT_ACTIVATED] = sapa_chart_class_setup (widget_class, "linechart", "point-activated");
}

static void
sapa_line_chart_init (SapaLineChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->series = g_ptr_array_new_with_free_func (series_free);
  self->ticks = g_array_new (FALSE, TRUE, sizeof (Tick));
  g_array_set_clear_func (self->ticks, tick_clear);
  self->x_labels = g_array_new (FALSE, TRUE, sizeof (Tick));
  g_array_set_clear_func (self->x_labels, tick_clear);
  self->y_min = NAN;
  self->y_max = NAN;
}

GtkWidget *
sapa_line_chart_new (void)
{
  return g_object_new (SAPA_TYPE_LINE_CHART, NULL);
}

void
sapa_line_chart_set_labels (SapaLineChart      *self,
                            const char *const  *labels,
                            guint               n)
{
  g_return_if_fail (SAPA_IS_LINE_CHART (self));
  g_return_if_fail (labels != NULL || n == 0);

  g_ptr_array_set_size (self->labels, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->labels, g_strdup (labels[i] ? labels[i] : ""));
  sapa_chart_data_changed (SAPA_CHART (self));
}

void
sapa_line_chart_clear_series (SapaLineChart *self)
{
  g_return_if_fail (SAPA_IS_LINE_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  sapa_chart_data_changed (SAPA_CHART (self));
}

void
sapa_line_chart_add_series (SapaLineChart  *self,
                            const char     *name,
                            const double   *values,
                            guint           n,
                            SapaChartColor  color)
{
  Series *series;

  g_return_if_fail (SAPA_IS_LINE_CHART (self));
  g_return_if_fail (values != NULL || n == 0);

  series = g_new0 (Series, 1);
  series->name = g_strdup (name);
  series->values = g_array_sized_new (FALSE, FALSE, sizeof (double), n);
  if (n > 0)
    g_array_append_vals (series->values, values, n);
  series->points = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
  series->color = color;
  g_ptr_array_add (self->series, series);
  sapa_chart_data_changed (SAPA_CHART (self));
}

void
sapa_line_chart_set_y_range (SapaLineChart *self,
                             double         min,
                             double         max)
{
  g_return_if_fail (SAPA_IS_LINE_CHART (self));

  self->y_min = min;
  self->y_max = max;
  sapa_chart_data_changed (SAPA_CHART (self));
}

void
sapa_line_chart_set_format (SapaLineChart       *self,
                            SapaChartFormatFunc  func,
                            gpointer             data,
                            GDestroyNotify       destroy)
{
  g_return_if_fail (SAPA_IS_LINE_CHART (self));

  sapa_chart_set_format (SAPA_CHART (self), func, data, destroy);
}

void
sapa_line_chart_set_title (SapaLineChart *self,
                           const char    *title)
{
  g_return_if_fail (SAPA_IS_LINE_CHART (self));

  sapa_chart_set_title (SAPA_CHART (self), title);
}

guint
sapa_line_chart_get_n_series (SapaLineChart *self)
{
  g_return_val_if_fail (SAPA_IS_LINE_CHART (self), 0);
  return self->series->len;
}

gboolean
sapa_line_chart_get_focus_point (SapaLineChart *self,
                                 guint         *series,
                                 guint         *index)
{
  g_return_val_if_fail (SAPA_IS_LINE_CHART (self), FALSE);

  return sapa_chart_core_get_focus_indices (sapa_chart_get_core (SAPA_CHART (self)), series, index);
}

gboolean
sapa_line_chart_get_point_position (SapaLineChart *self,
                                    guint          series,
                                    guint          index,
                                    double        *x,
                                    double        *y)
{
  g_return_val_if_fail (SAPA_IS_LINE_CHART (self), FALSE);

  return sapa_chart_core_get_item_center (sapa_chart_get_core (SAPA_CHART (self)), series, index, x, y);
}
