/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-chart.h"

typedef struct
{
  SapaChartCore       *core;
  GskRenderNode       *scene;
  gboolean             has_room;
  char                *title;
  SapaChartFormatFunc  format;
  gpointer             format_data;
  GDestroyNotify       format_destroy;
} SapaChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SapaChart, sapa_chart, GTK_TYPE_WIDGET)

static void
compute_geometry (SapaChart *self)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  priv->has_room = SAPA_CHART_GET_CLASS (self)->compute_geometry (self);
}

static void
build_scene (SapaChart *self)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  SAPA_CHART_GET_CLASS (self)->build_scene (self, snapshot);
  priv->scene = gtk_snapshot_free_to_node (snapshot);
}

static char *
describe_cb (GtkWidget           *widget,
             const SapaChartItem *item)
{
  return SAPA_CHART_GET_CLASS (widget)->describe_item (SAPA_CHART (widget), item);
}

static void
activate_cb (GtkWidget           *widget,
             const SapaChartItem *item)
{
  SAPA_CHART_GET_CLASS (widget)->activate_item (SAPA_CHART (widget), item);
}

static void
sapa_chart_constructed (GObject *object)
{
  SapaChart *self = SAPA_CHART (object);
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);
  SapaChartClass *klass = SAPA_CHART_GET_CLASS (self);
  /* made here rather than in init, where the subclass's class is not
   * known yet */
  SapaChartCoreClass core_class = {
    .describe = describe_cb,
    .activate = activate_cb,
    .left_right_moves_a = klass->left_right_moves_a,
    .down_delta = klass->down_delta,
    .points = klass->points,
  };

  G_OBJECT_CLASS (sapa_chart_parent_class)->constructed (object);

  priv->core = sapa_chart_core_new (GTK_WIDGET (self), &core_class);
  klass->update_accessible (self);
}

static void
sapa_chart_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  SapaChart *self = SAPA_CHART (widget);
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  if (!priv->has_room)
    return;
  if (priv->scene == NULL)
    build_scene (self);
  gtk_snapshot_append_node (snapshot, priv->scene);
  sapa_chart_core_snapshot (priv->core, snapshot);
}

static void
sapa_chart_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  SapaChart *self = SAPA_CHART (widget);

  compute_geometry (self);
  sapa_chart_invalidate_scene (self);
}

static void
sapa_chart_css_changed (GtkWidget         *widget,
                        GtkCssStyleChange *change)
{
  SapaChart *self = SAPA_CHART (widget);

  GTK_WIDGET_CLASS (sapa_chart_parent_class)->css_changed (widget, change);
  /* the font may have changed: labels take another size */
  compute_geometry (self);
  sapa_chart_invalidate_scene (self);
}

static void
sapa_chart_dispose (GObject *object)
{
  SapaChart *self = SAPA_CHART (object);
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_clear_pointer (&priv->core, sapa_chart_core_free);
  G_OBJECT_CLASS (sapa_chart_parent_class)->dispose (object);
}

static void
sapa_chart_finalize (GObject *object)
{
  SapaChart *self = SAPA_CHART (object);
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  sapa_chart_clear_format (priv->format_data, priv->format_destroy);
  g_clear_pointer (&priv->scene, gsk_render_node_unref);
  g_clear_pointer (&priv->title, g_free);

  G_OBJECT_CLASS (sapa_chart_parent_class)->finalize (object);
}

static void
sapa_chart_class_init (SapaChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sapa_chart_constructed;
  object_class->dispose = sapa_chart_dispose;
  object_class->finalize = sapa_chart_finalize;
  widget_class->snapshot = sapa_chart_snapshot;
  widget_class->size_allocate = sapa_chart_size_allocate;
  widget_class->css_changed = sapa_chart_css_changed;

  klass->down_delta = 1;
}

static void
sapa_chart_init (SapaChart *self)
{
}

SapaChartCore *
sapa_chart_get_core (SapaChart *self)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_val_if_fail (SAPA_IS_CHART (self), NULL);

  return priv->core;
}

const char *
sapa_chart_get_title (SapaChart *self)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_val_if_fail (SAPA_IS_CHART (self), NULL);

  return priv->title;
}

void
sapa_chart_set_title (SapaChart  *self,
                      const char *title)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_if_fail (SAPA_IS_CHART (self));

  g_free (priv->title);
  priv->title = g_strdup (title);
  SAPA_CHART_GET_CLASS (self)->update_accessible (self);
}

void
sapa_chart_set_format (SapaChart           *self,
                       SapaChartFormatFunc  func,
                       gpointer             data,
                       GDestroyNotify       destroy)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_if_fail (SAPA_IS_CHART (self));

  sapa_chart_replace_format (&priv->format, &priv->format_data, &priv->format_destroy,
                             func, data, destroy);
  sapa_chart_data_changed (self);
}

char *
sapa_chart_format_value (SapaChart *self,
                         double     value)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_val_if_fail (SAPA_IS_CHART (self), NULL);

  return sapa_chart_format (priv->format, priv->format_data, value);
}

void
sapa_chart_data_changed (SapaChart *self)
{
  g_return_if_fail (SAPA_IS_CHART (self));

  compute_geometry (self);
  SAPA_CHART_GET_CLASS (self)->update_accessible (self);
  sapa_chart_invalidate_scene (self);
}

void
sapa_chart_invalidate_scene (SapaChart *self)
{
  SapaChartPrivate *priv = sapa_chart_get_instance_private (self);

  g_return_if_fail (SAPA_IS_CHART (self));

  g_clear_pointer (&priv->scene, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
