"""What is in force for a database: the newest published rulebook, contract, reasons and model.

Every reader (API, worker, CLI, dashboard) asks `in_force(engine)` and nothing else. Published
versions live in `policy_versions`; for a kind nothing was published for yet, the shipped file in
data/ is in force (the default of a brand-new database). Parsing is cached on the text, so polling
for a change costs one small query (`policy_token`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select

from scoring.db.audit import POLICY_KINDS, PolicyVersion
from scoring.errors import ConfigError
from scoring.lifecycle import Contract
from scoring.lifecycle.loader import DEFAULT_CONTRACT, parse_contract
from scoring.policy.candidate import Shadow, shadow_of
from scoring.reasons import DEFAULT_REASONS, Vocabulary, parse_reasons
from scoring.rules.loader import DEFAULT_RULEBOOK, parse_rulebook
from scoring.rules.spec import Rulebook

DEFAULT_FILES: Mapping[str, Path] = {
    "rulebook": DEFAULT_RULEBOOK,
    "lifecycle": DEFAULT_CONTRACT,
    "reasons": DEFAULT_REASONS,
}

Token = tuple[int | None, ...]
"""The id of the version in force per kind (None: the shipped default), in POLICY_KINDS order."""


@dataclass(frozen=True)
class Definition:
    """One definition as it is in force: its text and where it comes from."""

    kind: str
    version: str
    text: str
    origin: str  # "file <path>" or "published <when> by <who>"
    row_id: int | None = None  # None: the shipped default file


@dataclass(frozen=True)
class Published:
    """The rulebook in force with its text (what a tuning is published on top of)."""

    rulebook: Rulebook
    text: str
    origin: str


@dataclass(frozen=True)
class ModelRef:
    """The learned model in force: a model file, checked by its digest when loaded."""

    path: str
    sha256: str
    target: str
    version: str


@dataclass(frozen=True)
class InForce:
    """Everything in force for one database at one moment; immutable, so never mixed."""

    rulebook: Rulebook
    contract: Contract
    vocabulary: Vocabulary
    model: ModelRef | None
    definitions: Mapping[str, Definition]
    token: Token
    shadow: Shadow | None = None
    """The candidate rulebook scoring beside the live one (shadow or canary), if any."""

    @property
    def published(self) -> Published:
        book = self.definitions["rulebook"]
        return Published(self.rulebook, book.text, book.origin)

    @property
    def versions(self) -> dict[str, str]:
        """Version label per kind: what a score, transition or payload is stamped with."""
        return {kind: d.version for kind, d in self.definitions.items()}


def policy_token(connection: Connection) -> Token:
    """The id of the newest version of each kind: changes exactly when something is published."""
    newest = dict(
        connection.execute(
            select(PolicyVersion.kind, func.max(PolicyVersion.id)).group_by(PolicyVersion.kind)
        ).all()
    )
    return tuple(newest.get(kind) for kind in POLICY_KINDS)


def _definitions(connection: Connection, token: Token) -> dict[str, Definition]:
    ids = [i for i in token if i is not None]
    rows = {
        row.kind: row
        for row in connection.execute(select(PolicyVersion).where(PolicyVersion.id.in_(ids)))
    }
    found: dict[str, Definition] = {}
    for kind in POLICY_KINDS:
        row = rows.get(kind)
        if row is not None:
            origin = f"published {row.published_at:%Y-%m-%d %H:%M} by {row.published_by}"
            found[kind] = Definition(kind, row.version, row.text, origin, row.id)
        elif kind in DEFAULT_FILES:
            path = DEFAULT_FILES[kind]
            text = path.read_text(encoding="utf-8")
            found[kind] = Definition(kind, version_of(kind, text), text, f"file {path}")
    return found


def version_of(kind: str, text: str) -> str:
    """The version label a definition text declares."""
    return {
        "rulebook": lambda: parsed_rulebook(text, "rulebook").version,
        "reasons": lambda: parsed_reasons(text, "reasons").version,
        "lifecycle": lambda: parsed_contract(text, "lifecycle", None).version,
    }[kind]()


@lru_cache(maxsize=16)
def parsed_rulebook(text: str, source: str) -> Rulebook:
    return parse_rulebook(text, source)


@lru_cache(maxsize=16)
def parsed_reasons(text: str, source: str) -> Vocabulary:
    return parse_reasons(text, source)


@lru_cache(maxsize=16)
def parsed_contract(text: str, source: str, vocabulary: Vocabulary | None) -> Contract:
    return parse_contract(text, source, vocabulary)


def model_ref(definition: Definition) -> ModelRef:
    try:
        doc = json.loads(definition.text)
        return ModelRef(
            str(doc["path"]), str(doc["sha256"]), str(doc["target"]), definition.version
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"model version {definition.version}: unreadable pointer ({exc})"
        ) from exc


def source_of(definition: Definition) -> str:
    """The name errors and explanations cite for a definition."""
    if definition.row_id is None:
        return definition.origin.removeprefix("file ")
    return f"<published {definition.kind} {definition.version}>"


def resolve(definitions: Mapping[str, Definition], token: Token) -> InForce:
    """Parse the definitions (cached on their text) into what is in force."""
    found = dict(definitions)
    running = found.pop("shadow", None)
    vocabulary = parsed_reasons(found["reasons"].text, source_of(found["reasons"]))
    lifecycle = found["lifecycle"]
    model = found.get("model")
    return InForce(
        rulebook=parsed_rulebook(found["rulebook"].text, source_of(found["rulebook"])),
        contract=parsed_contract(lifecycle.text, source_of(lifecycle), vocabulary),
        vocabulary=vocabulary,
        model=model_ref(model) if model is not None else None,
        definitions=found,
        token=token,
        shadow=None
        if running is None
        else shadow_of(running.version, running.text, running.origin, running.row_id),
    )


def in_force(engine: Engine | Connection) -> InForce:
    """What is in force for this database now: one consistent read of every kind."""
    if isinstance(engine, Connection):
        token = policy_token(engine)
        return resolve(_definitions(engine, token), token)
    with engine.connect() as connection:
        token = policy_token(connection)
        return resolve(_definitions(connection, token), token)


def published_rulebook(engine: Engine | Connection) -> Published:
    """The rulebook in force with its text (a shortcut of `in_force(engine).published`)."""
    return in_force(engine).published
