/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-schema"

#include "config.h"

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
};

guint
sapa_schema_get_n_migrations (void)
{
  return G_N_ELEMENTS (migrations);
}

const char *
sapa_schema_get_migration (guint version)
{
  g_return_val_if_fail (version >= 1 && version <= G_N_ELEMENTS (migrations), NULL);
  return migrations[version - 1];
}
