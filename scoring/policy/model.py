"""The learned model in force: a published pointer to a model file, checked by its digest.

A model file is large and binary, so the database keeps a pointer (absolute path, sha256, target)
as a `model` version in `policy_versions`, published and audited like a rulebook. Loading the model
in force refuses a file whose bytes changed since it was published.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from scoring.errors import ConfigError
from scoring.learn.artefact import load_model, read_card, version_problems
from scoring.learn.model import ModelMismatch, TrainedModel
from scoring.policy.publish import Change, next_version, version_text, write_version
from scoring.policy.resolve import Definition, InForce, ModelRef, in_force

KIND = "model"


def digest(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def publish_model(
    engine: Engine, path: str | Path, change: Change, *, now: datetime | None = None
) -> Definition:
    """Check the model file (trusted types, library versions) and make it the model in force."""
    if not change.actor.strip():
        raise ConfigError("publishing needs the name of who publishes (--by)")
    file = Path(path).expanduser().resolve()
    card = read_card(file)  # refuses untrusted types and unreadable files, naming the file
    problems = version_problems(card)
    if problems:
        raise ModelMismatch(problems, str(file))
    return _publish_pointer(
        engine,
        {"path": str(file), "sha256": digest(file), "target": str(card.target.get("name", ""))},
        change,
        now,
    )


def rollback_model(engine: Engine, version: str, change: Change) -> Definition:
    """Make an older model pointer the one in force again (a new, audited version)."""
    pointer = json.loads(version_text(engine, KIND, version))
    pointer.pop("version", None)
    rolled = Change(change.actor, change.note or f"rollback to {version}", "rolled_back")
    return _publish_pointer(engine, pointer, rolled, None)


def _publish_pointer(
    engine: Engine, pointer: dict[str, str], change: Change, now: datetime | None
) -> Definition:
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    current = in_force(engine).definitions.get(KIND)
    parent = current.version if current is not None else ""
    version = next_version(parent, moment)
    if current is not None and json.loads(current.text).get("sha256") == pointer["sha256"]:
        raise ConfigError(f"nothing to publish: this model is the one in force ({parent})")
    text = json.dumps({**pointer, "version": version}, sort_keys=True)
    try:
        with engine.begin() as connection:
            row_id = write_version(
                connection,
                KIND,
                text,
                version=version,
                parent=parent,
                change=change,
                detail={"path": pointer["path"], "sha256": pointer["sha256"]},
                now=moment,
            )
    except IntegrityError as exc:
        raise ConfigError(
            f"model version {version} was published by someone else a moment ago; try again"
        ) from exc
    return Definition(KIND, version, text, f"published {moment:%Y-%m-%d %H:%M}", row_id)


def model_in_force(policy: InForce) -> TrainedModel | None:
    """The model in force, loaded and checked; None when no model was ever published."""
    if policy.model is None:
        return None
    return load_pointed(policy.model)


def load_pointed(ref: ModelRef) -> TrainedModel:
    path = Path(ref.path)
    if not path.is_file():
        raise ConfigError(f"model {ref.version} in force: {path} is missing; publish a model again")
    if digest(path) != ref.sha256:
        raise ConfigError(
            f"model {ref.version} in force: {path} changed since it was published "
            "(sha256 differs); publish the file again to put it in force"
        )
    return load_model(path)
