/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-customer-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-conversation-panel.h"
#include "sapa-customer-page.h"
#include "sapa-log-dialog.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-view.h"

/* How long a revealed account number stays visible. */
#define REVEAL_SECONDS 30

struct _SapaCustomerPage
{
  AdwBin                 parent_instance;

  GtkLabel              *account_error_label;
  GtkListBoxRow         *account_error_row;
  GtkLabel              *account_label;
  AdwEntryRow           *account_row;
  GtkLabel              *channel_label;
  AdwComboRow           *channel_row;
  SapaConversationPanel *conversation_panel;
  GtkStack              *details_stack;
  GtkLabel              *emails_error_label;
  GtkListBoxRow         *emails_error_row;
  GtkLabel              *emails_label;
  AdwEntryRow           *emails_row;
  GtkLabel              *language_label;
  AdwComboRow           *language_row;
  GtkRevealer           *merged_revealer;
  GtkLabel              *name_error_label;
  GtkListBoxRow         *name_error_row;
  GtkLabel              *name_label;
  AdwEntryRow           *name_row;
  GtkTextView           *notes_text;
  GtkTextView           *notes_view;
  GtkLabel              *phones_error_label;
  GtkListBoxRow         *phones_error_row;
  GtkLabel              *phones_label;
  AdwEntryRow           *phones_row;
  GtkButton             *reveal_button;
  GtkLabel              *reveal_label;
  GtkLabel              *save_error_label;
  GtkLabel              *segment_label;
  AdwComboRow           *segment_row;
  GtkLabel              *tags_label;
  AdwEntryRow           *tags_row;
  SapaTimelineView      *timeline_view;
  AdwToastOverlay       *toast_overlay;

  SapaStore             *store;
  char                  *agent_id;
  char                  *customer_id;
  SapaRecord            *customer;
  SapaRecord            *undo_record;     /* the version before the last save */
  AdwToast              *saved_toast;     /* weak: "Customer saved", while shown */
  SapaTimelineModel     *timeline;
  GCancellable          *cancellable;
  char                  *segment_class;
  gboolean               editing;
  gboolean               saving;
  gboolean               revealed;
  guint                  reveal_source;
};

G_DEFINE_FINAL_TYPE (SapaCustomerPage, sapa_customer_page, ADW_TYPE_BIN)

enum {
  OPEN_CUSTOMER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_actions (SapaCustomerPage *self);

static char *
join_list (SapaRecord *record,
           const char *field,
           gboolean    phones)
{
  g_auto(GStrv) values = sapa_record_dup_list (record, field);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autofree char *shown = phones ? sapa_phone_format (values[i]) : g_strdup (values[i]);

      if (text->len > 0)
        g_string_append (text, phones ? "\n" : ", ");
      g_string_append (text, shown ? shown : values[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
set_value (GtkLabel   *label,
           const char *value,
           const char *empty)
{
  gboolean has = value != NULL && *value != '\0';

  gtk_label_set_text (label, has ? value : empty);
  if (has)
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
}

/* Notes may be very long (100,000 characters and more): a read-only text
 * view lays them out in the background as they scroll into view, where a
 * wrapped label would measure the whole text on every size change. */
static void
show_notes (SapaCustomerPage *self,
            const char       *notes)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_text);
  gboolean has = notes != NULL && *notes != '\0';

  gtk_text_buffer_set_text (buffer, has ? notes : _("None"), -1);
  if (has)
    gtk_widget_remove_css_class (GTK_WIDGET (self->notes_text), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->notes_text), "dim-label");
}

static void
show_account (SapaCustomerPage *self)
{
  const char *account = self->customer ? sapa_record_get_string (self->customer, "account_number") : NULL;
  g_autofree char *masked = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->reveal_button), account != NULL && *account != '\0');
  if (account == NULL || *account == '\0')
    {
      set_value (self->account_label, NULL, _("None"));
      return;
    }
  masked = sapa_account_mask (account);
  set_value (self->account_label, self->revealed ? account : masked, NULL);
  gtk_label_set_text_with_mnemonic (self->reveal_label, self->revealed ? _("_Hide") : _("_Reveal"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reveal_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->revealed ? _("Hide account number") : _("Reveal account number"),
                                  -1);
}

static void
show_customer (SapaCustomerPage *self)
{
  SapaRecord *c = self->customer;
  const char *segment;
  const char *language;
  const char *channel;
  const char *merged;
  g_autofree char *phones = NULL;
  g_autofree char *emails = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *segment_class = NULL;

  if (c == NULL)
    {
      gtk_label_set_text (self->name_label, self->customer_id ? _("Customer not found") : "");
      gtk_widget_set_visible (GTK_WIDGET (self->segment_label), FALSE);
      set_value (self->phones_label, NULL, _("None"));
      set_value (self->emails_label, NULL, _("None"));
      set_value (self->language_label, NULL, _("Not set"));
      set_value (self->channel_label, NULL, _("Not set"));
      set_value (self->tags_label, NULL, _("None"));
      show_notes (self, NULL);
      gtk_revealer_set_reveal_child (self->merged_revealer, FALSE);
      show_account (self);
      return;
    }

  gtk_label_set_text (self->name_label, sapa_record_get_string (c, "full_name"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), sapa_record_get_string (c, "full_name"));

  segment = sapa_record_get_string (c, "segment");
  gtk_label_set_text (self->segment_label, sapa_label_segment (segment ? segment : "regular"));
  gtk_widget_set_visible (GTK_WIDGET (self->segment_label), TRUE);
  segment_class = g_strdup_printf ("segment-%s", segment ? segment : "regular");
  if (g_strcmp0 (segment_class, self->segment_class) != 0)
    {
      if (self->segment_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self->segment_label), self->segment_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->segment_label), segment_class);
      g_free (self->segment_class);
      self->segment_class = g_steal_pointer (&segment_class);
    }

  phones = join_list (c, "phones", TRUE);
  set_value (self->phones_label, phones, _("None"));
  emails = join_list (c, "emails", FALSE);
  set_value (self->emails_label, emails, _("None"));
  language = sapa_record_get_string (c, "preferred_language");
  set_value (self->language_label, language ? sapa_label_language (language) : NULL, _("Not set"));
  channel = sapa_record_get_string (c, "preferred_channel");
  set_value (self->channel_label, channel ? sapa_label_channel (channel) : NULL, _("Not set"));
  tags = join_list (c, "tags", FALSE);
  set_value (self->tags_label, tags, _("None"));
  show_notes (self, sapa_record_get_string (c, "notes"));

  merged = sapa_record_get_string (c, "merged_into");
  gtk_revealer_set_reveal_child (self->merged_revealer, merged != NULL && *merged != '\0');
  show_account (self);
}

static void
hide_account (SapaCustomerPage *self)
{
  g_clear_handle_id (&self->reveal_source, g_source_remove);
  self->revealed = FALSE;
  show_account (self);
}

static void
load_customer (SapaCustomerPage *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->customer);
  if (self->customer_id != NULL)
    {
      /* One primary-key read. */
      self->customer = sapa_store_get (self->store, "customer", self->customer_id, &error);
      if (self->customer == NULL)
        g_warning ("Could not read customer %s: %s", self->customer_id, error->message);
    }
  show_customer (self);
  update_actions (self);
}

static void
update_actions (SapaCustomerPage *self)
{
  gboolean has = self->customer != NULL;
  const char *merged = has ? sapa_record_get_string (self->customer, "merged_into") : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.log-visit", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.log-call", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.add-note", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.edit", has && !self->editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.reveal-account",
                                 has && sapa_record_get_string (self->customer, "account_number") != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.save", has && self->editing && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.cancel-edit", self->editing && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.undo", self->undo_record != NULL && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.open-merged", merged != NULL && *merged != '\0');
}

static void
show_toast (SapaCustomerPage *self,
            const char       *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Editing */

static void
fill_combo (AdwComboRow        *row,
            const char * const *values,
            const char *      (*label) (const char *),
            gboolean            with_unset,
            const char         *current)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint selected = 0;
  guint offset = with_unset ? 1 : 0;

  if (with_unset)
    gtk_string_list_append (list, _("Not set"));
  for (guint i = 0; values[i] != NULL; i++)
    {
      gtk_string_list_append (list, label (values[i]));
      if (g_strcmp0 (values[i], current) == 0)
        selected = i + offset;
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, selected);
}

static const char *
combo_value (AdwComboRow        *row,
             const char * const *values,
             gboolean            with_unset)
{
  guint selected = adw_combo_row_get_selected (row);
  guint n = g_strv_length ((char **) values);

  if (with_unset)
    {
      if (selected == 0 || selected > n)
        return NULL;
      return values[selected - 1];
    }
  return selected < n ? values[selected] : NULL;
}

static void
set_field_error (GtkWidget     *row,
                 GtkListBoxRow *error_row,
                 GtkLabel      *error_label,
                 const char    *message)
{
  gtk_label_set_text (error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_row), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message ? message : "", -1);
  if (message != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
}

static void
clear_errors (SapaCustomerPage *self)
{
  set_field_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label, NULL);
  set_field_error (GTK_WIDGET (self->phones_row), self->phones_error_row, self->phones_error_label, NULL);
  set_field_error (GTK_WIDGET (self->emails_row), self->emails_error_row, self->emails_error_label, NULL);
  set_field_error (GTK_WIDGET (self->account_row), self->account_error_row, self->account_error_label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), FALSE);
}

static void
enter_edit_mode (SapaCustomerPage *self)
{
  g_autofree char *phones = NULL;
  g_autofree char *emails = NULL;
  g_autofree char *tags = NULL;
  const char *notes;

  if (self->customer == NULL)
    return;

  clear_errors (self);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sapa_record_get_string (self->customer, "full_name"));
  /* Plain normalised numbers: what is typed back is read the same way. */
  phones = join_list (self->customer, "phones", FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->phones_row), phones);
  emails = join_list (self->customer, "emails", FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->emails_row), emails);
  gtk_editable_set_text (GTK_EDITABLE (self->account_row),
                         sapa_record_get_string (self->customer, "account_number") ?: "");
  tags = join_list (self->customer, "tags", FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags);
  fill_combo (self->segment_row, sapa_segments, sapa_label_segment, FALSE,
              sapa_record_get_string (self->customer, "segment"));
  fill_combo (self->language_row, sapa_languages, sapa_label_language, TRUE,
              sapa_record_get_string (self->customer, "preferred_language"));
  fill_combo (self->channel_row, sapa_channels, sapa_label_channel, TRUE,
              sapa_record_get_string (self->customer, "preferred_channel"));
  notes = sapa_record_get_string (self->customer, "notes");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), notes ? notes : "", -1);

  self->editing = TRUE;
  gtk_stack_set_visible_child_name (self->details_stack, "edit");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  update_actions (self);
}

static void
leave_edit_mode (SapaCustomerPage *self)
{
  self->editing = FALSE;
  clear_errors (self);
  gtk_stack_set_visible_child_name (self->details_stack, "view");
  update_actions (self);
}

/* Reads the edit fields into a copy of the customer; NULL (and the messages
 * shown at the fields) when something is not valid. */
static SapaRecord *
record_from_fields (SapaCustomerPage *self)
{
  g_autoptr(SapaRecord) record = sapa_record_copy (self->customer);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_auto(GStrv) phones = sapa_text_split (gtk_editable_get_text (GTK_EDITABLE (self->phones_row)), ",;\n");
  g_auto(GStrv) emails = sapa_text_split (gtk_editable_get_text (GTK_EDITABLE (self->emails_row)), ",;\n");
  g_auto(GStrv) tags = sapa_text_split (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)), ",;\n");
  g_autofree char *account = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->account_row))));
  g_autoptr(GStrvBuilder) phone_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) email_builder = g_strv_builder_new ();
  g_auto(GStrv) norm_phones = NULL;
  g_auto(GStrv) norm_emails = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;
  g_autofree char *notes = NULL;
  gboolean valid = TRUE;

  clear_errors (self);

  if (*name == '\0')
    {
      set_field_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label,
                       _("Enter the customer's name."));
      valid = FALSE;
    }

  for (guint i = 0; phones[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *norm = sapa_phone_normalize (phones[i], &error);

      if (norm == NULL)
        {
          g_autofree char *message = NULL;

          /* Translators: the first %s is what was typed, the second why it is refused */
          message = g_strdup_printf (_("Phone “%s”: %s"), phones[i], error->message);
          set_field_error (GTK_WIDGET (self->phones_row), self->phones_error_row,
                           self->phones_error_label, message);
          valid = FALSE;
          break;
        }
      g_strv_builder_add (phone_builder, norm);
    }

  for (guint i = 0; emails[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *norm = sapa_email_normalize (emails[i], &error);

      if (norm == NULL)
        {
          g_autofree char *message = NULL;

          /* Translators: the first %s is what was typed, the second why it is refused */
          message = g_strdup_printf (_("Email “%s”: %s"), emails[i], error->message);
          set_field_error (GTK_WIDGET (self->emails_row), self->emails_error_row,
                           self->emails_error_label, message);
          valid = FALSE;
          break;
        }
      g_strv_builder_add (email_builder, norm);
    }

  if (*account != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *norm = sapa_account_normalize (account, &error);

      if (norm == NULL)
        {
          set_field_error (GTK_WIDGET (self->account_row), self->account_error_row,
                           self->account_error_label, error->message);
          valid = FALSE;
        }
      else
        {
          sapa_record_set_string (record, "account_number", norm);
        }
    }
  else
    {
      sapa_record_set_string (record, "account_number", NULL);
    }

  if (!valid)
    {
      /* Put the person at the first field to fix. */
      GtkWidget *rows[] = { GTK_WIDGET (self->name_row), GTK_WIDGET (self->phones_row),
                            GTK_WIDGET (self->emails_row), GTK_WIDGET (self->account_row) };

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        if (gtk_widget_has_css_class (rows[i], "error"))
          {
            gtk_widget_grab_focus (rows[i]);
            break;
          }
      return NULL;
    }

  sapa_record_set_string (record, "full_name", name);
  norm_phones = g_strv_builder_end (phone_builder);
  sapa_record_set_list (record, "phones", (const char * const *) norm_phones);
  norm_emails = g_strv_builder_end (email_builder);
  sapa_record_set_list (record, "emails", (const char * const *) norm_emails);
  sapa_record_set_list (record, "tags", (const char * const *) tags);
  sapa_record_set_string (record, "segment", combo_value (self->segment_row, sapa_segments, FALSE));
  sapa_record_set_string (record, "preferred_language",
                          combo_value (self->language_row, sapa_languages, TRUE));
  sapa_record_set_string (record, "preferred_channel",
                          combo_value (self->channel_row, sapa_channels, TRUE));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  notes = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (*notes == '\0' && !sapa_record_has (self->customer, "notes"))
    sapa_record_set_string (record, "notes", NULL);
  else
    sapa_record_set_string (record, "notes", notes);

  return g_steal_pointer (&record);
}

static void
clear_saved_toast (SapaCustomerPage *self)
{
  if (self->saved_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->saved_toast), (gpointer *) &self->saved_toast);
  self->saved_toast = NULL;
}

typedef struct {
  SapaRecord *saved;
  SapaRecord *before;
  gboolean    undo;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_clear_object (&job->saved);
  g_clear_object (&job->before);
  g_free (job);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SapaCustomerPage *self = g_task_get_source_object (task);
  SaveJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  self->saving = FALSE;
  if (!sapa_store_save_all_finish (SAPA_STORE (object), result, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The customer was not saved: %s"), error->message);
      if (self->editing)
        {
          gtk_label_set_text (self->save_error_label, message);
          gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), TRUE);
        }
      else
        {
          show_toast (self, message);
        }
      update_actions (self);
      return;
    }

  g_set_object (&self->customer, job->saved);
  if (job->undo)
    {
      g_clear_object (&self->undo_record);
      /* The "Customer saved" toast, while it shows, now says so; dismissing
       * it and adding another during its animation crashes libadwaita 1.2. */
      if (self->saved_toast != NULL)
        {
          adw_toast_set_title (self->saved_toast, _("Change undone"));
          adw_toast_set_action_name (self->saved_toast, NULL);
          adw_toast_set_button_label (self->saved_toast, NULL);
          clear_saved_toast (self);
        }
      else
        {
          show_toast (self, _("Change undone"));
        }
    }
  else
    {
      AdwToast *toast;

      g_set_object (&self->undo_record, job->before);
      leave_edit_mode (self);
      toast = adw_toast_new (_("Customer saved"));
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "customer.undo");
      clear_saved_toast (self);
      self->saved_toast = toast;
      g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->saved_toast);
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (clear_saved_toast), self, G_CONNECT_SWAPPED);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  show_customer (self);
  update_actions (self);
}

static void
save_records (SapaCustomerPage *self,
              SapaRecord       *record,
              SapaRecord       *before,
              gboolean          undo)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  GTask *task;
  SaveJob *job;

  job = g_new0 (SaveJob, 1);
  job->saved = g_object_ref (record);
  job->before = g_object_ref (before);
  job->undo = undo;
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, save_records);
  g_task_set_task_data (task, job, save_job_free);

  /* The store writes the audit entry of the edit in the same transaction. */
  g_ptr_array_add (records, g_object_ref (record));
  self->saving = TRUE;
  update_actions (self);
  sapa_store_save_all_async (self->store, records, self->cancellable, save_done_cb, task);
}

/* Actions */

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  enter_edit_mode (SAPA_CUSTOMER_PAGE (widget));
}

static void
cancel_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  leave_edit_mode (SAPA_CUSTOMER_PAGE (widget));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (widget);
  g_autoptr(SapaRecord) record = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;

  if (self->customer == NULL || self->saving)
    return;
  record = record_from_fields (self);
  if (record == NULL)
    return;
  if (!sapa_record_validate (record, &error))
    {
      gtk_label_set_text (self->save_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), TRUE);
      return;
    }
  changed = sapa_record_diff (self->customer, record);
  if (changed->len == 0)
    {
      leave_edit_mode (self);
      return;
    }
  save_records (self, record, self->customer, FALSE);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (widget);
  g_autoptr(SapaRecord) before = NULL;

  if (self->undo_record == NULL || self->customer == NULL || self->saving)
    return;
  before = sapa_record_copy (self->undo_record);
  save_records (self, before, self->customer, TRUE);
}

static gboolean
reveal_timeout_cb (gpointer user_data)
{
  SapaCustomerPage *self = user_data;

  self->reveal_source = 0;
  hide_account (self);
  return G_SOURCE_REMOVE;
}

typedef struct {
  SapaStore *store;
  char      *customer_id;
  char      *agent_id;
} RevealJob;

static void
reveal_job_free (gpointer data)
{
  RevealJob *job = data;

  g_clear_object (&job->store);
  g_free (job->customer_id);
  g_free (job->agent_id);
  g_free (job);
}

static void
reveal_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RevealJob *job = task_data;
  g_autoptr(GError) error = NULL;

  if (!sapa_desk_record_reveal (job->store, job->customer_id, job->agent_id, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
reveal_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (object);
  RevealJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The account number stays hidden: the audit log could not be written (%s)."),
                                 error->message);
      show_toast (self, message);
      return;
    }
  /* Only shown once the reveal is on record, and only for that customer. */
  if (g_strcmp0 (job->customer_id, self->customer_id) != 0)
    return;
  self->revealed = TRUE;
  show_account (self);
  g_clear_handle_id (&self->reveal_source, g_source_remove);
  self->reveal_source = g_timeout_add_seconds (REVEAL_SECONDS, reveal_timeout_cb, self);
}

static void
reveal_account_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  RevealJob *job;

  if (self->customer == NULL)
    return;
  if (self->revealed)
    {
      hide_account (self);
      return;
    }

  job = g_new0 (RevealJob, 1);
  job->store = g_object_ref (self->store);
  job->customer_id = g_strdup (self->customer_id);
  job->agent_id = g_strdup (self->agent_id);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), FALSE);
  task = g_task_new (self, self->cancellable, reveal_done_cb, NULL);
  g_task_set_source_tag (task, reveal_account_action);
  g_task_set_task_data (task, job, reveal_job_free);
  g_task_run_in_thread (task, reveal_thread);
}

static void
logged_cb (SapaCustomerPage *self,
           SapaRecord       *interaction,
           SapaLogDialog    *dialog)
{
  SapaTimelineModel *model = sapa_timeline_view_get_model (self->timeline_view);

  /* What was just logged must be visible: drop filters that would hide it. */
  if (model != NULL && sapa_timeline_model_has_filter (model))
    sapa_timeline_view_clear_filter (self->timeline_view);
}

static void
open_log_dialog (SapaCustomerPage *self,
                 SapaLogKind       kind)
{
  g_autoptr(SapaRecord) agent = NULL;
  const char *branch_id = NULL;
  SapaLogDialog *dialog;
  GtkRoot *root;

  if (self->customer == NULL)
    return;
  if (self->agent_id != NULL)
    agent = sapa_store_get (self->store, "agent", self->agent_id, NULL);
  if (agent != NULL)
    branch_id = sapa_record_get_string (agent, "branch_id");
  if (branch_id == NULL)
    branch_id = sapa_record_get_string (self->customer, "branch_id");

  dialog = sapa_log_dialog_new (self->store, kind, self->customer_id, self->agent_id, branch_id);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  g_signal_connect_object (dialog, "logged", G_CALLBACK (logged_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
log_visit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_log_dialog (SAPA_CUSTOMER_PAGE (widget), SAPA_LOG_VISIT);
}

static void
log_call_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_log_dialog (SAPA_CUSTOMER_PAGE (widget), SAPA_LOG_CALL);
}

static void
add_note_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_log_dialog (SAPA_CUSTOMER_PAGE (widget), SAPA_LOG_NOTE);
}

static void
open_merged_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (widget);
  const char *merged;

  if (self->customer == NULL)
    return;
  merged = sapa_record_get_string (self->customer, "merged_into");
  if (merged != NULL && *merged != '\0')
    g_signal_emit (self, signals[OPEN_CUSTOMER], 0, merged);
}

static void
store_changed_cb (SapaCustomerPage *self,
                  const char       *entity,
                  const char       *id,
                  SapaStore        *store)
{
  /* Our own save updates the page when it finishes; edits from elsewhere
   * (sync, another window) show at once unless the person is editing. */
  if (self->saving || self->editing || self->customer_id == NULL)
    return;
  /* A large synced page names only the entity (id NULL): reload to be sure. */
  if (g_strcmp0 (entity, "customer") == 0 && (id == NULL || g_strcmp0 (id, self->customer_id) == 0))
    load_customer (self);
}

static void
load_css (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/style-channels.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  /* The channel icons live in the GResource. SapaApplication's resource base
   * path covers them; the page also works outside it (tests, screenshots). */
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (display);
    g_auto(GStrv) paths = gtk_icon_theme_get_resource_path (theme);
    const char *path = RESOURCE_PREFIX "/icons";

    if (paths == NULL || !g_strv_contains ((const char * const *) paths, path))
      gtk_icon_theme_add_resource_path (theme, path);
  }
}

static void
sapa_customer_page_dispose (GObject *object)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reveal_source, g_source_remove);
  clear_saved_toast (self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  /* AdwBin keeps its own pointer to the child: let it unparent it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_CUSTOMER_PAGE);
  g_clear_object (&self->timeline);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sapa_customer_page_parent_class)->dispose (object);
}

static void
sapa_customer_page_finalize (GObject *object)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (object);

  g_clear_object (&self->customer);
  g_clear_object (&self->undo_record);
  g_clear_object (&self->cancellable);
  g_free (self->agent_id);
  g_free (self->customer_id);
  g_free (self->segment_class);

  G_OBJECT_CLASS (sapa_customer_page_parent_class)->finalize (object);
}

static void
sapa_customer_page_class_init (SapaCustomerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_customer_page_dispose;
  object_class->finalize = sapa_customer_page_finalize;

  /**
   * SapaCustomerPage::open-customer:
   * @customer_id: the customer to show instead
   */
  signals[OPEN_CUSTOMER] = g_signal_new ("open-customer", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SAPA_TYPE_CONVERSATION_PANEL);
  g_type_ensure (SAPA_TYPE_TIMELINE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-customer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, account_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, account_error_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, account_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, channel_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, channel_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, conversation_panel);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, details_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, emails_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, emails_error_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, emails_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, emails_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, language_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, language_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, merged_revealer);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, name_error_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, notes_text);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, notes_view);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, phones_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, phones_error_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, phones_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, phones_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, reveal_button);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, reveal_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, segment_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, segment_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, tags_label);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, tags_row);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, SapaCustomerPage, toast_overlay);

  gtk_widget_class_install_action (widget_class, "customer.log-visit", NULL, log_visit_action);
  gtk_widget_class_install_action (widget_class, "customer.log-call", NULL, log_call_action);
  gtk_widget_class_install_action (widget_class, "customer.add-note", NULL, add_note_action);
  gtk_widget_class_install_action (widget_class, "customer.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "customer.reveal-account", NULL, reveal_account_action);
  gtk_widget_class_install_action (widget_class, "customer.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "customer.cancel-edit", NULL, cancel_edit_action);
  gtk_widget_class_install_action (widget_class, "customer.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "customer.open-merged", NULL, open_merged_action);
}

/* Only while the page is on screen with a customer: the window runs these
 * shortcuts whatever has the focus. */
static gboolean
window_shortcut_cb (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   user_data)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (widget);

  if (!gtk_widget_get_mapped (widget) || self->customer == NULL)
    return FALSE;
  return gtk_widget_activate_action (widget, user_data, NULL);
}

/* The page's shortcuts work wherever the focus is in the window (a teller
 * may still be in the search entry), as long as a customer is open: the
 * window manages them. */
static void
add_window_shortcuts (SapaCustomerPage *self)
{
  static const struct {
    const char *trigger;
    const char *action;
  } keys[] = {
    { "<Control><Shift>v", "customer.log-visit" },
    { "<Control><Shift>c", "customer.log-call" },
    { "<Control><Shift>n", "customer.add-note" },
    { "<Control>e", "customer.edit" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  /* Before text fields: they take Ctrl+Shift+C and V as copy and paste. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].trigger),
                                                            gtk_callback_action_new (window_shortcut_cb,
                                                                                     (gpointer) keys[i].action,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
sapa_customer_page_init (SapaCustomerPage *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  add_window_shortcuts (self);

  /* Ctrl+Enter saves an edit, also from inside the notes text view (taken
   * before the text view reads Enter as a new line). customer.save is off
   * outside edit mode, so the keys pass on then. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("customer.save")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  load_css ();
  self->cancellable = g_cancellable_new ();
  fill_combo (self->segment_row, sapa_segments, sapa_label_segment, FALSE, NULL);
  fill_combo (self->language_row, sapa_languages, sapa_label_language, TRUE, NULL);
  fill_combo (self->channel_row, sapa_channels, sapa_label_channel, TRUE, NULL);
  show_customer (self);
  update_actions (self);
}

GtkWidget *
sapa_customer_page_new (SapaStore  *store,
                        const char *agent_id)
{
  SapaCustomerPage *self;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = g_object_new (SAPA_TYPE_CUSTOMER_PAGE, NULL);
  self->store = g_object_ref (store);
  self->agent_id = g_strdup (agent_id);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);

  self->timeline = sapa_timeline_model_new (store);
  sapa_timeline_view_set_model (self->timeline_view, self->timeline);
  sapa_conversation_panel_set_store (self->conversation_panel, store, agent_id);
  return GTK_WIDGET (self);
}

void
sapa_customer_page_set_customer_id (SapaCustomerPage *self,
                                    const char       *customer_id)
{
  g_return_if_fail (SAPA_IS_CUSTOMER_PAGE (self));

  if (g_strcmp0 (self->customer_id, customer_id) == 0)
    return;

  /* Work in flight belongs to the previous customer. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->saving = FALSE;

  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);
  g_clear_object (&self->undo_record);
  /* Its Undo belonged to the customer shown before (and is off now). */
  clear_saved_toast (self);
  hide_account (self);
  if (self->editing)
    leave_edit_mode (self);

  sapa_timeline_view_clear_filter (self->timeline_view);
  sapa_timeline_model_set_customer_id (self->timeline, customer_id);
  sapa_conversation_panel_set_customer_id (self->conversation_panel, customer_id);
  load_customer (self);
}

const char *
sapa_customer_page_get_customer_id (SapaCustomerPage *self)
{
  g_return_val_if_fail (SAPA_IS_CUSTOMER_PAGE (self), NULL);
  return self->customer_id;
}

SapaRecord *
sapa_customer_page_get_customer (SapaCustomerPage *self)
{
  g_return_val_if_fail (SAPA_IS_CUSTOMER_PAGE (self), NULL);
  return self->customer;
}

gboolean
sapa_customer_page_get_editing (SapaCustomerPage *self)
{
  g_return_val_if_fail (SAPA_IS_CUSTOMER_PAGE (self), FALSE);
  return self->editing;
}

gboolean
sapa_customer_page_get_revealed (SapaCustomerPage *self)
{
  g_return_val_if_fail (SAPA_IS_CUSTOMER_PAGE (self), FALSE);
  return self->revealed;
}
