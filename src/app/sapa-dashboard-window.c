/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-dashboard-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <sapa/sapa-labels.h>
#include <sapa/sapa-metrics-csv.h>

#include "sapa-bar-chart.h"
#include "sapa-dashboard-row.h"
#include "sapa-dashboard-window.h"
#include "sapa-format.h"
#include "sapa-heatmap.h"
#include "sapa-line-chart.h"
#include "sapa-report.h"
#include "sapa-window.h"

/* Figures follow new records this long after the last change, so a burst of
 * synced records makes one computation. */
#define REFRESH_DELAY_MS     500
#define DRILL_LIMIT          200
/* Reasons and hours of the week are narrowed here, from a larger page. */
#define DRILL_SCAN_LIMIT     5000
#define TOP_REASONS          8
#define WALLBOARD_SECONDS    15

enum {
  COLUMN_NAME,
  COLUMN_CONVERSATIONS,
  COLUMN_CSAT,
  COLUMN_FCR,
  COLUMN_AHT,
  COLUMN_SLA,
  N_COLUMNS
};

static const char * const wall_views[] = { "tiles", "charts", "tables" };

struct _SapaDashboardWindow
{
  AdwWindow          parent_instance;

  /* template */
  GtkWidget         *agent_card;
  GtkDropDown       *agent_dropdown;
  GtkColumnView     *agent_view;
  GtkWidget         *branch_card;
  GtkDropDown       *branch_dropdown;
  GtkColumnView     *branch_view;
  GtkSpinner        *busy_spinner;
  GtkDropDown       *channel_dropdown;
  GtkGrid           *charts_grid;
  GtkStack          *content_stack;
  GtkMenuButton     *custom_button;
  GtkLabel          *custom_error_label;
  GtkPopover        *custom_popover;
  GtkWidget         *dashboard_box;
  AdwStatusPage     *drill_empty_page;
  GtkWidget         *drill_page;
  GtkSpinner        *drill_spinner;
  GtkStack          *drill_stack;
  AdwWindowTitle    *drill_title;
  GtkListView       *drill_view;
  AdwStatusPage     *error_page;
  GtkWidget         *filter_bar;
  GtkCalendar       *first_calendar;
  GtkCalendar       *last_calendar;
  AdwLeaflet        *leaflet;
  GtkWidget         *main_page;
  GtkDropDown       *period_dropdown;
  GtkWidget         *tables_box;
  GtkGrid           *tiles_box;
  AdwToastOverlay   *toast_overlay;
  GtkLabel          *updated_label;
  GtkStack          *wall_stack;
  GtkToggleButton   *wallboard_button;
  AdwWindowTitle    *window_title;

  SapaStore         *store;
  GTimeZone         *tz;
  gint64             now;           /* 0: the real time */

  /* filters */
  SapaDashboardPeriod period;
  GDate              custom_first;
  GDate              custom_last;
  char              *branch_id;
  char              *channel;
  char              *agent_id;
  gboolean           syncing_controls;

  /* the desk's agent */
  char              *desk_agent_id;
  gboolean           restricted;

  /* dropdown position -> id; position 0 (NULL) is "all" */
  GPtrArray         *branch_ids;
  GPtrArray         *agent_ids;
  GHashTable        *agent_names;   /* id -> display name */
  GHashTable        *branch_names;  /* id -> name */

  /* figures */
  SapaMetricsFilter *filter;
  SapaMetrics       *metrics;
  SapaMetrics       *previous;
  SapaMetrics       *pending_metrics;
  SapaMetrics       *pending_previous;
  guint              pending;
  guint              generation;
  GCancellable      *cancellable;
  guint              refresh_id;
  guint              n_updates;

  SapaKpiTile       *tiles[SAPA_DASHBOARD_N_KPIS];
  GtkWidget         *charts[SAPA_DASHBOARD_N_CHARTS];
  GListStore        *agent_rows;
  GListStore        *branch_rows;
  /* keys of the bars drawn, to narrow a filter on a click */
  GPtrArray         *channel_keys;
  GPtrArray         *reason_keys;
  GArray            *day_starts;

  /* drill-down */
  GListStore        *drill_rows;
  GCancellable      *drill_cancellable;
  gboolean           drill_busy;

  /* wallboard */
  gboolean           wallboard;
  guint              wall_interval;
  guint              wall_timer;
  GtkWidget         *wall_sections[G_N_ELEMENTS (wall_views)];
};

G_DEFINE_FINAL_TYPE (SapaDashboardWindow, sapa_dashboard_window, ADW_TYPE_WINDOW)

typedef struct {
  SapaMetricsFilter *filter;
  SapaMetricsFigure  figure;
  char              *reason;    /* keep only this contact reason */
  int                weekday;   /* 1 Monday .. 7 Sunday; 0 = any */
  int                hour;      /* with weekday */
  gboolean           unassigned; /* keep only conversations without an agent */
  gboolean           no_branch;  /* keep only conversations without a branch */
} Drill;

static void
drill_free (Drill *drill)
{
  g_clear_pointer (&drill->filter, sapa_metrics_filter_free);
  g_free (drill->reason);
  g_free (drill);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Drill, drill_free)

static void refresh_now          (SapaDashboardWindow *self);
static void sync_filter_controls (SapaDashboardWindow *self);

/* -- helpers -------------------------------------------------------------- */

static gint64
current_time (SapaDashboardWindow *self)
{
  return self->now != 0 ? self->now : g_get_real_time () / G_USEC_PER_SEC;
}

/* The name @names holds for @id; @none for an empty id, @unknown for an id
 * it does not know. */
static const char *
lookup_name (GHashTable *names,
             const char *id,
             const char *none,
             const char *unknown)
{
  const char *name;

  if (id == NULL || id[0] == '\0')
    return none;
  name = g_hash_table_lookup (names, id);
  return name ? name : unknown;
}

static const char *
agent_name (SapaDashboardWindow *self,
            const char          *id)
{
  return lookup_name (self->agent_names, id, _("Unassigned"), _("Unknown Agent"));
}

static const char *
branch_name (SapaDashboardWindow *self,
             const char          *id)
{
  return lookup_name (self->branch_names, id, _("No Branch"), _("Unknown Branch"));
}

static const char *
reason_name (const char *reason)
{
  if (reason == NULL || reason[0] == '\0')
    return _("No Reason Given");
  return sapa_label_reason (reason);
}

static char *
percent_format (double   value,
                gpointer user_data)
{
  return sapa_dashboard_format_percent (value);
}

static char *
decimal_format (double   value,
                gpointer user_data)
{
  return sapa_dashboard_format_decimal (value);
}

static const char *
nonempty (const char *s)
{
  return s != NULL && s[0] != '\0' ? s : NULL;
}

static void
show_toast (SapaDashboardWindow *self,
            const char          *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static GtkWidget *
make_card (const char *title,
           GtkWidget  *child)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "dashboard-card");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dashboard-card-title");
  gtk_box_append (GTK_BOX (card), label);
  gtk_widget_set_vexpand (child, TRUE);
  gtk_box_append (GTK_BOX (card), child);
  return card;
}

/* -- the desk's agent, names, dropdowns ------------------------------------ */

static void
load_role (SapaDashboardWindow *self)
{
  g_autoptr(SapaRecord) agent = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->desk_agent_id, g_free);
  self->restricted = FALSE;

  /* desk_meta and one agent: single-row reads of tiny tables */
  self->desk_agent_id = sapa_store_dup_meta (self->store, "agent_id");
  if (self->desk_agent_id == NULL || self->desk_agent_id[0] == '\0')
    return;

  agent = sapa_store_get (self->store, "agent", self->desk_agent_id, &error);
  if (agent == NULL)
    {
      /* Without the agent's record, show no more than their own figures. */
      g_debug ("Desk agent %s not found: %s", self->desk_agent_id,
               error ? error->message : "no record");
      self->restricted = TRUE;
      return;
    }
  self->restricted = g_strcmp0 (sapa_record_get_string (agent, "role"), "agent") == 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GHashTable *names = user_data;

  return g_utf8_collate (g_hash_table_lookup (names, *(char **) a),
                         g_hash_table_lookup (names, *(char **) b));
}

static void
fill_dropdown (GtkDropDown *dropdown,
               const char  *all,
               GPtrArray   *ids,
               GHashTable  *names)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, all);
  for (guint i = 1; i < ids->len; i++)
    gtk_string_list_append (list, g_hash_table_lookup (names, g_ptr_array_index (ids, i)));
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
}

static guint
position_of (GPtrArray  *ids,
             const char *id)
{
  for (guint i = 1; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id) == 0)
      return i;
  return 0;
}

static void
load_names (SapaDashboardWindow *self)
{
  g_autoptr(GPtrArray) agents = NULL;
  g_autoptr(GPtrArray) branches = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) agent_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) branch_ids = g_ptr_array_new_with_free_func (g_free);

  g_hash_table_remove_all (self->agent_names);
  g_hash_table_remove_all (self->branch_names);

  /* small tables (sapa_store_list is meant for them) */
  agents = sapa_store_list (self->store, "agent", &error);
  if (agents == NULL)
    {
      g_warning ("Could not read the agents: %s", error->message);
      g_clear_error (&error);
    }
  branches = sapa_store_list (self->store, "branch", &error);
  if (branches == NULL)
    {
      g_warning ("Could not read the branches: %s", error->message);
      g_clear_error (&error);
    }

  g_ptr_array_add (agent_ids, NULL);
  for (guint i = 0; agents != NULL && i < agents->len; i++)
    {
      SapaRecord *agent = g_ptr_array_index (agents, i);
      const char *id = sapa_record_get_id (agent);

      g_hash_table_insert (self->agent_names, g_strdup (id),
                           g_strdup (sapa_record_get_string (agent, "display_name")));
      g_ptr_array_add (agent_ids, g_strdup (id));
    }
  g_ptr_array_add (branch_ids, NULL);
  for (guint i = 0; branches != NULL && i < branches->len; i++)
    {
      SapaRecord *branch = g_ptr_array_index (branches, i);
      const char *id = sapa_record_get_id (branch);

      g_hash_table_insert (self->branch_names, g_strdup (id),
                           g_strdup (sapa_record_get_string (branch, "name")));
      g_ptr_array_add (branch_ids, g_strdup (id));
    }
  if (agent_ids->len > 2)
    g_qsort_with_data (agent_ids->pdata + 1, agent_ids->len - 1, sizeof (gpointer),
                       compare_names, self->agent_names);
  if (branch_ids->len > 2)
    g_qsort_with_data (branch_ids->pdata + 1, branch_ids->len - 1, sizeof (gpointer),
                       compare_names, self->branch_names);

  g_clear_pointer (&self->agent_ids, g_ptr_array_unref);
  g_clear_pointer (&self->branch_ids, g_ptr_array_unref);
  self->agent_ids = g_steal_pointer (&agent_ids);
  self->branch_ids = g_steal_pointer (&branch_ids);

  self->syncing_controls = TRUE;
  fill_dropdown (self->agent_dropdown, _("All Agents"), self->agent_ids, self->agent_names);
  fill_dropdown (self->branch_dropdown, _("All Branches"), self->branch_ids, self->branch_names);
  gtk_drop_down_set_selected (self->agent_dropdown, position_of (self->agent_ids, self->agent_id));
  gtk_drop_down_set_selected (self->branch_dropdown, position_of (self->branch_ids, self->branch_id));
  self->syncing_controls = FALSE;
}

static void
fill_channels (SapaDashboardWindow *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("All Channels"));
  for (guint i = 0; sapa_channels[i] != NULL; i++)
    gtk_string_list_append (list, sapa_label_channel (sapa_channels[i]));
  gtk_drop_down_set_model (self->channel_dropdown, G_LIST_MODEL (list));
}

static void
apply_role (SapaDashboardWindow *self)
{
  if (self->restricted)
    {
      g_free (self->agent_id);
      self->agent_id = g_strdup (self->desk_agent_id);
      g_clear_pointer (&self->branch_id, g_free);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->agent_dropdown), !self->restricted);
  gtk_widget_set_visible (GTK_WIDGET (self->branch_dropdown), !self->restricted);
  gtk_widget_set_visible (self->tables_box, !self->restricted);
  adw_window_title_set_title (self->window_title,
                              self->restricted ? _("My Figures") : _("Dashboard"));
}

/* -- figures --------------------------------------------------------------- */

static void
set_tiles (SapaDashboardWindow *self)
{
  const SapaMetricsRow *total = sapa_metrics_get_total (self->metrics);
  const SapaMetricsRow *before = self->previous ? sapa_metrics_get_total (self->previous) : NULL;
  guint n_days = sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_DAY);
  g_autofree double *series = g_new0 (double, MAX (n_days, 1));

  for (guint k = 0; k < SAPA_DASHBOARD_N_KPIS; k++)
    {
      SapaDashboardTile tile;

      sapa_dashboard_tile_compute (k, total, before, &tile);
      sapa_kpi_tile_set_title (self->tiles[k], tile.title);
      sapa_kpi_tile_set_value (self->tiles[k], tile.value);
      sapa_kpi_tile_set_change (self->tiles[k], tile.change);
      sapa_kpi_tile_set_trend (self->tiles[k], (SapaKpiTrend) tile.trend);
      sapa_kpi_tile_set_description (self->tiles[k], tile.description);
      sapa_dashboard_tile_clear (&tile);

      for (guint d = 0; d < n_days; d++)
        series[d] = sapa_dashboard_kpi_value (k, sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_DAY, d));
      sapa_kpi_tile_set_series (self->tiles[k], series, n_days);
    }
}

static void
set_day_charts (SapaDashboardWindow *self)
{
  guint n = sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_DAY);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree double *csat = g_new0 (double, MAX (n, 1));
  g_autofree double *nps = g_new0 (double, MAX (n, 1));
  g_autofree double *breakdown = g_new0 (double, MAX (n, 1) * 3);
  const char *segments[] = { _("Promoters"), _("Passives"), _("Detractors") };
  const SapaChartColor colors[] = { SAPA_CHART_COLOR_SUCCESS, SAPA_CHART_COLOR_NEUTRAL,
                                    SAPA_CHART_COLOR_ERROR };
  SapaLineChart *line = SAPA_LINE_CHART (self->charts[SAPA_DASHBOARD_CHART_SATISFACTION]);

  g_array_set_size (self->day_starts, 0);
  for (guint d = 0; d < n; d++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_DAY, d);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (row->start);
      g_autoptr(GDateTime) day = g_date_time_to_timezone (utc, self->tz);

      g_array_append_val (self->day_starts, row->start);
      /* Translators: a day on a chart axis, e.g. "23 Nov" (GDateTime format) */
      g_ptr_array_add (labels, g_date_time_format (day, _("%-d %b")));
      csat[d] = sapa_metrics_counts_csat (&row->counts);
      nps[d] = sapa_metrics_counts_nps (&row->counts);
      breakdown[d * 3] = row->counts.nps_promoters;
      breakdown[d * 3 + 1] = row->counts.nps_passives;
      breakdown[d * 3 + 2] = row->counts.nps_detractors;
    }
  g_ptr_array_add (labels, NULL);

  sapa_line_chart_set_labels (line, (const char * const *) labels->pdata, n);
  sapa_line_chart_clear_series (line);
  sapa_line_chart_add_series (line, _("CSAT %"), csat, n, SAPA_CHART_COLOR_SERIES_1);
  sapa_line_chart_add_series (line, _("NPS"), nps, n, SAPA_CHART_COLOR_SERIES_2);

  sapa_bar_chart_set_data (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_NPS_BREAKDOWN]),
                           (const char * const *) labels->pdata, n,
                           segments, 3, breakdown, colors);
}

static void
set_channel_charts (SapaDashboardWindow *self)
{
  guint n = sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_CHANNEL);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autofree double *volume = g_new0 (double, MAX (n, 1));
  g_autofree double *sla = g_new0 (double, MAX (n, 1));
  const char *volume_name[] = { _("Conversations") };
  const char *sla_name[] = { _("SLA met") };
  const SapaChartColor volume_color[] = { SAPA_CHART_COLOR_ACCENT };
  const SapaChartColor sla_color[] = { SAPA_CHART_COLOR_SUCCESS };

  g_ptr_array_set_size (self->channel_keys, 0);
  for (guint i = 0; i < n; i++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_CHANNEL, i);

      g_ptr_array_add (self->channel_keys, g_strdup (row->key));
      g_ptr_array_add (labels, (gpointer) sapa_label_channel (row->key));
      volume[i] = row->counts.conversations;
      sla[i] = sapa_metrics_counts_sla (&row->counts);
    }
  g_ptr_array_add (labels, NULL);

  sapa_bar_chart_set_data (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_VOLUME]),
                           (const char * const *) labels->pdata, n, volume_name, 1, volume, volume_color);
  sapa_bar_chart_set_data (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_SLA]),
                           (const char * const *) labels->pdata, n, sla_name, 1, sla, sla_color);
}

static void
set_hours_chart (SapaDashboardWindow *self)
{
  const guint *hours = sapa_metrics_get_hour_of_week (self->metrics);
  double values[7 * 24];
  g_autoptr(GPtrArray) days = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) hour_labels = g_ptr_array_new_with_free_func (g_free);
  /* 5 January 2026 was a Monday. */
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2026, 1, 5, 12, 0, 0);

  for (guint i = 0; i < 7 * 24; i++)
    values[i] = hours[i];
  for (guint d = 0; d < 7; d++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, d);

      /* the locale's short weekday names (LC_TIME) */
      g_ptr_array_add (days, g_date_time_format (day, "%a"));
    }
  g_ptr_array_add (days, NULL);
  for (guint h = 0; h < 24; h++)
    g_ptr_array_add (hour_labels, g_strdup_printf ("%02u", h));
  g_ptr_array_add (hour_labels, NULL);

  sapa_heatmap_set_data (SAPA_HEATMAP (self->charts[SAPA_DASHBOARD_CHART_HOURS]), values, 7, 24,
                         (const char * const *) days->pdata,
                         (const char * const *) hour_labels->pdata);
}

static void
set_reasons_chart (SapaDashboardWindow *self)
{
  guint n = MIN (sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_REASON), TOP_REASONS);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autofree double *values = g_new0 (double, MAX (n, 1));
  const char *names[] = { _("Conversations") };
  const SapaChartColor colors[] = { SAPA_CHART_COLOR_SERIES_3 };

  g_ptr_array_set_size (self->reason_keys, 0);
  for (guint i = 0; i < n; i++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_REASON, i);

      g_ptr_array_add (self->reason_keys, g_strdup (row->key));
      g_ptr_array_add (labels, (gpointer) reason_name (row->key));
      values[i] = row->counts.conversations;
    }
  g_ptr_array_add (labels, NULL);

  sapa_bar_chart_set_data (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_REASONS]),
                           (const char * const *) labels->pdata, n, names, 1, values, colors);
}

static void
set_tables (SapaDashboardWindow *self)
{
  guint n;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  n = sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_AGENT);
  for (guint i = 0; i < n; i++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_AGENT, i);

      g_ptr_array_add (rows, sapa_dashboard_row_new (row->key, agent_name (self, row->key), row));
    }
  g_list_store_splice (self->agent_rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->agent_rows)),
                       rows->pdata, rows->len);

  g_ptr_array_set_size (rows, 0);
  n = sapa_metrics_get_n_rows (self->metrics, SAPA_METRICS_BY_BRANCH);
  for (guint i = 0; i < n; i++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (self->metrics, SAPA_METRICS_BY_BRANCH, i);

      g_ptr_array_add (rows, sapa_dashboard_row_new (row->key, branch_name (self, row->key), row));
    }
  g_list_store_splice (self->branch_rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->branch_rows)),
                       rows->pdata, rows->len);
}

static void
show_content (SapaDashboardWindow *self)
{
  const char *name;

  if (self->metrics == NULL)
    name = "loading";
  else if (sapa_metrics_is_empty (self->metrics))
    name = "empty";
  else if (self->wallboard)
    name = "wallboard";
  else
    name = "dashboard";
  gtk_stack_set_visible_child_name (self->content_stack, name);
}

static void
show_metrics (SapaDashboardWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  g_autofree char *time = g_date_time_format (now, "%H:%M");
  g_autofree char *updated = NULL;

  set_tiles (self);
  set_day_charts (self);
  set_channel_charts (self);
  set_hours_chart (self);
  set_reasons_chart (self);
  set_tables (self);

  /* Translators: when the figures were last computed, e.g. "Updated at 14:05" */
  updated = g_strdup_printf (_("Updated at %s"), time);
  gtk_label_set_text (self->updated_label, updated);
  show_content (self);
  self->n_updates++;
}

typedef struct {
  SapaDashboardWindow *self;
  guint                generation;
  gboolean             previous;
} Computation;

static void
computed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Computation *computation = user_data;
  g_autoptr(SapaDashboardWindow) self = computation->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaMetrics) metrics = sapa_metrics_compute_finish (result, &error);
  gboolean previous = computation->previous;
  guint generation = computation->generation;

  g_free (computation);

  /* closed meanwhile, or a newer question was asked */
  if (self->store == NULL || generation != self->generation)
    return;

  if (metrics == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The comparison is a nice-to-have; the period's own figures are not. */
      if (previous)
        g_warning ("Could not compute the previous period: %s", error->message);
      else
        {
          g_cancellable_cancel (self->cancellable);
          self->generation++;
          gtk_spinner_stop (self->busy_spinner);
          adw_status_page_set_description (self->error_page, error->message);
          gtk_stack_set_visible_child_name (self->content_stack, "error");
          return;
        }
    }

  if (previous)
    self->pending_previous = g_steal_pointer (&metrics);
  else
    self->pending_metrics = g_steal_pointer (&metrics);

  if (--self->pending > 0)
    return;

  g_clear_pointer (&self->metrics, sapa_metrics_unref);
  g_clear_pointer (&self->previous, sapa_metrics_unref);
  self->metrics = g_steal_pointer (&self->pending_metrics);
  self->previous = g_steal_pointer (&self->pending_previous);
  gtk_spinner_stop (self->busy_spinner);
  if (self->metrics != NULL)
    show_metrics (self);
}

static void
compute (SapaDashboardWindow     *self,
         const SapaMetricsFilter *filter,
         gboolean                 previous)
{
  Computation *computation = g_new0 (Computation, 1);

  computation->self = g_object_ref (self);
  computation->generation = self->generation;
  computation->previous = previous;
  sapa_metrics_compute_async (self->store, filter, self->cancellable, computed_cb, computation);
}

static void
refresh_now (SapaDashboardWindow *self)
{
  gint64 now = current_time (self);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
  g_autoptr(SapaMetricsFilter) previous = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  gint64 from, to;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->store == NULL)
    return;

  if (!sapa_dashboard_period_range (self->period, local, &self->custom_first, &self->custom_last,
                                    &from, &to, &error))
    {
      gtk_label_set_text (self->custom_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_error_label), TRUE);
      return;
    }

  g_clear_pointer (&self->filter, sapa_metrics_filter_free);
  self->filter = sapa_metrics_filter_new (from, to, self->tz);
  sapa_metrics_filter_set_branch (self->filter, self->branch_id);
  sapa_metrics_filter_set_channel (self->filter, self->channel);
  sapa_metrics_filter_set_agent (self->filter, self->agent_id);
  sapa_metrics_filter_set_now (self->filter, now);
  previous = sapa_metrics_filter_previous (self->filter);

  range = sapa_dashboard_format_range (from, to, self->tz);
  adw_window_title_set_subtitle (self->window_title, range);

  /* A newer question replaces the one still being answered. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->pending = 2;
  g_clear_pointer (&self->pending_metrics, sapa_metrics_unref);
  g_clear_pointer (&self->pending_previous, sapa_metrics_unref);

  gtk_spinner_start (self->busy_spinner);
  if (self->metrics == NULL)
    show_content (self);
  compute (self, self->filter, FALSE);
  compute (self, previous, TRUE);
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  SapaDashboardWindow *self = user_data;

  self->refresh_id = 0;
  refresh_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (SapaDashboardWindow *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout_cb, self);
}

static void
store_changed_cb (SapaDashboardWindow *self,
                  const char          *entity,
                  const char          *id,
                  SapaStore           *store)
{
  if (g_strcmp0 (entity, "agent") == 0 || g_strcmp0 (entity, "branch") == 0)
    {
      gboolean was_restricted = self->restricted;

      /* the desk's agent may have arrived with a sync, or changed role */
      load_role (self);
      if (was_restricted && !self->restricted)
        g_clear_pointer (&self->agent_id, g_free);
      apply_role (self);
      load_names (self);
      sync_filter_controls (self);
      schedule_refresh (self);
      return;
    }
  if (g_strcmp0 (entity, "conversation") == 0 ||
      g_strcmp0 (entity, "interaction") == 0 ||
      g_strcmp0 (entity, "survey_response") == 0)
    schedule_refresh (self);
}

/* -- drill-down ------------------------------------------------------------ */

static gboolean
drill_keeps (Drill      *drill,
             SapaRecord *conversation,
             GTimeZone  *tz)
{
  if (drill->reason != NULL &&
      g_strcmp0 (drill->reason, nonempty (sapa_record_get_string (conversation, "reason")) ?
                 sapa_record_get_string (conversation, "reason") : "") != 0)
    return FALSE;

  if (drill->unassigned && nonempty (sapa_record_get_string (conversation, "assignee_id")))
    return FALSE;
  if (drill->no_branch && nonempty (sapa_record_get_string (conversation, "branch_id")))
    return FALSE;

  if (drill->weekday > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (sapa_record_get_int (conversation, "opened_at"));
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

      if (g_date_time_get_day_of_week (local) != drill->weekday ||
          g_date_time_get_hour (local) != drill->hour)
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  SapaDashboardWindow *self;
  Drill               *drill;
} DrillRequest;

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  DrillRequest *request = user_data;
  g_autoptr(SapaDashboardWindow) self = request->self;
  g_autoptr(Drill) drill = request->drill;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conversations = sapa_metrics_list_conversations_finish (result, &error);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *count = NULL;

  g_free (request);

  if (self->drill_rows == NULL)
    return;
  if (conversations == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->drill_busy = FALSE;
      gtk_spinner_stop (self->drill_spinner);
      adw_status_page_set_description (self->drill_empty_page, error->message);
      gtk_stack_set_visible_child_name (self->drill_stack, "empty");
      return;
    }

  for (guint i = 0; i < conversations->len && kept->len < DRILL_LIMIT; i++)
    if (drill_keeps (drill, g_ptr_array_index (conversations, i), self->tz))
      g_ptr_array_add (kept, g_ptr_array_index (conversations, i));

  g_list_store_splice (self->drill_rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->drill_rows)),
                       kept->pdata, kept->len);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conversation", "%u conversations", kept->len),
                           kept->len);
  if (kept->len == DRILL_LIMIT)
    {
      g_free (count);
      /* Translators: the drill-down list shows only the newest conversations */
      count = g_strdup_printf (_("The newest %u conversations"), kept->len);
    }
  adw_window_title_set_subtitle (self->drill_title, count);

  self->drill_busy = FALSE;
  gtk_spinner_stop (self->drill_spinner);
  adw_status_page_set_description (self->drill_empty_page,
                                   _("No conversation stands behind this figure. Go back and choose another bar, point or row."));
  gtk_stack_set_visible_child_name (self->drill_stack, kept->len > 0 ? "list" : "empty");
}

/* Takes @drill, whose filter is narrowed as far as SapaMetricsFilter goes;
 * the rest (reason, hour of the week, no agent, no branch) is narrowed here
 * from a larger page of conversations. */
static void
drill_down_full (SapaDashboardWindow *self,
                 Drill               *drill,
                 const char          *title)
{
  DrillRequest *request;
  gboolean narrowed_here = drill->reason != NULL || drill->weekday > 0 ||
                           drill->unassigned || drill->no_branch;

  g_cancellable_cancel (self->drill_cancellable);
  g_clear_object (&self->drill_cancellable);
  self->drill_cancellable = g_cancellable_new ();

  g_list_store_remove_all (self->drill_rows);
  adw_window_title_set_title (self->drill_title, title);
  adw_window_title_set_subtitle (self->drill_title, "");
  gtk_stack_set_visible_child_name (self->drill_stack, "loading");
  gtk_spinner_start (self->drill_spinner);
  self->drill_busy = TRUE;
  adw_leaflet_set_visible_child (self->leaflet, self->drill_page);

  request = g_new0 (DrillRequest, 1);
  request->self = g_object_ref (self);
  request->drill = drill;
  sapa_metrics_list_conversations_async (self->store, drill->filter, drill->figure,
                                         narrowed_here ? DRILL_SCAN_LIMIT : DRILL_LIMIT,
                                         self->drill_cancellable, listed_cb, request);
}

/* Takes @filter. */
static void
drill_down (SapaDashboardWindow *self,
            SapaMetricsFilter   *filter,
            SapaMetricsFigure    figure,
            const char          *reason,
            int                  weekday,
            int                  hour,
            const char          *title)
{
  Drill *drill = g_new0 (Drill, 1);

  drill->filter = filter;
  drill->figure = figure;
  drill->reason = g_strdup (reason);
  drill->weekday = weekday;
  drill->hour = hour;
  drill_down_full (self, drill, title);
}

static SapaMetricsFilter *
filter_for_day (SapaDashboardWindow *self,
                guint                index)
{
  SapaMetricsFilter *filter = sapa_metrics_filter_copy (self->filter);
  gint64 start = g_array_index (self->day_starts, gint64, index);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
  g_autoptr(GDateTime) next = g_date_time_add_days (local, 1);
  SapaMetricsFilter *day;

  day = sapa_metrics_filter_new (MAX (start, sapa_metrics_filter_get_from (filter)),
                                 MIN (g_date_time_to_unix (next), sapa_metrics_filter_get_to (filter)),
                                 self->tz);
  sapa_metrics_filter_set_branch (day, sapa_metrics_filter_get_branch (filter));
  sapa_metrics_filter_set_channel (day, sapa_metrics_filter_get_channel (filter));
  sapa_metrics_filter_set_agent (day, sapa_metrics_filter_get_agent (filter));
  sapa_metrics_filter_free (filter);
  return day;
}

static char *
day_title (SapaDashboardWindow *self,
           guint                index,
           const char          *what)
{
  gint64 start = g_array_index (self->day_starts, gint64, index);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
  g_autofree char *day = sapa_format_date (local);

  /* Translators: drill-down title, e.g. "Rated Conversations · 23 Nov 2026" */
  return g_strdup_printf (_("%s · %s"), what, day);
}

static void
tile_activated_cb (SapaKpiTile         *tile,
                   SapaDashboardWindow *self)
{
  static const SapaMetricsFigure figures[SAPA_DASHBOARD_N_KPIS] = {
    [SAPA_DASHBOARD_KPI_CSAT] = SAPA_METRICS_FIGURE_SURVEYED,
    [SAPA_DASHBOARD_KPI_NPS] = SAPA_METRICS_FIGURE_DETRACTORS,
    [SAPA_DASHBOARD_KPI_CES] = SAPA_METRICS_FIGURE_SURVEYED,
    [SAPA_DASHBOARD_KPI_FCR] = SAPA_METRICS_FIGURE_NOT_FCR,
    [SAPA_DASHBOARD_KPI_AHT] = SAPA_METRICS_FIGURE_HANDLED,
    [SAPA_DASHBOARD_KPI_FRT] = SAPA_METRICS_FIGURE_CONVERSATIONS,
    [SAPA_DASHBOARD_KPI_SLA] = SAPA_METRICS_FIGURE_SLA_MISSED,
  };
  const char *titles[SAPA_DASHBOARD_N_KPIS] = {
    [SAPA_DASHBOARD_KPI_CSAT] = _("Rated Conversations"),
    [SAPA_DASHBOARD_KPI_NPS] = _("Conversations with Unhappy Ratings"),
    [SAPA_DASHBOARD_KPI_CES] = _("Rated Conversations"),
    [SAPA_DASHBOARD_KPI_FCR] = _("Not Resolved at First Contact"),
    [SAPA_DASHBOARD_KPI_AHT] = _("Calls, Visits and Video Calls"),
    [SAPA_DASHBOARD_KPI_FRT] = _("Conversations Opened"),
    [SAPA_DASHBOARD_KPI_SLA] = _("Service Level Missed"),
  };

  if (self->filter == NULL)
    return;
  for (guint k = 0; k < SAPA_DASHBOARD_N_KPIS; k++)
    if (self->tiles[k] == tile)
      drill_down (self, sapa_metrics_filter_copy (self->filter), figures[k], NULL, 0, 0, titles[k]);
}

static void
satisfaction_point_activated_cb (SapaDashboardWindow *self,
                                 guint                series,
                                 guint                index)
{
  g_autofree char *title = NULL;

  if (self->filter == NULL || index >= self->day_starts->len)
    return;
  title = day_title (self, index, _("Rated Conversations"));
  drill_down (self, filter_for_day (self, index), SAPA_METRICS_FIGURE_SURVEYED, NULL, 0, 0, title);
}

static void
breakdown_bar_activated_cb (SapaDashboardWindow *self,
                            guint                bar,
                            guint                segment)
{
  g_autofree char *title = NULL;
  gboolean detractors = segment == 2;

  if (self->filter == NULL || bar >= self->day_starts->len)
    return;
  title = day_title (self, bar, detractors ? _("Conversations with Unhappy Ratings") : _("Rated Conversations"));
  drill_down (self, filter_for_day (self, bar),
              detractors ? SAPA_METRICS_FIGURE_DETRACTORS : SAPA_METRICS_FIGURE_SURVEYED,
              NULL, 0, 0, title);
}

static void
channel_bar_activated (SapaDashboardWindow *self,
                       guint                bar,
                       SapaMetricsFigure    figure,
                       const char          *what)
{
  SapaMetricsFilter *filter;
  const char *channel;
  g_autofree char *title = NULL;

  if (self->filter == NULL || bar >= self->channel_keys->len)
    return;
  channel = g_ptr_array_index (self->channel_keys, bar);
  filter = sapa_metrics_filter_copy (self->filter);
  sapa_metrics_filter_set_channel (filter, channel);
  /* Translators: drill-down title, e.g. "Conversations Opened · WhatsApp" */
  title = g_strdup_printf (_("%s · %s"), what, sapa_label_channel (channel));
  drill_down (self, filter, figure, NULL, 0, 0, title);
}

static void
volume_bar_activated_cb (SapaDashboardWindow *self,
                         guint                bar,
                         guint                segment)
{
  channel_bar_activated (self, bar, SAPA_METRICS_FIGURE_CONVERSATIONS, _("Conversations Opened"));
}

static void
sla_bar_activated_cb (SapaDashboardWindow *self,
                      guint                bar,
                      guint                segment)
{
  channel_bar_activated (self, bar, SAPA_METRICS_FIGURE_SLA_MISSED, _("Service Level Missed"));
}

static void
hours_cell_activated_cb (SapaDashboardWindow *self,
                         guint                row,
                         guint                col)
{
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2026, 1, 5, 12, 0, 0);
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *weekday = NULL;
  g_autofree char *title = NULL;

  if (self->filter == NULL || row >= 7 || col >= 24)
    return;
  day = g_date_time_add_days (monday, row);
  weekday = g_date_time_format (day, "%A");
  /* Translators: drill-down title: conversations opened on a weekday in an hour, e.g. "Opened on Monday, 09:00–09:59" */
  title = g_strdup_printf (_("Opened on %s, %02u:00–%02u:59"), weekday, col, col);
  drill_down (self, sapa_metrics_filter_copy (self->filter), SAPA_METRICS_FIGURE_CONVERSATIONS,
              NULL, (int) row + 1, (int) col, title);
}

static void
reasons_bar_activated_cb (SapaDashboardWindow *self,
                          guint                bar,
                          guint                segment)
{
  const char *reason;
  g_autofree char *title = NULL;

  if (self->filter == NULL || bar >= self->reason_keys->len)
    return;
  reason = g_ptr_array_index (self->reason_keys, bar);
  /* Translators: drill-down title, e.g. "Conversations Opened · Card" */
  title = g_strdup_printf (_("%s · %s"), _("Conversations Opened"), reason_name (reason));
  drill_down (self, sapa_metrics_filter_copy (self->filter), SAPA_METRICS_FIGURE_CONVERSATIONS,
              reason, 0, 0, title);
}

static SapaDashboardRow *
table_row_at (GtkColumnView *view,
              guint          position)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  return g_list_model_get_item (model, position);
}

/* Drills into the conversations of the agent (@by_branch FALSE) or branch
 * (@by_branch TRUE) of the table row at @position. */
static void
table_row_activated (SapaDashboardWindow *self,
                     GtkColumnView       *view,
                     guint                position,
                     gboolean             by_branch)
{
  g_autoptr(SapaDashboardRow) row = table_row_at (view, position);
  const char *key;
  Drill *drill;
  g_autofree char *title = NULL;

  if (row == NULL || self->filter == NULL)
    return;
  key = sapa_dashboard_row_get_key (row);
  drill = g_new0 (Drill, 1);
  drill->filter = sapa_metrics_filter_copy (self->filter);
  drill->figure = SAPA_METRICS_FIGURE_CONVERSATIONS;
  /* "" is the conversations nobody was assigned (or with no branch): no
   * agent or branch filter says that */
  if (nonempty (key) && by_branch)
    sapa_metrics_filter_set_branch (drill->filter, key);
  else if (nonempty (key))
    sapa_metrics_filter_set_agent (drill->filter, key);
  else if (by_branch)
    drill->no_branch = TRUE;
  else
    drill->unassigned = TRUE;
  title = g_strdup_printf (_("%s · %s"), _("Conversations Opened"), sapa_dashboard_row_get_name (row));
  drill_down_full (self, drill, title);
}

static void
agent_row_activated_cb (SapaDashboardWindow *self,
                        guint                position)
{
  table_row_activated (self, self->agent_view, position, FALSE);
}

static void
branch_row_activated_cb (SapaDashboardWindow *self,
                         guint                position)
{
  table_row_activated (self, self->branch_view, position, TRUE);
}

static SapaWindow *
find_main_window (SapaDashboardWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GListModel *toplevels;

  if (application != NULL)
    {
      GtkWindow *active = gtk_application_get_active_window (application);

      if (active != NULL && SAPA_IS_WINDOW (active))
        return SAPA_WINDOW (active);
      for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
        if (SAPA_IS_WINDOW (l->data))
          return SAPA_WINDOW (l->data);
    }

  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SAPA_IS_WINDOW (window))
        return SAPA_WINDOW (window);
    }
  return NULL;
}

static void
drill_row_activated_cb (SapaDashboardWindow *self,
                        guint                position)
{
  g_autoptr(SapaRecord) conversation = g_list_model_get_item (G_LIST_MODEL (self->drill_rows), position);
  SapaWindow *window;

  if (conversation == NULL)
    return;
  window = find_main_window (self);
  if (window == NULL)
    {
      show_toast (self, _("The main window is closed. Open Sapa’s main window to see the customer."));
      return;
    }
  sapa_window_open_customer (window, sapa_record_get_string (conversation, "customer_id"));
  gtk_window_present (GTK_WINDOW (window));
}

static void
drill_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *subject = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *when = gtk_label_new (NULL);
  GtkWidget *agent = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "drilldown-row");
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_image_set_icon_size (GTK_IMAGE (icon), GTK_ICON_SIZE_NORMAL);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (subject), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subject), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subject, "dim-label");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), subject);
  gtk_widget_add_css_class (status, "drilldown-status");
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (when), 1);
  gtk_label_set_width_chars (GTK_LABEL (when), 16);
  gtk_widget_add_css_class (when, "numeric");
  gtk_label_set_xalign (GTK_LABEL (agent), 0);
  gtk_label_set_width_chars (GTK_LABEL (agent), 18);
  gtk_label_set_max_width_chars (GTK_LABEL (agent), 18);
  gtk_label_set_ellipsize (GTK_LABEL (agent), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (agent, "dim-label");

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), status);
  gtk_box_append (GTK_BOX (box), when);
  gtk_box_append (GTK_BOX (box), agent);
  gtk_list_item_set_child (item, box);
}

static void
drill_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SapaRecord *conversation = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *text = gtk_widget_get_next_sibling (icon);
  GtkWidget *status = gtk_widget_get_next_sibling (text);
  GtkWidget *when = gtk_widget_get_next_sibling (status);
  GtkWidget *agent = gtk_widget_get_next_sibling (when);
  const char *channel = sapa_record_get_string (conversation, "channel");
  const char *subject = sapa_record_get_string (conversation, "subject");
  const char *customer = sapa_record_get_extra (conversation, "customer_name");
  const char *agent_text = sapa_record_get_extra (conversation, "agent_name");
  gint64 opened = sapa_record_get_int (conversation, "opened_at");
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (opened);
  g_autofree char *day = sapa_format_day (date);
  g_autofree char *time = sapa_format_time_of_day (date);
  g_autofree char *opened_text = NULL;
  g_autofree char *accessible = NULL;

  gtk_image_set_from_icon_name (GTK_IMAGE (icon), sapa_channel_icon_name (channel));
  gtk_widget_set_tooltip_text (icon, sapa_label_channel (channel));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (text)),
                      nonempty (customer) ? customer : _("Unknown Customer"));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (text)),
                      nonempty (subject) ? subject : _("No subject"));
  gtk_label_set_text (GTK_LABEL (status), sapa_label_status (sapa_record_get_string (conversation, "status")));
  /* Translators: when a conversation was opened: a day ("Today", "23 Nov 2026") and a time */
  opened_text = g_strdup_printf (_("%s, %s"), day, time);
  gtk_label_set_text (GTK_LABEL (when), opened_text);
  gtk_label_set_text (GTK_LABEL (agent), nonempty (agent_text) ? agent_text : _("Unassigned"));

  /* Translators: what a screen reader says for a drill-down row:
   * customer, channel, subject, status, opened */
  accessible = g_strdup_printf (_("%s, %s: %s, %s, opened %s"),
                                nonempty (customer) ? customer : _("Unknown Customer"),
                                sapa_label_channel (channel),
                                nonempty (subject) ? subject : _("No subject"),
                                sapa_label_status (sapa_record_get_string (conversation, "status")),
                                opened_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

/* -- tables ---------------------------------------------------------------- */

static double
row_value (SapaDashboardRow *row,
           guint             column)
{
  switch (column)
    {
    case COLUMN_CONVERSATIONS: return sapa_dashboard_row_get_conversations (row);
    case COLUMN_CSAT: return sapa_dashboard_row_get_csat (row);
    case COLUMN_FCR: return sapa_dashboard_row_get_fcr (row);
    case COLUMN_AHT: return sapa_dashboard_row_get_aht (row);
    case COLUMN_SLA: return sapa_dashboard_row_get_sla (row);
    default: g_assert_not_reached ();
    }
}

/* NAN (nothing to measure) counts as above every figure: a first click on a
 * column header sorts ascending, and the rows without a figure then come
 * last. */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  SapaDashboardRow *ra = SAPA_DASHBOARD_ROW ((gpointer) a);
  SapaDashboardRow *rb = SAPA_DASHBOARD_ROW ((gpointer) b);
  guint column = GPOINTER_TO_UINT (user_data);
  double va, vb;

  if (column == COLUMN_NAME)
    return g_utf8_collate (sapa_dashboard_row_get_name (ra), sapa_dashboard_row_get_name (rb));

  va = row_value (ra, column);
  vb = row_value (rb, column);
  if (isnan (va) && isnan (vb))
    return 0;
  if (isnan (va))
    return 1;
  if (isnan (vb))
    return -1;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_NAME ? 0 : 1);
  if (column == COLUMN_NAME)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  SapaDashboardRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_NAME:
      gtk_label_set_text (label, sapa_dashboard_row_get_name (row));
      return;
    case COLUMN_CONVERSATIONS:
      text = sapa_format_count (sapa_dashboard_row_get_conversations (row));
      break;
    case COLUMN_AHT:
      text = sapa_dashboard_format_seconds (row_value (row, column));
      break;
    default:
      text = sapa_dashboard_format_percent (row_value (row, column));
      break;
    }
  gtk_label_set_text (label, text);
}

static void
setup_table (GtkColumnView *view,
             GListStore    *rows,
             const char    *first_title)
{
  const char *titles[N_COLUMNS] = {
    first_title, _("Conversations"), _("CSAT"), _("FCR"), _("AHT"), _("SLA Met"),
  };
  GtkSortListModel *sorted;
  GtkColumnViewColumn *default_column = NULL;

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (rows)),
                                    g_object_ref (gtk_column_view_get_sorter (view)));
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (titles[c], factory);
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (c), NULL));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, c == COLUMN_NAME);
      gtk_column_view_append_column (view, column);
      if (c == COLUMN_CONVERSATIONS)
        default_column = column;
    }
  gtk_column_view_sort_by_column (view, default_column, GTK_SORT_DESCENDING);
}

/* -- wallboard ------------------------------------------------------------- */

/* One row on the dashboard; two on the wallboard, where the type is large. */
static void
layout_tiles (SapaDashboardWindow *self,
              guint                per_row)
{
  for (guint k = 0; k < SAPA_DASHBOARD_N_KPIS; k++)
    {
      GtkWidget *tile = GTK_WIDGET (self->tiles[k]);

      if (gtk_widget_get_parent (tile) != NULL)
        {
          g_object_ref (tile);
          gtk_grid_remove (self->tiles_box, tile);
        }
      else
        g_object_ref_sink (tile);
      gtk_grid_attach (self->tiles_box, tile, k % per_row, k / per_row, 1, 1);
      g_object_unref (tile);
    }
}

static gboolean
wall_cycle_cb (gpointer user_data)
{
  SapaDashboardWindow *self = user_data;
  const char *current = gtk_stack_get_visible_child_name (self->wall_stack);
  guint at = 0;

  for (guint i = 0; i < G_N_ELEMENTS (wall_views); i++)
    if (g_strcmp0 (current, wall_views[i]) == 0)
      at = i;
  for (guint step = 1; step <= G_N_ELEMENTS (wall_views); step++)
    {
      guint next = (at + step) % G_N_ELEMENTS (wall_views);

      if (gtk_widget_get_visible (self->wall_sections[next]))
        {
          gtk_stack_set_visible_child_name (self->wall_stack, wall_views[next]);
          break;
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
restart_wall_timer (SapaDashboardWindow *self)
{
  g_clear_handle_id (&self->wall_timer, g_source_remove);
  if (self->wallboard)
    self->wall_timer = g_timeout_add (self->wall_interval * 1000, wall_cycle_cb, self);
}

static void
enter_wallboard (SapaDashboardWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (wall_views); i++)
    {
      GtkWidget *section = self->wall_sections[i];
      GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      g_object_ref (section);
      gtk_box_remove (GTK_BOX (self->dashboard_box), section);
      gtk_widget_set_valign (section, GTK_ALIGN_CENTER);
      gtk_widget_set_vexpand (section, TRUE);
      gtk_widget_add_css_class (page, "wallboard-page");
      gtk_box_append (GTK_BOX (page), section);
      g_object_unref (section);
      gtk_stack_add_named (self->wall_stack, page, wall_views[i]);
    }
  layout_tiles (self, 4);
  gtk_stack_set_visible_child_name (self->wall_stack, wall_views[0]);
}

static void
leave_wallboard (SapaDashboardWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (wall_views); i++)
    {
      GtkWidget *section = self->wall_sections[i];
      GtkWidget *page = gtk_widget_get_parent (section);

      g_object_ref (section);
      gtk_box_remove (GTK_BOX (page), section);
      gtk_widget_set_valign (section, GTK_ALIGN_FILL);
      gtk_widget_set_vexpand (section, FALSE);
      gtk_box_append (GTK_BOX (self->dashboard_box), section);
      g_object_unref (section);
      gtk_stack_remove (self->wall_stack, page);
    }
  layout_tiles (self, SAPA_DASHBOARD_N_KPIS);
}

static void
wallboard_toggled_cb (SapaDashboardWindow *self,
                      GtkToggleButton     *button)
{
  if (!self->syncing_controls)
    sapa_dashboard_window_set_wallboard (self, gtk_toggle_button_get_active (button));
}

static void
fullscreened_cb (SapaDashboardWindow *self)
{
  /* The window manager took it out of full screen: the wallboard ends too. */
  if (self->wallboard && !gtk_window_is_fullscreen (GTK_WINDOW (self)) &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    sapa_dashboard_window_set_wallboard (self, FALSE);
}

/* -- filters --------------------------------------------------------------- */

static void
sync_custom_calendars (SapaDashboardWindow *self)
{
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) last = NULL;

  if (!g_date_valid (&self->custom_first) || !g_date_valid (&self->custom_last))
    return;
  first = g_date_time_new_local (g_date_get_year (&self->custom_first), g_date_get_month (&self->custom_first),
                                 g_date_get_day (&self->custom_first), 12, 0, 0);
  last = g_date_time_new_local (g_date_get_year (&self->custom_last), g_date_get_month (&self->custom_last),
                                g_date_get_day (&self->custom_last), 12, 0, 0);
  gtk_calendar_select_day (self->first_calendar, first);
  gtk_calendar_select_day (self->last_calendar, last);
}

static void
period_selected_cb (SapaDashboardWindow *self)
{
  SapaDashboardPeriod period = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->syncing_controls)
    return;

  if (period == SAPA_DASHBOARD_PERIOD_CUSTOM)
    {
      /* Start from the days shown so far. */
      if (!g_date_valid (&self->custom_first) && self->filter != NULL)
        {
          g_autoptr(GDateTime) from = g_date_time_new_from_unix_utc (sapa_metrics_filter_get_from (self->filter));
          g_autoptr(GDateTime) to = g_date_time_new_from_unix_utc (sapa_metrics_filter_get_to (self->filter) - 1);
          g_autoptr(GDateTime) from_local = g_date_time_to_timezone (from, self->tz);
          g_autoptr(GDateTime) to_local = g_date_time_to_timezone (to, self->tz);

          g_date_set_dmy (&self->custom_first, g_date_time_get_day_of_month (from_local),
                          g_date_time_get_month (from_local), g_date_time_get_year (from_local));
          g_date_set_dmy (&self->custom_last, g_date_time_get_day_of_month (to_local),
                          g_date_time_get_month (to_local), g_date_time_get_year (to_local));
        }
      sync_custom_calendars (self);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_button), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_error_label), FALSE);
      self->period = period;
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        gtk_menu_button_popup (self->custom_button);
      refresh_now (self);
      return;
    }

  sapa_dashboard_window_set_period (self, period);
}

static void
custom_apply_clicked_cb (SapaDashboardWindow *self)
{
  g_autoptr(GDateTime) first = gtk_calendar_get_date (self->first_calendar);
  g_autoptr(GDateTime) last = gtk_calendar_get_date (self->last_calendar);
  GDate first_day, last_day;
  g_autoptr(GError) error = NULL;

  g_date_clear (&first_day, 1);
  g_date_clear (&last_day, 1);
  g_date_set_dmy (&first_day, g_date_time_get_day_of_month (first), g_date_time_get_month (first),
                  g_date_time_get_year (first));
  g_date_set_dmy (&last_day, g_date_time_get_day_of_month (last), g_date_time_get_month (last),
                  g_date_time_get_year (last));
  if (sapa_dashboard_window_set_custom_range (self, &first_day, &last_day, &error))
    gtk_popover_popdown (self->custom_popover);
}

static void
filter_selected_cb (SapaDashboardWindow *self)
{
  guint branch = gtk_drop_down_get_selected (self->branch_dropdown);
  guint channel = gtk_drop_down_get_selected (self->channel_dropdown);
  guint agent = gtk_drop_down_get_selected (self->agent_dropdown);

  if (self->syncing_controls || self->branch_ids == NULL)
    return;

  g_free (self->branch_id);
  self->branch_id = branch > 0 && branch < self->branch_ids->len
                    ? g_strdup (g_ptr_array_index (self->branch_ids, branch)) : NULL;
  g_free (self->channel);
  self->channel = channel > 0 ? g_strdup (sapa_channels[channel - 1]) : NULL;
  if (!self->restricted)
    {
      g_free (self->agent_id);
      self->agent_id = agent > 0 && agent < self->agent_ids->len
                       ? g_strdup (g_ptr_array_index (self->agent_ids, agent)) : NULL;
    }
  refresh_now (self);
}

static void
sync_filter_controls (SapaDashboardWindow *self)
{
  guint channel = 0;

  for (guint i = 0; self->channel != NULL && sapa_channels[i] != NULL; i++)
    if (g_str_equal (sapa_channels[i], self->channel))
      channel = i + 1;

  self->syncing_controls = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown, self->period);
  gtk_widget_set_visible (GTK_WIDGET (self->custom_button), self->period == SAPA_DASHBOARD_PERIOD_CUSTOM);
  gtk_drop_down_set_selected (self->channel_dropdown, channel);
  if (self->branch_ids != NULL)
    gtk_drop_down_set_selected (self->branch_dropdown, position_of (self->branch_ids, self->branch_id));
  if (self->agent_ids != NULL)
    gtk_drop_down_set_selected (self->agent_dropdown, position_of (self->agent_ids, self->agent_id));
  self->syncing_controls = FALSE;
}

/* -- export ---------------------------------------------------------------- */

static char *
describe_filters (SapaDashboardWindow *self)
{
  const char *branch = self->branch_id ? branch_name (self, self->branch_id) : _("All Branches");
  const char *channel = self->channel ? sapa_label_channel (self->channel) : _("All Channels");
  const char *agent = self->agent_id ? agent_name (self, self->agent_id) : _("All Agents");

  /* Translators: the filters on a report: branch, channel and agent */
  return g_strdup_printf (_("Branch: %s · Channel: %s · Agent: %s"), branch, channel, agent);
}

static char *
suggested_name (SapaDashboardWindow *self,
                const char          *extension)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");

  /* Translators: the file name offered for an export, without its date and extension */
  return g_strdup_printf ("%s-%s.%s", _("sapa-dashboard"), day, extension);
}

typedef struct {
  SapaMetrics *metrics;
  SapaMetrics *previous;
  GHashTable  *agent_names;
  GHashTable  *branch_names;
  GFile       *file;
  char        *title;
} CsvJob;

static void
csv_job_free (CsvJob *job)
{
  g_clear_pointer (&job->metrics, sapa_metrics_unref);
  g_clear_pointer (&job->previous, sapa_metrics_unref);
  g_clear_pointer (&job->agent_names, g_hash_table_unref);
  g_clear_pointer (&job->branch_names, g_hash_table_unref);
  g_clear_object (&job->file);
  g_free (job->title);
  g_free (job);
}

static void
write_csv_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CsvJob *job = task_data;
  g_autoptr(GFileOutputStream) out = NULL;
  GError *error = NULL;
  SapaMetricsNames names = {
    .agent_names = job->agent_names,
    .branch_names = job->branch_names,
    .previous = job->previous,
    .title = job->title,
  };

  out = g_file_replace (job->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, &error);
  if (out == NULL ||
      !sapa_metrics_write_csv (job->metrics, &names, G_OUTPUT_STREAM (out), cancellable, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static GHashTable *
copy_names (GHashTable *names)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

static void
csv_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (!sapa_dashboard_window_export_csv_finish (self, result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the CSV file: %s"), error->message);

      show_toast (self, text);
      return;
    }
  show_toast (self, _("CSV file saved"));
}

static void
pdf_write (SapaDashboardWindow *self,
           const char          *path)
{
  g_autoptr(GError) error = NULL;

  if (!sapa_dashboard_window_export_pdf (self, path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the PDF report: %s"), error->message);

      show_toast (self, text);
      return;
    }
  show_toast (self, _("PDF report saved"));
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(SapaDashboardWindow) self = user_data;
  gboolean pdf = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "pdf"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (file == NULL)
    return;
  if (pdf)
    {
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL)
        show_toast (self, _("Choose a file on this computer for the PDF report."));
      else
        pdf_write (self, path);
    }
  else
    sapa_dashboard_window_export_csv_async (self, file, NULL, csv_written_cb, NULL);
}

static void
choose_export_file (SapaDashboardWindow *self,
                    gboolean             pdf)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = suggested_name (self, pdf ? "pdf" : "csv");

  if (self->metrics == NULL)
    return;

  chooser = gtk_file_chooser_native_new (pdf ? _("Save the Dashboard as PDF") : _("Save the Figures as CSV"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, pdf ? _("PDF Documents") : _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, pdf ? "application/pdf" : "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "pdf", GINT_TO_POINTER (pdf));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  choose_export_file (SAPA_DASHBOARD_WINDOW (widget), FALSE);
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (widget);

  if (self->metrics != NULL && sapa_metrics_is_empty (self->metrics))
    {
      show_toast (self, _("Nothing to put in a report: choose a period with data first."));
      return;
    }
  choose_export_file (self, TRUE);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (widget);

  g_cancellable_cancel (self->drill_cancellable);
  adw_leaflet_set_visible_child (self->leaflet, self->main_page);
}

static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (widget);

  if (self->wallboard)
    sapa_dashboard_window_set_wallboard (self, FALSE);
  else if (adw_leaflet_get_visible_child (self->leaflet) == self->drill_page)
    back_action (widget, NULL, NULL);
}

static void
toggle_wallboard_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (widget);

  sapa_dashboard_window_set_wallboard (self, !self->wallboard);
}

/* -- GObject --------------------------------------------------------------- */

static void
build_widgets (SapaDashboardWindow *self)
{
  static const struct {
    SapaDashboardChart chart;
    int                column, row;
  } places[] = {
    { SAPA_DASHBOARD_CHART_SATISFACTION, 0, 0 },
    { SAPA_DASHBOARD_CHART_NPS_BREAKDOWN, 1, 0 },
    { SAPA_DASHBOARD_CHART_VOLUME, 0, 1 },
    { SAPA_DASHBOARD_CHART_SLA, 1, 1 },
    { SAPA_DASHBOARD_CHART_HOURS, 0, 2 },
    { SAPA_DASHBOARD_CHART_REASONS, 1, 2 },
  };
  const char *titles[SAPA_DASHBOARD_N_CHARTS] = {
    [SAPA_DASHBOARD_CHART_SATISFACTION] = _("CSAT and NPS by Day"),
    [SAPA_DASHBOARD_CHART_NPS_BREAKDOWN] = _("NPS Breakdown by Day"),
    [SAPA_DASHBOARD_CHART_VOLUME] = _("Conversations by Channel"),
    [SAPA_DASHBOARD_CHART_SLA] = _("SLA Met by Channel"),
    [SAPA_DASHBOARD_CHART_HOURS] = _("Conversations by Weekday and Hour"),
    [SAPA_DASHBOARD_CHART_REASONS] = _("Top Contact Reasons"),
  };
  GtkListItemFactory *factory;

  for (guint k = 0; k < SAPA_DASHBOARD_N_KPIS; k++)
    {
      SapaDashboardTile tile;

      sapa_dashboard_tile_compute (k, NULL, NULL, &tile);
      self->tiles[k] = SAPA_KPI_TILE (g_object_ref_sink (sapa_kpi_tile_new ()));
      sapa_kpi_tile_set_title (self->tiles[k], tile.title);
      sapa_kpi_tile_set_description (self->tiles[k], tile.description);
      sapa_kpi_tile_set_value (self->tiles[k], tile.value);
      sapa_dashboard_tile_clear (&tile);
      g_signal_connect_object (self->tiles[k], "activated", G_CALLBACK (tile_activated_cb), self, 0);
      gtk_grid_attach (self->tiles_box, GTK_WIDGET (self->tiles[k]), k, 0, 1, 1);
      g_object_unref (self->tiles[k]);
    }

  self->charts[SAPA_DASHBOARD_CHART_SATISFACTION] = sapa_line_chart_new ();
  sapa_line_chart_set_format (SAPA_LINE_CHART (self->charts[SAPA_DASHBOARD_CHART_SATISFACTION]),
                              decimal_format, NULL, NULL);
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_SATISFACTION], "point-activated",
                           G_CALLBACK (satisfaction_point_activated_cb), self, G_CONNECT_SWAPPED);

  self->charts[SAPA_DASHBOARD_CHART_NPS_BREAKDOWN] = sapa_bar_chart_new ();
  sapa_bar_chart_set_stacked (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_NPS_BREAKDOWN]), TRUE);
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_NPS_BREAKDOWN], "bar-activated",
                           G_CALLBACK (breakdown_bar_activated_cb), self, G_CONNECT_SWAPPED);

  self->charts[SAPA_DASHBOARD_CHART_VOLUME] = sapa_bar_chart_new ();
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_VOLUME], "bar-activated",
                           G_CALLBACK (volume_bar_activated_cb), self, G_CONNECT_SWAPPED);

  self->charts[SAPA_DASHBOARD_CHART_SLA] = sapa_bar_chart_new ();
  sapa_bar_chart_set_y_range (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_SLA]), 0, 100);
  sapa_bar_chart_set_format (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_SLA]),
                             percent_format, NULL, NULL);
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_SLA], "bar-activated",
                           G_CALLBACK (sla_bar_activated_cb), self, G_CONNECT_SWAPPED);

  self->charts[SAPA_DASHBOARD_CHART_HOURS] = sapa_heatmap_new ();
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_HOURS], "cell-activated",
                           G_CALLBACK (hours_cell_activated_cb), self, G_CONNECT_SWAPPED);

  self->charts[SAPA_DASHBOARD_CHART_REASONS] = sapa_bar_chart_new ();
  sapa_bar_chart_set_orientation (SAPA_BAR_CHART (self->charts[SAPA_DASHBOARD_CHART_REASONS]),
                                  GTK_ORIENTATION_HORIZONTAL);
  g_signal_connect_object (self->charts[SAPA_DASHBOARD_CHART_REASONS], "bar-activated",
                           G_CALLBACK (reasons_bar_activated_cb), self, G_CONNECT_SWAPPED);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      GtkWidget *chart = self->charts[places[i].chart];
      const char *title = titles[places[i].chart];

      if (SAPA_IS_LINE_CHART (chart))
        sapa_line_chart_set_title (SAPA_LINE_CHART (chart), title);
      else if (SAPA_IS_BAR_CHART (chart))
        sapa_bar_chart_set_title (SAPA_BAR_CHART (chart), title);
      else
        sapa_heatmap_set_title (SAPA_HEATMAP (chart), title);
      gtk_widget_set_size_request (chart, -1, 260);
      gtk_widget_add_css_class (chart, "dashboard-chart");
      gtk_grid_attach (self->charts_grid, make_card (title, chart), places[i].column, places[i].row, 1, 1);
    }

  setup_table (self->agent_view, self->agent_rows, _("Agent"));
  setup_table (self->branch_view, self->branch_rows, _("Branch"));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (drill_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (drill_bind_cb), NULL);
  gtk_list_view_set_factory (self->drill_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->drill_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->drill_rows)))));

  fill_channels (self);

  self->wall_sections[0] = GTK_WIDGET (self->tiles_box);
  self->wall_sections[1] = GTK_WIDGET (self->charts_grid);
  self->wall_sections[2] = self->tables_box;
}

static void
sapa_dashboard_window_dispose (GObject *object)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->drill_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->wall_timer, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_DASHBOARD_WINDOW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->drill_cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->agent_rows);
  g_clear_object (&self->branch_rows);
  g_clear_object (&self->drill_rows);
  g_clear_pointer (&self->metrics, sapa_metrics_unref);
  g_clear_pointer (&self->previous, sapa_metrics_unref);
  g_clear_pointer (&self->pending_metrics, sapa_metrics_unref);
  g_clear_pointer (&self->pending_previous, sapa_metrics_unref);
  g_clear_pointer (&self->filter, sapa_metrics_filter_free);

  G_OBJECT_CLASS (sapa_dashboard_window_parent_class)->dispose (object);
}

static void
sapa_dashboard_window_finalize (GObject *object)
{
  SapaDashboardWindow *self = SAPA_DASHBOARD_WINDOW (object);

  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_free (self->branch_id);
  g_free (self->channel);
  g_free (self->agent_id);
  g_free (self->desk_agent_id);
  g_clear_pointer (&self->branch_ids, g_ptr_array_unref);
  g_clear_pointer (&self->agent_ids, g_ptr_array_unref);
  g_clear_pointer (&self->agent_names, g_hash_table_unref);
  g_clear_pointer (&self->branch_names, g_hash_table_unref);
  g_clear_pointer (&self->channel_keys, g_ptr_array_unref);
  g_clear_pointer (&self->reason_keys, g_ptr_array_unref);
  g_clear_pointer (&self->day_starts, g_array_unref);

  G_OBJECT_CLASS (sapa_dashboard_window_parent_class)->finalize (object);
}

static void
sapa_dashboard_window_class_init (SapaDashboardWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_dashboard_window_dispose;
  object_class->finalize = sapa_dashboard_window_finalize;

  g_type_ensure (SAPA_TYPE_KPI_TILE);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-dashboard-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, agent_card);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, agent_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, agent_view);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, branch_card);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, branch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, branch_view);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, charts_grid);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, custom_button);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, custom_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, custom_popover);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, dashboard_box);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_empty_page);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_page);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_spinner);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_title);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, drill_view);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, first_calendar);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, last_calendar);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, main_page);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, tables_box);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, tiles_box);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, updated_label);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, wall_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, wallboard_button);
  gtk_widget_class_bind_template_child (widget_class, SapaDashboardWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, agent_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, branch_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, custom_apply_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, drill_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, period_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, wallboard_toggled_cb);

  gtk_widget_class_install_action (widget_class, "dashboard.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "dashboard.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "dashboard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "dashboard.escape", NULL, escape_action);
  gtk_widget_class_install_action (widget_class, "dashboard.toggle-wallboard", NULL, toggle_wallboard_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dashboard.escape", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "dashboard.toggle-wallboard", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "dashboard.back", NULL);
}

static void
sapa_dashboard_window_init (SapaDashboardWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->tz = g_time_zone_new_local ();
  self->period = SAPA_DASHBOARD_PERIOD_LAST_7_DAYS;
  g_date_clear (&self->custom_first, 1);
  g_date_clear (&self->custom_last, 1);
  self->agent_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->branch_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->agent_rows = g_list_store_new (SAPA_TYPE_DASHBOARD_ROW);
  self->branch_rows = g_list_store_new (SAPA_TYPE_DASHBOARD_ROW);
  self->drill_rows = g_list_store_new (SAPA_TYPE_RECORD);
  self->channel_keys = g_ptr_array_new_with_free_func (g_free);
  self->reason_keys = g_ptr_array_new_with_free_func (g_free);
  self->day_starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();
  self->drill_cancellable = g_cancellable_new ();
  self->wall_interval = WALLBOARD_SECONDS;

  build_widgets (self);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (fullscreened_cb), NULL);
  sync_filter_controls (self);
}

/* -- public ---------------------------------------------------------------- */

SapaDashboardWindow *
sapa_dashboard_window_new (GtkApplication *application,
                           SapaStore      *store)
{
  SapaDashboardWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = g_object_new (SAPA_TYPE_DASHBOARD_WINDOW, "application", application, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);

  load_role (self);
  apply_role (self);
  load_names (self);
  sync_filter_controls (self);
  refresh_now (self);
  return self;
}

SapaStore *
sapa_dashboard_window_get_store (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return self->store;
}

void
sapa_dashboard_window_set_period (SapaDashboardWindow *self,
                                  SapaDashboardPeriod  period)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));
  g_return_if_fail (period <= SAPA_DASHBOARD_PERIOD_CUSTOM);

  self->period = period;
  sync_filter_controls (self);
  refresh_now (self);
}

gboolean
sapa_dashboard_window_set_custom_range (SapaDashboardWindow *self,
                                        GDate               *first_day,
                                        GDate               *last_day,
                                        GError             **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  gint64 from, to;
  GError *local_error = NULL;

  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), FALSE);

  if (!sapa_dashboard_period_range (SAPA_DASHBOARD_PERIOD_CUSTOM, now, first_day, last_day,
                                    &from, &to, &local_error))
    {
      gtk_label_set_text (self->custom_error_label, local_error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_error_label), TRUE);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->custom_error_label), FALSE);
  self->custom_first = *first_day;
  self->custom_last = *last_day;
  self->period = SAPA_DASHBOARD_PERIOD_CUSTOM;
  sync_custom_calendars (self);
  sync_filter_controls (self);
  refresh_now (self);
  return TRUE;
}

/* Sets one of the filter's ids (NULL or "" for all) and counts again. */
static void
replace_filter_id (SapaDashboardWindow  *self,
                   char                **field,
                   const char           *id)
{
  g_free (*field);
  *field = g_strdup (nonempty (id));
  sync_filter_controls (self);
  refresh_now (self);
}

void
sapa_dashboard_window_set_branch (SapaDashboardWindow *self,
                                  const char          *branch_id)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));

  if (self->restricted)
    return;
  replace_filter_id (self, &self->branch_id, branch_id);
}

void
sapa_dashboard_window_set_channel (SapaDashboardWindow *self,
                                   const char          *channel)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));

  replace_filter_id (self, &self->channel, channel);
}

void
sapa_dashboard_window_set_agent (SapaDashboardWindow *self,
                                 const char          *agent_id)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));

  /* An agent's own figures stay their own. */
  if (self->restricted)
    return;
  replace_filter_id (self, &self->agent_id, agent_id);
}

const SapaMetricsFilter *
sapa_dashboard_window_get_filter (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return self->filter;
}

void
sapa_dashboard_window_set_now (SapaDashboardWindow *self,
                               gint64               now)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));

  self->now = now;
  refresh_now (self);
}

SapaMetrics *
sapa_dashboard_window_get_metrics (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return self->metrics;
}

guint
sapa_dashboard_window_get_n_updates (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), 0);
  return self->n_updates;
}

const char *
sapa_dashboard_window_get_view (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);

  if (adw_leaflet_get_visible_child (self->leaflet) == self->drill_page)
    return "drilldown";
  return gtk_stack_get_visible_child_name (self->content_stack);
}

gboolean
sapa_dashboard_window_get_restricted (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), FALSE);
  return self->restricted;
}

SapaKpiTile *
sapa_dashboard_window_get_tile (SapaDashboardWindow *self,
                                SapaDashboardKpi     kpi)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  g_return_val_if_fail (kpi < SAPA_DASHBOARD_N_KPIS, NULL);
  return self->tiles[kpi];
}

GtkWidget *
sapa_dashboard_window_get_chart (SapaDashboardWindow *self,
                                 SapaDashboardChart   chart)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  g_return_val_if_fail (chart < SAPA_DASHBOARD_N_CHARTS, NULL);
  return self->charts[chart];
}

GtkWidget *
sapa_dashboard_window_get_agent_table (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_WIDGET (self->agent_view);
}

GtkWidget *
sapa_dashboard_window_get_branch_table (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_WIDGET (self->branch_view);
}

GtkWidget *
sapa_dashboard_window_get_agent_filter (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_WIDGET (self->agent_dropdown);
}

GtkWidget *
sapa_dashboard_window_get_content (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return self->dashboard_box;
}

GListModel *
sapa_dashboard_window_get_drilldown_model (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return G_LIST_MODEL (self->drill_rows);
}

GtkWidget *
sapa_dashboard_window_get_drilldown_view (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_WIDGET (self->drill_view);
}

gboolean
sapa_dashboard_window_get_drilldown_busy (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), FALSE);
  return self->drill_busy;
}

void
sapa_dashboard_window_set_wallboard (SapaDashboardWindow *self,
                                     gboolean             wallboard)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));

  wallboard = !!wallboard;
  if (self->wallboard == wallboard)
    return;
  self->wallboard = wallboard;

  self->syncing_controls = TRUE;
  gtk_toggle_button_set_active (self->wallboard_button, wallboard);
  self->syncing_controls = FALSE;

  if (wallboard)
    {
      adw_leaflet_set_visible_child (self->leaflet, self->main_page);
      enter_wallboard (self);
      gtk_widget_add_css_class (GTK_WIDGET (self), "wallboard");
      gtk_widget_set_visible (self->filter_bar, FALSE);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else
    {
      leave_wallboard (self);
      gtk_widget_remove_css_class (GTK_WIDGET (self), "wallboard");
      gtk_widget_set_visible (self->filter_bar, TRUE);
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.export-csv", !wallboard);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.export-pdf", !wallboard);
  show_content (self);
  restart_wall_timer (self);
}

gboolean
sapa_dashboard_window_get_wallboard (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), FALSE);
  return self->wallboard;
}

void
sapa_dashboard_window_set_wallboard_interval (SapaDashboardWindow *self,
                                              guint                seconds)
{
  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));
  g_return_if_fail (seconds > 0);

  self->wall_interval = seconds;
  restart_wall_timer (self);
}

const char *
sapa_dashboard_window_get_wallboard_view (SapaDashboardWindow *self)
{
  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), NULL);

  if (!self->wallboard)
    return NULL;
  return gtk_stack_get_visible_child_name (self->wall_stack);
}

void
sapa_dashboard_window_export_csv_async (SapaDashboardWindow *self,
                                        GFile               *file,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CsvJob *job;

  g_return_if_fail (SAPA_IS_DASHBOARD_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_dashboard_window_export_csv_async);

  if (self->metrics == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("The figures are still being added up. Try again in a moment."));
      return;
    }

  job = g_new0 (CsvJob, 1);
  job->metrics = sapa_metrics_ref (self->metrics);
  job->previous = self->previous ? sapa_metrics_ref (self->previous) : NULL;
  job->agent_names = copy_names (self->agent_names);
  job->branch_names = copy_names (self->branch_names);
  job->file = g_object_ref (file);
  job->title = g_strdup (self->restricted ? _("Sapa: My Figures") : _("Sapa Dashboard"));
  g_task_set_task_data (task, job, (GDestroyNotify) csv_job_free);
  g_task_run_in_thread (task, write_csv_thread);
}

gboolean
sapa_dashboard_window_export_csv_finish (SapaDashboardWindow *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sapa_dashboard_window_export_pdf (SapaDashboardWindow *self,
                                  const char          *path,
                                  GError             **error)
{
  g_autofree char *period = NULL;
  g_autofree char *period_line = NULL;
  g_autofree char *filters = NULL;
  g_autofree char *made_line = NULL;
  g_autoptr(GDateTime) now = NULL;
  const char *lines[4];

  g_return_val_if_fail (SAPA_IS_DASHBOARD_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->filter == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("The figures are still being added up. Try again in a moment."));
      return FALSE;
    }

  period = sapa_dashboard_format_range (sapa_metrics_filter_get_from (self->filter),
                                        sapa_metrics_filter_get_to (self->filter), self->tz);
  /* Translators: the period line of the PDF report */
  period_line = g_strdup_printf (_("Period: %s"), period);
  filters = describe_filters (self);
  now = g_date_time_new_now (self->tz);
  {
    g_autofree char *day = sapa_format_date (now);
    g_autofree char *time = sapa_format_time_of_day (now);

    /* Translators: when the PDF report was made: a date and a time */
    made_line = g_strdup_printf (_("Made on %s at %s"), day, time);
  }
  lines[0] = period_line;
  lines[1] = filters;
  lines[2] = made_line;
  lines[3] = NULL;

  return sapa_report_write_pdf (self->dashboard_box,
                                self->restricted ? _("Sapa: My Figures") : _("Sapa Dashboard"),
                                lines, path, error);
}
