/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-dashboard-row"

#include "config.h"

#include <math.h>

#include "sapa-dashboard-row.h"

struct _SapaDashboardRow
{
  GObject  parent_instance;

  char    *key;
  char    *name;
  guint    conversations;
  double   csat;
  double   fcr;
  double   aht;
  double   sla;
};

G_DEFINE_FINAL_TYPE (SapaDashboardRow, sapa_dashboard_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_NAME,
  PROP_CONVERSATIONS,
  PROP_CSAT,
  PROP_FCR,
  PROP_AHT,
  PROP_SLA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sapa_dashboard_row_finalize (GObject *object)
{
  SapaDashboardRow *self = SAPA_DASHBOARD_ROW (object);

  g_free (self->key);
  g_free (self->name);
  G_OBJECT_CLASS (sapa_dashboard_row_parent_class)->finalize (object);
}

static void
sapa_dashboard_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SapaDashboardRow *self = SAPA_DASHBOARD_ROW (object);

  switch (prop_id)
    {
    case PROP_KEY: g_value_set_string (value, self->key); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_CONVERSATIONS: g_value_set_uint (value, self->conversations); break;
    case PROP_CSAT: g_value_set_double (value, self->csat); break;
    case PROP_FCR: g_value_set_double (value, self->fcr); break;
    case PROP_AHT: g_value_set_double (value, self->aht); break;
    case PROP_SLA: g_value_set_double (value, self->sla); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_dashboard_row_class_init (SapaDashboardRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sapa_dashboard_row_finalize;
  object_class->get_property = sapa_dashboard_row_get_property;

  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CONVERSATIONS] = g_param_spec_uint ("conversations", NULL, NULL,
                                                      0, G_MAXUINT, 0, flags);
  properties[PROP_CSAT] = g_param_spec_double ("csat", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_FCR] = g_param_spec_double ("fcr", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_AHT] = g_param_spec_double ("aht", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_SLA] = g_param_spec_double ("sla", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sapa_dashboard_row_init (SapaDashboardRow *self)
{
  self->csat = self->fcr = self->aht = self->sla = NAN;
}

SapaDashboardRow *
sapa_dashboard_row_new (const char           *key,
                        const char           *name,
                        const SapaMetricsRow *row)
{
  SapaDashboardRow *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (SAPA_TYPE_DASHBOARD_ROW, NULL);
  self->key = g_strdup (key ? key : "");
  self->name = g_strdup (name ? name : "");
  self->conversations = row->counts.conversations;
  self->csat = sapa_metrics_counts_csat (&row->counts);
  self->fcr = sapa_metrics_counts_fcr (&row->counts);
  self->aht = sapa_metrics_counts_aht (&row->counts);
  self->sla = sapa_metrics_counts_sla (&row->counts);
  return self;
}

const char *
sapa_dashboard_row_get_key (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NULL);
  return self->key;
}

const char *
sapa_dashboard_row_get_name (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NULL);
  return self->name;
}

guint
sapa_dashboard_row_get_conversations (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), 0);
  return self->conversations;
}

double
sapa_dashboard_row_get_csat (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NAN);
  return self->csat;
}

double
sapa_dashboard_row_get_fcr (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NAN);
  return self->fcr;
}

double
sapa_dashboard_row_get_aht (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NAN);
  return self->aht;
}

double
sapa_dashboard_row_get_sla (SapaDashboardRow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_ROW (self), NAN);
  return self->sla;
}
