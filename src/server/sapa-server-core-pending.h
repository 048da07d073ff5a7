/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Declarations of libsapa's sync additions as agreed for issue 3, used until
 * they land in libsapa; removed once they do. */
#pragma once

#include <sqlite3.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

typedef enum {
  SAPA_APPLY_APPLIED,
  SAPA_APPLY_DUPLICATE,
  SAPA_APPLY_SUPERSEDED,
  SAPA_APPLY_REJECTED,
} SapaApplyStatus;

typedef struct {
  gboolean (*before) (sqlite3 *db, SapaChange *change, SapaApplyStatus *status,
                      char **reason, gpointer data, GError **error);
  gboolean (*after)  (sqlite3 *db, SapaChange *change, SapaApplyStatus status,
                      const char *reason, gpointer data, GError **error);
  gboolean log_changes;
} SapaApplyHooks;

gboolean sapa_store_apply_changes_full (SapaStore            *store,
                                        GPtrArray            *changes,
                                        const SapaApplyHooks *hooks,
                                        gpointer              data,
                                        GArray               *statuses,
                                        GError              **error);
SapaHlc *sapa_store_get_hlc            (SapaStore            *store);

G_END_DECLS
