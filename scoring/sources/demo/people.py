"""Contacts of one chunk: who they are, where they work, and the data-quality problems they carry.

Rates: ~8% personal mailboxes, ~1.5% malformed emails, ~2% missing emails, ~1.5% duplicates of an
earlier contact (same person, another email variant), 5-15% gaps in title, seniority, department,
country and lead source, junk records (fake names, throwaway mailboxes) mostly from paid social.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.sources.demo import campaigns as c
from scoring.sources.demo import market as m
from scoring.sources.demo import vocab as v
from scoring.sources.demo.firmographics import Firms
from scoring.sources.demo.sampling import chance, cumulative, draw

_FIRST = np.strings.lower(v.FIRST_NAMES)
_LAST = np.strings.lower(v.LAST_NAMES)
_FIRST_INITIAL = np.strings.slice(_FIRST, 0, 1)
_LAST_INITIAL = np.strings.slice(_LAST, 0, 1)
_TITLES_BY_SENIORITY = cumulative(
    np.where(
        v.TITLE_SENIORITY[None, :] == np.arange(len(v.SENIORITIES))[:, None], v.TITLE_WEIGHTS, 0.0
    )
)
_SENIORITY_BY_CAMPAIGN = cumulative(c.SENIORITY_MIX)
_COUNTRY = cumulative(m.COUNTRY_SHARES)
_JUNK_LOCAL = np.strings.replace(v.JUNK_NAMES.astype(str), " ", "")
NO_ACCOUNT = -1


@dataclass(frozen=True)
class People:
    """Column arrays of a chunk's contacts, plus the hidden truths the outcomes depend on."""

    first: np.ndarray  # object: str or None
    last: np.ndarray
    email: np.ndarray
    title: np.ndarray  # index into TITLES
    shown_title: np.ndarray
    seniority: np.ndarray
    department: np.ndarray
    phone: np.ndarray
    country: np.ndarray  # object: ISO code or None
    lead_source: np.ndarray
    account: np.ndarray  # row in the chunk's firms (NO_ACCOUNT, or a competitor via `competitor`)
    competitor: np.ndarray  # index into COMPETITORS, or -1
    region: np.ndarray  # true region index, -1 unknown
    served: np.ndarray
    personal: np.ndarray
    junk: np.ndarray
    malformed: np.ndarray
    duplicate: np.ndarray
    fit: np.ndarray  # hidden personal fit (title, mailbox, account presence)


def _accounts(rng, campaign: np.ndarray, firms: Firms) -> np.ndarray:
    """Row of each contact's account: bigger companies have more contacts, per campaign bias."""
    account = np.empty(len(campaign), dtype=np.int64)
    size = np.log(np.maximum(firms.employees, 1))
    for j in range(len(c.CAMPAIGNS)):
        rows = np.flatnonzero(campaign == j)
        table = cumulative(np.exp(size * (0.35 + c.SIZE_BIAS[j])))
        account[rows] = draw(rng, table, n=len(rows))
    return account


def _local_parts(first: np.ndarray, last: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Email local part for name-pool indexes in one of the five company shapes."""
    f, lst = _FIRST[first], _LAST[last]
    variants = [
        np.strings.add(np.strings.add(f, "."), lst),
        np.strings.add(_FIRST_INITIAL[first], lst),
        np.strings.add(f, _LAST_INITIAL[last]),
        f,
        np.strings.add(np.strings.add(f, "_"), lst),
    ]
    return np.choose(shape, variants)


def _emails(rng, ids, local, domain, numbered, duplicate_of) -> np.ndarray:
    """Emails; mailboxes on shared domains carry the contact id, so they are unique by construction."""
    n = len(ids)
    local = np.where(numbered, np.strings.add(local, ids.astype(str)), local)
    emails = np.strings.add(np.strings.add(local, "@"), domain).astype(object)
    # A duplicate either plus-tags the original's mailbox or uses another shape of the same name.
    rows = np.flatnonzero((duplicate_of >= 0) & chance(rng, 0.5, n))
    original = duplicate_of[rows]
    tag = v.PLUS_TAGS[rng.integers(0, len(v.PLUS_TAGS), len(rows))]
    plus = np.strings.add(
        np.strings.add(local[original], tag), np.strings.add("@", domain[original])
    )
    emails[rows] = plus
    return emails


def _spoil(rng, emails: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Malform ~1.5% of emails (injective edits, so uniqueness survives) and drop ~2%."""
    malformed = chance(rng, 0.015, n)
    rows = np.flatnonzero(malformed)
    text = emails[rows].astype(str)
    typo = np.where(
        np.strings.find(text, "@gmail.") >= 0,
        np.strings.replace(text, "@gmail.", "@gmial.", 1),
        np.strings.replace(text, "@", "(at)", 1),
    )
    bad = np.choose(
        rng.integers(0, 3, len(rows)),
        [np.strings.replace(text, "@", "@@", 1), np.strings.replace(text, "@", " at ", 1), typo],
    )
    out = emails.copy()
    out[rows] = bad
    out[chance(rng, 0.02, n)] = None
    return out, malformed


def _deduplicate(emails: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Same-name clashes at one company: the later contact gets its id in the mailbox."""
    clash = pd.Series(emails, dtype=object).duplicated().to_numpy()
    rows = np.flatnonzero(clash & pd.notna(emails))
    emails = emails.copy()
    emails[rows] = [
        e.replace("@", f"{i}@", 1) for e, i in zip(emails[rows], ids[rows], strict=True)
    ]
    return emails


def _phones(rng, country: np.ndarray, junk: np.ndarray, n: int) -> np.ndarray:
    digits = [rng.integers(lo, hi, n).astype(str) for lo, hi in ((200, 999), (100, 999), (0, 9999))]
    number = np.strings.add(np.strings.add(digits[0], " "), np.strings.add(digits[1], " "))
    number = np.strings.add(number, np.strings.zfill(digits[2], 4))
    phone = np.strings.add(np.strings.add(m.COUNTRY_PHONE[country], " "), number).astype(object)
    phone[junk] = np.array(["1234567", "000-000-0000", "n/a", "555"], dtype=object)[
        rng.integers(0, 4, int(junk.sum()))
    ]
    phone[chance(rng, 0.45, n)] = None
    return phone


def _blank(rng, values: np.ndarray, rate: float) -> np.ndarray:
    values = values.astype(object)
    values[chance(rng, rate, len(values))] = None
    return values


def _roots(duplicate_of: np.ndarray) -> np.ndarray:
    """The first contact of each duplicate chain (a duplicate may copy an earlier duplicate)."""
    root = np.where(duplicate_of >= 0, duplicate_of, np.arange(len(duplicate_of)))
    while True:
        nxt = np.where(duplicate_of[root] >= 0, duplicate_of[root], root)
        if np.array_equal(nxt, root):
            return root
        root = nxt


def _identity(rng, campaign: np.ndarray, firms: Firms, n: int) -> dict[str, np.ndarray]:
    """Who each contact is before duplicates copy an earlier person."""
    seniority = draw(rng, _SENIORITY_BY_CAMPAIGN, campaign)
    student = seniority == v.SENIORITIES.index("student")
    junk = chance(rng, c.JUNK[campaign], n)
    competitor = np.where(
        chance(rng, c.COMPETITOR[campaign], n) & ~student & ~junk,
        rng.integers(0, len(m.COMPETITORS), n),
        -1,
    )
    no_account = chance(rng, np.where(student, 0.3, np.where(junk, 0.2, 0.02)), n)
    account = _accounts(rng, campaign, firms)
    account = np.where(no_account | (competitor >= 0), NO_ACCOUNT, account)
    return {
        "seniority": seniority,
        "title": draw(rng, _TITLES_BY_SENIORITY, seniority),
        "junk": junk,
        "competitor": competitor,
        "account": account,
        "personal": chance(rng, c.PERSONAL_EMAIL[campaign] + 0.05 * student, n),
        "first": rng.integers(0, len(v.FIRST_NAMES), n),
        "last": rng.integers(0, len(v.LAST_NAMES), n),
        "country": draw(rng, _COUNTRY, n=n),
        "shape": rng.integers(0, v.EMAIL_SHAPES, n),
    }


def _mailboxes(rng, ids, who: dict[str, np.ndarray], firms: Firms, duplicate_of: np.ndarray):
    """Email (with its problems), and whether the mailbox is personal."""
    n = len(ids)
    account, competitor, junk = who["account"], who["competitor"], who["junk"]
    personal = (who["personal"] | (account == NO_ACCOUNT)) & (competitor < 0) & ~junk
    domain = np.where(account >= 0, firms.domain[np.maximum(account, 0)], "")
    competitor_domains = np.array([x[1] for x in m.COMPETITORS])
    domain = np.where(competitor >= 0, competitor_domains[np.maximum(competitor, 0)], domain)
    domain = np.where(
        personal, v.PERSONAL_DOMAINS[rng.integers(0, len(v.PERSONAL_DOMAINS), n)], domain
    )
    domain = np.where(junk, v.JUNK_DOMAINS[rng.integers(0, len(v.JUNK_DOMAINS), n)], domain)
    shape = np.where(
        account >= 0,
        firms.email_shape[np.maximum(account, 0)],
        who["shape"],
    )
    is_dup = duplicate_of >= 0
    shape = np.where(is_dup, (shape + rng.integers(1, v.EMAIL_SHAPES, n)) % v.EMAIL_SHAPES, shape)
    local = _local_parts(who["first"], who["last"], shape)
    junk_local = _JUNK_LOCAL[rng.integers(0, len(_JUNK_LOCAL), n)]
    local = np.where(junk, junk_local, local)
    emails = _emails(rng, ids, local, domain, personal | junk | (competitor >= 0), duplicate_of)
    emails, malformed = _spoil(rng, emails, n)
    return _deduplicate(emails, ids), personal, malformed


def simulate_people(rng, ids: np.ndarray, campaign: np.ndarray, firms: Firms) -> People:
    """Contacts for the given ids and campaigns, at the chunk's accounts (or competitors, or none)."""
    n = len(ids)
    who = _identity(rng, campaign, firms, n)
    duplicate_of = np.where(
        chance(rng, 0.015, n), (rng.random(n) * np.arange(n)).astype(np.int64), -1
    )
    duplicate_of[0] = -1
    root = _roots(duplicate_of)
    who = {k: x[root] for k, x in who.items()}
    account, competitor, junk = who["account"], who["competitor"], who["junk"]
    email, personal, malformed = _mailboxes(rng, ids, who, firms, duplicate_of)
    country = np.where(account >= 0, firms.country[np.maximum(account, 0)], who["country"])
    competitor_country = np.array([list(m.COUNTRY_CODES).index(x[2]) for x in m.COMPETITORS])
    country = np.where(competitor >= 0, competitor_country[np.maximum(competitor, 0)], country)
    title = who["title"]
    first = np.where(
        junk,
        v.JUNK_NAMES[rng.integers(0, len(v.JUNK_NAMES), n)],
        v.FIRST_NAMES[who["first"]].astype(object),
    )
    last = np.where(
        junk,
        v.JUNK_NAMES[rng.integers(0, len(v.JUNK_NAMES), n)],
        v.LAST_NAMES[who["last"]].astype(object),
    )
    shown_title = v.TITLE_NAMES[title].copy()
    lower = chance(rng, 0.03, n)
    shown_title[lower] = np.strings.lower(shown_title[lower].astype(str)).astype(object)
    return People(
        first=_blank(rng, first, 0.02),
        last=_blank(rng, last, 0.03),
        email=email,
        title=title,
        shown_title=_blank(rng, shown_title, 0.10),
        seniority=_blank(rng, np.array(v.SENIORITIES, dtype=object)[who["seniority"]], 0.12),
        department=_blank(rng, v.TITLE_DEPARTMENTS[title], 0.11),
        phone=_phones(rng, country, junk, n),
        country=_blank(rng, m.COUNTRY_CODES[country], 0.07),
        lead_source=_blank(rng, c.LEAD_SOURCES[campaign], 0.04),
        account=account,
        competitor=competitor,
        region=m.COUNTRY_REGION[country],
        served=m.COUNTRY_SERVED[country],
        personal=personal,
        junk=junk,
        malformed=malformed,
        duplicate=duplicate_of >= 0,
        fit=v.TITLE_FIT[title] - 0.4 * personal - 0.6 * (account == NO_ACCOUNT),
    )
