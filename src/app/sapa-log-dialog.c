/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-log-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-log-dialog.h"

struct _SapaLogDialog
{
  AdwWindow       parent_instance;

  GtkLabel       *body_heading;
  GtkTextView    *body_view;
  AdwComboRow    *conversation_row;
  GtkLabel       *error_label;
  GtkRevealer    *error_revealer;
  AdwComboRow    *reason_row;
  GtkButton      *save_button;
  GtkButton      *stop_button;
  AdwEntryRow    *subject_row;
  GtkBox         *timer_box;
  GtkLabel       *timer_label;
  AdwWindowTitle *window_title;

  SapaStore      *store;
  SapaLogKind     kind;
  char           *customer_id;
  char           *agent_id;
  char           *branch_id;
  char           *open_conversation_id;

  gint64          started_at;     /* Unix seconds, recorded */
  gint64          started_mono;   /* monotonic µs, for the elapsed time */
  gint64          elapsed;        /* seconds, frozen once stopped */
  gboolean        running;
  guint           tick_source;
  gboolean        saving;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (SapaLogDialog, sapa_log_dialog, ADW_TYPE_WINDOW)

enum {
  LOGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
elapsed_seconds (SapaLogDialog *self)
{
  if (!self->running)
    return self->elapsed;
  return MAX (0, (g_get_monotonic_time () - self->started_mono) / G_USEC_PER_SEC);
}

static void
update_timer_label (SapaLogDialog *self)
{
  gint64 elapsed = elapsed_seconds (self);
  g_autofree char *text = NULL;

  if (elapsed >= 3600)
    text = g_strdup_printf ("%d:%02d:%02d", (int) (elapsed / 3600), (int) (elapsed / 60 % 60),
                            (int) (elapsed % 60));
  else
    text = g_strdup_printf ("%02d:%02d", (int) (elapsed / 60), (int) (elapsed % 60));
  gtk_label_set_text (self->timer_label, text);
}

static gboolean
tick_cb (gpointer user_data)
{
  update_timer_label (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
new_conversation_chosen (SapaLogDialog *self)
{
  return self->open_conversation_id == NULL ||
         adw_combo_row_get_selected (self->conversation_row) == 1;
}

static void
conversation_selected_cb (SapaLogDialog *self)
{
  gboolean new_one = new_conversation_chosen (self);

  gtk_widget_set_visible (GTK_WIDGET (self->reason_row), new_one);
  gtk_widget_set_visible (GTK_WIDGET (self->subject_row), new_one);
}

static void
show_error (SapaLogDialog *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static char *
dup_body (SapaLogDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return g_strdup (g_strstrip (text));
}

/* The contact, with strings owned, for the thread. */
static void
log_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SapaLogDialog) self = user_data;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  interaction = sapa_desk_log_contact_finish (SAPA_STORE (object), result, &error);
  if (interaction == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("Could not save: %s. Check the fields and try again."), error->message);
      show_error (self, message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.save", TRUE);
      return;
    }

  g_signal_emit (self, signals[LOGGED], 0, interaction);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SapaLogDialog *self = SAPA_LOG_DIALOG (widget);
  g_autofree char *body = dup_body (self);
  g_autofree char *trimmed = NULL;
  SapaContact contact = { 0 };

  if (self->saving)
    return;
  if (self->kind == SAPA_LOG_NOTE && *body == '\0')
    {
      show_error (self, _("Write the note first, then save it."));
      gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
      return;
    }
  show_error (self, NULL);

  contact.customer_id = self->customer_id;
  if (new_conversation_chosen (self))
    {
      guint reason = adw_combo_row_get_selected (self->reason_row);
      const char *subject = gtk_editable_get_text (GTK_EDITABLE (self->subject_row));

      trimmed = g_strstrip (g_strdup (subject));
      if (reason < g_strv_length ((char **) sapa_contact_reasons))
        contact.reason = sapa_contact_reasons[reason];
      if (*trimmed != '\0')
        contact.subject = trimmed;
    }
  else
    {
      contact.conversation_id = self->open_conversation_id;
    }
  switch (self->kind)
    {
    case SAPA_LOG_VISIT:
      contact.channel = "walk_in";
      contact.direction = "inbound";
      break;
    case SAPA_LOG_CALL:
      contact.channel = "phone";
      contact.direction = "inbound";
      break;
    case SAPA_LOG_NOTE:
    default:
      contact.channel = "note";
      contact.direction = "internal";
      break;
    }
  contact.body = body;
  contact.agent_id = self->agent_id;
  contact.branch_id = self->branch_id;
  contact.started_at = self->started_at;
  contact.wait_seconds = -1;
  if (self->kind != SAPA_LOG_NOTE)
    {
      /* Saving ends the contact if the timer still runs. */
      sapa_log_dialog_stop_timer (self);
      contact.ended_at = self->started_at + self->elapsed;
    }

  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.save", FALSE);
  /* The dialog stays alive until the save answers. */
  sapa_desk_log_contact_async (self->store, &contact, self->cancellable, log_done_cb, g_object_ref (self));
}

static void
stop_timer_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  sapa_log_dialog_stop_timer (SAPA_LOG_DIALOG (widget));
}

static void
sapa_log_dialog_dispose (GObject *object)
{
  SapaLogDialog *self = SAPA_LOG_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_LOG_DIALOG);

  G_OBJECT_CLASS (sapa_log_dialog_parent_class)->dispose (object);
}

static void
sapa_log_dialog_finalize (GObject *object)
{
  SapaLogDialog *self = SAPA_LOG_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_free (self->customer_id);
  g_free (self->agent_id);
  g_free (self->branch_id);
  g_free (self->open_conversation_id);

  G_OBJECT_CLASS (sapa_log_dialog_parent_class)->finalize (object);
}

static void
sapa_log_dialog_class_init (SapaLogDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_log_dialog_dispose;
  object_class->finalize = sapa_log_dialog_finalize;

  /**
   * SapaLogDialog::logged:
   * @interaction: the interaction written
   */
  signals[LOGGED] = g_signal_new ("logged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SAPA_TYPE_RECORD);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-log-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, body_heading);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, body_view);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, conversation_row);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, subject_row);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, timer_box);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, timer_label);
  gtk_widget_class_bind_template_child (widget_class, SapaLogDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, conversation_selected_cb);

  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "log.stop-timer", NULL, stop_timer_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sapa_log_dialog_init (SapaLogDialog *self)
{
  g_autoptr(GtkStringList) reasons = gtk_string_list_new (NULL);
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Enter saves, also from inside the text view: handled while the key
   * travels down, before the text view takes Enter as a new line. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("log.save")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->cancellable = g_cancellable_new ();
  for (guint i = 0; sapa_contact_reasons[i] != NULL; i++)
    gtk_string_list_append (reasons, sapa_label_reason (sapa_contact_reasons[i]));
  adw_combo_row_set_model (self->reason_row, G_LIST_MODEL (reasons));
}

SapaLogDialog *
sapa_log_dialog_new (SapaStore   *store,
                     SapaLogKind  kind,
                     const char  *customer_id,
                     const char  *agent_id,
                     const char  *branch_id)
{
  SapaLogDialog *self;
  g_autoptr(GtkStringList) conversations = gtk_string_list_new (NULL);
  g_autoptr(SapaRecord) open = NULL;
  g_autoptr(GError) error = NULL;
  const char *title;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);

  /* A dialog to assistive technologies too (an AdwWindow is a "filler"). */
  self = g_object_new (SAPA_TYPE_LOG_DIALOG, "accessible-role", GTK_ACCESSIBLE_ROLE_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->kind = kind;
  self->customer_id = g_strdup (customer_id);
  self->agent_id = g_strdup (agent_id);
  self->branch_id = g_strdup (branch_id);

  switch (kind)
    {
    case SAPA_LOG_VISIT:
      title = _("Log Visit");
      break;
    case SAPA_LOG_CALL:
      title = _("Log Call");
      break;
    case SAPA_LOG_NOTE:
    default:
      title = _("Add Note");
      break;
    }
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_label_set_text_with_mnemonic (self->body_heading, kind == SAPA_LOG_NOTE ? _("_Note") : _("_What happened"));

  /* An indexed read of a few rows: fine here, and the dialog opens with the
   * right conversation chosen. */
  open = sapa_desk_find_open_conversation (store, customer_id, &error);
  if (error != NULL)
    g_warning ("Could not find the open conversation: %s", error->message);
  if (open != NULL)
    {
      const char *subject = sapa_record_get_string (open, "subject");
      g_autofree char *label = NULL;

      self->open_conversation_id = g_strdup (sapa_record_get_id (open));
      if (subject == NULL || *subject == '\0')
        subject = sapa_label_reason (sapa_record_get_string (open, "reason"));
      /* Translators: the customer's open conversation; %s is its subject,
       * the second %s its status */
      label = g_strdup_printf (_("%s (%s)"), subject,
                               sapa_label_status (sapa_record_get_string (open, "status")));
      gtk_string_list_append (conversations, label);
    }
  gtk_string_list_append (conversations, _("New conversation"));
  adw_combo_row_set_model (self->conversation_row, G_LIST_MODEL (conversations));
  adw_combo_row_set_selected (self->conversation_row, 0);
  conversation_selected_cb (self);

  self->started_at = g_get_real_time () / G_USEC_PER_SEC;
  self->started_mono = g_get_monotonic_time ();
  if (kind == SAPA_LOG_NOTE)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->timer_box), FALSE);
    }
  else
    {
      self->running = TRUE;
      self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
      update_timer_label (self);
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
  return self;
}

SapaLogKind
sapa_log_dialog_get_kind (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), SAPA_LOG_NOTE);
  return self->kind;
}

const char *
sapa_log_dialog_get_open_conversation_id (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), NULL);
  return self->open_conversation_id;
}

void
sapa_log_dialog_set_body (SapaLogDialog *self,
                          const char    *body)
{
  g_return_if_fail (SAPA_IS_LOG_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), body ? body : "", -1);
}

void
sapa_log_dialog_choose_new_conversation (SapaLogDialog *self,
                                         const char    *reason,
                                         const char    *subject)
{
  g_return_if_fail (SAPA_IS_LOG_DIALOG (self));

  if (reason == NULL)
    {
      adw_combo_row_set_selected (self->conversation_row, 0);
      return;
    }
  for (guint i = 0; sapa_contact_reasons[i] != NULL; i++)
    if (g_str_equal (sapa_contact_reasons[i], reason))
      adw_combo_row_set_selected (self->reason_row, i);
  adw_combo_row_set_selected (self->conversation_row, self->open_conversation_id ? 1 : 0);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject ? subject : "");
}

void
sapa_log_dialog_stop_timer (SapaLogDialog *self)
{
  g_return_if_fail (SAPA_IS_LOG_DIALOG (self));

  if (!self->running)
    return;
  self->elapsed = elapsed_seconds (self);
  self->running = FALSE;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  update_timer_label (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.stop-timer", FALSE);
}

gboolean
sapa_log_dialog_get_timer_running (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), FALSE);
  return self->running;
}

gint64
sapa_log_dialog_get_started_at (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), 0);
  return self->started_at;
}

const char *
sapa_log_dialog_get_timer_text (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), NULL);
  return gtk_label_get_text (self->timer_label);
}

const char *
sapa_log_dialog_get_error_text (SapaLogDialog *self)
{
  g_return_val_if_fail (SAPA_IS_LOG_DIALOG (self), NULL);
  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

void
sapa_log_dialog_shift_start (SapaLogDialog *self,
                             gint64         seconds)
{
  g_return_if_fail (SAPA_IS_LOG_DIALOG (self));

  self->started_at -= seconds;
  if (self->running)
    self->started_mono -= seconds * G_USEC_PER_SEC;
  else
    self->elapsed += seconds;
  update_timer_label (self);
}
