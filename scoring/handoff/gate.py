"""One writer at a time on a SQLite file, across threads and processes, without SQLite's polling.

SQLite lets one transaction write at a time; the others poll with sleeps that grow to 100 ms, so
under steady load (the API ingesting while a worker rescores and delivers) waits pile up to
seconds. Writers that first take this gate (a thread lock plus an advisory `flock` on a file next
to the database) queue in the kernel instead and start the moment the previous one commits. On a
database with row locks (PostgreSQL) the gate is open.
"""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # not on Windows: threads of one process still take turns
    fcntl = None  # type: ignore[assignment]

_GATES: dict[str, WriteGate] = {}
_GATES_LOCK = threading.Lock()


class WriteGate:
    """A thread lock plus, where the platform has it, an exclusive `flock` on `path`."""

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._path is not None and fcntl is not None:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def write_gate(engine: Engine) -> AbstractContextManager[object]:
    """The gate of `engine`'s database: shared by every engine on the same SQLite file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return nullcontext()
    path = Path(database).expanduser().resolve()
    with _GATES_LOCK:
        gate = _GATES.get(str(path))
        if gate is None:
            gate = _GATES[str(path)] = WriteGate(path.with_name(path.name + "-writer.lock"))
    return gate
