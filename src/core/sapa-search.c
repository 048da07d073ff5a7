/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-search"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <sapa/sapa-search.h>
#include <sapa/sapa-text.h>

#include "sapa-store-private.h"

/*
 * How a lookup runs (see DESIGN.md, "Known traps"):
 *
 * 1. The query is folded in code (case and diacritics) and classified: text
 *    (name words, or email words), a phone or account number (only digits and
 *    phone punctuation), an email (has an '@'), or text mixed with digits
 *    ("budi 0812").
 * 2. Candidates come from bounded index reads only: FTS5 matches of quoted
 *    tokens, newest customers first (ORDER BY rowid DESC, which FTS5 serves
 *    without sorting) and paged by rowid; the digit-suffix ranges of
 *    customer_phone; the address range of customer_email; and the B-tree
 *    lookups for exact matches (folded full name, account number, last four
 *    of the account, whole phone number). The exact lookups are always read,
 *    so an exact match is never lost to the cap. Never ORDER BY rank: over a
 *    short prefix that sorts the whole match set.
 * 3. Candidates are checked and scored in C from a few columns, sorted
 *    (score, last contact, name), and only the hits shown are loaded as
 *    full records.
 */

/* Rows read from each index before ranking. A page of the newest matches is
 * plenty to rank the few dozen hits shown from, and each candidate costs a
 * row read (a few microseconds at a million customers), so the cap is most
 * of a lookup's cost. */
#define CANDIDATE_CAP 128

/* Pages of candidates read from FTS5 while the words checked in C reject
 * most of them ("siti ged" reads "sit"* "ged"*, and Sitompul is no Siti). */
#define MAX_PAGES 4

/* Words given to FTS5; a longer query has its other words checked in C. */
#define MAX_FTS_TOKENS 6

/* Check the cancellable every this many SQLite virtual machine steps. */
#define PROGRESS_STEPS 2000

struct _SapaSearchResult {
  GPtrArray *hits;
  gboolean   truncated;
};

typedef enum {
  QUERY_NONE,
  QUERY_TEXT,
  QUERY_PHONE,
  QUERY_EMAIL,
  QUERY_MIXED,
} QueryKind;

typedef enum {
  SOURCE_FTS          = 1 << 0,
  SOURCE_NAME_EXACT   = 1 << 1,
  SOURCE_NAME_RANGE   = 1 << 2,
  SOURCE_PHONE        = 1 << 3,
  SOURCE_EMAIL        = 1 << 4,
  SOURCE_ACCOUNT      = 1 << 5,
  SOURCE_ACCOUNT_LAST4 = 1 << 6,
} Source;

typedef struct {
  QueryKind  kind;
  char      *folded;       /* the whole query, folded */
  GPtrArray *tokens;       /* folded text tokens (letters and digits runs) */
  GPtrArray *short_tokens; /* the one-letter tokens, left out of the FTS5 query */
  GPtrArray *digit_words;  /* MIXED: runs of 4 or more digits, anywhere in a phone */
  GPtrArray *digit_starts; /* MIXED: runs of 1-3 digits, the start of a phone typed on */
  GPtrArray *fts_reads;    /* FTS5 MATCH expressions read in turn, until the cap */
  char      *fts_plain;    /* every token as a prefix: the bare query */
  gboolean   narrowed;     /* the reads have 3-character heads of longer tokens */
  gboolean   more_if_capped; /* read on when the previous read filled the cap (else when it did not) */
  char      *fts_fallback; /* EMAIL: FTS5 phrase when the address range is empty */
  char      *range_prefix; /* TEXT/MIXED without FTS tokens: name_key prefix */
  char      *digits;       /* PHONE: every digit of the query */
  char      *digits_alt;   /* PHONE: "62" + digits[1:] when digits start with 0 */
  char      *digits_full;  /* PHONE: digits of the normalized number, or NULL */
  char      *email;        /* EMAIL: the query, trimmed and lower case */
  char      *account;      /* upper-case letters and digits, when it has a digit */
} Plan;

/* A customer found by one or more index reads, with the columns it is
 * checked and ranked by once they are loaded. */
typedef struct {
  gint64      num;
  guint       sources;
  int         score;
  const char *matched;
  gboolean    loaded;
  gboolean    exists;       /* loaded, and neither deleted nor merged */
  gboolean    text_checked;
  gboolean    has_contact;
  gint64      last_contact;
  char       *name_key;
  char       *phones;       /* the stored JSON arrays */
  char       *emails;
  char       *account;
} Candidate;

static void
plan_clear (Plan *plan)
{
  g_clear_pointer (&plan->folded, g_free);
  g_clear_pointer (&plan->short_tokens, g_ptr_array_unref);
  g_clear_pointer (&plan->tokens, g_ptr_array_unref);
  g_clear_pointer (&plan->digit_words, g_ptr_array_unref);
  g_clear_pointer (&plan->digit_starts, g_ptr_array_unref);
  g_clear_pointer (&plan->fts_reads, g_ptr_array_unref);
  g_clear_pointer (&plan->fts_plain, g_free);
  g_clear_pointer (&plan->fts_fallback, g_free);
  g_clear_pointer (&plan->range_prefix, g_free);
  g_clear_pointer (&plan->digits, g_free);
  g_clear_pointer (&plan->digits_alt, g_free);
  g_clear_pointer (&plan->digits_full, g_free);
  g_clear_pointer (&plan->email, g_free);
  g_clear_pointer (&plan->account, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

static void
candidate_clear (gpointer data)
{
  Candidate *c = data;

  g_clear_pointer (&c->name_key, g_free);
  g_clear_pointer (&c->phones, g_free);
  g_clear_pointer (&c->emails, g_free);
  g_clear_pointer (&c->account, g_free);
}

static inline gboolean
is_token_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Splits @text into runs of letters, digits and marks, roughly as the FTS5
 * unicode61 tokenizer does; punctuation, spaces and symbols separate. */
static void
split_tokens (const char *text,
              GPtrArray  *out)
{
  const char *p = text;
  const char *start = NULL;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (is_token_char (c))
        {
          if (start == NULL)
            start = p;
        }
      else if (start != NULL)
        {
          g_ptr_array_add (out, g_strndup (start, p - start));
          start = NULL;
        }
      p = next;
    }
  if (start != NULL)
    g_ptr_array_add (out, g_strndup (start, p - start));
}

static gboolean
is_phone_punct (char c)
{
  return c == '+' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/';
}

/* A word of digits and phone punctuation only ("+62", "812-3456", "(021)"). */
static gboolean
is_digit_word (const char *word,
               guint      *n_digits)
{
  guint n = 0;

  for (const char *p = word; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        n++;
      else if (!is_phone_punct (*p))
        return FALSE;
    }
  *n_digits = n;
  return TRUE;
}

static char *
only_digits (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

/* "tok" quoted as an FTS5 string, inner quotes doubled, so nothing a person
 * types is ever read as FTS5 syntax. */
static void
append_fts_string (GString    *expr,
                   const char *text)
{
  g_string_append_c (expr, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (expr, '"');
      g_string_append_c (expr, *p);
    }
  g_string_append_c (expr, '"');
}

/* The smallest string greater than every string starting with @prefix, for
 * range scans on BINARY collation. */
static char *
prefix_upper_bound (const char *prefix)
{
  char *upper = g_strdup (prefix);
  gsize len = strlen (upper);

  g_assert (len > 0);
  g_assert ((guchar) upper[len - 1] < 0xff);
  upper[len - 1] = (char) ((guchar) upper[len - 1] + 1);
  return upper;
}

static char *
account_from_query (const char *query)
{
  GString *s = g_string_new (NULL);
  gboolean has_digit = FALSE;

  for (const char *p = query; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          g_string_append_c (s, g_ascii_toupper (*p));
          has_digit |= g_ascii_isdigit (*p);
        }
      else if (!g_ascii_isspace (*p) && !is_phone_punct (*p))
        {
          /* Anything else (letters outside ASCII, '@', ...) is not an account. */
          g_string_free (s, TRUE);
          return NULL;
        }
    }
  if (!has_digit || s->len < 4)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

static gboolean
plan_build (Plan       *plan,
            const char *query)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (query));
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) text_words = NULL;
  g_autoptr(GString) all_digits = NULL;
  g_autoptr(GString) expr = NULL;
  gboolean only_digit_words = TRUE;
  guint n_fts;
  glong n_chars = 0;

  plan->kind = QUERY_NONE;

  if (!g_utf8_validate (trimmed, -1, NULL) || g_utf8_strlen (trimmed, -1) < 2)
    return FALSE;

  plan->folded = sapa_text_fold (trimmed);
  if (plan->folded == NULL || plan->folded[0] == '\0')
    return FALSE;
  plan->tokens = g_ptr_array_new_with_free_func (g_free);
  plan->short_tokens = g_ptr_array_new ();
  plan->fts_reads = g_ptr_array_new_with_free_func (g_free);

  if (strchr (trimmed, '@') != NULL)
    {
      split_tokens (plan->folded, plan->tokens);
      if (plan->tokens->len == 0)
        return FALSE;
      plan->kind = QUERY_EMAIL;
      plan->email = g_utf8_strdown (trimmed, -1);
      /* Addresses are typed from their start: a range of customer_email.
       * When that finds nothing ("santoso@gm", "@hartono"), one FTS5 phrase
       * whose last token is a prefix, on the emails column; as a phrase it
       * reads positions, so not for one or two letters (every "gmail"). */
      for (guint i = 0; i < plan->tokens->len; i++)
        n_chars += g_utf8_strlen (g_ptr_array_index (plan->tokens, i), -1);
      if (n_chars >= 3)
        {
          expr = g_string_new ("emails : ");
          append_fts_string (expr, plan->folded);
          g_string_append_c (expr, '*');
          plan->fts_fallback = g_string_free (g_steal_pointer (&expr), FALSE);
        }
      return TRUE;
    }

  plan->account = account_from_query (trimmed);

  words = g_strsplit_set (plan->folded, " \t\n\r", -1);
  all_digits = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      guint n_digits;

      if (words[i][0] != '\0' && !is_digit_word (words[i], &n_digits))
        only_digit_words = FALSE;
    }

  if (only_digit_words)
    {
      /* Only digits and phone punctuation: a phone (or account) number, with
       * spaces and dashes wherever the person put them. */
      g_autofree char *normalized = NULL;

      plan->digits = only_digits (plan->folded);
      if (strlen (plan->digits) < 4)
        return FALSE;
      plan->kind = QUERY_PHONE;
      if (plan->digits[0] == '0')
        plan->digits_alt = g_strconcat ("62", plan->digits + 1, NULL);
      normalized = sapa_phone_normalize (trimmed, NULL);
      if (normalized != NULL)
        plan->digits_full = only_digits (normalized);
      return TRUE;
    }

  /* Words with letters, maybe with numbers: "budi 0812". Digit words of four
   * or more digits are phone (or account) parts; shorter ones are the start
   * of a phone number being typed ("budi 08" on the way to "budi 0812"). */
  text_words = g_ptr_array_new ();
  plan->digit_words = g_ptr_array_new_with_free_func (g_free);
  plan->digit_starts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; words[i] != NULL; )
    {
      g_autoptr(GString) run = g_string_new (NULL);
      guint n_digits = 0;
      guint j;

      /* Consecutive digit words are one number: "budi 0812 3456". */
      for (j = i; words[j] != NULL && is_digit_word (words[j], &n_digits); j++)
        {
          g_autofree char *d = only_digits (words[j]);
          g_string_append (run, d);
        }
      if (j > i)
        {
          if (run->len >= 4)
            g_ptr_array_add (plan->digit_words, g_string_free (g_steal_pointer (&run), FALSE));
          else if (run->len > 0)
            g_ptr_array_add (plan->digit_starts, g_string_free (g_steal_pointer (&run), FALSE));
          i = j;
        }
      else
        g_ptr_array_add (text_words, words[i++]);
    }
  for (guint i = 0; i < text_words->len; i++)
    split_tokens (g_ptr_array_index (text_words, i), plan->tokens);
  if (plan->tokens->len == 0 && plan->account == NULL)
    return FALSE;

  if ((plan->digit_words->len > 0 || plan->digit_starts->len > 0) && plan->tokens->len > 0)
    plan->kind = QUERY_MIXED;
  else
    {
      plan->kind = QUERY_TEXT;
      g_clear_pointer (&plan->digit_words, g_ptr_array_unref);
      g_clear_pointer (&plan->digit_starts, g_ptr_array_unref);
      if (plan->tokens->len == 0)
        return TRUE;   /* symbols and digits: only the account lookup */
    }

  /* FTS5 answers a prefix of two or three characters from its prefix index
   * (prefix='2 3'), streaming rowids, so a bounded read costs next to
   * nothing; whole words stream too. A longer prefix it answers by first
   * merging the doclists of every term with that prefix: thousands of rows
   * for a common name, several milliseconds at a million customers, whatever
   * the LIMIT. So the lookup asks FTS5 for the first three characters of
   * longer words (and for whole words) and checks the rest of each prefix in
   * C, as it does one-letter tokens. The plain expression, every token as a
   * prefix, is what the benchmark's bare query runs. */
  n_fts = 0;
  for (guint i = 0; i < plan->tokens->len; i++)
    {
      const char *tok = g_ptr_array_index (plan->tokens, i);
      glong len = g_utf8_strlen (tok, -1);

      if (len < 2)
        g_ptr_array_add (plan->short_tokens, (gpointer) tok);
      else
        {
          n_fts++;
          /* Past a few words, the rest is checked in C. */
          if (len > 3 || n_fts > MAX_FTS_TOKENS)
            plan->narrowed = TRUE;
        }
    }
  n_fts = MIN (n_fts, MAX_FTS_TOKENS);
  if (n_fts > 0)
    {
      g_autoptr(GString) whole = g_string_new (NULL);
      g_autoptr(GString) plain = g_string_new (NULL);
      guint seen = 0;

      expr = g_string_new (NULL);
      for (guint i = 0; i < plan->tokens->len; i++)
        {
          const char *tok = g_ptr_array_index (plan->tokens, i);
          glong len = g_utf8_strlen (tok, -1);
          g_autofree char *head = NULL;

          if (len < 2)
            continue;
          if (seen == n_fts)
            break;
          head = len > 3 ? g_strndup (tok, g_utf8_offset_to_pointer (tok, 3) - tok) : g_strdup (tok);
          if (seen++ > 0)
            {
              g_string_append_c (expr, ' ');
              g_string_append_c (whole, ' ');
              g_string_append_c (plain, ' ');
            }
          append_fts_string (plain, tok);
          g_string_append_c (plain, '*');
          append_fts_string (whole, tok);
          append_fts_string (expr, head);
          g_string_append_c (expr, '*');
        }
      plan->fts_plain = g_string_free (g_steal_pointer (&plain), FALSE);
      if (!plan->narrowed)
        g_ptr_array_add (plan->fts_reads, g_string_free (g_steal_pointer (&expr), FALSE));
      else if (n_fts == 1)
        {
          /* One word: both reads stream a single doclist. */
          g_ptr_array_add (plan->fts_reads, g_string_free (g_steal_pointer (&whole), FALSE));
          g_ptr_array_add (plan->fts_reads, g_string_free (g_steal_pointer (&expr), FALSE));
        }
      else
        {
          /* Several words: an AND reads doclists until it has the cap, so
           * each read costs about a millisecond when matches are sparse.
           * The heads cover every match; only when they fill the cap are the
           * whole words read as well, and then they are dense and cheap. */
          g_ptr_array_add (plan->fts_reads, g_string_free (g_steal_pointer (&expr), FALSE));
          g_ptr_array_add (plan->fts_reads, g_string_free (g_steal_pointer (&whole), FALSE));
          plan->more_if_capped = TRUE;
        }
    }
  else if (n_fts == 0)
    plan->range_prefix = g_strdup (g_ptr_array_index (plan->tokens, 0));

  return TRUE;
}

static inline gboolean
token_char_at (const char  *p,
               const char **next)
{
  if ((guchar) *p < 0x80)
    {
      *next = p + 1;
      return g_ascii_isalnum (*p);
    }
  *next = g_utf8_next_char (p);
  return is_token_char (g_utf8_get_char (p));
}

/* Whether a word of @text (as split_tokens() splits) starts with @tok, or
 * equals it when @whole. Reads @text in place: this runs for every candidate. */
static gboolean
text_has_word (const char *text,
               const char *tok,
               gsize       tok_len,
               gboolean    whole)
{
  const char *p = text;
  const char *next;

  if (text == NULL)
    return FALSE;

  while (*p != '\0')
    {
      const char *start;

      while (*p != '\0' && !token_char_at (p, &next))
        p = next;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && token_char_at (p, &next))
        p = next;
      if ((gsize) (p - start) >= tok_len && memcmp (start, tok, tok_len) == 0
          && (!whole || (gsize) (p - start) == tok_len))
        return TRUE;
    }
  return FALSE;
}

/* Every token of @tokens is a word (or a word prefix) of @a or of @b. */
static gboolean
tokens_in (GPtrArray  *tokens,
           const char *a,
           const char *b,
           gboolean    whole)
{
  if (tokens->len == 0)
    return FALSE;

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);
      gsize len = strlen (t);

      if (!text_has_word (a, t, len, whole) && !text_has_word (b, t, len, whole))
        return FALSE;
    }
  return TRUE;
}

/* Whether a phone of the stored JSON array ["+62...", ...] contains @digits;
 * *full when one of them is exactly that number. */
static gboolean
phones_contain (const char *json,
                const char *digits,
                gboolean   *full)
{
  gsize n = strlen (digits);
  gboolean found = FALSE;

  for (const char *p = json; p != NULL && (p = strstr (p, digits)) != NULL; p++)
    {
      found = TRUE;
      if ((p == json || !g_ascii_isdigit (p[-1])) && !g_ascii_isdigit (p[n]))
        {
          *full = TRUE;
          return TRUE;
        }
    }
  return found;
}

/* A digit word of a phone, with 0... also read as +62...; *full as above. */
static gboolean
phones_contain_local (const char *json,
                      const char *digits,
                      gboolean   *full)
{
  gboolean found;

  *full = FALSE;
  found = phones_contain (json, digits, full);
  if (!*full && digits[0] == '0' && digits[1] != '\0')
    {
      g_autofree char *alt = g_strconcat ("62", digits + 1, NULL);
      found |= phones_contain (json, alt, full);
    }
  return found;
}

typedef struct {
  sqlite3      *db;
  const Plan   *plan;
  guint         limit;
  GArray       *candidates;   /* Candidate */
  GHashTable   *by_num;       /* gint64 num -> index + 1 into candidates */
  sqlite3_stmt *facts;        /* SQL_RANK_COLUMNS */
  gboolean      count_only;   /* the bare query: count rows, keep nothing */
  guint         n_rows;
  guint         n_text_ok;    /* candidates whose words were checked and match */
  gboolean      phone_capped; /* a phone range had more rows than were read */
  gboolean      truncated;
} Gather;

static Candidate *
gather_add (Gather *g,
            gint64  num,
            Source  source)
{
  gpointer value;
  Candidate *c;

  g->n_rows++;
  if (g->count_only)
    return NULL;

  if (g_hash_table_lookup_extended (g->by_num, &num, NULL, &value))
    c = &g_array_index (g->candidates, Candidate, GPOINTER_TO_UINT (value) - 1);
  else
    {
      Candidate fresh = { .num = num };

      g_array_append_val (g->candidates, fresh);
      /* The key has its own allocation: the array moves as it grows. */
      g_hash_table_insert (g->by_num, g_memdup2 (&num, sizeof num),
                           GUINT_TO_POINTER (g->candidates->len));
      c = &g_array_index (g->candidates, Candidate, g->candidates->len - 1);
    }
  c->sources |= source;
  return c;
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  return sapa_store_prepare (db, sql, stmt, _("look up customers"), error);
}

static void
step_failed (sqlite3       *db,
             int            rc,
             GCancellable  *cancellable,
             GError       **error)
{
  if (rc == SQLITE_INTERRUPT && g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The search was cancelled."));
      return;
    }
  sapa_store_set_sqlite_error (error, db, rc, _("look up customers"));
}

/* Runs @sql with the text parameters @a (and @b when not NULL) and the cap as
 * the last parameter; every first column is a customer num. Returns the
 * number of rows read, or -1 on error. */
static int
run_source (Gather        *g,
            const char    *sql,
            const char    *a,
            const char    *b,
            Source         source,
            GCancellable  *cancellable,
            GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int n = 0;
  int param = 1;
  int rc;

  if (!prepare (g->db, sql, &stmt, error))
    return -1;

  sqlite3_bind_text (stmt, param++, a, -1, SQLITE_STATIC);
  if (b != NULL)
    sqlite3_bind_text (stmt, param++, b, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, param, CANDIDATE_CAP + 1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n == CANDIDATE_CAP)
        {
          g->truncated = TRUE;
          break;
        }
      if (source != 0)
        gather_add (g, sqlite3_column_int64 (stmt, 0), source);
      n++;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      step_failed (g->db, rc, cancellable, error);
      n = -1;
    }
  sqlite3_finalize (stmt);
  return n;
}

#define SQL_FTS_PAGE \
  "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?1 AND rowid < ?2" \
  " ORDER BY rowid DESC LIMIT ?3"
#define SQL_NAME_EXACT \
  "SELECT num FROM customer WHERE name_key = ?1 AND deleted = 0 AND merged_into IS NULL" \
  " ORDER BY num DESC LIMIT ?2"
#define SQL_NAME_RANGE \
  "SELECT num FROM customer WHERE name_key >= ?1 AND name_key < ?2" \
  " AND deleted = 0 AND merged_into IS NULL LIMIT ?3"
#define SQL_PHONE_RANGE \
  "SELECT customer_num FROM customer_phone WHERE digits >= ?1 AND digits < ?2 LIMIT ?3"
#define SQL_PHONE_EXISTS \
  "SELECT customer_num FROM customer_phone WHERE digits >= ?1 AND digits < ?2 LIMIT min(?3, 1)"
#define SQL_EMAIL_RANGE \
  "SELECT customer_num FROM customer_email WHERE email >= ?1 AND email < ?2 LIMIT ?3"
#define SQL_ACCOUNT \
  "SELECT num FROM customer WHERE account_number = ?1 AND deleted = 0 AND merged_into IS NULL" \
  " LIMIT ?2"
#define SQL_ACCOUNT_LAST4 \
  "SELECT num FROM customer WHERE account_last4 = ?1 AND account_number IS NOT NULL" \
  " AND deleted = 0 AND merged_into IS NULL ORDER BY num DESC LIMIT ?2"
#define SQL_RANK_COLUMNS \
  "SELECT name_key, phones, emails, account_number, last_contact_at FROM customer" \
  " WHERE num = ?1 AND deleted = 0 AND merged_into IS NULL"

static gboolean
load_facts (Gather        *g,
            Candidate     *c,
            GCancellable  *cancellable,
            GError       **error)
{
  int rc;

  sqlite3_reset (g->facts);
  sqlite3_bind_int64 (g->facts, 1, c->num);
  rc = sqlite3_step (g->facts);
  c->loaded = TRUE;
  if (rc == SQLITE_ROW)
    {
      c->exists = TRUE;
      c->name_key = g_strdup ((const char *) sqlite3_column_text (g->facts, 0));
      c->phones = g_strdup ((const char *) sqlite3_column_text (g->facts, 1));
      c->emails = g_strdup ((const char *) sqlite3_column_text (g->facts, 2));
      c->account = g_strdup ((const char *) sqlite3_column_text (g->facts, 3));
      c->has_contact = sqlite3_column_type (g->facts, 4) != SQLITE_NULL;
      c->last_contact = sqlite3_column_int64 (g->facts, 4);
      if (c->name_key == NULL)
        c->name_key = g_strdup ("");
    }
  else if (rc != SQLITE_DONE)
    {
      step_failed (g->db, rc, cancellable, error);
      return FALSE;
    }
  return TRUE;
}

/* Whether a phone of the stored JSON array starts with @digits as typed in
 * national form ("08" for +628...), in international form without the plus
 * ("628"), or after the country code ("81"). */
static gboolean
phones_start_local (const char *json,
                    const char *digits)
{
  gsize n = strlen (digits);

  for (const char *p = json; p != NULL && *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) || (p > json && g_ascii_isdigit (p[-1])))
        continue;
      /* p is the first digit of a phone */
      if (strncmp (p, digits, n) == 0)
        return TRUE;
      if (strncmp (p, "62", 2) == 0)
        {
          if (digits[0] == '0' && strncmp (p + 2, digits + 1, n - 1) == 0)
            return TRUE;
          if (strncmp (p + 2, digits, n) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* MIXED: the words match the name or addresses, and each run of digits a
 * phone (a part, or the start of one), the account, or an address word.
 * *all_full when every run is a whole phone or account number. */
static gboolean
mixed_matches (const Plan      *plan,
               const Candidate *c,
               gboolean        *all_full)
{
  *all_full = plan->digit_starts->len == 0;
  if (!c->exists || !tokens_in (plan->tokens, c->name_key, c->emails, FALSE))
    return FALSE;

  for (guint i = 0; i < plan->digit_words->len; i++)
    {
      const char *d = g_ptr_array_index (plan->digit_words, i);
      gboolean full = FALSE;

      if (phones_contain_local (c->phones, d, &full))
        *all_full &= full;
      else if (c->account != NULL && g_str_equal (c->account, d))
        ;
      else if (c->account != NULL && strlen (d) == 4 && g_str_has_suffix (c->account, d))
        *all_full = FALSE;
      else if (text_has_word (c->emails, d, strlen (d), FALSE))
        *all_full = FALSE;
      else
        return FALSE;
    }
  for (guint i = 0; i < plan->digit_starts->len; i++)
    {
      const char *d = g_ptr_array_index (plan->digit_starts, i);

      if (!phones_start_local (c->phones, d)
          && !(c->account != NULL && g_str_has_prefix (c->account, d))
          && !text_has_word (c->emails, d, strlen (d), FALSE))
        return FALSE;
    }
  return TRUE;
}

/* Whether the words of the query are word prefixes of the candidate's name or
 * addresses: what FTS5 was not asked (one-letter tokens, the rest of longer
 * words) checked in C. */
static gboolean
text_matches (const Plan      *plan,
              const Candidate *c)
{
  gboolean all_full;

  if (!c->exists)
    return FALSE;
  if (plan->kind == QUERY_MIXED)
    return mixed_matches (plan, c, &all_full);
  if (!plan->narrowed && plan->short_tokens->len == 0)
    return TRUE;
  return tokens_in (plan->narrowed ? plan->tokens : plan->short_tokens,
                    c->name_key, c->emails, FALSE);
}

/* Reads the FTS5 match of @expr newest first in pages of the cap, checking
 * the words in C as it goes, until the page is not full (all read), enough
 * candidates match to fill the hits, or the budget of pages is spent. Sets
 * *capped when more rows were left unread. Without anything to check in C,
 * one page. */
static gboolean
run_fts (Gather        *g,
         const char    *expr,
         gboolean      *capped,
         GCancellable  *cancellable,
         GError       **error)
{
  const Plan *plan = g->plan;
  gboolean check = !g->count_only && (plan->narrowed || plan->short_tokens->len > 0
                                      || plan->kind == QUERY_MIXED);
  /* With four or more digits the phone ranges (read first) already hold the
   * customers with that number; paging on through names that lack it would
   * only load rows to reject them. When those ranges were capped, the digits
   * are common: a second page of names, and the person types on. */
  guint max_pages = !check ? 1
                    : plan->kind != QUERY_MIXED ? MAX_PAGES
                    : plan->digit_words->len > 0 && !g->phone_capped ? 1 : 2;
  sqlite3_stmt *stmt = NULL;
  gint64 before = G_MAXINT64;
  gboolean ok = TRUE;

  *capped = FALSE;
  if (!prepare (g->db, SQL_FTS_PAGE, &stmt, error))
    return FALSE;

  for (guint page = 0; ok && page < max_pages; page++)
    {
      int n = 0;
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, expr, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, before);
      sqlite3_bind_int (stmt, 3, CANDIDATE_CAP + 1);
      *capped = FALSE;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          Candidate *c;

          if (n == CANDIDATE_CAP)
            {
              *capped = TRUE;
              break;
            }
          n++;
          before = sqlite3_column_int64 (stmt, 0);
          c = gather_add (g, before, SOURCE_FTS);
          if (!check || c->text_checked)
            continue;
          if (!c->loaded && !load_facts (g, c, cancellable, error))
            {
              ok = FALSE;
              break;
            }
          c->text_checked = TRUE;
          if (text_matches (plan, c))
            g->n_text_ok++;
        }
      if (ok && rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          step_failed (g->db, rc, cancellable, error);
          ok = FALSE;
        }
      if (!*capped || (check && g->n_text_ok >= g->limit))
        break;
    }
  sqlite3_finalize (stmt);
  if (*capped)
    g->truncated = TRUE;
  return ok;
}

static gboolean
run_phone_range (Gather        *g,
                 const char    *digits,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *upper = prefix_upper_bound (digits);
  int n = run_source (g, SQL_PHONE_RANGE, digits, upper, SOURCE_PHONE, cancellable, error);

  if (n == CANDIDATE_CAP)
    g->phone_capped = TRUE;
  return n >= 0;
}

static gboolean
gather_candidates (Gather        *g,
                   const Plan    *plan,
                   gboolean       bare,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean capped;

  if (!bare && plan->kind == QUERY_MIXED && plan->digit_words->len > 0)
    {
      /* The phone side first: a run of four or more digits is selective,
       * and the name side alone may be capped before reaching them. */
      const char *longest = NULL;

      for (guint i = 0; i < plan->digit_words->len; i++)
        {
          const char *d = g_ptr_array_index (plan->digit_words, i);
          if (longest == NULL || strlen (d) > strlen (longest))
            longest = d;
        }
      if (!run_phone_range (g, longest, cancellable, error))
        return FALSE;
      if (longest[0] == '0')
        {
          g_autofree char *alt = g_strconcat ("62", longest + 1, NULL);
          if (!run_phone_range (g, alt, cancellable, error))
            return FALSE;
        }
      /* Checked now (they are loaded for ranking anyway), so the name side
       * knows how many hits it still has to find. */
      for (guint i = 0; i < g->candidates->len; i++)
        {
          Candidate *c = &g_array_index (g->candidates, Candidate, i);

          if (!load_facts (g, c, cancellable, error))
            return FALSE;
          c->text_checked = TRUE;
          if (text_matches (plan, c))
            g->n_text_ok++;
        }
    }

  if (plan->kind == QUERY_EMAIL)
    {
      /* The exact address sorts first in its range: never lost to the cap. */
      g_autofree char *upper = prefix_upper_bound (plan->email);
      int n = run_source (g, SQL_EMAIL_RANGE, plan->email, upper, SOURCE_EMAIL, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0 && plan->fts_fallback != NULL
          && !run_fts (g, plan->fts_fallback, &capped, cancellable, error))
        return FALSE;
    }
  else if (bare && plan->fts_plain != NULL)
    {
      if (!run_fts (g, plan->fts_plain, &capped, cancellable, error))
        return FALSE;
    }
  else if (plan->fts_reads->len > 0)
    {
      for (guint i = 0; i < plan->fts_reads->len; i++)
        {
          if (!run_fts (g, g_ptr_array_index (plan->fts_reads, i), &capped, cancellable, error))
            return FALSE;
          if (capped != plan->more_if_capped)
            break;
        }
    }
  else if (plan->range_prefix != NULL)
    {
      g_autofree char *upper = prefix_upper_bound (plan->range_prefix);

      if (run_source (g, SQL_NAME_RANGE, plan->range_prefix, upper, SOURCE_NAME_RANGE,
                      cancellable, error) < 0)
        return FALSE;
    }

  if (plan->kind == QUERY_PHONE)
    {
      int n_better = 0;

      /* Four digits are also the last four of accounts, which outrank a part
       * of a phone number: when they alone fill the hits, the phone parts
       * could not be shown, so they are not read (only noted). */
      if (!bare && plan->account != NULL && strlen (plan->account) == 4)
        {
          n_better = run_source (g, SQL_ACCOUNT_LAST4, plan->account, NULL, SOURCE_ACCOUNT_LAST4,
                                 cancellable, error);
          if (n_better < 0)
            return FALSE;
        }
      if ((guint) n_better >= g->limit && !bare)
        {
          if (!g->truncated)
            {
              const char *ranges[] = { plan->digits, plan->digits_alt };

              for (guint i = 0; i < G_N_ELEMENTS (ranges) && ranges[i] != NULL && !g->truncated; i++)
                {
                  g_autofree char *upper = prefix_upper_bound (ranges[i]);
                  int any = run_source (g, SQL_PHONE_EXISTS, ranges[i], upper, 0, cancellable, error);

                  if (any < 0)
                    return FALSE;
                  g->truncated = any > 0;
                }
            }
        }
      else
        {
          if (!run_phone_range (g, plan->digits, cancellable, error))
            return FALSE;
          if (plan->digits_alt != NULL && !run_phone_range (g, plan->digits_alt, cancellable, error))
            return FALSE;
        }
    }

  if (bare)
    return TRUE;

  /* Exact matches straight from the B-tree indexes: never lost to the cap. */
  if (plan->kind == QUERY_TEXT || plan->kind == QUERY_MIXED)
    {
      if (run_source (g, SQL_NAME_EXACT, plan->folded, NULL, SOURCE_NAME_EXACT,
                      cancellable, error) < 0)
        return FALSE;
    }
  if (plan->kind == QUERY_PHONE && plan->digits_full != NULL)
    {
      /* Only the whole number: digits >= D AND digits < D || '0'. */
      g_autofree char *upper = g_strconcat (plan->digits_full, "0", NULL);

      if (run_source (g, SQL_PHONE_RANGE, plan->digits_full, upper, SOURCE_PHONE,
                      cancellable, error) < 0)
        return FALSE;
    }
  if (plan->account != NULL)
    {
      if (run_source (g, SQL_ACCOUNT, plan->account, NULL, SOURCE_ACCOUNT,
                      cancellable, error) < 0)
        return FALSE;
      if (strlen (plan->account) == 4 && plan->kind != QUERY_PHONE
          && run_source (g, SQL_ACCOUNT_LAST4, plan->account, NULL, SOURCE_ACCOUNT_LAST4,
                         cancellable, error) < 0)
        return FALSE;
    }

  return TRUE;
}

#define TAKE(s, m) G_STMT_START { if ((s) > c->score) { c->score = (s); c->matched = (m); } } G_STMT_END

/* Scores @c from its columns; leaves score 0 when it does not match. */
static void
score_candidate (Candidate  *c,
                 const Plan *plan)
{
  const char *phones_json = c->phones;
  const char *emails_json = c->emails;

  c->score = 0;
  c->matched = NULL;
  if (!c->exists)
    return;

  if (c->sources & SOURCE_ACCOUNT)
    TAKE (3, "account");
  if (c->sources & SOURCE_ACCOUNT_LAST4)
    TAKE (2, "account");

  switch (plan->kind)
    {
    case QUERY_EMAIL:
      if (c->sources & (SOURCE_EMAIL | SOURCE_FTS))
        {
          g_autofree char *quoted = g_strdup_printf ("\"%s\"", plan->email);

          TAKE (emails_json != NULL && strstr (emails_json, quoted) != NULL ? 3 : 1, "email");
        }
      break;

    case QUERY_PHONE:
      if (c->sources & SOURCE_PHONE)
        {
          gboolean full = FALSE;

          if (plan->digits_full != NULL)
            phones_contain (phones_json, plan->digits_full, &full);
          if (full)
            TAKE (3, "phone");
          else if (phones_contain_local (phones_json, plan->digits, &full))
            TAKE (full ? 3 : 1, "phone");
        }
      break;

    case QUERY_TEXT:
      if (plan->tokens->len == 0)
        break;
      if (g_str_equal (c->name_key, plan->folded))
        TAKE (3, "name");
      if (tokens_in (plan->tokens, c->name_key, NULL, TRUE))
        TAKE (2, "name");
      else if (tokens_in (plan->tokens, c->name_key, NULL, FALSE))
        TAKE (1, "name");
      else if (c->sources & SOURCE_FTS)
        {
          /* FTS5 matched it, partly or wholly in the email addresses; what
           * it was not asked about (one-letter tokens, the rest of the longer
           * tokens) is checked here. */
          GPtrArray *check = plan->narrowed ? plan->tokens : plan->short_tokens;

          if (check->len == 0 || tokens_in (check, c->name_key, emails_json, FALSE))
            TAKE (1, "email");
        }
      break;

    case QUERY_MIXED:
      {
        gboolean all_full;

        if (mixed_matches (plan, c, &all_full))
          TAKE (all_full && tokens_in (plan->tokens, c->name_key, NULL, TRUE) ? 2 : 1, "name");
      }
      break;

    case QUERY_NONE:
    default:
      g_assert_not_reached ();
    }
}

#undef TAKE

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a;
  const Candidate *y = b;
  int cmp;

  if (x->score != y->score)
    return y->score - x->score;
  if (x->score == 0)
    return x->num < y->num ? -1 : (x->num > y->num ? 1 : 0);   /* never shown */
  if (x->has_contact != y->has_contact)
    return x->has_contact ? -1 : 1;
  if (x->last_contact != y->last_contact)
    return x->last_contact > y->last_contact ? -1 : 1;
  cmp = strcmp (x->name_key, y->name_key);
  if (cmp != 0)
    return cmp;
  return x->num > y->num ? -1 : (x->num < y->num ? 1 : 0);
}

static gboolean
begin_read (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    return FALSE;
  return sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void
end_read (sqlite3 *db)
{
  /* A failed statement may already have ended it. */
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
}

static int
progress_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static SapaSearchResult *
result_new (void)
{
  SapaSearchResult *result = g_new0 (SapaSearchResult, 1);

  result->hits = g_ptr_array_new_with_free_func (g_object_unref);
  return result;
}

GPtrArray *
sapa_search_result_get_hits (SapaSearchResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->hits;
}

gboolean
sapa_search_result_is_truncated (SapaSearchResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return result->truncated;
}

void
sapa_search_result_free (SapaSearchResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->hits);
  g_free (result);
}

static gboolean
rank_and_load (Gather            *g,
               const Plan        *plan,
               guint              limit,
               SapaSearchResult  *result,
               GCancellable      *cancellable,
               GError           **error)
{
  const SapaEntity *entity = sapa_entity_lookup ("customer");
  g_autofree char *load_sql = NULL;
  sqlite3_stmt *stmt = NULL;
  GArray *ranked;
  guint n_matched;
  int rc;

  for (guint i = 0; i < g->candidates->len; i++)
    {
      Candidate *c = &g_array_index (g->candidates, Candidate, i);

      if (!c->loaded && !load_facts (g, c, cancellable, error))
        return FALSE;
      score_candidate (c, plan);
    }

  /* Unmatched candidates (score 0) sort last and are never returned. */
  ranked = g->candidates;
  g_array_sort (ranked, compare_candidates);
  n_matched = 0;
  while (n_matched < ranked->len && g_array_index (ranked, Candidate, n_matched).score > 0)
    n_matched++;

  if (n_matched > limit)
    result->truncated = TRUE;

  load_sql = g_strdup_printf ("SELECT %s FROM customer WHERE num = ?1",
                              sapa_store_select_columns (entity));
  if (!prepare (g->db, load_sql, &stmt, error))
    return FALSE;

  for (guint i = 0; i < MIN (n_matched, limit); i++)
    {
      Candidate *c = &g_array_index (ranked, Candidate, i);

      sqlite3_bind_int64 (stmt, 1, c->num);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          SapaRecord *record = sapa_store_record_from_row (entity, stmt, 0);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_snprintf (buf, sizeof buf, "%d", c->score);
          sapa_record_set_extra (record, "score", buf);
          sapa_record_set_extra (record, "matched", c->matched);
          if (c->has_contact)
            {
              g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, c->last_contact);
              sapa_record_set_extra (record, "last_contact_at", buf);
            }
          g_ptr_array_add (result->hits, record);
        }
      else if (rc != SQLITE_DONE)
        {
          step_failed (g->db, rc, cancellable, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static SapaSearchResult *
search_run (SapaStore     *store,
            const char    *query,
            guint          limit,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(SapaSearchResult) result = result_new ();
  g_auto(Plan) plan = { 0 };
  Gather g = { 0 };
  gboolean own_transaction;
  gboolean ok;

  if (limit == 0)
    limit = SAPA_SEARCH_DEFAULT_LIMIT;

  if (!plan_build (&plan, query))
    return g_steal_pointer (&result);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g.db = sapa_store_acquire_reader (store);
  if (g.db == NULL)
    {
      g_set_error_literal (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_FAILED,
                           _("The customer database cannot be read. Close other programs using it and try again."));
      return NULL;
    }
  g.plan = &plan;
  g.limit = limit;
  g.candidates = g_array_sized_new (FALSE, TRUE, sizeof (Candidate), 2 * CANDIDATE_CAP);
  g_array_set_clear_func (g.candidates, candidate_clear);
  g.by_num = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (cancellable != NULL)
    sqlite3_progress_handler (g.db, PROGRESS_STEPS, progress_cb, cancellable);

  /* One read transaction for all the statements: one snapshot, and the WAL
   * locks are taken once instead of once per candidate row. */
  own_transaction = begin_read (g.db);
  ok = prepare (g.db, SQL_RANK_COLUMNS, &g.facts, error)
       && gather_candidates (&g, &plan, FALSE, cancellable, error)
       && rank_and_load (&g, &plan, limit, result, cancellable, error);
  sqlite3_finalize (g.facts);
  if (own_transaction)
    end_read (g.db);

  if (cancellable != NULL)
    sqlite3_progress_handler (g.db, 0, NULL, NULL);
  sapa_store_release_reader (store, g.db);

  result->truncated |= g.truncated;
  g_array_unref (g.candidates);
  g_hash_table_unref (g.by_num);

  if (!ok)
    return NULL;
  return g_steal_pointer (&result);
}

/**
 * sapa_store_search:
 * @store: a #SapaStore
 * @query: what the person typed
 * @limit: most hits to return, 0 for %SAPA_SEARCH_DEFAULT_LIMIT
 * @error: return location for a #GError
 *
 * Looks customers up by name, phone, email or account number. Reads only
 * bounded index ranges, so it answers in a few milliseconds over a million
 * customers; safe from any thread.
 *
 * Returns: (transfer full): the hits, best first, or %NULL on error
 */
gboolean
sapa_search_query_is_long_enough (const char *query)
{
  g_auto(Plan) plan = { 0 };

  g_return_val_if_fail (query != NULL, FALSE);
  return plan_build (&plan, query);
}

SapaSearchResult *
sapa_store_search (SapaStore   *store,
                   const char  *query,
                   guint        limit,
                   GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return search_run (store, query, limit, NULL, error);
}

typedef struct {
  char  *query;
  guint  limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *d = data;

  g_free (d->query);
  g_free (d);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *d = task_data;
  g_autoptr(GError) error = NULL;
  SapaSearchResult *result;

  result = search_run (source_object, d->query, d->limit, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) sapa_search_result_free);
}

/**
 * sapa_store_search_async:
 *
 * Runs sapa_store_search() in a worker thread. Cancel @cancellable when the
 * person types on: a cancelled lookup stops at its next SQLite step and
 * finishes with %G_IO_ERROR_CANCELLED.
 */
void
sapa_store_search_async (SapaStore           *store,
                         const char          *query,
                         guint                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *d;

  g_return_if_fail (SAPA_IS_STORE (store));
  g_return_if_fail (query != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_store_search_async);
  d = g_new0 (SearchData, 1);
  d->query = g_strdup (query);
  d->limit = limit;
  g_task_set_task_data (task, d, search_data_free);
  g_task_run_in_thread (task, search_thread);
}

SapaSearchResult *
sapa_store_search_finish (SapaStore     *store,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sapa_store_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sapa_store_search_bare_fts:
 *
 * The bare index query a lookup starts from, with the same bound: the FTS5
 * MATCH for names and emails, the digit-suffix range scan for phone numbers.
 * No exact-match lookups, no ranking, no records. The benchmark's floor.
 *
 * Returns: the number of rows the query gave (at most the cap + 1 per range)
 */
guint
sapa_store_search_bare_fts (SapaStore  *store,
                            const char *query,
                            GError    **error)
{
  g_auto(Plan) plan = { 0 };
  Gather g = { 0 };
  gboolean ok;
  guint n;

  g_return_val_if_fail (SAPA_IS_STORE (store), 0);
  g_return_val_if_fail (query != NULL, 0);

  if (!plan_build (&plan, query))
    return 0;

  g.db = sapa_store_acquire_reader (store);
  if (g.db == NULL)
    {
      g_set_error_literal (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_FAILED,
                           _("The customer database cannot be read. Close other programs using it and try again."));
      return 0;
    }
  g.plan = &plan;
  g.candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  g.count_only = TRUE;

  ok = gather_candidates (&g, &plan, TRUE, NULL, error);
  sapa_store_release_reader (store, g.db);
  n = ok ? g.n_rows : 0;
  g_array_unref (g.candidates);
  return n;
}
