/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-kiosk-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-application.h"
#include <sapa/sapa-catalog.h>
#include "sapa-i18n.h"
#include "sapa-kiosk-window.h"
#include "sapa-window.h"

#define DESK_DATA_KEY "sapa-kiosk-window"

struct _SapaKioskWindow
{
  AdwWindow       parent_instance;

  GtkWidget      *ces_page;
  GtkWidget      *comment_page;
  GtkWidget      *csat_page;
  GtkWidget      *nps_page;
  GtkWidget      *thanks_page;
  GtkLabel       *ces_high_label;
  GtkBox         *ces_box;
  GtkLabel       *ces_low_label;
  GtkLabel       *ces_question;
  GtkButton      *ces_skip_button;
  GtkLabel       *comment_question;
  GtkButton      *comment_send_button;
  GtkButton      *comment_skip_button;
  GtkTextView    *comment_view;
  GtkBox         *csat_box;
  GtkLabel       *csat_question;
  GtkToggleButton *english_button;
  GtkLabel       *idle_label;
  GtkToggleButton *indonesian_button;
  GtkBox         *language_box;
  GtkLabel       *nps_high_label;
  GtkBox         *nps_box;
  GtkLabel       *nps_low_label;
  GtkLabel       *nps_question;
  GtkButton      *nps_skip_button;
  GtkStack       *stack;
  GtkLabel       *thanks_body;
  GtkLabel       *thanks_title;

  SapaStore      *store;
  GtkWindow      *desk;            /* weak */
  char           *language;        /* "id" or "en" */
  char           *branch_name;
  GPtrArray      *texts;           /* widgets whose text follows the language */

  /* The survey running now. */
  SapaRecord     *conversation;
  char           *agent_id;
  int             scores[3];       /* csat, nps, ces; -1 = not answered */
  char           *comment;

  char           *desk_message;
  guint           thanks_ms;
  guint           inactivity_ms;
  guint           thanks_source;
  guint           inactivity_source;
  gboolean        ending;
  gboolean        switching_language;
};

G_DEFINE_FINAL_TYPE (SapaKioskWindow, sapa_kiosk_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONVERSATION_ID,
  PROP_PAGE,
  PROP_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum { CSAT, NPS, CES };
static const char * const kinds[] = { "csat", "nps", "ces" };

/* How a registered widget shows its text. */
typedef enum {
  TEXT_LABEL,        /* gtk_label_set_text */
  TEXT_BUTTON,       /* gtk_button_set_label + accessible label */
  TEXT_ACCESSIBLE,   /* the accessible label only */
} TextKind;

/* The kiosk's texts, in English; marked for the catalogue, looked up in the
 * kiosk's own language by sapa_kiosk_window_translate(). */
static const char *csat_words[] = {
  N_("Very unsatisfied"),
  N_("Unsatisfied"),
  N_("Neutral"),
  N_("Satisfied"),
  N_("Very satisfied"),
};
/* Symbolic icons of the Adwaita theme, drawn in the theme's colours (emoji
 * fonts are not on every counter PC). */
static const char *csat_faces[] = {
  "face-angry-symbolic",
  "face-sad-symbolic",
  "face-plain-symbolic",
  "face-smile-symbolic",
  "face-smile-big-symbolic",
};

static int
kind_index (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i], kind) == 0)
      return (int) i;
  return -1;
}

const char *
sapa_kiosk_window_translate (SapaKioskWindow *self,
                             const char      *msgid)
{
  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), msgid);
  return sapa_catalog_translate (self->language, msgid);
}

static void describe_page (SapaKioskWindow *self);

static void
apply_text (SapaKioskWindow *self,
            GtkWidget       *widget)
{
  const char *msgid = g_object_get_data (G_OBJECT (widget), "kiosk-msgid");
  TextKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "kiosk-text-kind"));
  const char *text = sapa_kiosk_window_translate (self, msgid);

  switch (kind)
    {
    case TEXT_LABEL:
      gtk_label_set_text (GTK_LABEL (widget), text);
      break;
    case TEXT_BUTTON:
      gtk_button_set_label (GTK_BUTTON (widget), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      break;
    case TEXT_ACCESSIBLE:
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* @widget shows @msgid in the kiosk's language, now and after every switch. */
static void
add_text (SapaKioskWindow *self,
          gpointer         widget,
          TextKind         kind,
          const char      *msgid)
{
  g_object_set_data (G_OBJECT (widget), "kiosk-msgid", (gpointer) msgid);
  g_object_set_data (G_OBJECT (widget), "kiosk-text-kind", GINT_TO_POINTER (kind));
  g_ptr_array_add (self->texts, widget);
  apply_text (self, widget);
}

static void
retranslate (SapaKioskWindow *self)
{
  for (guint i = 0; i < self->texts->len; i++)
    apply_text (self, g_ptr_array_index (self->texts, i));
  gtk_window_set_title (GTK_WINDOW (self), sapa_kiosk_window_translate (self, N_("Rate Our Service")));
  if (self->branch_name != NULL)
    gtk_label_set_text (self->idle_label, self->branch_name);
  else
    gtk_label_set_text (self->idle_label, sapa_kiosk_window_translate (self, N_("Welcome")));
  describe_page (self);
}

/* Told on the desk, never on the kiosk: a toast in the desk window. */
static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* @sticky: a problem stays until the agent dismisses it. */
static void
tell_desk_full (GtkWindow  *desk,
                const char *message,
                gboolean    sticky)
{
  AdwToastOverlay *overlay;
  AdwToast *toast;

  if (desk == NULL)
    {
      g_warning ("%s", message);
      return;
    }
  toast = adw_toast_new (message);
  if (sticky)
    adw_toast_set_timeout (toast, 0);
  if (SAPA_IS_WINDOW (desk))
    {
      sapa_window_add_toast (SAPA_WINDOW (desk), toast);
      return;
    }
  overlay = find_toast_overlay (GTK_WIDGET (desk));
  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    {
      g_warning ("%s", message);
      g_object_unref (g_object_ref_sink (toast));
    }
}

static void
tell_desk (GtkWindow  *desk,
           const char *message)
{
  tell_desk_full (desk, message, TRUE);
}

static void
set_desk_message (SapaKioskWindow *self,
                  const char      *message)
{
  g_free (self->desk_message);
  self->desk_message = g_strdup (message);
  tell_desk (self->desk, message);
}

static void
stop_timers (SapaKioskWindow *self)
{
  g_clear_handle_id (&self->thanks_source, g_source_remove);
  g_clear_handle_id (&self->inactivity_source, g_source_remove);
}

/* What the screen asks now, in the kiosk's language: the window's
 * accessible description, so screen readers (and the end-to-end test) know
 * which page is up. */
static void
describe_page (SapaKioskWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  const char *text;

  if (g_strcmp0 (page, SAPA_KIOSK_PAGE_IDLE) == 0)
    text = gtk_label_get_text (self->idle_label);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_CSAT) == 0)
    text = gtk_label_get_text (self->csat_question);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_NPS) == 0)
    text = gtk_label_get_text (self->nps_question);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_CES) == 0)
    text = gtk_label_get_text (self->ces_question);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_COMMENT) == 0)
    text = gtk_label_get_text (self->comment_question);
  else
    text = gtk_label_get_text (self->thanks_title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
show_page (SapaKioskWindow *self,
           const char      *page)
{
  gtk_stack_set_visible_child_name (self->stack, page);
  describe_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static gboolean inactivity_cb (gpointer user_data);

static void
restart_inactivity (SapaKioskWindow *self)
{
  const char *page = sapa_kiosk_window_get_page (self);

  g_clear_handle_id (&self->inactivity_source, g_source_remove);
  if (g_strcmp0 (page, SAPA_KIOSK_PAGE_IDLE) == 0 || g_strcmp0 (page, SAPA_KIOSK_PAGE_THANKS) == 0)
    return;
  self->inactivity_source = g_timeout_add (self->inactivity_ms, inactivity_cb, self);
}

/* Saves the survey's answers (when the CSAT face was chosen) in one
 * transaction; the survey is over either way. */
typedef struct {
  GWeakRef kiosk;
  GWeakRef desk;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_weak_ref_clear (&data->kiosk);
  g_weak_ref_clear (&data->desk);
  g_free (data);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(SapaKioskWindow) self = g_weak_ref_get (&data->kiosk);
  g_autoptr(GtkWindow) desk = g_weak_ref_get (&data->desk);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = sapa_store_save_all_finish (SAPA_STORE (object), result, &error);
  if (!ok)
    {
      /* Translators: %s is the reason given by the database */
      g_autofree char *message = g_strdup_printf (_("The customer’s rating was not saved: %s. Ask them again or record it with “Record a Rating…”."),
                                                  error->message);

      g_message ("Could not save the kiosk’s answers: %s", error->message);
      if (self != NULL)
        {
          g_free (self->desk_message);
          self->desk_message = g_strdup (message);
        }
      tell_desk (desk, message);
    }
  else if (desk != NULL)
    tell_desk_full (desk, _("The customer’s rating was saved"), FALSE);
  if (self != NULL)
    g_signal_emit (self, signals[SAVED], 0, ok);
  save_data_free (data);
}

static SapaRecord *
new_response (SapaKioskWindow *self,
              const char      *kind,
              int              score,
              gint64           now)
{
  SapaRecord *response = sapa_record_new ("survey_response");
  g_autofree char *desk_agent = self->store ? sapa_store_dup_meta (self->store, "agent_id") : NULL;

  sapa_record_set_string (response, "kind", kind);
  sapa_record_set_int (response, "score", score);
  sapa_record_set_string (response, "collected_via", "kiosk");
  sapa_record_set_int (response, "collected_at", now);
  if (self->conversation != NULL)
    {
      sapa_record_set_string (response, "customer_id", sapa_record_get_string (self->conversation, "customer_id"));
      sapa_record_set_string (response, "conversation_id", sapa_record_get_id (self->conversation));
      sapa_record_set_string (response, "branch_id", sapa_record_get_string (self->conversation, "branch_id"));
      sapa_record_set_string (response, "channel", sapa_record_get_string (self->conversation, "channel"));
    }
  sapa_record_set_string (response, "agent_id", desk_agent != NULL ? desk_agent : self->agent_id);
  return response;
}

static void
reset_survey (SapaKioskWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->scores); i++)
    self->scores[i] = -1;
  g_clear_pointer (&self->comment, g_free);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->comment_view), "", -1);
}

static void
save_survey (SapaKioskWindow *self)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SaveData *data;

  if (self->scores[CSAT] < 0 || self->store == NULL)
    {
      reset_survey (self);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      SapaRecord *response;

      if (self->scores[i] < 0)
        continue;
      response = new_response (self, kinds[i], self->scores[i], now);
      if (i == CSAT && self->comment != NULL && *self->comment != '\0')
        sapa_record_set_string (response, "comment", self->comment);
      g_ptr_array_add (records, response);
    }
  reset_survey (self);

  data = g_new0 (SaveData, 1);
  g_weak_ref_init (&data->kiosk, self);
  g_weak_ref_init (&data->desk, self->desk);
  /* Not cancelled with the kiosk: answers given are kept even when the
   * desk closes the kiosk right after. */
  sapa_store_save_all_async (self->store, records, NULL, saved_cb, data);
}

static gboolean
thanks_done_cb (gpointer user_data)
{
  SapaKioskWindow *self = user_data;

  self->thanks_source = 0;
  show_page (self, SAPA_KIOSK_PAGE_IDLE);
  return G_SOURCE_REMOVE;
}

static void
finish (SapaKioskWindow *self)
{
  stop_timers (self);
  save_survey (self);
  show_page (self, SAPA_KIOSK_PAGE_THANKS);
  self->thanks_source = g_timeout_add (self->thanks_ms, thanks_done_cb, self);
}

static gboolean
inactivity_cb (gpointer user_data)
{
  SapaKioskWindow *self = user_data;

  self->inactivity_source = 0;
  g_debug ("No answer for %u ms: back to the idle screen", self->inactivity_ms);
  /* Answers given so far are kept once the CSAT face was chosen. */
  save_survey (self);
  show_page (self, SAPA_KIOSK_PAGE_IDLE);
  return G_SOURCE_REMOVE;
}

static void
score_clicked_cb (GtkButton       *button,
                  SapaKioskWindow *self)
{
  const char *kind = g_object_get_data (G_OBJECT (button), "kiosk-kind");
  int score = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kiosk-score"));

  sapa_kiosk_window_answer (self, kind, score, NULL);
}

static void
skip_clicked_cb (SapaKioskWindow *self)
{
  sapa_kiosk_window_skip (self);
}

static void
send_clicked_cb (SapaKioskWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->comment_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  sapa_kiosk_window_send_comment (self, g_strstrip (text));
}

static void
language_toggled_cb (SapaKioskWindow *self)
{
  if (self->switching_language)
    return;
  if (gtk_toggle_button_get_active (self->indonesian_button))
    sapa_kiosk_window_set_language (self, "id");
  else if (gtk_toggle_button_get_active (self->english_button))
    sapa_kiosk_window_set_language (self, "en");
}

static void
comment_changed_cb (SapaKioskWindow *self)
{
  restart_inactivity (self);
}

/* Any touch, click or key on the kiosk means someone is there. */
static gboolean
any_event_cb (GtkEventControllerLegacy *controller,
              GdkEvent                 *event,
              SapaKioskWindow          *self)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
      restart_inactivity (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static gboolean
swallow_cb (GtkWidget *widget,
            GVariant  *args,
            gpointer   user_data)
{
  /* Escape and the like do nothing on the kiosk. */
  return TRUE;
}

static GtkWidget *
score_button (SapaKioskWindow *self,
              const char      *kind,
              int              score)
{
  GtkWidget *button = gtk_button_new ();

  g_object_set_data (G_OBJECT (button), "kiosk-kind", (gpointer) kind);
  g_object_set_data (G_OBJECT (button), "kiosk-score", GINT_TO_POINTER (score));
  gtk_widget_add_css_class (button, "kiosk-score");
  /* Touch targets of at least 64 px, whatever the style sheet says. */
  gtk_widget_set_size_request (button, 64, 64);
  g_signal_connect_object (button, "clicked", G_CALLBACK (score_clicked_cb), self, 0);
  return button;
}

static void
build_buttons (SapaKioskWindow *self)
{
  for (int i = 0; i < 5; i++)
    {
      GtkWidget *button = score_button (self, "csat", i + 1);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      GtkWidget *face = gtk_image_new_from_icon_name (csat_faces[i]);
      GtkWidget *word = gtk_label_new (NULL);
      g_autofree char *score_class = g_strdup_printf ("kiosk-face-%d", i + 1);

      gtk_widget_add_css_class (button, "kiosk-face");
      gtk_widget_add_css_class (button, score_class);
      gtk_widget_set_size_request (button, 128, 128);
      gtk_image_set_pixel_size (GTK_IMAGE (face), 72);
      gtk_accessible_update_property (GTK_ACCESSIBLE (face), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_label_set_wrap (GTK_LABEL (word), TRUE);
      gtk_label_set_justify (GTK_LABEL (word), GTK_JUSTIFY_CENTER);
      gtk_box_append (GTK_BOX (box), face);
      gtk_box_append (GTK_BOX (box), word);
      gtk_button_set_child (GTK_BUTTON (button), box);
      add_text (self, word, TEXT_LABEL, csat_words[i]);
      add_text (self, button, TEXT_ACCESSIBLE, csat_words[i]);
      gtk_widget_set_name (button, kinds[CSAT]);
      gtk_box_append (self->csat_box, button);
    }
  for (int i = 0; i <= 10; i++)
    {
      GtkWidget *button = score_button (self, "nps", i);
      g_autofree char *number = g_strdup_printf ("%d", i);

      /* A number reads the same in both languages. */
      gtk_button_set_label (GTK_BUTTON (button), number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, number, -1);
      gtk_box_append (self->nps_box, button);
    }
  for (int i = 1; i <= 7; i++)
    {
      GtkWidget *button = score_button (self, "ces", i);
      g_autofree char *number = g_strdup_printf ("%d", i);

      gtk_button_set_label (GTK_BUTTON (button), number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, number, -1);
      gtk_box_append (self->ces_box, button);
    }

  add_text (self, self->csat_question, TEXT_LABEL, N_("How satisfied are you with our service today?"));
  add_text (self, self->csat_page, TEXT_ACCESSIBLE, N_("How satisfied are you with our service today?"));
  add_text (self, self->nps_question, TEXT_LABEL, N_("How likely are you to recommend us to a friend or colleague?"));
  add_text (self, self->nps_page, TEXT_ACCESSIBLE, N_("How likely are you to recommend us to a friend or colleague?"));
  add_text (self, self->nps_low_label, TEXT_LABEL, N_("0 = Not at all likely"));
  add_text (self, self->nps_high_label, TEXT_LABEL, N_("10 = Extremely likely"));
  add_text (self, self->ces_question, TEXT_LABEL, N_("How easy was it to get what you needed today?"));
  add_text (self, self->ces_page, TEXT_ACCESSIBLE, N_("How easy was it to get what you needed today?"));
  add_text (self, self->ces_low_label, TEXT_LABEL, N_("1 = Very difficult"));
  add_text (self, self->ces_high_label, TEXT_LABEL, N_("7 = Very easy"));
  add_text (self, self->nps_skip_button, TEXT_BUTTON, N_("Skip"));
  add_text (self, self->ces_skip_button, TEXT_BUTTON, N_("Skip"));
  add_text (self, self->comment_question, TEXT_LABEL, N_("Anything else you would like to tell us?"));
  add_text (self, self->comment_view, TEXT_ACCESSIBLE, N_("Your comment (optional)"));
  add_text (self, self->comment_skip_button, TEXT_BUTTON, N_("Skip"));
  add_text (self, self->comment_send_button, TEXT_BUTTON, N_("Send"));
  add_text (self, self->thanks_title, TEXT_LABEL, N_("Thank you!"));
  add_text (self, self->thanks_page, TEXT_ACCESSIBLE, N_("Thank you!"));
  add_text (self, self->comment_page, TEXT_ACCESSIBLE, N_("Anything else you would like to tell us?"));
  add_text (self, self->thanks_body, TEXT_LABEL, N_("Your answers help us serve you better."));
  add_text (self, self->language_box, TEXT_ACCESSIBLE, N_("Language"));
}

static gboolean
sapa_kiosk_window_close_request (GtkWindow *window)
{
  SapaKioskWindow *self = SAPA_KIOSK_WINDOW (window);

  /* Only the desk closes the kiosk. */
  if (!self->ending)
    {
      g_debug ("Close asked on the kiosk: ignored (the desk ends it)");
      return TRUE;
    }
  return GTK_WINDOW_CLASS (sapa_kiosk_window_parent_class)->close_request (window);
}

static void
desk_destroyed_cb (SapaKioskWindow *self)
{
  sapa_kiosk_window_end (self);
}

static void
sapa_kiosk_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SapaKioskWindow *self = SAPA_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION_ID:
      g_value_set_string (value, sapa_kiosk_window_get_conversation_id (self));
      break;
    case PROP_PAGE:
      g_value_set_string (value, sapa_kiosk_window_get_page (self));
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_kiosk_window_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SapaKioskWindow *self = SAPA_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      sapa_kiosk_window_set_language (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_kiosk_window_dispose (GObject *object)
{
  SapaKioskWindow *self = SAPA_KIOSK_WINDOW (object);

  stop_timers (self);
  if (self->desk != NULL)
    {
      if (g_object_get_data (G_OBJECT (self->desk), DESK_DATA_KEY) == self)
        g_object_set_data (G_OBJECT (self->desk), DESK_DATA_KEY, NULL);
      g_signal_handlers_disconnect_by_data (self->desk, self);
      g_object_remove_weak_pointer (G_OBJECT (self->desk), (gpointer *) &self->desk);
      self->desk = NULL;
    }
  g_clear_pointer (&self->texts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_KIOSK_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (sapa_kiosk_window_parent_class)->dispose (object);
}

static void
sapa_kiosk_window_finalize (GObject *object)
{
  SapaKioskWindow *self = SAPA_KIOSK_WINDOW (object);

  g_free (self->language);
  g_free (self->branch_name);
  g_free (self->agent_id);
  g_free (self->comment);
  g_free (self->desk_message);

  G_OBJECT_CLASS (sapa_kiosk_window_parent_class)->finalize (object);
}

static void
sapa_kiosk_window_class_init (SapaKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = sapa_kiosk_window_get_property;
  object_class->set_property = sapa_kiosk_window_set_property;
  object_class->dispose = sapa_kiosk_window_dispose;
  object_class->finalize = sapa_kiosk_window_finalize;
  window_class->close_request = sapa_kiosk_window_close_request;

  properties[PROP_CONVERSATION_ID] =
    g_param_spec_string ("conversation-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/sapa-kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_box);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_high_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_low_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_question);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_skip_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, comment_question);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, comment_send_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, comment_skip_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, comment_view);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, csat_box);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, csat_question);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, english_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, idle_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, indonesian_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, language_box);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_box);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_high_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_low_label);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_question);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_skip_button);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, ces_page);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, comment_page);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, csat_page);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, nps_page);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, thanks_page);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, thanks_body);
  gtk_widget_class_bind_template_child (widget_class, SapaKioskWindow, thanks_title);
  gtk_widget_class_bind_template_callback (widget_class, language_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, skip_clicked_cb);
}

static void
sapa_kiosk_window_init (SapaKioskWindow *self)
{
  GtkEventController *controller;
  GtkShortcutAction *nothing;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->texts = g_ptr_array_new ();
  self->thanks_ms = SAPA_KIOSK_THANKS_TIMEOUT_MS;
  self->inactivity_ms = SAPA_KIOSK_INACTIVITY_TIMEOUT_MS;
  self->language = g_strdup (g_str_has_prefix (sapa_i18n_get_language (), "id") ? "id" : "en");
  reset_survey (self);

  self->switching_language = TRUE;
  gtk_toggle_button_set_active (g_str_equal (self->language, "id") ? self->indonesian_button
                                                                   : self->english_button, TRUE);
  self->switching_language = FALSE;
  build_buttons (self);
  retranslate (self);

  g_signal_connect_object (gtk_text_view_get_buffer (self->comment_view), "changed",
                           G_CALLBACK (comment_changed_cb), self, G_CONNECT_SWAPPED);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "event", G_CALLBACK (any_event_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Escape does nothing here (no dialog to leave, nothing to go back to). */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  nothing = gtk_callback_action_new (swallow_cb, NULL, NULL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          nothing));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
  gtk_widget_set_size_request (GTK_WIDGET (self->indonesian_button), 160, 64);
  gtk_widget_set_size_request (GTK_WIDGET (self->english_button), 160, 64);
  gtk_widget_set_size_request (GTK_WIDGET (self->nps_skip_button), 200, 64);
  gtk_widget_set_size_request (GTK_WIDGET (self->ces_skip_button), 200, 64);
  gtk_widget_set_size_request (GTK_WIDGET (self->comment_skip_button), 200, 64);
  gtk_widget_set_size_request (GTK_WIDGET (self->comment_send_button), 200, 64);
}

SapaKioskWindow *
sapa_kiosk_window_get_for_desk (GtkWindow *desk)
{
  g_return_val_if_fail (desk == NULL || GTK_IS_WINDOW (desk), NULL);

  if (desk == NULL)
    return NULL;
  return g_object_get_data (G_OBJECT (desk), DESK_DATA_KEY);
}

SapaKioskWindow *
sapa_kiosk_window_ensure_for_desk (GtkWindow *desk,
                                   SapaStore *store)
{
  SapaKioskWindow *self;

  g_return_val_if_fail (GTK_IS_WINDOW (desk), NULL);
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = sapa_kiosk_window_get_for_desk (desk);
  if (self != NULL && self->store == store)
    return self;
  if (self != NULL)
    sapa_kiosk_window_end (self);

  /* Deliberately not gtk_window_set_application(): the application's
   * accelerators and actions stay with the desk. */
  self = g_object_new (SAPA_TYPE_KIOSK_WINDOW, NULL);
  self->store = g_object_ref (store);
  self->desk = desk;
  g_object_add_weak_pointer (G_OBJECT (desk), (gpointer *) &self->desk);
  g_object_set_data (G_OBJECT (desk), DESK_DATA_KEY, self);
  g_signal_connect_object (desk, "destroy", G_CALLBACK (desk_destroyed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

GdkMonitor *
sapa_kiosk_window_choose_monitor (GListModel *monitors,
                                  const char *connector,
                                  GdkMonitor *desk_monitor)
{
  guint n;
  g_autoptr(GdkMonitor) first = NULL;

  g_return_val_if_fail (G_IS_LIST_MODEL (monitors), NULL);

  n = g_list_model_get_n_items (monitors);
  if (n == 0)
    return NULL;
  if (connector != NULL && *connector != '\0')
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);

        if (g_strcmp0 (gdk_monitor_get_connector (monitor), connector) == 0)
          return monitor;
      }
  if (n > 1)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);

        if (monitor != desk_monitor)
          return monitor;
      }
  if (desk_monitor != NULL)
    return desk_monitor;
  first = g_list_model_get_item (monitors, 0);
  return first;
}

static char *
dup_monitor_setting (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, SAPA_SETTINGS_SCHEMA, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "kiosk-monitor"))
    return NULL;
  settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  return g_settings_get_string (settings, "kiosk-monitor");
}

void
sapa_kiosk_window_present_fullscreen (SapaKioskWindow *self)
{
  GdkDisplay *display;
  GdkMonitor *desk_monitor = NULL;
  GdkMonitor *monitor;
  g_autofree char *connector = dup_monitor_setting ();

  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  display = gtk_widget_get_display (GTK_WIDGET (self));
  if (self->desk != NULL && gtk_native_get_surface (GTK_NATIVE (self->desk)) != NULL)
    desk_monitor = gdk_display_get_monitor_at_surface (display,
                                                       gtk_native_get_surface (GTK_NATIVE (self->desk)));
  monitor = sapa_kiosk_window_choose_monitor (gdk_display_get_monitors (display), connector, desk_monitor);
  if (monitor != NULL)
    {
      g_debug ("Kiosk on monitor %s", gdk_monitor_get_connector (monitor));
      gtk_window_fullscreen_on_monitor (GTK_WINDOW (self), monitor);
    }
  else
    gtk_window_fullscreen (GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (self));
}

void
sapa_kiosk_window_start (SapaKioskWindow *self,
                         SapaRecord      *conversation,
                         const char      *agent_id)
{
  const char *branch_id;
  const char *customer_id;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) branch = NULL;
  g_autofree char *desk_branch = NULL;
  const char *language = NULL;

  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));
  g_return_if_fail (SAPA_IS_RECORD (conversation));

  /* The previous customer's answers first. */
  stop_timers (self);
  save_survey (self);

  g_set_object (&self->conversation, conversation);
  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);

  /* Single-row lookups by id. */
  customer_id = sapa_record_get_string (conversation, "customer_id");
  if (customer_id != NULL)
    customer = sapa_store_get (self->store, "customer", customer_id, NULL);
  if (customer != NULL)
    language = sapa_record_get_string (customer, "preferred_language");
  branch_id = sapa_record_get_string (conversation, "branch_id");
  if (branch_id == NULL)
    branch_id = desk_branch = sapa_store_dup_meta (self->store, "branch_id");
  if (branch_id != NULL)
    branch = sapa_store_get (self->store, "branch", branch_id, NULL);
  g_free (self->branch_name);
  self->branch_name = branch ? g_strdup (sapa_record_get_string (branch, "name")) : NULL;

  if (language == NULL || *language == '\0')
    language = g_str_has_prefix (sapa_i18n_get_language (), "id") ? "id" : "en";
  sapa_kiosk_window_set_language (self, language);
  retranslate (self);

  show_page (self, SAPA_KIOSK_PAGE_CSAT);
  restart_inactivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_ID]);
}

void
sapa_kiosk_window_end (SapaKioskWindow *self)
{
  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  if (self->ending)
    return;
  g_object_ref (self);
  self->ending = TRUE;
  stop_timers (self);
  save_survey (self);
  g_signal_emit (self, signals[ENDED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

gboolean
sapa_kiosk_window_answer (SapaKioskWindow  *self,
                          const char       *kind,
                          int               score,
                          GError          **error)
{
  g_autoptr(SapaRecord) probe = NULL;
  g_autoptr(GError) local_error = NULL;
  int index;

  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  /* The same checks as the store's: nothing it would refuse is kept. */
  probe = new_response (self, kind, score, g_get_real_time () / G_USEC_PER_SEC);
  index = kind_index (kind);
  if (!sapa_record_validate (probe, &local_error) || index < 0)
    {
      g_autofree char *message = NULL;

      if (local_error == NULL)
        g_set_error (&local_error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE,
                     _("“%s” is not a kind of rating"), kind);
      /* Translators: %s says why the score was refused */
      message = g_strdup_printf (_("The kiosk’s answer was refused and not saved: %s."), local_error->message);
      set_desk_message (self, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* Only the question on screen is answered (a late second tap on a page
   * already left changes nothing). */
  if (g_strcmp0 (sapa_kiosk_window_get_page (self), kinds[index]) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The kiosk is not asking the %s question now", kind);
      return FALSE;
    }
  self->scores[index] = score;
  switch (index)
    {
    case CSAT:
      show_page (self, SAPA_KIOSK_PAGE_NPS);
      break;
    case NPS:
      show_page (self, SAPA_KIOSK_PAGE_CES);
      break;
    case CES:
      show_page (self, SAPA_KIOSK_PAGE_COMMENT);
      break;
    default:
      g_assert_not_reached ();
    }
  restart_inactivity (self);
  return TRUE;
}

void
sapa_kiosk_window_skip (SapaKioskWindow *self)
{
  const char *page;

  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  page = sapa_kiosk_window_get_page (self);
  if (g_strcmp0 (page, SAPA_KIOSK_PAGE_NPS) == 0)
    show_page (self, SAPA_KIOSK_PAGE_CES);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_CES) == 0)
    show_page (self, SAPA_KIOSK_PAGE_COMMENT);
  else if (g_strcmp0 (page, SAPA_KIOSK_PAGE_COMMENT) == 0)
    {
      finish (self);
      return;
    }
  restart_inactivity (self);
}

void
sapa_kiosk_window_send_comment (SapaKioskWindow *self,
                                const char      *comment)
{
  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  if (g_strcmp0 (sapa_kiosk_window_get_page (self), SAPA_KIOSK_PAGE_COMMENT) != 0)
    return;
  g_free (self->comment);
  self->comment = g_strdup (comment);
  finish (self);
}

const char *
sapa_kiosk_window_get_page (SapaKioskWindow *self)
{
  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
sapa_kiosk_window_get_conversation_id (SapaKioskWindow *self)
{
  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), NULL);
  return self->conversation ? sapa_record_get_id (self->conversation) : NULL;
}

const char *
sapa_kiosk_window_get_language (SapaKioskWindow *self)
{
  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), NULL);
  return self->language;
}

void
sapa_kiosk_window_set_language (SapaKioskWindow *self,
                                const char      *language)
{
  const char *normal;

  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  normal = g_strcmp0 (language, "id") == 0 ? "id" : "en";
  self->switching_language = TRUE;
  gtk_toggle_button_set_active (g_str_equal (normal, "id") ? self->indonesian_button
                                                           : self->english_button, TRUE);
  self->switching_language = FALSE;
  if (g_strcmp0 (self->language, normal) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (normal);
  retranslate (self);
  restart_inactivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

const char *
sapa_kiosk_window_get_desk_message (SapaKioskWindow *self)
{
  g_return_val_if_fail (SAPA_IS_KIOSK_WINDOW (self), NULL);
  return self->desk_message;
}

void
sapa_kiosk_window_set_timeouts (SapaKioskWindow *self,
                                guint            thanks_ms,
                                guint            inactivity_ms)
{
  g_return_if_fail (SAPA_IS_KIOSK_WINDOW (self));

  self->thanks_ms = thanks_ms;
  self->inactivity_ms = inactivity_ms;
  restart_inactivity (self);
}
