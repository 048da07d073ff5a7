/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-sign-in-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-sign-in-dialog.h"

struct _SapaSignInDialog
{
  AdwWindow     parent_instance;

  SapaSync     *sync;
  GCancellable *cancellable;
  char         *server_url;   /* the address being signed in to */
  gboolean      busy;

  GtkLabel     *error_label;
  AdwEntryRow  *password_row;
  AdwEntryRow  *server_row;
  GtkButton    *sign_in_button;
  GtkSpinner   *spinner;
  AdwEntryRow  *username_row;
};

G_DEFINE_FINAL_TYPE (SapaSignInDialog, sapa_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
sapa_sign_in_normalize_url (const char *text)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gsize len;

  if (text == NULL)
    return NULL;
  trimmed = g_strstrip (g_strdup (text));
  if (trimmed[0] == '\0')
    return NULL;

  if (strstr (trimmed, "://") == NULL)
    with_scheme = g_strconcat ("https://", trimmed, NULL);
  else
    with_scheme = g_strdup (trimmed);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return NULL;
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return NULL;

  len = strlen (with_scheme);
  while (len > 0 && with_scheme[len - 1] == '/')
    with_scheme[--len] = '\0';
  return g_steal_pointer (&with_scheme);
}

char *
sapa_sign_in_error_text (const GError *error,
                         const char   *server_url)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == SAPA_SYNC_ERROR)
    switch ((SapaSyncError) error->code)
      {
      case SAPA_SYNC_ERROR_UNAUTHORIZED:
        return g_strdup (_("The username or password is wrong. Check both and try again; if you forgot the password, ask your administrator to set a new one."));
      case SAPA_SYNC_ERROR_NETWORK:
        /* Translators: %s is the server address */
        return g_strdup_printf (_("Cannot reach the server at %s. Check the address and this computer’s network connection, then try again."),
                                server_url);
      case SAPA_SYNC_ERROR_RATE_LIMITED:
        /* The engine's message says when the server takes the next attempt
         * (the server's Retry-After). */
        return g_strdup (error->message);
      case SAPA_SYNC_ERROR_FORBIDDEN:
        return g_strdup (_("This account may not sign in here. Ask your administrator to check it."));
      case SAPA_SYNC_ERROR_PROTOCOL:
        /* Translators: %s is the server address */
        return g_strdup_printf (_("The address %s did not answer as a Sapa server. Check the address with your administrator."),
                                server_url);
      case SAPA_SYNC_ERROR_SERVER:
        return g_strdup (_("The server had a problem and could not sign you in. Try again in a moment; if it keeps happening, tell your administrator."));
      default:
        break;
      }

  return g_strdup (error->message);
}

static void
show_error (SapaSignInDialog *self,
            const char       *text)
{
  gtk_label_set_label (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
set_busy (SapaSignInDialog *self,
          gboolean          busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* Not insensitive: the focused row would lose focus under the typist. */
  gtk_editable_set_editable (GTK_EDITABLE (self->server_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->username_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", !busy);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SapaSignInDialog) self = SAPA_SIGN_IN_DIALOG (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!sapa_sync_sign_in_finish (SAPA_SYNC (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      g_message ("Sign-in to %s failed: %s", self->server_url, error->message);
      text = sapa_sign_in_error_text (error, self->server_url);
      show_error (self, text);
      if (g_error_matches (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED))
        {
          gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
        }
      return;
    }

  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  g_signal_emit (self, signals[SIGNED_IN], 0, self->server_url);
  gtk_window_close (GTK_WINDOW (self));
}

static void
submit_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SapaSignInDialog *self = SAPA_SIGN_IN_DIALOG (widget);
  const char *server_text = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  g_autofree char *username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *url = sapa_sign_in_normalize_url (server_text);

  if (self->busy)
    return;

  if (url == NULL)
    {
      show_error (self, _("Enter the server’s address, for example https://sapa.example.com. Your administrator knows it."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (username[0] == '\0')
    {
      show_error (self, _("Enter your username."));
      gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
      return;
    }
  if (password[0] == '\0')
    {
      show_error (self, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  show_error (self, NULL);
  g_free (self->server_url);
  self->server_url = g_steal_pointer (&url);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), self->server_url);
  set_busy (self, TRUE);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  sapa_sync_sign_in_async (self->sync, self->server_url, username, password,
                           self->cancellable, sign_in_done_cb, g_object_ref (self));
}

static void
sapa_sign_in_dialog_dispose (GObject *object)
{
  SapaSignInDialog *self = SAPA_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sync);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (sapa_sign_in_dialog_parent_class)->dispose (object);
}

static void
sapa_sign_in_dialog_finalize (GObject *object)
{
  SapaSignInDialog *self = SAPA_SIGN_IN_DIALOG (object);

  g_free (self->server_url);

  G_OBJECT_CLASS (sapa_sign_in_dialog_parent_class)->finalize (object);
}

static void
sapa_sign_in_dialog_class_init (SapaSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_sign_in_dialog_dispose;
  object_class->finalize = sapa_sign_in_dialog_finalize;

  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SapaSignInDialog, username_row);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sapa_sign_in_dialog_init (SapaSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->sign_in_button));
}

SapaSignInDialog *
sapa_sign_in_dialog_new (SapaSync   *sync,
                         const char *server_url)
{
  SapaSignInDialog *self;

  g_return_val_if_fail (SAPA_IS_SYNC (sync), NULL);

  self = g_object_new (SAPA_TYPE_SIGN_IN_DIALOG, NULL);
  self->sync = g_object_ref (sync);
  sapa_sign_in_dialog_set_server_url (self, server_url);
  if (server_url != NULL && server_url[0] != '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  return self;
}

void
sapa_sign_in_dialog_set_server_url (SapaSignInDialog *self,
                                    const char       *server_url)
{
  g_return_if_fail (SAPA_IS_SIGN_IN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
}

void
sapa_sign_in_dialog_set_username (SapaSignInDialog *self,
                                  const char       *username)
{
  g_return_if_fail (SAPA_IS_SIGN_IN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username ? username : "");
}

gboolean
sapa_sign_in_dialog_get_busy (SapaSignInDialog *self)
{
  g_return_val_if_fail (SAPA_IS_SIGN_IN_DIALOG (self), FALSE);
  return self->busy;
}

const char *
sapa_sign_in_dialog_get_error_text (SapaSignInDialog *self)
{
  g_return_val_if_fail (SAPA_IS_SIGN_IN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

void
sapa_sign_in_dialog_show_error (SapaSignInDialog *self,
                                const GError     *error,
                                const char       *server_url)
{
  g_autofree char *text = NULL;

  g_return_if_fail (SAPA_IS_SIGN_IN_DIALOG (self));
  g_return_if_fail (error != NULL);

  text = sapa_sign_in_error_text (error, server_url);
  show_error (self, text);
}
