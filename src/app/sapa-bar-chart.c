/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-bar-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sapa-bar-chart.h"

#define PAD 6.0
#define TICK_TARGET 5

typedef struct {
  double  pos;    /* along the value axis, in pixels */
  char   *text;
} Tick;

typedef struct {
  graphene_rect_t rect;
  guint           segment;
} Bar;

struct _SapaBarChart
{
  SapaChart            parent_instance;

  GPtrArray           *labels;          /* char*, n_bars */
  GPtrArray           *segment_names;   /* char*, n_segments */
  GArray              *values;          /* double, n_bars x n_segments */
  GArray              *colors;          /* SapaChartColor, n_segments */
  guint                n_bars;
  guint                n_segments;
  GtkOrientation       orientation;
  gboolean             stacked;
  double               v_min, v_max;

  /* geometry */
  graphene_rect_t      plot;
  GArray              *ticks;        /* Tick */
  GArray              *cat_labels;   /* Tick: pos = centre along the category axis */
  GArray              *bars;         /* Bar */
  double               zero_pos;
  double               legend_y;
  gboolean             has_data;
};

G_DEFINE_FINAL_TYPE (SapaBarChart, sapa_bar_chart, SAPA_TYPE_CHART)

enum {
  PROP_0,
  PROP_ORIENTATION,
  PROP_STACKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  BAR_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tick_clear (gpointer data)
{
  Tick *t = data;

  g_free (t->text);
}

static double
value_at (SapaBarChart *self,
          guint         bar,
          guint         segment)
{
  return g_array_index (self->values, double, bar * self->n_segments + segment);
}

static SapaChartColor
segment_color (SapaBarChart *self,
               guint         segment)
{
  if (segment < self->colors->len)
    return g_array_index (self->colors, SapaChartColor, segment);
  return SAPA_CHART_COLOR_SERIES_1 + segment % 6;
}

static char *
format_value (SapaBarChart *self,
              double        value)
{
  return sapa_chart_format_value (SAPA_CHART (self), value);
}

static void
sapa_bar_chart_update_accessible (SapaChart *chart)
{
  SapaBarChart *self = SAPA_BAR_CHART (chart);
  const char *title = sapa_chart_get_title (chart);
  g_autoptr(GString) label = g_string_new (title ? title : _("Bar chart"));
  g_autoptr(GString) description = g_string_new (NULL);
  guint listed = 0;

  /* the bars in order, each with its value (the first segment, or the
   * segments of a stacked bar), as many as a summary can hold */
  for (guint b = 0; b < self->n_bars && listed < 12; b++)
    {
      if (description->len > 0)
        g_string_append (description, "; ");
      g_string_append (description, (const char *) g_ptr_array_index (self->labels, b));
      g_string_append (description, ": ");
      for (guint s = 0; s < self->n_segments; s++)
        {
          g_autofree char *v = format_value (self, value_at (self, b, s));

          if (s > 0)
            g_string_append (description, ", ");
          if (self->n_segments > 1 && self->segment_names->len > s)
            g_string_append_printf (description, "%s ",
                                    (const char *) g_ptr_array_index (self->segment_names, s));
          g_string_append (description, v);
        }
      listed++;
    }
  if (self->n_bars == 0 || !self->has_data)
    g_string_append_printf (label, ", %s", _("no data"));
  else
    {
      g_string_append (label, ", ");
      /* Translators: part of a chart's accessible label: "Volume by channel, 6 bars" */
      g_string_append_printf (label, g_dngettext (GETTEXT_PACKAGE, "%u bar", "%u bars", self->n_bars),
                              self->n_bars);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

/* A rectangle from its extent along the category axis and along the value axis. */
static graphene_rect_t
oriented_rect (SapaBarChart *self,
               double        cat_from,
               double        cat_len,
               double        val_a,
               double        val_b)
{
  graphene_rect_t r;
  double lo = MIN (val_a, val_b), len = MAX (fabs (val_b - val_a), 1.0);

  if (self->orientation == GTK_ORIENTATION_VERTICAL)
    graphene_rect_init (&r, cat_from, lo, cat_len, len);
  else
    graphene_rect_init (&r, lo, cat_from, len, cat_len);
  return r;
}

static gboolean
sapa_bar_chart_compute_geometry (SapaChart *chart)
{
  SapaBarChart *self = SAPA_BAR_CHART (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  SapaChartCore *core = sapa_chart_get_core (chart);
  gboolean vertical = self->orientation == GTK_ORIENTATION_VERTICAL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double lo = 0, hi = 0, nice_lo = 0, nice_hi = 1, step = 1;
  int tick_w = 0, tick_h = 0, cat_w = 0, cat_h = 0, text_h = 0;
  double top = PAD, left, right, bottom, band, val_from, val_len, cat_from, cat_len;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (SapaChartItem));
  guint n_ticks = 0, every = 1;

  g_array_set_size (self->ticks, 0);
  g_array_set_size (self->cat_labels, 0);
  g_array_set_size (self->bars, 0);
  self->has_data = FALSE;

  for (guint b = 0; b < self->n_bars; b++)
    {
      double pos = 0, neg = 0;

      for (guint s = 0; s < self->n_segments; s++)
        {
          double v = value_at (self, b, s);

          if (!isfinite (v))
            continue;
          self->has_data = TRUE;
          if (self->stacked)
            {
              if (v >= 0)
                pos += v;
              else
                neg += v;
            }
          else
            {
              lo = MIN (lo, v);
              hi = MAX (hi, v);
            }
        }
      lo = MIN (lo, neg);
      hi = MAX (hi, pos);
    }

  if (width <= 0 || height <= 0)
    {
      graphene_rect_init (&self->plot, 0, 0, 0, 0);
      sapa_chart_core_set_items (core, NULL);
      return FALSE;
    }

  sapa_chart_measure_text (widget, "0", TRUE, NULL, &text_h);
  if (self->n_segments > 1)
    {
      self->legend_y = top;
      top += text_h + PAD;
    }

  if (self->has_data)
    {
      if (isfinite (self->v_min))
        lo = self->v_min;
      if (isfinite (self->v_max))
        hi = self->v_max;
      n_ticks = sapa_chart_nice_ticks (lo, hi, TICK_TARGET, &nice_lo, &nice_hi, &step);
      if (isfinite (self->v_min))
        nice_lo = self->v_min;
      if (isfinite (self->v_max))
        nice_hi = self->v_max;
      for (guint i = 0; i < n_ticks; i++)
        {
          Tick t;
          double v = nice_lo + i * step;
          int w, h;

          if (v > nice_hi + step * 1e-6)
            break;
          t.pos = v;
          t.text = format_value (self, v);
          sapa_chart_measure_text (widget, t.text, TRUE, &w, &h);
          tick_w = MAX (tick_w, w);
          tick_h = MAX (tick_h, h);
          g_array_append_val (self->ticks, t);
        }
    }

  for (guint b = 0; b < self->n_bars; b++)
    {
      int w, h;

      sapa_chart_measure_text (widget, g_ptr_array_index (self->labels, b), TRUE, &w, &h);
      cat_w = MAX (cat_w, w);
      cat_h = MAX (cat_h, h);
    }

  if (vertical)
    {
      left = PAD + tick_w + PAD;
      right = width - PAD;
      bottom = height - PAD - (cat_h > 0 ? cat_h + PAD : 0);
    }
  else
    {
      /* long labels get at most 40% of the width */
      cat_w = MIN (cat_w, (int) (width * 0.4));
      left = PAD + cat_w + PAD;
      right = width - PAD - tick_w / 2.0;
      bottom = height - PAD - (tick_h > 0 ? tick_h + PAD : 0);
    }
  if (right - left < 10 || bottom - top < 10)
    {
      graphene_rect_init (&self->plot, 0, 0, 0, 0);
      sapa_chart_core_set_items (core, NULL);
      return FALSE;
    }
  graphene_rect_init (&self->plot, left, top, right - left, bottom - top);

  /* value axis: from val_from, val_len pixels long, growing with the value */
  if (vertical)
    {
      val_from = bottom;
      val_len = -(bottom - top);
      cat_from = left;
      cat_len = right - left;
    }
  else
    {
      val_from = left;
      val_len = right - left;
      cat_from = top;
      cat_len = bottom - top;
    }
#define VPOS(v) (val_from + ((CLAMP ((v), nice_lo, nice_hi)) - nice_lo) / (nice_hi - nice_lo) * val_len)

  for (guint i = 0; i < self->ticks->len; i++)
    {
      Tick *t = &g_array_index (self->ticks, Tick, i);

      t->pos = VPOS (t->pos);
    }
  self->zero_pos = VPOS (0.0);

  band = self->n_bars > 0 ? cat_len / self->n_bars : cat_len;
  if (vertical && self->n_bars > 0)
    while (every < self->n_bars && band * every < cat_w + 8)
      every++;
  for (guint b = 0; b < self->n_bars; b += every)
    {
      Tick t;

      t.pos = cat_from + band * (b + 0.5);
      t.text = g_strdup (g_ptr_array_index (self->labels, b));
      g_array_append_val (self->cat_labels, t);
    }

  for (guint b = 0; b < self->n_bars; b++)
    {
      double group_from = cat_from + band * b + band * 0.15;
      double group_len = band * 0.7;
      double pos = 0, neg = 0;

      for (guint s = 0; s < self->n_segments; s++)
        {
          double v = value_at (self, b, s);
          double seg_from, seg_len, a, z;
          SapaChartItem item = { 0 };
          Bar bar;

          if (!isfinite (v))
            continue;
          if (self->stacked)
            {
              seg_from = group_from;
              seg_len = group_len;
              if (v >= 0)
                {
                  a = VPOS (pos);
                  z = VPOS (pos + v);
                  pos += v;
                }
              else
                {
                  a = VPOS (neg);
                  z = VPOS (neg + v);
                  neg += v;
                }
            }
          else
            {
              seg_len = group_len / self->n_segments;
              seg_from = group_from + seg_len * s;
              a = VPOS (0.0);
              z = VPOS (v);
            }

          bar.rect = oriented_rect (self, seg_from, seg_len, a, z);
          bar.segment = s;
          g_array_append_val (self->bars, bar);

          item.mark = bar.rect;
          if (self->stacked)
            graphene_rect_inset_r (&bar.rect, -2, -2, &item.hit);
          else
            /* the whole length of the plot, so short bars are easy to point at */
            item.hit = oriented_rect (self, seg_from, seg_len, val_from, val_from + val_len);
          item.a = b;
          item.b = s;
          item.value = v;
          g_array_append_val (items, item);
        }
    }
#undef VPOS

  sapa_chart_core_set_items (core, items);
  return TRUE;
}

static void
sapa_bar_chart_build_scene (SapaChart   *chart,
                            GtkSnapshot *snapshot)
{
  SapaBarChart *self = SAPA_BAR_CHART (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean vertical = self->orientation == GTK_ORIENTATION_VERTICAL;
  const graphene_rect_t *p = &self->plot;
  double px0 = p->origin.x, py0 = p->origin.y;
  double px1 = px0 + p->size.width, py1 = py0 + p->size.height;
  GdkRGBA grid, axis, text;

  sapa_chart_foreground (widget, 0.12, &grid);
  sapa_chart_foreground (widget, 0.45, &axis);
  sapa_chart_foreground (widget, 0.7, &text);

  for (guint i = 0; i < self->ticks->len; i++)
    {
      Tick *t = &g_array_index (self->ticks, Tick, i);

      if (vertical)
        {
          sapa_chart_append_rule (snapshot, px0, t->pos, px1, t->pos, &grid);
          sapa_chart_append_text (widget, snapshot, t->text, px0 - PAD, t->pos, 1.0, 0.5, &text, TRUE);
        }
      else
        {
          sapa_chart_append_rule (snapshot, t->pos, py0, t->pos, py1, &grid);
          sapa_chart_append_text (widget, snapshot, t->text, t->pos, py1 + PAD, 0.5, 0.0, &text, TRUE);
        }
    }

  for (guint i = 0; i < self->cat_labels->len; i++)
    {
      Tick *t = &g_array_index (self->cat_labels, Tick, i);

      if (vertical)
        sapa_chart_append_text (widget, snapshot, t->text, t->pos, py1 + PAD, 0.5, 0.0, &text, TRUE);
      else
        {
          /* cut to the room left of the plot */
          gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, py0, px0 - PAD / 2, p->size.height));
          sapa_chart_append_text (widget, snapshot, t->text, px0 - PAD, t->pos, 1.0, 0.5, &text, TRUE);
          gtk_snapshot_pop (snapshot);
        }
    }

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      GdkRGBA color;

      sapa_chart_lookup_color (widget, segment_color (self, bar->segment), &color);
      gtk_snapshot_append_color (snapshot, &color, &bar->rect);
    }

  /* the axes: the category axis at zero, the value axis at the plot's edge */
  if (vertical)
    {
      sapa_chart_append_rule (snapshot, px0, self->has_data ? self->zero_pos : py1, px1,
                              self->has_data ? self->zero_pos : py1, &axis);
      sapa_chart_append_rule (snapshot, px0, py0, px0, py1, &axis);
    }
  else
    {
      sapa_chart_append_rule (snapshot, self->has_data ? self->zero_pos : px0, py0,
                              self->has_data ? self->zero_pos : px0, py1, &axis);
      sapa_chart_append_rule (snapshot, px0, py1, px1, py1, &axis);
    }

  if (self->n_segments > 1)
    {
      double x = px0;
      int h;

      sapa_chart_measure_text (widget, "0", TRUE, NULL, &h);
      for (guint s = 0; s < self->n_segments; s++)
        {
          const char *name = s < self->segment_names->len ? g_ptr_array_index (self->segment_names, s) : "";
          GdkRGBA color;
          int w;

          sapa_chart_lookup_color (widget, segment_color (self, s), &color);
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (x, self->legend_y + h / 2.0 - 5, 10, 10));
          x += 14;
          sapa_chart_append_text (widget, snapshot, name, x, self->legend_y, 0, 0, &text, TRUE);
          sapa_chart_measure_text (widget, name, TRUE, &w, NULL);
          x += w + 16;
        }
    }
}

static char *
sapa_bar_chart_describe_item (SapaChart           *chart,
                              const SapaChartItem *item)
{
  SapaBarChart *self = SAPA_BAR_CHART (chart);
  g_autofree char *value = format_value (self, item->value);
  const char *label = g_ptr_array_index (self->labels, item->a);
  const char *segment = item->b < self->segment_names->len ? g_ptr_array_index (self->segment_names, item->b) : NULL;

  if (self->n_segments > 1 && segment != NULL && segment[0] != '\0')
    /* Translators: a chart tooltip: "<bar>, <part>: <value>", e.g. "WhatsApp, Promoters: 120" */
    return g_strdup_printf (_("%s, %s: %s"), label, segment, value);
  /* Translators: a chart tooltip: "<bar>: <value>" */
  return g_strdup_printf (_("%s: %s"), label, value);
}

static void
sapa_bar_chart_activate_item (SapaChart           *chart,
                              const SapaChartItem *item)
{
  g_signal_emit (chart, signals[BAR_ACTIVATED], 0, item->a, item->b);
}

static void
update_navigation (SapaBarChart *self)
{
  SapaChartCore *core = sapa_chart_get_core (SAPA_CHART (self));

  /* columns: Left/Right go along the bars, Up climbs the stack;
   * bars on their side: Up/Down go along the bars */
  if (self->orientation == GTK_ORIENTATION_VERTICAL)
    sapa_chart_core_set_navigation (core, TRUE, -1);
  else
    sapa_chart_core_set_navigation (core, FALSE, 1);
}

static void
sapa_bar_chart_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  SapaBarChart *self = SAPA_BAR_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 480;
    }
  else
    {
      *minimum = 120;
      *natural = 240;
      /* bars on their side: room for each label */
      if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          int h;

          sapa_chart_measure_text (widget, "0", TRUE, NULL, &h);
          *natural = MAX (*natural, (int) (self->n_bars * (h + 8) + 3 * h + 4 * PAD));
        }
    }
}

static void
sapa_bar_chart_finalize (GObject *object)
{
  SapaBarChart *self = SAPA_BAR_CHART (object);

  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->segment_names, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->colors, g_array_unref);
  g_clear_pointer (&self->ticks, g_array_unref);
  g_clear_pointer (&self->cat_labels, g_array_unref);
  g_clear_pointer (&self->bars, g_array_unref);

  G_OBJECT_CLASS (sapa_bar_chart_parent_class)->finalize (object);
}

static void
sapa_bar_chart_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SapaBarChart *self = SAPA_BAR_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_enum (value, self->orientation);
      break;
    case PROP_STACKED:
      g_value_set_boolean (value, self->stacked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_bar_chart_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SapaBarChart *self = SAPA_BAR_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      sapa_bar_chart_set_orientation (self, g_value_get_enum (value));
      break;
    case PROP_STACKED:
      sapa_bar_chart_set_stacked (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_bar_chart_class_init (SapaBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  SapaChartClass *chart_class = SAPA_CHART_CLASS (klass);

  object_class->finalize = sapa_bar_chart_finalize;
  object_class->get_property = sapa_bar_chart_get_property;
  object_class->set_property = sapa_bar_chart_set_property;
  widget_class->measure = sapa_bar_chart_measure;
  /* columns, the default orientation (see update_navigation()) */
  chart_class->left_right_moves_a = TRUE;
  chart_class->down_delta = -1;
  chart_class->compute_geometry = sapa_bar_chart_compute_geometry;
  chart_class->build_scene = sapa_bar_chart_build_scene;
  chart_class->update_accessible = sapa_bar_chart_update_accessible;
  chart_class->describe_item = sapa_bar_chart_describe_item;
  chart_class->activate_item = sapa_bar_chart_activate_item;

  properties[PROP_ORIENTATION] =
    g_param_spec_enum ("orientation", NULL, NULL, GTK_TYPE_ORIENTATION, GTK_ORIENTATION_VERTICAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STACKED] =
    g_param_spec_boolean ("stacked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SapaBarChart::bar-activated:
   * @bar: the bar's index
   * @segment: the segment's index
   *
   * A bar was clicked, or activated with Enter or Space.
   */
  signals[BAR_ACTIVATED] = sapa_chart_class_setup (widget_class, "barchart", "bar-activated");
}

static void
sapa_bar_chart_init (SapaBarChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->segment_names = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  self->colors = g_array_new (FALSE, FALSE, sizeof (SapaChartColor));
  self->ticks = g_array_new (FALSE, TRUE, sizeof (Tick));
  g_array_set_clear_func (self->ticks, tick_clear);
  self->cat_labels = g_array_new (FALSE, TRUE, sizeof (Tick));
  g_array_set_clear_func (self->cat_labels, tick_clear);
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  self->orientation = GTK_ORIENTATION_VERTICAL;
  self->v_min = NAN;
  self->v_max = NAN;
}

GtkWidget *
sapa_bar_chart_new (void)
{
  return g_object_new (SAPA_TYPE_BAR_CHART, NULL);
}

void
sapa_bar_chart_set_data (SapaBarChart          *self,
                         const char *const     *labels,
                         guint                  n_bars,
                         const char *const     *segment_names,
                         guint                  n_segments,
                         const double          *values,
                         const SapaChartColor  *segment_colors)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));
  g_return_if_fail (n_bars == 0 || n_segments > 0);
  g_return_if_fail (values != NULL || n_bars == 0);

  g_ptr_array_set_size (self->labels, 0);
  g_ptr_array_set_size (self->segment_names, 0);
  g_array_set_size (self->values, 0);
  g_array_set_size (self->colors, 0);

  for (guint b = 0; b < n_bars; b++)
    g_ptr_array_add (self->labels, g_strdup (labels != NULL && labels[b] != NULL ? labels[b] : ""));
  for (guint s = 0; s < n_segments; s++)
    {
      g_ptr_array_add (self->segment_names,
                       g_strdup (segment_names != NULL && segment_names[s] != NULL ? segment_names[s] : ""));
      if (segment_colors != NULL)
        g_array_append_val (self->colors, segment_colors[s]);
    }
  if (n_bars > 0)
    g_array_append_vals (self->values, values, n_bars * n_segments);
  self->n_bars = n_bars;
  self->n_segments = n_bars > 0 ? n_segments : 0;
  sapa_chart_data_changed (SAPA_CHART (self));
}

void
sapa_bar_chart_set_format (SapaBarChart        *self,
                           SapaChartFormatFunc  func,
                           gpointer             data,
                           GDestroyNotify       destroy)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));

  sapa_chart_set_format (SAPA_CHART (self), func, data, destroy);
}

void
sapa_bar_chart_set_y_range (SapaBarChart *self,
                            double        min,
                            double        max)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));

  self->v_min = min;
  self->v_max = max;
  sapa_chart_data_changed (SAPA_CHART (self));
}

GtkOrientation
sapa_bar_chart_get_orientation (SapaBarChart *self)
{
  g_return_val_if_fail (SAPA_IS_BAR_CHART (self), GTK_ORIENTATION_VERTICAL);
  return self->orientation;
}

void
sapa_bar_chart_set_orientation (SapaBarChart   *self,
                                GtkOrientation  orientation)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));

  if (self->orientation == orientation)
    return;
  self->orientation = orientation;
  update_navigation (self);
  sapa_chart_data_changed (SAPA_CHART (self));
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIENTATION]);
}

gboolean
sapa_bar_chart_get_stacked (SapaBarChart *self)
{
  g_return_val_if_fail (SAPA_IS_BAR_CHART (self), FALSE);
  return self->stacked;
}

void
sapa_bar_chart_set_stacked (SapaBarChart *self,
                            gboolean      stacked)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));

  stacked = !!stacked;
  if (self->stacked == stacked)
    return;
  self->stacked = stacked;
  sapa_chart_data_changed (SAPA_CHART (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STACKED]);
}

void
sapa_bar_chart_set_title (SapaBarChart *self,
                          const char   *title)
{
  g_return_if_fail (SAPA_IS_BAR_CHART (self));

  sapa_chart_set_title (SAPA_CHART (self), title);
}

gboolean
sapa_bar_chart_get_focus_bar (SapaBarChart *self,
                              guint        *bar,
                              guint        *segment)
{
  g_return_val_if_fail (SAPA_IS_BAR_CHART (self), FALSE);

  return sapa_chart_core_get_focus_indices (sapa_chart_get_core (SAPA_CHART (self)), bar, segment);
}

gboolean
sapa_bar_chart_get_bar_position (SapaBarChart *self,
                                 guint         bar,
                                 guint         segment,
                                 double       *x,
                                 double       *y)
{
  g_return_val_if_fail (SAPA_IS_BAR_CHART (self), FALSE);

  return sapa_chart_core_get_item_center (sapa_chart_get_core (SAPA_CHART (self)), bar, segment, x, y);
}
