#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draining queued secure messages against curl's submissions of the same, in one run.

500 messages (--messages N), each a short text and a 1 MB PDF attachment,
to one recipient of the mail fixture's Postfix over implicit TLS
(smtps, the fixture's test CA, AUTH PLAIN). Then:

  baseline: curl --mail-from --mail-rcpt --upload-file, one process per
            message (a new connection, TLS handshake and AUTH each, as the
            drain makes), the message built once beforehand with the same
            parts (Python's email package); one at a time, then four at a
            time;
  cabinet:  cabinetctl outbox drain --smtp of the same number of messages
            queued beforehand with cabinetctl mail send (queueing is not
            timed): the MIME rebuilt from the payload at each attempt, the
            durable marks before DATA and after 250 (docs/architecture.md,
            "Never lost, never silently doubled"); --parallelism 1 against
            curl one at a time, the default 4 against curl four at a time.
            No --imap: no Sent copy, as curl makes none.

The fixture's Postfix and Dovecot run at nice 19 for both (an operator's
servers are remote: they do not compete for the practice's cores), which
the output says; CABINET_BENCH_SERVERS_NICE=0 runs them at the client's
priority. Between the two, Postfix's deliveries of the first run into Dovecot are
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
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import mail_fixture

ALICE = "alice@cabinet.test"
BOB = "bob@cabinet.test"


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

    print(mail_fixture.describe_nice())
    with mail_fixture.started("cabinet-bench-send-", nice=mail_fixture.servers_nice()) as (top, mail_dir, env):
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

        # Queue Cabinet's messages (not timed) in two stores, two at a time.
        ctl_env = mail_fixture.ctl_env()

        def common(name):
            return [ctl, "--data-dir", os.path.join(top, name), "--ca", ca, "--smtp", smtps, "--mail-user", ALICE]

        pending = []
        for name in ("serial", "parallel"):
            subprocess.run(common(name) + ["mail", "send", "--to", BOB, "--subject", "Compte rendu 0",
                                            "--body-file", body, "--attach", pdf],
                           check=True, env=ctl_env, stdout=subprocess.DEVNULL)
        for i in range(1, args.messages):
            for name in ("serial", "parallel"):
                pending.append(subprocess.Popen(common(name) + ["mail", "send", "--to", BOB, "--subject",
                                                                  "Compte rendu %d" % i, "--body-file", body,
                                                                  "--attach", pdf],
                                                env=ctl_env, stdout=subprocess.DEVNULL))
                if len(pending) >= 2:
                    assert pending.pop(0).wait() == 0
        for p in pending:
            assert p.wait() == 0

        curl = ["curl", "--silent", "--show-error", "--url", smtps, "--cacert", ca,
                "--mail-from", ALICE, "--mail-rcpt", BOB, "--user", ALICE + ":secret", "--upload-file", eml]
        expected = 0

        def run_curl(workers):
            start = time.monotonic()
            running = []
            for i in range(args.messages):
                running.append(subprocess.Popen(curl))
                if len(running) >= workers:
                    assert running.pop(0).wait() == 0
            for p in running:
                assert p.wait() == 0
            return time.monotonic() - start

        def run_drain(name, parallelism):
            start = time.monotonic()
            out = subprocess.run(common(name) + ["outbox", "drain", "--json", "--parallelism", str(parallelism),
                                                  "--backoff-ms", "1", "--horizon-ms", "0"],
                                 env=ctl_env, capture_output=True, text=True)
            took = time.monotonic() - start
            assert out.returncode == 0, out.stderr
            return took

        results = []
        for workers, name in ((1, "serial"), (4, "parallel")):
            baseline = run_curl(workers)
            expected += args.messages
            got = wait_delivered(mail_dir, expected)
            assert got == expected, (got, expected)
            cabinet = run_drain(name, workers)
            expected += args.messages
            got = wait_delivered(mail_dir, expected)
            assert got == expected, (got, expected)
            results.append((workers, baseline, cabinet))

        mb = eml_size * args.messages / 1048576
        print("messages: %d, %.2f MB each (curl's), %.0f MB in all, every one delivered"
              % (args.messages, eml_size / 1048576, mb))
        for workers, baseline, cabinet in results:
            print("%d at a time: curl --upload-file %.2f s (%.1f messages/s), cabinetctl outbox drain"
                  " --parallelism %d %.2f s (%.1f messages/s), ratio %.2fx (goal <= 1.2x)"
                  % (workers, baseline, args.messages / baseline, workers, cabinet, args.messages / cabinet,
                     cabinet / baseline))
        return 0


if __name__ == "__main__":
    sys.exit(main())
