/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-change"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <sapa/sapa-change.h>
#include <sapa/sapa-hlc.h>
#include <sapa/sapa-json.h>

G_DEFINE_QUARK (sapa-change-error-quark, sapa_change_error)

void
sapa_change_free (SapaChange *change)
{
  if (change == NULL)
    return;
  g_free (change->change_id);
  g_free (change->client_id);
  g_clear_object (&change->record);
  g_free (change);
}

static gboolean
malformed (GError    **error,
           const char *message)
{
  g_set_error_literal (error, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_MALFORMED, message);
  return FALSE;
}

/* The string member @name of @obj, or NULL with @error set. */
static const char *
string_member (JsonObject  *obj,
               const char  *name,
               GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_MALFORMED,
                   /* Translators: %s is a JSON member name such as "change_id" */
                   _("A change needs “%s” as text"), name);
      return NULL;
    }
  return json_node_get_string (node);
}

SapaChange *
sapa_change_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(SapaChange) change = g_new0 (SapaChange, 1);
  JsonObject *obj;
  JsonNode *fields;
  const char *change_id, *entity, *id, *op, *hlc;
  GError *local = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error, _("A change must be a JSON object")), NULL;
  obj = json_node_get_object (node);

  if ((change_id = string_member (obj, "change_id", error)) == NULL ||
      (entity = string_member (obj, "entity", error)) == NULL ||
      (id = string_member (obj, "id", error)) == NULL ||
      (op = string_member (obj, "op", error)) == NULL ||
      (hlc = string_member (obj, "hlc", error)) == NULL)
    return NULL;

  if (!g_uuid_string_is_valid (change_id))
    return malformed (error, _("A change_id must be a UUID")), NULL;
  if (g_str_equal (op, "upsert"))
    change->op = SAPA_CHANGE_UPSERT;
  else if (g_str_equal (op, "delete"))
    change->op = SAPA_CHANGE_DELETE;
  else
    return malformed (error, _("A change's op must be “upsert” or “delete”")), NULL;
  if (!sapa_hlc_parse (hlc, &change->hlc) || change->hlc == 0)
    return malformed (error, _("A change's hlc must be a decimal number in a string")), NULL;

  fields = json_object_get_member (obj, "fields");
  if (fields == NULL && change->op == SAPA_CHANGE_DELETE)
    {
      g_autoptr(JsonObject) none = json_object_new ();
      change->record = sapa_record_new_from_json (entity, id, none, &local);
    }
  else if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    return malformed (error, _("A change's fields must be a JSON object")), NULL;
  else
    change->record = sapa_record_new_from_json (entity, id, json_node_get_object (fields), &local);

  if (change->record == NULL)
    {
      g_set_error_literal (error, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_INVALID, local->message);
      g_error_free (local);
      return NULL;
    }
  if (change->op == SAPA_CHANGE_DELETE && sapa_record_get_entity (change->record)->append_only)
    {
      g_set_error_literal (error, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_INVALID,
                           _("Timeline entries and survey responses cannot be deleted"));
      return NULL;
    }
  if (json_object_has_member (obj, "client_id"))
    {
      const char *client_id = string_member (obj, "client_id", error);

      if (client_id == NULL)
        return NULL;
      if (!g_uuid_string_is_valid (client_id))
        return malformed (error, _("A change's client_id must be a UUID")), NULL;
      change->client_id = g_strdup (client_id);
    }
  change->change_id = g_strdup (change_id);
  return g_steal_pointer (&change);
}

SapaChange *
sapa_change_from_string (const char  *text,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  GError *local = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  /* Not json_parser_load_from_data directly: see sapa_json_parse_one. */
  root = sapa_json_parse_one (text, length, &local);
  if (root == NULL)
    {
      g_set_error (error, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_MALFORMED,
                   _("The change is not valid JSON: %s"), local->message);
      g_error_free (local);
      return NULL;
    }
  return sapa_change_from_json (root, error);
}

JsonNode *
sapa_change_to_json (const SapaChange *change)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *hlc = sapa_hlc_to_string (change->hlc);

  g_return_val_if_fail (change != NULL, NULL);

  json_object_set_string_member (obj, "change_id", change->change_id);
  json_object_set_string_member (obj, "entity", sapa_record_get_entity_name (change->record));
  json_object_set_string_member (obj, "id", sapa_record_get_id (change->record));
  json_object_set_string_member (obj, "op", change->op == SAPA_CHANGE_DELETE ? "delete" : "upsert");
  json_object_set_string_member (obj, "hlc", hlc);
  json_object_set_object_member (obj, "fields", sapa_record_to_json (change->record));
  if (change->client_id != NULL)
    json_object_set_string_member (obj, "client_id", change->client_id);
  json_node_take_object (node, obj);
  return node;
}

SapaChange *
sapa_change_from_log (JsonObject  *entry,
                      GError     **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) copy = json_object_new ();
  const char * const members[] = { "change_id", "entity", "id", "op", "hlc", "fields", "client_id" };

  g_return_val_if_fail (entry != NULL, NULL);

  /* The log entry also has "seq", which is not part of the wire format. */
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (json_object_has_member (entry, members[i]))
      json_object_set_member (copy, members[i], json_node_copy (json_object_get_member (entry, members[i])));
  json_node_set_object (node, copy);
  return sapa_change_from_json (node, error);
}
