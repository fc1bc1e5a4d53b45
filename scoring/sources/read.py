"""Readers for CSV, Parquet and SQL sources: raw frames plus the row numbers people see.

A CSV row is located by the line it starts on, as an editor shows it (the first data row of a file
with a header is line 2, and a quoted value spanning lines moves the rows after it). Parquet and
SQL rows are numbered from 1 in the order they are read. CSV values stay text: parsing is the
transform's job, so messages can quote exactly what the file says.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from scoring.errors import ConfigError, Problem
from scoring.sources.coerce import BAD_TEXT, bad_character
from scoring.sources.profile import FileSpec

MAX_TEXT_PROBLEMS = 50

_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class RawTable:
    """One source as read: `frame` has a positional index; `lines[i]` locates row i for people."""

    name: str
    label: str
    frame: pd.DataFrame
    lines: np.ndarray
    header_line: int | None = None

    def where(self, row: int, column: str | None = None) -> str:
        place = f"{self.label}:{self.lines[row]}"
        return f"{place}:{column}" if column else place

    @property
    def header_where(self) -> str:
        return f"{self.label}:{self.header_line}" if self.header_line else self.label


def is_url(location: str) -> bool:
    return "://" in location and not Path(location).exists()


def source_format(spec: FileSpec, location: str) -> str:
    """The declared format, or the one implied by a URL or a file suffix."""
    if spec.format != "auto":
        return spec.format
    if is_url(location):
        return "sql"
    suffix = Path(location).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(
            f"cannot tell the format of {location!r} from its suffix; set `format:` in the profile"
        )
    return _SUFFIXES[suffix]


def read_source(name: str, spec: FileSpec, location: str) -> tuple[RawTable, list[Problem]]:
    """Read one source of the profile. Unreadable files raise ConfigError; bad rows are Problems."""
    kind = source_format(spec, location)
    if kind == "sql":
        table = _read_sql(name, spec, location)
        return table, _frame_text_problems(table)
    path = Path(location)
    if not path.is_file():
        raise ConfigError(f"{location}: no such file")
    if kind == "parquet":
        table = _read_parquet(name, path)
        return table, _frame_text_problems(table)
    return _read_csv(name, spec, path)


def _decode(data: bytes, label: str, encoding: str) -> tuple[str, list[Problem]]:
    """The text; bytes that are not valid `encoding` stay as lone surrogates, reported per cell."""
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError:
        return data.decode(encoding, errors="surrogateescape"), []
    except LookupError as exc:
        raise ConfigError(f"{label}: unknown encoding {encoding!r}") from exc


def _clean_cells(
    rows: list[list[str]], lines: list[int], header: list[str], label: str, encoding: str
) -> list[Problem]:
    """Each bad cell is a problem at file:line:column and is emptied (the value is not shown)."""
    problems: list[Problem] = []
    names = [h if bad_character(h) is None else f"#{i + 1}" for i, h in enumerate(header)]
    for index, row in enumerate(rows):
        for position, value in enumerate(row):
            why = bad_character(value, encoding)
            if why is None:
                continue
            column = names[position] if position < len(names) else f"#{position + 1}"
            if len(problems) < MAX_TEXT_PROBLEMS:
                problems.append(Problem(f"{label}:{lines[index]}:{column}", why))
            row[position] = ""
    if len(problems) == MAX_TEXT_PROBLEMS:
        problems.append(Problem(label, f"more bad characters after the first {MAX_TEXT_PROBLEMS}"))
    return problems


def _frame_text_problems(table: RawTable) -> list[Problem]:
    """Bad characters in the text columns of a Parquet or SQL source (plain or dictionary-encoded,
    which pandas reads as categories), at label:row:column; each bad cell is emptied."""
    problems: list[Problem] = []
    for column in table.frame.columns:
        values = table.frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        elif values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        bad = [
            (row, why)
            for row, value in enumerate(values)
            if isinstance(value, str) and (why := bad_character(value)) is not None
        ]
        for row, why in bad:
            if len(problems) < MAX_TEXT_PROBLEMS:
                problems.append(Problem(table.where(row, str(column)), why))
        if bad:
            table.frame[column] = values.mask(values.index.isin([row for row, _ in bad]))
    return problems


def _read_csv(name: str, spec: FileSpec, path: Path) -> tuple[RawTable, list[Problem]]:
    label = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from exc
    text, problems = _decode(data, label, spec.encoding)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=spec.delimiter,
        quotechar=spec.quotechar,
        strict=True,
    )
    rows: list[list[str]] = []
    starts: list[int] = []
    previous_end = 0
    try:
        for row in reader:
            if row:
                rows.append(row)
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        problems.append(Problem(f"{label}:{reader.line_num}", f"malformed CSV: {exc}"))
    if not rows:
        problems.append(Problem(label, "the file has no header row"))
        return RawTable(name, label, pd.DataFrame(), np.array([], dtype=np.int64)), problems
    if BAD_TEXT.search(text):
        problems += _clean_cells(rows, starts, list(rows[0]), label, spec.encoding)
    header, body, lines = rows[0], rows[1:], starts[1:]
    problems += _header_problems(label, starts[0], header)
    body = _rectangular(body, lines, len(header), label, problems)
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    frame = pd.DataFrame({i: pd.Series(values, dtype="str") for i, values in enumerate(columns)})
    frame.columns = pd.Index(header, dtype=object)
    return RawTable(name, label, frame, np.array(lines, dtype=np.int64), starts[0]), problems


def _header_problems(label: str, line: int, header: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for column in header:
        if column in seen:
            problems.append(Problem(f"{label}:{line}", f"column {column!r} appears twice"))
        seen.add(column)
    return problems


def _rectangular(
    body: list[list[str]], lines: list[int], width: int, label: str, problems: list[Problem]
) -> list[list[str]]:
    """Rows cut or padded to the header's width; each ragged row is a problem."""
    ragged = [i for i, row in enumerate(body) if len(row) != width]
    for i in ragged:
        problems.append(
            Problem(
                f"{label}:{lines[i]}",
                f"row has {len(body[i])} fields, the header has {width}",
            )
        )
        body[i] = (body[i] + [""] * width)[:width]
    return body


def _read_parquet(name: str, path: Path) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        frame = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ConfigError(f"{path}: cannot read Parquet: {exc}") from exc
    frame = frame.reset_index(drop=True)
    return RawTable(name, str(path), frame, np.arange(1, len(frame) + 1, dtype=np.int64))


def _read_sql(name: str, spec: FileSpec, location: str) -> RawTable:
    try:
        url = make_url(location)
    except ArgumentError as exc:
        raise ConfigError(f"{location!r} is not a SQLAlchemy URL: {exc}") from exc
    shown = url.render_as_string(hide_password=True)
    label = f"{shown}#{spec.table}" if spec.table else f"{shown}#query"
    try:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                if spec.table:
                    schema, _, table_name = spec.table.rpartition(".")
                    table = sa.Table(
                        table_name, sa.MetaData(), schema=schema or None, autoload_with=connection
                    )
                    frame = pd.read_sql(sa.select(table), connection)
                else:
                    frame = pd.read_sql(sa.text(spec.query or ""), connection)
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError) as exc:
        raise ConfigError(f"{label}: cannot read: {str(exc).splitlines()[0]}") from exc
    return RawTable(name, label, frame, np.arange(1, len(frame) + 1, dtype=np.int64))
