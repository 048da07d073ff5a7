#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""sapa-server serves HTTPS itself with --tls-cert/--tls-key (glib-networking):
a certificate made for the test, the real server on 127.0.0.1 port 0, and a
client that trusts exactly that certificate."""

import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import urllib.request

SERVER = sys.argv[1]


def main():
    with tempfile.TemporaryDirectory(prefix="sapa-server-tls-") as tmp:
        data = os.path.join(tmp, "data")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        subprocess.run([SERVER, "init", "--data", data], check=True, capture_output=True)

        refused = subprocess.run([SERVER, "--data", data, "--listen", "127.0.0.1:0", "--tls-cert", cert],
                                 capture_output=True, text=True, timeout=30)
        assert refused.returncode == 2 and "--tls-key" in refused.stderr, refused.stderr

        server = subprocess.Popen([SERVER, "--data", data, "--listen", "127.0.0.1:0",
                                   "--tls-cert", cert, "--tls-key", key],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline().strip()
            assert line.startswith("Listening on https://127.0.0.1:"), line
            base = line[len("Listening on "):].rstrip("/")
            context = ssl.create_default_context(cafile=cert)
            with urllib.request.urlopen(base + "/healthz", context=context, timeout=30) as answer:
                body = json.loads(answer.read())
                assert answer.status == 200 and body["status"] == "ok", body
                assert answer.headers["Sapa-HLC"].isdigit()
            print("ok - healthz over HTTPS with the server's certificate")
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=15)
            assert code == 0, "exit status %s: %s" % (code, server.stderr.read())
        print("ok - stopped cleanly")


if __name__ == "__main__":
    main()
