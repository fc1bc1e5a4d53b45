"""Vectorised parsing of raw column values into a field's kind, naming every value that fails.

Each kind has one parser: it turns a column (missing values already NaN) into typed values and
returns the checks a value can fail, as (rows that fail, message) pairs. `coerce` applies them in
order, keeps the first failure of each row and blanks the value of failing rows. A message quotes
the value, except for a personal field (a name, an email): "this value is not an email address".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from scoring.sources.fields import UNQUOTED, Field

BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")
"""NUL, control characters other than tab and line breaks, and bytes that were not valid text
(PostgreSQL refuses NUL in text: an import must say where it is, not fail while writing)."""
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_DOMAIN = r"^[^\s./@:]+(\.[^\s./@:]+)+$"
_COUNTRY = r"^[A-Z]{2}$"
_CURRENCY = r"^[A-Z]{3}$"
_CENT = Decimal("0.01")
TRUE_TOKENS = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE_TOKENS = frozenset({"false", "f", "no", "n", "0", "off"})

Check = tuple[np.ndarray, str]


@dataclass(frozen=True)
class Parsing:
    """How a column writes numbers and dates (from the profile's column options)."""

    format: str | None = None
    thousands: str | None = None
    decimal: str = "."
    strip: str = ""


@dataclass(frozen=True)
class Coerced:
    values: pd.Series
    failures: list[tuple[int, str]]


def show(value: Any) -> str:
    """A raw value as a message quotes it: repr, cut to 60 characters."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 60 else text[:57] + "..."


def shown(value: Any, field: Field) -> str:
    """`value` as a message about `field` may quote it: never a personal field's."""
    return UNQUOTED if field.personal else show(value)


def bad_character(value: str, encoding: str = "utf-8") -> str | None:
    """What is wrong with a text value (never the value itself), or None."""
    found = BAD_TEXT.search(value)
    if found is None:
        return None
    char = found.group()
    if "\udc80" <= char <= "\udcff":
        return f"byte 0x{ord(char) - 0xDC00:02x} is not valid {encoding}"
    if char == "\x00":
        return "contains a NUL byte (0x00)"
    return f"contains the control character U+{ord(char):04X}"


def _mask(series: pd.Series) -> np.ndarray:
    return series.fillna(False).to_numpy(dtype=bool)


def _text(raw: pd.Series) -> pd.Series:
    return raw if raw.dtype == "str" else raw.astype("str")


def _length_check(values: pd.Series, field: Field) -> list[Check]:
    if field.max_length is None:
        return []
    too_long = _mask(values.str.len() > field.max_length)
    return [(too_long, f"{{value}} is longer than {field.max_length} characters")]


def _parse_text(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    values = _text(raw)
    return values, _length_check(values, field)


def _parse_pattern(
    values: pd.Series, field: Field, pattern: str, what: str
) -> tuple[pd.Series, list[Check]]:
    bad = _mask(raw_present(values) & ~values.str.match(pattern).fillna(False).astype(bool))
    return values, [(bad, f"{{value}} is not {what}"), *_length_check(values, field)]


def _parse_email(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    values = _text(raw).str.strip().str.lower()
    return _parse_pattern(values, field, _EMAIL, "an email address")


def normalise_domains(values: pd.Series) -> pd.Series:
    """Lower-case host names: drop a scheme, `www.`, a port, a path and a trailing dot."""
    text = _text(values).str.strip().str.lower()
    for pattern in (r"^[a-z][a-z0-9+.-]*://", r"^www\.", r"[/?#].*$", r":\d+$", r"\.$"):
        text = text.str.replace(pattern, "", regex=True)
    return text


def _parse_domain(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    return _parse_pattern(normalise_domains(raw), field, _DOMAIN, "a domain name")


def _parse_country(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    values = _text(raw).str.strip().str.upper()
    return _parse_pattern(
        values, field, _COUNTRY, "a 2-letter country code (map names to codes with `values:`)"
    )


def _parse_currency(
    raw: pd.Series, field: Field, parsing: Parsing
) -> tuple[pd.Series, list[Check]]:
    values = _text(raw).str.strip().str.upper()
    return _parse_pattern(values, field, _CURRENCY, "a 3-letter currency code (ISO 4217)")


def _parse_choice(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    values = _text(raw)
    bad = _mask(raw_present(values) & ~values.isin(field.choices))
    return values, [(bad, f"{{value}} is not one of: {', '.join(field.choices)}")]


def _numbers(raw: pd.Series, parsing: Parsing) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw.dtype) and raw.dtype != "bool":
        return raw.astype("float64")
    text = _text(raw)
    if parsing.strip:
        text = text.str.replace(f"[{re.escape(parsing.strip)}]", "", regex=True)
    if parsing.thousands:
        text = text.str.replace(parsing.thousands, "", regex=False)
    if parsing.decimal != ".":
        text = text.str.replace(parsing.decimal, ".", regex=False)
    return pd.to_numeric(text.str.strip(), errors="coerce").astype("float64")


def _bounds(numbers: pd.Series, field: Field) -> list[Check]:
    checks: list[Check] = []
    if field.minimum is not None:
        checks.append((_mask(numbers < field.minimum), f"{{value}} is below {field.minimum:g}"))
    if field.maximum is not None:
        checks.append((_mask(numbers > field.maximum), f"{{value}} is above {field.maximum:g}"))
    return checks


def _parse_number(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    numbers = _numbers(raw, parsing)
    bad = _mask(raw_present(raw) & ~np.isfinite(numbers.fillna(np.inf)))
    return numbers, [(bad, "{value} is not a number"), *_bounds(numbers, field)]


def _parse_integer(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    numbers, checks = _parse_number(raw, field, parsing)
    fractional = _mask((numbers % 1 != 0) & numbers.notna() & np.isfinite(numbers))
    checks.append((fractional, "{value} is not a whole number"))
    whole = numbers.where(~fractional & np.isfinite(numbers.fillna(0)) & (numbers.abs() < 2**62))
    return whole.round().astype("Int64"), checks


def _one_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
        return number.quantize(_CENT) if number.is_finite() else None
    except (InvalidOperation, ValueError):
        return None


def _parse_decimal(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    present = raw_present(raw)
    text = raw if pd.api.types.is_numeric_dtype(raw.dtype) else _text(raw)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        if parsing.strip:
            text = text.str.replace(f"[{re.escape(parsing.strip)}]", "", regex=True)
        if parsing.thousands:
            text = text.str.replace(parsing.thousands, "", regex=False)
        if parsing.decimal != ".":
            text = text.str.replace(parsing.decimal, ".", regex=False)
    values = pd.Series(
        [_one_decimal(v) if p else None for v, p in zip(text, present, strict=True)],
        dtype=object,
    )
    floats = pd.Series([math.nan if v is None else float(v) for v in values])
    bad = present.to_numpy() & values.isna().to_numpy()
    return values, [(bad, "{value} is not a number"), *_bounds(floats, field)]


def _parse_boolean(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    tokens = _text(raw).str.strip().str.lower()
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[_mask(tokens.isin(TRUE_TOKENS))] = True
    values[_mask(tokens.isin(FALSE_TOKENS))] = False
    bad = _mask(raw_present(raw) & values.isna())
    return values, [(bad, "{value} is not true/false (yes/no, 1/0)")]


def _parse_datetime(
    raw: pd.Series, field: Field, parsing: Parsing
) -> tuple[pd.Series, list[Check]]:
    text = raw if pd.api.types.is_datetime64_any_dtype(raw.dtype) else _text(raw).str.strip()
    parsed = pd.to_datetime(text, format=parsing.format or "ISO8601", errors="coerce", utc=True)
    values = parsed.dt.tz_localize(None)
    if field.kind == "date":
        values = values.dt.normalize()
    shape = f"in the format {parsing.format}" if parsing.format else "in ISO 8601 (2024-05-31)"
    bad = _mask(raw_present(raw) & values.isna())
    return values, [(bad, f"{{value}} is not a valid {field.kind} {shape}")]


def _one_json(value: Any) -> dict[str, Any] | None:
    def reject(constant: str) -> Any:
        raise ValueError(constant)

    try:
        parsed = json.loads(value, parse_constant=reject)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _parse_json(raw: pd.Series, field: Field, parsing: Parsing) -> tuple[pd.Series, list[Check]]:
    present = raw_present(raw).to_numpy()
    values = pd.Series(
        [_one_json(v) if p else None for v, p in zip(raw, present, strict=True)], dtype=object
    )
    bad = present & values.isna().to_numpy()
    return values, [(bad, "{value} is not a JSON object")]


PARSERS: dict[str, Callable[[pd.Series, Field, Parsing], tuple[pd.Series, list[Check]]]] = {
    "text": _parse_text,
    "email": _parse_email,
    "domain": _parse_domain,
    "country": _parse_country,
    "currency": _parse_currency,
    "choice": _parse_choice,
    "integer": _parse_integer,
    "number": _parse_number,
    "decimal": _parse_decimal,
    "boolean": _parse_boolean,
    "date": _parse_datetime,
    "datetime": _parse_datetime,
    "json": _parse_json,
}


def raw_present(raw: pd.Series) -> pd.Series:
    return raw.notna()


def coerce(
    raw: pd.Series, field: Field, parsing: Parsing = Parsing(), *, quote: bool | None = None
) -> Coerced:
    """Parse `raw` (positional index, missing = NaN) as `field`; list each failing row once.

    Messages quote the failing value unless the field is personal (`quote` overrides: values
    written in a profile are not data about anyone)."""
    raw = raw.reset_index(drop=True)
    quoted = not field.personal if quote is None else quote
    values, checks = PARSERS[field.kind](raw, field, parsing)
    failed = np.zeros(len(raw), dtype=bool)
    failures: list[tuple[int, str]] = []
    for bad, message in checks:
        rows = np.flatnonzero(bad & ~failed)
        failures.extend(
            (int(i), message.format(value=show(raw.iat[int(i)]) if quoted else UNQUOTED))
            for i in rows
        )
        failed |= bad
    if failed.any():
        values = values.mask(failed)
    failures.sort(key=lambda item: item[0])
    return Coerced(values, failures)


def invalid_values(field: Field, values: list[Any]) -> list[str]:
    """Why each of `values` (from a profile: value maps, constants) cannot be `field`."""
    present = pd.Series([v for v in values if v is not None], dtype=object)
    bad_text = [
        f"{show(v)} {why}" for v in present if isinstance(v, str) and (why := bad_character(v))
    ]
    return bad_text + [message for _, message in coerce(present, field, quote=True).failures]
