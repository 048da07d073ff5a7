/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa.h>

/* Records for the metrics tests, saved through the store as the desk saves
 * them. Times are Unix seconds; NULL leaves a field unset. */

#define METRICS_TEST_UNSET G_MININT64

static inline void
metrics_test_save_survey (SapaStore  *store,
                          const char *kind,
                          int         score,
                          const char *branch,
                          const char *channel,
                          const char *agent,
                          gint64      at)
{
  g_autoptr(SapaRecord) r = sapa_record_new ("survey_response");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (r, "kind", kind);
  sapa_record_set_int (r, "score", score);
  if (branch != NULL)
    sapa_record_set_string (r, "branch_id", branch);
  if (channel != NULL)
    sapa_record_set_string (r, "channel", channel);
  if (agent != NULL)
    sapa_record_set_string (r, "agent_id", agent);
  sapa_record_set_string (r, "collected_via", "kiosk");
  sapa_record_set_int (r, "collected_at", at);
  g_assert_true (sapa_store_save (store, r, &error));
  g_assert_no_error (error);
}

/* An inbound interaction of customer "cust-1"; @ended METRICS_TEST_UNSET: none. */
static inline void
metrics_test_save_interaction (SapaStore  *store,
                               const char *conversation_id,
                               const char *channel,
                               const char *author,
                               gint64      started,
                               gint64      ended)
{
  g_autoptr(SapaRecord) r = sapa_record_new ("interaction");
  g_autoptr(GError) error = NULL;

  if (conversation_id != NULL)
    sapa_record_set_string (r, "conversation_id", conversation_id);
  sapa_record_set_string (r, "customer_id", "cust-1");
  sapa_record_set_string (r, "channel", channel);
  sapa_record_set_string (r, "direction", "inbound");
  if (author != NULL)
    sapa_record_set_string (r, "author_id", author);
  sapa_record_set_int (r, "started_at", started);
  if (ended != METRICS_TEST_UNSET)
    sapa_record_set_int (r, "ended_at", ended);
  g_assert_true (sapa_store_save (store, r, &error));
  g_assert_no_error (error);
}
