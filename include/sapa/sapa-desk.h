/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-store.h>

G_BEGIN_DECLS

/*
 * What happens at the counter, as operations on the store. Each builds the
 * records involved and writes them with sapa_store_save_all(): one
 * transaction, one change-log entry per record.
 *
 * Changes to a conversation also write an event interaction (channel "note",
 * direction "internal", field `event` set) so they show in the timeline. Its
 * body is machine-readable, for the timeline to render translated:
 *   event "status":     the new status ("resolved")
 *   event "complaint":  "1" marked as a complaint, "0" unmarked
 *   event "checklist":  "<step> 1" done or "<step> 0" undone ("apologise 1")
 *   event "follow_up":  the due time as Unix seconds in decimal, "" cleared
 *   event "escalation": "<department>\n<reason>" ("legal\nCard charged twice")
 */

/* The agent working at this desk and their branch (kept in the database meta).
 * On a database without agents a local one is made from @fallback_name. */
SapaRecord *sapa_desk_ensure_agent       (SapaStore   *store,
                                          const char  *fallback_name,
                                          GError     **error);

/* TRUE when the desk still works as the branch and agent that
 * sapa_desk_ensure_agent() made itself (kept in desk_meta as
 * local_branch_id and local_agent_id), before any sign-in. */
gboolean    sapa_desk_has_local_identity (SapaStore  *store);

/* Re-homes the work of a desk with a local identity to the signed-in
 * @agent_id and @branch_id, in one transaction, before its first push:
 * branch and agent references in the records and in the unpushed change-log
 * entries (fields and branch column) are rewritten, the local branch and agent
 * and their unpushed entries are dropped, and desk_meta's agent_id and
 * branch_id become the server's. Pushed entries and field stamps are left as
 * they are. A NULL @branch_id keeps the local branch (an admin pushes it).
 * Does nothing on a desk without a local identity. */
gboolean    sapa_desk_adopt_identity     (SapaStore   *store,
                                          const char  *agent_id,
                                          const char  *branch_id,
                                          GError     **error);

/* The same in a worker thread: on a new database it writes the branch and agent. */
void        sapa_desk_ensure_agent_async  (SapaStore           *store,
                                           const char          *fallback_name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
SapaRecord *sapa_desk_ensure_agent_finish (SapaStore           *store,
                                           GAsyncResult        *result,
                                           GError             **error);

/* The customer's most recent open or pending conversation, or NULL. */
SapaRecord *sapa_desk_find_open_conversation (SapaStore  *store,
                                              const char *customer_id,
                                              GError    **error);

typedef struct {
  const char *customer_id;
  const char *conversation_id; /* NULL: open a new conversation */
  const char *reason;          /* contact reason of a new conversation */
  const char *subject;         /* subject of a new conversation; NULL = from the reason */
  const char *channel;         /* walk_in, phone, video, note... */
  const char *direction;       /* inbound, outbound, internal */
  const char *body;
  gint64      started_at;      /* Unix seconds */
  gint64      ended_at;        /* 0: no duration */
  gint64      wait_seconds;    /* -1: unknown */
  const char *agent_id;
  const char *branch_id;
} SapaContact;

/* Writes the interaction and, as needed, a new conversation or the updated
 * one (contact count, first response). Returns the interaction. */
SapaRecord *sapa_desk_log_contact        (SapaStore          *store,
                                          const SapaContact  *contact,
                                          GError            **error);
/* The same in a worker thread (the contact is copied): for the GTK main loop. */
void        sapa_desk_log_contact_async  (SapaStore           *store,
                                          const SapaContact   *contact,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
SapaRecord *sapa_desk_log_contact_finish (SapaStore           *store,
                                          GAsyncResult        *result,
                                          GError             **error);

gboolean    sapa_desk_set_status         (SapaStore   *store,
                                          const char  *conversation_id,
                                          const char  *status,
                                          const char  *agent_id,
                                          GError     **error);
gboolean    sapa_desk_set_complaint      (SapaStore   *store,
                                          const char  *conversation_id,
                                          gboolean     is_complaint,
                                          const char  *agent_id,
                                          GError     **error);
gboolean    sapa_desk_set_complaint_step (SapaStore   *store,
                                          const char  *conversation_id,
                                          const char  *step,
                                          gboolean     done,
                                          const char  *agent_id,
                                          GError     **error);
gboolean    sapa_desk_set_follow_up      (SapaStore   *store,
                                          const char  *conversation_id,
                                          gint64       due,          /* 0 clears */
                                          const char  *agent_id,
                                          GError     **error);
gboolean    sapa_desk_escalate           (SapaStore   *store,
                                          const char  *conversation_id,
                                          const char  *department,
                                          const char  *reason,
                                          const char  *agent_id,
                                          GError     **error);
/* Writes an audit event that the account number of @customer_id was shown. */
gboolean    sapa_desk_record_reveal      (SapaStore   *store,
                                          const char  *customer_id,
                                          const char  *agent_id,
                                          GError     **error);

G_END_DECLS
