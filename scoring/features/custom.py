"""Custom fields: a data set's own values (visits, lead origin...) as typed feature columns.

A mapping profile sends a file column to `attributes.<name>` with a `type`; the import stores the value
in the contact's JSON attributes AND, typed, in a side table (scoring.store.custom). Rules, the Scoring
lab, explanations and the learning code read it as the feature column `custom.<name>`:

    rules:
      - {id: many_visits, group: engagement, when: {column: custom.total_visits, op: gte, value: 5},
         points: 10}

    fields = fields_from_profile(profile)          # name -> CustomField (kind, label, known_at)
    columns = custom_columns(attributes, fields)   # typed arrays, once, at import
    known_at(fields)                               # {"custom.total_visits": "activity", ...}

Kinds: a profile's integer/number becomes `number` (float64, NaN when missing), boolean `flag` (missing
is False) and text `category`; dates are not features (a date is a moment, not a property).
`known_at` says when a value exists: `creation` (when the lead arrives), `activity` (grows with the
lead's activity) or `post_outcome` (only once the outcome is known: never a feature).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from scoring.features.columns import FEATURES, PANDAS_DTYPES, FeatureColumn
from scoring.features.frame import as_category

PREFIX = "custom."
KINDS = ("number", "category", "flag")
KNOWN_AT = ("creation", "activity", "post_outcome")
ATTRIBUTE_KINDS = {
    "integer": "number",
    "number": "number",
    "decimal": "number",
    "boolean": "flag",
    "text": "category",
}
"""A profile attribute type -> the kind of its feature column (dates have none)."""


@dataclass(frozen=True)
class CustomField:
    """One custom field: `name` (as in `attributes.<name>`), kind, English label, when it is known."""

    name: str
    kind: str
    label: str = ""
    known_at: str = "creation"
    help: str = ""

    @property
    def column(self) -> str:
        """The feature column rules name: `custom.<name>`."""
        return PREFIX + self.name

    def feature(self) -> FeatureColumn:
        label = self.label or self.name.replace("_", " ")
        return FeatureColumn(self.column, self.kind, label, self.help or f"Custom field {label}.")


def is_custom(column: str) -> bool:
    return column.startswith(PREFIX)


def fields_from_profile(profile: Any) -> dict[str, CustomField]:
    """Custom fields declared by a mapping profile (its `attributes.<name>` targets with their type).

    A target filled from a column listed under `post_outcome` is known at post_outcome.
    """
    late = set(profile.post_outcome_fields)
    found: dict[str, CustomField] = {}
    for spec in profile.files.values():
        for targets in spec.columns.values():
            for target in targets:
                if not target.to.startswith("attributes."):
                    continue
                kind = ATTRIBUTE_KINDS.get(target.type or "text")
                if kind is None:
                    continue
                name = target.to.split(".", 1)[1]
                when = "post_outcome" if target.to in late else "creation"
                found[name] = CustomField(name, kind, known_at=when)
    return found


def merged(*sources: Mapping[str, CustomField]) -> dict[str, CustomField]:
    """Later sources win field by field (a feature dictionary refines what a profile declared)."""
    out: dict[str, CustomField] = {}
    for source in sources:
        for name, field in source.items():
            before = out.get(name)
            out[name] = (
                field
                if before is None
                else replace(
                    field, label=field.label or before.label, help=field.help or before.help
                )
            )
    return out


def feature_columns(fields: Mapping[str, CustomField]) -> dict[str, FeatureColumn]:
    """Every column a rule may name: the built-in FEATURES, then `custom.<name>` per field."""
    return {**FEATURES, **{f.column: f.feature() for f in fields.values()}}


def known_at(fields: Mapping[str, CustomField], *, bare: bool = False) -> dict[str, str]:
    """The declared known_at of every custom field, by feature column (`custom.<name>`).

    With `bare`, keyed by the attribute's own name, as frames built from `contacts.attributes`
    (scoring.training_data.with_attributes) name the column.
    """
    return {(f.name if bare else f.column): f.known_at for f in fields.values()}


def column_label(column: str) -> str:
    """The English label of a feature column, built-in or custom."""
    if column in FEATURES:
        return FEATURES[column].label
    return column.removeprefix(PREFIX).replace("_", " ")


def kind_of(column: str, dtype: object) -> str:
    """The kind of a frame column: declared for built-ins, read off the dtype for custom fields."""
    if column in FEATURES:
        return FEATURES[column].kind
    if isinstance(dtype, pd.CategoricalDtype) or str(dtype) in ("object", "string", "str"):
        return "category"
    return "flag" if str(dtype) == "bool" else "number"


def typed(values: Sequence[Any] | pd.Series, kind: str) -> Any:
    """Raw values (numbers, texts, booleans, None) as the column of `kind`."""
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    if kind == "number":
        numbers = pd.to_numeric(series.where(~series.map(_is_bool), None), errors="coerce")
        return numbers.to_numpy(dtype=PANDAS_DTYPES["number"], na_value=np.nan)
    if kind == "flag":
        return series.map(lambda v: v is True or v in (1, "true", "True", "yes")).to_numpy(bool)
    return as_category(series.map(lambda v: None if v is None else str(v)))


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def custom_columns(
    attributes: Iterable[Mapping[str, Any] | None], fields: Mapping[str, CustomField]
) -> dict[str, Any]:
    """One typed column per field (`custom.<name>`) from each contact's attributes (None: none)."""
    rows = [a if isinstance(a, Mapping) else {} for a in attributes]
    return {
        field.column: typed([row.get(name) for row in rows], field.kind)
        for name, field in fields.items()
    }
