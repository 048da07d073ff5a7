/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

#include "sapa-store-private.h"

#include "sapa-test-dir.h"

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->store = sapa_test_store_new ("sapa-store-XXXXXX", &f->dir, &f->path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{

  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static SapaRecord *
make_customer (const char *name,
               const char *phone,
               const char *email)
{
  SapaRecord *c = sapa_record_new ("customer");
  const char *phones[] = { phone, NULL };
  const char *emails[] = { email, NULL };

  sapa_record_set_string (c, "full_name", name);
  sapa_record_set_string (c, "segment", "regular");
  if (phone)
    sapa_record_set_list (c, "phones", phones);
  if (email)
    sapa_record_set_list (c, "emails", emails);
  sapa_record_set_int (c, "created_at", 1763884800);
  return c;
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sapa_store_get_schema_version (f->store), ==, SAPA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f->path, "PRAGMA user_version;"), ==, SAPA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                        "('branch','agent','customer','conversation','interaction',"
                                        "'survey_response','canned_response','change_log','customer_fts');"), ==, 9);
  g_assert_nonnull (sapa_store_get_client_id (f->store));
  g_assert_true (g_uuid_string_is_valid (sapa_store_get_client_id (f->store)));

  /* Reopening keeps the identity and migrates nothing. */
  {
    g_autofree char *client = g_strdup (sapa_store_get_client_id (f->store));
    g_autoptr(SapaStore) again = NULL;

    g_clear_object (&f->store);
    again = sapa_store_open (f->path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sapa_store_get_client_id (again), ==, client);
    g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal';"), ==, 1);
  }

  /* A database from a newer Sapa is refused with a clear message. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  {
    g_autoptr(SapaStore) newer = sapa_store_open (f->path, &error);
    g_assert_null (newer);
    g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_TOO_NEW);
    g_assert_nonnull (strstr (error->message, "99"));
  }
  f->store = NULL;
}

/* A database written by the first release is brought up to date, data kept. */
static void
test_upgrade_from_v1 (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-upgrade-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "v1.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaRecord) kept = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sapa_schema_get_migration (1), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 1;"
                                     "INSERT INTO customer (id, full_name, name_key) VALUES "
                                     "('0b6f3f0e-3c1f-4b8e-9a51-6f1f1c1e2d3a', 'Dewi Lestari', 'dewi lestari');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_get_schema_version (store), ==, SAPA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (path, "PRAGMA user_version;"), ==, SAPA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM sqlite_master WHERE name = 'change_log_hlc';"), ==, 1);
  kept = sapa_store_get (store, "customer", "0b6f3f0e-3c1f-4b8e-9a51-6f1f1c1e2d3a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (kept, "full_name"), ==, "Dewi Lestari");
  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

static void
test_open_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sapa-open-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.sqlite", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "desk.sqlite", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked.sqlite", NULL);
  g_autoptr(SapaStore) store = NULL;
  char garbage[8192];
  sqlite3 *db = NULL;

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (junk, garbage, sizeof garbage, NULL));
  store = sapa_store_open (junk, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  store = sapa_store_open (missing, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CANNOT_OPEN);
  g_clear_error (&error);

  store = sapa_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CANNOT_OPEN);
  g_clear_error (&error);

  /* Another program holding an exclusive lock: a clear error, not a hang. */
  g_assert_cmpint (sqlite3_open (locked, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE x (a); BEGIN EXCLUSIVE; INSERT INTO x VALUES (1);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  store = sapa_store_open (locked, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_LOCKED);
  sqlite3_exec (db, "ROLLBACK;", NULL, NULL, NULL);
  sqlite3_close (db);

  g_unlink (junk);
  g_unlink (locked);
  g_rmdir (dir);
}

static void
test_save_and_change_log (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) c = make_customer ("Budi Santoso", "+6281234567890", "budi@example.com");
  g_autoptr(SapaRecord) loaded = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  JsonObject *change, *fields;
  gint64 before;

  if (!sapa_store_save (f->store, c, &error)) g_error ("%s", error->message);
  g_assert_no_error (error);
  loaded = sapa_store_get (f->store, "customer", sapa_record_get_id (c), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (loaded, "full_name"), ==, "Budi Santoso");
  {
    g_autoptr(GPtrArray) diff = sapa_record_diff (c, loaded);
    g_assert_cmpuint (diff->len, ==, 0);
  }

  /* The record and its change-log entry (plus the audit of personal data). */
  changes = sapa_store_list_changes (f->store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (json_object_get_string_member (change, "entity"), ==, "customer");
  g_assert_cmpstr (json_object_get_string_member (change, "op"), ==, "upsert");
  g_assert_cmpstr (json_object_get_string_member (change, "id"), ==, sapa_record_get_id (c));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (change, "change_id")));
  fields = json_object_get_object_member (change, "fields");
  g_assert_cmpstr (json_object_get_string_member (fields, "full_name"), ==, "Budi Santoso");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (fields, "phones"), 0), ==,
                   "+6281234567890");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (changes, 1), "entity"), ==, "audit_event");

  /* Saving the same values writes nothing. */
  before = sapa_store_count_changes (f->store);
  g_assert_true (sapa_store_save (f->store, loaded, &error));
  g_assert_cmpint (sapa_store_count_changes (f->store), ==, before);

  /* An edit logs only the fields that changed, with a later stamp. */
  sapa_record_set_string (loaded, "segment", "vip");
  g_assert_true (sapa_store_save (f->store, loaded, &error));
  g_assert_no_error (error);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = sapa_store_list_changes (f->store, 2, 0, &error);
  g_assert_cmpuint (changes->len, ==, 2);
  change = g_ptr_array_index (changes, 0);
  fields = json_object_get_object_member (change, "fields");
  g_assert_cmpuint (json_object_get_size (fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fields, "segment"), ==, "vip");
  {
    guint64 h1 = 0, h2 = 0;
    g_autoptr(GPtrArray) all = sapa_store_list_changes (f->store, 0, 0, NULL);
    sapa_hlc_parse (json_object_get_string_member (g_ptr_array_index (all, 0), "hlc"), &h1);
    sapa_hlc_parse (json_object_get_string_member (change, "hlc"), &h2);
    g_assert_cmpuint (h2, >, h1);
  }
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM audit_event WHERE action = 'edit_customer' AND detail = 'segment';"), ==, 1);

  /* Unsetting a field logs it as null. */
  sapa_record_set_list (loaded, "emails", NULL);
  sapa_record_unset (loaded, "emails");
  g_assert_true (sapa_store_save (f->store, loaded, &error));
  {
    g_autoptr(GPtrArray) last = sapa_store_list_changes (f->store, 4, 1, NULL);
    JsonObject *lf = json_object_get_object_member (g_ptr_array_index (last, 0), "fields");
    g_assert_true (json_object_has_member (lf, "emails"));
    g_assert_true (json_object_get_null_member (lf, "emails"));
  }
}

static void
test_invalid_writes_nothing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) good = make_customer ("Dewi Lestari", "+6281300000001", NULL);
  g_autoptr(SapaRecord) bad = make_customer ("Agus", "0813-not-a-phone", NULL);
  g_autoptr(GPtrArray) both = g_ptr_array_new ();

  g_ptr_array_add (both, good);
  g_ptr_array_add (both, bad);
  g_assert_false (sapa_store_save_all (f->store, both, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer;"), ==, 0);
  g_assert_cmpint (sapa_store_count_changes (f->store), ==, 0);
}

static void
test_transaction_atomic (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) c = make_customer ("Rina Wijaya", "+6281311111111", NULL);
  g_autoptr(SapaRecord) note = sapa_record_new ("interaction");
  g_autoptr(SapaRecord) c2 = make_customer ("Rudi Hartono", "+6281322222222", NULL);
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();

  sapa_record_set_string (note, "customer_id", sapa_record_get_id (c));
  sapa_record_set_string (note, "channel", "walk_in");
  sapa_record_set_string (note, "direction", "inbound");
  sapa_record_set_int (note, "started_at", 1763884800);
  g_ptr_array_add (batch, c);
  g_ptr_array_add (batch, note);
  g_assert_true (sapa_store_save_all (f->store, batch, &error));
  g_assert_no_error (error);

  /* The same timeline entry again fails in the middle of a batch: the new
   * customer before it is rolled back with its change-log entry. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, c2);
  g_ptr_array_add (batch, note);
  g_assert_false (sapa_store_save_all (f->store, batch, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer;"), ==, 1);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM change_log WHERE entity = 'customer';"), ==, 1);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer_phone WHERE digits = '6281322222222';"), ==, 0);

  /* A visit is recent activity of the customer. */
  g_assert_cmpint (count_rows (f->path, "SELECT last_contact_at FROM customer;"), ==, 1763884800);
}

static void
test_delete_tombstone (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) c = make_customer ("Hendra Gunawan", "+6281344444444", "hendra@example.com");
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(SapaRecord) gone = NULL;

  g_assert_true (sapa_store_save (f->store, c, &error));
  g_assert_true (sapa_store_delete (f->store, "customer", sapa_record_get_id (c), &error));
  g_assert_no_error (error);
  gone = sapa_store_get (f->store, "customer", sapa_record_get_id (c), &error);
  g_assert_null (gone);
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f->path, "SELECT deleted FROM customer;"), ==, 1);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer_phone;"), ==, 0);
  changes = sapa_store_list_changes (f->store, 0, 0, NULL);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (changes, changes->len - 1), "op"), ==, "delete");

  g_assert_false (sapa_store_delete (f->store, "customer", sapa_record_get_id (c), &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sapa_store_delete (f->store, "interaction", sapa_record_get_id (c), &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SapaRecord) a = make_customer ("Ani", "+6281234567890", "ani@example.com");
  g_autoptr(SapaRecord) b = make_customer ("Bayu", "+6281555567890", NULL);
  g_autoptr(GPtrArray) hits = NULL;

  sapa_record_set_string (a, "account_number", "0012345678");
  g_assert_true (sapa_store_save (f->store, a, NULL));
  g_assert_true (sapa_store_save (f->store, b, NULL));

  hits = sapa_store_find_customers_by_phone (f->store, "+6281234567890", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (sapa_record_get_id (g_ptr_array_index (hits, 0)), ==, sapa_record_get_id (a));
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* "+6267890" is a tail of both numbers, not either number. */
  hits = sapa_store_find_customers_by_phone (f->store, "+67890", NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = sapa_store_find_customers_by_email (f->store, "ani@example.com", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = sapa_store_find_customers_by_account (f->store, "0012345678", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
}

static void
changed_cb (SapaStore  *store,
            const char *entity,
            const char *id,
            GPtrArray  *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s:%s", entity, id ? id : "*"));
}

static gpointer
save_in_thread (gpointer data)
{
  SapaStore *store = data;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("Thread customer %u", i);
      g_autoptr(SapaRecord) c = make_customer (name, NULL, NULL);
      g_assert_true (sapa_store_save (store, c, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_changed_signal_and_threads (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SapaRecord) c = make_customer ("Lina", NULL, NULL);
  GThread *threads[3];

  g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), seen);
  g_assert_true (sapa_store_save (f->store, c, NULL));
  /* Delivered on the owner's main context, not inside the save. */
  g_assert_cmpuint (seen->len, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (seen, 0), "customer:"));

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("saver", save_in_thread, f->store);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_signal_handlers_disconnect_by_func (f->store, changed_cb, seen);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer;"), ==, 151);
  g_assert_cmpint (count_rows (f->path, "SELECT count(DISTINCT hlc) FROM change_log WHERE entity = 'customer';"), ==,
                   count_rows (f->path, "SELECT count(*) FROM customer;"));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;

  if (!sapa_store_save_all_finish (SAPA_STORE (source), result, &error))
    g_error ("%s", error->message);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async_save (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SapaRecord) c = make_customer ("Yusuf", "+6281377777777", NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new ();
  gboolean done = FALSE;

  g_ptr_array_add (records, c);
  sapa_store_save_all_async (f->store, records, NULL, saved_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM customer;"), ==, 1);
}

static void
test_timeline_paging (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SapaRecord) c = make_customer ("Putri", NULL, NULL);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) page = NULL;
  SapaTimelineFilter phone_only = { "phone", NULL };
  SapaTimelineFilter text = { NULL, "KARTU" };
  guint total = 0;
  gint64 last = G_MAXINT64;

  g_ptr_array_add (batch, g_object_ref (c));
  for (guint i = 0; i < 250; i++)
    {
      SapaRecord *r = sapa_record_new ("interaction");
      g_autofree char *body = g_strdup_printf ("Kontak %u%s", i, i % 10 == 0 ? " soal kartu" : "");
      sapa_record_set_string (r, "customer_id", sapa_record_get_id (c));
      sapa_record_set_string (r, "channel", i % 2 ? "phone" : "email");
      sapa_record_set_string (r, "direction", "inbound");
      sapa_record_set_string (r, "body", body);
      /* pairs share a start time: paging must not skip or repeat either */
      sapa_record_set_int (r, "started_at", 1763884800 + (i / 2) * 60);
      g_ptr_array_add (batch, r);
    }
  g_assert_true (sapa_store_save_all (f->store, batch, NULL));

  g_assert_cmpuint (sapa_store_count_timeline (f->store, sapa_record_get_id (c), NULL, NULL), ==, 250);
  g_assert_cmpuint (sapa_store_count_timeline (f->store, sapa_record_get_id (c), &phone_only, NULL), ==, 125);
  g_assert_cmpuint (sapa_store_count_timeline (f->store, sapa_record_get_id (c), &text, NULL), ==, 25);

  page = sapa_store_list_timeline (f->store, sapa_record_get_id (c), NULL, NULL, 40, NULL);
  {
    g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    while (page->len > 0)
      {
        g_autoptr(SapaRecord) tail = NULL;
        for (guint i = 0; i < page->len; i++)
          {
            SapaRecord *r = g_ptr_array_index (page, i);
            g_assert_cmpint (sapa_record_get_int (r, "started_at"), <=, last);
            last = sapa_record_get_int (r, "started_at");
            g_assert_true (g_hash_table_add (ids, g_strdup (sapa_record_get_id (r))));
            total++;
          }
        tail = g_object_ref (g_ptr_array_index (page, page->len - 1));
        g_ptr_array_unref (page);
        page = sapa_store_list_timeline (f->store, sapa_record_get_id (c), NULL, tail, 40, NULL);
      }
  }
  g_assert_cmpuint (total, ==, 250);
}

static void
test_meta (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *v = NULL;

  g_assert_true (sapa_store_set_meta (f->store, "agent_id", "abc", NULL));
  v = sapa_store_dup_meta (f->store, "agent_id");
  g_assert_cmpstr (v, ==, "abc");
  g_assert_true (sapa_store_set_meta (f->store, "agent_id", NULL, NULL));
  g_clear_pointer (&v, g_free);
  v = sapa_store_dup_meta (f->store, "agent_id");
  g_assert_null (v);
}

static void
test_big_and_unicode (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(SapaRecord) c = NULL;
  g_autoptr(SapaRecord) back = NULL;
  const char *name = "أحمد 😀 Sitompul";

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (notes, 'a' + i % 26);
  c = make_customer (name, NULL, NULL);
  sapa_record_set_string (c, "notes", notes->str);
  g_assert_true (sapa_store_save (f->store, c, NULL));
  back = sapa_store_get (f->store, "customer", sapa_record_get_id (c), NULL);
  g_assert_cmpstr (sapa_record_get_string (back, "full_name"), ==, name);
  g_assert_cmpuint (strlen (sapa_record_get_string (back, "notes")), ==, 100000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/store/migrations", test_migrations);
  g_test_add_func ("/store/open-errors", test_open_errors);
  g_test_add_func ("/store/upgrade-from-v1", test_upgrade_from_v1);
  ADD ("/store/save-and-change-log", test_save_and_change_log);
  ADD ("/store/invalid-writes-nothing", test_invalid_writes_nothing);
  ADD ("/store/transaction-atomic", test_transaction_atomic);
  ADD ("/store/delete-tombstone", test_delete_tombstone);
  ADD ("/store/find", test_find);
  ADD ("/store/changed-signal-and-threads", test_changed_signal_and_threads);
  ADD ("/store/async-save", test_async_save);
  ADD ("/store/timeline-paging", test_timeline_paging);
  ADD ("/store/meta", test_meta);
  ADD ("/store/big-and-unicode", test_big_and_unicode);
#undef ADD
  return g_test_run ();
}
