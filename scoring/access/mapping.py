"""The role mapping (data/roles.yaml): who gets which role from their identity token's claims.

    roles = load_roles("data/roles.yaml")       # RolesError listing every problem with its line
    grant = roles.grant({"email": "ana@example.com", "email_verified": True, "groups": ["revops"]})
    grant.role, grant.because                    # "publisher", "group revops (data/roles.yaml:14)"

A rule names emails, email domains and groups; it matches a person when any of them does. A person
gets the highest role of the rules that match, and no role (no access) when none does. An email
matches emails and domains only when the identity provider says it is verified (`email_verified`
exactly true), unless the file opts in with `trust_unverified_email: true`. Emails are compared
NFC-normalised with only ASCII letters lower-cased, and an address with other non-ASCII characters
matches no email or domain rule (international domains are written in their `xn--` form), so
`evil@straße.de` never matches `strasse.de` the way a full case-fold would.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.access.roles import ROLES
from scoring.errors import Problem, RolesError
from scoring.located_yaml import LocatedDocument, load_located, parse_located

MATCHERS = ("emails", "domains", "groups")
_TOP = {"version", "four_eyes", "groups_claim", "trust_unverified_email", "rules"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Rule:
    role: str
    emails: frozenset[str]
    domains: frozenset[str]
    groups: frozenset[str]
    where: str  # file:line of the rule

    def reason(self, email: str | None, groups: frozenset[str]) -> str | None:
        """Why this rule matches (e.g. "group revops"), or None when it does not."""
        if email and email in self.emails:
            return f"email {email}"
        domain = email.rsplit("@", 1)[-1] if email else None
        if domain and domain in self.domains:
            return f"domain {domain}"
        shared = sorted(self.groups & groups)
        return f"group {shared[0]}" if shared else None


@dataclass(frozen=True)
class Grant:
    """The role a person gets and the rule that gave it."""

    role: str
    because: str


@dataclass(frozen=True)
class RoleMap:
    version: str
    rules: tuple[Rule, ...]
    four_eyes: bool = True
    groups_claim: str = "groups"
    source: str = ""
    trust_unverified_email: bool = False  # opt-in: match emails the provider does not vouch for

    def grant(self, claims: Mapping[str, Any]) -> Grant | None:
        """The highest role any rule gives these claims (None: this person has no access)."""
        email = verified_email(claims, trust_unverified=self.trust_unverified_email)
        groups = claim_groups(claims, self.groups_claim)
        best: Grant | None = None
        for rule in self.rules:
            reason = rule.reason(email, groups)
            if reason is None:
                continue
            if best is None or ROLES.index(rule.role) > ROLES.index(best.role):
                best = Grant(rule.role, f"{reason} ({rule.where})")
        return best


def fold(text: str) -> str:
    """How names are compared: NFC-normalised, surrounding space dropped, ASCII letters lower-cased
    (and nothing else: a full case-fold would make `straße` equal `strasse`)."""
    return unicodedata.normalize("NFC", text).strip().translate(_ASCII_LOWER)


def email_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the provider vouches for the email: `email_verified` is exactly true (the boolean, or
    the string "true" in any case). Missing, "1", "yes" or anything else is not."""
    flag = claims.get("email_verified")
    return flag is True or (isinstance(flag, str) and flag.lower() == "true")


def verified_email(claims: Mapping[str, Any], *, trust_unverified: bool = False) -> str | None:
    """The email claim as rules compare it (see `fold`); None when absent, not an address, not
    ASCII, or not verified by the provider (unless `trust_unverified`)."""
    email = claims.get("email")
    if not isinstance(email, str):
        return None
    email = fold(email)
    local, _, domain = email.rpartition("@")
    if not local or not domain or "@" in local or not email.isascii():
        return None
    if not (trust_unverified or email_verified(claims)):
        return None
    return email


def claim_groups(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    """The groups in claim `name` (a list, or one string), compared as `fold` gives them."""
    value = claims.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return frozenset()
    return frozenset(fold(str(g)) for g in value if str(g).strip())


def identity_name(claims: Mapping[str, Any], *, trust_unverified: bool = False) -> str:
    """How the audit log and the pages name a signed-in person: their email when the provider
    verified it (see `verified_email`), else their username, else their subject."""
    email = verified_email(claims, trust_unverified=trust_unverified)
    if email:
        return email
    for key in ("preferred_username", "upn", "sub"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _strings(
    doc: LocatedDocument, path: tuple[Any, ...], value: Any, problems: list[Problem]
) -> list[str]:
    if not isinstance(value, list) or not value:
        problems.append(doc.problem(path, f"{path[-1]} must be a non-empty list"))
        return []
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or " " in item.strip():
            problems.append(doc.problem((*path, index), f"{item!r} is not a single word"))
        else:
            found.append(fold(item))
    return found


def _matcher_problems(key: str, values: list[str]) -> list[str]:
    problems = []
    if key in ("emails", "domains"):
        problems += [
            f"{v!r} is not ASCII: write an international domain in its xn-- form"
            for v in values
            if not v.isascii()
        ]
    if key == "emails":
        problems += [f"{v!r} is not an email address" for v in values if v.count("@") != 1]
    if key == "domains":
        problems += [
            f"{v!r} is not a domain (no @, at least one dot)"
            for v in values
            if "@" in v or "." not in v
        ]
    return problems


def _rule(doc: LocatedDocument, index: int, item: Any, problems: list[Problem]) -> Rule | None:
    base: tuple[Any, ...] = ("rules", index)
    if not isinstance(item, dict):
        problems.append(doc.problem(base, "each rule must be a mapping with a role"))
        return None
    before = len(problems)
    role = item.get("role")
    if role not in ROLES:
        problems.append(
            doc.problem((*base, "role"), f"role {role!r} is not one of {', '.join(ROLES)}")
        )
    for key in sorted(set(item) - {"role", *MATCHERS}):
        problems.append(
            doc.problem(
                (*base, key), f"unknown field {key!r}; a rule has role, {', '.join(MATCHERS)}"
            )
        )
    if not set(item) & set(MATCHERS):
        problems.append(
            doc.problem(base, f"the rule matches nobody: give it {', '.join(MATCHERS)}")
        )
    found: dict[str, frozenset[str]] = {}
    for key in MATCHERS:
        values = _strings(doc, (*base, key), item[key], problems) if key in item else []
        problems += [
            doc.problem((*base, key), message) for message in _matcher_problems(key, values)
        ]
        found[key] = frozenset(values)
    if len(problems) > before:
        return None
    return Rule(str(role), found["emails"], found["domains"], found["groups"], doc.where(base))


def _top(doc: LocatedDocument, data: dict[str, Any], problems: list[Problem]) -> None:
    for key in sorted(set(data) - _TOP):
        problems.append(
            doc.problem((key,), f"unknown field {key!r}; known: {', '.join(sorted(_TOP))}")
        )
    if not isinstance(data.get("version"), str | int | float) or isinstance(
        data.get("version"), bool
    ):
        problems.append(doc.problem(("version",), "the file needs a `version:` (a string)"))
    for flag in ("four_eyes", "trust_unverified_email"):
        if not isinstance(data.get(flag, False), bool):
            problems.append(doc.problem((flag,), f"{flag} must be true or false"))
    claim = data.get("groups_claim", "groups")
    if not isinstance(claim, str) or not claim.strip():
        problems.append(doc.problem(("groups_claim",), "groups_claim must name a claim"))


def _build(doc: LocatedDocument) -> RoleMap:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RolesError([doc.problem((), "the file needs a `rules:` list")], doc.source)
    problems: list[Problem] = []
    _top(doc, data, problems)
    rules = [_rule(doc, i, item, problems) for i, item in enumerate(data["rules"])]
    if problems:
        raise RolesError(problems, doc.source)
    return RoleMap(
        version=str(data["version"]),
        rules=tuple(r for r in rules if r is not None),
        four_eyes=bool(data.get("four_eyes", True)),
        groups_claim=str(data.get("groups_claim", "groups")).strip(),
        source=doc.source,
        trust_unverified_email=bool(data.get("trust_unverified_email", False)),
    )


def parse_roles(text: str, source: str = "roles.yaml") -> RoleMap:
    """The role mapping from YAML text; RolesError lists every problem with its line."""
    return _build(parse_located(text, source, RolesError))


def load_roles(path: Path | str) -> RoleMap:
    """The role mapping from a file; RolesError lists every problem with its line."""
    return _build(load_located(path, RolesError))
