# SPDX-License-Identifier: GPL-3.0-or-later
"""What the mail benchmarks share: the fixture (tests/mail/mail-fixture:
Dovecot and Postfix on loopback) started for one run, and cabinetctl's
environment against it."""

import contextlib
import os
import shutil
import subprocess
import tempfile

PASSWORD = "secret"


def read_env(path):
    """The fixture's env file (KEY=value lines) as a dict."""
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v.strip("'\"")
    return env


def servers_nice():
    """The nice level the fixture's Postfix and Dovecot run at: 19 (the
    lowest priority) unless CABINET_BENCH_SERVERS_NICE says otherwise. On a
    practice's machine the operator's servers are remote: run on the same 2
    cores at the same priority, they took the cores the client under measure
    waited for (docs/architecture.md, Testing)."""
    return int(os.environ.get("CABINET_BENCH_SERVERS_NICE", "19"))


def describe_nice():
    """The line a benchmark prints about it, so no figure hides it."""
    nice = servers_nice()
    if nice == 0:
        return "mail servers: Postfix and Dovecot at the same priority as the client (CABINET_BENCH_SERVERS_NICE=0)"
    return ("mail servers: Postfix and Dovecot at nice %d, for the client and the baseline alike, as an "
            "operator's remote servers would not take this machine's cores (CABINET_BENCH_SERVERS_NICE=0: "
            "same priority)" % nice)


@contextlib.contextmanager
def started(prefix, nice=None):
    """Starts the fixture; yields (work directory, fixture directory, its env).

    The fixture gets a temporary directory of its own (it opens it to the
    daemons' users) and watches this process, so a killed benchmark leaves no
    daemon behind; both directories go at the end. With @nice, its daemons
    run at that nice level (servers_nice())."""
    fixture = os.environ["CABINET_MAIL_FIXTURE"]
    top = tempfile.mkdtemp(prefix=prefix)
    mail_dir = tempfile.mkdtemp(prefix="cabinet-bench-fixture-")
    try:
        subprocess.run([fixture, "start", mail_dir, "--watch", str(os.getpid())], check=True,
                       stdout=subprocess.DEVNULL,
                       env=dict(os.environ, **({} if nice is None else {"CABINET_MAIL_FIXTURE_NICE": str(nice)})))
        yield top, mail_dir, read_env(os.path.join(mail_dir, "env"))
    finally:
        subprocess.run([fixture, "stop", mail_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(mail_dir, ignore_errors=True)


def ctl_env():
    """cabinetctl's environment: the fixture's password, and no session bus
    (no keyring to ask)."""
    env = dict(os.environ, CABINET_MAIL_PASSWORD=PASSWORD)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env
