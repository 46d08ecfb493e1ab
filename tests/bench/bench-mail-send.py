#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draining queued secure messages against curl's submissions of the same, in one run.

500 messages (--messages N), each a short text and a 1 MB PDF attachment,
to one recipient of the mail fixture's Postfix over implicit TLS
(smtps, the fixture's test CA, AUTH PLAIN). Then:

  baseline: curl --mail-from --mail-rcpt --upload-file, one process per
            message (a new connection, TLS handshake and AUTH each, as the
            drain makes), the message built once beforehand with the same
            parts (Python's email package);
  cabinet:  cabinetctl outbox drain --smtp of the same number of messages
            queued beforehand with cabinetctl mail send (queueing is not
            timed): the MIME rebuilt from the payload at each attempt, the
            durable marks before DATA and after 250 (docs/architecture.md,
            "Never lost, never silently doubled"). No --imap: no Sent copy,
            as curl makes none.

Between the two, Postfix's deliveries of the first run into Dovecot are
waited for, so they do not compete with the second. Prints both times and
their ratio (goal: at most 1.2). Never fails on a timing; exits 77 (skip)
when the fixture cannot run (not root, no Postfix).
Run: meson test -C _build --benchmark bench-mail-send
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

ALICE = "alice@cabinet.test"
BOB = "bob@cabinet.test"


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v.strip("'\"")
    return env


def delivered(mail_dir):
    n = 0
    for sub in ("new", "cur"):
        d = os.path.join(mail_dir, "home", "bob", "Maildir", sub)
        if os.path.isdir(d):
            n += len(os.listdir(d))
    return n


def wait_delivered(mail_dir, count, limit_s=1800):
    start = time.monotonic()
    while delivered(mail_dir) < count and time.monotonic() - start < limit_s:
        time.sleep(0.5)
    return delivered(mail_dir)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=int(os.environ.get("BENCH_MAIL_SEND_MESSAGES", "500")))
    parser.add_argument("--attachment-kb", type=int, default=1024)
    args = parser.parse_args()

    fixture = os.environ.get("CABINET_MAIL_FIXTURE")
    ctl = os.environ.get("CABINETCTL")
    if os.getuid() != 0 or not fixture or not os.path.exists("/usr/sbin/postfix") or not shutil.which("curl"):
        print("SKIP: the mail fixture needs root, Postfix and curl (build-aux/install-deps)")
        return 77

    top = tempfile.mkdtemp(prefix="cabinet-bench-send-")
    mail_dir = tempfile.mkdtemp(prefix="cabinet-bench-fixture-")
    try:
        subprocess.run([fixture, "start", mail_dir, "--watch", str(os.getpid())], check=True,
                       stdout=subprocess.DEVNULL)
        env = read_env(os.path.join(mail_dir, "env"))
        smtps = "smtps://127.0.0.1:%s" % env["SMTPS_PORT"]
        ca = env["CA_FILE"]

        rng = random.Random(42)
        pdf = os.path.join(top, "compte-rendu.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4\n" + rng.randbytes(args.attachment_kb * 1024 - 9))
        body = os.path.join(top, "body.txt")
        text = "Chère consœur,\n\nVeuillez trouver ci-joint le compte rendu.\n\nBien confraternellement,\n"
        with open(body, "w") as f:
            f.write(text)

        # The baseline's message: the same parts, built once.
        msg = EmailMessage()
        msg["From"] = ALICE
        msg["To"] = BOB
        msg["Subject"] = "Compte rendu"
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="cabinet.test")
        msg.set_content(text, cte="quoted-printable")
        with open(pdf, "rb") as f:
            msg.add_attachment(f.read(), maintype="application", subtype="pdf", filename="compte-rendu.pdf")
        eml = os.path.join(top, "message.eml")
        with open(eml, "wb") as f:
            f.write(msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        eml_size = os.path.getsize(eml)

        # Queue Cabinet's messages (not timed), two at a time.
        data_dir = os.path.join(top, "cabinet")
        ctl_env = dict(os.environ, CABINET_MAIL_PASSWORD="secret")
        ctl_env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        common = [ctl, "--data-dir", data_dir, "--ca", ca, "--smtp", smtps, "--mail-user", ALICE]
        subprocess.run(common + ["mail", "send", "--to", BOB, "--subject", "Compte rendu 0",
                                 "--body-file", body, "--attach", pdf],
                       check=True, env=ctl_env, stdout=subprocess.DEVNULL)
        pending = []
        for i in range(1, args.messages):
            pending.append(subprocess.Popen(common + ["mail", "send", "--to", BOB, "--subject",
                                                      "Compte rendu %d" % i, "--body-file", body,
                                                      "--attach", pdf],
                                            env=ctl_env, stdout=subprocess.DEVNULL))
            if len(pending) >= 2:
                assert pending.pop(0).wait() == 0
        for p in pending:
            assert p.wait() == 0

        # Baseline: curl, one submission per message.
        start = time.monotonic()
        for i in range(args.messages):
            subprocess.run(["curl", "--silent", "--show-error", "--url", smtps, "--cacert", ca,
                            "--mail-from", ALICE, "--mail-rcpt", BOB, "--user", ALICE + ":secret",
                            "--upload-file", eml], check=True)
        baseline = time.monotonic() - start
        got = wait_delivered(mail_dir, args.messages)
        assert got == args.messages, (got, args.messages)

        # Cabinet: drain the queue.
        start = time.monotonic()
        out = subprocess.run(common + ["outbox", "drain", "--json", "--backoff-ms", "1", "--horizon-ms", "0"],
                             env=ctl_env, capture_output=True, text=True)
        cabinet = time.monotonic() - start
        got = wait_delivered(mail_dir, 2 * args.messages)
        print("cabinetctl outbox drain exit %d, delivered %d of %d" % (out.returncode, got - args.messages,
                                                                       args.messages))

        mb = eml_size * args.messages / 1048576
        print("messages: %d, %.2f MB each (curl's), %.0f MB in all" % (args.messages, eml_size / 1048576, mb))
        print("curl --upload-file (one process each): %.2f s (%.1f messages/s)" % (baseline, args.messages / baseline))
        print("cabinetctl outbox drain:               %.2f s (%.1f messages/s)" % (cabinet, args.messages / cabinet))
        print("ratio: %.2fx (goal <= 1.2x)" % (cabinet / baseline))
        return 0
    finally:
        subprocess.run([fixture, "stop", mail_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(mail_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
