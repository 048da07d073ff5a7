/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Ten desks make a thousand random edits each (new customers, conversations
 * and timeline entries, and field edits of customers shared by all desks, so
 * edits collide) while they sync through a real sapa-server that is killed
 * with SIGKILL and restarted on the same data and port five times, and a
 * proxy between the desks and the server cuts a share of the connections in
 * the middle of a request or an answer. The desks keep retrying.
 *
 * Afterwards, counted over every change of every desk: the server
 * acknowledged each one (applied, duplicate or superseded; none rejected or
 * missing), every record any desk created is in every database exactly once,
 * every field holds its last writer's value by (hlc, client_id), and the
 * server and all ten desks hold identical records, row by row.
 */
#define G_LOG_DOMAIN "test-sync-chaos"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sapa-sync-test.h"

#define N_DESKS         10
#define EDITS_PER_DESK  1000
#define N_KILLS         5
#define N_SHARED        20
#define PASSWORD        "correct horse battery"

/* ------------------------------------------------------------------------ */
/* A TCP proxy that cuts a share of its connections after part of the bytes */

typedef struct {
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  GSocketService *service;
  guint16         port;
  gint            upstream_port;   /* atomic */
  gint            cut_permille;    /* atomic: share of connections cut */
  gint            stopping;        /* atomic */
  gint            connections;     /* atomic */
  gint            cuts;            /* atomic */
  GMutex          lock;
  GRand          *rand;
  GMutex          ready_lock;
  GCond           ready_cond;
  gboolean        ready;
} Proxy;

static gboolean
send_all (int         fd,
          const char *buf,
          gssize      len)
{
  while (len > 0)
    {
      gssize n = send (fd, buf, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
proxy_run_cb (GThreadedSocketService *service,
              GSocketConnection      *connection,
              GObject                *source_object,
              gpointer                user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  gint64 cut_after = G_MAXINT64;
  gint64 forwarded = 0;
  int fds[2];
  char buf[16384];

  g_atomic_int_inc (&proxy->connections);
  g_mutex_lock (&proxy->lock);
  if (g_rand_int_range (proxy->rand, 0, 1000) < g_atomic_int_get (&proxy->cut_permille))
    /* Anywhere from the request line to deep into a large answer. */
    cut_after = (gint64) exp (g_rand_double_range (proxy->rand, log (16.0), log (512.0 * 1024)));
  g_mutex_unlock (&proxy->lock);

  g_socket_client_set_timeout (client, 10);
  upstream = g_socket_client_connect_to_host (client, "127.0.0.1",
                                              (guint16) g_atomic_int_get (&proxy->upstream_port),
                                              NULL, NULL);
  if (upstream == NULL)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  fds[0] = g_socket_get_fd (g_socket_connection_get_socket (connection));
  fds[1] = g_socket_get_fd (g_socket_connection_get_socket (upstream));
  while (!g_atomic_int_get (&proxy->stopping))
    {
      struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
      int rc = poll (p, 2, 250);
      gboolean closed = FALSE;

      if (rc < 0 && errno == EINTR)
        continue;
      if (rc < 0)
        break;
      for (guint i = 0; i < 2 && !closed; i++)
        {
          gssize n;

          if (p[i].revents == 0)
            continue;
          n = recv (fds[i], buf, sizeof buf, 0);
          if (n <= 0)
            {
              closed = TRUE;
              break;
            }
          if (forwarded + n >= cut_after)
            {
              send_all (fds[1 - i], buf, cut_after - forwarded);
              g_atomic_int_inc (&proxy->cuts);
              closed = TRUE;
              break;
            }
          forwarded += n;
          if (!send_all (fds[1 - i], buf, n))
            closed = TRUE;
        }
      if (closed)
        break;
    }
  shutdown (fds[0], SHUT_RDWR);
  shutdown (fds[1], SHUT_RDWR);
  g_io_stream_close (G_IO_STREAM (upstream), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gpointer
proxy_thread (gpointer data)
{
  Proxy *proxy = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_main_context_push_thread_default (proxy->context);
  proxy->service = g_threaded_socket_service_new (256);
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy->service, "run", G_CALLBACK (proxy_run_cb), proxy);
  g_socket_service_start (proxy->service);

  g_mutex_lock (&proxy->ready_lock);
  proxy->ready = TRUE;
  g_cond_signal (&proxy->ready_cond);
  g_mutex_unlock (&proxy->ready_lock);

  g_main_loop_run (proxy->loop);
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_main_context_pop_thread_default (proxy->context);
  return NULL;
}

static Proxy *
proxy_new (guint16 upstream_port,
           guint32 seed)
{
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->context = g_main_context_new ();
  proxy->loop = g_main_loop_new (proxy->context, FALSE);
  proxy->upstream_port = upstream_port;
  proxy->rand = g_rand_new_with_seed (seed);
  g_mutex_init (&proxy->lock);
  g_mutex_init (&proxy->ready_lock);
  g_cond_init (&proxy->ready_cond);
  proxy->thread = g_thread_new ("proxy", proxy_thread, proxy);
  g_mutex_lock (&proxy->ready_lock);
  while (!proxy->ready)
    g_cond_wait (&proxy->ready_cond, &proxy->ready_lock);
  g_mutex_unlock (&proxy->ready_lock);
  return proxy;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
proxy_free (Proxy *proxy)
{
  g_atomic_int_set (&proxy->stopping, 1);
  g_main_context_invoke (proxy->context, quit_cb, proxy->loop);
  g_thread_join (proxy->thread);
  /* Waits for the connection threads, which notice `stopping` within 250 ms. */
  g_object_unref (proxy->service);
  g_main_loop_unref (proxy->loop);
  g_main_context_unref (proxy->context);
  g_rand_free (proxy->rand);
  g_mutex_clear (&proxy->lock);
  g_mutex_clear (&proxy->ready_lock);
  g_cond_clear (&proxy->ready_cond);
  g_free (proxy);
}

/* ------------------------------------------------------------------------ */
/* Desks                                                                    */

typedef struct {
  guint         index;
  char         *username;
  char         *path;
  char         *url;
  GMainContext *context;
  SapaStore    *store;
  SapaSync     *sync;
  char         *agent_id;
  GRand        *rand;
  GPtrArray    *customers;       /* shared ones first, then the desk's own */
  guint         syncs;
  guint         failures;
  guint         edits;
} Desk;

static struct {
  Desk          *desks[N_DESKS];
  SapaTestServer *server;
  Proxy         *proxy;
  GPtrArray     *shared;          /* customer ids every desk edits */
  gint           edits_done;      /* atomic, over all desks */
  gint           chaos_done;      /* atomic */
} chaos;

/* One sync cycle; failures are expected while the server is down or a
 * connection is cut, and counted. */
static gboolean
desk_sync (Desk *desk)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  desk->syncs++;
  ok = sapa_sync_run_once (desk->sync, NULL, &error);
  if (!ok)
    {
      desk->failures++;
      /* A cut or a dead server; never a refusal or a broken database. */
      if (g_error_matches (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED) ||
          g_error_matches (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_FORBIDDEN) ||
          error->domain == SAPA_STORE_ERROR)
        g_error ("desk %u: sync failed: %s", desk->index, error->message);
      if (desk->failures <= 3)
        g_test_message ("desk %u: sync failed (expected under faults): %s", desk->index, error->message);
    }
  while (g_main_context_iteration (desk->context, FALSE))
    ;
  return ok;
}

/* Syncs until a cycle succeeds with nothing left to push. */
static void
desk_sync_until_done (Desk *desk)
{
  for (guint attempt = 0; ; attempt++)
    {
      if (desk_sync (desk) && sapa_store_count_unpushed (desk->store) == 0)
        return;
      if (attempt > 2000)
        g_error ("desk %u could not finish syncing after %u attempts", desk->index, attempt);
      g_usleep (20000);
    }
}

typedef void (*DeskFunc) (Desk *desk);

typedef struct {
  Desk     *desk;
  DeskFunc  func;
} DeskJob;

static gpointer
desk_thread (gpointer data)
{
  DeskJob *job = data;

  g_main_context_push_thread_default (job->desk->context);
  job->func (job->desk);
  while (g_main_context_iteration (job->desk->context, FALSE))
    ;
  g_main_context_pop_thread_default (job->desk->context);
  g_free (job);
  return NULL;
}

static GPtrArray *
start_desks (DeskFunc func)
{
  GPtrArray *threads = g_ptr_array_new ();

  for (guint i = 0; i < N_DESKS; i++)
    {
      DeskJob *job = g_new0 (DeskJob, 1);
      g_autofree char *name = g_strdup_printf ("desk-%u", i);

      job->desk = chaos.desks[i];
      job->func = func;
      g_ptr_array_add (threads, g_thread_new (name, desk_thread, job));
    }
  return threads;
}

static void
join_desks (GPtrArray *threads)
{
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  g_ptr_array_unref (threads);
}

static void
run_desks (DeskFunc func)
{
  join_desks (start_desks (func));
}

static void
desk_open (Desk *desk)
{
  g_autoptr(GError) error = NULL;

  desk->store = sapa_store_open (desk->path, &error);
  g_assert_no_error (error);
  desk->sync = sapa_sync_new (desk->store);
  sapa_sync_set_server_url (desk->sync, desk->url);
  sapa_test_sign_in (desk->sync, desk->url, desk->username, PASSWORD, &error);
  g_assert_no_error (error);
  desk->agent_id = sapa_store_dup_meta (desk->store, "agent_id");
  g_assert_nonnull (desk->agent_id);
}

static const char * const first_names[] = {
  "Rina", "Budi", "Siti", "Agus", "Dewi", "Joko", "Putri", "Hendra", "Wulan", "Eko",
};
static const char * const last_names[] = {
  "Wijaya", "Santoso", "Lestari", "Pratama", "Hidayat", "Saputra", "Kusuma", "Nugroho",
};

static char *
random_name (GRand *rand)
{
  return g_strdup_printf ("%s %s %u",
                          first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (first_names))],
                          last_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (last_names))],
                          g_rand_int_range (rand, 1, 100000));
}

static const char *
random_choice (GRand              *rand,
               const char * const *choices)
{
  return choices[g_rand_int_range (rand, 0, g_strv_length ((char **) choices))];
}

static void
save (Desk       *desk,
      SapaRecord *record)
{
  g_autoptr(GError) error = NULL;

  sapa_store_save (desk->store, record, &error);
  g_assert_no_error (error);
}

static void
desk_make_shared (Desk *desk)
{
  for (guint i = 0; i < N_SHARED; i++)
    {
      g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
      g_autofree char *name = random_name (desk->rand);

      sapa_record_set_string (customer, "full_name", name);
      sapa_record_set_string (customer, "segment", "regular");
      save (desk, customer);
      g_ptr_array_add (chaos.shared, g_strdup (sapa_record_get_id (customer)));
    }
  desk_sync_until_done (desk);
}

static void
desk_pull_shared (Desk *desk)
{
  desk_sync_until_done (desk);
  for (guint i = 0; i < chaos.shared->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaRecord) customer = sapa_store_get (desk->store, "customer",
                                                       g_ptr_array_index (chaos.shared, i), &error);

      g_assert_no_error (error);
      g_assert_nonnull (customer);
      g_ptr_array_add (desk->customers, g_strdup (g_ptr_array_index (chaos.shared, i)));
    }
}

static const char *
pick_customer (Desk *desk)
{
  /* Mostly the shared customers, so desks collide on them. */
  if (desk->customers->len > N_SHARED && g_rand_int_range (desk->rand, 0, 4) == 0)
    return g_ptr_array_index (desk->customers,
                              g_rand_int_range (desk->rand, N_SHARED, desk->customers->len));
  return g_ptr_array_index (desk->customers, g_rand_int_range (desk->rand, 0, N_SHARED));
}

static void
edit_new_customer (Desk *desk)
{
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autofree char *name = random_name (desk->rand);

  sapa_record_set_string (customer, "full_name", name);
  sapa_record_set_string (customer, "segment", random_choice (desk->rand, sapa_segments));
  sapa_record_set_string (customer, "preferred_language", random_choice (desk->rand, sapa_languages));
  save (desk, customer);
  g_ptr_array_add (desk->customers, g_strdup (sapa_record_get_id (customer)));
}

static void
edit_log_contact (Desk     *desk,
                  gboolean  new_conversation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  g_autofree char *body = g_strdup_printf ("Visit %u from desk %u", desk->edits, desk->index);
  const char *customer_id = pick_customer (desk);
  const char *conversation_id = NULL;
  SapaContact contact = { 0 };

  if (!new_conversation)
    {
      /* Any conversation of the customer this desk knows, whoever opened it. */
      conversations = sapa_store_list_conversations (desk->store, customer_id, &error);
      g_assert_no_error (error);
      if (conversations->len > 0)
        conversation_id = sapa_record_get_id (g_ptr_array_index (conversations,
                                                                 g_rand_int_range (desk->rand, 0, conversations->len)));
    }
  contact.customer_id = customer_id;
  contact.conversation_id = conversation_id;
  contact.reason = random_choice (desk->rand, sapa_contact_reasons);
  contact.channel = g_rand_boolean (desk->rand) ? "walk_in" : "phone";
  contact.direction = "inbound";
  contact.body = body;
  contact.started_at = g_get_real_time () / G_USEC_PER_SEC;
  contact.ended_at = contact.started_at + g_rand_int_range (desk->rand, 30, 900);
  contact.wait_seconds = g_rand_int_range (desk->rand, 0, 600);
  contact.agent_id = desk->agent_id;
  interaction = sapa_desk_log_contact (desk->store, &contact, &error);
  g_assert_no_error (error);
  g_assert_nonnull (interaction);
}

static void
edit_customer_fields (Desk *desk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = sapa_store_get (desk->store, "customer", pick_customer (desk), &error);
  guint n = g_rand_int_range (desk->rand, 1, 3);

  g_assert_no_error (error);
  g_assert_nonnull (customer);
  for (guint i = 0; i < n; i++)
    switch (g_rand_int_range (desk->rand, 0, 6))
      {
      case 0:
        {
          g_autofree char *name = random_name (desk->rand);
          sapa_record_set_string (customer, "full_name", name);
        }
        break;
      case 1:
        {
          g_autofree char *notes = g_strdup_printf ("Note %u from desk %u", desk->edits, desk->index);
          sapa_record_set_string (customer, "notes", notes);
        }
        break;
      case 2:
        sapa_record_set_string (customer, "segment", random_choice (desk->rand, sapa_segments));
        break;
      case 3:
        sapa_record_set_string (customer, "preferred_language", random_choice (desk->rand, sapa_languages));
        break;
      case 4:
        sapa_record_set_string (customer, "preferred_channel", random_choice (desk->rand, sapa_channels));
        break;
      default:
        {
          g_autofree char *tag = g_strdup_printf ("desk-%u-%u", desk->index, desk->edits);
          const char * const tags[] = { "chaos", tag, NULL };
          sapa_record_set_list (customer, "tags", tags);
        }
        break;
      }
  save (desk, customer);
}

static void
desk_edit (Desk *desk)
{
  guint next_sync = g_rand_int_range (desk->rand, 10, 80);

  for (desk->edits = 0; desk->edits < EDITS_PER_DESK; desk->edits++)
    {
      guint r = g_rand_int_range (desk->rand, 0, 100);

      if (r < 10)
        edit_new_customer (desk);
      else if (r < 25)
        edit_log_contact (desk, TRUE);
      else if (r < 45)
        edit_log_contact (desk, FALSE);
      else
        edit_customer_fields (desk);
      g_atomic_int_inc (&chaos.edits_done);

      if (desk->edits == next_sync)
        {
          desk_sync (desk);
          next_sync += g_rand_int_range (desk->rand, 10, 80);
        }
    }
  /* Keep syncing while the server is still being killed. */
  while (!g_atomic_int_get (&chaos.chaos_done))
    {
      desk_sync (desk);
      g_usleep (50000);
    }
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

typedef struct {
  guint64   hlc;
  char     *client_id;
  JsonNode *value;
} Stamp;

static void
stamp_free (gpointer data)
{
  Stamp *s = data;

  g_free (s->client_id);
  json_node_unref (s->value);
  g_free (s);
}

/* "entity\tid" -> (field -> winning Stamp) */
static GHashTable *
expected_records (GHashTable *change_ids)
{
  GHashTable *records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_hash_table_unref);

  for (guint d = 0; d < N_DESKS; d++)
    {
      Desk *desk = chaos.desks[d];
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) log = sapa_store_list_changes (desk->store, 0, 0, &error);
      const char *client_id = sapa_store_get_client_id (desk->store);

      g_assert_no_error (error);
      for (guint i = 0; i < log->len; i++)
        {
          JsonObject *entry = g_ptr_array_index (log, i);
          JsonObject *fields = json_object_get_object_member (entry, "fields");
          g_autofree char *key = g_strdup_printf ("%s\t%s", json_object_get_string_member (entry, "entity"),
                                                  json_object_get_string_member (entry, "id"));
          g_autoptr(GList) names = json_object_get_members (fields);
          GHashTable *record = g_hash_table_lookup (records, key);
          guint64 hlc = 0;

          g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "upsert");
          g_assert_true (sapa_hlc_parse (json_object_get_string_member (entry, "hlc"), &hlc));
          g_assert_true (g_hash_table_add (change_ids, g_strdup (json_object_get_string_member (entry, "change_id"))));
          if (record == NULL)
            {
              record = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stamp_free);
              g_hash_table_insert (records, g_strdup (key), record);
            }
          for (GList *l = names; l != NULL; l = l->next)
            {
              Stamp *old = g_hash_table_lookup (record, l->data);
              Stamp *s;

              if (old != NULL && (old->hlc > hlc || (old->hlc == hlc && strcmp (old->client_id, client_id) > 0)))
                continue;
              s = g_new0 (Stamp, 1);
              s->hlc = hlc;
              s->client_id = g_strdup (client_id);
              s->value = json_node_copy (json_object_get_member (fields, l->data));
              g_hash_table_replace (record, g_strdup (l->data), s);
            }
        }
    }
  return records;
}

/* Every record in @records holds the winning value of each field on @desk. */
static guint
check_desk_values (Desk       *desk,
                   GHashTable *records)
{
  GHashTableIter iter;
  gpointer key, value;
  guint checked = 0;

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto(GStrv) parts = g_strsplit (key, "\t", 2);
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaRecord) record = sapa_store_get (desk->store, parts[0], parts[1], &error);
      g_autoptr(JsonObject) json = NULL;
      GHashTableIter fields;
      gpointer name, stamp;

      g_assert_no_error (error);
      if (record == NULL)
        g_error ("desk %u lacks %s %s", desk->index, parts[0], parts[1]);
      json = sapa_record_to_json (record);
      g_hash_table_iter_init (&fields, value);
      while (g_hash_table_iter_next (&fields, &name, &stamp))
        {
          JsonNode *held = json_object_get_member (json, name);
          Stamp *s = stamp;

          if (held == NULL && JSON_NODE_HOLDS_NULL (s->value))
            continue;
          if (held == NULL || !json_node_equal (held, s->value))
            {
              g_autofree char *want = json_to_string (s->value, FALSE);
              g_autofree char *have = held != NULL ? json_to_string (held, FALSE) : g_strdup ("(none)");
              g_error ("desk %u: %s %s field %s holds %s; the last writer (hlc %" G_GUINT64_FORMAT
                       ", client %s) wrote %s", desk->index, parts[0], parts[1], (const char *) name,
                       have, s->hlc, s->client_id, want);
            }
          checked++;
        }
    }
  return checked;
}

/* The ids of @entity in the database at @path, sorted, one per line. */
static char *
ids_in (const char *path,
        const char *entity)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dump = sapa_test_dump_records (path, &error);
  g_autofree char *prefix = g_strdup_printf ("%s\t{\"id\":\"", entity);
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  lines = g_strsplit (dump, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        const char *id = lines[i] + strlen (prefix);
        g_string_append_len (out, id, strchr (id, '"') - id);
        g_string_append_c (out, '\n');
      }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
expected_ids (GHashTable *records,
              const char *entity)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *prefix = g_strdup_printf ("%s\t", entity);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_ptr_array_add (ids, (char *) key + strlen (prefix));
  g_ptr_array_sort (ids, compare_strings);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (ids, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Every change of every desk has an acknowledged push result on the server. */
static void
check_push_results (const char *server_path,
                    GHashTable *change_ids)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint applied = 0, duplicate = 0, superseded = 0;
  GHashTableIter iter;
  gpointer key;

  g_assert_cmpint (sqlite3_open_v2 (server_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT change_id, status, error FROM push_result;", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *change_id = (const char *) sqlite3_column_text (stmt, 0);
      const char *status = (const char *) sqlite3_column_text (stmt, 1);
      char *known = NULL;

      if (!g_hash_table_lookup_extended (change_ids, change_id, (gpointer *) &known, NULL))
        g_error ("the server has a result for change %s that no desk made", change_id);
      if (g_str_equal (status, "applied"))
        applied++;
      else if (g_str_equal (status, "duplicate"))
        duplicate++;
      else if (g_str_equal (status, "superseded"))
        superseded++;
      else
        g_error ("change %s was %s: %s", change_id, status, (const char *) sqlite3_column_text (stmt, 2));
      g_hash_table_add (seen, known);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_hash_table_iter_init (&iter, change_ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_error ("change %s was never acknowledged by the server", (const char *) key);
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (change_ids));
  g_test_message ("push results: %u applied, %u duplicate, %u superseded", applied, duplicate, superseded);
}

/* ------------------------------------------------------------------------ */

static void
test_chaos (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) change_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) records = NULL;
  g_autofree char *server_path = NULL;
  g_autofree char *server_dump = NULL;
  GPtrArray *threads;
  guint32 seed = g_test_rand_int ();
  guint kills = 0, syncs = 0, failures = 0, checked = 0;
  double started = sapa_test_now_ms ();

  g_test_message ("seed %u", seed);
  chaos.server = sapa_test_server_new (NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_DESKS; i++)
    {
      g_autofree char *username = g_strdup_printf ("desk%u", i);

      sapa_test_server_add_user (chaos.server, username, PASSWORD, "admin", NULL, &error);
      g_assert_no_error (error);
    }
  sapa_test_server_start (chaos.server, &error);
  g_assert_no_error (error);
  chaos.proxy = proxy_new (chaos.server->port, seed);
  chaos.shared = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < N_DESKS; i++)
    {
      Desk *desk = g_new0 (Desk, 1);

      desk->index = i;
      desk->username = g_strdup_printf ("desk%u", i);
      desk->path = g_strdup_printf ("%s/desk-%u.sqlite", chaos.server->root, i);
      desk->url = g_strdup_printf ("http://127.0.0.1:%u", chaos.proxy->port);
      desk->context = g_main_context_new ();
      desk->rand = g_rand_new_with_seed (seed + i);
      desk->customers = g_ptr_array_new_with_free_func (g_free);
      chaos.desks[i] = desk;
    }

  /* Sign in, then one desk registers the customers every desk will edit. */
  run_desks (desk_open);
  desk_make_shared (chaos.desks[0]);
  g_atomic_int_set (&chaos.proxy->cut_permille, 200);
  run_desks (desk_pull_shared);

  /* Edits, while the server is killed at every sixth of the way. */
  threads = start_desks (desk_edit);
  while (kills < N_KILLS)
    {
      guint total = N_DESKS * EDITS_PER_DESK;

      if ((guint) g_atomic_int_get (&chaos.edits_done) >= total * (kills + 1) / (N_KILLS + 1) ||
          (guint) g_atomic_int_get (&chaos.edits_done) >= total)
        {
          sapa_test_server_kill (chaos.server);
          kills++;
          g_usleep (g_test_rand_int_range (100000, 1000000));
          sapa_test_server_start (chaos.server, &error);
          g_assert_no_error (error);
          g_test_message ("server killed and restarted (%u), %d edits made",
                          kills, g_atomic_int_get (&chaos.edits_done));
        }
      g_usleep (20000);
    }
  g_atomic_int_set (&chaos.chaos_done, 1);
  join_desks (threads);

  /* The proxy still cuts connections: every desk pushes what is left, then
   * every desk pulls what the others pushed. */
  run_desks (desk_sync_until_done);
  run_desks (desk_sync_until_done);

  for (guint i = 0; i < N_DESKS; i++)
    {
      syncs += chaos.desks[i]->syncs;
      failures += chaos.desks[i]->failures;
    }
  g_test_message ("%u sync cycles, %u failed; proxy: %d connections, %d cut; %.1f s",
                  syncs, failures, g_atomic_int_get (&chaos.proxy->connections),
                  g_atomic_int_get (&chaos.proxy->cuts), (sapa_test_now_ms () - started) / 1000);
  /* The faults did happen. */
  g_assert_cmpuint (kills, ==, N_KILLS);
  g_assert_cmpint (g_atomic_int_get (&chaos.proxy->cuts), >, 0);
  g_assert_cmpuint (failures, >, 0);

  sapa_test_server_stop (chaos.server);
  server_path = sapa_test_server_db_path (chaos.server);

  /* Nothing lost, nothing made up, nothing refused. */
  records = expected_records (change_ids);
  g_assert_cmpuint (g_hash_table_size (change_ids), >=, N_DESKS * EDITS_PER_DESK);
  check_push_results (server_path, change_ids);

  /* Every record made on any desk is on the server exactly once... */
  server_dump = sapa_test_dump_records (server_path, &error);
  g_assert_no_error (error);
  {
    const char * const entities[] = { "customer", "conversation", "interaction", "audit_event" };

    for (guint e = 0; e < G_N_ELEMENTS (entities); e++)
      {
        g_autofree char *want = expected_ids (records, entities[e]);
        g_autofree char *have = ids_in (server_path, entities[e]);

        g_assert_cmpuint (strlen (want), >, 0);
        if (g_str_equal (entities[e], "audit_event"))
          {
            /* The server may audit on its own too: the desks' events are
             * all there, once each (ids_in lists every row). */
            g_auto(GStrv) want_ids = g_strsplit (want, "\n", -1);
            g_auto(GStrv) have_ids = g_strsplit (have, "\n", -1);
            g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);

            for (guint i = 0; have_ids[i] != NULL; i++)
              g_hash_table_insert (counts, have_ids[i],
                                   GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, have_ids[i])) + 1));
            for (guint i = 0; want_ids[i] != NULL; i++)
              if (want_ids[i][0] != '\0')
                g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, want_ids[i])), ==, 1);
          }
        else
          g_assert_cmpstr (have, ==, want);
      }
  }

  /* ...and every desk holds the same records as the server, with each field
   * the last writer's. */
  for (guint i = 0; i < N_DESKS; i++)
    {
      Desk *desk = chaos.desks[i];
      g_autofree char *dump = sapa_test_dump_records (desk->path, &error);
      g_autofree char *name = g_strdup_printf ("desk %u", i);

      g_assert_no_error (error);
      sapa_test_assert_dumps_equal (server_dump, "server", dump, name);
      checked += check_desk_values (desk, records);
    }
  {
    guint rows = 0;

    for (const char *p = server_dump; *p != '\0'; p++)
      rows += *p == '\n';
    g_test_message ("%u changes from %u desks; %u records; %u field values checked; "
                    "%u rows identical on the server and %u desks",
                    g_hash_table_size (change_ids), N_DESKS, g_hash_table_size (records), checked,
                    rows, N_DESKS);
  }

  proxy_free (chaos.proxy);
  for (guint i = 0; i < N_DESKS; i++)
    {
      Desk *desk = chaos.desks[i];

      g_clear_object (&desk->sync);
      g_clear_object (&desk->store);
      while (g_main_context_iteration (desk->context, FALSE))
        ;
      g_main_context_unref (desk->context);
      g_rand_free (desk->rand);
      g_ptr_array_unref (desk->customers);
      g_free (desk->agent_id);
      g_free (desk->username);
      g_free (desk->path);
      g_free (desk->url);
      g_free (desk);
    }
  g_ptr_array_unref (chaos.shared);
  sapa_test_server_free (chaos.server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/chaos", test_chaos);
  return g_test_run ();
}
