/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-store.h>

G_BEGIN_DECLS

typedef struct {
  guint    customers;               /* e.g. 1000000 */
  guint    interactions_per_customer; /* mean; 10 gives 10 interactions per customer */
  guint64  seed;
  gint64   now;                     /* Unix seconds the data ends at; same seed + now = same data */
} SapaDemoOptions;

typedef void (*SapaDemoProgress) (const char *stage,
                                  guint64     done,
                                  guint64     total,
                                  gpointer    user_data);

/* Fills an empty desk database with reproducible demo data: branches of the
 * three kinds, agents, customers with Indonesian names, +62 phones, emails
 * and account numbers, conversations with interactions on every channel,
 * survey responses. Bulk-loaded (not written to the change log). */
gboolean sapa_demo_generate (const char             *path,
                             const SapaDemoOptions  *options,
                             SapaDemoProgress        progress,
                             gpointer                user_data,
                             GError                **error);

/* Progress of sapa_demo_generate() for command lines: one line per step on
 * standard error, rewritten in place on a terminal. Start the printer, pass
 * sapa_demo_printer_progress with it as user data, finish it afterwards. */
typedef struct {
  gint64      started;     /* monotonic microseconds */
  const char *last_stage;
  int         last_percent;
  gboolean    tty;
} SapaDemoPrinter;

void sapa_demo_printer_start    (SapaDemoPrinter *printer);
void sapa_demo_printer_progress (const char      *stage,
                                 guint64          done,
                                 guint64          total,
                                 gpointer         printer);
/* Ends the line being rewritten on a terminal. */
void sapa_demo_printer_finish   (SapaDemoPrinter *printer);

G_END_DECLS
