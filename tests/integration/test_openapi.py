# SPDX-License-Identifier: GPL-3.0-or-later
"""The running server answers as docs/api/openapi.yaml says.

For every documented operation, requests are made that should bring each of
its documented answers; each answer's status must be documented for the
operation, its JSON body must match the documented schema (a subset of JSON
Schema: type, nullable, required, properties, additionalProperties, items,
enum, allOf, pattern, min/max length, minimum/maximum, maxItems, formats
uuid and date-time) and documented required headers must be there. Every
documented answer must have been seen (the few that cannot be brought on
purpose are listed in UNREACHABLE). The server's route table and the file's
paths must name the same routes, and every other method on a documented path
answers 405.

Run: test_openapi.py PATH/TO/sapa-server OPENAPI_YAML ROUTER_SOURCE
"""

import datetime
import hashlib
import hmac
import json
import re
import sys
import time
import uuid

import yaml

from sapaserver import PASSWORD, ServerFixture, change, check, customer_change, run_tests

SERVER, SPEC_PATH, ROUTER_SOURCE = sys.argv[1:4]
with open(SPEC_PATH) as f:
    SPEC = yaml.safe_load(f)
S = None
T = {}
LINK = {}           # "token": a survey link's token, made by test_survey_links
SEEN = {}           # (path, method) -> set of statuses seen
METHODS = ("get", "post", "put", "delete", "patch")
# Answers that a test cannot bring on purpose without breaking the server.
UNREACHABLE = {("/api/v1/sync/push", "post", "503")}


# -- a small JSON Schema validator ---------------------------------------------

def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        check(ref.startswith("#/"), "only local $ref", ref)
        target = SPEC
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def validate(value, schema, where="$"):
    """Returns a list of problems (empty when @value matches @schema)."""
    schema = resolve(schema)
    problems = []
    if value is None:
        if schema.get("nullable") or schema.get("type") is None and not schema.get("allOf"):
            return []
        return ["%s: null where %s is expected" % (where, schema.get("type", "a value"))]
    for sub in schema.get("allOf", []):
        problems += validate(value, sub, where)
    t = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t in types and (not isinstance(value, types[t]) or (t != "boolean" and isinstance(value, bool))):
        return problems + ["%s: %r is not of type %s" % (where, value, t)]
    if t == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        return problems + ["%s: %r is not an integer" % (where, value)]
    if t == "number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        return problems + ["%s: %r is not a number" % (where, value)]
    if "enum" in schema and value not in schema["enum"]:
        problems.append("%s: %r not one of %s" % (where, value, schema["enum"]))
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append("%s: shorter than %d" % (where, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append("%s: longer than %d" % (where, schema["maxLength"]))
        fmt = schema.get("format")
        if fmt == "uuid" and not UUID_RE.match(value):
            problems.append("%s: %r is not a UUID" % (where, value))
        if fmt == "date-time":
            try:
                datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                problems.append("%s: %r is not an ISO 8601 date-time" % (where, value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append("%s: below %s" % (where, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            problems.append("%s: above %s" % (where, schema["maximum"]))
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append("%s: more than %d items" % (where, schema["maxItems"]))
        if "items" in schema:
            for i, item in enumerate(value):
                problems += validate(item, schema["items"], "%s[%d]" % (where, i))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append("%s: %s is required" % (where, name))
        for name, v in value.items():
            if name in props:
                problems += validate(v, props[name], "%s.%s" % (where, name))
            elif schema.get("additionalProperties") is False and not _allowed_by_allof(schema, name):
                problems.append("%s: %s is not documented (additionalProperties: false)" % (where, name))
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += validate(v, schema["additionalProperties"], "%s.%s" % (where, name))
    return problems


def _allowed_by_allof(schema, name):
    return any(name in resolve(s).get("properties", {}) for s in schema.get("allOf", []))


def test_validator_itself():
    """The validator catches what it must (so a passing run means something)."""
    err = {"$ref": "#/components/schemas/Error"}
    check(not validate({"error": {"code": "gone", "message": "x"}}, err), "a good error passes")
    check(validate({"error": {"code": "gone"}}, err), "missing message is caught")
    check(validate({"error": {"code": "nope", "message": "x"}}, err), "code outside the enum is caught")
    check(validate({"error": {"code": "gone", "message": "x"}, "extra": 1}, err), "extra member is caught")
    check(validate({"error": {"code": 5, "message": "x"}}, err), "wrong type is caught")
    pull = {"$ref": "#/components/schemas/PullResponse"}
    check(validate({"changes": [{"change_id": "x"}], "cursor": "c", "more": False}, pull), "bad item is caught")
    check(validate({"changes": [], "cursor": "c", "more": "no"}, pull), "string for boolean is caught")
    check(not validate({"changes": [], "cursor": "c", "more": True}, pull), "an empty page passes")


# -- answers -------------------------------------------------------------------

def operation(path, method):
    item = SPEC["paths"].get(path)
    check(item is not None and method in item, "%s %s is documented" % (method.upper(), path))
    return item[method]


def conforms(path, method, r, expect=None):
    """Checks answer @r of METHOD PATH against the file; returns its JSON (or None)."""
    op = operation(path, method)
    status = str(r.status)
    if expect is not None:
        check(r.status == expect, "%s %s: expected %d" % (method.upper(), path, expect), r)
    check(status in op["responses"], "%s %s answered %s, which is not documented" % (method.upper(), path, status),
          sorted(op["responses"]), r)
    SEEN.setdefault((path, method), set()).add(status)
    resp = resolve(op["responses"][status])
    for name, header in (resp.get("headers") or {}).items():
        header = resolve(header)
        if header.get("required"):
            value = r.headers.get(name.lower()) if hasattr(r, "headers") else None
            check(value is not None, "%s %s %s: header %s" % (method.upper(), path, status, name), r)
            problems = validate(value, header.get("schema", {}), name)
            check(not problems, "%s %s %s: header %s" % (method.upper(), path, status, name), *problems)
    content = resp.get("content") or {}
    if status == "101":
        return None
    if "text/html" in content:
        check(r.headers.get("content-type", "").startswith("text/html"),
              "%s %s %s: an HTML page" % (method.upper(), path, status), r.headers)
        check(r.body.startswith(b"<!DOCTYPE html>"), "%s %s %s: HTML5" % (method.upper(), path, status), r)
        return None
    if "application/vnd.sqlite3" in content:
        check(r.headers.get("content-type", "").split(";")[0].strip() == "application/vnd.sqlite3",
              "%s %s %s: an SQLite database" % (method.upper(), path, status), r.headers)
        check(r.body.startswith(b"SQLite format 3\0"), "%s %s %s: the SQLite file header" % (method.upper(), path,
                                                                                             status), r.body[:32])
        check(r.headers.get("content-length") == str(len(r.body)),
              "%s %s %s: sent with Content-Length" % (method.upper(), path, status), r.headers, len(r.body))
        return None
    if "application/json" in content:
        check(r.headers.get("content-type", "").startswith("application/json"),
              "%s %s %s: JSON content type" % (method.upper(), path, status), r.headers)
        body = r.json
        problems = validate(body, content["application/json"]["schema"])
        check(not problems, "%s %s %s: body matches the documented schema" % (method.upper(), path, status),
              *(problems[:10] + [json.dumps(body)[:500]]))
        return body
    check(not r.body, "%s %s %s: no body documented, none sent" % (method.upper(), path, status), r)
    return None


def request_conforms(path, method, body):
    """What the test sends validates against the documented request body."""
    schema = operation(path, method)["requestBody"]["content"]["application/json"]["schema"]
    problems = validate(body, schema)
    check(not problems, "request for %s %s matches the documented requestBody" % (method.upper(), path), *problems)


def sign(channel, body):
    return "sha256=" + hmac.new(S.secrets[channel].encode(), body, hashlib.sha256).hexdigest()


def test_healthz():
    conforms("/healthz", "get", S.request("GET", "/healthz"), 200)


def test_session():
    p = "/api/v1/session"
    body = {"username": "agent_a", "password": PASSWORD, "device": "openapi"}
    request_conforms(p, "post", body)
    conforms(p, "post", S.request("POST", p, body), 201)
    body_admin = {"username": "admin", "password": PASSWORD, "device": "openapi"}
    conforms(p, "post", S.request("POST", p, body_admin), 201)
    conforms(p, "post", S.request("POST", p, b'{"username": '), 400)
    conforms(p, "post", S.request("POST", p, {"username": "agent_b", "password": "salah-sekali", "device": "x"}),
             401)
    conforms(p, "post", S.request("POST", p, json.dumps({"username": "x", "password": "y" * (5 * 1024 * 1024)})
                                  .encode()), 413)
    token = S.sign_in("agent_a")
    conforms(p, "delete", S.request("DELETE", p, token=token), 204)
    conforms(p, "delete", S.request("DELETE", p, token=token), 401)


def test_push():
    p = "/api/v1/sync/push"
    good = {"client_id": str(uuid.uuid4()), "changes": [customer_change(S.branches["A"]),
                                                       customer_change(S.branches["B"])]}
    request_conforms(p, "post", good)
    body = conforms(p, "post", S.request("POST", p, good, token=T["agent_a"]), 200)
    check([x["status"] for x in body["results"]] == ["applied", "rejected"], "one applied, one forbidden", body)
    conforms(p, "post", S.request("POST", p, good, token=T["agent_a"]), 200)
    conforms(p, "post", S.request("POST", p, b"[", token=T["agent_a"]), 400)
    conforms(p, "post", S.request("POST", p, good), 401)
    conforms(p, "post", S.request("POST", p, {"client_id": str(uuid.uuid4()),
                                              "changes": [customer_change(S.branches["A"])] * 1001},
                                  token=T["agent_a"]), 413)
    bad = customer_change(S.branches["A"])
    bad["entity"] = "robot"
    conforms(p, "post", S.request("POST", p, {"client_id": str(uuid.uuid4()), "changes": [bad]},
                                  token=T["agent_a"]), 422)


def test_pull():
    p = "/api/v1/sync/pull"
    body = conforms(p, "get", S.request("GET", p + "?limit=3", token=T["admin"]), 200)
    check(len(body["changes"]) == 3 and body["more"] is True, "a page of 3 with more", body)
    conforms(p, "get", S.request("GET", p + "?since=" + body["cursor"], token=T["agent_a"]), 200)
    conforms(p, "get", S.request("GET", p), 401)
    conforms(p, "get", S.request("GET", p + "?since=ffffffffffffffffffffffffffffffff.1", token=T["agent_a"]), 410)
    conforms(p, "get", S.request("GET", p + "?limit=5001", token=T["agent_a"]), 422)


def test_snapshot():
    p = "/api/v1/sync/snapshot"
    conforms(p, "get", S.request("GET", p, token=T["agent_a"]), 200)
    conforms(p, "get", S.request("GET", p, token=T["admin"]), 200)
    conforms(p, "get", S.request("GET", p), 401)
    conforms(p, "get", S.request("GET", p, token="A" * 43), 401)
    # A server started with --no-snapshots: 404, and the desk pulls instead.
    plain = ServerFixture(SERVER, "sapa-openapi-nosnap")
    plain.extra_args = ["--no-snapshots"]
    with plain:
        conforms(p, "get", plain.request("GET", p, token=plain.sign_in("agent_a")), 404)
    # A row the desk schema refuses (a CSAT of 9, written behind the server's back):
    # the agent's snapshot cannot be written, 500.
    bad = S.insert_unstorable_rating(S.branches["A"])
    try:
        conforms(p, "get", S.request("GET", p, token=T["agent_a"]), 500)
    finally:
        S.db_write("DELETE FROM survey_response WHERE id = ?", (bad,))
    conforms(p, "get", S.request("GET", p, token=T["agent_a"]), 200)
    # Two snapshots at most are written at once: more at the same moment get 503.
    check(S.bulk_customers(S.branches["A"], 30000, "Openapi") == 30000, "bulk customers")
    try:
        statuses = []
        for _ in range(3):
            answers = S.at_once("GET", p, [T["agent_a"]] * 5)
            for r in answers:
                conforms(p, "get", r)
            statuses = sorted(r.status for r in answers)
            if 503 in statuses:
                break
        check(503 in statuses and 200 in statuses, "five snapshots at once: some written, some 503", statuses)
    finally:
        S.db_write("DELETE FROM customer WHERE full_name LIKE 'Openapi %'")


def test_live():
    p = "/api/v1/live"
    status, frame = S.live_upgrade(T["agent_a"])
    check(status == 101, "upgrade", status)
    SEEN.setdefault((p, "get"), set()).add("101")
    check("101" in operation(p, "get")["responses"], "101 documented")
    schema = operation(p, "get")["responses"]["101"]["content"]["application/json"]["schema"]
    problems = validate(frame, schema)
    check(not problems, "first live message matches LiveNotice", frame, *problems)
    status, _ = S.live_upgrade(None)
    check(status == 401, "upgrade without token", status)
    SEEN[(p, "get")].add("401")
    # A plain GET with a token but no upgrade headers.
    conforms(p, "get", S.request("GET", p, token=T["agent_a"]), 400)


def test_inbound():
    p = "/api/v1/inbound/{channel}"
    msg = {"message_id": "oa-" + uuid.uuid4().hex, "from": {"phone": "0812-9999-0000"},
           "name": "Dewi Lestari", "text": "Apakah cabang buka besok?", "sent_at": "2026-11-23T08:00:00+07:00"}
    request_conforms(p, "post", msg)
    raw = json.dumps(msg).encode()
    url = "/api/v1/inbound/whatsapp"
    first = conforms(p, "post", S.request("POST", url, raw, headers={"X-Sapa-Signature": sign("whatsapp", raw)}),
                     201)
    again = conforms(p, "post", S.request("POST", url, raw, headers={"X-Sapa-Signature": sign("whatsapp", raw)}),
                     200)
    check(again["status"] == "duplicate" and {k: again[k] for k in ("customer_id", "conversation_id",
                                                                   "interaction_id")}
          == {k: first[k] for k in ("customer_id", "conversation_id", "interaction_id")}, "duplicate, same ids")
    bad = b'{"message_id": '
    conforms(p, "post", S.request("POST", url, bad, headers={"X-Sapa-Signature": sign("whatsapp", bad)}), 400)
    conforms(p, "post", S.request("POST", url, raw, headers={"X-Sapa-Signature": "sha256=" + "ab" * 32}), 401)
    conforms(p, "post", S.request("POST", "/api/v1/inbound/instagram", raw,
                                  headers={"X-Sapa-Signature": sign("whatsapp", raw)}), 404)
    big = json.dumps({"message_id": "big", "from": {"phone": "0812"}, "text": "x" * (5 * 1024 * 1024)}).encode()
    conforms(p, "post", S.request("POST", url, big, headers={"X-Sapa-Signature": sign("whatsapp", big)}), 413)
    nosender = json.dumps({"message_id": "n-" + uuid.uuid4().hex, "from": {}, "text": "siapa?"}).encode()
    conforms(p, "post", S.request("POST", url, nosender, headers={"X-Sapa-Signature": sign("whatsapp", nosender)}),
             422)


def test_audit():
    p = "/api/v1/audit"
    # A reveal recorded at a desk and pushed: the admin reads it back, newest first.
    cust = customer_change(S.branches["A"])
    at = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60 * (2 - i))) for i in range(2)]
    events = [change("audit_event", str(uuid.uuid4()), {"action": "reveal_account", "agent_id": S.users["agent_a"],
                                                         "customer_id": cust["id"], "at": at[i],
                                                         "detail": "openapi %d" % i}) for i in range(2)]
    r = S.push(T["agent_a"], [cust] + events)
    check(r.status == 200 and [x["status"] for x in r.json["results"]] == ["applied"] * 3, "audit events pushed", r)
    body = conforms(p, "get", S.request("GET", p + "?limit=50", token=T["admin"]), 200)
    ids = [e["id"] for e in body["events"]]
    check(events[0]["id"] in ids and events[1]["id"] in ids, "pushed reveals are in the audit log", body)
    check(ids.index(events[1]["id"]) < ids.index(events[0]["id"]), "newest first", body)
    stamps = [e["at"] for e in body["events"]]
    check(stamps == sorted(stamps, reverse=True), "audit events newest first", stamps)
    one = conforms(p, "get", S.request("GET", p + "?limit=1", token=T["admin"]), 200)
    check(len(one["events"]) == 1, "limit=1 gives one event", one)
    conforms(p, "get", S.request("GET", p), 401)
    conforms(p, "get", S.request("GET", p, token=T["agent_a"]), 403)
    conforms(p, "get", S.request("GET", p + "?limit=0", token=T["admin"]), 422)


def email_conversation(branch_key="A"):
    cust = customer_change(S.branches[branch_key])
    conv_id = str(uuid.uuid4())
    r = S.push(T["admin"], [cust, change("conversation", conv_id, {
        "customer_id": cust["id"], "branch_id": S.branches[branch_key], "channel": "email", "status": "open",
        "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})])
    check(r.status == 200, "conversation pushed", r)
    return conv_id


def test_survey_links():
    p = "/api/v1/survey-links"
    conv_id = email_conversation()
    body = {"conversation_id": conv_id, "language": "en"}
    request_conforms(p, "post", body)
    link = conforms(p, "post", S.request("POST", p, body, token=T["agent_a"]), 201)
    LINK["token"] = link["url"].rsplit("/", 1)[1]
    LINK["used"] = conforms(p, "post", S.request("POST", p, body, token=T["agent_a"]), 201)["url"].rsplit("/", 1)[1]
    conforms(p, "post", S.request("POST", p, b"{", token=T["agent_a"]), 400)
    conforms(p, "post", S.request("POST", p, body), 401)
    conforms(p, "post", S.request("POST", p, {"conversation_id": email_conversation("B")}, token=T["agent_a"]), 403)
    conforms(p, "post", S.request("POST", p, {"conversation_id": str(uuid.uuid4())}, token=T["agent_a"]), 404)
    conforms(p, "post", S.request("POST", p, b'{"x": "' + b"y" * (5 * 1024 * 1024) + b'"}',
                                  token=T["agent_a"]), 413)
    conforms(p, "post", S.request("POST", p, {"conversation_id": conv_id, "language": "fr"},
                                  token=T["agent_a"]), 422)


def test_survey_page():
    p = "/s/{token}"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    url, used = "/s/" + LINK["token"], "/s/" + LINK["used"]
    conforms(p, "get", S.request("GET", url + "?lang=id"), 200)
    conforms(p, "get", S.request("GET", "/s/" + "Z" * 43), 404)
    conforms(p, "post", S.request("POST", "/s/" + "Z" * 43, b"csat=5", headers=form), 404)
    conforms(p, "post", S.request("POST", used, b"csat=6", headers=form), 422)
    conforms(p, "post", S.request("POST", used, b"csat=5&nps=10", headers=form), 200)
    conforms(p, "post", S.request("POST", used, b"csat=5", headers=form), 409)
    conforms(p, "get", S.request("GET", used), 409)
    conforms(p, "post", S.request("POST", url, b"comment=" + b"x" * (5 * 1024 * 1024), headers=form), 413)
    S.db_write("UPDATE survey_link SET expires_at = 1 WHERE used_at IS NULL")
    conforms(p, "get", S.request("GET", url), 410)
    conforms(p, "post", S.request("POST", url, b"csat=5", headers=form), 410)


def test_metrics():
    p = "/api/v1/metrics"
    q = "?from=2026-11-01&to=2026-12-01&tz=Asia/Jakarta"
    conforms(p, "get", S.request("GET", p + q, token=T["admin"]), 200)
    conforms(p, "get", S.request("GET", p + q, token=T["agent_a"]), 200)
    conforms(p, "get", S.request("GET", p + "?from=2026-11-01&to=2026-12-01&tz=Nowhere/Atlantis",
                                 token=T["admin"]), 400)
    conforms(p, "get", S.request("GET", p + q), 401)
    conforms(p, "get", S.request("GET", p + q + "&agent=" + S.users["admin"], token=T["agent_a"]), 403)


def test_other_methods_405():
    for path, item in SPEC["paths"].items():
        documented = {m for m in item if m in METHODS}
        url = path.replace("{channel}", "whatsapp").replace("{token}", "A" * 43)
        for m in METHODS:
            if m in documented:
                continue
            r = S.request(m.upper(), url, b"{}" if m in ("post", "put", "patch") else None, token=T["admin"])
            check(r.status == 405, "%s %s is not served (405)" % (m.upper(), path), r)
            allow = {x.strip().lower() for x in r.headers.get("allow", "").split(",") if x.strip()}
            check(allow == documented | ({"head"} if "head" in allow else set()),
                  "Allow of %s names the documented methods" % path, allow, documented)
            err = r.json
            check(validate(err, {"$ref": "#/components/schemas/Error"}) == [], "405 body is an Error", r)
            # A 405 answers a method with no operation; the path's operations document it.
            check(any("405" in item[d]["responses"] for d in documented), "405 documented for %s" % path)
            for d in documented:
                if "405" in item[d]["responses"]:
                    SEEN.setdefault((path, d), set()).add("405")


def test_rate_limited():
    p = "/api/v1/session"
    for _ in range(10):
        r = S.request("POST", p, {"username": "supervisor_a", "password": "bukan-ini-juga", "device": "x"})
        if r.status == 429:
            break
        conforms(p, "post", r, 401)
    conforms(p, "post", r, 429)


def router_routes():
    """(path template, METHOD) pairs of the server's route table."""
    with open(ROUTER_SOURCE) as f:
        src = f.read()
    defines = dict(re.findall(r'#define\s+(\w+)\s+"([^"]*)"', src))
    table = re.search(r"static const Route routes\[\] = \{(.*?)\n\};", src, re.S)
    check(table is not None, "the route table is found in %s" % ROUTER_SOURCE)
    routes = set()
    for path, prefix, method in re.findall(r'\{\s*("[^"]*"|\w+)\s*,\s*(TRUE|FALSE)\s*,\s*"(\w+)"', table.group(1)):
        path = path.strip('"') if path.startswith('"') else defines[path]
        if prefix == "TRUE":
            path = path.rstrip("/") + ("/{token}" if path.rstrip("/") == "/s" else "/{channel}")
        routes.add((path, method.lower()))
    check(len(routes) >= 8, "the route table has the routes", routes)
    return routes


def test_routes_documented_both_ways():
    served = router_routes()
    # HEAD has no body to check against a schema, but it is a route like the others.
    documented = {(p, m) for p, item in SPEC["paths"].items() for m in item if m in METHODS + ("head",)}
    check(served - documented == set(), "every route the server serves is documented", sorted(served - documented))
    check(documented - served == set(), "every documented route is served", sorted(documented - served))
    # And black-box: each documented route answers something other than 404 on a known path.
    for path, method in documented:
        url = path.replace("{channel}", "whatsapp").replace("{token}", LINK["token"])
        if path.endswith("/live"):
            continue
        r = S.request(method.upper(), url, b"{}" if method == "post" else None)
        check(r.status not in (404, 405), "%s %s is served" % (method.upper(), path), r)


def test_every_documented_answer_seen():
    missing = []
    for path, item in SPEC["paths"].items():
        for m in item:
            if m not in METHODS:
                continue
            for status in item[m]["responses"]:
                if status not in SEEN.get((path, m), set()) and (path, m, status) not in UNREACHABLE:
                    missing.append("%s %s %s" % (m.upper(), path, status))
    check(not missing, "documented answers the test never saw", *missing)


def main():
    global S
    with ServerFixture(SERVER, "sapa-openapi") as server:
        S = server
        for role in ("agent_a", "admin"):
            T[role] = S.sign_in(role)
        return run_tests([
            ("the schema validator catches mistakes", test_validator_itself),
            ("GET /healthz", test_healthz),
            ("POST and DELETE /api/v1/session", test_session),
            ("POST /api/v1/sync/push", test_push),
            ("GET /api/v1/sync/pull", test_pull),
            ("GET /api/v1/sync/snapshot", test_snapshot),
            ("GET /api/v1/live", test_live),
            ("POST /api/v1/inbound/{channel}", test_inbound),
            ("GET /api/v1/audit", test_audit),
            ("POST /api/v1/survey-links", test_survey_links),
            ("GET and POST /s/{token}", test_survey_page),
            ("GET /api/v1/metrics", test_metrics),
            ("other methods answer 405 with Allow", test_other_methods_405),
            ("the server's routes and the file's paths match", test_routes_documented_both_ways),
            ("failed sign-ins: 429", test_rate_limited),
            ("every documented answer was seen", test_every_documented_answer_seen),
        ])


if __name__ == "__main__":
    sys.exit(main())
