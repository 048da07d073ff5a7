#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke test of sapa-server as deployed: the admin commands prepare a data
folder, the real server listens on 127.0.0.1 port 0, and urllib speaks the
protocol to it (healthz, session, push, duplicate push, pull, inbound)."""

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

SERVER = sys.argv[1]
failures = []


def check(condition, what):
    if condition:
        print("ok -", what)
    else:
        print("FAILED -", what)
        failures.append(what)


def admin(data, *args, stdin=None):
    out = subprocess.run([SERVER, *args, "--data", data], input=stdin, capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("sapa-server %s failed: %s" % (" ".join(args), out.stderr))
    return out.stdout.strip()


class Client:
    def __init__(self, base):
        self.base = base
        self.token = None

    def call(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, head, text = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, head, text = error.code, error.headers, error.read()
        payload = json.loads(text) if text else None
        return status, head, payload


class Live:
    """A bare WebSocket client (RFC 6455 text frames from the server only)."""

    def __init__(self, base, token):
        host, port = base.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /api/v1/live HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                           "Authorization: Bearer %s\r\n\r\n" % (host, key, token)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split()[1])

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("the server closed the live connection")
            self.buf += chunk

    def message(self):
        while True:
            self._need(2)
            opcode, n, off = self.buf[0] & 0x0f, self.buf[1] & 0x7f, 2
            if n == 126:
                self._need(4)
                n, off = int.from_bytes(self.buf[2:4], "big"), 4
            self._need(off + n)
            data, self.buf = self.buf[off:off + n], self.buf[off + n:]
            if opcode == 1:
                return json.loads(data)

    def close(self):
        self.sock.close()


def is_error(status, payload, code):
    return (isinstance(payload, dict) and isinstance(payload.get("error"), dict)
            and payload["error"].get("code") == code and isinstance(payload["error"].get("message"), str))


def main():
    with tempfile.TemporaryDirectory(prefix="sapa-server-smoke-") as data:
        admin(data, "init")
        jakarta = admin(data, "branch", "add", "--name", "Jakarta", "--kind", "bank")
        bandung = admin(data, "branch", "add", "--name", "Bandung", "--kind", "bank")
        admin(data, "user", "add", "--username", "rina", "--name", "Rina", "--role", "agent",
              "--branch", "Jakarta", stdin="rahasia-rina\n")
        secret = admin(data, "channel", "add", "--name", "whatsapp").splitlines()[-1].strip()

        env = dict(os.environ, G_MESSAGES_DEBUG="")
        server = subprocess.Popen([SERVER, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = server.stdout.readline().strip()
            check(line.startswith("Listening on http://127.0.0.1:"), "first line says where it listens: " + line)
            base = line[len("Listening on "):].rstrip("/")
            run(Client(base), jakarta, bandung, secret, data)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                code = None
            check(code == 0, "SIGTERM stops the server cleanly (exit %s)" % code)
            err = server.stderr.read()
            if failures:
                print(err)
    if failures:
        print("%d checks failed" % len(failures))
        sys.exit(1)


def run(c, jakarta, bandung, secret, data):
    # healthz
    status, head, body = c.call("GET", "/healthz")
    check(status == 200 and body["status"] == "ok" and body["hlc"].isdigit(), "healthz answers ok")
    check(head.get("Sapa-HLC", "").isdigit(), "answers carry Sapa-HLC")
    check(head.get("Content-Type", "").startswith("application/json"), "answers are JSON")

    status, head, body = c.call("GET", "/api/v1/nothing-here")
    check(status == 404 and is_error(status, body, "not_found") and head.get("Sapa-HLC"), "unknown path: 404 JSON")
    status, head, body = c.call("PUT", "/api/v1/sync/push", body={})
    check(status == 405 and "POST" in head.get("Allow", ""), "wrong method: 405 with Allow")

    # session
    status, _, body = c.call("POST", "/api/v1/session", {"username": "rina", "password": "wrong-password"})
    check(status == 401 and is_error(status, body, "unauthorized"), "wrong password: 401")
    status, _, body = c.call("POST", "/api/v1/session", raw=b"{not json")
    check(status == 400 and is_error(status, body, "bad_request"), "malformed sign-in: 400")
    status, _, body = c.call("POST", "/api/v1/session", raw=b'{"username": "rina"}{"password": "x"}')
    check(status == 400 and is_error(status, body, "bad_request"), "two JSON values in one body: 400")
    status, _, body = c.call("POST", "/api/v1/session",
                             {"username": "rina", "password": "rahasia-rina", "device": "smoke"})
    check(status == 201 and isinstance(body.get("token"), str) and body["expires_at"].endswith("Z")
          and body["agent"]["username"] == "rina" and body["branches"] == [jakarta], "sign-in: 201 with token")
    token = body["token"]

    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": str(uuid.uuid4()), "changes": []})
    check(status == 401 and is_error(status, body, "unauthorized"), "push without token: 401")
    c.token = token

    # push
    desk = str(uuid.uuid4())
    _, _, health = c.call("GET", "/healthz")
    hlc = int(health["hlc"]) + 1
    own, other = str(uuid.uuid4()), str(uuid.uuid4())
    changes = [
        {"change_id": str(uuid.uuid4()), "entity": "customer", "id": own, "op": "upsert", "hlc": str(hlc),
         "fields": {"full_name": "Siti Rahma", "segment": "regular", "branch_id": jakarta,
                    "phones": ["+6281234500001"], "created_at": "2026-11-23T08:00:00Z"}},
        {"change_id": str(uuid.uuid4()), "entity": "customer", "id": other, "op": "upsert", "hlc": str(hlc + 1),
         "fields": {"full_name": "Budi", "segment": "regular", "branch_id": bandung,
                    "created_at": "2026-11-23T08:00:00Z"}},
        {"change_id": str(uuid.uuid4()), "entity": "branch", "id": str(uuid.uuid4()), "op": "upsert",
         "hlc": str(hlc + 2), "fields": {"name": "Surabaya", "kind": "bank"}},
        {"change_id": str(uuid.uuid4()), "entity": "customer", "id": str(uuid.uuid4()), "op": "upsert",
         "hlc": str(hlc + (3600 * 1000 << 16)),
         "fields": {"full_name": "Future", "segment": "regular", "branch_id": jakarta,
                    "created_at": "2026-11-23T08:00:00Z"}},
    ]
    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": changes})
    results = [r["status"] for r in body["results"]] if status == 200 else []
    check(status == 200 and results == ["applied", "rejected", "rejected", "rejected"],
          "push: own branch applied, other branch, branch record and far-future stamp rejected: %s" % results)
    if status == 200:
        check(body["results"][1]["error"] == "forbidden" and body["results"][2]["error"] == "forbidden"
              and body["results"][3]["error"] == "clock ahead", "rejections say why")
        check(isinstance(body.get("cursor"), str), "push answers a cursor")

    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": changes[:1]})
    check(status == 200 and body["results"][0]["status"] == "duplicate", "the same push again: duplicate")

    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": [{"change_id": "x"}]})
    check(status == 400 and is_error(status, body, "bad_request"), "malformed change: 400")
    bad = dict(changes[0], change_id=str(uuid.uuid4()), entity="spaceship")
    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": [bad]})
    check(status == 422 and is_error(status, body, "invalid"), "unknown entity: 422")
    status, _, body = c.call("POST", "/api/v1/sync/push", raw=b"{" + b" " * (5 * 1024 * 1024) + b"}")
    check(status == 413 and is_error(status, body, "too_large"), "body over 4 MiB: 413")

    cleared = dict(changes[0], change_id=str(uuid.uuid4()), hlc=str(hlc + 5), fields={"branch_id": None})
    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": [cleared]})
    check(status == 200 and body["results"][0].get("error") == "forbidden",
          "an agent may not clear a record's branch (it would show it to every branch)")

    # live notices
    live = Live(c.base, token)
    check(live.status == 101, "live: WebSocket upgrade with the token")
    first = live.message()
    check(first.get("type") == "changes" and isinstance(first.get("cursor"), str), "live: a notice on connect")
    note = dict(changes[0], change_id=str(uuid.uuid4()), hlc=str(hlc + 10), fields={"notes": "VIP lounge"})
    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": [note]})
    check(status == 200 and body["results"][0]["status"] == "applied", "an edit pushed while live")
    second = live.message()
    check(second.get("type") == "changes" and second.get("cursor") != first.get("cursor"),
          "live: a notice when the edit commits")
    live.close()
    anonymous = Live(c.base, "not-a-token")
    check(anonymous.status == 401, "live without a valid token: 401")
    anonymous.close()

    # pull
    status, _, body = c.call("GET", "/api/v1/sync/pull?limit=5000")
    ids = [ch["id"] for ch in body["changes"]] if status == 200 else []
    check(status == 200 and own in ids and other not in ids and body["more"] is False, "pull: own branch only")
    mine = [ch for ch in body["changes"] if ch["id"] == own] if status == 200 else []
    check(len(mine) == 2 and all(ch["client_id"] == desk for ch in mine)
          and mine[0]["fields"]["full_name"] == "Siti Rahma" and mine[1]["fields"] == {"notes": "VIP lounge"},
          "pulled change carries the origin desk")
    cursor = body["cursor"] if status == 200 else ""
    status, _, body = c.call("GET", "/api/v1/sync/pull?since=" + cursor)
    check(status == 200 and body["changes"] == [] and body["cursor"] == cursor, "pull from the end: nothing new")
    status, _, body = c.call("GET", "/api/v1/sync/pull?since=0123abcd.5")
    check(status == 410 and is_error(status, body, "gone"), "unknown cursor: 410")
    status, _, body = c.call("GET", "/api/v1/sync/pull?limit=0")
    check(status == 422 and is_error(status, body, "invalid"), "limit 0: 422")
    status, _, body = c.call("GET", "/api/v1/sync/pull?limit=1")
    check(status == 200 and len(body["changes"]) == 1 and body["more"] is True, "limit 1: one change and more")

    # inbound
    message = json.dumps({"message_id": "wamid.smoke-1", "from": {"phone": "0812-3450-0001"},
                          "name": "Siti", "text": "Kartu saya tertelan mesin ATM"}).encode()
    good = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    saved_token, c.token = c.token, None
    status, _, body = c.call("POST", "/api/v1/inbound/whatsapp", raw=message,
                             headers={"X-Sapa-Signature": "sha256=" + "0" * 64})
    check(status == 401 and is_error(status, body, "unauthorized"), "inbound with a wrong signature: 401")
    status, _, created = c.call("POST", "/api/v1/inbound/whatsapp", raw=message, headers={"X-Sapa-Signature": good})
    check(status == 201 and created["status"] == "created" and created["customer_id"] == own,
          "inbound: matched by phone and stored")
    status, _, again = c.call("POST", "/api/v1/inbound/whatsapp", raw=message, headers={"X-Sapa-Signature": good})
    check(status == 200 and again["status"] == "duplicate"
          and again["interaction_id"] == created.get("interaction_id"), "inbound again: duplicate, same ids")
    c.token = saved_token
    status, _, body = c.call("GET", "/api/v1/sync/pull?since=" + cursor)
    entities = sorted(ch["entity"] for ch in body["changes"]) if status == 200 else []
    check(entities == ["conversation", "interaction"], "the inbound message reaches the desk: %s" % entities)

    # a reply typed at the desk on WhatsApp is queued for the gateway
    conversation = created.get("conversation_id")
    _, _, health = c.call("GET", "/healthz")
    reply = {"change_id": str(uuid.uuid4()), "entity": "interaction", "id": str(uuid.uuid4()), "op": "upsert",
             "hlc": str(int(health["hlc"]) + 1),
             "fields": {"customer_id": own, "conversation_id": conversation, "channel": "whatsapp",
                        "direction": "outbound", "body": "Kartu baru bisa diambil besok",
                        "started_at": "2026-11-23T09:00:00Z"}}
    status, _, body = c.call("POST", "/api/v1/sync/push", {"client_id": desk, "changes": [reply]})
    check(status == 200 and body["results"][0]["status"] == "applied", "outbound reply pushed")
    with sqlite3.connect(os.path.join(data, "sapa-server.sqlite")) as db:
        queued = db.execute("SELECT channel, recipient, body, status FROM outbound_queue WHERE interaction_id = ?",
                            (reply["id"],)).fetchall()
    check(queued == [("whatsapp", "+6281234500001", "Kartu baru bisa diambil besok", "queued")],
          "outbound reply queued for the gateway: %s" % queued)

    # a channel with a home branch: new customers writing there belong to it
    insta_secret = admin(data, "channel", "add", "--name", "instagram", "--branch", "Jakarta").splitlines()[-1].strip()
    message = json.dumps({"message_id": "ig.smoke-1", "from": {"handle": "@dewi.baru"},
                          "name": "Dewi", "text": "Apakah cabang buka hari Minggu?"}).encode()
    signature = "sha256=" + hmac.new(insta_secret.encode(), message, hashlib.sha256).hexdigest()
    saved_token, c.token = c.token, None
    status, _, created = c.call("POST", "/api/v1/inbound/instagram", raw=message,
                                headers={"X-Sapa-Signature": signature})
    c.token = saved_token
    check(status == 201 and created["status"] == "created", "inbound on a channel with a home branch: stored")
    with sqlite3.connect(os.path.join(data, "sapa-server.sqlite")) as db:
        home = db.execute("SELECT branch_id, handles FROM customer WHERE id = ?", (created.get("customer_id"),)).fetchall()
    check(home == [(jakarta, '["instagram:@dewi.baru"]')], "the new customer belongs to the channel's branch: %s" % home)
    status, _, body = c.call("GET", "/api/v1/sync/pull?limit=5000")
    seen = {ch["id"] for ch in body.get("changes", [])} if status == 200 else set()
    check(created.get("customer_id") in seen, "the branch's agent pulls the new customer")

    # admin-only route and sign-out
    status, _, body = c.call("GET", "/api/v1/audit")
    check(status == 403 and is_error(status, body, "forbidden"), "audit log for an agent: 403")
    status, _, _ = c.call("DELETE", "/api/v1/session")
    check(status == 204, "sign-out: 204")
    status, _, body = c.call("GET", "/api/v1/sync/pull")
    check(status == 401 and is_error(status, body, "unauthorized"), "the ended session's token: 401")

    # repeated wrong passwords are slowed down (last: it locks the user out for a while)
    c.token = None
    statuses = []
    for _ in range(10):
        status, head, body = c.call("POST", "/api/v1/session", {"username": "rina", "password": "guess-guess"})
        statuses.append(status)
        if status == 429:
            break
    check(statuses[-1] == 429 and is_error(429, body, "rate_limited") and head.get("Retry-After", "").isdigit()
          and int(head["Retry-After"]) > 0, "wrong passwords again and again: 429 with Retry-After %s" % statuses)


if __name__ == "__main__":
    main()
