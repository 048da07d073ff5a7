/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sapa-i18n.h"
#include "sapa-sign-in-dialog.h"
#include "sapa-sync-indicator.h"

/*
 * What the header bar says for each sync state, worked out without a
 * display. Run with LANGUAGE=en and LANGUAGE=id: Indonesian comes from
 * po/id.po.
 */

static gboolean
is_indonesian (void)
{
  return g_str_has_prefix (g_getenv ("LANGUAGE"), "id");
}

/* 23 Nov 2026 10:00 UTC */
#define NOW G_GINT64_CONSTANT (1795428000)
/* never synced */
#define NEVER G_MAXINT64

typedef struct {
  SapaSyncState state;
  gint64        pending;
  gint64        last_synced;   /* seconds before NOW, or NEVER */
  const char   *error_message;
  const char   *en;
  const char   *id;
  const char   *icon;
  gboolean      sign_in;
} Case;

static const Case cases[] = {
  { SAPA_SYNC_STATE_SYNCED, 0, 5, NULL, "Synced just now", "Tersinkron baru saja", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 59, NULL, "Synced just now", "Tersinkron baru saja", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 60, NULL, "Synced 1 min ago", "Tersinkron 1 menit lalu", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 5 * 60 + 30, NULL, "Synced 5 min ago", "Tersinkron 5 menit lalu", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 3 * 3600 + 10, NULL, "Synced 3 h ago", "Tersinkron 3 jam lalu", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 24 * 3600, NULL, "Synced 1 day ago", "Tersinkron 1 hari lalu", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCED, 0, 3 * 24 * 3600, NULL, "Synced 3 days ago", "Tersinkron 3 hari lalu", "emblem-ok-symbolic", FALSE },
  /* a clock that went back: still "just now" */
  { SAPA_SYNC_STATE_SYNCED, 0, -30, NULL, "Synced just now", "Tersinkron baru saja", "emblem-ok-symbolic", FALSE },
  { SAPA_SYNC_STATE_SYNCING, 3, 60, NULL, "Syncing…", "Menyinkronkan…", "emblem-synchronizing-symbolic", FALSE },
  { SAPA_SYNC_STATE_OFFLINE, 0, 60, NULL, "Offline", "Luring", "network-offline-symbolic", FALSE },
  { SAPA_SYNC_STATE_OFFLINE, 1, 60, "Cannot connect", "Offline — 1 change waiting", "Luring — 1 perubahan menunggu", "network-offline-symbolic", FALSE },
  { SAPA_SYNC_STATE_OFFLINE, 12, NEVER, NULL, "Offline — 12 changes waiting", "Luring — 12 perubahan menunggu", "network-offline-symbolic", FALSE },
  { SAPA_SYNC_STATE_SIGNED_OUT, 0, NEVER, NULL, "Sign-in needed", "Perlu masuk", "dialog-password-symbolic", TRUE },
  { SAPA_SYNC_STATE_SIGNED_OUT, 4, 60, NULL, "Sign-in needed", "Perlu masuk", "dialog-password-symbolic", TRUE },
};

static void
test_labels (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      SapaSyncIndicatorView view;
      gint64 last = c->last_synced == NEVER ? 0 : NOW - c->last_synced;

      sapa_sync_indicator_describe (c->state, c->pending, 0, last, NOW, c->error_message, &view);
      g_test_message ("case %u: %s", i, view.label);
      g_assert_cmpstr (view.label, ==, is_indonesian () ? c->id : c->en);
      g_assert_cmpstr (view.icon_name, ==, c->icon);
      g_assert_cmpint (view.sign_in, ==, c->sign_in);
      g_assert_nonnull (view.tooltip);
      g_assert_cmpstr (view.tooltip, !=, "");
      if (c->error_message != NULL)
        g_assert_nonnull (strstr (view.tooltip, c->error_message));
      sapa_sync_indicator_view_clear (&view);
    }
}

static void
test_tooltips (void)
{
  SapaSyncIndicatorView view;

  /* the exact time of the last sync, as the locale writes it */
  sapa_sync_indicator_describe (SAPA_SYNC_STATE_SYNCED, 0, 0, NOW - 300, NOW, NULL, &view);
  g_assert_nonnull (strstr (view.tooltip, "09:55"));
  g_assert_nonnull (strstr (view.tooltip, is_indonesian () ? "Hari ini" : "Today"));
  sapa_sync_indicator_view_clear (&view);

  /* never synced: says so instead of a time */
  sapa_sync_indicator_describe (SAPA_SYNC_STATE_OFFLINE, 2, 0, 0, NOW, NULL, &view);
  g_assert_nonnull (strstr (view.tooltip, g_dgettext (GETTEXT_PACKAGE, "This desk has not synced with the server yet.")));
  sapa_sync_indicator_view_clear (&view);

  /* signed out with work waiting: the count is in the tooltip */
  sapa_sync_indicator_describe (SAPA_SYNC_STATE_SIGNED_OUT, 4, 0, 0, NOW, NULL, &view);
  g_assert_nonnull (strstr (view.tooltip, "4"));
  sapa_sync_indicator_view_clear (&view);

  /* changes the server refused: still "Synced", and the tooltip says what to do */
  sapa_sync_indicator_describe (SAPA_SYNC_STATE_SYNCED, 0, 3, NOW - 5, NOW, NULL, &view);
  g_assert_cmpstr (view.label, ==, is_indonesian () ? "Tersinkron baru saja" : "Synced just now");
  g_assert_nonnull (strstr (view.tooltip, "3"));
  if (!is_indonesian ())
    g_assert_nonnull (strstr (view.tooltip, "The server refused 3 changes"));
  sapa_sync_indicator_view_clear (&view);
  sapa_sync_indicator_describe (SAPA_SYNC_STATE_SYNCED, 0, 0, NOW - 5, NOW, NULL, &view);
  g_assert_null (strstr (view.tooltip, "refused"));
  sapa_sync_indicator_view_clear (&view);
}

static void
test_translated (void)
{
  static const char * const msgids[] = {
    "Sign In to the Server",
    "Server Address",
    "Username",
    "Password",
    "_Connect to a Server…",
    "Sign _Out",
    "Enter your password.",
    "The username or password is wrong. Check both and try again; if you forgot the password, ask your administrator to set a new one.",
  };

  for (guint i = 0; i < G_N_ELEMENTS (msgids); i++)
    {
      const char *text = g_dgettext (GETTEXT_PACKAGE, msgids[i]);

      if (is_indonesian () && g_str_equal (text, msgids[i]))
        g_error ("“%s” has no Indonesian translation in po/id.po", msgids[i]);
      if (!is_indonesian ())
        g_assert_cmpstr (text, ==, msgids[i]);
    }
}

static void
test_sign_in_errors (void)
{
  g_autoptr(GError) unauthorized = g_error_new_literal (SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED, "401");
  g_autoptr(GError) network = g_error_new_literal (SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK, "refused");
  g_autoptr(GError) limited = g_error_new_literal (SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_RATE_LIMITED,
                                                   "Try again in 5 min.");
  g_autofree char *wrong = sapa_sign_in_error_text (unauthorized, "http://127.0.0.1:8480");
  g_autofree char *unreachable = sapa_sign_in_error_text (network, "http://127.0.0.1:8480");
  g_autofree char *too_many = sapa_sign_in_error_text (limited, "http://127.0.0.1:8480");

  g_assert_cmpstr (wrong, ==, g_dgettext (GETTEXT_PACKAGE, "The username or password is wrong. Check both and try again; if you forgot the password, ask your administrator to set a new one."));
  g_assert_nonnull (strstr (unreachable, "http://127.0.0.1:8480"));
  /* the engine's message carries when to try again */
  g_assert_nonnull (strstr (too_many, "Try again in 5 min."));
}

static void
test_normalize_url (void)
{
  static const struct { const char *in, *out; } urls[] = {
    { "sapa.example.com", "https://sapa.example.com" },
    { "  https://sapa.example.com/ ", "https://sapa.example.com" },
    { "http://127.0.0.1:8480/", "http://127.0.0.1:8480" },
    { "https://sapa.example.com/desk", "https://sapa.example.com/desk" },
    { "ftp://sapa.example.com", NULL },
    { "", NULL },
    { "   ", NULL },
    { "http://", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *url = sapa_sign_in_normalize_url (urls[i].in);

      g_assert_cmpstr (url, ==, urls[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  sapa_i18n_init ();
  adw_init ();

  g_test_add_func ("/sync-indicator/labels", test_labels);
  g_test_add_func ("/sync-indicator/tooltips", test_tooltips);
  g_test_add_func ("/sync-indicator/translated", test_translated);
  g_test_add_func ("/sync-indicator/sign-in-errors", test_sign_in_errors);
  g_test_add_func ("/sync-indicator/normalize-url", test_normalize_url);

  return g_test_run ();
}
