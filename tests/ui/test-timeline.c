/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "customer-test-util.h"
#include "sapa-format.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-row.h"
#include "sapa-timeline-view.h"

/* Run with LANGUAGE=en and LANGUAGE=id: the day headers follow. */
static gboolean
indonesian (void)
{
  return g_str_equal (sapa_i18n_get_language (), "id");
}

static const char *
today_text (void)
{
  return indonesian () ? "Hari ini" : "Today";
}

static const char *
yesterday_text (void)
{
  return indonesian () ? "Kemarin" : "Yesterday";
}

static SapaRecord *
item_record (GListModel *model,
             guint       position)
{
  g_autoptr(SapaTimelineEntry) entry = g_list_model_get_item (model, position);

  g_assert_nonnull (entry);
  return sapa_timeline_entry_get_record (entry);
}

static void
wait_loaded (SapaTimelineModel *model)
{
  WAIT_UNTIL (!sapa_timeline_model_get_loading (model) && sapa_timeline_model_get_complete (model));
}

/* The day header and body a row shows for the item at @position. */
static void
row_texts (GListModel  *model,
           guint        position,
           char       **day,
           char       **body)
{
  g_autoptr(SapaTimelineEntry) entry = g_list_model_get_item (model, position);
  GtkWidget *row = g_object_ref_sink (sapa_timeline_row_new ());

  sapa_timeline_row_set_entry (SAPA_TIMELINE_ROW (row), entry);
  *day = g_strdup (sapa_timeline_row_get_day_text (SAPA_TIMELINE_ROW (row)));
  *body = g_strdup (sapa_timeline_row_get_body_text (SAPA_TIMELINE_ROW (row)));
  g_object_unref (row);
}

static void
test_days_and_channels (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autofree char *other = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  gint64 today = today_start ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 recent = MAX (today, now - 120);
  g_autoptr(GDateTime) older = g_date_time_new_from_unix_local (today - 3 * 86400 + 36000);
  g_autofree char *older_day = sapa_format_date (older);
  char *day, *body;

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Siti Rahayu", "+6281234567890", NULL, NULL, "vip");
  other = test_desk_add_customer (&desk, "Budi Santoso", "+6281300000001", NULL, NULL, NULL);

  g_free (desk_add_interaction (&desk, customer, NULL, "walk_in", "inbound", "Opened a savings account",
                                today - 3 * 86400 + 36000, today - 3 * 86400 + 36000 + 900));
  g_free (desk_add_interaction (&desk, customer, NULL, "email", "outbound", "Sent the card PIN letter",
                                today - 43200, 0));
  g_free (desk_add_interaction (&desk, customer, NULL, "phone", "inbound", "Asked about a refund",
                                recent, recent + 305));
  g_free (desk_add_interaction (&desk, customer, NULL, "whatsapp", "inbound", "Photo of the receipt",
                                recent + 1, 0));
  g_free (desk_add_interaction (&desk, other, NULL, "phone", "inbound", "Somebody else's call",
                                recent + 2, 0));

  model = sapa_timeline_model_new (desk.store);
  sapa_timeline_model_set_customer_id (model, customer);
  wait_loaded (model);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpuint (sapa_timeline_model_get_n_total (model), ==, 4);
  /* newest first, across channels */
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 0), "channel"), ==, "whatsapp");
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 1), "channel"), ==, "phone");
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 2), "channel"), ==, "email");
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 3), "channel"), ==, "walk_in");

  /* day headers: on the first entry of each day only */
  row_texts (G_LIST_MODEL (model), 0, &day, &body);
  g_assert_cmpstr (day, ==, today_text ());
  g_assert_cmpstr (body, ==, "Photo of the receipt");
  g_free (day), g_free (body);
  row_texts (G_LIST_MODEL (model), 1, &day, &body);
  g_assert_null (day);
  g_assert_cmpstr (body, ==, "Asked about a refund");
  g_free (day), g_free (body);
  row_texts (G_LIST_MODEL (model), 2, &day, &body);
  g_assert_cmpstr (day, ==, yesterday_text ());
  g_free (day), g_free (body);
  row_texts (G_LIST_MODEL (model), 3, &day, &body);
  g_assert_cmpstr (day, ==, older_day);
  g_free (day), g_free (body);

  /* handle time of the call and the visit, none for the email */
  {
    g_autofree char *call = sapa_timeline_describe_duration (item_record (G_LIST_MODEL (model), 1));
    g_autofree char *mail = sapa_timeline_describe_duration (item_record (G_LIST_MODEL (model), 2));
    g_autofree char *visit = sapa_timeline_describe_duration (item_record (G_LIST_MODEL (model), 3));

    if (!indonesian ())
      g_assert_cmpstr (call, ==, "5 min 5 s");
    else
      g_assert_nonnull (call);
    g_assert_null (mail);
    if (!indonesian ())
      g_assert_cmpstr (visit, ==, "15 min");
    else
      g_assert_nonnull (visit);
  }
  /* the author's name is joined in */
  g_assert_cmpstr (sapa_record_get_extra (item_record (G_LIST_MODEL (model), 0), "author_name"), ==,
                   "Dewi Lestari");

  /* a new entry appears at the top without a reload, headers move */
  g_free (desk_add_interaction (&desk, customer, NULL, "chat", "inbound", "Is the branch open on Sunday?",
                                recent + 3, 0));
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) == 5);
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 0), "channel"), ==, "chat");
  row_texts (G_LIST_MODEL (model), 0, &day, &body);
  g_assert_cmpstr (day, ==, today_text ());
  g_free (day), g_free (body);
  row_texts (G_LIST_MODEL (model), 1, &day, &body);
  g_assert_null (day);
  g_free (day), g_free (body);

  g_clear_object (&model);
  test_desk_close (&desk);
}

/* Entries pulled from the server (another desk's visit, a WhatsApp message
 * delivered to the server) appear on an open timeline without a reload, in
 * small pages and in pages large enough that the store names only the entity. */
static void
test_synced_entries_appear (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint sizes[] = { 1, 100 };
  guint expected = 1;

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Siti Rahayu", "+6281234567890", NULL, NULL, NULL);
  g_free (desk_add_interaction (&desk, customer, NULL, "walk_in", "inbound", "Opened an account", now - 600, 0));
  model = sapa_timeline_model_new (desk.store);
  sapa_timeline_model_set_customer_id (model, customer);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < sizes[s]; i++)
        {
          g_autofree char *id = sapa_uuid_new ();
          g_autofree char *change_id = sapa_uuid_new ();
          g_autofree char *client_id = sapa_uuid_new ();
          g_autofree char *hlc = sapa_hlc_to_string (sapa_hlc_pack ((now - 100 + expected + i) * 1000, 0));
          g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (now - 100 + expected + i);
          g_autofree char *iso = g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");
          g_autofree char *text =
            g_strdup_printf ("{\"change_id\":\"%s\",\"entity\":\"interaction\",\"id\":\"%s\",\"op\":\"upsert\","
                             "\"hlc\":\"%s\",\"client_id\":\"%s\",\"fields\":{\"customer_id\":\"%s\","
                             "\"channel\":\"whatsapp\",\"direction\":\"inbound\",\"body\":\"Message %u\","
                             "\"started_at\":\"%s\"}}",
                             change_id, id, hlc, client_id, customer, expected + i, iso);

          g_ptr_array_add (page, sapa_change_from_string (text, -1, &error));
          g_assert_no_error (error);
        }
      g_assert_true (sapa_store_apply_changes (desk.store, page, NULL, NULL, &error));
      g_assert_no_error (error);
      expected += sizes[s];
      WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) >= MIN (expected, 25));
      g_assert_cmpuint (sapa_timeline_model_get_n_total (model), ==, expected);
      g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 0), "channel"), ==, "whatsapp");
    }

  g_clear_object (&model);
  test_desk_close (&desk);
}

static void
test_filter_in_view (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  GtkWidget *window, *view;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Rina Wijaya", "+6281234500000", NULL, NULL, NULL);
  g_free (desk_add_interaction (&desk, customer, NULL, "phone", "inbound", "Card blocked after three PIN tries", now - 500, now - 200));
  g_free (desk_add_interaction (&desk, customer, NULL, "whatsapp", "inbound", "Kartu saya terblokir", now - 400, 0));
  g_free (desk_add_interaction (&desk, customer, NULL, "whatsapp", "outbound", "We unblocked your card", now - 300, 0));
  g_free (desk_add_interaction (&desk, customer, NULL, "email", "inbound", "Statement for October, please", now - 100, 0));

  model = sapa_timeline_model_new (desk.store);
  view = sapa_timeline_view_new ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 600);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  sapa_timeline_view_set_model (SAPA_TIMELINE_VIEW (view), model);
  sapa_timeline_model_set_customer_id (model, customer);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpstr (sapa_timeline_view_get_state (SAPA_TIMELINE_VIEW (view)), ==, "list");

  /* the list view really makes rows */
  WAIT_UNTIL (find_widget_of_type (sapa_timeline_view_get_list_view (SAPA_TIMELINE_VIEW (view)),
                                 SAPA_TYPE_TIMELINE_ROW) != NULL);

  /* by channel, through the drop-down */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (sapa_timeline_view_get_channel_dropdown (SAPA_TIMELINE_VIEW (view))),
                              5 /* "All channels", walk_in, phone, email, chat, whatsapp */);
  g_assert_cmpstr (sapa_timeline_model_get_channel (model), ==, "whatsapp");
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), i), "channel"), ==, "whatsapp");

  /* and by text, folded, through the search entry (debounced) */
  gtk_editable_set_text (GTK_EDITABLE (sapa_timeline_view_get_search_entry (SAPA_TIMELINE_VIEW (view))), "UNBLOCK");
  WAIT_UNTIL (g_strcmp0 (sapa_timeline_model_get_text (model), "UNBLOCK") == 0);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 0), "body"), ==, "We unblocked your card");

  /* text alone, all channels */
  sapa_timeline_view_set_channel (SAPA_TIMELINE_VIEW (view), NULL);
  gtk_editable_set_text (GTK_EDITABLE (sapa_timeline_view_get_search_entry (SAPA_TIMELINE_VIEW (view))), "card");
  WAIT_UNTIL (g_strcmp0 (sapa_timeline_model_get_text (model), "card") == 0);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);

  /* nothing matches */
  gtk_editable_set_text (GTK_EDITABLE (sapa_timeline_view_get_search_entry (SAPA_TIMELINE_VIEW (view))), "mortgage");
  WAIT_UNTIL (g_strcmp0 (sapa_timeline_model_get_text (model), "mortgage") == 0);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpstr (sapa_timeline_view_get_state (SAPA_TIMELINE_VIEW (view)), ==, "no-match");

  sapa_timeline_view_clear_filter (SAPA_TIMELINE_VIEW (view));
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&model);
  test_desk_close (&desk);
}

static void
test_empty (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  GtkWidget *view;

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Agus Salim", NULL, "agus@example.com", NULL, NULL);
  model = sapa_timeline_model_new (desk.store);
  view = g_object_ref_sink (sapa_timeline_view_new ());
  sapa_timeline_view_set_model (SAPA_TIMELINE_VIEW (view), model);
  sapa_timeline_model_set_customer_id (model, customer);
  g_assert_cmpstr (sapa_timeline_view_get_state (SAPA_TIMELINE_VIEW (view)), ==, "loading");
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpstr (sapa_timeline_view_get_state (SAPA_TIMELINE_VIEW (view)), ==, "empty");
  g_assert_nonnull (find_label (view, g_dgettext (GETTEXT_PACKAGE, "No contacts yet")));
  g_object_unref (view);
  g_clear_object (&model);
  test_desk_close (&desk);
}

/* 50,000 entries written straight into the table, as a long-time customer
 * of a busy branch would have. */
static void
insert_many (TestDesk       *desk,
             const char *customer_id,
             guint       n)
{
  static const char * const channels[] = { "phone", "email", "whatsapp", "walk_in", "chat" };
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (sqlite3_open (desk->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                   "INSERT INTO interaction (id, customer_id, channel, direction, body, started_at) "
                   "VALUES (?, ?, ?, 'inbound', ?, ?)", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("Contact number %u", i);

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, customer_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, channels[i % G_N_ELEMENTS (channels)], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, body, -1, SQLITE_TRANSIENT);
      /* one contact every 20 minutes, back from now */
      sqlite3_bind_int64 (stmt, 5, now - (gint64) i * 1200);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_fifty_thousand (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  GtkWidget *window, *view;
  gint64 start, first, all;
  guint first_n;

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Hendra Gunawan", "+6281100000000", NULL, NULL, "priority");
  insert_many (&desk, customer, 50000);

  model = sapa_timeline_model_new (desk.store);
  view = sapa_timeline_view_new ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 800);
  gtk_window_set_child (GTK_WINDOW (window), view);
  sapa_timeline_view_set_model (SAPA_TIMELINE_VIEW (view), model);
  gtk_window_present (GTK_WINDOW (window));
  spin_for (100);

  start = g_get_monotonic_time ();
  sapa_timeline_model_set_customer_id (model, customer);
  WAIT_UNTIL (!sapa_timeline_model_get_loading (model));
  first = g_get_monotonic_time ();
  first_n = g_list_model_get_n_items (G_LIST_MODEL (model));
  /* The first screen comes from one small page, the rest follows. */
  g_assert_cmpuint (first_n, <=, SAPA_TIMELINE_FIRST_PAGE + SAPA_TIMELINE_PAGE);
  g_assert_cmpuint (first_n, >=, SAPA_TIMELINE_FIRST_PAGE);
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 0), "body"), ==, "Contact number 0");

  WAIT_UNTIL (sapa_timeline_model_get_complete (model));
  all = g_get_monotonic_time ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50000);
  g_assert_cmpuint (sapa_timeline_model_get_n_total (model), ==, 50000);
  g_test_message ("first page of %u entries in %.1f ms, all 50,000 in %.1f ms",
                  first_n, (first - start) / 1000.0, (all - start) / 1000.0);

  /* newest first all the way down, no entry twice */
  {
    gint64 previous = G_MAXINT64;
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < 50000; i++)
      {
        SapaRecord *r = item_record (G_LIST_MODEL (model), i);

        g_assert_cmpint (sapa_record_get_int (r, "started_at"), <=, previous);
        previous = sapa_record_get_int (r, "started_at");
        g_assert_true (g_hash_table_add (seen, (gpointer) sapa_record_get_id (r)));
      }
  }
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 49999), "body"), ==,
                   "Contact number 49999");

  /* scrolling to the end works on the full model */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (sapa_timeline_view_get_list_view (SAPA_TIMELINE_VIEW (view)),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    spin_for (100);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    spin_for (200);
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), >, 0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&model);
  test_desk_close (&desk);
}

/* A 100,000-character note in the timeline: shown cut to a few lines, the
 * list stays usable, the whole text is kept. */
static void
test_long_body (void)
{
  TestDesk desk = { 0 };
  g_autofree char *customer = NULL;
  g_autoptr(SapaTimelineModel) model = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *window, *view, *row;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 start;

  while (g_utf8_strlen (body->str, -1) < 100000)
    g_string_append (body, "Keluhan panjang 😀 عن البطاقة ");
  g_string_truncate (body, g_utf8_offset_to_pointer (body->str, 100000) - body->str);

  test_desk_open (&desk, "Dewi Lestari");
  customer = test_desk_add_customer (&desk, "Dian Sastro", NULL, NULL, NULL, NULL);
  g_free (desk_add_interaction (&desk, customer, NULL, "email", "inbound", body->str, now - 60, 0));
  g_free (desk_add_interaction (&desk, customer, NULL, "phone", "inbound", "Short call", now - 30, now));

  model = sapa_timeline_model_new (desk.store);
  view = sapa_timeline_view_new ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 600);
  gtk_window_set_child (GTK_WINDOW (window), view);
  sapa_timeline_view_set_model (SAPA_TIMELINE_VIEW (view), model);
  gtk_window_present (GTK_WINDOW (window));
  start = g_get_monotonic_time ();
  sapa_timeline_model_set_customer_id (model, customer);
  wait_loaded (model);
  g_assert_cmpstr (sapa_record_get_string (item_record (G_LIST_MODEL (model), 1), "body"), ==, body->str);
  {
    char *day, *shown;

    row_texts (G_LIST_MODEL (model), 1, &day, &shown);
    g_assert_true (g_str_has_suffix (shown, "…"));
    g_assert_true (g_str_has_prefix (body->str, "Keluhan panjang 😀"));
    g_assert_cmpint (g_utf8_strlen (shown, -1), <=, 1501);
    g_free (day);
    g_free (shown);
  }
  WAIT_UNTIL ((row = find_widget_of_type (sapa_timeline_view_get_list_view (SAPA_TIMELINE_VIEW (view)),
                                        SAPA_TYPE_TIMELINE_ROW)) != NULL &&
            gtk_widget_get_height (row) > 0);
  spin_for (200);
  g_test_message ("timeline with a 100,000-character entry shown in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  /* cut to a few lines, not 100,000 characters tall */
  for (GtkWidget *child = gtk_widget_get_first_child (sapa_timeline_view_get_list_view (SAPA_TIMELINE_VIEW (view)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    g_assert_cmpint (gtk_widget_get_height (child), <, 600);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&model);
  test_desk_close (&desk);
}

static SapaRecord *
event (const char *name,
       const char *body)
{
  SapaRecord *r = sapa_record_new ("interaction");

  sapa_record_set_string (r, "customer_id", "c");
  sapa_record_set_string (r, "channel", "note");
  sapa_record_set_string (r, "direction", "internal");
  sapa_record_set_string (r, "event", name);
  sapa_record_set_string (r, "body", body);
  sapa_record_set_int (r, "started_at", 1);
  return r;
}

static void
check_event (const char *name,
             const char *body,
             const char *expected)
{
  g_autoptr(SapaRecord) r = event (name, body);
  g_autofree char *text = sapa_timeline_describe (r);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_event_text (void)
{
  g_autoptr(GDateTime) due = g_date_time_new_local (2026, 11, 25, 12, 0, 0);
  g_autofree char *due_text = g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (due));

  check_event ("status", "resolved", "Status changed to Resolved");
  check_event ("complaint", "1", "Marked as a complaint");
  check_event ("complaint", "0", "No longer a complaint");
  check_event ("checklist", "apologise 1", "Checklist: Apologise done");
  check_event ("checklist", "apologise 0", "Checklist: Apologise not done");
  check_event ("follow_up", due_text, "Follow-up due 25 Nov 2026");
  check_event ("follow_up", "", "Follow-up cleared");
  check_event ("escalation", "legal\nAsks for a written answer", "Escalated to Legal: Asks for a written answer");
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/timeline/days-and-channels", test_days_and_channels);
  g_test_add_func ("/timeline/filter", test_filter_in_view);
  g_test_add_func ("/timeline/synced-entries-appear", test_synced_entries_appear);
  g_test_add_func ("/timeline/empty", test_empty);
  g_test_add_func ("/timeline/fifty-thousand", test_fifty_thousand);
  g_test_add_func ("/timeline/long-body", test_long_body);
  /* The sentences are checked in English; the Indonesian run checks dates. */
  if (!indonesian ())
    g_test_add_func ("/timeline/event-text", test_event_text);
  return g_test_run ();
}
