/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-store.h>

G_BEGIN_DECLS

/*
 * Customer lookup: name words by prefix without diacritics, phone digits in
 * any formatting (any 4 or more consecutive digits), email by prefix,
 * account/member number in full or by its last 4 characters.
 *
 * Hits are customer records with the extras "score" (3 exact, 2 whole word
 * or last four of the account, 1 prefix or part) and "matched" (name, phone,
 * email, account). Exact matches rank first, then recent activity.
 */

#define SAPA_SEARCH_DEFAULT_LIMIT 50

typedef struct _SapaSearchResult SapaSearchResult;

GPtrArray *sapa_search_result_get_hits      (SapaSearchResult *result);
/* TRUE when more customers matched than were ranked: type more to narrow. */
gboolean   sapa_search_result_is_truncated  (SapaSearchResult *result);
void       sapa_search_result_free          (SapaSearchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaSearchResult, sapa_search_result_free)

/* Whether @query is long enough to search: 2 characters, or 4 digits when
 * it is only a number. The lookup gives no hits for shorter ones. */
gboolean          sapa_search_query_is_long_enough (const char *query);

/* Safe from any thread. An empty or too short query gives no hits. */
SapaSearchResult *sapa_store_search         (SapaStore           *store,
                                             const char          *query,
                                             guint                limit,
                                             GError             **error);
void              sapa_store_search_async   (SapaStore           *store,
                                             const char          *query,
                                             guint                limit,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
SapaSearchResult *sapa_store_search_finish  (SapaStore           *store,
                                             GAsyncResult        *result,
                                             GError             **error);

/* For the benchmark: the bare FTS5 query the lookup builds on, same bound. */
guint             sapa_store_search_bare_fts (SapaStore          *store,
                                              const char         *query,
                                              GError            **error);

G_END_DECLS
