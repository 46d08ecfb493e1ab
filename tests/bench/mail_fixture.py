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


@contextlib.contextmanager
def started(prefix):
    """Starts the fixture; yields (work directory, fixture directory, its env).

    The fixture gets a temporary directory of its own (it opens it to the
    daemons' users) and watches this process, so a killed benchmark leaves no
    daemon behind; both directories go at the end."""
    fixture = os.environ["CABINET_MAIL_FIXTURE"]
    top = tempfile.mkdtemp(prefix=prefix)
    mail_dir = tempfile.mkdtemp(prefix="cabinet-bench-fixture-")
    try:
        subprocess.run([fixture, "start", mail_dir, "--watch", str(os.getpid())], check=True,
                       stdout=subprocess.DEVNULL)
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
