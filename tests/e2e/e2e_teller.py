#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A teller's morning, by keyboard only, in Indonesian, through the accessibility tree.

Usage: e2e_teller.py SAPA SAPA_ADMIN WORKDIR

Makes a desk database with demo data plus one known customer, starts Sapa on it,
types phone digits into the search entry, opens the customer with Enter, logs a
visit with Ctrl+Shift+V, and checks that the visit is at the top of the timeline
under "Hari ini".
"""
import os
import sys
import time

# e2e_util is imported from the source tree: write no bytecode there.
sys.dont_write_bytecode = True

from e2e_util import R, key_combo, key_string, log_visit, make_desk, name_of, start_sapa, stop_sapa, text_of, wait_for  # noqa: E402

SAPA, ADMIN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
DB = os.path.join(WORK, 'e2e-desk.sqlite')
NOTE = 'Ganti kartu ATM yang tertelan'


def main():
    make_desk(ADMIN, WORK, DB, 300, 7, 'e2e-customer.csv',
              'Siti Rahayu Sitompul,0812 7777 1234,siti.rahayu@example.co.id,0091234567,vip,id,')
    app, sapa = start_sapa(SAPA, DB)
    try:
        entry = wait_for('the search entry (Cari pelanggan)',
                         lambda n: n.get_role() in (R.ENTRY, R.TEXT) and name_of(n) == 'Cari pelanggan', sapa)
        time.sleep(0.5)
        # The search entry has focus at start: a teller just types.
        key_string('77771234')
        wait_for('the search text in the entry', lambda n: n == entry and '77771234' in text_of(n), sapa, 10)
        wait_for('the result row for the customer',
                 lambda n: name_of(n).startswith('Siti Rahayu Sitompul, VIP, •••• 4567'), sapa, 15)
        key_combo([], 'Return')
        # The window title names the open customer once the page shows it.
        wait_for('the customer page (window title)',
                 lambda n: n.get_role() == R.FRAME and name_of(n) == 'Siti Rahayu Sitompul – Sapa', sapa, 15)

        log_visit(sapa, 'Catat Kunjungan', NOTE)
        wait_for('the day header "Hari ini"', lambda n: n.get_role() == R.LABEL and name_of(n) == 'Hari ini', sapa, 5)
        print('E2E OK: found the customer by phone digits, logged a visit, saw it under "Hari ini"')
    finally:
        stop_sapa(app)


if __name__ == '__main__':
    main()
