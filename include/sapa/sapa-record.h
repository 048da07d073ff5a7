/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Records are described by a table (SapaEntity): each entity has a list of
 * fields with a type. One codec turns a record into SQLite columns, change-log
 * JSON and sync JSON and back, so every path stores the same thing.
 *
 * Field names are the snake_case names of DESIGN.md; JSON uses them as is.
 * Times are Unix seconds (gint64) in the record and in SQLite, ISO 8601 UTC
 * strings in JSON. Lists are arrays of strings.
 */

typedef enum {
  SAPA_FIELD_TEXT,
  SAPA_FIELD_INT,
  SAPA_FIELD_BOOL,
  SAPA_FIELD_TIME,
  SAPA_FIELD_LIST,
} SapaFieldType;

typedef struct {
  const char         *name;
  SapaFieldType       type;
  gboolean            required;
  const char * const *choices;   /* NULL-terminated allowed values, or NULL */
} SapaField;

typedef struct {
  const char      *name;         /* also the SQLite table */
  gboolean         append_only;  /* timeline entries, survey responses, audit events */
  const SapaField *fields;
  guint            n_fields;
} SapaEntity;

const SapaEntity  *sapa_entity_lookup        (const char       *name);
const SapaField   *sapa_entity_find_field    (const SapaEntity *entity,
                                              const char       *field);

extern const char * const sapa_branch_kinds[];        /* bank, hotel, retail, other */
extern const char * const sapa_agent_roles[];         /* agent, supervisor, admin */
extern const char * const sapa_segments[];            /* regular, priority, vip */
extern const char * const sapa_languages[];           /* id, en */
extern const char * const sapa_channels[];            /* walk_in, phone, email, chat, whatsapp, instagram, facebook, x, video, app, help_center, note */
extern const char * const sapa_directions[];          /* inbound, outbound, internal */
extern const char * const sapa_statuses[];            /* open, pending, resolved, closed */
extern const char * const sapa_priorities[];          /* low, normal, high, urgent */
extern const char * const sapa_contact_reasons[];     /* account, card, transfer, loan, booking, billing, product, complaint, technical, other */
extern const char * const sapa_complaint_steps[];     /* listen, empathise, apologise, ask, offer, follow_up, document */
extern const char * const sapa_departments[];         /* operations, customer_care, compliance, legal, it, housekeeping, management */
extern const char * const sapa_survey_kinds[];        /* csat, nps, ces */
extern const char * const sapa_collected_via[];       /* kiosk, link, chat, phone, in_person */
extern const char * const sapa_interaction_events[];  /* status, complaint, checklist, follow_up, escalation */

gboolean sapa_choice_is_valid (const char * const *choices,
                               const char         *value);

#define SAPA_RECORD_ERROR (sapa_record_error_quark ())
typedef enum {
  SAPA_RECORD_ERROR_UNKNOWN_ENTITY,
  SAPA_RECORD_ERROR_UNKNOWN_FIELD,
  SAPA_RECORD_ERROR_WRONG_TYPE,
  SAPA_RECORD_ERROR_MISSING_FIELD,
  SAPA_RECORD_ERROR_INVALID_VALUE,
} SapaRecordError;
GQuark sapa_record_error_quark (void);

#define SAPA_TYPE_RECORD (sapa_record_get_type ())
G_DECLARE_FINAL_TYPE (SapaRecord, sapa_record, SAPA, RECORD, GObject)

SapaRecord       *sapa_record_new            (const char  *entity);   /* fresh UUID */
SapaRecord       *sapa_record_new_with_id    (const char  *entity,
                                              const char  *id);
SapaRecord       *sapa_record_copy           (SapaRecord  *self);
const SapaEntity *sapa_record_get_entity     (SapaRecord  *self);
const char       *sapa_record_get_entity_name(SapaRecord  *self);
const char       *sapa_record_get_id         (SapaRecord  *self);

gboolean          sapa_record_has            (SapaRecord  *self,
                                              const char  *field);
void              sapa_record_unset          (SapaRecord  *self,
                                              const char  *field);
const char       *sapa_record_get_string     (SapaRecord  *self,
                                              const char  *field);
void              sapa_record_set_string     (SapaRecord  *self,
                                              const char  *field,
                                              const char  *value);   /* NULL unsets */
gint64            sapa_record_get_int        (SapaRecord  *self,
                                              const char  *field);   /* INT, TIME, BOOL; 0 if unset */
void              sapa_record_set_int        (SapaRecord  *self,
                                              const char  *field,
                                              gint64       value);
gboolean          sapa_record_get_bool       (SapaRecord  *self,
                                              const char  *field);
void              sapa_record_set_bool       (SapaRecord  *self,
                                              const char  *field,
                                              gboolean     value);
/* LIST fields: a new NULL-terminated array (never NULL) */
char            **sapa_record_dup_list       (SapaRecord  *self,
                                              const char  *field);
void              sapa_record_set_list       (SapaRecord  *self,
                                              const char  *field,
                                              const char * const *values);

/* Display-only values joined in by queries (author_name, conversation_subject,
 * score, ...). Never stored. */
const char       *sapa_record_get_extra      (SapaRecord  *self,
                                              const char  *key);
void              sapa_record_set_extra      (SapaRecord  *self,
                                              const char  *key,
                                              const char  *value);

/* The record's fields as the JSON object of the sync protocol (a new reference). */
JsonObject       *sapa_record_to_json        (SapaRecord  *self);
/* Checks names, types and choices; unknown fields and wrong types are errors. */
SapaRecord       *sapa_record_new_from_json  (const char  *entity,
                                              const char  *id,
                                              JsonObject  *fields,
                                              GError     **error);
/* Required fields present, choices respected, phones and emails well formed. */
gboolean          sapa_record_validate       (SapaRecord  *self,
                                              GError     **error);
/* Names of the fields whose values differ (both records of the same entity). */
GPtrArray        *sapa_record_diff           (SapaRecord  *old_record,
                                              SapaRecord  *new_record);

G_END_DECLS
