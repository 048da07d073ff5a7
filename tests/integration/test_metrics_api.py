# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /api/v1/metrics against the real sapa-server.

Known records are pushed, then the figures are compared with values worked
out by hand from DESIGN.md's formulas; then who may see what (agent: own
figures, supervisor: own branches, admin: all) and bad input.

Run: test_metrics_api.py PATH/TO/sapa-server
"""

import sys
import uuid

from sapaserver import ServerFixture, change, check, customer_change, run_tests

SERVER = sys.argv[1]
S = None
TOKENS = {}
RANGE = "from=2026-10-05&to=2026-10-07&tz=Asia/Jakarta"
MORNING = "2026-10-05T03:00:00Z"      # 10:00 in Jakarta, 5 October
LATE = "2026-10-05T18:00:00Z"         # 01:00 in Jakarta, 6 October; still 5 October in UTC


def close(a, b, what):
    check(a is not None and abs(a - b) < 1e-6, what, a, b)


def seed():
    """Branch A: agent_a's responses and one of supervisor_a; branch B: one of agent_b."""
    b, u = S.branches, S.users
    cust_a = customer_change(b["A"])
    cust_b = customer_change(b["B"])
    changes = [cust_a, cust_b]
    for channel, branch, cust in (("email", "A", cust_a), ("email", "A", cust_a), ("whatsapp", "B", cust_b)):
        changes.append(change("conversation", str(uuid.uuid4()), {
            "customer_id": cust["id"], "branch_id": b[branch], "channel": channel, "status": "open",
            "opened_at": MORNING}))

    def response(kind, score, agent, branch, cust, at=MORNING, channel="email"):
        changes.append(change("survey_response", str(uuid.uuid4()), {
            "kind": kind, "score": score, "customer_id": cust["id"], "agent_id": u[agent],
            "branch_id": b[branch], "channel": channel, "collected_via": "link", "collected_at": at}))

    for score in (5, 4, 3, 2):
        response("csat", score, "agent_a", "A", cust_a)
    response("csat", 5, "agent_a", "A", cust_a, at=LATE)
    response("csat", 1, "supervisor_a", "A", cust_a)
    response("csat", 5, "agent_b", "B", cust_b, channel="whatsapp")
    for score in (10, 9, 7, 3):
        response("nps", score, "agent_a", "A", cust_a)
    for score in (6, 2):
        response("ces", score, "agent_a", "A", cust_a)
    r = S.push(TOKENS["admin"], changes)
    check(r.status == 200 and all(x["status"] == "applied" for x in r.json["results"]), "seeded", r)


def metrics(role, query=RANGE, status=200):
    r = S.request("GET", "/api/v1/metrics?" + query, token=TOKENS.get(role))
    check(r.status == status, "GET metrics?%s as %s: %d" % (query, role, status), r)
    if status != 200:
        check(isinstance(r.json.get("error", {}).get("message"), str), "a JSON error with a message", r)
    return r.json


def test_figures():
    m = metrics("admin")
    check(m["tz"] == "Asia/Jakarta", "the zone echoed", m.get("tz"))
    check(m["filter"] == {"branch": None, "channel": None, "agent": None}, "no filter", m["filter"])
    t = m["total"]
    check(t["counts"]["csat_n"] == 7 and t["counts"]["csat_satisfied"] == 4, "CSAT counts", t["counts"])
    close(t["csat"], 100 * 4 / 7, "CSAT % of everything")
    check(t["counts"]["nps_n"] == 4 and t["counts"]["nps_promoters"] == 2 and t["counts"]["nps_passives"] == 1
          and t["counts"]["nps_detractors"] == 1, "NPS counts", t["counts"])
    close(t["nps"], 25.0, "NPS = 50% promoters - 25% detractors")
    close(t["ces"], 4.0, "CES mean of 6 and 2")
    close(t["ces_easy"], 50.0, "CES share scoring 5-7")
    check(t["counts"]["conversations"] == 3, "three conversations opened", t["counts"])
    check(len(m["hour_of_week"]) == 168 and sum(m["hour_of_week"]) == 3, "hour of week", m["hour_of_week"])
    # 5 October 2026 is a Monday: 10:00 in Jakarta is index 10.
    check(m["hour_of_week"][10] == 3, "opened Monday 10:00 Jakarta time", m["hour_of_week"][:24])
    channels = {row["key"]: row["counts"]["conversations"] for row in m["by_channel"]}
    check(channels.get("email") == 2 and channels.get("whatsapp") == 1, "volume by channel", channels)
    branches = {row["key"]: row["counts"]["csat_n"] for row in m["by_branch"]}
    check(branches.get(S.branches["A"]) == 6 and branches.get(S.branches["B"]) == 1, "by branch", branches)

    # Days follow the zone: the late answer is 6 October in Jakarta, 5 October in UTC.
    days = {row["key"]: row["counts"]["csat_n"] for row in m["by_day"]}
    check(days == {"2026-10-05": 6, "2026-10-06": 1}, "days in Jakarta", days)
    utc = metrics("admin", "from=2026-10-05&to=2026-10-07&tz=UTC")
    days = {row["key"]: row["counts"]["csat_n"] for row in utc["by_day"]}
    check(days == {"2026-10-05": 7, "2026-10-06": 0}, "days in UTC", days)
    # A narrower range in ISO 8601 times with an offset: only the late answer.
    late = metrics("admin", "from=2026-10-06T00:00:00%2B07:00&to=2026-10-06T12:00:00%2B07:00&tz=Asia/Jakarta")
    check(late["total"]["counts"]["csat_n"] == 1, "from/to as ISO 8601 times", late["total"]["counts"])
    # Nothing in range: figures are null, not zero.
    empty = metrics("admin", "from=2025-01-01&to=2025-01-02")
    check(empty["total"]["csat"] is None and empty["total"]["counts"]["csat_n"] == 0, "no data: null", empty["total"])
    # Channel filter.
    wa = metrics("admin", RANGE + "&channel=whatsapp")
    check(wa["total"]["counts"]["csat_n"] == 1 and wa["filter"]["channel"] == "whatsapp", "channel filter", wa["total"])


def test_scope_agent():
    m = metrics("agent_a")
    check(m["filter"]["agent"] == S.users["agent_a"], "an agent's figures are their own", m["filter"])
    check(m["total"]["counts"]["csat_n"] == 5, "agent_a's five CSAT answers", m["total"]["counts"])
    close(m["total"]["csat"], 60.0, "agent_a's CSAT: 3 of 5")
    m = metrics("agent_a", RANGE + "&agent=" + S.users["agent_a"])
    check(m["total"]["counts"]["csat_n"] == 5, "asking for themselves is fine")
    metrics("agent_a", RANGE + "&agent=" + S.users["agent_b"], status=403)
    metrics("agent_a", RANGE + "&branch=" + S.branches["B"], status=403)
    m = metrics("agent_b")
    check(m["total"]["counts"]["csat_n"] == 1, "agent_b's one answer", m["total"]["counts"])


def test_scope_supervisor():
    # supervisor_a sees branches A and C: with two branches, one must be chosen.
    r = metrics("supervisor_a", RANGE, status=400)
    check(S.branches["A"] in r["error"]["message"] and S.branches["C"] in r["error"]["message"],
          "the 400 names the branches to choose from", r)
    m = metrics("supervisor_a", RANGE + "&branch=" + S.branches["A"])
    check(m["filter"]["branch"] == S.branches["A"], "branch A", m["filter"])
    check(m["total"]["counts"]["csat_n"] == 6, "branch A's six CSAT answers", m["total"]["counts"])
    close(m["total"]["csat"], 50.0, "branch A's CSAT: 3 of 6")
    agents = {row["key"]: row["counts"]["csat_n"] for row in m["by_agent"]}
    check(agents.get(S.users["agent_a"]) == 5 and agents.get(S.users["supervisor_a"]) == 1, "by agent", agents)
    m = metrics("supervisor_a", RANGE + "&branch=" + S.branches["C"])
    check(m["total"]["counts"]["csat_n"] == 0, "branch C has none", m["total"])
    metrics("supervisor_a", RANGE + "&branch=" + S.branches["B"], status=403)
    m = metrics("supervisor_a", RANGE + "&branch=" + S.branches["A"] + "&agent=" + S.users["agent_a"])
    check(m["total"]["counts"]["csat_n"] == 5, "one agent of the branch", m["total"]["counts"])


def test_scope_admin():
    m = metrics("admin", RANGE + "&branch=" + S.branches["B"])
    check(m["total"]["counts"]["csat_n"] == 1, "admin: any branch", m["total"]["counts"])
    m = metrics("admin", RANGE + "&agent=" + S.users["agent_b"])
    check(m["total"]["counts"]["csat_n"] == 1, "admin: any agent", m["total"]["counts"])


def test_bad_input():
    for query in ("", "from=2026-10-05", "to=2026-10-07", "from=yesterday&to=today",
                  "from=2026-13-01&to=2026-14-01", "from=2026-02-30&to=2026-03-01",
                  "from=2026-10-07&to=2026-10-05", "from=2026-10-05&to=2026-10-05",
                  "from=2020-01-01&to=2026-01-01",
                  "from=2026-10-05&to=2026-10-07&tz=Mars/Olympus",
                  "from=2026-10-05&to=2026-10-07&tz=%27%3B%20DROP%20TABLE%20change_log",
                  "from=2026-10-05&to=2026-10-07&channel=fax"):
        r = metrics("admin", query, status=400)
        check(r["error"]["code"] == "bad_request", "bad_request for %r" % query, r)
    r = S.request("GET", "/api/v1/metrics?" + RANGE)
    check(r.status == 401, "no token: 401", r)
    r = S.request("POST", "/api/v1/metrics?" + RANGE, b"{}", token=TOKENS["admin"])
    check(r.status == 405, "POST: 405", r)
    check(S.healthy(), "the server keeps serving")


def main():
    global S
    with ServerFixture(SERVER, "sapa-metrics") as server:
        S = server
        for role in ("agent_a", "agent_b", "supervisor_a", "admin"):
            TOKENS[role] = S.sign_in(role)
        seed()
        return run_tests([
            ("figures match hand-computed CSAT, NPS, CES, volume, days by zone", test_figures),
            ("an agent sees only their own figures", test_scope_agent),
            ("a supervisor sees their branches, one at a time", test_scope_supervisor),
            ("an admin sees everything", test_scope_admin),
            ("bad input: 400, 401, 405", test_bad_input),
        ])


if __name__ == "__main__":
    sys.exit(main())
