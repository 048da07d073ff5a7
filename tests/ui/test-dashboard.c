/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The supervisor dashboard on a demo desk and on hand-made ones: tiles show
 * what libsapa's metrics compute, filters change them, saved records refresh
 * them, drill-down lists the conversations behind a bar and opens the
 * customer, the agent role sees only their own figures, the empty state,
 * the wallboard, exports, and a screenshot for the README. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "customer-test-util.h"
#include "screenshot-test-util.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include "sapa-bar-chart.h"
#include "sapa-dashboard-row.h"
#include "sapa-dashboard-window.h"
#include "sapa-window.h"

static char      *demo_dir;
static char      *demo_path;
static SapaStore *demo_store;

/* -- pure functions -------------------------------------------------------- */

static SapaMetricsRow
make_row (guint csat_n, guint csat_satisfied, guint handled, gint64 handle_seconds)
{
  SapaMetricsRow row = { 0 };

  row.counts.csat_n = csat_n;
  row.counts.csat_satisfied = csat_satisfied;
  row.counts.handled = handled;
  row.counts.handle_seconds = handle_seconds;
  row.frt_median = NAN;
  row.frt_p90 = NAN;
  return row;
}

/* Indonesian: decimal commas (the texts around the numbers come from po/id.po). */
static void
test_tile_texts_id (void)
{
  SapaMetricsRow now = make_row (10, 8, 4, 1320);      /* CSAT 80 %, AHT 330 s */
  SapaMetricsRow before = make_row (10, 7, 4, 960);
  SapaDashboardTile tile;

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_CSAT, &now, &before, &tile);
  g_assert_true (g_str_has_prefix (tile.value, "80,0"));
  g_assert_nonnull (strstr (tile.change, "+10,0"));
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_GOOD);
  sapa_dashboard_tile_clear (&tile);

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_AHT, &now, &before, &tile);
  g_assert_true (g_str_has_prefix (tile.value, "5,5 "));
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_BAD);
  sapa_dashboard_tile_clear (&tile);
}

static void
test_tile_texts (void)
{
  SapaMetricsRow now = make_row (10, 8, 4, 1200);      /* CSAT 80 %, AHT 300 s */
  SapaMetricsRow before = make_row (10, 7, 4, 960);    /* CSAT 70 %, AHT 240 s */
  SapaMetricsRow none = make_row (0, 0, 0, 0);
  SapaDashboardTile tile;

  now.counts.nps_n = 4;
  now.counts.nps_promoters = 3;
  now.counts.nps_detractors = 1;                       /* NPS +50 */
  before.counts.nps_n = 4;
  before.counts.nps_promoters = 3;
  before.counts.nps_detractors = 1;

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_CSAT, &now, &before, &tile);
  g_assert_cmpstr (tile.value, ==, "80.0%");
  g_assert_cmpstr (tile.change, ==, "+10.0 pts");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_GOOD);
  sapa_dashboard_tile_clear (&tile);

  /* a longer handle time is worse */
  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_AHT, &now, &before, &tile);
  g_assert_cmpstr (tile.value, ==, "5.0 min");
  g_assert_cmpstr (tile.change, ==, "+1 min");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_BAD);
  sapa_dashboard_tile_clear (&tile);

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_AHT, &before, &now, &tile);
  g_assert_cmpstr (tile.change, ==, "\xe2\x88\x92" "1 min");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_GOOD);
  sapa_dashboard_tile_clear (&tile);

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_NPS, &now, &before, &tile);
  g_assert_cmpstr (tile.value, ==, "+50");
  g_assert_cmpstr (tile.change, ==, "0 pts");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_NEUTRAL);
  sapa_dashboard_tile_clear (&tile);

  /* nothing to measure: a dash and no comparison */
  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_CSAT, &none, &before, &tile);
  g_assert_cmpstr (tile.value, ==, "\xe2\x80\x94");
  g_assert_cmpstr (tile.change, ==, "");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_NONE);
  sapa_dashboard_tile_clear (&tile);

  {
    g_autofree char *a = sapa_dashboard_format_minutes (45);
    g_autofree char *b = sapa_dashboard_format_minutes (328);
    g_autofree char *c = sapa_dashboard_format_minutes (5400);

    g_assert_cmpstr (a, ==, "45 s");
    g_assert_cmpstr (b, ==, "5.5 min");
    g_assert_cmpstr (c, ==, "1.5 h");
  }

  {
    g_autofree char *dash = sapa_dashboard_format_percent (NAN);

    g_assert_cmpstr (dash, ==, "\xe2\x80\x94");
  }

  sapa_dashboard_tile_compute (SAPA_DASHBOARD_KPI_FRT, &now, NULL, &tile);
  g_assert_cmpstr (tile.value, ==, "\xe2\x80\x94");
  g_assert_cmpint (tile.trend, ==, SAPA_DASHBOARD_TREND_NONE);
  sapa_dashboard_tile_clear (&tile);
}

static void
test_period_ranges (void)
{
  g_autoptr(GTimeZone) jakarta = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(GDateTime) now = g_date_time_new (jakarta, 2026, 11, 23, 14, 5, 0);
  g_autoptr(GDateTime) midnight = g_date_time_new (jakarta, 2026, 11, 23, 0, 0, 0);
  g_autoptr(GError) error = NULL;
  gint64 day_start = g_date_time_to_unix (midnight);
  gint64 from, to;
  GDate first, last;

  g_assert_true (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_TODAY, now, NULL, NULL, &from, &to, &error));
  g_assert_cmpint (from, ==, day_start);
  g_assert_cmpint (to, ==, day_start + 86400);
  /* 00:00 WIB is 17:00 UTC the day before */
  g_assert_cmpint (from % 86400, ==, 17 * 3600);

  g_assert_true (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_LAST_7_DAYS, now, NULL, NULL, &from, &to, &error));
  g_assert_cmpint (from, ==, day_start - 6 * 86400);
  g_assert_cmpint (to, ==, day_start + 86400);

  g_assert_true (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_LAST_30_DAYS, now, NULL, NULL, &from, &to, &error));
  g_assert_cmpint (from, ==, day_start - 29 * 86400);

  g_assert_true (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_THIS_QUARTER, now, NULL, NULL, &from, &to, &error));
  {
    g_autoptr(GDateTime) october = g_date_time_new (jakarta, 2026, 10, 1, 0, 0, 0);
    g_assert_cmpint (from, ==, g_date_time_to_unix (october));
  }

  g_date_clear (&first, 1);
  g_date_clear (&last, 1);
  g_date_set_dmy (&first, 1, 11, 2026);
  g_date_set_dmy (&last, 3, 11, 2026);
  g_assert_true (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_CUSTOM, now, &first, &last, &from, &to, &error));
  g_assert_cmpint (to - from, ==, 3 * 86400);

  /* the last day before the first is refused with a message to act on */
  g_assert_false (sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_CUSTOM, now, &last, &first, &from, &to, &error));
  g_assert_error (error, SAPA_DASHBOARD_ERROR, SAPA_DASHBOARD_ERROR_BAD_RANGE);
  g_assert_cmpstr (error->message, ==,
                   g_dgettext (GETTEXT_PACKAGE, "The first day comes after the last day. Choose a first day on or before the last one."));
}

/* -- the window ------------------------------------------------------------ */

static SapaDashboardWindow *
open_dashboard (SapaStore *store)
{
  SapaDashboardWindow *dashboard = sapa_dashboard_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (dashboard), 1400, 1000);
  gtk_window_present (GTK_WINDOW (dashboard));
  WAIT_UNTIL (sapa_dashboard_window_get_n_updates (dashboard) >= 1);
  return dashboard;
}

static void
wait_update (SapaDashboardWindow *dashboard,
             guint                before)
{
  WAIT_UNTIL (sapa_dashboard_window_get_n_updates (dashboard) > before);
}

/* The tiles say what sapa_metrics_compute says for the window's filter. */
static void
assert_tiles_match (SapaDashboardWindow *dashboard)
{
  g_autoptr(GError) error = NULL;
  const SapaMetricsFilter *filter = sapa_dashboard_window_get_filter (dashboard);
  g_autoptr(SapaMetricsFilter) previous_filter = sapa_metrics_filter_previous (filter);
  g_autoptr(SapaMetrics) expected = sapa_metrics_compute (sapa_dashboard_window_get_store (dashboard), filter, &error);
  g_autoptr(SapaMetrics) previous = NULL;

  g_assert_no_error (error);
  previous = sapa_metrics_compute (sapa_dashboard_window_get_store (dashboard), previous_filter, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < SAPA_DASHBOARD_N_KPIS; k++)
    {
      SapaKpiTile *tile = sapa_dashboard_window_get_tile (dashboard, k);
      SapaDashboardTile want;

      sapa_dashboard_tile_compute (k, sapa_metrics_get_total (expected), sapa_metrics_get_total (previous), &want);
      g_assert_cmpstr (sapa_kpi_tile_get_title (tile), ==, want.title);
      g_assert_cmpstr (sapa_kpi_tile_get_value (tile), ==, want.value);
      g_assert_cmpstr (sapa_kpi_tile_get_change (tile), ==, want.change);
      g_assert_cmpint (sapa_kpi_tile_get_trend (tile), ==, (int) want.trend);
      sapa_dashboard_tile_clear (&want);
    }
  g_assert_cmpuint (sapa_metrics_get_total (sapa_dashboard_window_get_metrics (dashboard))->counts.conversations,
                    ==, sapa_metrics_get_total (expected)->counts.conversations);
}

static void
test_tiles_and_filters (void)
{
  SapaDashboardWindow *dashboard = open_dashboard (demo_store);
  SapaMetrics *metrics = sapa_dashboard_window_get_metrics (dashboard);
  const SapaMetricsRow *channel_row;
  g_autofree char *channel = NULL;
  guint all_conversations, n;

  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "dashboard");
  g_assert_false (sapa_dashboard_window_get_restricted (dashboard));
  all_conversations = sapa_metrics_get_total (metrics)->counts.conversations;
  g_assert_cmpuint (all_conversations, >, 0);
  /* the demo desk has ratings this week: the tile has a figure, not a dash */
  g_assert_cmpstr (sapa_kpi_tile_get_value (sapa_dashboard_window_get_tile (dashboard, SAPA_DASHBOARD_KPI_CSAT)),
                   !=, "\xe2\x80\x94");
  assert_tiles_match (dashboard);

  /* the agent table is sorted by conversations, most first */
  {
    GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (sapa_dashboard_window_get_agent_table (dashboard))));
    guint previous = G_MAXUINT;

    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, sapa_metrics_get_n_rows (metrics, SAPA_METRICS_BY_AGENT));
    for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
      {
        g_autoptr(SapaDashboardRow) row = g_list_model_get_item (rows, i);

        g_assert_cmpuint (sapa_dashboard_row_get_conversations (row), <=, previous);
        previous = sapa_dashboard_row_get_conversations (row);
      }
  }

  /* sorted by CSAT, lowest first: rows without ratings ("—") come last */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (sapa_dashboard_window_get_agent_table (dashboard));
    GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (view));
    g_autoptr(GtkColumnViewColumn) csat = g_list_model_get_item (gtk_column_view_get_columns (view), 2);
    double previous = -1;
    gboolean seen_nan = FALSE, seen_value = FALSE;

    g_assert_cmpstr (gtk_column_view_column_get_title (csat), ==, g_dgettext (GETTEXT_PACKAGE, "CSAT"));
    gtk_column_view_sort_by_column (view, csat, GTK_SORT_ASCENDING);
    for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
      {
        g_autoptr(SapaDashboardRow) row = g_list_model_get_item (rows, i);
        double value = sapa_dashboard_row_get_csat (row);

        if (isnan (value))
          seen_nan = TRUE;
        else
          {
            g_assert_false (seen_nan);
            g_assert_cmpfloat (value, >=, previous);
            previous = value;
            seen_value = TRUE;
          }
      }
    g_assert_true (seen_value);
  }

  /* one channel: fewer conversations, figures still those of libsapa */
  channel_row = sapa_metrics_get_row (metrics, SAPA_METRICS_BY_CHANNEL, 0);
  channel = g_strdup (channel_row->key);
  n = sapa_dashboard_window_get_n_updates (dashboard);
  sapa_dashboard_window_set_channel (dashboard, channel);
  wait_update (dashboard, n);
  g_assert_cmpstr (sapa_metrics_filter_get_channel (sapa_dashboard_window_get_filter (dashboard)), ==, channel);
  metrics = sapa_dashboard_window_get_metrics (dashboard);
  g_assert_cmpuint (sapa_metrics_get_total (metrics)->counts.conversations, <, all_conversations);
  assert_tiles_match (dashboard);

  /* a longer period: at least as many conversations */
  n = sapa_dashboard_window_get_n_updates (dashboard);
  sapa_dashboard_window_set_channel (dashboard, NULL);
  sapa_dashboard_window_set_period (dashboard, SAPA_DASHBOARD_PERIOD_LAST_30_DAYS);
  wait_update (dashboard, n);
  WAIT_UNTIL (sapa_metrics_filter_get_to (sapa_dashboard_window_get_filter (dashboard)) -
              sapa_metrics_filter_get_from (sapa_dashboard_window_get_filter (dashboard)) == 30 * 86400 &&
              sapa_dashboard_window_get_metrics (dashboard) != NULL &&
              sapa_metrics_filter_get_channel (sapa_metrics_get_filter (sapa_dashboard_window_get_metrics (dashboard))) == NULL &&
              sapa_metrics_filter_get_to (sapa_metrics_get_filter (sapa_dashboard_window_get_metrics (dashboard))) -
              sapa_metrics_filter_get_from (sapa_metrics_get_filter (sapa_dashboard_window_get_metrics (dashboard))) == 30 * 86400);
  g_assert_cmpuint (sapa_metrics_get_total (sapa_dashboard_window_get_metrics (dashboard))->counts.conversations,
                    >=, all_conversations);
  assert_tiles_match (dashboard);

  /* a custom range the wrong way round is refused and nothing changes */
  {
    g_autoptr(GError) error = NULL;
    GDate first, last;

    g_date_clear (&first, 1);
    g_date_clear (&last, 1);
    g_date_set_dmy (&first, 10, 11, 2026);
    g_date_set_dmy (&last, 2, 11, 2026);
    g_assert_false (sapa_dashboard_window_set_custom_range (dashboard, &first, &last, &error));
    g_assert_error (error, SAPA_DASHBOARD_ERROR, SAPA_DASHBOARD_ERROR_BAD_RANGE);
    g_assert_cmpint (sapa_metrics_filter_get_to (sapa_dashboard_window_get_filter (dashboard)) -
                     sapa_metrics_filter_get_from (sapa_dashboard_window_get_filter (dashboard)), ==, 30 * 86400);
  }

  gtk_window_destroy (GTK_WINDOW (dashboard));
}

static void
test_live_refresh (void)
{
  SapaDashboardWindow *dashboard = open_dashboard (demo_store);
  g_autoptr(SapaRecord) rating = sapa_record_new ("survey_response");
  g_autoptr(GError) error = NULL;
  guint csat_n = sapa_metrics_get_total (sapa_dashboard_window_get_metrics (dashboard))->counts.csat_n;
  guint n = sapa_dashboard_window_get_n_updates (dashboard);

  sapa_record_set_string (rating, "kind", "csat");
  sapa_record_set_int (rating, "score", 1);
  sapa_record_set_string (rating, "collected_via", "kiosk");
  sapa_record_set_string (rating, "channel", "walk_in");
  sapa_record_set_int (rating, "collected_at", g_get_real_time () / G_USEC_PER_SEC - 60);
  g_assert_true (sapa_store_save (demo_store, rating, &error));
  g_assert_no_error (error);

  /* no polling by the test: the store's ::changed brings the new figures */
  wait_update (dashboard, n);
  g_assert_cmpuint (sapa_metrics_get_total (sapa_dashboard_window_get_metrics (dashboard))->counts.csat_n,
                    ==, csat_n + 1);
  assert_tiles_match (dashboard);
  gtk_window_destroy (GTK_WINDOW (dashboard));
}

static void
test_drill_down (void)
{
  SapaDashboardWindow *dashboard = open_dashboard (demo_store);
  SapaMetrics *metrics = sapa_dashboard_window_get_metrics (dashboard);
  const SapaMetricsRow *row = sapa_metrics_get_row (metrics, SAPA_METRICS_BY_CHANNEL, 1);
  g_autofree char *channel = g_strdup (row->key);
  guint expected_n = MIN (row->counts.conversations, 200);
  g_autoptr(SapaMetricsFilter) narrowed = sapa_metrics_filter_copy (sapa_dashboard_window_get_filter (dashboard));
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model = sapa_dashboard_window_get_drilldown_model (dashboard);
  SapaWindow *window;
  const char *customer_id;

  /* the desk's main window, where the customer opens */
  window = sapa_window_new (NULL);
  sapa_window_set_store (window, demo_store, NULL, NULL);

  g_signal_emit_by_name (sapa_dashboard_window_get_chart (dashboard, SAPA_DASHBOARD_CHART_VOLUME),
                         "bar-activated", 1u, 0u);
  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "drilldown");
  WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));

  sapa_metrics_filter_set_channel (narrowed, channel);
  expected = sapa_metrics_list_conversations (demo_store, narrowed, SAPA_METRICS_FIGURE_CONVERSATIONS, 200, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected_n, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, expected_n);
  g_assert_cmpuint (expected->len, ==, expected_n);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, i);

      g_assert_cmpstr (sapa_record_get_string (conversation, "channel"), ==, channel);
      g_assert_cmpstr (sapa_record_get_id (conversation), ==,
                       sapa_record_get_id (g_ptr_array_index (expected, i)));
    }

  /* activating a row opens that customer in the main window */
  {
    g_autoptr(SapaRecord) first = g_list_model_get_item (model, 0);

    customer_id = sapa_record_get_string (first, "customer_id");
    g_signal_emit_by_name (sapa_dashboard_window_get_drilldown_view (dashboard), "activate", 0u);
    g_assert_cmpstr (sapa_window_get_customer_id (window), ==, customer_id);
  }

  /* Escape goes back to the dashboard */
  gtk_widget_activate_action (GTK_WIDGET (dashboard), "dashboard.escape", NULL);
  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "dashboard");

  /* a row of the agent table narrows to that agent */
  {
    GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (sapa_dashboard_window_get_agent_table (dashboard))));
    g_autoptr(SapaDashboardRow) agent = g_list_model_get_item (rows, 0);

    g_signal_emit_by_name (sapa_dashboard_window_get_agent_table (dashboard), "activate", 0u);
    WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, MIN (sapa_dashboard_row_get_conversations (agent), 200));
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, i);

        g_assert_cmpstr (sapa_record_get_string (conversation, "assignee_id"), ==, sapa_dashboard_row_get_key (agent));
      }
  }

  /* the SLA tile: the conversations that missed their service level */
  gtk_widget_activate_action (GTK_WIDGET (dashboard), "dashboard.back", NULL);
  {
    g_autoptr(GPtrArray) missed = sapa_metrics_list_conversations (demo_store, sapa_dashboard_window_get_filter (dashboard),
                                                                   SAPA_METRICS_FIGURE_SLA_MISSED, 200, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (missed->len, >, 0);
    g_signal_emit_by_name (sapa_dashboard_window_get_tile (dashboard, SAPA_DASHBOARD_KPI_SLA), "activated");
    WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, missed->len);
    for (guint i = 0; i < missed->len; i++)
      {
        g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, i);

        g_assert_cmpstr (sapa_record_get_id (conversation), ==, sapa_record_get_id (g_ptr_array_index (missed, i)));
      }
  }

  /* a reason bar: the conversations opened for that reason */
  gtk_widget_activate_action (GTK_WIDGET (dashboard), "dashboard.back", NULL);
  {
    const SapaMetricsRow *reason = sapa_metrics_get_row (metrics, SAPA_METRICS_BY_REASON, 0);

    g_signal_emit_by_name (sapa_dashboard_window_get_chart (dashboard, SAPA_DASHBOARD_CHART_REASONS),
                           "bar-activated", 0u, 0u);
    WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, MIN (reason->counts.conversations, 200));
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, i);
        const char *key = sapa_record_get_string (conversation, "reason");

        g_assert_cmpstr (key ? key : "", ==, reason->key);
      }
  }

  /* the busiest hour of the week: the conversations opened on that weekday in that hour */
  gtk_widget_activate_action (GTK_WIDGET (dashboard), "dashboard.back", NULL);
  {
    const guint *hours = sapa_metrics_get_hour_of_week (metrics);
    guint busiest = 0;

    for (guint i = 1; i < 168; i++)
      if (hours[i] > hours[busiest])
        busiest = i;
    g_assert_cmpuint (hours[busiest], >, 0);
    g_signal_emit_by_name (sapa_dashboard_window_get_chart (dashboard, SAPA_DASHBOARD_CHART_HOURS),
                           "cell-activated", busiest / 24, busiest % 24);
    WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, MIN (hours[busiest], 200));
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, i);
        g_autoptr(GDateTime) opened = g_date_time_new_from_unix_utc (sapa_record_get_int (conversation, "opened_at"));

        /* TZ=UTC */
        g_assert_cmpint (g_date_time_get_day_of_week (opened), ==, busiest / 24 + 1);
        g_assert_cmpint (g_date_time_get_hour (opened), ==, busiest % 24);
      }
  }

  gtk_window_destroy (GTK_WINDOW (dashboard));
  gtk_window_destroy (GTK_WINDOW (window));
}

static char *
save_conversation (TestDesk   *desk,
                   const char *customer_id,
                   const char *assignee_id,
                   gint64      opened_at)
{
  g_autoptr(SapaRecord) conversation = sapa_record_new ("conversation");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (conversation, "customer_id", customer_id);
  sapa_record_set_string (conversation, "channel", "walk_in");
  sapa_record_set_string (conversation, "status", "open");
  sapa_record_set_string (conversation, "subject", "Passbook update");
  sapa_record_set_string (conversation, "assignee_id", assignee_id);
  sapa_record_set_int (conversation, "opened_at", opened_at);
  g_assert_true (sapa_store_save (desk->store, conversation, &error));
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (conversation));
}

/* The "Unassigned" row lists the conversations without an agent, which no
 * agent filter can select. */
static void
test_drill_down_unassigned (void)
{
  TestDesk desk = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *customer_id = NULL;
  g_autofree char *nobody = NULL;
  g_autofree char *assigned = NULL;
  SapaDashboardWindow *dashboard;
  GListModel *rows;
  GListModel *model;
  guint position = G_MAXUINT;

  test_desk_open (&desk, "Rina Kusuma");
  customer_id = test_desk_add_customer (&desk, "Wayan Sudarsana", "+6281311112222", NULL, NULL, NULL);
  nobody = save_conversation (&desk, customer_id, NULL, now - 3600);
  assigned = save_conversation (&desk, customer_id, desk.agent_id, now - 1800);

  dashboard = open_dashboard (desk.store);
  rows = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (sapa_dashboard_window_get_agent_table (dashboard))));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SapaDashboardRow) row = g_list_model_get_item (rows, i);

      if (g_str_equal (sapa_dashboard_row_get_key (row), ""))
        {
          position = i;
          g_assert_cmpstr (sapa_dashboard_row_get_name (row), ==, g_dgettext (GETTEXT_PACKAGE, "Unassigned"));
        }
    }
  g_assert_cmpuint (position, <, 2);

  g_signal_emit_by_name (sapa_dashboard_window_get_agent_table (dashboard), "activate", position);
  WAIT_UNTIL (!sapa_dashboard_window_get_drilldown_busy (dashboard));
  model = sapa_dashboard_window_get_drilldown_model (dashboard);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  {
    g_autoptr(SapaRecord) conversation = g_list_model_get_item (model, 0);

    g_assert_cmpstr (sapa_record_get_id (conversation), ==, nobody);
  }

  gtk_window_destroy (GTK_WINDOW (dashboard));
  test_desk_close (&desk);
}

static void
test_agent_role (void)
{
  TestDesk desk = { 0 };
  g_autoptr(SapaRecord) agent = sapa_record_new ("agent");
  g_autoptr(SapaRecord) other = NULL;
  g_autoptr(GError) error = NULL;
  SapaDashboardWindow *dashboard;

  test_desk_open (&desk, "Rina Kusuma");
  other = sapa_store_get (desk.store, "agent", desk.agent_id, &error);
  g_assert_no_error (error);
  sapa_record_set_string (agent, "username", "budi");
  sapa_record_set_string (agent, "display_name", "Budi Santoso");
  sapa_record_set_string (agent, "role", "agent");
  g_assert_true (sapa_store_save (desk.store, agent, &error));
  g_assert_true (sapa_store_set_meta (desk.store, "agent_id", sapa_record_get_id (agent), &error));

  dashboard = open_dashboard (desk.store);
  g_assert_true (sapa_dashboard_window_get_restricted (dashboard));
  g_assert_cmpstr (sapa_metrics_filter_get_agent (sapa_dashboard_window_get_filter (dashboard)), ==,
                   sapa_record_get_id (agent));
  g_assert_false (gtk_widget_get_visible (sapa_dashboard_window_get_agent_filter (dashboard)));
  g_assert_false (gtk_widget_is_visible (sapa_dashboard_window_get_agent_table (dashboard)));
  g_assert_false (gtk_widget_is_visible (sapa_dashboard_window_get_branch_table (dashboard)));

  /* the agent filter stays fixed */
  sapa_dashboard_window_set_agent (dashboard, sapa_record_get_id (other));
  g_assert_cmpstr (sapa_metrics_filter_get_agent (sapa_dashboard_window_get_filter (dashboard)), ==,
                   sapa_record_get_id (agent));

  /* promoted while the window is open (a synced agent record): the tables appear */
  sapa_record_set_string (agent, "role", "supervisor");
  g_assert_true (sapa_store_save (desk.store, agent, &error));
  WAIT_UNTIL (!sapa_dashboard_window_get_restricted (dashboard));
  g_assert_true (gtk_widget_is_visible (sapa_dashboard_window_get_agent_table (dashboard)));
  WAIT_UNTIL (sapa_metrics_filter_get_agent (sapa_dashboard_window_get_filter (dashboard)) == NULL);
  g_assert_true (gtk_widget_get_visible (sapa_dashboard_window_get_agent_filter (dashboard)));
  gtk_window_destroy (GTK_WINDOW (dashboard));
  test_desk_close (&desk);
}

static void
test_empty_state (void)
{
  TestDesk desk = { 0 };
  SapaDashboardWindow *dashboard;

  test_desk_open (&desk, "Rina Kusuma");
  dashboard = open_dashboard (desk.store);
  g_assert_true (sapa_metrics_is_empty (sapa_dashboard_window_get_metrics (dashboard)));
  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "empty");
  gtk_window_destroy (GTK_WINDOW (dashboard));
  test_desk_close (&desk);
}

/* Full screen is granted by a window manager; bare Xvfb has none. */
static gboolean
have_window_manager (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gdk_display_get_default ();

  if (GDK_IS_X11_DISPLAY (display))
    return gdk_x11_screen_supports_net_wm_hint (gdk_x11_display_get_screen (display),
                                                "_NET_WM_STATE_FULLSCREEN");
#endif
  return TRUE;
}

static void
test_wallboard (void)
{
  SapaDashboardWindow *dashboard = open_dashboard (demo_store);
  GtkWidget *tiles = GTK_WIDGET (sapa_dashboard_window_get_tile (dashboard, 0));

  sapa_dashboard_window_set_wallboard_interval (dashboard, 1);
  sapa_dashboard_window_set_wallboard (dashboard, TRUE);
  g_assert_true (sapa_dashboard_window_get_wallboard (dashboard));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (dashboard), "wallboard"));
  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "wallboard");
  g_assert_cmpstr (sapa_dashboard_window_get_wallboard_view (dashboard), ==, "tiles");
  if (have_window_manager ())
    WAIT_UNTIL (gtk_window_is_fullscreen (GTK_WINDOW (dashboard)));
  else
    g_test_message ("No window manager: full screen is asked for but cannot be granted here");
  g_assert_true (gtk_widget_is_visible (tiles));

  /* the views take turns */
  WAIT_UNTIL (g_strcmp0 (sapa_dashboard_window_get_wallboard_view (dashboard), "charts") == 0);
  WAIT_UNTIL (g_strcmp0 (sapa_dashboard_window_get_wallboard_view (dashboard), "tables") == 0);
  WAIT_UNTIL (g_strcmp0 (sapa_dashboard_window_get_wallboard_view (dashboard), "tiles") == 0);

  /* Escape leaves it; everything is back on the dashboard */
  gtk_widget_activate_action (GTK_WIDGET (dashboard), "dashboard.escape", NULL);
  g_assert_false (sapa_dashboard_window_get_wallboard (dashboard));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (dashboard), "wallboard"));
  g_assert_cmpstr (sapa_dashboard_window_get_view (dashboard), ==, "dashboard");
  if (have_window_manager ())
    WAIT_UNTIL (!gtk_window_is_fullscreen (GTK_WINDOW (dashboard)));
  g_assert_true (gtk_widget_is_ancestor (tiles, sapa_dashboard_window_get_content (dashboard)));
  gtk_window_destroy (GTK_WINDOW (dashboard));
}

static void
csv_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;

  if (!sapa_dashboard_window_export_csv_finish (SAPA_DASHBOARD_WINDOW (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "ok");
}

static void
test_exports (void)
{
  SapaDashboardWindow *dashboard = open_dashboard (demo_store);
  g_autofree char *dir = sapa_test_dir_new ("sapa-dashboard-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "figures.csv", NULL);
  g_autofree char *pdf = g_build_filename (dir, "report.pdf", NULL);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GError *done = NULL;
  gsize length;
  GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (sapa_dashboard_window_get_agent_table (dashboard))));
  g_autoptr(SapaDashboardRow) top_agent = g_list_model_get_item (rows, 0);
  g_autofree char *pdftotext = NULL;
  gboolean ok;

  sapa_dashboard_window_export_csv_async (dashboard, csv_file, NULL, csv_done_cb, &done);
  WAIT_UNTIL (done != NULL);
  g_assert_error (done, G_IO_ERROR, G_IO_ERROR_NONE);
  g_clear_error (&done);
  g_assert_true (g_file_get_contents (csv, &contents, &length, &error));
  g_assert_cmpuint (length, >, 100);
  /* the agent table is in it, with names rather than ids */
  g_assert_nonnull (strstr (contents, sapa_dashboard_row_get_name (top_agent)));

  /* laid out before it is drawn */
  spin_for (300);
  ok = sapa_dashboard_window_export_pdf (dashboard, pdf, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (pdf, &contents, &length, &error));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF"));

  /* the title, the period and a tile's figure are in the report's text */
  if ((pdftotext = g_find_program_in_path ("pdftotext")) != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *period = sapa_dashboard_format_range (sapa_metrics_filter_get_from (sapa_dashboard_window_get_filter (dashboard)),
                                                             sapa_metrics_filter_get_to (sapa_dashboard_window_get_filter (dashboard)),
                                                             NULL);
      const char *argv[] = { "pdftotext", pdf, "-", NULL };
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &text, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_nonnull (strstr (text, g_dgettext (GETTEXT_PACKAGE, "Sapa Dashboard")));
      g_assert_nonnull (strstr (text, period));
      g_assert_nonnull (strstr (text, sapa_kpi_tile_get_value (sapa_dashboard_window_get_tile (dashboard, SAPA_DASHBOARD_KPI_CSAT))));
      /* the agent table at the foot of the dashboard, on a later page */
      g_assert_nonnull (strstr (text, sapa_dashboard_row_get_name (top_agent)));
    }
  else
    g_test_message ("pdftotext is not installed: the report's text is not checked");

  /* a copy beside the screenshot, to look at */
  {
    g_autofree char *copy = sapa_test_screenshot_path ("dashboard-report.pdf");

    g_assert_true (g_file_set_contents (copy, contents, length, &error));
  }

  gtk_window_destroy (GTK_WINDOW (dashboard));
  sapa_test_dir_remove (dir);
}

static void
test_screenshot (void)
{
  g_autofree char *path = sapa_test_screenshot_path ("dashboard.png");
  SapaDashboardWindow *dashboard;
  GStatBuf st;

  /* what the application loads from its resources: Sapa's styles and icons */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/id/sapa/Desk/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      "/id/sapa/Desk/icons");
  }

  dashboard = sapa_dashboard_window_new (NULL, demo_store);
  gtk_window_set_default_size (GTK_WINDOW (dashboard), 1440, 1400);
  gtk_window_present (GTK_WINDOW (dashboard));
  WAIT_UNTIL (sapa_dashboard_window_get_n_updates (dashboard) >= 1);
  /* a month shows the shape of the demo desk's days */
  sapa_dashboard_window_set_period (dashboard, SAPA_DASHBOARD_PERIOD_LAST_30_DAYS);
  WAIT_UNTIL (sapa_dashboard_window_get_n_updates (dashboard) >= 2);
  spin_for (500);

  g_unlink (path);
  sapa_test_save_screenshot (GTK_WIDGET (dashboard), path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 60 * 1024);
  gtk_window_destroy (GTK_WINDOW (dashboard));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  SapaDemoOptions options = {
    .customers = 3000,
    .interactions_per_customer = 5,
    .seed = 20261123,
    .now = g_get_real_time () / G_USEC_PER_SEC,
  };
  int status;

  gtk_test_init (&argc, &argv, NULL);
  /* after gtk_test_init, which sets en_US.UTF-8: numbers follow LANGUAGE */
  sapa_i18n_init ();
  adw_init ();

  demo_dir = sapa_test_dir_new ("sapa-dashboard-demo-XXXXXX");
  demo_path = g_build_filename (demo_dir, "desk.sqlite", NULL);
  if (!sapa_demo_generate (demo_path, &options, NULL, NULL, &error))
    g_error ("demo data: %s", error->message);
  demo_store = sapa_store_open (demo_path, &error);
  g_assert_no_error (error);

  if (g_str_has_prefix (sapa_i18n_get_language (), "id"))
    g_test_add_func ("/dashboard/tile-texts-id", test_tile_texts_id);
  else
    g_test_add_func ("/dashboard/tile-texts", test_tile_texts);
  g_test_add_func ("/dashboard/period-ranges", test_period_ranges);
  g_test_add_func ("/dashboard/tiles-and-filters", test_tiles_and_filters);
  g_test_add_func ("/dashboard/drill-down", test_drill_down);
  g_test_add_func ("/dashboard/drill-down-unassigned", test_drill_down_unassigned);
  g_test_add_func ("/dashboard/agent-role", test_agent_role);
  g_test_add_func ("/dashboard/empty-state", test_empty_state);
  g_test_add_func ("/dashboard/wallboard", test_wallboard);
  g_test_add_func ("/dashboard/exports", test_exports);
  g_test_add_func ("/dashboard/screenshot", test_screenshot);
  g_test_add_func ("/dashboard/live-refresh", test_live_refresh);
  status = g_test_run ();

  {
    GObject *store = G_OBJECT (demo_store);

    /* a computation still running in a thread holds the store */
    g_object_add_weak_pointer (store, (gpointer *) &store);
    g_clear_object (&demo_store);
    WAIT_UNTIL (store == NULL);
  }
  sapa_test_dir_remove (demo_dir);
  g_free (demo_dir);
  g_free (demo_path);
  return status;
}
