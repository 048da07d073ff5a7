/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include <sapa/sapa.h>

#include "sapa-test-dir.h"

/* Must stay above the lookup's candidate cap to exercise truncation. */
#define MANY 400

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->store = sapa_test_store_new ("sapa-search-XXXXXX", &f->dir, &f->path);
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

static SapaRecord *
new_customer (const char *name,
              const char *phone,
              const char *email,
              const char *account)
{
  SapaRecord *c = sapa_record_new ("customer");
  const char *phones[] = { phone, NULL };
  const char *emails[] = { email, NULL };

  sapa_record_set_string (c, "full_name", name);
  sapa_record_set_string (c, "segment", "regular");
  if (phone != NULL)
    sapa_record_set_list (c, "phones", phones);
  if (email != NULL)
    sapa_record_set_list (c, "emails", emails);
  if (account != NULL)
    sapa_record_set_string (c, "account_number", account);
  sapa_record_set_int (c, "created_at", 1763884800);
  return c;
}

/* Saves a customer; returns its id (owned by the fixture's store, copy it). */
static char *
add_customer (Fixture    *f,
              const char *name,
              const char *phone,
              const char *email,
              const char *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) c = new_customer (name, phone, email, account);

  sapa_store_save (f->store, c, &error);
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (c));
}

/* A contact with the customer at @when: what makes them "recently active". */
static void
add_contact (Fixture    *f,
             const char *customer_id,
             gint64      when)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) i = sapa_record_new ("interaction");

  sapa_record_set_string (i, "customer_id", customer_id);
  sapa_record_set_string (i, "channel", "walk_in");
  sapa_record_set_string (i, "direction", "inbound");
  sapa_record_set_string (i, "body", "At the counter");
  sapa_record_set_int (i, "started_at", when);
  sapa_store_save (f->store, i, &error);
  g_assert_no_error (error);
}

static SapaSearchResult *
search (Fixture    *f,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  SapaSearchResult *result = sapa_store_search (f->store, query, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* The hit for @id in @result, or NULL. */
static SapaRecord *
find_hit (SapaSearchResult *result,
          const char       *id)
{
  GPtrArray *hits = sapa_search_result_get_hits (result);

  for (guint i = 0; i < hits->len; i++)
    if (g_str_equal (sapa_record_get_id (g_ptr_array_index (hits, i)), id))
      return g_ptr_array_index (hits, i);
  return NULL;
}

static int
hit_position (SapaSearchResult *result,
              const char       *id)
{
  GPtrArray *hits = sapa_search_result_get_hits (result);

  for (guint i = 0; i < hits->len; i++)
    if (g_str_equal (sapa_record_get_id (g_ptr_array_index (hits, i)), id))
      return (int) i;
  return -1;
}

static void
assert_hit (Fixture    *f,
            const char *query,
            const char *id,
            const char *score,
            const char *matched)
{
  g_autoptr(SapaSearchResult) result = search (f, query);
  SapaRecord *hit = find_hit (result, id);

  if (hit == NULL)
    g_error ("query \"%s\" did not find customer %s (%u hits)", query, id,
             sapa_search_result_get_hits (result)->len);
  if (g_strcmp0 (score, NULL) != 0 && g_strcmp0 (sapa_record_get_extra (hit, "score"), score) != 0)
    g_error ("query \"%s\": score %s, expected %s", query, sapa_record_get_extra (hit, "score"), score);
  if (matched != NULL && g_strcmp0 (sapa_record_get_extra (hit, "matched"), matched) != 0)
    g_error ("query \"%s\": matched %s, expected %s", query, sapa_record_get_extra (hit, "matched"), matched);
}

static void
assert_no_hit (Fixture    *f,
               const char *query,
               const char *id)
{
  g_autoptr(SapaSearchResult) result = search (f, query);

  if (find_hit (result, id) != NULL)
    g_error ("query \"%s\" found customer %s, it should not", query, id);
}

static guint
n_hits (Fixture    *f,
        const char *query)
{
  g_autoptr(SapaSearchResult) result = search (f, query);

  return sapa_search_result_get_hits (result)->len;
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *sitompul = add_customer (f, "Rina Sitompul", NULL, NULL, NULL);
  g_autofree char *jose = add_customer (f, "José Ramos", NULL, NULL, NULL);
  g_autofree char *joko = add_customer (f, "Joko Widodo", NULL, NULL, NULL);
  g_autofree char *noe = add_customer (f, "Noe Gomez", NULL, NULL, NULL);

  /* Word prefixes, any word, any case. */
  assert_hit (f, "sito", sitompul, "1", "name");
  assert_hit (f, "SITOMPUL", sitompul, "2", "name");
  assert_hit (f, "rina sit", sitompul, "1", "name");
  assert_hit (f, "sit rin", sitompul, "1", "name");
  assert_no_hit (f, "sito", joko);
  assert_no_hit (f, "rina widodo", sitompul);
  /* Inside a word is not a word prefix. */
  assert_no_hit (f, "tompul", sitompul);

  /* Diacritics both ways: in the name, and in the query. */
  assert_hit (f, "jose", jose, "2", "name");
  assert_hit (f, "José", jose, "2", "name");
  assert_hit (f, "jos", jose, "1", "name");
  assert_hit (f, "Nöe", noe, "2", "name");
  assert_hit (f, "gómez", noe, "2", "name");
  assert_no_hit (f, "jose", joko);

  /* The full name typed out is an exact match. */
  assert_hit (f, "jose ramos", jose, "3", "name");
  assert_hit (f, "  JOSÉ   RAMOS ", jose, "3", "name");

  /* One-letter words narrow, they are not searched alone. */
  assert_hit (f, "rina s", sitompul, "1", "name");
  assert_no_hit (f, "rina w", sitompul);
  assert_hit (f, "j r", jose, "1", "name");
}

static void
test_many_words (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *long_name = add_customer (f, "Raden Mas Haryo Bagus Adi Nugroho Wicaksono Putra Jaya", NULL, NULL, NULL);
  g_autofree char *other = add_customer (f, "Raden Mas Haryo Bagus Adi Nugroho Wicaksono Putra", NULL, NULL, NULL);

  /* More words than FTS5 is asked about: the rest are checked too. */
  assert_hit (f, "raden mas haryo bagus adi nugroho wicaksono putra jaya", long_name, "3", "name");
  assert_hit (f, "ra ma ha ba ad nu wi pu ja", long_name, "1", "name");
  assert_no_hit (f, "ra ma ha ba ad nu wi pu ja", other);
  assert_hit (f, "jaya putra wicaksono nugroho adi bagus haryo mas raden", long_name, "2", "name");
  assert_no_hit (f, "jaya putra wicaksono nugroho adi bagus haryo mas raden", other);
}

static void
test_too_short (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", "+6281234567890", "budi@example.com",
                                        "1234567890");

  g_assert_cmpuint (n_hits (f, ""), ==, 0);
  g_assert_cmpuint (n_hits (f, "   "), ==, 0);
  g_assert_cmpuint (n_hits (f, "b"), ==, 0);
  g_assert_cmpuint (n_hits (f, " b "), ==, 0);
  /* Digits only: at least four of them. */
  g_assert_cmpuint (n_hits (f, "12"), ==, 0);
  g_assert_cmpuint (n_hits (f, "123"), ==, 0);
  g_assert_cmpuint (n_hits (f, "0-8-1"), ==, 0);
  g_assert_cmpuint (n_hits (f, "789"), ==, 0);
  /* Two letters are enough. */
  assert_hit (f, "bu", budi, "1", "name");
}

static void
test_phones (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", "+6281234567890", NULL, NULL);
  g_autofree char *sari = add_customer (f, "Sari Dewi", "+6285711112222", NULL, NULL);
  g_autofree char *office = add_customer (f, "Hendra Wijaya", "+62215550123", NULL, NULL);

  /* The same number in any formatting is an exact match. */
  assert_hit (f, "+62 812-3456-7890", budi, "3", "phone");
  assert_hit (f, "0812 3456 7890", budi, "3", "phone");
  assert_hit (f, "081234567890", budi, "3", "phone");
  assert_hit (f, "81234567890", budi, "3", "phone");
  assert_hit (f, "6281234567890", budi, "3", "phone");
  assert_hit (f, "(0812) 3456.7890", budi, "3", "phone");
  assert_no_hit (f, "0812 3456 7890", sari);

  /* Any four or more consecutive digits match, as a part. */
  assert_hit (f, "4567", budi, "1", "phone");
  assert_hit (f, "7890", budi, "1", "phone");
  assert_hit (f, "0812", budi, "1", "phone");
  assert_hit (f, "0812-34", budi, "1", "phone");
  assert_hit (f, "+62 812", budi, "1", "phone");
  assert_hit (f, "1111", sari, "1", "phone");
  assert_no_hit (f, "4567", sari);
  assert_no_hit (f, "0857", budi);
  assert_hit (f, "0857", sari, "1", "phone");
  assert_hit (f, "021 555", office, "1", "phone");
  assert_hit (f, "(021) 5550123", office, "3", "phone");
  /* Digits that are not consecutive in the number. */
  assert_no_hit (f, "8124", budi);
}

static void
test_emails (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", NULL, "budi.santoso@gmail.com", NULL);
  g_autofree char *rina = add_customer (f, "Rina Hartono", NULL, "rina@hartono.co.id", NULL);

  assert_hit (f, "budi.santoso@gmail.com", budi, "3", "email");
  assert_hit (f, "Budi.Santoso@GMAIL.com", budi, "3", "email");
  assert_hit (f, "budi.santoso@gm", budi, "1", "email");
  assert_hit (f, "budi.san@", budi, "1", "email");
  assert_hit (f, "rina@", rina, "1", "email");
  assert_hit (f, "@hartono", rina, "1", "email");
  assert_no_hit (f, "budi.santoso@gm", rina);
  assert_no_hit (f, "rina@gmail", rina);

  /* Words of an address without the '@' still find it. */
  assert_hit (f, "hartono.co", rina, NULL, NULL);
  /* A word found only in the address says so. */
  assert_hit (f, "gmail", budi, "1", "email");
}

static void
test_accounts (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", "+6281111111111", NULL, "0123456789");
  g_autofree char *member = add_customer (f, "Rina Hartono", NULL, NULL, "GM20456789X");
  g_autofree char *other = add_customer (f, "Sari Dewi", NULL, NULL, "9999990000");

  assert_hit (f, "0123456789", budi, "3", "account");
  assert_hit (f, "0123-4567-89", budi, "3", "account");
  assert_hit (f, "0123 4567 89", budi, "3", "account");
  assert_hit (f, "6789", budi, "2", "account");
  assert_no_hit (f, "6789", other);
  assert_no_hit (f, "0123456788", budi);
  /* Only the last four, not any four. */
  assert_no_hit (f, "2345", budi);

  /* Member numbers with letters, in any case and spacing. */
  assert_hit (f, "gm20456789x", member, "3", "account");
  assert_hit (f, "GM-2045-6789-X", member, "3", "account");
  assert_hit (f, "789X", member, "2", "account");
  assert_no_hit (f, "6789", member);
}

static void
test_ranking (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *budiman = add_customer (f, "Budiman Hadi", NULL, NULL, NULL);
  g_autofree char *budi_santoso = add_customer (f, "Budi Santoso", NULL, NULL, NULL);
  g_autofree char *budi = add_customer (f, "Budi", NULL, NULL, NULL);
  g_autofree char *sari_old = add_customer (f, "Sari Lestari", NULL, NULL, NULL);
  g_autofree char *sari_new = add_customer (f, "Sari Wulandari", NULL, NULL, NULL);
  g_autofree char *sari_never = add_customer (f, "Sari Anggraini", NULL, NULL, NULL);
  g_autofree char *sari_mid = add_customer (f, "Sari Rahayu", NULL, NULL, NULL);
  g_autoptr(SapaSearchResult) result = NULL;
  GPtrArray *hits;

  /* Recency must not beat exactness: the prefix-only match is the newest. */
  add_contact (f, budiman, 1800000000);
  add_contact (f, budi_santoso, 1700000000);
  add_contact (f, budi, 1600000000);

  result = search (f, "budi");
  hits = sapa_search_result_get_hits (result);
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (hit_position (result, budi), ==, 0);           /* exact */
  g_assert_cmpint (hit_position (result, budi_santoso), ==, 1);   /* whole word */
  g_assert_cmpint (hit_position (result, budiman), ==, 2);        /* prefix */
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 0), "score"), ==, "3");
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 1), "score"), ==, "2");
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 2), "score"), ==, "1");
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 2), "last_contact_at"), ==, "1800000000");
  g_assert_false (sapa_search_result_is_truncated (result));
  g_clear_pointer (&result, sapa_search_result_free);

  /* Within a score: most recent contact first, never contacted last. */
  add_contact (f, sari_old, 1700000000);
  add_contact (f, sari_new, 1790000000);
  add_contact (f, sari_mid, 1750000000);
  add_contact (f, sari_old, 1710000000);
  result = search (f, "sari");
  g_assert_cmpuint (sapa_search_result_get_hits (result)->len, ==, 4);
  g_assert_cmpint (hit_position (result, sari_new), ==, 0);
  g_assert_cmpint (hit_position (result, sari_mid), ==, 1);
  g_assert_cmpint (hit_position (result, sari_old), ==, 2);
  g_assert_cmpint (hit_position (result, sari_never), ==, 3);
  g_assert_cmpstr (sapa_record_get_extra (find_hit (result, sari_old), "last_contact_at"), ==, "1710000000");
  g_assert_null (sapa_record_get_extra (find_hit (result, sari_never), "last_contact_at"));
  g_clear_pointer (&result, sapa_search_result_free);

  /* The limit cuts the tail, and says so. */
  {
    g_autoptr(GError) error = NULL;

    result = sapa_store_search (f->store, "sari", 2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sapa_search_result_get_hits (result)->len, ==, 2);
    g_assert_cmpint (hit_position (result, sari_new), ==, 0);
    g_assert_true (sapa_search_result_is_truncated (result));
  }
}

static void
test_ties_by_name (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *c = add_customer (f, "Wati Cahyani", NULL, NULL, NULL);
  g_autofree char *a = add_customer (f, "Wati Anggraini", NULL, NULL, NULL);
  g_autofree char *b = add_customer (f, "Wati Budiarti", NULL, NULL, NULL);
  g_autoptr(SapaSearchResult) result = search (f, "wati");

  g_assert_cmpint (hit_position (result, a), ==, 0);
  g_assert_cmpint (hit_position (result, b), ==, 1);
  g_assert_cmpint (hit_position (result, c), ==, 2);
}

static void
test_deleted_merged_edited (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = add_customer (f, "Rudi Hartono", "+6281299990000", "rudi@example.com", "5550001111");
  g_autofree char *merged = add_customer (f, "Rudi H.", "+6281299990001", "rudi.h@example.com", "5550002222");
  g_autofree char *kept = add_customer (f, "Rudi Hartanto", "+6281299990002", NULL, NULL);
  g_autofree char *renamed = add_customer (f, "Yanti Lubis", "+6281377778888", NULL, NULL);
  g_autoptr(SapaRecord) m = NULL;
  g_autoptr(SapaRecord) r = NULL;

  assert_hit (f, "rudi", gone, NULL, NULL);
  assert_hit (f, "rudi", merged, NULL, NULL);

  sapa_store_delete (f->store, "customer", gone, &error);
  g_assert_no_error (error);
  m = sapa_store_get (f->store, "customer", merged, &error);
  g_assert_no_error (error);
  sapa_record_set_string (m, "merged_into", kept);
  sapa_store_save (f->store, m, &error);
  g_assert_no_error (error);

  /* Not by name, phone, email or account, not even exactly. */
  for (guint i = 0; i < 2; i++)
    {
      const char *id = i == 0 ? gone : merged;

      assert_no_hit (f, "rudi", id);
      assert_no_hit (f, i == 0 ? "rudi hartono" : "rudi h.", id);
      assert_no_hit (f, i == 0 ? "0812 9999 0000" : "0812 9999 0001", id);
      assert_no_hit (f, "9999", id);
      assert_no_hit (f, i == 0 ? "rudi@example.com" : "rudi.h@example.com", id);
      assert_no_hit (f, i == 0 ? "5550001111" : "5550002222", id);
      assert_no_hit (f, i == 0 ? "1111" : "2222", id);
    }
  assert_hit (f, "rudi", kept, NULL, NULL);
  assert_hit (f, "9999", kept, "1", "phone");

  /* Edited: found under the new name only, and by its new number. */
  r = sapa_store_get (f->store, "customer", renamed, &error);
  g_assert_no_error (error);
  sapa_record_set_string (r, "full_name", "Yanti Simanjuntak");
  {
    const char *phones[] = { "+6281366665555", NULL };
    sapa_record_set_list (r, "phones", phones);
  }
  sapa_store_save (f->store, r, &error);
  g_assert_no_error (error);
  assert_hit (f, "simanj", renamed, "1", "name");
  assert_hit (f, "yanti simanjuntak", renamed, "3", "name");
  assert_no_hit (f, "lubis", renamed);
  assert_no_hit (f, "yanti lubis", renamed);
  assert_hit (f, "6666", renamed, "1", "phone");
  assert_no_hit (f, "7777", renamed);
}

static void
test_cap_keeps_exact (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SapaSearchResult) result = NULL;
  g_autofree char *exact = NULL;
  g_autofree char *phone_exact = NULL;
  g_autofree char *last4 = NULL;
  GPtrArray *hits;

  /* The oldest customers: the newest-first candidate read never reaches them. */
  exact = add_customer (f, "Andi", NULL, NULL, NULL);
  phone_exact = add_customer (f, "Lina Marpaung", "+6281200000000", NULL, NULL);
  last4 = add_customer (f, "Tono Siregar", NULL, NULL, "7777774321");

  for (guint i = 0; i < MANY; i++)
    {
      g_autofree char *name = g_strdup_printf ("Andi Prasetyo %u", i);
      g_autofree char *phone = g_strdup_printf ("+628120000%04u", i + 1);
      g_autofree char *account = g_strdup_printf ("%06u4321", i);

      g_ptr_array_add (many, new_customer (name, phone, NULL, account));
    }
  sapa_store_save_all (f->store, many, &error);
  g_assert_no_error (error);

  result = search (f, "andi");
  hits = sapa_search_result_get_hits (result);
  g_assert_true (sapa_search_result_is_truncated (result));
  g_assert_cmpuint (hits->len, ==, SAPA_SEARCH_DEFAULT_LIMIT);
  g_assert_cmpint (hit_position (result, exact), ==, 0);
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 0), "score"), ==, "3");
  g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, 1), "score"), ==, "2");
  g_clear_pointer (&result, sapa_search_result_free);

  result = search (f, "0812 0000 0000");
  g_assert_cmpint (hit_position (result, phone_exact), ==, 0);
  g_assert_cmpstr (sapa_record_get_extra (find_hit (result, phone_exact), "score"), ==, "3");
  g_clear_pointer (&result, sapa_search_result_free);

  /* A short run of digits: many phones, capped, and still said so. */
  result = search (f, "0812 0000");
  g_assert_true (sapa_search_result_is_truncated (result));
  g_assert_cmpuint (sapa_search_result_get_hits (result)->len, ==, SAPA_SEARCH_DEFAULT_LIMIT);
  g_clear_pointer (&result, sapa_search_result_free);

  /* More last-four matches than the cap: the newest are ranked, and the
   * account typed in full still finds the oldest first. */
  result = search (f, "4321");
  g_assert_true (sapa_search_result_is_truncated (result));
  hits = sapa_search_result_get_hits (result);
  g_assert_cmpuint (hits->len, ==, SAPA_SEARCH_DEFAULT_LIMIT);
  for (guint i = 0; i < hits->len; i++)
    {
      g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, i), "score"), ==, "2");
      g_assert_cmpstr (sapa_record_get_extra (g_ptr_array_index (hits, i), "matched"), ==, "account");
    }
  g_clear_pointer (&result, sapa_search_result_free);
  result = search (f, "7777774321");
  g_assert_cmpint (hit_position (result, last4), ==, 0);
  g_assert_cmpstr (sapa_record_get_extra (find_hit (result, last4), "score"), ==, "3");
  g_clear_pointer (&result, sapa_search_result_free);

  {
    g_autoptr(GError) e2 = NULL;
    guint n = sapa_store_search_bare_fts (f->store, "andi", &e2);
    g_assert_no_error (e2);
    g_assert_cmpuint (n, >, SAPA_SEARCH_DEFAULT_LIMIT);
    g_assert_cmpuint (n, <, MANY);
  }
}

static void
test_mixed (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *budi_0812 = add_customer (f, "Budi Santoso", "+6281234567890", NULL, NULL);
  g_autofree char *budi_0857 = add_customer (f, "Budi Hartono", "+6285712345678", NULL, NULL);
  g_autofree char *sari_0812 = add_customer (f, "Sari Dewi", "+6281298765432", NULL, NULL);
  g_autofree char *budi_acct = add_customer (f, "Budi Wijaya", NULL, NULL, "8888123456");

  assert_hit (f, "budi 0812", budi_0812, "1", "name");
  assert_no_hit (f, "budi 0812", budi_0857);
  assert_no_hit (f, "budi 0812", sari_0812);
  assert_hit (f, "0857 budi", budi_0857, NULL, NULL);
  assert_hit (f, "budi santoso 0812 3456 7890", budi_0812, "2", "name");
  assert_hit (f, "budi 3456", budi_acct, NULL, NULL);
  assert_no_hit (f, "sari 0857", sari_0812);

  /* On the way to "budi 0812": the start of the number, as typed so far. */
  assert_hit (f, "budi 0", budi_0812, "1", "name");
  assert_hit (f, "budi 0", budi_0857, "1", "name");
  assert_hit (f, "budi 08", budi_0857, "1", "name");
  assert_hit (f, "budi 081", budi_0812, "1", "name");
  assert_no_hit (f, "budi 081", budi_0857);
  assert_hit (f, "budi 085", budi_0857, "1", "name");
  assert_no_hit (f, "budi 085", budi_0812);
  assert_hit (f, "budi +62 8", budi_0812, "1", "name");
  assert_hit (f, "budi 81", budi_0812, "1", "name");
  assert_no_hit (f, "budi 81", budi_0857);
  assert_no_hit (f, "budi 08", sari_0812);
  assert_hit (f, "sari 08", sari_0812, "1", "name");
  /* ... or of the account number. */
  assert_hit (f, "budi 888", budi_acct, "1", "name");
  assert_no_hit (f, "budi 888", budi_0812);
}

static void
test_fts_syntax (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi \"Bud\" O'Neil-Santoso", NULL, "budi@example.com", NULL);
  const char *queries[] = {
    "\"", "\"\"", "budi\"", "\"budi", "bu\"di", "*", "**", "budi*", "*budi", "AND", "budi AND",
    "AND budi", "OR", "NOT", "budi OR sari", "budi NOT santoso", "(", ")", "(budi", "budi)",
    "-", "--", "-budi", "budi -santoso", "NEAR(budi santoso)", "^budi", "full_name:budi",
    "emails:budi", "{full_name}: budi", "budi + santoso", "'", "''", "\\", "%", "_%", ";",
    "'; DROP TABLE customer; --", "\"@\"", "@", "@@", "budi@\"", "*@*", "+", "++62",
    "\t", "budi\nsantoso", NULL,
  };

  for (guint i = 0; queries[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaSearchResult) result = sapa_store_search (f->store, queries[i], 0, &error);

      if (error != NULL)
        g_error ("query \"%s\" failed: %s", queries[i], error->message);
      g_assert_nonnull (result);
      g_assert_cmpuint (sapa_store_search_bare_fts (f->store, queries[i], &error), <, 1000);
      g_assert_no_error (error);
    }

  /* Very long input: no error, and no hit it should not give. */
  {
    g_autoptr(GString) words = g_string_new (NULL);
    g_autofree char *letters = g_strnfill (100000, 'x');
    g_autofree char *digits = g_strnfill (5000, '7');

    for (guint i = 0; i < 2000; i++)
      g_string_append (words, "budi ");
    g_assert_cmpuint (n_hits (f, letters), ==, 0);
    g_assert_cmpuint (n_hits (f, digits), ==, 0);
    assert_hit (f, words->str, budi, NULL, "name");
  }

  /* The words in them are still searched as words. */
  assert_hit (f, "budi*", budi, NULL, "name");
  assert_hit (f, "(budi", budi, NULL, "name");
  assert_hit (f, "-budi", budi, NULL, "name");
  assert_hit (f, "\"bud\"", budi, "2", "name");
  assert_hit (f, "o'neil", budi, "2", "name");
  assert_hit (f, "neil-santoso", budi, "2", "name");
  assert_no_hit (f, "budi OR sari", budi);
  g_assert_cmpuint (n_hits (f, "'; DROP TABLE customer; --"), ==, 0);
  assert_hit (f, "budi", budi, NULL, NULL);
}

static void
test_emoji_rtl (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *emoji = add_customer (f, "Dewi 🌸 Lestari", NULL, NULL, NULL);
  g_autofree char *arabic = add_customer (f, "محمد عبد الله", NULL, NULL, NULL);
  g_autofree char *hebrew = add_customer (f, "דוד לוי", NULL, NULL, NULL);
  g_autofree char *cjk = add_customer (f, "李 小龍", NULL, NULL, NULL);

  assert_hit (f, "dewi", emoji, "2", "name");
  assert_hit (f, "lest", emoji, "1", "name");
  assert_hit (f, "Dewi 🌸 Lestari", emoji, "3", "name");
  g_assert_cmpuint (n_hits (f, "🌸"), ==, 0);
  g_assert_cmpuint (n_hits (f, "🌸🌸"), ==, 0);
  assert_hit (f, "محمد", arabic, "2", "name");
  assert_hit (f, "محمد عبد الله", arabic, "3", "name");
  assert_hit (f, "عب", arabic, "1", "name");
  assert_hit (f, "דוד", hebrew, "2", "name");
  assert_hit (f, "לוי דוד", hebrew, "2", "name");
  assert_hit (f, "小龍", cjk, "2", "name");
  /* Right-to-left marks and other invisible format characters are ignored. */
  assert_hit (f, "\u200fمحمد\u200f", arabic, NULL, "name");
}

typedef struct {
  GMainLoop        *loop;
  SapaSearchResult *result;
  GError           *error;
} AsyncData;

static void
search_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  AsyncData *d = user_data;

  d->result = sapa_store_search_finish (SAPA_STORE (source), res, &d->error);
  g_main_loop_quit (d->loop);
}

typedef struct {
  GMainLoop  *loop;
  const char *id;
  guint       pending;
  guint       found;
} ManyData;

static void
many_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  ManyData *m = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaSearchResult) result = sapa_store_search_finish (SAPA_STORE (source), res, &error);

  g_assert_no_error (error);
  if (find_hit (result, m->id) != NULL)
    m->found++;
  if (--m->pending == 0)
    g_main_loop_quit (m->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", "+6281234567890", NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData d = { .loop = loop };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  sapa_store_search_async (f->store, "0812 3456", 10, NULL, search_done_cb, &d);
  g_main_loop_run (loop);
  g_assert_no_error (d.error);
  g_assert_nonnull (find_hit (d.result, budi));
  g_clear_pointer (&d.result, sapa_search_result_free);

  /* A stale query, cancelled because the person typed on. */
  g_cancellable_cancel (cancellable);
  sapa_store_search_async (f->store, "budi", 10, cancellable, search_done_cb, &d);
  g_main_loop_run (loop);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (d.result);
  g_clear_error (&d.error);

  /* Several at once, on worker threads sharing the pool of readers. */
  {
    ManyData m = { .loop = loop, .id = budi, .pending = 12 };

    for (guint i = 0; i < 12; i++)
      sapa_store_search_async (f->store, i % 3 == 0 ? "budi" : i % 3 == 1 ? "7890" : "santoso",
                               10, NULL, many_done_cb, &m);
    g_main_loop_run (loop);
    g_assert_cmpuint (m.found, ==, 12);
  }
}

static void
test_hit_records (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *budi = add_customer (f, "Budi Santoso", "+6281234567890", "budi@example.com", "0123456789");
  g_autoptr(SapaSearchResult) result = search (f, "budi");
  SapaRecord *hit = find_hit (result, budi);
  g_auto(GStrv) phones = NULL;

  /* Hits are whole customer records. */
  g_assert_nonnull (hit);
  g_assert_cmpstr (sapa_record_get_entity_name (hit), ==, "customer");
  g_assert_cmpstr (sapa_record_get_string (hit, "full_name"), ==, "Budi Santoso");
  g_assert_cmpstr (sapa_record_get_string (hit, "account_number"), ==, "0123456789");
  g_assert_cmpstr (sapa_record_get_string (hit, "segment"), ==, "regular");
  phones = sapa_record_dup_list (hit, "phones");
  g_assert_cmpstr (phones[0], ==, "+6281234567890");
  g_assert_null (phones[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/search/names", test_names);
  ADD ("/search/too-short", test_too_short);
  ADD ("/search/many-words", test_many_words);
  ADD ("/search/phones", test_phones);
  ADD ("/search/emails", test_emails);
  ADD ("/search/accounts", test_accounts);
  ADD ("/search/ranking", test_ranking);
  ADD ("/search/ties-by-name", test_ties_by_name);
  ADD ("/search/deleted-merged-edited", test_deleted_merged_edited);
  ADD ("/search/cap-keeps-exact", test_cap_keeps_exact);
  ADD ("/search/mixed", test_mixed);
  ADD ("/search/fts-syntax", test_fts_syntax);
  ADD ("/search/emoji-rtl", test_emoji_rtl);
  ADD ("/search/async", test_async);
  ADD ("/search/hit-records", test_hit_records);
#undef ADD

  return g_test_run ();
}
