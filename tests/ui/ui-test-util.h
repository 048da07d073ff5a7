/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sapa/sapa.h>

#include "../unit/sapa-test-dir.h"

/* Spins the main loop until @cond (a boolean expression) holds; fails the test after 20 s. */
#define WAIT_UNTIL(cond)                                                        \
  G_STMT_START {                                                                \
    gint64 wait_end_ = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;           \
    while (!(cond) && g_get_monotonic_time () < wait_end_)                      \
      g_main_context_iteration (NULL, FALSE);                                   \
    if (!(cond))                                                                \
      g_error ("Timed out waiting for: %s", #cond);                             \
  } G_STMT_END

/* Spins the main loop for @ms milliseconds. */
static inline void
spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* A desk database in a temporary directory, with its agent. */
typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  char      *agent_id;
} TestDesk;

static inline void
test_desk_open (TestDesk   *desk,
                const char *agent_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) agent = NULL;

  desk->store = sapa_test_store_new ("sapa-ui-XXXXXX", &desk->dir, &desk->path);
  agent = sapa_desk_ensure_agent (desk->store, agent_name, &error);
  g_assert_no_error (error);
  desk->agent_id = g_strdup (sapa_record_get_id (agent));
}

static inline void
test_desk_close (TestDesk *desk)
{
  GObject *store = G_OBJECT (desk->store);

  /* Work still running in threads (a dashboard's last computation) holds
   * the store: wait for it to end before its files go. */
  g_object_add_weak_pointer (store, (gpointer *) &store);
  g_clear_object (&desk->store);
  WAIT_UNTIL (store == NULL);
  g_clear_pointer (&desk->agent_id, g_free);
  sapa_test_dir_remove (desk->dir);
  g_clear_pointer (&desk->dir, g_free);
  g_clear_pointer (&desk->path, g_free);
}

/* Saves a customer and returns its id (owned by the caller). */
static inline char *
test_desk_add_customer (TestDesk   *desk,
                        const char *name,
                        const char *phone,
                        const char *email,
                        const char *account,
                        const char *segment)
{
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (customer, "full_name", name);
  if (phone != NULL)
    sapa_record_set_list (customer, "phones", (const char * const[]) { phone, NULL });
  if (email != NULL)
    sapa_record_set_list (customer, "emails", (const char * const[]) { email, NULL });
  if (account != NULL)
    sapa_record_set_string (customer, "account_number", account);
  sapa_record_set_string (customer, "segment", segment ? segment : "regular");
  sapa_store_save (desk->store, customer, &error);
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (customer));
}

static inline guint
test_desk_count_customers (TestDesk *desk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = sapa_store_list (desk->store, "customer", &error);

  g_assert_no_error (error);
  return all->len;
}

/* The first toplevel window of @type, or NULL. */
static inline GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = NULL;
  guint n;

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  n = g_list_model_get_n_items (toplevels);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}
