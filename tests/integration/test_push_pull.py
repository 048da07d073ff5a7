# SPDX-License-Identifier: GPL-3.0-or-later
"""Push twice and pull paging.

- The same push sent again answers `duplicate` for every change and inserts
  nothing twice (counted through pull and in the database).
- 10,000 changes (pushed 1000 at a time) pulled with limits 1, 7 and 500:
  every change exactly once, in commit order, `more` false only at the end.

Run: test_push_pull.py PATH/TO/sapa-server
"""

import http.client
import json
import sys
import threading
import time
import uuid

from sapaserver import ServerFixture, change, check, customer_change, quote, run_tests

SERVER = sys.argv[1]
S = None
T = {}
N_CHANGES = 10000
BATCH = 1000


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def mixed_batch(branch):
    """Customers, their conversations and interactions, a canned response, an edit."""
    out = []
    for i in range(20):
        cust = customer_change(branch, name="Pelanggan Ganda %d" % i)
        conv = change("conversation", str(uuid.uuid4()),
                      {"customer_id": cust["id"], "branch_id": branch, "channel": "walk_in",
                       "status": "open", "opened_at": now_iso()})
        inter = change("interaction", str(uuid.uuid4()),
                       {"customer_id": cust["id"], "conversation_id": conv["id"], "channel": "walk_in",
                        "direction": "inbound", "body": "Kunjungan %d" % i, "started_at": now_iso()})
        out += [cust, conv, inter]
    edit = change("customer", out[0]["id"], {"notes": "diubah"})
    out.append(edit)
    out.append(change("canned_response", str(uuid.uuid4()), {"title": "Salam", "body": "Selamat siang"}))
    return out


def results_of(r):
    check(r.status == 200, "push answered", r)
    return [(x["change_id"], x["status"]) for x in r.json["results"]]


def test_push_twice():
    batch = mixed_batch(S.branches["A"])
    client = str(uuid.uuid4())
    first = results_of(S.push(T["agent_a"], batch, client_id=client))
    check([c for c, _ in first] == [c["change_id"] for c in batch], "one result per change, in order")
    check({s for _, s in first} == {"applied"}, "first push applied", first)
    counts = S.counts()
    pulled, _ = S.pull_all(T["admin"])

    second = results_of(S.push(T["agent_a"], batch, client_id=client))
    check(second == [(c["change_id"], "duplicate") for c in batch], "second push: all duplicate", second)
    # Again, reordered and from another desk: still the same changes.
    third = results_of(S.push(T["agent_a"], list(reversed(batch))))
    check({s for _, s in third} == {"duplicate"}, "reordered push: all duplicate", third)

    check(S.counts() == counts, "nothing inserted twice (database)", counts, S.counts())
    again, _ = S.pull_all(T["admin"])
    check([c["change_id"] for c in again] == [c["change_id"] for c in pulled], "nothing inserted twice (pull)")
    ids = [c["change_id"] for c in again]
    check(len(ids) == len(set(ids)), "each change pulled once")
    for c in batch:
        check(ids.count(c["change_id"]) == 1, "pushed change pulled exactly once", c["change_id"])
    # Each record once in its table.
    db = S.db()
    for c in batch:
        if c["entity"] in ("customer", "conversation", "interaction", "canned_response"):
            n = db.execute("SELECT count(*) FROM %s WHERE id = ?" % c["entity"], (c["id"],)).fetchone()[0]
            check(n == 1, "%s %s stored once" % (c["entity"], c["id"]), n)
    db.close()


def test_partial_retry():
    """A retry that overlaps the first push: the old half duplicate, the new half applied."""
    batch = [customer_change(S.branches["A"]) for _ in range(15)]
    first = results_of(S.push(T["agent_a"], batch[:10]))
    check({s for _, s in first} == {"applied"}, "first ten applied")
    before = S.counts()["change_log"]
    retry = results_of(S.push(T["agent_a"], batch[5:]))
    check([s for _, s in retry] == ["duplicate"] * 5 + ["applied"] * 5, "overlap duplicate, rest applied", retry)
    check(S.counts()["change_log"] == before + 5, "five more changes logged")


def page_walk(token, limit):
    """Every page with @limit: (changes, pages, seconds)."""
    changes, pages = [], 0
    cursor = ""
    start = time.monotonic()
    while True:
        r = S.request("GET", "/api/v1/sync/pull?since=%s&limit=%d" % (quote(cursor), limit), token=token)
        check(r.status == 200, "page %d with limit %d" % (pages, limit), r)
        body = r.json
        pages += 1
        check(len(body["changes"]) <= limit, "at most %d changes on a page" % limit, len(body["changes"]))
        check(isinstance(body["more"], bool) and isinstance(body["cursor"], str) and body["cursor"],
              "more and cursor", body)
        changes += body["changes"]
        if body["more"]:
            check(body["changes"] or body["cursor"] != cursor, "a page with more moves the cursor", body)
        cursor = body["cursor"]
        if not body["more"]:
            break
    # Past the end: nothing more, however often asked.
    r = S.request("GET", "/api/v1/sync/pull?since=%s&limit=%d" % (quote(cursor), limit), token=token)
    check(r.status == 200 and r.json["changes"] == [] and r.json["more"] is False, "nothing after the end", r)
    return changes, pages, time.monotonic() - start


def seed_many():
    pushed = []
    start = time.monotonic()
    for i in range(N_CHANGES // BATCH):
        batch = [customer_change(S.branches["A"], name="Pelanggan %05d" % (i * BATCH + j)) for j in range(BATCH)]
        res = results_of(S.push(T["admin"], batch))
        check(len(res) == BATCH and {s for _, s in res} == {"applied"}, "batch %d applied" % i)
        pushed += [c["change_id"] for c in batch]
    print("# pushed %d changes in %d pushes in %.1f s" % (N_CHANGES, N_CHANGES // BATCH, time.monotonic() - start))
    return pushed


PUSHED = []
REFERENCE = []


def test_seed_and_reference():
    PUSHED[:] = seed_many()
    everything, _ = S.pull_all(T["admin"], limit=5000)
    ids = [c["change_id"] for c in everything]
    check(len(ids) == len(set(ids)), "no change twice in the reference pull")
    check(len(ids) == S.counts()["change_log"], "reference pull holds the whole log", len(ids))
    positions = {cid: i for i, cid in enumerate(ids)}
    check(all(cid in positions for cid in PUSHED), "every pushed change is pulled")
    order = [positions[cid] for cid in PUSHED]
    check(order == sorted(order), "pushed changes come back in push (commit) order")
    REFERENCE[:] = ids
    print("# %d changes in the log" % len(ids))


def check_walk(token, limit, expected):
    changes, pages, seconds = page_walk(token, limit)
    ids = [c["change_id"] for c in changes]
    print("# limit %d: %d changes in %d pages, %.1f s" % (limit, len(ids), pages, seconds))
    dupes = len(ids) - len(set(ids))
    check(dupes == 0, "limit %d: %d changes came twice" % (limit, dupes))
    missing = set(expected) - set(ids)
    check(not missing, "limit %d: %d changes missing" % (limit, len(missing)))
    check(ids == expected, "limit %d: same changes in the same order as one big pull" % limit)
    return seconds


def test_paging_500():
    check_walk(T["admin"], 500, REFERENCE)


def test_paging_7():
    check_walk(T["admin"], 7, REFERENCE)


def test_paging_1():
    seconds = check_walk(T["admin"], 1, REFERENCE)
    if seconds > 60:
        print("# note: walking %d changes one at a time took %.0f s (over 60 s)" % (len(REFERENCE), seconds))


def test_paging_filtered():
    """Agent of branch B sees none of the 10,000: pages over filtered rows still end."""
    everything, _ = S.pull_all(T["agent_b"], limit=5000)
    expected = [c["change_id"] for c in everything]
    check(not set(expected) & set(PUSHED), "branch A changes are not pulled by branch B")
    check_walk(T["agent_b"], 7, expected)


def test_cursor_resumes():
    """A cursor from the middle resumes exactly after it."""
    r = S.request("GET", "/api/v1/sync/pull?limit=4321", token=T["admin"])
    first = [c["change_id"] for c in r.json["changes"]]
    rest, _ = S.pull_all(T["admin"], limit=5000, since=r.json["cursor"])
    check(first + [c["change_id"] for c in rest] == REFERENCE, "resume after 4321")


def test_pull_while_pushing():
    """Desks pushing at the same time while another desk follows the cursor: the follower
    ends up with every acknowledged change exactly once, none skipped."""
    start_cursor = S.pull_all(T["admin"], limit=5000)[1]
    acknowledged = []
    lock = threading.Lock()
    errors = []
    done = threading.Event()

    def conn():
        return http.client.HTTPConnection("127.0.0.1", S.port, timeout=60)

    def pusher(n):
        c = conn()
        try:
            for i in range(20):
                batch = [customer_change(S.branches["A"], name="Serentak %d-%d-%d" % (n, i, j)) for j in range(15)]
                body = json.dumps({"client_id": str(uuid.uuid4()), "changes": batch})
                c.request("POST", "/api/v1/sync/push", body=body,
                          headers={"Authorization": "Bearer " + T["admin"], "Content-Type": "application/json"})
                r = c.getresponse()
                answer = json.loads(r.read())
                if r.status != 200:
                    errors.append((r.status, answer))
                    return
                with lock:
                    acknowledged.extend(x["change_id"] for x in answer["results"] if x["status"] == "applied")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
        finally:
            c.close()

    seen = []

    def follower():
        c = conn()
        cursor = start_cursor
        try:
            while True:
                finished = done.is_set()
                c.request("GET", "/api/v1/sync/pull?since=%s&limit=7" % quote(cursor),
                          headers={"Authorization": "Bearer " + T["admin"]})
                r = c.getresponse()
                page = json.loads(r.read())
                if r.status != 200:
                    errors.append((r.status, page))
                    return
                seen.extend(x["change_id"] for x in page["changes"])
                cursor = page["cursor"]
                if not page["more"]:
                    if finished:
                        return
                    time.sleep(0.005)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
        finally:
            c.close()

    f = threading.Thread(target=follower)
    f.start()
    pushers = [threading.Thread(target=pusher, args=(n,)) for n in range(4)]
    for p in pushers:
        p.start()
    for p in pushers:
        p.join(120)
    done.set()
    f.join(120)
    check(not errors, "no request failed", *errors[:3])
    check(len(acknowledged) == 4 * 20 * 15, "every pushed change acknowledged", len(acknowledged))
    check(len(seen) == len(set(seen)), "the follower saw no change twice", len(seen) - len(set(seen)))
    missing = set(acknowledged) - set(seen)
    check(not missing, "the follower missed %d acknowledged changes" % len(missing))
    print("# follower saw %d changes while 4 desks pushed %d" % (len(seen), len(acknowledged)))


def test_cursor_of_another_server():
    """A cursor made by another server's database is gone (410): the desk starts over."""
    with ServerFixture(SERVER, "sapa-push-pull-other") as other:
        token = other.sign_in("admin")
        foreign = other.pull_all(token)[1]
    r = S.request("GET", "/api/v1/sync/pull?since=%s" % quote(foreign), token=T["admin"])
    check(r.status == 410 and r.json["error"]["code"] == "gone", "foreign cursor answers 410", r)


def main():
    global S
    with ServerFixture(SERVER, "sapa-push-pull") as server:
        S = server
        for role in ("agent_a", "admin", "agent_b"):
            T[role] = S.sign_in(role)
        return run_tests([
            ("push twice: duplicate, nothing inserted twice", test_push_twice),
            ("retry overlapping a push", test_partial_retry),
            ("seed 10,000 changes in pushes of 1000", test_seed_and_reference),
            ("pull paging, limit 500", test_paging_500),
            ("pull paging, limit 7", test_paging_7),
            ("pull paging, limit 1", test_paging_1),
            ("pull paging through a branch filter", test_paging_filtered),
            ("a cursor resumes where it stopped", test_cursor_resumes),
            ("pull while four desks push", test_pull_while_pushing),
            ("a cursor of another server is gone", test_cursor_of_another_server),
        ])


if __name__ == "__main__":
    sys.exit(main())
