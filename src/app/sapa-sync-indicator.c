/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-sync-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-format.h"
#include "sapa-sync-indicator.h"

struct _SapaSyncIndicator
{
  GtkWidget              parent_instance;

  SapaSync              *sync;
  SapaSyncIndicatorView  view;
  guint                  tick_id;
  SapaSyncState          shown_state;
  guint                  syncing_id;   /* a short sync shows no "Syncing…" */
  gboolean               syncing_due;

  GtkButton             *button;
  GtkImage              *icon;
  GtkLabel              *label;
};

G_DEFINE_FINAL_TYPE (SapaSyncIndicator, sapa_sync_indicator, GTK_TYPE_WIDGET)

#define SYNCING_DELAY_MS 1500

enum {
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
sapa_sync_indicator_format_ago (gint64 then,
                                gint64 now)
{
  gint64 seconds = MAX (now - then, 0);
  int n;

  if (seconds < 60)
    /* Translators: when the desk last synced, shown as "Synced just now" */
    return g_strdup (_("just now"));
  if (seconds < 3600)
    {
      n = (int) (seconds / 60);
      /* Translators: when the desk last synced, shown as "Synced 5 min ago" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d min ago", "%d min ago", n), n);
    }
  if (seconds < 24 * 3600)
    {
      n = (int) (seconds / 3600);
      /* Translators: when the desk last synced, in hours: "Synced 3 h ago" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d h ago", "%d h ago", n), n);
    }
  n = (int) MIN (seconds / (24 * 3600), G_MAXINT);
  /* Translators: when the desk last synced, in days: "Synced 2 days ago" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n), n);
}

static char *
last_sync_sentence (gint64 last_synced,
                    gint64 now)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autofree char *day = NULL;
  g_autofree char *time = NULL;

  if (last_synced <= 0)
    return g_strdup (_("This desk has not synced with the server yet."));

  when = g_date_time_new_from_unix_local (last_synced);
  today = g_date_time_new_from_unix_local (now);
  day = sapa_format_day_relative_to (when, today);
  time = sapa_format_time_of_day (when);
  /* Translators: the first %s is a day ("Today", "Yesterday" or a date), the second a time of day */
  return g_strdup_printf (_("Last synced: %s, %s."), day, time);
}

void
sapa_sync_indicator_describe (SapaSyncState          state,
                              gint64                 pending,
                              gint64                 rejected,
                              gint64                 last_synced,
                              gint64                 now,
                              const char            *error_message,
                              SapaSyncIndicatorView *view)
{
  g_autofree char *last = NULL;
  g_autofree char *ago = NULL;
  int n = (int) CLAMP (pending, 0, G_MAXINT);

  g_return_if_fail (view != NULL);

  memset (view, 0, sizeof *view);
  last = last_sync_sentence (last_synced, now);

  switch (state)
    {
    case SAPA_SYNC_STATE_SYNCED:
      view->icon_name = "emblem-ok-symbolic";
      if (last_synced > 0)
        {
          ago = sapa_sync_indicator_format_ago (last_synced, now);
          /* Translators: %s says when: "just now", "5 min ago" */
          view->label = g_strdup_printf (_("Synced %s"), ago);
        }
      else
        view->label = g_strdup (_("Synced"));
      view->tooltip = g_strdup_printf ("%s %s", _("Every change made at this desk is on the server."), last);
      break;

    case SAPA_SYNC_STATE_SYNCING:
      view->icon_name = "emblem-synchronizing-symbolic";
      view->label = g_strdup (_("Syncing…"));
      if (n > 0)
        {
          g_autofree char *sending = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "Sending %d change to the server and receiving the other desks’ work.",
                                                                   "Sending %d changes to the server and receiving the other desks’ work.",
                                                                   n), n);
          view->tooltip = g_strdup_printf ("%s %s", sending, last);
        }
      else
        view->tooltip = g_strdup_printf ("%s %s", _("Receiving the other desks’ work from the server."), last);
      break;

    case SAPA_SYNC_STATE_OFFLINE:
      view->icon_name = "network-offline-symbolic";
      if (n > 0)
        /* Translators: shown in the header bar while the server cannot be reached */
        view->label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "Offline — %d change waiting",
                                                    "Offline — %d changes waiting", n), n);
      else
        view->label = g_strdup (_("Offline"));
      {
        GString *tooltip = g_string_new (_("Sapa cannot reach the server. Keep working: everything is kept on this desk and sent when the server answers again."));

        if (error_message != NULL && error_message[0] != '\0')
          g_string_append_printf (tooltip, "\n%s", error_message);
        g_string_append_printf (tooltip, "\n%s", last);
        view->tooltip = g_string_free (tooltip, FALSE);
      }
      break;

    case SAPA_SYNC_STATE_SIGNED_OUT:
    default:
      view->icon_name = "dialog-password-symbolic";
      view->label = g_strdup (_("Sign-in needed"));
      if (n > 0)
        {
          g_autofree char *waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "%d change is waiting to be sent.",
                                                                   "%d changes are waiting to be sent.",
                                                                   n), n);
          view->tooltip = g_strdup_printf ("%s %s", _("Sign in to the server so this desk’s work reaches the other desks. Click to sign in."), waiting);
        }
      else
        view->tooltip = g_strdup (_("Sign in to the server so this desk’s work reaches the other desks. Click to sign in."));
      view->sign_in = TRUE;
      break;
    }

  if (rejected > 0)
    {
      int r = (int) CLAMP (rejected, 0, G_MAXINT);
      g_autofree char *refused = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "The server refused %d change from this desk; it stays only here. Ask your administrator to check this desk’s account.",
                                                               "The server refused %d changes from this desk; they stay only here. Ask your administrator to check this desk’s account.",
                                                               r), r);
      g_autofree char *tooltip = g_steal_pointer (&view->tooltip);

      view->tooltip = g_strdup_printf ("%s\n%s", tooltip, refused);
    }
}

void
sapa_sync_indicator_view_clear (SapaSyncIndicatorView *view)
{
  g_clear_pointer (&view->label, g_free);
  g_clear_pointer (&view->tooltip, g_free);
  view->icon_name = NULL;
  view->sign_in = FALSE;
}

static gboolean
has_server (SapaSync *sync)
{
  const char *url;

  if (sync == NULL)
    return FALSE;
  url = sapa_sync_get_server_url (sync);
  return url != NULL && url[0] != '\0';
}

static void update (SapaSyncIndicator *self);

static gboolean
syncing_for_a_while_cb (gpointer user_data)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (user_data);

  self->syncing_id = 0;
  self->syncing_due = TRUE;
  update (self);
  return G_SOURCE_REMOVE;
}

static void
update (SapaSyncIndicator *self)
{
  g_autofree char *accessible = NULL;
  SapaSyncState state;

  gtk_widget_set_visible (GTK_WIDGET (self), has_server (self->sync));
  if (self->sync == NULL)
    {
      sapa_sync_indicator_view_clear (&self->view);
      return;
    }

  /* Every edit and every live notice makes a quick sync: the header keeps
   * saying "Synced" through those and shows "Syncing…" only when it lasts. */
  state = sapa_sync_get_state (self->sync);
  /* From start to the server's first answer the engine still says signed
   * out while it holds a token: that is a sync beginning, not a sign-in to
   * ask for (a refused token is dropped, and then it is). */
  if (state == SAPA_SYNC_STATE_SIGNED_OUT && sapa_sync_get_token (self->sync) != NULL &&
      sapa_sync_get_token (self->sync)[0] != '\0')
    state = SAPA_SYNC_STATE_SYNCING;
  if (state == SAPA_SYNC_STATE_SYNCING && self->shown_state == SAPA_SYNC_STATE_SYNCED &&
      self->view.label != NULL && !self->syncing_due)
    {
      if (self->syncing_id == 0)
        self->syncing_id = g_timeout_add (SYNCING_DELAY_MS, syncing_for_a_while_cb, self);
      return;
    }
  g_clear_handle_id (&self->syncing_id, g_source_remove);
  self->syncing_due = FALSE;
  self->shown_state = state;

  sapa_sync_indicator_view_clear (&self->view);
  sapa_sync_indicator_describe (state,
                                sapa_sync_get_pending (self->sync),
                                sapa_sync_get_rejected (self->sync),
                                sapa_sync_get_last_synced (self->sync),
                                g_get_real_time () / G_USEC_PER_SEC,
                                sapa_sync_get_error_message (self->sync),
                                &self->view);

  gtk_image_set_from_icon_name (self->icon, self->view.icon_name);
  gtk_label_set_label (self->label, self->view.label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), self->view.tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->button),
                                  self->view.sign_in ? "app.sign-in" : "app.sync-now");

  /* Screen readers say the state, and as the description what it means. */
  /* Translators: what screen readers say for the sync button; %s is the state, e.g. "Synced 5 min ago" */
  accessible = g_strdup_printf (_("Sync: %s"), self->view.label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->view.tooltip,
                                  -1);

  gtk_widget_remove_css_class (GTK_WIDGET (self->button), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->button), "warning");
  if (self->view.sign_in)
    gtk_widget_add_css_class (GTK_WIDGET (self->button), "error");
  else if (state == SAPA_SYNC_STATE_OFFLINE)
    gtk_widget_add_css_class (GTK_WIDGET (self->button), "warning");
}

static void
sync_notify_cb (SapaSyncIndicator *self)
{
  update (self);
}

/* "5 min ago" moves on by itself. */
static gboolean
tick_cb (gpointer user_data)
{
  update (SAPA_SYNC_INDICATOR (user_data));
  return G_SOURCE_CONTINUE;
}

static void
sapa_sync_indicator_map (GtkWidget *widget)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (widget);

  GTK_WIDGET_CLASS (sapa_sync_indicator_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (20, tick_cb, self);
  update (self);
}

static void
sapa_sync_indicator_unmap (GtkWidget *widget)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (sapa_sync_indicator_parent_class)->unmap (widget);
}

static void
sapa_sync_indicator_dispose (GObject *object)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->syncing_id, g_source_remove);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  sapa_sync_indicator_view_clear (&self->view);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (sapa_sync_indicator_parent_class)->dispose (object);
}

static void
sapa_sync_indicator_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_sync_indicator_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SapaSyncIndicator *self = SAPA_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      sapa_sync_indicator_set_sync (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_sync_indicator_class_init (SapaSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_sync_indicator_dispose;
  object_class->get_property = sapa_sync_indicator_get_property;
  object_class->set_property = sapa_sync_indicator_set_property;
  widget_class->map = sapa_sync_indicator_map;
  widget_class->unmap = sapa_sync_indicator_unmap;

  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, SAPA_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, SapaSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, SapaSyncIndicator, label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sapasyncindicator");
}

static void
sapa_sync_indicator_init (SapaSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sapa_sync_indicator_new (void)
{
  return g_object_new (SAPA_TYPE_SYNC_INDICATOR, NULL);
}

SapaSync *
sapa_sync_indicator_get_sync (SapaSyncIndicator *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC_INDICATOR (self), NULL);
  return self->sync;
}

void
sapa_sync_indicator_set_sync (SapaSyncIndicator *self,
                              SapaSync          *sync)
{
  g_return_if_fail (SAPA_IS_SYNC_INDICATOR (self));
  g_return_if_fail (sync == NULL || SAPA_IS_SYNC (sync));

  if (self->sync == sync)
    return;

  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_set_object (&self->sync, sync);
  g_clear_handle_id (&self->syncing_id, g_source_remove);
  self->syncing_due = FALSE;
  self->shown_state = SAPA_SYNC_STATE_SIGNED_OUT;
  sapa_sync_indicator_view_clear (&self->view);
  if (sync != NULL)
    {
      static const char * const watched[] = {
        "notify::state", "notify::pending", "notify::last-synced", "notify::rejected",
        "notify::error-message", "notify::server-url", "notify::token",
      };

      for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
        g_signal_connect_object (sync, watched[i], G_CALLBACK (sync_notify_cb),
                                 self, G_CONNECT_SWAPPED);
    }
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

const char *
sapa_sync_indicator_get_label (SapaSyncIndicator *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC_INDICATOR (self), NULL);
  return gtk_label_get_label (self->label);
}

const char *
sapa_sync_indicator_get_tooltip (SapaSyncIndicator *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC_INDICATOR (self), NULL);
  return gtk_widget_get_tooltip_text (GTK_WIDGET (self->button));
}

const char *
sapa_sync_indicator_get_action (SapaSyncIndicator *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC_INDICATOR (self), NULL);
  return gtk_actionable_get_action_name (GTK_ACTIONABLE (self->button));
}
