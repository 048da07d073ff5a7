/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sapa/sapa-record.h>
#include <sapa/sapa-hlc.h>

G_BEGIN_DECLS

#define SAPA_STORE_ERROR (sapa_store_error_quark ())
typedef enum {
  SAPA_STORE_ERROR_CANNOT_OPEN,   /* missing directory, no permission */
  SAPA_STORE_ERROR_CORRUPT,       /* not a database, or damaged */
  SAPA_STORE_ERROR_LOCKED,        /* another program holds a lock too long */
  SAPA_STORE_ERROR_TOO_NEW,       /* written by a newer Sapa */
  SAPA_STORE_ERROR_NOT_FOUND,
  SAPA_STORE_ERROR_INVALID,       /* the record failed validation */
  SAPA_STORE_ERROR_CONFLICT,      /* an append-only record already exists */
  SAPA_STORE_ERROR_FAILED,
} SapaStoreError;
GQuark sapa_store_error_quark (void);

/* The schema version this build writes; databases with a higher one are refused. */
#define SAPA_STORE_SCHEMA_VERSION 4

#define SAPA_TYPE_STORE (sapa_store_get_type ())
G_DECLARE_FINAL_TYPE (SapaStore, sapa_store, SAPA, STORE, GObject)

/*
 * A desk database. Safe to use from several threads: reads use a pool of
 * connections, writes are serialised on one connection, each in a single
 * `BEGIN IMMEDIATE` transaction that writes the records and their change-log
 * entries together.
 *
 * ::changed (entity, id) is emitted on the main context of the thread that
 * opened the store, after the transaction committed.
 */
SapaStore   *sapa_store_open              (const char  *path,
                                           GError     **error);
void         sapa_store_open_async        (const char          *path,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
SapaStore   *sapa_store_open_finish       (GAsyncResult        *result,
                                           GError             **error);
const char  *sapa_store_get_path          (SapaStore   *self);
int          sapa_store_get_schema_version(SapaStore   *self);

/* Desk identity and settings kept in the database (client_id, agent_id, branch_id). */
char        *sapa_store_dup_meta          (SapaStore   *self,
                                           const char  *key);
gboolean     sapa_store_set_meta          (SapaStore   *self,
                                           const char  *key,
                                           const char  *value,
                                           GError     **error);
const char  *sapa_store_get_client_id     (SapaStore   *self);

SapaRecord  *sapa_store_get               (SapaStore   *self,
                                           const char  *entity,
                                           const char  *id,
                                           GError     **error);
/* Upsert of a mutable record (only changed fields go to the change log; no
 * change, no entry) or insert of an append-only one. Validates first. */
gboolean     sapa_store_save              (SapaStore   *self,
                                           SapaRecord  *record,
                                           GError     **error);
/* All records in one transaction: all are written or none. */
gboolean     sapa_store_save_all          (SapaStore   *self,
                                           GPtrArray   *records,
                                           GError     **error);
void         sapa_store_save_all_async    (SapaStore           *self,
                                           GPtrArray           *records,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean     sapa_store_save_all_finish   (SapaStore           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
/* Tombstone: the row stays with deleted = 1, a delete change is logged. */
gboolean     sapa_store_delete            (SapaStore   *self,
                                           const char  *entity,
                                           const char  *id,
                                           GError     **error);

/* The change log (the outbox sync pushes). Each entry is a JsonObject
 * {seq, change_id, entity, id, op, hlc (string), fields, client_id}. */
GPtrArray   *sapa_store_list_changes      (SapaStore   *self,
                                           gint64       after_seq,
                                           guint        limit,
                                           GError     **error);
gint64       sapa_store_count_changes     (SapaStore   *self);

/* The outbox: changes made on this desk not yet acknowledged by the server,
 * oldest first (entries as sapa_store_list_changes). */
GPtrArray   *sapa_store_list_unpushed     (SapaStore   *self,
                                           guint        limit,
                                           GError     **error);
gint64       sapa_store_count_unpushed    (SapaStore   *self);
/* Marks changes the server answered for (applied, duplicate, superseded or rejected). */
gboolean     sapa_store_mark_pushed       (SapaStore          *self,
                                           const char * const *change_ids,
                                           GError            **error);
/* Writes a change-log entry for every stored record that has none yet, so
 * bulk-loaded data (sapa_demo_generate) can be pulled by desks. */
gboolean     sapa_store_log_existing      (SapaStore   *self,
                                           GError     **error);

typedef enum {
  SAPA_APPLY_APPLIED,     /* written (at least one field won) */
  SAPA_APPLY_DUPLICATE,   /* seen before: nothing to do */
  SAPA_APPLY_SUPERSEDED,  /* every field it sets already holds a newer edit */
  SAPA_APPLY_REJECTED,    /* not acceptable (invalid, forbidden); nothing written */
} SapaApplyStatus;

/* Applies changes made elsewhere (a page pulled from the server) in one
 * transaction: mutable records merge field by field, last writer wins by
 * (hlc, client id); append-only records are inserted once. Writes no
 * change-log entry. @cursor, when given, is saved as desk meta
 * "sync_cursor" in the same transaction. @statuses (optional) receives one
 * SapaApplyStatus per change. */
gboolean     sapa_store_apply_changes     (SapaStore   *self,
                                           GPtrArray   *changes,
                                           const char  *cursor,
                                           GArray      *statuses,
                                           GError     **error);
/* The store's clock: observe stamps seen elsewhere through it. */
SapaHlc     *sapa_store_get_hlc           (SapaStore   *self);

/* Plain queries, each fast enough for the main loop (index lookups only). */
GPtrArray   *sapa_store_list              (SapaStore   *self,
                                           const char  *entity,
                                           GError     **error);   /* small tables: branch, agent, canned_response */
GPtrArray   *sapa_store_find_customers_by_phone (SapaStore  *self,
                                                 const char *normalized_phone,
                                                 GError    **error);
GPtrArray   *sapa_store_find_customers_by_email (SapaStore  *self,
                                                 const char *normalized_email,
                                                 GError    **error);
/* @handle as stored in customer.handles: "<channel>:<handle>", e.g. "instagram:@rina". */
GPtrArray   *sapa_store_find_customers_by_handle (SapaStore  *self,
                                                  const char *handle,
                                                  GError    **error);
GPtrArray   *sapa_store_find_customers_by_account (SapaStore  *self,
                                                   const char *normalized_account,
                                                   GError    **error);
/* Conversations of a customer, newest first. */
GPtrArray   *sapa_store_list_conversations (SapaStore  *self,
                                            const char *customer_id,
                                            GError    **error);

/* Timeline: interactions of a customer, newest first, with extras
 * author_name, conversation_subject, conversation_status, conversation_reason,
 * conversation_complaint ("1"/"0"). */
typedef struct {
  const char *channel;   /* NULL = all channels */
  const char *text;      /* NULL or "" = no text filter; matched folded, as a substring */
} SapaTimelineFilter;

guint        sapa_store_count_timeline    (SapaStore                *self,
                                           const char               *customer_id,
                                           const SapaTimelineFilter *filter,
                                           GError                  **error);
/* Page starting at (before_started, before_num) exclusive, or the newest when
 * @after is NULL. Keyset paging: each page costs the same however deep. */
GPtrArray   *sapa_store_list_timeline     (SapaStore                *self,
                                           const char               *customer_id,
                                           const SapaTimelineFilter *filter,
                                           SapaRecord               *after,
                                           guint                     limit,
                                           GError                  **error);

G_END_DECLS
