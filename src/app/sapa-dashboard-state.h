/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-metrics.h>

G_BEGIN_DECLS

/*
 * What the dashboard shows, as pure functions of the figures: the period a
 * choice of the period menu stands for, and the texts and trend of each KPI
 * tile. No widgets here, so the tests check them directly.
 */

#define SAPA_DASHBOARD_ERROR (sapa_dashboard_error_quark ())
typedef enum {
  SAPA_DASHBOARD_ERROR_BAD_RANGE,
} SapaDashboardError;
GQuark sapa_dashboard_error_quark (void);

typedef enum {
  SAPA_DASHBOARD_PERIOD_TODAY,
  SAPA_DASHBOARD_PERIOD_LAST_7_DAYS,
  SAPA_DASHBOARD_PERIOD_LAST_30_DAYS,
  SAPA_DASHBOARD_PERIOD_THIS_QUARTER,
  SAPA_DASHBOARD_PERIOD_CUSTOM,
} SapaDashboardPeriod;

/* [@from, @to) of @period for the day of @now (in @now's zone): whole days,
 * ending with the day of @now. CUSTOM uses @first_day..@last_day (both
 * included; "YYYY-MM-DD" dates read in @now's zone) and fails with
 * SAPA_DASHBOARD_ERROR_BAD_RANGE when the first comes after the last. */
gboolean sapa_dashboard_period_range (SapaDashboardPeriod  period,
                                      GDateTime           *now,
                                      GDate               *first_day,
                                      GDate               *last_day,
                                      gint64              *from,
                                      gint64              *to,
                                      GError             **error);

/* The period in words for the window subtitle and reports: "1 Nov 2026 – 23 Nov 2026". */
char    *sapa_dashboard_format_range (gint64      from,
                                      gint64      to,
                                      GTimeZone  *tz);

typedef enum {
  SAPA_DASHBOARD_KPI_CSAT,
  SAPA_DASHBOARD_KPI_NPS,
  SAPA_DASHBOARD_KPI_CES,
  SAPA_DASHBOARD_KPI_FCR,
  SAPA_DASHBOARD_KPI_AHT,
  SAPA_DASHBOARD_KPI_FRT,
  SAPA_DASHBOARD_KPI_SLA,
  SAPA_DASHBOARD_N_KPIS,
} SapaDashboardKpi;

typedef enum {
  SAPA_DASHBOARD_TREND_NONE,     /* nothing to compare */
  SAPA_DASHBOARD_TREND_GOOD,
  SAPA_DASHBOARD_TREND_BAD,
  SAPA_DASHBOARD_TREND_NEUTRAL,  /* no change */
} SapaDashboardTrend;

typedef struct {
  const char         *title;        /* translated, static */
  const char         *description;  /* translated, static: what the figure means */
  char               *value;        /* "87.5%", "+42", "5.3", "4.1 min"; "—" without data */
  char               *change;       /* "+2.5 pts", "−30 s"; "" without a comparison */
  SapaDashboardTrend  trend;
} SapaDashboardTile;

/* The figure of @kpi in @row (NAN when there is nothing to measure). */
double   sapa_dashboard_kpi_value    (SapaDashboardKpi       kpi,
                                      const SapaMetricsRow  *row);
/* Fills @tile for @kpi from this period's @current and the previous period's
 * @previous (NULL: no comparison). Free with sapa_dashboard_tile_clear(). */
void     sapa_dashboard_tile_compute (SapaDashboardKpi       kpi,
                                      const SapaMetricsRow  *current,
                                      const SapaMetricsRow  *previous,
                                      SapaDashboardTile     *tile);
void     sapa_dashboard_tile_clear   (SapaDashboardTile     *tile);

/* Figures as the tables show them: "87.5%", a duration, or "—" for NAN. */
char    *sapa_dashboard_format_percent  (double value);
char    *sapa_dashboard_format_seconds  (double value);
/* A duration short enough for a tile: "45 s", "5.5 min", "1.2 h". */
char    *sapa_dashboard_format_minutes  (double value);
/* A number with one decimal in the locale's notation ("5.3" / "5,3"). */
char    *sapa_dashboard_format_decimal  (double value);

G_END_DECLS
