/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

#include "sapa-test-dir.h"

#define SECOND 1000

typedef struct {
  char      *dir_a, *path_a, *dir_b, *path_b;
  SapaStore *a;
  SapaStore *b;
  gint64     clock_a;
  gint64     clock_b;
} Fixture;

static gint64
read_clock (gpointer data)
{
  return *(gint64 *) data;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->a = sapa_test_store_new ("sapa-apply-a-XXXXXX", &f->dir_a, &f->path_a);
  f->b = sapa_test_store_new ("sapa-apply-b-XXXXXX", &f->dir_b, &f->path_b);
  /* Both clocks in milliseconds, driven by the test. */
  f->clock_a = f->clock_b = (gint64) 1800000000 * SECOND;
  sapa_hlc_set_time_func (sapa_store_get_hlc (f->a), read_clock, &f->clock_a);
  sapa_hlc_set_time_func (sapa_store_get_hlc (f->b), read_clock, &f->clock_b);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  sapa_test_dir_remove (f->dir_a);
  sapa_test_dir_remove (f->dir_b);
  g_free (f->dir_a);
  g_free (f->path_a);
  g_free (f->dir_b);
  g_free (f->path_b);
}

/* The desk's outbox as protocol changes, marked pushed. */
static GPtrArray *
take_outbox (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = sapa_store_list_unpushed (store, 0, &error);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) done = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      SapaChange *change = sapa_change_from_log (g_ptr_array_index (entries, i), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (change->client_id, ==, sapa_store_get_client_id (store));
      g_strv_builder_add (ids, change->change_id);
      g_ptr_array_add (changes, change);
    }
  done = g_strv_builder_end (ids);
  g_assert_true (sapa_store_mark_pushed (store, (const char * const *) done, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);
  return g_steal_pointer (&changes);
}

static void
apply (SapaStore  *store,
       GPtrArray  *changes,
       GArray     *statuses)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sapa_store_apply_changes (store, changes, NULL, statuses, &error));
  g_assert_no_error (error);
}

static SapaRecord *
new_customer (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) c = sapa_record_new ("customer");
  const char * const phones[] = { "+6281234567890", NULL };

  sapa_record_set_string (c, "full_name", "Siti Rahayu");
  sapa_record_set_list (c, "phones", phones);
  sapa_record_set_string (c, "segment", "regular");
  g_assert_true (sapa_store_save (store, c, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&c);
}

static void
edit (SapaStore  *store,
      const char *id,
      const char *field,
      const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) r = sapa_store_get (store, "customer", id, &error);

  g_assert_no_error (error);
  sapa_record_set_string (r, field, value);
  g_assert_true (sapa_store_save (store, r, &error));
  g_assert_no_error (error);
}

static char *
field_of (SapaStore  *store,
          const char *id,
          const char *field)
{
  g_autoptr(SapaRecord) r = sapa_store_get (store, "customer", id, NULL);

  g_assert_nonnull (r);
  return g_strdup (sapa_record_get_string (r, field));
}

static void
test_new_record_arrives (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) changes = take_outbox (f->a);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *name = NULL;
  gint64 logged = sapa_store_count_changes (f->b);

  apply (f->b, changes, statuses);
  g_assert_cmpuint (statuses->len, ==, changes->len);
  for (guint i = 0; i < statuses->len; i++)
    g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, i), ==, SAPA_APPLY_APPLIED);
  name = field_of (f->b, sapa_record_get_id (c), "full_name");
  g_assert_cmpstr (name, ==, "Siti Rahayu");
  /* Applied changes are not this desk's to push. */
  g_assert_cmpint (sapa_store_count_changes (f->b), ==, logged);
  /* The lookup's phone index follows applied records too. */
  found = sapa_store_find_customers_by_phone (f->b, "+6281234567890", NULL);
  g_assert_cmpuint (found->len, ==, 1);

  /* The same page again is harmless. */
  apply (f->b, changes, statuses);
  g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, 0), ==, SAPA_APPLY_SUPERSEDED);
}

static void
test_different_fields_merge (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) first = take_outbox (f->a);
  g_autoptr(GPtrArray) from_a = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  const char *id = sapa_record_get_id (c);
  g_autofree char *notes_a = NULL, *notes_b = NULL, *name_a = NULL, *name_b = NULL;

  apply (f->b, first, NULL);
  /* Offline, each desk edits a different field. */
  f->clock_a += SECOND;
  edit (f->a, id, "notes", "Prefers mornings");
  f->clock_b += 2 * SECOND;
  edit (f->b, id, "full_name", "Siti Rahayu Putri");
  from_a = take_outbox (f->a);
  from_b = take_outbox (f->b);
  apply (f->a, from_b, NULL);
  apply (f->b, from_a, NULL);

  notes_a = field_of (f->a, id, "notes");
  notes_b = field_of (f->b, id, "notes");
  name_a = field_of (f->a, id, "full_name");
  name_b = field_of (f->b, id, "full_name");
  g_assert_cmpstr (notes_a, ==, "Prefers mornings");
  g_assert_cmpstr (notes_b, ==, "Prefers mornings");
  g_assert_cmpstr (name_a, ==, "Siti Rahayu Putri");
  g_assert_cmpstr (name_b, ==, "Siti Rahayu Putri");
}

static void
test_same_field_last_writer_wins (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) first = take_outbox (f->a);
  g_autoptr(GPtrArray) from_a = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  const char *id = sapa_record_get_id (c);
  g_autofree char *on_a = NULL, *on_b = NULL;

  apply (f->b, first, NULL);
  /* B edits later by the clock, but A's edit reaches B last: B's stays. */
  f->clock_a += 5 * SECOND;
  f->clock_b += 9 * SECOND;
  edit (f->a, id, "notes", "from A");
  edit (f->b, id, "notes", "from B");
  from_a = take_outbox (f->a);
  from_b = take_outbox (f->b);
  apply (f->a, from_b, NULL);
  apply (f->b, from_a, statuses);
  g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, 0), ==, SAPA_APPLY_SUPERSEDED);
  on_a = field_of (f->a, id, "notes");
  on_b = field_of (f->b, id, "notes");
  g_assert_cmpstr (on_a, ==, "from B");
  g_assert_cmpstr (on_b, ==, "from B");
}

static void
test_tie_breaks_by_client_id (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) first = take_outbox (f->a);
  g_autoptr(GPtrArray) from_a = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  const char *id = sapa_record_get_id (c);
  gboolean a_wins;
  g_autofree char *on_a = NULL, *on_b = NULL;

  apply (f->b, first, NULL);
  /* Same physical time on both desks and both caught up: equal stamps. */
  f->clock_a = f->clock_b = f->clock_a + 60 * SECOND;
  edit (f->a, id, "notes", "from A");
  edit (f->b, id, "notes", "from B");
  from_a = take_outbox (f->a);
  from_b = take_outbox (f->b);
  g_assert_cmpuint (((SapaChange *) g_ptr_array_index (from_a, 0))->hlc, ==,
                    ((SapaChange *) g_ptr_array_index (from_b, 0))->hlc);
  apply (f->a, from_b, NULL);
  apply (f->b, from_a, NULL);
  a_wins = g_strcmp0 (sapa_store_get_client_id (f->a), sapa_store_get_client_id (f->b)) > 0;
  on_a = field_of (f->a, id, "notes");
  on_b = field_of (f->b, id, "notes");
  g_assert_cmpstr (on_a, ==, on_b);
  g_assert_cmpstr (on_a, ==, a_wins ? "from A" : "from B");
}

static void
test_delete_wins_over_older_edit (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) first = take_outbox (f->a);
  g_autoptr(GPtrArray) from_a = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) gone_a = NULL;
  g_autoptr(SapaRecord) gone_b = NULL;
  const char *id = sapa_record_get_id (c);

  apply (f->b, first, NULL);
  f->clock_b += SECOND;
  edit (f->b, id, "notes", "edited before the delete");
  f->clock_a += 3 * SECOND;
  g_assert_true (sapa_store_delete (f->a, "customer", id, &error));
  g_assert_no_error (error);
  from_a = take_outbox (f->a);
  from_b = take_outbox (f->b);
  apply (f->a, from_b, NULL);
  apply (f->b, from_a, NULL);
  gone_a = sapa_store_get (f->a, "customer", id, NULL);
  gone_b = sapa_store_get (f->b, "customer", id, NULL);
  g_assert_null (gone_a);
  g_assert_null (gone_b);
}

static void
test_append_only_once (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(SapaRecord) visit = sapa_record_new ("interaction");
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  g_autoptr(GError) error = NULL;
  guint n;

  sapa_record_set_string (visit, "customer_id", sapa_record_get_id (c));
  sapa_record_set_string (visit, "channel", "walk_in");
  sapa_record_set_string (visit, "direction", "inbound");
  sapa_record_set_string (visit, "body", "Asked about a transfer");
  sapa_record_set_int (visit, "started_at", 1800000000);
  g_assert_true (sapa_store_save (f->a, visit, &error));
  g_assert_no_error (error);
  changes = take_outbox (f->a);
  apply (f->b, changes, NULL);
  apply (f->b, changes, statuses);
  n = sapa_store_count_timeline (f->b, sapa_record_get_id (c), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, statuses->len - 1), ==, SAPA_APPLY_DUPLICATE);
}

static void
test_invalid_is_rejected (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) first = take_outbox (f->a);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *hlc = sapa_hlc_to_string (sapa_hlc_now (sapa_store_get_hlc (f->a)) + 1000000);
  g_autofree char *change_id = sapa_uuid_new ();

  apply (f->b, first, NULL);
  /* Clearing a required field is refused, and nothing else of the page is lost. */
  text = g_strdup_printf ("{\"change_id\":\"%s\",\"entity\":\"customer\",\"id\":\"%s\",\"op\":\"upsert\","
                          "\"hlc\":\"%s\",\"fields\":{\"full_name\":null}}",
                          change_id, sapa_record_get_id (c), hlc);
  g_ptr_array_add (bad, sapa_change_from_string (text, -1, &error));
  g_assert_no_error (error);
  apply (f->b, bad, statuses);
  g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, 0), ==, SAPA_APPLY_REJECTED);
  name = field_of (f->b, sapa_record_get_id (c), "full_name");
  g_assert_cmpstr (name, ==, "Siti Rahayu");
}

static void
test_cursor_saved_with_page (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SapaRecord) c = new_customer (f->a);
  g_autoptr(GPtrArray) changes = take_outbox (f->a);
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  g_assert_true (sapa_store_apply_changes (f->b, changes, "epoch.42", NULL, &error));
  g_assert_no_error (error);
  cursor = sapa_store_dup_meta (f->b, "sync_cursor");
  g_assert_cmpstr (cursor, ==, "epoch.42");
}

static void
test_pushed_customer_without_created_at (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) stored = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *id = sapa_uuid_new ();
  g_autofree char *change_id = sapa_uuid_new ();
  g_autofree char *text = NULL;

  /* Born elsewhere with only the fields its maker set; matched later by handle. */
  text = g_strdup_printf ("{\"change_id\":\"%s\",\"entity\":\"customer\",\"id\":\"%s\",\"op\":\"upsert\","
                          "\"hlc\":\"%" G_GUINT64_FORMAT "\",\"fields\":{\"full_name\":\"Rina\",\"segment\":\"regular\","
                          "\"handles\":[\"instagram:@rina\"]}}",
                          change_id, id, sapa_hlc_pack (1800000000000, 0));
  g_ptr_array_add (changes, sapa_change_from_string (text, -1, &error));
  g_assert_no_error (error);
  apply (f->b, changes, statuses);
  g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, 0), ==, SAPA_APPLY_APPLIED);
  stored = sapa_store_get (f->b, "customer", id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sapa_record_get_int (stored, "created_at"), ==, 1800000000);
  found = sapa_store_find_customers_by_handle (f->b, "instagram:@rina", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
}

static void
test_log_existing (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sapa_test_dir_new ("sapa-apply-demo-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "server.sqlite", NULL);
  g_autoptr(SapaStore) server = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
  SapaDemoOptions options = { .customers = 50, .interactions_per_customer = 4, .seed = 7, .now = 1800000000 };
  gint64 before;

  g_assert_true (sapa_demo_generate (path, &options, NULL, NULL, &error));
  g_assert_no_error (error);
  server = sapa_store_open (path, &error);
  g_assert_no_error (error);
  before = sapa_store_count_changes (server);
  g_assert_true (sapa_store_log_existing (server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_changes (server), >, before + 50);
  /* Twice logs nothing new. */
  before = sapa_store_count_changes (server);
  g_assert_true (sapa_store_log_existing (server, &error));
  g_assert_cmpint (sapa_store_count_changes (server), ==, before);

  /* Every logged row parses as a protocol change and applies on an empty desk. */
  entries = sapa_store_list_changes (server, 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      SapaChange *change = sapa_change_from_log (g_ptr_array_index (entries, i), &error);

      g_assert_no_error (error);
      g_ptr_array_add (changes, change);
    }
  apply (f->b, changes, statuses);
  for (guint i = 0; i < statuses->len; i++)
    g_assert_cmpint (g_array_index (statuses, SapaApplyStatus, i), ==, SAPA_APPLY_APPLIED);
  {
    g_autoptr(GPtrArray) server_branches = sapa_store_list (server, "branch", NULL);
    g_autoptr(GPtrArray) desk_branches = sapa_store_list (f->b, "branch", NULL);

    g_assert_cmpuint (server_branches->len, ==, desk_branches->len);
  }
  g_clear_object (&server);
  sapa_test_dir_remove (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/apply/new-record-arrives", test_new_record_arrives);
  ADD ("/apply/different-fields-merge", test_different_fields_merge);
  ADD ("/apply/same-field-last-writer-wins", test_same_field_last_writer_wins);
  ADD ("/apply/tie-breaks-by-client-id", test_tie_breaks_by_client_id);
  ADD ("/apply/delete-wins-over-older-edit", test_delete_wins_over_older_edit);
  ADD ("/apply/append-only-once", test_append_only_once);
  ADD ("/apply/invalid-is-rejected", test_invalid_is_rejected);
  ADD ("/apply/cursor-saved-with-page", test_cursor_saved_with_page);
  ADD ("/apply/pushed-customer-without-created-at", test_pushed_customer_without_created_at);
  ADD ("/apply/log-existing", test_log_existing);
#undef ADD

  return g_test_run ();
}
