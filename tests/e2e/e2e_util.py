# SPDX-License-Identifier: GPL-3.0-or-later
"""What the end-to-end tests share: walking the accessibility tree, waiting
for what Sapa shows, synthetic keys, a desk database with one known customer
and starting and stopping Sapa on it.

The tests run as scripts from this folder, so `import e2e_util` finds it.
"""
import os
import sqlite3
import subprocess
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

R = Atspi.Role

# X keycodes of Xvfb's default (evdev) keymap. Atspi's SYM events press and
# release at once, so modifiers have to be held by keycode.
KEYCODES = {'Control_L': 37, 'Shift_L': 50, 'Return': 36, 'Down': 116,
            'v': 55, 'c': 54, 'n': 57, 'q': 24}


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


def name_of(node):
    try:
        return node.get_name() or ''
    except Exception:
        return ''


def text_of(node):
    try:
        t = node.get_text_iface()
        if t is not None:
            return t.get_text(0, t.get_character_count()) or ''
    except Exception:
        pass
    return ''


def description_of(node):
    try:
        return node.get_description() or ''
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


def dump(root):
    # What the accessibility tree held, so a failure says what was there instead.
    for n in walk(root):
        try:
            name, role = name_of(n), n.get_role_name()
        except Exception:
            continue
        if name or role in ('entry', 'text', 'label', 'list item', 'frame', 'push button', 'toggle button'):
            print(f'  {role}: {name!r} {text_of(n)[:60]!r}', file=sys.stderr)


def wait_for(what, pred, root=None, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        hit = find(root or Atspi.get_desktop(0), pred)
        if hit is not None:
            return hit
        time.sleep(0.25)
    dump(root or Atspi.get_desktop(0))
    raise SystemExit(f'E2E FAIL: not found: {what}')


def click(node):
    for i in range(node.get_n_actions()):
        if node.get_action_name(i) == 'click':
            node.do_action(i)
            time.sleep(0.3)
            return
    node.do_action(0)
    time.sleep(0.3)


def key_string(s):
    for ch in s:
        Atspi.generate_keyboard_event(0, ch, Atspi.KeySynthType.STRING)
        time.sleep(0.03)


def key_combo(mods, keyname):
    for m in mods:
        Atspi.generate_keyboard_event(KEYCODES[m], None, Atspi.KeySynthType.PRESS)
    time.sleep(0.05)
    Atspi.generate_keyboard_event(KEYCODES[keyname], None, Atspi.KeySynthType.PRESSRELEASE)
    time.sleep(0.05)
    for m in reversed(mods):
        Atspi.generate_keyboard_event(KEYCODES[m], None, Atspi.KeySynthType.RELEASE)
    time.sleep(0.3)


def make_desk(admin, work, db, customers, seed, csv_name, customer):
    """A fresh desk database @db with demo data plus one known customer
    (@customer: a CSV row of name, phone, email, account, segment, language, tags)."""
    os.makedirs(work, exist_ok=True)
    for suffix in ('', '-wal', '-shm'):
        try:
            os.unlink(db + suffix)
        except FileNotFoundError:
            pass
    run(admin, 'demo', '--customers', str(customers), '--seed', str(seed), '--database', db)
    csv = os.path.join(work, csv_name)
    with open(csv, 'w', encoding='utf-8') as f:
        f.write('name,phone,email,account,segment,language,tags\n')
        f.write(customer + '\n')
    run(admin, 'import', 'customers', '--database', db, '--csv', csv)


def count_rows(db, table):
    with sqlite3.connect(db) as conn:
        return conn.execute(f'SELECT count(*) FROM {table}').fetchone()[0]


def start_sapa(sapa, db):
    """Starts Sapa on @db with the desk in Indonesian and the accessibility
    bridge on; returns the process and its accessible application."""
    env = dict(os.environ, LANGUAGE='id', GTK_A11Y='atspi')
    env.pop('NO_AT_BRIDGE', None)
    app = subprocess.Popen([sapa, '--database', db], env=env)
    try:
        node = wait_for('the Sapa application',
                        lambda n: n.get_role() == R.APPLICATION and name_of(n) == 'sapa',
                        Atspi.get_desktop(0), 30)
    except BaseException:
        stop_sapa(app)
        raise
    return app, node


def stop_sapa(app):
    app.terminate()
    try:
        app.wait(10)
    except subprocess.TimeoutExpired:
        app.kill()


def log_visit(sapa, dialog_title, note):
    """Logs a visit with @note by keyboard (Ctrl+Shift+V, type, Ctrl+Return)
    and waits for it in the timeline."""
    key_combo(['Control_L', 'Shift_L'], 'v')
    # GTK 4.8 exposes the modal dialog as a top-level "filler" named by its title.
    wait_for(f'the log-visit dialog ({dialog_title})',
             lambda n: n.get_parent() == sapa and name_of(n) == dialog_title, sapa, 10)
    time.sleep(0.5)
    key_string(note)
    time.sleep(0.3)
    key_combo(['Control_L'], 'Return')
    wait_for('the visit in the timeline', lambda n: n.get_role() == R.LABEL and note in name_of(n),
             sapa, 15)
