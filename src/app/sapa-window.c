/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-application.h"
#include "sapa-sync-indicator.h"
#include "sapa-window.h"

struct _SapaWindow
{
  AdwApplicationWindow parent_instance;

  GSettings        *settings;
  SapaStore        *store;
  char             *agent_id;
  char             *branch_id;
  SapaCustomerPage *customer_page;

  GtkWidget        *content_box;
  AdwBin           *customer_bin;
  AdwWindowTitle   *customer_title;
  GtkStack         *content_stack;
  AdwLeaflet       *leaflet;
  AdwStatusPage    *loading_page;
  SapaLookupPage   *lookup_page;
  GtkStack         *main_stack;
  GtkWidget        *sidebar_box;
  SapaSyncIndicator *sync_indicator;
  AdwToastOverlay  *toast_overlay;
};

G_DEFINE_FINAL_TYPE (SapaWindow, sapa_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_title (SapaWindow *self)
{
  g_autoptr(SapaRecord) customer = NULL;
  const char *id = sapa_window_get_customer_id (self);

  if (id != NULL && self->store != NULL)
    customer = sapa_store_get (self->store, "customer", id, NULL);
  adw_window_title_set_title (self->customer_title,
                              customer ? sapa_record_get_string (customer, "full_name") : "");

  /* The window's own title (task switcher, screen readers) names the customer too. */
  if (customer != NULL)
    {
      /* Translators: the window title while a customer is open; %s is their name */
      g_autofree char *title = g_strdup_printf (_("%s – Sapa"), sapa_record_get_string (customer, "full_name"));

      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    gtk_window_set_title (GTK_WINDOW (self), _("Sapa"));
}

static void
show_search (SapaWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_box);
  sapa_lookup_page_focus_search (self->lookup_page);
}

static void
search_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  show_search (SAPA_WINDOW (user_data));
}

static void
new_customer_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  sapa_window_new_customer (SAPA_WINDOW (user_data), NULL);
}

static const GActionEntry win_entries[] = {
  { .name = "search", .activate = search_activated },
  { .name = "back-to-search", .activate = search_activated },
  { .name = "new-customer", .activate = new_customer_activated },
};

static void
customer_activated_cb (SapaWindow *self,
                       const char *customer_id)
{
  sapa_window_open_customer (self, customer_id);
}

static void
create_customer_cb (SapaWindow *self,
                    const char *query)
{
  sapa_window_new_customer (self, query);
}

static void
store_changed_cb (SapaWindow *self,
                  const char *entity,
                  const char *id,
                  SapaStore  *store)
{
  if (g_strcmp0 (entity, "customer") == 0 &&
      g_strcmp0 (id, sapa_window_get_customer_id (self)) == 0)
    update_title (self);
}

static void
ensure_customer_page (SapaWindow *self)
{
  GtkWidget *page;

  if (self->customer_page != NULL)
    return;

  page = sapa_customer_page_new (self->store, self->agent_id);
  self->customer_page = SAPA_CUSTOMER_PAGE (page);
  g_signal_connect_object (page, "open-customer", G_CALLBACK (customer_activated_cb),
                           self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->customer_bin, page);
}

static gboolean
sapa_window_close_request (GtkWindow *window)
{
  SapaWindow *self = SAPA_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (sapa_window_parent_class)->close_request (window);
}

static void
sapa_window_dispose (GObject *object)
{
  SapaWindow *self = SAPA_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  self->customer_page = NULL;

  G_OBJECT_CLASS (sapa_window_parent_class)->dispose (object);
}

static void
sapa_window_finalize (GObject *object)
{
  SapaWindow *self = SAPA_WINDOW (object);

  g_free (self->agent_id);
  g_free (self->branch_id);

  G_OBJECT_CLASS (sapa_window_parent_class)->finalize (object);
}

static void
sapa_window_class_init (SapaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sapa_window_dispose;
  object_class->finalize = sapa_window_finalize;
  window_class->close_request = sapa_window_close_request;

  g_type_ensure (SAPA_TYPE_LOOKUP_PAGE);
  g_type_ensure (SAPA_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, customer_bin);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, customer_title);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, lookup_page);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, sidebar_box);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, SapaWindow, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, create_customer_cb);
  gtk_widget_class_bind_template_callback (widget_class, customer_activated_cb);

  /* A widget binding, not an application accelerator, so entries and
   * popovers that use Escape themselves get it first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back-to-search", NULL);
}

static void
sapa_window_init (SapaWindow *self)
{
  GAction *new_customer;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries,
                                   G_N_ELEMENTS (win_entries), self);
  new_customer = g_action_map_lookup_action (G_ACTION_MAP (self), "new-customer");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (new_customer), FALSE);

  self->settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

SapaWindow *
sapa_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SAPA_TYPE_WINDOW, "application", application, NULL);
}

void
sapa_window_show_loading (SapaWindow *self,
                          const char *path)
{
  g_return_if_fail (SAPA_IS_WINDOW (self));

  adw_status_page_set_description (self->loading_page, path);
  if (self->store == NULL)
    gtk_stack_set_visible_child_name (self->main_stack, "loading");
}

void
sapa_window_set_store (SapaWindow *self,
                       SapaStore  *store,
                       const char *agent_id,
                       const char *branch_id)
{
  GAction *new_customer;

  g_return_if_fail (SAPA_IS_WINDOW (self));
  g_return_if_fail (SAPA_IS_STORE (store));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, store_changed_cb, self);
  g_set_object (&self->store, store);
  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);
  g_free (self->branch_id);
  self->branch_id = g_strdup (branch_id);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* The customer page is built the first time a customer is opened. */
  self->customer_page = NULL;
  adw_bin_set_child (self->customer_bin, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "none");
  update_title (self);

  sapa_lookup_page_set_store (self->lookup_page, store);

  new_customer = g_action_map_lookup_action (G_ACTION_MAP (self), "new-customer");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (new_customer), TRUE);

  gtk_stack_set_visible_child_name (self->main_stack, "desk");
  show_search (self);
}

SapaStore *
sapa_window_get_store (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);
  return self->store;
}

void
sapa_window_open_customer (SapaWindow *self,
                           const char *customer_id)
{
  g_return_if_fail (SAPA_IS_WINDOW (self));
  g_return_if_fail (customer_id != NULL);

  if (self->store == NULL)
    return;
  ensure_customer_page (self);

  sapa_customer_page_set_customer_id (self->customer_page, customer_id);
  gtk_stack_set_visible_child_name (self->content_stack, "customer");
  update_title (self);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
  gtk_widget_child_focus (GTK_WIDGET (self->customer_page), GTK_DIR_TAB_FORWARD);
}

const char *
sapa_window_get_customer_id (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);

  if (self->customer_page == NULL ||
      !g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "customer"))
    return NULL;
  return sapa_customer_page_get_customer_id (self->customer_page);
}

SapaNewCustomerDialog *
sapa_window_new_customer (SapaWindow *self,
                          const char *query)
{
  SapaNewCustomerDialog *dialog;

  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);

  if (self->store == NULL)
    return NULL;

  dialog = sapa_new_customer_dialog_new (self->store, self->agent_id, self->branch_id);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  sapa_new_customer_dialog_prefill (dialog, query);
  g_signal_connect_object (dialog, "open-customer", G_CALLBACK (customer_activated_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

gboolean
sapa_window_get_sidebar_shown (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), FALSE);

  return !adw_leaflet_get_folded (self->leaflet) ||
         adw_leaflet_get_visible_child (self->leaflet) == self->sidebar_box;
}

void
sapa_window_add_toast (SapaWindow *self,
                       AdwToast   *toast)
{
  g_return_if_fail (SAPA_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

SapaLookupPage *
sapa_window_get_lookup_page (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);
  return self->lookup_page;
}

SapaCustomerPage *
sapa_window_get_customer_page (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);
  return self->customer_page;
}

void
sapa_window_set_sync (SapaWindow *self,
                      SapaSync   *sync)
{
  g_return_if_fail (SAPA_IS_WINDOW (self));
  g_return_if_fail (sync == NULL || SAPA_IS_SYNC (sync));

  sapa_sync_indicator_set_sync (self->sync_indicator, sync);
}

SapaSyncIndicator *
sapa_window_get_sync_indicator (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);
  return self->sync_indicator;
}

const char *
sapa_window_get_agent_id (SapaWindow *self)
{
  g_return_val_if_fail (SAPA_IS_WINDOW (self), NULL);
  return self->agent_id;
}
