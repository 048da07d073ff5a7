/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Customer lookup benchmark. Every query goes through sapa_store_search()
 * and through the bare index query it builds on
 * (sapa_store_search_bare_fts()), on the same store, interleaved, in the same
 * run, after a warm-up; prints p50 and p99 of both, their ratio, and the same
 * per kind of query (name, phone, email, account, name with phone digits).
 *
 *   bench-lookup --database FILE --make-queries N [--seed S] > queries.txt
 *   bench-lookup --database FILE --queries queries.txt [--runs N]
 *
 * A query file has one query per line, optionally "kind<TAB>query".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

typedef enum {
  KIND_NAME,
  KIND_PHONE,
  KIND_EMAIL,
  KIND_ACCOUNT,
  KIND_MIXED,
  N_KINDS
} Kind;

static const char * const kind_names[N_KINDS] = { "name", "phone", "email", "account", "mixed" };

typedef struct {
  Kind    kind;
  char   *text;
  double  worst_lookup;
  double  worst_bare;
} Query;

static void
query_free (gpointer data)
{
  Query *q = data;

  g_free (q->text);
  g_free (q);
}

static gboolean use_cpu_time;

/* Microseconds: wall clock, or with --cpu-time the CPU time of this thread,
 * which other programs on a busy machine do not inflate. */
static gint64
clock_now (void)
{
  struct timespec ts;

  if (!use_cpu_time)
    return g_get_monotonic_time ();
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static Kind
guess_kind (const char *text)
{
  gboolean digits_only = TRUE;

  if (strchr (text, '@') != NULL)
    return KIND_EMAIL;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && strchr (" +-().", *p) == NULL)
      digits_only = FALSE;
  return digits_only ? KIND_PHONE : KIND_NAME;
}

static GPtrArray *
read_queries (const char  *path,
              GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *queries;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  queries = g_ptr_array_new_with_free_func (query_free);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Query *q;
      const char *text = lines[i];
      const char *tab = strchr (lines[i], '\t');
      Kind kind = N_KINDS;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (tab != NULL)
        {
          for (guint k = 0; k < N_KINDS; k++)
            if (strncmp (lines[i], kind_names[k], tab - lines[i]) == 0
                && strlen (kind_names[k]) == (gsize) (tab - lines[i]))
              kind = k;
          if (kind != N_KINDS)
            text = tab + 1;
        }
      q = g_new0 (Query, 1);
      q->text = g_strdup (text);
      q->kind = kind != N_KINDS ? kind : guess_kind (text);
      g_ptr_array_add (queries, q);
    }
  return queries;
}

static gint64
sql_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The first @n characters of @text (UTF-8). */
static char *
utf8_prefix (const char *text,
             glong       n)
{
  const char *end = g_utf8_offset_to_pointer (text, MIN (n, g_utf8_strlen (text, -1)));
  return g_strndup (text, end - text);
}

static char *
name_query (GRand      *rand,
            const char *full_name)
{
  g_autofree char *folded = sapa_text_fold (full_name);
  g_auto(GStrv) words = g_strsplit (folded, " ", -1);
  guint n = g_strv_length (words);
  guint w = g_rand_int_range (rand, 0, n);
  g_autofree char *first = utf8_prefix (words[w], g_rand_int_range (rand, 2, 7));

  /* Some people type a second word: "budi san". */
  if (w + 1 < n && g_rand_int_range (rand, 0, 4) == 0)
    {
      g_autofree char *second = utf8_prefix (words[w + 1], g_rand_int_range (rand, 1, 5));
      return g_strdup_printf ("%s %s", words[w], second);
    }
  return g_steal_pointer (&first);
}

static char *
phone_query (GRand      *rand,
             const char *phone)
{
  g_autofree char *digits = sapa_text_digits (phone);
  gsize len = strlen (digits);

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:   /* as printed: +62 812-3456-7890 */
      return sapa_phone_format (phone);
    case 1:   /* national: 0812 3456 7890 */
      {
        g_autoptr(GString) s = g_string_new ("0");

        g_string_append (s, g_str_has_prefix (digits, "62") ? digits + 2 : digits);
        for (gsize at = 4; at < s->len; at += 5)
          g_string_insert_c (s, at, ' ');
        return g_string_free (g_steal_pointer (&s), FALSE);
      }
    case 2:   /* without the country code: 81234567890 */
      return g_strdup (g_str_has_prefix (digits, "62") ? digits + 2 : digits);
    default:  /* 4 to 8 consecutive digits from anywhere */
      {
        gsize n = MIN ((gsize) g_rand_int_range (rand, 4, 9), len);
        gsize start = g_rand_int_range (rand, 0, (gint32) (len - n + 1));

        /* Typed from the start of the national form: 0812... */
        if (start <= 2 && g_str_has_prefix (digits, "62"))
          return g_strdup_printf ("0%.*s", (int) n - 1, digits + 2);
        return g_strndup (digits + start, n);
      }
    }
}

static char *
email_query (GRand      *rand,
             const char *email)
{
  const char *at = strchr (email, '@');

  if (at == NULL || g_rand_int_range (rand, 0, 4) == 0)
    return g_strdup (email);
  /* "budi.santoso@gm" */
  return g_strndup (email, MIN ((gsize) (at - email) + 1 + g_rand_int_range (rand, 0, 4), strlen (email)));
}

static int
make_queries (const char *database,
              guint       n,
              guint32     seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 max_num;
  guint made = 0;
  guint attempts = 0;

  if (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_printerr ("Cannot open %s: %s\n", database, sqlite3_errmsg (db));
      return 1;
    }
  max_num = sql_int (db, "SELECT max(num) FROM customer;");
  if (max_num <= 0
      || sqlite3_prepare_v2 (db, "SELECT full_name, phones, emails, account_number FROM customer"
                                 " WHERE num = ?1 AND deleted = 0 AND merged_into IS NULL;",
                             -1, &stmt, NULL) != SQLITE_OK)
    {
      g_printerr ("%s has no customers to take queries from.\n", database);
      sqlite3_close (db);
      return 1;
    }

  while (made < n && attempts++ < n * 50)
    {
      Kind kind;
      g_autofree char *query = NULL;
      g_autoptr(JsonNode) phones = NULL;
      g_autoptr(JsonNode) emails = NULL;
      guint r = g_rand_int_range (rand, 0, 100);

      /* The mix at a counter: mostly names, then phones, accounts, emails,
       * and a name with the start of a phone number ("budi 0812"). */
      kind = r < 40 ? KIND_NAME : r < 67 ? KIND_PHONE : r < 82 ? KIND_ACCOUNT : r < 95 ? KIND_EMAIL : KIND_MIXED;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 1, (gint32) MIN (max_num + 1, G_MAXINT32)));
      if (sqlite3_step (stmt) != SQLITE_ROW)
        continue;
      phones = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);
      emails = json_from_string ((const char *) sqlite3_column_text (stmt, 2), NULL);

      switch (kind)
        {
        case KIND_NAME:
          query = name_query (rand, (const char *) sqlite3_column_text (stmt, 0));
          break;
        case KIND_PHONE:
          if (phones != NULL && JSON_NODE_HOLDS_ARRAY (phones) && json_array_get_length (json_node_get_array (phones)) > 0)
            query = phone_query (rand, json_array_get_string_element (json_node_get_array (phones), 0));
          break;
        case KIND_EMAIL:
          if (emails != NULL && JSON_NODE_HOLDS_ARRAY (emails) && json_array_get_length (json_node_get_array (emails)) > 0)
            query = email_query (rand, json_array_get_string_element (json_node_get_array (emails), 0));
          break;
        case KIND_ACCOUNT:
          if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
            {
              const char *account = (const char *) sqlite3_column_text (stmt, 3);
              gsize len = strlen (account);

              query = g_rand_int_range (rand, 0, 3) == 0 || len <= 4
                      ? g_strdup (account) : g_strdup (account + len - 4);
            }
          break;
        case KIND_MIXED:
          if (phones != NULL && JSON_NODE_HOLDS_ARRAY (phones) && json_array_get_length (json_node_get_array (phones)) > 0)
            {
              g_autofree char *folded = sapa_text_fold ((const char *) sqlite3_column_text (stmt, 0));
              g_autofree char *digits = sapa_text_digits (json_array_get_string_element (json_node_get_array (phones), 0));
              g_auto(GStrv) words = g_strsplit (folded, " ", 2);

              if (g_str_has_prefix (digits, "62"))
                query = g_strdup_printf ("%s 0%.*s", words[0], g_rand_int_range (rand, 1, 7), digits + 2);
            }
          break;
        case N_KINDS:
        default:
          g_assert_not_reached ();
        }
      if (query == NULL || query[0] == '\0')
        continue;
      printf ("%s\t%s\n", kind_names[kind], query);
      made++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return made == n ? 0 : 1;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = (guint) MAX (0.0, (p * sorted->len) - 1 + 0.999999);
  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

static void
print_row (const char *label,
           GArray     *lookup,
           GArray     *bare)
{
  double lp50, lp99, bp50, bp99;

  g_array_sort (lookup, compare_double);
  g_array_sort (bare, compare_double);
  lp50 = percentile (lookup, 0.50);
  lp99 = percentile (lookup, 0.99);
  bp50 = percentile (bare, 0.50);
  bp99 = percentile (bare, 0.99);
  printf ("%-8s %7u   %8.3f %8.3f %8.3f   %8.3f %8.3f   %6.2f\n", label, lookup->len,
          lp50, lp99, g_array_index (lookup, double, lookup->len - 1), bp50, bp99,
          bp99 > 0 ? lp99 / bp99 : 0.0);
}

static int
compare_worst (gconstpointer a,
               gconstpointer b)
{
  const Query *x = *(Query * const *) a;
  const Query *y = *(Query * const *) b;

  return x->worst_lookup > y->worst_lookup ? -1 : (x->worst_lookup < y->worst_lookup ? 1 : 0);
}

static int
run_benchmark (const char *database,
               const char *queries_path,
               guint       runs,
               guint       slowest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  GArray *lookup[N_KINDS + 1];
  GArray *bare[N_KINDS + 1];
  guint64 total_hits = 0;
  guint n_truncated = 0;
  gint64 n_customers = 0;

  queries = read_queries (queries_path, &error);
  if (queries == NULL)
    {
      g_printerr ("Cannot read the queries: %s\n", error->message);
      return 1;
    }
  if (queries->len == 0)
    {
      g_printerr ("%s holds no queries.\n", queries_path);
      return 1;
    }
  store = sapa_store_open (database, &error);
  if (store == NULL)
    {
      g_printerr ("Cannot open the database: %s\n", error->message);
      return 1;
    }
  {
    sqlite3 *db = NULL;

    if (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
      n_customers = sql_int (db, "SELECT count(*) FROM customer WHERE deleted = 0;");
    sqlite3_close (db);
  }

  for (guint k = 0; k <= N_KINDS; k++)
    {
      lookup[k] = g_array_new (FALSE, FALSE, sizeof (double));
      bare[k] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  /* Warm-up: the page cache and the readers' caches, as on a desk in use. */
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = g_ptr_array_index (queries, i);
      g_autoptr(SapaSearchResult) result = sapa_store_search (store, q->text, 0, NULL);

      sapa_store_search_bare_fts (store, q->text, NULL);
    }

  for (guint run = 0; run < runs; run++)
    for (guint i = 0; i < queries->len; i++)
      {
        Query *q = g_ptr_array_index (queries, i);
        g_autoptr(SapaSearchResult) result = NULL;
        gint64 t0, t1, t2;
        double ms;

        /* Alternate which goes first, so neither always gets the warmer cache. */
        if ((i + run) % 2 == 0)
          {
            t0 = clock_now ();
            result = sapa_store_search (store, q->text, 0, &error);
            t1 = clock_now ();
            sapa_store_search_bare_fts (store, q->text, &error);
            t2 = clock_now ();
            ms = (t1 - t0) / 1000.0;
            g_array_append_val (lookup[q->kind], ms);
            g_array_append_val (lookup[N_KINDS], ms);
            ms = (t2 - t1) / 1000.0;
          }
        else
          {
            t0 = clock_now ();
            sapa_store_search_bare_fts (store, q->text, &error);
            t1 = clock_now ();
            result = sapa_store_search (store, q->text, 0, &error);
            t2 = clock_now ();
            ms = (t2 - t1) / 1000.0;
            g_array_append_val (lookup[q->kind], ms);
            g_array_append_val (lookup[N_KINDS], ms);
            ms = (t1 - t0) / 1000.0;
          }
        g_array_append_val (bare[q->kind], ms);
        g_array_append_val (bare[N_KINDS], ms);
        q->worst_bare = MAX (q->worst_bare, ms);
        q->worst_lookup = MAX (q->worst_lookup, g_array_index (lookup[N_KINDS], double, lookup[N_KINDS]->len - 1));
        if (error != NULL)
          {
            g_printerr ("Query \"%s\" failed: %s\n", q->text, error->message);
            return 1;
          }
        if (run == 0)
          {
            total_hits += sapa_search_result_get_hits (result)->len;
            n_truncated += sapa_search_result_is_truncated (result);
          }
      }

  printf ("Customer lookup over %" G_GINT64_FORMAT " customers, SQLite %s\n", n_customers, sqlite3_libversion ());
  printf ("%u queries x %u runs (after one warm-up run); %s; %.1f hits per query, %u of %u truncated\n",
          queries->len, runs, use_cpu_time ? "thread CPU time" : "wall-clock time", (double) total_hits / queries->len, n_truncated, queries->len);
  printf ("times in ms   lookup: p50      p99      max    bare FTS5: p50      p99   lookup/bare p99\n");
  printf ("%-8s %7s   %8s %8s %8s   %8s %8s   %6s\n", "kind", "n", "p50", "p99", "max", "p50", "p99", "ratio");
  print_row ("all", lookup[N_KINDS], bare[N_KINDS]);
  for (guint k = 0; k < N_KINDS; k++)
    if (lookup[k]->len > 0)
      print_row (kind_names[k], lookup[k], bare[k]);

  if (slowest > 0)
    {
      g_ptr_array_sort (queries, compare_worst);
      printf ("\nslowest lookups (worst of the runs, ms):\n");
      for (guint i = 0; i < MIN (slowest, queries->len); i++)
        {
          Query *q = g_ptr_array_index (queries, i);
          printf ("  %8.3f  bare %8.3f  %-7s %s\n", q->worst_lookup, q->worst_bare, kind_names[q->kind], q->text);
        }
    }

  for (guint k = 0; k <= N_KINDS; k++)
    {
      g_array_unref (lookup[k]);
      g_array_unref (bare[k]);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *queries = NULL;
  int runs = 5;
  int make = 0;
  int seed = 1;
  int slowest = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Desk database to search", "FILE" },
    { "queries", 'q', 0, G_OPTION_ARG_FILENAME, &queries, "Queries, one per line", "FILE" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Timed runs over the queries (default 5)", "N" },
    { "make-queries", 0, 0, G_OPTION_ARG_INT, &make, "Print N realistic queries sampled from the database", "N" },
    { "cpu-time", 0, 0, G_OPTION_ARG_NONE, &use_cpu_time, "Time CPU use of the thread instead of the wall clock", NULL },
    { "slowest", 0, 0, G_OPTION_ARG_INT, &slowest, "Also list the N slowest lookups", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed for --make-queries (default 1)", "S" },
    { NULL }
  };

  context = g_option_context_new ("- time the customer lookup");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (database == NULL || (queries == NULL && make <= 0) || runs < 1)
    {
      g_printerr ("Usage: bench-lookup --database FILE (--queries FILE [--runs N] | --make-queries N [--seed S])\n");
      return 2;
    }
  if (make > 0)
    return make_queries (database, (guint) make, (guint32) seed);
  return run_benchmark (database, queries, (guint) runs, (guint) MAX (slowest, 0));
}
