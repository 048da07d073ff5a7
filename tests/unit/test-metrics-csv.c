/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CSV export of the figures in English and Indonesian number formats:
 * separators, quoting (RFC 4180), dates, the previous period and tables. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <sapa/sapa.h>
#include <sapa/sapa-metrics-csv.h>
#include <sapa/sapa-number.h>

#include "metrics-test-util.h"
#include "sapa-test-dir.h"

#define DAY 86400

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  gint64     t0;    /* Monday 2026-03-02 00:00 UTC */
  guint      n;
} Fixture;

static void
save_conversation (Fixture    *f,
                   const char *channel,
                   const char *branch,
                   const char *agent,
                   gint64      opened)
{
  g_autoptr(SapaRecord) r = sapa_record_new ("conversation");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (r, "customer_id", "cust-1");
  sapa_record_set_string (r, "channel", channel);
  sapa_record_set_string (r, "branch_id", branch);
  sapa_record_set_string (r, "assignee_id", agent);
  sapa_record_set_string (r, "status", "open");
  sapa_record_set_int (r, "opened_at", f->t0 + opened);
  g_assert_true (sapa_store_save (f->store, r, &error));
  g_assert_no_error (error);
}

static void
save_survey (Fixture    *f,
             const char *kind,
             int         score,
             const char *branch,
             const char *agent,
             gint64      at)
{
  metrics_test_save_survey (f->store, kind, score, branch, "walk_in", agent, f->t0 + at);
}

static void
save_call (Fixture    *f,
           const char *agent,
           gint64      started,
           gint64      seconds)
{
  metrics_test_save_interaction (f->store, NULL, "phone", agent, f->t0 + started, f->t0 + started + seconds);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GDateTime) t0 = g_date_time_new_utc (2026, 3, 2, 0, 0, 0);
  g_autoptr(SapaRecord) customer = sapa_record_new_with_id ("customer", "cust-1");
  g_autoptr(GError) error = NULL;

  f->store = sapa_test_store_new ("sapa-csv-XXXXXX", &f->dir, &f->path);
  f->t0 = g_date_time_to_unix (t0);
  sapa_record_set_string (customer, "full_name", "Budi Santoso");
  sapa_record_set_string (customer, "segment", "regular");
  g_assert_true (sapa_store_save (f->store, customer, &error));
  g_assert_no_error (error);

  /* this week: 8 CSAT answers, 7 satisfied (87.5%); NPS 2 promoters and
   * 1 detractor of 4 (25); one call of 1234 s (AHT 1,234 s) */
  for (guint i = 0; i < 8; i++)
    save_survey (f, "csat", i == 0 ? 2 : 5, "b1", i < 5 ? "a1" : "a2", DAY + i * 600);
  save_survey (f, "nps", 10, "b1", "a1", DAY + 100);
  save_survey (f, "nps", 9, "b1", "a1", DAY + 200);
  save_survey (f, "nps", 8, "b2", "a2", DAY + 300);
  save_survey (f, "nps", 3, "b2", "a2", DAY + 400);
  save_call (f, "a1", 2 * DAY + 3600, 1234);
  save_conversation (f, "walk_in", "b1", "a1", DAY + 50);
  save_conversation (f, "walk_in", "b1", "a1", DAY + 60);
  save_conversation (f, "phone", "b2", "a2", DAY + 70);
  save_conversation (f, "phone", "b2", "a3", DAY + 80);

  /* the week before: CSAT 2 of 4 (50%) */
  for (guint i = 0; i < 4; i++)
    save_survey (f, "csat", i < 2 ? 4 : 1, "b1", "a1", -3 * DAY + (gint64) i * 600);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->dir);
  g_free (f->path);
  setlocale (LC_NUMERIC, "C.UTF-8");
  setlocale (LC_TIME, "C.UTF-8");
}

static char *
export (Fixture    *f,
        const char *locale)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + 7 * DAY, utc);
  g_autoptr(SapaMetricsFilter) prev_filter = sapa_metrics_filter_previous (filter);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) prev = NULL;
  g_autoptr(GHashTable) agents = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) branches = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  SapaMetricsNames names = { agents, branches, NULL, "Sapa, \"Menteng\" report" };

  g_assert_nonnull (setlocale (LC_NUMERIC, locale));
  g_assert_nonnull (setlocale (LC_TIME, locale));

  g_hash_table_insert (agents, (gpointer) "a1", (gpointer) "Sari Dewi");
  g_hash_table_insert (agents, (gpointer) "a2", (gpointer) "Tan, \"Budi\"");
  g_hash_table_insert (agents, (gpointer) "a3", (gpointer) "=HYPERLINK(1)");
  g_hash_table_insert (branches, (gpointer) "b1", (gpointer) "Menteng; Jakarta");
  g_hash_table_insert (branches, (gpointer) "b2", (gpointer) "Kuta");

  m = sapa_metrics_compute (f->store, filter, &error);
  g_assert_no_error (error);
  prev = sapa_metrics_compute (f->store, prev_filter, &error);
  g_assert_no_error (error);
  names.previous = prev;

  g_assert_true (sapa_metrics_write_csv (m, &names, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), >, 0);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}

/* The line starting with @start (NULL when none). */
static const char *
find_line (char      **lines,
           const char *start)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], start))
      return lines[i];
  return NULL;
}

static void
assert_line (char      **lines,
             const char *expected)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (lines[i], expected))
      return;
  g_error ("no line “%s” in the CSV", expected);
}

static void
test_english (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *csv = export (f, "en_US.UTF-8");
  g_auto(GStrv) lines = NULL;

  g_test_message ("%s", csv);
  g_assert_true (g_utf8_validate (csv, -1, NULL));
  g_assert_true (g_str_has_suffix (csv, "\r\n"));
  g_assert_cmpint (sapa_metrics_csv_separator (), ==, ',');
  lines = g_strsplit (csv, "\r\n", -1);

  /* the title holds a comma and quotes: quoted, quotes doubled */
  g_assert_cmpstr (lines[0], ==, "\"Sapa, \"\"Menteng\"\" report\"");
  assert_line (lines, "Period,2 March 2026 – 8 March 2026");
  assert_line (lines, "Previous period,23 February 2026 – 1 March 2026");
  assert_line (lines, "Time zone,UTC");
  assert_line (lines, "Branch,All branches");
  assert_line (lines, "Channel,All channels");
  assert_line (lines, "Agent,All agents");
  assert_line (lines, "Figure,This period,Previous period,Change");
  assert_line (lines, "CSAT (% satisfied),87.5,50.0,+37.5");
  assert_line (lines, "NPS (−100 to 100),25.0,,");
  assert_line (lines, "Average handle time (seconds),\"1,234\",,");
  assert_line (lines, "Conversations,4,0,+4");
  assert_line (lines, "CSAT responses,8,4,+4");

  /* the agent table: a name with a comma and a quote, one that looks like a formula */
  g_assert_nonnull (find_line (lines, "Agent,Conversations,CSAT (% satisfied),"));
  g_assert_nonnull (find_line (lines, "Sari Dewi,2,80.0,100.0,"));
  g_assert_nonnull (find_line (lines, "\"Tan, \"\"Budi\"\"\",1,100.0,-50.0,"));
  g_assert_nonnull (find_line (lines, "'=HYPERLINK(1),1,"));
  /* branches */
  g_assert_nonnull (find_line (lines, "Menteng; Jakarta,2,87.5,100.0,"));
  g_assert_nonnull (find_line (lines, "Kuta,2,,-50.0,"));
  /* channels, by their labels */
  g_assert_nonnull (find_line (lines, "Channel,Conversations,"));
  g_assert_nonnull (find_line (lines, sapa_label_channel ("walk_in")));
}

static void
test_indonesian (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *csv = export (f, "id_ID.UTF-8");
  g_auto(GStrv) lines = NULL;

  g_test_message ("%s", csv);
  g_assert_cmpint (sapa_metrics_csv_separator (), ==, ';');
  g_assert_cmpstr (sapa_number_decimal_separator (), ==, ",");
  lines = g_strsplit (csv, "\r\n", -1);

  /* ';' between fields: the comma in the title needs no quotes, the quotes do */
  g_assert_cmpstr (lines[0], ==, "\"Sapa, \"\"Menteng\"\" report\"");
  /* Indonesian month names from the locale */
  assert_line (lines, "Period;2 Maret 2026 – 8 Maret 2026");
  assert_line (lines, "CSAT (% satisfied);87,5;50,0;+37,5");
  assert_line (lines, "NPS (−100 to 100);25,0;;");
  assert_line (lines, "Average handle time (seconds);1.234;;");
  g_assert_nonnull (find_line (lines, "\"Tan, \"\"Budi\"\"\";1;100,0;-50,0;"));
  /* the separator inside a name is quoted */
  g_assert_nonnull (find_line (lines, "\"Menteng; Jakarta\";2;87,5;100,0;"));
  g_assert_null (strstr (csv, "87.5"));
}

static void
test_filtered (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + DAY * 2, utc);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(GHashTable) branches = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  SapaMetricsNames names = { NULL, branches, NULL, NULL };
  g_auto(GStrv) lines = NULL;
  g_autofree char *csv = NULL;

  setlocale (LC_NUMERIC, "en_US.UTF-8");
  setlocale (LC_TIME, "en_US.UTF-8");
  g_hash_table_insert (branches, (gpointer) "b2", (gpointer) "Kuta");
  sapa_metrics_filter_set_branch (filter, "b2");
  sapa_metrics_filter_set_channel (filter, "phone");
  m = sapa_metrics_compute (f->store, filter, &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancelled);
  g_assert_false (sapa_metrics_write_csv (m, &names, out, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_true (sapa_metrics_write_csv (m, &names, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  csv = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  g_test_message ("%s", csv);
  lines = g_strsplit (csv, "\r\n", -1);

  g_assert_cmpstr (lines[0], ==, "Sapa service figures");
  assert_line (lines, "Period,2 March 2026 – 3 March 2026");
  assert_line (lines, "Branch,Kuta");
  assert_line (lines, g_strdup_printf ("Channel,%s", sapa_label_channel ("phone")));
  /* no previous period given: two columns */
  assert_line (lines, "Figure,This period");
  assert_line (lines, "Conversations,2");
  g_assert_null (find_line (lines, "Previous period"));
  /* only the filtered branch's rows */
  g_assert_null (find_line (lines, "Menteng"));
}

static void
test_fields (void)
{
  g_autoptr(GString) s = g_string_new (NULL);

  sapa_metrics_csv_append_field (s, "plain", ',');
  g_assert_cmpstr (s->str, ==, "plain");
  g_string_truncate (s, 0);
  sapa_metrics_csv_append_field (s, "a,b", ',');
  g_assert_cmpstr (s->str, ==, "\"a,b\"");
  g_string_truncate (s, 0);
  sapa_metrics_csv_append_field (s, "a,b", ';');
  g_assert_cmpstr (s->str, ==, "a,b");
  g_string_truncate (s, 0);
  sapa_metrics_csv_append_field (s, "two\r\nlines", ';');
  g_assert_cmpstr (s->str, ==, "\"two\r\nlines\"");
  g_string_truncate (s, 0);
  sapa_metrics_csv_append_field (s, "say \"hi\"", ',');
  g_assert_cmpstr (s->str, ==, "\"say \"\"hi\"\"\"");
  g_string_truncate (s, 0);
  sapa_metrics_csv_append_field (s, NULL, ',');
  g_assert_cmpstr (s->str, ==, "");
}

static void
test_numbers (void)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *e = NULL;
  g_autofree char *g = NULL;
  g_autofree char *h = NULL;

  g_assert_nonnull (setlocale (LC_NUMERIC, "id_ID.UTF-8"));
  a = sapa_format_decimal (1234567.891, 2);
  b = sapa_format_integer (-1234);
  c = sapa_format_decimal (-0.04, 1);
  d = sapa_format_decimal (NAN, 1);
  g_assert_cmpstr (a, ==, "1.234.567,89");
  g_assert_cmpstr (b, ==, "-1.234");
  g_assert_cmpstr (c, ==, "0,0");
  g_assert_cmpstr (d, ==, "");

  g_assert_nonnull (setlocale (LC_NUMERIC, "en_US.UTF-8"));
  e = sapa_format_decimal (1234567.891, 2);
  g_assert_cmpstr (e, ==, "1,234,567.89");

  /* the plain C locale: no grouping */
  g_assert_nonnull (setlocale (LC_NUMERIC, "C.UTF-8"));
  g = sapa_format_decimal (1234.5, 1);
  h = sapa_format_decimal (999.96, 1);
  g_assert_cmpstr (g, ==, "1234.5");
  g_assert_cmpstr (h, ==, "1000.0");
}

int
main (int   argc,
      char *argv[])
{
  /* the labels are checked in English; the numbers follow LC_NUMERIC */
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-csv/fields", test_fields);
  g_test_add_func ("/metrics-csv/numbers", test_numbers);
  g_test_add ("/metrics-csv/english", Fixture, NULL, fixture_set_up, test_english, fixture_tear_down);
  g_test_add ("/metrics-csv/indonesian", Fixture, NULL, fixture_set_up, test_indonesian, fixture_tear_down);
  g_test_add ("/metrics-csv/filtered", Fixture, NULL, fixture_set_up, test_filtered, fixture_tear_down);
  return g_test_run ();
}
