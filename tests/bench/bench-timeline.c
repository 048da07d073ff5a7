/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-timeline --database FILE [--entries N] [--runs R]
 *
 * Opening a customer with a long history: the time from asking the customer
 * page for the customer to the first frame that shows timeline rows, under
 * the real widgets (run it under a display, e.g. xvfb-run). The first run
 * makes a customer with N timeline entries (default 50,000) in FILE if there
 * is none yet, through the store like any other write.
 */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include <sapa/sapa.h>

#include "sapa-customer-page.h"
#include "sapa-i18n.h"

#define BENCH_NAME_FORMAT "Bench Timeline %u"

/* The timeline's list, not the list of a drop-down's popover elsewhere on
 * the page (that one always has items and a row, which made early frames
 * count as shown). */
static GtkListView *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget) && gtk_widget_has_css_class (widget, "timeline"))
    return GTK_LIST_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkListView *found = find_list_view (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
ensure_customer (SapaStore *store,
                 guint      entries)
{
  g_autofree char *name = g_strdup_printf (BENCH_NAME_FORMAT, entries);
  g_autoptr(SapaSearchResult) found = sapa_store_search (store, "bench timeline", 50, NULL);
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *channels[] = { "walk_in", "phone", "email", "chat", "whatsapp", "video", "note" };

  for (guint i = 0; found && i < sapa_search_result_get_hits (found)->len; i++)
    {
      SapaRecord *hit = g_ptr_array_index (sapa_search_result_get_hits (found), i);
      if (g_strcmp0 (sapa_record_get_string (hit, "full_name"), name) == 0)
        return g_strdup (sapa_record_get_id (hit));
    }

  g_printerr ("bench-timeline: writing a customer with %u timeline entries…\n", entries);
  customer = sapa_record_new ("customer");
  sapa_record_set_string (customer, "full_name", name);
  sapa_record_set_string (customer, "segment", "vip");
  batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (batch, g_object_ref (customer));
  for (guint i = 0; i < entries; i++)
    {
      SapaRecord *r = sapa_record_new ("interaction");
      g_autofree char *body = g_strdup_printf ("Kunjungan ke-%u: menanyakan saldo dan mutasi rekening", i);
      const char *channel = channels[i % G_N_ELEMENTS (channels)];

      sapa_record_set_string (r, "customer_id", sapa_record_get_id (customer));
      sapa_record_set_string (r, "channel", channel);
      sapa_record_set_string (r, "direction", g_str_equal (channel, "note") ? "internal" : "inbound");
      sapa_record_set_string (r, "body", body);
      sapa_record_set_int (r, "started_at", now - (gint64) (entries - i) * 3600);
      sapa_record_set_int (r, "ended_at", now - (gint64) (entries - i) * 3600 + 300);
      g_ptr_array_add (batch, r);
    }
  if (!sapa_store_save_all (store, batch, &error))
    {
      g_printerr ("bench-timeline: %s\n", error->message);
      exit (1);
    }
  return g_strdup (sapa_record_get_id (customer));
}

typedef struct {
  GtkListView *list;
  gint64       asked;
  gint64       shown;
} Run;

static void
after_paint_cb (GdkFrameClock *clock,
                Run           *run)
{
  GListModel *model;

  if (run->shown != 0 || run->list == NULL)
    return;
  model = G_LIST_MODEL (gtk_list_view_get_model (run->list));
  if (model != NULL && g_list_model_get_n_items (model) > 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (run->list)) &&
      gtk_widget_get_first_child (GTK_WIDGET (run->list)) != NULL)
    run->shown = g_get_monotonic_time ();
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  g_autofree char *database = NULL;
  int entries = 50000;
  int runs = 10;
  GOptionEntry options[] = {
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "Desk database", "FILE" },
    { "entries", 0, 0, G_OPTION_ARG_INT, &entries, "Timeline entries of the customer (default 50000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "How many times to open the customer (default 10)", "R" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time opening a customer with a long timeline");
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *customer_id = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(SapaRecord) agent = NULL;
  g_autofree char *empty_id = NULL;
  GtkWidget *window, *page;
  GdkFrameClock *clock;
  Run run = { 0 };

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || database == NULL || entries < 1 || runs < 1)
    {
      g_printerr ("Usage: bench-timeline --database FILE [--entries N] [--runs R]\n");
      return 2;
    }

  sapa_i18n_init ();
  gtk_init ();
  adw_init ();

  store = sapa_store_open (database, &error);
  if (store == NULL)
    {
      g_printerr ("bench-timeline: %s\n", error->message);
      return 1;
    }
  agent = sapa_desk_ensure_agent (store, "Bench", &error);
  customer_id = ensure_customer (store, (guint) entries);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  page = sapa_customer_page_new (store, sapa_record_get_id (agent));
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &run);

  /* An empty customer to switch away to between runs. */
  {
    g_autoptr(SapaRecord) other = sapa_record_new ("customer");
    sapa_record_set_string (other, "full_name", "Bench Empty");
    sapa_record_set_string (other, "segment", "regular");
    sapa_store_save (store, other, NULL);
    empty_id = g_strdup (sapa_record_get_id (other));
  }

  for (int i = 0; i <= runs; i++)
    {
      gint64 deadline;

      sapa_customer_page_set_customer_id (SAPA_CUSTOMER_PAGE (page), empty_id);
      for (gint64 settle = g_get_monotonic_time () + 300000; g_get_monotonic_time () < settle;)
        g_main_context_iteration (NULL, FALSE);

      run.list = find_list_view (page);
      run.shown = 0;
      run.asked = g_get_monotonic_time ();
      sapa_customer_page_set_customer_id (SAPA_CUSTOMER_PAGE (page), customer_id);
      run.list = find_list_view (page);
      deadline = run.asked + 10 * G_USEC_PER_SEC;
      while (run.shown == 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      if (run.shown == 0)
        {
          g_printerr ("bench-timeline: the timeline did not show within 10 s\n");
          return 1;
        }
      if (i > 0) /* the first run warms the caches */
        {
          double ms = (run.shown - run.asked) / 1000.0;
          g_array_append_val (times, ms);
        }
    }

  g_array_sort (times, compare_double);
  g_print ("timeline entries: %d\n", entries);
  g_print ("runs: %u\n", times->len);
  g_print ("first screen p50: %.1f ms\n", g_array_index (times, double, times->len / 2));
  g_print ("first screen max: %.1f ms\n", g_array_index (times, double, times->len - 1));
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
