"""Accounts of one chunk: names, unique domains, industry, size, revenue, country, hidden fit.

The hidden (true) values drive the outcomes; the visible columns have gaps like a real CRM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.sources.demo import market as m
from scoring.sources.demo.sampling import chance, cumulative, draw

_HEADS = np.strings.capitalize(m.NAME_HEADS)
_SLOT_PREFIX = np.array([s[0] for s in m.DOMAIN_SLOTS])
_SLOT_TLD = np.array([s[1] for s in m.DOMAIN_SLOTS])
_SPACE = len(m.NAME_HEADS) * len(m.NAME_TAILS) * len(m.DOMAIN_SLOTS)
_STRIDE = 7_919 * 104_729  # two primes that divide no pool size, so the map below is a bijection
_EMAIL_SHAPES = cumulative(np.array([0.55, 0.20, 0.05, 0.10, 0.10]))
_INDUSTRY = cumulative(m.INDUSTRY_SHARES)
_COUNTRY = cumulative(m.COUNTRY_SHARES)


@dataclass(frozen=True)
class Firms:
    """Column arrays of a chunk's accounts (true values; `visible` masks say what the CRM shows)."""

    id: np.ndarray
    name: np.ndarray
    domain: np.ndarray
    industry: np.ndarray  # index into INDUSTRIES
    employees: np.ndarray
    revenue: np.ndarray
    country: np.ndarray  # index into COUNTRIES
    email_shape: np.ndarray
    existing_customer: np.ndarray
    shown_industry: np.ndarray
    shown_employees: np.ndarray
    shown_revenue: np.ndarray
    shown_country: np.ndarray

    @property
    def region(self) -> np.ndarray:
        return m.COUNTRY_REGION[self.country]

    @property
    def segment(self) -> np.ndarray:
        return np.searchsorted(m.SEGMENT_BOUNDS, self.employees, side="right")

    @property
    def fit(self) -> np.ndarray:
        """Hidden firmographic fit in logit points."""
        size = np.select(
            [
                self.employees < 20,
                self.employees < 100,
                self.employees < 1000,
                self.employees < 10_000,
            ],
            [-1.2, -0.2, 0.5, 0.7],
            0.4,
        )
        served = np.where(m.COUNTRY_SERVED[self.country], 0.0, -1.5)
        return m.INDUSTRY_FIT[self.industry] + size + m.REGION_FIT[self.region] + served


def domains(index: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Company (name, domain) for global account indexes: unique for every distinct index."""
    slot_count, tail_count = len(m.DOMAIN_SLOTS), len(m.NAME_TAILS)
    code = (index * _STRIDE + offset) % _SPACE
    head, rest = np.divmod(code, tail_count * slot_count)
    tail, slot = np.divmod(rest, slot_count)
    lap = index // _SPACE  # past the name space: a number keeps the domain unique
    number = np.where(lap > 0, lap.astype(str), "")
    stem = np.strings.add(np.strings.add(m.NAME_HEADS[head], m.NAME_TAILS[tail]), number)
    domain = np.strings.add(np.strings.add(_SLOT_PREFIX[slot], stem), _SLOT_TLD[slot])
    name = np.strings.add(_HEADS[head], m.NAME_TAILS[tail])
    return name, domain


def simulate_firms(rng: np.random.Generator, count: int, first: int, first_id: int, offset: int):
    """`count` accounts with global indexes `first`.. and ids `first_id`.."""
    index = np.arange(first, first + count, dtype=np.int64)
    name, domain = domains(index, offset)
    suffix = m.NAME_SUFFIXES[rng.integers(0, len(m.NAME_SUFFIXES), count)]
    industry = draw(rng, _INDUSTRY, n=count)
    employees = np.maximum(1, np.round(10 ** np.clip(rng.normal(2.0, 0.8, count), 0, 5.4)))
    revenue = employees * m.INDUSTRY_REVENUE_PER_EMPLOYEE[industry] * rng.lognormal(0, 0.4, count)
    return Firms(
        id=np.arange(first_id, first_id + count, dtype=np.int64),
        name=np.strings.add(name.astype(object), suffix).astype(object),
        domain=domain,
        industry=industry,
        employees=employees.astype(np.int64),
        revenue=np.round(revenue, -3),
        country=draw(rng, _COUNTRY, n=count),
        email_shape=draw(rng, _EMAIL_SHAPES, n=count),
        existing_customer=chance(rng, 0.02, count),
        shown_industry=~chance(rng, 0.10, count),
        shown_employees=~chance(rng, 0.12, count),
        shown_revenue=~chance(rng, 0.15, count),
        shown_country=~chance(rng, 0.05, count),
    )


def competitor_firms() -> Firms:
    """The competitors' accounts (always ids 1..len(COMPETITORS))."""
    count = len(m.COMPETITORS)
    country = np.array([list(m.COUNTRY_CODES).index(c[2]) for c in m.COMPETITORS])
    employees = np.array([c[3] for c in m.COMPETITORS], dtype=np.int64)
    shown = np.ones(count, dtype=bool)
    return Firms(
        id=np.arange(1, count + 1, dtype=np.int64),
        name=np.array([c[0] for c in m.COMPETITORS], dtype=object),
        domain=np.array([c[1] for c in m.COMPETITORS]),
        industry=np.zeros(count, dtype=np.int64),
        employees=employees,
        revenue=employees * 250_000.0,
        country=country,
        email_shape=np.zeros(count, dtype=np.int64),
        existing_customer=np.zeros(count, dtype=bool),
        shown_industry=shown,
        shown_employees=shown,
        shown_revenue=shown,
        shown_country=shown,
    )
