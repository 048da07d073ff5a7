/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

#include "sapa-test-dir.h"

#define ID "0b6f3f0e-3c1f-4b8e-9a51-6f1f1c1e2d3a"
#define CID "5d0c7a52-8a35-4b3d-bd0e-2b0f6f6f0a11"

static void
test_round_trip_from_log (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-change-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "desk.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = sapa_store_open (path, &error);
  g_autoptr(SapaRecord) c = sapa_record_new ("customer");
  g_autoptr(GPtrArray) log = NULL;
  const char *phones[] = { "+6281234567890", NULL };

  g_assert_no_error (error);
  sapa_record_set_string (c, "full_name", "Siti Nurhaliza");
  sapa_record_set_string (c, "segment", "vip");
  sapa_record_set_list (c, "phones", phones);
  g_assert_true (sapa_store_save (store, c, &error));
  g_assert_true (sapa_store_delete (store, "customer", sapa_record_get_id (c), &error));

  log = sapa_store_list_changes (store, 0, 0, &error);
  g_assert_cmpuint (log->len, ==, 3);   /* customer, its audit event, the delete */
  for (guint i = 0; i < log->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (log, i);
      g_autoptr(SapaChange) change = sapa_change_from_log (entry, &error);
      g_autoptr(JsonNode) wire = NULL;
      g_autofree char *text = NULL;
      g_autoptr(SapaChange) back = NULL;
      g_autoptr(GPtrArray) diff = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (change->change_id, ==, json_object_get_string_member (entry, "change_id"));
      wire = sapa_change_to_json (change);
      text = json_to_string (wire, FALSE);
      back = sapa_change_from_string (text, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back->change_id, ==, change->change_id);
      g_assert_cmpuint (back->hlc, ==, change->hlc);
      g_assert_cmpint (back->op, ==, change->op);
      g_assert_cmpstr (sapa_record_get_id (back->record), ==, sapa_record_get_id (change->record));
      diff = sapa_record_diff (change->record, back->record);
      g_assert_cmpuint (diff->len, ==, 0);
    }
  {
    g_autoptr(SapaChange) last = sapa_change_from_log (g_ptr_array_index (log, 2), NULL);
    g_assert_cmpint (last->op, ==, SAPA_CHANGE_DELETE);
  }
  g_clear_object (&store);
  sapa_test_dir_remove (dir);
}

static void
test_rejects (void)
{
  static const struct {
    const char *json;
    int         code;
  } cases[] = {
    { "[]", SAPA_CHANGE_ERROR_MALFORMED },
    { "42", SAPA_CHANGE_ERROR_MALFORMED },
    { "{", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"1\",\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"nope\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"1\",\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"merge\",\"hlc\":\"1\",\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":17,\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"-5\",\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"0\",\"fields\":{}}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"12\",\"fields\":[]}", SAPA_CHANGE_ERROR_MALFORMED },
    { "{\"change_id\":\"" CID "\",\"entity\":\"spaceship\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"12\",\"fields\":{}}", SAPA_CHANGE_ERROR_INVALID },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"1; DROP TABLE customer\",\"op\":\"upsert\",\"hlc\":\"12\",\"fields\":{}}", SAPA_CHANGE_ERROR_INVALID },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"12\",\"fields\":{\"full_name\":[]}}", SAPA_CHANGE_ERROR_INVALID },
    { "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\",\"hlc\":\"12\",\"fields\":{\"password\":\"x\"}}", SAPA_CHANGE_ERROR_INVALID },
    { "{\"change_id\":\"" CID "\",\"entity\":\"interaction\",\"id\":\"" ID "\",\"op\":\"delete\",\"hlc\":\"12\"}", SAPA_CHANGE_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaChange) change = sapa_change_from_string (cases[i].json, -1, &error);

      g_assert_null (change);
      g_assert_error (error, SAPA_CHANGE_ERROR, cases[i].code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }

  /* Invalid UTF-8 never gets through the parser. */
  {
    g_autoptr(GError) error = NULL;
    const char bad[] = "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"upsert\","
                       "\"hlc\":\"12\",\"fields\":{\"full_name\":\"\xc3\x28\"}}";
    g_autoptr(SapaChange) change = sapa_change_from_string (bad, -1, &error);
    g_assert_null (change);
    g_assert_nonnull (error);
  }
}

static void
test_accepts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaChange) del = sapa_change_from_string (
    "{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\",\"op\":\"delete\",\"hlc\":\"123456789\"}",
    -1, &error);
  g_autoptr(SapaChange) up = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (del->op, ==, SAPA_CHANGE_DELETE);
  g_assert_cmpuint (del->hlc, ==, 123456789);

  /* Text that looks like SQL is just text; a null clears a field. */
  up = sapa_change_from_string ("{\"change_id\":\"" CID "\",\"entity\":\"customer\",\"id\":\"" ID "\","
                                "\"op\":\"upsert\",\"hlc\":\"99\",\"fields\":{\"full_name\":\"Robert'); DROP TABLE customer;--\","
                                "\"notes\":null,\"created_at\":\"2026-11-23T01:02:03Z\"}}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (up->record, "full_name"), ==, "Robert'); DROP TABLE customer;--");
  g_assert_false (sapa_record_has (up->record, "notes"));
  g_assert_cmpint (sapa_record_get_int (up->record, "created_at"), ==, 1795395723);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/change/round-trip-from-log", test_round_trip_from_log);
  g_test_add_func ("/change/rejects", test_rejects);
  g_test_add_func ("/change/accepts", test_accepts);
  return g_test_run ();
}
