"""The storage check of /v1/health: a full disk or database is reported, not discovered by a 500.

A write that failed for lack of space is remembered for a minute (what the API saw itself); on
SQLite the free space of the database's disk and its page limit are also looked at directly.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from scoring.db.failures import sqlite_file

REMEMBER_S = 60.0
MIN_FREE_BYTES = 1024 * 1024


@dataclass
class StorageWatch:
    """What the app learnt about its storage; shared by the requests of one process."""

    failure: str = ""
    failed_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, message: str) -> None:
        with self.lock:
            self.failure, self.failed_at = message, time.monotonic()

    def check(self, connection: Connection) -> str:
        """ "ok", or one line saying what is full."""
        with self.lock:
            recent = self.failure and time.monotonic() - self.failed_at < REMEMBER_S
            if recent:
                ago = time.monotonic() - self.failed_at
                return f"a write failed {ago:.0f} s ago: {self.failure}"
        if connection.dialect.name != "sqlite":
            return "ok"
        path = sqlite_file(connection.engine.url)
        if path is not None and path.parent.exists():
            free = shutil.disk_usage(path.parent).free
            if free < MIN_FREE_BYTES:
                return f"the disk of {path} has {free:,} bytes free"
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        limit = connection.execute(text("PRAGMA max_page_count")).scalar_one()
        free_pages = connection.execute(text("PRAGMA freelist_count")).scalar_one()
        if pages >= limit - 1 and free_pages == 0:
            return f"the database reached its page limit ({limit:,} pages)"
        return "ok"
