/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sapa/sapa-json.h>

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the first JSON value of @text ends: strings and nesting are followed,
 * nothing else is checked (json-glib does that). Returns @end when the value
 * runs to the end of the text, even if it is cut short. */
static const char *
first_value_end (const char *p,
                 const char *end)
{
  gsize depth = 0;

  while (p < end && is_json_space (*p))
    p++;
  if (p < end && *p != '{' && *p != '[' && *p != '"')
    {
      /* A number, true, false or null: up to the next space or structural character. */
      while (p < end && !is_json_space (*p) && strchr ("{}[]\",:", *p) == NULL)
        p++;
      return p;
    }

  while (p < end)
    {
      char c = *p++;

      if (c == '"')
        {
          while (p < end && *p != '"')
            p += (*p == '\\' && p + 1 < end) ? 2 : 1;
          if (p < end)
            p++;
          if (depth == 0)
            return p;
        }
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (depth > 0)
            depth--;
          if (depth == 0)
            return p;
        }
    }
  return end;
}

/* Whether a string of @text holds the escape \u0000. */
static gboolean
has_nul_escape (const char *p,
                const char *end)
{
  gboolean in_string = FALSE;

  for (; p < end; p++)
    {
      if (*p == '"')
        in_string = !in_string;
      else if (in_string && *p == '\\' && p + 1 < end)
        {
          p++;
          if (*p == 'u' && end - p >= 5 && memcmp (p + 1, "0000", 4) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

JsonNode *
sapa_json_parse_one (const char  *text,
                     gssize       length,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *end, *rest;

  g_return_val_if_fail (text != NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (text);
  end = text + length;

  rest = first_value_end (text, end);
  while (rest < end && is_json_space (*rest))
    rest++;
  if (rest < end)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   /* Translators: %lu is a byte offset in the text */
                   _("Unexpected text after the JSON value at byte %lu"),
                   (unsigned long) (rest - text));
      return NULL;
    }

  /* json-glib hands strings out as C strings, cut at a NUL: refuse rather than
   * store "Rina\u0000Wijaya" as "Rina". */
  if (has_nul_escape (text, end))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("Text in JSON may not hold the NUL character (\\u0000)"));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           _("The JSON text is empty"));
      return NULL;
    }
  return json_parser_steal_root (parser);
}

char *
sapa_json_dup_error_message (JsonNode *root)
{
  JsonObject *obj, *err;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "error") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "error")))
    return NULL;
  err = json_object_get_object_member (obj, "error");
  return g_strdup (json_object_get_string_member_with_default (err, "message", NULL));
}
