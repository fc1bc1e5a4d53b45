"""Checks on an uploaded file before it is imported: its size and its type, judged by content."""

from __future__ import annotations

from scoring.errors import ConfigError

PARQUET_MAGIC = b"PAR1"


def upload_suffix(content: bytes, limit_bytes: int) -> str:
    """The file suffix (`.csv` or `.parquet`) that `content` really is; refuse anything else.

    The client's file name is never consulted: Parquet is recognised by its magic bytes at both
    ends, CSV by being text (UTF-8, no NUL byte in the first 64 KiB).
    """
    if len(content) > limit_bytes:
        raise ConfigError(
            f"upload of {len(content):,} bytes is over the limit of {limit_bytes:,} bytes "
            "(SMARKETING_UPLOAD_MAX_MB)"
        )
    if content[:4] == PARQUET_MAGIC and content[-4:] == PARQUET_MAGIC:
        return ".parquet"
    head = content[: 64 * 1024]
    if b"\x00" in head:
        raise ConfigError("upload is neither CSV text nor a Parquet file (binary content)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut by the 64 KiB window is fine
            raise ConfigError(
                f"upload is neither CSV text nor a Parquet file (not UTF-8 at byte {exc.start})"
            ) from None
    return ".csv"
