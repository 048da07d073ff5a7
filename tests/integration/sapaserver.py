# SPDX-License-Identifier: GPL-3.0-or-later
"""A real sapa-server for integration tests.

ServerFixture makes a temporary data folder with the admin commands (init,
three branches, users of every role, two inbound channels), starts
`sapa-server --listen 127.0.0.1:0`, reads the port from its first line and
stops it again, also when a test fails or is interrupted. Nothing is mocked:
requests go over HTTP on loopback to the real program.

Users (password = PASSWORD for all):
  agent_a       agent in branch A
  supervisor_a  supervisor in branch A, also sees branch C (agent_branch)
  admin         admin, no branch
  agent_b       agent in branch B
"""

import atexit
import base64
import hashlib
import hmac
import http.client
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

PASSWORD = "sandi-rahasia-42"
USERS = {
    # username: (role, home branch key, extra branch keys)
    "agent_a": ("agent", "A", []),
    "supervisor_a": ("supervisor", "A", ["C"]),
    "admin": ("admin", None, []),
    "agent_b": ("agent", "B", []),
}
CHANNELS = ("whatsapp", "email")
START_TIMEOUT = 30
STOP_TIMEOUT = 15

_live_servers = []


def _stop_all_at_exit():
    for server in list(_live_servers):
        server.stop()


atexit.register(_stop_all_at_exit)


def _die_with_parent():
    """In the server's child process: SIGTERM when the test program dies, even by SIGKILL."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except OSError:
        pass


def _terminate_on_signal(signum, frame):
    _stop_all_at_exit()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _terminate_on_signal)


class Failure(AssertionError):
    pass


def check(condition, message, *details):
    if not condition:
        text = message
        for d in details:
            text += "\n  " + (d if isinstance(d, str) else repr(d))
        raise Failure(text)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # lower-case names -> value
        self.body = body                # bytes
        self._json = None

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise Failure("answer %d is not JSON: %r (%s)" % (self.status, self.body[:200], e))
        return self._json

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


def new_hlc(counter=[0]):
    """A fresh HLC stamp (48 bits of ms, 16-bit counter) as the decimal string of the wire."""
    counter[0] = (counter[0] + 1) & 0xFFFF
    return str((int(time.time() * 1000) << 16) | counter[0])


def change(entity, record_id, fields, op="upsert", hlc=None, change_id=None):
    c = {
        "change_id": change_id or str(uuid.uuid4()),
        "entity": entity,
        "id": record_id,
        "op": op,
        "hlc": hlc or new_hlc(),
    }
    if op == "upsert" or fields is not None:
        c["fields"] = fields or {}
    return c


def customer_change(branch_id, name=None, record_id=None, **extra):
    fields = {
        "full_name": name or "Pelanggan %s" % uuid.uuid4().hex[:8],
        "segment": "regular",
        "branch_id": branch_id,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    fields.update(extra)
    return change("customer", record_id or str(uuid.uuid4()), fields)


class ServerFixture:
    def __init__(self, server_binary, name="sapa-it"):
        self.binary = os.path.abspath(server_binary)
        self.tmp = tempfile.mkdtemp(prefix=name + "-")
        self.data = os.path.join(self.tmp, "data")
        self.log_path = os.path.join(self.tmp, "server.log")
        self.proc = None
        self.port = None
        self.branches = {}      # "A" -> id
        self.users = {}         # username -> agent id
        self.secrets = {}       # channel -> webhook secret
        self.extra_args = []    # more options for "sapa-server serve"
        self._conn = None

    # -- life cycle -------------------------------------------------------

    def admin(self, *args, stdin=None):
        result = subprocess.run([self.binary] + list(args), input=stdin, capture_output=True,
                                text=True, timeout=120)
        check(result.returncode == 0, "sapa-server %s failed (%d)" % (" ".join(args), result.returncode),
              result.stdout, result.stderr)
        return result.stdout

    def setup(self):
        self.admin("init", "--data", self.data)
        for key in ("A", "B", "C"):
            out = self.admin("branch", "add", "--data", self.data, "--name", "Cabang %s" % key, "--kind", "bank")
            self.branches[key] = out.strip().splitlines()[-1].strip()
            check(uuid.UUID(self.branches[key]), "branch add prints the id")
        for username, (role, home, extra) in USERS.items():
            args = ["user", "add", "--data", self.data, "--username", username,
                    "--name", username.replace("_", " ").title(), "--role", role]
            if home:
                args += ["--branch", self.branches[home]]
            for x in extra:
                args += ["--extra-branch", self.branches[x]]
            out = self.admin(*args, stdin=PASSWORD + "\n")
            self.users[username] = out.strip().split()[-1]
        for channel in CHANNELS:
            self.secrets[channel] = self.admin("channel", "add", "--data", self.data,
                                               "--name", channel).strip().splitlines()[-1]
        return self

    def start(self):
        check(self.proc is None, "server already running")
        log = open(self.log_path, "ab")
        env = dict(os.environ)
        env.setdefault("G_MESSAGES_DEBUG", "")
        self.proc = subprocess.Popen(
            [self.binary, "--data", self.data, "--listen", "127.0.0.1:0"] + self.extra_args,
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env,
            preexec_fn=_die_with_parent)
        log.close()
        _live_servers.append(self)
        line = b""
        deadline = time.monotonic() + START_TIMEOUT
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(remaining, 0))
            if not ready:
                self.stop()
                raise Failure("sapa-server did not say where it listens within %d s\n%s"
                              % (START_TIMEOUT, self.log()))
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                code = self.proc.wait()
                self.proc = None
                raise Failure("sapa-server exited (%d) before listening\n%s" % (code, self.log()))
            line += chunk
        text = line.decode().strip()
        prefix = "Listening on http://127.0.0.1:"
        check(text.startswith(prefix) and text.endswith("/"), "first line of sapa-server", text)
        self.port = int(text[len(prefix):-1])
        check(self.port > 0, "a real port", text)
        return self

    def stop(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.exit_code = self.proc.returncode
            self.proc = None
        if self in _live_servers:
            _live_servers.remove(self)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            self.setup()
            self.start()
        except BaseException:
            sys.stderr.write(self.log())
            self.cleanup()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            sys.stderr.write("--- server log (last 4000 bytes) ---\n" + self.log()[-4000:])
        self.cleanup()
        return False

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- HTTP -------------------------------------------------------------

    def request(self, method, path, body=None, token=None, headers=None, timeout=60):
        """One request on a kept-alive connection (reopened when the server closed it)."""
        hdrs = {}
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            hdrs.setdefault("Content-Type", "application/json")
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self._conn.request(method, path, body=body, headers=hdrs)
                r = self._conn.getresponse()
                data = r.read()
                answer = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
                if answer.headers.get("connection", "").lower() == "close":
                    self._conn.close()
                    self._conn = None
                return answer
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                self._conn.close()
                self._conn = None
                if attempt == 2 or not self.alive():
                    raise

    def sign_in(self, username, password=PASSWORD, device=None):
        r = self.request("POST", "/api/v1/session",
                         {"username": username, "password": password,
                          "device": device or "test-%s" % uuid.uuid4().hex[:8]})
        check(r.status == 201, "sign in as %s" % username, r)
        return r.json["token"]

    def push(self, token, changes, client_id=None):
        return self.request("POST", "/api/v1/sync/push",
                            {"client_id": client_id or str(uuid.uuid4()), "changes": changes}, token=token)

    def pull_all(self, token, limit=5000, since=""):
        """Every change @token may see, following the cursor until more is false."""
        changes = []
        cursor = since
        while True:
            r = self.request("GET", "/api/v1/sync/pull?since=%s&limit=%d" % (quote(cursor), limit), token=token)
            check(r.status == 200, "pull", r)
            changes += r.json["changes"]
            cursor = r.json["cursor"]
            if not r.json["more"]:
                return changes, cursor

    def snapshot(self, token, save_to=None):
        """GET /api/v1/sync/snapshot; a 200's body (a desk database) is also written to @save_to."""
        r = self.request("GET", "/api/v1/sync/snapshot", token=token, timeout=300)
        if save_to is not None and r.status == 200:
            with open(save_to, "wb") as f:
                f.write(r.body)
        return r

    def at_once(self, method, path, tokens, timeout=300):
        """One request per token, each on its own connection, all let go at the same moment.
        Returns the Responses in the order of @tokens."""
        import threading
        barrier = threading.Barrier(len(tokens))
        answers = [None] * len(tokens)

        def one(i, token):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.connect()
                barrier.wait(timeout)
                conn.request(method, path, headers={"Authorization": "Bearer " + token} if token else {})
                r = conn.getresponse()
                answers[i] = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            except Exception as e:  # noqa: BLE001 - reported as the answer
                answers[i] = e
            finally:
                conn.close()

        threads = [threading.Thread(target=one, args=(i, t)) for i, t in enumerate(tokens)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for a in answers:
            if isinstance(a, Exception):
                raise Failure("%s %s at once: %r" % (method, path, a))
        return answers

    def bulk_customers(self, branch_id, n, tag="massal"):
        """@n customers of @branch_id written straight into the server's database (no change
        log, so nobody pulls them): a lot of records quickly, for snapshots that take a while.
        Their names start with @tag; returns how many were written."""
        return self.db_write(
            "INSERT INTO customer (id, full_name, phones, emails, branch_id, created_at, name_key) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
            "SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), "
            "                    substr(hex(randomblob(2)), 2), hex(randomblob(6)))), "
            "       ?3 || ' ' || i, json_array('+62813' || (20000000 + i)), json_array(?3 || i || '@contoh.co.id'), "
            "       ?2, strftime('%s', 'now'), lower(?3 || ' ' || i) FROM n;", (n, branch_id, tag))

    def inbound(self, channel, message, secret=None, signature=None):
        body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
        if signature is None:
            key = (secret if secret is not None else self.secrets[channel]).encode()
            signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        return self.request("POST", "/api/v1/inbound/" + channel, body,
                            headers={"X-Sapa-Signature": signature})

    def healthy(self):
        r = self.request("GET", "/healthz")
        return r.status == 200 and r.json.get("status") == "ok"

    # -- the database, read beside the running server ----------------------

    def db(self):
        path = os.path.join(self.data, "sapa-server.sqlite")
        conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
        return conn

    def db_write(self, sql, params=()):
        path = os.path.join(self.data, "sapa-server.sqlite")
        conn = sqlite3.connect(path, timeout=30)
        try:
            with conn:
                cur = conn.execute(sql, params)
                return cur.rowcount
        finally:
            conn.close()

    def insert_unstorable_rating(self, branch_id):
        """A CSAT of 9 written behind the server's back (past the schema's check):
        a row no desk may store. Returns its id; remove it with db_write."""
        bad = str(uuid.uuid4())
        conn = sqlite3.connect(os.path.join(self.data, "sapa-server.sqlite"), timeout=30)
        try:
            conn.execute("PRAGMA ignore_check_constraints = ON;")
            with conn:
                conn.execute("INSERT INTO survey_response (id, kind, score, branch_id, collected_via, collected_at) "
                             "VALUES (?, 'csat', 9, ?, 'kiosk', 0)", (bad, branch_id))
        finally:
            conn.close()
        return bad

    def counts(self):
        """Rows of every table that requests may write, to prove nothing was written."""
        tables = ("change_log", "customer", "conversation", "interaction", "survey_response",
                  "canned_response", "audit_event", "branch", "agent", "push_result",
                  "inbound_message", "outbound_queue")
        conn = self.db()
        try:
            out = {}
            for t in tables:
                try:
                    out[t] = conn.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                except sqlite3.OperationalError as e:
                    out[t] = "missing: %s" % e
            return out
        finally:
            conn.close()

    # -- WebSocket ---------------------------------------------------------

    def live_upgrade(self, token=None, read_first=True, timeout=10):
        """Opens /api/v1/live by hand: returns (status, first text frame or None)."""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET /api/v1/live HTTP/1.1", "Host: 127.0.0.1:%d" % self.port,
                 "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        if token is not None:
            lines.append("Authorization: Bearer " + token)
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            status_line = head.split(b"\r\n")[0].decode()
            status = int(status_line.split()[1])
            if status != 101:
                return status, None
            accept = base64.b64encode(hashlib.sha1(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            check(("sec-websocket-accept: " + accept).lower() in head.decode().lower(),
                  "WebSocket accept header", head)
            if not read_first:
                return status, None
            frame = _read_text_frame(sock, rest)
            return status, frame
        finally:
            sock.close()


def _read_text_frame(sock, buf):
    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = sock.recv(4096)
            if not chunk:
                raise Failure("WebSocket closed before a whole frame")
            buf += chunk
    while True:
        need(2)
        opcode = buf[0] & 0x0F
        length = buf[1] & 0x7F
        offset = 2
        if length == 126:
            need(4)
            length = int.from_bytes(buf[2:4], "big")
            offset = 4
        elif length == 127:
            need(10)
            length = int.from_bytes(buf[2:10], "big")
            offset = 10
        masked = buf[1] & 0x80
        check(not masked, "server frames are not masked")
        need(offset + length)
        payload = buf[offset:offset + length]
        buf = buf[offset + length:]
        if opcode == 0x1:
            return json.loads(payload.decode("utf-8"))
        check(opcode in (0x9, 0xA), "unexpected WebSocket opcode %d" % opcode)


def quote(text):
    from urllib.parse import quote as q
    return q(text, safe="")


def run_tests(tests):
    """Runs (name, function) pairs, prints TAP, returns the exit status."""
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        start = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed += 1
            print("not ok %d - %s" % (i, name))
            import traceback
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        else:
            print("ok %d - %s # %.1f s" % (i, name, time.monotonic() - start))
        sys.stdout.flush()
    return 1 if failed else 0
