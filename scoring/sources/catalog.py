"""Finding and loading mapping profiles: data/profiles/<name>.yaml or any path.

`load_profile` validates the YAML with the profile models, then checks the profile as a whole;
every problem is reported at once as a MappingError naming the profile file and line.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scoring.errors import ConfigError, MappingError, Problem
from scoring.located_yaml import LocatedDocument, load_located, parse_located
from scoring.settings import DEFAULTS
from scoring.sources.consistency import consistency_problems
from scoring.sources.profile import ColumnTarget, FileSpec, JoinSpec, Profile

PROFILES_DIR = DEFAULTS / "profiles"
_QUOTE_HINT = (
    "YAML reads unquoted on/off/yes/no/true/false as booleans and ~/null as null: quote it"
)

_OPTIONS = sorted(
    set(ColumnTarget.model_fields)
    | set(JoinSpec.model_fields)
    | set(FileSpec.model_fields)
    | set(Profile.model_fields)
)


def _render(doc: LocatedDocument, loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            if tuple(loc[: i + 1]) in doc.lines:
                parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _validation_problems(doc: LocatedDocument, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _OPTIONS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            line_at, owner, message = loc, loc[:-1], f"unknown option {loc[-1]!r}{hint}"
        elif item["type"] == "missing":
            line_at, owner = loc[:-1], loc[:-1]
            message = f"missing required option {loc[-1]!r}"
        else:
            line_at, owner = loc, loc
            message = str(item["msg"]).removeprefix("Value error, ")
            if message == "Keys should be strings":
                message = f"a key is not text; {_QUOTE_HINT}"
        shown = _render(doc, owner)
        problems.append(doc.problem(line_at, f"{shown}: {message}" if shown else message))
    return problems


def parse_profile(doc: LocatedDocument, default_name: str = "profile") -> Profile:
    """Validate a located YAML document as a profile, listing every problem at once."""
    data = doc.data
    if not isinstance(data, dict):
        raise MappingError([doc.problem((), "a profile is a YAML mapping")], source=doc.source)
    data = {"name": default_name, **data}
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise MappingError(_validation_problems(doc, exc), source=doc.source) from None
    problems = consistency_problems(profile, doc)
    if problems:
        raise MappingError(problems, source=doc.source)
    return profile


def profile_path(name_or_path: str | Path) -> Path:
    """A profile file: an existing path, or `<name>.yaml` in data/profiles."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return path
    candidate = PROFILES_DIR / f"{name_or_path}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(available_profiles()) or "none"
    raise ConfigError(f"no profile named {str(name_or_path)!r} (known: {known}); or give a path")


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a profile by name (data/profiles/<name>.yaml) or path; MappingError lists every problem."""
    path = profile_path(name_or_path)
    return parse_profile(load_located(path, MappingError), default_name=path.stem)


def profile_from_text(text: str, source: str = "<profile>") -> Profile:
    """Parse a profile held in a string (tests, docs)."""
    return parse_profile(parse_located(text, source, MappingError), default_name="profile")
