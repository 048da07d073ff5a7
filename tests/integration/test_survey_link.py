# SPDX-License-Identifier: GPL-3.0-or-later
"""Survey links against the real sapa-server.

POST /api/v1/survey-links makes a link; GET /s/{token} shows the page in
Indonesian or English; POST /s/{token} stores the answers as survey_response
records that desks pull; a link takes one answer; expired, unknown and bad
answers get clear pages and store nothing.

Run: test_survey_link.py PATH/TO/sapa-server
"""

import html.parser
import http.client
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

from sapaserver import ServerFixture, change, check, customer_change, run_tests

SERVER = sys.argv[1]
PUBLIC_URL = "https://survei.example.test/"
PO_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "po", "id.po")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
S = None
TOKENS = {}


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def conversation(branch_key, channel="email", token_role="agent_a", **extra):
    """A customer and a conversation pushed by @token_role; returns the conversation id."""
    cust = customer_change(S.branches[branch_key])
    conv_id = str(uuid.uuid4())
    fields = {"customer_id": cust["id"], "branch_id": S.branches[branch_key], "channel": channel,
              "status": "open", "opened_at": now_iso()}
    fields.update(extra)
    r = S.push(TOKENS[token_role], [cust, change("conversation", conv_id, fields)])
    check(r.status == 200 and [x["status"] for x in r.json["results"]] == ["applied", "applied"],
          "conversation pushed", r)
    return conv_id, cust["id"]


def make_link(conv_id, language=None, role="agent_a"):
    body = {"conversation_id": conv_id}
    if language is not None:
        body["language"] = language
    r = S.request("POST", "/api/v1/survey-links", body, token=TOKENS[role])
    check(r.status == 201, "survey link made", r)
    url = r.json["url"]
    check(url.startswith(PUBLIC_URL + "s/"), "the link starts with --public-url", url)
    token = url[len(PUBLIC_URL + "s/"):]
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) is not None, "32 random bytes in base64url", token)
    return "/s/" + token, r.json


def survey_rows(conv_id=None):
    conn = S.db()
    try:
        if conv_id is None:
            return conn.execute("SELECT count(*) FROM survey_response").fetchone()[0]
        return conn.execute("SELECT kind, score, comment, collected_via, customer_id, agent_id, branch_id, "
                            "channel FROM survey_response WHERE conversation_id = ? ORDER BY kind",
                            (conv_id,)).fetchall()
    finally:
        conn.close()


def post_form(path, fields, lang=None):
    body = urllib.parse.urlencode(fields).encode()
    return S.request("POST", path + ("?lang=" + lang if lang else ""), body, headers=FORM)


class PageChecker(html.parser.HTMLParser):
    """Collects what the checks need and notices unbalanced tags."""
    VOID = {"meta", "input", "br", "link", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []
        self.html_lang = None
        self.viewport = False
        self.legends = 0
        self.fieldsets = 0
        self.radios = {}
        self.scripts = 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = "width=device-width" in a.get("content", "")
        if tag == "script":
            self.scripts += 1
        if tag == "legend":
            self.legends += 1
        if tag == "fieldset":
            self.fieldsets += 1
        if tag == "input" and a.get("type") == "radio":
            self.radios.setdefault(a["name"], []).append(a)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def page(r, lang, status):
    check(r.status == status, "page answered %d" % status, r)
    check(r.headers.get("content-type", "").startswith("text/html"), "an HTML page", r.headers)
    text = r.body.decode("utf-8")
    check(text.startswith("<!DOCTYPE html>"), "HTML5 doctype", text[:40])
    p = PageChecker()
    p.feed(text)
    p.close()
    check(not p.errors and not p.stack, "well-formed page", p.errors, p.stack)
    check(p.html_lang == lang, "<html lang=%s>" % lang, p.html_lang)
    check(p.viewport, "viewport meta for phones")
    check(p.scripts == 0, "no JavaScript")
    check("no-referrer" in r.headers.get("referrer-policy", ""), "the token does not leak as a referrer", r.headers)
    p.body = text
    return p


def indonesian(msgid):
    """The Indonesian translation of @msgid in po/id.po, or None while it has none."""
    try:
        with open(PO_FILE, encoding="utf-8") as f:
            po = f.read()
    except OSError:
        return None
    for entry in po.split("\n\n"):
        if "#, fuzzy" in entry:
            continue
        m = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', entry + "\n", re.M)
        if not m:
            continue
        join = lambda block: "".join(re.findall(r'"(.*)"', block)).replace('\\"', '"')
        if join(m.group(1)) == msgid and join(m.group(2)):
            return join(m.group(2))
    return None


def test_link_routes():
    conv_id, _ = conversation("A")
    path, body = make_link(conv_id, "en")
    expires = time.mktime(time.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    check(abs(expires - (time.time() + 7 * 86400)) < 120, "the link works for 7 days", body)
    check(body.get("language") == "en", "the language asked for", body)
    conn = S.db()
    try:
        token = path[3:]
        stored = [row[0] for row in conn.execute("SELECT token_hash FROM survey_link")]
    finally:
        conn.close()
    check(token not in stored and all(len(h) == 64 for h in stored), "only hashes of tokens are stored", stored)

    # Default language: the customer's preferred language, else Indonesian.
    _, default = make_link(conv_id)
    check(default["language"] == "id", "Indonesian by default", default)
    conv_en, _ = conversation("A")
    cust = customer_change(S.branches["A"], preferred_language="en")
    conv2 = str(uuid.uuid4())
    S.push(TOKENS["agent_a"], [cust, change("conversation", conv2, {
        "customer_id": cust["id"], "branch_id": S.branches["A"], "channel": "whatsapp",
        "status": "open", "opened_at": now_iso()})])
    _, pref = make_link(conv2)
    check(pref["language"] == "en", "the customer's preferred language", pref)

    # Refusals.
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id}, token=TOKENS["agent_b"])
    check(r.status == 403 and r.json["error"]["code"] == "forbidden", "another branch's conversation: 403", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": str(uuid.uuid4())}, token=TOKENS["agent_a"])
    check(r.status == 404 and r.json["error"]["code"] == "not_found", "unknown conversation: 404", r)
    walk_in, _ = conversation("A", channel="walk_in")
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": walk_in}, token=TOKENS["agent_a"])
    check(r.status == 422 and "email, chat and WhatsApp" in r.json["error"]["message"],
          "a walk-in conversation: 422 saying which channels", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id, "language": "fr"},
                  token=TOKENS["agent_a"])
    check(r.status == 422, "unknown language: 422", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation": conv_id}, token=TOKENS["agent_a"])
    check(r.status == 400, "no conversation_id: 400", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id})
    check(r.status == 401, "no token: 401", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id}, token=TOKENS["admin"])
    check(r.status == 201, "admins may for every branch", r)


def test_page_languages():
    conv_id, _ = conversation("A")
    path, _ = make_link(conv_id, "id")
    p = page(S.request("GET", path), "id", 200)
    check(p.fieldsets == 3 and p.legends == 3, "three questions in fieldsets with legends", p.fieldsets, p.legends)
    check([int(x["value"]) for x in p.radios["csat"]] == [1, 2, 3, 4, 5]
          and all("required" in x for x in p.radios["csat"]), "CSAT 1-5, required", p.radios.get("csat"))
    check([int(x["value"]) for x in p.radios["nps"]] == list(range(0, 11))
          and not any("required" in x for x in p.radios["nps"]), "NPS 0-10, optional")
    check([int(x["value"]) for x in p.radios["ces"]] == list(range(1, 8)), "CES 1-7")
    check('href="?lang=en"' in p.body, "a switch to English", p.body[:2000])
    translated = indonesian("How did we do?")
    if translated:
        check(translated in p.body, "the Indonesian page is in Indonesian", translated)
    # Each radio sits inside its label: the whole label is the touch target.
    check(p.body.count('<label class="option"><input type="radio"') == 5 + 11 + 7, "radios inside labels")

    p = page(S.request("GET", path + "?lang=en"), "en", 200)
    check("How satisfied are you with the service you received?" in p.body, "the English question")
    check('href="?lang=id"' in p.body and 'action="?lang=en"' in p.body,
          "switch to Indonesian; the answer keeps the language", p.body[-3000:])
    p = page(S.request("GET", path + "?lang=xx"), "id", 200)


def test_answer_once():
    conv_id, cust_id = conversation("A")
    path, _ = make_link(conv_id, "en")
    before = S.counts()
    r = post_form(path, {"csat": "4", "nps": "9", "ces": "6", "comment": "Cepat & ramah <b>sekali</b>"})
    p = page(r, "en", 200)
    check("Thank you for your answers" in p.body, "the thank-you page", p.body[-800:])
    rows = survey_rows(conv_id)
    b = S.branches["A"]
    check(rows == [("ces", 6, None, "link", cust_id, S.users["agent_a"], b, "email"),
                   ("csat", 4, "Cepat & ramah <b>sekali</b>", "link", cust_id, S.users["agent_a"], b, "email"),
                   ("nps", 9, None, "link", cust_id, S.users["agent_a"], b, "email")],
          "three responses with the link's customer, agent, branch and channel", rows)
    after = S.counts()
    check(after["change_log"] == before["change_log"] + 3, "written through the change log", before, after)

    # Desks of the branch pull them; another branch does not.
    changes, _ = S.pull_all(TOKENS["agent_a"])
    mine = sorted((c["fields"]["kind"], c["fields"]["score"]) for c in changes
                  if c["entity"] == "survey_response" and c["fields"].get("conversation_id") == conv_id)
    check(mine == [("ces", 6), ("csat", 4), ("nps", 9)], "a desk of branch A pulls the answers", mine)
    changes, _ = S.pull_all(TOKENS["agent_b"])
    check(not [c for c in changes if c["fields"].get("conversation_id") == conv_id],
          "branch B does not see them")

    # A second answer: refused, nothing stored.
    before = S.counts()
    p = page(post_form(path, {"csat": "1"}), "en", 409)
    check("already answered" in p.body, "the already-answered page", p.body[-800:])
    p = page(S.request("GET", path + "?lang=en"), "en", 409)
    check(S.counts() == before and len(survey_rows(conv_id)) == 3, "nothing more stored")


def test_two_answers_at_once():
    """Two answers sent together on the same link, three times over: one is taken each time."""
    for round_ in range(3):
        conv_id, _ = conversation("A")
        path, _ = make_link(conv_id, "id")
        results = []
        barrier = threading.Barrier(2)

        def answer(score):
            conn = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
            body = urllib.parse.urlencode({"csat": str(score)}).encode()
            barrier.wait()
            conn.request("POST", path, body=body, headers=FORM)
            results.append(conn.getresponse().status)
            conn.close()

        threads = [threading.Thread(target=answer, args=(s,)) for s in (2, 5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(sorted(results) == [200, 409], "exactly one answer is taken (round %d)" % round_, results)
        rows = survey_rows(conv_id)
        check(len(rows) == 1 and rows[0][0] == "csat", "one response stored", rows)


def test_bad_answers():
    conv_id, _ = conversation("A", channel="chat")
    path, _ = make_link(conv_id, "en")
    cases = [
        ({"csat": "6"}, "from 1 (very dissatisfied) to 5"),
        ({"csat": "0"}, "from 1 (very dissatisfied) to 5"),
        ({"csat": "tiga"}, "from 1 (very dissatisfied) to 5"),
        ({"csat": "4.5"}, "from 1 (very dissatisfied) to 5"),
        ({}, "from 1 (very dissatisfied) to 5"),
        ({"nps": "9"}, "from 1 (very dissatisfied) to 5"),
        ({"csat": "4", "nps": "11"}, "from 0 to 10"),
        ({"csat": "4", "nps": "-1"}, "from 0 to 10"),
        ({"csat": "4", "ces": "8"}, "from 1 to 7"),
        ({"csat": "4", "ces": "0"}, "from 1 to 7"),
        ({"csat": "4", "mood": "5"}, "does not ask"),
        ({"csat": "4", "comment": "x" * 2001}, "too long"),
    ]
    before = S.counts()
    for fields, message in cases:
        p = page(post_form(path, fields), "en", 422)
        m = re.search(r'<div class="error" role="alert"[^>]*><p>([^<]*)</p>', p.body)
        check(m and message in m.group(1), "a clear error for %r" % fields, m and m.group(1))
        check(S.counts() == before, "nothing stored for %r" % fields, before, S.counts())
    # The form comes back with the answers given, escaped.
    p = page(post_form(path, {"csat": "9", "nps": "7", "comment": "<script>alert('x')</script>"}), "en", 422)
    check("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;</textarea>" in p.body, "the comment escaped",
          p.body[-1500:])
    check(p.scripts == 0, "no script element got through")
    check(re.search(r'name="nps" value="7" checked', p.body), "the NPS answer kept")
    # In Indonesian the error comes in the page's language.
    p = page(post_form(path, {"csat": "9"}, lang="id"), "id", 422)
    translated = indonesian("Choose how satisfied you are, from 1 (very dissatisfied) to 5 (very satisfied).")
    if translated:
        check(translated.replace("'", "&apos;") in p.body, "the Indonesian error", translated)
    # The link still works after refused answers.
    p = page(post_form(path, {"csat": "5", "comment": "<script>alert(1)</script>"}), "en", 200)
    rows = survey_rows(conv_id)
    check(rows and rows[0][:3] == ("csat", 5, "<script>alert(1)</script>"), "stored as written", rows)


def test_unknown_links():
    for path in ("/s/" + "A" * 43, "/s/short", "/s/" + "%3Cb%3E" * 3):
        p = page(S.request("GET", path), "id", 404)
        check((indonesian("This survey link is not known") or "not known") in p.body,
              "the unknown-link page", p.body[-600:])
    p = page(S.request("GET", "/s/" + "B" * 43 + "?lang=en"), "en", 404)
    check("This survey link is not known" in p.body, "in English on request")
    before = S.counts()
    page(post_form("/s/" + "C" * 43, {"csat": "5"}), "id", 404)
    check(S.counts() == before, "nothing stored for an unknown link")
    r = S.request("PUT", "/s/" + "C" * 43, b"x", headers=FORM)
    check(r.status == 405, "other methods: 405", r)


def test_expired():
    """Links made while the server runs with a 1-second link lifetime (a hidden option for tests)."""
    conv_id, _ = conversation("A", channel="whatsapp")
    S.stop()
    S.extra_args = ["--public-url", PUBLIC_URL, "--survey-link-lifetime", "1"]
    S.start()
    try:
        TOKENS["agent_a"] = S.sign_in("agent_a")
        path, body = make_link(conv_id, "en")
        path2, _ = make_link(conv_id, "id")
        time.sleep(2.2)
        p = page(S.request("GET", path), "en", 410)
        check("This link has expired" in p.body, "the expired page", p.body[-600:])
        before = S.counts()
        p = page(post_form(path2, {"csat": "5"}), "id", 410)
        check(S.counts() == before and survey_rows(conv_id) == [], "nothing stored for an expired link")
    finally:
        S.stop()
        S.extra_args = ["--public-url", PUBLIC_URL]
        S.start()
        for role in ("agent_a", "agent_b", "admin"):
            TOKENS[role] = S.sign_in(role)


def main():
    global S
    with ServerFixture(SERVER, "sapa-survey") as server:
        S = server
        S.extra_args = ["--public-url", PUBLIC_URL]
        S.stop()
        S.start()
        for role in ("agent_a", "agent_b", "admin"):
            TOKENS[role] = S.sign_in(role)
        return run_tests([
            ("POST /api/v1/survey-links: link, language, refusals", test_link_routes),
            ("the page in Indonesian and English", test_page_languages),
            ("answer once: stored, pulled, second answer refused", test_answer_once),
            ("two answers at the same moment: one is taken", test_two_answers_at_once),
            ("bad scores and fields: 422 with the error, nothing stored", test_bad_answers),
            ("unknown links: 404 page", test_unknown_links),
            ("expired links: 410 page, nothing stored", test_expired),
        ])


if __name__ == "__main__":
    sys.exit(main())
