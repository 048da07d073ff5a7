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

G_END_DECLS
