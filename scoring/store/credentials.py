"""Per-source API credentials: scopes, a rate limit and at most two active signing secrets.

    key = server_key(environ, home)              # SMARKETING_SECRET_KEY, else the key file
    secret = add_source(session, key, "web", ["events:write"])   # shown once, never stored
    credential(session, key, "web").secrets      # what the API verifies signatures with

A secret is never stored: the table keeps a random salt, and the secret is HMAC-SHA256(server key,
source + salt). The API needs the secret itself to check an HMAC signature, so a one-way hash would
not do; derivation gives the same property as encryption (the database alone reveals nothing)
with the standard library only. Losing the key loses every secret (rotate them all); a new key
invalidates every secret the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scoring.db.models import ApiSecret, ApiSource
from scoring.errors import ConfigError, DataError, Problem

SCOPES = ("events:write", "feedback:write", "leads:read")
ACTIVE_SECRETS = 2
DEFAULT_RATE = 600
SOURCE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,59}")
KEY_FILE = "secret.key"
MIN_KEY_CHARS = 32


@dataclass(frozen=True)
class Credential:
    """What the API knows about one source when it checks a request."""

    source: str
    scopes: frozenset[str]
    rate_per_minute: int
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow:
    """One line of `smarketing sources list` (no secret, only fingerprints)."""

    name: str
    scopes: tuple[str, ...]
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    fingerprints: tuple[str, ...]


def key_file(environ: Mapping[str, str], home: Path) -> Path:
    return Path(environ.get("SMARKETING_SECRET_KEY_FILE") or home / KEY_FILE).expanduser()


def server_key(environ: Mapping[str, str], home: Path, *, create: bool = False) -> bytes | None:
    """The key secrets are derived with: SMARKETING_SECRET_KEY, else the key file (made if asked).

    None when neither exists (and `create` is false): then only SMARKETING_SOURCE_SECRETS work.
    """
    value = environ.get("SMARKETING_SECRET_KEY", "")
    if value:
        if len(value) < MIN_KEY_CHARS:
            raise ConfigError(
                f"SMARKETING_SECRET_KEY must have at least {MIN_KEY_CHARS} characters"
            )
        return value.encode()
    path = key_file(environ, home)
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if len(text) < MIN_KEY_CHARS:
            raise ConfigError(f"{path}: the key must have at least {MIN_KEY_CHARS} characters")
        return text.encode()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode()


def derive(key: bytes, source: str, salt: str) -> str:
    """The secret of `source` for `salt` (64 hex characters)."""
    return hmac.new(
        key, f"smarketing-source\n{source}\n{salt}".encode(), hashlib.sha256
    ).hexdigest()


def fingerprint(secret: str) -> str:
    """A short public name of a secret (the first 12 hex of its SHA-256)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip() for s in scopes if s.strip()))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        why = f"unknown scope {unknown[0]!r}" if unknown else "no scope given"
        raise DataError([Problem("--scope", f"{why}; scopes are {', '.join(SCOPES)}")])
    return chosen


def _issue(session: Session, key: bytes, source: str, now: datetime) -> str:
    salt = secrets.token_hex(16)
    secret = derive(key, source, salt)
    session.add(
        ApiSecret(source=source, salt=salt, fingerprint=fingerprint(secret), created_at=now)
    )
    return secret


def _secrets(session: Session, source: str) -> list[ApiSecret]:
    query = select(ApiSecret).where(ApiSecret.source == source)
    return list(session.scalars(query.order_by(ApiSecret.id.desc())))


def _active(session: Session, name: str) -> ApiSource:
    source = session.get(ApiSource, name)
    if source is None or source.revoked_at is not None:
        state = "is revoked" if source is not None else "does not exist"
        raise DataError([Problem(name, f"source {name!r} {state}")])
    return source


def add_source(
    session: Session,
    key: bytes,
    name: str,
    scopes: Iterable[str],
    now: datetime,
    rate_per_minute: int = DEFAULT_RATE,
) -> str:
    """Create a source with its first secret; returns the secret (the only time it is known)."""
    if not SOURCE_NAME.fullmatch(name):
        raise DataError(
            [Problem(name, "a source name is a-z, 0-9, _ or -, starting with a letter")]
        )
    existing = session.get(ApiSource, name)
    if existing is not None and existing.revoked_at is None:
        raise DataError([Problem(name, f"source {name!r} exists (rotate its secret instead)")])
    if rate_per_minute < 1:
        raise DataError([Problem("--rate", "the rate limit must be at least 1 request a minute")])
    chosen = ",".join(check_scopes(scopes))
    if existing is None:
        session.add(
            ApiSource(name=name, scopes=chosen, rate_per_minute=rate_per_minute, created_at=now)
        )
        session.flush()
    else:  # re-adding a revoked source: a fresh start
        existing.scopes, existing.rate_per_minute = chosen, rate_per_minute
        existing.created_at, existing.revoked_at = now, None
    return _issue(session, key, name, now)


def rotate(session: Session, key: bytes, name: str, now: datetime) -> str:
    """A new secret for `name`; the newest previous one stays valid, older ones end now."""
    _active(session, name)
    for old in _secrets(session, name)[ACTIVE_SECRETS - 1 :]:
        session.delete(old)
    return _issue(session, key, name, now)


def drop_previous(session: Session, name: str) -> int:
    """End every secret of `name` but the newest (the senders moved over); returns how many ended."""
    _active(session, name)
    older = _secrets(session, name)[1:]
    for old in older:
        session.delete(old)
    return len(older)


def revoke(session: Session, name: str, now: datetime) -> None:
    """The source can no longer call: its secrets are deleted, the row remembers when."""
    source = _active(session, name)
    session.execute(delete(ApiSecret).where(ApiSecret.source == name))
    source.revoked_at = now


def list_sources(session: Session) -> list[SourceRow]:
    rows = []
    for source in session.scalars(select(ApiSource).order_by(ApiSource.name)):
        rows.append(
            SourceRow(
                name=source.name,
                scopes=tuple(source.scopes.split(",")),
                rate_per_minute=source.rate_per_minute,
                created_at=source.created_at,
                revoked_at=source.revoked_at,
                fingerprints=tuple(s.fingerprint for s in _secrets(session, source.name)),
            )
        )
    return rows


def credential(session: Session, key: bytes | None, name: str) -> Credential | None:
    """The source's scopes, limit and active secrets; None when it is not in the table.

    A revoked source is a Credential without secrets (so it is not looked up elsewhere).
    """
    source = session.get(ApiSource, name)
    if source is None:
        return None
    salts = [] if key is None or source.revoked_at else [s.salt for s in _secrets(session, name)]
    return Credential(
        source=name,
        scopes=frozenset(source.scopes.split(",")),
        rate_per_minute=source.rate_per_minute,
        secrets=tuple(derive(key, name, salt) for salt in salts[:ACTIVE_SECRETS] if key),
    )
