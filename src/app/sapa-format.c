/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-format"

#include "config.h"

#include <glib/gi18n.h>

#include <sapa/sapa-number.h>

#include "sapa-format.h"

static gboolean
same_day (GDateTime *a,
          GDateTime *b)
{
  int ya, ma, da, yb, mb, db;

  g_date_time_get_ymd (a, &ya, &ma, &da);
  g_date_time_get_ymd (b, &yb, &mb, &db);
  return ya == yb && ma == mb && da == db;
}

char *
sapa_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (date != NULL, NULL);

  local = g_date_time_to_local (date);
  /* GLib takes the month names from LC_TIME, so id_ID gives "Agu", "Des".
   * "%-d": the day without padding. */
  return g_date_time_format (local, "%-d %b %Y");
}

char *
sapa_format_time_of_day (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (date != NULL, NULL);

  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%H:%M");
}

char *
sapa_format_day_relative_to (GDateTime *date,
                             GDateTime *now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) yesterday = NULL;

  g_return_val_if_fail (date != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  local = g_date_time_to_local (date);
  local_now = g_date_time_to_local (now);
  yesterday = g_date_time_add_days (local_now, -1);

  if (same_day (local, local_now))
    return g_strdup (_("Today"));
  if (same_day (local, yesterday))
    return g_strdup (_("Yesterday"));
  return sapa_format_date (local);
}

char *
sapa_format_day (GDateTime *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return sapa_format_day_relative_to (date, now);
}

char *
sapa_format_relative_contact (gint64 unix_seconds)
{
  g_autoptr(GDateTime) date = NULL;

  if (unix_seconds <= 0)
    return g_strdup (_("No contact yet"));

  date = g_date_time_new_from_unix_local (unix_seconds);
  if (date == NULL)
    return g_strdup (_("No contact yet"));
  return sapa_format_day (date);
}

char *
sapa_format_count (guint64 count)
{
  /* libsapa's number helpers (the CSV export uses them too) group digits
   * with the separator of LC_NUMERIC. */
  return sapa_format_integer ((gint64) MIN (count, (guint64) G_MAXINT64));
}

char *
sapa_format_duration (gint64 seconds)
{
  gint64 h, m, s;

  if (seconds < 0)
    seconds = 0;

  h = seconds / 3600;
  m = (seconds % 3600) / 60;
  s = seconds % 60;

  if (h > 0 && m > 0)
    /* Translators: a duration in hours and minutes, e.g. "1 h 5 min" */
    return g_strdup_printf (_("%d h %d min"), (int) h, (int) m);
  if (h > 0)
    /* Translators: a duration in whole hours, e.g. "2 h" */
    return g_strdup_printf (_("%d h"), (int) h);
  if (m > 0 && s > 0)
    /* Translators: a duration in minutes and seconds, e.g. "12 min 5 s" */
    return g_strdup_printf (_("%d min %d s"), (int) m, (int) s);
  if (m > 0)
    /* Translators: a duration in whole minutes, e.g. "12 min" */
    return g_strdup_printf (_("%d min"), (int) m);
  /* Translators: a duration in seconds, e.g. "45 s" */
  return g_strdup_printf (_("%d s"), (int) s);
}
