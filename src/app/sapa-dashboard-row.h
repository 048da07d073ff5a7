/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <sapa/sapa-metrics.h>

G_BEGIN_DECLS

/* One line of the agent or branch table: an agent's or a branch's figures. */
#define SAPA_TYPE_DASHBOARD_ROW (sapa_dashboard_row_get_type ())
G_DECLARE_FINAL_TYPE (SapaDashboardRow, sapa_dashboard_row, SAPA, DASHBOARD_ROW, GObject)

/* @key: the agent or branch id ("" = none); @name: what people read. */
SapaDashboardRow *sapa_dashboard_row_new               (const char           *key,
                                                        const char           *name,
                                                        const SapaMetricsRow *row);
const char       *sapa_dashboard_row_get_key           (SapaDashboardRow *self);
const char       *sapa_dashboard_row_get_name          (SapaDashboardRow *self);
guint             sapa_dashboard_row_get_conversations (SapaDashboardRow *self);
/* NAN when there is nothing to measure. */
double            sapa_dashboard_row_get_csat          (SapaDashboardRow *self);
double            sapa_dashboard_row_get_fcr           (SapaDashboardRow *self);
double            sapa_dashboard_row_get_aht           (SapaDashboardRow *self);
double            sapa_dashboard_row_get_sla           (SapaDashboardRow *self);

G_END_DECLS
