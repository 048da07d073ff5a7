/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-metrics"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <sapa/sapa-metrics.h>
#include <sapa/sapa-record.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"

/*
 * How figures are computed (docs/METRICS.md has the whole story):
 *
 * Every source of figures (survey responses, conversations opened, their
 * first-response times, conversations resolved, handled interactions) is
 * described once below as a raw GROUP BY query over the records, grouped by
 * UTC hour and by branch, channel and agent (and contact reason for
 * conversations). The same query text
 *   - refills the rollup tables of migration 4 (sapa_metrics_rebuild_db),
 *   - answers the partial hours at the edges of a range,
 *   - answers a whole range in sapa_metrics_compute_raw.
 * The triggers of migration 4 keep the rollup tables equal to what the
 * rebuild would write; tests/unit/test-metrics.c checks that.
 *
 * Migration 5 adds daily tables by the local day of the desk's metrics zone,
 * in grouping sets (day x branch x channel, x agent, x reason, ...), kept
 * from the hourly tables by triggers on those; the whole local days of a
 * filter in a zone with that offset are read from them (fold_daily_span).
 *
 * Rows of either kind (rollup or raw) are folded in C into the total, the
 * days and hours of the week of the filter's time zone, and the groups by
 * channel, agent, branch and reason.
 */

#define HOUR 3600
#define WEEK_HOURS 168

const char * const sapa_metrics_rollup_tables[] = {
  "metrics_survey_hour",
  "metrics_conversation_hour",
  "metrics_frt_hour",
  "metrics_resolved_hour",
  "metrics_handled_hour",
  NULL,
};

/* Migration 5: by day of the desk's metrics zone, indexed like sources[]. */
const char * const sapa_metrics_daily_tables[] = {
  "metrics_survey_day",
  "metrics_conversation_day",
  "metrics_frt_day",
  "metrics_resolved_day",
  "metrics_handled_day",
  "metrics_volume_hour",
  NULL,
};

#define DAY 86400

typedef enum {
  SOURCE_SURVEY,
  SOURCE_CONVERSATION,
  SOURCE_FRT,
  SOURCE_RESOLVED,
  SOURCE_HANDLED,
  N_SOURCES,
  SOURCE_UNANSWERED = N_SOURCES,  /* query time only: SLA missed while unanswered */
} SourceKind;

typedef struct {
  const char *table;
  const char *columns;      /* of the rollup table, in the order the raw query gives them */
  gboolean    by_reason;    /* the 5th column is the contact reason */
  guint       n_values;     /* value columns after the dimensions */
  /* "@WHERE@" is replaced by the conditions on time and dimensions (or "1"). */
  const char *raw;
  const char *time_expr;
  const char *branch_expr;
  const char *channel_expr;
  const char *agent_expr;
} Source;

#define FRT_STEP(d) \
  "CASE WHEN " d " <= 300 THEN " d " WHEN " d " <= 3600 THEN " d " - " d " % 10 " \
  "WHEN " d " <= 172800 THEN " d " - " d " % 60 ELSE " d " - " d " % 600 END"

static const Source sources[] = {
  [SOURCE_SURVEY] = {
    "metrics_survey_hour",
    "bucket, branch_id, channel, agent_id, csat_n, csat_satisfied, nps_n, nps_promoters, "
    "nps_passives, nps_detractors, ces_n, ces_easy, ces_sum",
    FALSE, 9,
    "SELECT collected_at - collected_at % 3600, coalesce(branch_id, ''), coalesce(channel, ''), "
    "coalesce(agent_id, ''), "
    "sum(kind = 'csat'), sum(kind = 'csat' AND score >= 4), "
    "sum(kind = 'nps'), sum(kind = 'nps' AND score >= 9), sum(kind = 'nps' AND score BETWEEN 7 AND 8), "
    "sum(kind = 'nps' AND score <= 6), "
    "sum(kind = 'ces'), sum(kind = 'ces' AND score >= 5), sum(CASE WHEN kind = 'ces' THEN score ELSE 0 END) "
    "FROM survey_response WHERE @WHERE@ GROUP BY 1, 2, 3, 4",
    "collected_at", "coalesce(branch_id, '')", "coalesce(channel, '')", "coalesce(agent_id, '')",
  },
  [SOURCE_CONVERSATION] = {
    "metrics_conversation_hour",
    "bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met",
    TRUE, 4,
    "SELECT opened_at - opened_at % 3600, coalesce(branch_id, ''), channel, coalesce(assignee_id, ''), "
    "coalesce(reason, ''), count(*), sum(first_response_at IS NOT NULL), "
    "sum(first_response_at IS NOT NULL AND sla_due IS NOT NULL), sum(coalesce(first_response_at <= sla_due, 0)) "
    "FROM conversation WHERE deleted = 0 AND @WHERE@ GROUP BY 1, 2, 3, 4, 5",
    "opened_at", "coalesce(branch_id, '')", "channel", "coalesce(assignee_id, '')",
  },
  [SOURCE_FRT] = {
    "metrics_frt_hour",
    "bucket, branch_id, channel, agent_id, reason, frt_step, n",
    TRUE, 2,
    "SELECT b, br, ch, ag, re, " FRT_STEP ("d") ", count(*) FROM ("
    "  SELECT opened_at - opened_at % 3600 AS b, coalesce(branch_id, '') AS br, channel AS ch, "
    "  coalesce(assignee_id, '') AS ag, coalesce(reason, '') AS re, max(first_response_at - opened_at, 0) AS d "
    "  FROM conversation WHERE deleted = 0 AND first_response_at IS NOT NULL AND @WHERE@) "
    "GROUP BY 1, 2, 3, 4, 5, 6",
    "opened_at", "coalesce(branch_id, '')", "channel", "coalesce(assignee_id, '')",
  },
  [SOURCE_RESOLVED] = {
    "metrics_resolved_hour",
    "bucket, branch_id, channel, agent_id, reason, resolved, fcr",
    TRUE, 2,
    "SELECT resolved_at - resolved_at % 3600, coalesce(branch_id, ''), channel, coalesce(assignee_id, ''), "
    "coalesce(reason, ''), count(*), "
    "sum(coalesce(contact_count, 0) <= 1 AND (reopened_at IS NULL OR reopened_at > resolved_at + 604800)) "
    "FROM conversation WHERE deleted = 0 AND resolved_at IS NOT NULL AND @WHERE@ GROUP BY 1, 2, 3, 4, 5",
    "resolved_at", "coalesce(branch_id, '')", "channel", "coalesce(assignee_id, '')",
  },
  [SOURCE_HANDLED] = {
    "metrics_handled_hour",
    "bucket, branch_id, channel, agent_id, handled, handle_seconds",
    FALSE, 2,
    "SELECT i.started_at - i.started_at % 3600, coalesce(c.branch_id, ''), i.channel, coalesce(i.author_id, ''), "
    "count(*), sum(max(i.ended_at - i.started_at, 0)) "
    "FROM interaction AS i LEFT JOIN conversation AS c ON c.id = i.conversation_id "
    "WHERE i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL "
    "AND coalesce(c.deleted, 0) = 0 AND @WHERE@ GROUP BY 1, 2, 3, 4",
    "i.started_at", "coalesce(c.branch_id, '')", "i.channel", "coalesce(i.author_id, '')",
  },
};

/* Unanswered conversations past their due time at the filter's "now": SLA
 * missed, counted at query time through the conversation_unanswered index
 * (opened_at, sla_due), which holds only unanswered, undeleted ones. */
static const Source unanswered_source = {
  NULL, NULL, TRUE, 1,
  "SELECT opened_at - opened_at % 3600, coalesce(branch_id, ''), channel, coalesce(assignee_id, ''), "
  "coalesce(reason, ''), count(*) "
  "FROM conversation WHERE first_response_at IS NULL AND deleted = 0 AND sla_due < ?6 AND @WHERE@ "
  "GROUP BY 1, 2, 3, 4, 5",
  "opened_at", "coalesce(branch_id, '')", "channel", "coalesce(assignee_id, '')",
};

static char *
replace_where (const char *sql,
               const char *where)
{
  g_auto(GStrv) parts = g_strsplit (sql, "@WHERE@", 2);

  return g_strconcat (parts[0], where, parts[1], NULL);
}

/* -- filter --------------------------------------------------------------- */

struct _SapaMetricsFilter {
  gint64     from;
  gint64     to;
  GTimeZone *tz;
  char      *branch;
  char      *channel;
  char      *agent;
  gint64     now;
  gboolean   has_now;
};

G_DEFINE_BOXED_TYPE (SapaMetricsFilter, sapa_metrics_filter,
                     sapa_metrics_filter_copy, sapa_metrics_filter_free)

SapaMetricsFilter *
sapa_metrics_filter_new (gint64     from,
                         gint64     to,
                         GTimeZone *tz)
{
  SapaMetricsFilter *self = g_new0 (SapaMetricsFilter, 1);

  self->from = from;
  self->to = MAX (from, to);
  self->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  return self;
}

SapaMetricsFilter *
sapa_metrics_filter_copy (const SapaMetricsFilter *self)
{
  SapaMetricsFilter *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (SapaMetricsFilter, 1);
  *copy = *self;
  copy->tz = g_time_zone_ref (self->tz);
  copy->branch = g_strdup (self->branch);
  copy->channel = g_strdup (self->channel);
  copy->agent = g_strdup (self->agent);
  return copy;
}

void
sapa_metrics_filter_free (SapaMetricsFilter *self)
{
  if (self == NULL)
    return;
  g_time_zone_unref (self->tz);
  g_free (self->branch);
  g_free (self->channel);
  g_free (self->agent);
  g_free (self);
}

static void
set_dimension (char       **slot,
               const char  *value)
{
  g_free (*slot);
  *slot = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
}

void
sapa_metrics_filter_set_branch (SapaMetricsFilter *self,
                                const char        *branch_id)
{
  g_return_if_fail (self != NULL);
  set_dimension (&self->branch, branch_id);
}

void
sapa_metrics_filter_set_channel (SapaMetricsFilter *self,
                                 const char        *channel)
{
  g_return_if_fail (self != NULL);
  set_dimension (&self->channel, channel);
}

void
sapa_metrics_filter_set_agent (SapaMetricsFilter *self,
                               const char        *agent_id)
{
  g_return_if_fail (self != NULL);
  set_dimension (&self->agent, agent_id);
}

void
sapa_metrics_filter_set_now (SapaMetricsFilter *self,
                             gint64             now)
{
  g_return_if_fail (self != NULL);
  self->now = now;
  self->has_now = TRUE;
}

gint64
sapa_metrics_filter_get_from (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->from;
}

gint64
sapa_metrics_filter_get_to (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->to;
}

GTimeZone *
sapa_metrics_filter_get_tz (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tz;
}

const char *
sapa_metrics_filter_get_branch (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->branch;
}

const char *
sapa_metrics_filter_get_channel (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel;
}

const char *
sapa_metrics_filter_get_agent (const SapaMetricsFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->agent;
}

SapaMetricsFilter *
sapa_metrics_filter_previous (const SapaMetricsFilter *self)
{
  SapaMetricsFilter *prev;

  g_return_val_if_fail (self != NULL, NULL);
  prev = sapa_metrics_filter_copy (self);
  prev->to = self->from;
  prev->from = self->from - (self->to - self->from);
  return prev;
}

static gint64
filter_now (const SapaMetricsFilter *self)
{
  return self->has_now ? self->now : g_get_real_time () / G_USEC_PER_SEC;
}

/* -- counts --------------------------------------------------------------- */

static double
percent (guint part,
         guint whole)
{
  return whole == 0 ? NAN : 100.0 * part / whole;
}

double
sapa_metrics_counts_csat (const SapaMetricsCounts *c)
{
  return percent (c->csat_satisfied, c->csat_n);
}

double
sapa_metrics_counts_nps (const SapaMetricsCounts *c)
{
  if (c->nps_n == 0)
    return NAN;
  return 100.0 * ((double) c->nps_promoters - (double) c->nps_detractors) / c->nps_n;
}

double
sapa_metrics_counts_ces (const SapaMetricsCounts *c)
{
  return c->ces_n == 0 ? NAN : (double) c->ces_sum / c->ces_n;
}

double
sapa_metrics_counts_ces_easy (const SapaMetricsCounts *c)
{
  return percent (c->ces_easy, c->ces_n);
}

double
sapa_metrics_counts_fcr (const SapaMetricsCounts *c)
{
  return percent (c->fcr, c->resolved);
}

double
sapa_metrics_counts_aht (const SapaMetricsCounts *c)
{
  return c->handled == 0 ? NAN : (double) c->handle_seconds / c->handled;
}

double
sapa_metrics_counts_sla (const SapaMetricsCounts *c)
{
  return percent (c->sla_met, c->sla_n);
}

double
sapa_metrics_counts_response_rate (const SapaMetricsCounts *c)
{
  return percent (c->csat_n, c->resolved);
}

void
sapa_metrics_counts_add (SapaMetricsCounts       *sum,
                         const SapaMetricsCounts *c)
{
  sum->conversations += c->conversations;
  sum->csat_n += c->csat_n;
  sum->csat_satisfied += c->csat_satisfied;
  sum->nps_n += c->nps_n;
  sum->nps_promoters += c->nps_promoters;
  sum->nps_passives += c->nps_passives;
  sum->nps_detractors += c->nps_detractors;
  sum->ces_n += c->ces_n;
  sum->ces_easy += c->ces_easy;
  sum->ces_sum += c->ces_sum;
  sum->resolved += c->resolved;
  sum->fcr += c->fcr;
  sum->handled += c->handled;
  sum->handle_seconds += c->handle_seconds;
  sum->answered += c->answered;
  sum->sla_n += c->sla_n;
  sum->sla_met += c->sla_met;
}

static gboolean
counts_is_zero (const SapaMetricsCounts *c)
{
  static const SapaMetricsCounts zero = { 0 };

  return memcmp (c, &zero, sizeof zero) == 0;
}

/* -- results -------------------------------------------------------------- */

#define N_GROUPS 5

typedef struct {
  SapaMetricsRow  row;
  char           *key;
  GHashTable     *frt;    /* frt step (seconds) -> count, until finished */
} Group;

struct _SapaMetrics {
  gatomicrefcount    ref;
  SapaMetricsFilter *filter;
  Group              total;
  GPtrArray         *groups[N_GROUPS];   /* of Group, indexed by SapaMetricsGroup */
  GHashTable        *index[N_GROUPS];    /* key -> Group (not for BY_DAY) */
  gint64            *day_starts;         /* n_days + 1 entries: the last is the end */
  guint              hour_of_week[WEEK_HOURS];
  /* While folding: rows come in key order, so the groups of the last row
   * are likely those of the next. */
  Group             *last[N_GROUPS];
  gint64             last_bucket;
  Group             *last_day;
  guint              last_hour_of_week;
};

G_DEFINE_BOXED_TYPE (SapaMetrics, sapa_metrics, sapa_metrics_ref, sapa_metrics_unref)

static void
group_clear (Group *g)
{
  g_clear_pointer (&g->key, g_free);
  g_clear_pointer (&g->frt, g_hash_table_unref);
}

static void
group_free (gpointer data)
{
  Group *g = data;

  group_clear (g);
  g_free (g);
}

static Group *
group_new (const char *key)
{
  Group *g = g_new0 (Group, 1);

  g->key = g_strdup (key);
  g->row.key = g->key;
  g->row.frt_median = NAN;
  g->row.frt_p90 = NAN;
  return g;
}

SapaMetrics *
sapa_metrics_ref (SapaMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
sapa_metrics_unref (SapaMetrics *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  sapa_metrics_filter_free (self->filter);
  group_clear (&self->total);
  for (guint i = 0; i < N_GROUPS; i++)
    {
      g_clear_pointer (&self->groups[i], g_ptr_array_unref);
      g_clear_pointer (&self->index[i], g_hash_table_unref);
    }
  g_free (self->day_starts);
  g_free (self);
}

static SapaMetrics *
metrics_new (const SapaMetricsFilter *filter)
{
  SapaMetrics *self = g_new0 (SapaMetrics, 1);
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDateTime) day = NULL;

  g_atomic_ref_count_init (&self->ref);
  self->filter = sapa_metrics_filter_copy (filter);
  self->total.row.frt_median = NAN;
  self->total.row.frt_p90 = NAN;
  for (guint i = 0; i < N_GROUPS; i++)
    {
      self->groups[i] = g_ptr_array_new_with_free_func (group_free);
      if (i != SAPA_METRICS_BY_DAY)
        self->index[i] = g_hash_table_new (g_str_hash, g_str_equal);
    }
  self->last_bucket = G_MININT64;

  /* Every day of [from, to) in the filter's zone, from the local midnight of
   * the day that holds "from"; day_starts ends with the end of the last day. */
  first = g_date_time_new_from_unix_utc (filter->from);
  if (first != NULL && filter->from < filter->to)
    {
      g_autoptr(GDateTime) local = g_date_time_to_timezone (first, filter->tz);
      int y, m, d;

      g_date_time_get_ymd (local, &y, &m, &d);
      day = g_date_time_new (filter->tz, y, m, d, 0, 0, 0);
    }
  while (day != NULL)
    {
      gint64 start = g_date_time_to_unix (day);
      GDateTime *next;

      g_array_append_val (starts, start);
      if (start >= filter->to)
        break;
      {
        g_autofree char *key = g_date_time_format (day, "%Y-%m-%d");
        Group *g = group_new (key);

        g->row.start = start;
        g_ptr_array_add (self->groups[SAPA_METRICS_BY_DAY], g);
      }
      next = g_date_time_add_days (day, 1);
      g_date_time_unref (day);
      day = next;
    }
  self->day_starts = (gint64 *) g_array_free (g_steal_pointer (&starts), FALSE);
  return self;
}

static Group *
lookup_group (SapaMetrics      *self,
              SapaMetricsGroup  group,
              const char       *key)
{
  Group *g = self->last[group];

  if (g != NULL && strcmp (g->key, key) == 0)
    return g;
  g = g_hash_table_lookup (self->index[group], key);
  if (g == NULL)
    {
      g = group_new (key);
      g_ptr_array_add (self->groups[group], g);
      g_hash_table_insert (self->index[group], g->key, g);
    }
  self->last[group] = g;
  return g;
}

static Group *
day_group (SapaMetrics *self,
           gint64       bucket)
{
  GPtrArray *days = self->groups[SAPA_METRICS_BY_DAY];
  guint lo = 0, hi = days->len;

  if (days->len == 0)
    return NULL;
  /* The last day whose start is at or before the bucket. */
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (self->day_starts[mid] <= bucket)
        lo = mid;
      else
        hi = mid;
    }
  return g_ptr_array_index (days, lo);
}

static guint
hour_of_week_index (SapaMetrics *self,
                    gint64       bucket)
{
  int interval = g_time_zone_find_interval (self->filter->tz, G_TIME_TYPE_UNIVERSAL, bucket);
  gint64 local = bucket + g_time_zone_get_offset (self->filter->tz, MAX (interval, 0));
  gint64 days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  gint64 secs = local - days * 86400;

  /* 1970-01-01 was a Thursday: Monday-first index 3. */
  return (guint) (((days % 7) + 7 + 3) % 7) * 24 + (guint) (secs / HOUR);
}

static void
group_add (Group                   *g,
           const SapaMetricsCounts *delta,
           gint64                   frt_step,
           gint64                   frt_n)
{
  sapa_metrics_counts_add (&g->row.counts, delta);
  if (frt_n != 0)
    {
      gpointer key = GSIZE_TO_POINTER ((gsize) frt_step);
      gint64 n;

      if (g->frt == NULL)
        g->frt = g_hash_table_new (g_direct_hash, g_direct_equal);
      n = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (g->frt, key));
      g_hash_table_insert (g->frt, key, GSIZE_TO_POINTER ((gsize) (n + frt_n)));
    }
}

/* Which parts of the result a row feeds: the daily tables hold grouping
 * sets, each row counted in the groups its grouping answers. */
typedef enum {
  FEED_TOTAL        = 1 << 0,
  FEED_DAY          = 1 << 1,
  FEED_CHANNEL      = 1 << 2,
  FEED_AGENT        = 1 << 3,
  FEED_BRANCH       = 1 << 4,
  FEED_REASON       = 1 << 5,
  FEED_HOUR_OF_WEEK = 1 << 6,
  FEED_ALL          = 0x7f,
} Feed;

static void
fold (SapaMetrics             *self,
      Feed                     feed,
      gint64                   bucket,
      const char              *branch,
      const char              *channel,
      const char              *agent,
      const char              *reason,
      const SapaMetricsCounts *delta,
      gint64                   frt_step,
      gint64                   frt_n)
{
  if (bucket != self->last_bucket)
    {
      self->last_bucket = bucket;
      self->last_day = day_group (self, bucket);
      self->last_hour_of_week = hour_of_week_index (self, bucket);
    }
  if (feed & FEED_TOTAL)
    group_add (&self->total, delta, frt_step, frt_n);
  if ((feed & FEED_DAY) && self->last_day != NULL)
    group_add (self->last_day, delta, frt_step, frt_n);
  if (feed & FEED_CHANNEL)
    group_add (lookup_group (self, SAPA_METRICS_BY_CHANNEL, channel), delta, frt_step, frt_n);
  if (feed & FEED_AGENT)
    group_add (lookup_group (self, SAPA_METRICS_BY_AGENT, agent), delta, frt_step, frt_n);
  if (feed & FEED_BRANCH)
    group_add (lookup_group (self, SAPA_METRICS_BY_BRANCH, branch), delta, frt_step, frt_n);
  if ((feed & FEED_REASON) && reason != NULL)
    group_add (lookup_group (self, SAPA_METRICS_BY_REASON, reason), delta, frt_step, frt_n);
  if ((feed & FEED_HOUR_OF_WEEK) && delta->conversations != 0)
    self->hour_of_week[self->last_hour_of_week] += delta->conversations;
}

typedef struct {
  gint64 step;
  gint64 n;
} Step;

static int
compare_steps (gconstpointer a,
               gconstpointer b)
{
  const Step *x = a, *y = b;

  return (x->step > y->step) - (x->step < y->step);
}

/* The value of rank @rank (0-based) in the sorted sample. */
static double
value_at_rank (const Step *steps,
               guint       n_steps,
               gint64      rank)
{
  gint64 seen = 0;

  for (guint i = 0; i < n_steps; i++)
    {
      seen += steps[i].n;
      if (rank < seen)
        return (double) steps[i].step;
    }
  return n_steps > 0 ? (double) steps[n_steps - 1].step : NAN;
}

static void
group_finish (Group *g)
{
  g_autoptr(GArray) steps = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 n = 0;

  if (g->frt == NULL)
    return;
  steps = g_array_sized_new (FALSE, FALSE, sizeof (Step), g_hash_table_size (g->frt));
  g_hash_table_iter_init (&iter, g->frt);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Step s = { (gint64) GPOINTER_TO_SIZE (key), (gint64) GPOINTER_TO_SIZE (value) };

      if (s.n <= 0)
        continue;
      g_array_append_val (steps, s);
      n += s.n;
    }
  g_clear_pointer (&g->frt, g_hash_table_unref);
  if (n == 0)
    return;
  g_array_sort (steps, compare_steps);
  /* Median: the mean of the two middle values (the middle one when odd).
   * p90: nearest rank, the ceil(0.9 n)-th value. */
  g->row.frt_median = (value_at_rank ((Step *) steps->data, steps->len, (n - 1) / 2) +
                       value_at_rank ((Step *) steps->data, steps->len, n / 2)) / 2.0;
  g->row.frt_p90 = value_at_rank ((Step *) steps->data, steps->len, (9 * n + 9) / 10 - 1);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const Group *x = *(Group * const *) a;
  const Group *y = *(Group * const *) b;

  if (x->row.counts.conversations != y->row.counts.conversations)
    return x->row.counts.conversations > y->row.counts.conversations ? -1 : 1;
  return strcmp (x->key, y->key);
}

static void
metrics_finish (SapaMetrics *self)
{
  group_finish (&self->total);
  for (guint i = 0; i < N_GROUPS; i++)
    {
      for (guint j = 0; j < self->groups[i]->len; j++)
        group_finish (g_ptr_array_index (self->groups[i], j));
      if (i != SAPA_METRICS_BY_DAY)
        g_ptr_array_sort (self->groups[i], compare_groups);
    }
}

/* -- reading rows --------------------------------------------------------- */

static void
row_to_counts (SourceKind          kind,
               sqlite3_stmt       *stmt,
               int                 first,
               SapaMetricsCounts  *c,
               gint64             *frt_step,
               gint64             *frt_n)
{
  memset (c, 0, sizeof *c);
  *frt_step = 0;
  *frt_n = 0;
  switch (kind)
    {
    case SOURCE_SURVEY:
      c->csat_n = sqlite3_column_int (stmt, first);
      c->csat_satisfied = sqlite3_column_int (stmt, first + 1);
      c->nps_n = sqlite3_column_int (stmt, first + 2);
      c->nps_promoters = sqlite3_column_int (stmt, first + 3);
      c->nps_passives = sqlite3_column_int (stmt, first + 4);
      c->nps_detractors = sqlite3_column_int (stmt, first + 5);
      c->ces_n = sqlite3_column_int (stmt, first + 6);
      c->ces_easy = sqlite3_column_int (stmt, first + 7);
      c->ces_sum = sqlite3_column_int64 (stmt, first + 8);
      break;
    case SOURCE_CONVERSATION:
      c->conversations = sqlite3_column_int (stmt, first);
      c->answered = sqlite3_column_int (stmt, first + 1);
      c->sla_n = sqlite3_column_int (stmt, first + 2);
      c->sla_met = sqlite3_column_int (stmt, first + 3);
      break;
    case SOURCE_FRT:
      *frt_step = sqlite3_column_int64 (stmt, first);
      *frt_n = sqlite3_column_int64 (stmt, first + 1);
      break;
    case SOURCE_RESOLVED:
      c->resolved = sqlite3_column_int (stmt, first);
      c->fcr = sqlite3_column_int (stmt, first + 1);
      break;
    case SOURCE_HANDLED:
      c->handled = sqlite3_column_int (stmt, first);
      c->handle_seconds = sqlite3_column_int64 (stmt, first + 1);
      break;
    case SOURCE_UNANSWERED:
      c->sla_n = sqlite3_column_int (stmt, first);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
bind_filter (sqlite3_stmt            *stmt,
             const SapaMetricsFilter *filter,
             gint64                   from,
             gint64                   to)
{
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  if (filter->branch != NULL)
    sqlite3_bind_text (stmt, 3, filter->branch, -1, SQLITE_STATIC);
  if (filter->channel != NULL)
    sqlite3_bind_text (stmt, 4, filter->channel, -1, SQLITE_STATIC);
  if (filter->agent != NULL)
    sqlite3_bind_text (stmt, 5, filter->agent, -1, SQLITE_STATIC);
}

/* Runs @sql (bound as bind_filter() says, ?6 = now) and folds its rows. */
static gboolean
fold_query (SapaMetrics  *self,
            sqlite3      *db,
            Feed          feed,
            SourceKind    kind,
            gboolean      by_reason,
            const char   *sql,
            gint64        from,
            gint64        to,
            GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int first = by_reason ? 5 : 4;
  int rc;

  if (from >= to)
    return TRUE;
  /* Translators: completes "Could not %s: <database message>" */
  if (!sapa_store_prepare (db, sql, &stmt, _("compute the figures"), error))
    return FALSE;
  bind_filter (stmt, self->filter, from, to);
  if (sqlite3_bind_parameter_count (stmt) >= 6)
    sqlite3_bind_int64 (stmt, 6, filter_now (self->filter));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SapaMetricsCounts c;
      gint64 step, n;

      row_to_counts (kind, stmt, first, &c, &step, &n);
      if (counts_is_zero (&c) && n == 0)
        continue;
      fold (self, feed,
            sqlite3_column_int64 (stmt, 0),
            (const char *) sqlite3_column_text (stmt, 1),
            (const char *) sqlite3_column_text (stmt, 2),
            (const char *) sqlite3_column_text (stmt, 3),
            by_reason ? (const char *) sqlite3_column_text (stmt, 4) : NULL,
            &c, step, n);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      /* Translators: completes "Could not %s: <database message>" */
      sapa_store_set_sqlite_error (error, db, rc, _("compute the figures"));
      return FALSE;
    }
  return TRUE;
}

static char *
raw_sql (const Source *s)
{
  g_autofree char *where =
    g_strdup_printf ("%s >= ?1 AND %s < ?2 AND (?3 IS NULL OR %s = ?3) "
                     "AND (?4 IS NULL OR %s = ?4) AND (?5 IS NULL OR %s = ?5)",
                     s->time_expr, s->time_expr, s->branch_expr, s->channel_expr, s->agent_expr);

  return replace_where (s->raw, where);
}

static char *
rollup_sql (const Source *s)
{
  return g_strdup_printf ("SELECT %s FROM %s WHERE bucket >= ?1 AND bucket < ?2 "
                          "AND (?3 IS NULL OR branch_id = ?3) AND (?4 IS NULL OR channel = ?4) "
                          "AND (?5 IS NULL OR agent_id = ?5);",
                          s->columns, s->table);
}

static gint64
floor_hour (gint64 t)
{
  return t - t % HOUR;
}

/* Floor modulo: the seconds since the last local midnight at offset @offset. */
static gint64
seconds_into_day (gint64 t,
                  int    offset)
{
  gint64 r = (t + offset) % DAY;

  return r < 0 ? r + DAY : r;
}

/* [from, to) from the hourly rollups (whole UTC hours) and the records (the
 * parts of hours at the edges), or from the records alone. */
static gboolean
fold_hourly_span (SapaMetrics  *self,
                  sqlite3      *db,
                  gint64        from,
                  gint64        to,
                  gboolean      raw_only,
                  GError      **error)
{
  gint64 whole_from = floor_hour (from) == from ? from : floor_hour (from) + HOUR;
  gint64 whole_to = floor_hour (to);
  gboolean use_rollups = !raw_only && whole_from < whole_to;

  if (from >= to)
    return TRUE;
  for (SourceKind k = 0; k < N_SOURCES; k++)
    {
      const Source *s = &sources[k];
      g_autofree char *raw = raw_sql (s);

      if (use_rollups)
        {
          g_autofree char *rollup = rollup_sql (s);

          if (!fold_query (self, db, FEED_ALL, k, s->by_reason, raw, from, whole_from, error) ||
              !fold_query (self, db, FEED_ALL, k, s->by_reason, rollup, whole_from, whole_to, error) ||
              !fold_query (self, db, FEED_ALL, k, s->by_reason, raw, whole_to, to, error))
            return FALSE;
        }
      else if (!fold_query (self, db, FEED_ALL, k, s->by_reason, raw, from, to, error))
        return FALSE;
    }
  return TRUE;
}

/* The desk's metrics offset (desk_meta "metrics_utc_offset"), read in the
 * caller's transaction; FALSE when there is none. */
static gboolean
read_metrics_offset (sqlite3 *db,
                     int     *offset)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT CAST(value AS INTEGER) FROM desk_meta WHERE key = 'metrics_utc_offset';",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *offset = sqlite3_column_int (stmt, 0);
      found = TRUE;
    }
  sqlite3_finalize (stmt);
  return found;
}

/* The whole local days [*day_from, *day_to) inside the filter's range that
 * the daily tables answer: the filter's zone must have the metrics zone's
 * offset over the whole range (one interval of the zone, same offset). */
static gboolean
daily_span (sqlite3                 *db,
            const SapaMetricsFilter *filter,
            gint64                  *day_from,
            gint64                  *day_to)
{
  int offset, first, last;
  gint64 r;

  if (filter->from >= filter->to || !read_metrics_offset (db, &offset) || offset % HOUR != 0)
    return FALSE;
  first = g_time_zone_find_interval (filter->tz, G_TIME_TYPE_UNIVERSAL, filter->from);
  last = g_time_zone_find_interval (filter->tz, G_TIME_TYPE_UNIVERSAL, filter->to - 1);
  if (first < 0 || first != last || g_time_zone_get_offset (filter->tz, first) != offset)
    return FALSE;
  r = seconds_into_day (filter->from, offset);
  *day_from = r == 0 ? filter->from : filter->from - r + DAY;
  *day_to = filter->to - seconds_into_day (filter->to, offset);
  return *day_from < *day_to;
}

static char *
daily_sql (SourceKind  kind,
           const char *grp)
{
  const Source *s = &sources[kind];

  /* The hourly columns with the day in place of the bucket. */
  g_assert (g_str_has_prefix (s->columns, "bucket"));
  return g_strdup_printf ("SELECT day%s FROM %s WHERE grp = '%s' AND day >= ?1 AND day < ?2 "
                          "AND (?3 IS NULL OR branch_id = ?3) AND (?4 IS NULL OR channel = ?4) "
                          "AND (?5 IS NULL OR agent_id = ?5);",
                          s->columns + strlen ("bucket"), sapa_metrics_daily_tables[kind], grp);
}

/* The grouping sets of the daily tables (migration 5): the dimensions each
 * keeps besides the day, and whether metrics_frt_day holds it (the FRT
 * histogram is kept by day only per branch x channel). */
enum { DIM_BRANCH = 1, DIM_CHANNEL = 2, DIM_AGENT = 4, DIM_REASON = 8 };

static const struct {
  const char *grp;
  guint       dims;
  gboolean    frt;
} groupings[] = {
  { "bc", DIM_BRANCH | DIM_CHANNEL, TRUE },
  { "ba", DIM_BRANCH | DIM_AGENT,   FALSE },
  { "br", DIM_BRANCH | DIM_REASON,  FALSE },
};

/* Whole local days [from, to) from the daily tables. Each part of the
 * result is read from the smallest grouping that keeps the filter's
 * dimensions and the part's own: the total, the days and the branches from
 * one that keeps the branch (day x branch x channel, or day x branch x agent
 * under an agent filter), the channels from one that keeps branch and
 * channel, the agents from one that keeps branch and agent, the reasons from
 * one that keeps branch and reason; parts read from the same grouping are
 * read in one query.
 * What no grouping answers (a channel with an agent or a reason, the
 * reasons of one agent, FRT by agent or by reason) and the hours of the
 * week of one agent come from the hourly tables (the days start on whole
 * hours: the offset is whole hours); the hours of the week without an agent
 * filter from metrics_volume_hour. */
static gboolean
fold_daily_span (SapaMetrics  *self,
                 sqlite3      *db,
                 gint64        from,
                 gint64        to,
                 GError      **error)
{
  const SapaMetricsFilter *filter = self->filter;
  guint filtered = (filter->branch != NULL ? DIM_BRANCH : 0) |
                   (filter->channel != NULL ? DIM_CHANNEL : 0) |
                   (filter->agent != NULL ? DIM_AGENT : 0);
  const struct {
    Feed  feed;
    guint dims;
  } parts[] = {
    { FEED_TOTAL | FEED_DAY | FEED_BRANCH, DIM_BRANCH },
    { FEED_CHANNEL, DIM_BRANCH | DIM_CHANNEL },
    { FEED_AGENT, DIM_BRANCH | DIM_AGENT },
    { FEED_REASON, DIM_BRANCH | DIM_REASON },
  };

  for (SourceKind k = 0; k < N_SOURCES; k++)
    {
      const Source *s = &sources[k];
      Feed feeds[G_N_ELEMENTS (groupings)] = { 0 };
      Feed hourly = 0;

      for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
        {
          guint need = filtered | parts[p].dims;
          gboolean found = FALSE;

          if ((parts[p].dims & DIM_REASON) && !s->by_reason)
            continue;
          for (guint g = 0; g < G_N_ELEMENTS (groupings) && !found; g++)
            {
              if ((groupings[g].dims & DIM_REASON) && !s->by_reason)
                continue;
              if (k == SOURCE_FRT && !groupings[g].frt)
                continue;
              if ((groupings[g].dims & need) == need)
                {
                  feeds[g] |= parts[p].feed;
                  found = TRUE;
                }
            }
          if (!found)
            hourly |= parts[p].feed;
        }
      if (k == SOURCE_CONVERSATION && filter->agent != NULL)
        hourly |= FEED_HOUR_OF_WEEK;

      for (guint g = 0; g < G_N_ELEMENTS (groupings); g++)
        {
          g_autofree char *sql = NULL;

          if (feeds[g] == 0)
            continue;
          sql = daily_sql (k, groupings[g].grp);
          if (!fold_query (self, db, feeds[g], k, s->by_reason, sql, from, to, error))
            return FALSE;
        }
      if (hourly != 0)
        {
          g_autofree char *rollup = rollup_sql (s);

          if (!fold_query (self, db, hourly, k, s->by_reason, rollup, from, to, error))
            return FALSE;
        }
    }
  if (filter->agent == NULL &&
      !fold_query (self, db, FEED_HOUR_OF_WEEK, SOURCE_CONVERSATION, FALSE,
                   "SELECT bucket, branch_id, channel, '', conversations, 0, 0, 0 FROM metrics_volume_hour "
                   "WHERE bucket >= ?1 AND bucket < ?2 AND (?3 IS NULL OR branch_id = ?3) "
                   "AND (?4 IS NULL OR channel = ?4) AND (?5 IS NULL OR 1);",
                   from, to, error))
    return FALSE;
  return TRUE;
}

static SapaMetrics *
compute_on (sqlite3                 *db,
            const SapaMetricsFilter *filter,
            gboolean                 raw_only,
            GError                 **error)
{
  g_autoptr(SapaMetrics) self = metrics_new (filter);
  gint64 from = filter->from, to = filter->to;
  gint64 day_from, day_to;

  if (!raw_only && daily_span (db, filter, &day_from, &day_to))
    {
      if (!fold_hourly_span (self, db, from, day_from, FALSE, error) ||
          !fold_daily_span (self, db, day_from, day_to, error) ||
          !fold_hourly_span (self, db, day_to, to, FALSE, error))
        return NULL;
    }
  else if (!fold_hourly_span (self, db, from, to, raw_only, error))
    return NULL;
  {
    g_autofree char *unanswered = raw_sql (&unanswered_source);

    if (!fold_query (self, db, FEED_ALL, SOURCE_UNANSWERED, TRUE, unanswered, from, to, error))
      return NULL;
  }
  metrics_finish (self);
  return g_steal_pointer (&self);
}

static SapaMetrics *
compute (SapaStore               *store,
         const SapaMetricsFilter *filter,
         gboolean                 raw_only,
         GError                 **error)
{
  sqlite3 *db;
  SapaMetrics *result;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  db = sapa_store_acquire_reader (store);
  /* One read transaction: the rollups and the edges see the same data. */
  sqlite3_exec (db, "BEGIN;", NULL, NULL, NULL);
  result = compute_on (db, filter, raw_only, error);
  sqlite3_exec (db, "COMMIT;", NULL, NULL, NULL);
  sapa_store_release_reader (store, db);
  return result;
}

SapaMetrics *
sapa_metrics_compute (SapaStore                *store,
                      const SapaMetricsFilter  *filter,
                      GError                  **error)
{
  return compute (store, filter, FALSE, error);
}

SapaMetrics *
sapa_metrics_compute_raw (SapaStore                *store,
                          const SapaMetricsFilter  *filter,
                          GError                  **error)
{
  return compute (store, filter, TRUE, error);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  SapaMetrics *m;

  if (g_task_return_error_if_cancelled (task))
    return;
  m = sapa_metrics_compute (source_object, task_data, &error);
  if (m == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, m, (GDestroyNotify) sapa_metrics_unref);
}

void
sapa_metrics_compute_async (SapaStore               *store,
                            const SapaMetricsFilter *filter,
                            GCancellable            *cancellable,
                            GAsyncReadyCallback      callback,
                            gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SAPA_IS_STORE (store));
  g_return_if_fail (filter != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_metrics_compute_async);
  g_task_set_task_data (task, sapa_metrics_filter_copy (filter), (GDestroyNotify) sapa_metrics_filter_free);
  g_task_run_in_thread (task, compute_thread);
}

SapaMetrics *
sapa_metrics_compute_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sapa_metrics_compute_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- rebuild -------------------------------------------------------------- */

/* Empties the daily tables of migration 5 and refills them from the hourly
 * ones with the offset in desk_meta. */
gboolean
sapa_metrics_refill_daily_db (sqlite3  *db,
                              GError  **error)
{
  for (guint t = 0; sapa_metrics_daily_tables[t] != NULL; t++)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM %s;", sapa_metrics_daily_tables[t]);

      /* Translators: completes "Could not %s: <database message>" */
      if (!sapa_store_exec (db, sql, _("rebuild the figures"), error))
        return FALSE;
    }
  /* Translators: completes "Could not %s: <database message>" */
  return sapa_store_exec (db, sapa_schema_metrics_daily_fill, _("rebuild the figures"), error);
}

gboolean
sapa_metrics_rebuild_db (sqlite3  *db,
                         GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *offset = NULL;

  /* Without the offset the hourly tables' triggers leave the daily tables
   * alone while the hourly ones are refilled; then the daily ones are
   * refilled in one pass. */
  if (sqlite3_prepare_v2 (db, "SELECT value FROM desk_meta WHERE key = 'metrics_utc_offset';", -1, &stmt, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        offset = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }
  /* Translators: completes "Could not %s: <database message>" */
  if (!sapa_store_exec (db, "DELETE FROM desk_meta WHERE key = 'metrics_utc_offset';", _("rebuild the figures"), error))
    return FALSE;
  for (SourceKind k = 0; k < N_SOURCES; k++)
    {
      const Source *s = &sources[k];
      g_autofree char *select = replace_where (s->raw, "1");
      g_autofree char *sql = g_strdup_printf ("DELETE FROM %s; INSERT INTO %s (%s) %s;",
                                              s->table, s->table, s->columns, select);

      /* Translators: completes "Could not %s: <database message>" */
      if (!sapa_store_exec (db, sql, _("rebuild the figures"), error))
        return FALSE;
    }
  if (offset != NULL)
    {
      char *sql = sqlite3_mprintf ("INSERT INTO desk_meta (key, value) VALUES ('metrics_utc_offset', %Q);", offset);
      gboolean ok = sapa_store_exec (db, sql, _("rebuild the figures"), error);

      sqlite3_free (sql);
      if (!ok)
        return FALSE;
    }
  return sapa_metrics_refill_daily_db (db, error);
}

static gboolean
rebuild_in_transaction (sqlite3  *db,
                        gpointer  data,
                        GError  **error)
{
  return sapa_metrics_rebuild_db (db, error);
}

gboolean
sapa_metrics_rebuild (SapaStore  *store,
                      GError    **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);
  return sapa_store_run_in_transaction (store, rebuild_in_transaction, NULL, error);
}

/* -- the metrics zone ----------------------------------------------------- */

/* TRUE when @tz's offset at @now is whole hours and the same a year before
 * and a year after (no daylight saving time, no change coming). */
static gboolean
zone_fixed_offset (GTimeZone *tz,
                   gint64     now,
                   int       *offset)
{
  int i = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, now);
  int before = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, now - 400 * (gint64) DAY);
  int after = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, now + 400 * (gint64) DAY);

  if (i < 0 || before < 0 || after < 0)
    return FALSE;
  *offset = g_time_zone_get_offset (tz, i);
  return g_time_zone_get_offset (tz, before) == *offset && g_time_zone_get_offset (tz, after) == *offset &&
         *offset % HOUR == 0;
}

void
sapa_metrics_default_zone (char **identifier,
                           int   *offset)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();

  if (zone_fixed_offset (local, g_get_real_time () / G_USEC_PER_SEC, offset))
    *identifier = g_strdup (g_time_zone_get_identifier (local));
  else
    {
      *identifier = g_strdup ("UTC");
      *offset = 0;
    }
}

typedef struct {
  const char *identifier;
  int         offset;
} ZoneChange;

static gboolean
set_zone_in_transaction (sqlite3  *db,
                         gpointer  data,
                         GError  **error)
{
  ZoneChange *change = data;
  char *sql = sqlite3_mprintf ("INSERT OR REPLACE INTO desk_meta (key, value) VALUES "
                               "('metrics_zone', %Q), ('metrics_utc_offset', '%d');",
                               change->identifier, change->offset);
  /* Translators: completes "Could not %s: <database message>" */
  gboolean ok = sapa_store_exec (db, sql, _("change the time zone of the figures"), error);

  sqlite3_free (sql);
  return ok && sapa_metrics_refill_daily_db (db, error);
}

gboolean
sapa_metrics_set_zone (SapaStore  *store,
                       GTimeZone  *tz,
                       GError    **error)
{
  ZoneChange change;

  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);
  g_return_val_if_fail (tz != NULL, FALSE);

  if (!zone_fixed_offset (tz, g_get_real_time () / G_USEC_PER_SEC, &change.offset))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   /* Translators: %s is a time zone such as Asia/Jakarta */
                   _("The figures cannot be kept by day in %s: its offset from UTC changes or is not a whole number of hours. Choose a zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura."),
                   g_time_zone_get_identifier (tz));
      return FALSE;
    }
  change.identifier = g_time_zone_get_identifier (tz);
  return sapa_store_run_in_transaction (store, set_zone_in_transaction, &change, error);
}

char *
sapa_metrics_dup_zone (SapaStore *store)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  return sapa_store_dup_meta (store, "metrics_zone");
}

/* -- accessors ------------------------------------------------------------ */

const SapaMetricsFilter *
sapa_metrics_get_filter (SapaMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->filter;
}

const SapaMetricsRow *
sapa_metrics_get_total (SapaMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->total.row;
}

guint
sapa_metrics_get_n_rows (SapaMetrics      *self,
                         SapaMetricsGroup  group)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (group < N_GROUPS, 0);
  return self->groups[group]->len;
}

const SapaMetricsRow *
sapa_metrics_get_row (SapaMetrics      *self,
                      SapaMetricsGroup  group,
                      guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (group < N_GROUPS, NULL);
  g_return_val_if_fail (index < self->groups[group]->len, NULL);
  return &((Group *) g_ptr_array_index (self->groups[group], index))->row;
}

const SapaMetricsRow *
sapa_metrics_find_row (SapaMetrics      *self,
                       SapaMetricsGroup  group,
                       const char       *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (group < N_GROUPS, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->groups[group]->len; i++)
    {
      Group *g = g_ptr_array_index (self->groups[group], i);

      if (g_str_equal (g->key, key))
        return &g->row;
    }
  return NULL;
}

const guint *
sapa_metrics_get_hour_of_week (SapaMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->hour_of_week;
}

gboolean
sapa_metrics_is_empty (SapaMetrics *self)
{
  const SapaMetricsCounts *c;

  g_return_val_if_fail (self != NULL, TRUE);
  c = &self->total.row.counts;
  return c->conversations == 0 && c->csat_n == 0 && c->nps_n == 0 && c->ces_n == 0 &&
         c->resolved == 0 && c->handled == 0 && c->sla_n == 0;
}

/* -- JSON ----------------------------------------------------------------- */

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       t,
          GTimeZone   *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;
  g_autofree char *text = local != NULL ? g_date_time_format_iso8601 (local) : NULL;

  json_builder_set_member_name (b, name);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  if (isnan (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, value);
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_row (JsonBuilder          *b,
         const SapaMetricsRow *row,
         gboolean              is_day,
         GTimeZone            *tz)
{
  const SapaMetricsCounts *c = &row->counts;

  json_builder_begin_object (b);
  add_string_or_null (b, "key", row->key);
  if (is_day)
    add_time (b, "start", row->start, tz);
  else
    {
      json_builder_set_member_name (b, "start");
      json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  add_int (b, "conversations", c->conversations);
  add_int (b, "csat_n", c->csat_n);
  add_int (b, "csat_satisfied", c->csat_satisfied);
  add_int (b, "nps_n", c->nps_n);
  add_int (b, "nps_promoters", c->nps_promoters);
  add_int (b, "nps_passives", c->nps_passives);
  add_int (b, "nps_detractors", c->nps_detractors);
  add_int (b, "ces_n", c->ces_n);
  add_int (b, "ces_easy", c->ces_easy);
  add_int (b, "ces_sum", c->ces_sum);
  add_int (b, "resolved", c->resolved);
  add_int (b, "fcr", c->fcr);
  add_int (b, "handled", c->handled);
  add_int (b, "handle_seconds", c->handle_seconds);
  add_int (b, "answered", c->answered);
  add_int (b, "sla_n", c->sla_n);
  add_int (b, "sla_met", c->sla_met);
  json_builder_end_object (b);
  add_number (b, "csat", sapa_metrics_counts_csat (c));
  add_number (b, "nps", sapa_metrics_counts_nps (c));
  add_number (b, "ces", sapa_metrics_counts_ces (c));
  add_number (b, "ces_easy", sapa_metrics_counts_ces_easy (c));
  add_number (b, "fcr", sapa_metrics_counts_fcr (c));
  add_number (b, "aht", sapa_metrics_counts_aht (c));
  add_number (b, "sla", sapa_metrics_counts_sla (c));
  add_number (b, "response_rate", sapa_metrics_counts_response_rate (c));
  add_number (b, "frt_median", row->frt_median);
  add_number (b, "frt_p90", row->frt_p90);
  json_builder_end_object (b);
}

JsonNode *
sapa_metrics_to_json (SapaMetrics *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  static const struct {
    SapaMetricsGroup group;
    const char *name;
  } lists[] = {
    { SAPA_METRICS_BY_DAY, "by_day" },
    { SAPA_METRICS_BY_CHANNEL, "by_channel" },
    { SAPA_METRICS_BY_AGENT, "by_agent" },
    { SAPA_METRICS_BY_BRANCH, "by_branch" },
    { SAPA_METRICS_BY_REASON, "by_reason" },
  };
  GTimeZone *tz;

  g_return_val_if_fail (self != NULL, NULL);
  tz = self->filter->tz;

  json_builder_begin_object (b);
  add_time (b, "from", self->filter->from, tz);
  add_time (b, "to", self->filter->to, tz);
  add_string_or_null (b, "tz", g_time_zone_get_identifier (tz));
  json_builder_set_member_name (b, "filter");
  json_builder_begin_object (b);
  add_string_or_null (b, "branch", self->filter->branch);
  add_string_or_null (b, "channel", self->filter->channel);
  add_string_or_null (b, "agent", self->filter->agent);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "total");
  add_row (b, &self->total.row, FALSE, tz);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      GPtrArray *groups = self->groups[lists[i].group];

      json_builder_set_member_name (b, lists[i].name);
      json_builder_begin_array (b);
      for (guint j = 0; j < groups->len; j++)
        add_row (b, &((Group *) g_ptr_array_index (groups, j))->row,
                 lists[i].group == SAPA_METRICS_BY_DAY, tz);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "hour_of_week");
  json_builder_begin_array (b);
  for (guint i = 0; i < WEEK_HOURS; i++)
    json_builder_add_int_value (b, self->hour_of_week[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* -- drill-down ----------------------------------------------------------- */

/* Conditions on conversation "c" for each figure; ?1 from, ?2 to, ?3 branch,
 * ?4 channel, ?5 agent, ?6 now. The definitions match the sources above. */
static const char *
figure_sql (SapaMetricsFigure  figure,
            const char       **order)
{
  switch (figure)
    {
    case SAPA_METRICS_FIGURE_CONVERSATIONS:
      *order = "c.opened_at";
      return "c.opened_at >= ?1 AND c.opened_at < ?2";
    case SAPA_METRICS_FIGURE_RESOLVED:
      *order = "c.resolved_at";
      return "c.resolved_at >= ?1 AND c.resolved_at < ?2";
    case SAPA_METRICS_FIGURE_NOT_FCR:
      *order = "c.resolved_at";
      return "c.resolved_at >= ?1 AND c.resolved_at < ?2 "
             "AND NOT (coalesce(c.contact_count, 0) <= 1 AND (c.reopened_at IS NULL OR c.reopened_at > c.resolved_at + 604800))";
    case SAPA_METRICS_FIGURE_SLA_MISSED:
      *order = "c.opened_at";
      return "c.opened_at >= ?1 AND c.opened_at < ?2 AND c.sla_due IS NOT NULL "
             "AND ((c.first_response_at IS NOT NULL AND c.first_response_at > c.sla_due) "
             "  OR (c.first_response_at IS NULL AND c.sla_due < ?6))";
    case SAPA_METRICS_FIGURE_SURVEYED:
    case SAPA_METRICS_FIGURE_DETRACTORS:
    case SAPA_METRICS_FIGURE_HANDLED:
    default:
      return NULL;
    }
}

static GPtrArray *
list_on (sqlite3                 *db,
         const SapaMetricsFilter *filter,
         SapaMetricsFigure        figure,
         guint                    limit,
         GError                 **error)
{
  const SapaEntity *e = sapa_entity_lookup ("conversation");
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_auto(GStrv) cols = g_strsplit (sapa_store_select_columns (e), ", ", -1);
  g_autofree char *prefixed = NULL;
  const char *order = "c.opened_at";
  const char *cond;
  sqlite3_stmt *stmt = NULL;
  int rc;

  for (guint i = 0; cols[i] != NULL; i++)
    {
      char *p = g_strconcat ("c.", cols[i], NULL);

      g_free (cols[i]);
      cols[i] = p;
    }
  prefixed = g_strjoinv (", ", cols);

  g_string_printf (sql, "SELECT %s, cu.full_name, a.display_name FROM conversation AS c "
                        "LEFT JOIN customer AS cu ON cu.id = c.customer_id "
                        "LEFT JOIN agent AS a ON a.id = c.assignee_id "
                        "WHERE c.deleted = 0 AND ", prefixed);
  cond = figure_sql (figure, &order);
  if (cond != NULL)
    {
      g_string_append_printf (sql, "%s AND (?3 IS NULL OR coalesce(c.branch_id, '') = ?3) "
                                   "AND (?4 IS NULL OR c.channel = ?4) "
                                   "AND (?5 IS NULL OR coalesce(c.assignee_id, '') = ?5) ", cond);
    }
  else if (figure == SAPA_METRICS_FIGURE_SURVEYED || figure == SAPA_METRICS_FIGURE_DETRACTORS)
    {
      /* Surveys decide time, branch, channel and agent (as for CSAT and NPS). */
      order = "(SELECT max(collected_at) FROM survey_response AS s WHERE s.conversation_id = c.id)";
      g_string_append_printf (sql, "c.id IN (SELECT s.conversation_id FROM survey_response AS s "
                                   "WHERE s.collected_at >= ?1 AND s.collected_at < ?2 "
                                   "AND (?3 IS NULL OR coalesce(s.branch_id, '') = ?3) "
                                   "AND (?4 IS NULL OR coalesce(s.channel, '') = ?4) "
                                   "AND (?5 IS NULL OR coalesce(s.agent_id, '') = ?5) %s) ",
                              figure == SAPA_METRICS_FIGURE_DETRACTORS
                                ? "AND ((s.kind = 'nps' AND s.score <= 6) OR (s.kind = 'csat' AND s.score <= 3))"
                                : "");
    }
  else if (figure == SAPA_METRICS_FIGURE_HANDLED)
    {
      /* Interactions decide time, channel and agent; the conversation the branch. */
      order = "(SELECT max(i.started_at) FROM interaction AS i WHERE i.conversation_id = c.id)";
      g_string_append (sql, "c.id IN (SELECT i.conversation_id FROM interaction AS i "
                            "WHERE i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL "
                            "AND i.started_at >= ?1 AND i.started_at < ?2 "
                            "AND (?4 IS NULL OR i.channel = ?4) "
                            "AND (?5 IS NULL OR coalesce(i.author_id, '') = ?5)) "
                            "AND (?3 IS NULL OR coalesce(c.branch_id, '') = ?3) ");
    }
  else
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID, _("This figure has no list of conversations. Choose another figure."));
      return NULL;
    }
  g_string_append_printf (sql, "ORDER BY %s DESC, c.id DESC LIMIT ?7;", order);

  /* Translators: completes "Could not %s: <database message>" */
  if (!sapa_store_prepare (db, sql->str, &stmt, _("list the conversations"), error))
    return NULL;
  bind_filter (stmt, filter, filter->from, filter->to);
  sqlite3_bind_int64 (stmt, 6, filter_now (filter));
  sqlite3_bind_int64 (stmt, 7, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SapaRecord *record = sapa_store_record_from_row (e, stmt, 0);
      int extra = (int) e->n_fields + 1;

      sapa_record_set_extra (record, "customer_name", (const char *) sqlite3_column_text (stmt, extra));
      sapa_record_set_extra (record, "agent_name", (const char *) sqlite3_column_text (stmt, extra + 1));
      g_ptr_array_add (list, record);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      /* Translators: completes "Could not %s: <database message>" */
      sapa_store_set_sqlite_error (error, db, rc, _("list the conversations"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

GPtrArray *
sapa_metrics_list_conversations (SapaStore                *store,
                                 const SapaMetricsFilter  *filter,
                                 SapaMetricsFigure         figure,
                                 guint                     limit,
                                 GError                  **error)
{
  sqlite3 *db;
  GPtrArray *list;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  db = sapa_store_acquire_reader (store);
  list = list_on (db, filter, figure, limit, error);
  sapa_store_release_reader (store, db);
  return list;
}

typedef struct {
  SapaMetricsFilter *filter;
  SapaMetricsFigure  figure;
  guint              limit;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *d = data;

  sapa_metrics_filter_free (d->filter);
  g_free (d);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListData *d = task_data;
  GError *error = NULL;
  GPtrArray *list;

  if (g_task_return_error_if_cancelled (task))
    return;
  list = sapa_metrics_list_conversations (source_object, d->filter, d->figure, d->limit, &error);
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
sapa_metrics_list_conversations_async (SapaStore               *store,
                                       const SapaMetricsFilter *filter,
                                       SapaMetricsFigure        figure,
                                       guint                    limit,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  ListData *d;

  g_return_if_fail (SAPA_IS_STORE (store));
  g_return_if_fail (filter != NULL);

  d = g_new0 (ListData, 1);
  d->filter = sapa_metrics_filter_copy (filter);
  d->figure = figure;
  d->limit = limit;
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_metrics_list_conversations_async);
  g_task_set_task_data (task, d, list_data_free);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
sapa_metrics_list_conversations_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sapa_metrics_list_conversations_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
