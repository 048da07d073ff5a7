/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  SAPA_KPI_TREND_NONE,
  SAPA_KPI_TREND_GOOD,
  SAPA_KPI_TREND_BAD,
  SAPA_KPI_TREND_NEUTRAL,
} SapaKpiTrend;

GType sapa_kpi_trend_get_type (void) G_GNUC_CONST;
#define SAPA_TYPE_KPI_TREND (sapa_kpi_trend_get_type ())

#define SAPA_TYPE_KPI_TILE (sapa_kpi_tile_get_type ())
G_DECLARE_FINAL_TYPE (SapaKpiTile, sapa_kpi_tile, SAPA, KPI_TILE, GtkWidget)

/*
 * A dashboard tile: title, a big value, the change against the previous
 * period (coloured by trend: GOOD green, BAD red, NEUTRAL/NONE dim) and a
 * sparkline. Activatable like a button (click, Enter, Space): emits
 * "activated".
 */
GtkWidget    *sapa_kpi_tile_new             (void);
const char   *sapa_kpi_tile_get_title       (SapaKpiTile  *self);
void          sapa_kpi_tile_set_title       (SapaKpiTile  *self,
                                             const char   *title);
const char   *sapa_kpi_tile_get_value       (SapaKpiTile  *self);
void          sapa_kpi_tile_set_value       (SapaKpiTile  *self,
                                             const char   *value);
const char   *sapa_kpi_tile_get_change      (SapaKpiTile  *self);
void          sapa_kpi_tile_set_change      (SapaKpiTile  *self,
                                             const char   *change);
SapaKpiTrend  sapa_kpi_tile_get_trend       (SapaKpiTile  *self);
void          sapa_kpi_tile_set_trend       (SapaKpiTile  *self,
                                             SapaKpiTrend  trend);
const char   *sapa_kpi_tile_get_description (SapaKpiTile  *self);
void          sapa_kpi_tile_set_description (SapaKpiTile  *self,
                                             const char   *description);
void          sapa_kpi_tile_set_series      (SapaKpiTile  *self,
                                             const double *values,
                                             guint         n);
/* The tile's sparkline (tests, styling). */
GtkWidget    *sapa_kpi_tile_get_sparkline   (SapaKpiTile  *self);

G_END_DECLS
