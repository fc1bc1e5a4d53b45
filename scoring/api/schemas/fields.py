"""Field types of the API's input schemas: every bound a column has is checked here, not by the DB.

Text is refused when it holds NUL characters or lone surrogates (PostgreSQL cannot store them);
numbers stay inside their column's range; times are turned into naive UTC, the tables' convention.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

_DIGITS = re.compile(r"[0-9]{1,19}")


def storable(value: str) -> str:
    """Refuse text a database cannot store; everything else passes unchanged."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def whole_number(value: Any) -> Any:
    """A JSON integer, or a text of digits only; refuses booleans, floats, signs, spaces and `_`."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number (an integer or a text of digits)")
    return value


def naive_utc(value: datetime) -> datetime:
    """Aware times are converted to UTC; naive times are taken as UTC already."""
    if not 1900 <= value.year <= 2200:
        raise ValueError("year must be between 1900 and 2200")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


Key = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(storable)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(storable)]
Text40 = Annotated[str, StringConstraints(max_length=40), AfterValidator(storable)]
Text60 = Annotated[str, StringConstraints(max_length=60), AfterValidator(storable)]
Text100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)]
Text200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
Text300 = Annotated[str, StringConstraints(max_length=300), AfterValidator(storable)]
Text500 = Annotated[str, StringConstraints(max_length=500), AfterValidator(storable)]
Note = Annotated[str, StringConstraints(max_length=2000), AfterValidator(storable)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(storable),
]
Domain = Annotated[
    str,
    StringConstraints(
        min_length=3, max_length=253, to_lower=True, pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    ),
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Employees = Annotated[int, Field(ge=0, le=10_000_000)]
Money = Annotated[float, Field(ge=0, lt=1e15, allow_inf_nan=False)]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
StrictRowId = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=2**63 - 1)]
"""An id another system sends: only an integer or digits (never `true`, `7.0`, `" 7 "` or `7_0`)."""
Moment = Annotated[datetime, AfterValidator(naive_utc)]
