/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-timeline-view"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-format.h"
#include "sapa-timeline-row.h"
#include "sapa-timeline-view.h"

struct _SapaTimelineView
{
  AdwBin             parent_instance;

  GtkDropDown       *channel_dropdown;
  GtkLabel          *count_label;
  GtkListView       *list_view;
  GtkScrolledWindow *scrolled_window;
  GtkSearchEntry    *search_entry;
  GtkSpinner        *spinner;
  GtkStack          *stack;

  SapaTimelineModel *model;
  gboolean           at_top;
  guint              scroll_source;
};

G_DEFINE_FINAL_TYPE (SapaTimelineView, sapa_timeline_view, ADW_TYPE_BIN)

static const char *
selected_channel (SapaTimelineView *self)
{
  guint selected = gtk_drop_down_get_selected (self->channel_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > g_strv_length ((char **) sapa_channels))
    return NULL;
  return sapa_channels[selected - 1];
}

static void
apply_filter (SapaTimelineView *self)
{
  if (self->model == NULL)
    return;
  sapa_timeline_model_set_filter (self->model, selected_channel (self),
                                  gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
update_state (SapaTimelineView *self)
{
  const char *state;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  guint n_total = 0;

  if (self->model == NULL || sapa_timeline_model_get_customer_id (self->model) == NULL)
    state = "empty";
  else if (sapa_timeline_model_get_loading (self->model) &&
           g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    state = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    state = "list";
  else if (sapa_timeline_model_has_filter (self->model))
    state = "no-match";
  else
    state = "empty";

  gtk_stack_set_visible_child_name (self->stack, state);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (state, "loading"));

  if (self->model != NULL)
    n_total = MAX (sapa_timeline_model_get_n_total (self->model),
                   g_list_model_get_n_items (G_LIST_MODEL (self->model)));
  count = sapa_format_count (n_total);
  /* Translators: the number of timeline entries, e.g. "1,234 contacts" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact", "%s contacts", n_total), count);
  gtk_label_set_text (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), g_str_equal (state, "list"));
}

static gboolean
scroll_to_top_cb (gpointer user_data)
{
  SapaTimelineView *self = user_data;
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  self->scroll_source = 0;
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
  return G_SOURCE_REMOVE;
}

static void
items_changed_cb (SapaTimelineView *self,
                  guint             position,
                  guint             removed,
                  guint             added,
                  GListModel       *model)
{
  /* New entries at the top: someone reading the newest entries sees them;
   * someone reading further down keeps their place. */
  if (position == 0 && added > 0 && self->at_top && self->scroll_source == 0)
    self->scroll_source = g_idle_add (scroll_to_top_cb, self);
  update_state (self);
}

static void
vadjustment_changed_cb (SapaTimelineView *self,
                        GtkAdjustment    *adjustment)
{
  self->at_top = gtk_adjustment_get_value (adjustment) - gtk_adjustment_get_lower (adjustment) < 1.0;
}

static void
model_notify_cb (SapaTimelineView *self)
{
  update_state (self);
}

static void
search_changed_cb (SapaTimelineView *self)
{
  apply_filter (self);
}

static void
channel_selected_cb (SapaTimelineView *self)
{
  apply_filter (self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, sapa_timeline_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  sapa_timeline_row_set_entry (SAPA_TIMELINE_ROW (gtk_list_item_get_child (item)),
                               gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  sapa_timeline_row_set_entry (SAPA_TIMELINE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
sapa_timeline_view_dispose (GObject *object)
{
  SapaTimelineView *self = SAPA_TIMELINE_VIEW (object);

  g_clear_handle_id (&self->scroll_source, g_source_remove);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_TIMELINE_VIEW);

  G_OBJECT_CLASS (sapa_timeline_view_parent_class)->dispose (object);
}

static void
sapa_timeline_view_class_init (SapaTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_timeline_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-timeline-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, count_label);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, spinner);
  gtk_widget_class_bind_template_child (widget_class, SapaTimelineView, stack);
  gtk_widget_class_bind_template_callback (widget_class, channel_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
}

static void
sapa_timeline_view_init (SapaTimelineView *self)
{
  g_autoptr(GtkStringList) channels = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (channels, _("All channels"));
  for (guint i = 0; sapa_channels[i] != NULL; i++)
    gtk_string_list_append (channels, sapa_label_channel (sapa_channels[i]));
  g_signal_handlers_block_by_func (self->channel_dropdown, channel_selected_cb, self);
  gtk_drop_down_set_model (self->channel_dropdown, G_LIST_MODEL (channels));
  gtk_drop_down_set_selected (self->channel_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->channel_dropdown, channel_selected_cb, self);

  /* Typing pauses shorter than this do not start a query each. */
  gtk_search_entry_set_search_delay (self->search_entry, 250);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);

  self->at_top = TRUE;
  vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (vadjustment_changed_cb),
                           self, G_CONNECT_SWAPPED);
  update_state (self);
}

GtkWidget *
sapa_timeline_view_new (void)
{
  return g_object_new (SAPA_TYPE_TIMELINE_VIEW, NULL);
}

void
sapa_timeline_view_set_model (SapaTimelineView  *self,
                              SapaTimelineModel *model)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (SAPA_IS_TIMELINE_VIEW (self));
  g_return_if_fail (model == NULL || SAPA_IS_TIMELINE_MODEL (model));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);

  if (model != NULL)
    {
      selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (model)));
      g_signal_connect_object (model, "items-changed", G_CALLBACK (items_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (model, "notify::loading", G_CALLBACK (model_notify_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (model, "notify::n-total", G_CALLBACK (model_notify_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (model, "notify::customer-id", G_CALLBACK (model_notify_cb), self,
                               G_CONNECT_SWAPPED);
      apply_filter (self);
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update_state (self);
}

SapaTimelineModel *
sapa_timeline_view_get_model (SapaTimelineView *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_VIEW (self), NULL);
  return self->model;
}

void
sapa_timeline_view_clear_filter (SapaTimelineView *self)
{
  g_return_if_fail (SAPA_IS_TIMELINE_VIEW (self));

  g_signal_handlers_block_by_func (self->channel_dropdown, channel_selected_cb, self);
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_drop_down_set_selected (self->channel_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->channel_dropdown, channel_selected_cb, self);
  apply_filter (self);
}

void
sapa_timeline_view_set_channel (SapaTimelineView *self,
                                const char       *channel)
{
  guint position = 0;

  g_return_if_fail (SAPA_IS_TIMELINE_VIEW (self));

  for (guint i = 0; channel != NULL && sapa_channels[i] != NULL; i++)
    if (g_str_equal (sapa_channels[i], channel))
      position = i + 1;
  gtk_drop_down_set_selected (self->channel_dropdown, position);
}

const char *
sapa_timeline_view_get_state (SapaTimelineView *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
sapa_timeline_view_get_list_view (SapaTimelineView *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_VIEW (self), NULL);
  return GTK_WIDGET (self->list_view);
}

GtkWidget *
sapa_timeline_view_get_search_entry (SapaTimelineView *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_VIEW (self), NULL);
  return GTK_WIDGET (self->search_entry);
}

GtkWidget *
sapa_timeline_view_get_channel_dropdown (SapaTimelineView *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_VIEW (self), NULL);
  return GTK_WIDGET (self->channel_dropdown);
}
