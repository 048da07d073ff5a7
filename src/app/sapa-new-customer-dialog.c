/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-new-customer-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-lookup-page.h"
#include "sapa-new-customer-dialog.h"

struct _SapaNewCustomerDialog
{
  AdwWindow     parent_instance;

  SapaStore    *store;
  char         *agent_id;
  char         *branch_id;
  GCancellable *cancellable;
  char         *duplicate_id;     /* the customer the warning names */
  guint         create_anyway : 1;

  AdwEntryRow  *account_row;
  GtkLabel     *account_error;
  AdwComboRow  *channel_row;
  GtkButton    *create_anyway_button;
  GtkLabel     *duplicate_label;
  GtkRevealer  *duplicate_revealer;
  AdwEntryRow  *email_row;
  GtkLabel     *email_error;
  AdwComboRow  *language_row;
  AdwEntryRow  *name_row;
  GtkLabel     *name_error;
  GtkButton    *open_duplicate_button;
  AdwEntryRow  *phone_row;
  GtkLabel     *phone_error;
  GtkButton    *save_button;
  GtkLabel     *save_error;
  AdwComboRow  *segment_row;
};

G_DEFINE_FINAL_TYPE (SapaNewCustomerDialog, sapa_new_customer_dialog, ADW_TYPE_WINDOW)

enum {
  OPEN_CUSTOMER,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* The values behind the combo rows, in their order; "" = not set. */
static const char * const language_values[] = { "", "id", "en", NULL };

static GPtrArray *
channel_values (void)
{
  GPtrArray *values = g_ptr_array_new ();

  g_ptr_array_add (values, (gpointer) "");
  for (guint i = 0; sapa_channels[i] != NULL; i++)
    if (!g_str_equal (sapa_channels[i], "note"))
      g_ptr_array_add (values, (gpointer) sapa_channels[i]);
  return values;
}

static void
show_field_error (AdwEntryRow *row,
                  GtkLabel    *label,
                  const char  *message)
{
  GtkWidget *error_row = gtk_widget_get_parent (GTK_WIDGET (label));

  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (error_row, message != NULL);
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, label, NULL,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE);
    }
}

static char *
dup_trimmed (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
hide_duplicate (SapaNewCustomerDialog *self)
{
  gtk_revealer_set_reveal_child (self->duplicate_revealer, FALSE);
  g_clear_pointer (&self->duplicate_id, g_free);
  self->create_anyway = FALSE;
}

static void
set_saving (SapaNewCustomerDialog *self,
            gboolean               saving)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_anyway_button), !saving);
}

/* The first other customer who has one of these, with a sentence saying so. */
static SapaRecord *
find_duplicate (SapaNewCustomerDialog *self,
                const char            *phone,
                const char            *email,
                const char            *account,
                char                 **message)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;

  if (phone != NULL)
    {
      found = sapa_store_find_customers_by_phone (self->store, phone, &error);
      if (found != NULL && found->len > 0)
        {
          SapaRecord *other = g_ptr_array_index (found, 0);
          g_autofree char *formatted = sapa_phone_format (phone);

          /* Translators: the first %s is a customer's name, the second a phone number */
          *message = g_strdup_printf (_("%s already has the phone number %s."),
                                      sapa_record_get_string (other, "full_name"), formatted);
          return g_object_ref (other);
        }
      g_clear_pointer (&found, g_ptr_array_unref);
    }
  if (error != NULL)
    g_warning ("Could not look for duplicate phones: %s", error->message);
  g_clear_error (&error);

  if (email != NULL)
    {
      found = sapa_store_find_customers_by_email (self->store, email, &error);
      if (found != NULL && found->len > 0)
        {
          SapaRecord *other = g_ptr_array_index (found, 0);

          /* Translators: the first %s is a customer's name, the second an email address */
          *message = g_strdup_printf (_("%s already has the email address %s."),
                                      sapa_record_get_string (other, "full_name"), email);
          return g_object_ref (other);
        }
      g_clear_pointer (&found, g_ptr_array_unref);
    }
  if (error != NULL)
    g_warning ("Could not look for duplicate emails: %s", error->message);
  g_clear_error (&error);

  if (account != NULL)
    {
      found = sapa_store_find_customers_by_account (self->store, account, &error);
      if (found != NULL && found->len > 0)
        {
          SapaRecord *other = g_ptr_array_index (found, 0);
          g_autofree char *masked = sapa_account_mask (account);

          /* Translators: the first %s is a customer's name, the second a masked account number */
          *message = g_strdup_printf (_("%s already has the account number %s."),
                                      sapa_record_get_string (other, "full_name"), masked);
          return g_object_ref (other);
        }
    }
  if (error != NULL)
    g_warning ("Could not look for duplicate accounts: %s", error->message);

  return NULL;
}

static void
save_finished_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SapaNewCustomerDialog) self = SAPA_NEW_CUSTOMER_DIALOG (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!sapa_store_save_all_finish (SAPA_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->cancellable);
      set_saving (self, FALSE);
      gtk_label_set_text (self->save_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
      return;
    }

  id = g_strdup (g_object_get_data (G_OBJECT (self->cancellable), "customer-id"));
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[OPEN_CUSTOMER], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
sapa_new_customer_dialog_save (SapaNewCustomerDialog *self)
{
  g_autofree char *name = NULL;
  g_autofree char *phone_text = NULL;
  g_autofree char *email_text = NULL;
  g_autofree char *account_text = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *email = NULL;
  g_autofree char *account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) audit = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  GtkWidget *first_invalid = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint pos;

  g_return_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self));

  if (self->cancellable != NULL)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);

  name = dup_trimmed (self->name_row);
  phone_text = dup_trimmed (self->phone_row);
  email_text = dup_trimmed (self->email_row);
  account_text = dup_trimmed (self->account_row);

  if (name[0] == '\0')
    {
      show_field_error (self->name_row, self->name_error,
                        _("Enter the customer’s full name."));
      first_invalid = GTK_WIDGET (self->name_row);
    }
  else
    show_field_error (self->name_row, self->name_error, NULL);

  if (phone_text[0] != '\0' && !(phone = sapa_phone_normalize (phone_text, &error)))
    {
      show_field_error (self->phone_row, self->phone_error,
                        error->message);
      first_invalid = first_invalid ? first_invalid : GTK_WIDGET (self->phone_row);
    }
  else
    show_field_error (self->phone_row, self->phone_error, NULL);
  g_clear_error (&error);

  if (email_text[0] != '\0' && !(email = sapa_email_normalize (email_text, &error)))
    {
      show_field_error (self->email_row, self->email_error,
                        error->message);
      first_invalid = first_invalid ? first_invalid : GTK_WIDGET (self->email_row);
    }
  else
    show_field_error (self->email_row, self->email_error, NULL);
  g_clear_error (&error);

  if (account_text[0] != '\0' && !(account = sapa_account_normalize (account_text, &error)))
    {
      show_field_error (self->account_row, self->account_error,
                        error->message);
      first_invalid = first_invalid ? first_invalid : GTK_WIDGET (self->account_row);
    }
  else
    show_field_error (self->account_row, self->account_error, NULL);
  g_clear_error (&error);

  if (first_invalid != NULL)
    {
      hide_duplicate (self);
      gtk_widget_grab_focus (first_invalid);
      return;
    }

  if (!self->create_anyway)
    {
      g_autofree char *message = NULL;
      g_autoptr(SapaRecord) other = find_duplicate (self, phone, email, account, &message);

      if (other != NULL)
        {
          g_free (self->duplicate_id);
          self->duplicate_id = g_strdup (sapa_record_get_id (other));
          gtk_label_set_text (self->duplicate_label, message);
          gtk_revealer_set_reveal_child (self->duplicate_revealer, TRUE);
          gtk_widget_grab_focus (GTK_WIDGET (self->open_duplicate_button));
          return;
        }
    }

  customer = sapa_record_new ("customer");
  sapa_record_set_string (customer, "full_name", name);
  if (phone != NULL)
    sapa_record_set_list (customer, "phones", (const char * const[]) { phone, NULL });
  if (email != NULL)
    sapa_record_set_list (customer, "emails", (const char * const[]) { email, NULL });
  if (account != NULL)
    sapa_record_set_string (customer, "account_number", account);

  pos = adw_combo_row_get_selected (self->segment_row);
  sapa_record_set_string (customer, "segment",
                          pos < g_strv_length ((char **) sapa_segments) ? sapa_segments[pos] : "regular");
  pos = adw_combo_row_get_selected (self->language_row);
  if (pos > 0 && pos < G_N_ELEMENTS (language_values) - 1)
    sapa_record_set_string (customer, "preferred_language", language_values[pos]);
  channels = channel_values ();
  pos = adw_combo_row_get_selected (self->channel_row);
  if (pos > 0 && pos < channels->len)
    sapa_record_set_string (customer, "preferred_channel", g_ptr_array_index (channels, pos));
  if (self->branch_id != NULL)
    sapa_record_set_string (customer, "branch_id", self->branch_id);
  sapa_record_set_int (customer, "created_at", now);

  /* Personal data written at this desk is audited. */
  audit = sapa_record_new ("audit_event");
  sapa_record_set_string (audit, "action", "create_customer");
  if (self->agent_id != NULL)
    sapa_record_set_string (audit, "agent_id", self->agent_id);
  sapa_record_set_string (audit, "customer_id", sapa_record_get_id (customer));
  sapa_record_set_int (audit, "at", now);

  records = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (records, g_object_ref (customer));
  g_ptr_array_add (records, g_object_ref (audit));

  self->cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (self->cancellable), "customer-id",
                          g_strdup (sapa_record_get_id (customer)), g_free);
  set_saving (self, TRUE);
  sapa_store_save_all_async (self->store, records, self->cancellable,
                             save_finished_cb, g_object_ref (self));
}

static void
save_clicked_cb (SapaNewCustomerDialog *self)
{
  sapa_new_customer_dialog_save (self);
}

static gboolean
save_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  sapa_new_customer_dialog_save (SAPA_NEW_CUSTOMER_DIALOG (widget));
  return TRUE;
}

static void
open_duplicate_clicked_cb (SapaNewCustomerDialog *self)
{
  g_autofree char *id = g_strdup (self->duplicate_id);

  if (id == NULL)
    return;
  g_signal_emit (self, signals[OPEN_CUSTOMER], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
create_anyway_clicked_cb (SapaNewCustomerDialog *self)
{
  self->create_anyway = TRUE;
  sapa_new_customer_dialog_save (self);
}

static void
field_changed_cb (SapaNewCustomerDialog *self)
{
  /* The warning was about the values it saw; edits ask again. */
  if (self->cancellable == NULL)
    hide_duplicate (self);
}

static void
sapa_new_customer_dialog_dispose (GObject *object)
{
  SapaNewCustomerDialog *self = SAPA_NEW_CUSTOMER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_NEW_CUSTOMER_DIALOG);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sapa_new_customer_dialog_parent_class)->dispose (object);
}

static void
sapa_new_customer_dialog_finalize (GObject *object)
{
  SapaNewCustomerDialog *self = SAPA_NEW_CUSTOMER_DIALOG (object);

  g_free (self->agent_id);
  g_free (self->branch_id);
  g_free (self->duplicate_id);

  G_OBJECT_CLASS (sapa_new_customer_dialog_parent_class)->finalize (object);
}

static void
sapa_new_customer_dialog_class_init (SapaNewCustomerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_new_customer_dialog_dispose;
  object_class->finalize = sapa_new_customer_dialog_finalize;

  signals[OPEN_CUSTOMER] =
    g_signal_new ("open-customer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-new-customer-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, account_error);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, create_anyway_button);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, duplicate_label);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, duplicate_revealer);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, email_error);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, language_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, open_duplicate_button);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, phone_error);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, phone_row);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, save_error);
  gtk_widget_class_bind_template_child (widget_class, SapaNewCustomerDialog, segment_row);
  gtk_widget_class_bind_template_callback (widget_class, create_anyway_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_duplicate_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, save_shortcut_cb, NULL);
}

static void
sapa_new_customer_dialog_init (SapaNewCustomerDialog *self)
{
  g_autoptr(GtkStringList) segments = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) languages = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) channels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) channel_list = channel_values ();

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; sapa_segments[i] != NULL; i++)
    gtk_string_list_append (segments, sapa_label_segment (sapa_segments[i]));
  adw_combo_row_set_model (self->segment_row, G_LIST_MODEL (segments));

  /* Translators: a preferred language or channel that was not chosen */
  gtk_string_list_append (languages, C_("preference", "Not set"));
  for (guint i = 1; language_values[i] != NULL; i++)
    gtk_string_list_append (languages, sapa_label_language (language_values[i]));
  adw_combo_row_set_model (self->language_row, G_LIST_MODEL (languages));

  gtk_string_list_append (channels, C_("preference", "Not set"));
  for (guint i = 1; i < channel_list->len; i++)
    gtk_string_list_append (channels, sapa_label_channel (g_ptr_array_index (channel_list, i)));
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (channels));

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
}

SapaNewCustomerDialog *
sapa_new_customer_dialog_new (SapaStore  *store,
                              const char *agent_id,
                              const char *branch_id)
{
  SapaNewCustomerDialog *self;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = g_object_new (SAPA_TYPE_NEW_CUSTOMER_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->agent_id = g_strdup (agent_id);
  self->branch_id = g_strdup (branch_id);
  return self;
}

void
sapa_new_customer_dialog_prefill (SapaNewCustomerDialog *self,
                                  const char            *query)
{
  g_autofree char *trimmed = NULL;
  const char *field;

  g_return_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self));

  if (query == NULL)
    return;
  trimmed = g_strstrip (g_strdup (query));
  if (trimmed[0] == '\0')
    return;

  field = sapa_lookup_guess_field (trimmed);
  gtk_editable_set_text (GTK_EDITABLE (sapa_new_customer_dialog_get_row (self, field)), trimmed);
  /* The name is what is asked next when the search was a phone or email. */
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

AdwEntryRow *
sapa_new_customer_dialog_get_row (SapaNewCustomerDialog *self,
                                  const char            *field)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), NULL);

  if (g_strcmp0 (field, "full_name") == 0)
    return self->name_row;
  if (g_strcmp0 (field, "phone") == 0)
    return self->phone_row;
  if (g_strcmp0 (field, "email") == 0)
    return self->email_row;
  if (g_strcmp0 (field, "account_number") == 0)
    return self->account_row;
  g_return_val_if_reached (NULL);
}

GtkLabel *
sapa_new_customer_dialog_get_error (SapaNewCustomerDialog *self,
                                    const char            *field)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), NULL);

  if (g_strcmp0 (field, "full_name") == 0)
    return self->name_error;
  if (g_strcmp0 (field, "phone") == 0)
    return self->phone_error;
  if (g_strcmp0 (field, "email") == 0)
    return self->email_error;
  if (g_strcmp0 (field, "account_number") == 0)
    return self->account_error;
  g_return_val_if_reached (NULL);
}

const char *
sapa_new_customer_dialog_get_duplicate_warning (SapaNewCustomerDialog *self)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->duplicate_revealer))
    return NULL;
  return gtk_label_get_text (self->duplicate_label);
}

GtkButton *
sapa_new_customer_dialog_get_open_duplicate_button (SapaNewCustomerDialog *self)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), NULL);
  return self->open_duplicate_button;
}

GtkButton *
sapa_new_customer_dialog_get_create_anyway_button (SapaNewCustomerDialog *self)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), NULL);
  return self->create_anyway_button;
}

gboolean
sapa_new_customer_dialog_is_saving (SapaNewCustomerDialog *self)
{
  g_return_val_if_fail (SAPA_IS_NEW_CUSTOMER_DIALOG (self), FALSE);
  return self->cancellable != NULL;
}
