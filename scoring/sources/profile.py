"""The mapping profile model: how the columns of one or more source files become canonical fields.

A profile is a YAML file (see docs/mapping-profiles.md) read by scoring.sources.catalog. The
models check each option where it is declared; scoring.sources.consistency checks the whole.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from scoring.sources.coerce import Parsing, invalid_values
from scoring.sources.fields import (
    DATE_KINDS,
    NUMERIC_KINDS,
    Field,
    field_for,
    is_attribute,
    unknown_target_message,
)

_DIRECTIVE = re.compile(r"%(.?)")
_STRPTIME_LETTERS = set("aAwdbBmyYHIpMSfzZjUWcxXGuV%")
_MODEL = ConfigDict(frozen=True, extra="forbid")


def _tokens(value: Any) -> Any:
    """YAML reads `999` as a number and `no` as false: missing tokens are always compared as text."""
    if isinstance(value, list | tuple):
        if any(item is None or isinstance(item, bool) for item in value):
            raise ValueError(
                "missing-value tokens must be quoted text, e.g. ['', 'N/A', 'unknown']"
            )
        return tuple(str(item) for item in value)
    return value


def _check_format(value: str | None) -> str | None:
    if value is None:
        return value
    letters = _DIRECTIVE.findall(value)
    if not letters:
        raise ValueError(f"date format {value!r} has no % directives; write e.g. '%Y-%m-%d'")
    bad = sorted({f"%{letter}" for letter in letters if letter not in _STRPTIME_LETTERS})
    if bad:
        raise ValueError(f"date format {value!r} uses unknown directive(s) {', '.join(bad)}")
    return value


class ColumnTarget(BaseModel):
    """Where one source column goes, and how its values are read."""

    model_config = _MODEL

    to: str
    type: Literal["text", "integer", "number", "boolean", "date", "datetime"] | None = None
    values: dict[str, Any] | None = None
    other: Literal["keep", "missing", "error"] = "keep"
    missing: tuple[str, ...] | None = None
    format: str | None = None
    thousands: str | None = None
    decimal: str = "."
    strip: str = ""
    optional: bool = False

    @field_validator("to")
    @classmethod
    def _known_target(cls, to: str) -> str:
        if field_for(to) is None:
            raise ValueError(unknown_target_message(to))
        return to

    @field_validator("values", mode="before")
    @classmethod
    def _value_map_keys(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        for key in values:
            if key is None or isinstance(key, bool):
                raise ValueError(
                    f"value-map key {key!r} is how YAML reads an unquoted yes/no/on/off/true/"
                    "false/null; quote the key, e.g. 'yes': true"
                )
        return {str(key): value for key, value in values.items()}

    _missing = field_validator("missing", mode="before")(lambda cls, v: _tokens(v))
    _format = field_validator("format")(lambda cls, v: _check_format(v))

    @model_validator(mode="after")
    def _options_fit_the_field(self) -> ColumnTarget:
        field = self.field
        if self.type is not None and not is_attribute(self.to):
            raise ValueError(f"`type` is only for attributes; {self.to} is always {field.kind}")
        if self.format is not None and field.kind not in DATE_KINDS:
            raise ValueError(f"`format` is only for dates; {self.to} is {field.kind}")
        numeric = self.thousands is not None or self.decimal != "." or self.strip
        if numeric and field.kind not in NUMERIC_KINDS:
            raise ValueError(
                f"`thousands`/`decimal`/`strip` are only for numbers; {self.to} is {field.kind}"
            )
        wrong = invalid_values(field, list(self.values.values())) if self.values else []
        if wrong:
            raise ValueError(f"value map for {self.to}: {'; '.join(wrong)}")
        return self

    @property
    def field(self) -> Field:
        field = field_for(self.to, self.type)
        if field is None:  # unreachable after validation
            raise ValueError(unknown_target_message(self.to))
        return field

    @property
    def parsing(self) -> Parsing:
        return Parsing(self.format, self.thousands, self.decimal, self.strip)


class JoinSpec(BaseModel):
    """Join this file's rows onto another file's rows: at most one row per key on this side."""

    model_config = _MODEL

    file: str
    key: str | None = None
    left_key: str | None = None
    right_key: str | None = None

    @model_validator(mode="after")
    def _keys(self) -> JoinSpec:
        if self.key is None and (self.left_key is None or self.right_key is None):
            raise ValueError("a join needs `key` (same column name) or `left_key` and `right_key`")
        return self

    @property
    def left(self) -> str:
        """The key column in the file joined onto."""
        return self.left_key or self.key or ""

    @property
    def right(self) -> str:
        """The key column in this file."""
        return self.right_key or self.key or ""


def _column_list(columns: Any) -> Any:
    """Accept `column: target`, `column: {to: ..., ...}` or a list of either."""
    if not isinstance(columns, dict):
        return columns
    normalised: dict[str, Any] = {}
    for column, targets in columns.items():
        if column is None or isinstance(column, bool):
            raise ValueError(f"column name {column!r} must be quoted (YAML read it as {column!r})")
        items = targets if isinstance(targets, list) else [targets]
        normalised[str(column)] = [{"to": t} if isinstance(t, str) else t for t in items]
    return normalised


class FileSpec(BaseModel):
    """One source: how to read it and what its columns become."""

    model_config = _MODEL

    format: Literal["auto", "csv", "parquet", "sql"] = "auto"
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8-sig"
    table: str | None = None
    query: str | None = None
    optional: bool = False
    join: JoinSpec | None = None
    matched: str | None = None
    missing: tuple[str, ...] | None = None
    trim: bool | None = None
    columns: dict[str, tuple[ColumnTarget, ...]] = {}
    constants: dict[str, Any] = {}
    templates: dict[str, str] = {}
    post_outcome: tuple[str, ...] = ()

    _columns = field_validator("columns", mode="before")(lambda cls, v: _column_list(v))
    _missing = field_validator("missing", mode="before")(lambda cls, v: _tokens(v))

    @field_validator("delimiter", "quotechar")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError(f"must be exactly one character, got {value!r}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {value!r}") from exc
        return value


class Profile(BaseModel):
    """A whole mapping profile. Files without `join` are streams: each of their rows is a record."""

    model_config = _MODEL

    name: str
    description: str = ""
    version: str = "1"
    missing: tuple[str, ...] = ("",)
    trim: bool = True
    files: dict[str, FileSpec]

    _missing = field_validator("missing", mode="before")(lambda cls, v: _tokens(v))

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError(f"profile name {value!r} may use letters, digits, '_', '-' and '.'")
        return value

    @field_validator("files")
    @classmethod
    def _some_files(cls, files: dict[str, FileSpec]) -> dict[str, FileSpec]:
        if not files:
            raise ValueError("a profile needs at least one file")
        return files

    @property
    def actor(self) -> str:
        """Who lifecycle history rows written by this profile are attributed to."""
        return f"import:{self.name}"

    @property
    def streams(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.files.items() if spec.join is None)

    def joined_onto(self, stream: str) -> tuple[str, ...]:
        return tuple(n for n, s in self.files.items() if s.join and s.join.file == stream)

    def missing_tokens(self, spec: FileSpec, target: ColumnTarget) -> frozenset[str]:
        tokens = target.missing if target.missing is not None else spec.missing
        return frozenset(self.missing if tokens is None else tokens)

    def trims(self, spec: FileSpec) -> bool:
        return self.trim if spec.trim is None else spec.trim

    @property
    def post_outcome_columns(self) -> tuple[tuple[str, str], ...]:
        """(file, column) pairs declared as known only after the outcome."""
        return tuple((name, col) for name, spec in self.files.items() for col in spec.post_outcome)

    @property
    def post_outcome_fields(self) -> tuple[str, ...]:
        """Canonical targets filled from post-outcome columns: never features (leakage)."""
        return tuple(
            target.to
            for name, column in self.post_outcome_columns
            for target in self.files[name].columns.get(column, ())
        )
