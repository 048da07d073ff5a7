/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sapa/sapa-store.h>

G_BEGIN_DECLS

/*
 * Service metrics, one implementation for the desk and sapa-server.
 * Formulas (DESIGN.md, "Metrics"):
 *
 *  - CSAT %  = 100 x CSAT responses scoring 4-5 / all CSAT responses (1-5).
 *  - NPS     = % promoters (9-10) - % detractors (0-6), from -100 to +100.
 *  - CES     = mean on 1-7, and % scoring 5-7.
 *  - FCR %   = resolved conversations with one customer contact that were not
 *              reopened within 7 days of being resolved / resolved conversations.
 *              Resolved: resolved_at is set (whatever the status now). One
 *              contact: contact_count unset or <= 1. Not reopened within 7 days:
 *              reopened_at unset or later than resolved_at + 7 days (a
 *              reopened_at before resolved_at means it was reopened and
 *              resolved again: not FCR).
 *  - AHT     = mean handle time (ended_at - started_at, at least 0) of phone,
 *              walk-in and video interactions that have an end.
 *  - FRT     = first_response_at - opened_at (at least 0) of answered
 *              conversations, median and p90, per channel. Kept as a histogram
 *              of steps: exact to 300 s, then 10 s steps to 1 h, 1 min steps to
 *              48 h, 10 min steps beyond (a value counts as the step at or below
 *              it). Median: the mean of the two middle values (the middle one
 *              when odd); p90: nearest rank (the ceil(0.9 n)-th value).
 *  - SLA %   = conversations answered by their sla_due / conversations answered
 *              plus those still unanswered past their sla_due at the filter's
 *              "now". Conversations without sla_due have no target and count
 *              in neither.
 *  - Volume  = conversations opened, by channel, by hour of the week (in the
 *              filter's time zone) and by contact reason; response rate =
 *              CSAT responses / resolved conversations.
 *
 * Which time puts a record in a range: surveys by collected_at, conversations
 * opened (volume, reasons, FRT, SLA) by opened_at, resolved ones (FCR, response
 * rate) by resolved_at, handled interactions (AHT) by started_at.
 * Which agent: survey agent_id, conversation assignee_id, interaction author_id.
 * Which branch: survey branch_id, conversation branch_id, an interaction's
 * conversation's branch_id (none when it has no conversation).
 * Which channel: survey channel, conversation channel, interaction channel.
 * Deleted (tombstoned) conversations count nowhere, nor do the interactions
 * of deleted conversations. A missing branch, agent or channel is the key ""
 * in the groups. Rows by reason hold the conversation figures only (volume,
 * FRT, SLA, FCR); surveys and interactions are not split by reason.
 *
 * Rollups by hour (UTC) are kept up to date by triggers on every write path
 * (saves, applied sync pages, the server), so a range is answered from the
 * rollups, with the raw rows only for the parts of hours at its edges.
 * Days and hours of the week are those of the UTC hour a record falls in,
 * converted to the filter's zone: exact for zones whose offset is whole hours
 * (all of Indonesia). docs/METRICS.md tells the whole design.
 */

/* -- filter --------------------------------------------------------------- */

typedef struct _SapaMetricsFilter SapaMetricsFilter;

#define SAPA_TYPE_METRICS_FILTER (sapa_metrics_filter_get_type ())
GType               sapa_metrics_filter_get_type     (void) G_GNUC_CONST;

/* [@from, @to) in Unix seconds; @tz (NULL: local) decides days and hours of
 * the week. */
SapaMetricsFilter  *sapa_metrics_filter_new          (gint64       from,
                                                      gint64       to,
                                                      GTimeZone   *tz);
SapaMetricsFilter  *sapa_metrics_filter_copy         (const SapaMetricsFilter *self);
void                sapa_metrics_filter_free         (SapaMetricsFilter *self);
/* NULL or "" = all (there is no filter for "no branch"/"no agent"). */
void                sapa_metrics_filter_set_branch   (SapaMetricsFilter *self,
                                                      const char        *branch_id);
void                sapa_metrics_filter_set_channel  (SapaMetricsFilter *self,
                                                      const char        *channel);
void                sapa_metrics_filter_set_agent    (SapaMetricsFilter *self,
                                                      const char        *agent_id);
/* "Now" for SLA (unanswered past due); default: the real time. For tests. */
void                sapa_metrics_filter_set_now      (SapaMetricsFilter *self,
                                                      gint64             now);
gint64              sapa_metrics_filter_get_from     (const SapaMetricsFilter *self);
gint64              sapa_metrics_filter_get_to       (const SapaMetricsFilter *self);
GTimeZone          *sapa_metrics_filter_get_tz       (const SapaMetricsFilter *self);
const char         *sapa_metrics_filter_get_branch   (const SapaMetricsFilter *self);
const char         *sapa_metrics_filter_get_channel  (const SapaMetricsFilter *self);
const char         *sapa_metrics_filter_get_agent    (const SapaMetricsFilter *self);
/* The period of equal length just before (for "change against the previous period"). */
SapaMetricsFilter  *sapa_metrics_filter_previous     (const SapaMetricsFilter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaMetricsFilter, sapa_metrics_filter_free)

/* -- figures -------------------------------------------------------------- */

/* Counts behind every figure; add two of them to combine ranges. */
typedef struct {
  guint   conversations;      /* opened */
  guint   csat_n, csat_satisfied;                       /* scores 4-5 */
  guint   nps_n, nps_promoters, nps_passives, nps_detractors;
  guint   ces_n, ces_easy;                              /* scores 5-7 */
  gint64  ces_sum;
  guint   resolved, fcr;
  guint   handled;                                      /* AHT interactions */
  gint64  handle_seconds;
  guint   answered;                                     /* FRT sample size */
  guint   sla_n, sla_met;
} SapaMetricsCounts;

/* Each returns NAN when there is nothing to measure (no responses, ...). */
double   sapa_metrics_counts_csat          (const SapaMetricsCounts *c);  /* 0..100 */
double   sapa_metrics_counts_nps           (const SapaMetricsCounts *c);  /* -100..100 */
double   sapa_metrics_counts_ces           (const SapaMetricsCounts *c);  /* 1..7 */
double   sapa_metrics_counts_ces_easy      (const SapaMetricsCounts *c);  /* 0..100 */
double   sapa_metrics_counts_fcr           (const SapaMetricsCounts *c);  /* 0..100 */
double   sapa_metrics_counts_aht           (const SapaMetricsCounts *c);  /* seconds */
double   sapa_metrics_counts_sla           (const SapaMetricsCounts *c);  /* 0..100 */
double   sapa_metrics_counts_response_rate (const SapaMetricsCounts *c);  /* 0..100 */
void     sapa_metrics_counts_add           (SapaMetricsCounts       *sum,
                                            const SapaMetricsCounts *c);

typedef enum {
  SAPA_METRICS_BY_DAY,      /* key: "YYYY-MM-DD" in the filter's zone, every day of the range, oldest first */
  SAPA_METRICS_BY_CHANNEL,  /* key: channel; channels with data, most conversations first */
  SAPA_METRICS_BY_AGENT,    /* key: agent id ("" = no agent); most conversations first */
  SAPA_METRICS_BY_BRANCH,   /* key: branch id ("" = no branch); most conversations first */
  SAPA_METRICS_BY_REASON,   /* key: contact reason; most conversations first */
} SapaMetricsGroup;

typedef struct {
  const char        *key;
  gint64             start;        /* BY_DAY: local midnight as Unix seconds; else 0 */
  SapaMetricsCounts  counts;
  double             frt_median;   /* seconds, NAN when none answered */
  double             frt_p90;
} SapaMetricsRow;

typedef struct _SapaMetrics SapaMetrics;

#define SAPA_TYPE_METRICS (sapa_metrics_get_type ())
GType                    sapa_metrics_get_type          (void) G_GNUC_CONST;
SapaMetrics             *sapa_metrics_ref               (SapaMetrics *self);
void                     sapa_metrics_unref             (SapaMetrics *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaMetrics, sapa_metrics_unref)

const SapaMetricsFilter *sapa_metrics_get_filter        (SapaMetrics *self);
/* The whole range; its key is NULL. */
const SapaMetricsRow    *sapa_metrics_get_total         (SapaMetrics *self);
guint                    sapa_metrics_get_n_rows        (SapaMetrics      *self,
                                                         SapaMetricsGroup  group);
const SapaMetricsRow    *sapa_metrics_get_row           (SapaMetrics      *self,
                                                         SapaMetricsGroup  group,
                                                         guint             index);
/* NULL when absent. */
const SapaMetricsRow    *sapa_metrics_find_row          (SapaMetrics      *self,
                                                         SapaMetricsGroup  group,
                                                         const char       *key);
/* Conversations opened per hour of the week in the filter's zone:
 * 168 values, Monday 00:00-00:59 first, Sunday 23:00-23:59 last. */
const guint             *sapa_metrics_get_hour_of_week  (SapaMetrics *self);
/* TRUE when the range holds no conversations, responses or interactions at all. */
gboolean                 sapa_metrics_is_empty          (SapaMetrics *self);

/* Computes from the rollups (plus raw rows for partial hours at the edges).
 * Reads only; safe from any thread. */
SapaMetrics *sapa_metrics_compute        (SapaStore                *store,
                                          const SapaMetricsFilter  *filter,
                                          GError                  **error);
void         sapa_metrics_compute_async  (SapaStore                *store,
                                          const SapaMetricsFilter  *filter,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
SapaMetrics *sapa_metrics_compute_finish (GAsyncResult             *result,
                                          GError                  **error);
/* The same figures straight from the records, scanning them (tests, checks). */
SapaMetrics *sapa_metrics_compute_raw    (SapaStore                *store,
                                          const SapaMetricsFilter  *filter,
                                          GError                  **error);
/* Recomputes every rollup from the records (after a bulk load). */
gboolean     sapa_metrics_rebuild        (SapaStore                *store,
                                          GError                  **error);

/* The JSON of GET /api/v1/metrics: see docs/METRICS.md and
 * docs/api/openapi.yaml (MetricsReport). Times in the filter's zone, NAN as null. */
JsonNode    *sapa_metrics_to_json        (SapaMetrics              *self);

/* -- drill-down ----------------------------------------------------------- */

typedef enum {
  SAPA_METRICS_FIGURE_CONVERSATIONS,  /* opened in range (volume, reasons, hour of week) */
  SAPA_METRICS_FIGURE_RESOLVED,       /* resolved in range (FCR, response rate) */
  SAPA_METRICS_FIGURE_NOT_FCR,        /* resolved in range, not first-contact resolved */
  SAPA_METRICS_FIGURE_SURVEYED,       /* with a survey response in range (CSAT, NPS, CES) */
  SAPA_METRICS_FIGURE_DETRACTORS,     /* with an NPS 0-6 or CSAT 1-3 response in range */
  SAPA_METRICS_FIGURE_SLA_MISSED,     /* answered late or unanswered past due */
  SAPA_METRICS_FIGURE_HANDLED,        /* with a phone, walk-in or video interaction (AHT) */
} SapaMetricsFigure;

/* The conversations behind a figure for @filter (narrow it to the clicked
 * bar, day, agent or branch first), newest first, at most @limit. Each is a
 * "conversation" SapaRecord with extras "customer_name" and "agent_name"
 * (sapa_record_get_extra; absent when unknown). The filter applies as for the
 * figure: surveys' own time, branch, channel and agent for SURVEYED and
 * DETRACTORS; interactions' time, channel and author with the conversation's
 * branch for HANDLED; the conversation's for the rest. "Newest" is by the
 * figure's time (opened, resolved, latest survey or interaction). */
GPtrArray   *sapa_metrics_list_conversations        (SapaStore                *store,
                                                     const SapaMetricsFilter  *filter,
                                                     SapaMetricsFigure         figure,
                                                     guint                     limit,
                                                     GError                  **error);
void         sapa_metrics_list_conversations_async  (SapaStore                *store,
                                                     const SapaMetricsFilter  *filter,
                                                     SapaMetricsFigure         figure,
                                                     guint                     limit,
                                                     GCancellable             *cancellable,
                                                     GAsyncReadyCallback       callback,
                                                     gpointer                  user_data);
GPtrArray   *sapa_metrics_list_conversations_finish (GAsyncResult             *result,
                                                     GError                  **error);

G_END_DECLS
