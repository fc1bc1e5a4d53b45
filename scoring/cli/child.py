"""Run a child process in the foreground and take it down with us: SIGTERM, SIGINT or SIGHUP (the
terminal closing, the session ending) to this process is passed on to the child, which gets a few
seconds to stop before it is killed. Either way `run_child` returns, so the caller's `finally`
blocks run (`smarketing dashboard` removes its private secrets file there). Started under `nohup`
(SIGHUP ignored), SIGHUP stays ignored: the command was asked to outlive its terminal.

    raise typer.Exit(run_child(command, env))
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from types import FrameType

GRACE_S = 10.0
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
POLL_S = 0.2


def run_child(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Run `command` until it ends; its exit status (128 + signal when a signal ended us)."""
    received: list[int] = []
    started: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if started and started[0].poll() is None:
            started[0].send_signal(signum)

    nohup = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    taken = [s for s in FORWARDED if not (nohup and s == signal.SIGHUP)]
    # Taken before the child starts: a signal in between is passed on once it has started,
    # instead of ending this process and leaving the child running on its own.
    previous = {s: signal.signal(s, forward) for s in taken}
    since: float | None = None
    try:
        started.append(subprocess.Popen(list(command), env=dict(env) if env is not None else None))
        child = started[0]
        if received and child.poll() is None:
            child.send_signal(received[0])
        while True:
            # Short waits: a signal arriving during one is seen at its end, and a child that
            # ignores what it was sent is killed GRACE_S seconds later.
            try:
                code = child.wait(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                if received and since is None:
                    since = time.monotonic()
                if since is not None and time.monotonic() - since >= GRACE_S:
                    child.kill()
    finally:
        if started and started[0].poll() is None:  # ended before the handlers are given back
            started[0].kill()
            started[0].wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + received[0] if received else code
