/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa-json.h>

/* Texts json-glib 1.6 would take as their first value alone, leaking the rest. */
static void
test_trailing_value_refused (void)
{
  const char *texts[] = {
    "1{\"a\":\"b\"}",
    "{\"a\":1}{\"b\":2}",
    "[1]{\"b\":2}",
    "{\"a\":1} {\"b\":[1]}",
    "true{\"a\":{\"b\":1}}",
    "null[1,2]",
    "\"x\"[{\"a\":1}]",
    "\"a\\\"}\"{\"b\":1}",
    "{\"a\":\"}\"} x",
    "{\"a\":1}1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = sapa_json_parse_one (texts[i], -1, &error);

      g_test_message ("%s", texts[i]);
      g_assert_null (node);
      g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
    }
}

static void
test_single_value_parsed (void)
{
  struct { const char *text; JsonNodeType type; } cases[] = {
    { "{\"a\":\"}{\",\"b\":[1,{\"c\":\"]\"}]}", JSON_NODE_OBJECT },
    { "  \n{\"a\":\"\\\\\"}\r\n\t ", JSON_NODE_OBJECT },
    { "[1, 2, \"x\\\"]\"]", JSON_NODE_ARRAY },
    { "42", JSON_NODE_VALUE },
    { " \"Rina\" ", JSON_NODE_VALUE },
    { "null", JSON_NODE_NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = sapa_json_parse_one (cases[i].text, -1, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_no_error (error);
      g_assert_nonnull (node);
      g_assert_cmpint (json_node_get_node_type (node), ==, cases[i].type);
    }
}

static void
test_malformed_refused (void)
{
  const char *texts[] = { "", "   ", "{", "{\"a\":", "[1,2", "\"open", "{\"a\" 1}", "nul" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = sapa_json_parse_one (texts[i], -1, &error);

      g_test_message ("'%s'", texts[i]);
      g_assert_null (node);
      g_assert_nonnull (error);
      g_assert_true (error->domain == JSON_PARSER_ERROR);
    }
}

static void
test_nul_refused (void)
{
  const char *refused[] = { "{\"a\":\"Rina\\u0000Wijaya\"}", "[\"\\u0000\"]", "\"x\\u0000\"" };
  const char *kept[] = { "{\"a\":\"\\\\u0000\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = sapa_json_parse_one (refused[i], -1, &error);

      g_test_message ("%s", refused[i]);
      g_assert_null (node);
      g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
    }
  /* An escaped backslash before "u0000" is the text \u0000, not a NUL. */
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = sapa_json_parse_one (kept[i], -1, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "a"), ==, "\\u0000");
    }
}

static void
test_length_bounds_text (void)
{
  g_autoptr(GError) error = NULL;
  /* Only the first 9 bytes count: what follows is outside the text. */
  g_autoptr(JsonNode) node = sapa_json_parse_one ("{\"a\":\"b\"}{\"c\":1}", 9, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
}

static void
test_error_message (void)
{
  const struct { const char *json; const char *message; } cases[] = {
    { "{\"error\": {\"code\": \"forbidden\", \"message\": \"Not your branch\"}}", "Not your branch" },
    { "{\"error\": {\"code\": \"forbidden\"}}", NULL },
    { "{\"error\": \"forbidden\"}", NULL },
    { "{\"results\": []}", NULL },
    { "[1, 2]", NULL },
  };

  g_assert_null (sapa_json_dup_error_message (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = sapa_json_parse_one (cases[i].json, -1, &error);
      g_autofree char *message = NULL;

      g_assert_no_error (error);
      message = sapa_json_dup_error_message (root);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/trailing-value-refused", test_trailing_value_refused);
  g_test_add_func ("/json/single-value-parsed", test_single_value_parsed);
  g_test_add_func ("/json/malformed-refused", test_malformed_refused);
  g_test_add_func ("/json/nul-refused", test_nul_refused);
  g_test_add_func ("/json/length-bounds-text", test_length_bounds_text);
  g_test_add_func ("/json/error-message", test_error_message);
  return g_test_run ();
}
