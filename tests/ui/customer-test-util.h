/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the customer page, timeline and logging tests: records written
 * through the store (the desk itself is ui-test-util.h's TestDesk). */

#include <glib/gstdio.h>
#include <adwaita.h>
#include <sqlite3.h>
#include <sapa/sapa.h>

#include "sapa-i18n.h"
#include "ui-test-util.h"

static inline char *
desk_add_interaction (TestDesk   *desk,
                      const char *customer_id,
                      const char *conversation_id,
                      const char *channel,
                      const char *direction,
                      const char *body,
                      gint64      started_at,
                      gint64      ended_at)
{
  g_autoptr(SapaRecord) interaction = sapa_record_new ("interaction");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (interaction, "customer_id", customer_id);
  sapa_record_set_string (interaction, "conversation_id", conversation_id);
  sapa_record_set_string (interaction, "channel", channel);
  sapa_record_set_string (interaction, "direction", direction);
  sapa_record_set_string (interaction, "author_id", desk->agent_id);
  sapa_record_set_string (interaction, "body", body);
  sapa_record_set_int (interaction, "started_at", started_at);
  if (ended_at > 0)
    sapa_record_set_int (interaction, "ended_at", ended_at);
  sapa_store_save (desk->store, interaction, &error);
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (interaction));
}

/* A number from the database through a connection of its own. */
static inline gint64
desk_query_int (TestDesk   *desk,
                const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (desk->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The start of the current local day. */
static inline gint64
today_start (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) day = g_date_time_new_local (g_date_time_get_year (now),
                                                    g_date_time_get_month (now),
                                                    g_date_time_get_day_of_month (now), 0, 0, 0);
  return g_date_time_to_unix (day);
}

/* Depth-first search for a label showing @text under @widget. */
static inline GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gpointer
page_child (gpointer    page,
            GType       type,
            const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (page), type, name);

  g_assert_nonnull (child);
  return child;
}

static inline void
test_init (int    *argc,
           char ***argv)
{
  sapa_i18n_init ();
  gtk_test_init (argc, argv, NULL);
  adw_init ();
}
