# SPDX-License-Identifier: GPL-3.0-or-later
"""The sapa-admin command line as a person uses it: demo data, search, import."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest

SAPA_ADMIN = None
MASK = re.compile(r"^•••• [0-9A-Z]{4}$")


def run(*args):
    return subprocess.run([SAPA_ADMIN, *args], capture_output=True, text=True, timeout=120)


class AdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="sapa-admin-")
        cls.db = os.path.join(cls.tmp.name, "desk.sqlite")
        done = run("demo", "--customers", "300", "--seed", "3", "--database", cls.db,
                   "--now", "2026-11-23")
        assert done.returncode == 0, done.stderr
        cls.demo_out = done

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_demo_output(self):
        self.assertIn("300 customers", self.demo_out.stdout)
        # the progress line names the steps
        self.assertIn("100%", self.demo_out.stderr)
        with sqlite3.connect(self.db) as db:
            # demo customers are not edits: none is in the change log
            self.assertEqual(db.execute("SELECT count(*) FROM customer WHERE id NOT IN "
                                        "(SELECT record_id FROM change_log)").fetchone()[0], 300)

    def test_demo_refuses_full_database(self):
        again = run("demo", "--customers", "5", "--database", self.db)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already has customers", again.stderr)
        self.assertNotIn("Traceback", again.stderr)

    def test_demo_usage_errors(self):
        self.assertEqual(run("demo", "--database", self.db).returncode, 2)
        self.assertEqual(run("demo", "--customers", "5").returncode, 2)
        bad_seed = run("demo", "--customers", "5", "--seed", "abc", "--database", self.db)
        self.assertEqual(bad_seed.returncode, 2)
        self.assertIn("seed", bad_seed.stderr)

    def customer_with_account(self):
        with sqlite3.connect(self.db) as db:
            return db.execute(
                "SELECT id, full_name, account_number FROM customer "
                "WHERE account_number IS NOT NULL AND full_name LIKE '% %' ORDER BY num LIMIT 1").fetchone()

    def search_json(self, *args):
        done = run("search", "--database", self.db, "--json", *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        hits = [json.loads(line) for line in done.stdout.splitlines()]
        for hit in hits:
            self.assertEqual(set(hit), {"id", "name", "phones", "emails", "account", "score"})
            self.assertIsInstance(hit["phones"], list)
            self.assertIsInstance(hit["emails"], list)
            self.assertIsInstance(hit["score"], int)
        return hits

    def test_search_json_masks_accounts(self):
        cid, name, account = self.customer_with_account()
        surname = name.split()[-1]
        hits = self.search_json(surname, "--limit", "200")
        self.assertGreater(len(hits), 0)
        self.assertIn(cid, [h["id"] for h in hits])
        for hit in hits:
            self.assertIn(surname.lower(), hit["name"].lower())
            if hit["account"] is not None:
                self.assertRegex(hit["account"], MASK)
        mine = next(h for h in hits if h["id"] == cid)
        self.assertEqual(mine["account"], "•••• " + account[-4:])

    def test_search_reveal_and_audit(self):
        cid, name, account = self.customer_with_account()
        hits = self.search_json(account, "--reveal")
        self.assertEqual([h["id"] for h in hits][:1], [cid])
        self.assertEqual(hits[0]["account"], account)
        with sqlite3.connect(self.db) as db:
            audits = db.execute("SELECT count(*) FROM audit_event WHERE action = 'reveal_account' "
                                "AND customer_id = ?", (cid,)).fetchone()[0]
        self.assertGreaterEqual(audits, 1)

    def test_search_by_phone_digits(self):
        with sqlite3.connect(self.db) as db:
            phone = db.execute("SELECT json_extract(phones, '$[0]') FROM customer "
                               "WHERE phones LIKE '[\"+628%' ORDER BY num LIMIT 1").fetchone()[0]
        local = "0" + phone[3:]
        hits = self.search_json(local)
        self.assertTrue(any(phone in h["phones"] for h in hits))

    def test_search_table(self):
        cid, name, account = self.customer_with_account()
        done = run("search", "--database", self.db, name.split()[-1])
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertTrue(lines[0].startswith("Name"))
        self.assertNotIn(account, done.stdout)
        nothing = run("search", "--database", self.db, "zzzzqqqq")
        self.assertEqual(nothing.returncode, 0)
        self.assertIn("No customer matches", nothing.stdout)

    def test_import_reports_lines(self):
        csv = self.write("customers.csv",
                         "name,phone,email\n"
                         "Ujang Permadi,0812 7000 0001,ujang@example.com\n"
                         "Broken Phone,0812-ABCD,\n"
                         "\"Nasution, Horas\",0812 7000 0003,\n".encode())
        done = run("import", "customers", "--database", self.db, "--csv", csv)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("Imported 2 customers", done.stdout)
        self.assertRegex(done.stdout, r"(?m)^line 3: .*0812-ABCD")
        self.assertIn("Skipped 1 row", done.stdout)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM customer WHERE full_name = 'Nasution, Horas'")
                             .fetchone()[0], 1)
            # imported customers are edits: each is in the change log
            self.assertEqual(db.execute("SELECT count(*) FROM change_log WHERE entity = 'customer'")
                             .fetchone()[0], 2)
        # the same file again: every row is now a duplicate
        again = run("import", "customers", "--database", self.db, "--csv", csv)
        self.assertEqual(again.returncode, 0)
        self.assertIn("Imported 0 customers", again.stdout)
        self.assertRegex(again.stdout, r"(?m)^line 2: .*Ujang Permadi")

    def test_import_file_errors(self):
        no_name = self.write("no-name.csv", b"phone,email\n0812 1111 2222,a@example.com\n")
        done = run("import", "customers", "--database", self.db, "--csv", no_name)
        self.assertEqual(done.returncode, 1)
        self.assertIn("name", done.stderr)
        missing = run("import", "customers", "--database", self.db, "--csv",
                      os.path.join(self.tmp.name, "nope.csv"))
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(run("import", "--database", self.db, "--csv", no_name).returncode, 2)

    def test_bad_databases(self):
        corrupt = self.write("corrupt.sqlite", b"not a database at all, just some text " * 200)
        for args in (["search", "--database", corrupt, "budi"],
                     ["search", "--database", os.path.join(self.tmp.name, "no", "such", "dir.sqlite"), "budi"],
                     ["demo", "--customers", "3", "--database", corrupt]):
            done = run(*args)
            self.assertEqual(done.returncode, 1, args)
            self.assertTrue(done.stderr.startswith("sapa-admin: "), done.stderr)
            self.assertLess(len(done.stderr.splitlines()), 4)

    def test_locked_database(self):
        locked = os.path.join(self.tmp.name, "locked.sqlite")
        made = run("demo", "--customers", "3", "--database", locked)
        self.assertEqual(made.returncode, 0, made.stderr)
        csv = self.write("one.csv", b"name,phone\nYusuf Lubis,0812 8800 1234\n")
        holder = sqlite3.connect(locked, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            for args in (["import", "customers", "--database", locked, "--csv", csv],
                         ["demo", "--customers", "3", "--database", locked]):
                done = run(*args)
                self.assertEqual(done.returncode, 1, args)
                self.assertTrue(done.stderr.startswith("sapa-admin: "), done.stderr)
                self.assertNotIn("Traceback", done.stderr)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # once the other program lets go, the import goes through
        done = run("import", "customers", "--database", locked, "--csv", csv)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("Imported 1 customer", done.stdout)

    def test_newer_schema_refused(self):
        newer = os.path.join(self.tmp.name, "newer.sqlite")
        with sqlite3.connect(newer) as db:
            db.execute("PRAGMA user_version = 999")
        done = run("search", "--database", newer, "budi")
        self.assertEqual(done.returncode, 1)
        self.assertIn("sapa-admin: ", done.stderr)

    def test_help_and_unknown(self):
        self.assertEqual(run("--help").returncode, 0)
        self.assertIn("import customers", run("--help").stdout)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertIn("--customers", run("demo", "--help").stdout)


if __name__ == "__main__":
    SAPA_ADMIN = sys.argv.pop(1)
    unittest.main(verbosity=2)
