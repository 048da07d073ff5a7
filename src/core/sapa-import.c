/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sapa/sapa-import.h>
#include <sapa/sapa-labels.h>
#include <sapa/sapa-text.h>

G_DEFINE_QUARK (sapa-import-error-quark, sapa_import_error)

/* -- CSV (RFC 4180) ------------------------------------------------------ */

typedef struct {
  guint      line;          /* where the row starts, 1-based */
  GPtrArray *fields;        /* char*, raw bytes (not yet checked for UTF-8) */
  gboolean   unterminated;  /* a quoted field runs to the end of the file */
} CsvRow;

static void
csv_row_free (gpointer data)
{
  CsvRow *row = data;

  g_ptr_array_unref (row->fields);
  g_free (row);
}

/* Splits @data into rows of fields: fields separated by commas, rows by LF or
 * CRLF; a field in double quotes may hold commas, line breaks and doubled
 * quotes. Blank lines are skipped. */
static GPtrArray *
csv_parse (const char *data,
           gsize       length)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (csv_row_free);
  const char *p = data;
  const char *end = data + length;
  guint line = 1;

  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end)
    {
      CsvRow *row = g_new0 (CsvRow, 1);
      gboolean row_done = FALSE;

      row->line = line;
      row->fields = g_ptr_array_new_with_free_func (g_free);

      while (!row_done)
        {
          GString *field = g_string_new (NULL);

          if (p < end && *p == '"')
            {
              p++;
              for (;;)
                {
                  if (p >= end)
                    {
                      row->unterminated = TRUE;
                      break;
                    }
                  if (*p == '"')
                    {
                      if (p + 1 < end && p[1] == '"')
                        {
                          g_string_append_c (field, '"');
                          p += 2;
                          continue;
                        }
                      p++;
                      break;
                    }
                  if (*p == '\n')
                    line++;
                  g_string_append_c (field, *p++);
                }
              /* Text after the closing quote is kept, as spreadsheets do. */
              while (p < end && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == end || p[1] == '\n')))
                g_string_append_c (field, *p++);
            }
          else
            {
              while (p < end && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == end || p[1] == '\n')))
                g_string_append_c (field, *p++);
            }
          g_ptr_array_add (row->fields, g_string_free (field, FALSE));

          if (p < end && *p == ',')
            p++;
          else
            {
              if (p < end && *p == '\r')
                p++;
              if (p < end && *p == '\n')
                {
                  p++;
                  line++;
                }
              row_done = TRUE;
            }
        }

      if (row->fields->len == 1 && *(const char *) g_ptr_array_index (row->fields, 0) == '\0' &&
          !row->unterminated)
        csv_row_free (row);   /* a blank line */
      else
        g_ptr_array_add (rows, row);
    }
  return rows;
}

/* -- import ------------------------------------------------------------- */

enum { COL_NAME, COL_PHONE, COL_EMAIL, COL_ACCOUNT, COL_SEGMENT, COL_LANGUAGE, COL_TAGS, N_COLS };

static const struct {
  const char *names[4];
} column_names[N_COLS] = {
  [COL_NAME] = { { "name", "full_name", "full name", NULL } },
  [COL_PHONE] = { { "phone", "phones", NULL } },
  [COL_EMAIL] = { { "email", "emails", "e-mail", NULL } },
  [COL_ACCOUNT] = { { "account", "account_number", "account number", "member" } },
  [COL_SEGMENT] = { { "segment", NULL } },
  [COL_LANGUAGE] = { { "language", "preferred_language", NULL } },
  [COL_TAGS] = { { "tags", "tag", NULL } },
};

static int
column_for (const char *header)
{
  g_autofree char *folded = g_utf8_strdown (header, -1);

  g_strstrip (folded);
  for (int c = 0; c < N_COLS; c++)
    for (guint i = 0; i < G_N_ELEMENTS (column_names[c].names) && column_names[c].names[i]; i++)
      if (g_str_equal (folded, column_names[c].names[i]))
        return c;
  return -1;
}

static void
add_problem (SapaImportReport *report,
             guint             line,
             char             *message)   /* taken */
{
  SapaImportProblem *problem = g_new0 (SapaImportProblem, 1);

  problem->line = line;
  problem->message = message;
  g_ptr_array_add (report->problems, problem);
}

static void
problem_free (gpointer data)
{
  SapaImportProblem *problem = data;

  g_free (problem->message);
  g_free (problem);
}

void
sapa_import_report_free (SapaImportReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->problems);
  g_free (report);
}

/* A choice given as its code ("vip") or its label in either language ("VIP", "Prioritas"). */
static const char *
match_choice (const char * const *choices,
              const char *(*label) (const char *),
              const char          *value)
{
  g_autofree char *folded = sapa_text_fold (value);

  for (guint i = 0; choices[i] != NULL; i++)
    {
      g_autofree char *code = sapa_text_fold (choices[i]);
      g_autofree char *translated = sapa_text_fold (label (choices[i]));

      if (g_str_equal (folded, code) || g_str_equal (folded, translated))
        return choices[i];
    }
  /* Common English and Indonesian names of the languages */
  if (choices == sapa_languages)
    {
      if (g_str_equal (folded, "indonesian") || g_str_equal (folded, "bahasa indonesia") ||
          g_str_equal (folded, "indonesia") || g_str_equal (folded, "bahasa"))
        return "id";
      if (g_str_equal (folded, "english") || g_str_equal (folded, "inggris") ||
          g_str_equal (folded, "bahasa inggris"))
        return "en";
    }
  return NULL;
}

static char *
choices_text (const char * const *choices)
{
  return g_strjoinv (", ", (char **) choices);
}

typedef struct {
  GHashTable *phones;     /* normalised -> GUINT line */
  GHashTable *emails;
  GHashTable *accounts;
} SeenInFile;

enum { DUP_PHONE, DUP_EMAIL, DUP_ACCOUNT };

static char *
duplicate_in_file (int         kind,
                   const char *value,
                   guint       line)
{
  switch (kind)
    {
    case DUP_PHONE:
      /* Translators: %s is a phone number, %u the line of the file where it came first */
      return g_strdup_printf (_("Phone %s is already on line %u of this file."), value, line);
    case DUP_EMAIL:
      /* Translators: %s is an email address, %u the line of the file where it came first */
      return g_strdup_printf (_("Email %s is already on line %u of this file."), value, line);
    default:
      /* Translators: %s is an account number, %u the line of the file where it came first */
      return g_strdup_printf (_("Account %s is already on line %u of this file."), value, line);
    }
}

static char *
duplicate_existing (int         kind,
                    const char *value,
                    const char *name)
{
  switch (kind)
    {
    case DUP_PHONE:
      /* Translators: a phone number, then the name of the customer who has it */
      return g_strdup_printf (_("Phone %s already belongs to the customer “%s”."), value, name);
    case DUP_EMAIL:
      /* Translators: an email address, then the name of the customer who has it */
      return g_strdup_printf (_("Email %s already belongs to the customer “%s”."), value, name);
    default:
      /* Translators: an account number, then the name of the customer who has it */
      return g_strdup_printf (_("Account %s already belongs to the customer “%s”."), value, name);
    }
}

/* The first earlier row of the file or existing customer that has one of
 * @values, as a problem message in *problem. FALSE only when the database
 * could not be read. */
static gboolean
find_duplicate (SapaStore   *store,
                GHashTable  *seen,
                GStrv        values,
                int          kind,
                char       **problem,
                GError     **error)
{
  for (guint i = 0; values[i] != NULL && *problem == NULL; i++)
    {
      gpointer line;
      g_autoptr(GPtrArray) existing = NULL;

      if (g_hash_table_lookup_extended (seen, values[i], NULL, &line))
        {
          *problem = duplicate_in_file (kind, values[i], GPOINTER_TO_UINT (line));
          break;
        }
      switch (kind)
        {
        case DUP_PHONE: existing = sapa_store_find_customers_by_phone (store, values[i], error); break;
        case DUP_EMAIL: existing = sapa_store_find_customers_by_email (store, values[i], error); break;
        default: existing = sapa_store_find_customers_by_account (store, values[i], error); break;
        }
      if (existing == NULL)
        return FALSE;
      if (existing->len > 0)
        *problem = duplicate_existing (kind, values[i],
                                       sapa_record_get_string (g_ptr_array_index (existing, 0), "full_name"));
    }
  return TRUE;
}

/* The trimmed text of a cell, or NULL when it is absent or blank. */
static char *
cell_value (const char *cell)
{
  char *value;

  if (cell == NULL)
    return NULL;
  value = g_strstrip (g_strdup (cell));
  if (*value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static void
remember (GHashTable *seen,
          GStrv       values,
          guint       line)
{
  for (guint i = 0; values[i] != NULL; i++)
    if (!g_hash_table_contains (seen, values[i]))
      g_hash_table_insert (seen, g_strdup (values[i]), GUINT_TO_POINTER (line));
}

/* Checks one row; returns the customer or NULL with *problem set (or
 * @error for a database failure). */
static SapaRecord *
row_to_customer (SapaStore    *store,
                 const CsvRow *row,
                 const int    *columns,    /* field index -> COL_* or -1 */
                 guint         n_header,
                 SeenInFile   *seen,
                 const char   *branch_id,
                 gint64        now,
                 char        **problem,
                 GError      **error)
{
  const char *cells[N_COLS] = { NULL };
  g_autoptr(GStrvBuilder) phones_b = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) emails_b = g_strv_builder_new ();
  g_auto(GStrv) phones = NULL, emails = NULL, accounts = NULL, tags = NULL;
  g_auto(GStrv) raw_phones = NULL, raw_emails = NULL;
  g_autofree char *name = NULL, *account = NULL, *trimmed = NULL;
  const char *segment = "regular", *language = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) local_error = NULL;

  if (row->unterminated)
    {
      *problem = g_strdup (_("A quoted value is not closed: add the missing double quote (\")."));
      return NULL;
    }
  if (row->fields->len != n_header)
    {
      *problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "The row has %u value but the header has %u columns: check for a missing or extra comma.",
                                               "The row has %u values but the header has %u columns: check for a missing or extra comma.",
                                               row->fields->len),
                                  row->fields->len, n_header);
      return NULL;
    }
  for (guint i = 0; i < row->fields->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (row->fields, i), -1, NULL))
      {
        *problem = g_strdup (_("The row is not valid UTF-8 text: save the file as “CSV UTF-8” and import it again."));
        return NULL;
      }
  for (guint i = 0; i < row->fields->len; i++)
    if (columns[i] >= 0)
      cells[columns[i]] = g_ptr_array_index (row->fields, i);

  name = g_strstrip (g_strdup (cells[COL_NAME] ? cells[COL_NAME] : ""));
  if (*name == '\0')
    {
      *problem = g_strdup (_("The name is empty: every customer needs a name."));
      return NULL;
    }

  raw_phones = sapa_text_split (cells[COL_PHONE], ";");
  for (guint i = 0; raw_phones[i] != NULL; i++)
    {
      g_autofree char *norm = sapa_phone_normalize (raw_phones[i], &local_error);

      if (norm == NULL)
        {
          /* Translators: the first %s is the phone number from the file, the second why it was refused */
          *problem = g_strdup_printf (_("Phone “%s”: %s"), raw_phones[i], local_error->message);
          return NULL;
        }
      g_strv_builder_add (phones_b, norm);
    }
  phones = g_strv_builder_end (phones_b);

  raw_emails = sapa_text_split (cells[COL_EMAIL], ";");
  for (guint i = 0; raw_emails[i] != NULL; i++)
    {
      g_autofree char *norm = sapa_email_normalize (raw_emails[i], &local_error);

      if (norm == NULL)
        {
          /* Translators: the first %s is the email address from the file, the second why it was refused */
          *problem = g_strdup_printf (_("Email “%s”: %s"), raw_emails[i], local_error->message);
          return NULL;
        }
      g_strv_builder_add (emails_b, norm);
    }
  emails = g_strv_builder_end (emails_b);

  if ((trimmed = cell_value (cells[COL_ACCOUNT])) != NULL)
    {
      account = sapa_account_normalize (trimmed, &local_error);
      if (account == NULL)
        {
          /* Translators: the first %s is the account number from the file, the second why it was refused */
          *problem = g_strdup_printf (_("Account “%s”: %s"), trimmed, local_error->message);
          return NULL;
        }
    }
  accounts = g_strdupv ((char *[]) { account, NULL });

  g_clear_pointer (&trimmed, g_free);
  if ((trimmed = cell_value (cells[COL_SEGMENT])) != NULL)
    {
      segment = match_choice (sapa_segments, sapa_label_segment, trimmed);
      if (segment == NULL)
        {
          g_autofree char *valid = choices_text (sapa_segments);
          /* Translators: %s is the segment from the file, then the list of valid segments */
          *problem = g_strdup_printf (_("Unknown segment “%s”: use one of %s."), trimmed, valid);
          return NULL;
        }
    }
  g_clear_pointer (&trimmed, g_free);
  if ((trimmed = cell_value (cells[COL_LANGUAGE])) != NULL)
    {
      language = match_choice (sapa_languages, sapa_label_language, trimmed);
      if (language == NULL)
        {
          g_autofree char *valid = choices_text (sapa_languages);
          /* Translators: %s is the language from the file, then the list of valid language codes */
          *problem = g_strdup_printf (_("Unknown language “%s”: use one of %s."), trimmed, valid);
          return NULL;
        }
    }
  tags = sapa_text_split (cells[COL_TAGS], ";");

  if (!find_duplicate (store, seen->phones, phones, DUP_PHONE, problem, error) ||
      !find_duplicate (store, seen->emails, emails, DUP_EMAIL, problem, error) ||
      !find_duplicate (store, seen->accounts, accounts, DUP_ACCOUNT, problem, error) ||
      *problem != NULL)
    return NULL;

  customer = sapa_record_new ("customer");
  sapa_record_set_string (customer, "full_name", name);
  sapa_record_set_list (customer, "phones", (const char * const *) phones);
  sapa_record_set_list (customer, "emails", (const char * const *) emails);
  sapa_record_set_string (customer, "account_number", account);
  sapa_record_set_string (customer, "segment", segment);
  sapa_record_set_string (customer, "preferred_language", language);
  sapa_record_set_list (customer, "tags", (const char * const *) tags);
  sapa_record_set_string (customer, "branch_id", branch_id);
  sapa_record_set_int (customer, "created_at", now);

  if (!sapa_record_validate (customer, &local_error))
    {
      *problem = g_strdup (local_error->message);
      return NULL;
    }

  remember (seen->phones, phones, row->line);
  remember (seen->emails, emails, row->line);
  remember (seen->accounts, accounts, row->line);
  return g_steal_pointer (&customer);
}

SapaImportReport *
sapa_import_customers_csv (SapaStore   *store,
                           const char  *csv_path,
                           GError     **error)
{
  g_autoptr(SapaImportReport) report = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *contents = NULL;
  g_autofree int *columns = NULL;
  g_autofree char *branch_id = NULL;
  gsize length = 0;
  gboolean seen_column[N_COLS] = { FALSE };
  const CsvRow *header;
  SeenInFile seen;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (csv_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (csv_path, &contents, &length, &local_error))
    {
      g_set_error (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_UNREADABLE,
                   /* Translators: %s is the reason from the system, e.g. "No such file or directory" */
                   _("Could not read the CSV file: %s. Check the file name and that you may read it."),
                   local_error->message);
      return NULL;
    }

  rows = csv_parse (contents, length);
  if (rows->len == 0)
    {
      g_set_error_literal (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_EMPTY,
                           _("The CSV file is empty. It needs a header row (name, phone, email, …) and one row per customer."));
      return NULL;
    }

  header = g_ptr_array_index (rows, 0);
  for (guint i = 0; i < header->fields->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (header->fields, i), -1, NULL))
      {
        g_set_error_literal (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_UNREADABLE,
                             _("The header row is not valid UTF-8 text: save the file as “CSV UTF-8” and import it again."));
        return NULL;
      }

  report = g_new0 (SapaImportReport, 1);
  report->problems = g_ptr_array_new_with_free_func (problem_free);

  columns = g_new0 (int, header->fields->len);
  for (guint i = 0; i < header->fields->len; i++)
    {
      const char *title = g_ptr_array_index (header->fields, i);
      int c = column_for (title);

      if (c >= 0 && seen_column[c])
        {
          /* Translators: %s is a column title of the CSV file */
          add_problem (report, header->line, g_strdup_printf (_("The column “%s” appears twice; only the first is read."), title));
          c = -1;
        }
      else if (c < 0)
        add_problem (report, header->line,
                     /* Translators: %s is a column title of the CSV file */
                     g_strdup_printf (_("Unknown column “%s” is ignored. Known columns: name, phone, email, account, segment, language, tags."),
                                      title));
      else
        seen_column[c] = TRUE;
      columns[i] = c;
    }
  if (!seen_column[COL_NAME])
    {
      g_set_error_literal (error, SAPA_IMPORT_ERROR, SAPA_IMPORT_ERROR_MISSING_COLUMN,
                           _("The CSV file has no “name” column. Add a header row with at least a name column (name, phone, email, account, segment, language, tags)."));
      return NULL;
    }

  seen.phones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  seen.emails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  seen.accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  branch_id = sapa_store_dup_meta (store, "branch_id");

  for (guint r = 1; r < rows->len; r++)
    {
      const CsvRow *row = g_ptr_array_index (rows, r);
      char *problem = NULL;
      SapaRecord *customer = row_to_customer (store, row, columns, header->fields->len, &seen,
                                              branch_id, now, &problem, &local_error);

      if (local_error != NULL)
        break;
      if (customer != NULL)
        g_ptr_array_add (customers, customer);
      else
        add_problem (report, row->line, problem);
    }
  g_hash_table_unref (seen.phones);
  g_hash_table_unref (seen.emails);
  g_hash_table_unref (seen.accounts);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (customers->len > 0 && !sapa_store_save_all (store, customers, error))
    return NULL;
  report->imported = customers->len;
  return g_steal_pointer (&report);
}
