#!/usr/bin/env python3
"""Set up the local environment and run smarketing: `python3 manage.py dashboard` or `... test`.

Only the standard library is used here, so this works on a machine that has nothing but Python 3.11.
The virtual environment lives in `.venv/`. `dashboard` installs what the product needs to run
(`requirements/lock.txt`); `test` adds the test, warehouse and browser tools (`requirements/lock-dev.txt`,
the `[dev]` extra). Either reinstalls whenever a lock file or `pyproject.toml` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".smarketing-installed"
RUNTIME_LOCK = ROOT / "requirements" / "lock.txt"
DEV_LOCK = ROOT / "requirements" / "lock-dev.txt"
INPUTS = (RUNTIME_LOCK, DEV_LOCK, ROOT / "pyproject.toml")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in INPUTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment(*, dev: bool) -> None:
    """Create `.venv` and install the locked dependencies (with the dev tools when `dev`) plus this
    project (editable). A development install also serves the dashboard."""
    if sys.version_info < (3, 11):
        sys.exit(f"smarketing needs Python >= 3.11, this is {sys.version.split()[0]}")
    wanted = ("dev:" if dev else "run:") + _fingerprint()
    if STAMP.exists() and STAMP.read_text() in (wanted, "dev:" + _fingerprint()):
        return
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = DEV_LOCK if dev else RUNTIME_LOCK
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    print(f"installing locked dependencies ({lock.relative_to(ROOT)})", flush=True)
    subprocess.run([*pip, "-r", str(lock)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def run(args: list[str]) -> int:
    return subprocess.run(args, cwd=ROOT).returncode


def dashboard(extra: list[str]) -> int:
    command = [str(BIN / "smarketing"), "dashboard", *extra]
    if os.name == "posix":  # become the command: SIGTERM/SIGINT reach it, and it ends its child
        os.chdir(ROOT)
        os.execv(command[0], command)
    return run(command)


def test(extra: list[str]) -> int:
    checks = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(BIN / "lint-imports")],
    ]
    for check in checks:
        print("$", " ".join(Path(check[0]).name if i == 0 else a for i, a in enumerate(check)))
        if code := run(check):
            return code
    # Two workers (pytest-xdist): most of the suite waits on browsers, servers and subprocesses. Each
    # module stays on one worker (tests/conftest.py groups them); `-n 0` runs in one process.
    workers = (
        []
        if any(a == "-n" or a.startswith("-n") for a in extra)
        else ["-n", "2", "--dist", "loadgroup"]
    )
    return run([str(BIN / "python"), "-m", "pytest", *workers, *extra])


COMMANDS = {"dashboard": dashboard, "test": test}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python3 manage.py {{{'|'.join(COMMANDS)}}} [args...]", file=sys.stderr)
        return 2
    ensure_environment(dev=argv[0] == "test")
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
