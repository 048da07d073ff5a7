/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

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
  f->store = sapa_test_store_new ("sapa-import-XXXXXX", &f->dir, &f->path);
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

static char *
data_file (const char *name)
{
  const char *dir = g_getenv ("SAPA_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static SapaImportReport *
import (Fixture     *f,
        const char  *name,
        GError     **error)
{
  g_autofree char *csv = data_file (name);

  return sapa_import_customers_csv (f->store, csv, error);
}

static gint64
count_customers (Fixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM customer;", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static SapaRecord *
find_one_by_phone (Fixture    *f,
                   const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = sapa_store_find_customers_by_phone (f->store, phone, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  return g_object_ref (g_ptr_array_index (hits, 0));
}

static void
dump_problems (SapaImportReport *report)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      SapaImportProblem *p = g_ptr_array_index (report->problems, i);
      g_test_message ("line %u: %s", p->line, p->message);
    }
}

/* The problem reported for @line, or NULL. */
static const char *
problem_at (SapaImportReport *report,
            guint             line)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      SapaImportProblem *p = g_ptr_array_index (report->problems, i);
      if (p->line == line)
        return p->message;
    }
  return NULL;
}

/* Every customer in the database has an upsert in the change log. */
static void
assert_each_customer_logged (Fixture *f,
                             guint    expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = sapa_store_list_changes (f->store, 0, 0, &error);
  g_autoptr(GHashTable) logged = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < changes->len; i++)
    {
      JsonObject *change = g_ptr_array_index (changes, i);
      if (g_str_equal (json_object_get_string_member (change, "entity"), "customer"))
        g_hash_table_add (logged, (gpointer) json_object_get_string_member (change, "id"));
    }
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM customer;", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_true (g_hash_table_contains (logged, sqlite3_column_text (stmt, 0)));
      n++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n, ==, expected);
  g_assert_cmpuint (g_hash_table_size (logged), ==, expected);
}

static void
test_import_good (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-good.csv", &error);
  g_autoptr(SapaRecord) tiur = NULL, asep = NULL, siti = NULL, jose = NULL;
  g_auto(GStrv) tags = NULL, phones = NULL, emails = NULL;

  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (report->imported, ==, 5);
  g_assert_cmpint (count_customers (f), ==, 5);
  assert_each_customer_logged (f, 5);

  tiur = find_one_by_phone (f, "+6281234567890");
  g_assert_cmpstr (sapa_record_get_string (tiur, "full_name"), ==, "Tiur Sitompul");
  g_assert_cmpstr (sapa_record_get_string (tiur, "segment"), ==, "vip");
  g_assert_cmpstr (sapa_record_get_string (tiur, "preferred_language"), ==, "id");
  g_assert_cmpstr (sapa_record_get_string (tiur, "account_number"), ==, "1234567890");
  tags = sapa_record_dup_list (tiur, "tags");
  g_assert_cmpuint (g_strv_length (tags), ==, 2);
  g_assert_cmpstr (tags[0], ==, "payroll");
  g_assert_cmpstr (tags[1], ==, "kpr");
  g_assert_cmpint (sapa_record_get_int (tiur, "created_at"), >, 0);

  /* Two phones and two emails in one cell each */
  asep = find_one_by_phone (f, "+6282133334444");
  phones = sapa_record_dup_list (asep, "phones");
  emails = sapa_record_dup_list (asep, "emails");
  g_assert_cmpuint (g_strv_length (phones), ==, 2);
  g_assert_cmpstr (phones[0], ==, "+6281311112222");
  g_assert_cmpuint (g_strv_length (emails), ==, 2);
  g_assert_cmpstr (sapa_record_get_string (asep, "segment"), ==, "priority");
  g_assert_false (sapa_record_has (asep, "account_number"));

  /* Labels are accepted for codes: "Priority", "Bahasa Indonesia" */
  siti = find_one_by_phone (f, "+6285712345678");
  g_assert_cmpstr (sapa_record_get_string (siti, "segment"), ==, "priority");
  g_assert_cmpstr (sapa_record_get_string (siti, "preferred_language"), ==, "id");

  jose = find_one_by_phone (f, "+34612345678");
  g_assert_cmpstr (sapa_record_get_string (jose, "full_name"), ==, "José García");
  g_assert_cmpstr (sapa_record_get_string (jose, "preferred_language"), ==, "en");
  g_assert_cmpstr (sapa_record_get_string (jose, "segment"), ==, "regular");

  {
    g_autoptr(GPtrArray) zoe = sapa_store_find_customers_by_email (f->store, "zoe.mueller@example.de", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (zoe->len, ==, 1);
    g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (zoe, 0), "full_name"), ==, "Zoë Müller");
  }
}

static void
test_import_quoted (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-quoted.csv", &error);
  g_autoptr(SapaRecord) tiur = NULL, hendra = NULL;
  g_autoptr(GPtrArray) budi = NULL;

  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->imported, ==, 3);
  /* The unknown column is a warning on the header line; the bad phone is on
   * line 5, since the first row spans lines 2 and 3. */
  g_assert_cmpuint (report->problems->len, ==, 2);
  g_assert_nonnull (problem_at (report, 1));
  g_assert_nonnull (strstr (problem_at (report, 1), "comment"));
  g_assert_nonnull (problem_at (report, 5));
  g_assert_nonnull (strstr (problem_at (report, 5), "12ab"));

  tiur = find_one_by_phone (f, "+6281210002000");
  g_assert_cmpstr (sapa_record_get_string (tiur, "full_name"), ==, "Siregar, Tiur");
  budi = sapa_store_find_customers_by_email (f->store, "budi@example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (budi->len, ==, 1);
  g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (budi, 0), "full_name"), ==, "Budi \"Bud\" Santoso");
  /* CRLF does not leak into the last value */
  hendra = find_one_by_phone (f, "+6281399990000");
  g_assert_cmpstr (sapa_record_get_string (hendra, "full_name"), ==, "Hendra Wijaya");
}

static void
test_import_bom (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-bom.csv", &error);
  g_autoptr(SapaRecord) rina = NULL;

  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (report->imported, ==, 2);
  rina = find_one_by_phone (f, "+6281255556666");
  g_assert_cmpstr (sapa_record_get_string (rina, "full_name"), ==, "Rina Hutapea");
}

static void
test_import_latin1 (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-latin1.csv", &error);

  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->imported, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 1);
  g_assert_nonnull (problem_at (report, 3));
  g_assert_nonnull (strstr (problem_at (report, 3), "UTF-8"));
  g_assert_cmpint (count_customers (f), ==, 2);
}

static void
test_import_missing_name (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-no-name.csv", &error);

  g_assert_null (report);
  g_assert_error (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_MISSING_COLUMN);
  g_assert_nonnull (strstr (error->message, "name"));
  g_assert_cmpint (count_customers (f), ==, 0);
  g_assert_cmpint (sapa_store_count_changes (f->store), ==, 0);
}

static void
test_import_file_errors (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) empty = import (f, "import-empty.csv", &error);
  g_autoptr(SapaImportReport) missing = NULL;

  g_assert_null (empty);
  g_assert_error (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_EMPTY);
  g_clear_error (&error);

  missing = import (f, "no-such-file.csv", &error);
  g_assert_null (missing);
  g_assert_error (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_UNREADABLE);
  g_assert_cmpint (count_customers (f), ==, 0);
}

static void
test_import_bad_rows (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = import (f, "import-bad-rows.csv", &error);
  guint lines[] = { 1, 3, 4, 5, 6, 7, 8, 10 };

  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->imported, ==, 2);
  g_assert_cmpint (count_customers (f), ==, 2);
  assert_each_customer_logged (f, 2);
  g_assert_cmpuint (report->problems->len, ==, G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      SapaImportProblem *p = g_ptr_array_index (report->problems, i);
      g_assert_cmpuint (p->line, ==, lines[i]);
      g_assert_cmpuint (strlen (p->message), >, 10);
    }
  g_assert_nonnull (strstr (problem_at (report, 1), "birthday"));
  g_assert_nonnull (strstr (problem_at (report, 3), "0812-ABC"));
  g_assert_nonnull (strstr (problem_at (report, 4), "not-an-email"));
  g_assert_nonnull (strstr (problem_at (report, 5), "name"));
  g_assert_nonnull (strstr (problem_at (report, 6), "2 values"));
  g_assert_nonnull (strstr (problem_at (report, 7), "gold"));
  g_assert_nonnull (strstr (problem_at (report, 8), "tlh"));
  g_assert_nonnull (strstr (problem_at (report, 10), "quote"));
  g_object_unref (find_one_by_phone (f, "+6281210000001"));
  g_object_unref (find_one_by_phone (f, "+6281210000008"));
}

static void
test_import_duplicates (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = NULL;
  g_autoptr(SapaRecord) existing = NULL;
  const char *phones[] = { "+6281290000001", NULL };
  const char *emails[] = { "existing@example.com", NULL };

  /* Three customers already at the desk */
  existing = sapa_record_new ("customer");
  sapa_record_set_string (existing, "full_name", "Rudolf Pardede");
  sapa_record_set_string (existing, "segment", "regular");
  sapa_record_set_list (existing, "phones", phones);
  g_assert_true (sapa_store_save (f->store, existing, &error));
  g_clear_object (&existing);
  existing = sapa_record_new ("customer");
  sapa_record_set_string (existing, "full_name", "Lina Tanoto");
  sapa_record_set_string (existing, "segment", "regular");
  sapa_record_set_list (existing, "emails", emails);
  g_assert_true (sapa_store_save (f->store, existing, &error));
  g_clear_object (&existing);
  existing = sapa_record_new ("customer");
  sapa_record_set_string (existing, "full_name", "Andi Mattalatta");
  sapa_record_set_string (existing, "segment", "regular");
  sapa_record_set_string (existing, "account_number", "5555555555");
  g_assert_true (sapa_store_save (f->store, existing, &error));
  g_assert_no_error (error);

  report = import (f, "import-duplicates.csv", &error);
  g_assert_no_error (error);
  dump_problems (report);
  g_assert_cmpuint (report->imported, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 6);
  /* Within the file: the first occurrence (line 2) wins */
  g_assert_nonnull (strstr (problem_at (report, 3), "line 2"));
  g_assert_nonnull (strstr (problem_at (report, 4), "line 2"));
  g_assert_nonnull (strstr (problem_at (report, 5), "line 2"));
  /* Against the desk's customers */
  g_assert_nonnull (strstr (problem_at (report, 6), "Rudolf Pardede"));
  g_assert_nonnull (strstr (problem_at (report, 7), "Lina Tanoto"));
  g_assert_nonnull (strstr (problem_at (report, 8), "Andi Mattalatta"));
  g_assert_cmpint (count_customers (f), ==, 5);
  assert_each_customer_logged (f, 5);

  /* Importing the same file again adds nothing */
  g_clear_pointer (&report, sapa_import_report_free);
  report = import (f, "import-duplicates.csv", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 0);
  g_assert_cmpuint (report->problems->len, ==, 8);
  g_assert_cmpint (count_customers (f), ==, 5);
}

static void
test_import_all_or_nothing (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaImportReport) report = NULL;
  sqlite3 *db = NULL;
  gint64 changes_before = sapa_store_count_changes (f->store);

  /* The database refuses the third customer while the import writes */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse_one BEFORE INSERT ON customer "
                                     "WHEN new.full_name = 'Breaks The Save' "
                                     "BEGIN SELECT RAISE (ABORT, 'refused for the test'); END;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  report = import (f, "import-fail.csv", &error);
  g_assert_null (report);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpint (count_customers (f), ==, 0);
  g_assert_cmpint (sapa_store_count_changes (f->store), ==, changes_before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/import/good", test_import_good);
  ADD ("/import/quoted", test_import_quoted);
  ADD ("/import/bom", test_import_bom);
  ADD ("/import/latin1", test_import_latin1);
  ADD ("/import/missing-name", test_import_missing_name);
  ADD ("/import/file-errors", test_import_file_errors);
  ADD ("/import/bad-rows", test_import_bad_rows);
  ADD ("/import/duplicates", test_import_duplicates);
  ADD ("/import/all-or-nothing", test_import_all_or_nothing);
#undef ADD

  return g_test_run ();
}
