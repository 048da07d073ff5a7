/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-application.h"
#include "sapa-preferences-window.h"

struct _SapaPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings   *settings;
  char        *database_path;

  AdwActionRow *database_row;
  AdwComboRow  *language_row;
  AdwComboRow  *kiosk_monitor_row;
  GPtrArray    *kiosk_connectors;   /* the GSettings "kiosk-monitor" value of each row; "" = automatic */
};

G_DEFINE_FINAL_TYPE (SapaPreferencesWindow, sapa_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The GSettings `language` values, in the order of the combo row. */
static const char * const languages[] = { "", "id", "en" };

static gboolean
language_to_row (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *language = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_str_equal (languages[i], language))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
row_to_language (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  return g_variant_new_string (i < G_N_ELEMENTS (languages) ? languages[i] : "");
}

/* The customer display: "Automatic" and the monitors connected now (plus
 * the chosen one when it is not connected). */
static void
fill_kiosk_monitors (SapaPreferencesWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *chosen = g_settings_get_string (self->settings, "kiosk-monitor");
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  guint n = g_list_model_get_n_items (monitors);

  g_ptr_array_set_size (self->kiosk_connectors, 0);
  /* Translators: the rating screen goes to the monitor the desk is not on */
  gtk_string_list_append (names, _("Automatic (the other monitor)"));
  g_ptr_array_add (self->kiosk_connectors, g_strdup (""));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      const char *connector = gdk_monitor_get_connector (monitor);
      const char *model = gdk_monitor_get_model (monitor);
      GdkRectangle area;
      g_autofree char *name = NULL;

      if (connector == NULL)
        continue;
      gdk_monitor_get_geometry (monitor, &area);
      /* Translators: a monitor: its model (or connector), connector and size, e.g. "DELL P2419H (HDMI-1, 1920×1080)" */
      name = g_strdup_printf (_("%s (%s, %d×%d)"), model && *model ? model : connector, connector,
                              area.width, area.height);
      gtk_string_list_append (names, name);
      g_ptr_array_add (self->kiosk_connectors, g_strdup (connector));
    }
  if (*chosen != '\0' &&
      !g_ptr_array_find_with_equal_func (self->kiosk_connectors, chosen, g_str_equal, NULL))
    {
      /* Translators: %s is a monitor connector such as HDMI-1 */
      g_autofree char *name = g_strdup_printf (_("%s (not connected)"), chosen);

      gtk_string_list_append (names, name);
      g_ptr_array_add (self->kiosk_connectors, g_strdup (chosen));
    }
  adw_combo_row_set_model (self->kiosk_monitor_row, G_LIST_MODEL (names));
}

static gboolean
kiosk_monitor_to_row (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  SapaPreferencesWindow *self = user_data;
  const char *connector = g_variant_get_string (variant, NULL);
  guint index = 0;

  if (!g_ptr_array_find_with_equal_func (self->kiosk_connectors, connector, g_str_equal, &index))
    index = 0;
  g_value_set_uint (value, index);
  return TRUE;
}

static GVariant *
row_to_kiosk_monitor (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  SapaPreferencesWindow *self = user_data;
  guint i = g_value_get_uint (value);

  return g_variant_new_string (i < self->kiosk_connectors->len
                               ? (const char *) g_ptr_array_index (self->kiosk_connectors, i) : "");
}

static void
update_database_row (SapaPreferencesWindow *self)
{
  g_autofree char *chosen = g_settings_get_string (self->settings, "last-database");
  const char *shown = chosen[0] != '\0' ? chosen : self->database_path;

  adw_action_row_set_subtitle (self->database_row, shown ? shown : "");
}

static void
chooser_response_cb (GtkNativeDialog       *chooser,
                     int                    response,
                     SapaPreferencesWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  AdwToast *toast;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file ? g_file_get_path (file) : NULL;
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (path == NULL || g_strcmp0 (path, self->database_path) == 0)
    return;

  g_settings_set_string (self->settings, "last-database", path);
  update_database_row (self);

  toast = adw_toast_new (_("Sapa opens this file the next time it starts."));
  adw_toast_set_button_label (toast, _("Open _Now"));
  adw_toast_set_action_name (toast, "app.reopen-database");
  adw_toast_set_timeout (toast, 0);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
choose_clicked_cb (SapaPreferencesWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) databases = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Desk Database"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (databases, _("Sapa Databases"));
  gtk_file_filter_add_pattern (databases, "*.sqlite");
  gtk_file_filter_add_pattern (databases, "*.db");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), databases);

  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
sapa_preferences_window_dispose (GObject *object)
{
  SapaPreferencesWindow *self = SAPA_PREFERENCES_WINDOW (object);

  if (self->kiosk_monitor_row != NULL)
    g_settings_unbind (self->kiosk_monitor_row, "selected");
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sapa_preferences_window_parent_class)->dispose (object);
}

static void
sapa_preferences_window_finalize (GObject *object)
{
  SapaPreferencesWindow *self = SAPA_PREFERENCES_WINDOW (object);

  g_free (self->database_path);
  g_clear_pointer (&self->kiosk_connectors, g_ptr_array_unref);

  G_OBJECT_CLASS (sapa_preferences_window_parent_class)->finalize (object);
}

static void
sapa_preferences_window_class_init (SapaPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_preferences_window_dispose;
  object_class->finalize = sapa_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaPreferencesWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, SapaPreferencesWindow, language_row);
  gtk_widget_class_bind_template_child (widget_class, SapaPreferencesWindow, kiosk_monitor_row);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
}

static void
sapa_preferences_window_init (SapaPreferencesWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Translators: the language setting that follows the computer's language */
  gtk_string_list_append (names, _("System"));
  /* Each language is named in its own language, so people find theirs. */
  gtk_string_list_append (names, "Bahasa Indonesia");
  gtk_string_list_append (names, "English");
  adw_combo_row_set_model (self->language_row, G_LIST_MODEL (names));

  self->settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  g_settings_bind_with_mapping (self->settings, "language", self->language_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, language_to_row, row_to_language,
                                NULL, NULL);

  self->kiosk_connectors = g_ptr_array_new_with_free_func (g_free);
  fill_kiosk_monitors (self);
  g_settings_bind_with_mapping (self->settings, "kiosk-monitor", self->kiosk_monitor_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, kiosk_monitor_to_row, row_to_kiosk_monitor,
                                self, NULL);
}

SapaPreferencesWindow *
sapa_preferences_window_new (const char *database_path)
{
  SapaPreferencesWindow *self = g_object_new (SAPA_TYPE_PREFERENCES_WINDOW, NULL);

  self->database_path = g_strdup (database_path);
  update_database_row (self);
  return self;
}

guint
sapa_preferences_window_get_language_index (SapaPreferencesWindow *self)
{
  g_return_val_if_fail (SAPA_IS_PREFERENCES_WINDOW (self), 0);
  return adw_combo_row_get_selected (self->language_row);
}

AdwComboRow *
sapa_preferences_window_get_kiosk_monitor_row (SapaPreferencesWindow *self)
{
  g_return_val_if_fail (SAPA_IS_PREFERENCES_WINDOW (self), NULL);
  return self->kiosk_monitor_row;
}

void
sapa_preferences_window_set_language_index (SapaPreferencesWindow *self,
                                            guint                  index)
{
  g_return_if_fail (SAPA_IS_PREFERENCES_WINDOW (self));
  adw_combo_row_set_selected (self->language_row, index);
}
