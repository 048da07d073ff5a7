/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-record"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <sapa/sapa-record.h>
#include <sapa/sapa-text.h>

struct _SapaRecord
{
  GObject           parent_instance;
  const SapaEntity *entity;
  char             *id;
  JsonObject       *fields;
  GHashTable       *extras;
};

G_DEFINE_FINAL_TYPE (SapaRecord, sapa_record, G_TYPE_OBJECT)
G_DEFINE_QUARK (sapa-record-error-quark, sapa_record_error)

const char * const sapa_branch_kinds[] = { "bank", "hotel", "retail", "other", NULL };
const char * const sapa_agent_roles[] = { "agent", "supervisor", "admin", NULL };
const char * const sapa_segments[] = { "regular", "priority", "vip", NULL };
const char * const sapa_languages[] = { "id", "en", NULL };
const char * const sapa_channels[] = {
  "walk_in", "phone", "email", "chat", "whatsapp", "instagram", "facebook", "x",
  "video", "app", "help_center", "note", NULL
};
const char * const sapa_directions[] = { "inbound", "outbound", "internal", NULL };
const char * const sapa_statuses[] = { "open", "pending", "resolved", "closed", NULL };
const char * const sapa_priorities[] = { "low", "normal", "high", "urgent", NULL };
const char * const sapa_contact_reasons[] = {
  "account", "card", "transfer", "loan", "booking", "billing", "product",
  "complaint", "technical", "other", NULL
};
const char * const sapa_complaint_steps[] = {
  "listen", "empathise", "apologise", "ask", "offer", "follow_up", "document", NULL
};
const char * const sapa_departments[] = {
  "operations", "customer_care", "compliance", "legal", "it", "housekeeping", "management", NULL
};
const char * const sapa_survey_kinds[] = { "csat", "nps", "ces", NULL };
const char * const sapa_collected_via[] = { "kiosk", "link", "chat", "phone", "in_person", NULL };
const char * const sapa_interaction_events[] = {
  "status", "complaint", "checklist", "follow_up", "escalation", NULL
};
static const char * const audit_actions[] = { "reveal_account", "edit_customer", "create_customer", NULL };

#define T SAPA_FIELD_TEXT
#define I SAPA_FIELD_INT
#define B SAPA_FIELD_BOOL
#define TM SAPA_FIELD_TIME
#define L SAPA_FIELD_LIST

static const SapaField branch_fields[] = {
  { "name", T, TRUE, NULL },
  { "kind", T, TRUE, sapa_branch_kinds },
  { "timezone", T, FALSE, NULL },
};
static const SapaField agent_fields[] = {
  { "username", T, TRUE, NULL },
  { "display_name", T, TRUE, NULL },
  { "role", T, TRUE, sapa_agent_roles },
  { "branch_id", T, FALSE, NULL },
  { "language", T, FALSE, sapa_languages },
};
static const SapaField customer_fields[] = {
  { "full_name", T, TRUE, NULL },
  { "phones", L, FALSE, NULL },
  { "emails", L, FALSE, NULL },
  { "account_number", T, FALSE, NULL },
  { "segment", T, TRUE, sapa_segments },
  { "preferred_language", T, FALSE, sapa_languages },
  { "preferred_channel", T, FALSE, sapa_channels },
  { "tags", L, FALSE, NULL },
  { "notes", T, FALSE, NULL },
  { "branch_id", T, FALSE, NULL },
  { "merged_into", T, FALSE, NULL },
  { "created_at", TM, FALSE, NULL },
  { "handles", L, FALSE, NULL },
};
static const SapaField conversation_fields[] = {
  { "customer_id", T, TRUE, NULL },
  { "branch_id", T, FALSE, NULL },
  { "channel", T, TRUE, sapa_channels },
  { "subject", T, FALSE, NULL },
  { "reason", T, FALSE, sapa_contact_reasons },
  { "status", T, TRUE, sapa_statuses },
  { "priority", T, FALSE, sapa_priorities },
  { "assignee_id", T, FALSE, NULL },
  { "is_complaint", B, FALSE, NULL },
  { "complaint_steps", L, FALSE, sapa_complaint_steps },
  { "follow_up_due", TM, FALSE, NULL },
  { "escalated_to", T, FALSE, sapa_departments },
  { "escalation_reason", T, FALSE, NULL },
  { "opened_at", TM, TRUE, NULL },
  { "first_response_at", TM, FALSE, NULL },
  { "resolved_at", TM, FALSE, NULL },
  { "reopened_at", TM, FALSE, NULL },
  { "contact_count", I, FALSE, NULL },
  { "sla_due", TM, FALSE, NULL },
};
static const SapaField interaction_fields[] = {
  { "conversation_id", T, FALSE, NULL },
  { "customer_id", T, TRUE, NULL },
  { "channel", T, TRUE, sapa_channels },
  { "direction", T, TRUE, sapa_directions },
  { "event", T, FALSE, sapa_interaction_events },
  { "author_id", T, FALSE, NULL },
  { "body", T, FALSE, NULL },
  { "started_at", TM, TRUE, NULL },
  { "ended_at", TM, FALSE, NULL },
  { "wait_seconds", I, FALSE, NULL },
  { "external_ref", T, FALSE, NULL },
};
static const SapaField survey_response_fields[] = {
  { "kind", T, TRUE, sapa_survey_kinds },
  { "score", I, TRUE, NULL },
  { "comment", T, FALSE, NULL },
  { "customer_id", T, FALSE, NULL },
  { "conversation_id", T, FALSE, NULL },
  { "agent_id", T, FALSE, NULL },
  { "branch_id", T, FALSE, NULL },
  { "channel", T, FALSE, sapa_channels },
  { "collected_via", T, TRUE, sapa_collected_via },
  { "collected_at", TM, TRUE, NULL },
};
static const SapaField canned_response_fields[] = {
  { "language", T, FALSE, sapa_languages },
  { "title", T, TRUE, NULL },
  { "body", T, TRUE, NULL },
  { "tags", L, FALSE, NULL },
};
static const SapaField audit_event_fields[] = {
  { "action", T, TRUE, audit_actions },
  { "agent_id", T, FALSE, NULL },
  { "customer_id", T, FALSE, NULL },
  { "detail", T, FALSE, NULL },
  { "at", TM, TRUE, NULL },
};

#undef T
#undef I
#undef B
#undef TM
#undef L

#define ENTITY(n, ao) { #n, ao, n##_fields, G_N_ELEMENTS (n##_fields) }
static const SapaEntity entities[] = {
  ENTITY (branch, FALSE),
  ENTITY (agent, FALSE),
  ENTITY (customer, FALSE),
  ENTITY (conversation, FALSE),
  ENTITY (interaction, TRUE),
  ENTITY (survey_response, TRUE),
  ENTITY (canned_response, FALSE),
  ENTITY (audit_event, TRUE),
};
#undef ENTITY

const SapaEntity *
sapa_entity_lookup (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    if (g_str_equal (entities[i].name, name))
      return &entities[i];
  return NULL;
}

const SapaField *
sapa_entity_find_field (const SapaEntity *entity,
                        const char       *field)
{
  g_return_val_if_fail (entity != NULL, NULL);
  for (guint i = 0; i < entity->n_fields; i++)
    if (g_str_equal (entity->fields[i].name, field))
      return &entity->fields[i];
  return NULL;
}

gboolean
sapa_choice_is_valid (const char * const *choices,
                      const char         *value)
{
  return value != NULL && g_strv_contains (choices, value);
}

static void
sapa_record_finalize (GObject *object)
{
  SapaRecord *self = SAPA_RECORD (object);

  g_free (self->id);
  g_clear_pointer (&self->fields, json_object_unref);
  g_clear_pointer (&self->extras, g_hash_table_unref);

  G_OBJECT_CLASS (sapa_record_parent_class)->finalize (object);
}

static void
sapa_record_class_init (SapaRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sapa_record_finalize;
}

static void
sapa_record_init (SapaRecord *self)
{
  self->fields = json_object_new ();
}

static const SapaField *
field_of (SapaRecord *self,
          const char *field)
{
  const SapaField *f = sapa_entity_find_field (self->entity, field);

  if (f == NULL)
    g_critical ("%s has no field %s", self->entity->name, field);
  return f;
}

SapaRecord *
sapa_record_new_with_id (const char *entity,
                         const char *id)
{
  const SapaEntity *e = sapa_entity_lookup (entity);
  SapaRecord *self;

  g_return_val_if_fail (e != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (SAPA_TYPE_RECORD, NULL);
  self->entity = e;
  self->id = g_strdup (id);
  return self;
}

SapaRecord *
sapa_record_new (const char *entity)
{
  g_autofree char *id = sapa_uuid_new ();

  return sapa_record_new_with_id (entity, id);
}

SapaRecord *
sapa_record_copy (SapaRecord *self)
{
  SapaRecord *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);

  copy = sapa_record_new_with_id (self->entity->name, self->id);
  json_object_iter_init (&iter, self->fields);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (copy->fields, name, json_node_copy (node));
  if (self->extras != NULL)
    {
      GHashTableIter hi;
      gpointer k, v;

      g_hash_table_iter_init (&hi, self->extras);
      while (g_hash_table_iter_next (&hi, &k, &v))
        sapa_record_set_extra (copy, k, v);
    }
  return copy;
}

const SapaEntity *
sapa_record_get_entity (SapaRecord *self)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  return self->entity;
}

const char *
sapa_record_get_entity_name (SapaRecord *self)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  return self->entity->name;
}

const char *
sapa_record_get_id (SapaRecord *self)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  return self->id;
}

gboolean
sapa_record_has (SapaRecord *self,
                 const char *field)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), FALSE);
  return json_object_has_member (self->fields, field) &&
         !json_object_get_null_member (self->fields, field);
}

void
sapa_record_unset (SapaRecord *self,
                   const char *field)
{
  g_return_if_fail (SAPA_IS_RECORD (self));
  if (json_object_has_member (self->fields, field))
    json_object_remove_member (self->fields, field);
}

const char *
sapa_record_get_string (SapaRecord *self,
                        const char *field)
{
  const SapaField *f;

  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  f = field_of (self, field);
  g_return_val_if_fail (f != NULL && f->type == SAPA_FIELD_TEXT, NULL);
  if (!sapa_record_has (self, field))
    return NULL;
  return json_object_get_string_member (self->fields, field);
}

void
sapa_record_set_string (SapaRecord *self,
                        const char *field,
                        const char *value)
{
  const SapaField *f;

  g_return_if_fail (SAPA_IS_RECORD (self));
  f = field_of (self, field);
  g_return_if_fail (f != NULL && f->type == SAPA_FIELD_TEXT);
  if (value == NULL)
    sapa_record_unset (self, field);
  else
    json_object_set_string_member (self->fields, field, value);
}

gint64
sapa_record_get_int (SapaRecord *self,
                     const char *field)
{
  const SapaField *f;

  g_return_val_if_fail (SAPA_IS_RECORD (self), 0);
  f = field_of (self, field);
  g_return_val_if_fail (f != NULL && (f->type == SAPA_FIELD_INT || f->type == SAPA_FIELD_TIME ||
                                      f->type == SAPA_FIELD_BOOL), 0);
  if (!sapa_record_has (self, field))
    return 0;
  if (f->type == SAPA_FIELD_BOOL)
    return json_object_get_boolean_member (self->fields, field);
  return json_object_get_int_member (self->fields, field);
}

void
sapa_record_set_int (SapaRecord *self,
                     const char *field,
                     gint64      value)
{
  const SapaField *f;

  g_return_if_fail (SAPA_IS_RECORD (self));
  f = field_of (self, field);
  g_return_if_fail (f != NULL && (f->type == SAPA_FIELD_INT || f->type == SAPA_FIELD_TIME ||
                                  f->type == SAPA_FIELD_BOOL));
  if (f->type == SAPA_FIELD_BOOL)
    json_object_set_boolean_member (self->fields, field, value != 0);
  else
    json_object_set_int_member (self->fields, field, value);
}

gboolean
sapa_record_get_bool (SapaRecord *self,
                      const char *field)
{
  return sapa_record_get_int (self, field) != 0;
}

void
sapa_record_set_bool (SapaRecord *self,
                      const char *field,
                      gboolean    value)
{
  sapa_record_set_int (self, field, value ? 1 : 0);
}

char **
sapa_record_dup_list (SapaRecord *self,
                      const char *field)
{
  const SapaField *f;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  f = field_of (self, field);
  g_return_val_if_fail (f != NULL && f->type == SAPA_FIELD_LIST, NULL);

  if (sapa_record_has (self, field))
    {
      array = json_object_get_array_member (self->fields, field);
      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (builder, json_array_get_string_element (array, i));
    }
  return g_strv_builder_end (builder);
}

void
sapa_record_set_list (SapaRecord         *self,
                      const char         *field,
                      const char * const *values)
{
  const SapaField *f;
  JsonArray *array;

  g_return_if_fail (SAPA_IS_RECORD (self));
  f = field_of (self, field);
  g_return_if_fail (f != NULL && f->type == SAPA_FIELD_LIST);

  /* An empty list is the same as no list: one spelling, so diffs agree. */
  if (values == NULL || values[0] == NULL)
    {
      sapa_record_unset (self, field);
      return;
    }
  array = json_array_new ();
  for (guint i = 0; values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  json_object_set_array_member (self->fields, field, array);
}

const char *
sapa_record_get_extra (SapaRecord *self,
                       const char *key)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);
  return self->extras ? g_hash_table_lookup (self->extras, key) : NULL;
}

void
sapa_record_set_extra (SapaRecord *self,
                       const char *key,
                       const char *value)
{
  g_return_if_fail (SAPA_IS_RECORD (self));
  if (self->extras == NULL)
    self->extras = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value == NULL)
    g_hash_table_remove (self->extras, key);
  else
    g_hash_table_insert (self->extras, g_strdup (key), g_strdup (value));
}

static char *
time_to_iso (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  /* Four-digit years always: "%Y" drops leading zeros, which ISO 8601 parsers refuse. */
  if (dt == NULL)
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt));
}

JsonObject *
sapa_record_to_json (SapaRecord *self)
{
  JsonObject *out;

  g_return_val_if_fail (SAPA_IS_RECORD (self), NULL);

  out = json_object_new ();
  for (guint i = 0; i < self->entity->n_fields; i++)
    {
      const SapaField *f = &self->entity->fields[i];
      JsonNode *node;

      if (!json_object_has_member (self->fields, f->name))
        continue;
      node = json_object_get_member (self->fields, f->name);
      if (f->type == SAPA_FIELD_TIME && !JSON_NODE_HOLDS_NULL (node))
        {
          g_autofree char *iso = time_to_iso (json_node_get_int (node));
          json_object_set_string_member (out, f->name, iso);
        }
      else
        json_object_set_member (out, f->name, json_node_copy (node));
    }
  return out;
}

static gboolean
bad_type (GError   **error,
          const char *entity,
          const char *field,
          const char *expected)
{
  g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_WRONG_TYPE,
               /* Translators: e.g. "customer.phones must be a list of text" */
               _("%s.%s must be %s"), entity, field, expected);
  return FALSE;
}

static gboolean
set_from_json (SapaRecord      *self,
               const SapaField *f,
               JsonNode        *node,
               GError         **error)
{
  const char *entity = self->entity->name;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      json_object_set_null_member (self->fields, f->name);
      return TRUE;
    }

  switch (f->type)
    {
    case SAPA_FIELD_TEXT:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return bad_type (error, entity, f->name, _("text"));
      if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
        return bad_type (error, entity, f->name, _("valid UTF-8 text"));
      json_object_set_string_member (self->fields, f->name, json_node_get_string (node));
      return TRUE;

    case SAPA_FIELD_INT:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        return bad_type (error, entity, f->name, _("a whole number"));
      json_object_set_int_member (self->fields, f->name, json_node_get_int (node));
      return TRUE;

    case SAPA_FIELD_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return bad_type (error, entity, f->name, _("true or false"));
      json_object_set_boolean_member (self->fields, f->name, json_node_get_boolean (node));
      return TRUE;

    case SAPA_FIELD_TIME:
      {
        g_autoptr(GDateTime) dt = NULL;

        if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
            (dt = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL)) == NULL)
          return bad_type (error, entity, f->name, _("a date and time in ISO 8601"));
        json_object_set_int_member (self->fields, f->name, g_date_time_to_unix (dt));
        return TRUE;
      }

    case SAPA_FIELD_LIST:
      {
        JsonArray *in, *out;

        if (!JSON_NODE_HOLDS_ARRAY (node))
          return bad_type (error, entity, f->name, _("a list of text"));
        in = json_node_get_array (node);
        out = json_array_new ();
        for (guint i = 0; i < json_array_get_length (in); i++)
          {
            JsonNode *el = json_array_get_element (in, i);

            if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING ||
                !g_utf8_validate (json_node_get_string (el), -1, NULL))
              {
                json_array_unref (out);
                return bad_type (error, entity, f->name, _("a list of text"));
              }
            json_array_add_string_element (out, json_node_get_string (el));
          }
        if (json_array_get_length (out) == 0)
          {
            json_array_unref (out);
            json_object_set_null_member (self->fields, f->name);
          }
        else
          json_object_set_array_member (self->fields, f->name, out);
        return TRUE;
      }
    }
  g_assert_not_reached ();
}

SapaRecord *
sapa_record_new_from_json (const char  *entity,
                           const char  *id,
                           JsonObject  *fields,
                           GError     **error)
{
  const SapaEntity *e = sapa_entity_lookup (entity);
  g_autoptr(SapaRecord) self = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (e == NULL)
    {
      g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_UNKNOWN_ENTITY,
                   _("Unknown record type “%s”"), entity ? entity : "");
      return NULL;
    }
  if (id == NULL || !g_uuid_string_is_valid (id))
    {
      g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE,
                   _("A record id must be a UUID"));
      return NULL;
    }

  self = sapa_record_new_with_id (entity, id);
  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &name, &node))
    {
      const SapaField *f = sapa_entity_find_field (e, name);

      if (f == NULL)
        {
          g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_UNKNOWN_FIELD,
                       _("%s has no field “%s”"), entity, name);
          return NULL;
        }
      if (!set_from_json (self, f, node, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
sapa_record_validate (SapaRecord  *self,
                      GError     **error)
{
  g_return_val_if_fail (SAPA_IS_RECORD (self), FALSE);

  for (guint i = 0; i < self->entity->n_fields; i++)
    {
      const SapaField *f = &self->entity->fields[i];

      if (!sapa_record_has (self, f->name))
        {
          if (f->required)
            {
              g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_MISSING_FIELD,
                           _("%s.%s is required"), self->entity->name, f->name);
              return FALSE;
            }
          continue;
        }
      if (f->type == SAPA_FIELD_TEXT && f->required)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (sapa_record_get_string (self, f->name)));
          if (*trimmed == '\0')
            {
              g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_MISSING_FIELD,
                           _("%s.%s is required"), self->entity->name, f->name);
              return FALSE;
            }
        }
      if (f->choices != NULL)
        {
          g_auto(GStrv) values = NULL;

          if (f->type == SAPA_FIELD_LIST)
            values = sapa_record_dup_list (self, f->name);
          else
            values = g_strdupv ((char *[]) { (char *) sapa_record_get_string (self, f->name), NULL });
          for (guint j = 0; values[j] != NULL; j++)
            if (!sapa_choice_is_valid (f->choices, values[j]))
              {
                g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE,
                             /* Translators: e.g. "“gold” is not a valid customer.segment" */
                             _("“%s” is not a valid %s.%s"), values[j], self->entity->name, f->name);
                return FALSE;
              }
        }
    }

  if (g_str_equal (self->entity->name, "customer"))
    {
      g_auto(GStrv) phones = sapa_record_dup_list (self, "phones");
      g_auto(GStrv) emails = sapa_record_dup_list (self, "emails");

      for (guint i = 0; phones[i] != NULL; i++)
        {
          g_autofree char *norm = sapa_phone_normalize (phones[i], error);
          if (norm == NULL)
            return FALSE;
          if (!g_str_equal (norm, phones[i]))
            {
              g_set_error_literal (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE,
                                   _("Phone numbers must be stored in international form (+62…)"));
              return FALSE;
            }
        }
      for (guint i = 0; emails[i] != NULL; i++)
        {
          g_autofree char *norm = sapa_email_normalize (emails[i], error);
          if (norm == NULL)
            return FALSE;
        }
      if (sapa_record_has (self, "account_number"))
        {
          g_autofree char *norm = sapa_account_normalize (sapa_record_get_string (self, "account_number"), error);
          if (norm == NULL)
            return FALSE;
        }
    }
  else if (g_str_equal (self->entity->name, "survey_response"))
    {
      const char *kind = sapa_record_get_string (self, "kind");
      gint64 score = sapa_record_get_int (self, "score");
      gint64 lo = g_str_equal (kind, "nps") ? 0 : 1;
      gint64 hi = g_str_equal (kind, "csat") ? 5 : g_str_equal (kind, "nps") ? 10 : 7;

      if (score < lo || score > hi)
        {
          g_set_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE,
                       /* Translators: e.g. "A csat score must be between 1 and 5" */
                       _("A %s score must be between %d and %d"), kind, (int) lo, (int) hi);
          return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
sapa_record_diff (SapaRecord *old_record,
                  SapaRecord *new_record)
{
  GPtrArray *changed = g_ptr_array_new ();

  g_return_val_if_fail (SAPA_IS_RECORD (new_record), changed);
  g_return_val_if_fail (old_record == NULL || old_record->entity == new_record->entity, changed);

  for (guint i = 0; i < new_record->entity->n_fields; i++)
    {
      const char *name = new_record->entity->fields[i].name;
      gboolean had = old_record != NULL && sapa_record_has (old_record, name);
      gboolean has = sapa_record_has (new_record, name);

      if (had != has)
        g_ptr_array_add (changed, (gpointer) name);
      else if (has && !json_node_equal (json_object_get_member (old_record->fields, name),
                                        json_object_get_member (new_record->fields, name)))
        g_ptr_array_add (changed, (gpointer) name);
    }
  return changed;
}
