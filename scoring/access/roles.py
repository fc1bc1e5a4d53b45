"""Roles and what each may do: one table of permissions, each with the least role and its sentence.

    actor = Actor("ana@example.com", "viewer", signed_in=True)
    actor.may(EXPORT_PERSONAL)        # False
    actor.require(PUBLISH)            # NotPermitted: ana@example.com (viewer) may not publish ...

Each role may do everything the roles before it in ROLES may. Without sign-in the dashboard is
single-user: the one local person is `admin` and publishes without a second approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scoring.errors import NotPermitted

ROLES: tuple[str, ...] = ("viewer", "analyst", "publisher", "admin")
"""From least to most: a role may do everything the roles before it may."""

ROLE_HELP: dict[str, str] = {
    "viewer": "marketing manager",
    "analyst": "marketing ops, data",
    "publisher": "RevOps",
    "admin": "whoever runs smarketing",
}

READ = "read"
EXPORT = "export"
EXPORT_PERSONAL = "export_personal"
WHAT_IF = "what_if"
DRAFT = "draft"
PUBLISH = "publish"
IMPORT = "import"
DATABASES = "databases"


@dataclass(frozen=True)
class Permission:
    """One thing a role may do: its name, the least role that may, and what it means in words."""

    name: str
    least: str
    sentence: str


PERMISSIONS: tuple[Permission, ...] = (
    Permission(READ, "viewer", "read every page and the audit log"),
    Permission(EXPORT, "viewer", "export lead lists without personal fields"),
    Permission(
        EXPORT_PERSONAL,
        "analyst",
        "see and export personal fields (names, emails, phones, job titles, owners)",
    ),
    Permission(WHAT_IF, "analyst", "run what-ifs: tune the scoring lab, train and compare models"),
    Permission(DRAFT, "analyst", "download drafts of rulebooks"),
    Permission(
        PUBLISH,
        "publisher",
        "propose, approve and reject publishes and rollbacks of the rulebook, contract and reasons",
    ),
    Permission(IMPORT, "admin", "import files into a new database"),
    Permission(DATABASES, "admin", "open the other databases listed in SMARKETING_DATABASE_URLS"),
)
_BY_NAME = {p.name: p for p in PERMISSIONS}


def allows(role: str, permission: str) -> bool:
    """Whether `role` has `permission` (an unknown role has none; an unknown permission is a bug)."""
    if permission not in _BY_NAME:
        raise ValueError(f"unknown permission {permission!r}; known: {', '.join(_BY_NAME)}")
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(_BY_NAME[permission].least)


def permissions_of(role: str) -> tuple[Permission, ...]:
    """Every permission `role` has, in table order."""
    return tuple(p for p in PERMISSIONS if allows(role, p.name))


@dataclass(frozen=True)
class Actor:
    """Who acts on the dashboard, as the audit log records them, and what their role lets them do.

    `four_eyes`: a publish by this actor is a proposal that a different publisher must approve.
    `identity`: the identity-token claims kept for the audit (email, name, sub, iss).
    """

    name: str
    role: str
    signed_in: bool = False
    four_eyes: bool = False
    identity: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def single_user(cls, name: str = "") -> Actor:
        """The one local person of a dashboard without sign-in: admin, no second approval."""
        return cls(name=name, role="admin")

    @property
    def subject(self) -> tuple[str, str] | None:
        """Who this is at the identity provider for good: (issuer, subject); None without a `sub`
        claim (single-user mode, the command line). Emails and names can change; these cannot."""
        sub = str(self.identity.get("sub", "")).strip()
        return (str(self.identity.get("iss", "")).strip(), sub) if sub else None

    def may(self, permission: str) -> bool:
        return allows(self.role, permission)

    def require(self, permission: str) -> None:
        """Raise NotPermitted unless this actor's role has `permission`."""
        if not self.may(permission):
            least = _BY_NAME[permission].least
            raise NotPermitted(
                self.name,
                self.role,
                _BY_NAME[permission].sentence,
                f"it needs the {least} role or higher",
            )

    def audit_detail(self) -> dict[str, object]:
        """What the audit row keeps about who acted (role, sign-in, identity claims)."""
        return {"role": self.role, "signed_in": self.signed_in, "identity": dict(self.identity)}
