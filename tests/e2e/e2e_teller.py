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
import subprocess
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

SAPA, ADMIN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
R = Atspi.Role
DB = os.path.join(WORK, 'e2e-desk.sqlite')
NOTE = 'Ganti kartu ATM yang tertelan'


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def text_of(node):
    try:
        t = node.get_text_iface()
        if t is not None:
            return t.get_text(0, t.get_character_count()) or ''
    except Exception:
        pass
    return ''


def label_of(node):
    try:
        return node.get_name() or ''
    except Exception:
        return ''


def find(root, pred):
    for n in walk(root):
        try:
            if pred(n):
                return n
        except Exception:
            continue
    return None


def wait_for(what, pred, root=None, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        hit = find(root or Atspi.get_desktop(0), pred)
        if hit is not None:
            return hit
        time.sleep(0.25)
    dump(root or Atspi.get_desktop(0))
    raise SystemExit(f'E2E FAIL: not found: {what}')


def dump(root):
    # What the accessibility tree held, so a failure says what was there instead.
    for n in walk(root):
        try:
            name, role = label_of(n), n.get_role_name()
        except Exception:
            continue
        if name or role in ('entry', 'text', 'label', 'list item', 'frame'):
            print(f'  {role}: {name!r} {text_of(n)[:60]!r}', file=sys.stderr)


def showing(n):
    return n.get_state_set().contains(Atspi.StateType.SHOWING)


def key_string(s):
    for ch in s:
        Atspi.generate_keyboard_event(0, ch, Atspi.KeySynthType.STRING)
        time.sleep(0.03)


# X keycodes of Xvfb's default (evdev) keymap. Atspi's SYM events press and
# release at once, so modifiers have to be held by keycode.
KEYCODES = {'Control_L': 37, 'Shift_L': 50, 'Return': 36, 'Down': 116, 'v': 55, 'c': 54, 'n': 57}


def key_combo(mods, keyname):
    for m in mods:
        Atspi.generate_keyboard_event(KEYCODES[m], None, Atspi.KeySynthType.PRESS)
    time.sleep(0.05)
    Atspi.generate_keyboard_event(KEYCODES[keyname], None, Atspi.KeySynthType.PRESSRELEASE)
    time.sleep(0.05)
    for m in reversed(mods):
        Atspi.generate_keyboard_event(KEYCODES[m], None, Atspi.KeySynthType.RELEASE)
    time.sleep(0.3)


def main():
    os.makedirs(WORK, exist_ok=True)
    for suffix in ('', '-wal', '-shm'):
        try:
            os.unlink(DB + suffix)
        except FileNotFoundError:
            pass
    run(ADMIN, 'demo', '--customers', '300', '--seed', '7', '--database', DB)
    csv = os.path.join(WORK, 'e2e-customer.csv')
    with open(csv, 'w', encoding='utf-8') as f:
        f.write('name,phone,email,account,segment,language,tags\n')
        f.write('Siti Rahayu Sitompul,0812 7777 1234,siti.rahayu@example.co.id,0091234567,vip,id,\n')
    run(ADMIN, 'import', 'customers', '--database', DB, '--csv', csv)

    env = dict(os.environ, LANGUAGE='id', GTK_A11Y='atspi')
    env.pop('NO_AT_BRIDGE', None)
    app = subprocess.Popen([SAPA, '--database', DB], env=env)
    try:
        desktop = Atspi.get_desktop(0)
        sapa = wait_for('the Sapa application',
                        lambda n: n.get_role() == R.APPLICATION and label_of(n) == 'sapa', desktop, 30)
        entry = wait_for('the search entry (Cari pelanggan)',
                         lambda n: n.get_role() in (R.ENTRY, R.TEXT) and label_of(n) == 'Cari pelanggan', sapa)
        time.sleep(0.5)
        # The search entry has focus at start: a teller just types.
        key_string('77771234')
        wait_for('the search text in the entry', lambda n: n == entry and '77771234' in text_of(n), sapa, 10)
        wait_for('the result row for the customer',
                 lambda n: label_of(n).startswith('Siti Rahayu Sitompul, VIP, •••• 4567'), sapa, 15)
        key_combo([], 'Return')
        # The window title names the open customer once the page shows it.
        wait_for('the customer page (window title)',
                 lambda n: n.get_role() == R.FRAME and label_of(n) == 'Siti Rahayu Sitompul – Sapa', sapa, 15)

        key_combo(['Control_L', 'Shift_L'], 'v')
        # GTK 4.8 exposes the modal dialog as a top-level "filler" named by its title.
        wait_for('the log-visit dialog (Catat Kunjungan)',
                 lambda n: n.get_parent() == sapa and label_of(n) == 'Catat Kunjungan', sapa, 10)
        time.sleep(0.5)
        key_string(NOTE)
        time.sleep(0.3)
        key_combo(['Control_L'], 'Return')
        wait_for('the visit in the timeline', lambda n: n.get_role() == R.LABEL and NOTE in label_of(n),
                 sapa, 15)
        wait_for('the day header "Hari ini"', lambda n: n.get_role() == R.LABEL and label_of(n) == 'Hari ini', sapa, 5)
        print('E2E OK: found the customer by phone digits, logged a visit, saw it under "Hari ini"')
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()


if __name__ == '__main__':
    main()
