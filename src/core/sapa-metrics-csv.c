/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-metrics-csv"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include <sapa/sapa-labels.h>
#include <sapa/sapa-metrics-csv.h>
#include <sapa/sapa-number.h>

/*
 * Why ';' with decimal commas: a spreadsheet opened in an Indonesian (or
 * most European) locale reads "87,5" as a number only when ',' is not the
 * field separator, and such locales default their list separator to ';'.
 * English locales get the plain comma-separated file.
 */

char
sapa_metrics_csv_separator (void)
{
  return g_str_equal (sapa_number_decimal_separator (), ",") ? ';' : ',';
}

void
sapa_metrics_csv_append_field (GString    *line,
                               const char *field,
                               char        separator)
{
  g_return_if_fail (line != NULL);

  if (field == NULL)
    field = "";
  if (strchr (field, separator) == NULL && strpbrk (field, "\"\r\n") == NULL)
    {
      g_string_append (line, field);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

typedef struct {
  GString *out;
  char     sep;
  gboolean first;   /* no field on the current line yet */
} Csv;

static void
csv_field (Csv        *csv,
           const char *field)
{
  if (!csv->first)
    g_string_append_c (csv->out, csv->sep);
  sapa_metrics_csv_append_field (csv->out, field, csv->sep);
  csv->first = FALSE;
}

/* Names typed by people: a leading = + - @ would make a spreadsheet run
 * the cell as a formula, so such a text gets a leading apostrophe. */
static void
csv_text (Csv        *csv,
          const char *text)
{
  if (text != NULL && strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0')
    {
      g_autofree char *safe = g_strconcat ("'", text, NULL);

      csv_field (csv, safe);
    }
  else
    csv_field (csv, text);
}

static void
csv_number (Csv    *csv,
            double  value,
            guint   digits)
{
  g_autofree char *text = sapa_format_decimal (value, digits);

  csv_field (csv, text);
}

static void
csv_change (Csv    *csv,
            double  now,
            double  before,
            guint   digits)
{
  g_autofree char *text = NULL;

  if (!isfinite (now) || !isfinite (before))
    {
      csv_field (csv, "");
      return;
    }
  text = sapa_format_decimal (now - before, digits);
  /* an explicit sign for a rise, as the dashboard shows it */
  if (now - before > 0 && text[0] != '-' && strspn (text, "0.,") != strlen (text))
    {
      g_autofree char *signed_text = g_strconcat ("+", text, NULL);

      csv_field (csv, signed_text);
    }
  else
    csv_field (csv, text);
}

static void
csv_end_line (Csv *csv)
{
  g_string_append (csv->out, "\r\n");
  csv->first = TRUE;
}

static char *
format_day (gint64     unix_seconds,
            GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  local = tz != NULL ? g_date_time_to_timezone (utc, tz) : g_date_time_to_local (utc);
  /* Translators: a date in the CSV export, a GDateTime format: "23 November 2026" */
  return g_date_time_format (local, _("%-d %B %Y"));
}

static const char *
display_name (GHashTable *names,
              const char *id,
              const char *none)
{
  const char *name;

  if (id == NULL || id[0] == '\0')
    return none;
  if (names != NULL && (name = g_hash_table_lookup (names, id)) != NULL && name[0] != '\0')
    return name;
  return id;
}

typedef enum {
  UNIT_PERCENT,
  UNIT_SCORE,
  UNIT_SECONDS,
  UNIT_COUNT,
} Unit;

typedef struct {
  const char *label;      /* translated in the table below */
  Unit        unit;
  guint       digits;
} Figure;

static double
figure_value (guint                 index,
              const SapaMetricsRow *row)
{
  const SapaMetricsCounts *c = &row->counts;

  switch (index)
    {
    case 0: return sapa_metrics_counts_csat (c);
    case 1: return sapa_metrics_counts_nps (c);
    case 2: return sapa_metrics_counts_ces (c);
    case 3: return sapa_metrics_counts_ces_easy (c);
    case 4: return sapa_metrics_counts_fcr (c);
    case 5: return sapa_metrics_counts_aht (c);
    case 6: return row->frt_median;
    case 7: return row->frt_p90;
    case 8: return sapa_metrics_counts_sla (c);
    case 9: return sapa_metrics_counts_response_rate (c);
    case 10: return c->conversations;
    case 11: return c->csat_n;
    case 12: return c->nps_n;
    case 13: return c->ces_n;
    case 14: return c->resolved;
    case 15: return c->handled;
    default: g_assert_not_reached ();
    }
}

static void
write_header (Csv               *csv,
              SapaMetrics       *m,
              SapaMetricsNames  *names)
{
  const SapaMetricsFilter *filter = sapa_metrics_get_filter (m);
  GTimeZone *tz = sapa_metrics_filter_get_tz (filter);
  gint64 from = sapa_metrics_filter_get_from (filter);
  gint64 to = sapa_metrics_filter_get_to (filter);
  g_autofree char *first_day = format_day (from, tz);
  /* the range is [from, to): its last day is the one before @to */
  g_autofree char *last_day = format_day (MAX (from, to - 1), tz);
  g_autofree char *period = NULL;
  const char *channel = sapa_metrics_filter_get_channel (filter);

  csv_text (csv, names != NULL && names->title != NULL ? names->title : _("Sapa service figures"));
  csv_end_line (csv);

  csv_field (csv, _("Period"));
  if (g_str_equal (first_day, last_day))
    period = g_strdup (first_day);
  else
    /* Translators: a date range in the CSV export: "1 November 2026 – 30 November 2026" */
    period = g_strdup_printf (_("%s – %s"), first_day, last_day);
  csv_field (csv, period);
  csv_end_line (csv);

  if (tz != NULL)
    {
      csv_field (csv, _("Time zone"));
      csv_field (csv, g_time_zone_get_identifier (tz));
      csv_end_line (csv);
    }

  csv_field (csv, _("Branch"));
  csv_text (csv, display_name (names ? names->branch_names : NULL,
                               sapa_metrics_filter_get_branch (filter), _("All branches")));
  csv_end_line (csv);
  csv_field (csv, _("Channel"));
  csv_text (csv, channel != NULL && channel[0] != '\0' ? sapa_label_channel (channel) : _("All channels"));
  csv_end_line (csv);
  csv_field (csv, _("Agent"));
  csv_text (csv, display_name (names ? names->agent_names : NULL,
                               sapa_metrics_filter_get_agent (filter), _("All agents")));
  csv_end_line (csv);

  if (names != NULL && names->previous != NULL)
    {
      const SapaMetricsFilter *prev = sapa_metrics_get_filter (names->previous);
      g_autofree char *p_first = format_day (sapa_metrics_filter_get_from (prev), tz);
      g_autofree char *p_last = format_day (MAX (sapa_metrics_filter_get_from (prev),
                                                 sapa_metrics_filter_get_to (prev) - 1), tz);
      g_autofree char *p_period = g_str_equal (p_first, p_last) ? g_strdup (p_first)
                                                                : g_strdup_printf (_("%s – %s"), p_first, p_last);

      csv_field (csv, _("Previous period"));
      csv_field (csv, p_period);
      csv_end_line (csv);
    }
  csv_end_line (csv);
}

static void
write_figures (Csv              *csv,
               SapaMetrics      *m,
               SapaMetricsNames *names)
{
  const Figure figures[] = {
    /* xgettext:no-c-format */
    { _("CSAT (% satisfied)"), UNIT_PERCENT, 1 },
    { _("NPS (−100 to 100)"), UNIT_SCORE, 1 },
    { _("CES (mean, 1–7)"), UNIT_SCORE, 2 },
    /* xgettext:no-c-format */
    { _("CES (% easy)"), UNIT_PERCENT, 1 },
    { _("First contact resolution (%)"), UNIT_PERCENT, 1 },
    { _("Average handle time (seconds)"), UNIT_SECONDS, 0 },
    { _("First response time, median (seconds)"), UNIT_SECONDS, 0 },
    { _("First response time, 90th percentile (seconds)"), UNIT_SECONDS, 0 },
    { _("SLA met (%)"), UNIT_PERCENT, 1 },
    { _("Survey response rate (%)"), UNIT_PERCENT, 1 },
    { _("Conversations"), UNIT_COUNT, 0 },
    { _("CSAT responses"), UNIT_COUNT, 0 },
    { _("NPS responses"), UNIT_COUNT, 0 },
    { _("CES responses"), UNIT_COUNT, 0 },
    { _("Resolved conversations"), UNIT_COUNT, 0 },
    { _("Handled calls and visits"), UNIT_COUNT, 0 },
  };
  const SapaMetricsRow *total = sapa_metrics_get_total (m);
  const SapaMetricsRow *prev = names != NULL && names->previous != NULL
                               ? sapa_metrics_get_total (names->previous) : NULL;

  csv_field (csv, _("Figure"));
  csv_field (csv, _("This period"));
  if (prev != NULL)
    {
      csv_field (csv, _("Previous period"));
      csv_field (csv, _("Change"));
    }
  csv_end_line (csv);

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      double now = figure_value (i, total);

      csv_field (csv, figures[i].label);
      csv_number (csv, now, figures[i].digits);
      if (prev != NULL)
        {
          double before = figure_value (i, prev);

          csv_number (csv, before, figures[i].digits);
          csv_change (csv, now, before, figures[i].digits);
        }
      csv_end_line (csv);
    }
  csv_end_line (csv);
}

/* One table of rows (agents, branches or channels) with the figures a
 * supervisor compares them by. */
static void
write_table (Csv              *csv,
             SapaMetrics      *m,
             SapaMetricsGroup  group,
             const char       *key_title,
             GHashTable       *key_names,
             const char       *none)
{
  guint n = sapa_metrics_get_n_rows (m, group);

  if (n == 0)
    return;

  csv_field (csv, key_title);
  csv_field (csv, _("Conversations"));
  /* xgettext:no-c-format */
  csv_field (csv, _("CSAT (% satisfied)"));
  csv_field (csv, _("NPS (−100 to 100)"));
  csv_field (csv, _("First contact resolution (%)"));
  csv_field (csv, _("Average handle time (seconds)"));
  csv_field (csv, _("SLA met (%)"));
  csv_field (csv, _("First response time, median (seconds)"));
  csv_field (csv, _("CSAT responses"));
  csv_end_line (csv);

  for (guint i = 0; i < n; i++)
    {
      const SapaMetricsRow *row = sapa_metrics_get_row (m, group, i);
      const SapaMetricsCounts *c = &row->counts;

      if (group == SAPA_METRICS_BY_CHANNEL)
        csv_text (csv, row->key != NULL && row->key[0] != '\0' ? sapa_label_channel (row->key) : none);
      else
        csv_text (csv, display_name (key_names, row->key, none));
      csv_number (csv, c->conversations, 0);
      csv_number (csv, sapa_metrics_counts_csat (c), 1);
      csv_number (csv, sapa_metrics_counts_nps (c), 1);
      csv_number (csv, sapa_metrics_counts_fcr (c), 1);
      csv_number (csv, sapa_metrics_counts_aht (c), 0);
      csv_number (csv, sapa_metrics_counts_sla (c), 1);
      csv_number (csv, row->frt_median, 0);
      csv_number (csv, c->csat_n, 0);
      csv_end_line (csv);
    }
  csv_end_line (csv);
}

gboolean
sapa_metrics_write_csv (SapaMetrics       *m,
                        SapaMetricsNames  *names,
                        GOutputStream     *out,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  Csv csv = { text, sapa_metrics_csv_separator (), TRUE };

  g_return_val_if_fail (m != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  write_header (&csv, m, names);
  write_figures (&csv, m, names);
  write_table (&csv, m, SAPA_METRICS_BY_AGENT, _("Agent"),
               names ? names->agent_names : NULL, _("No agent"));
  write_table (&csv, m, SAPA_METRICS_BY_BRANCH, _("Branch"),
               names ? names->branch_names : NULL, _("No branch"));
  write_table (&csv, m, SAPA_METRICS_BY_CHANNEL, _("Channel"), NULL, _("No channel"));

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error);
}
