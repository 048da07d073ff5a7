#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rating kiosk end to end, through the accessibility tree, in both languages.

Usage: e2e_kiosk.py SAPA SAPA_ADMIN WORKDIR LOCALEDIR

Makes a desk database with demo data plus one known customer who prefers
Indonesian, starts Sapa on it (the desk in Indonesian), finds the customer,
logs a visit, opens the visit's conversation and asks for a rating. The kiosk
opens in Indonesian: the customer answers CSAT, NPS and CES, skips the
comment and sees the thank-you screen. The agent asks again; this time the
customer switches the kiosk to English, answers, writes nothing and skips
through. The application's Ctrl+Q does nothing on the kiosk. The desk ends
the rating. The database then holds exactly the answers given.
"""
import gettext
import os
import sqlite3
import sys
import time

# e2e_util is imported from the source tree: write no bytecode there.
sys.dont_write_bytecode = True

from e2e_util import (Atspi, R, click, count_rows, description_of, find, key_combo, key_string, log_visit,  # noqa: E402
                      make_desk, name_of, start_sapa, stop_sapa, wait_for)

SAPA, ADMIN, WORK, LOCALEDIR = sys.argv[1:5]
DB = os.path.join(WORK, 'e2e-kiosk.sqlite')
NOTE = 'Menanyakan kartu debit baru'
# The Indonesian the desk and the kiosk show: the build's own catalogue.
ID = gettext.translation('sapa', LOCALEDIR, languages=['id'], fallback=True).gettext


def button(root, name, timeout=20):
    # GTK 4.8 does not keep SHOWING up to date: pages are told apart by the
    # named group that holds them (see page()).
    return wait_for(f'the button "{name}"',
                    lambda n: n.get_role() in (R.PUSH_BUTTON, R.TOGGLE_BUTTON) and name_of(n) == name,
                    root, timeout)


def page(kiosk, heading):
    """The kiosk page (a group named by its question) holding @heading."""
    return wait_for(f'the kiosk page "{heading}"',
                    lambda n: n.get_role() in (R.PANEL, R.GROUPING) and name_of(n) == heading, kiosk, 10)


def wait_screen(kiosk, heading, timeout=15):
    """Waits until the kiosk says (its accessible description) it shows @heading."""
    end = time.time() + timeout
    while time.time() < end:
        if description_of(kiosk) == heading:
            return
        time.sleep(0.2)
    raise SystemExit(f'E2E FAIL: the kiosk shows {description_of(kiosk)!r}, not {heading!r}')


def kiosk_window(sapa, title):
    return wait_for(f'the kiosk window "{title}"',
                    lambda n: n.get_parent() == sapa and name_of(n) == title, sapa, 15)


def kiosk_gone(sapa, title, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if find(sapa, lambda n: n.get_parent() == sapa and name_of(n) == title) is None:
            return
        time.sleep(0.2)
    raise SystemExit('E2E FAIL: the kiosk is still open after End Rating')


def responses(db_path):
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT kind, score, coalesce(comment, ''), collected_via, "
                          "(SELECT full_name FROM customer c WHERE c.id = s.customer_id) "
                          "FROM survey_response s ORDER BY collected_at, kind").fetchall()


def main():
    make_desk(ADMIN, WORK, DB, 200, 11, 'e2e-kiosk-customer.csv',
              'Wulan Kartika Sari,0813 5555 2468,wulan.sari@example.co.id,0097654321,regular,id,')
    before = count_rows(DB, 'survey_response')

    app, sapa = start_sapa(SAPA, DB)
    try:
        wait_for('the search entry', lambda n: n.get_role() in (R.ENTRY, R.TEXT)
                 and name_of(n) == ID('Search customers'), sapa)
        time.sleep(0.5)
        key_string('55552468')
        wait_for('the result row', lambda n: name_of(n).startswith('Wulan Kartika Sari'), sapa, 15)
        key_combo([], 'Return')
        wait_for('the customer page', lambda n: n.get_role() == R.FRAME
                 and name_of(n).startswith('Wulan Kartika Sari'), sapa, 15)

        # A visit at the counter opens a walk-in conversation.
        log_visit(sapa, ID('Log Visit'), NOTE)

        # The agent opens the conversation (a click on its row: rows have no
        # accessible action in GTK 4.8; the window sits at 0,0 without a window
        # manager) and asks for a rating: the kiosk opens in the customer's language.
        rating_row = wait_for('the Customer Rating row', lambda n: n.get_role() == R.LIST_ITEM
                              and name_of(n) == ID('Customer Rating'), sapa)
        expander = rating_row.get_parent()
        while expander is not None and not (expander.get_role() == R.LIST_ITEM and expander != rating_row
                                            and find(expander, lambda n: n.get_role() == R.LIST_ITEM
                                                     and n != expander and name_of(n) != '') is not None):
            expander = expander.get_parent()
        header = find(expander, lambda n: n.get_role() == R.LIST_ITEM and n != expander and name_of(n) != '')
        box = header.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
        Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')
        time.sleep(1)
        click(button(sapa, ID('Ask for a Rating')))
        title = ID('Rate Our Service')
        kiosk = kiosk_window(sapa, title)
        csat_q = 'How satisfied are you with our service today?'
        nps_q = 'How likely are you to recommend us to a friend or colleague?'
        ces_q = 'How easy was it to get what you needed today?'
        comment_q = 'Anything else you would like to tell us?'
        wait_screen(kiosk, ID(csat_q))

        # The application's Ctrl+Q does nothing on the kiosk.
        if kiosk.get_state_set().contains(Atspi.StateType.ACTIVE):
            key_combo(['Control_L'], 'q')
            time.sleep(1)
            if app.poll() is not None:
                raise SystemExit('E2E FAIL: Ctrl+Q on the kiosk quit Sapa')
            wait_screen(kiosk, ID(csat_q))
            print('Ctrl+Q on the kiosk did nothing')
        else:
            print('The kiosk window did not get the keyboard focus here: Ctrl+Q not tried')

        # In Indonesian: satisfied, 9, 6, no comment.
        click(button(page(kiosk, ID(csat_q)), ID('Satisfied')))
        wait_screen(kiosk, ID(nps_q))
        click(button(page(kiosk, ID(nps_q)), '9'))
        wait_screen(kiosk, ID(ces_q))
        click(button(page(kiosk, ID(ces_q)), '6'))
        wait_screen(kiosk, ID(comment_q))
        click(button(page(kiosk, ID(comment_q)), ID('Send')))
        wait_screen(kiosk, ID('Thank you!'))
        end = time.time() + 10
        while len(responses(DB)) < before + 3 and time.time() < end:
            time.sleep(0.2)
        print('Indonesian round: thank-you screen shown')

        # The next customer of the conversation switches the kiosk to English.
        click(button(sapa, ID('Ask for a Rating')))
        wait_screen(kiosk, ID(csat_q))
        click(button(kiosk, 'English'))
        wait_screen(kiosk, csat_q)
        click(button(page(kiosk, csat_q), 'Very satisfied'))
        wait_screen(kiosk, nps_q)
        click(button(page(kiosk, nps_q), 'Skip'))
        wait_screen(kiosk, ces_q)
        click(button(page(kiosk, ces_q), '7'))
        wait_screen(kiosk, comment_q)
        click(button(page(kiosk, comment_q), 'Skip'))
        wait_screen(kiosk, 'Thank you!')
        print('English round: thank-you screen shown')
        # The desk kept its language all along.
        button(sapa, ID('Record a Rating'))

        # The desk ends the rating.
        click(button(sapa, ID('End Rating')))
        kiosk_gone(sapa, title)

        end = time.time() + 10
        while len(responses(DB)) < before + 5 and time.time() < end:
            time.sleep(0.2)
        got = responses(DB)
        want = [('csat', 4, '', 'kiosk', 'Wulan Kartika Sari'),
                ('nps', 9, '', 'kiosk', 'Wulan Kartika Sari'),
                ('ces', 6, '', 'kiosk', 'Wulan Kartika Sari'),
                ('csat', 5, '', 'kiosk', 'Wulan Kartika Sari'),
                ('ces', 7, '', 'kiosk', 'Wulan Kartika Sari')]
        hers = [r for r in got if r[4] == 'Wulan Kartika Sari']
        if sorted(hers) != sorted(want) or len(got) != before + 5:
            raise SystemExit(f'E2E FAIL: her survey responses in the database: {hers!r} '
                             f'({len(got) - before} new in all), wanted {want!r}')
        print('E2E OK: rated on the kiosk in Indonesian and in English; 5 answers in the database')
    finally:
        stop_sapa(app)


if __name__ == '__main__':
    main()
