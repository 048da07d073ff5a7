/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sapa-store-private.h"
#include "sapa-server-admin.h"
#include "sapa-server-auth.h"
#include "sapa-server-db.h"

/*
 * The admin subcommands of sapa-server: set up a data folder, manage users,
 * branches and channels, load demo data. Users and branches are ordinary
 * records saved through the store, so they reach every desk by sync; the
 * password, the disabled flag and a supervisor's extra branches stay in the
 * server's own tables.
 */

#define MAX_USERNAME_LENGTH 64
#define MAX_PASSWORD_LINE 4096

/* -- common ---------------------------------------------------------------- */

static int
fail (const char *message)
{
  /* Translators: prefix of error messages of the server's command line */
  g_printerr (_("sapa-server: %s\n"), message);
  return 1;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr (_("sapa-server: %s\n"), message);
  if (context != NULL)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("\n%s", help);
    }
  return 2;
}

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

/* A password given as an option would show in the process list and the
 * shell's history: refuse it before anything else. */
static gboolean
has_password_argument (int    argc,
                       char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--password") || g_str_equal (argv[i], "-p"))
      return TRUE;
  return FALSE;
}

static int
refuse_password_argument (void)
{
  return usage_error (NULL, _("Passwords are never taken on the command line, where other users can see them. "
                              "Type the password when asked, or send it on standard input (one line)."));
}

static SapaStore *
open_data (const char  *data_dir,
           GError     **error)
{
  return sapa_server_db_open (data_dir, FALSE, error);
}

/* The agent record with @username (not deleted; ASCII letter case ignored),
 * or NULL. Demo data may hold a second agent of the same name: the one who
 * can sign in wins, else an exact match; anything less clear is an error. */
static SapaRecord *
find_user (SapaStore  *store,
           const char *username,
           GError    **error)
{
  g_autoptr(GPtrArray) agents = sapa_store_list (store, "agent", error);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  g_autoptr(SapaAuth) auth = NULL;
  SapaRecord *with_password = NULL;
  guint n_with_password = 0;
  guint n_exact = 0;

  if (agents == NULL)
    return NULL;
  for (guint i = 0; i < agents->len; i++)
    {
      SapaRecord *a = g_ptr_array_index (agents, i);
      const char *name = sapa_record_get_string (a, "username");

      if (g_strcmp0 (name, username) == 0)
        {
          g_ptr_array_insert (matches, 0, a);   /* an exact match comes first */
          n_exact++;
        }
      else if (name != NULL && g_ascii_strcasecmp (name, username) == 0)
        g_ptr_array_add (matches, a);
    }
  if (matches->len == 0)
    return NULL;
  if (matches->len == 1)
    return g_object_ref (g_ptr_array_index (matches, 0));

  /* The one who can sign in is the one sign-in picks too. */
  auth = sapa_auth_new (store);
  for (guint i = 0; i < matches->len; i++)
    if (sapa_auth_has_credential (auth, sapa_record_get_id (g_ptr_array_index (matches, i))))
      {
        with_password = g_ptr_array_index (matches, i);
        n_with_password++;
      }
  if (n_with_password == 1)
    return g_object_ref (with_password);
  if (n_with_password == 0 && n_exact == 1)
    return g_object_ref (g_ptr_array_index (matches, 0));
  g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT,
               _("More than one user is called “%s” (demo data may repeat names). Add a user with another username instead."),
               username);
  return NULL;
}

static SapaRecord *
require_user (SapaStore  *store,
              const char *username,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  SapaRecord *agent = find_user (store, username, &local_error);

  if (agent == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND,
                     _("There is no user “%s”. See the users with “sapa-server user list --data DIR”."),
                     username);
    }
  return agent;
}

/* A branch by id, or by name (letter case and accents ignored). */
static SapaRecord *
find_branch (SapaStore  *store,
             const char *id_or_name,
             GError    **error)
{
  g_autoptr(GPtrArray) branches = sapa_store_list (store, "branch", error);
  g_autofree char *folded = NULL;
  SapaRecord *by_name = NULL;
  guint n_by_name = 0;

  if (branches == NULL)
    return NULL;
  folded = sapa_text_fold (id_or_name);
  for (guint i = 0; i < branches->len; i++)
    {
      SapaRecord *b = g_ptr_array_index (branches, i);
      g_autofree char *name = sapa_text_fold (sapa_record_get_string (b, "name"));

      if (g_str_equal (sapa_record_get_id (b), id_or_name))
        return g_object_ref (b);
      if (g_str_equal (name, folded))
        {
          by_name = b;
          n_by_name++;
        }
    }
  if (n_by_name == 1)
    return g_object_ref (by_name);
  if (n_by_name > 1)
    g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT,
                 _("More than one branch is called “%s”. Give the branch's id instead (see “sapa-server user list” or the output of “branch add”)."),
                 id_or_name);
  else
    g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND,
                 _("There is no branch “%s”. Add it first with “sapa-server branch add --data DIR --name NAME --kind KIND”."),
                 id_or_name);
  return NULL;
}

static gboolean
username_is_valid (const char *username)
{
  gsize len = strlen (username);

  if (len == 0 || len > MAX_USERNAME_LENGTH || username[0] == '-' || username[0] == '.')
    return FALSE;
  for (const char *p = username; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static char *
choices_text (const char * const *choices,
              const char         *skip1,
              const char         *skip2)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (choices[i], skip1) != 0 && g_strcmp0 (choices[i], skip2) != 0)
      g_strv_builder_add (b, choices[i]);
  list = g_strv_builder_end (b);
  return g_strjoinv (", ", list);
}

/* -- passwords on standard input -------------------------------------------- */

static char *
read_line (FILE *in)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = fgetc (in)) != EOF && c != '\n')
    {
      if (line->len < MAX_PASSWORD_LINE)
        g_string_append_c (line, (char) c);
    }
  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
prompt_hidden (const char *prompt)
{
  struct termios old, quiet;
  gboolean hidden = FALSE;
  char *line;

  /* Echo goes off before the prompt shows, so nothing typed after the
   * prompt is shown or thrown away. */
  if (tcgetattr (STDIN_FILENO, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      hidden = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  g_printerr ("%s", prompt);
  line = read_line (stdin);
  if (hidden)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
  g_printerr ("\n");
  return line;
}

static void
free_secret (char *text)
{
  if (text != NULL)
    {
      memset (text, 0, strlen (text));
      g_free (text);
    }
}

/* The new password of @username from standard input: asked twice on a
 * terminal, one line otherwise. NULL with @error set when unusable. */
static char *
read_new_password (const char  *username,
                   GError     **error)
{
  char *password;
  const char *problem;

  if (isatty (STDIN_FILENO))
    {
      g_autofree char *prompt = g_strdup_printf (_("New password for %s: "), username);
      char *again;

      password = prompt_hidden (prompt);
      if (password != NULL && sapa_auth_check_password_rules (password) == NULL)
        {
          again = prompt_hidden (_("Type it again: "));
          if (g_strcmp0 (password, again) != 0)
            {
              free_secret (again);
              free_secret (password);
              g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED,
                                   _("The two passwords differ. Run the command again and type the same password twice."));
              return NULL;
            }
          free_secret (again);
        }
    }
  else
    password = read_line (stdin);

  if (password == NULL)
    {
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED,
                           _("No password was given on standard input. Type it when asked, or send it through a pipe or from a file (one line)."));
      return NULL;
    }
  problem = sapa_auth_check_password_rules (password);
  if (problem != NULL)
    {
      free_secret (password);
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED, problem);
      return NULL;
    }
  return password;
}

/* -- init ------------------------------------------------------------------ */

static int
run_init (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *epoch = NULL;
  gboolean existed;
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder (created if missing)"), N_("DIR") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Prepares a data folder for sapa-server: the database with its tables and a new epoch."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("Unexpected argument. Options start with “--”."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to prepare with --data DIR."));

  path = sapa_server_db_path (data_dir);
  existed = g_file_test (path, G_FILE_TEST_EXISTS);
  store = sapa_server_db_open (data_dir, TRUE, &error);
  if (store == NULL)
    return fail (error->message);
  epoch = sapa_server_db_dup_epoch (store, &error);
  if (epoch == NULL)
    return fail (error->message);

  if (existed)
    g_print (_("%s already holds sapa-server data; it is up to date and nothing else changed.\n"), data_dir);
  else
    g_print (_("Prepared %s for sapa-server. Next: add a branch with “sapa-server branch add”, then users with “sapa-server user add”.\n"),
             data_dir);
  return 0;
}

/* -- user ------------------------------------------------------------------ */

static int
user_add (SapaStore   *store,
          const char  *username,
          const char  *display_name,
          const char  *role,
          const char  *branch,
          char       **extra_branches,
          const char  *language)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) existing = NULL;
  g_autoptr(SapaRecord) home = NULL;
  g_autoptr(SapaRecord) agent = NULL;
  g_autoptr(SapaAuth) auth = NULL;
  g_autoptr(GPtrArray) extra_ids = g_ptr_array_new_with_free_func (g_free);
  char *password = NULL;

  existing = find_user (store, username, &error);
  if (error != NULL)
    return fail (error->message);
  if (existing != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("A user “%s” already exists. Choose another username, or change that user's password with “sapa-server user passwd”."),
                         username);
      return fail (message);
    }
  if (branch != NULL)
    {
      home = find_branch (store, branch, &error);
      if (home == NULL)
        return fail (error->message);
    }
  for (guint i = 0; extra_branches != NULL && extra_branches[i] != NULL; i++)
    {
      g_autoptr(SapaRecord) b = find_branch (store, extra_branches[i], &error);

      if (b == NULL)
        return fail (error->message);
      g_ptr_array_add (extra_ids, g_strdup (sapa_record_get_id (b)));
    }
  g_ptr_array_add (extra_ids, NULL);

  /* Everything else is checked: now the password. */
  password = read_new_password (username, &error);
  if (password == NULL)
    return fail (error->message);

  agent = sapa_record_new ("agent");
  sapa_record_set_string (agent, "username", username);
  sapa_record_set_string (agent, "display_name", display_name);
  sapa_record_set_string (agent, "role", role);
  if (home != NULL)
    sapa_record_set_string (agent, "branch_id", sapa_record_get_id (home));
  if (language != NULL)
    sapa_record_set_string (agent, "language", language);
  if (!sapa_store_save (store, agent, &error))
    {
      free_secret (password);
      return fail (error->message);
    }

  auth = sapa_auth_new (store);
  if (!sapa_auth_set_extra_branches (auth, sapa_record_get_id (agent),
                                     (const char * const *) extra_ids->pdata, &error) ||
      !sapa_auth_set_password (auth, sapa_record_get_id (agent), password, &error))
    {
      g_autoptr(GError) undo_error = NULL;

      free_secret (password);
      /* Take the half-made user back, so the command can simply be run again. */
      if (!sapa_store_delete (store, "agent", sapa_record_get_id (agent), &undo_error))
        g_warning ("Could not remove the incomplete user %s: %s", username, undo_error->message);
      return fail (error->message);
    }
  free_secret (password);

  /* Translators: "Added user rina (agent) with id 1234-..." */
  g_print (_("Added user %s (%s) with id %s\n"), username, role, sapa_record_get_id (agent));
  return 0;
}

typedef struct {
  const char *username;
  const char *name;
  const char *role;
  char       *branch;
  const char *disabled;
} UserRow;

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

static int
compare_agents (gconstpointer a,
                gconstpointer b)
{
  SapaRecord *x = *(SapaRecord **) a;
  SapaRecord *y = *(SapaRecord **) b;

  return g_strcmp0 (sapa_record_get_string (x, "username"), sapa_record_get_string (y, "username"));
}

static int
user_list (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) agents = sapa_store_list (store, "agent", &error);
  g_autoptr(GPtrArray) branches = NULL;
  g_autoptr(GHashTable) branch_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SapaAuth) auth = sapa_auth_new (store);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *titles[5];
  guint widths[5];
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  if (agents == NULL)
    return fail (error->message);
  branches = sapa_store_list (store, "branch", &error);
  if (branches == NULL)
    return fail (error->message);
  for (guint i = 0; i < branches->len; i++)
    {
      SapaRecord *b = g_ptr_array_index (branches, i);
      g_hash_table_insert (branch_names, (gpointer) sapa_record_get_id (b), (gpointer) sapa_record_get_string (b, "name"));
    }
  g_ptr_array_sort (agents, compare_agents);

  /* Translators: column titles of "sapa-server user list" */
  titles[0] = _("USERNAME");
  titles[1] = _("NAME");
  titles[2] = _("ROLE");
  titles[3] = _("BRANCH");
  titles[4] = _("DISABLED");
  for (guint c = 0; c < 5; c++)
    widths[c] = g_utf8_strlen (titles[c], -1);

  for (guint i = 0; i < agents->len; i++)
    {
      SapaRecord *a = g_ptr_array_index (agents, i);
      const char *branch_id = sapa_record_get_string (a, "branch_id");
      const char *branch_name = branch_id ? g_hash_table_lookup (branch_names, branch_id) : NULL;
      g_auto(GStrv) extra = sapa_auth_dup_extra_branches (auth, sapa_record_get_id (a));
      GString *branch = g_string_new (branch_name ? branch_name : (branch_id ? branch_id : "-"));
      const char *disabled;

      for (guint j = 0; extra[j] != NULL; j++)
        {
          const char *extra_name = g_hash_table_lookup (branch_names, extra[j]);
          g_string_append_printf (branch, " + %s", extra_name ? extra_name : extra[j]);
        }
      if (!sapa_auth_has_credential (auth, sapa_record_get_id (a)))
        /* Translators: in the DISABLED column: the user has no password and cannot sign in */
        disabled = _("no password");
      else if (sapa_auth_is_disabled (auth, sapa_record_get_id (a)))
        /* Translators: in the DISABLED column */
        disabled = _("yes");
      else
        /* Translators: in the DISABLED column */
        disabled = _("no");

      g_ptr_array_add (cells, g_strdup (sapa_record_get_string (a, "username")));
      g_ptr_array_add (cells, g_strdup (sapa_record_get_string (a, "display_name")));
      g_ptr_array_add (cells, g_strdup (sapa_record_get_string (a, "role")));
      g_ptr_array_add (cells, g_string_free (branch, FALSE));
      g_ptr_array_add (cells, g_strdup (disabled));
      for (guint c = 0; c < 5; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (g_ptr_array_index (cells, i * 5 + c), -1));
    }

  if (agents->len == 0)
    {
      g_print ("%s\n", _("No users yet. Add one with “sapa-server user add”."));
      return 0;
    }
  for (guint c = 0; c < 5; c++)
    append_cell (out, titles[c], widths[c]);
  g_strchomp (out->str);
  g_print ("%s\n", out->str);
  for (guint i = 0; i < agents->len; i++)
    {
      g_string_truncate (out, 0);
      for (guint c = 0; c < 5; c++)
        append_cell (out, g_ptr_array_index (cells, i * 5 + c), widths[c]);
      g_strchomp (out->str);
      g_print ("%s\n", out->str);
    }
  return 0;
}

static int
user_set_disabled (SapaStore  *store,
                   const char *username,
                   gboolean    disabled)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) agent = require_user (store, username, &error);
  g_autoptr(SapaAuth) auth = NULL;
  guint n_revoked = 0;

  if (agent == NULL)
    return fail (error->message);
  auth = sapa_auth_new (store);
  if (!sapa_auth_has_credential (auth, sapa_record_get_id (agent)))
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” has no password, so cannot sign in anyway. Give them one with “sapa-server user passwd”."),
                         username);
      return fail (message);
    }
  if (disabled)
    {
      /* Count the live sessions first: disabling revokes them. */
      sqlite3 *db = sapa_store_acquire_reader (store);
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM token WHERE agent_id = ? AND revoked_at IS NULL "
                                  "AND last_used > ?;", -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, sapa_record_get_id (agent), -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC - SAPA_AUTH_TOKEN_IDLE_SECONDS);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            n_revoked = (guint) sqlite3_column_int (stmt, 0);
        }
      sqlite3_finalize (stmt);
      sapa_store_release_reader (store, db);
    }
  if (!sapa_auth_set_disabled (auth, sapa_record_get_id (agent), disabled, &error))
    return fail (error->message);

  if (disabled)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Disabled %s and signed out %u device.\n",
                          "Disabled %s and signed out %u devices.\n", n_revoked),
             username, n_revoked);
  else
    g_print (_("Enabled %s; they can sign in again.\n"), username);
  return 0;
}

static int
user_passwd (SapaStore  *store,
             const char *username)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) agent = require_user (store, username, &error);
  g_autoptr(SapaAuth) auth = NULL;
  char *password;
  gboolean ok;

  if (agent == NULL)
    return fail (error->message);
  password = read_new_password (username, &error);
  if (password == NULL)
    return fail (error->message);
  auth = sapa_auth_new (store);
  ok = sapa_auth_set_password (auth, sapa_record_get_id (agent), password, &error);
  free_secret (password);
  if (!ok)
    return fail (error->message);
  g_print (_("Changed the password of %s. Their devices must sign in again.\n"), username);
  return 0;
}

static int
run_user (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *username = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *role = NULL;
  g_autofree char *branch = NULL;
  g_auto(GStrv) extra_branches = NULL;
  g_autofree char *language = NULL;
  const char *action;
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder"), N_("DIR") },
    { "username", 'u', 0, G_OPTION_ARG_STRING, &username, N_("The name the user signs in with"), N_("USERNAME") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &display_name, N_("The user's name as shown at the desk (add)"), N_("NAME") },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role, N_("agent, supervisor or admin (add)"), N_("ROLE") },
    { "branch", 'b', 0, G_OPTION_ARG_STRING, &branch, N_("The user's branch, by id or name (add; needed for agents and supervisors)"), N_("BRANCH") },
    { "extra-branch", 'x', 0, G_OPTION_ARG_STRING_ARRAY, &extra_branches,
      N_("Another branch a supervisor oversees, by id or name; repeat for more (add)"), N_("BRANCH") },
    { "language", 'l', 0, G_OPTION_ARG_STRING, &language, N_("The user's language: id or en (add)"), N_("LANG") },
    { NULL }
  };

  if (has_password_argument (argc, argv))
    return refuse_password_argument ();

  /* Translators: the words in capitals stay as they are */
  context = g_option_context_new (_("add|list|disable|enable|passwd"));
  g_option_context_set_summary (context, _("Manages the people who sign in to sapa-server. "
                                           "Passwords are read from standard input (asked twice on a terminal), never from the command line."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return usage_error (context, _("Say what to do: add, list, disable, enable or passwd."));
  if (argc > 2)
    return usage_error (context, _("Unexpected argument. Options start with “--”."));
  action = argv[1];
  if (!g_str_equal (action, "add") && !g_str_equal (action, "list") && !g_str_equal (action, "disable") &&
      !g_str_equal (action, "enable") && !g_str_equal (action, "passwd"))
    return usage_error (context, _("Unknown action. Use add, list, disable, enable or passwd."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to use with --data DIR."));
  if (!g_str_equal (action, "list") && username == NULL)
    return usage_error (context, _("Say which user with --username USERNAME."));
  if (!g_str_equal (action, "add") &&
      (display_name != NULL || role != NULL || branch != NULL || extra_branches != NULL || language != NULL))
    return usage_error (context, _("--name, --role, --branch, --extra-branch and --language go only with “user add”."));

  if (g_str_equal (action, "add"))
    {
      if (!username_is_valid (username))
        return usage_error (context, _("A username has 1 to 64 letters (a-z, A-Z), digits, dots, dashes or underscores, and starts with a letter or digit."));
      if (display_name == NULL || *g_strstrip (display_name) == '\0')
        return usage_error (context, _("Say the user's name with --name \"NAME\"."));
      if (role == NULL || !sapa_choice_is_valid (sapa_agent_roles, role))
        return usage_error (context, _("Say the user's role with --role agent, --role supervisor or --role admin."));
      if (branch == NULL && !g_str_equal (role, "admin"))
        return usage_error (context, _("Agents and supervisors belong to a branch: say which with --branch ID-OR-NAME."));
      if (extra_branches != NULL && !g_str_equal (role, "supervisor"))
        return usage_error (context, _("Only supervisors oversee extra branches; leave out --extra-branch or use --role supervisor."));
      if (language != NULL && !sapa_choice_is_valid (sapa_languages, language))
        return usage_error (context, _("The language is id (Indonesian) or en (English)."));
    }

  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);

  if (g_str_equal (action, "add"))
    return user_add (store, username, display_name, role, branch, extra_branches, language);
  if (g_str_equal (action, "list"))
    return user_list (store);
  if (g_str_equal (action, "disable"))
    return user_set_disabled (store, username, TRUE);
  if (g_str_equal (action, "enable"))
    return user_set_disabled (store, username, FALSE);
  return user_passwd (store, username);
}

/* -- branch ---------------------------------------------------------------- */

static int
run_branch (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaRecord) branch = NULL;
  g_autoptr(GPtrArray) branches = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *timezone = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *kinds = choices_text (sapa_branch_kinds, NULL, NULL);
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder"), N_("DIR") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The branch's name"), N_("NAME") },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind, N_("bank, hotel, retail or other"), N_("KIND") },
    { "timezone", 't', 0, G_OPTION_ARG_STRING, &timezone, N_("The branch's time zone (default Asia/Jakarta)"), N_("TZ") },
    { NULL }
  };

  context = g_option_context_new ("add");
  g_option_context_set_summary (context, _("Adds a branch and prints its id. Branches reach every desk by sync."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2 || !g_str_equal (argv[1], "add"))
    return usage_error (context, _("Say what to do: “sapa-server branch add --data DIR --name NAME --kind KIND”."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to use with --data DIR."));
  if (name == NULL || *g_strstrip (name) == '\0')
    return usage_error (context, _("Say the branch's name with --name NAME."));
  if (kind == NULL || !sapa_choice_is_valid (sapa_branch_kinds, kind))
    {
      g_autofree char *message = g_strdup_printf (_("Say the kind of branch with --kind, one of: %s."), kinds);
      return usage_error (context, message);
    }
  if (timezone == NULL)
    timezone = g_strdup ("Asia/Jakarta");
  tz = g_time_zone_new_identifier (timezone);
  if (tz == NULL)
    return usage_error (context, _("Unknown time zone. Use a name like Asia/Jakarta, Asia/Makassar or Asia/Jayapura."));

  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);

  branches = sapa_store_list (store, "branch", &error);
  if (branches == NULL)
    return fail (error->message);
  folded = sapa_text_fold (name);
  for (guint i = 0; i < branches->len; i++)
    {
      g_autofree char *other = sapa_text_fold (sapa_record_get_string (g_ptr_array_index (branches, i), "name"));

      if (g_str_equal (other, folded))
        {
          g_autofree char *message =
            g_strdup_printf (_("A branch called “%s” already exists (id %s). Choose another name."),
                             name, sapa_record_get_id (g_ptr_array_index (branches, i)));
          return fail (message);
        }
    }

  branch = sapa_record_new ("branch");
  sapa_record_set_string (branch, "name", name);
  sapa_record_set_string (branch, "kind", kind);
  sapa_record_set_string (branch, "timezone", timezone);
  if (!sapa_store_save (store, branch, &error))
    return fail (error->message);
  g_print ("%s\n", sapa_record_get_id (branch));
  return 0;
}

/* -- channel --------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *secret;
  gint64      at;
  const char *branch_id;   /* NULL: keep the channel's home branch */
  gboolean    replaced;
} ChannelSecret;

static gboolean
set_channel_cb (sqlite3   *db,
                gpointer   user_data,
                GError   **error)
{
  ChannelSecret *c = user_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM channel WHERE name = ?;", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, c->name, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      c->replaced = rc == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("write the channel's secret"));
      return FALSE;
    }
  rc = sqlite3_prepare_v2 (db, "INSERT INTO channel (name, secret, created_at, branch_id) VALUES (?1, ?2, ?3, ?4) "
                               "ON CONFLICT (name) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, "
                               "branch_id = coalesce (excluded.branch_id, channel.branch_id);",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, c->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, c->secret, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, c->at);
      sqlite3_bind_text (stmt, 4, c->branch_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("write the channel's secret"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_inbound_channel (const char *name)
{
  return name != NULL && sapa_choice_is_valid (sapa_channels, name) &&
         !g_str_equal (name, "walk_in") && !g_str_equal (name, "note");
}

static int
run_channel (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *branch = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *channels = choices_text (sapa_channels, "walk_in", "note");
  g_autoptr(SapaRecord) home = NULL;
  ChannelSecret c = { 0 };
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder"), N_("DIR") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The channel, e.g. whatsapp or email"), N_("CHANNEL") },
    { "branch", 'b', 0, G_OPTION_ARG_STRING, &branch,
      N_("The branch, by id or name, that new customers writing on this channel belong to (without it, every branch sees them)"),
      N_("BRANCH") },
    { NULL }
  };

  context = g_option_context_new ("add");
  g_option_context_set_summary (context, _("Opens a channel for inbound messages and prints its webhook secret (64 hex digits). "
                                           "Running it again for the same channel makes a new secret; the old one stops working."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2 || !g_str_equal (argv[1], "add"))
    return usage_error (context, _("Say what to do: “sapa-server channel add --data DIR --name CHANNEL”."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to use with --data DIR."));
  if (!is_inbound_channel (name))
    {
      g_autofree char *message = g_strdup_printf (_("Say the channel with --name, one of: %s."), channels);
      return usage_error (context, message);
    }

  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);

  if (branch != NULL)
    {
      home = find_branch (store, branch, &error);
      if (home == NULL)
        return fail (error->message);
      c.branch_id = sapa_record_get_id (home);
    }

  secret = sapa_server_random_hex (32);
  c.name = name;
  c.secret = secret;
  c.at = g_get_real_time () / G_USEC_PER_SEC;
  if (!sapa_server_db_write (store, set_channel_cb, &c, &error))
    return fail (error->message);
  if (c.replaced)
    g_printerr (_("Replaced the secret of %s: give the new one to its gateway; the old one no longer works.\n"), name);
  g_print ("%s\n", secret);
  return 0;
}

/* -- seed ------------------------------------------------------------------ */

static gint64
count (SapaStore  *store,
       const char *sql)
{
  sqlite3 *db = sapa_store_acquire_reader (store);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sapa_store_release_reader (store, db);
  return n;
}

static int
run_seed (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *path = NULL;
  gint64 customers = -1;
  gint64 per_customer = 10;
  SapaDemoOptions options = { 0 };
  SapaDemoPrinter progress;
  gint64 started;
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder"), N_("DIR") },
    { "customers", 'n', 0, G_OPTION_ARG_INT64, &customers, N_("How many customers to make"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed: the same seed and day give the same data (default 1)"), N_("S") },
    { "interactions-per-customer", 'i', 0, G_OPTION_ARG_INT64, &per_customer,
      N_("Mean number of timeline entries per customer (default 10)"), N_("M") },
    { "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
      N_("The date the data end at, e.g. 2026-11-23 (default: today, 00:00 UTC)"), N_("ISO-DATE") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Fills the server's database with reproducible demo data (branches, agents, customers and their history) "
                                           "and logs it as changes, so desks receive it when they sync. Demo agents have no password: "
                                           "give one a password with “sapa-server user passwd” to sign in as them."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("Unexpected argument. Options start with “--”."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to fill with --data DIR."));
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
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) end = g_date_time_new_from_iso8601 (now_text, utc);

      if (end == NULL)
        {
          /* A date alone: midnight UTC */
          g_autofree char *with_time = g_strconcat (now_text, "T00:00:00Z", NULL);
          end = g_date_time_new_from_iso8601 (with_time, utc);
        }
      if (end == NULL)
        return usage_error (context, _("Give --now as a date like 2026-11-23 or a time like 2026-11-23T09:00:00Z."));
      options.now = g_date_time_to_unix (end);
    }
  else
    {
      g_autoptr(GDateTime) today = g_date_time_new_now_utc ();
      options.now = g_date_time_to_unix (today) - g_date_time_to_unix (today) % (24 * 3600);
    }

  /* Check that this is server data, then let the generator have the file to itself. */
  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);
  g_clear_object (&store);

  started = g_get_monotonic_time ();
  sapa_demo_printer_start (&progress);
  path = sapa_server_db_path (data_dir);
  if (!sapa_demo_generate (path, &options, sapa_demo_printer_progress, &progress, &error))
    {
      sapa_demo_printer_finish (&progress);
      return fail (error->message);
    }
  sapa_demo_printer_finish (&progress);
  g_printerr ("%s\n", _("Logging the demo data as changes for desks to pull…"));

  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);
  if (!sapa_store_log_existing (store, &error))
    {
      g_prefix_error (&error, "%s ", _("The demo data are in the database but not yet logged for sync; run “seed” on a new data folder."));
      return fail (error->message);
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %u customer to %s in %.1f s:\n",
                        "Wrote %u customers to %s in %.1f s:\n", options.customers),
           options.customers, data_dir, (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  {
    struct { const char *sql; const char *label; } lines[] = {
      /* Translators: lines of the seed summary, after a number */
      { "SELECT count(*) FROM branch;", N_("branches") },
      { "SELECT count(*) FROM agent;", N_("agents") },
      { "SELECT count(*) FROM customer;", N_("customers") },
      { "SELECT count(*) FROM conversation;", N_("conversations") },
      { "SELECT count(*) FROM interaction;", N_("timeline entries") },
      { "SELECT count(*) FROM survey_response;", N_("survey responses") },
      { "SELECT count(*) FROM change_log;", N_("changes ready for desks to pull") },
    };

    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      g_print ("%10" G_GINT64_FORMAT " %s\n", count (store, lines[i].sql), _(lines[i].label));
  }
  g_print ("%s\n", _("Demo agents have no password yet: give one with “sapa-server user passwd --data DIR --username NAME” (see “user list”)."));
  return 0;
}

/* -- metrics zone ----------------------------------------------------------- */

static int
run_metrics_zone (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *current = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("The server's data folder"), N_("DIR") },
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, N_("The time zone whose days the figures are kept by, e.g. Asia/Jakarta"), N_("TZ") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Prints, or with --zone sets, the time zone whose days the dashboard figures are kept by. "
                                  "Figures asked for in a zone with the same offset are answered from daily rollups."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (context, _("Say only the data folder and, to change it, the zone: “sapa-server metrics-zone --data DIR --zone TZ”."));
  if (data_dir == NULL)
    return usage_error (context, _("Say which data folder to use with --data DIR."));
  if (zone != NULL)
    {
      tz = g_time_zone_new_identifier (zone);
      if (tz == NULL)
        return usage_error (context, _("Unknown time zone. Use a name like Asia/Jakarta, Asia/Makassar or Asia/Jayapura."));
    }

  store = open_data (data_dir, &error);
  if (store == NULL)
    return fail (error->message);
  if (tz != NULL && !sapa_metrics_set_zone (store, tz, &error))
    return fail (error->message);
  current = sapa_metrics_dup_zone (store);
  g_print ("%s\n", current != NULL ? current : "UTC");
  return 0;
}

/* -- dispatch -------------------------------------------------------------- */

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "init", run_init },
  { "user", run_user },
  { "branch", run_branch },
  { "channel", run_channel },
  { "seed", run_seed },
  { "metrics-zone", run_metrics_zone },
};

gboolean
sapa_server_admin_is_command (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return TRUE;
  return FALSE;
}

int
sapa_server_admin_run (int    argc,
                       char **argv)
{
  if (argc < 1 || argv[0] == NULL)
    return usage_error (NULL, _("Say what to do: init, user, branch, channel, seed, metrics-zone or serve."));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, argv[0]))
      {
        /* Option help shows "sapa-server user ..." */
        g_autofree char *prgname = g_strdup_printf ("sapa-server %s", argv[0]);
        g_autofree char *old = g_strdup (g_get_prgname ());
        int status;

        g_set_prgname (prgname);
        status = commands[i].run (argc, argv);
        if (old != NULL)
          g_set_prgname (old);
        return status;
      }
  {
    g_autofree char *message = g_strdup_printf (_("Unknown command “%s”. Use init, user, branch, channel, seed, metrics-zone or serve."), argv[0]);
    return usage_error (NULL, message);
  }
}
