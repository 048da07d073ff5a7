/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sapa/sapa-metrics.h>

G_BEGIN_DECLS

/*
 * The dashboard's figures as a CSV file for spreadsheets: the period and
 * filters, every figure of the whole range (with the previous period and the
 * change when given), then the agent and branch tables, as filtered.
 *
 * Localized: numbers use the separators of the current LC_NUMERIC locale
 * (sapa-number.h), so Indonesian gives "87,5" and "1.234". Where the decimal
 * separator is a comma the fields are separated by ';' (what spreadsheets in
 * those locales expect), otherwise by ','. Fields are quoted as RFC 4180 says
 * (a field holding the separator, a quote or a line break is put in double
 * quotes, quotes doubled); lines end with CRLF; UTF-8 without a byte-order
 * mark. Dates are written with translated formats.
 */

/* Display names and the previous period; every member may be NULL. */
typedef struct {
  GHashTable  *agent_names;    /* agent id -> display name (char* -> char*) */
  GHashTable  *branch_names;   /* branch id -> display name */
  SapaMetrics *previous;       /* the previous period of equal length */
  const char  *title;          /* first line, e.g. "Sapa dashboard"; NULL: a default */
} SapaMetricsNames;

/* The field separator used now: ';' when the decimal separator is ',' else ','. */
char     sapa_metrics_csv_separator (void);

/* Appends @field to @line, quoted when it holds @separator, '"', CR or LF. */
void     sapa_metrics_csv_append_field (GString    *line,
                                        const char *field,
                                        char        separator);

/* Writes the CSV to @out (not closed). Blocking: call it from a worker
 * thread for a file on a slow disk (g_task_run_in_thread). */
gboolean sapa_metrics_write_csv (SapaMetrics       *m,
                                 SapaMetricsNames  *names,
                                 GOutputStream     *out,
                                 GCancellable      *cancellable,
                                 GError           **error);

G_END_DECLS
