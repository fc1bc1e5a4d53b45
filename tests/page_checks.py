"""What every dashboard page must show, checked on an AppTest: labels instead of codes, no missing
value written as None/nan, no server path, every chart titled with its units on its axes.

`problems(app, vocabulary)` lists each breach with the element it is in, so a failing test names
what to fix; `codes()` is the vocabulary of codes a page must not show (with their labels).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from scoring.features.columns import FEATURES
from scoring.lifecycle.loader import load_contract
from scoring.reasons import load_reasons
from scoring.rules.loader import load_rulebook

GAPS = frozenset({"None", "nan", "NaN", "NaT", "<NA>"})
"""How pandas or Python write a missing value (Streamlit shows every null cell as None); a page
writes "—" and says why."""

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
"""A code as programs name things (job_title, disqualification_rate): never a header or a title."""

UNAXED = {"sankey", "pie", "indicator", "table"}
"""Plotly traces without x/y axes (their title says what they count)."""


def codes() -> dict[str, str]:
    """Every code a page must show by its label: stages, reasons, rule ids, feature columns."""
    said: dict[str, str] = {}
    for column in FEATURES.values():
        said[column.name] = column.label
    for rule in load_rulebook().rules:
        said[rule.id] = rule.english()
    for reason in load_reasons().reasons:
        said[reason.code] = reason.label
    for stage in load_contract().stages:
        said[stage.name] = stage.label
    return {code: label for code, label in said.items() if code != label}


def _coded(cell: str, vocabulary: Mapping[str, str]) -> bool:
    """The cell is a code, or names one written as programs do (`rule industry_core`)."""
    return cell in vocabulary or any(
        "_" in token and token in vocabulary for token in re.split(r"[\s,;:()]+", cell)
    )


def _headers(element: Any) -> list[str]:
    """The column headers a table shows: its column configuration's label, else its name."""
    frame = element.value
    config: Mapping[str, Any] = {}
    raw = getattr(element.proto, "columns", "")
    if raw:
        config = json.loads(raw)
    shown = []
    for name in frame.columns:
        entry = config.get(f"name:{name}", config.get(str(name), {}))
        if entry.get("hidden"):
            continue
        shown.append(str(entry.get("label") or name))
    return shown


def _tables(app: AppTest) -> Iterator[tuple[str, Any]]:
    for i, element in enumerate(app.dataframe):
        yield f"dataframe {element.key or i}", element
    for i, element in enumerate(app.table):
        yield f"table {i}", element


def _charts(app: AppTest) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, element in enumerate(app.get("plotly_chart")):
        yield f"chart {i}", json.loads(element.proto.spec)


def _title(part: Any) -> str:
    if isinstance(part, dict):
        return str(part.get("text") or "")
    return str(part or "")


def _axis_problems(where: str, layout: dict[str, Any]) -> list[str]:
    found = []
    for axis in ("xaxis", "yaxis"):
        said = _title(layout.get(axis, {}).get("title"))
        if not said.strip():
            found.append(f"{where}: {axis} has no title (its units)")
        elif SNAKE.match(said):
            found.append(f"{where}: {axis} titled with the code {said!r}")
    return found


def _trace_words(trace: dict[str, Any]) -> list[object]:
    """What a trace writes on the chart: its name, node labels, category values."""
    values: list[object] = [trace.get("name")]
    if trace.get("type") == "sankey":
        values += list(trace.get("node", {}).get("label", []))
    for axis in ("x", "y"):
        if isinstance(trace.get(axis), list):
            values += trace[axis]
    return values


def _chart_problems(where: str, spec: dict[str, Any], vocabulary: Mapping[str, str]) -> list[str]:
    layout = spec.get("layout", {})
    found = []
    title = _title(layout.get("title"))
    if not title.strip():
        found.append(f"{where}: no title")
    where = f"{where} {title!r}"
    traces = spec.get("data", [])
    if any(t.get("type", "scatter") not in UNAXED for t in traces):
        found += _axis_problems(where, layout)
    for trace in traces:
        for value in _trace_words(trace):
            if isinstance(value, str) and (value in vocabulary or SNAKE.match(value)):
                found.append(f"{where}: shows the code {value!r}")
    return found


def _text(app: AppTest) -> Iterator[tuple[str, str]]:
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "text", "code", "latex"):  # fmt: skip
        for element in getattr(app, kind, []):
            yield kind, str(element.value)
    for element in app.metric:
        yield f"metric {element.label!r}", f"{element.label} {element.value} {element.proto.help}"


def _table_problems(
    where: str, element: Any, vocabulary: Mapping[str, str], paths: list[str]
) -> list[str]:
    found = []
    for header in _headers(element):
        if header in vocabulary or SNAKE.match(header):
            found.append(f"{where}: header {header!r} is a code")
    frame: pd.DataFrame = element.value
    cells = frame.astype(object).where(frame.notna(), None).map(str)
    for column in cells.columns:
        gaps = cells[column].isin(GAPS)
        if gaps.any():
            found.append(f"{where}: column {column!r} shows {cells[column][gaps].iloc[0]!r}")
        coded = cells[column][cells[column].map(lambda cell: _coded(cell, vocabulary))]
        if len(coded):
            found.append(f"{where}: column {column!r} shows the code {coded.iloc[0]!r}")
        if cells[column].map(lambda cell: any(p in cell for p in paths)).any():
            found.append(f"{where}: column {column!r} names a server path")
    return found


def problems(app: AppTest, vocabulary: Mapping[str, str], paths: list[str]) -> list[str]:
    """Every breach of the page rules on `app`'s current page (none: an empty list). `paths` are
    server folders no element may name (the project, the database's folder)."""
    found: list[str] = []
    for where, element in _tables(app):
        found += _table_problems(where, element, vocabulary, paths)
    for where, spec in _charts(app):
        found += _chart_problems(where, spec, vocabulary)
        if any(p in json.dumps(spec) for p in paths):
            found.append(f"{where}: names a server path")
    for where, text in _text(app):
        if any(p in text for p in paths):
            found.append(f"{where}: names a server path: {text[:120]!r}")
    for element in app.metric:
        if str(element.value).strip() in GAPS:
            found.append(f"metric {element.label!r}: value {element.value!r}")
    return found
