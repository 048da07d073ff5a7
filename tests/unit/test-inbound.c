/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sapa-inbound.h"

static SapaInboundMessage *
parse (const char *text,
       GError    **error)
{
  return sapa_inbound_parse (text, strlen (text), error);
}

static void
test_full_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaInboundMessage) m =
    parse ("{\"message_id\": \" wamid.7 \", \"from\": {\"phone\": \"0812-3456-7890\", "
           "\"email\": \" Rina@Example.COM \", \"handle\": \"@rina\"}, \"name\": \"Rina Wulandari\", "
           "\"text\": \"Kartu saya tertelan\", \"subject\": \"ATM\", \"sent_at\": \"2026-11-23T09:15:00+07:00\"}",
           &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpstr (m->message_id, ==, "wamid.7");
  g_assert_cmpstr (m->phone, ==, "+6281234567890");
  g_assert_cmpstr (m->email, ==, "rina@example.com");
  g_assert_cmpstr (m->handle, ==, "@rina");
  g_assert_cmpstr (m->name, ==, "Rina Wulandari");
  g_assert_cmpstr (m->text, ==, "Kartu saya tertelan");
  g_assert_cmpstr (m->subject, ==, "ATM");
  g_assert_cmpint (m->sent_at, ==, 1795400100);   /* 02:15 UTC */
}

static void
test_minimal_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaInboundMessage) m =
    parse ("{\"message_id\": \"1\", \"from\": {\"handle\": \"@budi\", \"phone\": null}, \"text\": \"halo\", \"name\": null}",
           &error);

  g_assert_no_error (error);
  g_assert_cmpstr (m->handle, ==, "@budi");
  g_assert_null (m->phone);
  g_assert_null (m->email);
  g_assert_null (m->name);
  g_assert_null (m->subject);
  g_assert_cmpint (m->sent_at, ==, 0);
}

typedef struct {
  const char *body;
  int         code;
} Bad;

static void
test_refused (void)
{
  static const Bad cases[] = {
    { "", SAPA_INBOUND_ERROR_MALFORMED },
    { "{", SAPA_INBOUND_ERROR_MALFORMED },
    { "[]", SAPA_INBOUND_ERROR_MALFORMED },
    { "\"text\"", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a\"}, \"text\": \"x\"}{}", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"message_id\": 7, \"from\": {\"phone\": \"0812345678\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"message_id\": \"1\", \"from\": \"0812345678\", \"text\": \"x\"}", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"message_id\": \"1\", \"from\": {\"phone\": 812345678}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"message_id\": \"1\", \"from\": {\"phone\": \"0812345678\"}, \"text\": [\"x\"]}", SAPA_INBOUND_ERROR_MALFORMED },
    { "{\"from\": {\"phone\": \"0812345678\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"  \", \"from\": {\"phone\": \"0812345678\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"phone\": \"0812345678\"}}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"phone\": \"0812345678\"}, \"text\": \" \"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"phone\": \"call me\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"email\": \"not-an-address\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a b\"}, \"text\": \"x\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a\"}, \"text\": \"x\", \"sent_at\": \"yesterday\"}", SAPA_INBOUND_ERROR_INVALID },
    { "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a\"}, \"text\": \"x\", \"sent_at\": \"1969-12-31T00:00:00Z\"}", SAPA_INBOUND_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaInboundMessage) m = parse (cases[i].body, &error);

      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_null (m);
      g_assert_error (error, SAPA_INBOUND_ERROR, cases[i].code);
    }
}

static void
test_refused_bytes (void)
{
  static const char nul[] = "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a\"}, \"text\": \"x\0y\"}";
  static const char latin1[] = "{\"message_id\": \"1\", \"from\": {\"handle\": \"@a\"}, \"text\": \"caf\xe9\"}";
  g_autoptr(GError) error = NULL;
  g_autofree char *long_id = NULL;
  g_autofree char *body = NULL;

  g_assert_null (sapa_inbound_parse (nul, sizeof nul - 1, &error));
  g_assert_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (sapa_inbound_parse (latin1, sizeof latin1 - 1, &error));
  g_assert_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED);
  g_clear_error (&error);

  long_id = g_strnfill (SAPA_INBOUND_MAX_ID + 1, 'a');
  body = g_strdup_printf ("{\"message_id\": \"%s\", \"from\": {\"handle\": \"@a\"}, \"text\": \"x\"}", long_id);
  g_assert_null (parse (body, &error));
  g_assert_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID);
}

static void
test_signature (void)
{
  const char *body = "{\"message_id\":\"1\"}";
  g_autofree char *hex = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) "s3cret", 6, body, -1);
  g_autofree char *good = g_strconcat ("sha256=", hex, NULL);
  g_autofree char *upper = g_ascii_strup (good, -1);
  g_autofree char *upper_fixed = g_strconcat ("sha256=", upper + 7, NULL);
  g_autofree char *flipped = g_strdup (good);

  flipped[strlen (flipped) - 1] = flipped[strlen (flipped) - 1] == '0' ? '1' : '0';

  g_assert_true (sapa_inbound_check_signature ("s3cret", body, strlen (body), good));
  g_assert_true (sapa_inbound_check_signature ("s3cret", body, strlen (body), upper_fixed));
  g_assert_false (sapa_inbound_check_signature ("other", body, strlen (body), good));
  g_assert_false (sapa_inbound_check_signature ("s3cret", body, strlen (body) - 1, good));
  g_assert_false (sapa_inbound_check_signature ("s3cret", body, strlen (body), flipped));
  g_assert_false (sapa_inbound_check_signature ("s3cret", body, strlen (body), hex));
  g_assert_false (sapa_inbound_check_signature ("s3cret", body, strlen (body), "sha256="));
  g_assert_false (sapa_inbound_check_signature ("s3cret", body, strlen (body), NULL));
  g_assert_false (sapa_inbound_check_signature ("", body, strlen (body), good));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inbound/full", test_full_message);
  g_test_add_func ("/inbound/minimal", test_minimal_message);
  g_test_add_func ("/inbound/refused", test_refused);
  g_test_add_func ("/inbound/refused-bytes", test_refused_bytes);
  g_test_add_func ("/inbound/signature", test_signature);
  return g_test_run ();
}
