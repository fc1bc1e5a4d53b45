"""Lead list exports (CSV, Parquet) that are safe to open in a spreadsheet.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by
Excel, LibreOffice or Google Sheets (CSV injection). Such cells are prefixed with a single quote, the
OWASP recommendation, which spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from scoring.errors import ConfigError

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


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """Excel workbook bytes of the neutralised frame (needs openpyxl: `pip install smarketing[xlsx]`)."""
    try:
        import openpyxl  # noqa: F401  (pandas' xlsx engine)
    except ImportError:
        raise ConfigError(
            "writing .xlsx needs openpyxl: pip install 'smarketing[xlsx]' (or use .csv / .parquet)"
        ) from None
    buffer = io.BytesIO()
    formula_safe(frame).to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


WRITERS = {".csv": to_safe_csv, ".parquet": to_parquet, ".xlsx": to_xlsx}


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write a lead list to FILE.csv, FILE.parquet or FILE.xlsx; text cells are made formula-safe."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ConfigError(f"--out {path}: use a .csv, .parquet or .xlsx file")
    data = writer(frame if writer is not to_parquet else formula_safe(frame))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
