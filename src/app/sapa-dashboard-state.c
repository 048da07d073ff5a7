/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-dashboard-state"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sapa-dashboard-state.h"
#include <sapa/sapa-number.h>

#include "sapa-format.h"

#define MINUS_SIGN "\xe2\x88\x92"  /* U+2212, the typographic minus */
#define EM_DASH    "\xe2\x80\x94"

G_DEFINE_QUARK (sapa-dashboard-error-quark, sapa_dashboard_error)

static GDateTime *
day_start (GTimeZone *tz,
           int        year,
           int        month,
           int        day)
{
  return g_date_time_new (tz, year, month, day, 0, 0, 0);
}

gboolean
sapa_dashboard_period_range (SapaDashboardPeriod  period,
                             GDateTime           *now,
                             GDate               *first_day,
                             GDate               *last_day,
                             gint64              *from,
                             gint64              *to,
                             GError             **error)
{
  GTimeZone *tz;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  int y, m, d;

  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  tz = g_date_time_get_timezone (now);
  g_date_time_get_ymd (now, &y, &m, &d);
  today = day_start (tz, y, m, d);

  switch (period)
    {
    case SAPA_DASHBOARD_PERIOD_TODAY:
      start = g_date_time_ref (today);
      break;
    case SAPA_DASHBOARD_PERIOD_LAST_7_DAYS:
      start = g_date_time_add_days (today, -6);
      break;
    case SAPA_DASHBOARD_PERIOD_LAST_30_DAYS:
      start = g_date_time_add_days (today, -29);
      break;
    case SAPA_DASHBOARD_PERIOD_THIS_QUARTER:
      start = day_start (tz, y, ((m - 1) / 3) * 3 + 1, 1);
      break;
    case SAPA_DASHBOARD_PERIOD_CUSTOM:
      if (first_day == NULL || last_day == NULL ||
          !g_date_valid (first_day) || !g_date_valid (last_day))
        {
          g_set_error_literal (error, SAPA_DASHBOARD_ERROR, SAPA_DASHBOARD_ERROR_BAD_RANGE,
                               _("Choose the first and the last day of the period."));
          return FALSE;
        }
      if (g_date_compare (first_day, last_day) > 0)
        {
          g_set_error_literal (error, SAPA_DASHBOARD_ERROR, SAPA_DASHBOARD_ERROR_BAD_RANGE,
                               _("The first day comes after the last day. Choose a first day on or before the last one."));
          return FALSE;
        }
      start = day_start (tz, g_date_get_year (first_day), g_date_get_month (first_day),
                         g_date_get_day (first_day));
      {
        g_autoptr(GDateTime) last = day_start (tz, g_date_get_year (last_day),
                                               g_date_get_month (last_day),
                                               g_date_get_day (last_day));
        end = g_date_time_add_days (last, 1);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (end == NULL)
    end = g_date_time_add_days (today, 1);

  *from = g_date_time_to_unix (start);
  *to = g_date_time_to_unix (end);
  return TRUE;
}

char *
sapa_dashboard_format_range (gint64     from,
                             gint64     to,
                             GTimeZone *tz)
{
  g_autoptr(GDateTime) first = g_date_time_new_from_unix_utc (from);
  g_autoptr(GDateTime) last = g_date_time_new_from_unix_utc (to - 1);
  g_autoptr(GDateTime) first_local = NULL;
  g_autoptr(GDateTime) last_local = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (tz != NULL)
    {
      first_local = g_date_time_to_timezone (first, tz);
      last_local = g_date_time_to_timezone (last, tz);
    }
  else
    {
      first_local = g_date_time_to_local (first);
      last_local = g_date_time_to_local (last);
    }

  /* Translators: a date as "23 Nov 2026" (GDateTime format) */
  a = g_date_time_format (first_local, _("%-d %b %Y"));
  b = g_date_time_format (last_local, _("%-d %b %Y"));
  if (g_str_equal (a, b))
    return g_steal_pointer (&a);
  /* Translators: a period from the first day to the last, both included */
  return g_strdup_printf (_("%s – %s"), a, b);
}

char *
sapa_dashboard_format_decimal (double value)
{
  g_autofree char *text = NULL;

  if (isnan (value))
    return g_strdup (EM_DASH);
  /* LC_NUMERIC's separators, which sapa-i18n sets to the language of the
   * interface (id: "1.234,5") */
  text = sapa_format_decimal (fabs (value), 1);
  if (round (value * 10) < 0)
    return g_strconcat (MINUS_SIGN, text, NULL);
  return g_steal_pointer (&text);
}

char *
sapa_dashboard_format_percent (double value)
{
  g_autofree char *number = NULL;

  if (isnan (value))
    return g_strdup (EM_DASH);
  number = sapa_dashboard_format_decimal (value);
  /* Translators: a percentage, e.g. "87.5%" */
  return g_strdup_printf (_("%s%%"), number);
}

char *
sapa_dashboard_format_seconds (double value)
{
  if (isnan (value))
    return g_strdup (EM_DASH);
  return sapa_format_duration ((gint64) llround (value));
}

char *
sapa_dashboard_format_minutes (double value)
{
  g_autofree char *number = NULL;

  if (isnan (value))
    return g_strdup (EM_DASH);
  if (value < 59.5)
    /* Translators: a short duration in whole seconds, e.g. "45 s" */
    return g_strdup_printf (_("%d s"), (int) MAX (0, llround (value)));
  if (value < 3600)
    {
      number = sapa_dashboard_format_decimal (value / 60);
      /* Translators: a duration in minutes with one decimal, e.g. "5.5 min" */
      return g_strdup_printf (_("%s min"), number);
    }
  number = sapa_dashboard_format_decimal (value / 3600);
  /* Translators: a duration in hours with one decimal, e.g. "1.5 h" */
  return g_strdup_printf (_("%s h"), number);
}

double
sapa_dashboard_kpi_value (SapaDashboardKpi      kpi,
                          const SapaMetricsRow *row)
{
  if (row == NULL)
    return NAN;

  switch (kpi)
    {
    case SAPA_DASHBOARD_KPI_CSAT: return sapa_metrics_counts_csat (&row->counts);
    case SAPA_DASHBOARD_KPI_NPS:  return sapa_metrics_counts_nps (&row->counts);
    case SAPA_DASHBOARD_KPI_CES:  return sapa_metrics_counts_ces (&row->counts);
    case SAPA_DASHBOARD_KPI_FCR:  return sapa_metrics_counts_fcr (&row->counts);
    case SAPA_DASHBOARD_KPI_AHT:  return sapa_metrics_counts_aht (&row->counts);
    case SAPA_DASHBOARD_KPI_FRT:  return row->frt_median;
    case SAPA_DASHBOARD_KPI_SLA:  return sapa_metrics_counts_sla (&row->counts);
    case SAPA_DASHBOARD_N_KPIS:
    default:
      g_assert_not_reached ();
    }
}

static char *
format_signed (double      delta,
               const char *number)
{
  if (delta > 0)
    return g_strconcat ("+", number, NULL);
  if (delta < 0)
    return g_strconcat (MINUS_SIGN, number, NULL);
  return g_strdup (number);
}

static char *
format_nps (double value)
{
  g_autofree char *number = NULL;

  if (isnan (value))
    return g_strdup (EM_DASH);
  number = g_strdup_printf ("%.0f", fabs (value));
  return format_signed (round (value), number);
}

void
sapa_dashboard_tile_compute (SapaDashboardKpi      kpi,
                             const SapaMetricsRow *current,
                             const SapaMetricsRow *previous,
                             SapaDashboardTile    *tile)
{
  double now_value = sapa_dashboard_kpi_value (kpi, current);
  double before = previous ? sapa_dashboard_kpi_value (kpi, previous) : NAN;
  double delta = now_value - before;
  gboolean lower_is_better = FALSE;
  g_autofree char *number = NULL;

  g_return_if_fail (tile != NULL);
  memset (tile, 0, sizeof *tile);

  switch (kpi)
    {
    case SAPA_DASHBOARD_KPI_CSAT:
      /* Translators: KPI tile title: customer satisfaction score */
      tile->title = _("CSAT");
      tile->description = _("Share of satisfied customers: ratings of 4 or 5 out of 5");
      tile->value = sapa_dashboard_format_percent (now_value);
      delta = round (delta * 10) / 10;
      number = sapa_dashboard_format_decimal (fabs (delta));
      break;
    case SAPA_DASHBOARD_KPI_NPS:
      /* Translators: KPI tile title: Net Promoter Score */
      tile->title = _("NPS");
      tile->description = _("Net Promoter Score: the share of promoters (9–10) minus the share of detractors (0–6)");
      tile->value = format_nps (now_value);
      delta = round (delta);
      number = g_strdup_printf ("%.0f", fabs (delta));
      break;
    case SAPA_DASHBOARD_KPI_CES:
      /* Translators: KPI tile title: Customer Effort Score */
      tile->title = _("CES");
      tile->description = _("Customer Effort Score: mean answer from 1 (very hard) to 7 (very easy)");
      tile->value = sapa_dashboard_format_decimal (now_value);
      delta = round (delta * 10) / 10;
      number = sapa_dashboard_format_decimal (fabs (delta));
      break;
    case SAPA_DASHBOARD_KPI_FCR:
      /* Translators: KPI tile title: first contact resolution */
      tile->title = _("FCR");
      tile->description = _("First contact resolution: resolved conversations settled in one contact and not reopened");
      tile->value = sapa_dashboard_format_percent (now_value);
      delta = round (delta * 10) / 10;
      number = sapa_dashboard_format_decimal (fabs (delta));
      break;
    case SAPA_DASHBOARD_KPI_AHT:
      /* Translators: KPI tile title: average handle time */
      tile->title = _("AHT");
      tile->description = _("Average handle time of calls, walk-ins and video calls");
      tile->value = sapa_dashboard_format_minutes (now_value);
      delta = round (delta);
      number = sapa_format_duration ((gint64) fabs (delta));
      lower_is_better = TRUE;
      break;
    case SAPA_DASHBOARD_KPI_FRT:
      /* Translators: KPI tile title: median first response time */
      tile->title = _("FRT");
      tile->description = _("Median time to the first response to a customer");
      tile->value = sapa_dashboard_format_minutes (now_value);
      delta = round (delta);
      number = sapa_format_duration ((gint64) fabs (delta));
      lower_is_better = TRUE;
      break;
    case SAPA_DASHBOARD_KPI_SLA:
      /* Translators: KPI tile title: service level agreement met */
      tile->title = _("SLA");
      tile->description = _("Conversations answered within their service level target");
      tile->value = sapa_dashboard_format_percent (now_value);
      delta = round (delta * 10) / 10;
      number = sapa_dashboard_format_decimal (fabs (delta));
      break;
    case SAPA_DASHBOARD_N_KPIS:
    default:
      g_assert_not_reached ();
    }

  if (isnan (delta))
    {
      tile->change = g_strdup ("");
      tile->trend = SAPA_DASHBOARD_TREND_NONE;
      return;
    }

  if (kpi == SAPA_DASHBOARD_KPI_CSAT || kpi == SAPA_DASHBOARD_KPI_NPS ||
      kpi == SAPA_DASHBOARD_KPI_FCR || kpi == SAPA_DASHBOARD_KPI_SLA)
    {
      g_autofree char *signed_number = format_signed (delta, number);

      /* Translators: a change in percentage points against the previous period, e.g. "+2.5 pts" */
      tile->change = g_strdup_printf (_("%s pts"), signed_number);
    }
  else
    tile->change = format_signed (delta, number);

  if (delta == 0)
    tile->trend = SAPA_DASHBOARD_TREND_NEUTRAL;
  else if ((delta > 0) != lower_is_better)
    tile->trend = SAPA_DASHBOARD_TREND_GOOD;
  else
    tile->trend = SAPA_DASHBOARD_TREND_BAD;
}

void
sapa_dashboard_tile_clear (SapaDashboardTile *tile)
{
  g_clear_pointer (&tile->value, g_free);
  g_clear_pointer (&tile->change, g_free);
}
