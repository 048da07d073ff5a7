/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <sapa/sapa.h>

/*
 * sapa-admin: the command line over a desk database. Every subcommand uses
 * the same libsapa code as the app (store, demo data, import, search).
 */

static void
init_i18n (void)
{
  const char *dir = g_getenv ("SAPA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static int
fail (const char *message)
{
  /* Translators: prefix of error messages on the command line */
  g_printerr (_("sapa-admin: %s\n"), message);
  return 1;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr (_("sapa-admin: %s\n"), message);
  g_printerr ("\n%s", help);
  return 2;
}

/* Parses a subcommand's options; FALSE with the exit code set on a usage error. */
static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int             *status)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (context, error->message);
      return FALSE;
    }
  return TRUE;
}

/* -- demo ------------------------------------------------------------------ */

static gboolean
parse_now (const char  *text,
           gint64      *out)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      /* A date alone: midnight UTC */
      g_autofree char *with_time = g_strconcat (text, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (with_time, utc);
    }
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static int
run_demo (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *now_text = NULL;
  gint64 customers = -1;
  gint64 per_customer = 10;
  SapaDemoOptions options = { 0 };
  SapaDemoPrinter progress;
  int status = 0;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, N_("The desk database to write (created if missing)"), N_("FILE") },
    { "customers", 'n', 0, G_OPTION_ARG_INT64, &customers, N_("How many customers to make"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed: the same seed and date give the same data (default 1)"), N_("S") },
    { "interactions-per-customer", 'i', 0, G_OPTION_ARG_INT64, &per_customer,
      N_("Mean number of timeline entries per customer (default 10)"), N_("M") },
    { "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
      N_("The date the data end at, e.g. 2026-11-23 (default: today, 00:00 UTC)"), N_("ISO-DATE") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Fills a new desk database with reproducible demo data: branches, agents, customers with Indonesian names, phones and emails, and their conversations on every channel."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("Unexpected argument. Options start with “--”."));
  if (database == NULL)
    return usage_error (context, _("Say which database to write with --database FILE."));
  if (customers <= 0 || customers > G_MAXUINT32)
    return usage_error (context, _("Say how many customers to make with --customers N (1 or more)."));
  if (per_customer < 0 || per_customer > 100000)
    return usage_error (context, _("--interactions-per-customer takes a number from 0 to 100000."));

  options.customers = (guint) customers;
  options.interactions_per_customer = (guint) per_customer;
  options.seed = 1;
  if (seed_text != NULL && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &options.seed, NULL))
    return usage_error (context, _("The seed is a whole number, like --seed 42."));
  if (now_text != NULL)
    {
      if (!parse_now (now_text, &options.now))
        return usage_error (context, _("Give --now as a date like 2026-11-23 or a time like 2026-11-23T09:00:00Z."));
    }
  else
    {
      g_autoptr(GDateTime) today = g_date_time_new_now_utc ();
      options.now = g_date_time_to_unix (today) - g_date_time_to_unix (today) % (24 * 3600);
    }

  sapa_demo_printer_start (&progress);
  if (!sapa_demo_generate (database, &options, sapa_demo_printer_progress, &progress, &error))
    {
      sapa_demo_printer_finish (&progress);
      return fail (error->message);
    }
  sapa_demo_printer_finish (&progress);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %u customer to %s in %.1f s\n",
                        "Wrote %u customers to %s in %.1f s\n", options.customers),
           options.customers, database,
           (g_get_monotonic_time () - progress.started) / (double) G_USEC_PER_SEC);
  return 0;
}

/* -- import ---------------------------------------------------------------- */

static int
run_import (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaImportReport) report = NULL;
  g_autofree char *database = NULL;
  g_autofree char *csv = NULL;
  guint skipped = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, N_("The desk database to import into"), N_("FILE") },
    { "csv", 'c', 0, G_OPTION_ARG_FILENAME, &csv, N_("The CSV file (UTF-8, header row)"), N_("FILE") },
    { NULL }
  };

  /* Translators: "customers" is a word to type as it is */
  context = g_option_context_new (_("customers"));
  g_option_context_set_summary (context, _("Imports customers from a CSV file with a header row. Columns: name (required), phone, email, account, segment, language, tags; several values in one cell are separated by “;”. Bad rows are reported with their line and skipped; the good rows are saved together."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2 || !g_str_equal (argv[1], "customers"))
    return usage_error (context, _("Say what to import: “sapa-admin import customers --database FILE --csv FILE”."));
  if (database == NULL)
    return usage_error (context, _("Say which database to import into with --database FILE."));
  if (csv == NULL)
    return usage_error (context, _("Say which file to import with --csv FILE."));

  store = sapa_store_open (database, &error);
  if (store == NULL)
    return fail (error->message);
  report = sapa_import_customers_csv (store, csv, &error);
  if (report == NULL)
    return fail (error->message);

  for (guint i = 0; i < report->problems->len; i++)
    {
      SapaImportProblem *problem = g_ptr_array_index (report->problems, i);

      /* Translators: a problem in the CSV file: the line number, then the reason */
      g_print (_("line %u: %s\n"), problem->line, problem->message);
      if (problem->line > 1)
        skipped++;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %u customer\n", "Imported %u customers\n", report->imported),
           report->imported);
  if (skipped > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Skipped %u row with problems; correct it and import it again.\n",
                          "Skipped %u rows with problems; correct them and import them again.\n", skipped),
             skipped);
  return 0;
}

/* -- search ---------------------------------------------------------------- */

static JsonNode *
list_node (SapaRecord *record,
           const char *field)
{
  g_auto(GStrv) values = sapa_record_dup_list (record, field);
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  json_node_take_array (node, array);
  return node;
}

static char *
account_text (SapaRecord *hit,
              gboolean    reveal)
{
  const char *account = sapa_record_get_string (hit, "account_number");

  if (account == NULL)
    return NULL;
  return reveal ? g_strdup (account) : sapa_account_mask (account);
}

static gint64
hit_score (SapaRecord *hit)
{
  const char *score = sapa_record_get_extra (hit, "score");

  return score ? g_ascii_strtoll (score, NULL, 10) : 0;
}

static void
print_json_hit (SapaRecord *hit,
                gboolean    reveal)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autofree char *account = account_text (hit, reveal);
  g_autofree char *line = NULL;

  json_object_set_string_member (object, "id", sapa_record_get_id (hit));
  json_object_set_string_member (object, "name", sapa_record_get_string (hit, "full_name"));
  json_object_set_member (object, "phones", list_node (hit, "phones"));
  json_object_set_member (object, "emails", list_node (hit, "emails"));
  if (account != NULL)
    json_object_set_string_member (object, "account", account);
  else
    json_object_set_null_member (object, "account");
  json_object_set_int_member (object, "score", hit_score (hit));
  json_node_take_object (root, object);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
}

/* @text padded with spaces to @width characters (not bytes). */
static void
append_cell (GString    *out,
             const char *text,
             guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  g_string_append (out, text);
  for (glong i = len; i < (glong) width + 2; i++)
    g_string_append_c (out, ' ');
}

static void
print_table (GPtrArray *hits,
             gboolean   reveal,
             gboolean   truncated)
{
  enum { C_NAME, C_PHONE, C_EMAIL, C_ACCOUNT, C_SCORE, N_C };
  const char *titles[N_C] = { _("Name"), _("Phone"), _("Email"), _("Account"), _("Score") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  guint widths[N_C];

  for (guint c = 0; c < N_C; c++)
    widths[c] = g_utf8_strlen (titles[c], -1);

  for (guint i = 0; i < hits->len; i++)
    {
      SapaRecord *hit = g_ptr_array_index (hits, i);
      g_auto(GStrv) phones = sapa_record_dup_list (hit, "phones");
      g_auto(GStrv) emails = sapa_record_dup_list (hit, "emails");
      char *account = account_text (hit, reveal);
      char *row[N_C];

      row[C_NAME] = g_strdup (sapa_record_get_string (hit, "full_name"));
      row[C_PHONE] = phones[0] ? sapa_phone_format (phones[0]) : g_strdup ("");
      row[C_EMAIL] = g_strdup (emails[0] ? emails[0] : "");
      row[C_ACCOUNT] = account ? account : g_strdup ("");
      row[C_SCORE] = g_strdup_printf ("%" G_GINT64_FORMAT, hit_score (hit));
      for (guint c = 0; c < N_C; c++)
        {
          widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
          g_ptr_array_add (cells, row[c]);
        }
    }

  {
    g_autoptr(GString) out = g_string_new (NULL);

    for (guint c = 0; c < N_C; c++)
      append_cell (out, titles[c], widths[c]);
    g_strchomp (out->str);
    out->len = strlen (out->str);
    g_print ("%s\n", out->str);
    for (guint i = 0; i < hits->len; i++)
      {
        g_string_truncate (out, 0);
        for (guint c = 0; c < N_C; c++)
          append_cell (out, g_ptr_array_index (cells, i * N_C + c), widths[c]);
        g_strchomp (out->str);
        g_print ("%s\n", out->str);
      }
  }
  if (hits->len == 0)
    g_print ("%s\n", _("No customer matches. Check the spelling or type fewer letters."));
  else if (truncated)
    g_print ("%s\n", _("More customers match than are shown: type more to narrow the search, or raise --limit."));
}

static int
run_search (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSearchResult) result = NULL;
  g_autofree char *database = NULL;
  g_autofree char *query = NULL;
  gboolean json = FALSE, reveal = FALSE;
  gint64 limit = SAPA_SEARCH_DEFAULT_LIMIT;
  GPtrArray *hits;
  int status = 0;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, N_("The desk database to search"), N_("FILE") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per customer found, one per line"), NULL },
    { "limit", 'l', 0, G_OPTION_ARG_INT64, &limit, N_("At most this many customers (default 50)"), N_("N") },
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &reveal, N_("Show account numbers in full (written to the audit log)"), NULL },
    { NULL }
  };

  /* Translators: the argument of the search command */
  context = g_option_context_new (_("QUERY"));
  g_option_context_set_summary (context, _("Finds customers the way the app's lookup does: name words by prefix without diacritics, any 4 or more digits of a phone number, email by prefix, account number in full or its last 4 digits."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (database == NULL)
    return usage_error (context, _("Say which database to search with --database FILE."));
  if (argc < 2)
    return usage_error (context, _("Say what to look for, e.g. “sapa-admin search --database FILE sitompul”."));
  if (limit <= 0 || limit > 10000)
    return usage_error (context, _("--limit takes a number from 1 to 10000."));
  query = g_strjoinv (" ", argv + 1);

  store = sapa_store_open (database, &error);
  if (store == NULL)
    return fail (error->message);
  result = sapa_store_search (store, query, (guint) limit, &error);
  if (result == NULL)
    return fail (error->message);
  hits = sapa_search_result_get_hits (result);

  if (reveal)
    {
      g_autofree char *agent_id = sapa_store_dup_meta (store, "agent_id");

      for (guint i = 0; i < hits->len; i++)
        {
          SapaRecord *hit = g_ptr_array_index (hits, i);

          if (sapa_record_has (hit, "account_number") &&
              !sapa_desk_record_reveal (store, sapa_record_get_id (hit), agent_id, &error))
            return fail (error->message);
        }
    }

  if (json)
    for (guint i = 0; i < hits->len; i++)
      print_json_hit (g_ptr_array_index (hits, i), reveal);
  else
    print_table (hits, reveal, sapa_search_result_is_truncated (result));
  return 0;
}

/* -- main ------------------------------------------------------------------ */

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n%s\n%s\n%s\n\n%s\n",
           _("Usage: sapa-admin COMMAND [OPTIONS…]"),
           _("Commands:"),
           /* Translators: keep the command as it is, translate the explanation */
           _("  demo              Fill a new database with reproducible demo data"),
           _("  import customers  Import customers from a CSV file"),
           _("  search            Find customers by name, phone, email or account"),
           _("Run “sapa-admin COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  const char *command;

  init_i18n ();
  g_set_prgname ("sapa-admin");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") || g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("sapa-admin %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* The subcommand parses the rest; argv[0] becomes "sapa-admin COMMAND" in its help. */
  {
    g_autofree char *prgname = g_strdup_printf ("sapa-admin %s", command);
    g_set_prgname (prgname);
  }
  if (g_str_equal (command, "demo"))
    return run_demo (argc - 1, argv + 1);
  if (g_str_equal (command, "import"))
    return run_import (argc - 1, argv + 1);
  if (g_str_equal (command, "search"))
    return run_search (argc - 1, argv + 1);

  {
    /* Translators: %s is what was typed instead of a command */
    g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), command);
    g_printerr (_("sapa-admin: %s\n"), message);
    print_usage (stderr);
  }
  return 2;
}
