/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-conversation-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-conversation-panel.h"
#include "sapa-format.h"
#include "sapa-kiosk-window.h"
#include "sapa-rating-dialog.h"
#include <sapa/sapa-catalog.h>
#include "sapa-window.h"
#include <sapa/sapa-survey-link.h>

struct _SapaConversationPanel
{
  AdwBin               parent_instance;

  AdwPreferencesGroup *group;
  GtkListBox          *list_box;

  SapaStore           *store;
  char                *agent_id;
  char                *customer_id;
  GPtrArray           *conversations;   /* SapaRecord, newest first */
  GHashTable          *expanded;        /* ids of expanded rows */
  gboolean             building;
  guint                reload_source;
  GCancellable        *cancellable;
  GHashTable          *drafts;          /* conversation id -> reply text not yet sent */
  GHashTable          *sending;         /* ids of conversations whose reply is being saved */
  GHashTable          *linking;         /* ids of conversations whose survey link is on its way */
  GtkWidget           *end_rating_button; /* shown while this desk's kiosk is open */
  SapaSync            *sync;            /* for survey links; NULL: the desk works alone */
};

G_DEFINE_FINAL_TYPE (SapaConversationPanel, sapa_conversation_panel, ADW_TYPE_BIN)

enum {
  OPERATION_DONE,
  REPLY_DONE,
  SURVEY_LINK_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum {
  OP_STATUS,
  OP_COMPLAINT,
  OP_STEP,
  OP_FOLLOW_UP,
  OP_ESCALATE,
} OpKind;

typedef struct {
  OpKind     kind;
  SapaStore *store;
  char      *conversation_id;
  char      *agent_id;
  char      *value;      /* status, step, department */
  char      *reason;
  gboolean   flag;
  gint64     due;
} DeskOp;

static void
desk_op_free (gpointer data)
{
  DeskOp *op = data;

  g_clear_object (&op->store);
  g_free (op->conversation_id);
  g_free (op->agent_id);
  g_free (op->value);
  g_free (op->reason);
  g_free (op);
}

static void
desk_op_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DeskOp *op = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (op->kind)
    {
    case OP_STATUS:
      ok = sapa_desk_set_status (op->store, op->conversation_id, op->value, op->agent_id, &error);
      break;
    case OP_COMPLAINT:
      ok = sapa_desk_set_complaint (op->store, op->conversation_id, op->flag, op->agent_id, &error);
      break;
    case OP_STEP:
      ok = sapa_desk_set_complaint_step (op->store, op->conversation_id, op->value, op->flag,
                                         op->agent_id, &error);
      break;
    case OP_FOLLOW_UP:
      ok = sapa_desk_set_follow_up (op->store, op->conversation_id, op->due, op->agent_id, &error);
      break;
    case OP_ESCALATE:
      ok = sapa_desk_escalate (op->store, op->conversation_id, op->value, op->reason,
                               op->agent_id, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_toast (SapaConversationPanel *self,
            const char            *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
desk_op_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SapaConversationPanel *self = SAPA_CONVERSATION_PANEL (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (!ok)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not change the conversation: %s", error->message);
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The conversation was not changed: %s"), error->message);
      show_toast (self, message);
      /* Put the controls back to what is stored. */
      sapa_conversation_panel_reload (self);
    }
  g_signal_emit (self, signals[OPERATION_DONE], 0, ok);
}

static void
run_op (SapaConversationPanel *self,
        DeskOp                *op)
{
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL)
    {
      desk_op_free (op);
      return;
    }
  op->store = g_object_ref (self->store);
  op->agent_id = g_strdup (self->agent_id);
  task = g_task_new (self, self->cancellable, desk_op_done_cb, NULL);
  g_task_set_source_tag (task, run_op);
  g_task_set_task_data (task, op, desk_op_free);
  g_task_run_in_thread (task, desk_op_thread);
}

static DeskOp *
desk_op_new (OpKind      kind,
             const char *conversation_id)
{
  DeskOp *op = g_new0 (DeskOp, 1);

  op->kind = kind;
  op->conversation_id = g_strdup (conversation_id);
  return op;
}

static const char *
conversation_id_of (gpointer widget)
{
  return g_object_get_data (G_OBJECT (widget), "conversation-id");
}

static void
tag_widget (gpointer    widget,
            const char *conversation_id)
{
  g_object_set_data_full (G_OBJECT (widget), "conversation-id", g_strdup (conversation_id), g_free);
}

static void
status_selected_cb (AdwComboRow           *row,
                    GParamSpec            *pspec,
                    SapaConversationPanel *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->building || selected >= g_strv_length ((char **) sapa_statuses))
    return;
  sapa_conversation_panel_set_status (self, conversation_id_of (row), sapa_statuses[selected]);
}

static void
complaint_active_cb (GtkSwitch             *toggle,
                     GParamSpec            *pspec,
                     SapaConversationPanel *self)
{
  if (self->building)
    return;
  sapa_conversation_panel_set_complaint (self, conversation_id_of (toggle),
                                         gtk_switch_get_active (toggle));
}

static void
step_toggled_cb (GtkCheckButton        *check,
                 SapaConversationPanel *self)
{
  if (self->building)
    return;
  sapa_conversation_panel_set_step (self, conversation_id_of (check),
                                    g_object_get_data (G_OBJECT (check), "step"),
                                    gtk_check_button_get_active (check));
}

static void
day_selected_cb (GtkCalendar           *calendar,
                 SapaConversationPanel *self)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) noon = NULL;
  GtkWidget *popover;

  if (self->building)
    return;
  date = gtk_calendar_get_date (calendar);
  /* Midday local time: the same calendar day in every nearby time zone. */
  noon = g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                                g_date_time_get_day_of_month (date), 12, 0, 0);
  popover = gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  sapa_conversation_panel_set_follow_up (self, conversation_id_of (calendar),
                                         g_date_time_to_unix (noon));
}

static void
clear_follow_up_cb (GtkButton             *button,
                    SapaConversationPanel *self)
{
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);

  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  sapa_conversation_panel_set_follow_up (self, conversation_id_of (button), 0);
}

static void
escalate_clicked_cb (GtkButton             *button,
                     SapaConversationPanel *self)
{
  sapa_conversation_panel_show_escalate_dialog (self, conversation_id_of (button));
}

static void
expanded_cb (AdwExpanderRow        *row,
             GParamSpec            *pspec,
             SapaConversationPanel *self)
{
  if (self->building)
    return;
  if (adw_expander_row_get_expanded (row))
    g_hash_table_add (self->expanded, g_strdup (conversation_id_of (row)));
  else
    g_hash_table_remove (self->expanded, conversation_id_of (row));
}

static void
set_label (gpointer    widget,
           const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* A button that screen readers name once: GTK 4.8 reads both the button's
 * name and its label child, so the child is presentation only. */
static GtkWidget *
labelled_button (const char *text_with_mnemonic,
                 const char *name)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "label", text_with_mnemonic,
                                   "use-underline", TRUE,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                   NULL);

  gtk_button_set_child (GTK_BUTTON (button), label);
  set_label (button, name);
  return button;
}


/* Replies typed at the desk: conversations on these channels are answered
 * through sapa-server's channel gateways. */
gboolean
sapa_conversation_panel_channel_takes_replies (const char *channel)
{
  return g_strcmp0 (channel, "email") == 0 || g_strcmp0 (channel, "chat") == 0 ||
         g_strcmp0 (channel, "whatsapp") == 0;
}

static const char *
reply_area_label (const char *channel)
{
  if (g_strcmp0 (channel, "email") == 0)
    return _("Reply by email");
  if (g_strcmp0 (channel, "chat") == 0)
    return _("Reply by chat");
  return _("Reply by WhatsApp");
}

static const char *
reply_queued_message (const char *channel)
{
  if (g_strcmp0 (channel, "email") == 0)
    return _("Reply saved; it is sent to the customer by email when this desk syncs");
  if (g_strcmp0 (channel, "chat") == 0)
    return _("Reply saved; it is sent to the customer by chat when this desk syncs");
  return _("Reply saved; it is sent to the customer by WhatsApp when this desk syncs");
}

/* What a reply's answer needs: the panel (kept alive until then) and which conversation. */
typedef struct {
  SapaConversationPanel *panel;
  char                  *conversation_id;
} ReplySend;

static void
reply_send_free (ReplySend *send)
{
  g_object_unref (send->panel);
  g_free (send->conversation_id);
  g_free (send);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReplySend, reply_send_free)

/* The widget of @type tagged with @conversation_id under @widget. */
static GtkWidget *
find_tagged (GtkWidget  *widget,
             GType       type,
             const char *conversation_id)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_object_get_data (G_OBJECT (widget), "reply-area") != NULL &&
      g_strcmp0 (conversation_id_of (widget), conversation_id) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tagged (child, type, conversation_id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
dup_reply_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return g_strdup (g_strstrip (text));
}

/* Puts the reply area of @conversation_id in step with its draft and
 * whether a save runs. */
static void
update_reply_area (SapaConversationPanel *self,
                   const char            *conversation_id)
{
  GtkWidget *view = sapa_conversation_panel_get_reply_view (self, conversation_id);
  GtkWidget *button = sapa_conversation_panel_get_reply_button (self, conversation_id);
  gboolean sending = g_hash_table_contains (self->sending, conversation_id);
  g_autofree char *text = NULL;

  if (view == NULL || button == NULL)
    return;
  text = dup_reply_text (GTK_TEXT_VIEW (view));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), !sending);
  gtk_widget_set_sensitive (button, !sending && *text != '\0');
}

static void
show_reply_error (SapaConversationPanel *self,
                  const char            *conversation_id,
                  const char            *message)
{
  GtkWidget *label = find_tagged (GTK_WIDGET (self->list_box), GTK_TYPE_LABEL, conversation_id);

  if (label == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (label), message ? message : "");
  gtk_widget_set_visible (label, message != NULL);
}

static void
reply_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ReplySend) send = user_data;
  SapaConversationPanel *self = send->panel;
  const char *conversation_id = send->conversation_id;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *view;

  interaction = sapa_desk_log_contact_finish (SAPA_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_hash_table_remove (self->sending, conversation_id);
  if (interaction == NULL)
    {
      g_autofree char *message = NULL;

      g_warning ("Could not save the reply: %s", error->message);
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The reply was not saved: %s. Your text is kept; try sending it again."),
                                 error->message);
      show_reply_error (self, conversation_id, message);
      show_toast (self, message);
      update_reply_area (self, conversation_id);
      g_signal_emit (self, signals[REPLY_DONE], 0, FALSE);
      return;
    }

  /* The reply is stored: the draft goes, whether or not the rows were
   * rebuilt meanwhile. */
  g_hash_table_remove (self->drafts, conversation_id);
  view = sapa_conversation_panel_get_reply_view (self, conversation_id);
  if (view != NULL)
    {
      self->building = TRUE;
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "", -1);
      self->building = FALSE;
    }
  show_reply_error (self, conversation_id, NULL);
  update_reply_area (self, conversation_id);
  show_toast (self, reply_queued_message (sapa_record_get_string (interaction, "channel")));
  g_signal_emit (self, signals[REPLY_DONE], 0, TRUE);
}

static void
reply_changed_cb (GtkTextBuffer         *buffer,
                  SapaConversationPanel *self)
{
  const char *id = conversation_id_of (buffer);
  GtkTextIter start, end;

  if (self->building)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_hash_table_replace (self->drafts, g_strdup (id),
                        gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  update_reply_area (self, id);
}

static void
send_clicked_cb (GtkButton             *button,
                 SapaConversationPanel *self)
{
  sapa_conversation_panel_send_reply (self, conversation_id_of (button));
}

static gboolean
send_shortcut_cb (GtkWidget *view,
                  GVariant  *args,
                  gpointer   user_data)
{
  SapaConversationPanel *self = user_data;

  return sapa_conversation_panel_send_reply (self, conversation_id_of (view));
}

static GtkWidget *
build_reply_row (SapaConversationPanel *self,
                 SapaRecord            *conversation)
{
  const char *id = sapa_record_get_id (conversation);
  const char *channel = sapa_record_get_string (conversation, "channel");
  const char *draft = g_hash_table_lookup (self->drafts, id);
  GtkWidget *row, *box, *heading, *scrolled, *view, *error_label, *button_box, *button;
  GtkEventController *shortcuts;
  GtkShortcutAction *action;
  GtkTextBuffer *buffer;

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "reply-area");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);

  heading = gtk_label_new (reply_area_label (channel));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  view = gtk_text_view_new ();
  tag_widget (view, id);
  g_object_set_data (G_OBJECT (view), "reply-area", GINT_TO_POINTER (TRUE));
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  set_label (view, reply_area_label (channel));
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Press Ctrl+Enter to send"), -1);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  tag_widget (buffer, id);
  if (draft != NULL)
    gtk_text_buffer_set_text (buffer, draft, -1);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (reply_changed_cb), self, 0);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  action = gtk_callback_action_new (send_shortcut_cb, self, NULL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (
                                                            gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                            gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                                                          action));
  gtk_widget_add_controller (view, shortcuts);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 72);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 200);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_box_append (GTK_BOX (box), scrolled);

  error_label = gtk_label_new (NULL);
  tag_widget (error_label, id);
  g_object_set_data (G_OBJECT (error_label), "reply-area", GINT_TO_POINTER (TRUE));
  gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0);
  gtk_widget_add_css_class (error_label, "error");
  gtk_widget_set_visible (error_label, FALSE);
  gtk_box_append (GTK_BOX (box), error_label);

  button_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (button_box, GTK_ALIGN_END);
  button = labelled_button (_("_Send Reply"), _("Send Reply"));
  tag_widget (button, id);
  g_object_set_data (G_OBJECT (button), "reply-area", GINT_TO_POINTER (TRUE));
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_tooltip_text (button, _("Send the reply (Ctrl+Enter)"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (send_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (button_box), button);
  gtk_box_append (GTK_BOX (box), button_box);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  {
    g_autofree char *text = dup_reply_text (GTK_TEXT_VIEW (view));
    gboolean sending = g_hash_table_contains (self->sending, id);

    gtk_text_view_set_editable (GTK_TEXT_VIEW (view), !sending);
    gtk_widget_set_sensitive (button, !sending && *text != '\0');
  }
  return row;
}

/* Ratings: the kiosk, a score given by phone or in person, a survey link. */
static SapaRecord *
find_conversation (SapaConversationPanel *self,
                   const char            *conversation_id)
{
  for (guint i = 0; i < self->conversations->len; i++)
    if (g_strcmp0 (sapa_record_get_id (g_ptr_array_index (self->conversations, i)), conversation_id) == 0)
      return g_ptr_array_index (self->conversations, i);
  return NULL;
}

static GtkWindow *
desk_window (SapaConversationPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
ask_rating_clicked_cb (GtkButton             *button,
                       SapaConversationPanel *self)
{
  sapa_conversation_panel_ask_for_rating (self, conversation_id_of (button));
}

static void
end_rating_clicked_cb (SapaConversationPanel *self)
{
  sapa_conversation_panel_end_rating (self);
}

static void
record_rating_clicked_cb (GtkButton             *button,
                          SapaConversationPanel *self)
{
  sapa_conversation_panel_show_rating_dialog (self, conversation_id_of (button));
}

static void
survey_link_clicked_cb (GtkButton             *button,
                        SapaConversationPanel *self)
{
  sapa_conversation_panel_send_survey_link (self, conversation_id_of (button));
}

static GtkWidget *
rating_button (SapaConversationPanel *self,
               const char            *conversation_id,
               const char            *role,
               const char            *text_with_mnemonic,
               const char            *name,
               const char            *tooltip,
               GCallback              callback)
{
  GtkWidget *button = labelled_button (text_with_mnemonic, name);

  tag_widget (button, conversation_id);
  g_object_set_data (G_OBJECT (button), "rating-button", (gpointer) role);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

static GtkWidget *
build_rating_row (SapaConversationPanel *self,
                  SapaRecord            *conversation)
{
  const char *id = sapa_record_get_id (conversation);
  SapaKioskWindow *kiosk = sapa_kiosk_window_get_for_desk (desk_window (self));
  gboolean on_kiosk = kiosk != NULL && g_strcmp0 (sapa_kiosk_window_get_conversation_id (kiosk), id) == 0;
  GtkWidget *row, *box, *title, *subtitle, *buttons, *button;

  /* Title and buttons on lines of their own: three buttons beside the title
   * would squeeze it in a narrow panel. */
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  set_label (row, _("Customer Rating"));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 10);
  title = gtk_label_new (_("Customer Rating"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);
  subtitle = gtk_label_new (on_kiosk ? _("The customer display is showing this conversation’s rating")
                                     : _("Ask the customer how the service was"));
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), subtitle);

  buttons = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (buttons), GTK_SELECTION_NONE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (buttons), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (buttons), 6);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (buttons), 3);
  gtk_widget_set_margin_top (buttons, 6);
  /* Asking again starts over for this conversation (a second customer, or
   * one who walked away). */
  button = rating_button (self, id, "kiosk", _("_Ask for a Rating"), _("Ask for a Rating"),
                          _("Show the rating screen on the customer display"),
                          G_CALLBACK (ask_rating_clicked_cb));
  gtk_flow_box_append (GTK_FLOW_BOX (buttons), button);
  button = rating_button (self, id, "record", _("_Record a Rating…"), _("Record a Rating"),
                          _("Record the score the customer gave by phone or in person"),
                          G_CALLBACK (record_rating_clicked_cb));
  gtk_flow_box_append (GTK_FLOW_BOX (buttons), button);
  if (sapa_conversation_panel_channel_takes_replies (sapa_record_get_string (conversation, "channel")))
    {
      button = rating_button (self, id, "link", _("Send Survey _Link"), _("Send Survey Link"),
                              _("Send the customer a link to a short survey on this conversation"),
                              G_CALLBACK (survey_link_clicked_cb));
      gtk_widget_set_sensitive (button, !g_hash_table_contains (self->linking, id));
      gtk_flow_box_append (GTK_FLOW_BOX (buttons), button);
    }
  /* The flow box's cells are not stops of their own for Tab. */
  for (GtkWidget *cell = gtk_widget_get_first_child (buttons); cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    gtk_widget_set_focusable (cell, FALSE);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static char *
conversation_title (SapaRecord *conversation)
{
  const char *subject = sapa_record_get_string (conversation, "subject");

  if (subject == NULL || *subject == '\0')
    subject = sapa_label_reason (sapa_record_get_string (conversation, "reason"));
  if (subject == NULL || *subject == '\0')
    subject = _("Conversation");
  return g_markup_escape_text (subject, -1);
}

static GtkWidget *
build_row (SapaConversationPanel *self,
           SapaRecord            *conversation)
{
  const char *id = sapa_record_get_id (conversation);
  const char *status = sapa_record_get_string (conversation, "status");
  const char *reason = sapa_record_get_string (conversation, "reason");
  gboolean complaint = sapa_record_get_bool (conversation, "is_complaint");
  g_auto(GStrv) steps = sapa_record_dup_list (conversation, "complaint_steps");
  g_autoptr(GString) subtitle = g_string_new (sapa_label_status (status));
  g_autofree char *title = conversation_title (conversation);
  g_autoptr(GtkStringList) statuses = gtk_string_list_new (NULL);
  AdwExpanderRow *row;
  GtkWidget *status_row, *complaint_row, *toggle, *follow_row, *menu_button, *popover_box;
  GtkWidget *calendar, *clear_button, *popover, *escalation_row, *escalate_button;
  g_autofree char *follow_text = NULL;
  g_autofree char *escalation_text = NULL;
  gint64 due;

  if (reason != NULL)
    g_string_append_printf (subtitle, " · %s", sapa_label_reason (reason));
  if (complaint)
    g_string_append_printf (subtitle, " · %s", _("Complaint"));

  row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  tag_widget (row, id);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle->str, -1);
    adw_expander_row_set_subtitle (row, escaped);
  }
  adw_expander_row_set_expanded (row, g_hash_table_contains (self->expanded, id));
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (expanded_cb), self, 0);

  /* Reply, first: on email, chat and WhatsApp answering is the main task. */
  if (sapa_conversation_panel_channel_takes_replies (sapa_record_get_string (conversation, "channel")))
    adw_expander_row_add_row (row, build_reply_row (self, conversation));

  adw_expander_row_add_row (row, build_rating_row (self, conversation));

  /* Status */
  for (guint i = 0; sapa_statuses[i] != NULL; i++)
    gtk_string_list_append (statuses, sapa_label_status (sapa_statuses[i]));
  status_row = adw_combo_row_new ();
  tag_widget (status_row, id);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (status_row), _("Status"));
  adw_combo_row_set_model (ADW_COMBO_ROW (status_row), G_LIST_MODEL (statuses));
  for (guint i = 0; sapa_statuses[i] != NULL; i++)
    if (g_strcmp0 (sapa_statuses[i], status) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (status_row), i);
  g_signal_connect_object (status_row, "notify::selected", G_CALLBACK (status_selected_cb), self, 0);
  adw_expander_row_add_row (row, status_row);

  /* Complaint and its checklist */
  complaint_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (complaint_row), _("Complaint"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (complaint_row),
                               _("Follow the seven steps and document them"));
  toggle = gtk_switch_new ();
  tag_widget (toggle, id);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), complaint);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (complaint_active_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (complaint_row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (complaint_row), toggle);
  adw_expander_row_add_row (row, complaint_row);

  if (complaint)
    for (guint i = 0; sapa_complaint_steps[i] != NULL; i++)
      {
        const char *step = sapa_complaint_steps[i];
        GtkWidget *step_row = adw_action_row_new ();
        GtkWidget *check = gtk_check_button_new ();
        g_autofree char *step_title = g_strdup_printf ("%u. %s", i + 1, sapa_label_complaint_step (step));

        tag_widget (check, id);
        g_object_set_data (G_OBJECT (check), "step", (gpointer) step);
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strv_contains ((const char * const *) steps, step));
        gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
        g_signal_connect_object (check, "toggled", G_CALLBACK (step_toggled_cb), self, 0);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (step_row), step_title);
        adw_action_row_add_prefix (ADW_ACTION_ROW (step_row), check);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (step_row), check);
        gtk_widget_add_css_class (step_row, "complaint-step");
        adw_expander_row_add_row (row, step_row);
      }

  /* Follow-up date */
  due = sapa_record_get_int (conversation, "follow_up_due");
  follow_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (follow_row), _("Follow-up"));
  if (due > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (due);
      g_autofree char *date = sapa_format_date (when);

      /* Translators: %s is a date such as "25 Nov 2026" */
      follow_text = g_strdup_printf (_("Due %s"), date);
    }
  else
    {
      follow_text = g_strdup (_("No date set"));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (follow_row), follow_text);
  popover_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  calendar = gtk_calendar_new ();
  tag_widget (calendar, id);
  set_label (calendar, _("Follow-up date"));
  if (due > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (due);
      gtk_calendar_select_day (GTK_CALENDAR (calendar), when);
    }
  g_signal_connect_object (calendar, "day-selected", G_CALLBACK (day_selected_cb), self, 0);
  gtk_box_append (GTK_BOX (popover_box), calendar);
  clear_button = labelled_button (_("_Clear Date"), _("Clear the follow-up date"));
  tag_widget (clear_button, id);
  gtk_widget_set_sensitive (clear_button, due > 0);
  g_signal_connect_object (clear_button, "clicked", G_CALLBACK (clear_follow_up_cb), self, 0);
  gtk_box_append (GTK_BOX (popover_box), clear_button);
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), popover_box);
  menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "x-office-calendar-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu_button), popover);
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (menu_button, _("Choose the follow-up date"));
  gtk_widget_add_css_class (menu_button, "flat");
  set_label (menu_button, _("Choose the follow-up date"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (follow_row), menu_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (follow_row), menu_button);
  adw_expander_row_add_row (row, follow_row);

  /* Escalation */
  escalation_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (escalation_row), _("Escalation"));
  if (sapa_record_get_string (conversation, "escalated_to") != NULL)
    {
      const char *department = sapa_label_department (sapa_record_get_string (conversation, "escalated_to"));
      const char *why = sapa_record_get_string (conversation, "escalation_reason");

      /* Translators: the department a conversation went to, and why */
      escalation_text = why ? g_strdup_printf (_("%s: %s"), department, why) : g_strdup (department);
    }
  else
    {
      escalation_text = g_strdup (_("Not escalated"));
    }
  {
    g_autofree char *escaped = g_markup_escape_text (escalation_text, -1);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (escalation_row), escaped);
  }
  escalate_button = labelled_button (_("_Escalate…"), _("Escalate"));
  tag_widget (escalate_button, id);
  gtk_widget_set_valign (escalate_button, GTK_ALIGN_CENTER);
  g_signal_connect_object (escalate_button, "clicked", G_CALLBACK (escalate_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (escalation_row), escalate_button);
  adw_expander_row_add_row (row, escalation_row);

  return GTK_WIDGET (row);
}

static void
rebuild (SapaConversationPanel *self)
{
  GtkWidget *child;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  g_autofree char *typing_in = NULL;
  int cursor = 0;

  /* A change synced in while the agent types a reply must not take the
   * text field away from under their fingers. */
  if (GTK_IS_TEXT_VIEW (focus) && g_object_get_data (G_OBJECT (focus), "reply-area") != NULL &&
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus));
      GtkTextIter iter;

      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      cursor = gtk_text_iter_get_offset (&iter);
      typing_in = g_strdup (conversation_id_of (focus));
    }

  if (self->end_rating_button != NULL)
    gtk_widget_set_visible (self->end_rating_button,
                            sapa_kiosk_window_get_for_desk (desk_window (self)) != NULL);

  self->building = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  if (self->conversations->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No conversations yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Logging a visit, a call or a note opens one."));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->list_box, row);
    }
  for (guint i = 0; i < self->conversations->len; i++)
    gtk_list_box_append (self->list_box, build_row (self, g_ptr_array_index (self->conversations, i)));
  self->building = FALSE;

  if (typing_in != NULL)
    {
      GtkWidget *view = sapa_conversation_panel_get_reply_view (self, typing_in);

      if (view != NULL)
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
          GtkTextIter iter;

          gtk_text_buffer_get_iter_at_offset (buffer, &iter, cursor);
          gtk_text_buffer_place_cursor (buffer, &iter);
          gtk_widget_grab_focus (view);
        }
    }
}

static gboolean
reload_cb (gpointer user_data)
{
  SapaConversationPanel *self = user_data;

  self->reload_source = 0;
  sapa_conversation_panel_reload (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (SapaConversationPanel *self,
                  const char            *entity,
                  const char            *id,
                  SapaStore             *store)
{
  if (self->customer_id == NULL || g_strcmp0 (entity, "conversation") != 0)
    return;
  /* Many changes of one transaction arrive together: rebuild once. */
  if (self->reload_source == 0)
    self->reload_source = g_idle_add (reload_cb, self);
}

static void
sapa_conversation_panel_dispose (GObject *object)
{
  SapaConversationPanel *self = SAPA_CONVERSATION_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->sync);
  /* AdwBin keeps its own pointer to the child: let it unparent it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_CONVERSATION_PANEL);

  G_OBJECT_CLASS (sapa_conversation_panel_parent_class)->dispose (object);
}

static void
sapa_conversation_panel_finalize (GObject *object)
{
  SapaConversationPanel *self = SAPA_CONVERSATION_PANEL (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->conversations, g_ptr_array_unref);
  g_clear_pointer (&self->expanded, g_hash_table_unref);
  g_clear_pointer (&self->drafts, g_hash_table_unref);
  g_clear_pointer (&self->sending, g_hash_table_unref);
  g_clear_pointer (&self->linking, g_hash_table_unref);
  g_free (self->agent_id);
  g_free (self->customer_id);

  G_OBJECT_CLASS (sapa_conversation_panel_parent_class)->finalize (object);
}

static void
sapa_conversation_panel_class_init (SapaConversationPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_conversation_panel_dispose;
  object_class->finalize = sapa_conversation_panel_finalize;

  signals[OPERATION_DONE] = g_signal_new ("operation-done", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[REPLY_DONE] = g_signal_new ("reply-done", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  signals[SURVEY_LINK_DONE] = g_signal_new ("survey-link-done", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-conversation-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaConversationPanel, group);
  gtk_widget_class_bind_template_child (widget_class, SapaConversationPanel, list_box);
}

static void
sapa_conversation_panel_init (SapaConversationPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->conversations = g_ptr_array_new_with_free_func (g_object_unref);
  self->expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->drafts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->linking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->end_rating_button = labelled_button (_("E_nd Rating"), _("End Rating"));
  gtk_widget_set_tooltip_text (self->end_rating_button, _("Close the rating screen on the customer display"));
  gtk_widget_set_valign (self->end_rating_button, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (self->end_rating_button, FALSE);
  g_signal_connect_object (self->end_rating_button, "clicked", G_CALLBACK (end_rating_clicked_cb),
                           self, G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (self->group, self->end_rating_button);
  self->cancellable = g_cancellable_new ();
  rebuild (self);
}

GtkWidget *
sapa_conversation_panel_new (void)
{
  return g_object_new (SAPA_TYPE_CONVERSATION_PANEL, NULL);
}

void
sapa_conversation_panel_set_store (SapaConversationPanel *self,
                                   SapaStore             *store,
                                   const char            *agent_id)
{
  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (store == NULL || SAPA_IS_STORE (store));

  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);
  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self,
                             G_CONNECT_SWAPPED);
  sapa_conversation_panel_reload (self);
}

void
sapa_conversation_panel_set_customer_id (SapaConversationPanel *self,
                                         const char            *customer_id)
{
  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));

  if (g_strcmp0 (self->customer_id, customer_id) == 0)
    return;
  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);
  g_hash_table_remove_all (self->expanded);
  /* Drafts stay: coming back to the customer finds the reply as typed. */
  sapa_conversation_panel_reload (self);
  /* The newest open email, chat or WhatsApp conversation is shown open, its
   * reply area ready. */
  for (guint i = 0; i < self->conversations->len; i++)
    {
      SapaRecord *conversation = g_ptr_array_index (self->conversations, i);
      const char *status = sapa_record_get_string (conversation, "status");

      if (sapa_conversation_panel_channel_takes_replies (sapa_record_get_string (conversation, "channel")) &&
          (g_strcmp0 (status, "open") == 0 || g_strcmp0 (status, "pending") == 0))
        {
          g_hash_table_add (self->expanded, g_strdup (sapa_record_get_id (conversation)));
          rebuild (self);
          break;
        }
    }
}

void
sapa_conversation_panel_reload (SapaConversationPanel *self)
{
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));

  g_ptr_array_set_size (self->conversations, 0);
  if (self->store != NULL && self->customer_id != NULL)
    {
      /* An index range of one customer's conversations (tens of rows). */
      conversations = sapa_store_list_conversations (self->store, self->customer_id, &error);
      if (conversations == NULL)
        g_warning ("Could not list the conversations: %s", error->message);
      else
        for (guint i = 0; i < conversations->len; i++)
          g_ptr_array_add (self->conversations, g_object_ref (g_ptr_array_index (conversations, i)));
    }
  rebuild (self);
}

guint
sapa_conversation_panel_get_n_conversations (SapaConversationPanel *self)
{
  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), 0);
  return self->conversations->len;
}

const char *
sapa_conversation_panel_get_conversation_id (SapaConversationPanel *self,
                                             guint                  position)
{
  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  if (position >= self->conversations->len)
    return NULL;
  return sapa_record_get_id (g_ptr_array_index (self->conversations, position));
}

void
sapa_conversation_panel_set_status (SapaConversationPanel *self,
                                    const char            *conversation_id,
                                    const char            *status)
{
  DeskOp *op;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (conversation_id != NULL && status != NULL);

  op = desk_op_new (OP_STATUS, conversation_id);
  op->value = g_strdup (status);
  run_op (self, op);
}

void
sapa_conversation_panel_set_complaint (SapaConversationPanel *self,
                                       const char            *conversation_id,
                                       gboolean               is_complaint)
{
  DeskOp *op;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (conversation_id != NULL);

  op = desk_op_new (OP_COMPLAINT, conversation_id);
  op->flag = is_complaint;
  run_op (self, op);
}

void
sapa_conversation_panel_set_step (SapaConversationPanel *self,
                                  const char            *conversation_id,
                                  const char            *step,
                                  gboolean               done)
{
  DeskOp *op;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (conversation_id != NULL && step != NULL);

  op = desk_op_new (OP_STEP, conversation_id);
  op->value = g_strdup (step);
  op->flag = done;
  run_op (self, op);
}

void
sapa_conversation_panel_set_follow_up (SapaConversationPanel *self,
                                       const char            *conversation_id,
                                       gint64                 due)
{
  DeskOp *op;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (conversation_id != NULL);

  op = desk_op_new (OP_FOLLOW_UP, conversation_id);
  op->due = due;
  run_op (self, op);
}

void
sapa_conversation_panel_escalate (SapaConversationPanel *self,
                                  const char            *conversation_id,
                                  const char            *department,
                                  const char            *reason)
{
  DeskOp *op;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (conversation_id != NULL && department != NULL);

  op = desk_op_new (OP_ESCALATE, conversation_id);
  op->value = g_strdup (department);
  op->reason = g_strdup (reason);
  run_op (self, op);
}

static void
reason_changed_cb (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "escalate", *text != '\0');
}

static void
escalate_response_cb (AdwMessageDialog      *dialog,
                      const char            *response,
                      SapaConversationPanel *self)
{
  GtkDropDown *departments = g_object_get_data (G_OBJECT (dialog), "departments");
  GtkEditable *reason = g_object_get_data (G_OBJECT (dialog), "reason");
  guint selected;
  g_autofree char *text = NULL;

  if (g_strcmp0 (response, "escalate") != 0)
    return;
  selected = gtk_drop_down_get_selected (departments);
  if (selected >= g_strv_length ((char **) sapa_departments))
    return;
  text = g_strstrip (g_strdup (gtk_editable_get_text (reason)));
  sapa_conversation_panel_escalate (self, conversation_id_of (dialog), sapa_departments[selected], text);
}

GtkWidget *
sapa_conversation_panel_show_escalate_dialog (SapaConversationPanel *self,
                                              const char            *conversation_id)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *dialog, *box, *departments, *reason;
  GtkRoot *root;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL, NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Escalate Conversation"),
                                   _("Choose the department that takes it over and say why."));
  tag_widget (dialog, conversation_id);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  for (guint i = 0; sapa_departments[i] != NULL; i++)
    gtk_string_list_append (names, sapa_label_department (sapa_departments[i]));
  departments = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  set_label (departments, _("Department"));
  gtk_box_append (GTK_BOX (box), departments);
  reason = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (reason), _("Reason for escalating"));
  set_label (reason, _("Reason for escalating"));
  gtk_entry_set_activates_default (GTK_ENTRY (reason), TRUE);
  gtk_box_append (GTK_BOX (box), reason);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_object_set_data (G_OBJECT (dialog), "departments", departments);
  g_object_set_data (G_OBJECT (dialog), "reason", reason);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "escalate", _("_Escalate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "escalate",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "escalate");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "escalate", FALSE);
  g_signal_connect_object (reason, "changed", G_CALLBACK (reason_changed_cb), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (escalate_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (reason);
  return dialog;
}

GtkWidget *
sapa_conversation_panel_get_reply_view (SapaConversationPanel *self,
                                        const char            *conversation_id)
{
  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL, NULL);

  return find_tagged (GTK_WIDGET (self->list_box), GTK_TYPE_TEXT_VIEW, conversation_id);
}

GtkWidget *
sapa_conversation_panel_get_reply_button (SapaConversationPanel *self,
                                          const char            *conversation_id)
{
  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL, NULL);

  return find_tagged (GTK_WIDGET (self->list_box), GTK_TYPE_BUTTON, conversation_id);
}

gboolean
sapa_conversation_panel_send_reply (SapaConversationPanel *self,
                                    const char            *conversation_id)
{
  g_autofree char *body = NULL;
  SapaRecord *conversation = NULL;
  SapaContact contact = { 0 };
  ReplySend *send;
  GtkWidget *view;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), FALSE);
  g_return_val_if_fail (conversation_id != NULL, FALSE);

  if (self->store == NULL || g_hash_table_contains (self->sending, conversation_id))
    return FALSE;
  for (guint i = 0; i < self->conversations->len; i++)
    if (g_strcmp0 (sapa_record_get_id (g_ptr_array_index (self->conversations, i)), conversation_id) == 0)
      conversation = g_ptr_array_index (self->conversations, i);
  if (conversation == NULL ||
      !sapa_conversation_panel_channel_takes_replies (sapa_record_get_string (conversation, "channel")))
    return FALSE;
  view = sapa_conversation_panel_get_reply_view (self, conversation_id);
  if (view == NULL)
    return FALSE;
  body = dup_reply_text (GTK_TEXT_VIEW (view));
  if (*body == '\0')
    return FALSE;

  contact.customer_id = sapa_record_get_string (conversation, "customer_id");
  contact.conversation_id = conversation_id;
  contact.channel = sapa_record_get_string (conversation, "channel");
  contact.direction = "outbound";
  contact.body = body;
  contact.wait_seconds = -1;
  contact.agent_id = self->agent_id;

  g_hash_table_add (self->sending, g_strdup (conversation_id));
  show_reply_error (self, conversation_id, NULL);
  update_reply_area (self, conversation_id);

  send = g_new0 (ReplySend, 1);
  send->panel = g_object_ref (self);
  send->conversation_id = g_strdup (conversation_id);
  sapa_desk_log_contact_async (self->store, &contact, self->cancellable, reply_done_cb, send);
  return TRUE;
}

static gboolean
reload_soon_cb (gpointer user_data)
{
  g_autoptr(SapaConversationPanel) self = user_data;

  rebuild (self);
  return G_SOURCE_REMOVE;
}

/* The kiosk changed conversation or closed: the rows show it. */
static void
kiosk_changed_cb (SapaConversationPanel *self)
{
  g_idle_add (reload_soon_cb, g_object_ref (self));
}

SapaKioskWindow *
sapa_conversation_panel_ask_for_rating (SapaConversationPanel *self,
                                        const char            *conversation_id)
{
  SapaRecord *conversation;
  SapaKioskWindow *kiosk;
  GtkWindow *desk;
  gboolean fresh;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL, NULL);

  conversation = find_conversation (self, conversation_id);
  desk = desk_window (self);
  if (conversation == NULL || desk == NULL || self->store == NULL)
    return NULL;

  fresh = sapa_kiosk_window_get_for_desk (desk) == NULL;
  kiosk = sapa_kiosk_window_ensure_for_desk (desk, self->store);
  g_signal_handlers_disconnect_by_data (kiosk, self);
  g_signal_connect_object (kiosk, "notify::conversation-id", G_CALLBACK (kiosk_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (kiosk, "ended", G_CALLBACK (kiosk_changed_cb), self, G_CONNECT_SWAPPED);
  sapa_kiosk_window_start (kiosk, conversation, self->agent_id);
  if (fresh)
    sapa_kiosk_window_present_fullscreen (kiosk);
  else
    gtk_window_present (GTK_WINDOW (kiosk));
  return kiosk;
}

void
sapa_conversation_panel_end_rating (SapaConversationPanel *self)
{
  SapaKioskWindow *kiosk;

  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));

  kiosk = sapa_kiosk_window_get_for_desk (desk_window (self));
  if (kiosk != NULL)
    sapa_kiosk_window_end (kiosk);
}

GtkWidget *
sapa_conversation_panel_get_end_rating_button (SapaConversationPanel *self)
{
  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  return self->end_rating_button;
}

GtkWidget *
sapa_conversation_panel_get_rating_button (SapaConversationPanel *self,
                                           const char            *conversation_id,
                                           const char            *role)
{
  GtkWidget *child;
  GPtrArray *stack;
  GtkWidget *found = NULL;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL && role != NULL, NULL);

  stack = g_ptr_array_new ();
  g_ptr_array_add (stack, self->list_box);
  while (found == NULL && stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_BUTTON (widget) &&
          g_strcmp0 (g_object_get_data (G_OBJECT (widget), "rating-button"), role) == 0 &&
          g_strcmp0 (conversation_id_of (widget), conversation_id) == 0)
        found = widget;
      for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_ptr_array_unref (stack);
  return found;
}

static void
rating_saved_cb (SapaConversationPanel *self,
                 gboolean               ok)
{
  if (ok)
    show_toast (self, _("Rating saved"));
}

SapaRatingDialog *
sapa_conversation_panel_show_rating_dialog (SapaConversationPanel *self,
                                            const char            *conversation_id)
{
  SapaRecord *conversation;
  SapaRatingDialog *dialog;
  GtkWindow *desk;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), NULL);
  g_return_val_if_fail (conversation_id != NULL, NULL);

  conversation = find_conversation (self, conversation_id);
  if (conversation == NULL || self->store == NULL)
    return NULL;
  dialog = sapa_rating_dialog_new (self->store, conversation, self->agent_id);
  desk = desk_window (self);
  if (desk != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (dialog), desk);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (rating_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

void
sapa_conversation_panel_set_sync (SapaConversationPanel *self,
                                  SapaSync              *sync)
{
  g_return_if_fail (SAPA_IS_CONVERSATION_PANEL (self));
  g_return_if_fail (sync == NULL || SAPA_IS_SYNC (sync));

  g_set_object (&self->sync, sync);
}

/* The engine survey links go through: the one given, else the desk window's. */
static SapaSync *
get_sync (SapaConversationPanel *self)
{
  GtkWindow *desk;

  if (self->sync != NULL)
    return self->sync;
  desk = desk_window (self);
  if (desk != NULL && SAPA_IS_WINDOW (desk))
    return sapa_sync_indicator_get_sync (sapa_window_get_sync_indicator (SAPA_WINDOW (desk)));
  return NULL;
}

typedef struct {
  SapaConversationPanel *panel;
  char                  *conversation_id;
  char                  *customer_id;
  char                  *channel;
  char                  *language;
} LinkSend;

static void
link_send_free (LinkSend *send)
{
  g_clear_object (&send->panel);
  g_free (send->conversation_id);
  g_free (send->customer_id);
  g_free (send->channel);
  g_free (send->language);
  g_free (send);
}

static void
link_done (LinkSend   *send,
           gboolean    ok,
           const char *message)
{
  SapaConversationPanel *self = send->panel;
  GtkWidget *button;

  g_hash_table_remove (self->linking, send->conversation_id);
  button = sapa_conversation_panel_get_rating_button (self, send->conversation_id, "link");
  if (button != NULL)
    gtk_widget_set_sensitive (button, TRUE);
  show_toast (self, message);
  g_signal_emit (self, signals[SURVEY_LINK_DONE], 0, ok);
  link_send_free (send);
}

static void
link_sent_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LinkSend *send = user_data;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  interaction = sapa_desk_log_contact_finish (SAPA_STORE (object), result, &error);
  if (interaction == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          link_send_free (send);
          return;
        }
      g_warning ("Could not save the survey link message: %s", error->message);
      /* Translators: %s is the reason given by the database */
      message = g_strdup_printf (_("The survey link was not sent: %s. Try again."), error->message);
      link_done (send, FALSE, message);
      return;
    }
  link_done (send, TRUE, reply_queued_message (send->channel));
}

static void
link_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LinkSend *send = user_data;
  SapaConversationPanel *self = send->panel;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  SapaContact contact = { 0 };

  url = sapa_survey_link_request_finish (result, NULL, &error);
  if (url == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          link_send_free (send);
          return;
        }
      g_message ("No survey link for %s: %s", send->conversation_id, error->message);
      /* Translators: %s says why (offline, sign-in needed...) and what to do */
      message = g_strdup_printf (_("The survey link was not sent: %s"), error->message);
      link_done (send, FALSE, message);
      return;
    }
  if (self->store == NULL)
    {
      link_done (send, FALSE, _("The survey link was not sent: the desk has no database open."));
      return;
    }

  /* In the customer's language, whatever the desk's. */
  body = g_strconcat (sapa_catalog_translate (send->language,
                                              N_("Thank you for contacting us. Please tell us how we did; it takes a minute:")),
                      "\n", url, NULL);
  contact.customer_id = send->customer_id;
  contact.conversation_id = send->conversation_id;
  contact.channel = send->channel;
  contact.direction = "outbound";
  contact.body = body;
  contact.wait_seconds = -1;
  contact.agent_id = self->agent_id;
  sapa_desk_log_contact_async (self->store, &contact, self->cancellable, link_sent_cb, send);
}

gboolean
sapa_conversation_panel_send_survey_link (SapaConversationPanel *self,
                                          const char            *conversation_id)
{
  SapaRecord *conversation;
  SapaSync *sync;
  const char *token;
  g_autoptr(SapaRecord) customer = NULL;
  const char *language = NULL;
  LinkSend *send;
  GtkWidget *button;

  g_return_val_if_fail (SAPA_IS_CONVERSATION_PANEL (self), FALSE);
  g_return_val_if_fail (conversation_id != NULL, FALSE);

  conversation = find_conversation (self, conversation_id);
  if (conversation == NULL || self->store == NULL ||
      !sapa_conversation_panel_channel_takes_replies (sapa_record_get_string (conversation, "channel")) ||
      g_hash_table_contains (self->linking, conversation_id))
    return FALSE;

  sync = get_sync (self);
  token = sync != NULL ? sapa_sync_get_token (sync) : NULL;
  if (sync == NULL || sapa_sync_get_server_url (sync) == NULL || token == NULL || *token == '\0')
    {
      show_toast (self, _("Survey links come from the Sapa server: sign in first. Nothing was sent."));
      g_signal_emit (self, signals[SURVEY_LINK_DONE], 0, FALSE);
      return FALSE;
    }

  customer = sapa_store_get (self->store, "customer", sapa_record_get_string (conversation, "customer_id"), NULL);
  if (customer != NULL)
    language = sapa_record_get_string (customer, "preferred_language");
  if (language == NULL || *language == '\0')
    language = "id";

  send = g_new0 (LinkSend, 1);
  send->panel = g_object_ref (self);
  send->conversation_id = g_strdup (conversation_id);
  send->customer_id = g_strdup (sapa_record_get_string (conversation, "customer_id"));
  send->channel = g_strdup (sapa_record_get_string (conversation, "channel"));
  send->language = g_strdup (language);
  g_hash_table_add (self->linking, g_strdup (conversation_id));
  button = sapa_conversation_panel_get_rating_button (self, conversation_id, "link");
  if (button != NULL)
    gtk_widget_set_sensitive (button, FALSE);
  sapa_survey_link_request_async (sync, conversation_id, language, self->cancellable, link_ready_cb, send);
  return TRUE;
}
