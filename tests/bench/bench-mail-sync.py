#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inbox sync against a plain IMAP fetch of the same messages, in one run.

5,000 messages (--messages N) of the sandbox's kinds (lab results and
letters with a PDF and an IHE_XDM.zip, messages without INS, ambiguous and
hostile ones), each with a scanned page attached so the average is about
200 kB (--average-kb), written once into the fixture's Maildir (Dovecot
indexes them on the first SELECT, before any timing). Then:

  baseline: Python imaplib, UID FETCH 1:* (BODY.PEEK[]) in one command,
            bodies kept in memory and dropped;
  cabinet:  cabinetctl inbox sync --no-index into an empty store (fetch,
            raw files, MIME, XDM, matching, FTS, one transaction per batch;
            the PDFs' text only where the match needs it): every message
            is in the inbox, matched and searchable; then cabinetctl inbox
            index, the pass that puts the other PDFs' text into the index
            (docs/architecture.md, "Mail"), timed on its own.

The baseline runs twice, first and last, and the ratios use the mean of
its two times: a machine that other work slows down for part of the run
weighs on both sides alike (each time is printed, so a noisy run shows).
Prints the times and the ratios to the baseline, the sync's alone (goal:
at most 1.5) and with the indexing pass, each with its CPU time (user +
system: the baseline's of this process, cabinetctl's of the child) beside
the wall time, since on a shared machine the CPU is the steadier figure.
With --compare CTL (or BENCH_MAIL_COMPARE), another cabinetctl build (the
one before a change) syncs the same messages into another empty store in
the same run, between the baselines, and both ratios are printed; which of
the two builds goes first is drawn at random and printed (--order to
choose), so over several runs neither always has the first place. Never
fails on a timing; exits 77 (skip) when the fixture cannot run (not root,
no Dovecot).
Run: meson test -C _build --benchmark bench-mail-sync
"""

import argparse
import email.parser
import imaplib
import os
import random
import resource
import ssl
import subprocess
import sys
import time

import mail_fixture

MAIL_UID = 8   # tests/mail/mail-fixture: Dovecot's mail user


def scanned_page(rng, size):
    """A base64 image/jpeg part of about @size bytes (incompressible, like a scan)."""
    import base64
    data = base64.encodebytes(rng.randbytes(size * 3 // 4)).replace(b"\n", b"\r\n")
    return (b"Content-Type: image/jpeg; name=\"scan.jpg\"\r\n"
            b"Content-Disposition: attachment; filename=\"scan.jpg\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + data)


def with_scan(raw, index, rng, pad):
    """The sandbox message with a new Message-ID and a scan before its closing boundary."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = []
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            line = b"Message-ID: <bench-%d@mssante.sandbox>" % index
        lines.append(line)
    raw = b"\r\n".join(lines) + sep + body
    if pad <= 0:
        return raw
    # Before the outermost multipart's closing delimiter, "\r\n--B--": the
    # boundary from the top Content-Type (a search for the last "--\r\n"
    # found an inner or wrong delimiter, and the scan landed in an epilogue
    # that a MIME parser skips).
    boundary = email.parser.BytesHeaderParser().parsebytes(head + sep).get_boundary()
    if boundary is None:
        return raw
    start = raw.rfind(b"\r\n--" + boundary.encode() + b"--")
    if start < 0:
        return raw
    part = b"\r\n--" + boundary.encode() + b"\r\n" + scanned_page(rng, pad)
    return raw[:start] + part + raw[start:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=int(os.environ.get("BENCH_MAIL_MESSAGES", "5000")))
    parser.add_argument("--average-kb", type=int, default=200)
    parser.add_argument("--compare", default=os.environ.get("BENCH_MAIL_COMPARE"),
                        help="another cabinetctl to time on the same messages (e.g. the build before a change)")
    parser.add_argument("--order", choices=["random", "compared-first", "cabinet-first"],
                        default=os.environ.get("BENCH_MAIL_ORDER", "random"),
                        help="with --compare, which build syncs first (default: drawn at random)")
    args = parser.parse_args()

    fixture = os.environ.get("CABINET_MAIL_FIXTURE")
    ctl = os.environ.get("CABINETCTL")
    gen = os.environ.get("CABINET_SANDBOX_MAIL")
    if os.getuid() != 0 or not fixture or not os.path.exists("/usr/sbin/dovecot"):
        print("SKIP: the mail fixture needs root and Dovecot (build-aux/install-deps)")
        return 77

    with mail_fixture.started("cabinet-bench-mail-") as (top, mail_dir, env):
        port = int(env["IMAPS_PORT"])
        ca = env["CA_FILE"]
        context = ssl.create_default_context(cafile=ca)

        # The sandbox's messages, 50 kinds' worth, reused with new ids.
        samples_dir = os.path.join(top, "samples")
        subprocess.run([gen, "--seed", "42", "--patients", "40", "--today", "2025-06-30", "--count", "50",
                        "--to", "alice@cabinet.test", "--out", samples_dir], check=True, stdout=subprocess.DEVNULL)
        samples = [open(os.path.join(samples_dir, n), "rb").read()
                   for n in sorted(os.listdir(samples_dir)) if n.endswith(".eml")]

        # Log in once so Dovecot makes the Maildir, then write into it.
        imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
        imap.login("alice", "secret")
        imap.select("INBOX")
        imap.logout()
        cur = os.path.join(mail_dir, "home", "alice", "Maildir", "cur")
        os.makedirs(cur, exist_ok=True)
        rng = random.Random(42)
        total = 0
        target = args.average_kb * 1024
        for i in range(args.messages):
            raw = samples[i % len(samples)]
            # Sizes spread from a bare lab result to a long scanned letter.
            pad = max(0, int(rng.expovariate(1.0 / max(1, target - len(raw)))) if target > len(raw) else 0)
            pad = min(pad, 4 * target)
            raw = with_scan(raw, i + 1, rng, pad)
            total += len(raw)
            name = os.path.join(cur, "%d.%06d.bench,S=%d:2," % (1700000000 + i, i, len(raw)))
            with open(name, "wb") as f:
                f.write(raw)
            os.chown(name, MAIL_UID, MAIL_UID)
        print("messages: %d, average %.0f kB, total %.0f MB" % (args.messages, total / args.messages / 1024,
                                                               total / 1048576))
        # The Maildir's gigabyte on disk before any timing: a sync makes
        # its batches durable with syncfs(), which would otherwise flush
        # these files too, in whichever sync ran first.
        os.sync()

        # Dovecot indexes the folder now, outside both timings; the page
        # cache holds the files for both.
        imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
        imap.login("alice", "secret")
        typ, data = imap.select("INBOX", readonly=True)
        assert int(data[0]) == args.messages, data
        imap.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
        imap.logout()

        def cpu(who):
            """User + system CPU seconds so far of this process or its waited children."""
            usage = resource.getrusage(who)
            return usage.ru_utime + usage.ru_stime

        def fetch_all():
            """Baseline: a plain client fetching every body; (wall, CPU) seconds."""
            start, start_cpu = time.monotonic(), cpu(resource.RUSAGE_SELF)
            imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
            imap.login("alice", "secret")
            imap.select("INBOX", readonly=True)
            typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
            fetched = sum(len(d[1]) for d in data if isinstance(d, tuple))
            imap.logout()
            elapsed, used = time.monotonic() - start, cpu(resource.RUSAGE_SELF) - start_cpu
            del data
            assert fetched == total, (fetched, total)
            return elapsed, used

        baselines = [fetch_all()]

        # Cabinet: a full sync into an empty store (and the other build's).
        ctl_env = mail_fixture.ctl_env()
        prefix = os.environ.get("BENCH_MAIL_WRAP", "").split()

        def run(binary, data_dir, command):
            """(wall, CPU) seconds of a cabinetctl command, and its output."""
            start, start_cpu = time.monotonic(), cpu(resource.RUSAGE_CHILDREN)
            out = subprocess.run(prefix + [binary, "--data-dir", data_dir, "--ca", ca,
                                  "--imap", "imaps://127.0.0.1:%d" % port, "--mail-user", "alice"] + command,
                                 check=True, env=ctl_env, capture_output=True, text=True).stdout
            return (time.monotonic() - start, cpu(resource.RUSAGE_CHILDREN) - start_cpu), " ".join(out.split())

        def sync(binary, name):
            """The sync's (wall, CPU) and the indexing pass's ((0, 0) for a build without one)."""
            data_dir = os.path.join(top, name)
            usage = subprocess.run([binary, "inbox", "--help"], env=ctl_env, capture_output=True, text=True).stdout
            if "--no-index" in usage:
                elapsed, out = run(binary, data_dir, ["inbox", "sync", "--no-index", "--json"])
                indexing, index_out = run(binary, data_dir, ["inbox", "index", "--json"])
                out += " then " + index_out
            else:
                (elapsed, out), indexing = run(binary, data_dir, ["inbox", "sync", "--json"]), (0.0, 0.0)
            print("%s: %s" % (name, out))
            # Kept until the fixture's directory goes, after both runs:
            # ext4 skips inodes freed in the last minutes when it creates
            # files, scanning for others, so removing one run's 5,000 files
            # slowed the next run's (10% of its parse threads under perf).
            return elapsed, indexing

        before = None
        if args.compare:
            compared_first = (args.order == "compared-first" or
                              (args.order == "random" and random.SystemRandom().random() < 0.5))
            print("order: %s first" % ("compared" if compared_first else "cabinet"))
            if compared_first:
                before = sync(args.compare, "compared")
            cabinet, indexing = sync(ctl, "cabinet")
            if not compared_first:
                before = sync(args.compare, "compared")
        else:
            cabinet, indexing = sync(ctl, "cabinet")
        baselines.append(fetch_all())
        baseline = sum(b[0] for b in baselines) / len(baselines)
        baseline_cpu = sum(b[1] for b in baselines) / len(baselines)

        def line(what, timed):
            seconds, used = timed
            print("%-36s %6.2f s (%5.1f MB/s), ratio %.2fx; CPU %6.2f s, ratio %.2fx" %
                  (what, seconds, total / 1048576 / seconds, seconds / baseline, used, used / baseline_cpu))

        def both(a, b):
            return a[0] + b[0], a[1] + b[1]

        print("plain IMAP fetch (imaplib):          %6.2f s (%5.1f MB/s), mean of %s; CPU %6.2f s" %
              (baseline, total / 1048576 / baseline, " and ".join("%.2f s" % b[0] for b in baselines), baseline_cpu))
        if before is not None:
            line("compared cabinetctl inbox sync:", before[0])
            line("compared cabinetctl (sync + index):", both(*before))
        line("cabinetctl inbox sync:", cabinet)
        line("cabinetctl inbox sync + index:", both(cabinet, indexing))
        print("ratio: %.2fx (goal <= 1.5x); with the indexing pass %.2fx" %
              (cabinet[0] / baseline, (cabinet[0] + indexing[0]) / baseline))
        if before is not None:
            print("against the compared build: %.2fx its time, %.2fx its CPU (sync); %.2fx its time (sync + index)" %
                  (cabinet[0] / before[0][0], cabinet[1] / before[0][1],
                   (cabinet[0] + indexing[0]) / (before[0][0] + before[1][0])))
        return 0


if __name__ == "__main__":
    sys.exit(main())
