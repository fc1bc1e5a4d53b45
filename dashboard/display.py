"""How pages show a table: every header by its label, stages and reasons by their labels, and a
missing value as "—" with a caption saying why. One place, so every page reads the same.

    display.table(st, frame, why="no deal closed yet", column_config={...}, key="...")

The frame keeps its own column names (tests and downloads use them); headers are set through the
column configuration. Numbers are never changed: a numeric column with a gap is written as text in
the format its configuration asks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pandas as pd

from scoring.features.columns import FEATURES
from scoring.features.custom import PREFIX, column_label
from scoring.lifecycle.loader import load_contract
from scoring.reasons import load_reasons
from scoring.rules.spec import Rulebook

MISSING = "—"

ACRONYMS = {
    "mql": "MQL",
    "mqls": "MQLs",
    "sal": "SAL",
    "id": "ID",
    "csv": "CSV",
    "sla": "SLA",
    "crm": "CRM",
    "url": "URL",
    "auc": "AUC",
    "pct": "%",
    "p90": "90th percentile",
    "p50": "median",
    "dof": "degrees of freedom",
    "chi2": "chi²",
}
"""Words of a code written otherwise in a header."""

HEADERS = {
    "contact_id": "Contact",
    "lead_id": "Lead",
    "owner_rep_id": "Owner (rep ID)",
    "lifecycle_stage": "Stage",
    "reason_code": "Reason",
    "fpr": "False positive rate",
    "tpr": "True positive rate",
    "p_value": "p-value",
    "cramers_v": "Cramér's V",
    "top_reason_share": "Top reason's share",
    "most_over_represented": "Most over-represented reason",
    "median_age_days": "Median age (days)",
}
"""Headers that the generic rule (underscores to spaces, acronyms in capitals) words badly."""


@cache
def _words() -> dict[str, str]:
    """Stage and reason codes by their labels (the shipped data/lifecycle.yaml and
    data/reasons.yaml)."""
    said = {reason.code: reason.label for reason in load_reasons().reasons}
    said.update({stage.name: stage.label for stage in load_contract().stages})
    return said


def word(value: object) -> object:
    """A stage or reason code as its label; anything else as it is."""
    return _words().get(value, value) if isinstance(value, str) else value


def field(value: object) -> object:
    """A feature column's code (`job_title`, `custom.plan`) as its label; anything else as it is."""
    if not isinstance(value, str):
        return value
    return column_label(value) if value.startswith(PREFIX) else header(value)


FIELD_COLUMNS = ("field", "column", "feature")
"""Columns whose values name feature columns."""


_CODE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(: )?")


def in_words(text: object) -> object:
    """An explanation as words: `id: sentence` as `for sentence`, a feature code by its label."""
    if not isinstance(text, str):
        return text

    def said(match: re.Match[str]) -> str:
        code, colon = match.group(1), match.group(2)
        if colon:
            return "for "
        return column_label(code) if code in FEATURES else code.replace("_", " ")

    return _CODE.sub(said, text)


def header(name: object) -> str:
    """A column code as its label, capitalised: known headers, stages and reasons, feature
    columns, else the code in words (underscores to spaces, acronyms in capitals)."""
    text = str(name)
    if text in HEADERS:
        said = HEADERS[text]
    elif text in _words():
        said = _words()[text]
    elif text in FEATURES:
        said = FEATURES[text].label
    else:
        said = " ".join(ACRONYMS.get(part, part) for part in text.split("_"))
    return said[:1].upper() + said[1:]


def rule_items(changes: pd.DataFrame, *books: Rulebook) -> pd.DataFrame:
    """A rulebook diff (scoring.rules.changes) with each rule and gate named by its English
    sentence rather than its id, as the books define them."""
    said = {f"rule {r.id}": f"rule: {r.english()}" for book in books for r in book.rules}
    said |= {f"gate {g.id}": f"gate: {g.english()}" for book in books for g in book.gates}
    return changes.assign(item=changes["item"].map(lambda item: said.get(item, item)))


def _values(name: str) -> Callable[[object], object]:
    """How the values of column `name` are put in words."""
    if name in FIELD_COLUMNS:
        return field
    return in_words if name.endswith("explanation") else word


def _number(value: float, format_: str) -> str:
    if format_ == "percent":
        return f"{value:.1%}"
    if format_ == "dollar":
        return f"${value:,.2f}"
    if format_.startswith("%"):
        decimals = format_.rsplit(".", 1)[-1].rstrip("f") if "." in format_ else "0"
        return f"{value:,.{int(decimals or 0)}f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def _text_config(config: Mapping[str, Any] | None, label: str) -> dict[str, Any]:
    kept = {k: v for k, v in (config or {}).items() if k in ("help", "width", "pinned")}
    return {"label": label, **kept}


def shown(
    frame: pd.DataFrame, column_config: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, dict[str, Any], bool]:
    """(the frame with codes as labels and gaps as "—", its column configuration with every header
    labelled, whether any gap was written)."""
    given = dict(column_config or {})
    out = frame.copy()
    config: dict[str, Any] = {}
    gaps = False
    for name in frame.columns:
        column = frame[name]
        entry = given.get(name)
        label = header(name)
        if isinstance(entry, str):
            label, entry = entry, None
        missing = column.isna()
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if missing.any() and numeric:
            format_ = str(((entry or {}).get("type_config") or {}).get("format") or "")
            out[name] = [
                MISSING if m else _number(v, format_) for v, m in zip(column, missing, strict=True)
            ]
            config[name] = _text_config(entry, label)
        elif pd.api.types.is_datetime64_any_dtype(column) and missing.any():
            text = column.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
            out[name] = text.where(~missing, MISSING)
            config[name] = _text_config(entry, label)
        elif not numeric and not pd.api.types.is_bool_dtype(column):
            if missing.any() or not pd.api.types.is_datetime64_any_dtype(column):
                values = column.astype(object).map(_values(str(name)))
                out[name] = values.where(~missing, MISSING).astype(object)
            config[name] = {**(entry or {}), "label": (entry or {}).get("label") or label}
        else:
            config[name] = {**(entry or {}), "label": (entry or {}).get("label") or label}
        gaps = gaps or bool(missing.any())
    for name, entry in given.items():
        if name not in config:
            config[name] = entry
    return out, config, gaps


def table(where: Any, frame: pd.DataFrame, *, why: str = "", **options: Any) -> None:
    """Draw `frame` with `where.dataframe` (hide_index unless given) as `shown` makes it; when a
    gap was written, a caption under it says what "—" means (`why`)."""
    out, config, gaps = shown(frame, options.pop("column_config", None))
    options.setdefault("hide_index", True)
    where.dataframe(out, column_config=config, **options)
    if gaps:
        where.caption(f"{MISSING}: {why or 'no value recorded'}.")
