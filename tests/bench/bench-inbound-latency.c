/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inbound message to a desk's timeline: a signed POST /api/v1/inbound/whatsapp
 * to a sapa-server on loopback, until a desk running the background sync
 * engine (live WebSocket) has the interaction in its store (::changed).
 * One message at a time; prints p50, p99 and the worst of the latencies.
 *
 *   bench-inbound-latency [--messages 500]
 */
#define G_LOG_DOMAIN "bench-inbound-latency"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "sapa-sync-test.h"

#define PASSWORD "correct horse battery"

typedef struct {
  GHashTable *seen;          /* interaction id -> (double *) ms it appeared on the desk */
  char       *waiting_for;   /* interaction id of the message in flight, once answered */
  gboolean    answered;
  guint       status;
  GBytes     *body;
} Bench;

static void
store_changed_cb (SapaStore  *store,
                  const char *entity,
                  const char *id,
                  Bench      *bench)
{
  double *at;

  if (g_strcmp0 (entity, "interaction") != 0 || g_hash_table_contains (bench->seen, id))
    return;
  at = g_new (double, 1);
  *at = sapa_test_now_ms ();
  g_hash_table_insert (bench->seen, g_strdup (id), at);
}

static void
posted_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  bench->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bench->body == NULL)
    g_error ("inbound POST failed: %s", error->message);
  bench->status = soup_message_get_status (msg);
  bench->answered = TRUE;
}

/* The webhook secret `sapa-server channel add` printed: its last word. */
static char *
parse_secret (const char *out)
{
  g_auto(GStrv) words = g_strsplit_set (out, " \t\n", -1);
  const char *last = NULL;

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      last = words[i];
  return g_strdup (last);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i = (guint) (p / 100.0 * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

static void
wait_for_state (SapaSync      *sync,
                SapaSyncState  state,
                double         timeout_ms)
{
  double deadline = sapa_test_now_ms () + timeout_ms;

  while (sapa_sync_get_state (sync) != state)
    {
      if (sapa_test_now_ms () > deadline)
        g_error ("the desk did not reach sync state %d (now %d: %s)", state, sapa_sync_get_state (sync),
                 sapa_sync_get_error_message (sync));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SapaTestServer) server = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *out = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *desk_path = NULL;
  g_autofree char *inbound_url = NULL;
  Bench bench = { 0 };
  int messages = 500;
  guint lost = 0, created = 0;
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &messages, "Messages to deliver", "N" },
    { NULL }
  };

  context = g_option_context_new ("- time inbound messages until a desk has them");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  server = sapa_test_server_new (NULL, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  out = sapa_test_server_admin (server, NULL, &error, "channel", "add", "--name", "whatsapp", NULL);
  if (out == NULL)
    g_error ("%s", error->message);
  secret = parse_secret (out);
  if (!sapa_test_server_add_user (server, "bench", PASSWORD, "admin", NULL, &error) ||
      !sapa_test_server_start (server, &error))
    g_error ("%s", error->message);

  desk_path = g_build_filename (server->root, "desk.sqlite", NULL);
  store = sapa_store_open (desk_path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  bench.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), &bench);
  sync = sapa_sync_new (store);
  sapa_sync_set_server_url (sync, server->url);
  if (!sapa_test_sign_in (sync, server->url, "bench", PASSWORD, &error))
    g_error ("%s", error->message);
  sapa_sync_start (sync);
  wait_for_state (sync, SAPA_SYNC_STATE_SYNCED, 30000);

  session = soup_session_new ();
  inbound_url = g_strdup_printf ("%s/api/v1/inbound/whatsapp", server->url);
  for (int i = 0; i < messages; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", inbound_url);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *body = NULL;
      g_autofree char *hmac = NULL;
      g_autofree char *signature = NULL;
      g_autofree char *interaction_id = NULL;
      double sent, deadline;
      double *seen_at;

      /* A hundred senders, so messages thread into existing conversations
       * as well as make new customers. */
      body = g_strdup_printf ("{\"message_id\": \"bench-%d-%u\", \"from\": {\"phone\": \"+62812%07d\"}, "
                              "\"name\": \"Pelanggan %d\", \"text\": \"Halo, saya mau tanya saldo (%d)\"}",
                              i, g_random_int (), i % 100, i % 100, i);
      hmac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret), body, -1);
      signature = g_strdup_printf ("sha256=%s", hmac);
      payload = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", payload);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Sapa-Signature", signature);

      bench.answered = FALSE;
      g_clear_pointer (&bench.body, g_bytes_unref);
      sent = sapa_test_now_ms ();
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, posted_cb, &bench);
      while (!bench.answered)
        g_main_context_iteration (NULL, TRUE);
      if (bench.status != 201 && bench.status != 200)
        g_error ("inbound answered %u: %.*s", bench.status, (int) g_bytes_get_size (bench.body),
                 (const char *) g_bytes_get_data (bench.body, NULL));
      answer = json_from_string (g_bytes_get_data (bench.body, NULL), &error);
      if (answer == NULL)
        g_error ("inbound answer: %s", error->message);
      interaction_id = g_strdup (json_object_get_string_member (json_node_get_object (answer), "interaction_id"));
      created += bench.status == 201;

      deadline = sent + 5000;
      while ((seen_at = g_hash_table_lookup (bench.seen, interaction_id)) == NULL &&
             sapa_test_now_ms () < deadline)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (200);
        }
      if (seen_at == NULL)
        {
          lost++;
          continue;
        }
      g_array_append_val (latencies, *seen_at);
      g_array_index (latencies, double, latencies->len - 1) = *seen_at - sent;
    }

  sapa_sync_stop (sync);
  g_array_sort (latencies, compare_doubles);
  g_print ("inbound -> desk store, %d messages (%u new), %u not seen within 5 s\n", messages, created, lost);
  if (latencies->len > 0)
    g_print ("p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms   (target: p99 at most 250 ms)\n",
             percentile (latencies, 50), percentile (latencies, 90), percentile (latencies, 99),
             g_array_index (latencies, double, latencies->len - 1));
  g_clear_pointer (&bench.body, g_bytes_unref);
  g_hash_table_unref (bench.seen);
  return 0;
}
