# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: every kind gets a 4xx JSON error of the contract, nothing is
written (table counts and the admin's pull before and after), and the server
keeps answering /healthz after each.

Run: test_bad_input.py PATH/TO/sapa-server
"""

import hashlib
import hmac
import json
import os
import sys
import time
import uuid

from sapaserver import (PASSWORD, ServerFixture, change, check, customer_change, new_hlc,
                        run_tests)

SERVER = sys.argv[1]
S = None
T = {}
MiB = 1024 * 1024


def expect_error(r, status, code, what):
    check(r.status == status, "%s: expected %d %s" % (what, status, code), r)
    check(r.headers.get("content-type", "").startswith("application/json"), "%s: JSON answer" % what, r.headers)
    err = r.json.get("error") if isinstance(r.json, dict) else None
    check(isinstance(err, dict) and err.get("code") == code and isinstance(err.get("message"), str)
          and err["message"].strip(), "%s: {error: {code: %s, message}}" % (what, code), r)
    check(r.headers.get("sapa-hlc", "").isdigit(), "%s: Sapa-HLC header" % what, r.headers)


class NothingWritten:
    """with NothingWritten("what"): the block may not change any table or the admin's pull."""

    def __init__(self, what, allow=()):
        self.what = what
        self.allow = allow      # tables a per-change refusal may write (push_result)

    def __enter__(self):
        self.counts = S.counts()
        self.pulled = [c["change_id"] for c in S.pull_all(T["admin"])[0]]
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        check(S.alive(), "%s: the server is still running" % self.what, S.log()[-2000:])
        check(S.healthy(), "%s: /healthz still answers" % self.what)
        after = S.counts()
        for t in self.allow:
            after.pop(t, None)
            self.counts.pop(t, None)
        check(after == self.counts, "%s: nothing written" % self.what, self.counts, after)
        pulled = [c["change_id"] for c in S.pull_all(T["admin"])[0]]
        check(pulled == self.pulled, "%s: pull unchanged" % self.what)
        return False


def raw_push(body, token=None, content_type="application/json"):
    return S.request("POST", "/api/v1/sync/push", body, token=token or T["agent_a"],
                     headers={"Content-Type": content_type})


def push_body(changes):
    return json.dumps({"client_id": str(uuid.uuid4()), "changes": changes}).encode()


def sign(channel, body):
    return "sha256=" + hmac.new(S.secrets[channel].encode(), body, hashlib.sha256).hexdigest()


def test_malformed_json():
    cases = [
        ("push", "/api/v1/sync/push", b'{"client_id": "x", "changes": ['),
        ("push", "/api/v1/sync/push", b'not json at all'),
        ("push", "/api/v1/sync/push", b''),
        ("session", "/api/v1/session", b'{"username": "agent_a", "password": '),
        # Two JSON values: json-glib 1.6 would take the first and leak the second.
        ("session", "/api/v1/session", b'1{"username":"agent_a"}'),
        ("push", "/api/v1/sync/push",
         b'{"client_id":"5d0c7a52-8a35-4b3d-bd0e-2b0f6f6f0a11","changes":[]}{"x":1}'),
    ]
    for name, path, body in cases:
        with NothingWritten("malformed %s %r" % (name, body[:20])):
            token = T["agent_a"] if name == "push" else None
            r = S.request("POST", path, body, token=token, headers={"Content-Type": "application/json"})
            expect_error(r, 400, "bad_request", "malformed JSON to %s: %r" % (name, body[:30]))
    # Inbound, correctly signed but not JSON.
    body = b'{"message_id": "m", "from": {"phone": "0812'
    with NothingWritten("malformed inbound"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers={"X-Sapa-Signature": sign("whatsapp", body)})
        expect_error(r, 400, "bad_request", "malformed inbound")


def rss_mib():
    with open("/proc/%d/status" % S.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS")


def test_trailing_json_does_not_leak():
    """A value followed by an object ("1{...}") once leaked the object in json-glib 1.6:
    anyone could grow the server's memory with sign-in requests."""
    array = b"[" + b",".join([b"0"] * 65536) + b"]"
    one = b'{"a":' + array + b'}'
    two = b'1{"a":' + array + b'}'
    for _ in range(5):      # the allocator's own high-water mark first
        S.request("POST", "/api/v1/session", one)
    base = rss_mib()
    for _ in range(10):
        r = S.request("POST", "/api/v1/session", two)
        expect_error(r, 400, "bad_request", "two JSON values in a sign-in body")
    grown = rss_mib() - base
    print("# resident memory grew %.1f MiB over 10 requests of %d KiB" % (grown, len(two) // 1024))
    check(grown < 20, "the server's memory does not grow with each request (%.1f MiB)" % grown)


def test_wrong_types():
    cid = str(uuid.uuid4())
    push_cases = [
        {"client_id": 12, "changes": []},
        {"client_id": cid, "changes": "abc"},
        {"client_id": cid, "changes": {"0": {}}},
        {"client_id": cid},
        {"changes": []},
        [],
        "push",
    ]
    for body in push_cases:
        with NothingWritten("push %r" % (body,)):
            r = S.request("POST", "/api/v1/sync/push", json.dumps(body).encode(), token=T["agent_a"])
            expect_error(r, 400, "bad_request", "push with wrong types %r" % (body,))
    for body in ({"username": 1, "password": PASSWORD, "device": "d"},
                 {"username": "agent_a", "password": ["x"], "device": "d"},
                 {"username": "agent_a"}, ["agent_a", PASSWORD]):
        with NothingWritten("session %r" % (body,)):
            r = S.request("POST", "/api/v1/session", json.dumps(body).encode())
            expect_error(r, 400, "bad_request", "session with wrong types %r" % (body,))
    c = customer_change(S.branches["A"])
    c["hlc"] = 12345
    with NothingWritten("change with a numeric hlc"):
        r = raw_push(push_body([c]))
        expect_error(r, 400, "bad_request", "hlc as a number instead of a string")
    body = json.dumps({"message_id": 5, "from": {"phone": "081234567890"}, "text": "x"}).encode()
    with NothingWritten("inbound with a numeric message id"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers={"X-Sapa-Signature": sign("whatsapp", body)})
        expect_error(r, 400, "bad_request", "inbound with wrong types")
    # A change whose field has the wrong type: record content, like an unknown field (422).
    c = customer_change(S.branches["A"])
    c["fields"]["full_name"] = 42
    with NothingWritten("change with a number as name"):
        r = raw_push(push_body([c]))
        expect_error(r, 422, "invalid", "change field of the wrong type")


def test_unknown_entity_and_field():
    cases = []
    c = customer_change(S.branches["A"])
    c["entity"] = "robot"
    cases.append(("unknown entity", c))
    c = customer_change(S.branches["A"])
    c["fields"]["favourite_colour"] = "biru"
    cases.append(("unknown field", c))
    for what, c in cases:
        good = customer_change(S.branches["A"])
        with NothingWritten(what):
            # A good change beside the bad one: the request is refused whole.
            r = raw_push(push_body([good, c]))
            expect_error(r, 422, "invalid", what)
    # The op is part of the protocol, not a record value: a malformed change.
    c = customer_change(S.branches["A"])
    c["op"] = "merge"
    with NothingWritten("unknown op"):
        expect_error(raw_push(push_body([customer_change(S.branches["A"]), c])), 400, "bad_request", "unknown op")
    # A bad value in a well-formed change is refused for that change alone, as "invalid: ...".
    bad = customer_change(S.branches["A"])
    bad["fields"]["segment"] = "platinum"
    good = customer_change(S.branches["A"])
    before = S.counts()
    r = raw_push(push_body([good, bad]))
    check(r.status == 200, "push with one bad value answered per change", r)
    res = {x["change_id"]: x for x in r.json["results"]}
    check(res[good["change_id"]]["status"] == "applied", "the good change is applied", r)
    check(res[bad["change_id"]]["status"] == "rejected", "the bad value is rejected", r)
    check(res[bad["change_id"]].get("error", "").startswith("invalid: "),
          "the reason reads \"invalid: ...\"", res[bad["change_id"]])
    after = S.counts()
    check(after["customer"] == before["customer"] + 1 and after["change_log"] == before["change_log"] + 1,
          "only the good change written", before, after)
    body = json.dumps({"message_id": "m-" + uuid.uuid4().hex, "from": {}, "text": "tanpa pengirim"}).encode()
    with NothingWritten("inbound without a sender"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers={"X-Sapa-Signature": sign("whatsapp", body)})
        expect_error(r, 422, "invalid", "inbound without a sender")


def test_too_large():
    big_name = "x" * (10 * MiB)
    c = customer_change(S.branches["A"], name=big_name)
    body = push_body([c])
    check(len(body) > 10 * MiB, "a 10 MiB body")
    with NothingWritten("10 MiB push"):
        expect_error(raw_push(body), 413, "too_large", "10 MiB push")
    with NothingWritten("10 MiB sign in"):
        r = S.request("POST", "/api/v1/session",
                      json.dumps({"username": "agent_a", "password": big_name, "device": "d"}).encode())
        expect_error(r, 413, "too_large", "10 MiB sign in")
    body = json.dumps({"message_id": "big", "from": {"phone": "081234567890"}, "text": big_name}).encode()
    with NothingWritten("10 MiB inbound"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers={"X-Sapa-Signature": sign("whatsapp", body)})
        expect_error(r, 413, "too_large", "10 MiB inbound")
    # More than 1000 changes in one push is 413 too, even when the body is small enough.
    many = [customer_change(S.branches["A"]) for _ in range(1001)]
    with NothingWritten("1001 changes"):
        expect_error(raw_push(push_body(many)), 413, "too_large", "1001 changes in one push")


def test_invalid_utf8():
    c = customer_change(S.branches["A"], name="NAME_HERE")
    body = push_body([c]).replace(b"NAME_HERE", b"Rina \xff\xfe Wijaya")
    with NothingWritten("invalid UTF-8 push"):
        expect_error(raw_push(body), 400, "bad_request", "invalid UTF-8 in a push")
    body = b'{"username": "agent_\xc3\x28", "password": "' + PASSWORD.encode() + b'", "device": "d"}'
    with NothingWritten("invalid UTF-8 sign in"):
        r = S.request("POST", "/api/v1/session", body)
        expect_error(r, 400, "bad_request", "invalid UTF-8 in a sign in")
    body = b'{"message_id": "u8", "from": {"phone": "081234567890"}, "text": "\xed\xa0\x80"}'
    with NothingWritten("invalid UTF-8 inbound"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers={"X-Sapa-Signature": sign("whatsapp", body)})
        expect_error(r, 400, "bad_request", "invalid UTF-8 (a surrogate) in an inbound message")


def test_wrong_signature():
    body = json.dumps({"message_id": "sig-" + uuid.uuid4().hex, "from": {"phone": "081234567890"},
                       "text": "Halo"}).encode()
    good = sign("whatsapp", body)
    wrong = [
        None,                                           # no header
        "",                                             # empty
        good[:-1] + ("0" if good[-1] != "0" else "1"),  # one digit off
        "sha1=" + good[7:],                             # other algorithm
        good[7:],                                       # no prefix
        "sha256=" + hmac.new(b"wrong-secret", body, hashlib.sha256).hexdigest(),
        sign("email", body),                            # another channel's secret
        good + "00",                                    # longer
        "sha256=' OR '1'='1",
    ]
    for sig in wrong:
        with NothingWritten("signature %r" % (sig,)):
            headers = {} if sig is None else {"X-Sapa-Signature": sig}
            r = S.request("POST", "/api/v1/inbound/whatsapp", body, headers=headers)
            expect_error(r, 401, "unauthorized", "inbound signed %r" % (sig,))
    # Signed for one body, sent with another.
    with NothingWritten("signature of another body"):
        r = S.request("POST", "/api/v1/inbound/whatsapp", body.replace(b"Halo", b"Hal0"),
                      headers={"X-Sapa-Signature": good})
        expect_error(r, 401, "unauthorized", "inbound body changed after signing")
    # A channel without a secret or that is not an inbound channel.
    for channel in ("instagram", "walk_in", "note", "nosuch"):
        with NothingWritten("inbound on %s" % channel):
            r = S.request("POST", "/api/v1/inbound/" + channel, body, headers={"X-Sapa-Signature": good})
            check(r.status in (401, 404), "inbound on %s refused with 401 or 404" % channel, r)
            expect_error(r, r.status, {401: "unauthorized", 404: "not_found"}[r.status], "inbound on " + channel)


def test_expired_and_revoked_token():
    device = "old-" + uuid.uuid4().hex
    expired = S.sign_in("agent_a", device=device)
    check(S.db_write("UPDATE token SET last_used = last_used - 12 * 3600 - 5 WHERE device = ?", (device,)) == 1,
          "token aged")
    revoked = S.sign_in("agent_a")
    check(S.request("DELETE", "/api/v1/session", token=revoked).status == 204, "signed out")
    for name, token in (("expired", expired), ("revoked", revoked), ("made up", "A" * 43),
                        ("empty", ""), ("not base64", "!!!' OR 1=1 --")):
        with NothingWritten("%s token" % name):
            r = S.request("POST", "/api/v1/sync/push", push_body([customer_change(S.branches["A"])]), token=token)
            expect_error(r, 401, "unauthorized", "push with an %s token" % name)
            r = S.request("GET", "/api/v1/sync/pull", token=token)
            expect_error(r, 401, "unauthorized", "pull with an %s token" % name)
            r = S.request("GET", "/api/v1/sync/snapshot", token=token)
            expect_error(r, 401, "unauthorized", "snapshot with an %s token" % name)
            check(not [f for f in os.listdir(S.data) if f.startswith("snapshot-")],
                  "no snapshot file written for an %s token" % name, os.listdir(S.data))
    # A token used within 12 hours slides: still good after 11 idle hours.
    device = "slides-" + uuid.uuid4().hex
    sliding = S.sign_in("agent_a", device=device)
    S.db_write("UPDATE token SET last_used = last_used - 11 * 3600 WHERE device = ?", (device,))
    check(S.request("GET", "/api/v1/sync/pull?limit=1", token=sliding).status == 200, "11 idle hours: still good")
    # The server keeps serving snapshots to good tokens after the refused ones.
    r = S.request("GET", "/api/v1/sync/snapshot", token=sliding)
    check(r.status == 200 and r.body.startswith(b"SQLite format 3\0"), "a snapshot after the refused ones",
          r.status, r.body[:32])


def test_sql_like_strings():
    nasty = "'; DROP TABLE customer; --"
    c = customer_change(S.branches["A"], name=nasty, notes='" OR 1=1; --\\ ? %s %n \u00e9',
                        tags=["x'); DELETE FROM change_log; --"])
    before = S.counts()
    r = S.push(T["agent_a"], [c])
    check(r.status == 200 and r.json["results"][0]["status"] == "applied", "a name with SQL in it is just a name", r)
    after = S.counts()
    check(after["customer"] == before["customer"] + 1 and after["change_log"] == before["change_log"] + 1,
          "one customer and one change written", before, after)
    got = [x for x in S.pull_all(T["agent_a"])[0] if x["id"] == c["id"]]
    check(len(got) == 1, "pulled once", got)
    check(got[0]["fields"]["full_name"] == nasty and got[0]["fields"]["notes"] == c["fields"]["notes"]
          and got[0]["fields"]["tags"] == c["fields"]["tags"], "round trip as text", got[0]["fields"], c["fields"])
    row = S.db().execute("SELECT full_name FROM customer WHERE id = ?", (c["id"],)).fetchone()
    check(row == (nasty,), "stored as text", row)
    # In other places: user names, cursors, channel names, message ids.
    with NothingWritten("SQL in a user name"):
        r = S.request("POST", "/api/v1/session", {"username": "admin' --", "password": "x' OR '1'='1", "device": "d"})
        expect_error(r, 401, "unauthorized", "SQL in a user name")
    for since in ("' OR 1=1 --", "0; DROP TABLE change_log", "1.1 UNION SELECT * FROM token"):
        with NothingWritten("SQL in a cursor"):
            r = S.request("GET", "/api/v1/sync/pull?since=%s" % __import__("urllib.parse").parse.quote(since),
                          token=T["agent_a"])
            expect_error(r, 410, "gone", "SQL in a cursor %r" % since)
    msg_id = "x' OR '1'='1"
    body = json.dumps({"message_id": msg_id, "from": {"email": "sql@example.co.id"},
                       "name": "Robert'); DROP TABLE customer;--", "text": "'; --"}).encode()
    r = S.request("POST", "/api/v1/inbound/email", body, headers={"X-Sapa-Signature": sign("email", body)})
    check(r.status == 201, "SQL-like inbound message is a message", r)
    r2 = S.request("POST", "/api/v1/inbound/email", body, headers={"X-Sapa-Signature": sign("email", body)})
    check(r2.status == 200 and r2.json.get("status") == "duplicate"
          and r2.json.get("customer_id") == r.json.get("customer_id"), "and it is idempotent", r2)
    tables = {row[0] for row in S.db().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    check({"customer", "change_log", "token"} <= tables, "tables still there", tables)


def test_nul_in_text():
    """A NUL character (valid JSON as \\u0000) is kept or refused, never cut off silently."""
    c = customer_change(S.branches["A"], name="Rina\u0000Wijaya")
    before = S.counts()
    r = S.push(T["agent_a"], [c])
    if r.status == 200 and r.json["results"][0]["status"] == "applied":
        got = [x for x in S.pull_all(T["agent_a"])[0] if x["id"] == c["id"]]
        check(got and got[0]["fields"]["full_name"] == "Rina\u0000Wijaya", "NUL kept", got)
    else:
        check(400 <= r.status < 500 or r.json["results"][0]["status"] == "rejected", "NUL refused", r)
        check(S.counts() == before, "nothing written")


def test_far_dates():
    """A date before the year 1000 is refused or handed out as it came, never in a form
    desks cannot read back (which would stop every desk's pull at that page)."""
    for stamp in ("0324-11-23T09:15:00Z", "0999-12-31T23:59:59Z", "1000-01-01T00:00:00Z",
                  "9999-12-31T23:59:59Z"):
        c = customer_change(S.branches["A"])
        c["fields"]["created_at"] = stamp
        before = S.counts()
        r = S.push(T["agent_a"], [c])
        if r.status == 200 and r.json["results"][0]["status"] == "applied":
            got = [x for x in S.pull_all(T["agent_a"])[0] if x["id"] == c["id"]]
            check(got and got[0]["fields"].get("created_at") == stamp,
                  "created_at %s comes back as sent" % stamp, got and got[0]["fields"].get("created_at"))
        else:
            check(400 <= r.status < 500 or r.json["results"][0]["status"] == "rejected", "refused", r)
            after = S.counts()
            after.pop("push_result", None)
            before.pop("push_result", None)
            check(after == before, "nothing written for a refused date")


def test_bad_pull_parameters():
    for query in ("limit=0", "limit=5001", "limit=-1", "limit=abc", "limit=1.5", "limit="):
        with NothingWritten("pull " + query):
            r = S.request("GET", "/api/v1/sync/pull?" + query, token=T["agent_a"])
            expect_error(r, 422, "invalid", "pull with " + query)
    with NothingWritten("unknown cursor"):
        r = S.request("GET", "/api/v1/sync/pull?since=00000000000000000000000000000000.1", token=T["agent_a"])
        expect_error(r, 410, "gone", "cursor of another server")


def test_clock_ahead():
    c = customer_change(S.branches["A"])
    c["hlc"] = str(((int(time.time() * 1000) + 3600 * 1000) << 16) | 1)
    with NothingWritten("clock ahead", allow=("push_result",)):
        r = S.push(T["agent_a"], [c])
        check(r.status == 200, "push answered", r)
        res = r.json["results"][0]
        check(res["status"] == "rejected" and res.get("error") == "clock ahead", "an hour ahead is refused", res)


def test_unknown_route():
    for method, path in (("GET", "/api/v1/nothing"), ("GET", "/api/v2/sync/pull"), ("POST", "/healthz/../api"),
                         ("GET", "/"), ("GET", "/api/v1/sync/pull/../../../etc/passwd")):
        with NothingWritten("%s %s" % (method, path)):
            r = S.request(method, path, token=T["admin"])
            check(400 <= r.status < 500, "%s %s is a 4xx" % (method, path), r)
            expect_error(r, r.status, {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
                r.status, "?"), "%s %s" % (method, path))


def test_rate_limited_sign_in():
    """The last test: failed sign-ins of one user are limited (429 with Retry-After)."""
    user = "supervisor_a"
    answers = []
    for _ in range(8):
        r = S.request("POST", "/api/v1/session", {"username": user, "password": "bukan-sandinya", "device": "d"})
        answers.append(r.status)
        if r.status == 429:
            break
    check(answers[-1] == 429 and set(answers[:-1]) == {401}, "wrong passwords then 429", answers)
    expect_error(r, 429, "rate_limited", "too many failed sign-ins")
    check(r.headers.get("retry-after", "").isdigit() and int(r.headers["retry-after"]) > 0, "Retry-After seconds",
          r.headers)
    r = S.request("POST", "/api/v1/session", {"username": user, "password": PASSWORD, "device": "d"})
    expect_error(r, 429, "rate_limited", "even the right password waits")
    check(S.healthy(), "still serving")


def test_trusted_proxy_counts_clients():
    """Behind nginx (--trusted-proxy), the per-address sign-in limit counts the
    address in X-Forwarded-For: one client guessing does not lock out the others."""
    with ServerFixture(SERVER, "sapa-proxy") as proxied:
        proxied.extra_args = ["--trusted-proxy", "127.0.0.1"]
        proxied.stop()
        proxied.start()
        def attempt(username, client, password="bukan-sandinya"):
            return proxied.request("POST", "/api/v1/session",
                                   {"username": username, "password": password, "device": "d"},
                                   headers={"X-Forwarded-For": "198.51.100.7, %s" % client})
        # 24 clients, one wrong guess each: more than one address's limit, yet nobody is limited.
        answers = [attempt("nobody%d" % i, "10.0.0.%d" % i).status for i in range(24)]
        check(set(answers) == {401}, "different clients are counted apart", answers)
        # One client guessing on is limited...
        answers = []
        for i in range(30):
            r = attempt("guess%d" % i, "10.0.1.1")
            answers.append(r.status)
            if r.status == 429:
                break
        check(answers[-1] == 429, "one client guessing is limited", answers)
        # ...and another client behind the same proxy still signs in.
        r = attempt("agent_a", "10.0.1.2", PASSWORD)
        check(r.status == 201, "another client signs in", r)


def survey_links_count():
    conn = S.db()
    try:
        return conn.execute("SELECT count(*) FROM survey_link").fetchone()[0]
    finally:
        conn.close()


def test_survey_link_bad_input():
    cust = customer_change(S.branches["A"])
    conv_id = str(uuid.uuid4())
    r = S.push(T["admin"], [cust, change("conversation", conv_id, {
        "customer_id": cust["id"], "branch_id": S.branches["A"], "channel": "email", "status": "open",
        "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})])
    check(r.status == 200, "seed", r)
    p = "/api/v1/survey-links"
    cases = [
        (b'{"conversation_id": ', 400, "bad_request", "malformed JSON"),
        (b'[]', 400, "bad_request", "not an object"),
        (json.dumps({"conversation_id": 5}).encode(), 400, "bad_request", "number for the id"),
        (json.dumps({"conversation_id": [conv_id]}).encode(), 400, "bad_request", "array for the id"),
        (json.dumps({"conversation_id": conv_id, "language": 3}).encode(), 400, "bad_request", "number for language"),
        (json.dumps({"conversation_id": conv_id, "language": "xx"}).encode(), 422, "invalid", "unknown language"),
        (b'{"conversation_id": "\xff\xfe"}', 400, "bad_request", "invalid UTF-8"),
        (json.dumps({"conversation_id": "' OR 1=1 --"}).encode(), 404, "not_found", "SQL-like id"),
        (json.dumps({"conversation_id": "x" * 10000}).encode(), 404, "not_found", "long id"),
        (b'{"conversation_id": "' + b"x" * (10 * MiB) + b'"}', 413, "too_large", "10 MiB"),
    ]
    before = survey_links_count()
    for body, status, code, what in cases:
        with NothingWritten("survey link: " + what):
            expect_error(S.request("POST", p, body, token=T["agent_a"]), status, code, "survey link: " + what)
    check(survey_links_count() == before, "no survey link stored", before, survey_links_count())


def test_survey_page_bad_input():
    cust = customer_change(S.branches["A"])
    conv_id = str(uuid.uuid4())
    S.push(T["admin"], [cust, change("conversation", conv_id, {
        "customer_id": cust["id"], "branch_id": S.branches["A"], "channel": "whatsapp", "status": "open",
        "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})])
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id}, token=T["agent_a"])
    check(r.status == 201, "link", r)
    path = r.json["url"][r.json["url"].index("/s/"):]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        (b"csat=%FF", "invalid UTF-8 score"),
        (b"csat=5&comment=%C3%28", "invalid UTF-8 comment"),
        (b"csat=5%27%20OR%201%3D1%20--", "SQL-like score"),
        (b"csat=99999999999999999999", "huge number"),
        (b"csat=%205", "space before the score"),
        (b"csat=5&kind=nps", "a field naming a kind"),
        (b"\x00\x01\x02", "binary"),
        (b"csat=5&comment=" + b"x" * 5000, "long comment"),
    ]
    for body, what in cases:
        with NothingWritten("survey page: " + what):
            r = S.request("POST", path, body, headers=form)
            check(r.status == 422 and r.headers.get("content-type", "").startswith("text/html")
                  and b'role="alert"' in r.body, "survey page: %s: 422 page with the error" % what, r)
    with NothingWritten("survey page: 10 MiB"):
        expect_error(S.request("POST", path, b"comment=" + b"x" * (10 * MiB), headers=form), 413, "too_large",
                     "survey page: 10 MiB")
    for token in ("%27%20OR%201%3D1--", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 5000):
        r = S.request("GET", "/s/" + token)
        check(r.status == 404 and r.headers.get("content-type", "").startswith("text/html"),
              "unknown token %r: 404 page" % token[:20], r)
    # After all that, the link still takes its one answer.
    r = S.request("POST", path, b"csat=5", headers=form)
    check(r.status == 200, "the link still works", r)


def test_metrics_bad_input():
    q = "/api/v1/metrics?from=2026-11-01&to=2026-12-01"
    for extra, what in (("&tz=Not/AZone", "unknown zone"), ("&tz=../../etc/localtime", "a path for a zone"),
                        ("&channel=%27%20OR%201%3D1", "SQL-like channel")):
        with NothingWritten("metrics: " + what):
            expect_error(S.request("GET", q + extra, token=T["admin"]), 400, "bad_request", "metrics: " + what)
    for query, what in (("?from=%FF&to=2026-12-01", "invalid UTF-8 date"), ("?from=1&to=2", "bare numbers"),
                        ("?from=2026-11-01T25:00:00&to=2026-12-01", "hour 25")):
        expect_error(S.request("GET", "/api/v1/metrics" + query, token=T["admin"]), 400, "bad_request",
                     "metrics: " + what)
    # An SQL-like branch or agent is only a value that matches nothing.
    r = S.request("GET", q + "&branch=%27%20OR%201%3D1%20--&agent=%22%3B%20DROP%20TABLE%20change_log", token=T["admin"])
    check(r.status == 200 and r.json["total"]["counts"]["conversations"] == 0, "SQL-like filters match nothing", r)
    check(S.healthy(), "the server keeps serving")


def test_bad_scores_pushed():
    """The sync door: a rating out of its scale or of an unknown kind is
    refused for that change ("invalid: ..."), a score of the wrong type
    refuses the request; no survey response is stored either way."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def rating(kind, score):
        return change("survey_response", str(uuid.uuid4()),
                      {"kind": kind, "score": score, "branch_id": S.branches["A"],
                       "collected_via": "phone", "collected_at": now})

    # (a null score is a missing one: refused for that change like a bad value)
    for kind, score in (("csat", 6), ("csat", 0), ("nps", 11), ("nps", -1), ("ces", 8), ("ces", 0),
                        ("stars", 5), ("csat", None)):
        what = "%s score %r" % (kind, score)
        with NothingWritten(what, allow=("push_result",)):
            r = raw_push(push_body([rating(kind, score)]))
            check(r.status == 200, "%s: answered per change" % what, r)
            res = r.json["results"][0]
            check(res["status"] == "rejected" and res.get("error", "").startswith("invalid: "),
                  "%s: rejected as invalid" % what, res)
    for score in ("5", 4.5, True):
        what = "score %r" % (score,)
        with NothingWritten(what):
            expect_error(raw_push(push_body([rating("csat", score)])), 422, "invalid", what)
    # The edges of each scale are taken.
    before = S.counts()
    r = raw_push(push_body([rating("csat", 1), rating("csat", 5), rating("nps", 0), rating("nps", 10),
                            rating("ces", 1), rating("ces", 7)]))
    check(r.status == 200 and all(x["status"] == "applied" for x in r.json["results"]),
          "scores at the ends of each scale are applied", r)
    check(S.counts()["survey_response"] == before["survey_response"] + 6, "six ratings stored")


def main():
    global S
    with ServerFixture(SERVER, "sapa-bad-input") as server:
        S = server
        for role in ("agent_a", "admin"):
            T[role] = S.sign_in(role)
        return run_tests([
            ("malformed JSON", test_malformed_json),
            ("two JSON values in one body do not leak", test_trailing_json_does_not_leak),
            ("wrong types", test_wrong_types),
            ("unknown entity, field, value", test_unknown_entity_and_field),
            ("ratings out of their scale", test_bad_scores_pushed),
            ("10 MiB bodies and 1001 changes", test_too_large),
            ("invalid UTF-8", test_invalid_utf8),
            ("wrong inbound signature", test_wrong_signature),
            ("expired and revoked tokens", test_expired_and_revoked_token),
            ("SQL-like strings are text", test_sql_like_strings),
            ("NUL in text", test_nul_in_text),
            ("dates before the year 1000", test_far_dates),
            ("bad pull parameters and cursors", test_bad_pull_parameters),
            ("clock ahead", test_clock_ahead),
            ("unknown routes", test_unknown_route),
            ("behind a trusted proxy the limit counts clients", test_trusted_proxy_counts_clients),
            ("survey links: bad requests", test_survey_link_bad_input),
            ("survey page: bad forms and tokens", test_survey_page_bad_input),
            ("metrics: bad parameters", test_metrics_bad_input),
            ("failed sign-ins are rate limited", test_rate_limited_sign_in),
        ])


if __name__ == "__main__":
    sys.exit(main())
