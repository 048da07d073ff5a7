#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin commands of sapa-server, run as an administrator would.

Usage: test-server-admin.py SAPA_SERVER

Prepares a data folder, adds branches and users (passwords on standard input),
lists, disables, changes passwords, opens a channel and loads demo data, then
checks the database itself: passwords stored only as Argon2id, users and
branches logged for sync, the demo data logged for desks to pull. When the
program can serve, it also signs in over HTTP with the passwords set here.
"""

import json
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SERVER = os.path.abspath(sys.argv[1])
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

failures = []
count = 0


def check(condition, what):
    global count
    count += 1
    if condition:
        print(f"ok {count} - {what}")
    else:
        print(f"not ok {count} - {what}")
        failures.append(what)


def run(*args, stdin=None):
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    env["LANGUAGE"] = "en"
    p = subprocess.run([SERVER, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def run_on_terminal(args, answers):
    """Runs with standard input on a pseudo-terminal, typing each answer after
    its prompt appears; returns (status, stdout, stderr, what the terminal echoed)."""
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    env["LANGUAGE"] = "en"
    master, slave = os.openpty()
    p = subprocess.Popen([SERVER, *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    err = b""
    echoed = b""
    try:
        for prompt, answer in answers:
            deadline = time.monotonic() + 30
            while prompt.encode() not in err and time.monotonic() < deadline:
                ready, _, _ = select.select([p.stderr], [], [], 0.5)
                if ready:
                    chunk = os.read(p.stderr.fileno(), 4096)
                    if not chunk:
                        break
                    err += chunk
            os.write(master, (answer + "\n").encode())
        out, rest = p.communicate(timeout=60)
        err += rest
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            echoed += chunk
    finally:
        os.close(master)
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, out.decode(), err.decode(), echoed.decode(errors="replace")


def query(db_path, sql, *params):
    con = sqlite3.connect(db_path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def main():
    tmp = tempfile.mkdtemp(prefix="sapa-server-admin-")
    try:
        scenario(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{count}")
    if failures:
        print("# failed: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


def scenario(tmp):
    data = os.path.join(tmp, "data")
    db = os.path.join(data, "sapa-server.sqlite")

    # -- before init ------------------------------------------------------
    rc, out, err = run("user", "list", "--data", data)
    check(rc == 1 and "sapa-server init --data" in err, "a folder without server data says to run init")
    rc, out, err = run("frobnicate")
    check(rc == 2 and "Unknown command" in err, "an unknown command is a usage error")

    # -- init -------------------------------------------------------------
    rc, out, err = run("init", "--data", data)
    check(rc == 0 and os.path.exists(db), "init makes the database")
    epoch = query(db, "SELECT value FROM server_meta WHERE key = 'epoch'")
    check(len(epoch) == 1 and re.fullmatch(r"[0-9a-f]{32}", epoch[0][0]) is not None, "init makes a random epoch")
    rc, out, err = run("init", "--data", data)
    check(rc == 0 and "already" in out, "init again changes nothing")
    check(query(db, "SELECT value FROM server_meta WHERE key = 'epoch'") == epoch, "the epoch stays")
    rc, out, err = run("init")
    check(rc == 2 and "--data" in err, "init without --data is a usage error")

    # -- metrics zone -----------------------------------------------------
    rc, out, err = run("metrics-zone", "--data", data, "--zone", "Asia/Makassar")
    check(rc == 0 and out.strip() == "Asia/Makassar", "metrics-zone --zone sets the zone of the daily figures")
    check(query(db, "SELECT value FROM desk_meta WHERE key = 'metrics_utc_offset'") == [("28800",)],
          "the daily rollups follow WITA's offset")
    rc, out, err = run("metrics-zone", "--data", data)
    check(rc == 0 and out.strip() == "Asia/Makassar", "metrics-zone prints the zone")
    rc, out, err = run("metrics-zone", "--data", data, "--zone", "Europe/Berlin")
    check(rc == 1 and "Asia/Jakarta" in err, "a zone with daylight saving time is refused with a suggestion")
    rc, out, err = run("metrics-zone", "--data", data, "--zone", "Nowhere/Foo")
    check(rc == 2 and "Unknown time zone" in err, "an unknown zone is a usage error")
    check(run("metrics-zone", "--data", data)[1].strip() == "Asia/Makassar", "a refused zone changes nothing")
    rc, out, err = run("metrics-zone", "--data", data, "--zone", "Asia/Jakarta")
    check(rc == 0 and out.strip() == "Asia/Jakarta", "back to WIB")

    # -- branches ---------------------------------------------------------
    rc, out, err = run("branch", "add", "--data", data, "--name", "Jakarta Sudirman", "--kind", "bank")
    jakarta = out.strip()
    check(rc == 0 and UUID.match(jakarta), "branch add prints the new branch's id")
    rc, out, err = run("branch", "add", "--data", data, "--name", "Bandung Dago", "--kind", "hotel",
                       "--timezone", "Asia/Jakarta")
    bandung = out.strip()
    check(rc == 0 and UUID.match(bandung), "a second branch")
    rc, out, err = run("branch", "add", "--data", data, "--name", "Surabaya", "--kind", "retail",
                       "--timezone", "Asia/Makassar")
    surabaya = out.strip()
    check(rc == 0 and UUID.match(surabaya), "a third branch in another time zone")
    rc, out, err = run("branch", "add", "--data", data, "--name", "jakarta sudirman", "--kind", "bank")
    check(rc == 1 and "already exists" in err, "a branch name is not used twice")
    rc, out, err = run("branch", "add", "--data", data, "--name", "Medan", "--kind", "casino")
    check(rc == 2 and "bank, hotel, retail" in err, "an unknown kind is a usage error listing the kinds")
    rc, out, err = run("branch", "add", "--data", data, "--name", "Medan", "--kind", "bank", "--timezone", "Mars/Olympus")
    check(rc == 2 and "time zone" in err, "an unknown time zone is a usage error")
    rows = query(db, "SELECT id, name, kind, timezone FROM branch ORDER BY name")
    check(rows == sorted([(bandung, "Bandung Dago", "hotel", "Asia/Jakarta"),
                          (jakarta, "Jakarta Sudirman", "bank", "Asia/Jakarta"),
                          (surabaya, "Surabaya", "retail", "Asia/Makassar")], key=lambda r: r[1]),
          "the branches are stored as records")
    logged = query(db, "SELECT count(DISTINCT record_id) FROM change_log WHERE entity = 'branch'")[0][0]
    check(logged == 3, "branches are in the change log, so desks receive them")

    # -- users ------------------------------------------------------------
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", "--password", "rina-secret-1",
                       stdin="rina-secret-1\n")
    check(rc == 2 and "never taken on the command line" in err, "a password given as an argument is refused")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", "--password=rina-secret-1")
    check(rc == 2, "--password=... is refused too")
    check(query(db, "SELECT count(*) FROM agent WHERE username = 'rina'")[0][0] == 0,
          "nothing was made from a refused command")

    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", stdin="short\n")
    check(rc == 1 and "at least 8" in err, "a short password is refused with the rule")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", stdin="")
    check(rc == 1 and "standard input" in err, "no password at all is refused")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", stdin="\n")
    check(rc == 1 and "empty" in err, "an empty password is refused")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", stdin="rina-secret-1\n")
    check(rc == 2 and "--branch" in err, "an agent needs a branch")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Atlantis", stdin="rina-secret-1\n")
    check(rc == 1 and "no branch" in err, "an unknown branch is named")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina wati", "--name", "Rina Wati",
                       "--role", "agent", "--branch", jakarta, stdin="rina-secret-1\n")
    check(rc == 2, "a username with a space is refused")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "boss", "--branch", jakarta, stdin="rina-secret-1\n")
    check(rc == 2 and "--role" in err, "an unknown role is a usage error")
    check(query(db, "SELECT count(*) FROM agent")[0][0] == 0, "no user was made by the refused commands")

    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Rina Wati",
                       "--role", "agent", "--branch", "Jakarta Sudirman", stdin="rina-secret-1\n")
    check(rc == 0 and "rina" in out, "user add with the password on standard input")
    rc, out, err = run("user", "add", "--data", data, "--username", "budi", "--name", "Budi Santoso",
                       "--role", "supervisor", "--branch", jakarta, "--extra-branch", "Bandung Dago",
                       "--language", "en", stdin="budi-secret-1\n")
    check(rc == 0, "a supervisor with an extra branch")
    rc, out, err = run("user", "add", "--data", data, "--username", "sari", "--name", "Sari Dewi",
                       "--role", "admin", stdin="sari-secret-1\n")
    check(rc == 0, "an admin without a branch")
    rc, out, err = run("user", "add", "--data", data, "--username", "rina", "--name", "Another Rina",
                       "--role", "agent", "--branch", jakarta, stdin="rina-secret-2\n")
    check(rc == 1 and "already exists" in err, "a username is not used twice")
    rc, out, err = run("user", "add", "--data", data, "--username", "RINA", "--name", "Another Rina",
                       "--role", "agent", "--branch", jakarta, stdin="rina-secret-2\n")
    check(rc == 1 and "already exists" in err, "nor in other letter case")
    rc, out, err = run("user", "add", "--data", data, "--username", "eko", "--name", "Eko",
                       "--role", "agent", "--branch", jakarta, "--extra-branch", bandung, stdin="eko-secret-1\n")
    check(rc == 2 and "supervisor" in err, "only supervisors get extra branches")

    agents = dict(query(db, "SELECT username, id FROM agent"))
    check(sorted(agents) == ["budi", "rina", "sari"], "three users are stored as agent records")
    rows = query(db, "SELECT role, branch_id, language FROM agent WHERE username = 'budi'")
    check(rows == [("supervisor", jakarta, "en")], "the supervisor's role, branch and language")
    check(query(db, "SELECT branch_id FROM agent_branch WHERE agent_id = ?", agents["budi"]) == [(bandung,)],
          "the supervisor's extra branch is in agent_branch")
    hashes = dict(query(db, "SELECT agent_id, password_hash FROM credential"))
    check(len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes.values()),
          "passwords are stored as Argon2id hashes")
    raw = b""
    for name in os.listdir(data):
        with open(os.path.join(data, name), "rb") as f:
            raw += f.read()
    check(b"rina-secret-1" not in raw and b"budi-secret-1" not in raw, "no password is in the data folder in clear")
    logged = query(db, "SELECT count(DISTINCT record_id) FROM change_log WHERE entity = 'agent'")[0][0]
    check(logged == 3, "users are in the change log, so desks know their colleagues")

    # -- list ---------------------------------------------------------------
    rc, out, err = run("user", "list", "--data", data)
    lines = out.splitlines()
    check(rc == 0 and lines[0].split() == ["USERNAME", "NAME", "ROLE", "BRANCH", "DISABLED"], "user list has a header")
    body = {line.split()[0]: line for line in lines[1:]}
    check(sorted(body) == ["budi", "rina", "sari"], "user list shows every user once")
    check("Rina Wati" in body["rina"] and "agent" in body["rina"] and "Jakarta Sudirman" in body["rina"]
          and body["rina"].rstrip().endswith("no"), "rina's row: name, role, branch, not disabled")
    check("Bandung Dago" in body["budi"], "the supervisor's row shows the extra branch")

    # -- sign-in tokens before disable (as the server writes them) ------------
    con = sqlite3.connect(db)
    con.execute("INSERT INTO token (hash, agent_id, device, created_at, last_used) "
                "VALUES ('a' || hex(randomblob(31)), ?, 'desk', strftime('%s','now'), strftime('%s','now'))",
                (agents["rina"],))
    con.commit()
    con.close()

    rc, out, err = run("user", "disable", "--data", data, "--username", "rina")
    check(rc == 0 and "1 device" in out, "disable signs the user's devices out")
    check(query(db, "SELECT disabled FROM credential WHERE agent_id = ?", agents["rina"]) == [(1,)],
          "the user is disabled")
    check(query(db, "SELECT count(*) FROM token WHERE agent_id = ? AND revoked_at IS NULL", agents["rina"])[0][0] == 0,
          "the user's tokens are revoked")
    rc, out, err = run("user", "list", "--data", data)
    row = [line for line in out.splitlines() if line.startswith("rina")][0]
    check(row.rstrip().endswith("yes"), "user list shows the user disabled")
    rc, out, err = run("user", "disable", "--data", data, "--username", "nobody")
    check(rc == 1 and "no user" in err, "disabling an unknown user says so")

    # -- passwd -------------------------------------------------------------
    before = hashes[agents["budi"]]
    rc, out, err = run("user", "passwd", "--data", data, "--username", "budi", "--password", "x")
    check(rc == 2, "passwd refuses a password argument")
    rc, out, err = run("user", "passwd", "--data", data, "--username", "budi", stdin="1234567\n")
    check(rc == 1 and "at least 8" in err, "passwd refuses a short password")
    rc, out, err = run("user", "passwd", "--data", data, "--username", "budi", stdin="budi-secret-2\n")
    check(rc == 0, "passwd with the new password on standard input")
    after = query(db, "SELECT password_hash FROM credential WHERE agent_id = ?", agents["budi"])[0][0]
    check(after != before and after.startswith("$argon2id$"), "the stored hash changed")

    # On a terminal the password is asked twice and not shown.
    rc, out, err, echoed = run_on_terminal(["user", "passwd", "--data", data, "--username", "sari"],
                                           [("New password for sari", "sari-typed-2"),
                                            ("Type it again", "sari-typed-3")])
    check(rc == 1 and "differ" in err, "two different passwords typed on a terminal are refused")
    rc, out, err, echoed = run_on_terminal(["user", "passwd", "--data", data, "--username", "sari"],
                                           [("New password for sari", "sari-typed-2"),
                                            ("Type it again", "sari-typed-2")])
    check(rc == 0 and "Changed the password" in out, "a password typed twice on a terminal")
    check("sari-typed" not in echoed, "the typed password is not echoed")

    rc, out, err = run("user", "enable", "--data", data, "--username", "rina")
    check(rc == 0 and "Enabled rina" in out, "enable lets the user sign in again")
    check(query(db, "SELECT disabled FROM credential WHERE agent_id = ?", agents["rina"]) == [(0,)],
          "the user is enabled")
    rc, out, err = run("user", "disable", "--data", data, "--username", "rina")
    check(rc == 0 and "0 devices" in out, "disabled again, with no device signed in")

    # -- channels -----------------------------------------------------------
    rc, out, err = run("channel", "add", "--data", data, "--name", "whatsapp")
    first = out.strip()
    check(rc == 0 and re.fullmatch(r"[0-9a-f]{64}", first) is not None, "channel add prints a 64-hex secret")
    rc, out, err = run("channel", "add", "--data", data, "--name", "whatsapp")
    second = out.strip()
    check(rc == 0 and re.fullmatch(r"[0-9a-f]{64}", second) and second != first, "adding again rotates the secret")
    check(query(db, "SELECT secret FROM channel WHERE name = 'whatsapp'") == [(second,)], "only the new secret is kept")
    rc, out, err = run("channel", "add", "--data", data, "--name", "walk_in")
    check(rc == 2, "walk-in is not an inbound channel")
    rc, out, err = run("channel", "add", "--data", data, "--name", "email")
    check(rc == 0 and len(query(db, "SELECT name FROM channel")) == 2, "a second channel")

    # -- seed ---------------------------------------------------------------
    rc, out, err = run("seed", "--data", data, "--customers", "0")
    check(rc == 2, "seed needs a number of customers")
    rc, out, err = run("seed", "--data", data, "--customers", "5", "--now", "yesterday")
    check(rc == 2 and "--now" in err, "seed refuses a date it cannot read")
    rc, out, err = run("seed", "--data", data, "--customers", "200", "--seed", "7", "--now", "2026-11-20")
    check(rc == 0 and "200 customers" in out, "seed --customers 200 prints a summary")
    check(query(db, "SELECT count(*) FROM customer")[0][0] == 200, "200 customers are stored")
    newest = query(db, "SELECT max(started_at) FROM interaction")[0][0]
    check(1795132800 - 7 * 86400 < newest <= 1795132800, "the demo history ends at the --now date (2026-11-20)")
    unlogged = {}
    for entity in ("branch", "agent", "customer", "conversation", "interaction", "survey_response"):
        unlogged[entity] = query(db, f"SELECT count(*) FROM {entity} WHERE id NOT IN "
                                     f"(SELECT record_id FROM change_log WHERE entity = '{entity}')")[0][0]
    check(all(n == 0 for n in unlogged.values()), f"every seeded record is in the change log ({unlogged})")
    m = re.search(r"(\d+) changes", out)
    check(m is not None and int(m.group(1)) == query(db, "SELECT count(*) FROM change_log")[0][0],
          "the summary counts the changes desks will pull")
    check(sorted(query(db, "SELECT username FROM agent a JOIN credential c ON c.agent_id = a.id")) ==
          [("budi",), ("rina",), ("sari",)], "seeding keeps the users added before")
    check(query(db, "PRAGMA journal_mode")[0][0] == "wal", "the database is back in WAL mode")
    rc, out, err = run("seed", "--data", data, "--customers", "10")
    check(rc == 1 and "already has customers" in err, "seeding twice is refused")
    rc, out, err = run("user", "list", "--data", data)
    check(rc == 0 and "no password" in out, "demo agents are listed without a password")

    all_branches = [row[0] for row in query(db, "SELECT id FROM branch WHERE deleted = 0")]
    sign_in_over_http(data, [jakarta, bandung], all_branches)


def sign_in_over_http(data, budi_branches, all_branches):
    """Signs in through a running sapa-server when this program can serve."""
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    try:
        proc = subprocess.Popen([SERVER, "--data", data, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    except OSError:
        return
    try:
        line = proc.stdout.readline()
        m = re.search(r"Listening on (http://\S+?)/?$", line.strip())
        if m is None:
            print("# this program does not serve; sign-in over HTTP not checked")
            return
        base = m.group(1)

        def call(method, path, body=None, token=None):
            headers = {"Content-Type": "application/json"}
            if token is not None:
                headers["Authorization"] = "Bearer " + token
            req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None,
                                         headers=headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    raw = r.read()
                    return r.status, json.loads(raw) if raw else {}, r.headers
            except urllib.error.HTTPError as e:
                raw = e.read()
                return e.code, json.loads(raw) if raw else {}, e.headers

        def post(body):
            status, answer, _ = call("POST", "/api/v1/session", body)
            return status, answer

        status, body = post({"username": "budi", "password": "budi-secret-2", "device": "test"})
        check(status == 201 and len(body.get("token", "")) == 43 and body["agent"]["username"] == "budi",
              "the supervisor signs in with the password set by passwd")
        check(sorted(body.get("branches", [])) == sorted(budi_branches),
              "the session lists the supervisor's own and extra branches")
        status, body = post({"username": "budi", "password": "budi-secret-1", "device": "test"})
        check(status == 401, "the old password no longer works")
        status, body = post({"username": "rina", "password": "rina-secret-1", "device": "test"})
        check(status == 401, "a disabled user cannot sign in")
        status, body = post({"username": "sari", "password": "sari-typed-2", "device": "test"})
        check(status == 201 and sorted(body.get("branches", [])) == sorted(all_branches),
              "the admin signs in with the password typed on the terminal and sees every branch")
        token = body.get("token", "")

        # Signing out ends the session.
        status, _, _ = call("GET", "/api/v1/sync/pull?limit=1", token=token)
        check(status == 200, "the admin's token works")
        status, _, _ = call("DELETE", "/api/v1/session", token=token)
        check(status == 204, "sign-out answers 204")
        status, answer, _ = call("GET", "/api/v1/sync/pull?limit=1", token=token)
        check(status == 401 and answer.get("error", {}).get("code") == "unauthorized",
              "the token is refused after sign-out")

        # Five wrong passwords, then even the right one waits (429 with Retry-After).
        for _ in range(5):
            post({"username": "budi", "password": "not-budis-password", "device": "test"})
        status, answer, headers = call("POST", "/api/v1/session",
                                       {"username": "budi", "password": "budi-secret-2", "device": "test"})
        retry = headers.get("Retry-After", "")
        check(status == 429 and answer.get("error", {}).get("code") == "rate_limited"
              and retry.isdigit() and 0 < int(retry) <= 15 * 60 + 1,
              f"too many failed sign-ins are answered 429 with Retry-After ({status}, {retry!r})")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


main()
