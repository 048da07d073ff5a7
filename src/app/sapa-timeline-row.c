/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-timeline-row"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-format.h"
#include "sapa-timeline-row.h"

struct _SapaTimelineRow
{
  AdwBin             parent_instance;

  GtkLabel          *author_label;
  GtkLabel          *body_label;
  GtkImage          *channel_icon;
  GtkLabel          *channel_label;
  GtkLabel          *conversation_label;
  GtkLabel          *day_label;
  GtkLabel          *direction_label;
  GtkLabel          *duration_label;
  GtkLabel          *status_label;
  GtkLabel          *time_label;

  SapaTimelineEntry *entry;
  char              *channel_class;
  char              *status_class;
};

G_DEFINE_FINAL_TYPE (SapaTimelineRow, sapa_timeline_row, ADW_TYPE_BIN)

static gboolean
has_duration (const char *channel)
{
  return g_strcmp0 (channel, "phone") == 0 || g_strcmp0 (channel, "walk_in") == 0 ||
         g_strcmp0 (channel, "video") == 0;
}

char *
sapa_timeline_describe_duration (SapaRecord *interaction)
{
  gint64 started, ended;

  g_return_val_if_fail (SAPA_IS_RECORD (interaction), NULL);

  if (sapa_record_get_string (interaction, "event") != NULL ||
      !has_duration (sapa_record_get_string (interaction, "channel")) ||
      !sapa_record_has (interaction, "ended_at"))
    return NULL;
  started = sapa_record_get_int (interaction, "started_at");
  ended = sapa_record_get_int (interaction, "ended_at");
  if (ended < started)
    return NULL;
  return sapa_format_duration (ended - started);
}

/* System events carry their detail in the body as written by sapa-desk.c;
 * the sentence is made here so it follows the reader's language. */
char *
sapa_timeline_describe (SapaRecord *interaction)
{
  const char *event, *body;

  g_return_val_if_fail (SAPA_IS_RECORD (interaction), NULL);

  event = sapa_record_get_string (interaction, "event");
  body = sapa_record_get_string (interaction, "body");
  if (body == NULL)
    body = "";
  if (event == NULL)
    return g_strdup (body);

  if (g_str_equal (event, "status"))
    /* Translators: a timeline event; %s is a status such as "Resolved" */
    return g_strdup_printf (_("Status changed to %s"), sapa_label_status (body));

  if (g_str_equal (event, "complaint"))
    {
      if (g_str_equal (body, "0") || g_str_equal (body, "false"))
        return g_strdup (_("No longer a complaint"));
      return g_strdup (_("Marked as a complaint"));
    }

  if (g_str_equal (event, "checklist"))
    {
      /* "apologise 1": the step, then 1 (done) or 0 (undone) */
      g_auto(GStrv) parts = g_strsplit (body, " ", 2);
      const char *step = parts[0] != NULL ? parts[0] : "";
      gboolean done = parts[0] == NULL || parts[1] == NULL || !g_str_equal (parts[1], "0");

      if (done)
        /* Translators: a timeline event; %s is a complaint step such as "Apologise" */
        return g_strdup_printf (_("Checklist: %s done"), sapa_label_complaint_step (step));
      /* Translators: a timeline event; %s is a complaint step such as "Apologise" */
      return g_strdup_printf (_("Checklist: %s not done"), sapa_label_complaint_step (step));
    }

  if (g_str_equal (event, "follow_up"))
    {
      /* Unix seconds, or empty when the date was cleared */
      gint64 due = g_ascii_strtoll (body, NULL, 10);
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *date = NULL;

      if (due <= 0)
        return g_strdup (_("Follow-up cleared"));
      when = g_date_time_new_from_unix_local (due);
      if (when == NULL)
        return g_strdup (body);
      date = sapa_format_date (when);
      /* Translators: a timeline event; %s is a date such as "25 Nov 2026" */
      return g_strdup_printf (_("Follow-up due %s"), date);
    }

  if (g_str_equal (event, "escalation"))
    {
      /* "legal\nthe reason" */
      g_auto(GStrv) parts = g_strsplit (body, "\n", 2);
      const char *department = parts[0] != NULL ? parts[0] : "";
      const char *reason = parts[0] != NULL ? parts[1] : NULL;

      if (reason != NULL && *reason != '\0')
        /* Translators: a timeline event; the first %s is a department such as
         * "Legal", the second the reason given */
        return g_strdup_printf (_("Escalated to %s: %s"), sapa_label_department (department), reason);
      /* Translators: a timeline event; %s is a department such as "Legal" */
      return g_strdup_printf (_("Escalated to %s"), sapa_label_department (department));
    }

  return g_strdup (body);
}

/* The row shows a few lines: laying out a whole 100,000-character body to
 * ellipsize it took Pango tens of seconds, so only the start is kept. */
#define MAX_SHOWN_CHARS 1500
#define MAX_SHOWN_LINES 12

static char *
shorten (char *text)
{
  const char *p = text;
  glong chars = 0;
  guint lines = 0;

  while (*p != '\0' && chars < MAX_SHOWN_CHARS && lines < MAX_SHOWN_LINES)
    {
      if (*p == '\n')
        lines++;
      p = g_utf8_next_char (p);
      chars++;
    }
  if (*p == '\0')
    return text;
  {
    char *cut = g_strdup_printf ("%.*s…", (int) (p - text), text);

    g_free (text);
    return cut;
  }
}

static void
swap_class (GtkWidget  *widget,
            char      **current,
            char       *wanted)
{
  if (g_strcmp0 (*current, wanted) == 0)
    {
      g_free (wanted);
      return;
    }
  if (*current != NULL)
    gtk_widget_remove_css_class (widget, *current);
  g_free (*current);
  *current = wanted;
  if (wanted != NULL)
    gtk_widget_add_css_class (widget, wanted);
}

static void
update (SapaTimelineRow *self)
{
  SapaRecord *record;
  const char *channel, *direction, *author, *subject, *status;
  g_autofree char *body = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *time = NULL;
  g_autofree char *channel_class = NULL;
  g_autofree char *a11y = NULL;
  g_autoptr(GDateTime) when = NULL;

  if (self->entry == NULL)
    return;

  record = sapa_timeline_entry_get_record (self->entry);
  channel = sapa_record_get_string (record, "channel");
  direction = sapa_record_get_string (record, "direction");
  author = sapa_record_get_extra (record, "author_name");
  subject = sapa_record_get_extra (record, "conversation_subject");
  status = sapa_record_get_extra (record, "conversation_status");

  when = g_date_time_new_from_unix_local (sapa_record_get_int (record, "started_at"));
  if (sapa_timeline_entry_get_first_of_day (self->entry) && when != NULL)
    {
      g_autofree char *day = sapa_format_day (when);

      gtk_label_set_text (self->day_label, day);
      gtk_widget_set_visible (GTK_WIDGET (self->day_label), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->day_label), FALSE);
    }
  time = when != NULL ? sapa_format_time_of_day (when) : g_strdup ("");
  gtk_label_set_text (self->time_label, time);

  gtk_image_set_from_icon_name (self->channel_icon, sapa_channel_icon_name (channel));
  channel_class = g_strdelimit (g_strdup_printf ("channel-%s", channel ? channel : "note"), "_", '-');
  swap_class (GTK_WIDGET (self->channel_icon), &self->channel_class, g_steal_pointer (&channel_class));
  gtk_label_set_text (self->channel_label, sapa_label_channel (channel));
  gtk_label_set_text (self->direction_label, sapa_label_direction (direction));
  /* "Internal note, Internal note" says nothing twice */
  gtk_widget_set_visible (GTK_WIDGET (self->direction_label),
                          g_strcmp0 (channel, "note") != 0 || g_strcmp0 (direction, "internal") != 0);
  if (author != NULL && *author != '\0')
    {
      /* Translators: who wrote or logged a timeline entry, e.g. "by Dewi Lestari" */
      g_autofree char *by = g_strdup_printf (_("by %s"), author);

      gtk_label_set_text (self->author_label, by);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->author_label), author != NULL && *author != '\0');

  body = shorten (sapa_timeline_describe (record));
  gtk_label_set_text (self->body_label, body);
  if (sapa_record_get_string (record, "event") != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->body_label), "timeline-event");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->body_label), "timeline-event");

  duration = sapa_timeline_describe_duration (record);
  gtk_label_set_text (self->duration_label, duration ? duration : "");
  gtk_widget_set_visible (GTK_WIDGET (self->duration_label), duration != NULL);

  gtk_label_set_text (self->conversation_label, subject ? subject : "");
  gtk_label_set_text (self->status_label, status ? sapa_label_status (status) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  swap_class (GTK_WIDGET (self->status_label), &self->status_class,
              status ? g_strdup_printf ("status-%s", status) : NULL);

  /* One sentence for screen readers: channel, direction, time, text. */
  a11y = g_strdup_printf ("%s, %s, %s: %s", sapa_label_channel (channel),
                          sapa_label_direction (direction), time, body);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void
entry_notify_cb (SapaTimelineRow *self)
{
  update (self);
}

static void
sapa_timeline_row_dispose (GObject *object)
{
  SapaTimelineRow *self = SAPA_TIMELINE_ROW (object);

  sapa_timeline_row_set_entry (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_TIMELINE_ROW);

  G_OBJECT_CLASS (sapa_timeline_row_parent_class)->dispose (object);
}

static void
sapa_timeline_row_finalize (GObject *object)
{
  SapaTimelineRow *self = SAPA_TIMELINE_ROW (object);

  g_free (self->channel_class);
  g_free (self->status_class);

  G_OBJECT_CLASS (sapa_timeline_row_parent_class)->finalize (object);
}

static void
sapa_timeline_row_class_init (SapaTimelineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_timeline_row_dispose;
  object_class->finalize = sapa_timeline_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-timeline-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, channel_icon);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, channel_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, conversation_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, direction_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, duration_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineRow, time_label);
  gtk_widget_class_set_css_name (widget_class, "timelinerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sapa_timeline_row_init (SapaTimelineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sapa_timeline_row_new (void)
{
  return g_object_new (SAPA_TYPE_TIMELINE_ROW, NULL);
}

void
sapa_timeline_row_set_entry (SapaTimelineRow   *self,
                             SapaTimelineEntry *entry)
{
  g_return_if_fail (SAPA_IS_TIMELINE_ROW (self));
  g_return_if_fail (entry == NULL || SAPA_IS_TIMELINE_ENTRY (entry));

  if (self->entry == entry)
    return;
  if (self->entry != NULL)
    g_signal_handlers_disconnect_by_func (self->entry, entry_notify_cb, self);
  g_set_object (&self->entry, entry);
  if (entry != NULL)
    {
      g_signal_connect_object (entry, "notify", G_CALLBACK (entry_notify_cb), self,
                               G_CONNECT_SWAPPED);
      update (self);
    }
}

SapaTimelineEntry *
sapa_timeline_row_get_entry (SapaTimelineRow *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ROW (self), NULL);
  return self->entry;
}

const char *
sapa_timeline_row_get_day_text (SapaTimelineRow *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ROW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->day_label)))
    return NULL;
  return gtk_label_get_text (self->day_label);
}

const char *
sapa_timeline_row_get_body_text (SapaTimelineRow *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_ROW (self), NULL);
  return gtk_label_get_text (self->body_label);
}
