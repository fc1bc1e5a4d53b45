"""The role mapping (data/roles.yaml): who gets which role from their identity token's claims.

    roles = load_roles("data/roles.yaml")       # RolesError listing every problem with its line
    grant = roles.grant({"email": "ana@example.com", "email_verified": True, "groups": ["revops"]})
    grant.role, grant.because                    # "publisher", "group revops (data/roles.yaml:14)"

A rule names emails, email domains and groups; it matches a person when any of them does. A person
gets the highest role of the rules that match, and no role (no access) when none does. An email the
identity provider marks unverified (`email_verified: false`) matches neither emails nor domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.access.roles import ROLES
from scoring.errors import Problem, RolesError
from scoring.located_yaml import LocatedDocument, load_located, parse_located

MATCHERS = ("emails", "domains", "groups")
_TOP = {"version", "four_eyes", "groups_claim", "rules"}


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

    def grant(self, claims: Mapping[str, Any]) -> Grant | None:
        """The highest role any rule gives these claims (None: this person has no access)."""
        email = verified_email(claims)
        groups = claim_groups(claims, self.groups_claim)
        best: Grant | None = None
        for rule in self.rules:
            reason = rule.reason(email, groups)
            if reason is None:
                continue
            if best is None or ROLES.index(rule.role) > ROLES.index(best.role):
                best = Grant(rule.role, f"{reason} ({rule.where})")
        return best


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The email claim, lower-cased; None when absent or marked unverified by the provider."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") in (False, "false", "False"):
        return None
    return email.strip().casefold()


def claim_groups(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    """The groups in claim `name` (a list, or one string), case-folded."""
    value = claims.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return frozenset()
    return frozenset(str(g).strip().casefold() for g in value if str(g).strip())


def identity_name(claims: Mapping[str, Any]) -> str:
    """How the audit log names a signed-in person: email, else username, else subject."""
    for key in ("email", "preferred_username", "upn", "sub"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().casefold() if key == "email" else value.strip()
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
            found.append(item.strip().casefold())
    return found


def _matcher_problems(key: str, values: list[str]) -> list[str]:
    if key == "emails":
        return [f"{v!r} is not an email address" for v in values if v.count("@") != 1]
    if key == "domains":
        return [
            f"{v!r} is not a domain (no @, at least one dot)"
            for v in values
            if "@" in v or "." not in v
        ]
    return []


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
    if not isinstance(data.get("four_eyes", True), bool):
        problems.append(doc.problem(("four_eyes",), "four_eyes must be true or false"))
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
    )


def parse_roles(text: str, source: str = "roles.yaml") -> RoleMap:
    """The role mapping from YAML text; RolesError lists every problem with its line."""
    return _build(parse_located(text, source, RolesError))


def load_roles(path: Path | str) -> RoleMap:
    """The role mapping from a file; RolesError lists every problem with its line."""
    return _build(load_located(path, RolesError))
