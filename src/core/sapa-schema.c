/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-schema"

#include "config.h"

#include <sqlite3.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"

/*
 * Versioned migrations. Migration N brings a database from user_version N-1
 * to N. Never edit a shipped migration: add a new one.
 *
 * Tables with an integer `num` primary key keep a stable rowid for FTS5's
 * external content (VACUUM may renumber implicit rowids). Times are Unix
 * seconds; hlc columns hold packed hybrid logical clock stamps; field_hlc is a
 * JSON object {field: hlc} used to merge edits field by field.
 */
static const char * const migrations[] = {
  /* 1: the records of DESIGN.md, the change log and the customer indexes */
  "CREATE TABLE desk_meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE branch ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  name TEXT NOT NULL,"
  "  kind TEXT NOT NULL DEFAULT 'bank',"
  "  timezone TEXT,"
  "  updated_hlc INTEGER NOT NULL DEFAULT 0,"
  "  field_hlc TEXT NOT NULL DEFAULT '{}',"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"

  "CREATE TABLE agent ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  username TEXT NOT NULL,"
  "  display_name TEXT NOT NULL,"
  "  role TEXT NOT NULL DEFAULT 'agent',"
  "  branch_id TEXT,"
  "  language TEXT,"
  "  updated_hlc INTEGER NOT NULL DEFAULT 0,"
  "  field_hlc TEXT NOT NULL DEFAULT '{}',"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX agent_username ON agent (username);"

  "CREATE TABLE customer ("
  "  num INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  full_name TEXT NOT NULL,"
  "  phones TEXT NOT NULL DEFAULT '[]',"
  "  emails TEXT NOT NULL DEFAULT '[]',"
  "  account_number TEXT,"
  "  segment TEXT NOT NULL DEFAULT 'regular',"
  "  preferred_language TEXT,"
  "  preferred_channel TEXT,"
  "  tags TEXT NOT NULL DEFAULT '[]',"
  "  notes TEXT,"
  "  branch_id TEXT,"
  "  merged_into TEXT,"
  "  created_at INTEGER NOT NULL DEFAULT 0,"
  /* derived on this desk, never synced */
  "  name_key TEXT NOT NULL DEFAULT '',"
  "  account_last4 TEXT GENERATED ALWAYS AS (substr(account_number, -4)) VIRTUAL,"
  "  last_contact_at INTEGER,"
  "  updated_hlc INTEGER NOT NULL DEFAULT 0,"
  "  field_hlc TEXT NOT NULL DEFAULT '{}',"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX customer_name_key ON customer (name_key);"
  "CREATE INDEX customer_account ON customer (account_number) WHERE account_number IS NOT NULL;"
  "CREATE INDEX customer_account_last4 ON customer (account_last4) WHERE account_number IS NOT NULL;"

  /* Every suffix of 4 or more digits of every phone (digits only, country
   * code included), so any run of 4+ digits is a range scan on the key. */
  "CREATE TABLE customer_phone ("
  "  digits TEXT NOT NULL,"
  "  customer_num INTEGER NOT NULL,"
  "  PRIMARY KEY (digits, customer_num)"
  ") WITHOUT ROWID;"
  "CREATE TABLE customer_email ("
  "  email TEXT NOT NULL,"
  "  customer_num INTEGER NOT NULL,"
  "  PRIMARY KEY (email, customer_num)"
  ") WITHOUT ROWID;"

  "CREATE VIRTUAL TABLE customer_fts USING fts5 ("
  "  full_name, emails,"
  "  content='customer', content_rowid='num',"
  "  tokenize='unicode61 remove_diacritics 2', prefix='2 3'"
  ");"

  /* Searchable: not deleted and not merged into another customer. */
  "CREATE TRIGGER customer_ai AFTER INSERT ON customer"
  "  WHEN new.deleted = 0 AND new.merged_into IS NULL BEGIN"
  "  INSERT INTO customer_fts (rowid, full_name, emails) VALUES (new.num, new.full_name, new.emails);"
  "  INSERT OR IGNORE INTO customer_phone (digits, customer_num)"
  "    SELECT substr(p.d, s.i), new.num"
  "    FROM (SELECT replace(value, '+', '') AS d FROM json_each(new.phones)) AS p,"
  "         (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16) SELECT i FROM n) AS s"
  "    WHERE length(p.d) - s.i + 1 >= 4;"
  "  INSERT OR IGNORE INTO customer_email (email, customer_num)"
  "    SELECT value, new.num FROM json_each(new.emails);"
  "END;"
  "CREATE TRIGGER customer_ad AFTER DELETE ON customer"
  "  WHEN old.deleted = 0 AND old.merged_into IS NULL BEGIN"
  "  INSERT INTO customer_fts (customer_fts, rowid, full_name, emails) VALUES ('delete', old.num, old.full_name, old.emails);"
  "  DELETE FROM customer_phone WHERE customer_num = old.num AND digits IN"
  "    (SELECT substr(p.d, s.i)"
  "     FROM (SELECT replace(value, '+', '') AS d FROM json_each(old.phones)) AS p,"
  "          (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16) SELECT i FROM n) AS s"
  "     WHERE length(p.d) - s.i + 1 >= 4);"
  "  DELETE FROM customer_email WHERE customer_num = old.num AND email IN (SELECT value FROM json_each(old.emails));"
  "END;"
  /* One update trigger: SQLite runs triggers in no documented order. */
  "CREATE TRIGGER customer_au AFTER UPDATE OF full_name, phones, emails, deleted, merged_into ON customer BEGIN"
  "  INSERT INTO customer_fts (customer_fts, rowid, full_name, emails)"
  "    SELECT 'delete', old.num, old.full_name, old.emails WHERE old.deleted = 0 AND old.merged_into IS NULL;"
  "  DELETE FROM customer_phone WHERE customer_num = old.num;"
  "  DELETE FROM customer_email WHERE customer_num = old.num;"
  "  INSERT INTO customer_fts (rowid, full_name, emails)"
  "    SELECT new.num, new.full_name, new.emails WHERE new.deleted = 0 AND new.merged_into IS NULL;"
  "  INSERT OR IGNORE INTO customer_phone (digits, customer_num)"
  "    SELECT substr(p.d, s.i), new.num"
  "    FROM (SELECT replace(value, '+', '') AS d FROM json_each(new.phones)) AS p,"
  "         (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16) SELECT i FROM n) AS s"
  "    WHERE length(p.d) - s.i + 1 >= 4 AND new.deleted = 0 AND new.merged_into IS NULL;"
  "  INSERT OR IGNORE INTO customer_email (email, customer_num)"
  "    SELECT value, new.num FROM json_each(new.emails) WHERE new.deleted = 0 AND new.merged_into IS NULL;"
  "END;"

  "CREATE TABLE conversation ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,"
  "  branch_id TEXT,"
  "  channel TEXT NOT NULL,"
  "  subject TEXT,"
  "  reason TEXT,"
  "  status TEXT NOT NULL DEFAULT 'open',"
  "  priority TEXT,"
  "  assignee_id TEXT,"
  "  is_complaint INTEGER NOT NULL DEFAULT 0,"
  "  complaint_steps TEXT NOT NULL DEFAULT '[]',"
  "  follow_up_due INTEGER,"
  "  escalated_to TEXT,"
  "  escalation_reason TEXT,"
  "  opened_at INTEGER NOT NULL,"
  "  first_response_at INTEGER,"
  "  resolved_at INTEGER,"
  "  reopened_at INTEGER,"
  "  contact_count INTEGER,"
  "  sla_due INTEGER,"
  "  updated_hlc INTEGER NOT NULL DEFAULT 0,"
  "  field_hlc TEXT NOT NULL DEFAULT '{}',"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX conversation_customer ON conversation (customer_id, opened_at);"

  "CREATE TABLE interaction ("
  "  num INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  conversation_id TEXT REFERENCES conversation (id) DEFERRABLE INITIALLY DEFERRED,"
  "  customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,"
  "  channel TEXT NOT NULL,"
  "  direction TEXT NOT NULL,"
  "  event TEXT,"
  "  author_id TEXT,"
  "  body TEXT,"
  "  started_at INTEGER NOT NULL,"
  "  ended_at INTEGER,"
  "  wait_seconds INTEGER,"
  "  external_ref TEXT,"
  "  created_hlc INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX interaction_customer ON interaction (customer_id, started_at, num);"
  "CREATE INDEX interaction_conversation ON interaction (conversation_id);"
  "CREATE UNIQUE INDEX interaction_external ON interaction (channel, external_ref) WHERE external_ref IS NOT NULL;"

  "CREATE TABLE survey_response ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  score INTEGER NOT NULL,"
  "  comment TEXT,"
  "  customer_id TEXT,"
  "  conversation_id TEXT,"
  "  agent_id TEXT,"
  "  branch_id TEXT,"
  "  channel TEXT,"
  "  collected_via TEXT NOT NULL,"
  "  collected_at INTEGER NOT NULL,"
  "  created_hlc INTEGER NOT NULL DEFAULT 0,"
  "  CHECK ((kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10)"
  "         OR (kind = 'ces' AND score BETWEEN 1 AND 7))"
  ");"
  "CREATE INDEX survey_response_time ON survey_response (collected_at);"

  "CREATE TABLE canned_response ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  language TEXT,"
  "  title TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  tags TEXT NOT NULL DEFAULT '[]',"
  "  updated_hlc INTEGER NOT NULL DEFAULT 0,"
  "  field_hlc TEXT NOT NULL DEFAULT '{}',"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"

  /* Reveals and edits of personal data: who, what, when. */
  "CREATE TABLE audit_event ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  action TEXT NOT NULL,"
  "  agent_id TEXT,"
  "  customer_id TEXT,"
  "  detail TEXT,"
  "  at INTEGER NOT NULL,"
  "  created_hlc INTEGER NOT NULL DEFAULT 0"
  ");"

  /* The outbox: written in the same transaction as the edit it describes. */
  "CREATE TABLE change_log ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  change_id TEXT NOT NULL UNIQUE,"
  "  entity TEXT NOT NULL,"
  "  record_id TEXT NOT NULL,"
  "  op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),"
  "  hlc INTEGER NOT NULL,"
  "  fields TEXT NOT NULL DEFAULT '{}',"
  "  created_at INTEGER NOT NULL,"
  "  pushed_at INTEGER"
  ");",

  /* 2: the newest stamp is read at every start; without an index that read
   * scanned the whole change log. */
  "CREATE INDEX change_log_hlc ON change_log (hlc);",

  /* 3: sync. Each change keeps the desk it came from (ties of the
   * last-writer-wins merge) and the branch it belongs to (who may pull it).
   * Customers gain social-media handles ("instagram:@name") that inbound
   * messages are matched on. */
  "ALTER TABLE change_log ADD COLUMN client_id TEXT;"
  "ALTER TABLE change_log ADD COLUMN branch_id TEXT;"
  "CREATE INDEX change_log_unpushed ON change_log (seq) WHERE pushed_at IS NULL;"
  "ALTER TABLE customer ADD COLUMN handles TEXT NOT NULL DEFAULT '[]';"
  "CREATE TABLE customer_handle ("
  "  handle TEXT NOT NULL,"
  "  customer_num INTEGER NOT NULL,"
  "  PRIMARY KEY (handle, customer_num)"
  ") WITHOUT ROWID;"
  "CREATE TRIGGER customer_handle_ai AFTER INSERT ON customer"
  "  WHEN new.deleted = 0 AND new.merged_into IS NULL BEGIN"
  "  INSERT OR IGNORE INTO customer_handle (handle, customer_num)"
  "    SELECT value, new.num FROM json_each(new.handles);"
  "END;"
  "CREATE TRIGGER customer_handle_ad AFTER DELETE ON customer BEGIN"
  "  DELETE FROM customer_handle WHERE customer_num = old.num;"
  "END;"
  "CREATE TRIGGER customer_handle_au AFTER UPDATE OF handles, deleted, merged_into ON customer BEGIN"
  "  DELETE FROM customer_handle WHERE customer_num = old.num;"
  "  INSERT OR IGNORE INTO customer_handle (handle, customer_num)"
  "    SELECT value, new.num FROM json_each(new.handles) WHERE new.deleted = 0 AND new.merged_into IS NULL;"
  "END;",

  /* 4: metrics. Rollups by UTC hour (bucket = t - t % 3600) and by branch,
   * channel and agent ('' for none), kept by the triggers below on every
   * write path; sapa-metrics.c reads them and rebuilds them after bulk loads
   * (its rebuild SQL holds the same definitions: tests compare the two).
   * Times: surveys by collected_at, conversations opened (volume, FRT, SLA)
   * by opened_at, resolved ones by resolved_at, handled interactions by
   * started_at. Tombstoned conversations count nowhere (nor do their
   * interactions). FRT is kept as a histogram of quantized seconds: exact to
   * 300 s, 10 s steps to 1 h, 1 min steps to 48 h, 10 min steps beyond. */
  "CREATE TABLE metrics_survey_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL,"
  "  csat_n INTEGER NOT NULL DEFAULT 0, csat_satisfied INTEGER NOT NULL DEFAULT 0,"
  "  nps_n INTEGER NOT NULL DEFAULT 0, nps_promoters INTEGER NOT NULL DEFAULT 0,"
  "  nps_passives INTEGER NOT NULL DEFAULT 0, nps_detractors INTEGER NOT NULL DEFAULT 0,"
  "  ces_n INTEGER NOT NULL DEFAULT 0, ces_easy INTEGER NOT NULL DEFAULT 0, ces_sum INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel, agent_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_conversation_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  conversations INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0,"
  "  sla_n INTEGER NOT NULL DEFAULT 0, sla_met INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_frt_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL,"
  "  reason TEXT NOT NULL, frt_step INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel, agent_id, reason, frt_step)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_resolved_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  resolved INTEGER NOT NULL DEFAULT 0, fcr INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_handled_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL,"
  "  handled INTEGER NOT NULL DEFAULT 0, handle_seconds INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel, agent_id)"
  ") WITHOUT ROWID;"

  /* The raw rows at the edges of a range, unanswered conversations past due
   * (SLA missed, counted at query time) and the drill-down lists. */
  "CREATE INDEX conversation_opened ON conversation (opened_at);"
  "CREATE INDEX conversation_resolved ON conversation (resolved_at) WHERE resolved_at IS NOT NULL;"
  "CREATE INDEX conversation_unanswered ON conversation (opened_at, sla_due) WHERE first_response_at IS NULL AND deleted = 0;"
  "CREATE INDEX interaction_handled ON interaction (started_at)"
  "  WHERE channel IN ('phone', 'walk_in', 'video') AND ended_at IS NOT NULL;"

  "CREATE TRIGGER survey_response_metrics_ai AFTER INSERT ON survey_response BEGIN"
  "  INSERT INTO metrics_survey_hour (bucket, branch_id, channel, agent_id, csat_n, csat_satisfied,"
  "    nps_n, nps_promoters, nps_passives, nps_detractors, ces_n, ces_easy, ces_sum)"
  "  VALUES (new.collected_at - new.collected_at % 3600, coalesce(new.branch_id, ''),"
  "    coalesce(new.channel, ''), coalesce(new.agent_id, ''),"
  "    new.kind = 'csat', new.kind = 'csat' AND new.score >= 4,"
  "    new.kind = 'nps', new.kind = 'nps' AND new.score >= 9,"
  "    new.kind = 'nps' AND new.score BETWEEN 7 AND 8, new.kind = 'nps' AND new.score <= 6,"
  "    new.kind = 'ces', new.kind = 'ces' AND new.score >= 5, CASE WHEN new.kind = 'ces' THEN new.score ELSE 0 END)"
  "  ON CONFLICT DO UPDATE SET csat_n = csat_n + excluded.csat_n, csat_satisfied = csat_satisfied + excluded.csat_satisfied,"
  "    nps_n = nps_n + excluded.nps_n, nps_promoters = nps_promoters + excluded.nps_promoters,"
  "    nps_passives = nps_passives + excluded.nps_passives, nps_detractors = nps_detractors + excluded.nps_detractors,"
  "    ces_n = ces_n + excluded.ces_n, ces_easy = ces_easy + excluded.ces_easy, ces_sum = ces_sum + excluded.ces_sum;"
  "END;"

  /* A handled interaction's branch is its conversation's; without a
   * conversation row (yet) it counts under no branch. */
  "CREATE TRIGGER interaction_metrics_ai AFTER INSERT ON interaction"
  "  WHEN new.channel IN ('phone', 'walk_in', 'video') AND new.ended_at IS NOT NULL BEGIN"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT new.started_at - new.started_at % 3600, coalesce(c.branch_id, ''),"
  "    new.channel, coalesce(new.author_id, ''), 1, max(new.ended_at - new.started_at, 0)"
  "  FROM (SELECT 1) LEFT JOIN conversation AS c ON c.id = new.conversation_id"
  "  WHERE coalesce(c.deleted, 0) = 0"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;"
  /* The records a desk already holds, counted once (the same definitions as
   * sapa_metrics_rebuild_db(); tests/unit/test-metrics.c upgrades a schema 3 desk). */
  "INSERT INTO metrics_survey_hour (bucket, branch_id, channel, agent_id, csat_n, csat_satisfied, nps_n, nps_promoters, nps_passives, nps_detractors, ces_n, ces_easy, ces_sum)"
  "  SELECT collected_at - collected_at % 3600, coalesce(branch_id, ''), coalesce(channel, ''), coalesce(agent_id, ''),"
  "      sum(kind = 'csat'), sum(kind = 'csat' AND score >= 4),"
  "      sum(kind = 'nps'), sum(kind = 'nps' AND score >= 9), sum(kind = 'nps' AND score BETWEEN 7 AND 8), sum(kind = 'nps' AND score <= 6),"
  "      sum(kind = 'ces'), sum(kind = 'ces' AND score >= 5), sum(CASE WHEN kind = 'ces' THEN score ELSE 0 END)"
  "    FROM survey_response GROUP BY 1, 2, 3, 4;"
  "INSERT INTO metrics_conversation_hour (bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT opened_at - opened_at % 3600, coalesce(branch_id, ''), channel, coalesce(assignee_id, ''), coalesce(reason, ''),"
  "      count(*), sum(first_response_at IS NOT NULL), sum(first_response_at IS NOT NULL AND sla_due IS NOT NULL),"
  "      sum(coalesce(first_response_at <= sla_due, 0))"
  "    FROM conversation WHERE deleted = 0 GROUP BY 1, 2, 3, 4, 5;"
  "INSERT INTO metrics_frt_hour (bucket, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT b, br, ch, ag, re, CASE WHEN d <= 300 THEN d WHEN d <= 3600 THEN d - d % 10 WHEN d <= 172800 THEN d - d % 60 ELSE d - d % 600 END, count(*)"
  "    FROM (SELECT opened_at - opened_at % 3600 AS b, coalesce(branch_id, '') AS br, channel AS ch, coalesce(assignee_id, '') AS ag,"
  "            coalesce(reason, '') AS re, max(first_response_at - opened_at, 0) AS d"
  "          FROM conversation WHERE deleted = 0 AND first_response_at IS NOT NULL)"
  "    GROUP BY 1, 2, 3, 4, 5, 6;"
  "INSERT INTO metrics_resolved_hour (bucket, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT resolved_at - resolved_at % 3600, coalesce(branch_id, ''), channel, coalesce(assignee_id, ''), coalesce(reason, ''), count(*),"
  "      sum(coalesce(contact_count, 0) <= 1 AND (reopened_at IS NULL OR reopened_at > resolved_at + 604800))"
  "    FROM conversation WHERE deleted = 0 AND resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5;"
  "INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, coalesce(c.branch_id, ''), i.channel, coalesce(i.author_id, ''),"
  "      count(*), sum(max(i.ended_at - i.started_at, 0))"
  "    FROM interaction AS i LEFT JOIN conversation AS c ON c.id = i.conversation_id"
  "    WHERE i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL AND coalesce(c.deleted, 0) = 0"
  "    GROUP BY 1, 2, 3, 4;"
  /* Conversations: the old row's contribution out, the new row's in. */
  "CREATE TRIGGER conversation_metrics_ai AFTER INSERT ON conversation BEGIN"
  "  INSERT INTO metrics_conversation_hour (bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT new.opened_at - new.opened_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''), 1, (new.first_response_at IS NOT NULL),"
  "    (new.first_response_at IS NOT NULL AND new.sla_due IS NOT NULL), coalesce(new.first_response_at <= new.sla_due, 0)"
  "  WHERE new.deleted = 0"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered,"
  "    sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_frt_hour (bucket, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT new.opened_at - new.opened_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''),"
  "    CASE WHEN d <= 300 THEN d WHEN d <= 3600 THEN d - d % 10 WHEN d <= 172800 THEN d - d % 60 ELSE d - d % 600 END, 1"
  "  FROM (SELECT max(new.first_response_at - new.opened_at, 0) AS d)"
  "  WHERE new.deleted = 0 AND new.first_response_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "  INSERT INTO metrics_resolved_hour (bucket, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT new.resolved_at - new.resolved_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''), 1,"
  "    (coalesce(new.contact_count, 0) <= 1 AND (new.reopened_at IS NULL OR new.reopened_at > new.resolved_at + 604800))"
  "  WHERE new.deleted = 0 AND new.resolved_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "END;"
  "CREATE TRIGGER conversation_metrics_au AFTER UPDATE OF opened_at, first_response_at, sla_due, branch_id, channel, assignee_id, reason, deleted ON conversation"
  "  WHEN old.opened_at IS NOT new.opened_at OR old.first_response_at IS NOT new.first_response_at OR old.sla_due IS NOT new.sla_due OR old.branch_id IS NOT new.branch_id OR old.channel IS NOT new.channel OR old.assignee_id IS NOT new.assignee_id OR old.reason IS NOT new.reason OR old.deleted IS NOT new.deleted BEGIN"
  "  INSERT INTO metrics_conversation_hour (bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT old.opened_at - old.opened_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''), -1, -(old.first_response_at IS NOT NULL),"
  "    -(old.first_response_at IS NOT NULL AND old.sla_due IS NOT NULL), -coalesce(old.first_response_at <= old.sla_due, 0)"
  "  WHERE old.deleted = 0"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered,"
  "    sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_frt_hour (bucket, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT old.opened_at - old.opened_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''),"
  "    CASE WHEN d <= 300 THEN d WHEN d <= 3600 THEN d - d % 10 WHEN d <= 172800 THEN d - d % 60 ELSE d - d % 600 END, -1"
  "  FROM (SELECT max(old.first_response_at - old.opened_at, 0) AS d)"
  "  WHERE old.deleted = 0 AND old.first_response_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "  INSERT INTO metrics_conversation_hour (bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT new.opened_at - new.opened_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''), 1, (new.first_response_at IS NOT NULL),"
  "    (new.first_response_at IS NOT NULL AND new.sla_due IS NOT NULL), coalesce(new.first_response_at <= new.sla_due, 0)"
  "  WHERE new.deleted = 0"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered,"
  "    sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_frt_hour (bucket, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT new.opened_at - new.opened_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''),"
  "    CASE WHEN d <= 300 THEN d WHEN d <= 3600 THEN d - d % 10 WHEN d <= 172800 THEN d - d % 60 ELSE d - d % 600 END, 1"
  "  FROM (SELECT max(new.first_response_at - new.opened_at, 0) AS d)"
  "  WHERE new.deleted = 0 AND new.first_response_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "END;"
  "CREATE TRIGGER conversation_metrics_resolved_au AFTER UPDATE OF resolved_at, reopened_at, contact_count, branch_id, channel, assignee_id, reason, deleted ON conversation"
  "  WHEN old.resolved_at IS NOT new.resolved_at OR old.reopened_at IS NOT new.reopened_at OR old.contact_count IS NOT new.contact_count OR old.branch_id IS NOT new.branch_id OR old.channel IS NOT new.channel OR old.assignee_id IS NOT new.assignee_id OR old.reason IS NOT new.reason OR old.deleted IS NOT new.deleted BEGIN"
  "  INSERT INTO metrics_resolved_hour (bucket, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT old.resolved_at - old.resolved_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''), -1,"
  "    -(coalesce(old.contact_count, 0) <= 1 AND (old.reopened_at IS NULL OR old.reopened_at > old.resolved_at + 604800))"
  "  WHERE old.deleted = 0 AND old.resolved_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "  INSERT INTO metrics_resolved_hour (bucket, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT new.resolved_at - new.resolved_at % 3600, coalesce(new.branch_id, ''), new.channel, coalesce(new.assignee_id, ''), coalesce(new.reason, ''), 1,"
  "    (coalesce(new.contact_count, 0) <= 1 AND (new.reopened_at IS NULL OR new.reopened_at > new.resolved_at + 604800))"
  "  WHERE new.deleted = 0 AND new.resolved_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "END;"
  "CREATE TRIGGER conversation_metrics_ad AFTER DELETE ON conversation BEGIN"
  "  INSERT INTO metrics_conversation_hour (bucket, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT old.opened_at - old.opened_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''), -1, -(old.first_response_at IS NOT NULL),"
  "    -(old.first_response_at IS NOT NULL AND old.sla_due IS NOT NULL), -coalesce(old.first_response_at <= old.sla_due, 0)"
  "  WHERE old.deleted = 0"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered,"
  "    sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_frt_hour (bucket, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT old.opened_at - old.opened_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''),"
  "    CASE WHEN d <= 300 THEN d WHEN d <= 3600 THEN d - d % 10 WHEN d <= 172800 THEN d - d % 60 ELSE d - d % 600 END, -1"
  "  FROM (SELECT max(old.first_response_at - old.opened_at, 0) AS d)"
  "  WHERE old.deleted = 0 AND old.first_response_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "  INSERT INTO metrics_resolved_hour (bucket, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT old.resolved_at - old.resolved_at % 3600, coalesce(old.branch_id, ''), old.channel, coalesce(old.assignee_id, ''), coalesce(old.reason, ''), -1,"
  "    -(coalesce(old.contact_count, 0) <= 1 AND (old.reopened_at IS NULL OR old.reopened_at > old.resolved_at + 604800))"
  "  WHERE old.deleted = 0 AND old.resolved_at IS NOT NULL"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "END;"
  /* Handled interactions follow their conversation's branch and tombstone. */
  "CREATE TRIGGER conversation_metrics_handled_ai AFTER INSERT ON conversation"
  "  WHEN coalesce(new.branch_id, '') != '' OR new.deleted != 0 BEGIN"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, '', i.channel, coalesce(i.author_id, ''),"
  "    -count(*), -sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = new.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND 1"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, coalesce(new.branch_id, ''), i.channel, coalesce(i.author_id, ''),"
  "    count(*), sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = new.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND new.deleted = 0"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;"
  "CREATE TRIGGER conversation_metrics_handled_au AFTER UPDATE OF branch_id, deleted ON conversation"
  "  WHEN coalesce(old.branch_id, '') != coalesce(new.branch_id, '') OR old.deleted != new.deleted BEGIN"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, coalesce(old.branch_id, ''), i.channel, coalesce(i.author_id, ''),"
  "    -count(*), -sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = old.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND old.deleted = 0"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, coalesce(new.branch_id, ''), i.channel, coalesce(i.author_id, ''),"
  "    count(*), sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = new.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND new.deleted = 0"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;"
  "CREATE TRIGGER conversation_metrics_handled_ad AFTER DELETE ON conversation"
  "  WHEN coalesce(old.branch_id, '') != '' OR old.deleted != 0 BEGIN"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, coalesce(old.branch_id, ''), i.channel, coalesce(i.author_id, ''),"
  "    -count(*), -sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = old.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND old.deleted = 0"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "  INSERT INTO metrics_handled_hour (bucket, branch_id, channel, agent_id, handled, handle_seconds)"
  "  SELECT i.started_at - i.started_at % 3600, '', i.channel, coalesce(i.author_id, ''),"
  "    count(*), sum(max(i.ended_at - i.started_at, 0))"
  "  FROM interaction AS i"
  "  WHERE i.conversation_id = old.id AND i.channel IN ('phone', 'walk_in', 'video') AND i.ended_at IS NOT NULL"
  "    AND 1"
  "  GROUP BY 1, 2, 3, 4"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;",

  /* 5: daily metrics (see migration5_tables and sapa_schema_get_migration()). */
  NULL,
};

/* Migration 5: rollups by day of the desk's metrics zone, kept from the
 * hourly rollups of migration 4 by triggers on those tables, so every write
 * path that moves an hourly count moves the daily ones too.
 *
 * desk_meta "metrics_zone" (IANA identifier) and "metrics_utc_offset"
 * (seconds east of UTC, a whole number of hours, constant) name the zone;
 * day = local midnight as Unix seconds = bucket - (bucket + offset) % 86400.
 * Each table holds grouping sets, not one cross product; grp names the
 * dimensions kept (the others are '*'):
 *   'bc':  day x branch x channel  (every table)
 *   'ba':  day x branch x agent    (not metrics_frt_day)
 *   'br':  day x branch x reason   (conversation and resolved tables only)
 * Only groupings where a day x key holds many records are kept: FRT is a
 * histogram (one row per response-time step), so its daily table keeps the
 * channel grouping alone, and filters or parts the groupings do not answer
 * (channel with agent, channel with reason, FRT by agent or reason) are read
 * from the hourly tables.
 * metrics_volume_hour holds conversations opened per UTC hour x branch x
 * channel (the hours of the week without an agent filter).
 * The triggers do nothing while metrics_utc_offset is absent: the rebuild
 * (sapa_metrics_rebuild_db) takes it out, refills the hourly tables, puts it
 * back and refills these with sapa_schema_metrics_daily_fill. */
static const char migration5_tables[] =
  "CREATE TABLE metrics_survey_day ("
  "  grp TEXT NOT NULL, day INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL, reason TEXT NOT NULL,"
  "  csat_n INTEGER NOT NULL DEFAULT 0, csat_satisfied INTEGER NOT NULL DEFAULT 0, nps_n INTEGER NOT NULL DEFAULT 0, nps_promoters INTEGER NOT NULL DEFAULT 0, nps_passives INTEGER NOT NULL DEFAULT 0, nps_detractors INTEGER NOT NULL DEFAULT 0, ces_n INTEGER NOT NULL DEFAULT 0, ces_easy INTEGER NOT NULL DEFAULT 0, ces_sum INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (grp, day, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_conversation_day ("
  "  grp TEXT NOT NULL, day INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL, reason TEXT NOT NULL,"
  "  conversations INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0, sla_n INTEGER NOT NULL DEFAULT 0, sla_met INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (grp, day, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_frt_day ("
  "  grp TEXT NOT NULL, day INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL, reason TEXT NOT NULL, frt_step INTEGER NOT NULL,"
  "  n INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (grp, day, branch_id, channel, agent_id, reason, frt_step)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_resolved_day ("
  "  grp TEXT NOT NULL, day INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL, reason TEXT NOT NULL,"
  "  resolved INTEGER NOT NULL DEFAULT 0, fcr INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (grp, day, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_handled_day ("
  "  grp TEXT NOT NULL, day INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, agent_id TEXT NOT NULL, reason TEXT NOT NULL,"
  "  handled INTEGER NOT NULL DEFAULT 0, handle_seconds INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (grp, day, branch_id, channel, agent_id, reason)"
  ") WITHOUT ROWID;"
  "CREATE TABLE metrics_volume_hour ("
  "  bucket INTEGER NOT NULL, branch_id TEXT NOT NULL, channel TEXT NOT NULL, conversations INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (bucket, branch_id, channel)"
  ") WITHOUT ROWID;";

const char sapa_schema_metrics_daily_fill[] =
  "INSERT INTO metrics_survey_day (grp, day, branch_id, channel, agent_id, reason, csat_n, csat_satisfied, nps_n, nps_promoters, nps_passives, nps_detractors, ces_n, ces_easy, ces_sum)"
  "  SELECT g.column1, h.bucket - (h.bucket + o.off) % 86400, h.branch_id, CASE WHEN g.column1 = 'bc' THEN h.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN h.agent_id ELSE '*' END, '*', sum(h.csat_n), sum(h.csat_satisfied), sum(h.nps_n), sum(h.nps_promoters), sum(h.nps_passives), sum(h.nps_detractors), sum(h.ces_n), sum(h.ces_easy), sum(h.ces_sum)"
  "  FROM metrics_survey_hour AS h, (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o"
  "  GROUP BY 1, 2, 3, 4, 5, 6;"
  "INSERT INTO metrics_conversation_day (grp, day, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT g.column1, h.bucket - (h.bucket + o.off) % 86400, h.branch_id, CASE WHEN g.column1 = 'bc' THEN h.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN h.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN h.reason ELSE '*' END, sum(h.conversations), sum(h.answered), sum(h.sla_n), sum(h.sla_met)"
  "  FROM metrics_conversation_hour AS h, (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o"
  "  GROUP BY 1, 2, 3, 4, 5, 6;"
  "INSERT INTO metrics_frt_day (grp, day, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT g.column1, h.bucket - (h.bucket + o.off) % 86400, h.branch_id, CASE WHEN g.column1 = 'bc' THEN h.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN h.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN h.reason ELSE '*' END, h.frt_step, sum(h.n)"
  "  FROM metrics_frt_hour AS h, (VALUES ('bc')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o"
  "  GROUP BY 1, 2, 3, 4, 5, 6, 7;"
  "INSERT INTO metrics_resolved_day (grp, day, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT g.column1, h.bucket - (h.bucket + o.off) % 86400, h.branch_id, CASE WHEN g.column1 = 'bc' THEN h.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN h.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN h.reason ELSE '*' END, sum(h.resolved), sum(h.fcr)"
  "  FROM metrics_resolved_hour AS h, (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o"
  "  GROUP BY 1, 2, 3, 4, 5, 6;"
  "INSERT INTO metrics_handled_day (grp, day, branch_id, channel, agent_id, reason, handled, handle_seconds)"
  "  SELECT g.column1, h.bucket - (h.bucket + o.off) % 86400, h.branch_id, CASE WHEN g.column1 = 'bc' THEN h.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN h.agent_id ELSE '*' END, '*', sum(h.handled), sum(h.handle_seconds)"
  "  FROM metrics_handled_hour AS h, (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o"
  "  GROUP BY 1, 2, 3, 4, 5, 6;"
  "INSERT INTO metrics_volume_hour (bucket, branch_id, channel, conversations)"
  "  SELECT bucket, branch_id, channel, sum(conversations) FROM metrics_conversation_hour GROUP BY 1, 2, 3;";

static const char migration5_triggers[] =
  "CREATE TRIGGER metrics_survey_hour_day_ai AFTER INSERT ON metrics_survey_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_survey_day (grp, day, branch_id, channel, agent_id, reason, csat_n, csat_satisfied, nps_n, nps_promoters, nps_passives, nps_detractors, ces_n, ces_easy, ces_sum)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, '*', new.csat_n, new.csat_satisfied, new.nps_n, new.nps_promoters, new.nps_passives, new.nps_detractors, new.ces_n, new.ces_easy, new.ces_sum"
  "  FROM (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET csat_n = csat_n + excluded.csat_n, csat_satisfied = csat_satisfied + excluded.csat_satisfied, nps_n = nps_n + excluded.nps_n, nps_promoters = nps_promoters + excluded.nps_promoters, nps_passives = nps_passives + excluded.nps_passives, nps_detractors = nps_detractors + excluded.nps_detractors, ces_n = ces_n + excluded.ces_n, ces_easy = ces_easy + excluded.ces_easy, ces_sum = ces_sum + excluded.ces_sum;"
  "END;"
  "CREATE TRIGGER metrics_survey_hour_day_au AFTER UPDATE ON metrics_survey_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_survey_day (grp, day, branch_id, channel, agent_id, reason, csat_n, csat_satisfied, nps_n, nps_promoters, nps_passives, nps_detractors, ces_n, ces_easy, ces_sum)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, '*', new.csat_n - old.csat_n, new.csat_satisfied - old.csat_satisfied, new.nps_n - old.nps_n, new.nps_promoters - old.nps_promoters, new.nps_passives - old.nps_passives, new.nps_detractors - old.nps_detractors, new.ces_n - old.ces_n, new.ces_easy - old.ces_easy, new.ces_sum - old.ces_sum"
  "  FROM (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET csat_n = csat_n + excluded.csat_n, csat_satisfied = csat_satisfied + excluded.csat_satisfied, nps_n = nps_n + excluded.nps_n, nps_promoters = nps_promoters + excluded.nps_promoters, nps_passives = nps_passives + excluded.nps_passives, nps_detractors = nps_detractors + excluded.nps_detractors, ces_n = ces_n + excluded.ces_n, ces_easy = ces_easy + excluded.ces_easy, ces_sum = ces_sum + excluded.ces_sum;"
  "END;"
  "CREATE TRIGGER metrics_conversation_hour_day_ai AFTER INSERT ON metrics_conversation_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_conversation_day (grp, day, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.conversations, new.answered, new.sla_n, new.sla_met"
  "  FROM (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered, sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_volume_hour (bucket, branch_id, channel, conversations)"
  "  SELECT new.bucket, new.branch_id, new.channel, new.conversations WHERE new.conversations != 0"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations;"
  "END;"
  "CREATE TRIGGER metrics_conversation_hour_day_au AFTER UPDATE ON metrics_conversation_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_conversation_day (grp, day, branch_id, channel, agent_id, reason, conversations, answered, sla_n, sla_met)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.conversations - old.conversations, new.answered - old.answered, new.sla_n - old.sla_n, new.sla_met - old.sla_met"
  "  FROM (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations, answered = answered + excluded.answered, sla_n = sla_n + excluded.sla_n, sla_met = sla_met + excluded.sla_met;"
  "  INSERT INTO metrics_volume_hour (bucket, branch_id, channel, conversations)"
  "  SELECT new.bucket, new.branch_id, new.channel, new.conversations - old.conversations WHERE new.conversations != old.conversations"
  "  ON CONFLICT DO UPDATE SET conversations = conversations + excluded.conversations;"
  "END;"
  "CREATE TRIGGER metrics_frt_hour_day_ai AFTER INSERT ON metrics_frt_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_frt_day (grp, day, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.frt_step, new.n"
  "  FROM (VALUES ('bc')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "END;"
  "CREATE TRIGGER metrics_frt_hour_day_au AFTER UPDATE ON metrics_frt_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_frt_day (grp, day, branch_id, channel, agent_id, reason, frt_step, n)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.frt_step, new.n - old.n"
  "  FROM (VALUES ('bc')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET n = n + excluded.n;"
  "END;"
  "CREATE TRIGGER metrics_resolved_hour_day_ai AFTER INSERT ON metrics_resolved_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_resolved_day (grp, day, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.resolved, new.fcr"
  "  FROM (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "END;"
  "CREATE TRIGGER metrics_resolved_hour_day_au AFTER UPDATE ON metrics_resolved_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_resolved_day (grp, day, branch_id, channel, agent_id, reason, resolved, fcr)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, CASE WHEN g.column1 = 'br' THEN new.reason ELSE '*' END, new.resolved - old.resolved, new.fcr - old.fcr"
  "  FROM (VALUES ('bc'), ('ba'), ('br')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET resolved = resolved + excluded.resolved, fcr = fcr + excluded.fcr;"
  "END;"
  "CREATE TRIGGER metrics_handled_hour_day_ai AFTER INSERT ON metrics_handled_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_handled_day (grp, day, branch_id, channel, agent_id, reason, handled, handle_seconds)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, '*', new.handled, new.handle_seconds"
  "  FROM (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;"
  "CREATE TRIGGER metrics_handled_hour_day_au AFTER UPDATE ON metrics_handled_hour WHEN EXISTS (SELECT 1 FROM desk_meta WHERE key = 'metrics_utc_offset') BEGIN"
  "  INSERT INTO metrics_handled_day (grp, day, branch_id, channel, agent_id, reason, handled, handle_seconds)"
  "  SELECT g.column1, new.bucket - (new.bucket + o.off) % 86400, new.branch_id, CASE WHEN g.column1 = 'bc' THEN new.channel ELSE '*' END, CASE WHEN g.column1 = 'ba' THEN new.agent_id ELSE '*' END, '*', new.handled - old.handled, new.handle_seconds - old.handle_seconds"
  "  FROM (VALUES ('bc'), ('ba')) AS g, (SELECT CAST(value AS INTEGER) AS off FROM desk_meta WHERE key = 'metrics_utc_offset') AS o WHERE 1"
  "  ON CONFLICT DO UPDATE SET handled = handled + excluded.handled, handle_seconds = handle_seconds + excluded.handle_seconds;"
  "END;";

static const char *
migration5 (void)
{
  static gsize done = 0;
  static char *text = NULL;

  if (g_once_init_enter (&done))
    {
      g_autofree char *zone = NULL;
      int offset = 0;
      char *meta;

      /* The machine's zone at creation when its offset is constant and whole
       * hours (Indonesia's WIB, WITA, WIT), else UTC. */
      sapa_metrics_default_zone (&zone, &offset);
      meta = sqlite3_mprintf ("INSERT OR IGNORE INTO desk_meta (key, value) VALUES ('metrics_zone', %Q), "
                              "('metrics_utc_offset', '%d');", zone, offset);
      text = g_strconcat (migration5_tables, meta, sapa_schema_metrics_daily_fill, migration5_triggers, NULL);
      sqlite3_free (meta);
      g_once_init_leave (&done, 1);
    }
  return text;
}

guint
sapa_schema_get_n_migrations (void)
{
  return G_N_ELEMENTS (migrations);
}

const char *
sapa_schema_get_migration (guint version)
{
  g_return_val_if_fail (version >= 1 && version <= G_N_ELEMENTS (migrations), NULL);
  if (version == 5)
    return migration5 ();
  return migrations[version - 1];
}
