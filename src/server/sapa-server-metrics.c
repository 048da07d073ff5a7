/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include <sapa/sapa-metrics.h>

#include "sapa-server.h"
#include "sapa-server-private.h"

/* The longest range one request may ask for. */
#define METRICS_MAX_DAYS 1000

/*
 * GET /api/v1/metrics?from&to&branch&channel&agent&tz
 *
 * from and to: ISO 8601, either a date and time ("2026-11-01T00:00:00+07:00";
 * without an offset the time is in tz) or a date alone ("2026-11-01", that
 * day's midnight in tz). The range is [from, to). tz: an IANA zone name,
 * "UTC" by default; days and hours of the week are counted in it.
 *
 * Scope: an agent sees only their own figures (agent is forced to them;
 * another agent is 403). A supervisor sees one of their branches at a time:
 * branch must be one of theirs (403 otherwise); left out, their only branch
 * is used, and with several the request is refused (400) naming them, since
 * figures such as the median response time cannot be added across branches.
 * Admins see everything.
 */

static GDateTime *
parse_time (const char *text,
            GTimeZone  *tz)
{
  if (text == NULL || *text == '\0')
    return NULL;
  if (strlen (text) == 10 && text[4] == '-' && text[7] == '-')
    {
      guint64 y, m, d;
      g_autofree char *year = g_strndup (text, 4);
      g_autofree char *month = g_strndup (text + 5, 2);
      g_autofree char *day = g_strndup (text + 8, 2);

      if (!g_ascii_string_to_unsigned (year, 10, 1, 9999, &y, NULL) ||
          !g_ascii_string_to_unsigned (month, 10, 1, 12, &m, NULL) ||
          !g_ascii_string_to_unsigned (day, 10, 1, 31, &d, NULL) ||
          !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        return NULL;
      return g_date_time_new (tz, (int) y, (int) m, (int) d, 0, 0, 0);
    }
  return g_date_time_new_from_iso8601 (text, tz);
}

static const char *
query_value (SapaRequest *req,
             const char  *name)
{
  const char *value = req->query ? g_hash_table_lookup (req->query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
principal_has_branch (const SapaPrincipal *principal,
                      const char          *branch_id)
{
  if (principal->branches != NULL)
    for (guint i = 0; i < principal->branches->len; i++)
      if (g_strcmp0 (g_ptr_array_index (principal->branches, i), branch_id) == 0)
        return TRUE;
  return g_strcmp0 (principal->branch_id, branch_id) == 0;
}

void
sapa_route_metrics (SapaRequest *req)
{
  const char *from_text = query_value (req, "from");
  const char *to_text = query_value (req, "to");
  const char *tz_name = query_value (req, "tz");
  const char *branch = query_value (req, "branch");
  const char *channel = query_value (req, "channel");
  const char *agent = query_value (req, "agent");
  const SapaPrincipal *who = req->principal;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autoptr(SapaMetricsFilter) filter = NULL;
  g_autoptr(SapaMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from_s, to_s;

  tz = g_time_zone_new_identifier (tz_name ? tz_name : "UTC");
  if (tz == NULL)
    {
      g_autofree char *message = g_strdup_printf ("“tz” must be an IANA time zone such as Asia/Jakarta; "
                                                  "“%s” is not known here", tz_name);
      sapa_request_error (req, 400, message);
      return;
    }
  if (from_text == NULL || to_text == NULL)
    {
      sapa_request_error (req, 400, "Send “from” and “to” as ISO 8601 dates or times, "
                                    "e.g. from=2026-11-01&to=2026-12-01");
      return;
    }
  from = parse_time (from_text, tz);
  to = parse_time (to_text, tz);
  if (from == NULL || to == NULL)
    {
      sapa_request_error (req, 400, "“from” and “to” must be ISO 8601 dates (2026-11-01) or "
                                    "times (2026-11-01T08:00:00+07:00)");
      return;
    }
  from_s = g_date_time_to_unix (from);
  to_s = g_date_time_to_unix (to);
  if (to_s <= from_s)
    {
      sapa_request_error (req, 400, "“to” must come after “from” (the range is [from, to))");
      return;
    }
  if (to_s - from_s > (gint64) METRICS_MAX_DAYS * 86400)
    {
      sapa_request_error (req, 400, "Ask for at most 1000 days at a time");
      return;
    }
  if (channel != NULL && !g_strv_contains (sapa_channels, channel))
    {
      sapa_request_error (req, 400, "“channel” must be one of Sapa's channels (walk_in, phone, email, "
                                    "whatsapp, chat, video, note)");
      return;
    }

  if (sapa_principal_is_admin (who))
    ;
  else if (g_strcmp0 (who->role, "supervisor") == 0)
    {
      if (branch != NULL && !principal_has_branch (who, branch))
        {
          sapa_request_error (req, 403, "You may see the figures of your own branches only");
          return;
        }
      if (branch == NULL)
        {
          guint n = who->branches ? who->branches->len : 0;

          if (n == 1)
            branch = g_ptr_array_index (who->branches, 0);
          else if (n == 0 && who->branch_id != NULL)
            branch = who->branch_id;
          else if (n == 0)
            {
              sapa_request_error (req, 403, "You have no branch; ask an administrator to give you one");
              return;
            }
          else
            {
              g_autoptr(GString) message = g_string_new ("Choose one of your branches with “branch”: ");

              for (guint i = 0; i < n; i++)
                g_string_append_printf (message, "%s%s", i > 0 ? ", " : "",
                                        (const char *) g_ptr_array_index (who->branches, i));
              sapa_request_error (req, 400, message->str);
              return;
            }
        }
    }
  else
    {
      /* An agent (or any other role): their own figures only. */
      if (agent != NULL && g_strcmp0 (agent, who->agent_id) != 0)
        {
          sapa_request_error (req, 403, "You may see your own figures only");
          return;
        }
      if (branch != NULL && !principal_has_branch (who, branch))
        {
          sapa_request_error (req, 403, "You may see the figures of your own branch only");
          return;
        }
      agent = who->agent_id;
    }

  filter = sapa_metrics_filter_new (from_s, to_s, tz);
  sapa_metrics_filter_set_branch (filter, branch);
  sapa_metrics_filter_set_channel (filter, channel);
  sapa_metrics_filter_set_agent (filter, agent);

  /* The route runs in a worker thread (the message is paused meanwhile),
   * so the computation never holds up the server's main loop. */
  metrics = sapa_metrics_compute (req->store, filter, &error);
  if (metrics == NULL)
    {
      g_warning ("Computing metrics failed: %s", error ? error->message : "no reason");
      sapa_request_error (req, 500, "The server could not compute the figures; try again later");
      return;
    }
  sapa_request_answer (req, 200, sapa_metrics_to_json (metrics));
}
