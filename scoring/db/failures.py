"""What a database error means for the person running smarketing: full, read-only, or other.

kind = storage_failure(exc)        # "full", "read_only" or None
one_line(exc, url)                 # the one line the CLI prints, naming the file and the fix
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

FULL_WORDS = ("database or disk is full", "no space left on device", "disk full")
READ_ONLY_WORDS = ("readonly database", "read-only", "read only")
DISK_FULL_SQLSTATE = "53100"  # PostgreSQL: disk_full
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read_only_sql_transaction


def _text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).lower()


def storage_failure(exc: BaseException) -> str | None:
    """ "full" when the database or its disk is full, "read_only" when it cannot be written."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return "full"
    if isinstance(orig, OSError) and orig.errno in (errno.EROFS, errno.EACCES):
        return "read_only"
    text = _text(exc)
    if state == DISK_FULL_SQLSTATE or any(w in text for w in FULL_WORDS):
        return "full"
    if state == READ_ONLY_SQLSTATE or any(w in text for w in READ_ONLY_WORDS):
        return "read_only"
    return None


def sqlite_file(url: str | URL) -> Path | None:
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).expanduser()


def one_line(exc: BaseException, url: str | URL) -> str | None:
    """The line to print for a storage failure (None for any other error); no password shown."""
    kind = storage_failure(exc)
    path = sqlite_file(url)
    parsed = make_url(url) if isinstance(url, str) else url
    where = str(path) if path is not None else parsed.render_as_string(hide_password=True)
    if kind is None and path is None and isinstance(exc, OperationalError):
        reason = _text(exc).splitlines()[0] if _text(exc) else "no answer"
        return f"cannot reach the database {where}: {reason}"
    if kind is None:
        return None
    if kind == "read_only":
        if path is not None:
            return (
                f"the database {where} is read-only: make the file and its folder writable "
                f"(chmod u+w {where} {path.parent}) or point SMARKETING_DATABASE_URL at a "
                "writable copy"
            )
        return f"the database {where} is read-only: connect to a writable primary"
    if path is not None:
        free = shutil.disk_usage(path.parent).free if path.parent.exists() else 0
        return (
            f"the database {where} is full ({free:,} bytes free on its disk): free space there "
            "or move the file to a larger disk; nothing of the failed step was written"
        )
    return f"the database {where} is out of disk space: free space on the database server"
