/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

typedef enum {
  SAPA_LOOKUP_QUERY_EMPTY,
  SAPA_LOOKUP_QUERY_TOO_SHORT,  /* fewer than 2 characters, or fewer than 4 digits of a phone */
  SAPA_LOOKUP_QUERY_SEARCH,
} SapaLookupQuery;

/* What a search text asks for; no display needed. */
SapaLookupQuery sapa_lookup_classify_query (const char *text);

/* Which field of a new customer a search text fills: "phone" (digits),
 * "email" (has '@') or "full_name". */
const char     *sapa_lookup_guess_field    (const char *text);

#define SAPA_TYPE_LOOKUP_PAGE (sapa_lookup_page_get_type ())
G_DECLARE_FINAL_TYPE (SapaLookupPage, sapa_lookup_page, SAPA, LOOKUP_PAGE, GtkWidget)

GtkWidget   *sapa_lookup_page_new              (void);
SapaStore   *sapa_lookup_page_get_store        (SapaLookupPage *self);
void         sapa_lookup_page_set_store        (SapaLookupPage *self,
                                                SapaStore      *store);
/* Focuses the search entry and selects its text. */
void         sapa_lookup_page_focus_search     (SapaLookupPage *self);
GtkEditable *sapa_lookup_page_get_search_entry (SapaLookupPage *self);
GtkListView *sapa_lookup_page_get_list_view    (SapaLookupPage *self);
/* The hits shown (SapaRecord), as a GtkSingleSelection. */
GtkSingleSelection *sapa_lookup_page_get_selection (SapaLookupPage *self);
/* The "Create Customer" button of the no-results state. */
GtkButton   *sapa_lookup_page_get_create_button (SapaLookupPage *self);
/* "empty", "short", "searching", "results", "none" or "error". */
const char  *sapa_lookup_page_get_state        (SapaLookupPage *self);
/* TRUE when the "type more to narrow" note shows: more customers matched
 * than are listed. */
gboolean     sapa_lookup_page_get_truncated    (SapaLookupPage *self);
/* TRUE while a search for the current text is scheduled or running. */
gboolean     sapa_lookup_page_is_busy          (SapaLookupPage *self);

G_END_DECLS
