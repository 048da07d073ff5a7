/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Dates, numbers and durations for people to read, in the language and
 * locale chosen at start (see sapa-i18n.h). Every string returned is newly
 * allocated.
 */

/* "Today", "Yesterday" or the locale date ("23 Nov 2026"), relative to @now
 * (both compared as local calendar days). */
char *sapa_format_day_relative_to   (GDateTime *date,
                                     GDateTime *now);
/* The same, relative to the current local time. */
char *sapa_format_day               (GDateTime *date);
/* The locale date alone: "23 Nov 2026" ("23 Nov 2026" in Indonesian too, with
 * the month names of the id_ID locale). */
char *sapa_format_date              (GDateTime *date);
/* The local time of day: "14:05". */
char *sapa_format_time_of_day       (GDateTime *date);
/* The day of a last contact given in Unix seconds; 0 or less: "No contact yet". */
char *sapa_format_relative_contact  (gint64     unix_seconds);
/* A count with the locale's thousands separators: "1,234,567" / "1.234.567"
 * (sapa_format_integer() of libsapa's sapa-number.h, which also formats
 * decimals: sapa_format_decimal()). */
char *sapa_format_count             (guint64    count);
/* A duration: "45 s", "12 min 5 s", "1 h 5 min". Negative counts as 0. */
char *sapa_format_duration          (gint64     seconds);

G_END_DECLS
