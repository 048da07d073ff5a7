# SPDX-License-Identifier: GPL-3.0-or-later
"""Role matrix: every role x every route x own and other branch records.

Roles: agent of branch A, supervisor of branch A (who also sees branch C),
admin, no token, an expired token and a revoked token. Routes: session
POST/DELETE, push, pull, snapshot, live upgrade, audit, inbound, healthz, survey
links, the public survey page and metrics.

Run: test_roles.py PATH/TO/sapa-server
"""

import os
import sqlite3
import sys
import time
import uuid

from sapaserver import (PASSWORD, ServerFixture, change, check, customer_change, new_hlc,
                        run_tests)

SERVER = sys.argv[1]
S = None            # the running ServerFixture
TOKENS = {}         # role -> token (None for no token)
SIGNED_IN = ("agent_a", "supervisor_a", "admin")
NOT_SIGNED_IN = ("none", "expired", "revoked")
ROLES = SIGNED_IN + NOT_SIGNED_IN


def visible_branches(role):
    b = S.branches
    return {"agent_a": {b["A"]}, "supervisor_a": {b["A"], b["C"]},
            "agent_b": {b["B"]}, "admin": {b["A"], b["B"], b["C"]}}[role]


def expect_error(r, status, code, what):
    check(r.status == status, "%s: expected %d" % (what, status), r)
    check(r.headers.get("content-type", "").startswith("application/json"),
          "%s: JSON error" % what, r.headers)
    err = r.json.get("error")
    check(isinstance(err, dict) and err.get("code") == code and isinstance(err.get("message"), str)
          and err["message"], "%s: error body {code: %s, message}" % (what, code), r)
    check("sapa-hlc" in r.headers, "%s: Sapa-HLC header on errors too" % what, r.headers)


def make_tokens():
    for role in SIGNED_IN:
        TOKENS[role] = S.sign_in(role)
    TOKENS["agent_b"] = S.sign_in("agent_b")
    TOKENS["none"] = None
    # Expired: a token of agent_a that was last used 13 hours ago.
    device = "expired-" + uuid.uuid4().hex
    TOKENS["expired"] = S.sign_in("agent_a", device=device)
    n = S.db_write("UPDATE token SET last_used = last_used - 13 * 3600, created_at = created_at - 13 * 3600 "
                   "WHERE device = ?", (device,))
    check(n == 1, "one token aged", n)
    # Revoked: signed out.
    TOKENS["revoked"] = S.sign_in("agent_a")
    r = S.request("DELETE", "/api/v1/session", token=TOKENS["revoked"])
    check(r.status == 204, "sign out", r)


def test_healthz():
    for role in ROLES:
        r = S.request("GET", "/healthz", token=TOKENS[role])
        check(r.status == 200, "healthz for %s" % role, r)
        check(r.json.get("status") == "ok" and isinstance(r.json.get("version"), str)
              and r.json.get("hlc", "").isdigit(), "healthz body", r)
        check(r.headers.get("sapa-hlc", "").isdigit(), "Sapa-HLC header", r.headers)


def test_session_post():
    for role in SIGNED_IN:
        r = S.request("POST", "/api/v1/session", {"username": role, "password": PASSWORD, "device": "m"})
        check(r.status == 201, "sign in %s" % role, r)
        body = r.json
        check(isinstance(body.get("token"), str) and len(body["token"]) == 43
              and "=" not in body["token"], "token is 32 bytes in base64url without padding", body)
        check(body["agent"].get("id") == S.users[role] and body["agent"].get("role") ==
              {"agent_a": "agent", "supervisor_a": "supervisor", "admin": "admin"}[role],
              "agent record of %s" % role, body)
        check(set(body.get("branches", [])) == visible_branches(role),
              "branches of %s" % role, body.get("branches"), visible_branches(role))
        check(body.get("expires_at", "").endswith("Z"), "expires_at in UTC", body)
    # A token in the header does not sign anyone in; a wrong password is 401.
    for role in NOT_SIGNED_IN:
        r = S.request("POST", "/api/v1/session",
                      {"username": "agent_a", "password": "salah-" + role, "device": "m"}, token=TOKENS[role])
        expect_error(r, 401, "unauthorized", "wrong password (%s)" % role)


def test_session_delete():
    for role in SIGNED_IN:
        token = S.sign_in(role)
        r = S.request("DELETE", "/api/v1/session", token=token)
        check(r.status == 204, "sign out %s" % role, r)
        r = S.request("GET", "/api/v1/sync/pull?limit=1", token=token)
        expect_error(r, 401, "unauthorized", "pull after sign out (%s)" % role)
    for role in NOT_SIGNED_IN:
        r = S.request("DELETE", "/api/v1/session", token=TOKENS[role])
        expect_error(r, 401, "unauthorized", "sign out without a valid token (%s)" % role)


def statuses(r):
    check(r.status == 200, "push answered", r)
    return [(x["change_id"], x["status"], x.get("error")) for x in r.json["results"]]


# Which pushes each role may make: (description, builder(branches) -> change, roles that may)
def push_cases():
    b = S.branches
    return [
        ("customer of branch A", lambda: customer_change(b["A"]), {"agent_a", "supervisor_a", "admin"}),
        ("customer of branch B", lambda: customer_change(b["B"]), {"admin"}),
        ("customer of branch C", lambda: customer_change(b["C"]), {"supervisor_a", "admin"}),
        ("a branch record", lambda: change("branch", str(uuid.uuid4()),
                                           {"name": "Cabang %s" % uuid.uuid4().hex[:6], "kind": "hotel"}),
         {"admin"}),
        ("an agent record of branch A", lambda: change("agent", str(uuid.uuid4()),
                                                      {"username": "u" + uuid.uuid4().hex[:8],
                                                       "display_name": "Baru", "role": "agent",
                                                       "branch_id": b["A"]}), {"admin"}),
    ]


def test_push_matrix():
    for desc, build, allowed in push_cases():
        for role in ROLES:
            before = S.counts()
            c = build()
            r = S.push(TOKENS[role], [c])
            if role in NOT_SIGNED_IN:
                expect_error(r, 401, "unauthorized", "push %s as %s" % (desc, role))
                check(S.counts() == before, "nothing written by a refused push (%s, %s)" % (desc, role),
                      before, S.counts())
                continue
            [(cid, status, error)] = statuses(r)
            check(cid == c["change_id"], "result names the change")
            if role in allowed:
                check(status == "applied", "%s pushes %s" % (role, desc), r)
                check(S.counts()["change_log"] == before["change_log"] + 1, "one change logged", r)
            else:
                check(status == "rejected" and error == "forbidden",
                      "%s may not push %s: rejected/forbidden" % (role, desc), r)
                after = S.counts()
                check(after["change_log"] == before["change_log"]
                      and after[c["entity"]] == before[c["entity"]],
                      "nothing written for a forbidden change (%s, %s)" % (desc, role), before, after)


def test_push_cannot_take_over_other_branch_record():
    """An agent of A may not rewrite a customer of B by claiming it is in A."""
    b = S.branches
    theirs = customer_change(b["B"], name="Milik Cabang B")
    check(statuses(S.push(TOKENS["admin"], [theirs]))[0][1] == "applied", "admin seeds a B customer")
    for role in ("agent_a", "supervisor_a"):
        steal = change("customer", theirs["id"], {"full_name": "Diambil alih", "branch_id": b["A"],
                                                  "segment": "vip"})
        [(cid, status, error)] = statuses(S.push(TOKENS[role], [steal]))
        check(status == "rejected" and error == "forbidden",
              "%s rewriting a branch B customer into A is forbidden" % role, status, error)
        partial = change("customer", theirs["id"], {"notes": "diubah dari cabang A"})
        [(cid, status, error)] = statuses(S.push(TOKENS[role], [partial]))
        check(status == "rejected" and error == "forbidden",
              "%s editing a branch B customer is forbidden" % role, status, error)
        gone = change("customer", theirs["id"], None, op="delete")
        [(cid, status, error)] = statuses(S.push(TOKENS[role], [gone]))
        check(status == "rejected" and error == "forbidden",
              "%s deleting a branch B customer is forbidden" % role, status, error)
    # Nor may an agent take a record of their own branch out of every branch.
    own = customer_change(b["A"])
    check(statuses(S.push(TOKENS["agent_a"], [own]))[0][1] == "applied", "own customer")
    [(cid, status, error)] = statuses(S.push(TOKENS["agent_a"], [change("customer", own["id"], {"branch_id": None})]))
    check(status == "rejected" and error == "forbidden", "agent clearing a customer's branch", status, error)
    changes, _ = S.pull_all(TOKENS["agent_b"])
    mine = [c for c in changes if c["id"] == theirs["id"]]
    check(len(mine) == 1 and mine[0]["fields"]["full_name"] == "Milik Cabang B",
          "branch B still sees only its own version", mine)


def test_push_timeline_of_other_branch():
    """Conversations and interactions follow their customer's branch."""
    b = S.branches
    cust_b = customer_change(b["B"])
    check(statuses(S.push(TOKENS["admin"], [cust_b]))[0][1] == "applied", "seed")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    conv = change("conversation", str(uuid.uuid4()), {"customer_id": cust_b["id"], "branch_id": b["B"],
                                                      "channel": "walk_in", "status": "open", "opened_at": now})
    inter = change("interaction", str(uuid.uuid4()), {"customer_id": cust_b["id"], "channel": "walk_in",
                                                      "direction": "inbound", "body": "x", "started_at": now})
    for c in (conv, inter):
        [(cid, status, error)] = statuses(S.push(TOKENS["agent_a"], [c]))
        check(status == "rejected" and error == "forbidden",
              "agent of A may not add a %s for a branch B customer" % c["entity"], status, error)
    # The same records under new change ids (a refused change id keeps its answer).
    conv["change_id"], inter["change_id"] = str(uuid.uuid4()), str(uuid.uuid4())
    results = statuses(S.push(TOKENS["agent_b"], [conv, inter]))
    check([s for _, s, _ in results] == ["applied", "applied"], "agent of B may", results)
    # An interaction of a branch A customer threaded into branch B's conversation is B's.
    cust_a = customer_change(b["A"])
    check(statuses(S.push(TOKENS["agent_a"], [cust_a]))[0][1] == "applied", "own customer")
    mixed = change("interaction", str(uuid.uuid4()), {"customer_id": cust_a["id"], "conversation_id": conv["id"],
                                                      "channel": "walk_in", "direction": "outbound",
                                                      "body": "y", "started_at": now})
    [(cid, status, error)] = statuses(S.push(TOKENS["agent_a"], [mixed]))
    check(status == "rejected", "interaction into another branch's conversation is refused", status, error)
    # Ratings follow their branch too.
    rating = change("survey_response", str(uuid.uuid4()), {"kind": "csat", "score": 5, "customer_id": cust_b["id"],
                                                           "branch_id": b["B"], "collected_via": "kiosk",
                                                           "collected_at": now})
    [(cid, status, error)] = statuses(S.push(TOKENS["agent_a"], [rating]))
    check(status == "rejected" and error == "forbidden", "rating of branch B by agent of A", status, error)


def branch_of_changes(all_changes):
    """The branch of each change by the contract's rule; 'audit' for audit events."""
    record_branch = {}
    conv_branch = {}
    out = {}
    for c in all_changes:
        e, f = c["entity"], c.get("fields") or {}
        if e == "branch":
            br = c["id"]
        elif e in ("agent", "customer", "conversation", "survey_response"):
            if "branch_id" in f:
                record_branch[c["id"]] = f["branch_id"]
            br = record_branch.get(c["id"])
            if e == "conversation":
                conv_branch[c["id"]] = br
        elif e == "interaction":
            br = conv_branch.get(f.get("conversation_id")) or record_branch.get(f.get("customer_id"))
        elif e == "canned_response":
            br = None
        elif e == "audit_event":
            br = "audit"
        else:
            raise AssertionError("unknown entity in pull: %s" % e)
        out[c["change_id"]] = br
    return out


def test_pull_matrix():
    b = S.branches
    # Some of everything, made by the admin: customers in every branch, a canned response.
    seeds = [customer_change(b[k]) for k in "ABC"]
    seeds.append(change("canned_response", str(uuid.uuid4()), {"title": "Salam", "body": "Selamat pagi"}))
    check(all(s == "applied" for _, s, _ in statuses(S.push(TOKENS["admin"], seeds))), "seeded")
    # A reveal recorded at agent A's desk: pushed by the agent, pulled by admins only.
    reveal = change("audit_event", str(uuid.uuid4()), {"action": "reveal_account", "agent_id": S.users["agent_a"],
                                                       "customer_id": seeds[0]["id"], "at": time.strftime(
                                                           "%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    check(statuses(S.push(TOKENS["agent_a"], [reveal]))[0][1] == "applied", "agent records a reveal")
    S.inbound("whatsapp", {"message_id": "pull-" + uuid.uuid4().hex, "from": {"phone": "081311112222"},
                           "text": "Halo dari WhatsApp"})

    everything, _ = S.pull_all(TOKENS["admin"])
    ids = [c["change_id"] for c in everything]
    check(len(ids) == len(set(ids)), "admin pull has every change once")
    S_count = S.counts()["change_log"]
    check(len(everything) == S_count, "admin sees every change of the log", len(everything), S_count)
    for c in everything:
        check(isinstance(c.get("client_id"), str) and c["client_id"], "pulled change has client_id", c)
    branch = branch_of_changes(everything)

    for role in ("agent_a", "supervisor_a", "agent_b"):
        got, _ = S.pull_all(TOKENS[role])
        allowed = visible_branches(role)
        expected = [c["change_id"] for c in everything
                    if branch[c["change_id"]] is None or branch[c["change_id"]] in allowed]
        got_ids = [c["change_id"] for c in got]
        extra = [c for c in got if c["change_id"] not in set(expected)]
        missing = set(expected) - set(got_ids)
        check(not extra, "%s pulls changes outside its branches" % role, extra[:3])
        check(not missing, "%s misses changes of its branches" % role,
              [c for c in everything if c["change_id"] in missing][:3])
        check(got_ids == expected, "%s pulls in commit order" % role)
        print("# %s pulls %d of the %d changes" % (role, len(got_ids), len(everything)))
        # The seeded B customer is visible to agent_b only (and the admin).
        seeded_b = seeds[1]["change_id"]
        check((seeded_b in got_ids) == (role == "agent_b"), "branch B customer visibility for %s" % role)
        check(reveal["change_id"] not in got_ids, "audit events are not pulled by %s" % role)
    check(reveal["change_id"] in ids, "the admin pulls the reveal")

    for role in NOT_SIGNED_IN:
        r = S.request("GET", "/api/v1/sync/pull?limit=10", token=TOKENS[role])
        expect_error(r, 401, "unauthorized", "pull as %s" % role)


SNAPSHOT_TABLES = ("branch", "agent", "canned_response", "audit_event", "customer", "conversation",
                   "interaction", "survey_response")


def test_snapshot_matrix():
    """A snapshot holds exactly the records whose changes the same caller pulls."""
    b = S.branches
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # A conversation of branch A about a customer of branch B, with an interaction in it:
    # the interaction goes with the conversation's branch.
    cust_b = customer_change(b["B"])
    conv = change("conversation", str(uuid.uuid4()), {"customer_id": cust_b["id"], "branch_id": b["A"],
                                                      "channel": "walk_in", "status": "open", "opened_at": now})
    inter = change("interaction", str(uuid.uuid4()), {"customer_id": cust_b["id"], "conversation_id": conv["id"],
                                                      "channel": "walk_in", "direction": "inbound", "body": "z",
                                                      "started_at": now})
    check(all(s == "applied" for _, s, _ in statuses(S.push(TOKENS["admin"], [cust_b, conv, inter]))), "seeded")
    server = S.db()
    try:
        audit_rows = server.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        all_branches = {row[0] for row in server.execute("SELECT id FROM branch")}
    finally:
        server.close()
    check(audit_rows > 0, "the pull matrix left audit events to leave out")
    for role in ("agent_a", "supervisor_a", "admin", "agent_b"):
        path = os.path.join(S.tmp, "snapshot-%s.sqlite" % role)
        r = S.snapshot(TOKENS[role], path)
        check(r.status == 200 and r.headers.get("content-type") == "application/vnd.sqlite3"
              and r.body.startswith(b"SQLite format 3\0"), "snapshot as %s" % role, r.headers, r.body[:32])
        check(r.headers.get("sapa-hlc", "").isdigit(), "Sapa-HLC header on the snapshot", r.headers)
        pulled = {}
        for c in S.pull_all(TOKENS[role])[0]:
            pulled.setdefault(c["entity"], set()).add(c["id"])
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            for table in SNAPSHOT_TABLES:
                ids = {row[0] for row in db.execute("SELECT id FROM %s" % table)}
                want = pulled.get(table, set())
                check(ids == want, "%s's snapshot: %s records are those %s pulls" % (role, table, role),
                      "only in the snapshot: %s" % sorted(ids - want)[:3],
                      "only pulled: %s" % sorted(want - ids)[:3])
            branches = {row[0] for row in db.execute("SELECT id FROM branch")}
            # The admin's are every branch, also those pushed since the fixture made A, B and C.
            check(branches == (all_branches if role == "admin" else visible_branches(role)),
                  "%s's snapshot: its branches" % role, branches)
            for table in ("agent", "customer", "conversation", "survey_response"):
                outside = db.execute("SELECT id, branch_id FROM %s" % table).fetchall()
                outside = [row for row in outside if row[1] is not None and row[1] not in visible_branches(role)]
                check(not outside, "%s's snapshot: no %s of another branch" % (role, table), outside[:3])
            audit = db.execute("SELECT count(*) FROM audit_event").fetchone()[0]
            check(audit == (audit_rows if role == "admin" else 0), "%s's snapshot: audit events" % role, audit)
            has_inter = db.execute("SELECT count(*) FROM interaction WHERE id = ?", (inter["id"],)).fetchone()[0]
            check(has_inter == (1 if role in ("agent_a", "supervisor_a", "admin") else 0),
                  "%s's snapshot: an interaction goes with its conversation's branch" % role, has_inter)
        finally:
            db.close()
            os.unlink(path)
    for role in NOT_SIGNED_IN:
        expect_error(S.snapshot(TOKENS[role]), 401, "unauthorized", "snapshot as %s" % role)


def test_live_upgrade():
    for role in SIGNED_IN:
        status, frame = S.live_upgrade(TOKENS[role])
        check(status == 101, "live upgrade as %s" % role, status)
        check(frame is not None and frame.get("type") == "changes" and isinstance(frame.get("cursor"), str),
              "first live message", frame)
    for role in NOT_SIGNED_IN:
        status, _ = S.live_upgrade(TOKENS[role])
        check(status == 401, "live upgrade as %s" % role, status)


def test_audit():
    for role in ROLES:
        r = S.request("GET", "/api/v1/audit?limit=5", token=TOKENS[role])
        if role == "admin":
            check(r.status == 200 and isinstance(r.json.get("events", r.json), (list, dict)), "audit for admin", r)
        elif role in SIGNED_IN:
            expect_error(r, 403, "forbidden", "audit as %s" % role)
        else:
            expect_error(r, 401, "unauthorized", "audit as %s" % role)


def test_inbound():
    for role in ROLES:
        msg = {"message_id": "role-%s-%s" % (role, uuid.uuid4().hex), "from": {"email": "rina@example.co.id"},
               "text": "Pesan dari email"}
        body = __import__("json").dumps(msg).encode()
        r = S.request("POST", "/api/v1/inbound/email", body, token=TOKENS[role],
                      headers={"X-Sapa-Signature": "sha256=" + __import__("hmac").new(
                          S.secrets["email"].encode(), body, "sha256").hexdigest()})
        check(r.status == 201 and r.json.get("status") == "created", "signed inbound with %s token" % role, r)
        before = S.counts()
        r = S.request("POST", "/api/v1/inbound/email", body.replace(b"email", b"emall", 1), token=TOKENS[role],
                      headers={"X-Sapa-Signature": "sha256=" + "0" * 64})
        expect_error(r, 401, "unauthorized", "inbound with a wrong signature (%s token)" % role)
        check(S.counts() == before, "nothing written by a badly signed message")


def test_disabled_user():
    """Disabling a user ends their sessions at once and refuses new ones (last: agent_b stays off)."""
    token = TOKENS["agent_b"]
    check(S.request("GET", "/api/v1/sync/pull?limit=1", token=token).status == 200, "agent_b signed in")
    S.admin("user", "disable", "--data", S.data, "--username", "agent_b")
    expect_error(S.request("GET", "/api/v1/sync/pull?limit=1", token=token), 401, "unauthorized",
                 "pull with a disabled user's token")
    r = S.request("POST", "/api/v1/session", {"username": "agent_b", "password": PASSWORD, "device": "d"})
    expect_error(r, 401, "unauthorized", "sign in as a disabled user")
    status, _ = S.live_upgrade(token)
    check(status == 401, "live upgrade with a disabled user's token", status)
    expect_error(S.snapshot(token), 401, "unauthorized", "snapshot with a disabled user's token")


def test_survey_links():
    """Survey links for conversations of each branch: the caller must see the branch."""
    b = S.branches
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    convs = {}
    for key in ("A", "B", "C"):
        cust = customer_change(b[key])
        convs[key] = str(uuid.uuid4())
        r = S.push(TOKENS["admin"], [cust, change("conversation", convs[key], {
            "customer_id": cust["id"], "branch_id": b[key], "channel": "chat", "status": "open", "opened_at": now})])
        check(r.status == 200, "seed", r)
    allowed = {"agent_a": {"A"}, "supervisor_a": {"A", "C"}, "admin": {"A", "B", "C"}}
    links = []
    for role in ROLES:
        for key, conv_id in convs.items():
            r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id}, token=TOKENS[role])
            what = "survey link for branch %s as %s" % (key, role)
            if role in NOT_SIGNED_IN:
                expect_error(r, 401, "unauthorized", what)
            elif key in allowed[role]:
                check(r.status == 201, what + ": 201", r)
                links.append(r.json["url"])
            else:
                expect_error(r, 403, "forbidden", what)
    # The page itself needs no sign-in, and a bearer token changes nothing.
    path = links[0][links[0].index("/s/"):]
    for role in ROLES:
        r = S.request("GET", path, token=TOKENS[role])
        check(r.status == 200 and r.headers.get("content-type", "").startswith("text/html"),
              "survey page for %s" % role, r)


def test_metrics():
    b, u = S.branches, S.users
    q = "/api/v1/metrics?from=2026-11-01&to=2026-12-01"
    cases = [
        # (role, extra query, status)
        ("agent_a", "", 200),
        ("agent_a", "&agent=" + u["agent_a"], 200),
        ("agent_a", "&agent=" + u["agent_b"], 403),
        ("agent_a", "&branch=" + b["A"], 200),
        ("agent_a", "&branch=" + b["B"], 403),
        ("supervisor_a", "&branch=" + b["A"], 200),
        ("supervisor_a", "&branch=" + b["C"], 200),
        ("supervisor_a", "&branch=" + b["B"], 403),
        ("supervisor_a", "", 400),
        ("supervisor_a", "&branch=" + b["A"] + "&agent=" + u["agent_a"], 200),
        ("admin", "", 200),
        ("admin", "&branch=" + b["B"], 200),
        ("admin", "&agent=" + u["agent_b"], 200),
    ] + [(role, "", 401) for role in NOT_SIGNED_IN]
    for role, extra, status in cases:
        r = S.request("GET", q + extra, token=TOKENS[role])
        what = "metrics%s as %s" % (extra, role)
        if status == 200:
            check(r.status == 200, what + ": 200", r)
            f = r.json["filter"]
            if role == "agent_a":
                check(f["agent"] == u["agent_a"], "an agent's figures are their own", f)
            if role == "supervisor_a":
                check(f["branch"] in (b["A"], b["C"]), "a supervisor's own branch", f)
        else:
            expect_error(r, status, {400: "bad_request", 401: "unauthorized", 403: "forbidden"}[status], what)


def main():
    global S
    with ServerFixture(SERVER, "sapa-roles") as server:
        S = server
        make_tokens()
        return run_tests([
            ("healthz answers everyone", test_healthz),
            ("session POST", test_session_post),
            ("session DELETE", test_session_delete),
            ("push: own, other and extra branch; branch and agent records", test_push_matrix),
            ("push cannot take over another branch's customer", test_push_cannot_take_over_other_branch_record),
            ("push conversations and interactions of another branch", test_push_timeline_of_other_branch),
            ("pull gives exactly the principal's branches", test_pull_matrix),
            ("snapshot: exactly what the same caller pulls", test_snapshot_matrix),
            ("live upgrade", test_live_upgrade),
            ("audit is for admins", test_audit),
            ("inbound needs a signature, not a token", test_inbound),
            ("survey links follow branches; the page needs no sign-in", test_survey_links),
            ("metrics: agent own, supervisor own branches, admin all", test_metrics),
            ("a disabled user is signed out", test_disabled_user),
        ])


if __name__ == "__main__":
    sys.exit(main())
