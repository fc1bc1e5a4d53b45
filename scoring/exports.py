"""Lead list exports (CSV, Parquet) that are safe to open in a spreadsheet.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by
Excel, LibreOffice or Google Sheets (CSV injection). Such cells are prefixed with a single quote, the
OWASP recommendation, which spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Return `value` made inert for spreadsheets; non-strings are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot be run as formulas."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        text = series.astype("object")
        starts = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_TRIGGERS))
        safe[column] = text.where(~starts.astype(bool), "'" + text.astype(str))
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes (with BOM so spreadsheets detect the encoding) of the neutralised frame."""
    buffer = io.StringIO()
    formula_safe(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet bytes of `frame` (types kept; Parquet is not opened by spreadsheets as formulas)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
