"""Data-quality features: email syntax, personal and competitor domains, phone, completeness."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import DefinitionError, Problem
from scoring.located_yaml import load_located
from scoring.settings import DEFAULTS

DEFAULT_COMPETITORS = DEFAULTS / "competitors.yaml"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_PATTERN = rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}}"
"""Syntax only (no mailbox check): local part, '@', dotted domain ending in a 2+ letter TLD."""

PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "qq.com",
        "163.com",
        "126.com",
        "zoho.com",
        "fastmail.com",
        "free.fr",
        "orange.fr",
        "t-online.de",
        "libero.it",
        "uol.com.br",
        "bol.com.br",
    }
)
"""Free mailbox providers: a lead writing from one of them is not identified with a company."""

REQUIRED_FIELDS = ("email", "first_name", "last_name", "job_title", "company", "country")
"""The fields `completeness` counts; `company` means the contact is linked to an account."""


TEXT = pd.StringDtype(na_value=np.nan)
"""Strings with NaN as missing: comparisons on a missing value are plain False."""


def text(values: pd.Series) -> pd.Series:
    return values.astype(TEXT).str.strip()


def email_domains(emails: pd.Series) -> pd.Series:
    """Lower-cased text after the last '@' (missing when there is none)."""
    cleaned = pa.array(text(emails).str.lower().array)
    # Arrow's RE2 runs over the whole column at once (pandas' `str.extract` calls Python per row).
    after = pc.struct_field(pc.extract_regex(cleaned, r"@(?P<domain>[^@]+)$"), [0])
    return pd.Series(after, dtype=TEXT, index=emails.index)


def email_valid(emails: pd.Series) -> np.ndarray:
    return text(emails).str.fullmatch(EMAIL_PATTERN).to_numpy(dtype=bool, na_value=False)


FEW_DOMAINS = 64
"""Up to this many listed domains, each is matched over the distinct domains as one column
operation; a longer list is looked up per distinct domain and suffix."""


def in_domains(domains: pd.Series, listed: Collection[str]) -> np.ndarray:
    """True where the domain, or a parent of it (sub.acme.com under acme.com), is listed."""
    wanted = {d.strip().lower() for d in listed}
    if not wanted:
        return np.zeros(len(domains), dtype=bool)
    codes, uniques = pd.factorize(domains, use_na_sentinel=True)
    table = np.zeros(len(uniques) + 1, dtype=bool)
    if len(wanted) <= FEW_DOMAINS:  # a listed domain is the whole name or follows a dot
        names = pa.array(pd.Series(uniques, dtype=TEXT).array)
        for domain in wanted:
            hit = pc.or_(pc.equal(names, domain), pc.ends_with(names, "." + domain))
            table[:-1] |= hit.to_numpy(zero_copy_only=False)
        return table[codes]
    for position, domain in enumerate(uniques):
        parts = str(domain).split(".")
        table[position] = any(".".join(parts[i:]) in wanted for i in range(len(parts)))
    return table[codes]


def present(values: pd.Series) -> np.ndarray:
    """Not missing and not blank."""
    if values.dtype.kind in "biufM":
        return values.notna().to_numpy(dtype=bool)
    stripped = text(values)
    return (stripped.notna() & (stripped != "")).to_numpy(dtype=bool)


def completeness(fields: dict[str, pd.Series]) -> np.ndarray:
    """Share of REQUIRED_FIELDS present, from a mapping of field name to values."""
    total = np.zeros(len(next(iter(fields.values()))), dtype=np.float64)
    for name in REQUIRED_FIELDS:
        total += present(fields[name])
    return total / len(REQUIRED_FIELDS)


def load_competitors(path: Path | str = DEFAULT_COMPETITORS) -> frozenset[str]:
    """The competitor domain list (`domains:` in a versioned YAML file)."""
    doc = load_located(path)
    domains = doc.data.get("domains") if isinstance(doc.data, dict) else None
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise DefinitionError(
            [Problem(doc.where(("domains",)), "expected 'domains:' as a list of domain names")],
            source=doc.source,
        )
    return frozenset(d.strip().lower() for d in domains)
