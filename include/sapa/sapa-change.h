/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-record.h>

G_BEGIN_DECLS

/*
 * One change of the sync protocol (DESIGN.md, "Sync protocol v1"):
 *   {"change_id": UUID, "entity": "customer", "id": UUID, "op": "upsert"|"delete",
 *    "hlc": "<decimal>", "fields": {...}}
 * plus "client_id" (the desk it was made on) in changes the server hands out.
 * The codec checks everything a change carries before anything is stored:
 * a change that does not parse is rejected whole, with a reason.
 */

typedef enum {
  SAPA_CHANGE_UPSERT,
  SAPA_CHANGE_DELETE,
} SapaChangeOp;

typedef struct {
  char         *change_id;
  SapaChangeOp  op;
  guint64       hlc;
  SapaRecord   *record;   /* entity, id and the fields the change sets (null = cleared) */
  char         *client_id; /* the desk the change was made on; NULL when not known */
} SapaChange;

#define SAPA_CHANGE_ERROR (sapa_change_error_quark ())
typedef enum {
  SAPA_CHANGE_ERROR_MALFORMED,
  SAPA_CHANGE_ERROR_INVALID,
} SapaChangeError;
GQuark      sapa_change_error_quark (void);

SapaChange *sapa_change_from_json   (JsonNode          *node,
                                     GError           **error);
/* Parses a JSON text holding one change object (e.g. a fuzzer's input). */
SapaChange *sapa_change_from_string (const char        *text,
                                     gssize             length,
                                     GError           **error);
JsonNode   *sapa_change_to_json     (const SapaChange  *change);
/* A change from one entry of sapa_store_list_changes(). */
SapaChange *sapa_change_from_log    (JsonObject        *entry,
                                     GError           **error);
void        sapa_change_free        (SapaChange        *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaChange, sapa_change_free)

G_END_DECLS
