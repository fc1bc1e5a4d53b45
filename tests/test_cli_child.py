"""`run_child`: a child that ignores the signal it was passed is killed after the grace period, so
the command still ends (it once waited for such a child for ever)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from scoring.settings import PROJECT_ROOT

STUBBORN = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)
RUNNER = (
    "import sys\n"
    "import scoring.cli.child as child\n"
    "child.GRACE_S = 1.0\n"
    f"sys.exit(child.run_child([sys.executable, '-c', {STUBBORN!r}]))\n"
)


def test_a_child_ignoring_the_forwarded_signal_is_killed_after_the_grace_period() -> None:
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert runner.stdout is not None and runner.stdout.readline().strip() == "ready"
        sent = time.monotonic()
        runner.send_signal(signal.SIGTERM)
        code = runner.wait(timeout=20)
        waited = time.monotonic() - sent
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert code == 128 + signal.SIGTERM  # ended by the signal, through the caller's cleanup
    assert waited >= 1.0  # the child had its grace period first


EARLY = (
    "import os, signal, subprocess, sys\n"
    "import scoring.cli.child as child\n"
    "real = subprocess.Popen\n"
    "def popen(*args, **kwargs):\n"
    "    os.kill(os.getpid(), signal.SIGTERM)  # the signal lands just before the child starts\n"
    "    return real(*args, **kwargs)\n"
    "subprocess.Popen = popen\n"
    "sys.exit(child.run_child([sys.executable, '-c', 'import time; time.sleep(60)']))\n"
)


def test_a_signal_before_the_child_has_started_is_passed_on_once_it_has() -> None:
    runner = subprocess.Popen([sys.executable, "-c", EARLY], cwd=PROJECT_ROOT)
    try:
        code = runner.wait(timeout=20)  # the child was ended, not waited for its 60 s
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert code == 128 + signal.SIGTERM  # not killed outright (-15) with the child left behind
