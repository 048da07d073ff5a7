/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>
#include <sapa/sapa.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"
#include "metrics-test-util.h"
#include "sapa-test-dir.h"

#define HOUR 3600
#define DAY  86400

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  gint64     t0;      /* Monday 2026-03-02 00:00 UTC */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GDateTime) t0 = g_date_time_new_utc (2026, 3, 2, 0, 0, 0);
  g_autoptr(SapaRecord) customer = sapa_record_new_with_id ("customer", "cust-1");
  g_autoptr(SapaRecord) agent = sapa_record_new_with_id ("agent", "a1");
  g_autoptr(GError) error = NULL;

  f->store = sapa_test_store_new ("sapa-metrics-XXXXXX", &f->dir, &f->path);
  f->t0 = g_date_time_to_unix (t0);
  sapa_record_set_string (customer, "full_name", "Budi Santoso");
  sapa_record_set_string (customer, "segment", "regular");
  g_assert_true (sapa_store_save (f->store, customer, &error));
  g_assert_no_error (error);
  sapa_record_set_string (agent, "username", "sari");
  sapa_record_set_string (agent, "display_name", "Sari Dewi");
  sapa_record_set_string (agent, "role", "agent");
  g_assert_true (sapa_store_save (f->store, agent, &error));
  g_assert_no_error (error);

  /* Days of Asia/Jakarta in the daily rollups: filters in WIB read them for
   * their whole days, filters in UTC the hourly ones. */
  {
    g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
    g_autofree char *zone = NULL;

    g_assert_true (sapa_metrics_set_zone (f->store, wib, &error));
    g_assert_no_error (error);
    zone = sapa_metrics_dup_zone (f->store);
    g_assert_cmpstr (zone, ==, "Asia/Jakarta");
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

#define UNSET METRICS_TEST_UNSET

typedef struct {
  const char *id;
  const char *channel;
  const char *branch;
  const char *agent;
  const char *reason;
  gint64      opened;
  gint64      first_response;   /* all times relative to the fixture's t0 */
  gint64      resolved;
  gint64      reopened;
  gint64      contact_count;
  gint64      sla_due;
  gboolean    deleted;
} Conv;

static void
save_conversation (Fixture    *f,
                   const Conv *c)
{
  g_autoptr(SapaRecord) r = sapa_record_new_with_id ("conversation", c->id);
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (r, "customer_id", "cust-1");
  sapa_record_set_string (r, "channel", c->channel);
  if (c->branch != NULL)
    sapa_record_set_string (r, "branch_id", c->branch);
  if (c->agent != NULL)
    sapa_record_set_string (r, "assignee_id", c->agent);
  if (c->reason != NULL)
    sapa_record_set_string (r, "reason", c->reason);
  sapa_record_set_string (r, "status", c->resolved != UNSET ? "resolved" : "open");
  sapa_record_set_int (r, "opened_at", f->t0 + c->opened);
  if (c->first_response != UNSET)
    sapa_record_set_int (r, "first_response_at", f->t0 + c->first_response);
  if (c->resolved != UNSET)
    sapa_record_set_int (r, "resolved_at", f->t0 + c->resolved);
  if (c->reopened != UNSET)
    sapa_record_set_int (r, "reopened_at", f->t0 + c->reopened);
  if (c->contact_count != UNSET)
    sapa_record_set_int (r, "contact_count", c->contact_count);
  if (c->sla_due != UNSET)
    sapa_record_set_int (r, "sla_due", f->t0 + c->sla_due);
  g_assert_true (sapa_store_save (f->store, r, &error));
  g_assert_no_error (error);
  if (c->deleted)
    {
      g_assert_true (sapa_store_delete (f->store, "conversation", c->id, &error));
      g_assert_no_error (error);
    }
}

static void
save_interaction (Fixture    *f,
                  const char *conversation_id,
                  const char *channel,
                  const char *author,
                  gint64      started,
                  gint64      ended)
{
  metrics_test_save_interaction (f->store, conversation_id, channel, author, f->t0 + started,
                                 ended != UNSET ? f->t0 + ended : UNSET);
}

static void
save_survey (Fixture    *f,
             const char *kind,
             int         score,
             const char *branch,
             const char *channel,
             const char *agent,
             gint64      at)
{
  metrics_test_save_survey (f->store, kind, score, branch, channel, agent, f->t0 + at);
}

static SapaMetrics *
compute_on_store (SapaStore               *store,
                  const SapaMetricsFilter *filter,
                  gboolean                 raw)
{
  g_autoptr(GError) error = NULL;
  SapaMetrics *m = raw ? sapa_metrics_compute_raw (store, filter, &error)
                       : sapa_metrics_compute (store, filter, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static SapaMetrics *
compute (Fixture                 *f,
         const SapaMetricsFilter *filter,
         gboolean                 raw)
{
  return compute_on_store (f->store, filter, raw);
}

static void
assert_same_double (double a,
                    double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpfloat_with_epsilon (a, b, 1e-9);
}

static void
assert_same_row (const SapaMetricsRow *a,
                 const SapaMetricsRow *b)
{
  g_assert_cmpstr (a->key, ==, b->key);
  g_assert_cmpint (a->start, ==, b->start);
  g_assert_cmpint (a->counts.conversations, ==, b->counts.conversations);
  g_assert_cmpmem (&a->counts, sizeof a->counts, &b->counts, sizeof b->counts);
  assert_same_double (a->frt_median, b->frt_median);
  assert_same_double (a->frt_p90, b->frt_p90);
}

/* Every figure, row and hour of two results is the same. */
static void
assert_same_metrics (SapaMetrics *a,
                     SapaMetrics *b)
{
  assert_same_row (sapa_metrics_get_total (a), sapa_metrics_get_total (b));
  for (SapaMetricsGroup g = SAPA_METRICS_BY_DAY; g <= SAPA_METRICS_BY_REASON; g++)
    {
      g_assert_cmpuint (sapa_metrics_get_n_rows (a, g), ==, sapa_metrics_get_n_rows (b, g));
      for (guint i = 0; i < sapa_metrics_get_n_rows (a, g); i++)
        assert_same_row (sapa_metrics_get_row (a, g, i), sapa_metrics_get_row (b, g, i));
    }
  g_assert_cmpmem (sapa_metrics_get_hour_of_week (a), 168 * sizeof (guint),
                   sapa_metrics_get_hour_of_week (b), 168 * sizeof (guint));
}

/* -- formulas on counts ---------------------------------------------------- */

static void
test_counts (void)
{
  SapaMetricsCounts c = { 0 };
  SapaMetricsCounts d = { 0 };

  /* Nothing to measure. */
  g_assert_true (isnan (sapa_metrics_counts_csat (&c)));
  g_assert_true (isnan (sapa_metrics_counts_nps (&c)));
  g_assert_true (isnan (sapa_metrics_counts_ces (&c)));
  g_assert_true (isnan (sapa_metrics_counts_ces_easy (&c)));
  g_assert_true (isnan (sapa_metrics_counts_fcr (&c)));
  g_assert_true (isnan (sapa_metrics_counts_aht (&c)));
  g_assert_true (isnan (sapa_metrics_counts_sla (&c)));
  g_assert_true (isnan (sapa_metrics_counts_response_rate (&c)));

  /* All detractors, all promoters, passives only. */
  c.nps_n = 4;
  c.nps_detractors = 4;
  g_assert_cmpfloat (sapa_metrics_counts_nps (&c), ==, -100.0);
  c.nps_detractors = 0;
  c.nps_promoters = 4;
  g_assert_cmpfloat (sapa_metrics_counts_nps (&c), ==, 100.0);
  c.nps_promoters = 0;
  c.nps_passives = 4;
  g_assert_cmpfloat (sapa_metrics_counts_nps (&c), ==, 0.0);
  c.nps_n = 8;
  c.nps_promoters = 3;
  c.nps_passives = 4;
  c.nps_detractors = 1;
  g_assert_cmpfloat (sapa_metrics_counts_nps (&c), ==, 25.0);

  c.csat_n = 8;
  c.csat_satisfied = 7;
  g_assert_cmpfloat (sapa_metrics_counts_csat (&c), ==, 87.5);
  c.ces_n = 3;
  c.ces_sum = 7 + 5 + 2;
  c.ces_easy = 2;
  g_assert_cmpfloat_with_epsilon (sapa_metrics_counts_ces (&c), 14.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (sapa_metrics_counts_ces_easy (&c), 200.0 / 3, 1e-12);
  c.resolved = 4;
  c.fcr = 3;
  g_assert_cmpfloat (sapa_metrics_counts_fcr (&c), ==, 75.0);
  g_assert_cmpfloat (sapa_metrics_counts_response_rate (&c), ==, 200.0);
  c.handled = 4;
  c.handle_seconds = 1000;
  g_assert_cmpfloat (sapa_metrics_counts_aht (&c), ==, 250.0);
  c.sla_n = 5;
  c.sla_met = 4;
  g_assert_cmpfloat (sapa_metrics_counts_sla (&c), ==, 80.0);

  sapa_metrics_counts_add (&d, &c);
  sapa_metrics_counts_add (&d, &c);
  g_assert_cmpuint (d.nps_n, ==, 16);
  g_assert_cmpint (d.handle_seconds, ==, 2000);
  g_assert_cmpfloat (sapa_metrics_counts_nps (&d), ==, 25.0);
}

/* -- the hand-computed desk ----------------------------------------------- */

static void
fill_desk (Fixture *f)
{
  static const Conv convs[] = {
    /* id  channel  branch agent reason  opened  first  resolved reopened count sla_due deleted */
    { "c1", "phone", "b1", "a1", "card", 1 * HOUR, 1 * HOUR + 20, 2 * HOUR, UNSET, 1, 1 * HOUR + 30, FALSE },
    /* answered late; reopened within 7 days: not FCR */
    { "c2", "phone", "b1", "a1", "card", 2 * HOUR, 2 * HOUR + 100, 3 * HOUR, 4 * HOUR, 1, 2 * HOUR + 30, FALSE },
    /* reopened after 7 days: still FCR */
    { "c3", "email", "b2", "a2", "loan", 4 * HOUR, 4 * HOUR + 3000, 5 * HOUR, 5 * HOUR + 8 * DAY, UNSET, 4 * HOUR + DAY, FALSE },
    /* unanswered past due; two contacts: not FCR */
    { "c4", "email", "b2", "a2", "loan", 5 * HOUR, UNSET, 6 * HOUR, UNSET, 2, 5 * HOUR + 60, FALSE },
    /* unanswered, not due yet */
    { "c5", "chat", "b1", "a1", "card", 6 * HOUR, UNSET, UNSET, UNSET, 1, 10 * DAY, FALSE },
    /* tombstoned: counts nowhere */
    { "c6", "phone", "b1", "a1", "card", 7 * HOUR, 7 * HOUR + 5, 7 * HOUR + 60, UNSET, 1, 7 * HOUR + 30, TRUE },
    /* reopened then resolved again (reopened_at < resolved_at): not FCR; no SLA target */
    { "c7", "phone", "b1", "a1", NULL, 8 * HOUR, 8 * HOUR + 40, 10 * HOUR, 9 * HOUR, 1, UNSET, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (convs); i++)
    save_conversation (f, &convs[i]);

  save_survey (f, "csat", 5, "b1", "phone", "a1", 1 * HOUR + 100);
  save_survey (f, "csat", 4, "b1", "phone", "a1", 2 * HOUR + 100);
  save_survey (f, "csat", 3, "b2", "email", "a2", 3 * HOUR + 100);
  save_survey (f, "csat", 1, "b2", "email", "a2", 4 * HOUR + 100);
  save_survey (f, "nps", 10, "b1", "phone", "a1", 1 * HOUR + 200);
  save_survey (f, "nps", 9, "b1", "phone", "a1", 1 * HOUR + 300);
  save_survey (f, "nps", 8, "b1", "phone", "a1", 1 * HOUR + 400);
  save_survey (f, "nps", 7, "b2", "email", "a2", 1 * HOUR + 500);
  save_survey (f, "nps", 6, "b2", "email", "a2", 1 * HOUR + 600);
  save_survey (f, "nps", 0, "b2", "email", "a2", 1 * HOUR + 700);
  save_survey (f, "ces", 7, "b1", "phone", "a1", 2 * HOUR);
  save_survey (f, "ces", 5, "b1", "phone", "a1", 2 * HOUR);
  save_survey (f, "ces", 3, "b1", "phone", "a1", 2 * HOUR);
  save_survey (f, "ces", 1, NULL, NULL, NULL, 2 * HOUR);

  /* AHT: phone, walk-in and video with an end only. */
  save_interaction (f, "c1", "phone", "a1", 1 * HOUR, 1 * HOUR + 300);
  save_interaction (f, "c2", "walk_in", "a1", 2 * HOUR, 2 * HOUR + 600);
  save_interaction (f, NULL, "video", "a2", 3 * HOUR, 3 * HOUR + 120);
  save_interaction (f, "c3", "email", "a2", 4 * HOUR, 4 * HOUR + 900);
  save_interaction (f, "c1", "phone", "a1", 1 * HOUR + 400, UNSET);
  save_interaction (f, "c6", "phone", "a1", 7 * HOUR, 7 * HOUR + 1000);
}

static void
test_desk_figures (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + DAY, utc);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) raw = NULL;
  const SapaMetricsRow *total, *row;
  const SapaMetricsCounts *c;

  fill_desk (f);
  sapa_metrics_filter_set_now (filter, f->t0 + DAY);
  m = compute (f, filter, FALSE);
  raw = compute (f, filter, TRUE);
  assert_same_metrics (m, raw);
  g_assert_false (sapa_metrics_is_empty (m));

  total = sapa_metrics_get_total (m);
  c = &total->counts;
  g_assert_null (total->key);
  g_assert_cmpuint (c->conversations, ==, 6);
  /* CSAT 5, 4, 3, 1 */
  g_assert_cmpuint (c->csat_n, ==, 4);
  g_assert_cmpfloat (sapa_metrics_counts_csat (c), ==, 50.0);
  /* NPS 10, 9 | 8, 7 | 6, 0 */
  g_assert_cmpuint (c->nps_promoters, ==, 2);
  g_assert_cmpuint (c->nps_passives, ==, 2);
  g_assert_cmpuint (c->nps_detractors, ==, 2);
  g_assert_cmpfloat (sapa_metrics_counts_nps (c), ==, 0.0);
  /* CES 7, 5, 3, 1 */
  g_assert_cmpfloat (sapa_metrics_counts_ces (c), ==, 4.0);
  g_assert_cmpfloat (sapa_metrics_counts_ces_easy (c), ==, 50.0);
  /* Resolved c1 c2 c3 c4 c7; FCR c1 c3 */
  g_assert_cmpuint (c->resolved, ==, 5);
  g_assert_cmpuint (c->fcr, ==, 2);
  g_assert_cmpfloat (sapa_metrics_counts_fcr (c), ==, 40.0);
  g_assert_cmpfloat (sapa_metrics_counts_response_rate (c), ==, 80.0);
  /* 300 + 600 + 120 seconds */
  g_assert_cmpuint (c->handled, ==, 3);
  g_assert_cmpfloat (sapa_metrics_counts_aht (c), ==, 340.0);
  /* SLA: c1 met, c2 late, c3 met, c4 unanswered past due */
  g_assert_cmpuint (c->sla_n, ==, 4);
  g_assert_cmpuint (c->sla_met, ==, 2);
  g_assert_cmpfloat (sapa_metrics_counts_sla (c), ==, 50.0);
  /* FRT 20, 40, 100, 3000 */
  g_assert_cmpuint (c->answered, ==, 4);
  g_assert_cmpfloat (total->frt_median, ==, 70.0);
  g_assert_cmpfloat (total->frt_p90, ==, 3000.0);

  /* Per channel: phone c1 c2 c7 first (3 conversations) */
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_CHANNEL), ==, 6);  /* phone email chat walk_in video "" */
  row = sapa_metrics_get_row (m, SAPA_METRICS_BY_CHANNEL, 0);
  g_assert_cmpstr (row->key, ==, "phone");
  g_assert_cmpuint (row->counts.conversations, ==, 3);
  g_assert_cmpfloat (row->frt_median, ==, 40.0);
  g_assert_cmpfloat (row->frt_p90, ==, 100.0);
  g_assert_cmpuint (row->counts.handled, ==, 1);
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_CHANNEL, "email");
  g_assert_nonnull (row);
  g_assert_cmpfloat (row->frt_median, ==, 3000.0);
  g_assert_cmpfloat (sapa_metrics_counts_sla (&row->counts), ==, 50.0);
  g_assert_cmpuint (row->counts.handled, ==, 0);
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_CHANNEL, "walk_in");
  g_assert_cmpuint (row->counts.handled, ==, 1);
  g_assert_cmpfloat (sapa_metrics_counts_aht (&row->counts), ==, 600.0);
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_CHANNEL, "");
  g_assert_cmpuint (row->counts.ces_n, ==, 1);    /* the survey without a channel */
  g_assert_null (sapa_metrics_find_row (m, SAPA_METRICS_BY_CHANNEL, "whatsapp"));

  /* Per agent and branch */
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_AGENT, "a2");
  g_assert_cmpuint (row->counts.conversations, ==, 2);
  g_assert_cmpuint (row->counts.handled, ==, 1);       /* the video call's author */
  g_assert_cmpfloat (sapa_metrics_counts_nps (&row->counts), ==, -200.0 / 3);
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_BRANCH, "b1");
  g_assert_cmpuint (row->counts.conversations, ==, 4);
  g_assert_cmpuint (row->counts.handled, ==, 2);       /* via the conversations' branch */
  row = sapa_metrics_find_row (m, SAPA_METRICS_BY_BRANCH, "");
  g_assert_cmpuint (row->counts.handled, ==, 1);       /* no conversation, no branch */

  /* Per reason: surveys and interactions are not split by reason */
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_REASON), ==, 3);
  row = sapa_metrics_get_row (m, SAPA_METRICS_BY_REASON, 0);
  g_assert_cmpstr (row->key, ==, "card");
  g_assert_cmpuint (row->counts.conversations, ==, 3);
  g_assert_cmpuint (row->counts.csat_n, ==, 0);

  /* One day; hours of the week on Monday */
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_DAY), ==, 1);
  row = sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0);
  g_assert_cmpstr (row->key, ==, "2026-03-02");
  g_assert_cmpint (row->start, ==, f->t0);
  g_assert_cmpuint (row->counts.conversations, ==, 6);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[1], ==, 1);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[8], ==, 1);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[7], ==, 0);   /* c6 deleted */

  /* Filters */
  {
    g_autoptr(SapaMetricsFilter) narrow = sapa_metrics_filter_copy (filter);
    g_autoptr(SapaMetrics) n = NULL;
    g_autoptr(SapaMetrics) nraw = NULL;

    sapa_metrics_filter_set_channel (narrow, "phone");
    n = compute (f, narrow, FALSE);
    nraw = compute (f, narrow, TRUE);
    assert_same_metrics (n, nraw);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.conversations, ==, 3);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.csat_n, ==, 2);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.handled, ==, 1);
    sapa_metrics_filter_set_channel (narrow, NULL);
    sapa_metrics_filter_set_branch (narrow, "b2");
    sapa_metrics_filter_set_agent (narrow, "a2");
    g_clear_pointer (&n, sapa_metrics_unref);
    g_clear_pointer (&nraw, sapa_metrics_unref);
    n = compute (f, narrow, FALSE);
    nraw = compute (f, narrow, TRUE);
    assert_same_metrics (n, nraw);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.conversations, ==, 2);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.sla_n, ==, 2);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.sla_met, ==, 1);
    g_assert_cmpuint (sapa_metrics_get_total (n)->counts.handled, ==, 0);  /* the video call has no branch */
  }

  /* "Now" before c4's due time: it is not missed yet. */
  {
    g_autoptr(SapaMetricsFilter) early = sapa_metrics_filter_copy (filter);
    g_autoptr(SapaMetrics) e = NULL;

    sapa_metrics_filter_set_now (early, f->t0 + 5 * HOUR + 30);
    e = compute (f, early, FALSE);
    g_assert_cmpuint (sapa_metrics_get_total (e)->counts.sla_n, ==, 3);
  }
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + 3 * DAY, utc);
  g_autoptr(SapaMetrics) m = compute (f, filter, FALSE);
  const SapaMetricsRow *total = sapa_metrics_get_total (m);

  g_assert_true (sapa_metrics_is_empty (m));
  g_assert_true (isnan (sapa_metrics_counts_csat (&total->counts)));
  g_assert_true (isnan (total->frt_median));
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_DAY), ==, 3);
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_CHANNEL), ==, 0);
}

static void
test_frt_steps (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + 10 * DAY, utc);
  g_autoptr(SapaMetrics) m = NULL;
  /* seconds -> the value it counts as */
  static const gint64 cases[][2] = {
    { 300, 300 }, { 301, 300 }, { 4000, 3960 }, { 100000, 99960 }, { 200000, 199800 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("f%u", i);
      Conv c = { id, "email", "b1", "a1", "other", i * DAY, i * DAY + cases[i][0], UNSET, UNSET, UNSET, UNSET, FALSE };

      save_conversation (f, &c);
    }
  m = compute (f, filter, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const SapaMetricsRow *day = sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, i);

      g_assert_cmpfloat (day->frt_median, ==, (double) cases[i][1]);
      g_assert_cmpfloat (day->frt_p90, ==, (double) cases[i][1]);
    }
  /* Five values: the median is the third, p90 the fifth. */
  g_assert_cmpfloat (sapa_metrics_get_total (m)->frt_median, ==, 3960.0);
  g_assert_cmpfloat (sapa_metrics_get_total (m)->frt_p90, ==, 199800.0);
  {
    g_autoptr(SapaMetrics) raw = compute (f, filter, TRUE);
    assert_same_metrics (m, raw);
  }
}

/* A record at 23:30 WIB belongs to that local day, not to the UTC one. */
static void
test_time_zones (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(SapaMetricsFilter) local = NULL;
  g_autoptr(SapaMetricsFilter) universal = NULL;
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) u = NULL;
  gint64 day0;

  g_assert_nonnull (wib);
  start = g_date_time_new (wib, 2026, 3, 2, 0, 0, 0);
  day0 = g_date_time_to_unix (start);
  g_assert_cmpint (day0, ==, f->t0 - 7 * HOUR);

  /* Monday 23:30 WIB = Monday 16:30 UTC; Tuesday 05:30 WIB = Monday 22:30 UTC */
  {
    Conv a = { "late", "phone", "b1", "a1", "card", 23 * HOUR + 1800 - 7 * HOUR, UNSET, UNSET, UNSET, 1, UNSET, FALSE };
    Conv b = { "early", "phone", "b1", "a1", "card", DAY + 5 * HOUR + 1800 - 7 * HOUR, UNSET, UNSET, UNSET, 1, UNSET, FALSE };

    save_conversation (f, &a);
    save_conversation (f, &b);
    save_survey (f, "csat", 5, "b1", "phone", "a1", 23 * HOUR + 1800 - 7 * HOUR);
  }

  local = sapa_metrics_filter_new (day0, day0 + 2 * DAY, wib);
  m = compute (f, local, FALSE);
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_DAY), ==, 2);
  g_assert_cmpstr (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->key, ==, "2026-03-02");
  g_assert_cmpint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->start, ==, day0);
  g_assert_cmpuint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->counts.conversations, ==, 1);
  g_assert_cmpuint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->counts.csat_n, ==, 1);
  g_assert_cmpuint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 1)->counts.conversations, ==, 1);
  /* Monday 23h and Tuesday 05h of the week, in WIB */
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[23], ==, 1);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[24 + 5], ==, 1);
  {
    g_autoptr(SapaMetrics) raw = compute (f, local, TRUE);
    assert_same_metrics (m, raw);
  }

  universal = sapa_metrics_filter_new (f->t0, f->t0 + 2 * DAY, utc);
  u = compute (f, universal, FALSE);
  g_assert_cmpuint (sapa_metrics_get_row (u, SAPA_METRICS_BY_DAY, 0)->counts.conversations, ==, 2);
  g_assert_cmpuint (sapa_metrics_get_row (u, SAPA_METRICS_BY_DAY, 1)->counts.conversations, ==, 0);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (u)[16], ==, 1);
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (u)[22], ==, 1);
}

/* Ranges that do not start or end on the hour: the rollups plus the raw
 * edges give what a scan of the records gives. */
static void
test_partial_hours (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  static const gint64 ranges[][2] = {
    { 1800, 5 * HOUR + 900 }, { 1 * HOUR + 10, 1 * HOUR + 150 }, { 1 * HOUR + 250, 2 * HOUR + 5 },
    { 0, 8 * HOUR + 39 }, { 2 * HOUR + 99, 10 * HOUR + 1 }, { 3 * HOUR, 3 * HOUR },
  };

  fill_desk (f);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0 + ranges[i][0], f->t0 + ranges[i][1], wib);
      g_autoptr(SapaMetrics) m = NULL;
      g_autoptr(SapaMetrics) raw = NULL;

      sapa_metrics_filter_set_now (filter, f->t0 + DAY);
      m = compute (f, filter, FALSE);
      raw = compute (f, filter, TRUE);
      assert_same_metrics (m, raw);
    }
  /* [01:00:10, 01:02:30): c1's first response at 01:00:20 is in, its survey at 01:01:40 too. */
  {
    g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0 + HOUR + 10, f->t0 + HOUR + 150, wib);
    g_autoptr(SapaMetrics) m = compute (f, filter, FALSE);

    g_assert_cmpuint (sapa_metrics_get_total (m)->counts.conversations, ==, 0);
    g_assert_cmpuint (sapa_metrics_get_total (m)->counts.csat_n, ==, 1);
  }
}

static void
test_days_and_previous (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0 + 2 * DAY, f->t0 + 5 * DAY, utc);
  g_autoptr(SapaMetricsFilter) prev = sapa_metrics_filter_previous (filter);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) p = NULL;
  Conv a = { "d3", "chat", "b1", "a1", "card", 3 * DAY + HOUR, UNSET, UNSET, UNSET, 1, UNSET, FALSE };
  Conv b = { "d0", "chat", "b1", "a1", "card", 0 * DAY + HOUR, UNSET, UNSET, UNSET, 1, UNSET, FALSE };

  save_conversation (f, &a);
  save_conversation (f, &b);
  sapa_metrics_filter_set_branch (filter, "b1");
  g_clear_pointer (&prev, sapa_metrics_filter_free);
  prev = sapa_metrics_filter_previous (filter);
  g_assert_cmpint (sapa_metrics_filter_get_from (prev), ==, f->t0 - DAY);
  g_assert_cmpint (sapa_metrics_filter_get_to (prev), ==, f->t0 + 2 * DAY);
  g_assert_cmpstr (sapa_metrics_filter_get_branch (prev), ==, "b1");

  m = compute (f, filter, FALSE);
  g_assert_cmpuint (sapa_metrics_get_n_rows (m, SAPA_METRICS_BY_DAY), ==, 3);
  g_assert_cmpstr (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->key, ==, "2026-03-04");
  g_assert_cmpuint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 0)->counts.conversations, ==, 0);
  g_assert_cmpstr (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 1)->key, ==, "2026-03-05");
  g_assert_cmpuint (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 1)->counts.conversations, ==, 1);
  g_assert_cmpstr (sapa_metrics_get_row (m, SAPA_METRICS_BY_DAY, 2)->key, ==, "2026-03-06");
  g_assert_cmpuint (sapa_metrics_get_total (m)->counts.conversations, ==, 1);
  /* Thursday 01h */
  g_assert_cmpuint (sapa_metrics_get_hour_of_week (m)[3 * 24 + 1], ==, 1);

  p = compute (f, prev, FALSE);
  g_assert_cmpuint (sapa_metrics_get_n_rows (p, SAPA_METRICS_BY_DAY), ==, 3);
  g_assert_cmpstr (sapa_metrics_get_row (p, SAPA_METRICS_BY_DAY, 0)->key, ==, "2026-03-01");
  g_assert_cmpuint (sapa_metrics_get_total (p)->counts.conversations, ==, 1);
}

static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0 - 7 * HOUR, f->t0 + 2 * DAY - 7 * HOUR, wib);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o, *total, *counts, *filt, *day;
  JsonArray *how;

  fill_desk (f);
  sapa_metrics_filter_set_now (filter, f->t0 + DAY);
  sapa_metrics_filter_set_branch (filter, "b1");
  m = compute (f, filter, FALSE);
  node = sapa_metrics_to_json (m);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, "2026-03-02T00:00:00+07");
  g_assert_cmpstr (json_object_get_string_member (o, "tz"), ==, "Asia/Jakarta");
  filt = json_object_get_object_member (o, "filter");
  g_assert_cmpstr (json_object_get_string_member (filt, "branch"), ==, "b1");
  g_assert_true (json_object_get_null_member (filt, "channel"));
  g_assert_true (json_object_get_null_member (filt, "agent"));
  total = json_object_get_object_member (o, "total");
  g_assert_true (json_object_get_null_member (total, "key"));
  counts = json_object_get_object_member (total, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "conversations"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (counts, "csat_n"), ==, 2);
  g_assert_cmpuint (json_object_get_size (counts), ==, 17);
  g_assert_cmpfloat (json_object_get_double_member (total, "csat"), ==, 100.0);
  g_assert_cmpfloat (json_object_get_double_member (total, "nps"), ==, 200.0 / 3);
  g_assert_cmpfloat (json_object_get_double_member (total, "aht"), ==, 450.0);
  g_assert_cmpfloat (json_object_get_double_member (total, "frt_median"), ==, 40.0);
  for (const char * const *k = (const char * const[]) { "csat", "nps", "ces", "ces_easy", "fcr", "aht", "sla",
                                                          "response_rate", "frt_median", "frt_p90", NULL };
       *k != NULL; k++)
    g_assert_true (json_object_has_member (total, *k));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "by_day")), ==, 2);
  day = json_array_get_object_element (json_object_get_array_member (o, "by_day"), 1);
  g_assert_cmpstr (json_object_get_string_member (day, "key"), ==, "2026-03-03");
  g_assert_cmpstr (json_object_get_string_member (day, "start"), ==, "2026-03-03T00:00:00+07");
  g_assert_true (json_object_get_null_member (day, "csat"));   /* nothing that day: null, not NaN */
  g_assert_true (json_object_get_null_member (day, "frt_median"));
  day = json_array_get_object_element (json_object_get_array_member (o, "by_channel"), 0);
  g_assert_cmpstr (json_object_get_string_member (day, "key"), ==, "phone");
  g_assert_true (json_object_get_null_member (day, "start"));
  for (const char * const *k = (const char * const[]) { "by_agent", "by_branch", "by_reason", NULL }; *k != NULL; k++)
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, *k)));
  how = json_object_get_array_member (o, "hour_of_week");
  g_assert_cmpuint (json_array_get_length (how), ==, 168);
  g_assert_cmpint (json_array_get_int_element (how, 8), ==, 1);   /* c1 at 01:00 UTC = 08:00 WIB Monday */
  {
    g_autofree char *text = json_to_string (node, FALSE);
    g_assert_null (strstr (text, "nan"));
  }
}

static void
test_drill_down (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + DAY, utc);
  g_autoptr(GError) error = NULL;
  struct {
    SapaMetricsFigure figure;
    const char *ids;
  } cases[] = {
    { SAPA_METRICS_FIGURE_CONVERSATIONS, "c7 c5 c4 c3 c2 c1" },
    { SAPA_METRICS_FIGURE_RESOLVED, "c7 c4 c3 c2 c1" },
    { SAPA_METRICS_FIGURE_NOT_FCR, "c7 c4 c2" },
    { SAPA_METRICS_FIGURE_SLA_MISSED, "c4 c2" },
    { SAPA_METRICS_FIGURE_HANDLED, "c2 c1" },
  };

  fill_desk (f);
  {
    /* Surveys tied to conversations */
    g_autoptr(SapaRecord) r = sapa_record_new ("survey_response");

    sapa_record_set_string (r, "kind", "nps");
    sapa_record_set_int (r, "score", 3);
    sapa_record_set_string (r, "conversation_id", "c3");
    sapa_record_set_string (r, "collected_via", "link");
    sapa_record_set_int (r, "collected_at", f->t0 + 12 * HOUR);
    g_assert_true (sapa_store_save (f->store, r, &error));
    g_assert_no_error (error);
  }
  sapa_metrics_filter_set_now (filter, f->t0 + DAY);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) list = sapa_metrics_list_conversations (f->store, filter, cases[i].figure, 50, &error);
      g_autoptr(GString) ids = g_string_new (NULL);

      g_assert_no_error (error);
      for (guint j = 0; j < list->len; j++)
        g_string_append_printf (ids, "%s%s", j ? " " : "", sapa_record_get_id (g_ptr_array_index (list, j)));
      g_assert_cmpstr (ids->str, ==, cases[i].ids);
    }
  {
    g_autoptr(GPtrArray) list = sapa_metrics_list_conversations (f->store, filter, SAPA_METRICS_FIGURE_DETRACTORS,
                                                                 1, &error);
    SapaRecord *r;

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    r = g_ptr_array_index (list, 0);
    g_assert_cmpstr (sapa_record_get_id (r), ==, "c3");
    g_assert_cmpstr (sapa_record_get_extra (r, "customer_name"), ==, "Budi Santoso");
    g_assert_null (sapa_record_get_extra (r, "agent_name"));   /* a2 is not an agent record */
  }
  {
    g_autoptr(GPtrArray) list = sapa_metrics_list_conversations (f->store, filter, SAPA_METRICS_FIGURE_CONVERSATIONS,
                                                                 2, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (list, 0), "agent_name"), ==, "Sari Dewi");
  }
}

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (f->t0, f->t0 + DAY, utc);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  fill_desk (f);
  sapa_metrics_compute_async (f->store, filter, NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  m = sapa_metrics_compute_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sapa_metrics_get_total (m)->counts.conversations, ==, 6);

  sapa_metrics_list_conversations_async (f->store, filter, SAPA_METRICS_FIGURE_RESOLVED, 3, NULL, async_done, &result2);
  while (result2 == NULL)
    g_main_context_iteration (NULL, TRUE);
  list = sapa_metrics_list_conversations_finish (result2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
}

/* -- rollups against a rebuild ---------------------------------------------- */

/* The rollup tables' rows with any count, as text: the hourly tables, then
 * the daily ones and the hourly volume. */
static char *
dump_rollups (const char *path)
{
  static const guint n_keys[] = { 4, 5, 6, 5, 4, 6, 6, 7, 6, 6, 3 };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) tables = g_ptr_array_new ();
  sqlite3 *db = NULL;

  for (guint t = 0; sapa_metrics_rollup_tables[t] != NULL; t++)
    g_ptr_array_add (tables, (gpointer) sapa_metrics_rollup_tables[t]);
  for (guint t = 0; sapa_metrics_daily_tables[t] != NULL; t++)
    g_ptr_array_add (tables, (gpointer) sapa_metrics_daily_tables[t]);
  g_assert_cmpuint (tables->len, ==, G_N_ELEMENTS (n_keys));
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint t = 0; t < tables->len; t++)
    {
      const char *table = g_ptr_array_index (tables, t);
      g_autofree char *order = NULL;
      g_autofree char *sql = NULL;

      order = g_strdup ("1");
      for (guint k = 2; k <= n_keys[t]; k++)
        {
          char *longer = g_strdup_printf ("%s, %u", order, k);

          g_free (order);
          order = longer;
        }
      sql = g_strdup_printf ("SELECT * FROM %s ORDER BY %s;", table, order);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "%s\n", table);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int n = sqlite3_column_count (stmt);
          gboolean any = FALSE;

          for (int i = (int) n_keys[t]; i < n; i++)
            any |= sqlite3_column_int64 (stmt, i) != 0;
          if (!any)
            continue;
          for (int i = 0; i < n; i++)
            g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, i));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_rollups_equal_rebuild (SapaStore  *store,
                              const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_rollups (path);
  g_autofree char *after = NULL;

  g_assert_true (sapa_metrics_rebuild (store, &error));
  g_assert_no_error (error);
  after = dump_rollups (path);
  g_assert_cmpstr (before, ==, after);
}

/* -- daily rollups ------------------------------------------------------------ */

/* Conversations, responses and calls on several local days, some near local
 * midnight (WIB = UTC+7: 16:59 and 17:00 UTC fall on two different days). */
static void
fill_days (Fixture *f)
{
  static const char *channels[] = { "phone", "email", "chat", "walk_in" };
  static const char *agents[] = { "a1", "a2", "a3" };
  static const char *branches[] = { "b1", "b2" };
  static const char *reasons[] = { "card", "loan", "account" };

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *id = g_strdup_printf ("d%u", i);
      gint64 opened = (gint64) (i / 6) * DAY + (i % 2 == 0 ? 17 * HOUR - 1 - i : 17 * HOUR + i * 97) - 3 * DAY;
      Conv c = { id, channels[i % 4], branches[i % 2], agents[i % 3], reasons[i % 3], opened,
                 i % 5 == 0 ? UNSET : opened + 20 + i * 41, i % 3 == 0 ? UNSET : opened + HOUR + i * 600,
                 i % 7 == 0 ? opened + 2 * DAY : UNSET, 1 + i % 2, opened + 60 * (i % 4 + 1), i == 17 };

      save_conversation (f, &c);
      save_survey (f, i % 3 == 0 ? "csat" : i % 3 == 1 ? "nps" : "ces", (int) (i % 5) + 1,
                   branches[i % 2], channels[(i + 1) % 4], agents[(i + 2) % 3], opened + i * 300);
      save_interaction (f, id, i % 2 == 0 ? "phone" : "video", agents[(i + 1) % 3], opened, opened + 100 + i);
    }
}

static void
assert_daily_equals_raw (Fixture    *f,
                         gint64      from,
                         gint64      to,
                         GTimeZone  *tz,
                         const char *branch,
                         const char *channel,
                         const char *agent)
{
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (from, to, tz);
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) raw = NULL;

  sapa_metrics_filter_set_branch (filter, branch);
  sapa_metrics_filter_set_channel (filter, channel);
  sapa_metrics_filter_set_agent (filter, agent);
  sapa_metrics_filter_set_now (filter, f->t0 + 3 * DAY);
  m = compute (f, filter, FALSE);
  raw = compute (f, filter, TRUE);
  assert_same_metrics (m, raw);
}

static guint
conversations_in (Fixture   *f,
                  gint64     from,
                  gint64     to,
                  GTimeZone *tz)
{
  g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (from, to, tz);
  g_autoptr(SapaMetrics) m = compute (f, filter, FALSE);

  return sapa_metrics_get_total (m)->counts.conversations;
}

static void
exec_on (Fixture    *f,
         const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_daily_zone (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) kolkata = g_time_zone_new_identifier ("Asia/Kolkata");
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;
  gint64 wib_day = f->t0 - 7 * HOUR;        /* 2026-03-02 00:00 WIB */
  gint64 utc_day = f->t0;                   /* 2026-03-02 00:00 UTC */
  struct { gint64 from, to; const char *branch, *channel, *agent; } ranges[] = {
    { -4 * DAY, 12 * DAY, NULL, NULL, NULL },
    { -3 * DAY + 1234, 7 * DAY - 77, NULL, NULL, NULL },
    { -2 * DAY, 5 * DAY, "b1", NULL, NULL },
    { -2 * DAY + HOUR, 6 * DAY, NULL, "phone", NULL },
    { -3 * DAY, 9 * DAY + 5, NULL, NULL, "a2" },
    { -3 * DAY - 5, 9 * DAY, "b2", "email", NULL },
    { -3 * DAY + 59, 9 * DAY, NULL, "chat", "a1" },
    { -3 * DAY, 9 * DAY, "b1", "walk_in", "a3" },
    { DAY, 2 * DAY, NULL, NULL, NULL },
  };
  guint before;

  fill_desk (f);
  fill_days (f);

  /* Filters in the metrics zone (daily tables for their whole days) and in
   * UTC (hourly), every figure equal to the scan. */
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      assert_daily_equals_raw (f, wib_day + ranges[i].from, wib_day + ranges[i].to, wib,
                               ranges[i].branch, ranges[i].channel, ranges[i].agent);
      assert_daily_equals_raw (f, utc_day + ranges[i].from, utc_day + ranges[i].to, utc,
                               ranges[i].branch, ranges[i].channel, ranges[i].agent);
    }
  assert_rollups_equal_rebuild (f->store, f->path);

  /* The WIB figures are read from the daily tables: a count added there
   * shows in them, not in the UTC ones, and a rebuild takes it out. */
  before = conversations_in (f, wib_day - 4 * DAY, wib_day + 12 * DAY, wib);
  g_assert_cmpuint (before, >, 60);
  exec_on (f, "UPDATE metrics_conversation_day SET conversations = conversations + 1000 WHERE grp = 'bc' AND "
              "(day, branch_id, channel) = (SELECT day, branch_id, channel FROM metrics_conversation_day "
              "WHERE grp = 'bc' AND conversations > 0 ORDER BY 1, 2, 3 LIMIT 1);");
  g_assert_cmpuint (conversations_in (f, wib_day - 4 * DAY, wib_day + 12 * DAY, wib), ==, before + 1000);
  g_assert_cmpuint (conversations_in (f, utc_day - 4 * DAY, utc_day + 12 * DAY, utc), ==, before);
  g_assert_true (sapa_metrics_rebuild (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (conversations_in (f, wib_day - 4 * DAY, wib_day + 12 * DAY, wib), ==, before);

  /* Zones whose offset changes or is not whole hours are refused; the zone stays. */
  g_assert_false (sapa_metrics_set_zone (f->store, berlin, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sapa_metrics_set_zone (f->store, kolkata, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  zone = sapa_metrics_dup_zone (f->store);
  g_assert_cmpstr (zone, ==, "Asia/Jakarta");
  g_clear_pointer (&zone, g_free);

  /* UTC as the metrics zone: the daily tables are rebuilt by UTC days in the
   * same transaction; the UTC filters now read them, the WIB ones the hourly
   * tables, all still equal to the scan. */
  g_assert_true (sapa_metrics_set_zone (f->store, utc, &error));
  g_assert_no_error (error);
  zone = sapa_metrics_dup_zone (f->store);
  g_assert_cmpstr (zone, ==, "UTC");
  {
    g_autofree char *offset = sapa_store_dup_meta (f->store, "metrics_utc_offset");

    g_assert_cmpstr (offset, ==, "0");
  }
  assert_rollups_equal_rebuild (f->store, f->path);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      assert_daily_equals_raw (f, wib_day + ranges[i].from, wib_day + ranges[i].to, wib,
                               ranges[i].branch, ranges[i].channel, ranges[i].agent);
      assert_daily_equals_raw (f, utc_day + ranges[i].from, utc_day + ranges[i].to, utc,
                               ranges[i].branch, ranges[i].channel, ranges[i].agent);
    }
  exec_on (f, "UPDATE metrics_conversation_day SET conversations = conversations + 1000 WHERE grp = 'bc' AND "
              "(day, branch_id, channel) = (SELECT day, branch_id, channel FROM metrics_conversation_day "
              "WHERE grp = 'bc' AND conversations > 0 ORDER BY 1, 2, 3 LIMIT 1);");
  g_assert_cmpuint (conversations_in (f, utc_day - 4 * DAY, utc_day + 12 * DAY, utc), ==, before + 1000);
  g_assert_cmpuint (conversations_in (f, wib_day - 4 * DAY, wib_day + 12 * DAY, wib), ==, before);
  g_assert_true (sapa_metrics_rebuild (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (conversations_in (f, utc_day - 4 * DAY, utc_day + 12 * DAY, utc), ==, before);
  assert_rollups_equal_rebuild (f->store, f->path);
}

static void
test_rollups_after_fixture (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *dump = NULL;

  fill_desk (f);
  dump = dump_rollups (f->path);
  g_assert_nonnull (strstr (dump, "metrics_frt_hour"));
  g_assert_cmpuint (strlen (dump), >, 200);
  assert_rollups_equal_rebuild (f->store, f->path);

  /* No path of Sapa removes conversation rows, but the triggers cover it:
   * a live one with interactions, a tombstoned one, one with a branch. */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM conversation WHERE id IN ('c1', 'c6', 'c3');", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
  }
  assert_rollups_equal_rebuild (f->store, f->path);
}


/* -- random edits ------------------------------------------------------------ */

static const char * const r_branches[] = { "b1", "b2", "b3", NULL };
static const char * const r_channels[] = { "phone", "walk_in", "video", "email", "chat", "whatsapp" };
static const char * const r_agents[] = { "a1", "a2", "a3", NULL };
static const char * const r_reasons[] = { "card", "loan", "other", NULL };

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

typedef struct {
  Fixture   *f;
  GRand     *rand;
  GPtrArray *conversations;   /* ids */
  gint64     span;            /* seconds after t0 that records fall in */
  guint      ops;
  guint      applied;
  guint      superseded;
} Random;

static gint64
r_time (Random *r)
{
  return r->f->t0 + g_rand_int_range (r->rand, 0, (gint32) r->span);
}

static gint64
r_later (Random *r,
         gint64  after)
{
  /* Mostly minutes, sometimes hours or days (FRT steps, reopen windows). */
  switch (g_rand_int_range (r->rand, 0, 4))
    {
    case 0: return after + g_rand_int_range (r->rand, 0, 301);
    case 1: return after + g_rand_int_range (r->rand, 0, 4 * HOUR);
    case 2: return after + g_rand_int_range (r->rand, 0, 3 * DAY);
    default: return after + g_rand_int_range (r->rand, 0, 10 * DAY);
    }
}

/* Sets a random conversation field (or clears it). */
static void
r_edit_conversation (Random     *r,
                     SapaRecord *c)
{
  gint64 opened = sapa_record_get_int (c, "opened_at");

  switch (g_rand_int_range (r->rand, 0, 12))
    {
    case 0: /* resolve (again) */
      sapa_record_set_string (c, "status", g_rand_boolean (r->rand) ? "resolved" : "closed");
      sapa_record_set_int (c, "resolved_at", r_later (r, opened));
      break;
    case 1: /* reopen */
      sapa_record_set_string (c, "status", "open");
      sapa_record_set_int (c, "reopened_at", r_later (r, sapa_record_has (c, "resolved_at")
                                                        ? sapa_record_get_int (c, "resolved_at") : opened));
      break;
    case 2:
      sapa_record_set_string (c, "assignee_id", PICK (r->rand, r_agents));
      break;
    case 3:
      sapa_record_set_string (c, "branch_id", PICK (r->rand, r_branches));
      break;
    case 4:
      sapa_record_set_string (c, "channel", PICK (r->rand, r_channels));
      break;
    case 5:
      sapa_record_set_string (c, "reason", PICK (r->rand, r_reasons));
      break;
    case 6:
      if (g_rand_boolean (r->rand))
        sapa_record_set_int (c, "first_response_at", r_later (r, opened));
      else
        sapa_record_unset (c, "first_response_at");
      break;
    case 7:
      if (g_rand_int_range (r->rand, 0, 4) != 0)
        sapa_record_set_int (c, "sla_due", r_later (r, opened));
      else
        sapa_record_unset (c, "sla_due");
      break;
    case 8:
      sapa_record_set_int (c, "contact_count", g_rand_int_range (r->rand, 0, 4));
      break;
    case 9:
      sapa_record_set_int (c, "opened_at", r_time (r));
      break;
    case 10:
      sapa_record_unset (c, "resolved_at");
      sapa_record_set_string (c, "status", "pending");
      break;
    default:
      sapa_record_set_string (c, "subject", "Not counted anywhere");
      break;
    }
}

static SapaRecord *
r_new_conversation (Random *r)
{
  g_autofree char *id = g_uuid_string_random ();
  SapaRecord *c = sapa_record_new_with_id ("conversation", id);
  gint64 opened = r_time (r);

  sapa_record_set_string (c, "customer_id", "cust-1");
  sapa_record_set_string (c, "channel", PICK (r->rand, r_channels));
  sapa_record_set_string (c, "branch_id", PICK (r->rand, r_branches));
  sapa_record_set_string (c, "assignee_id", PICK (r->rand, r_agents));
  sapa_record_set_string (c, "reason", PICK (r->rand, r_reasons));
  sapa_record_set_string (c, "status", "open");
  sapa_record_set_int (c, "opened_at", opened);
  if (g_rand_int_range (r->rand, 0, 3) != 0)
    sapa_record_set_int (c, "first_response_at", r_later (r, opened));
  if (g_rand_int_range (r->rand, 0, 4) != 0)
    sapa_record_set_int (c, "sla_due", opened + g_rand_int_range (r->rand, 0, 2 * DAY));
  if (g_rand_boolean (r->rand))
    sapa_record_set_int (c, "contact_count", g_rand_int_range (r->rand, 0, 3));
  if (g_rand_int_range (r->rand, 0, 3) == 0)
    {
      sapa_record_set_string (c, "status", "resolved");
      sapa_record_set_int (c, "resolved_at", r_later (r, opened));
    }
  g_ptr_array_add (r->conversations, g_strdup (id));
  return c;
}

static SapaRecord *
r_new_interaction (Random     *r,
                   const char *conversation_id)
{
  SapaRecord *i = sapa_record_new ("interaction");
  gint64 started = r_time (r);

  if (conversation_id != NULL)
    sapa_record_set_string (i, "conversation_id", conversation_id);
  sapa_record_set_string (i, "customer_id", "cust-1");
  sapa_record_set_string (i, "channel", PICK (r->rand, r_channels));
  sapa_record_set_string (i, "direction", g_rand_boolean (r->rand) ? "inbound" : "outbound");
  sapa_record_set_string (i, "author_id", PICK (r->rand, r_agents));
  sapa_record_set_int (i, "started_at", started);
  if (g_rand_int_range (r->rand, 0, 4) != 0)
    sapa_record_set_int (i, "ended_at", started + g_rand_int_range (r->rand, -10, 3600));
  return i;
}

static SapaRecord *
r_new_survey (Random *r)
{
  static const char * const kinds[] = { "csat", "nps", "ces" };
  static const int max[] = { 5, 10, 7 };
  static const int min[] = { 1, 0, 1 };
  SapaRecord *s = sapa_record_new ("survey_response");
  guint k = g_rand_int_range (r->rand, 0, 3);

  sapa_record_set_string (s, "kind", kinds[k]);
  sapa_record_set_int (s, "score", g_rand_int_range (r->rand, min[k], max[k] + 1));
  sapa_record_set_string (s, "branch_id", PICK (r->rand, r_branches));
  if (g_rand_int_range (r->rand, 0, 5) != 0)
    sapa_record_set_string (s, "channel", PICK (r->rand, r_channels));
  sapa_record_set_string (s, "agent_id", PICK (r->rand, r_agents));
  sapa_record_set_string (s, "collected_via", "kiosk");
  sapa_record_set_int (s, "collected_at", r_time (r));
  return s;
}

static const char *
r_existing (Random *r)
{
  if (r->conversations->len == 0)
    return NULL;
  return g_ptr_array_index (r->conversations, g_rand_int_range (r->rand, 0, r->conversations->len));
}

/* A change as a pulled page carries it, parsed by the protocol codec. */
static SapaChange *
r_change (Random     *r,
          SapaRecord *record,
          const char *op,
          const char *const *cleared,
          guint64     hlc)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stamp = g_strdup_printf ("%" G_GUINT64_FORMAT, hlc);
  g_autofree char *change_id = g_uuid_string_random ();
  JsonObject *fields = sapa_record_to_json (record);
  SapaChange *change;

  for (guint i = 0; cleared != NULL && cleared[i] != NULL; i++)
    json_object_set_null_member (fields, cleared[i]);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "change_id");
  json_builder_add_string_value (b, change_id);
  json_builder_set_member_name (b, "entity");
  json_builder_add_string_value (b, sapa_record_get_entity_name (record));
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, sapa_record_get_id (record));
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
  json_builder_set_member_name (b, "hlc");
  json_builder_add_string_value (b, stamp);
  json_builder_set_member_name (b, "client_id");
  json_builder_add_string_value (b, "5b0e6c1e-2f4a-4c3b-9d7e-0a1b2c3d4e5f");  /* another desk */
  json_builder_set_member_name (b, "fields");
  {
    JsonNode *f = json_node_new (JSON_NODE_OBJECT);

    json_node_take_object (f, fields);
    json_builder_add_value (b, f);
  }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  change = sapa_change_from_json (node, &error);
  g_assert_no_error (error);
  return change;
}

static void
r_sync_page (Random *r)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  g_autoptr(GError) error = NULL;
  SapaHlc *hlc = sapa_store_get_hlc (r->f->store);
  guint n = g_rand_int_range (r->rand, 1, 16);

  for (guint i = 0; i < n; i++)
    {
      /* Stale stamps lose against the desk's newer edits. */
      guint64 stamp = g_rand_int_range (r->rand, 0, 6) == 0 ? 1000 + i : sapa_hlc_now (hlc);

      switch (g_rand_int_range (r->rand, 0, 6))
        {
        case 0:
          {
            g_autoptr(SapaRecord) c = r_new_conversation (r);
            g_autoptr(SapaRecord) i1 = r_new_interaction (r, sapa_record_get_id (c));

            /* The interaction comes before its conversation in the page. */
            g_ptr_array_add (page, r_change (r, i1, "upsert", NULL, stamp));
            g_ptr_array_add (page, r_change (r, c, "upsert", NULL, stamp));
          }
          break;
        case 1:
        case 2:
          {
            const char *id = r_existing (r);
            g_autoptr(SapaRecord) edit = NULL;
            const char *cleared[3] = { NULL, NULL, NULL };
            guint nc = 0;

            if (id == NULL)
              break;
            edit = sapa_record_new_with_id ("conversation", id);
            /* A partial change: a few fields set, some cleared. */
            {
              g_autoptr(SapaRecord) full = sapa_record_new_with_id ("conversation", id);

              sapa_record_set_int (full, "opened_at", r_time (r));
              r_edit_conversation (r, full);
              for (guint k = 0; k < sapa_record_get_entity (full)->n_fields; k++)
                {
                  const char *name = sapa_record_get_entity (full)->fields[k].name;

                  if (!sapa_record_has (full, name))
                    continue;
                  if (g_str_equal (name, "opened_at") && g_rand_boolean (r->rand))
                    continue;
                  if (sapa_record_get_entity (full)->fields[k].type == SAPA_FIELD_TEXT)
                    sapa_record_set_string (edit, name, sapa_record_get_string (full, name));
                  else
                    sapa_record_set_int (edit, name, sapa_record_get_int (full, name));
                }
            }
            if (g_rand_int_range (r->rand, 0, 3) == 0)
              cleared[nc++] = g_rand_boolean (r->rand) ? "first_response_at" : "sla_due";
            if (g_rand_int_range (r->rand, 0, 4) == 0)
              cleared[nc++] = g_rand_boolean (r->rand) ? "reopened_at" : "resolved_at";
            g_ptr_array_add (page, r_change (r, edit, "upsert", cleared, stamp));
          }
          break;
        case 3:
          {
            const char *id = r_existing (r);
            g_autoptr(SapaRecord) gone = NULL;

            if (id == NULL)
              break;
            gone = sapa_record_new_with_id ("conversation", id);
            g_ptr_array_add (page, r_change (r, gone, "delete", NULL, stamp));
          }
          break;
        case 4:
          {
            g_autoptr(SapaRecord) i1 = r_new_interaction (r, r_existing (r));
            g_ptr_array_add (page, r_change (r, i1, "upsert", NULL, stamp));
          }
          break;
        default:
          {
            g_autoptr(SapaRecord) s1 = r_new_survey (r);
            g_ptr_array_add (page, r_change (r, s1, "upsert", NULL, stamp));
          }
          break;
        }
    }
  g_assert_true (sapa_store_apply_changes (r->f->store, page, NULL, statuses, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < statuses->len; i++)
    {
      SapaApplyStatus st = g_array_index (statuses, SapaApplyStatus, i);

      r->applied += st == SAPA_APPLY_APPLIED;
      r->superseded += st == SAPA_APPLY_SUPERSEDED;
    }
  r->ops += page->len;
}

static void
r_step (Random *r)
{
  g_autoptr(GError) error = NULL;
  guint what = g_rand_int_range (r->rand, 0, 100);

  if (what < 18)
    {
      g_autoptr(SapaRecord) c = r_new_conversation (r);

      g_assert_true (sapa_store_save (r->f->store, c, &error));
    }
  else if (what < 45)
    {
      const char *id = r_existing (r);
      g_autoptr(SapaRecord) c = id ? sapa_store_get (r->f->store, "conversation", id, NULL) : NULL;

      if (c == NULL)
        {
          /* Deleted (or none yet): bring it back sometimes, as a save does. */
          if (id != NULL && g_rand_int_range (r->rand, 0, 4) == 0)
            {
              g_autoptr(SapaRecord) back = sapa_record_new_with_id ("conversation", id);

              sapa_record_set_string (back, "customer_id", "cust-1");
              sapa_record_set_string (back, "channel", PICK (r->rand, r_channels));
              sapa_record_set_string (back, "status", "open");
              sapa_record_set_int (back, "opened_at", r_time (r));
              g_assert_true (sapa_store_save (r->f->store, back, &error));
            }
        }
      else
        {
          guint n = g_rand_int_range (r->rand, 1, 4);

          for (guint i = 0; i < n; i++)
            r_edit_conversation (r, c);
          g_assert_true (sapa_store_save (r->f->store, c, &error));
        }
    }
  else if (what < 50)
    {
      const char *id = r_existing (r);

      if (id != NULL)
        sapa_store_delete (r->f->store, "conversation", id, NULL);
    }
  else if (what < 70)
    {
      g_autoptr(SapaRecord) i = r_new_interaction (r, g_rand_int_range (r->rand, 0, 8) ? r_existing (r) : NULL);

      g_assert_true (sapa_store_save (r->f->store, i, &error));
    }
  else if (what < 85)
    {
      g_autoptr(SapaRecord) s = r_new_survey (r);

      g_assert_true (sapa_store_save (r->f->store, s, &error));
    }
  else
    {
      r_sync_page (r);
      return;
    }
  g_assert_no_error (error);
  r->ops++;
}

static void
r_check (Random *r)
{
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  Fixture *f = r->f;
  struct {
    gint64 from, to;
    GTimeZone *tz;
    const char *branch, *channel, *agent;
  } filters[] = {
    { f->t0 - DAY, f->t0 + 20 * DAY, wib, NULL, NULL, NULL },
    { f->t0 + 1234, f->t0 + 3 * DAY + 777, wib, NULL, NULL, NULL },
    { f->t0 + HOUR, f->t0 + 2 * DAY, utc, "b1", NULL, NULL },
    { f->t0 + 5, f->t0 + 6 * DAY - 5, wib, NULL, "phone", NULL },
    { f->t0, f->t0 + 6 * DAY, utc, NULL, NULL, "a2" },
    { f->t0 + 2 * DAY + 100, f->t0 + 2 * DAY + 1900, wib, "b2", "email", "a1" },
    { f->t0 + 25 * HOUR + 59, f->t0 + 49 * HOUR + 1, wib, "", "walk_in", NULL },
    { f->t0 - 3 * DAY + 77, f->t0 + 9 * DAY, wib, NULL, "phone", "a1" },
    { f->t0 - DAY, f->t0 + 8 * DAY, wib, "b1", NULL, "a2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (filters[i].from, filters[i].to, filters[i].tz);
      g_autoptr(SapaMetrics) m = NULL;
      g_autoptr(SapaMetrics) raw = NULL;

      sapa_metrics_filter_set_branch (filter, filters[i].branch);
      sapa_metrics_filter_set_channel (filter, filters[i].channel);
      sapa_metrics_filter_set_agent (filter, filters[i].agent);
      sapa_metrics_filter_set_now (filter, f->t0 + 3 * DAY);
      m = compute (f, filter, FALSE);
      raw = compute (f, filter, TRUE);
      assert_same_metrics (m, raw);
      if (i == 0)
        {
          const SapaMetricsCounts *c = &sapa_metrics_get_total (m)->counts;

          g_test_message ("after %u operations: %u conversations, %u resolved (%u FCR), %u answered, "
                          "%u handled, %u CSAT, %u SLA (%u met)",
                          r->ops, c->conversations, c->resolved, c->fcr, c->answered, c->handled, c->csat_n,
                          c->sla_n, c->sla_met);
          g_assert_cmpuint (c->conversations, >, 0);
        }
    }
  assert_rollups_equal_rebuild (f->store, f->path);
}

static void
test_random (Fixture       *f,
             gconstpointer  data)
{
  const char *env = g_getenv ("SAPA_METRICS_SEED");
  guint32 seed = env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : 20260302;
  Random r = { f, g_rand_new_with_seed (seed), g_ptr_array_new_with_free_func (g_free), 6 * DAY, 0, 0, 0 };
  guint next_check = 2500;

  g_test_message ("seed %u (SAPA_METRICS_SEED)", seed);
  while (r.ops < 10000)
    {
      r_step (&r);
      if (r.ops >= next_check)
        {
          r_check (&r);
          next_check += 2500;
        }
    }
  r_check (&r);
  g_test_message ("sync changes applied %u, superseded %u", r.applied, r.superseded);
  g_assert_cmpuint (r.applied, >, 100);
  g_assert_cmpuint (r.superseded, >, 0);
  g_rand_free (r.rand);
  g_ptr_array_unref (r.conversations);
}

/* A desk of schema 3 with records: the upgrade counts them in the rollups. */
static void
test_upgrade_from_v3 (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-metrics-upgrade-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "desk.sqlite", NULL);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaMetricsFilter) filter = NULL;
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) raw = NULL;
  g_autofree char *dump = NULL;
  const SapaMetricsCounts *c;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (guint v = 1; v <= 3; v++)
    g_assert_cmpint (sqlite3_exec (db, sapa_schema_get_migration (v), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "PRAGMA user_version = 3;"
    "INSERT INTO customer (id, full_name) VALUES ('cust-1', 'Budi');"
    "INSERT INTO conversation (id, customer_id, branch_id, channel, reason, status, assignee_id, opened_at,"
    "  first_response_at, resolved_at, reopened_at, contact_count, sla_due, deleted) VALUES"
    "  ('c1', 'cust-1', 'b1', 'phone', 'card', 'resolved', 'a1', 1772413200, 1772413220, 1772416800, NULL, 1, 1772413230, 0),"
    "  ('c2', 'cust-1', NULL, 'email', NULL, 'open', NULL, 1772420000, NULL, NULL, NULL, 2, 1772420060, 0),"
    "  ('c3', 'cust-1', 'b2', 'chat', 'loan', 'resolved', 'a2', 1772430000, 1772430500, 1772440000, 1772441000, 1, 1772430060, 0),"
    "  ('c4', 'cust-1', 'b1', 'phone', 'card', 'resolved', 'a1', 1772413300, 1772413320, 1772416900, NULL, 1, NULL, 1);"
    "INSERT INTO interaction (id, conversation_id, customer_id, channel, direction, author_id, started_at, ended_at) VALUES"
    "  ('i1', 'c1', 'cust-1', 'phone', 'inbound', 'a1', 1772413200, 1772413500),"
    "  ('i2', NULL, 'cust-1', 'walk_in', 'inbound', 'a2', 1772414000, 1772414600),"
    "  ('i3', 'c4', 'cust-1', 'video', 'inbound', 'a1', 1772415000, 1772415100),"
    "  ('i4', 'c2', 'cust-1', 'email', 'inbound', NULL, 1772420000, 1772420010);"
    "INSERT INTO survey_response (id, kind, score, branch_id, channel, agent_id, collected_via, collected_at) VALUES"
    "  ('s1', 'csat', 5, 'b1', 'phone', 'a1', 'kiosk', 1772413600),"
    "  ('s2', 'nps', 3, 'b2', NULL, 'a2', 'link', 1772440100),"
    "  ('s3', 'ces', 6, NULL, NULL, NULL, 'phone', 1772440200);",
    NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_get_schema_version (store), ==, SAPA_STORE_SCHEMA_VERSION);
  dump = dump_rollups (path);
  g_assert_nonnull (strstr (dump, "|b2|chat|a2|loan|"));
  assert_rollups_equal_rebuild (store, path);

  filter = sapa_metrics_filter_new (1772409600, 1772409600 + DAY, utc);   /* 2026-03-02 UTC */
  sapa_metrics_filter_set_now (filter, 1772409600 + DAY);
  m = compute_on_store (store, filter, FALSE);
  raw = compute_on_store (store, filter, TRUE);
  assert_same_metrics (m, raw);
  c = &sapa_metrics_get_total (m)->counts;
  g_assert_cmpuint (c->conversations, ==, 3);
  g_assert_cmpuint (c->resolved, ==, 2);
  g_assert_cmpuint (c->fcr, ==, 1);            /* c3 was reopened within 7 days */
  g_assert_cmpuint (c->handled, ==, 2);        /* i3's conversation is deleted, i4 is email */
  g_assert_cmpint (c->handle_seconds, ==, 900);
  g_assert_cmpuint (c->sla_n, ==, 3);          /* c1 met, c2 unanswered past due, c3 late */
  g_assert_cmpuint (c->sla_met, ==, 1);
  g_assert_cmpuint (c->csat_n + c->nps_n + c->ces_n, ==, 3);

  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

/* Demo data are bulk-loaded without the triggers: the rollups rebuilt at the
 * end of the load equal a rebuild, and the figures equal a scan. */
static void
test_demo (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-metrics-demo-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "demo.sqlite", NULL);
  g_autoptr(GDateTime) end = g_date_time_new_utc (2026, 3, 2, 10, 0, 0);
  SapaDemoOptions options = { .customers = 400, .interactions_per_customer = 10, .seed = 7,
                              .now = g_date_time_to_unix (end) };
  g_autoptr(GTimeZone) wib = g_time_zone_new_identifier ("Asia/Jakarta");
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaMetricsFilter) filter = NULL;
  g_autoptr(SapaMetrics) m = NULL;
  g_autoptr(SapaMetrics) raw = NULL;
  const SapaMetricsCounts *c;

  g_assert_true (sapa_demo_generate (path, &options, NULL, NULL, &error));
  g_assert_no_error (error);
  store = sapa_store_open (path, &error);
  g_assert_no_error (error);

  filter = sapa_metrics_filter_new (options.now - 400 * DAY + 1234, options.now + 5, wib);
  sapa_metrics_filter_set_now (filter, options.now);
  m = sapa_metrics_compute (store, filter, &error);
  g_assert_no_error (error);
  raw = sapa_metrics_compute_raw (store, filter, &error);
  g_assert_no_error (error);
  assert_same_metrics (m, raw);
  c = &sapa_metrics_get_total (m)->counts;
  g_test_message ("demo: %u conversations, %u CSAT, %u NPS, %u resolved, %u handled, %u answered",
                  c->conversations, c->csat_n, c->nps_n, c->resolved, c->handled, c->answered);
  g_assert_cmpuint (c->conversations, >, 100);
  g_assert_cmpuint (c->csat_n, >, 0);
  g_assert_cmpuint (c->resolved, >, 0);
  g_assert_cmpuint (c->handled, >, 0);
  g_assert_cmpuint (c->answered, >, 0);

  assert_rollups_equal_rebuild (store, path);
  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

/* A new desk takes the machine's zone when its offset is fixed whole hours. */
static void
test_default_zone (void)
{
  static const struct {
    const char *tz;
    const char *zone;
  } cases[] = {
    { "Asia/Jakarta", "Asia/Jakarta" },
    { "Asia/Makassar", "Asia/Makassar" },
    { "Asia/Jayapura", "Asia/Jayapura" },
    { "Europe/Berlin", "UTC" },     /* daylight saving time */
    { "Asia/Kolkata", "UTC" },      /* +05:30 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics/default-zone/subprocess/%u", i);

      g_test_trap_subprocess (path, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      {
        g_autofree char *pattern = g_strdup_printf ("*%s*", cases[i].zone);

        g_test_trap_assert_stdout (pattern);
      }
    }
}

static void
test_default_zone_subprocess (gconstpointer data)
{
  static const char *zones[] = { "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Berlin", "Asia/Kolkata" };
  static const int offsets[] = { 7 * 3600, 8 * 3600, 9 * 3600, 0, 0 };
  guint i = GPOINTER_TO_UINT (data);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *offset = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(SapaStore) store = NULL;

  g_setenv ("TZ", zones[i], TRUE);
  store = sapa_test_store_new ("sapa-metrics-zone-XXXXXX", &dir, &path);
  zone = sapa_metrics_dup_zone (store);
  offset = sapa_store_dup_meta (store, "metrics_utc_offset");
  expected = g_strdup_printf ("%d", offsets[i]);
  g_assert_cmpstr (offset, ==, expected);
  g_print ("%s", zone);
  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/metrics/counts", test_counts);
  ADD ("/metrics/desk-figures", test_desk_figures);
  ADD ("/metrics/empty", test_empty);
  ADD ("/metrics/frt-steps", test_frt_steps);
  ADD ("/metrics/time-zones", test_time_zones);
  ADD ("/metrics/partial-hours", test_partial_hours);
  ADD ("/metrics/days-and-previous", test_days_and_previous);
  ADD ("/metrics/json", test_json);
  ADD ("/metrics/drill-down", test_drill_down);
  ADD ("/metrics/async", test_async);
  ADD ("/metrics/rollups-after-fixture", test_rollups_after_fixture);
  ADD ("/metrics/daily-zone", test_daily_zone);
  g_test_add_func ("/metrics/demo", test_demo);
  g_test_add_func ("/metrics/upgrade-from-v3", test_upgrade_from_v3);
  g_test_add_func ("/metrics/default-zone", test_default_zone);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics/default-zone/subprocess/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_default_zone_subprocess);
    }
  ADD ("/metrics/random", test_random);
#undef ADD

  return g_test_run ();
}
