"""Run a child process in the foreground and take it down with us: SIGTERM, SIGINT or SIGHUP (the
terminal closing, the session ending) to this process is passed on to the child, which gets a few
seconds to stop before it is killed. Either way `run_child` returns, so the caller's `finally`
blocks run (`smarketing dashboard` removes its private secrets file there).

    raise typer.Exit(run_child(command, env))
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Mapping, Sequence
from types import FrameType

GRACE_S = 10.0
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_child(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Run `command` until it ends; its exit status (128 + signal when a signal ended us)."""
    child = subprocess.Popen(list(command), env=dict(env) if env is not None else None)
    received: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            try:
                code = child.wait(timeout=GRACE_S if received else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()  # it ignored the signal for GRACE_S seconds
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
    return 128 + received[0] if received else code
