/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

static void
test_json_round_trip (void)
{
  g_autoptr(SapaRecord) c = sapa_record_new ("customer");
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(SapaRecord) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) diff = NULL;
  const char *phones[] = { "+6281234567890", NULL };

  sapa_record_set_string (c, "full_name", "Siti Nurhaliza");
  sapa_record_set_list (c, "phones", phones);
  sapa_record_set_string (c, "segment", "vip");
  sapa_record_set_int (c, "created_at", 1763884800);

  json = sapa_record_to_json (c);
  g_assert_cmpstr (json_object_get_string_member (json, "created_at"), ==, "2025-11-23T08:00:00Z");
  back = sapa_record_new_from_json ("customer", sapa_record_get_id (c), json, &error);
  g_assert_no_error (error);
  diff = sapa_record_diff (c, back);
  g_assert_cmpuint (diff->len, ==, 0);
  g_assert_cmpint (sapa_record_get_int (back, "created_at"), ==, 1763884800);
}

static void
test_json_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = sapa_uuid_new ();
  struct { const char *entity; const char *json; int code; } cases[] = {
    { "spaceship", "{}", SAPA_RECORD_ERROR_UNKNOWN_ENTITY },
    { "customer", "{\"nickname\": \"x\"}", SAPA_RECORD_ERROR_UNKNOWN_FIELD },
    { "customer", "{\"full_name\": 5}", SAPA_RECORD_ERROR_WRONG_TYPE },
    { "customer", "{\"phones\": \"+62812\"}", SAPA_RECORD_ERROR_WRONG_TYPE },
    { "customer", "{\"phones\": [1, 2]}", SAPA_RECORD_ERROR_WRONG_TYPE },
    { "customer", "{\"created_at\": \"yesterday\"}", SAPA_RECORD_ERROR_WRONG_TYPE },
    { "conversation", "{\"is_complaint\": \"yes\"}", SAPA_RECORD_ERROR_WRONG_TYPE },
    { "survey_response", "{\"score\": 4.5}", SAPA_RECORD_ERROR_WRONG_TYPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i].json, NULL);
      g_autoptr(SapaRecord) r = sapa_record_new_from_json (cases[i].entity, id,
                                                           json_node_get_object (node), &error);
      g_assert_null (r);
      g_assert_error (error, SAPA_RECORD_ERROR, cases[i].code);
      g_clear_error (&error);
    }

  {
    g_autoptr(JsonObject) empty = json_object_new ();
    g_autoptr(SapaRecord) r = sapa_record_new_from_json ("customer", "not-a-uuid", empty, &error);
    g_assert_null (r);
    g_assert_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE);
  }
}

static void
test_validate (void)
{
  g_autoptr(SapaRecord) c = sapa_record_new ("customer");
  g_autoptr(SapaRecord) s = sapa_record_new ("survey_response");
  g_autoptr(GError) error = NULL;
  const char *bad_phone[] = { "0812-3456-7890", NULL };
  const char *good_phone[] = { "+6281234567890", NULL };
  const char *bad_email[] = { "budi@", NULL };

  g_assert_false (sapa_record_validate (c, &error));
  g_assert_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_MISSING_FIELD);
  g_clear_error (&error);

  sapa_record_set_string (c, "full_name", "   ");
  sapa_record_set_string (c, "segment", "regular");
  g_assert_false (sapa_record_validate (c, &error));
  g_clear_error (&error);

  sapa_record_set_string (c, "full_name", "Budi");
  sapa_record_set_string (c, "segment", "gold");
  g_assert_false (sapa_record_validate (c, &error));
  g_assert_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  sapa_record_set_string (c, "segment", "vip");
  sapa_record_set_list (c, "phones", bad_phone);
  g_assert_false (sapa_record_validate (c, &error));
  g_clear_error (&error);
  sapa_record_set_list (c, "phones", good_phone);
  sapa_record_set_list (c, "emails", bad_email);
  g_assert_false (sapa_record_validate (c, &error));
  g_assert_error (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_EMAIL);
  g_clear_error (&error);
  sapa_record_set_list (c, "emails", NULL);
  g_assert_true (sapa_record_validate (c, &error));
  g_assert_no_error (error);

  sapa_record_set_string (s, "kind", "nps");
  sapa_record_set_int (s, "score", 11);
  sapa_record_set_string (s, "collected_via", "kiosk");
  sapa_record_set_int (s, "collected_at", 1);
  g_assert_false (sapa_record_validate (s, &error));
  g_clear_error (&error);
  sapa_record_set_int (s, "score", 0);
  g_assert_true (sapa_record_validate (s, NULL));
  sapa_record_set_string (s, "kind", "csat");
  g_assert_false (sapa_record_validate (s, NULL));
}

static void
test_text (void)
{
  struct { const char *in; const char *out; } phones[] = {
    { "+62 812-3456-7890", "+6281234567890" },
    { "0812 3456 7890", "+6281234567890" },
    { "81234567890", "+6281234567890" },
    { "6281234567890", "+6281234567890" },
    { "(021) 555-0123", "+62215550123" },
    { "+65 6123 4567", "+6561234567" },
  };
  const char *bad[] = { "", "12", "0812-ABCD", "+0812345678", "++6281234", "08123456789012345" };

  for (guint i = 0; i < G_N_ELEMENTS (phones); i++)
    {
      g_autofree char *n = sapa_phone_normalize (phones[i].in, NULL);
      g_assert_cmpstr (n, ==, phones[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *n = sapa_phone_normalize (bad[i], &error);
      g_assert_null (n);
      g_assert_error (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_PHONE);
    }
  {
    g_autofree char *f = sapa_phone_format ("+6281234567890");
    g_autofree char *fold = sapa_text_fold ("  JOSÉ  Müller-Łukasz ");
    g_autofree char *mask = sapa_account_mask ("1234567890");
    g_autofree char *acc = sapa_account_normalize ("hb-0012 34", NULL);
    g_autofree char *email = sapa_email_normalize (" Budi.Santoso@Gmail.COM ", NULL);
    g_assert_cmpstr (f, ==, "+62 812-3456-7890");
    g_autofree char *street = sapa_text_fold ("STRAẞE Straße");
    g_assert_cmpstr (fold, ==, "jose muller-łukasz");
    g_assert_cmpstr (street, ==, "straße straße");
    g_assert_cmpstr (mask, ==, "•••• 7890");
    g_assert_cmpstr (acc, ==, "HB001234");
    g_assert_cmpstr (email, ==, "budi.santoso@gmail.com");
  }
  g_assert_null (sapa_email_normalize ("budi santoso@gmail.com", NULL));
  g_assert_null (sapa_email_normalize ("budi@gmail", NULL));
  g_assert_null (sapa_account_normalize ("12", NULL));
  {
    g_autoptr(GRand) r1 = g_rand_new_with_seed (7);
    g_autoptr(GRand) r2 = g_rand_new_with_seed (7);
    g_autofree char *u1 = sapa_uuid_from_rand (r1);
    g_autofree char *u2 = sapa_uuid_from_rand (r2);
    g_assert_cmpstr (u1, ==, u2);
    g_assert_true (g_uuid_string_is_valid (u1));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/json-round-trip", test_json_round_trip);
  g_test_add_func ("/record/json-errors", test_json_errors);
  g_test_add_func ("/record/validate", test_validate);
  g_test_add_func ("/record/text", test_text);
  return g_test_run ();
}
