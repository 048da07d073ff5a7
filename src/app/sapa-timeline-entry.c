/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-timeline-entry"

#include "config.h"

#include "sapa-timeline-entry.h"

struct _SapaTimelineEntry
{
  GObject     parent_instance;
  SapaRecord *record;
  guint       day;
  gboolean    first_of_day;
};

G_DEFINE_FINAL_TYPE (SapaTimelineEntry, sapa_timeline_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECORD,
  PROP_FIRST_OF_DAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sapa_timeline_entry_finalize (GObject *object)
{
  SapaTimelineEntry *self = SAPA_TIMELINE_ENTRY (object);

  g_clear_object (&self->record);

  G_OBJECT_CLASS (sapa_timeline_entry_parent_class)->finalize (object);
}

static void
sapa_timeline_entry_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SapaTimelineEntry *self = SAPA_TIMELINE_ENTRY (object);

  switch (prop_id)
    {
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;
    case PROP_FIRST_OF_DAY:
      g_value_set_boolean (value, self->first_of_day);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_timeline_entry_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SapaTimelineEntry *self = SAPA_TIMELINE_ENTRY (object);

  switch (prop_id)
    {
    case PROP_FIRST_OF_DAY:
      sapa_timeline_entry_set_first_of_day (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_timeline_entry_class_init (SapaTimelineEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sapa_timeline_entry_finalize;
  object_class->get_property = sapa_timeline_entry_get_property;
  object_class->set_property = sapa_timeline_entry_set_property;

  properties[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL, SAPA_TYPE_RECORD,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_OF_DAY] =
    g_param_spec_boolean ("first-of-day", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sapa_timeline_entry_init (SapaTimelineEntry *self)
{
}

SapaTimelineEntry *
sapa_timeline_entry_new (SapaRecord *interaction)
{
  SapaTimelineEntry *self;
  g_autoptr(GDateTime) when = NULL;

  g_return_val_if_fail (SAPA_IS_RECORD (interaction), NULL);

  self = g_object_new (SAPA_TYPE_TIMELINE_ENTRY, NULL);
  self->record = g_object_ref (interaction);
  when = g_date_time_new_from_unix_local (sapa_record_get_int (interaction, "started_at"));
  if (when != NULL)
    {
      int y, m, d;

      g_date_time_get_ymd (when, &y, &m, &d);
      self->day = (guint) (y * 10000 + m * 100 + d);
    }
  return self;
}

SapaRecord *
sapa_timeline_entry_get_record (SapaTimelineEntry *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ENTRY (self), NULL);
  return self->record;
}

const char *
sapa_timeline_entry_get_id (SapaTimelineEntry *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ENTRY (self), NULL);
  return sapa_record_get_id (self->record);
}

gint64
sapa_timeline_entry_get_started_at (SapaTimelineEntry *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ENTRY (self), 0);
  return sapa_record_get_int (self->record, "started_at");
}

guint
sapa_timeline_entry_get_day (SapaTimelineEntry *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ENTRY (self), 0);
  return self->day;
}

gboolean
sapa_timeline_entry_get_first_of_day (SapaTimelineEntry *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ENTRY (self), FALSE);
  return self->first_of_day;
}

void
sapa_timeline_entry_set_first_of_day (SapaTimelineEntry *self,
                                      gboolean           first_of_day)
{
  g_return_if_fail (SAPA_IS_TIMELINE_ENTRY (self));

  first_of_day = !!first_of_day;
  if (self->first_of_day == first_of_day)
    return;
  self->first_of_day = first_of_day;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_OF_DAY]);
}

void
sapa_timeline_entry_update_conversation (SapaTimelineEntry *self,
                                         SapaRecord        *conversation)
{
  g_autoptr(SapaRecord) copy = NULL;

  g_return_if_fail (SAPA_IS_TIMELINE_ENTRY (self));
  g_return_if_fail (SAPA_IS_RECORD (conversation));

  /* A new record object rather than edited extras: a page query running in
   * a thread may be reading the old one. */
  copy = sapa_record_copy (self->record);
  sapa_record_set_extra (copy, "conversation_subject",
                         sapa_record_get_string (conversation, "subject"));
  sapa_record_set_extra (copy, "conversation_status",
                         sapa_record_get_string (conversation, "status"));
  sapa_record_set_extra (copy, "conversation_reason",
                         sapa_record_get_string (conversation, "reason"));
  sapa_record_set_extra (copy, "conversation_complaint",
                         sapa_record_get_bool (conversation, "is_complaint") ? "1" : "0");
  g_set_object (&self->record, copy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
}
