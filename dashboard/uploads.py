"""Uploaded files: never trust the client's name, bound the size, check the type by content.

The browser sends a file name and bytes. The name only gives the displayed stem (reduced to letters,
digits, `-`, `_` and `.`) and the suffix (`.csv` or `.parquet`); the file is always written into the
folder the caller owns, under that reduced name. Content must match the suffix.
"""

from __future__ import annotations

import re
from pathlib import Path

from scoring.errors import ConfigError

SUFFIXES = (".csv", ".parquet")
PARQUET_MAGIC = b"PAR1"
BINARY_MAGICS = {
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a ZIP or Excel file",
    b"%PDF": "a PDF",
    b"\x7fELF": "a program",
    b"SQLite format 3\x00": "a SQLite database",
    b"\x1f\x8b": "a gzip archive",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """The client's file name reduced to a plain name in one folder: `../../x.csv` -> `x.csv`."""
    last = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    suffix = Path(last).suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"upload {_shown(name)}: use a .csv or .parquet file")
    stem = _UNSAFE.sub("_", Path(last).stem).strip("._")[:60] or "upload"
    return f"{stem}{suffix}"


def check_content(name: str, content: bytes, max_bytes: int) -> None:
    """Refuse an upload over `max_bytes` or whose bytes are not what its suffix says."""
    if len(content) > max_bytes:
        raise ConfigError(
            f"upload {name}: {len(content) / 1e6:,.1f} MB is over the limit of "
            f"{max_bytes / 1e6:,.0f} MB (setting SMARKETING_UPLOAD_MAX_MB)"
        )
    if name.endswith(".parquet"):
        if not (content.startswith(PARQUET_MAGIC) and content.endswith(PARQUET_MAGIC)):
            raise ConfigError(f"upload {name}: the file is not Parquet (no PAR1 markers)")
        return
    for magic, what in BINARY_MAGICS.items():
        if content.startswith(magic):
            raise ConfigError(f"upload {name}: the file is {what}, not CSV text")


def store_upload(folder: Path, name: str, content: bytes, max_bytes: int) -> Path:
    """Write the upload into `folder` under its safe name; return the path (always in `folder`)."""
    safe = safe_name(name)
    check_content(safe, content, max_bytes)
    path = folder / safe
    if path.resolve().parent != folder.resolve():  # cannot happen with a safe name; fail closed
        raise ConfigError(f"upload {safe}: refused")
    path.write_bytes(content)
    return path


def _shown(name: str) -> str:
    """The client's name for a message: printable, bounded."""
    return repr("".join(c for c in name if c.isprintable())[:80])
