/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include <sapa/sapa.h>

#include "sapa-test-dir.h"

typedef struct {
  char       *dir;
  char       *path;
  SapaStore  *store;
  SapaRecord *agent;
  SapaRecord *customer;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *phones[] = { "+6281234567890", NULL };

  f->store = sapa_test_store_new ("sapa-desk-XXXXXX", &f->dir, &f->path);
  f->agent = sapa_desk_ensure_agent (f->store, "Sari Teller", &error);
  g_assert_no_error (error);
  f->customer = sapa_record_new ("customer");
  sapa_record_set_string (f->customer, "full_name", "Budi Santoso");
  sapa_record_set_string (f->customer, "segment", "regular");
  sapa_record_set_list (f->customer, "phones", phones);
  if (!sapa_store_save (f->store, f->customer, &error)) g_error ("%s", error->message);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{

  g_clear_object (&f->customer);
  g_clear_object (&f->agent);
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_ensure_agent (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SapaRecord) again = NULL;
  g_autofree char *agent_id = sapa_store_dup_meta (f->store, "agent_id");
  g_autofree char *branch_id = sapa_store_dup_meta (f->store, "branch_id");
  g_autoptr(GPtrArray) branches = sapa_store_list (f->store, "branch", NULL);

  g_assert_cmpstr (sapa_record_get_string (f->agent, "display_name"), ==, "Sari Teller");
  g_assert_cmpstr (agent_id, ==, sapa_record_get_id (f->agent));
  g_assert_cmpuint (branches->len, ==, 1);
  g_assert_cmpstr (branch_id, ==, sapa_record_get_id (g_ptr_array_index (branches, 0)));

  again = sapa_desk_ensure_agent (f->store, "Someone Else", NULL);
  g_assert_cmpstr (sapa_record_get_id (again), ==, sapa_record_get_id (f->agent));
}

static void
agent_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  SapaRecord **out = data;
  g_autoptr(GError) error = NULL;

  *out = sapa_desk_ensure_agent_finish (SAPA_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_ensure_agent_async (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SapaStore) store = sapa_test_store_new ("sapa-agent-XXXXXX", &dir, &path);
  SapaRecord *agent = NULL;
  g_autofree char *agent_id = NULL;

  sapa_desk_ensure_agent_async (store, "Rina Kasir", NULL, agent_ready_cb, &agent);
  while (agent == NULL)
    g_main_context_iteration (NULL, TRUE);
  agent_id = sapa_store_dup_meta (store, "agent_id");
  g_assert_cmpstr (sapa_record_get_string (agent, "display_name"), ==, "Rina Kasir");
  g_assert_cmpstr (agent_id, ==, sapa_record_get_id (agent));
  g_object_unref (agent);
  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

static SapaRecord *
log_visit (Fixture    *f,
           const char *conversation_id,
           const char *channel,
           const char *direction,
           gint64      started)
{
  g_autoptr(GError) error = NULL;
  SapaContact contact = {
    .customer_id = sapa_record_get_id (f->customer),
    .conversation_id = conversation_id,
    .reason = "card",
    .channel = channel,
    .direction = direction,
    .body = "Kartu ATM tertelan",
    .started_at = started,
    .ended_at = started + 420,
    .wait_seconds = 95,
    .agent_id = sapa_record_get_id (f->agent),
    .branch_id = sapa_record_get_string (f->agent, "branch_id"),
  };
  SapaRecord *interaction = sapa_desk_log_contact (f->store, &contact, &error);

  g_assert_no_error (error);
  return interaction;
}

static void
test_log_contact (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SapaRecord) first = log_visit (f, NULL, "walk_in", "inbound", 1763884800);
  g_autoptr(SapaRecord) conv = sapa_store_get (f->store, "conversation",
                                               sapa_record_get_string (first, "conversation_id"), NULL);
  g_autoptr(SapaRecord) open = sapa_desk_find_open_conversation (f->store, sapa_record_get_id (f->customer), NULL);
  g_autoptr(SapaRecord) second = NULL;
  g_autoptr(SapaRecord) note = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GPtrArray) timeline = NULL;

  g_assert_nonnull (conv);
  g_assert_cmpstr (sapa_record_get_string (conv, "reason"), ==, "card");
  g_assert_cmpstr (sapa_record_get_string (conv, "status"), ==, "open");
  g_assert_cmpint (sapa_record_get_int (conv, "contact_count"), ==, 1);
  g_assert_cmpint (sapa_record_get_int (conv, "first_response_at"), ==, 1763884800);
  g_assert_cmpint (sapa_record_get_int (conv, "sla_due"), ==, 1763884800 + 600);
  g_assert_cmpstr (sapa_record_get_id (open), ==, sapa_record_get_id (conv));
  g_assert_cmpint (sapa_record_get_int (first, "ended_at") - sapa_record_get_int (first, "started_at"), ==, 420);

  /* A second contact in the same conversation counts; a note does not. */
  second = log_visit (f, sapa_record_get_id (conv), "phone", "inbound", 1763888400);
  note = log_visit (f, sapa_record_get_id (conv), "note", "internal", 1763892000);
  g_clear_object (&conv);
  conv = sapa_store_get (f->store, "conversation", sapa_record_get_string (second, "conversation_id"), NULL);
  g_assert_cmpint (sapa_record_get_int (conv, "contact_count"), ==, 2);

  customer = sapa_store_get (f->store, "customer", sapa_record_get_id (f->customer), NULL);
  timeline = sapa_store_list_timeline (f->store, sapa_record_get_id (f->customer), NULL, NULL, 10, NULL);
  g_assert_cmpuint (timeline->len, ==, 3);
  g_assert_cmpstr (sapa_record_get_id (g_ptr_array_index (timeline, 0)), ==, sapa_record_get_id (note));
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (timeline, 0), "author_name"), ==, "Sari Teller");
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (timeline, 0), "conversation_status"), ==, "open");
}

static void
test_status_and_complaint (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) first = log_visit (f, NULL, "walk_in", "inbound", 1763884800);
  const char *conv_id = sapa_record_get_string (first, "conversation_id");
  const char *agent = sapa_record_get_id (f->agent);
  g_autoptr(SapaRecord) conv = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_auto(GStrv) steps = NULL;
  SapaTimelineFilter notes = { "note", NULL };

  g_assert_true (sapa_desk_set_complaint (f->store, conv_id, TRUE, agent, &error));
  g_assert_true (sapa_desk_set_complaint_step (f->store, conv_id, "apologise", TRUE, agent, &error));
  g_assert_true (sapa_desk_set_complaint_step (f->store, conv_id, "listen", TRUE, agent, &error));
  g_assert_true (sapa_desk_set_complaint_step (f->store, conv_id, "apologise", FALSE, agent, &error));
  g_assert_true (sapa_desk_set_complaint_step (f->store, conv_id, "document", TRUE, agent, &error));
  g_assert_true (sapa_desk_set_follow_up (f->store, conv_id, 1764057600, agent, &error));
  g_assert_false (sapa_desk_escalate (f->store, conv_id, "legal", "   ", agent, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sapa_desk_escalate (f->store, conv_id, "marketing", "x", agent, &error));
  g_clear_error (&error);
  g_assert_true (sapa_desk_escalate (f->store, conv_id, "legal", "Kartu didebet dua kali", agent, &error));
  g_assert_true (sapa_desk_set_status (f->store, conv_id, "resolved", agent, &error));
  g_assert_false (sapa_desk_set_status (f->store, conv_id, "done", agent, &error));
  g_clear_error (&error);

  conv = sapa_store_get (f->store, "conversation", conv_id, NULL);
  steps = sapa_record_dup_list (conv, "complaint_steps");
  g_assert_cmpuint (g_strv_length (steps), ==, 2);
  g_assert_cmpstr (steps[0], ==, "listen");
  g_assert_cmpstr (steps[1], ==, "document");
  g_assert_true (sapa_record_get_bool (conv, "is_complaint"));
  g_assert_cmpstr (sapa_record_get_string (conv, "escalated_to"), ==, "legal");
  g_assert_cmpint (sapa_record_get_int (conv, "follow_up_due"), ==, 1764057600);
  g_assert_cmpstr (sapa_record_get_string (conv, "status"), ==, "resolved");
  g_assert_true (sapa_record_has (conv, "resolved_at"));
  g_assert_false (sapa_record_has (conv, "reopened_at"));

  /* Every step shows in the timeline as an event. */
  timeline = sapa_store_list_timeline (f->store, sapa_record_get_id (f->customer), &notes, NULL, 50, NULL);
  g_assert_cmpuint (timeline->len, ==, 8);
  g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (timeline, 0), "event"), ==, "status");
  g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (timeline, 0), "body"), ==, "resolved");
  {
    gboolean seen_escalation = FALSE;
    for (guint i = 0; i < timeline->len; i++)
      if (g_strcmp0 (sapa_record_get_string (g_ptr_array_index (timeline, i), "event"), "escalation") == 0)
        {
          g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (timeline, i), "body"), ==,
                           "legal\nKartu didebet dua kali");
          seen_escalation = TRUE;
        }
    g_assert_true (seen_escalation);
  }

  /* Reopening is remembered (first contact resolution needs it). */
  g_assert_true (sapa_desk_set_status (f->store, conv_id, "open", agent, &error));
  g_clear_object (&conv);
  conv = sapa_store_get (f->store, "conversation", conv_id, NULL);
  g_assert_true (sapa_record_has (conv, "reopened_at"));
}

static void
test_reveal_audit (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  gboolean found = FALSE;

  g_assert_true (sapa_desk_record_reveal (f->store, sapa_record_get_id (f->customer),
                                          sapa_record_get_id (f->agent), &error));
  audits = sapa_store_list (f->store, "audit_event", NULL);
  for (guint i = 0; i < audits->len; i++)
    {
      SapaRecord *a = g_ptr_array_index (audits, i);
      if (g_strcmp0 (sapa_record_get_string (a, "action"), "reveal_account") == 0)
        {
          g_assert_cmpstr (sapa_record_get_string (a, "customer_id"), ==, sapa_record_get_id (f->customer));
          g_assert_cmpstr (sapa_record_get_string (a, "agent_id"), ==, sapa_record_get_id (f->agent));
          found = TRUE;
        }
    }
  g_assert_true (found);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, set_up, fn, tear_down)
  ADD ("/desk/ensure-agent", test_ensure_agent);
  g_test_add_func ("/desk/ensure-agent-async", test_ensure_agent_async);
  ADD ("/desk/log-contact", test_log_contact);
  ADD ("/desk/status-and-complaint", test_status_and_complaint);
  ADD ("/desk/reveal-audit", test_reveal_audit);
#undef ADD
  return g_test_run ();
}
