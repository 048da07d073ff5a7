# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /api/v1/sync/snapshot against the real sapa-server.

Each snapshot is written to a file and opened with Python's sqlite3 beside
the server's own database (read-only), and compared with it:

  * an admin's holds every record, row for row, audit events included;
  * an agent's and a supervisor's hold exactly the records of their
    branches and those without a branch (interactions by their
    conversation's branch, else their customer's), every canned response,
    no audit event, and search and metrics tables made of those rows only;
  * desk_meta's snapshot_cursor is where pulling goes on: a change pushed
    after the snapshot is the one change pulled since it, nothing is pulled
    since a snapshot taken after it, and with pushes running meanwhile every
    record is in the snapshot or pulled since it, never both;
  * errors: 401 without a valid token, 404 from a server started with
    --no-snapshots, 500 when the rows cannot be written, 503 with
    Retry-After for a third snapshot at once; a client leaving half-way
    harms nothing;
  * no snapshot-*.sqlite file stays in the data folder after any of it, nor
    after a server killed while writing one is started again.

Run: test_snapshot_api.py PATH/TO/sapa-server
"""

import os
import sqlite3
import sys
import threading
import time
import uuid

from sapaserver import ServerFixture, change, check, customer_change, quote, run_tests

SERVER = sys.argv[1]
S = None
T = {}              # username -> token
SEEDED = {}         # what seed() pushed, by name
N_FILES = [0]

RECORD_TABLES = ("branch", "agent", "canned_response", "audit_event", "customer", "conversation",
                 "interaction", "survey_response")
# Tables only the server has: sign-in data, tokens, webhook secrets and the like.
SERVER_ONLY_TABLES = ("server_meta", "credential", "token", "agent_branch", "login_failure", "push_result",
                      "channel", "inbound_message", "outbound_queue", "survey_link")
METRICS_HOUR_TABLES = ("metrics_survey_hour", "metrics_conversation_hour", "metrics_frt_hour",
                       "metrics_resolved_hour", "metrics_handled_hour")


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def applied(r, n=None):
    check(r.status == 200, "push answered", r)
    results = r.json["results"]
    check(all(x["status"] == "applied" for x in results) and (n is None or len(results) == n),
          "every change applied", results)


def leftovers(server=None):
    server = server or S
    return sorted(f for f in os.listdir(server.data) if f.startswith("snapshot-"))


def check_no_leftovers(what, server=None):
    files = leftovers(server)
    check(not files, "%s: no snapshot file left in the data folder" % what, files)


class Snapshot:
    """A snapshot taken with @token, written to a file and opened read-only."""

    def __init__(self, token, what):
        N_FILES[0] += 1
        self.path = os.path.join(S.tmp, "got-%d.sqlite" % N_FILES[0])
        self.what = what
        r = S.snapshot(token, self.path)
        check(r.status == 200, "%s: 200" % what, r)
        check(r.headers.get("content-type") == "application/vnd.sqlite3", "%s: content type" % what, r.headers)
        check(r.headers.get("content-length") == str(len(r.body)), "%s: Content-Length" % what, r.headers)
        check(r.headers.get("sapa-hlc", "").isdigit(), "%s: Sapa-HLC header" % what, r.headers)
        check(r.body.startswith(b"SQLite format 3\0"), "%s: an SQLite file" % what, r.body[:32])
        check_no_leftovers(what)
        self.db = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True)
        check(self.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)], "%s: integrity check" % what)

    def close(self):
        self.db.close()
        os.unlink(self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def one(self, sql, params=()):
        return self.db.execute(sql, params).fetchone()[0]

    @property
    def cursor(self):
        row = self.db.execute("SELECT value FROM desk_meta WHERE key = 'snapshot_cursor'").fetchone()
        check(row is not None and row[0], "%s: desk_meta holds snapshot_cursor" % self.what)
        return row[0]

    def ids(self, table):
        return {row[0] for row in self.db.execute("SELECT id FROM %s" % table)}


def server_one(sql, params=()):
    db = S.db()
    try:
        return db.execute(sql, params).fetchone()[0]
    finally:
        db.close()


def rows_by_id(db, table, ids=None):
    """Every column of @table's rows (of @ids), by id."""
    rows = {}
    cur = db.execute("SELECT * FROM %s" % table)
    names = [d[0] for d in cur.description]
    for row in cur:
        record = dict(zip(names, row))
        if ids is None or record["id"] in ids:
            rows[record["id"]] = record
    return rows


def pull_since(token, cursor):
    changes = []
    while True:
        r = S.request("GET", "/api/v1/sync/pull?since=%s&limit=5000" % quote(cursor), token=token)
        check(r.status == 200, "pull since a snapshot's cursor", r)
        changes += r.json["changes"]
        cursor = r.json["cursor"]
        if not r.json["more"]:
            return changes, cursor


# -- data --------------------------------------------------------------------

def seed():
    """Records of every kind in branches A, B, C and none, pushed through the API."""
    b = S.branches
    now = time.time() - 3 * 3600
    cust = {}
    for key in ("A", "A2", "B", "C", "none"):
        branch = None if key == "none" else b[key[0]]
        c = customer_change(branch, name="Pelanggan %s" % key,
                            phones=["+62812%07d" % (len(cust) + 1000)],
                            emails=["pelanggan.%s@contoh.co.id" % key.lower()])
        cust[key] = c
    applied(S.push(T["admin"], list(cust.values())), len(cust))

    def conversation(key, customer_key, branch_key):
        c = change("conversation", str(uuid.uuid4()), {
            "customer_id": cust[customer_key]["id"], "branch_id": b[branch_key] if branch_key else None,
            "channel": "walk_in", "status": "resolved", "opened_at": iso(now), "first_response_at": iso(now + 60),
            "resolved_at": iso(now + 600), "assignee_id": S.users["agent_a"], "reason": "card"})
        SEEDED["conv_" + key] = c["id"]
        return c

    convs = [
        conversation("A", "A", "A"),
        conversation("B", "B", "B"),
        conversation("C", "C", "C"),
        conversation("none", "none", None),
        # A conversation of branch A about a customer of branch B ...
        conversation("A_of_B", "B", "A"),
        # ... and one without a branch about a customer of branch B.
        conversation("none_of_B", "B", None),
    ]
    applied(S.push(T["admin"], convs), len(convs))

    def interaction(key, customer_key, conv_key):
        c = change("interaction", str(uuid.uuid4()), {
            "customer_id": cust[customer_key]["id"],
            "conversation_id": SEEDED["conv_" + conv_key] if conv_key else None,
            "channel": "walk_in", "direction": "inbound", "body": "Interaksi %s" % key,
            "started_at": iso(now + 30), "ended_at": iso(now + 330)})
        SEEDED["int_" + key] = c["id"]
        return c

    inters = [
        interaction("A", "A", "A"),
        interaction("B", "B", "B"),
        interaction("C", "C", "C"),
        interaction("none", "none", "none"),
        interaction("A_of_B", "B", "A_of_B"),         # branch A: its conversation's
        interaction("none_of_B", "B", "none_of_B"),   # branch B: no conversation branch, the customer's
        interaction("loose_A", "A2", None),           # no conversation: the customer's, A
        interaction("loose_B", "B", None),            # no conversation: the customer's, B
        interaction("loose_none", "none", None),      # no branch at all: everyone's
    ]
    applied(S.push(T["admin"], inters), len(inters))

    def rating(key, customer_key, branch_key, kind="csat", score=4):
        c = change("survey_response", str(uuid.uuid4()), {
            "kind": kind, "score": score, "customer_id": cust[customer_key]["id"],
            "branch_id": b[branch_key] if branch_key else None, "agent_id": S.users["agent_a"],
            "channel": "walk_in", "collected_via": "kiosk", "collected_at": iso(now + 700)})
        SEEDED["rating_" + key] = c["id"]
        return c

    ratings = [rating("A", "A", "A"), rating("B", "B", "B", "nps", 9), rating("C", "C", "C", "ces", 2),
               rating("none", "none", None)]
    applied(S.push(T["admin"], ratings), len(ratings))

    canned = [change("canned_response", str(uuid.uuid4()), {"title": "Salam %d" % i, "body": "Selamat pagi"})
              for i in range(2)]
    applied(S.push(T["admin"], canned), 2)
    # Reveals recorded at desks of branches A and B.
    applied(S.push(T["agent_a"], [change("audit_event", str(uuid.uuid4()), {
        "action": "reveal_account", "agent_id": S.users["agent_a"], "customer_id": cust["A"]["id"],
        "at": iso(now)})]), 1)
    applied(S.push(T["agent_b"], [change("audit_event", str(uuid.uuid4()), {
        "action": "reveal_account", "agent_id": S.users["agent_b"], "customer_id": cust["B"]["id"],
        "at": iso(now)})]), 1)
    # An agent of branch B added by an admin; a customer of A deleted by its agent.
    applied(S.push(T["admin"], [change("agent", str(uuid.uuid4()), {
        "username": "agen_b2", "display_name": "Agen B Dua", "role": "agent", "branch_id": b["B"]})]), 1)
    applied(S.push(T["agent_a"], [change("customer", cust["A2"]["id"], None, op="delete")]), 1)
    SEEDED["deleted"] = cust["A2"]["id"]
    # A message from a channel without a branch: a customer, conversation and interaction of no branch.
    r = S.inbound("whatsapp", {"message_id": "snap-" + uuid.uuid4().hex, "from": {"phone": "081377778888"},
                               "name": "Dewi Lestari", "text": "Halo, cabang buka jam berapa?"})
    check(r.status == 201, "inbound message", r)
    SEEDED["inbound"] = r.json


def expected_ids(branches):
    """The ids a caller of @branches (None: an admin) may see, worked out from the server's rows."""
    db = S.db()
    try:
        def by_branch(table):
            return dict(db.execute("SELECT id, branch_id FROM %s" % table).fetchall())
        out = {t: set(by_branch(t)) if t not in ("branch", "canned_response", "audit_event", "interaction")
               else None for t in RECORD_TABLES}
        out["branch"] = {row[0] for row in db.execute("SELECT id FROM branch")}
        out["canned_response"] = {row[0] for row in db.execute("SELECT id FROM canned_response")}
        out["audit_event"] = {row[0] for row in db.execute("SELECT id FROM audit_event")}
        out["interaction"] = {row[0] for row in db.execute("SELECT id FROM interaction")}
        if branches is None:
            return out

        def visible(branch):
            return branch is None or branch in branches
        customers, conversations = by_branch("customer"), by_branch("conversation")
        out["branch"] &= set(branches)
        for t in ("agent", "customer", "conversation", "survey_response"):
            out[t] = {i for i, br in by_branch(t).items() if visible(br)}
        out["audit_event"] = set()
        out["interaction"] = set()
        for i, conv, cust in db.execute("SELECT id, conversation_id, customer_id FROM interaction"):
            branch = conversations.get(conv)
            if branch is None:
                branch = customers.get(cust)
            if visible(branch):
                out["interaction"].add(i)
        return out
    finally:
        db.close()


# -- tests -------------------------------------------------------------------

def test_seeded_data_covers_the_rules():
    seed()
    db = S.db()
    try:
        check(db.execute("SELECT deleted FROM customer WHERE id = ?", (SEEDED["deleted"],)).fetchone() == (1,),
              "a deleted customer is kept as a tombstone")
        check(db.execute("SELECT count(*) FROM customer WHERE branch_id IS NULL").fetchone()[0] >= 2,
              "customers without a branch")
        check(db.execute("SELECT count(*) FROM audit_event").fetchone()[0] >= 2, "audit events")
    finally:
        db.close()
    check_no_leftovers("before any snapshot")


def test_admin_has_everything():
    with Snapshot(T["admin"], "admin's snapshot") as snap:
        server = S.db()
        try:
            check(snap.one("PRAGMA user_version") == server.execute("PRAGMA user_version").fetchone()[0],
                  "the snapshot's schema version is the server database's",
                  snap.one("PRAGMA user_version"), server.execute("PRAGMA user_version").fetchone()[0])
            for table in RECORD_TABLES:
                n_server = server.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
                n_snap = snap.one("SELECT count(*) FROM %s" % table)
                check(n_snap == n_server, "admin's snapshot: %s rows" % table, n_snap, n_server)
                check(rows_by_id(snap.db, table) == rows_by_id(server, table),
                      "admin's snapshot: %s rows as the server has them" % table)
            check(snap.one("SELECT count(*) FROM audit_event") >= 2, "audit events are in the admin's snapshot")
            check(snap.one("SELECT deleted FROM customer WHERE id = ?", (SEEDED["deleted"],)) == 1,
                  "a deleted customer's tombstone is in the snapshot")
            for table in ("customer_phone", "customer_email", "customer_handle") + METRICS_HOUR_TABLES:
                got = sorted(snap.db.execute("SELECT * FROM %s" % table).fetchall())
                want = sorted(server.execute("SELECT * FROM %s" % table).fetchall())
                check(got == want, "admin's snapshot: %s as the server has it" % table, len(got), len(want))
        finally:
            server.close()
        check_desk_file(snap)


def check_desk_file(snap):
    """What any snapshot must be: a desk database without the server's own tables or log."""
    tables = {row[0] for row in snap.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    check(not tables & set(SERVER_ONLY_TABLES), "%s: none of the server's own tables" % snap.what,
          sorted(tables & set(SERVER_ONLY_TABLES)))
    check(set(RECORD_TABLES) <= tables and "desk_meta" in tables, "%s: the desk's tables" % snap.what, tables)
    check(snap.one("SELECT count(*) FROM change_log") == 0, "%s: an empty change log" % snap.what)
    check(snap.one("PRAGMA user_version") == server_one("PRAGMA user_version"),
          "%s: PRAGMA user_version is the server database's" % snap.what)
    check(snap.cursor.count(".") == 1, "%s: a cursor like the pull route's" % snap.what, snap.cursor)


def check_scoped(username, branch_keys):
    branches = {S.branches[k] for k in branch_keys}
    want = expected_ids(branches)
    with Snapshot(T[username], "%s's snapshot" % username) as snap:
        check_desk_file(snap)
        server = S.db()
        try:
            for table in RECORD_TABLES:
                got = snap.ids(table)
                check(got == want[table], "%s's snapshot: exactly the %s rows it may see" % (username, table),
                      "not allowed: %s" % sorted(got - want[table])[:3],
                      "missing: %s" % sorted(want[table] - got)[:3])
                check(rows_by_id(snap.db, table) == rows_by_id(server, table, want[table]),
                      "%s's snapshot: %s rows as the server has them" % (username, table))
            # Counted the plain way too: the branches' rows and those without a branch.
            marks = ",".join("?" * len(branches))
            for table in ("customer", "conversation", "survey_response", "agent"):
                n_server = server.execute("SELECT count(*) FROM %s WHERE branch_id IS NULL OR branch_id IN (%s)"
                                          % (table, marks), sorted(branches)).fetchone()[0]
                check(snap.one("SELECT count(*) FROM %s" % table) == n_server,
                      "%s's snapshot: %s rows of its branches and of none" % (username, table))
                outside = snap.db.execute("SELECT id, branch_id FROM %s WHERE branch_id NOT IN (%s)"
                                          % (table, marks), sorted(branches)).fetchall()
                check(not outside, "%s's snapshot: no %s of another branch" % (username, table), outside)
            # Interactions by their conversation's branch, else their customer's, on the server.
            outside = []
            for i, conv, cust in snap.db.execute("SELECT id, conversation_id, customer_id FROM interaction"):
                row = server.execute("SELECT coalesce((SELECT branch_id FROM conversation WHERE id = ?), "
                                     "(SELECT branch_id FROM customer WHERE id = ?))", (conv, cust)).fetchone()
                if row[0] is not None and row[0] not in branches:
                    outside.append((i, row[0]))
            check(not outside, "%s's snapshot: no interaction of another branch" % username, outside)
            check(snap.one("SELECT count(*) FROM audit_event") == 0, "%s's snapshot: no audit event" % username)
            check(snap.ids("branch") == branches, "%s's snapshot: its branches only" % username, snap.ids("branch"))
            check(snap.ids("canned_response") == want["canned_response"], "every canned response")
            # The search tables and the metrics rollups are made of these rows only.
            nums = {row[0] for row in snap.db.execute("SELECT num FROM customer")}
            for table in ("customer_phone", "customer_email", "customer_handle"):
                got = sorted(snap.db.execute("SELECT * FROM %s" % table).fetchall())
                want_rows = sorted(row for row in server.execute("SELECT * FROM %s" % table) if row[1] in nums)
                check(got == want_rows, "%s's snapshot: %s of its customers only" % (username, table),
                      got[:5], want_rows[:5])
            for table in METRICS_HOUR_TABLES:
                leaked = snap.db.execute("SELECT DISTINCT branch_id FROM %s WHERE branch_id <> '' AND branch_id "
                                         "NOT IN (%s)" % (table, marks), sorted(branches)).fetchall()
                check(not leaked, "%s's snapshot: %s holds no other branch" % (username, table), leaked)
                # Every record of the caller's branches is there, so are their figures.
                got = sorted(snap.db.execute("SELECT * FROM %s WHERE branch_id IN (%s)" % (table, marks),
                                             sorted(branches)).fetchall())
                want_rows = sorted(server.execute("SELECT * FROM %s WHERE branch_id IN (%s)" % (table, marks),
                                                  sorted(branches)).fetchall())
                check(got == want_rows, "%s's snapshot: %s of its branches as the server has them"
                      % (username, table), got[:3], want_rows[:3])
            check(snap.one("SELECT count(*) FROM metrics_conversation_hour") > 0,
                  "%s's snapshot: its conversations are counted" % username)
        finally:
            server.close()
        return snap.ids("interaction")


def test_agent_of_branch_a():
    seen = check_scoped("agent_a", "A")
    for key in ("A", "none", "A_of_B", "loose_A", "loose_none"):
        check(SEEDED["int_" + key] in seen, "agent of A sees interaction %s" % key)
    for key in ("B", "C", "none_of_B", "loose_B"):
        check(SEEDED["int_" + key] not in seen, "agent of A does not see interaction %s" % key)


def test_supervisor_of_a_and_c():
    seen = check_scoped("supervisor_a", "AC")
    check(SEEDED["int_C"] in seen and SEEDED["int_B"] not in seen, "supervisor of A and C: C's, not B's")


def test_agent_of_branch_b():
    seen = check_scoped("agent_b", "B")
    for key in ("B", "none_of_B", "loose_B", "none", "loose_none"):
        check(SEEDED["int_" + key] in seen, "agent of B sees interaction %s" % key)
    check(SEEDED["int_A_of_B"] not in seen, "an interaction in branch A's conversation is A's")


def test_cursor():
    for username in ("agent_a", "admin"):
        token = T[username]
        with Snapshot(token, "%s's first snapshot" % username) as first:
            cursor = first.cursor
            # Nothing happened since: pulling since the cursor gives nothing, and the pull's
            # cursor is the snapshot's.
            changes, end = pull_since(token, cursor)
            check(changes == [] and end == cursor, "%s: nothing to pull right after a snapshot" % username,
                  changes[:2], end, cursor)
            mine = customer_change(S.branches["A"], name="Sesudah Snapshot %s" % username)
            theirs = customer_change(S.branches["B"], name="Cabang Lain %s" % username)
            applied(S.push(T["admin"], [mine]), 1)
            applied(S.push(T["agent_b"], [theirs]), 1)
            check(mine["id"] not in first.ids("customer"), "a later customer is not in the snapshot")
            changes, end = pull_since(token, cursor)
            want = [mine["change_id"]] + ([theirs["change_id"]] if username == "admin" else [])
            check([c["change_id"] for c in changes] == want,
                  "%s: pulling since the snapshot gives exactly the later changes" % username,
                  [(c["entity"], c["id"]) for c in changes], want)
        with Snapshot(token, "%s's second snapshot" % username) as second:
            check(mine["id"] in second.ids("customer"), "the later customer is in the next snapshot")
            check(second.cursor != cursor, "the cursor moved on", cursor)
            changes, end = pull_since(token, second.cursor)
            check(changes == [], "%s: nothing to pull since the second snapshot" % username, changes[:2])
            check(end == second.cursor, "the pull's cursor is the snapshot's", end, second.cursor)


def test_cursor_with_pushes_meanwhile():
    """Records pushed while snapshots are written are in a snapshot or pulled since it, never both."""
    check(S.bulk_customers(S.branches["A"], 20000, "Massal") == 20000, "bulk customers")
    pushed = []
    stop = threading.Event()
    errors = []

    def pusher():
        try:
            for i in range(400):
                if stop.is_set():
                    return
                c = customer_change(S.branches["A"], name="Selama Snapshot %d" % i)
                r = push_alone(T["agent_a"], [c])
                if r.status != 200 or r.json["results"][0]["status"] != "applied":
                    errors.append(r)
                    return
                pushed.append(c["id"])
                time.sleep(0.005)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    thread = threading.Thread(target=pusher)
    thread.start()
    try:
        snaps = []
        for i in range(3):
            while len(pushed) < 10 * (i + 1) and thread.is_alive():
                time.sleep(0.01)
            n_before = len(pushed)      # answered before the snapshot was asked for
            snaps.append((Snapshot(T["agent_a"], "snapshot %d while pushing" % i), n_before))
    finally:
        stop.set()
        thread.join()
    check(not errors, "pushes meanwhile", errors[:1])
    all_pushed = set(pushed)
    try:
        overlapped = False
        for snap, n_before in snaps:
            have = {row[0] for row in snap.db.execute("SELECT id FROM customer WHERE full_name LIKE 'Selama %'")}
            pulled = {c["id"] for c in pull_since(T["agent_a"], snap.cursor)[0] if c["entity"] == "customer"}
            check(not have & pulled, "%s: no record both in the snapshot and pulled since it" % snap.what,
                  sorted(have & pulled)[:3])
            check(have | pulled == all_pushed, "%s: every record in the snapshot or pulled since it" % snap.what,
                  len(have), len(pulled), len(all_pushed))
            check(len(have) >= n_before, "%s: the records pushed before it are in it" % snap.what)
            overlapped = overlapped or 0 < len(have) < len(all_pushed)
        print("# %d customers pushed during 3 snapshots" % len(all_pushed))
        check(overlapped, "pushes happened while snapshots were taken")
    finally:
        for snap, _ in snaps:
            snap.close()
    check_no_leftovers("snapshots while pushing")


def push_alone(token, changes):
    """A push on a connection of its own (the test's main connection is busy meanwhile)."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", S.port, timeout=120)
    try:
        conn.request("POST", "/api/v1/sync/push", json.dumps({"client_id": str(uuid.uuid4()), "changes": changes}),
                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        from sapaserver import Response
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def expect_error(r, status, code, what):
    check(r.status == status, "%s: %d" % (what, status), r)
    check(r.headers.get("content-type", "").startswith("application/json"), "%s: JSON" % what, r.headers)
    err = r.json.get("error")
    check(isinstance(err, dict) and err.get("code") == code and err.get("message"),
          "%s: {error: {code: %s, message}}" % (what, code), r)
    check(r.headers.get("sapa-hlc", "").isdigit(), "%s: Sapa-HLC header" % what, r.headers)


def test_unauthorized():
    expect_error(S.snapshot(None), 401, "unauthorized", "snapshot without a token")
    expect_error(S.snapshot("A" * 43), 401, "unauthorized", "snapshot with a made-up token")
    token = S.sign_in("agent_a")
    check(S.request("DELETE", "/api/v1/session", token=token).status == 204, "signed out")
    expect_error(S.snapshot(token), 401, "unauthorized", "snapshot with a revoked token")
    check_no_leftovers("refused snapshots")


def test_no_snapshots_server():
    plain = ServerFixture(SERVER, "sapa-nosnap")
    plain.extra_args = ["--no-snapshots"]
    with plain:
        token = plain.sign_in("agent_a")
        expect_error(plain.request("GET", "/api/v1/sync/snapshot", token=token), 404, "not_found",
                     "snapshot from a server started with --no-snapshots")
        expect_error(plain.request("GET", "/api/v1/sync/snapshot"), 401, "unauthorized",
                     "snapshot without a token from a server started with --no-snapshots")
        check(plain.request("GET", "/api/v1/sync/pull", token=token).status == 200, "pulling works there")
        check(plain.healthy(), "and the server serves on")
        check_no_leftovers("--no-snapshots", plain)


def test_write_failure():
    """A row the desk schema refuses (a CSAT of 9, written behind the server's back): 500."""
    bad = S.insert_unstorable_rating(S.branches["A"])
    try:
        expect_error(S.snapshot(T["agent_a"]), 500, "internal", "snapshot that cannot be written")
        check_no_leftovers("a snapshot that failed")
        check(S.alive() and S.healthy(), "the server serves on after a failed snapshot")
    finally:
        S.db_write("DELETE FROM survey_response WHERE id = ?", (bad,))
    # Its slot is free again: two at once are both written.
    answers = S.at_once("GET", "/api/v1/sync/snapshot", [T["agent_a"], T["admin"]])
    check([r.status for r in answers] == [200, 200], "two snapshots after a failed one", answers)
    check_no_leftovers("snapshots after a failed one")


def test_two_at_once():
    """A third snapshot while two are written: 503 with Retry-After; the two are written."""
    # The bulk customers of test_cursor_with_pushes_meanwhile make a snapshot take a while.
    check(server_one("SELECT count(*) FROM customer WHERE full_name LIKE 'Massal %'") == 20000, "bulk customers")
    statuses = []
    for attempt in range(3):
        answers = S.at_once("GET", "/api/v1/sync/snapshot", [T["agent_a"], T["supervisor_a"], T["agent_a"],
                                                            T["admin"], T["agent_a"]])
        statuses = sorted(r.status for r in answers)
        for r in answers:
            if r.status == 503:
                expect_error(r, 503, "unavailable", "a third snapshot at once")
                check(r.headers.get("retry-after", "").isdigit() and int(r.headers["retry-after"]) > 0,
                      "503 says when to try again", r.headers)
            else:
                check(r.status == 200 and r.body.startswith(b"SQLite format 3\0"), "a snapshot written", r)
        check(statuses.count(200) >= 2 and set(statuses) <= {200, 503}, "at least two written", statuses)
        if 503 in statuses:
            break
    check(503 in statuses, "five snapshots at once: some answered 503", statuses)
    check_no_leftovers("snapshots at once")
    check(S.snapshot(T["agent_a"]).status == 200, "afterwards one is written again")


def test_client_leaves_half_way():
    import socket
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", S.port), timeout=30)
        sock.sendall(("GET /api/v1/sync/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
                      % T["admin"]).encode())
        sock.recv(4096)         # the answer starts ...
        sock.close()            # ... and the desk goes away
    sock = socket.create_connection(("127.0.0.1", S.port), timeout=30)
    sock.sendall(("GET /api/v1/sync/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
                  % T["agent_a"]).encode())
    sock.close()                # gone before the answer
    check(S.alive() and S.healthy(), "the server serves on")
    # The snapshots the clients left are still written (and then dropped): their slots
    # are free again once they are done.
    deadline = time.monotonic() + 120
    while True:
        answers = S.at_once("GET", "/api/v1/sync/snapshot", [T["agent_a"], T["admin"]])
        statuses = [r.status for r in answers]
        if statuses == [200, 200] or time.monotonic() > deadline:
            break
        check(set(statuses) <= {200, 503}, "snapshots while the left ones are written", answers)
        time.sleep(1)
    check(statuses == [200, 200], "both slots are free again", answers)
    check_no_leftovers("clients that left")


def test_killed_while_writing():
    """A server killed while it writes a snapshot leaves the file; started again, it removes it."""
    import signal
    import socket
    seen = []
    for attempt in range(5):
        sock = socket.create_connection(("127.0.0.1", S.port), timeout=30)
        try:
            sock.sendall(("GET /api/v1/sync/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\n\r\n" % T["agent_a"]).encode())
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                seen = leftovers()
                if not seen:
                    time.sleep(0.005)
            if seen:
                S.proc.send_signal(signal.SIGKILL)
                S.proc.wait()
        finally:
            sock.close()
        if seen:
            break
    check(seen, "a snapshot file was seen while one was written")
    S.stop()
    check(leftovers(), "the killed server left its file", os.listdir(S.data))
    S.start()
    check(S.healthy(), "the server is back")
    check_no_leftovers("a restart after a kill")
    with Snapshot(T["agent_a"], "a snapshot after the restart") as snap:
        check_desk_file(snap)


def main():
    global S
    with ServerFixture(SERVER, "sapa-snapshot") as server:
        S = server
        for username in ("agent_a", "supervisor_a", "admin", "agent_b"):
            T[username] = S.sign_in(username)
        status = run_tests([
            ("seeded records cover every rule", test_seeded_data_covers_the_rules),
            ("admin: every record, row for row", test_admin_has_everything),
            ("agent of A: its branch and no branch", test_agent_of_branch_a),
            ("supervisor of A and C", test_supervisor_of_a_and_c),
            ("agent of B", test_agent_of_branch_b),
            ("snapshot_cursor: pulling goes on after the snapshot", test_cursor),
            ("snapshot_cursor with pushes meanwhile", test_cursor_with_pushes_meanwhile),
            ("401 without a valid token", test_unauthorized),
            ("404 from a server with --no-snapshots", test_no_snapshots_server),
            ("500 when the snapshot cannot be written", test_write_failure),
            ("two at once, a third 503", test_two_at_once),
            ("clients leaving half-way", test_client_leaves_half_way),
            ("a server killed while writing one", test_killed_while_writing),
        ])
        check_no_leftovers("the end")
        return status


if __name__ == "__main__":
    sys.exit(main())
