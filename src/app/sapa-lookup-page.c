/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-lookup-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <string.h>

#include "sapa-lookup-page.h"
#include "sapa-search-row.h"

/* Wait this long after a keystroke before searching, so fast typing asks once. */
#define SEARCH_DELAY_MS 120

struct _SapaLookupPage
{
  GtkWidget           parent_instance;

  SapaStore          *store;
  GCancellable       *cancellable;
  guint               search_source;
  char               *query;          /* the text the shown state belongs to */
  const char         *state;
  guint               open_first : 1; /* Enter was pressed before the hits came */

  GtkButton          *create_button;
  AdwStatusPage      *error_page;
  GtkListView        *list_view;
  AdwStatusPage      *none_page;
  GListStore         *results;
  GtkSearchEntry     *search_entry;
  GtkSingleSelection *selection;
  GtkStack           *state_stack;
  GtkLabel           *truncated_label;
};

G_DEFINE_FINAL_TYPE (SapaLookupPage, sapa_lookup_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  CUSTOMER_ACTIVATED,
  CREATE_CUSTOMER,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static gboolean
is_phone_char (gunichar c)
{
  return g_unichar_isdigit (c) || c == '+' || c == '-' || c == '(' || c == ')' ||
         c == '.' || g_unichar_isspace (c);
}

static gboolean
looks_like_phone (const char *text)
{
  gboolean digits = FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_phone_char (c))
        return FALSE;
      digits |= g_unichar_isdigit (c);
    }
  return digits;
}

SapaLookupQuery
sapa_lookup_classify_query (const char *text)
{
  g_autofree char *trimmed = NULL;

  if (text == NULL)
    return SAPA_LOOKUP_QUERY_EMPTY;

  trimmed = g_strstrip (g_strdup (text));
  if (trimmed[0] == '\0')
    return SAPA_LOOKUP_QUERY_EMPTY;
  /* The lookup's own rule, so the hint and the search never disagree. */
  return sapa_search_query_is_long_enough (trimmed) ? SAPA_LOOKUP_QUERY_SEARCH
                                                    : SAPA_LOOKUP_QUERY_TOO_SHORT;
}

const char *
sapa_lookup_guess_field (const char *text)
{
  g_autofree char *trimmed = NULL;

  if (text == NULL)
    return "full_name";
  trimmed = g_strstrip (g_strdup (text));
  if (strchr (trimmed, '@') != NULL)
    return "email";
  if (looks_like_phone (trimmed))
    return "phone";
  return "full_name";
}

static void
set_state (SapaLookupPage *self,
           const char     *state)
{
  self->state = state;
  if (g_str_equal (state, "searching"))
    return;
  gtk_stack_set_visible_child_name (self->state_stack, state);
}

static void
clear_results (SapaLookupPage *self)
{
  g_list_store_remove_all (self->results);
  gtk_widget_set_visible (GTK_WIDGET (self->truncated_label), FALSE);
}

static void
cancel_search (SapaLookupPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->search_source, g_source_remove);
}

static void
emit_activated (SapaLookupPage *self,
                guint           position)
{
  g_autoptr(SapaRecord) hit = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (hit != NULL)
    g_signal_emit (self, signals[CUSTOMER_ACTIVATED], 0, sapa_record_get_id (hit));
}

static void
search_finished_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SapaLookupPage) self = user_data;
  g_autoptr(SapaSearchResult) found = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *hits;

  found = sapa_store_search_finish (SAPA_STORE (object), result, &error);
  /* A newer keystroke cancelled this search: its hits are stale. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_object (&self->cancellable);

  if (found == NULL)
    {
      g_warning ("Search failed: %s", error->message);
      clear_results (self);
      adw_status_page_set_description (self->error_page, error->message);
      self->open_first = FALSE;
      set_state (self, "error");
      return;
    }

  hits = sapa_search_result_get_hits (found);
  g_list_store_splice (self->results, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                       hits->pdata, hits->len);
  gtk_widget_set_visible (GTK_WIDGET (self->truncated_label),
                          sapa_search_result_is_truncated (found));

  if (hits->len == 0)
    {
      g_autofree char *title = NULL;
      g_autofree char *trimmed = g_strstrip (g_strdup (self->query));

      /* Translators: %s is what was typed into the search entry */
      title = g_strdup_printf (_("No customer matches “%s”"), trimmed);
      adw_status_page_set_title (self->none_page, title);
      self->open_first = FALSE;
      set_state (self, "none");
      return;
    }

  gtk_single_selection_set_selected (self->selection, 0);
  set_state (self, "results");

  if (self->open_first)
    {
      self->open_first = FALSE;
      emit_activated (self, 0);
    }
}

static gboolean
search_timeout_cb (gpointer user_data)
{
  SapaLookupPage *self = user_data;

  self->search_source = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  sapa_store_search_async (self->store, self->query, SAPA_SEARCH_DEFAULT_LIMIT,
                           self->cancellable, search_finished_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_search (SapaLookupPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Keep the cancellable slot non-NULL while waiting: the page is busy. */
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->search_source, g_source_remove);
  self->search_source = g_timeout_add (SEARCH_DELAY_MS, search_timeout_cb, self);
}

static void
refresh (SapaLookupPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  cancel_search (self);
  g_free (self->query);
  self->query = g_strdup (text);

  switch (sapa_lookup_classify_query (text))
    {
    case SAPA_LOOKUP_QUERY_EMPTY:
      self->open_first = FALSE;
      clear_results (self);
      set_state (self, "empty");
      break;

    case SAPA_LOOKUP_QUERY_TOO_SHORT:
      self->open_first = FALSE;
      clear_results (self);
      set_state (self, "short");
      break;

    case SAPA_LOOKUP_QUERY_SEARCH:
      if (self->store == NULL)
        break;
      schedule_search (self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
search_text_changed_cb (SapaLookupPage *self)
{
  self->open_first = FALSE;
  refresh (self);
}

static void
search_activated_cb (SapaLookupPage *self)
{
  if (sapa_lookup_page_is_busy (self))
    {
      /* Open the first hit of what was typed, not of an older query. */
      self->open_first = TRUE;
      return;
    }
  if (g_str_equal (self->state, "results"))
    emit_activated (self, 0);
}

static void
search_stopped_cb (SapaLookupPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
result_activated_cb (SapaLookupPage *self,
                     guint           position)
{
  emit_activated (self, position);
}

static void
create_clicked_cb (SapaLookupPage *self)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  g_signal_emit (self, signals[CREATE_CUSTOMER], 0, trimmed);
}

static gboolean
entry_key_pressed_cb (SapaLookupPage        *self,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      GtkEventControllerKey *controller)
{
  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;
  if (!g_str_equal (self->state, "results") ||
      g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return GDK_EVENT_PROPAGATE;

  gtk_single_selection_set_selected (self->selection, 0);
  /* Scrolls to the first hit and moves the keyboard focus onto it. */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
  return GDK_EVENT_STOP;
}

static gboolean
list_key_pressed_cb (SapaLookupPage        *self,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     GtkEventControllerKey *controller)
{
  /* Up on the first hit goes back to the search entry, to type more. */
  if ((keyval != GDK_KEY_Up && keyval != GDK_KEY_KP_Up) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;
  if (gtk_single_selection_get_selected (self->selection) != 0)
    return GDK_EVENT_PROPAGATE;

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
  return GDK_EVENT_STOP;
}

static void
store_changed_cb (SapaLookupPage *self,
                  const char     *entity,
                  const char     *id,
                  SapaStore      *store)
{
  /* A new interaction changes the customer's last contact shown in the row. */
  if (g_strcmp0 (entity, "customer") != 0 && g_strcmp0 (entity, "interaction") != 0)
    return;
  if (sapa_lookup_classify_query (self->query) != SAPA_LOOKUP_QUERY_SEARCH)
    return;
  /* Coalesce bursts (a sync page changes many customers at once). */
  if (self->search_source != 0)
    return;
  schedule_search (self);
}

static void
sapa_lookup_page_dispose (GObject *object)
{
  GtkWidget *child;
  SapaLookupPage *self = SAPA_LOOKUP_PAGE (object);

  cancel_search (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_LOOKUP_PAGE);
  /* The template's root box is not bound to a field: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sapa_lookup_page_parent_class)->dispose (object);
}

static void
sapa_lookup_page_finalize (GObject *object)
{
  SapaLookupPage *self = SAPA_LOOKUP_PAGE (object);

  g_free (self->query);

  G_OBJECT_CLASS (sapa_lookup_page_parent_class)->finalize (object);
}

static void
sapa_lookup_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SapaLookupPage *self = SAPA_LOOKUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_lookup_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SapaLookupPage *self = SAPA_LOOKUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      sapa_lookup_page_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
sapa_lookup_page_grab_focus (GtkWidget *widget)
{
  SapaLookupPage *self = SAPA_LOOKUP_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
sapa_lookup_page_class_init (SapaLookupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_lookup_page_dispose;
  object_class->finalize = sapa_lookup_page_finalize;
  object_class->get_property = sapa_lookup_page_get_property;
  object_class->set_property = sapa_lookup_page_set_property;

  widget_class->grab_focus = sapa_lookup_page_grab_focus;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SAPA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The customer's id. */
  signals[CUSTOMER_ACTIVATED] =
    g_signal_new ("customer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* What was searched for, to prefill the new customer. */
  signals[CREATE_CUSTOMER] =
    g_signal_new ("create-customer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SAPA_TYPE_RECORD);
  g_type_ensure (SAPA_TYPE_SEARCH_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-lookup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, none_page);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, results);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, selection);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, SapaLookupPage, truncated_label);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stopped_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_text_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sapa_lookup_page_init (SapaLookupPage *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->state = "empty";

  /* Capture phase: the entry's text widget would take Down otherwise. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (entry_key_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (list_key_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), keys);
}

GtkWidget *
sapa_lookup_page_new (void)
{
  return g_object_new (SAPA_TYPE_LOOKUP_PAGE, NULL);
}

SapaStore *
sapa_lookup_page_get_store (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return self->store;
}

void
sapa_lookup_page_set_store (SapaLookupPage *self,
                            SapaStore      *store)
{
  g_return_if_fail (SAPA_IS_LOOKUP_PAGE (self));
  g_return_if_fail (store == NULL || SAPA_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, store_changed_cb, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb),
                             self, G_CONNECT_SWAPPED);

  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
sapa_lookup_page_focus_search (SapaLookupPage *self)
{
  g_return_if_fail (SAPA_IS_LOOKUP_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

GtkEditable *
sapa_lookup_page_get_search_entry (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return GTK_EDITABLE (self->search_entry);
}

GtkListView *
sapa_lookup_page_get_list_view (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return self->list_view;
}

GtkSingleSelection *
sapa_lookup_page_get_selection (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return self->selection;
}

GtkButton *
sapa_lookup_page_get_create_button (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return self->create_button;
}

const char *
sapa_lookup_page_get_state (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), NULL);
  return self->state;
}

gboolean
sapa_lookup_page_get_truncated (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->truncated_label));
}

gboolean
sapa_lookup_page_is_busy (SapaLookupPage *self)
{
  g_return_val_if_fail (SAPA_IS_LOOKUP_PAGE (self), FALSE);
  return self->search_source != 0 || self->cancellable != NULL;
}
