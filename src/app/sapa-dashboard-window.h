/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>
#include <sapa/sapa-metrics.h>

#include "sapa-dashboard-state.h"
#include "sapa-kpi-tile.h"

G_BEGIN_DECLS

/*
 * The supervisor dashboard: KPI tiles, charts, the agent and branch tables
 * for a period and filters, drill-down to the conversations behind a figure,
 * live refresh as records arrive, a wallboard mode and CSV/PDF export.
 */
#define SAPA_TYPE_DASHBOARD_WINDOW (sapa_dashboard_window_get_type ())
G_DECLARE_FINAL_TYPE (SapaDashboardWindow, sapa_dashboard_window, SAPA, DASHBOARD_WINDOW, AdwWindow)

/* Which part of the dashboard a test or the wallboard looks at. */
typedef enum {
  SAPA_DASHBOARD_CHART_SATISFACTION,    /* SapaLineChart: CSAT and NPS by day */
  SAPA_DASHBOARD_CHART_NPS_BREAKDOWN,   /* SapaBarChart, stacked: promoters/passives/detractors by day */
  SAPA_DASHBOARD_CHART_VOLUME,          /* SapaBarChart: conversations by channel */
  SAPA_DASHBOARD_CHART_SLA,             /* SapaBarChart: SLA % by channel */
  SAPA_DASHBOARD_CHART_HOURS,           /* SapaHeatmap: weekday x hour */
  SAPA_DASHBOARD_CHART_REASONS,         /* SapaBarChart, horizontal: top contact reasons */
  SAPA_DASHBOARD_N_CHARTS,
} SapaDashboardChart;

/* @application may be NULL (tests). Reads the desk's agent and role from
 * @store (desk_meta "agent_id"); an agent sees only their own figures. */
SapaDashboardWindow *sapa_dashboard_window_new             (GtkApplication      *application,
                                                            SapaStore           *store);
SapaStore           *sapa_dashboard_window_get_store       (SapaDashboardWindow *self);

/* Filters (what the header controls set). NULL/"" = all. */
void                 sapa_dashboard_window_set_period      (SapaDashboardWindow *self,
                                                            SapaDashboardPeriod  period);
/* Switches to the custom period; FALSE with a translated error (also shown
 * in the popover) when @first_day comes after @last_day. */
gboolean             sapa_dashboard_window_set_custom_range (SapaDashboardWindow *self,
                                                            GDate               *first_day,
                                                            GDate               *last_day,
                                                            GError             **error);
void                 sapa_dashboard_window_set_branch      (SapaDashboardWindow *self,
                                                            const char          *branch_id);
void                 sapa_dashboard_window_set_channel     (SapaDashboardWindow *self,
                                                            const char          *channel);
void                 sapa_dashboard_window_set_agent       (SapaDashboardWindow *self,
                                                            const char          *agent_id);
/* The filter of the figures shown (or being computed). */
const SapaMetricsFilter *sapa_dashboard_window_get_filter  (SapaDashboardWindow *self);
/* "Now" for the periods and SLA; 0 = the real time (tests fix it). */
void                 sapa_dashboard_window_set_now         (SapaDashboardWindow *self,
                                                            gint64               now);

/* The figures shown; NULL before the first computation finished. */
SapaMetrics         *sapa_dashboard_window_get_metrics     (SapaDashboardWindow *self);
/* How many times figures were shown (each refresh adds one; tests wait on it). */
guint                sapa_dashboard_window_get_n_updates   (SapaDashboardWindow *self);
/* "loading", "empty", "error", "dashboard", "wallboard" or "drilldown". */
const char          *sapa_dashboard_window_get_view        (SapaDashboardWindow *self);
/* TRUE when the desk's agent has the "agent" role (own figures only). */
gboolean             sapa_dashboard_window_get_restricted  (SapaDashboardWindow *self);

SapaKpiTile         *sapa_dashboard_window_get_tile        (SapaDashboardWindow *self,
                                                            SapaDashboardKpi     kpi);
GtkWidget           *sapa_dashboard_window_get_chart       (SapaDashboardWindow *self,
                                                            SapaDashboardChart   chart);
GtkWidget           *sapa_dashboard_window_get_agent_table (SapaDashboardWindow *self);
GtkWidget           *sapa_dashboard_window_get_branch_table (SapaDashboardWindow *self);
GtkWidget           *sapa_dashboard_window_get_agent_filter (SapaDashboardWindow *self);
/* The figures, charts and tables (what the PDF shows). */
GtkWidget           *sapa_dashboard_window_get_content     (SapaDashboardWindow *self);

/* Drill-down: the conversations listed (SapaRecord items) and the list. */
GListModel          *sapa_dashboard_window_get_drilldown_model (SapaDashboardWindow *self);
GtkWidget           *sapa_dashboard_window_get_drilldown_view  (SapaDashboardWindow *self);
/* TRUE while the drill-down list is being read. */
gboolean             sapa_dashboard_window_get_drilldown_busy  (SapaDashboardWindow *self);

/* Wallboard: full screen, large type, the views take turns every
 * @seconds (default 15). */
void                 sapa_dashboard_window_set_wallboard   (SapaDashboardWindow *self,
                                                            gboolean             wallboard);
gboolean             sapa_dashboard_window_get_wallboard   (SapaDashboardWindow *self);
void                 sapa_dashboard_window_set_wallboard_interval (SapaDashboardWindow *self,
                                                            guint                seconds);
/* The view the wallboard shows: "tiles", "charts" or "tables". */
const char          *sapa_dashboard_window_get_wallboard_view (SapaDashboardWindow *self);

/* What the export buttons do once a file is chosen. */
void                 sapa_dashboard_window_export_csv_async  (SapaDashboardWindow *self,
                                                              GFile               *file,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean             sapa_dashboard_window_export_csv_finish (SapaDashboardWindow *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
gboolean             sapa_dashboard_window_export_pdf        (SapaDashboardWindow *self,
                                                              const char          *path,
                                                              GError             **error);

G_END_DECLS
