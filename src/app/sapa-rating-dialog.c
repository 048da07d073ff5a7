/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-rating-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-rating-dialog.h"

struct _SapaRatingDialog
{
  AdwWindow      parent_instance;

  GtkTextView   *comment_view;
  GtkLabel      *error_label;
  AdwComboRow   *kind_row;
  GtkButton     *save_button;
  AdwActionRow  *score_row;
  GtkSpinButton *score_spin;
  AdwComboRow   *via_row;

  SapaStore     *store;
  SapaRecord    *conversation;
  char          *agent_id;
  char          *error;
  gboolean       saving;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (SapaRatingDialog, sapa_rating_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* In the order of the combo rows. */
static const char * const kinds[] = { "csat", "nps", "ces" };
static const int kind_min[] = { 1, 0, 1 };
static const int kind_max[] = { 5, 10, 7 };
static const char * const vias[] = { "phone", "in_person" };

static int
kind_index (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i], kind) == 0)
      return (int) i;
  return -1;
}

static void
show_error (SapaRatingDialog *self,
            const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_range (SapaRatingDialog *self)
{
  guint i = adw_combo_row_get_selected (self->kind_row);
  g_autofree char *subtitle = NULL;

  if (i >= G_N_ELEMENTS (kinds))
    return;
  gtk_spin_button_set_range (self->score_spin, kind_min[i], kind_max[i]);
  /* Translators: the range of scores of the chosen question, e.g. "From 1 to 5" */
  subtitle = g_strdup_printf (_("From %d to %d"), kind_min[i], kind_max[i]);
  adw_action_row_set_subtitle (self->score_row, subtitle);
  show_error (self, NULL);
}

static void
kind_selected_cb (SapaRatingDialog *self)
{
  update_range (self);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SapaRatingDialog) self = SAPA_RATING_DIALOG (user_data);
  g_autoptr(GError) error = NULL;

  if (!sapa_store_save_all_finish (SAPA_STORE (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->saving = FALSE;
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The rating was not saved: %s. Check it and try again."), error->message);
      show_error (self, message);
      g_signal_emit (self, signals[SAVED], 0, FALSE);
      return;
    }
  self->saving = FALSE;
  g_signal_emit (self, signals[SAVED], 0, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  sapa_rating_dialog_save (SAPA_RATING_DIALOG (widget));
}

static void
sapa_rating_dialog_dispose (GObject *object)
{
  SapaRatingDialog *self = SAPA_RATING_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_RATING_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->conversation);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sapa_rating_dialog_parent_class)->dispose (object);
}

static void
sapa_rating_dialog_finalize (GObject *object)
{
  SapaRatingDialog *self = SAPA_RATING_DIALOG (object);

  g_free (self->agent_id);
  g_free (self->error);

  G_OBJECT_CLASS (sapa_rating_dialog_parent_class)->finalize (object);
}

static void
sapa_rating_dialog_class_init (SapaRatingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_rating_dialog_dispose;
  object_class->finalize = sapa_rating_dialog_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-rating-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, comment_view);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, score_row);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, score_spin);
  gtk_widget_class_bind_template_child (widget_class, SapaRatingDialog, via_row);

  gtk_widget_class_install_action (widget_class, "rating.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sapa_rating_dialog_init (SapaRatingDialog *self)
{
  g_autoptr(GtkStringList) via_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  gtk_string_list_append (via_names, _("By phone"));
  gtk_string_list_append (via_names, _("In person"));
  adw_combo_row_set_model (self->via_row, G_LIST_MODEL (via_names));

  /* Translators: customer satisfaction, scored 1 to 5 */
  gtk_string_list_append (kind_names, _("Satisfaction (CSAT, 1–5)"));
  /* Translators: Net Promoter Score, 0 to 10 */
  gtk_string_list_append (kind_names, _("Would recommend us (NPS, 0–10)"));
  /* Translators: Customer Effort Score, 1 to 7 (7 = very easy) */
  gtk_string_list_append (kind_names, _("Ease (CES, 1–7)"));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));
  g_signal_connect_object (self->kind_row, "notify::selected", G_CALLBACK (kind_selected_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
  /* Enter in the score saves. */
  g_object_set (gtk_editable_get_delegate (GTK_EDITABLE (self->score_spin)), "activates-default", TRUE, NULL);
  update_range (self);
}

SapaRatingDialog *
sapa_rating_dialog_new (SapaStore  *store,
                        SapaRecord *conversation,
                        const char *agent_id)
{
  SapaRatingDialog *self;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (SAPA_IS_RECORD (conversation), NULL);

  self = g_object_new (SAPA_TYPE_RATING_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->conversation = g_object_ref (conversation);
  self->agent_id = g_strdup (agent_id);
  /* A phone conversation was rated by phone; anything else in person. */
  sapa_rating_dialog_set_collected_via (self,
                                        g_strcmp0 (sapa_record_get_string (conversation, "channel"), "phone") == 0
                                        ? "phone" : "in_person");
  return self;
}

gboolean
sapa_rating_dialog_save (SapaRatingDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *comment = NULL;
  guint kind;

  g_return_val_if_fail (SAPA_IS_RATING_DIALOG (self), FALSE);

  kind = adw_combo_row_get_selected (self->kind_row);
  gtk_spin_button_update (self->score_spin);
  buffer = gtk_text_view_get_buffer (self->comment_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  comment = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  return sapa_rating_dialog_save_rating (self,
                                         kind < G_N_ELEMENTS (kinds) ? kinds[kind] : NULL,
                                         gtk_spin_button_get_value_as_int (self->score_spin),
                                         comment,
                                         sapa_rating_dialog_get_collected_via (self));
}

gboolean
sapa_rating_dialog_save_rating (SapaRatingDialog *self,
                                const char       *kind,
                                int               score,
                                const char       *comment,
                                const char       *collected_via)
{
  g_autoptr(SapaRecord) response = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *desk_agent = NULL;

  g_return_val_if_fail (SAPA_IS_RATING_DIALOG (self), FALSE);

  if (self->saving)
    return FALSE;
  if (kind_index (kind) < 0)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is what was given as the kind of rating */
      message = g_strdup_printf (_("“%s” is not a kind of rating: choose CSAT, NPS or CES. Nothing was saved."),
                                 kind ? kind : "");
      show_error (self, message);
      return FALSE;
    }

  desk_agent = sapa_store_dup_meta (self->store, "agent_id");
  response = sapa_record_new ("survey_response");
  sapa_record_set_string (response, "kind", kind);
  sapa_record_set_int (response, "score", score);
  if (comment != NULL && *comment != '\0')
    sapa_record_set_string (response, "comment", comment);
  sapa_record_set_string (response, "customer_id", sapa_record_get_string (self->conversation, "customer_id"));
  sapa_record_set_string (response, "conversation_id", sapa_record_get_id (self->conversation));
  sapa_record_set_string (response, "agent_id", desk_agent ? desk_agent : self->agent_id);
  sapa_record_set_string (response, "branch_id", sapa_record_get_string (self->conversation, "branch_id"));
  sapa_record_set_string (response, "channel", sapa_record_get_string (self->conversation, "channel"));
  sapa_record_set_string (response, "collected_via", collected_via ? collected_via : "phone");
  sapa_record_set_int (response, "collected_at", g_get_real_time () / G_USEC_PER_SEC);

  if (!sapa_record_validate (response, &error))
    {
      /* Translators: %s says why ("A nps score must be between 0 and 10") */
      g_autofree char *message = g_strdup_printf (_("%s. Nothing was saved: correct the score and save again."),
                                                  error->message);

      show_error (self, message);
      return FALSE;
    }

  show_error (self, NULL);
  self->saving = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  records = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (records, g_steal_pointer (&response));
  sapa_store_save_all_async (self->store, records, self->cancellable, saved_cb, g_object_ref (self));
  return TRUE;
}

void
sapa_rating_dialog_set_kind (SapaRatingDialog *self,
                             const char       *kind)
{
  int i;

  g_return_if_fail (SAPA_IS_RATING_DIALOG (self));

  i = kind_index (kind);
  g_return_if_fail (i >= 0);
  adw_combo_row_set_selected (self->kind_row, (guint) i);
  update_range (self);
}

const char *
sapa_rating_dialog_get_kind (SapaRatingDialog *self)
{
  guint i;

  g_return_val_if_fail (SAPA_IS_RATING_DIALOG (self), NULL);
  i = adw_combo_row_get_selected (self->kind_row);
  return i < G_N_ELEMENTS (kinds) ? kinds[i] : NULL;
}

void
sapa_rating_dialog_set_score (SapaRatingDialog *self,
                              int               score)
{
  g_return_if_fail (SAPA_IS_RATING_DIALOG (self));
  gtk_spin_button_set_value (self->score_spin, score);
}

void
sapa_rating_dialog_get_range (SapaRatingDialog *self,
                              int              *min,
                              int              *max)
{
  double lower, upper;

  g_return_if_fail (SAPA_IS_RATING_DIALOG (self));
  gtk_spin_button_get_range (self->score_spin, &lower, &upper);
  if (min != NULL)
    *min = (int) lower;
  if (max != NULL)
    *max = (int) upper;
}

void
sapa_rating_dialog_set_collected_via (SapaRatingDialog *self,
                                      const char       *collected_via)
{
  g_return_if_fail (SAPA_IS_RATING_DIALOG (self));

  for (guint i = 0; i < G_N_ELEMENTS (vias); i++)
    if (g_strcmp0 (vias[i], collected_via) == 0)
      adw_combo_row_set_selected (self->via_row, i);
}

const char *
sapa_rating_dialog_get_collected_via (SapaRatingDialog *self)
{
  guint i;

  g_return_val_if_fail (SAPA_IS_RATING_DIALOG (self), NULL);
  i = adw_combo_row_get_selected (self->via_row);
  return i < G_N_ELEMENTS (vias) ? vias[i] : "phone";
}

const char *
sapa_rating_dialog_get_error (SapaRatingDialog *self)
{
  g_return_val_if_fail (SAPA_IS_RATING_DIALOG (self), NULL);
  return self->error;
}
