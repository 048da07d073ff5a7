/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-kpi-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-kpi-tile.h"
#include "sapa-sparkline.h"

struct _SapaKpiTile
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *change_label;
  SapaSparkline *sparkline;
  GtkLabel     *title_label;
  GtkLabel     *value_label;

  char         *title;
  char         *value;
  char         *change;
  char         *description;
  SapaKpiTrend  trend;
};

G_DEFINE_FINAL_TYPE (SapaKpiTile, sapa_kpi_tile, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (SapaKpiTrend, sapa_kpi_trend,
  G_DEFINE_ENUM_VALUE (SAPA_KPI_TREND_NONE, "none"),
  G_DEFINE_ENUM_VALUE (SAPA_KPI_TREND_GOOD, "good"),
  G_DEFINE_ENUM_VALUE (SAPA_KPI_TREND_BAD, "bad"),
  G_DEFINE_ENUM_VALUE (SAPA_KPI_TREND_NEUTRAL, "neutral"))

enum {
  PROP_0,
  PROP_TITLE,
  PROP_VALUE,
  PROP_CHANGE,
  PROP_TREND,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
set_str (char       **dest,
         const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static void
update_accessible (SapaKpiTile *self)
{
  g_autoptr(GString) label = g_string_new (self->title ? self->title : "");

  if (self->value != NULL && self->value[0] != '\0')
    g_string_append_printf (label, ": %s", self->value);
  if (self->change != NULL && self->change[0] != '\0')
    g_string_append_printf (label, " (%s)", self->change);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->description ? self->description : "",
                                  -1);
}

static void
update_trend_style (SapaKpiTile *self)
{
  GtkWidget *label = GTK_WIDGET (self->change_label);

  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "dim-label");
  switch (self->trend)
    {
    case SAPA_KPI_TREND_GOOD:
      gtk_widget_add_css_class (label, "success");
      break;
    case SAPA_KPI_TREND_BAD:
      gtk_widget_add_css_class (label, "error");
      break;
    case SAPA_KPI_TREND_NONE:
    case SAPA_KPI_TREND_NEUTRAL:
    default:
      gtk_widget_add_css_class (label, "dim-label");
      break;
    }
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             SapaKpiTile     *self)
{
  if (!gtk_widget_contains (GTK_WIDGET (self), x, y))
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
sapa_kpi_tile_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAPA_TYPE_KPI_TILE);
  G_OBJECT_CLASS (sapa_kpi_tile_parent_class)->dispose (object);
}

static void
sapa_kpi_tile_finalize (GObject *object)
{
  SapaKpiTile *self = SAPA_KPI_TILE (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->value, g_free);
  g_clear_pointer (&self->change, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (sapa_kpi_tile_parent_class)->finalize (object);
}

static void
sapa_kpi_tile_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SapaKpiTile *self = SAPA_KPI_TILE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_VALUE:
      g_value_set_string (value, self->value);
      break;
    case PROP_CHANGE:
      g_value_set_string (value, self->change);
      break;
    case PROP_TREND:
      g_value_set_enum (value, self->trend);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_kpi_tile_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SapaKpiTile *self = SAPA_KPI_TILE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      sapa_kpi_tile_set_title (self, g_value_get_string (value));
      break;
    case PROP_VALUE:
      sapa_kpi_tile_set_value (self, g_value_get_string (value));
      break;
    case PROP_CHANGE:
      sapa_kpi_tile_set_change (self, g_value_get_string (value));
      break;
    case PROP_TREND:
      sapa_kpi_tile_set_trend (self, g_value_get_enum (value));
      break;
    case PROP_DESCRIPTION:
      sapa_kpi_tile_set_description (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_kpi_tile_class_init (SapaKpiTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_kpi_tile_dispose;
  object_class->finalize = sapa_kpi_tile_finalize;
  object_class->get_property = sapa_kpi_tile_get_property;
  object_class->set_property = sapa_kpi_tile_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANGE] =
    g_param_spec_string ("change", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TREND] =
    g_param_spec_enum ("trend", NULL, NULL, SAPA_TYPE_KPI_TREND, SAPA_KPI_TREND_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SapaKpiTile::activated:
   *
   * The tile was clicked or activated with Enter or Space.
   */
  signals[ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_activate_signal (widget_class, signals[ACTIVATED]);

  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Return, 0, "activated", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_ISO_Enter, 0, "activated", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Enter, 0, "activated", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_space, 0, "activated", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Space, 0, "activated", NULL);

  g_type_ensure (SAPA_TYPE_SPARKLINE);
  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-kpi-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaKpiTile, box);
  gtk_widget_class_bind_template_child (widget_class, SapaKpiTile, change_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKpiTile, sparkline);
  gtk_widget_class_bind_template_child (widget_class, SapaKpiTile, title_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKpiTile, value_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kpitile");
}

static void
sapa_kpi_tile_init (SapaKpiTile *self)
{
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (released_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  /* the sparkline is described by the tile */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sparkline),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self->change_label), FALSE);
  update_trend_style (self);
  update_accessible (self);
}

GtkWidget *
sapa_kpi_tile_new (void)
{
  return g_object_new (SAPA_TYPE_KPI_TILE, NULL);
}

const char *
sapa_kpi_tile_get_title (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), NULL);
  return self->title;
}

void
sapa_kpi_tile_set_title (SapaKpiTile *self,
                         const char  *title)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  if (!set_str (&self->title, title))
    return;
  gtk_label_set_label (self->title_label, title ? title : "");
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
sapa_kpi_tile_get_value (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), NULL);
  return self->value;
}

void
sapa_kpi_tile_set_value (SapaKpiTile *self,
                         const char  *value)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  if (!set_str (&self->value, value))
    return;
  gtk_label_set_label (self->value_label, value ? value : "");
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}

const char *
sapa_kpi_tile_get_change (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), NULL);
  return self->change;
}

void
sapa_kpi_tile_set_change (SapaKpiTile *self,
                          const char  *change)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  if (!set_str (&self->change, change))
    return;
  gtk_label_set_label (self->change_label, change ? change : "");
  gtk_widget_set_visible (GTK_WIDGET (self->change_label), change != NULL && change[0] != '\0');
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGE]);
}

SapaKpiTrend
sapa_kpi_tile_get_trend (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), SAPA_KPI_TREND_NONE);
  return self->trend;
}

void
sapa_kpi_tile_set_trend (SapaKpiTile  *self,
                         SapaKpiTrend  trend)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  if (self->trend == trend)
    return;
  self->trend = trend;
  update_trend_style (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TREND]);
}

const char *
sapa_kpi_tile_get_description (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), NULL);
  return self->description;
}

void
sapa_kpi_tile_set_description (SapaKpiTile *self,
                               const char  *description)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  if (!set_str (&self->description, description))
    return;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

void
sapa_kpi_tile_set_series (SapaKpiTile  *self,
                          const double *values,
                          guint         n)
{
  g_return_if_fail (SAPA_IS_KPI_TILE (self));

  sapa_sparkline_set_values (self->sparkline, values, n);
}

GtkWidget *
sapa_kpi_tile_get_sparkline (SapaKpiTile *self)
{
  g_return_val_if_fail (SAPA_IS_KPI_TILE (self), NULL);
  return GTK_WIDGET (self->sparkline);
}
