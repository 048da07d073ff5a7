/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-heatmap"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sapa-heatmap.h"

#define PAD 6.0
#define GAP 2.0

typedef struct {
  double  pos;
  char   *text;
} Label;

typedef struct {
  graphene_rect_t rect;
  float           alpha;
} Cell;

struct _SapaHeatmap
{
  SapaChart            parent_instance;

  GArray              *values;       /* double, n_rows x n_cols */
  GPtrArray           *row_labels;   /* char* */
  GPtrArray           *col_labels;   /* char* */
  guint                n_rows;
  guint                n_cols;
  SapaChartColor       color;

  /* geometry */
  graphene_rect_t      grid;
  GArray              *rows;      /* Label: pos = centre y */
  GArray              *cols;      /* Label: pos = centre x */
  GArray              *cells;     /* Cell, only those with a value */
  gboolean             has_data;
};

G_DEFINE_FINAL_TYPE (SapaHeatmap, sapa_heatmap, SAPA_TYPE_CHART)

enum {
  CELL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
label_clear (gpointer data)
{
  Label *l = data;

  g_free (l->text);
}

static double
value_at (SapaHeatmap *self,
          guint        row,
          guint        col)
{
  return g_array_index (self->values, double, row * self->n_cols + col);
}

static const char *
row_label (SapaHeatmap *self,
           guint        row)
{
  return row < self->row_labels->len ? g_ptr_array_index (self->row_labels, row) : "";
}

static const char *
col_label (SapaHeatmap *self,
           guint        col)
{
  return col < self->col_labels->len ? g_ptr_array_index (self->col_labels, col) : "";
}

static char *
format_value (SapaHeatmap *self,
              double       value)
{
  return sapa_chart_format_value (SAPA_CHART (self), value);
}

static void
sapa_heatmap_update_accessible (SapaChart *chart)
{
  SapaHeatmap *self = SAPA_HEATMAP (chart);
  const char *title = sapa_chart_get_title (chart);
  g_autoptr(GString) label = g_string_new (title ? title : _("Heat map"));
  g_autofree char *description = NULL;
  double best = -INFINITY;
  guint best_r = 0, best_c = 0;

  for (guint r = 0; r < self->n_rows; r++)
    for (guint c = 0; c < self->n_cols; c++)
      {
        double v = value_at (self, r, c);

        if (isfinite (v) && v > best)
          {
            best = v;
            best_r = r;
            best_c = c;
          }
      }

  if (isfinite (best))
    {
      g_autofree char *v = format_value (self, best);

      /* Translators: a heat map's accessible summary: "highest: Monday 10:00, 42" */
      g_string_append_printf (label, _(", highest: %s %s, %s"),
                              row_label (self, best_r), col_label (self, best_c), v);
    }
  else
    g_string_append_printf (label, ", %s", _("no data"));

  /* Translators: a heat map's accessible description: "7 rows by 24 columns" */
  description = g_strdup_printf (_("%u rows by %u columns"), self->n_rows, self->n_cols);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static gboolean
sapa_heatmap_compute_geometry (SapaChart *chart)
{
  SapaHeatmap *self = SAPA_HEATMAP (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  SapaChartCore *core = sapa_chart_get_core (chart);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int row_w = 0, col_w = 0, col_h = 0;
  double lo = INFINITY, hi = -INFINITY, cw, ch, left, top;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (SapaChartItem));
  guint every = 1;

  g_array_set_size (self->rows, 0);
  g_array_set_size (self->cols, 0);
  g_array_set_size (self->cells, 0);
  self->has_data = FALSE;

  for (guint i = 0; i < self->values->len; i++)
    {
      double v = g_array_index (self->values, double, i);

      if (!isfinite (v))
        continue;
      lo = MIN (lo, v);
      hi = MAX (hi, v);
      self->has_data = TRUE;
    }
  /* counts: the faintest shade means zero */
  if (self->has_data)
    lo = MIN (lo, 0);

  if (width <= 0 || height <= 0 || self->n_rows == 0 || self->n_cols == 0)
    {
      graphene_rect_init (&self->grid, 0, 0, 0, 0);
      sapa_chart_core_set_items (core, NULL);
      return FALSE;
    }

  for (guint r = 0; r < self->n_rows; r++)
    {
      int w;

      sapa_chart_measure_text (widget, row_label (self, r), TRUE, &w, NULL);
      row_w = MAX (row_w, w);
    }
  for (guint c = 0; c < self->n_cols; c++)
    {
      int w, h;

      sapa_chart_measure_text (widget, col_label (self, c), TRUE, &w, &h);
      col_w = MAX (col_w, w);
      col_h = MAX (col_h, h);
    }

  left = PAD + row_w + PAD;
  top = PAD + (col_h > 0 ? col_h + PAD : 0);
  cw = (width - PAD - left) / self->n_cols;
  ch = (height - PAD - top) / self->n_rows;
  if (cw < 3 || ch < 3)
    {
      graphene_rect_init (&self->grid, 0, 0, 0, 0);
      sapa_chart_core_set_items (core, NULL);
      return FALSE;
    }
  graphene_rect_init (&self->grid, left, top, cw * self->n_cols, ch * self->n_rows);

  for (guint r = 0; r < self->n_rows; r++)
    {
      Label l = { top + ch * (r + 0.5), g_strdup (row_label (self, r)) };

      g_array_append_val (self->rows, l);
    }
  while (every < self->n_cols && cw * every < col_w + 6)
    every++;
  for (guint c = 0; c < self->n_cols; c += every)
    {
      Label l = { left + cw * (c + 0.5), g_strdup (col_label (self, c)) };

      g_array_append_val (self->cols, l);
    }

  for (guint r = 0; r < self->n_rows; r++)
    for (guint c = 0; c < self->n_cols; c++)
      {
        double v = value_at (self, r, c);
        SapaChartItem item = { 0 };
        Cell cell;

        graphene_rect_init (&item.hit, left + cw * c, top + ch * r, cw, ch);
        graphene_rect_inset_r (&item.hit, GAP / 2, GAP / 2, &item.mark);
        if (!isfinite (v))
          continue;
        cell.rect = item.mark;
        cell.alpha = hi - lo > 1e-12 ? 0.08 + 0.92 * (v - lo) / (hi - lo) : 0.6;
        g_array_append_val (self->cells, cell);
        item.a = r;
        item.b = c;
        item.value = v;
        g_array_append_val (items, item);
      }
  sapa_chart_core_set_items (core, items);
  return TRUE;
}

static void
sapa_heatmap_build_scene (SapaChart   *chart,
                          GtkSnapshot *snapshot)
{
  SapaHeatmap *self = SAPA_HEATMAP (chart);
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA base, text, axis;
  const graphene_rect_t *g = &self->grid;

  sapa_chart_lookup_color (widget, self->color, &base);
  sapa_chart_foreground (widget, 0.7, &text);
  sapa_chart_foreground (widget, 0.25, &axis);

  for (guint i = 0; i < self->rows->len; i++)
    {
      Label *l = &g_array_index (self->rows, Label, i);

      sapa_chart_append_text (widget, snapshot, l->text, g->origin.x - PAD, l->pos, 1.0, 0.5, &text, TRUE);
    }
  for (guint i = 0; i < self->cols->len; i++)
    {
      Label *l = &g_array_index (self->cols, Label, i);

      sapa_chart_append_text (widget, snapshot, l->text, l->pos, g->origin.y - PAD, 0.5, 1.0, &text, TRUE);
    }

  /* the frame of the grid (the axes of an empty map) */
  sapa_chart_append_rule (snapshot, g->origin.x, g->origin.y, g->origin.x, g->origin.y + g->size.height, &axis);
  sapa_chart_append_rule (snapshot, g->origin.x, g->origin.y + g->size.height,
                          g->origin.x + g->size.width, g->origin.y + g->size.height, &axis);

  for (guint i = 0; i < self->cells->len; i++)
    {
      Cell *cell = &g_array_index (self->cells, Cell, i);
      GdkRGBA c = base;

      c.alpha *= cell->alpha;
      gtk_snapshot_append_color (snapshot, &c, &cell->rect);
    }
}

static char *
sapa_heatmap_describe_item (SapaChart           *chart,
                            const SapaChartItem *item)
{
  SapaHeatmap *self = SAPA_HEATMAP (chart);
  g_autofree char *value = format_value (self, item->value);

  /* Translators: a heat map tooltip: "<row> <column>: <value>", e.g. "Monday 10:00: 42" */
  return g_strdup_printf (_("%s %s: %s"), row_label (self, item->a), col_label (self, item->b), value);
}

static void
sapa_heatmap_activate_item (SapaChart           *chart,
                            const SapaChartItem *item)
{
  g_signal_emit (chart, signals[CELL_ACTIVATED], 0, item->a, item->b);
}

static void
sapa_heatmap_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  SapaHeatmap *self = SAPA_HEATMAP (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = MAX (480, (int) self->n_cols * 22 + 80);
    }
  else
    {
      *minimum = 100;
      *natural = MAX (200, (int) self->n_rows * 24 + 30);
    }
}

static void
sapa_heatmap_finalize (GObject *object)
{
  SapaHeatmap *self = SAPA_HEATMAP (object);

  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->row_labels, g_ptr_array_unref);
  g_clear_pointer (&self->col_labels, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->cols, g_array_unref);
  g_clear_pointer (&self->cells, g_array_unref);

  G_OBJECT_CLASS (sapa_heatmap_parent_class)->finalize (object);
}

static void
sapa_heatmap_class_init (SapaHeatmapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  SapaChartClass *chart_class = SAPA_CHART_CLASS (klass);

  object_class->finalize = sapa_heatmap_finalize;
  widget_class->measure = sapa_heatmap_measure;
  chart_class->compute_geometry = sapa_heatmap_compute_geometry;
  chart_class->build_scene = sapa_heatmap_build_scene;
  chart_class->update_accessible = sapa_heatmap_update_accessible;
  chart_class->describe_item = sapa_heatmap_describe_item;
  chart_class->activate_item = sapa_heatmap_activate_item;

  /**
   * SapaHeatmap::cell-activated:
   * @row: the cell's row
   * @col: the cell's column
   *
   * A cell was clicked, or activated with Enter or Space.
   */
  signals[CELL_ACTIVATED] = sapa_chart_class_setup (widget_class, "heatmap", "cell-activated");
}

static void
sapa_heatmap_init (SapaHeatmap *self)
{
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  self->row_labels = g_ptr_array_new_with_free_func (g_free);
  self->col_labels = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Label));
  g_array_set_clear_func (self->rows, label_clear);
  self->cols = g_array_new (FALSE, TRUE, sizeof (Label));
  g_array_set_clear_func (self->cols, label_clear);
  self->cells = g_array_new (FALSE, TRUE, sizeof (Cell));
  self->color = SAPA_CHART_COLOR_ACCENT;
}

GtkWidget *
sapa_heatmap_new (void)
{
  return g_object_new (SAPA_TYPE_HEATMAP, NULL);
}

void
sapa_heatmap_set_data (SapaHeatmap       *self,
                       const double      *values,
                       guint              n_rows,
                       guint              n_cols,
                       const char *const *row_labels,
                       const char *const *col_labels)
{
  g_return_if_fail (SAPA_IS_HEATMAP (self));
  g_return_if_fail (values != NULL || n_rows * n_cols == 0);

  g_array_set_size (self->values, 0);
  g_ptr_array_set_size (self->row_labels, 0);
  g_ptr_array_set_size (self->col_labels, 0);
  if (n_rows * n_cols > 0)
    g_array_append_vals (self->values, values, n_rows * n_cols);
  for (guint r = 0; r < n_rows; r++)
    g_ptr_array_add (self->row_labels, g_strdup (row_labels && row_labels[r] ? row_labels[r] : ""));
  for (guint c = 0; c < n_cols; c++)
    g_ptr_array_add (self->col_labels, g_strdup (col_labels && col_labels[c] ? col_labels[c] : ""));
  self->n_rows = n_rows;
  self->n_cols = n_cols;
  sapa_chart_data_changed (SAPA_CHART (self));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
sapa_heatmap_set_format (SapaHeatmap         *self,
                         SapaChartFormatFunc  func,
                         gpointer             data,
                         GDestroyNotify       destroy)
{
  g_return_if_fail (SAPA_IS_HEATMAP (self));

  sapa_chart_set_format (SAPA_CHART (self), func, data, destroy);
}

void
sapa_heatmap_set_color (SapaHeatmap    *self,
                        SapaChartColor  color)
{
  g_return_if_fail (SAPA_IS_HEATMAP (self));

  self->color = color;
  sapa_chart_invalidate_scene (SAPA_CHART (self));
}

void
sapa_heatmap_set_title (SapaHeatmap *self,
                        const char  *title)
{
  g_return_if_fail (SAPA_IS_HEATMAP (self));

  sapa_chart_set_title (SAPA_CHART (self), title);
}

gboolean
sapa_heatmap_get_focus_cell (SapaHeatmap *self,
                             guint       *row,
                             guint       *col)
{
  g_return_val_if_fail (SAPA_IS_HEATMAP (self), FALSE);

  return sapa_chart_core_get_focus_indices (sapa_chart_get_core (SAPA_CHART (self)), row, col);
}

gboolean
sapa_heatmap_get_cell_position (SapaHeatmap *self,
                                guint        row,
                                guint        col,
                                double      *x,
                                double      *y)
{
  g_return_val_if_fail (SAPA_IS_HEATMAP (self), FALSE);

  return sapa_chart_core_get_item_center (sapa_chart_get_core (SAPA_CHART (self)), row, col, x, y);
}
